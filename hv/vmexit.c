/*
 * vmexit.c - the VM-exit dispatch table and its handlers.
 *
 * vmexit_dispatch() reads the exit's facts once into the vCPU and calls the
 * handler its basic reason names in exit_handlers[] (one slot per reason
 * of exit_reasons.def; every reason not expected names unhandled_exit).
 * A handler either completes the guest's instruction (vcpu_skip_insn),
 * injects the fault a real CPU would raise, or stops the guest through
 * guest_kill(), which keeps the first reason: nothing the guest does takes
 * the hypervisor down.
 *
 * Environment: hypervisor, root mode, after every VM exit.
 */
/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include "abi/hv_abi.h"
#include "hv.h"
#include "lib.h"
#include "x86.h"

#define CPUID_1_ECX_HYPERVISOR  (1u << 31)
#define CR4_OSXSAVE             BIT(18)
#define RFLAGS_IF               BIT(9)

typedef void exit_handler_fn(struct vcpu *v);

#define EXIT_REASON(n, name, handler) static exit_handler_fn handler;
#include "exit_reasons.def"
#undef EXIT_REASON

/*
 * Indexed by basic exit reason (SDM vol. 3D, appendix C). A hole in the
 * numbering (35, 38, 42) stays NULL and is reported like unhandled_exit.
 */
static exit_handler_fn *const exit_handlers[EXIT_REASON_MAX] = {
#define EXIT_REASON(n, name, handler) [n] = handler,
#include "exit_reasons.def"
#undef EXIT_REASON
};

void guest_kill(struct vcpu *v, unsigned status, const char *fmt, ...)
{
	va_list ap;

	if (v->stopped)
		return;                 /* the first reason is the one kept */
	va_start(ap, fmt);
	vsnprintf(v->stop_reason, sizeof(v->stop_reason), fmt, ap);
	va_end(ap);
	v->stopped = 1;
	v->status = status;
	kprintf("hv: guest stopped: %s\n", v->stop_reason);
}

void guest_exit_request(struct vcpu *v, unsigned status, const char *how)
{
	if (v->stopped)
		return;
	snprintf(v->stop_reason, sizeof(v->stop_reason), "guest ended with status %u (%s)",
		 status, how);
	v->stopped = 1;
	v->guest_status = 1;
	v->status = status;
}

void vcpu_skip_insn(struct vcpu *v)
{
	/* 28.2.5: the exit's instruction length, for instruction exits. */
	uint64_t intr = vmread(GUEST_INTERRUPTIBILITY);

	vmwrite(GUEST_RIP, v->rip + v->insn_len);
	/* Skipping an instruction ends blocking by STI / MOV SS (25.4.2). */
	if (intr & 3)
		vmwrite(GUEST_INTERRUPTIBILITY, intr & ~3ul);
}

static void inject(uint32_t vector, int error_code)
{
	/* 27.6: event injection through the VM-entry interruption field. */
	vmwrite(VM_ENTRY_INTR_INFO, INTR_INFO_VALID | INTR_TYPE_HW_EXCEPTION | vector |
		(error_code >= 0 ? INTR_INFO_DELIVER_ERROR_CODE : 0));
	if (error_code >= 0)
		vmwrite(VM_ENTRY_EXCEPTION_ERROR_CODE, (uint32_t)error_code);
}

void vcpu_inject_gp(struct vcpu *v)
{
	(void)v;
	inject(13, 0);
}

static void inject_ud(void)
{
	inject(6, -1);
}

unsigned guest_cpl(void)
{
	/* The DPL of SS is the CPL (25.4.1). */
	return (unsigned)(vmread(GUEST_SS_AR) >> 5) & 3;
}

/* Register by its number in exit qualifications (table 28-3); NULL: RSP. */
uint64_t *vcpu_gpr(struct vcpu *v, unsigned n)
{
	struct guest_regs *r = &v->regs;
	uint64_t *const regs[16] = {
		&r->rax, &r->rcx, &r->rdx, &r->rbx, 0 /* rsp */, &r->rbp, &r->rsi, &r->rdi,
		&r->r8, &r->r9, &r->r10, &r->r11, &r->r12, &r->r13, &r->r14, &r->r15,
	};
	return regs[n & 15];
}

static uint64_t gpr_read(struct vcpu *v, unsigned n)
{
	return n == 4 ? vmread(GUEST_RSP) : *vcpu_gpr(v, n);
}

static void gpr_write(struct vcpu *v, unsigned n, uint64_t val)
{
	if (n == 4)
		vmwrite(GUEST_RSP, val);
	else
		*vcpu_gpr(v, n) = val;
}

static void unhandled_exit(struct vcpu *v)
{
	guest_kill(v, HV_STATUS_GUEST_FAULT,
		   "unhandled VM exit %u (%s), qualification 0x%lx, at rip 0x%lx",
		   v->exit_reason, exit_reason_name(v->exit_reason), v->qual, v->rip);
}

/* ---- CPUID: the host's, less VMX, plus our leaves (hv_abi.h) ------------ */
void cpuid_guest_view(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	r[0] = r[1] = r[2] = r[3] = 0;
	if (leaf == HV_ABI_CPUID_BASE) {
		r[0] = HV_ABI_CPUID_VERSION;
		r[1] = HV_ABI_SIGNATURE_EBX;
		r[2] = HV_ABI_SIGNATURE_ECX;
		r[3] = HV_ABI_SIGNATURE_EDX;
	} else if (leaf == HV_ABI_CPUID_VERSION) {
		r[0] = hv_abi_version;
	} else if (leaf >= HV_ABI_CPUID_BASE && leaf <= 0x4fffffffu) {
		/* unused hypervisor leaves read as zero */
	} else {
		cpuid(leaf, sub, &r[0], &r[1], &r[2], &r[3]);
		if (leaf == 1) {
			r[2] &= ~CPUID_1_ECX_VMX;       /* no nested VMX offered */
			r[2] |= CPUID_1_ECX_HYPERVISOR;
		}
	}
}

static void handle_cpuid(struct vcpu *v)
{
	uint32_t r[4];

	cpuid_guest_view((uint32_t)v->regs.rax, (uint32_t)v->regs.rcx, r);
	v->regs.rax = r[0];
	v->regs.rbx = r[1];
	v->regs.rcx = r[2];
	v->regs.rdx = r[3];
	vcpu_skip_insn(v);
}

/* ---- HLT: sleep in the guest until its next interrupt ------------------- */
/* Halt the guest until its next interrupt; the caller skips the instruction. */
void vcpu_halt(struct vcpu *v)
{
	if (vcpu_halt_stuck(v))         /* halt.c: nothing can wake it; stopped */
		return;
	/* 27.3.1.5 / 28.x: entering in the HLT activity state; the guest's
	 * next interrupt (its local APIC is its own) wakes it. */
	vmwrite(GUEST_ACTIVITY_STATE, ACTIVITY_HLT);
}

static void handle_hlt(struct vcpu *v)
{
	vcpu_skip_insn(v);
	vcpu_halt(v);
}

static void handle_invd(struct vcpu *v)
{
	/* INVD would drop dirty lines of the whole machine: WBINVD instead. */
	asm volatile("wbinvd" ::: "memory");
	vcpu_skip_insn(v);
}

/* ---- VMCALL: hypercall.c ---------------------------------------------- */
static void handle_vmcall(struct vcpu *v)
{
	hypercall_dispatch(v);
}

/* ---- CR accesses (28.2.1, table 28-3) ---------------------------------- */
static void write_cr0(struct vcpu *v, uint64_t val)
{
	const struct vmx_caps *c = v->caps;
	uint64_t fixed0 = c->cr0_fixed0 & ~(CR0_PE | CR0_PG);
	uint64_t old = v->cr0_shadow, efer = vmread(GUEST_IA32_EFER);
	uint64_t entry = vmread(VM_ENTRY_CONTROLS);

	if ((val >> 32) || ((val & CR0_PG) && !(val & CR0_PE))) {
		vcpu_inject_gp(v);
		return;
	}
	/* Paging turned on or off with EFER.LME: IA-32e mode follows
	 * (SDM vol. 3A, 10.8.5), and so must the entry control (27.3.1.1). */
	if ((val ^ old) & CR0_PG && (efer & EFER_LME)) {
		if (val & CR0_PG) {
			efer |= EFER_LMA;
			entry |= ENTRY_IA32E_MODE_GUEST;
		} else {
			efer &= ~EFER_LMA;
			entry &= ~(uint64_t)ENTRY_IA32E_MODE_GUEST;
		}
		vmwrite(GUEST_IA32_EFER, efer);
		vmwrite(VM_ENTRY_CONTROLS, entry);
	}
	v->cr0_shadow = val;
	vmwrite(CR0_READ_SHADOW, val);
	vmwrite(GUEST_CR0, (val | fixed0) & c->cr0_fixed1);
	vcpu_skip_insn(v);
}

static void write_cr4(struct vcpu *v, uint64_t val)
{
	const struct vmx_caps *c = v->caps;

	/* Bits VMX does not allow set (other than VMXE, ours) fault as reserved. */
	if (val & ~c->cr4_fixed1 || val & CR4_VMXE) {
		vcpu_inject_gp(v);
		return;
	}
	v->cr4_shadow = val;
	vmwrite(CR4_READ_SHADOW, val);
	vmwrite(GUEST_CR4, (val | c->cr4_fixed0) & c->cr4_fixed1);
	vcpu_skip_insn(v);
}

static void handle_cr_access(struct vcpu *v)
{
	unsigned cr = v->qual & 15, type = (v->qual >> 4) & 3, reg = (v->qual >> 8) & 15;

	switch (type) {
	case 0:                                 /* MOV to CR */
		if (cr == 0)
			write_cr0(v, gpr_read(v, reg));
		else if (cr == 4)
			write_cr4(v, gpr_read(v, reg));
		else if (cr == 3) {
			vmwrite(GUEST_CR3, gpr_read(v, reg));
			vcpu_skip_insn(v);
		} else
			unhandled_exit(v);
		return;
	case 1:                                 /* MOV from CR */
		if (cr == 3) {
			gpr_write(v, reg, vmread(GUEST_CR3));
			vcpu_skip_insn(v);
		} else
			unhandled_exit(v);
		return;
	case 2:                                 /* CLTS */
		write_cr0(v, v->cr0_shadow & ~BIT(3));
		return;
	case 3:                                 /* LMSW: bits 3:0 only, PE sticks */
		write_cr0(v, (v->cr0_shadow & ~0xeul) | ((v->qual >> 16) & 0xf) |
			  (v->cr0_shadow & CR0_PE));
		return;
	}
}

/* ---- Events the guest cannot survive ---------------------------------- */
static void handle_triple_fault(struct vcpu *v)
{
	guest_kill(v, HV_STATUS_GUEST_FAULT, "guest triple fault (shutdown) at rip 0x%lx",
		   v->rip);
}

static void handle_init(struct vcpu *v)
{
	guest_kill(v, HV_STATUS_GUEST_FAULT, "INIT signal: the guest's CPU was reset");
}

static void handle_sipi(struct vcpu *v)
{
	guest_kill(v, HV_STATUS_GUEST_FAULT, "SIPI vector 0x%lx to a single-CPU guest",
		   v->qual & 0xff);
}

static void handle_external_interrupt(struct vcpu *v)
{
	/* Not enabled (the guest owns its local APIC); if one comes, the
	 * interrupt is still pending and reaches the guest on entry. */
	(void)v;
}

static void handle_preemption_timer(struct vcpu *v)
{
	watchdog_timer_exit(v);                 /* watchdog.c */
}

static void handle_ept_violation(struct vcpu *v)
{
	uint64_t gpa = vmread(GUEST_PHYSICAL_ADDRESS);
	char access[8];
	unsigned n = 0;

	if (mmio_absent_gpa(gpa) && !(v->qual & EPT_QUAL_FETCH) && !mmio_absent_access(v))
		return;

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

static void handle_ept_misconfig(struct vcpu *v)
{
	guest_kill(v, HV_STATUS_GUEST_FAULT,
		   "EPT misconfiguration at guest-physical 0x%lx (a hypervisor bug)",
		   vmread(GUEST_PHYSICAL_ADDRESS));
}

/* ---- XSETBV (28.1.2): checked as the CPU would, then done ------------- */
static void handle_xsetbv(struct vcpu *v)
{
	uint64_t val = (v->regs.rdx << 32) | (uint32_t)v->regs.rax, cr4;
	uint32_t a, b, c, d;

	cpuid(0xd, 0, &a, &b, &c, &d);
	if ((uint32_t)v->regs.rcx != 0 || !(val & 1) || (val & ~(((uint64_t)d << 32) | a)) ||
	    ((val & 4) && !(val & 2))) {
		vcpu_inject_gp(v);
		return;
	}
	asm volatile("mov %%cr4, %0" : "=r"(cr4));
	if (!(cr4 & CR4_OSXSAVE)) {             /* XSETBV needs it in root mode too */
		cr4 |= CR4_OSXSAVE;
		asm volatile("mov %0, %%cr4" : : "r"(cr4));
		vmwrite(HOST_CR4, cr4);
	}
	asm volatile("xsetbv" : : "a"((uint32_t)val), "d"((uint32_t)(val >> 32)), "c"(0));
	vcpu_skip_insn(v);
}

/* VMX instructions in the guest: it was told there is no VMX. */
static void handle_vmx_insn(struct vcpu *v)
{
	(void)v;
	inject_ud();
}

static void handle_io(struct vcpu *v)
{
	io_exit(v);
}

static void handle_rdmsr(struct vcpu *v)
{
	msr_read(v);
}

static void handle_wrmsr(struct vcpu *v)
{
	msr_write(v);
}

void vmexit_dispatch(struct vcpu *v)
{
	uint32_t reason = (uint32_t)vmread(VM_EXIT_REASON);
	exit_handler_fn *h;

	v->exit_reason = reason & 0xffff;
	v->qual = vmread(EXIT_QUALIFICATION);
	v->rip = vmread(GUEST_RIP);
	v->insn_len = (uint32_t)vmread(VM_EXIT_INSTRUCTION_LEN);
	if (reason & EXIT_REASON_ENTRY_FAILURE) {
		vmcs_report_entry_failure(v, 0);
		return;
	}
	h = v->exit_reason < EXIT_REASON_MAX ? exit_handlers[v->exit_reason] : 0;
	(h ? h : unhandled_exit)(v);
}

int vmexit_handler(struct guest_regs *regs)
{
	struct vcpu *v = (struct vcpu *)regs;   /* regs is the vcpu's first member */

	if (regs->tsc_exit >= vcpu_slow_exit_tsc)       /* the first, or past the watchdog */
		vcpu_exit_slow(v);
	vmexit_dispatch(v);
	stats_count_exit(v);
	return v->stopped;
}
