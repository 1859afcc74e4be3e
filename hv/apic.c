/*
 * apic.c - the guest's local APIC on its vCPU: where the model (vlapic.c,
 * pure) meets VMX, and how interrupts reach the guest.
 *
 * The machine's local APIC is the hypervisor's. At boot every LVT entry
 * it has is masked (apic_host_init), and the guest never reaches it: the
 * EPT maps nothing at its page (an access there is an EPT violation that
 * mmio.c decodes and hands to the model), IA32_APIC_BASE, the x2APIC MSRs
 * and IA32_TSC_DEADLINE exit (msr.c), MOV to and from CR8 exit (cr.c),
 * and any interrupt of the machine's that comes while the guest runs exits
 * ("external-interrupt exiting", acknowledged on exit: SDM vol. 3C, 25.6.1,
 * 25.7.1) and is ended here, never delivered through the guest's IDT.
 *
 * The guest's APIC is struct vlapic in its vCPU. What it asks for reaches
 * the guest as an injected external interrupt (27.6), in the priority
 * order the model keeps, when the guest can take one: RFLAGS.IF set, no
 * blocking by STI or MOV SS (25.4.2), no event already being injected in
 * this entry. Otherwise "interrupt-window exiting" (25.6.2) brings the
 * guest back the moment it can. The vector moves from IRR to ISR when it
 * is injected, and only then, so none is lost or taken twice. Its timer
 * runs on the VMX-preemption timer (watchdog.c sets it for the nearest of
 * the watchdog's deadline and the guest's timer).
 *
 * PV EOI (the hypervisor backend's apic_eoi, as KVM's): when an injected
 * interrupt is the only work the APIC has (nothing else in IRR), the
 * hypervisor sets bit 0 of the shared page's pv_eoi word; the guest's EOI
 * then only clears it, with no exit, and the hypervisor retires the vector
 * at the next exit that looks at the APIC (apic_sync_pv_eoi).
 *
 * Environment: hypervisor, root mode: at boot (apic_host_init,
 * apic_init), then on VM exits.
 */
/* SPDX-License-Identifier: MIT */
#include "abi/hv_abi.h"
#include "hv.h"
#include "lib.h"
#include "vlapic.h"
#include "x86.h"

#define CPUID_1_ECX_X2APIC      BIT(21)
#define RFLAGS_IF               BIT(9)
#define INTR_BLOCK_STI_MOVSS    3ul     /* interruptibility bits 0, 1 (25.4.2) */

/* ---- the machine's local APIC: the hypervisor's --------------------------- */

static uint64_t host_base;              /* its page, identity-mapped (boot/entry64.asm) */
static int host_x2apic, host_enabled;
static uint32_t tsc_per_bus_tick = 1;   /* measured: guest TSC ticks per timer tick */

static uint32_t host_read(unsigned reg)
{
	if (host_x2apic)
		return (uint32_t)rdmsr(X2APIC_MSR(reg));
	return *(volatile uint32_t *)(host_base + reg);
}

static void host_write(unsigned reg, uint32_t val)
{
	if (host_x2apic)
		wrmsr(X2APIC_MSR(reg), val);
	else
		*(volatile uint32_t *)(host_base + reg) = val;
}

/*
 * TSC ticks per tick of the APIC timer at divide-by-1: the bus clock the
 * guest's timer counts in (11.5.4). Measured with the LVT masked (the
 * timer still counts, 11.5.1) over 2^20 TSC ticks; 1 when it cannot be.
 */
static uint32_t measure_bus_clock(void)
{
	uint64_t t0, t1, counted;
	uint32_t ccr;

	host_write(APIC_TIMER_DCR, 0xb);
	host_write(APIC_TIMER_ICR, 0xffffffffu);
	t0 = rdtsc();
	while ((t1 = rdtsc()) - t0 < (1u << 20))
		cpu_relax();
	ccr = host_read(APIC_TIMER_CCR);
	host_write(APIC_TIMER_ICR, 0);
	counted = 0xffffffffu - ccr;
	if (!counted)
		return 1;
	t1 = (t1 - t0 + counted / 2) / counted;
	return t1 ? (uint32_t)(t1 > 1000 ? 1000 : t1) : 1;
}

/* ICR delivery status: 1 while the IPI is sent (xAPIC only, 11.6.1). */
#define ICR_PENDING     BIT(12)
#define ICR_FIXED       0u

void apic_host_eoi(void)
{
	if (host_enabled)
		host_write(APIC_EOI, 0);
}

uint32_t apic_host_id(void)
{
	uint32_t a, b, c, d;

	if (host_x2apic)
		return (uint32_t)rdmsr(X2APIC_MSR(APIC_ID));
	cpuid(1, 0, &a, &b, &c, &d);
	return b >> 24;
}

/*
 * An IPI from this CPU's APIC (11.6.1): physical destination apic_id,
 * icr_lo the low half (vector, delivery mode, level). 0 once the APIC
 * has sent it, -1 when it is still pending after a while (xAPIC), or
 * when this machine's APIC is off.
 */
int apic_host_send(uint32_t apic_id, uint32_t icr_lo)
{
	unsigned polls;

	if (!host_enabled)
		return -1;
	if (host_x2apic) {              /* one write, no delivery status (11.12.9) */
		wrmsr(X2APIC_MSR(APIC_ICR_LO), (uint64_t)apic_id << 32 | icr_lo);
		return 0;
	}
	host_write(APIC_ICR_HI, apic_id << 24);
	host_write(APIC_ICR_LO, icr_lo);
	for (polls = 0; polls < 100000; polls++) {
		if (!(host_read(APIC_ICR_LO) & ICR_PENDING))
			return 0;
		cpu_relax();
	}
	return -1;
}

/* The hypervisor's IPI to another of its CPUs: an exit there (the guest
 * runs), or a wake-up from root mode's HLT (cpu.c). */
void apic_host_kick(uint32_t apic_id)
{
	apic_host_send(apic_id, ICR_FIXED | APIC_ICR_ASSERT | HV_KICK_VECTOR);
}

/*
 * This CPU's own timer, one-shot, to wake it from a wait in root mode
 * (smp.c) after at least tsc_ticks: HV_KICK_VECTOR, as a kick. Divide by
 * 1 (11.5.4); the longest wait is 2^32 bus ticks, after which the waiter
 * looks again.
 */
void apic_host_timer_arm(uint64_t tsc_ticks)
{
	uint64_t count = tsc_ticks / tsc_per_bus_tick + 1;

	if (!host_enabled)
		return;
	host_write(APIC_TIMER_DCR, 0xb);
	host_write(APIC_LVT_TIMER, HV_KICK_VECTOR);
	host_write(APIC_TIMER_ICR, count > 0xffffffffu ? 0xffffffffu : (uint32_t)count);
}

void apic_host_timer_stop(void)
{
	if (!host_enabled)
		return;
	host_write(APIC_TIMER_ICR, 0);
	host_write(APIC_LVT_TIMER, APIC_LVT_MASKED);
}

/* An AP's APIC as the boot CPU's: the same mode, every LVT entry masked,
 * software-enabled (after INIT it is not, 11.4.7.3) so that kicks reach it. */
void apic_host_init_ap(void)
{
	uint64_t base = rdmsr(MSR_IA32_APIC_BASE_NR);

	if (!host_enabled)
		return;
	if (host_x2apic && !(base & APIC_BASE_EXTD))
		wrmsr(MSR_IA32_APIC_BASE_NR, base | APIC_BASE_EN | APIC_BASE_EXTD);
	host_write(APIC_LVT_TIMER, APIC_LVT_MASKED);
	host_write(APIC_LVT_LINT0, APIC_LVT_MASKED);
	host_write(APIC_LVT_LINT1, APIC_LVT_MASKED);
	host_write(APIC_LVT_ERROR, APIC_LVT_MASKED);
	host_write(APIC_TPR, 0);
	host_write(APIC_SVR, APIC_SVR_ENABLE | 0xff);
}

void apic_host_init(void)
{
	uint64_t base = rdmsr(MSR_IA32_APIC_BASE_NR);
	unsigned max_lvt;

	host_enabled = !!(base & APIC_BASE_EN);
	host_x2apic = host_enabled && (base & APIC_BASE_EXTD);
	host_base = base & APIC_BASE_ADDR_MASK & ((1ul << 52) - 1);
	if (!host_enabled) {
		kprintf("hv: apic: the machine's local APIC is disabled (IA32_APIC_BASE 0x%lx): "
			"nothing of the machine's interrupts the guest; its timer counts TSC ticks\n",
			base);
		return;
	}
	/* 11.4.8: VERSION[23:16] is the number of LVT entries less one. */
	max_lvt = (host_read(APIC_VERSION) >> 16) & 0xff;
	host_write(APIC_LVT_TIMER, APIC_LVT_MASKED);
	host_write(APIC_LVT_LINT0, APIC_LVT_MASKED);
	host_write(APIC_LVT_LINT1, APIC_LVT_MASKED);
	host_write(APIC_LVT_ERROR, APIC_LVT_MASKED);
	if (max_lvt >= 4)
		host_write(APIC_LVT_PMC, APIC_LVT_MASKED);
	if (max_lvt >= 5)
		host_write(APIC_LVT_THERMAL, APIC_LVT_MASKED);
	if (max_lvt >= 6)
		host_write(APIC_LVT_CMCI, APIC_LVT_MASKED);
	tsc_per_bus_tick = measure_bus_clock();
	host_write(APIC_TPR, 0);
	host_write(APIC_SVR, APIC_SVR_ENABLE | 0xff);      /* kicks reach it (smp.c) */
	kprintf("hv: apic: the machine's local APIC (%s at 0x%lx) is the hypervisor's, its "
		"%u LVT entries masked; the guest's is virtual, its timer ticking every %u TSC "
		"ticks at divide-by-1\n", host_x2apic ? "x2APIC" : "xAPIC", host_base,
		max_lvt + 1, tsc_per_bus_tick);
}

/* ---- the guest's virtual APIC ------------------------------------------------ */

/* The guest's TSC: the host's plus TSC_OFFSET (26.3, "RDTSC"). */
static uint64_t guest_tsc(uint64_t host_tsc)
{
	return host_tsc + vmread(TSC_OFFSET);
}

void apic_init(struct vcpu *v)
{
	uint32_t a, b, c, d, id;

	cpuid(1, 0, &a, &b, &c, &d);
	/* The guest's APIC has the machine's ID (CPUID.1:EBX[31:24], or the
	 * x2APIC ID where the firmware left x2APIC on) and its x2APIC. */
	id = host_x2apic ? (uint32_t)rdmsr(X2APIC_MSR(APIC_ID)) : b >> 24;
	vlapic_init(&v->apic, id, v->index == 0, tsc_per_bus_tick, !!(c & CPUID_1_ECX_X2APIC),
		    v->maxphyaddr);
}

/* The model's verdict on an access: 0 done, 1 faulted or stopped. */
static int apic_status(struct vcpu *v, enum vlapic_status s)
{
	vcpu_request_events(v);                  /* what it changed is delivered */
	if (v->apic.out_mask)
		smp_carry_ipi(v);               /* an IPI to other vCPUs */
	switch (s) {
	case VLAPIC_OK:
	case VLAPIC_ABSENT:
		return 0;
	case VLAPIC_GP:
		vcpu_inject_gp(v);
		return 1;
	case VLAPIC_STOP:
	default:
		guest_kill(v, HV_STATUS_GUEST_FAULT, "local APIC: %s, at rip 0x%lx",
			   v->apic.stop_reason ? v->apic.stop_reason : "stopped", v->rip);
		return 1;
	}
}

/* ---- PV EOI ------------------------------------------------------------------- */

static struct hv_shared_page *shared_page(struct vcpu *v)
{
	if (!v->shared_page)
		return 0;
	return (struct hv_shared_page *)(guest_mem.base + v->shared_page_gpa);
}

static uint32_t *pv_eoi_word(struct vcpu *v)
{
	struct hv_shared_page *sp = shared_page(v);

	return sp ? &sp->pv_eoi : 0;
}

/* The guest asked for PV EOI (its backend sets the feature on the page). */
static int pv_eoi_wanted(struct vcpu *v)
{
	struct hv_shared_page *sp = shared_page(v);

	return sp && (__atomic_load_n(&sp->guest_features, __ATOMIC_RELAXED) &
		      HV_GUEST_PV_EOI);
}

/* An EOI the guest made by clearing the flag becomes the model's. */
static void apic_sync_pv_eoi(struct vcpu *v)
{
	uint32_t *w;

	if (!v->pv_eoi_armed)
		return;
	w = pv_eoi_word(v);
	if (w && (__atomic_load_n(w, __ATOMIC_RELAXED) & HV_PV_EOI_PENDING))
		return;
	v->pv_eoi_armed = 0;
	vlapic_eoi(&v->apic);
	v->apic_stats.pv_eoi++;
}

/* Take the flag back (the guest's next EOI must exit): unless it was
 * cleared already, in which case that EOI is done now. */
static void apic_disarm_pv_eoi(struct vcpu *v)
{
	uint32_t *w = pv_eoi_word(v);

	if (!v->pv_eoi_armed)
		return;
	if (w && (__atomic_fetch_and(w, ~HV_PV_EOI_PENDING, __ATOMIC_RELAXED) &
		  HV_PV_EOI_PENDING)) {
		v->pv_eoi_armed = 0;            /* still set: the guest had not EOI'd */
		return;
	}
	apic_sync_pv_eoi(v);
}

/* Before the shared page moves: an outstanding flag is settled. */
void apic_pv_eoi_flush(struct vcpu *v)
{
	apic_disarm_pv_eoi(v);
}

/* ---- the guest's accesses ------------------------------------------------------ */

int apic_mmio_gpa(const struct vcpu *v, uint64_t gpa)
{
	return vlapic_mode(&v->apic) == VLAPIC_XAPIC && (gpa & ~0xffful) == vlapic_page(&v->apic);
}

static int apic_mmio_read(struct vcpu *v, uint64_t gpa, unsigned size, uint64_t *val)
{
	uint32_t x = ~0u;
	enum vlapic_status s;

	apic_sync_pv_eoi(v);
	s = vlapic_mmio_read(&v->apic, (uint32_t)(gpa & 0xfff), size, &x,
			     guest_tsc(rdtsc()));
	*val = s == VLAPIC_ABSENT ? ~0ul : x;
	v->apic_stats.mmio++;
	return apic_status(v, s);
}

static int apic_mmio_write(struct vcpu *v, uint64_t gpa, unsigned size, uint64_t val)
{
	apic_sync_pv_eoi(v);
	v->apic_stats.mmio++;
	return apic_status(v, vlapic_mmio_write(&v->apic, (uint32_t)(gpa & 0xfff), size,
						(uint32_t)val, guest_tsc(rdtsc())));
}

const struct mmio_device apic_mmio = { "local APIC", apic_mmio_read, apic_mmio_write };

/* IA32_APIC_BASE, the x2APIC MSRs and IA32_TSC_DEADLINE (msr.c's table). */
int apic_msr(struct vcpu *v, uint32_t msr, int write, uint64_t *val)
{
	uint64_t now = guest_tsc(rdtsc());
	enum vlapic_status s;

	apic_sync_pv_eoi(v);
	v->apic_stats.msr++;
	if (msr == MSR_IA32_APIC_BASE_NR) {
		if (!write) {
			*val = v->apic.base;
			return 0;
		}
		int was_on = vlapic_mode(&v->apic) != VLAPIC_DISABLED;

		s = vlapic_set_base(&v->apic, *val);
		if (s == VLAPIC_OK && vlapic_mode(&v->apic) == VLAPIC_DISABLED)
			apic_disarm_pv_eoi(v);  /* the registers are gone */
		if (was_on != (vlapic_mode(&v->apic) != VLAPIC_DISABLED))
			cpuid_guest_state_changed(v);   /* CPUID.1:EDX.APIC */
		/*
		 * An xAPIC page outside the MMIO window would lie over the
		 * guest's RAM or past 4 GiB, where this EPT has no hole for it:
		 * not supported, said so (the SDM allows it, 11.4.5).
		 */
		if (s == VLAPIC_OK && vlapic_mode(&v->apic) == VLAPIC_XAPIC &&
		    !mmio_absent_gpa(vlapic_page(&v->apic))) {
			guest_kill(v, HV_STATUS_GUEST_FAULT, "local APIC: the guest moved its xAPIC "
				   "page to 0x%lx, outside [0x%lx, 4 GiB) (not supported), at rip "
				   "0x%lx", vlapic_page(&v->apic), HV_MMIO_WINDOW, v->rip);
			return 0;
		}
	} else if (write) {
		s = vlapic_msr_write(&v->apic, msr, *val, now);
	} else {
		s = vlapic_msr_read(&v->apic, msr, val, now);
	}
	/* A #GP goes back to msr.c, which injects it. */
	if (s == VLAPIC_GP) {
		vcpu_request_events(v);
		return 1;
	}
	apic_status(v, s);
	return 0;
}

/* MOV to/from CR8 (cr.c): the model's rule (vlapic_cr8_write). */
void apic_cr8_write(struct vcpu *v, uint64_t val)
{
	apic_sync_pv_eoi(v);
	if (!apic_status(v, vlapic_cr8_write(&v->apic, val)))
		vcpu_skip_insn(v);
}

uint64_t apic_cr8_read(struct vcpu *v)
{
	return vlapic_cr8_read(&v->apic);
}

/* The hypercalls of the hypervisor backend (hypercall.c). */
int64_t apic_hc_eoi(struct vcpu *v)
{
	apic_sync_pv_eoi(v);
	v->apic_stats.hc_eoi++;
	/* As the EOI register, in either mode; retiring a vector may let a
	 * pending one through, retiring none changes nothing. */
	if (vlapic_eoi(&v->apic) != VLAPIC_NONE)
		vcpu_request_events(v);
	return 0;
}

int64_t apic_hc_timer_arm(struct vcpu *v)
{
	apic_sync_pv_eoi(v);
	v->apic_stats.hc_timer++;
	if (v->regs.rdi > 0xffffffffu)
		return -HV_EINVAL;
	vcpu_request_events(v);
	/* As writing the initial-count register; with the APIC disabled it
	 * is not there, and the call does nothing (as that write would). */
	if (vlapic_mode(&v->apic) != VLAPIC_DISABLED)
		vlapic_timer_arm(&v->apic, (uint32_t)v->regs.rdi, guest_tsc(rdtsc()));
	return 0;
}

/* ---- delivery -------------------------------------------------------------------- */

static void set_interrupt_window(struct vcpu *v, int on)
{
	uint32_t proc = on ? v->proc_ctl | CPU_INTERRUPT_WINDOW_EXITING :
			     v->proc_ctl & ~(uint32_t)CPU_INTERRUPT_WINDOW_EXITING;

	if (proc != v->proc_ctl) {
		v->proc_ctl = proc;
		vmcs_write(CPU_BASED_VM_EXEC_CONTROL, proc);
	}
}

/*
 * Can an external interrupt be injected at this entry (27.6, 26.3.1.5)?
 * IF set, no STI or MOV SS blocking, nothing injected already.
 */
static int can_inject(void)
{
	return (vmread(GUEST_RFLAGS) & RFLAGS_IF) &&
	       !(vmread(GUEST_INTERRUPTIBILITY) & INTR_BLOCK_STI_MOVSS) &&
	       !(vmread(VM_ENTRY_INTR_INFO) & INTR_INFO_VALID);
}

/*
 * The end of an exit that asked for it (vcpu_request_events), or the
 * guest's timer due: deliver what the guest's APIC has. Returns the
 * host TSC at which its timer next needs this, or UINT64_MAX.
 */
uint64_t apic_deliver(struct vcpu *v, uint64_t now)
{
	struct vlapic *vl = &v->apic;
	uint64_t g_now = guest_tsc(now), due;
	int64_t offset;
	int vec;

	apic_sync_pv_eoi(v);
	if (vlapic_timer_next_deadline(vl) <= g_now)
		v->apic_stats.timer += vlapic_timer_expire(vl, g_now);
	vec = vlapic_highest_deliverable(vl);
	if (vec == VLAPIC_NONE) {
		set_interrupt_window(v, 0);
	} else if (!can_inject()) {
		set_interrupt_window(v, 1);     /* back when the guest can take it */
	} else {
		vec = vlapic_ack(vl, (unsigned)vec);
		vmcs_write(VM_ENTRY_INTR_INFO, INTR_INFO_VALID | INTR_TYPE_EXT_INTERRUPT | (uint32_t)vec);
		if (vmread(GUEST_ACTIVITY_STATE) == ACTIVITY_HLT)
			vmcs_write(GUEST_ACTIVITY_STATE, ACTIVITY_ACTIVE);   /* it wakes */
		v->apic_stats.injected++;
		/* Another vector waiting for a window, or for this one's EOI. */
		set_interrupt_window(v, vlapic_highest_deliverable(vl) != VLAPIC_NONE);
		/* PV EOI when the EOI has nothing else to unblock. */
		if (pv_eoi_wanted(v) && !vlapic_irr_pending(vl) &&
		    !vlapic_vector_level(vl, (unsigned)vec)) {
			__atomic_or_fetch(pv_eoi_word(v), HV_PV_EOI_PENDING, __ATOMIC_RELAXED);
			v->pv_eoi_armed = 1;
		}
	}
	/* A vector waiting in IRR needs the guest's EOI to exit. */
	if (vlapic_irr_pending(vl))
		apic_disarm_pv_eoi(v);

	due = vlapic_timer_event_deadline(vl);
	if (due == VLAPIC_NO_DEADLINE)
		return UINT64_MAX;
	/* Host TSC = guest TSC - TSC_OFFSET (a signed addend, 26.3): a
	 * deadline the offset puts before 0 is due now, one past 2^64 never.
	 * (Read again here rather than kept from guest_tsc: only a timer
	 * that needs an event gets this far.) */
	offset = (int64_t)vmread(TSC_OFFSET);
	if (offset > 0 && due < (uint64_t)offset)
		return now;
	if (offset < 0 && due > UINT64_MAX - 1 - (uint64_t)-offset)
		return UINT64_MAX - 1;
	return due - (uint64_t)offset;
}

/* An interrupt of the machine's came while the guest ran (acknowledged on
 * exit, 28.2.2): end it at the machine's APIC; it is not the guest's. The
 * hypervisor's own kick (smp.c) only makes this exit look at its events. */
void external_interrupt_exit(struct vcpu *v)
{
	uint32_t info = (uint32_t)vmread(VM_EXIT_INTR_INFO);

	if (!(info & INTR_INFO_VALID)) {
		v->apic_stats.host_interrupts++;
		guest_kill(v, HV_STATUS_GUEST_FAULT, "an interrupt of the machine's came and "
			   "could not be acknowledged (no \"acknowledge interrupt on exit\")");
		return;
	}
	if (INTR_INFO_VECTOR(info) == HV_KICK_VECTOR) {
		v->apic_stats.kicks++;
	} else if (++v->apic_stats.host_interrupts == 1) {
		kprintf("hv: apic: the machine's interrupt vector 0x%x came while the guest "
			"ran: ended, not delivered (counted)\n", INTR_INFO_VECTOR(info));
	}
	apic_host_eoi();
	vcpu_request_events(v);                 /* a kick: smp_events looks */
}

void interrupt_window_exit(struct vcpu *v)
{
	(void)v;
	vcpu_request_events(v);
}

/* The APIC's counts, summed over the vCPUs; the last drop's reason is
 * the last vCPU's that dropped one. */
void apic_stats_print(struct vcpu *const vcpus[], unsigned n)
{
	const struct vlapic *vl = &vcpus[0]->apic;
	struct apic_stats t = { 0 };
	const char *drop = NULL;
	uint64_t sent = 0, dropped = 0;
	unsigned i;

	for (i = 0; i < n; i++) {
		const struct apic_stats *s = &vcpus[i]->apic_stats;

		t.injected += s->injected;
		t.timer += s->timer;
		t.mmio += s->mmio;
		t.msr += s->msr;
		t.hc_eoi += s->hc_eoi;
		t.hc_timer += s->hc_timer;
		t.pv_eoi += s->pv_eoi;
		t.host_interrupts += s->host_interrupts;
		t.kicks += s->kicks;
		sent += vcpus[i]->apic.ipi_delivered;
		dropped += vcpus[i]->apic.ipi_dropped;
		if (vcpus[i]->apic.ipi_dropped)
			drop = vcpus[i]->apic.last_drop_reason;
	}
	kprintf("hv: stats: apic mode=%s injected=%lu timer=%lu mmio=%lu msr=%lu hc_eoi=%lu "
		"hc_timer=%lu pv_eoi=%lu ipi_sent=%lu ipi_dropped=%lu host_interrupts=%lu "
		"kicks=%lu\n",
		vlapic_mode(vl) == VLAPIC_X2APIC ? "x2apic" :
		vlapic_mode(vl) == VLAPIC_XAPIC ? "xapic" : "disabled",
		t.injected, t.timer, t.mmio, t.msr, t.hc_eoi, t.hc_timer, t.pv_eoi, sent, dropped,
		t.host_interrupts, t.kicks);
	if (drop)
		kprintf("hv: stats: apic last dropped IPI: %s\n", drop);
}
