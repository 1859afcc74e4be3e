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

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;
	asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
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
