/*
 * pv.h - the guest's hot pv ops as inline call sites.
 *
 * Each pv_<op>() expands to one patchable site: an indirect call through
 * pv_ops, padded to the op's site length with one multi-byte NOP, and a
 * record {addr, len, op, clobbers} in .pv_sites that pv_patch rewrites at
 * boot. The asm constraints state the op's register contract (pv_ops.h):
 * argument in RDI (RSI), result in RAX, and exactly the site's clobbers.
 *
 * Built with -DPV_DIRECT (the benchmark's baseline image) every site is the
 * native instruction sequence itself, with the same constraints, and no
 * record: the cost of pv_ops is then what separates the two builds.
 *
 * Environment: guest kernel, any context.
 */
/* SPDX-License-Identifier: MIT */
#ifndef GUEST_PV_H
#define GUEST_PV_H

#include "pv_ops.h"

#define PV_STR_(x) #x
#define PV_STR(x) PV_STR_(x)

/* Per-op constants usable as "i" operands. */
enum {
#define PV_CONSTS(group, name, len, clob, nclob) \
	PV_LEN_##name = len, PV_CLOB_##name = clob,
	PV_OP_LIST(PV_CONSTS)
#undef PV_CONSTS
};

#ifdef PV_DIRECT
#define PV_SITE(name) \
	".intel_syntax noprefix\n\t" PV_NATIVE_##name "\n\t.att_syntax prefix\n\t"
#else
#define PV_SITE(name)                                                   \
	"771:\n\t"                                                      \
	"call *pv_ops+%c[pv_off](%%rip)\n\t"                            \
	".nops %c[pv_len]-" PV_STR(PV_CALL_INDIRECT_LEN) "\n"           \
	"772:\n\t"                                                      \
	".pushsection .pv_sites,\"a\"\n\t"                              \
	".balign 8\n\t"                                                 \
	".quad 771b\n\t"                                                \
	".byte %c[pv_len], %c[pv_op]\n\t"                               \
	".short %c[pv_clob]\n\t"                                        \
	".long 0\n\t"                                                   \
	".popsection\n\t"
#endif

/* The operands every site names (unused, and harmless, in PV_DIRECT). */
#define PV_SITE_OPERANDS(group, name)                                   \
	[pv_off] "i"(PV_OP_OFFSET(group, name)),                        \
	[pv_len] "i"(PV_LEN_##name),                                    \
	[pv_op] "i"(PV_OP_##name),                                      \
	[pv_clob] "i"(PV_CLOB_##name)

/* A site that takes nothing, returns nothing and may clobber RAX. */
#define PV_SITE_VOID_RAX(group, name)                                   \
	do {                                                            \
		unsigned long pv_rax_;                                  \
		asm volatile(PV_SITE(name)                              \
			     : "=a"(pv_rax_)                            \
			     : PV_SITE_OPERANDS(group, name)            \
			     : "memory", "cc");                         \
		(void)pv_rax_;                                          \
	} while (0)

/* A site that takes one argument in RDI and may clobber RAX. */
#define PV_SITE_ARG_RAX(group, name, arg)                               \
	do {                                                            \
		unsigned long pv_rax_;                                  \
		asm volatile(PV_SITE(name)                              \
			     : "=a"(pv_rax_)                            \
			     : "D"(arg), PV_SITE_OPERANDS(group, name)  \
			     : "memory", "cc");                         \
		(void)pv_rax_;                                          \
	} while (0)

/* A site that takes nothing and clobbers nothing. */
#define PV_SITE_VOID(group, name)                                       \
	asm volatile(PV_SITE(name) : : PV_SITE_OPERANDS(group, name)    \
		     : "memory", "cc")

static inline unsigned long pv_save_fl(void)
{
	unsigned long flags;
	asm volatile(PV_SITE(save_fl)
		     : "=a"(flags) : PV_SITE_OPERANDS(irq, save_fl) : "memory", "cc");
	return flags;
}

static inline void pv_restore_fl(unsigned long flags)
{
	asm volatile(PV_SITE(restore_fl)
		     : : "D"(flags), PV_SITE_OPERANDS(irq, restore_fl)
		     : "memory", "cc");
}

static inline void pv_irq_disable(void) { PV_SITE_VOID(irq, irq_disable); }
static inline void pv_irq_enable(void)  { PV_SITE_VOID(irq, irq_enable); }
static inline void pv_safe_halt(void)   { PV_SITE_VOID_RAX(irq, safe_halt); }
static inline void pv_halt(void)        { PV_SITE_VOID_RAX(irq, halt); }

static inline unsigned long pv_read_cr2(void)
{
	unsigned long v;
	asm volatile(PV_SITE(read_cr2)
		     : "=a"(v) : PV_SITE_OPERANDS(mmu, read_cr2) : "memory", "cc");
	return v;
}

static inline unsigned long pv_read_cr3(void)
{
	unsigned long v;
	asm volatile(PV_SITE(read_cr3)
		     : "=a"(v) : PV_SITE_OPERANDS(mmu, read_cr3) : "memory", "cc");
	return v;
}

static inline void pv_write_cr3(unsigned long cr3) { PV_SITE_ARG_RAX(mmu, write_cr3, cr3); }
static inline void pv_flush_tlb_one(unsigned long va) { PV_SITE_ARG_RAX(mmu, flush_tlb_one, va); }
static inline void pv_flush_tlb_all(void) { PV_SITE_VOID_RAX(mmu, flush_tlb_all); }
static inline void pv_io_delay(void)      { PV_SITE_VOID_RAX(cpu, io_delay); }
static inline void pv_apic_eoi(void)      { PV_SITE_VOID_RAX(apic, apic_eoi); }

/* Program the local APIC timer's initial count; 0 stops it. */
static inline void pv_timer_arm(uint32_t count) { PV_SITE_ARG_RAX(apic, timer_arm, (unsigned long)count); }

/* The clock: the TSC, natively. */
static inline uint64_t pv_clock_read(void)
{
	uint64_t lo, hi;
	asm volatile(PV_SITE(clock_read)
		     : "=a"(lo), "=d"(hi) : PV_SITE_OPERANDS(time, clock_read)
		     : "memory", "cc");
	(void)hi;
	return lo;
}

/* CPUID leaf, subleaf into r[0..3] = EAX, EBX, ECX, EDX. */
static inline void pv_cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	uint32_t a, b, c, d;

	asm volatile(PV_SITE(cpuid)
		     : "=a"(a), "=b"(b), "=c"(c), "=d"(d)
		     : "0"(leaf), "2"(sub), PV_SITE_OPERANDS(cpu, cpuid)
		     : "memory", "cc");
	r[0] = a;
	r[1] = b;
	r[2] = c;
	r[3] = d;
}

/*
 * A contended lock's waiter (smp.c's spin_lock): wait until a kick or an
 * interrupt, or not at all: the caller checks the lock again either way.
 * Natively one PAUSE; on the hypervisor a halt that a kick ends, and a
 * kick that came first makes it return at once (so a kick between the
 * waiter's last look at the lock and its wait is not lost).
 */
static inline void pv_wait(void) { PV_SITE_VOID_RAX(lock, wait); }
/* Wake the CPU with this APIC ID from pv_wait (natively: nothing to do). */
static inline void pv_kick(uint32_t apic_id) { PV_SITE_ARG_RAX(lock, kick, (unsigned long)apic_id); }

/* The native forms of the call ops (console.c, lapic.c, smp.c). */
long native_console_write(const char *buf, size_t len);
long native_send_ipi_mask(uint64_t apic_mask, unsigned long vector);
long native_flush_tlb_others(uint64_t apic_mask);

/*
 * A call op's site: the C ABI's clobbers, arguments in RDI and RSI (a
 * one-argument op leaves RSI as garbage, the ABI allows it), result in RAX.
 */
#define PV_SITE_CALL2(group, name, a0, a1)                              \
	({                                                              \
		register uint64_t pv_rdi_ asm("rdi") = (uint64_t)(a0);  \
		register uint64_t pv_rsi_ asm("rsi") = (uint64_t)(a1);  \
		long pv_ret_;                                           \
		asm volatile(PV_SITE(name)                              \
			     : "=a"(pv_ret_), "+r"(pv_rdi_), "+r"(pv_rsi_) \
			     : PV_SITE_OPERANDS(group, name)            \
			     : "rcx", "rdx", "r8", "r9", "r10", "r11",  \
			       "memory", "cc");                         \
		pv_ret_;                                                \
	})
#define PV_SITE_CALL1(group, name, a0)                                  \
	({                                                              \
		register uint64_t pv_rdi_ asm("rdi") = (uint64_t)(a0);  \
		long pv_ret_;                                           \
		asm volatile(PV_SITE(name)                              \
			     : "=a"(pv_ret_), "+r"(pv_rdi_)             \
			     : PV_SITE_OPERANDS(group, name)            \
			     : "rcx", "rdx", "rsi", "r8", "r9", "r10", "r11", \
			       "memory", "cc");                         \
		pv_ret_;                                                \
	})

/*
 * Write up to len bytes to the console: returns how many went out (all,
 * natively; at most HV_CONSOLE_WRITE_MAX, on the hypervisor) or a
 * negative -HV_E*. console_write() (console.c) calls it until all is out.
 */
static inline long pv_console_write(const char *buf, size_t len)
{
#ifdef PV_DIRECT
	return native_console_write(buf, len);
#else
	return PV_SITE_CALL2(console, console_write, buf, len);
#endif
}

/*
 * A fixed IPI of vector (16-255) to every CPU whose APIC ID is a set bit
 * of apic_mask (IDs 0-63), this one too if its bit is set: returns how
 * many it reached, or a negative -HV_E*. Natively one ICR write per CPU;
 * on the hypervisor one hypercall for the whole mask.
 */
static inline long pv_send_ipi_mask(uint64_t apic_mask, unsigned vector)
{
#ifdef PV_DIRECT
	return native_send_ipi_mask(apic_mask, vector);
#else
	return PV_SITE_CALL2(apic, send_ipi_mask, apic_mask, vector);
#endif
}

/*
 * Flush every TLB entry on each other CPU whose APIC ID is a set bit of
 * apic_mask, done when it returns: how many CPUs did, or a negative
 * -HV_E*. Natively an SMP call (smp.c: the boot CPU only); on the
 * hypervisor one hypercall.
 */
static inline long pv_flush_tlb_others(uint64_t apic_mask)
{
#ifdef PV_DIRECT
	return native_flush_tlb_others(apic_mask);
#else
	return PV_SITE_CALL1(mmu, flush_tlb_others, apic_mask);
#endif
}

#endif
