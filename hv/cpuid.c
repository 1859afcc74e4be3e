/*
 * cpuid.c - what CPUID tells the guest: the host's answer, less what the
 * hypervisor does not give (VMX, the MSR families the MSR policy denies,
 * the PMU, Intel PT, SGX, XSAVES), plus its own leaves (hv_abi.h), with the
 * bits that mirror the guest's own state (OSXSAVE and OSPKE from the
 * guest's CR4, the APIC flag from its local APIC's enable, the XSAVE area
 * size from its XCR0) taken from the guest.
 *
 * cpuid_policy() is the rule, pure and host-tested; cpuid_exit() runs it.
 *
 * The answer cache. Every answer depends on (leaf, sub-leaf) and on
 * guest state that changes only on an exit (CR4.OSXSAVE and CR4.PKE are
 * host-owned bits, XSETBV and IA32_APIC_BASE always exit), so an answer
 * stays right until cpuid_guest_state_changed(). cpuid_exit() keeps each
 * one in the vCPU's cache, direct-mapped by cpuid_cache_slot(); the next
 * CPUID of the same (leaf, sub-leaf) is answered from it by vmentry.asm
 * without C, which follows cpuid_cache_find() step for step. An empty
 * slot holds leaf slot ^ 1, which hashes to another slot: no lookup
 * matches it (host-tested).
 *
 * Environment: hypervisor, root mode, on a CPUID exit or a hypercall.
 */
/* SPDX-License-Identifier: MIT */
#include "abi/hv_abi.h"
#include "hv.h"
#include "lib.h"
#include "x86.h"

/* CPUID bits (SDM vol. 2A, CPUID, tables 3-8 to 3-10; vol. 3A 20.2.4). */
#define C1_ECX_VMX              BIT(5)
#define C1_ECX_SMX              BIT(6)
#define C1_ECX_TM2              BIT(8)
#define C1_ECX_PDCM             BIT(15)         /* IA32_PERF_CAPABILITIES */
#define C1_ECX_OSXSAVE          BIT(27)
#define C1_ECX_HYPERVISOR       BIT(31)
#define C1_EDX_MCE              BIT(7)
#define C1_EDX_APIC             BIT(9)
#define C1_EDX_MCA              BIT(14)
#define C1_EDX_DS               BIT(21)         /* IA32_DS_AREA */
#define C1_EDX_ACPI             BIT(22)         /* thermal MSRs */
#define C1_EDX_TM               BIT(29)
#define C7_EBX_SGX              BIT(2)
#define C7_EBX_PQM              BIT(12)
#define C7_EBX_PQE              BIT(15)
#define C7_EBX_PT               BIT(25)
#define C7_ECX_OSPKE            BIT(4)
#define C7_ECX_WAITPKG          BIT(5)          /* IA32_UMWAIT_CONTROL */
#define C7_ECX_SGX_LC           BIT(30)
#define C7_ECX_PKS              BIT(31)
#define C7_EDX_HYBRID           BIT(15)
#define C7_EDX_PCONFIG          BIT(18)
#define C7_EDX_IBT              BIT(20)
#define C7_EDX_SPEC_CTRL        (BIT(26) | BIT(27) | BIT(31))   /* IBRS, STIBP, SSBD */
#define C7_EDX_L1D_FLUSH        BIT(28)
#define C7_EDX_ARCH_CAP         BIT(29)
#define C7_EDX_CORE_CAP         BIT(30)
#define CD1_EAX_XSAVES          BIT(3)

/*
 * The rule. r holds the host's answer for (leaf, sub) on entry and the
 * guest's on return; g is the guest's state an answer mirrors.
 */
void cpuid_policy(uint32_t leaf, uint32_t sub, const struct cpuid_guest *g, uint32_t r[4])
{
	if (leaf >= HV_ABI_CPUID_BASE && leaf <= 0x4fffffffu) {
		r[0] = r[1] = r[2] = r[3] = 0;          /* unused leaves read as zero */
		if (leaf == HV_ABI_CPUID_BASE) {
			r[0] = HV_ABI_CPUID_VERSION;
			r[1] = HV_ABI_SIGNATURE_EBX;
			r[2] = HV_ABI_SIGNATURE_ECX;
			r[3] = HV_ABI_SIGNATURE_EDX;
		} else if (leaf == HV_ABI_CPUID_VERSION) {
			r[0] = hv_abi_version;
		}
		return;
	}
	switch (leaf) {
	case 1:
		/* No VMX or SMX. x2APIC and the TSC-deadline timer stay as the
		 * CPU has them: the virtual local APIC has both (apic.c). */
		r[2] &= ~(uint32_t)(C1_ECX_VMX | C1_ECX_SMX | C1_ECX_TM2 | C1_ECX_PDCM |
				    C1_ECX_OSXSAVE);
		r[2] |= C1_ECX_HYPERVISOR;
		/* OSXSAVE mirrors the guest's CR4.OSXSAVE, as on the CPU. */
		if (g->cr4 & CR4_OSXSAVE)
			r[2] |= C1_ECX_OSXSAVE;
		/* No machine-check banks, debug store or thermal MSRs. */
		r[3] &= ~(uint32_t)(C1_EDX_MCE | C1_EDX_MCA | C1_EDX_DS | C1_EDX_ACPI | C1_EDX_TM);
		/* A local APIC disabled in IA32_APIC_BASE is no APIC (vol. 3A,
		 * 11.4.3): the flag follows the guest's, not the machine's. */
		r[3] = g->apic_enabled ? r[3] | C1_EDX_APIC : r[3] & ~(uint32_t)C1_EDX_APIC;
		break;
	case 5:                                 /* MONITOR/MWAIT details */
	case 6:                                 /* thermal and power management */
	case 0xa:                               /* architectural PMU */
	case 0xf: case 0x10:                    /* resource monitoring, allocation */
	case 0x12:                              /* SGX */
	case 0x14:                              /* Intel PT */
	case 0x1b:                              /* PCONFIG */
		r[0] = r[1] = r[2] = r[3] = 0;
		break;
	case 7:
		if (sub == 1) {
			/* Sub-leaf 1 names features with controls this
			 * hypervisor does not handle (LAM, FRED, ...): none. */
			r[0] = r[1] = r[2] = r[3] = 0;
			break;
		}
		if (sub != 0)
			break;
		r[1] &= ~(uint32_t)(C7_EBX_SGX | C7_EBX_PQM | C7_EBX_PQE | C7_EBX_PT);
		r[2] &= ~(uint32_t)(C7_ECX_WAITPKG | C7_ECX_SGX_LC | C7_ECX_PKS | C7_ECX_OSPKE);
		if (g->cr4 & CR4_PKE)           /* as OSXSAVE: the guest's CR4 */
			r[2] |= C7_ECX_OSPKE;
		r[3] &= ~(uint32_t)(C7_EDX_HYBRID | C7_EDX_PCONFIG | C7_EDX_IBT |
				    C7_EDX_SPEC_CTRL | C7_EDX_L1D_FLUSH | C7_EDX_ARCH_CAP |
				    C7_EDX_CORE_CAP);
		break;
	case 0xd:
		if (sub == 0) {
			/* The XCR0 bits the guest may set (xcr0_allowed). */
			uint64_t ok = xcr0_allowed(((uint64_t)r[3] << 32) | r[0]);

			r[0] = (uint32_t)ok;
			r[3] = (uint32_t)(ok >> 32);
		} else if (sub == 1) {
			/* XSAVES/XRSTORS are not enabled: no IA32_XSS state. */
			r[0] &= ~(uint32_t)CD1_EAX_XSAVES;
			r[2] = r[3] = 0;
		}
		break;
	}
}

/*
 * Ask the CPU, then apply the rule. Leaf 0xD sub-leaves 0 and 1 report the
 * XSAVE area size for the XCR0 in force (EBX), so the guest's XCR0 is
 * loaded around that CPUID; everything else does not depend on it.
 */
void cpuid_guest_view(struct vcpu *v, uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	int swap = leaf == 0xd && sub <= 1 && v->xcr0_differs;
	struct cpuid_guest g = {
		.cr4 = vmread(GUEST_CR4),
		.apic_enabled = vlapic_mode(&v->apic) != VLAPIC_DISABLED,
	};

	if (swap)
		xsetbv(0, v->xcr0);
	cpuid(leaf, sub, &r[0], &r[1], &r[2], &r[3]);
	if (swap)
		xsetbv(0, v->host_xcr0);
	cpuid_policy(leaf, sub, &g, r);
}

void cpuid_cache_flush(struct cpuid_cache_entry cache[CPUID_CACHE_SLOTS])
{
	unsigned i;

	for (i = 0; i < CPUID_CACHE_SLOTS; i++)
		cache[i] = (struct cpuid_cache_entry){ .leaf = i ^ 1 };
}

/* The slot's answer for (leaf, sub), or NULL: vmentry.asm's lookup. */
const struct cpuid_cache_entry *cpuid_cache_find(const struct cpuid_cache_entry
						 cache[CPUID_CACHE_SLOTS],
						 uint32_t leaf, uint32_t sub)
{
	const struct cpuid_cache_entry *e = &cache[cpuid_cache_slot(leaf)];

	return e->leaf == leaf && e->sub == sub ? e : NULL;
}

void cpuid_cache_put(struct cpuid_cache_entry cache[CPUID_CACHE_SLOTS], uint32_t leaf,
		     uint32_t sub, const uint32_t r[4])
{
	cache[cpuid_cache_slot(leaf)] = (struct cpuid_cache_entry){
		.leaf = leaf, .sub = sub, .eax = r[0], .ebx = r[1], .ecx = r[2], .edx = r[3],
	};
}

/*
 * CR4.OSXSAVE or .PKE, XCR0 or the APIC's enable changed: what CPUID says
 * changes with them. The cache is emptied and the shared page's copy
 * written again.
 */
void cpuid_guest_state_changed(struct vcpu *v)
{
	cpuid_cache_flush(v->cpuid_cache);
	hypercall_shared_cpuid_refresh(v);
}

/* A CPUID vmentry.asm could not answer: the first of its (leaf, sub), or
 * one in an STI shadow, under single-step, or with an event due. */
void cpuid_exit(struct vcpu *v)
{
	uint32_t leaf = (uint32_t)v->regs.rax, sub = (uint32_t)v->regs.rcx;
	const struct cpuid_cache_entry *e = cpuid_cache_find(v->cpuid_cache, leaf, sub);
	uint32_t r[4];

	if (e) {
		r[0] = e->eax, r[1] = e->ebx, r[2] = e->ecx, r[3] = e->edx;
	} else {
		cpuid_guest_view(v, leaf, sub, r);
		cpuid_cache_put(v->cpuid_cache, leaf, sub, r);
	}
	v->regs.rax = r[0];
	v->regs.rbx = r[1];
	v->regs.rcx = r[2];
	v->regs.rdx = r[3];
	vcpu_skip_insn(v);
}
