/*
 * vcpu.c - the guest's CPU as exit handlers see it: its registers and
 * privilege level, the instruction an exit stopped on, the events the
 * hypervisor injects or re-injects, and how a run ends.
 *
 * Every handler completes the guest's instruction (vcpu_skip_insn),
 * injects what a real CPU would raise (vcpu_inject_fault), or stops the
 * guest through guest_kill(), which keeps the first reason: nothing the
 * guest does takes the hypervisor down.
 *
 * Environment: hypervisor, root mode, after a VM exit; the rules marked
 * pure are also built into the host tests (with a VMCS stand-in).
 */
/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include "hv.h"
#include "lib.h"
#include "x86.h"

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
	smp_stop_all(v);                /* the whole machine stops (smp.c) */
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
	smp_stop_all(v);
}

/*
 * vcpu_complete_insn's rare half (hv.h): the instruction was in an STI or
 * MOV SS shadow, or RFLAGS.TF is set. intr: the interruptibility state.
 */
void vcpu_complete_insn_slow(struct vcpu *v, uint64_t intr)
{
	/* Completing an instruction ends blocking by STI / MOV SS (25.4.2). */
	if (intr & 3)
		vmcs_write(GUEST_INTERRUPTIBILITY, intr & ~3ul);
	/*
	 * With RFLAGS.TF set the instruction the hypervisor completed ends in
	 * a single-step #DB, as the CPU's own would: pending as DR6.BS, the
	 * CPU delivers it right after the entry (27.7.3).
	 */
	if (__builtin_expect(v->rflags & RFLAGS_TF, 0))
		vmcs_write(GUEST_PENDING_DBG_EXCEPTIONS,
			   vmread(GUEST_PENDING_DBG_EXCEPTIONS) | PENDING_DBG_BS);
}

/*
 * Pure: is this exception vector a fault (SDM vol. 3A, 6.5, table 6-1)?
 * Traps (#BP, #OF) and aborts (#DF, #MC) are not; #DB is a fault or a trap
 * by its cause, and the hypervisor injects none.
 */
int vcpu_vector_is_fault(unsigned vector)
{
	switch (vector) {
	case 0: case 5: case 6: case 7: case 10: case 11: case 12: case 13:
	case 14: case 16: case 17: case 19: case 20: case 21:
		return 1;
	}
	return 0;
}

/*
 * Inject a hardware exception through the VM-entry interruption field
 * (27.6), as the CPU raises it. A CPU raising a fault sets RF in the RFLAGS image it pushes, so
 * that the restarted instruction does not hit its own instruction
 * breakpoint again (vol. 3A, 18.3.1.1); event injection pushes the guest's
 * RFLAGS as they are (27.6.1.2), so the hypervisor sets RF itself.
 */
void vcpu_inject_fault(struct vcpu *v, unsigned vector, int error_code)
{
	(void)v;
	if (vcpu_vector_is_fault(vector))
		vmcs_write(GUEST_RFLAGS, vmread(GUEST_RFLAGS) | RFLAGS_RF);
	/* Real mode pushes no error code, and VM entry refuses to deliver
	 * one with CR0.PE clear (27.2.1.3). */
	if (!(vmread(GUEST_CR0) & CR0_PE))
		error_code = -1;
	vmcs_write(VM_ENTRY_INTR_INFO, INTR_INFO_VALID | INTR_TYPE_HW_EXCEPTION | vector |
		   (error_code >= 0 ? INTR_INFO_DELIVER_ERROR_CODE : 0));
	if (error_code >= 0)
		vmcs_write(VM_ENTRY_EXCEPTION_ERROR_CODE, (uint32_t)error_code);
}

void vcpu_inject_gp(struct vcpu *v)
{
	vcpu_inject_fault(v, 13, 0);
}

void vcpu_inject_ud(struct vcpu *v)
{
	vcpu_inject_fault(v, 6, -1);
}

/*
 * An exit that interrupted the delivery of an event leaves it undelivered
 * in the IDT-vectoring information (25.9.3): unless the handler injected
 * something of its own or stopped the guest, deliver it again on entry, as
 * the CPU would have (29.2.1, "Handling of IDT-vectoring information";
 * software interrupts and exceptions need their instruction length).
 */
void vcpu_reinject_vectoring(struct vcpu *v)
{
	uint32_t info = v->idt_vectoring, type = INTR_INFO_TYPE(info);

	if (!(info & INTR_INFO_VALID) || v->stopped ||
	    (vmread(VM_ENTRY_INTR_INFO) & INTR_INFO_VALID))
		return;
	vmcs_write(VM_ENTRY_INTR_INFO, info & (INTR_INFO_VALID | INTR_INFO_DELIVER_ERROR_CODE |
					   (7u << 8) | 0xff));
	if (info & INTR_INFO_DELIVER_ERROR_CODE)
		vmcs_write(VM_ENTRY_EXCEPTION_ERROR_CODE, vmread(IDT_VECTORING_ERROR_CODE));
	if (type == INTR_TYPE_SW_INTERRUPT || type == INTR_TYPE_PRIV_SW_EXCEPTION ||
	    type == INTR_TYPE_SW_EXCEPTION)
		vmcs_write(VM_ENTRY_INSTRUCTION_LEN, v->insn_len);
}

/* Register by its number in exit qualifications (table 28-3); NULL: RSP. */
uint64_t *vcpu_gpr(struct vcpu *v, unsigned n)
{
	struct guest_regs *r = &v->regs;
	uint64_t *const regs[16] = {
		&r->rax, &r->rcx, &r->rdx, &r->rbx, 0 /* rsp */, &r->rbp, &r->rsi, &r->rdi,
		&r->r8, &r->r9, &r->r10, &r->r11, &r->r12, &r->r13, &r->r14, &r->r15,
	};
	/* RBP and R12-R15 are in regs only on an exit vmexit_handler asked
	 * all registers for (vmentry.asm); elsewhere they are stale. */
	ASSERT(v->all_regs || !(BIT(n & 15) & (BIT(5) | BIT(12) | BIT(13) | BIT(14) | BIT(15))));
	return regs[n & 15];
}

uint64_t vcpu_gpr_read(struct vcpu *v, unsigned n)
{
	return (n & 15) == 4 ? vmread(GUEST_RSP) : *vcpu_gpr(v, n);
}

void vcpu_gpr_write(struct vcpu *v, unsigned n, uint64_t val)
{
	if ((n & 15) == 4)
		vmcs_write(GUEST_RSP, val);
	else
		*vcpu_gpr(v, n) = val;
}

/* exit_slow follows XCR0 (cr.c) and stats=time (main.c). */
void vcpu_exit_slow_update(struct vcpu *v)
{
	v->exit_slow = v->xcr0_differs || stats_time;
}

/* Halt the guest until its next interrupt; the caller skips the instruction. */
void vcpu_halt(struct vcpu *v)
{
	if (vcpu_halt_stuck(v))         /* halt.c: nothing can wake it; stopped */
		return;
	/* Entering in the HLT activity state (25.4.2); the next interrupt the
	 * guest's APIC delivers wakes it (apic.c), at once if one is due. */
	vmcs_write(GUEST_ACTIVITY_STATE, ACTIVITY_HLT);
	vcpu_request_events(v);
}
