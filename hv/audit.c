/*
 * audit.c - the hypervisor checks its own promise that no guest value is
 * ever live in root mode: the root-mode registers a guest could reach
 * (the MSRs VMX switches for it, its MTRRs, XCR0, the control and debug
 * registers) are read just before the first VM entry and again after the
 * run, and each one that differs is named. A guest cannot see root mode,
 * so this line is how a hostile-guest test knows the switch held.
 *
 * Environment: hypervisor, root mode, at boot and at the end of the run.
 */
/* SPDX-License-Identifier: MIT */
#include "hv.h"
#include "lib.h"
#include "x86.h"

enum { A_MSR, A_CR0, A_CR3, A_CR4, A_DR7, A_XCR0 };

struct audit_reg {
	const char *name;
	uint8_t kind;
	uint32_t msr;
	uint8_t needs;          /* 0, or the feature below it needs */
};

#define NEEDS_RDTSCP    1
#define NEEDS_MTRR      2
#define NEEDS_XSAVE     3

static const struct audit_reg regs[] = {
	{ "EFER", A_MSR, 0xc0000080, 0 },
	{ "STAR", A_MSR, 0xc0000081, 0 },
	{ "LSTAR", A_MSR, 0xc0000082, 0 },
	{ "CSTAR", A_MSR, 0xc0000083, 0 },
	{ "SFMASK", A_MSR, 0xc0000084, 0 },
	{ "KERNEL_GS_BASE", A_MSR, 0xc0000102, 0 },
	{ "TSC_AUX", A_MSR, 0xc0000103, NEEDS_RDTSCP },
	{ "SYSENTER_CS", A_MSR, 0x174, 0 },
	{ "SYSENTER_ESP", A_MSR, 0x175, 0 },
	{ "SYSENTER_EIP", A_MSR, 0x176, 0 },
	{ "DEBUGCTL", A_MSR, 0x1d9, 0 },
	{ "PAT", A_MSR, 0x277, 0 },
	{ "MTRR_DEF_TYPE", A_MSR, 0x2ff, NEEDS_MTRR },
	{ "MTRR_PHYSBASE0", A_MSR, 0x200, NEEDS_MTRR },
	{ "MTRR_PHYSMASK0", A_MSR, 0x201, NEEDS_MTRR },
	{ "MTRR_FIX64K_00000", A_MSR, 0x250, NEEDS_MTRR },
	{ "CR0", A_CR0, 0, 0 },
	{ "CR3", A_CR3, 0, 0 },
	{ "CR4", A_CR4, 0, 0 },
	{ "DR7", A_DR7, 0, 0 },
	{ "XCR0", A_XCR0, 0, NEEDS_XSAVE },
};

static uint64_t at_boot[ARRAY_SIZE(regs)];
static int have[4];

static uint64_t read_reg(const struct audit_reg *r)
{
	uint64_t v = 0;

	switch (r->kind) {
	case A_MSR: return rdmsr(r->msr);
	case A_CR0: asm volatile("mov %%cr0, %0" : "=r"(v)); return v;
	case A_CR3: asm volatile("mov %%cr3, %0" : "=r"(v)); return v;
	case A_CR4: asm volatile("mov %%cr4, %0" : "=r"(v)); return v;
	case A_DR7: asm volatile("mov %%dr7, %0" : "=r"(v)); return v;
	case A_XCR0: return xgetbv(0);
	}
	return v;
}

void audit_snapshot(void)
{
	uint32_t a, b, c, d;
	unsigned i;

	cpuid(0x80000001, 0, &a, &b, &c, &d);
	have[NEEDS_RDTSCP] = !!(d & BIT(27));
	cpuid(1, 0, &a, &b, &c, &d);
	have[NEEDS_MTRR] = !!(d & BIT(12));
	have[NEEDS_XSAVE] = !!(c & BIT(26));
	have[0] = 1;
	for (i = 0; i < ARRAY_SIZE(regs); i++)
		if (have[regs[i].needs])
			at_boot[i] = read_reg(&regs[i]);
}

/* Prints one line: all as at boot, or each register that is not. */
int audit_check(void)
{
	unsigned i, n = 0, bad = 0;

	for (i = 0; i < ARRAY_SIZE(regs); i++) {
		uint64_t now;

		if (!have[regs[i].needs])
			continue;
		n++;
		now = read_reg(&regs[i]);
		if (now != at_boot[i]) {
			kprintf("hv: audit: FAIL: root mode's %s is 0x%lx, 0x%lx at boot\n",
				regs[i].name, now, at_boot[i]);
			bad++;
		}
	}
	if (!bad)
		kprintf("hv: audit: root mode as at boot: %u registers a guest could reach\n", n);
	return bad;
}
