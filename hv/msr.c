/*
 * msr.c - the MSR policy: deny by default.
 *
 * The MSR bitmap (SDM vol. 3C, 25.6.9) intercepts every MSR; msr_rules[]
 * is the one list of what a guest may reach, each line with its reason.
 * An MSR is either
 *   pass     - not intercepted, because VMX switches it at every entry and
 *              exit: by VMCS fields (EFER, PAT, SYSENTER_*, FS/GS base,
 *              DEBUGCTL) or by the MSR-load/store areas below (the SYSCALL
 *              MSRs, KERNEL_GS_BASE, TSC_AUX), so root mode never runs with
 *              the guest's value;
 *   emulated - intercepted and answered from the vCPU (virtual MTRRs, the
 *              TSC through TSC_OFFSET, feature control, ...), never written
 *              to the hardware;
 *   denied   - everything else: #GP, as on hardware without the MSR
 *              (cpuid.c hides the features that would name them).
 * msr_rule_for() and the emulations' checks are pure, and host-tested.
 *
 * Environment: hypervisor, root mode.
 */
/* SPDX-License-Identifier: MIT */
#include "hv.h"
#include "lib.h"
#include "x86.h"

#define MSR_TSC                 0x010
#define MSR_TSC_ADJUST          0x03b
#define MSR_BIOS_SIGN_ID        0x08b   /* microcode revision */
#define MSR_MTRRCAP             0x0fe
#define MSR_SYSENTER_EIP        0x176
#define MSR_MISC_ENABLE         0x1a0
#define MSR_DEBUGCTL            0x1d9
#define MSR_MTRR_PHYS_FIRST     0x200
#define MSR_MTRR_PHYS_LAST      0x21f   /* 16 base/mask pairs */
#define MSR_MTRR_FIX64K         0x250
#define MSR_MTRR_FIX16K_80000   0x258
#define MSR_MTRR_FIX16K_A0000   0x259
#define MSR_MTRR_FIX4K_FIRST    0x268
#define MSR_MTRR_FIX4K_LAST     0x26f
#define MSR_MTRR_DEF_TYPE       0x2ff
#define MSR_STAR                0xc0000081
#define MSR_LSTAR               0xc0000082
#define MSR_CSTAR               0xc0000083
#define MSR_SFMASK              0xc0000084
#define MSR_FS_BASE             0xc0000100
#define MSR_KERNEL_GS_BASE      0xc0000102
#define MSR_TSC_AUX             0xc0000103

static int emu_tsc(struct vcpu *v, uint32_t msr, int write, uint64_t *val);
static int emu_tsc_adjust(struct vcpu *v, uint32_t msr, int write, uint64_t *val);
static int emu_feature_control(struct vcpu *v, uint32_t msr, int write, uint64_t *val);
static int emu_ucode_rev(struct vcpu *v, uint32_t msr, int write, uint64_t *val);
static int emu_mtrr(struct vcpu *v, uint32_t msr, int write, uint64_t *val);
static int emu_misc_enable(struct vcpu *v, uint32_t msr, int write, uint64_t *val);

/* The one list: first, last, read, write, emulation, why. */
static const struct msr_rule msr_rules[] = {
	{ MSR_TSC, MSR_TSC, MSR_PASS, MSR_EMULATE, emu_tsc,
	  "the guest's TSC is the host's plus TSC_OFFSET; a write moves the offset" },
	{ MSR_IA32_APIC_BASE, MSR_IA32_APIC_BASE, MSR_EMULATE, MSR_EMULATE, apic_msr,
	  "the guest's virtual local APIC (apic.c): its mode and base" },
	{ MSR_IA32_FEATURE_CONTROL, MSR_IA32_FEATURE_CONTROL, MSR_EMULATE, MSR_DENY,
	  emu_feature_control, "locked, VMX off: the guest is told there is no VMX" },
	{ MSR_TSC_ADJUST, MSR_TSC_ADJUST, MSR_EMULATE, MSR_EMULATE, emu_tsc_adjust,
	  "virtual: moves TSC_OFFSET, as the real one moves the TSC" },
	{ MSR_BIOS_SIGN_ID, MSR_BIOS_SIGN_ID, MSR_EMULATE, MSR_EMULATE, emu_ucode_rev,
	  "a microcode revision of 0; writes (a revision request) do nothing" },
	{ MSR_MTRRCAP, MSR_MTRRCAP, MSR_EMULATE, MSR_DENY, emu_mtrr,
	  "virtual MTRRs: the count and features of the host's, read-only" },
	{ MSR_IA32_SYSENTER_CS, MSR_SYSENTER_EIP, MSR_PASS, MSR_PASS, 0,
	  "switched by the VMCS's SYSENTER fields" },
	{ MSR_MISC_ENABLE, MSR_MISC_ENABLE, MSR_EMULATE, MSR_EMULATE, emu_misc_enable,
	  "virtual: fast strings, no BTS or PEBS; writes change the copy only" },
	{ MSR_DEBUGCTL, MSR_DEBUGCTL, MSR_PASS, MSR_PASS, 0,
	  "switched by the load/save debug controls; cleared at every exit (28.5.1)" },
	{ MSR_MTRR_PHYS_FIRST, MSR_MTRR_PHYS_LAST, MSR_EMULATE, MSR_EMULATE, emu_mtrr,
	  "virtual MTRRs: kept in the vCPU, never in the hardware (EPT sets memory types)" },
	{ MSR_MTRR_FIX64K, MSR_MTRR_FIX64K, MSR_EMULATE, MSR_EMULATE, emu_mtrr,
	  "virtual MTRRs" },
	{ MSR_MTRR_FIX16K_80000, MSR_MTRR_FIX16K_A0000, MSR_EMULATE, MSR_EMULATE, emu_mtrr,
	  "virtual MTRRs" },
	{ MSR_MTRR_FIX4K_FIRST, MSR_MTRR_FIX4K_LAST, MSR_EMULATE, MSR_EMULATE, emu_mtrr,
	  "virtual MTRRs" },
	{ MSR_IA32_PAT, MSR_IA32_PAT, MSR_PASS, MSR_PASS, 0,
	  "switched by the load/save IA32_PAT controls" },
	{ MSR_MTRR_DEF_TYPE, MSR_MTRR_DEF_TYPE, MSR_EMULATE, MSR_EMULATE, emu_mtrr,
	  "virtual MTRRs" },
	{ MSR_IA32_TSC_DEADLINE, MSR_IA32_TSC_DEADLINE, MSR_EMULATE, MSR_EMULATE, apic_msr,
	  "the guest's virtual local APIC's TSC-deadline timer (apic.c)" },
	{ X2APIC_MSR_FIRST, 0xbff, MSR_EMULATE, MSR_EMULATE, apic_msr,
	  "the guest's virtual local APIC in x2APIC mode (reserved for it: 0x800-0xbff)" },
	{ MSR_IA32_EFER, MSR_IA32_EFER, MSR_PASS, MSR_PASS, 0,
	  "switched by the load/save IA32_EFER controls" },
	{ MSR_STAR, MSR_SFMASK, MSR_PASS, MSR_PASS, 0,
	  "SYSCALL MSRs: switched by the MSR-load/store areas" },
	{ MSR_FS_BASE, MSR_FS_BASE + 1, MSR_PASS, MSR_PASS, 0,
	  "FS/GS base: switched with the VMCS's segment bases" },
	{ MSR_KERNEL_GS_BASE, MSR_KERNEL_GS_BASE, MSR_PASS, MSR_PASS, 0,
	  "SWAPGS's other base: switched by the MSR-load/store areas" },
	{ MSR_TSC_AUX, MSR_TSC_AUX, MSR_PASS, MSR_PASS, 0,
	  "RDTSCP's and RDPID's value: switched by the MSR-load/store areas" },
};

/* The MSRs VMX does not switch by itself: the guest's in the guest area
 * (stored at exit, loaded at entry), the hypervisor's in the host area. */
static const uint32_t switched_msrs[] = {
	MSR_STAR, MSR_LSTAR, MSR_CSTAR, MSR_SFMASK, MSR_KERNEL_GS_BASE, MSR_TSC_AUX,
};

/* Pure: the rule for msr, or NULL (denied). */
const struct msr_rule *msr_rule_for(uint32_t msr)
{
	unsigned i;

	for (i = 0; i < ARRAY_SIZE(msr_rules); i++)
		if (msr >= msr_rules[i].first && msr <= msr_rules[i].last)
			return &msr_rules[i];
	return 0;
}

const struct msr_rule *msr_rules_table(unsigned *n)
{
	*n = ARRAY_SIZE(msr_rules);
	return msr_rules;
}

/* Clear msr's bit (let it through) in the 4-KiB bitmap (25.6.9): reads of
 * 0-0x1fff, reads of 0xc0000000-0xc0001fff, then the same for writes. */
static void allow(uint8_t *bitmap, uint32_t msr, int write)
{
	unsigned base = (msr >= 0xc0000000u ? 1024 : 0) + (write ? 2048 : 0);
	unsigned bit = msr & 0x1fff;

	bitmap[base + bit / 8] &= (uint8_t)~(1u << (bit % 8));
}

/* ---- pure checks of the emulations ------------------------------------ */

/* Memory types an MTRR may name (vol. 3A, 12.11.2): UC WC WT WP WB. */
int mtrr_type_valid(uint64_t t)
{
	return t == 0 || t == 1 || t == 4 || t == 5 || t == 6;
}

/* Would a CPU take val for this MTRR (12.11.2.x)? maxphyaddr bounds the
 * base and mask; a fixed-range MTRR holds eight types. */
int mtrr_write_valid(uint32_t msr, uint64_t val, unsigned maxphyaddr)
{
	uint64_t above = ~0ul << maxphyaddr;
	unsigned i;

	if (msr == MSR_MTRR_DEF_TYPE)
		return !(val & ~0xcfful) && mtrr_type_valid(val & 0xff);
	if (msr >= MSR_MTRR_PHYS_FIRST && msr <= MSR_MTRR_PHYS_LAST) {
		if (msr & 1)                    /* PHYSMASK: valid bit 11 */
			return !(val & (0x7fful | above));
		return !(val & (0xf00ul | above)) && mtrr_type_valid(val & 0xff);
	}
	for (i = 0; i < 8; i++)
		if (!mtrr_type_valid((val >> (8 * i)) & 0xff))
			return 0;
	return 1;
}

/* ---- the emulations --------------------------------------------------- */

static int emu_tsc(struct vcpu *v, uint32_t msr, int write, uint64_t *val)
{
	uint64_t offset = *val - rdtsc();

	(void)msr;
	(void)write;
	/*
	 * Reads pass (RDMSR returns TSC + TSC_OFFSET, 26.3); a write sets the
	 * offset so that the guest's TSC reads val from now on, and moves
	 * IA32_TSC_ADJUST by as much, as on hardware (vol. 3B, 17.17.3). The
	 * machine's TSC, which the watchdog and the statistics read, never
	 * moves.
	 */
	v->vmsr.tsc_adjust += offset - vmread(TSC_OFFSET);
	vmcs_write(TSC_OFFSET, offset);
	return 0;
}

static int emu_tsc_adjust(struct vcpu *v, uint32_t msr, int write, uint64_t *val)
{
	(void)msr;
	if (!v->has_tsc_adjust)
		return -1;
	if (!write) {
		*val = v->vmsr.tsc_adjust;
		return 0;
	}
	/* vol. 3B, 17.17.3: a write adds the difference to the TSC. */
	vmcs_write(TSC_OFFSET, vmread(TSC_OFFSET) + (*val - v->vmsr.tsc_adjust));
	v->vmsr.tsc_adjust = *val;
	return 0;
}

static int emu_feature_control(struct vcpu *v, uint32_t msr, int write, uint64_t *val)
{
	(void)v;
	(void)msr;
	(void)write;
	*val = FEATURE_CONTROL_LOCK;
	return 0;
}

static int emu_ucode_rev(struct vcpu *v, uint32_t msr, int write, uint64_t *val)
{
	(void)msr;
	if (!write)
		*val = v->vmsr.ucode_rev;
	return 0;
}

static int emu_misc_enable(struct vcpu *v, uint32_t msr, int write, uint64_t *val)
{
	(void)msr;
	if (write)
		v->vmsr.misc_enable = *val;
	else
		*val = v->vmsr.misc_enable;
	return 0;
}

static uint64_t *mtrr_slot(struct vcpu *v, uint32_t msr)
{
	if (msr == MSR_MTRR_DEF_TYPE)
		return &v->vmsr.mtrr_def;
	if (msr >= MSR_MTRR_PHYS_FIRST && msr <= MSR_MTRR_PHYS_LAST)
		return (msr - MSR_MTRR_PHYS_FIRST) / 2 < v->vmsr.mtrr_vcnt ?
			&v->vmsr.mtrr_var[msr - MSR_MTRR_PHYS_FIRST] : 0;
	if (msr == MSR_MTRR_FIX64K)
		return &v->vmsr.mtrr_fixed[0];
	if (msr == MSR_MTRR_FIX16K_80000 || msr == MSR_MTRR_FIX16K_A0000)
		return &v->vmsr.mtrr_fixed[1 + msr - MSR_MTRR_FIX16K_80000];
	if (msr >= MSR_MTRR_FIX4K_FIRST && msr <= MSR_MTRR_FIX4K_LAST)
		return &v->vmsr.mtrr_fixed[3 + msr - MSR_MTRR_FIX4K_FIRST];
	return 0;
}

static int emu_mtrr(struct vcpu *v, uint32_t msr, int write, uint64_t *val)
{
	uint64_t *slot;

	if (!v->vmsr.mtrr_cap)
		return -1;                      /* no MTRRs: #GP */
	if (msr == MSR_MTRRCAP) {
		*val = v->vmsr.mtrr_cap;
		return 0;
	}
	slot = mtrr_slot(v, msr);
	if (!slot)
		return -1;                      /* beyond VCNT */
	if (!write) {
		*val = *slot;
		return 0;
	}
	if (!mtrr_write_valid(msr, *val, v->maxphyaddr))
		return -1;
	*slot = *val;
	return 0;
}

/* ---- setup and the exits ---------------------------------------------- */

/*
 * bitmap: the MSR bitmap page; area: a page for the MSR areas (25.7.2,
 * 25.8.2: 16-byte entries, index then value), the guest's half first.
 */
void msr_init(struct vcpu *v, uint8_t *bitmap, uint64_t area_pa)
{
	struct msr_entry *guest = (struct msr_entry *)area_pa;
	struct msr_entry *host = guest + 128;
	uint32_t a, b, c, d;
	unsigned i, n = 0;

	memset(bitmap, 0xff, 4096);             /* every MSR exits */
	for (i = 0; i < ARRAY_SIZE(msr_rules); i++) {
		uint32_t m;

		for (m = msr_rules[i].first; m <= msr_rules[i].last; m++) {
			if (msr_rules[i].read == MSR_PASS)
				allow(bitmap, m, 0);
			if (msr_rules[i].write == MSR_PASS)
				allow(bitmap, m, 1);
		}
	}

	cpuid(0x80000001, 0, &a, &b, &c, &d);
	for (i = 0; i < ARRAY_SIZE(switched_msrs); i++) {
		if (switched_msrs[i] == MSR_TSC_AUX && !(d & BIT(27)))
			continue;                       /* no RDTSCP, no TSC_AUX */
		guest[n] = (struct msr_entry){ switched_msrs[i], 0, 0 };
		host[n] = (struct msr_entry){ switched_msrs[i], 0, rdmsr(switched_msrs[i]) };
		n++;
	}
	v->msr_area_count = n;
	v->msr_guest_area = guest;
	vmcs_write(VM_EXIT_MSR_STORE_ADDR, area_pa);
	vmcs_write(VM_ENTRY_MSR_LOAD_ADDR, area_pa);
	vmcs_write(VM_EXIT_MSR_LOAD_ADDR, area_pa + 128 * sizeof(struct msr_entry));
	vmcs_write(VM_EXIT_MSR_STORE_COUNT, n);
	vmcs_write(VM_ENTRY_MSR_LOAD_COUNT, n);
	vmcs_write(VM_EXIT_MSR_LOAD_COUNT, n);

	/* The virtual MSRs start as the host's. */
	cpuid(7, 0, &a, &b, &c, &d);
	v->has_tsc_adjust = !!(b & BIT(1));
	cpuid(1, 0, &a, &b, &c, &d);
	/* Not read from the hardware (not every model has them): fast strings
	 * on, branch-trace store and PEBS unavailable; no microcode revision. */
	v->vmsr.misc_enable = BIT(0) | BIT(11) | BIT(12);
	v->vmsr.ucode_rev = 0;
	if (d & BIT(12)) {                      /* MTRR */
		v->vmsr.mtrr_cap = rdmsr(MSR_MTRRCAP);
		v->vmsr.mtrr_vcnt = (unsigned)(v->vmsr.mtrr_cap & 0xff);
		if (v->vmsr.mtrr_vcnt > ARRAY_SIZE(v->vmsr.mtrr_var) / 2)
			v->vmsr.mtrr_vcnt = ARRAY_SIZE(v->vmsr.mtrr_var) / 2;
		v->vmsr.mtrr_cap = (v->vmsr.mtrr_cap & ~0xfful) | v->vmsr.mtrr_vcnt;
		v->vmsr.mtrr_def = rdmsr(MSR_MTRR_DEF_TYPE);
		for (i = 0; i < 2 * v->vmsr.mtrr_vcnt; i++)
			v->vmsr.mtrr_var[i] = rdmsr(MSR_MTRR_PHYS_FIRST + i);
		if (v->vmsr.mtrr_cap & BIT(8)) {        /* fixed ranges */
			for (i = 0; i < ARRAY_SIZE(v->vmsr.mtrr_fixed); i++) {
				static const uint32_t fixed[11] = {
					MSR_MTRR_FIX64K, MSR_MTRR_FIX16K_80000, MSR_MTRR_FIX16K_A0000,
					0x268, 0x269, 0x26a, 0x26b, 0x26c, 0x26d, 0x26e, 0x26f,
				};
				v->vmsr.mtrr_fixed[i] = rdmsr(fixed[i]);
			}
		}
	}
}

/* RDMSR or WRMSR that exited: emulated, or #GP. */
static void msr_exit(struct vcpu *v, int write)
{
	uint32_t msr = (uint32_t)v->regs.rcx;
	uint64_t val = (v->regs.rdx << 32) | (uint32_t)v->regs.rax;
	const struct msr_rule *r = msr_rule_for(msr);
	unsigned how = r ? (write ? r->write : r->read) : MSR_DENY;

	if (how != MSR_EMULATE || r->emulate(v, msr, write, &val)) {
		vcpu_inject_gp(v);
		return;
	}
	if (v->stopped)
		return;
	if (!write) {
		v->regs.rax = (uint32_t)val;
		v->regs.rdx = val >> 32;
	}
	vcpu_skip_insn(v);
}

void msr_read_exit(struct vcpu *v)
{
	msr_exit(v, 0);
}

void msr_write_exit(struct vcpu *v)
{
	msr_exit(v, 1);
}

/* The guest's value of an MSR the areas switch (as of the last exit). */
uint64_t msr_guest_value(const struct vcpu *v, uint32_t msr)
{
	unsigned i;

	for (i = 0; i < v->msr_area_count; i++)
		if (v->msr_guest_area[i].index == msr)
			return v->msr_guest_area[i].value;
	return 0;
}
