/*
 * halt.c - the rule: can anything end this HLT? (halt.h)
 *
 * The machine the guest has: its CPUs, each with its virtual local APIC (apic.c), the
 * 8259s masked by the hypervisor and out of the guest's reach (their
 * ports are absent hardware to it, io.c), no I/O APIC or MSI the guest can
 * program (absent MMIO, no PCI configuration ports). So a maskable
 * interrupt can only come from the local APIC, or from the 8259s through
 * INTR when the APIC is off or LINT0 is open. NMIs, SMIs and INIT do not
 * count: nothing on this machine raises them for the guest, as the rule
 * for RFLAGS.IF = 0 has always assumed.
 *
 * Sources the rule cannot see into (the thermal sensor, the performance
 * counters, corrected machine checks, LINT1's pin) count as able to fire
 * whenever their LVT entry is open to a maskable interrupt; the view of the
 * virtual APIC shows them masked, as nothing drives them (halt_view.c).
 *
 * Environment: hypervisor, root mode; pure logic, also in the host tests.
 */
/* SPDX-License-Identifier: MIT */
#include "halt.h"
#include "lib.h"

#define WHY(...) snprintf(why, len, __VA_ARGS__)

/* The highest vector set in a 256-bit APIC register, or -1. */
static int highest_vector(const uint32_t r[8])
{
	int i, b;

	for (i = 7; i >= 0; i--)
		for (b = 31; b >= 0; b--)
			if (r[i] & (1u << b))
				return i * 32 + b;
	return -1;
}

/* An open LVT entry that delivers a maskable interrupt (11.5.1). */
static int lvt_maskable(uint32_t lvt)
{
	unsigned mode = HALT_LVT_DELIVERY(lvt);

	return !(lvt & HALT_LVT_MASKED) && (mode == HALT_LVT_FIXED || mode == HALT_LVT_EXTINT);
}

int halt_can_wake(const struct halt_view *h, char *why, size_t len)
{
	int irr = highest_vector(h->irr), isr = highest_vector(h->isr);
	unsigned ppr_class, tpr_class = (h->tpr >> 4) & 0xf;
	uint32_t t = h->lvt_timer;
	const char *timer;

	/* SDM vol. 3A, 6.8.1: with IF = 0 no maskable interrupt is taken. */
	if (!h->if_set)
		return WHY("interrupts disabled"), 0;

	/* 11.4.3: with the APIC off, LINT0 is INTR, fed by the 8259s. */
	if (!h->apic_on) {
		if (!h->pic_masked)
			return WHY("the 8259s are unmasked"), 1;
		return WHY("local APIC disabled (IA32_APIC_BASE[11]=0), 8259s masked"), 0;
	}

	/*
	 * 11.8.3.1: a pending vector is taken when its class (bits 7:4) is
	 * above PPR[7:4], the higher of TPR's class and the class of the
	 * highest vector in service. A halted CPU changes neither. Pending
	 * vectors are held, and taken, even with the APIC software-disabled
	 * (11.4.7.2).
	 */
	ppr_class = isr >= 0 && (unsigned)isr >> 4 > tpr_class ? (unsigned)isr >> 4 : tpr_class;
	if (irr >= 0 && (unsigned)irr >> 4 > ppr_class)
		return WHY("vector 0x%x is pending", irr), 1;

	/* 11.4.7.2: software-disabled, every LVT entry reads masked, and no
	 * new fixed interrupt is accepted. */
	if (!(h->svr & HALT_SVR_ENABLE))
		return WHY("local APIC software-disabled (SVR[8]=0), no interrupt pending"), 0;
	/* Another CPU of the guest's may send it an IPI: its watchdog is the
	 * judge of a machine that never wakes. */
	if (h->other_cpus)
		return WHY("another of the guest's CPUs may send it an IPI"), 1;

	/* 11.5.4: the timer, in its three modes (the fourth is reserved). */
	if (t & HALT_LVT_MASKED)
		timer = "APIC timer masked";
	else if (HALT_LVT_TIMER_MODE(t) == HALT_TIMER_ONESHOT && !h->timer_current)
		timer = "one-shot APIC timer run out";
	else if (HALT_LVT_TIMER_MODE(t) == HALT_TIMER_PERIODIC && !h->timer_initial)
		timer = "periodic APIC timer stopped";
	else if (HALT_LVT_TIMER_MODE(t) == HALT_TIMER_TSC_DEADLINE && !h->tsc_deadline)
		timer = "TSC-deadline timer disarmed";
	else
		return WHY("the APIC timer is running (LVT 0x%x, count %u of %u, deadline 0x%lx)",
			   t, h->timer_current, h->timer_initial, (unsigned long)h->tsc_deadline), 1;

	/* LINT0 is the 8259s' INTR in virtual-wire mode: open only if they are. */
	if (!(h->lvt_lint0 & HALT_LVT_MASKED) && !h->pic_masked)
		return WHY("LINT0 is open and the 8259s are unmasked"), 1;
	if (lvt_maskable(h->lvt_lint1))
		return WHY("LINT1 is open (LVT 0x%x)", h->lvt_lint1), 1;
	if (lvt_maskable(h->lvt_thermal))
		return WHY("the thermal sensor's LVT entry is open (0x%x)", h->lvt_thermal), 1;
	if (lvt_maskable(h->lvt_perf))
		return WHY("the performance counters' LVT entry is open (0x%x)", h->lvt_perf), 1;
	if (lvt_maskable(h->lvt_cmci))
		return WHY("the CMCI LVT entry is open (0x%x)", h->lvt_cmci), 1;
	/* The error entry fires on send and accept errors: a halted lone CPU has none. */
	return WHY("%s, no other LVT entry open, nothing pending, %s", timer,
		   h->pic_masked ? "8259s masked" : "LINT0 masked"), 0;
}
