/*
 * halt_view.c - at a guest's halt, read what could wake it (halt.h) and
 * stop the guest at once when nothing can.
 *
 * What could wake it is the guest's virtual local APIC (apic.c): the view
 * is read from the model. Of its interrupt sources only the timer and the
 * guest's own IPIs can ever fire; nothing drives LINT0, LINT1, the thermal
 * sensor's or the performance counters' entries in this machine (the 8259s
 * are the hypervisor's, masked at boot, their ports out of the guest's
 * reach, io.c), so the view shows those entries masked, whatever the
 * guest wrote there.
 *
 * Environment: hypervisor, root mode, at a HLT exit, a halt hypercall, or a
 * wait hypercall no other vCPU can end (smp.c).
 */
/* SPDX-License-Identifier: MIT */
#include "halt.h"
#include "hv.h"
#include "lib.h"
#include "x86.h"

static void halt_view_read(const struct vcpu *v, struct halt_view *h)
{
	const struct vlapic *vl = &v->apic;

	memset(h, 0, sizeof(*h));
	h->if_set = !!(vmread(GUEST_RFLAGS) & BIT(9));
	h->pic_masked = 1;
	h->other_cpus = smp_others_run(v);
	h->apic_on = vlapic_mode(vl) != VLAPIC_DISABLED;
	h->svr = vl->svr;
	h->tpr = vl->tpr;
	memcpy(h->irr, vl->irr, sizeof(h->irr));
	memcpy(h->isr, vl->isr, sizeof(h->isr));
	h->lvt_timer = vl->lvt[VLAPIC_LVT_TIMER];
	h->lvt_lint0 = h->lvt_lint1 = h->lvt_perf = HALT_LVT_MASKED;
	h->lvt_thermal = h->lvt_cmci = HALT_LVT_MASKED;
	h->timer_initial = vl->timer_initial;
	h->timer_current = vl->timer_armed ? 1 : 0;     /* counting, or not */
	h->tsc_deadline = vl->tsc_deadline;
}

int vcpu_halt_stuck(struct vcpu *v)
{
	struct halt_view h;
	char why[120];

	halt_view_read(v, &h);
	if (halt_can_wake(&h, why, sizeof(why)))
		return 0;
	guest_kill(v, HV_STATUS_GUEST_FAULT, "guest halted with nothing to wake it (%s), at rip 0x%lx",
		   why, v->rip);
	return 1;
}
