/*
 * msr.c - the guest's RDMSR and WRMSR.
 *
 * The MSR bitmap (SDM vol. 3C, 25.6.9) lets most MSRs through untouched:
 * with the guest's EFER and PAT switched by the VM-entry and VM-exit
 * controls, and the local APIC the guest's own, there is nothing to hide.
 * Intercepted: IA32_FEATURE_CONTROL and the VMX capability MSRs (the guest
 * is told there is no VMX), writes to IA32_APIC_BASE (the APIC must stay
 * where the EPT maps it), and writes to the TSC (below). MSRs outside the
 * bitmap's two ranges always exit; the guest gets #GP for those, as for a
 * missing MSR.
 *
 * The TSC is the machine's, and root mode reads it too: the watchdog's
 * deadline (watchdog.c) and the exit statistics. A guest that wrote it
 * back could run for ever. So writes to IA32_TSC and IA32_TSC_ADJUST
 * exit and move the guest's TSC offset instead: with "use TSC
 * offsetting", RDTSC, RDTSCP and RDMSR of IA32_TSC in the guest return
 * the TSC plus TSC_OFFSET (SDM vol. 3C, 26.3 and 26.6.5), so the guest
 * sees what it wrote. A write to one moves the other by the same amount,
 * as on hardware (SDM vol. 3B, 18.17.3); the guest's IA32_TSC_ADJUST is
 * kept here and its reads answered from it.
 *
 * Environment: hypervisor, root mode.
 */
/* SPDX-License-Identifier: MIT */
#include "hv.h"
#include "lib.h"
#include "x86.h"

#define MSR_IA32_APIC_BASE      0x1b
#define MSR_IA32_TSC            0x10
#define MSR_IA32_TSC_ADJUST     0x3b
#define CPUID_7_EBX_TSC_ADJUST  BIT(1)
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

static int has_tsc_adjust;
static uint64_t guest_tsc_adjust;       /* the guest's IA32_TSC_ADJUST */

void msr_init(uint8_t *bitmap)
{
	uint32_t msr, a, b, c, d;

	memset(bitmap, 0, 4096);
	intercept(bitmap, MSR_IA32_FEATURE_CONTROL, 1, 1);
	for (msr = MSR_IA32_VMX_BASIC; msr <= 0x491; msr++)
		intercept(bitmap, msr, 1, 1);
	intercept(bitmap, MSR_IA32_APIC_BASE, 0, 1);
	intercept(bitmap, MSR_IA32_TSC, 0, 1);
	intercept(bitmap, MSR_IA32_TSC_ADJUST, 1, 1);
	cpuid(0, 0, &a, &b, &c, &d);
	if (a >= 7) {
		cpuid(7, 0, &a, &b, &c, &d);
		has_tsc_adjust = !!(b & CPUID_7_EBX_TSC_ADJUST);
	}
	if (has_tsc_adjust)
		guest_tsc_adjust = rdmsr(MSR_IA32_TSC_ADJUST);
}

/* Move the guest's TSC by delta (two's complement), and its TSC_ADJUST too. */
static void guest_tsc_move(struct vcpu *v, uint64_t delta)
{
	if (!(v->ctl->proc & CPU_USE_TSC_OFFSETTING)) {
		guest_kill(v, HV_STATUS_GUEST_FAULT, "guest wrote its TSC, and this CPU has no "
			   "TSC offsetting to keep the hypervisor's apart, at rip 0x%lx", v->rip);
		return;
	}
	vmwrite(TSC_OFFSET, vmread(TSC_OFFSET) + delta);
	guest_tsc_adjust += delta;
	vcpu_skip_insn(v);
}

void msr_read(struct vcpu *v)
{
	/* IA32_FEATURE_CONTROL reads locked, VMX off; IA32_TSC_ADJUST the
	 * guest's own. The VMX capability MSRs and the MSRs the bitmap cannot
	 * cover fault, as does IA32_TSC_ADJUST where the CPU has none. */
	uint32_t msr = (uint32_t)v->regs.rcx;
	uint64_t val;

	if (msr == MSR_IA32_FEATURE_CONTROL) {
		val = FEATURE_CONTROL_LOCK;
	} else if (msr == MSR_IA32_TSC_ADJUST && has_tsc_adjust) {
		val = guest_tsc_adjust;
	} else {
		vcpu_inject_gp(v);
		return;
	}
	v->regs.rax = (uint32_t)val;
	v->regs.rdx = val >> 32;
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
	if (msr == MSR_IA32_TSC) {
		/* The guest's TSC now: the machine's plus its offset. */
		guest_tsc_move(v, val - (rdtsc() + vmread(TSC_OFFSET)));
		return;
	}
	if (msr == MSR_IA32_TSC_ADJUST && has_tsc_adjust) {
		guest_tsc_move(v, val - guest_tsc_adjust);
		return;
	}
	vcpu_inject_gp(v);                      /* feature control, VMX, unknown */
}
