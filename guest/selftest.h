/*
 * selftest.h - what a self-test file needs: how a test says it failed or
 * skipped, and PROBE, which runs one instruction expecting an exception.
 *
 * Tests live in selftest.c (the pv ops, exceptions, memory), hostile.c
 * (a guest attacking the hypervisor's rules) and lapic_test.c (the local
 * APIC as the SDM defines it); selftest_run() runs them.
 * Environment: guest kernel.
 */
/* SPDX-License-Identifier: MIT */
#ifndef GUEST_SELFTEST_H
#define GUEST_SELFTEST_H

#include "lib.h"
#include "trap.h"

/* Why the running test failed or was skipped. */
extern char selftest_why[160];

/* A test returns 0 (passed), -1 (failed, selftest_why says why) or SKIPPED. */
#define SKIPPED 1
#define SKIP(...) do { snprintf(selftest_why, sizeof(selftest_why), __VA_ARGS__); \
		       return SKIPPED; } while (0)

#define CHECK(cond, ...)                                                \
	do {                                                            \
		if (!(cond)) {                                          \
			snprintf(selftest_why, sizeof(selftest_why), __VA_ARGS__); \
			return -1;                                      \
		}                                                       \
	} while (0)

/*
 * Run insn with trap_expect armed for vector; the handler resumes at the
 * label after it (faults) or after it by itself (traps: fixup 0).
 */
#define PROBE(vec, fixup, insn, ...)                                    \
	({                                                              \
		uint64_t at_;                                           \
		trap_expect.vector = (vec);                             \
		trap_expect.hit = 0;                                    \
		asm volatile("leaq 1f(%%rip), %%rax\n\t"                \
			     "movq %%rax, %[fx]\n\t"                    \
			     "leaq 0f(%%rip), %[at]\n\t"                \
			     "movl $1, %[armed]\n"                      \
			     "0:\t" insn "\n"                           \
			     "1:\n"                                     \
			     : [fx] "=m"(trap_expect.fixup_rip),        \
			       [at] "=&r"(at_),                         \
			       [armed] "=m"(trap_expect.armed)          \
			     : __VA_ARGS__                              \
			     : "rax", "rdx", "memory");                 \
		if (!(fixup))                                           \
			trap_expect.fixup_rip = 0;                      \
		at_;                                                    \
	})

/* Run code at ring 3 (or with other selectors) until it faults with
 * fault_vector, back in ring 0: the fault's RAX. */
uint64_t run_user(const uint8_t *code, unsigned len, uint64_t fault_vector);
uint64_t run_at_ring(const uint8_t *code, unsigned len, uint64_t fault_vector,
		     uint64_t cs, uint64_t ss);

/* 1 if the APIC timer counts; then wait_ticks(n) halts, interrupts on,
 * until n more ticks came, and returns with interrupts off. */
int timer_counts(void);
void wait_ticks(uint64_t n);

/* hostile.c */
int test_hostile_msr(void);
int test_hostile_xcr0(void);
int test_hostile_cr(void);
int test_hostile_dr7(void);
int test_hostile_fault_rf(void);
int test_hostile_ring1(void);
int test_hostile_idt_mmio(void);
int test_hostile_tf(void);
int test_hostile_init(void);
int test_hostile_init_other(void);
int test_hostile_sipi(void);
int test_hostile_nmi(void);
int test_hostile_smi(void);
int test_hostile_ipi(void);

/* lapic_test.c */
int test_lapic_xapic(void);
int test_lapic_timer(void);
int test_lapic_tpr(void);
int test_lapic_ipi(void);
int test_lapic_storm(void);
int test_lapic_x2apic(void);
int test_lapic_gp(void);

/* smp.c: across CPUs; skipped with one online */
int test_smp_ipi(void);
int test_smp_lock(void);
int test_smp_shootdown(void);

#endif
