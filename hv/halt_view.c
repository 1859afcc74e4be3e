/*
 * halt_view.c - at a guest's halt, read what could wake it (halt.h) and
 * stop the guest at once when nothing can.
 *
 * The local APIC is the guest's own (passed through: main.c maps it into
 * the EPT), so the hypervisor reads the real registers: through MMIO at
 * IA32_APIC_BASE (identity-mapped, boot/entry64.asm), or as MSRs
 * 0x800 + offset/16 in x2APIC mode (SDM vol. 3A, 11.12.1). Reads have no
 * side effects on these registers. The 8259s are the hypervisor's, masked
 * at boot (main.c), and the guest cannot reach their ports (io.c).
 *
 * Environment: hypervisor, root mode, at a HLT exit or a halt hypercall.
 */
/* SPDX-License-Identifier: MIT */
#include "halt.h"
#include "hv.h"
#include "lib.h"
#include "x86.h"

#define APIC_BASE_X2APIC        BIT(10)
#define MSR_X2APIC_BASE         0x800
#define MSR_IA32_TSC_DEADLINE   0x6e0
#define CPUID_1_ECX_TSC_DEADLINE BIT(24)

static uint64_t apic_base;

static uint32_t apic_read(unsigned reg)
{
	if (apic_base & APIC_BASE_X2APIC)
		return (uint32_t)rdmsr(MSR_X2APIC_BASE + (reg >> 4));
	return *(volatile uint32_t *)((apic_base & ~0xffful & ((1ul << 52) - 1)) + reg);
}

static void halt_view_read(struct halt_view *h)
{
	uint32_t a, b, c, d, max_lvt;
	unsigned i;

	memset(h, 0, sizeof(*h));
	h->if_set = !!(vmread(GUEST_RFLAGS) & BIT(9));
	h->pic_masked = 1;
	apic_base = rdmsr(MSR_IA32_APIC_BASE);
	h->apic_on = !!(apic_base & APIC_BASE_ENABLE);
	if (!h->if_set || !h->apic_on)
		return;
	h->svr = apic_read(HALT_APIC_SVR);
	h->tpr = apic_read(HALT_APIC_TPR);
	for (i = 0; i < 8; i++) {
		h->irr[i] = apic_read(HALT_APIC_IRR + 0x10 * i);
		h->isr[i] = apic_read(HALT_APIC_ISR + 0x10 * i);
	}
	h->lvt_timer = apic_read(HALT_APIC_LVT_TIMER);
	h->lvt_lint0 = apic_read(HALT_APIC_LVT_LINT0);
	h->lvt_lint1 = apic_read(HALT_APIC_LVT_LINT1);
	/* 11.4.8: VERSION[23:16] is the number of LVT entries less one: 4 has
	 * the performance counters' entry, 5 the thermal one too, 6 CMCI too. */
	max_lvt = (apic_read(HALT_APIC_VERSION) >> 16) & 0xff;
	h->lvt_perf = max_lvt >= 4 ? apic_read(HALT_APIC_LVT_PERF) : HALT_LVT_MASKED;
	h->lvt_thermal = max_lvt >= 5 ? apic_read(HALT_APIC_LVT_THERMAL) : HALT_LVT_MASKED;
	h->lvt_cmci = max_lvt >= 6 ? apic_read(HALT_APIC_LVT_CMCI) : HALT_LVT_MASKED;
	h->timer_initial = apic_read(HALT_APIC_TMICT);
	h->timer_current = apic_read(HALT_APIC_TMCCT);
	cpuid(1, 0, &a, &b, &c, &d);
	if (HALT_LVT_TIMER_MODE(h->lvt_timer) == HALT_TIMER_TSC_DEADLINE &&
	    (c & CPUID_1_ECX_TSC_DEADLINE))
		h->tsc_deadline = rdmsr(MSR_IA32_TSC_DEADLINE);
}

int vcpu_halt_stuck(struct vcpu *v)
{
	struct halt_view h;
	char why[120];

	halt_view_read(&h);
	if (halt_can_wake(&h, why, sizeof(why)))
		return 0;
	guest_kill(v, HV_STATUS_GUEST_FAULT, "guest halted with nothing to wake it (%s), at rip 0x%lx",
		   why, v->rip);
	return 1;
}
