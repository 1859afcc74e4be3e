/*
 * msr.c - the guest's RDMSR and WRMSR.
 *
 * The MSR bitmap (SDM vol. 3C, 25.6.9) lets most MSRs through untouched:
 * with the guest's EFER and PAT switched by the VM-entry and VM-exit
 * controls, and the TSC and the local APIC the guest's own, there is
 * nothing to hide. Intercepted: IA32_FEATURE_CONTROL and the VMX
 * capability MSRs (the guest is told there is no VMX), and writes to
 * IA32_APIC_BASE (the APIC must stay where the EPT maps it). MSRs outside
 * the bitmap's two ranges always exit; the guest gets #GP for those, as
 * for a missing MSR.
 *
 * Environment: hypervisor, root mode.
 */
/* SPDX-License-Identifier: MIT */
#include "hv.h"
#include "lib.h"
#include "x86.h"

#define MSR_IA32_APIC_BASE      0x1b
#define MSR_BITMAP_READ_LOW     0
#define MSR_BITMAP_READ_HIGH    1024
#define MSR_BITMAP_WRITE_LOW    2048
#define MSR_BITMAP_WRITE_HIGH   3072

static void intercept(uint8_t *bitmap, uint32_t msr, int read, int write)
{
	unsigned base = msr >= 0xc0000000u ? 1024 : 0, bit = msr & 0x1fff;

	if (read)
		bitmap[MSR_BITMAP_READ_LOW + base + bit / 8] |= (uint8_t)(1u << (bit % 8));
	if (write)
		bitmap[MSR_BITMAP_WRITE_LOW + base + bit / 8] |= (uint8_t)(1u << (bit % 8));
}

void msr_init(uint8_t *bitmap)
{
	uint32_t msr;

	memset(bitmap, 0, 4096);
	intercept(bitmap, MSR_IA32_FEATURE_CONTROL, 1, 1);
	for (msr = MSR_IA32_VMX_BASIC; msr <= 0x491; msr++)
		intercept(bitmap, msr, 1, 1);
	intercept(bitmap, MSR_IA32_APIC_BASE, 0, 1);
}

void msr_read(struct vcpu *v)
{
	/* Only IA32_FEATURE_CONTROL reads succeed: locked, VMX off. The VMX
	 * capability MSRs and the MSRs the bitmap cannot cover fault. */
	if ((uint32_t)v->regs.rcx != MSR_IA32_FEATURE_CONTROL) {
		vcpu_inject_gp(v);
		return;
	}
	v->regs.rax = FEATURE_CONTROL_LOCK;
	v->regs.rdx = 0;
	vcpu_skip_insn(v);
}

void msr_write(struct vcpu *v)
{
	uint32_t msr = (uint32_t)v->regs.rcx;
	uint64_t val = (v->regs.rdx << 32) | (uint32_t)v->regs.rax;

	if (msr == MSR_IA32_APIC_BASE) {
		uint64_t cur = rdmsr(MSR_IA32_APIC_BASE);

		/* Enabling is fine; moving or disabling the APIC is not. */
		if ((val & ~0x800ul) != (cur & ~0x800ul) || !(val & 0x800)) {
			guest_kill(v, HV_STATUS_GUEST_FAULT,
				   "guest moved or disabled its local APIC (IA32_APIC_BASE 0x%lx)",
				   val);
			return;
		}
		wrmsr(MSR_IA32_APIC_BASE, val);
		vcpu_skip_insn(v);
		return;
	}
	vcpu_inject_gp(v);                      /* feature control, VMX, unknown */
}
