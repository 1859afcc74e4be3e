/*
 * vmx.c - VMX bring-up by the book: capabilities, controls, VMXON.
 *
 * SDM vol. 3C, 24.6-24.7 ("Discovering Support for VMX", "Enabling and
 * Entering VMX Operation") and appendix A ("VMX Capability Reporting").
 * vmx_probe() reads every capability the hypervisor depends on, prints the
 * capability dump, and refuses, naming the missing capability, when VMX,
 * EPT or unrestricted guest is absent or locked off.
 *
 * Environment: hypervisor at boot, root mode after vmx_on, interrupts off.
 */
/* SPDX-License-Identifier: MIT */
#include "hv.h"
#include "lib.h"
#include "vmx.h"
#include "x86.h"


static const char *yes(uint64_t v) { return v ? "yes" : "no"; }

static int refuse(const char *what, const char *detail)
{
	kprintf("hv: error: cannot run a guest: this CPU lacks %s (%s)\n", what, detail);
	return -1;
}

int vmx_probe(struct vmx_caps *c)
{
	uint32_t a, b, cx, d;
	uint64_t fc;
	int true_ctls;

	memset(c, 0, sizeof(*c));
	cpuid(1, 0, &a, &b, &cx, &d);
	if (!(cx & CPUID_1_ECX_VMX))
		return refuse("VMX", "CPUID.1:ECX.VMX[bit 5] is clear");

	/* 24.7 / A.1: the firmware may lock VMX off. */
	fc = rdmsr(MSR_IA32_FEATURE_CONTROL);
	if ((fc & FEATURE_CONTROL_LOCK) && !(fc & FEATURE_CONTROL_VMXON_OUTSIDE_SMX))
		return refuse("VMX enabled by firmware",
			      "IA32_FEATURE_CONTROL is locked with VMXON outside SMX disabled");

	c->basic = rdmsr(MSR_IA32_VMX_BASIC);
	c->revision = (uint32_t)c->basic & 0x7fffffff;
	true_ctls = !!(c->basic & VMX_BASIC_TRUE_CTLS);
	c->pin = rdmsr(true_ctls ? MSR_IA32_VMX_TRUE_PINBASED_CTLS : MSR_IA32_VMX_PINBASED_CTLS);
	c->proc = rdmsr(true_ctls ? MSR_IA32_VMX_TRUE_PROCBASED_CTLS : MSR_IA32_VMX_PROCBASED_CTLS);
	c->exit = rdmsr(true_ctls ? MSR_IA32_VMX_TRUE_EXIT_CTLS : MSR_IA32_VMX_EXIT_CTLS);
	c->entry = rdmsr(true_ctls ? MSR_IA32_VMX_TRUE_ENTRY_CTLS : MSR_IA32_VMX_ENTRY_CTLS);
	c->misc = rdmsr(MSR_IA32_VMX_MISC);
	c->cr0_fixed0 = rdmsr(MSR_IA32_VMX_CR0_FIXED0);
	c->cr0_fixed1 = rdmsr(MSR_IA32_VMX_CR0_FIXED1);
	c->cr4_fixed0 = rdmsr(MSR_IA32_VMX_CR4_FIXED0);
	c->cr4_fixed1 = rdmsr(MSR_IA32_VMX_CR4_FIXED1);
	/* A.3.3: the secondary controls exist only if bit 63 of PROCBASED says so. */
	if (c->proc >> 32 & CPU_ACTIVATE_SECONDARY_CONTROLS) {
		c->proc2 = rdmsr(MSR_IA32_VMX_PROCBASED_CTLS2);
		if (c->proc2 >> 32 & (SECONDARY_ENABLE_EPT | SECONDARY_ENABLE_VPID))
			c->ept_vpid = rdmsr(MSR_IA32_VMX_EPT_VPID_CAP);
	}

	{
		uint32_t p2 = (uint32_t)(c->proc2 >> 32), e = (uint32_t)c->ept_vpid;

		kprintf("hv: vmx: revision=0x%x true-controls=%s feature-control=0x%lx\n",
			c->revision, yes(true_ctls), fc);
		kprintf("hv: vmx: ept=%s (4-level %s, wb %s, 2M %s, 1G %s, a/d %s, invept %s) "
			"vpid=%s unrestricted-guest=%s\n",
			yes(p2 & SECONDARY_ENABLE_EPT), yes(e & EPT_CAP_WALK_4),
			yes(e & EPT_CAP_WB), yes(e & EPT_CAP_2M), yes(e & EPT_CAP_1G),
			yes(e & EPT_CAP_AD), yes(e & EPT_CAP_INVEPT),
			yes(p2 & SECONDARY_ENABLE_VPID), yes(p2 & SECONDARY_UNRESTRICTED_GUEST));
		kprintf("hv: vmx: preemption-timer=%s (rate %lu) msr-bitmaps=%s io-bitmaps=%s "
			"activity-hlt=%s secondary-controls=%s\n",
			yes(c->pin >> 32 & PIN_PREEMPTION_TIMER), VMX_MISC_PREEMPTION_RATE(c->misc),
			yes(c->proc >> 32 & CPU_USE_MSR_BITMAPS), yes(c->proc >> 32 & CPU_USE_IO_BITMAPS),
			yes(c->misc & VMX_MISC_ACTIVITY_HLT),
			yes(c->proc >> 32 & CPU_ACTIVATE_SECONDARY_CONTROLS));
		if (!(c->proc >> 32 & CPU_ACTIVATE_SECONDARY_CONTROLS))
			return refuse("secondary processor-based controls",
				      "IA32_VMX_PROCBASED_CTLS allowed-1 bit 31");
		if (!(p2 & SECONDARY_ENABLE_EPT))
			return refuse("EPT", "IA32_VMX_PROCBASED_CTLS2 allowed-1 bit 1");
		if (!(p2 & SECONDARY_UNRESTRICTED_GUEST))
			return refuse("unrestricted guest",
				      "IA32_VMX_PROCBASED_CTLS2 allowed-1 bit 7; the guest is "
				      "entered in protected mode with paging off");
		if (!(e & EPT_CAP_WALK_4) || !(e & (EPT_CAP_WB | EPT_CAP_UC)))
			return refuse("a usable EPT", "IA32_VMX_EPT_VPID_CAP: 4-level walk, "
				      "WB or UC paging-structure memory type");
	}
	return 0;
}

/* Report a control bit we need but cannot have. */
static int refuse_ctl(const char *which, uint32_t bit)
{
	char detail[64];
	unsigned n = 0;

	while (bit > 1)
		bit >>= 1, n++;
	snprintf(detail, sizeof(detail), "allowed-1 bit %u of the %s controls", n, which);
	return refuse("a required VMX control", detail);
}

int vmx_controls(const struct vmx_caps *c, struct vmx_controls *ctl)
{
	uint32_t miss;
	int timer = !!(c->pin >> 32 & PIN_PREEMPTION_TIMER);

	/* The machine's interrupts are the hypervisor's: every one exits and
	 * is acknowledged there (apic.c); CR8 is the virtual APIC's TPR. */
	if (vmx_ctl_adjust(c->pin, timer ? PIN_PREEMPTION_TIMER : 0,
			   PIN_EXTERNAL_INTERRUPT_EXITING, &ctl->pin, &miss))
		return refuse_ctl("pin-based", miss);
	if (vmx_ctl_adjust(c->proc, (c->misc & VMX_MISC_ACTIVITY_HLT) ? CPU_HLT_EXITING : 0,
			   CPU_USE_IO_BITMAPS | CPU_USE_MSR_BITMAPS | CPU_USE_TSC_OFFSETTING |
			   CPU_CR8_LOAD_EXITING | CPU_CR8_STORE_EXITING |
			   CPU_ACTIVATE_SECONDARY_CONTROLS, &ctl->proc, &miss))
		return refuse_ctl("primary processor-based", miss);
	if (vmx_ctl_adjust(c->proc2, SECONDARY_ENABLE_VPID | SECONDARY_ENABLE_RDTSCP |
			   SECONDARY_ENABLE_INVPCID,
			   SECONDARY_ENABLE_EPT | SECONDARY_UNRESTRICTED_GUEST,
			   &ctl->proc2, &miss))
		return refuse_ctl("secondary processor-based", miss);
	if (vmx_ctl_adjust(c->exit, (timer ? EXIT_SAVE_PREEMPTION_TIMER : 0) |
			   EXIT_SAVE_IA32_PAT | EXIT_LOAD_IA32_PAT,
			   EXIT_HOST_ADDRESS_SPACE_SIZE | EXIT_ACK_INTERRUPT_ON_EXIT |
			   EXIT_SAVE_IA32_EFER |
			   EXIT_LOAD_IA32_EFER | EXIT_SAVE_DEBUG_CONTROLS, &ctl->exit, &miss))
		return refuse_ctl("VM-exit", miss);
	/* DR7 and IA32_DEBUGCTL are the guest's across exits: saved at every
	 * exit, loaded at every entry (27.3.2.1, 28.3.1). */
	if (vmx_ctl_adjust(c->entry, ENTRY_LOAD_IA32_PAT,
			   ENTRY_LOAD_IA32_EFER | ENTRY_LOAD_DEBUG_CONTROLS,
			   &ctl->entry, &miss))
		return refuse_ctl("VM-entry", miss);
	/* The guest starts in 32-bit mode: IA-32e mode guest off (27.3.1.1). */
	ctl->entry &= ~(uint32_t)ENTRY_IA32E_MODE_GUEST;
	kprintf("hv: vmx: controls pin=0x%08x proc=0x%08x proc2=0x%08x exit=0x%08x entry=0x%08x\n",
		ctl->pin, ctl->proc, ctl->proc2, ctl->exit, ctl->entry);
	return 0;
}

/* 24.8 / A.7-A.8: CR0 and CR4 within the fixed bits, then VMXON. */
int vmx_enable(const struct vmx_caps *c, uint64_t vmxon_pa)
{
	uint64_t fc = rdmsr(MSR_IA32_FEATURE_CONTROL), cr0, cr4;

	if (!(fc & FEATURE_CONTROL_LOCK)) {
		wrmsr(MSR_IA32_FEATURE_CONTROL, fc | FEATURE_CONTROL_LOCK |
		      FEATURE_CONTROL_VMXON_OUTSIDE_SMX);
		kprintf("hv: vmx: IA32_FEATURE_CONTROL was unlocked: locked with VMXON enabled\n");
	}
	asm volatile("mov %%cr0, %0" : "=r"(cr0));
	asm volatile("mov %%cr4, %0" : "=r"(cr4));
	cr0 = (cr0 | c->cr0_fixed0) & c->cr0_fixed1;
	cr4 = (cr4 | c->cr4_fixed0 | CR4_VMXE) & c->cr4_fixed1;
	asm volatile("mov %0, %%cr0" : : "r"(cr0));
	asm volatile("mov %0, %%cr4" : : "r"(cr4));

	*(volatile uint32_t *)vmxon_pa = c->revision;
	if (vmx_on(vmxon_pa)) {
		kprintf("hv: error: VMXON failed (cr0=0x%lx cr4=0x%lx)\n", cr0, cr4);
		return -1;
	}
	return 0;
}
