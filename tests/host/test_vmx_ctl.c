/*
 * test_vmx_ctl.c - host tests of the VMX control-word adjustment.
 *
 * Built from the real hv/vmx_ctl.c. vmx_ctl_adjust() turns a capability
 * MSR (SDM vol. 3D, A.3-A.5: low half the allowed-0 settings, a 1 there
 * meaning the control must be 1; high half the allowed-1 settings, a 0
 * there meaning it must be 0) and the controls the hypervisor wants and
 * needs into the word it writes to the VMCS. The cases use made-up but
 * plausible MSR values, then check the rules on many pseudo-random ones.
 * Runs on the build host.
 */
/* SPDX-License-Identifier: MIT */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "hv.h"

#define CAP(allowed0, allowed1) \
	((uint64_t)(uint32_t)(allowed1) << 32 | (uint32_t)(allowed0))

/* Primary processor-based controls used below (25.6.2, table 25-6). */
#define CR3_LOAD_EXITING        BIT(15)
#define CR3_STORE_EXITING       BIT(16)
#define HLT_EXITING             BIT(7)
#define RDTSC_EXITING           BIT(12)

struct adj {
	int r;
	uint32_t out, missing;
};

static struct adj adjust(uint64_t cap, uint32_t want, uint32_t need)
{
	struct adj a = { 0x5a5a, 0xdeadbeef, 0xdeadbeef };

	a.r = vmx_ctl_adjust(cap, want, need, &a.out, &a.missing);
	return a;
}

int main(void)
{
	struct adj a;

	TEST("must-be-1 bits are set though nobody asked for them") {
		a = adjust(CAP(0x16, 0xffffffff), 0, 0);
		CHECK(a.r == 0 && a.out == 0x16 && a.missing == 0,
		      "r %d out 0x%x missing 0x%x", a.r, a.out, a.missing);
		a = adjust(CAP(0x16, 0x7f), BIT(0) | BIT(3), 0);
		CHECK(a.r == 0 && a.out == 0x1f, "r %d out 0x%x", a.r, a.out);
		a = adjust(CAP(0x80000001, 0xffffffff), 0, BIT(4));
		CHECK(a.r == 0 && a.out == 0x80000011, "r %d out 0x%x", a.r, a.out);
	}

	TEST("wanted bits that may not be 1 are dropped silently") {
		a = adjust(CAP(0, 0x0000ff00), 0x0001ff01, 0);
		CHECK(a.r == 0, "r %d", a.r);
		CHECK(a.out == 0xff00, "out 0x%x, want 0xff00", a.out);
		CHECK(a.missing == 0, "missing 0x%x", a.missing);
		a = adjust(CAP(0, 0), 0xffffffff, 0);
		CHECK(a.r == 0 && a.out == 0 && a.missing == 0,
		      "r %d out 0x%x missing 0x%x", a.r, a.out, a.missing);
	}

	TEST("needed bits that may not be 1: -1, missing = the lowest such bit") {
		a = adjust(CAP(0x16, 0x000000f7), 0, BIT(3) | BIT(9));
		CHECK(a.r == -1, "r %d", a.r);
		CHECK(a.missing == BIT(3), "missing 0x%x, want bit 3", a.missing);
		a = adjust(CAP(0x16, 0x0000fdff), BIT(1), BIT(9) | BIT(31) | BIT(4));
		CHECK(a.r == -1 && a.missing == BIT(9), "r %d missing 0x%x", a.r, a.missing);
		a = adjust(CAP(0, 0x7fffffff), 0, BIT(31));
		CHECK(a.r == -1 && a.missing == BIT(31), "r %d missing 0x%x", a.r, a.missing);
		a = adjust(CAP(0, 0xfffffffe), 0, 0xffffffff);
		CHECK(a.r == -1 && a.missing == BIT(0), "r %d missing 0x%x", a.r, a.missing);
		/* Wanting a forbidden bit is no error; needing it is. */
		a = adjust(CAP(0, 0xfffffff0), BIT(2), 0);
		CHECK(a.r == 0 && a.missing == 0, "r %d missing 0x%x", a.r, a.missing);
	}

	TEST("needed bits that may be 1 are set") {
		a = adjust(CAP(0x16, 0x000000ff), 0, BIT(3) | BIT(5));
		CHECK(a.r == 0 && a.out == 0x3e && a.missing == 0,
		      "r %d out 0x%x missing 0x%x", a.r, a.out, a.missing);
		a = adjust(CAP(0, 0xffffffff), BIT(1), BIT(1) | BIT(31));
		CHECK(a.r == 0 && a.out == (BIT(1) | BIT(31)), "r %d out 0x%x", a.r, a.out);
	}

	TEST("plausible pin-based, secondary, exit and entry MSRs") {
		/* Pin-based: external-interrupt, NMI exiting, preemption timer. */
		a = adjust(CAP(0x00000016, 0x0000007f), BIT(6), BIT(0) | BIT(3));
		CHECK(a.r == 0 && a.out == 0x5f, "pin: r %d out 0x%x", a.r, a.out);
		/* No preemption timer on this CPU: wanted, so dropped. */
		a = adjust(CAP(0x00000016, 0x0000003f), BIT(6), BIT(0) | BIT(3));
		CHECK(a.r == 0 && a.out == 0x1f, "pin without timer: r %d out 0x%x", a.r, a.out);

		/* Secondary: no allowed-0 bits (A.3.3); EPT + unrestricted guest. */
		a = adjust(CAP(0, 0x005100ff),
			   SECONDARY_ENABLE_RDTSCP | SECONDARY_ENABLE_INVPCID,
			   SECONDARY_ENABLE_EPT | SECONDARY_UNRESTRICTED_GUEST);
		CHECK(a.r == 0 && a.out == (SECONDARY_ENABLE_EPT | SECONDARY_UNRESTRICTED_GUEST |
					    SECONDARY_ENABLE_RDTSCP),
		      "secondary: r %d out 0x%x", a.r, a.out);
		/* A CPU with EPT but no unrestricted guest is refused, and says why. */
		a = adjust(CAP(0, 0x0000007f), 0,
			   SECONDARY_ENABLE_EPT | SECONDARY_UNRESTRICTED_GUEST);
		CHECK(a.r == -1 && a.missing == SECONDARY_UNRESTRICTED_GUEST,
		      "secondary: r %d missing 0x%x", a.r, a.missing);

		/* Exit controls: 64-bit host needed; PAT/EFER save/load wanted. */
		a = adjust(CAP(0x00036dff, 0x003fffff),
			   EXIT_SAVE_IA32_EFER | EXIT_LOAD_IA32_EFER | EXIT_LOAD_IA32_PAT,
			   EXIT_HOST_ADDRESS_SPACE_SIZE);
		CHECK(a.r == 0 && a.out == (0x00036dff | EXIT_HOST_ADDRESS_SPACE_SIZE |
					    EXIT_SAVE_IA32_EFER | EXIT_LOAD_IA32_EFER |
					    EXIT_LOAD_IA32_PAT),
		      "exit: r %d out 0x%x", a.r, a.out);
		/* Entry: the true MSR lets load-debug-controls (bit 2) be 0. */
		a = adjust(CAP(0x000011fb, 0x0000ffff), ENTRY_LOAD_IA32_EFER, 0);
		CHECK(a.r == 0 && a.out == (0x11fb | ENTRY_LOAD_IA32_EFER) &&
		      (a.out & ENTRY_LOAD_DEBUG_CONTROLS) == 0,
		      "entry (true): r %d out 0x%x", a.r, a.out);
		CHECK(!(a.out & ENTRY_IA32E_MODE_GUEST), "IA-32e mode guest set unasked");
	}

	TEST("CR3-load/store exiting: forced by the plain MSR, clearable with TRUE") {
		/* Processor-based, allowed-1 as on Bochs tigerlake. */
		const uint32_t allowed1 = 0xfff9fffe;
		const uint64_t plain = CAP(0x0401e172, allowed1);
		const uint64_t true_ = CAP(0x04006172, allowed1);
		const uint32_t want = HLT_EXITING | CPU_USE_IO_BITMAPS | CPU_USE_MSR_BITMAPS |
				      CPU_ACTIVATE_SECONDARY_CONTROLS;

		a = adjust(plain, want, CPU_ACTIVATE_SECONDARY_CONTROLS);
		CHECK(a.r == 0, "plain: r %d", a.r);
		CHECK((a.out & (CR3_LOAD_EXITING | CR3_STORE_EXITING)) ==
		      (CR3_LOAD_EXITING | CR3_STORE_EXITING),
		      "plain MSR: CR3 exiting cleared though must be 1: out 0x%x", a.out);
		CHECK(a.out == (0x0401e172 | want), "plain: out 0x%x, want 0x%x",
		      a.out, 0x0401e172 | want);

		a = adjust(true_, want, CPU_ACTIVATE_SECONDARY_CONTROLS);
		CHECK(a.r == 0, "true: r %d", a.r);
		CHECK((a.out & (CR3_LOAD_EXITING | CR3_STORE_EXITING)) == 0,
		      "TRUE MSR: CR3 exiting still set: out 0x%x", a.out);
		CHECK(a.out == (0x04006172 | want), "true: out 0x%x, want 0x%x",
		      a.out, 0x04006172 | want);
		CHECK(!(a.out & RDTSC_EXITING), "RDTSC exiting set unasked");

		/* Wanted CR3 exiting stays on with the true MSR too. */
		a = adjust(true_, want | CR3_LOAD_EXITING, 0);
		CHECK(a.r == 0 && (a.out & CR3_LOAD_EXITING) && !(a.out & CR3_STORE_EXITING),
		      "true, CR3-load wanted: out 0x%x", a.out);
		/* Bits 17 (tertiary controls) and 18 are 0 in allowed-1: needing them fails. */
		a = adjust(true_, 0, BIT(18) | BIT(17));
		CHECK(a.r == -1 && a.missing == BIT(17), "r %d missing 0x%x", a.r, a.missing);
	}

	TEST("the rules hold for many consistent MSRs") {
		uint64_t x = 0x243f6a8885a308d3ull;
		unsigned i, bad = 0;

		for (i = 0; i < 100000 && bad < 4; i++) {
			uint32_t may, must, want, need, lacking;

			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			may = (uint32_t)x | (uint32_t)(x >> 32);        /* dense allowed-1 */
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			must = may & (uint32_t)x & (uint32_t)(x >> 32); /* sparse, within may */
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			want = (uint32_t)x;
			need = (uint32_t)(x >> 32) & (uint32_t)(x >> 16) &
			       ((i & 1) ? may : 0xffffffff);
			lacking = need & ~may;
			a = adjust(CAP(must, may), want, need);
			bad += !CHECK(a.r == (lacking ? -1 : 0), "i=%u r %d", i, a.r);
			bad += !CHECK(a.missing == (lacking & (~lacking + 1)),
				      "i=%u missing 0x%x lacking 0x%x", i, a.missing, lacking);
			if (!lacking) {
				bad += !CHECK((a.out & must) == must, "i=%u must-be-1 lost", i);
				bad += !CHECK((a.out & ~may) == 0, "i=%u forbidden bit set", i);
				bad += !CHECK((a.out & need) == need, "i=%u needed bit lost", i);
				bad += !CHECK(a.out == ((want | need | must) & may),
					      "i=%u out 0x%x", i, a.out);
			}
		}
	}

	return check_summary();
}
