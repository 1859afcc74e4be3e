/*
 * halt.h - can anything end a HLT? The rule (halt.c, pure) and the view of
 * the machine it judges (halt_view.c fills it from the guest's virtual
 * APIC at a halt).
 *
 * A guest that halts where nothing can wake it would sleep for ever, as a
 * real CPU would: the hypervisor stops it at once instead, with the
 * reason. The rule only says "nothing" when it is sure: every source it
 * cannot see into counts as one that may fire.
 *
 * Environment: hypervisor, root mode at a guest's halt; the rule is pure
 * logic, also in the host tests.
 */
/* SPDX-License-Identifier: MIT */
#ifndef HV_HALT_H
#define HV_HALT_H

#include <stddef.h>
#include <stdint.h>

/* LVT entries (11.5.1, figure 11-8). */
#define HALT_LVT_MASKED         (1u << 16)
#define HALT_LVT_DELIVERY(l)    (((l) >> 8) & 7)
#define HALT_LVT_FIXED          0
#define HALT_LVT_EXTINT         7
#define HALT_LVT_TIMER_MODE(l)  (((l) >> 17) & 3)
#define HALT_TIMER_ONESHOT      0
#define HALT_TIMER_PERIODIC     1
#define HALT_TIMER_TSC_DEADLINE 2
#define HALT_SVR_ENABLE         (1u << 8)

/* What a halt could be woken by, read from the machine at the halt. */
struct halt_view {
	int if_set;                     /* RFLAGS.IF */
	int apic_on;                    /* IA32_APIC_BASE[11]: the APIC is enabled */
	int pic_masked;                 /* both 8259s masked, out of the guest's reach */
	int other_cpus;                 /* another of the guest's CPUs runs: it may send IPIs */
	uint32_t svr, tpr;
	/* LVT entries; one the APIC does not have reads HALT_LVT_MASKED. */
	uint32_t lvt_timer, lvt_lint0, lvt_lint1;
	uint32_t lvt_perf, lvt_thermal, lvt_cmci;
	uint32_t timer_initial, timer_current;  /* TMICT, TMCCT */
	uint64_t tsc_deadline;          /* IA32_TSC_DEADLINE; 0: disarmed */
	uint32_t irr[8], isr[8];        /* bit n of word i: vector 32 * i + n */
};

/*
 * 1 when something may still end the halt, 0 when nothing can; either
 * way why says what decided it (one line, no end of line).
 */
int halt_can_wake(const struct halt_view *h, char *why, size_t len);

#endif
