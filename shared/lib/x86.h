/*
 * x86.h - plain x86 instructions for both kernels: port I/O, MSRs, CPUID,
 * the TSC.
 *
 * In the guest, hot privileged operations go through pv.h, never through
 * here; these are the cold ones (device setup, MSRs, CPUID) and the raw TSC
 * read the benchmarks time themselves with.
 *
 * Environment: ring 0, either kernel.
 */
/* SPDX-License-Identifier: MIT */
#ifndef SHARED_LIB_X86_H
#define SHARED_LIB_X86_H

#include <stdint.h>

#ifndef BIT
#define BIT(n) (1ul << (n))
#endif

/* MSRs (SDM vol. 4, table 2-2). */
#define MSR_IA32_APIC_BASE      0x1b
#define APIC_BASE_ENABLE        BIT(11)

/* RFLAGS (SDM vol. 1, 3.4.3). */
#define RFLAGS_IF               BIT(9)

static inline void outb(uint16_t port, uint8_t v)
{
	asm volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outl(uint16_t port, uint32_t v)
{
	asm volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outw(uint16_t port, uint16_t v)
{
	asm volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;
	asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

/*
 * The instructions whose results a hypervisor rule depends on: host tests
 * (HV_HOST_TEST) get them from a stand-in (tests/host/vmcs_stub.c).
 */
#ifdef HV_HOST_TEST
uint64_t rdtsc(void);
void cpuid(uint32_t leaf, uint32_t sub, uint32_t *a, uint32_t *b, uint32_t *c, uint32_t *d);
uint64_t rdmsr(uint32_t msr);
void wrmsr(uint32_t msr, uint64_t v);
uint64_t xgetbv(uint32_t index);
void xsetbv(uint32_t index, uint64_t v);
#else
static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

static inline void cpuid(uint32_t leaf, uint32_t sub, uint32_t *a, uint32_t *b,
			 uint32_t *c, uint32_t *d)
{
	asm volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d)
		     : "a"(leaf), "c"(sub));
}

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;
	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
	asm volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

/* XCR0 and friends (SDM vol. 2D, XGETBV/XSETBV): need CR4.OSXSAVE. */
static inline uint64_t xgetbv(uint32_t index)
{
	uint32_t lo, hi;
	asm volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(index));
	return ((uint64_t)hi << 32) | lo;
}

static inline void xsetbv(uint32_t index, uint64_t v)
{
	asm volatile("xsetbv" : : "c"(index), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}
#endif /* HV_HOST_TEST */

/* A 64-bit TSS (SDM vol. 3A, 9.7). */
struct tss64 {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3, iomap_base;
} __attribute__((packed));
_Static_assert(sizeof(struct tss64) == 104, "64-bit TSS");

/* Its 16-byte GDT descriptor, available type (SDM vol. 3A, 9.2.3). */
static inline void gdt_set_tss(uint64_t *gdt, unsigned index, const struct tss64 *tss)
{
	uint64_t base = (uint64_t)tss, limit = sizeof(*tss) - 1;

	gdt[index] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ul << 40) |
		     ((limit >> 16 & 0xf) << 48) | ((base >> 24 & 0xff) << 56);
	gdt[index + 1] = base >> 32;
}

#define GDT_CODE64_KERNEL       0x00af9a000000fffful
#define GDT_DATA_KERNEL         0x00cf92000000fffful
#define GDT_CODE64_USER         0x00affa000000fffful    /* DPL 3 */
#define GDT_DATA_USER           0x00cff2000000fffful    /* DPL 3 */

static inline void load_gdt_tr(const uint64_t *gdt, unsigned entries, uint16_t tr)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) gdtr = { (uint16_t)(entries * 8 - 1), (uint64_t)gdt };

	asm volatile("lgdt %0" : : "m"(gdtr));
	asm volatile("ltr %w0" : : "r"(tr));
}

/* The benchmarks' own clock: ordered after earlier instructions (LFENCE). */
static inline uint64_t rdtsc_ordered(void)
{
	uint32_t lo, hi;
	asm volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi) : : "memory");
	return ((uint64_t)hi << 32) | lo;
}

static inline void cpu_relax(void)
{
	asm volatile("pause" ::: "memory");
}

/* Serialize after cross-modifying our own code (SDM vol. 3A, 9.1.3). */
static inline void serialize(void)
{
	uint32_t a, b, c, d;
	cpuid(0, 0, &a, &b, &c, &d);
}

#endif
