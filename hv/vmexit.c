/*
 * vmexit.c - the VM-exit dispatch table and the handlers too small for a
 * file of their own.
 *
 * vmexit_dispatch() reads the exit's facts once into the vCPU and calls the
 * handler its basic reason names in exit_handlers[] (one slot per reason
 * of exit_reasons.def; every reason not expected names
 * vcpu_unhandled_exit). The hot exits take shorter ways, each chosen by
 * vmentry.asm: a cached CPUID is answered there without C; a VMCALL and
 * port I/O come to vmexit_hypercall() and vmexit_io(), vmexit_run's
 * steps for one reason with a frame of their own. The rules live with
 * their state: vcpu.c (the guest's CPU, injection, how a run ends),
 * cpuid.c, cr.c (CR0/CR3/CR4, XSETBV), msr.c (the MSR policy), io.c,
 * mmio.c, hypercall.c.
 *
 * Environment: hypervisor, root mode, after every VM exit.
 */
/* SPDX-License-Identifier: MIT */
#include "hv.h"
#include "hypercall.h"
#include "io.h"
#include "lib.h"
#include "x86.h"

typedef void exit_handler_fn(struct vcpu *v);

#define EXIT_REASON(n, name, handler) exit_handler_fn handler;
#include "exit_reasons.def"
#undef EXIT_REASON

/* Indexed by basic exit reason (SDM vol. 3D, appendix C); no entry NULL. */
static exit_handler_fn *const exit_handlers[EXIT_REASON_MAX] = {
#define EXIT_REASON(n, name, handler) [n] = handler,
#include "exit_reasons.def"
#undef EXIT_REASON
};

void vcpu_unhandled_exit(struct vcpu *v)
{
	guest_kill(v, HV_STATUS_GUEST_FAULT,
		   "unhandled VM exit %u (%s), qualification 0x%lx, at rip 0x%lx",
		   v->exit_reason, exit_reason_name(v->exit_reason), v->qual, v->rip);
}

/* ---- HLT: sleep in the guest until its next interrupt (vcpu_halt) ------ */
void hlt_exit(struct vcpu *v)
{
	vcpu_skip_insn(v);
	vcpu_halt(v);
}

void invd_exit(struct vcpu *v)
{
	/* INVD would drop dirty lines of the whole machine: WBINVD instead. */
	asm volatile("wbinvd" ::: "memory");
	vcpu_skip_insn(v);
}

/* ---- VMCALL: hypercall.c ---------------------------------------------- */
void vmcall_exit(struct vcpu *v)
{
	hypercall_dispatch(v);
}

/* ---- Events the guest cannot survive ---------------------------------- */
void triple_fault_exit(struct vcpu *v)
{
	guest_kill(v, HV_STATUS_GUEST_FAULT, "guest triple fault (shutdown) at rip 0x%lx",
		   v->rip);
}

void init_exit(struct vcpu *v)
{
	guest_kill(v, HV_STATUS_GUEST_FAULT, "INIT signal: the guest's CPU was reset");
}

void sipi_exit(struct vcpu *v)
{
	guest_kill(v, HV_STATUS_GUEST_FAULT, "SIPI vector 0x%lx to a single-CPU guest",
		   v->qual & 0xff);
}

/* The watchdog's deadline or the guest's timer: vcpu_events looks. */
void preemption_timer_exit(struct vcpu *v)
{
	vcpu_request_events(v);
}

/*
 * Of the exits this hypervisor handles, only an EPT violation can come in
 * the middle of delivering an event (28.2.4: IDT-vectoring information);
 * instruction exits never do, and the others that can (task switch, an
 * intercepted exception, APIC access) stop the guest as unhandled. Such an
 * EPT violation is never resumed: outside RAM it stops the guest, and in
 * MMIO too, absent or the guest's APIC page (mmio.c: the IDT, GDT, TSS or
 * stack is not RAM), so no event, an interrupt apic.c injected included,
 * is lost or delivered twice. A handler that one day resumes such
 * an exit re-injects the event with vcpu_reinject_vectoring().
 */
void ept_violation_exit(struct vcpu *v)
{
	uint64_t gpa = vmread(GUEST_PHYSICAL_ADDRESS);
	char access[8];
	unsigned n = 0;

	if (!(v->qual & EPT_QUAL_FETCH)) {
		if (apic_mmio_gpa(v, gpa)) {
			mmio_access(v, gpa, &apic_mmio);
			return;
		}
		if (mmio_absent_gpa(gpa)) {
			mmio_access(v, gpa, &mmio_absent);
			return;
		}
	}

	if (v->qual & EPT_QUAL_READ) access[n++] = 'r';
	if (v->qual & EPT_QUAL_WRITE) access[n++] = 'w';
	if (v->qual & EPT_QUAL_FETCH) access[n++] = 'x';
	access[n] = 0;
	if (v->qual & EPT_QUAL_GLA_VALID)
		guest_kill(v, HV_STATUS_GUEST_FAULT,
			   "EPT violation: guest-physical 0x%lx (linear 0x%lx) access '%s' "
			   "outside the guest's memory, at rip 0x%lx",
			   gpa, vmread(GUEST_LINEAR_ADDRESS), access, v->rip);
	else
		guest_kill(v, HV_STATUS_GUEST_FAULT,
			   "EPT violation: guest-physical 0x%lx access '%s' outside the "
			   "guest's memory, at rip 0x%lx", gpa, access, v->rip);
}

void ept_misconfig_exit(struct vcpu *v)
{
	guest_kill(v, HV_STATUS_GUEST_FAULT,
		   "EPT misconfiguration at guest-physical 0x%lx (a hypervisor bug)",
		   vmread(GUEST_PHYSICAL_ADDRESS));
}

/* VMX instructions in the guest: it was told there is no VMX. */
void vmx_insn_exit(struct vcpu *v)
{
	vcpu_inject_ud(v);
}

/* The exit's facts every handler may read, read once. */
static inline __attribute__((always_inline)) void vmexit_facts(struct vcpu *v, uint32_t reason)
{
	v->exit_reason = reason & 0xffff;
	v->stat_slot = reason % STAT_REASON_SLOTS;
	v->rip = vmread(GUEST_RIP);
	v->rflags = vmread(GUEST_RFLAGS);
	v->insn_len = (uint32_t)vmread(VM_EXIT_INSTRUCTION_LEN);
}

static inline __attribute__((always_inline)) void vmexit_dispatch(struct vcpu *v, uint32_t reason)
{
	exit_handler_fn *h;

	vmexit_facts(v, reason);
	/* The hot ones (a hypercall has no qualification): the same handlers
	 * the table names, without the lookup. */
	if (reason == EXIT_REASON_VMCALL) {
		hypercall_dispatch(v);
		return;
	}
	v->qual = vmread(EXIT_QUALIFICATION);
	if (reason == EXIT_REASON_IO_INSTRUCTION) {
		io_exit_inline(v);
		return;
	}
	if (reason & EXIT_REASON_ENTRY_FAILURE) {
		vmcs_report_entry_failure(v, 0);
		return;
	}
	h = v->exit_reason < EXIT_REASON_MAX ? exit_handlers[v->exit_reason] : vcpu_unhandled_exit;
	h(v);
}

/*
 * The slow end of an exit: the watchdog's deadline passed, the guest's
 * timer is due, or the exit changed what its APIC has to deliver. Then
 * the preemption timer is set for the nearest next deadline; a halted
 * guest on a CPU without one is waited for here.
 */
static void vcpu_events_pass(struct vcpu *v, uint64_t now)
{
	uint64_t next;

	for (;;) {
		if (now >= watchdog_deadline_tsc) {
			watchdog_expired(v);
			return;
		}
		if (v->stopped)
			return;
		next = apic_deliver(v, now);
		next = next < watchdog_deadline_tsc ? next : watchdog_deadline_tsc;
		v->event_tsc = next;
		if (preemption_timer_set(next, now) ||
		    vmread(GUEST_ACTIVITY_STATE) != ACTIVITY_HLT || next == UINT64_MAX)
			return;
		while ((now = rdtsc()) < next)  /* no timer: wait in root mode */
			cpu_relax();
	}
}

/* Out of the hot path; its time is the exit's root-mode time too. */
__attribute__((noinline, cold)) void vcpu_events(struct vcpu *v, uint64_t now)
{
	if (__builtin_expect(smp_events_pending(v), 0))
		smp_events(v);          /* what other vCPUs handed this one */
	vcpu_events_pass(v, now);
	smp_events_done(v);
	stats_add_root_tsc(v, rdtsc() - now);
}

/*
 * The exits whose handlers read and write no register but the ones
 * vmentry.asm stores on every exit (RAX-RDX, RSI, RDI, R8-R11): bit n for
 * basic reason n. Every other reason gets all the registers first: MOV CR
 * names any of them, an MMIO access is decoded, and the rest are rare.
 */
#define EXIT_PARTIAL_FRAME                                                   \
	(BIT(EXIT_REASON_EXTERNAL_INTERRUPT) | BIT(EXIT_REASON_INTERRUPT_WINDOW) | \
	 BIT(EXIT_REASON_CPUID) | BIT(EXIT_REASON_HLT) | BIT(EXIT_REASON_INVD) |  \
	 BIT(EXIT_REASON_VMCALL) | BIT(EXIT_REASON_IO_INSTRUCTION) |              \
	 BIT(EXIT_REASON_RDMSR) | BIT(EXIT_REASON_WRMSR) |                        \
	 BIT(EXIT_REASON_PREEMPTION_TIMER) | BIT(EXIT_REASON_WBINVD) |            \
	 BIT(EXIT_REASON_XSETBV))

static inline __attribute__((always_inline)) int vmexit_run(struct vcpu *v, uint32_t reason)
{
	uint64_t now;

	stats_exit_begins(v);
	vcpu_xcr0_to_host(v);
	vmexit_dispatch(v, reason);
	/* One test with the TSC the statistics read (event_tsc): the
	 * watchdog's (an exit storm spends its time here, where the timer
	 * does not run), the guest's timer, an APIC that has work. */
	if (__builtin_expect((now = stats_count_exit(v)) >= v->event_tsc, 0))
		vcpu_events(v, now);
	if (__builtin_expect(v->xcr0_differs, 0) && !v->stopped)
		vcpu_xcr0_to_guest(v);          /* the usual case first: equal */
	_Static_assert(VMEXIT_STOP == 1 && VMEXIT_RESUME == 0, "stopped is 0 or 1");
	return v->stopped;
}

/*
 * The two hot exits, each called by vmentry.asm for its reason with a
 * frame of its own: vmexit_run's steps for that one reason (make bench
 * holds their round trips against KVM's). Neither switches XCR0 nor times
 * the exit: with either to do (exit_slow) they go vmexit_run's way.
 */
static inline __attribute__((always_inline)) int vmexit_hot_done(struct vcpu *v)
{
	uint64_t now = rdtsc();

	v->stats.count[v->stat_slot]++;         /* stats_count_exit, untimed */
	if (__builtin_expect(now >= v->event_tsc, 0))
		vcpu_events(v, now);
	return v->stopped;
}

int vmexit_hypercall(struct guest_regs *regs)
{
	struct vcpu *v = (struct vcpu *)regs;

	if (__builtin_expect(v->exit_slow, 0))
		return vmexit_run(v, EXIT_REASON_VMCALL);
	vmexit_facts(v, EXIT_REASON_VMCALL);
	hypercall_dispatch(v);
	return vmexit_hot_done(v);
}

int vmexit_io(struct guest_regs *regs)
{
	struct vcpu *v = (struct vcpu *)regs;

	if (__builtin_expect(v->exit_slow, 0))
		return vmexit_run(v, EXIT_REASON_IO_INSTRUCTION);
	vmexit_facts(v, EXIT_REASON_IO_INSTRUCTION);
	v->qual = vmread(EXIT_QUALIFICATION);
	io_exit_inline(v);
	return vmexit_hot_done(v);
}

int vmexit_handler(struct guest_regs *regs, uint32_t reason)
{
	struct vcpu *v = (struct vcpu *)regs;   /* regs is the vcpu's first member */

	if (__builtin_expect(reason >= 64 || !(EXIT_PARTIAL_FRAME & BIT(reason)), 0))
		return VMEXIT_ALL_REGS;
	if (reason >= 64)
		__builtin_unreachable();        /* a basic reason, no flag bits */
	return vmexit_run(v, reason);
}

int vmexit_handler_all_regs(struct guest_regs *regs)
{
	struct vcpu *v = (struct vcpu *)regs;
	int r;

	v->all_regs = 1;
	r = vmexit_run(v, (uint32_t)vmread(VM_EXIT_REASON));
	v->all_regs = 0;
	return r;
}
