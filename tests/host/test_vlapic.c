/*
 * test_vlapic.c - host tests of the virtual local APIC model (hv/vlapic.c).
 *
 * Built from the real hv/vlapic.c. Each case starts from a fresh APIC
 * (xAPIC mode, ID 0, the timer clocked at 3 TSC ticks per bus tick so
 * that a forgotten ratio shows) and drives it through its two front ends
 * the way a guest would, with hostile inputs: reserved bits, every x2APIC
 * MSR index, every IA32_APIC_BASE EN/EXTD pair from every state, every
 * divide value, late and missed timer expiries, every ICR delivery mode
 * and shorthand. The expected values are written here from the SDM (vol.
 * 3A, chapter 11), not computed by the code under test. Runs on the
 * build host.
 */
/* SPDX-License-Identifier: MIT */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "vlapic.h"

#define TPB     3u              /* TSC ticks per bus tick in these tests */
#define EN      APIC_BASE_EN
#define EXTD    APIC_BASE_EXTD
#define BASE    APIC_BASE_DEFAULT

static struct vlapic vl;

/* A fresh APIC, software-enabled with spurious vector 0xff. */
static void fresh(uint32_t id)
{
	vlapic_init(&vl, id, 1, TPB, 1, 46);
	CHECK(vlapic_mmio_write(&vl, APIC_SVR, 4, APIC_SVR_ENABLE | 0xff, 0) == VLAPIC_OK,
	      "SVR write");
}

static uint32_t rd(uint32_t off, uint64_t now)
{
	uint32_t v = 0xdeadbeef;

	CHECK(vlapic_mmio_read(&vl, off, 4, &v, now) == VLAPIC_OK, "read 0x%x", off);
	return v;
}

static enum vlapic_status wr(uint32_t off, uint32_t v, uint64_t now)
{
	return vlapic_mmio_write(&vl, off, 4, v, now);
}

static void to_x2apic(void)
{
	CHECK(vlapic_set_base(&vl, BASE | EN | EXTD) == VLAPIC_OK, "to x2APIC");
}

static uint64_t msr(uint32_t m, uint64_t now)
{
	uint64_t v = 0xdeadbeef;

	CHECK(vlapic_msr_read(&vl, m, &v, now) == VLAPIC_OK, "rdmsr 0x%x", m);
	return v;
}

static int irr(unsigned v)
{
	return (vl.irr[v / 32] >> (v % 32)) & 1;
}

static int isr(unsigned v)
{
	return (vl.isr[v / 32] >> (v % 32)) & 1;
}

static int irr_empty(void)
{
	for (int i = 0; i < 8; i++)
		if (vl.irr[i])
			return 0;
	return 1;
}

/* What ESR shows after the write that latches it. */
static uint32_t esr(uint64_t now)
{
	CHECK(wr(APIC_ESR, 0, now) == VLAPIC_OK, "ESR write");
	return rd(APIC_ESR, now);
}

/* ---- the x2APIC MSR map, from SDM vol. 3A table 11-6 ---------------------- */
#define R 1
#define W 2
/* The policy for a one-CPU guest (vl alone). */
static struct vlapic_verdict verdict1(const struct vlapic_icr *d)
{
	const struct vlapic *const one[1] = { &vl };

	return vlapic_ipi_verdict(one, 1, 0, d, 0);
}

static unsigned x2apic_access(uint32_t m)
{
	if (m >= 0x810 && m <= 0x827)           /* ISR, TMR, IRR */
		return R;
	if (m >= 0x832 && m <= 0x837)           /* LVT timer .. error */
		return R | W;
	switch (m) {
	case 0x802: return R;                   /* ID */
	case 0x803: return R;                   /* version */
	case 0x808: return R | W;               /* TPR */
	case 0x80a: return R;                   /* PPR */
	case 0x80b: return W;                   /* EOI */
	case 0x80d: return R;                   /* LDR */
	case 0x80f: return R | W;               /* SVR */
	case 0x828: return R | W;               /* ESR */
	/* 0x82f, LVT CMCI: not modelled (version says 6 LVT entries) */
	case 0x830: return R | W;               /* ICR, 64 bits */
	case 0x838: return R | W;               /* initial count */
	case 0x839: return R;                   /* current count */
	case 0x83e: return R | W;               /* divide configuration */
	case 0x83f: return W;                   /* SELF IPI */
	}
	return 0;
}

int main(void)
{
	TEST("power-up state: xAPIC at 0xfee00000, registers as SDM 11.4.7.1 says") {
		vlapic_init(&vl, 7, 1, TPB, 1, 46);
		CHECK(vl.base == (BASE | EN | APIC_BASE_BSP), "base 0x%lx", (unsigned long)vl.base);
		CHECK(vlapic_mode(&vl) == VLAPIC_XAPIC, "mode");
		CHECK(rd(APIC_ID, 0) == 7u << 24, "ID 0x%x", rd(APIC_ID, 0));
		CHECK(rd(APIC_VERSION, 0) == 0x00050014, "version 0x%x", rd(APIC_VERSION, 0));
		CHECK(rd(APIC_SVR, 0) == 0xff, "SVR 0x%x", rd(APIC_SVR, 0));
		CHECK(rd(APIC_DFR, 0) == 0xffffffff, "DFR");
		CHECK(rd(APIC_TPR, 0) == 0 && rd(APIC_PPR, 0) == 0 && rd(APIC_LDR, 0) == 0, "zeros");
		for (uint32_t off = APIC_LVT_TIMER; off <= APIC_LVT_ERROR; off += 16)
			CHECK(rd(off, 0) == APIC_LVT_MASKED, "LVT 0x%x = 0x%x", off, rd(off, 0));
		CHECK(vlapic_timer_next_deadline(&vl) == VLAPIC_NO_DEADLINE, "timer idle");
		CHECK(vlapic_highest_deliverable(&vl) == VLAPIC_NONE, "nothing pending");
	}

	TEST("IA32_APIC_BASE: every EN/EXTD pair from every state (11.12.5)") {
		/* want[from][to], states indexed EN * 2 + EXTD; from 01 is
		 * unreachable: every write asking for it faults (column 1). */
		static const int ok[4][4] = {
			/* to:      00 01 10 11 */
			[0] =     { 1, 0, 1, 0 },       /* disabled */
			[2] =     { 1, 0, 1, 1 },       /* xAPIC */
			[3] =     { 1, 0, 0, 1 },       /* x2APIC */
		};
		static const uint64_t bits[4] = { 0, EXTD, EN, EN | EXTD };

		for (int from = 0; from < 4; from++) {
			if (from == 1)
				continue;
			for (int to = 0; to < 4; to++) {
				enum vlapic_status s;

				fresh(0);
				if (from == 0)
					CHECK(vlapic_set_base(&vl, BASE) == VLAPIC_OK, "disable");
				if (from == 3)
					to_x2apic();
				s = vlapic_set_base(&vl, BASE | bits[to]);
				CHECK(s == (ok[from][to] ? VLAPIC_OK : VLAPIC_GP),
				      "%d%d -> %d%d: %d", from >> 1, from & 1, to >> 1, to & 1, s);
				CHECK((vl.base & (EN | EXTD)) == (ok[from][to] ? bits[to] : bits[from]),
				      "%d -> %d: base 0x%lx", from, to, (unsigned long)vl.base);
				CHECK((vl.base & (EN | EXTD)) != EXTD, "invalid state reached");
			}
		}
	}

	TEST("IA32_APIC_BASE: reserved bits fault, BSP is not the guest's, EXTD needs x2APIC") {
		fresh(0);
		for (int b = 0; b < 64; b++) {
			uint64_t v = BASE | EN | (1ull << b);
			int reserved = b < 8 || b == 9 || b >= 46;

			if (b == 10 || b == 11)
				continue;
			CHECK((vlapic_set_base(&vl, v) == VLAPIC_GP) == reserved, "bit %d", b);
			vlapic_set_base(&vl, BASE | EN);
		}
		CHECK(vlapic_set_base(&vl, BASE | EN) == VLAPIC_OK && (vl.base & APIC_BASE_BSP),
		      "clearing BSP is ignored");
		CHECK(vlapic_set_base(&vl, 0xfec00000ull | EN) == VLAPIC_OK &&
		      (vl.base & APIC_BASE_ADDR_MASK) == 0xfec00000ull, "the base may move");
		vlapic_init(&vl, 0, 0, TPB, 0, 46);
		CHECK(vlapic_set_base(&vl, BASE | EN | EXTD) == VLAPIC_GP, "no x2APIC: EXTD reserved");
		CHECK(!(vl.base & APIC_BASE_BSP), "AP");
	}

	TEST("disabling loses the registers, keeps the ID; the page and MSRs go away") {
		uint32_t v;
		uint64_t m;

		fresh(0x12);
		wr(APIC_TPR, 0x50, 0);
		wr(APIC_LVT_TIMER, 0x40, 0);
		wr(APIC_TIMER_ICR, 1000, 0);
		vlapic_set_irr(&vl, 0x80, 1);
		CHECK(vlapic_set_base(&vl, BASE) == VLAPIC_OK, "disable");
		CHECK(vlapic_mmio_read(&vl, APIC_ID, 4, &v, 0) == VLAPIC_ABSENT, "page absent");
		CHECK(vlapic_msr_read(&vl, 0x802, &m, 0) == VLAPIC_GP, "MSR #GP");
		CHECK(vlapic_highest_deliverable(&vl) == VLAPIC_NONE, "nothing delivered");
		CHECK(vlapic_set_irr(&vl, 0x90, 0) == 0, "nothing accepted");
		CHECK(vlapic_timer_next_deadline(&vl) == VLAPIC_NO_DEADLINE, "timer stopped");
		CHECK(vlapic_set_base(&vl, BASE | EN) == VLAPIC_OK, "re-enable");
		CHECK(rd(APIC_ID, 0) == 0x12u << 24, "ID kept");
		CHECK(rd(APIC_TPR, 0) == 0 && rd(APIC_SVR, 0) == 0xff && irr_empty(), "reset state");
		CHECK(rd(APIC_LVT_TIMER, 0) == APIC_LVT_MASKED && rd(APIC_TIMER_ICR, 0) == 0, "timer reset");
	}

	TEST("xAPIC -> x2APIC: registers kept, ID 32-bit, LDR derived; page absent") {
		uint32_t v;

		fresh(0x1234);
		wr(APIC_TPR, 0x30, 0);
		to_x2apic();
		CHECK(msr(0x802, 0) == 0x1234, "ID 0x%lx", (unsigned long)msr(0x802, 0));
		CHECK(msr(0x808, 0) == 0x30, "TPR kept");
		CHECK(msr(0x80d, 0) == ((0x123u << 16) | (1u << 4)), "LDR 0x%lx",
		      (unsigned long)msr(0x80d, 0));
		CHECK(vlapic_mmio_read(&vl, APIC_TPR, 4, &v, 0) == VLAPIC_ABSENT, "page absent");
		CHECK(vlapic_mmio_write(&vl, APIC_TPR, 4, 0, 0) == VLAPIC_ABSENT, "page absent (write)");
	}

	TEST("every x2APIC MSR 0x800-0x8ff, read and write, against table 11-6") {
		for (uint32_t m = X2APIC_MSR_FIRST; m <= X2APIC_MSR_LAST; m++) {
			unsigned a = x2apic_access(m);
			uint64_t v;

			fresh(0);
			CHECK(vlapic_msr_read(&vl, m, &v, 0) == VLAPIC_GP, "xAPIC mode: rdmsr 0x%x", m);
			CHECK(vlapic_msr_write(&vl, m, 0, 0) == VLAPIC_GP, "xAPIC mode: wrmsr 0x%x", m);
			to_x2apic();
			CHECK((vlapic_msr_read(&vl, m, &v, 0) == VLAPIC_OK) == !!(a & R),
			      "rdmsr 0x%x", m);
			CHECK((vlapic_msr_write(&vl, m, 0, 0) == VLAPIC_OK) == !!(a & W),
			      "wrmsr 0x%x, 0", m);
			/* Bits 63:32 are reserved everywhere but the ICR. */
			if ((a & W) && m != 0x830)
				CHECK(vlapic_msr_write(&vl, m, 1ull << 32, 0) == VLAPIC_GP,
				      "wrmsr 0x%x, bit 32", m);
		}
		fresh(0);
		to_x2apic();
		CHECK(vlapic_msr_read(&vl, 0x7ff, &(uint64_t){0}, 0) == VLAPIC_GP, "0x7ff not ours");
		CHECK(vlapic_msr_read(&vl, 0x900, &(uint64_t){0}, 0) == VLAPIC_GP, "0x900 not ours");
	}

	TEST("x2APIC reserved bits: each writable register refuses a 1 outside its fields") {
		static const struct { uint32_t m; uint64_t writable; } regs[] = {
			{ 0x808, 0xff },                                /* TPR */
			{ 0x80b, 0 },                                   /* EOI */
			{ 0x80f, 0x3ff },                               /* SVR: no bit 12 */
			{ 0x828, 0 },                                   /* ESR */
			{ 0x830, 0xffffffff000cdfffull },               /* ICR: bit 12 ignored */
			{ 0x832, 0x710ffull },                          /* timer (bit 12 RO) */
			{ 0x833, 0x117ffull },                          /* thermal */
			{ 0x834, 0x117ffull },                          /* PMC */
			{ 0x835, 0x1f7ffull },                          /* LINT0 (12, 14 RO) */
			{ 0x836, 0x1f7ffull },                          /* LINT1 */
			{ 0x837, 0x110ffull },                          /* error */
			{ 0x838, 0xffffffffull },                       /* initial count */
			{ 0x83e, 0xbull },                              /* divide */
			{ 0x83f, 0xffull },                             /* SELF IPI */
		};

		for (unsigned i = 0; i < sizeof(regs) / sizeof(regs[0]); i++)
			for (int b = 0; b < 64; b++) {
				uint64_t v = 1ull << b;
				enum vlapic_status s;

				fresh(0);
				to_x2apic();
				/* A fixed IPI to self with vector 0x40, so that only
				 * the bit under test is new. */
				if (regs[i].m == 0x830 && b != 6)
					v |= 0x40;
				s = vlapic_msr_write(&vl, regs[i].m, v, 0);
				if (regs[i].m == 0x830 && b >= 8 && b <= 10 && b != 8)
					continue;       /* other delivery modes: the ICR test */
				CHECK((s == VLAPIC_GP) == !((regs[i].writable >> b) & 1),
				      "wrmsr 0x%x bit %d: %d", regs[i].m, b, s);
			}
		fresh(0);
		to_x2apic();
		CHECK(vlapic_msr_write(&vl, 0x832, APIC_TIMER_RESERVED, 0) == VLAPIC_GP,
		      "timer mode 11b is reserved");
	}

	TEST("xAPIC page: bad sizes stop the guest, reserved offsets set ESR bit 7") {
		uint32_t v;

		fresh(0);
		for (unsigned size = 0; size <= 8; size++)
			for (uint32_t off = APIC_TPR; off < APIC_TPR + 16; off++) {
				enum vlapic_status want = size == 4 && off == APIC_TPR ?
							  VLAPIC_OK : VLAPIC_STOP;

				vl.stop_reason = NULL;
				CHECK(vlapic_mmio_read(&vl, off, size, &v, 0) == want,
				      "read %u at 0x%x", size, off);
				CHECK(vlapic_mmio_write(&vl, off, size, 0, 0) == want,
				      "write %u at 0x%x", size, off);
				CHECK(want == VLAPIC_OK || (vl.stop_reason &&
				      strstr(vl.stop_reason, "11.4.1")), "reason");
			}
		CHECK(vlapic_mmio_read(&vl, 0x1000, 4, &v, 0) == VLAPIC_STOP, "past the page");
		/* Reserved offsets: 0x000, 0x010, 0x040-0x070, 0x290-0x2f0,
		 * 0x3a0-0x3d0, 0x3f0 and above. */
		static const uint32_t reserved[] = { 0x000, 0x010, 0x040, 0x050, 0x060, 0x070,
			0x290, 0x2a0, 0x2e0, 0x2f0, 0x3a0, 0x3d0, 0x3f0, 0x400, 0xff0 };
		for (unsigned i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++) {
			fresh(0);
			esr(0);
			CHECK(rd(reserved[i], 0) == 0, "0x%x reads 0", reserved[i]);
			CHECK(esr(0) == APIC_ESR_ILLEGAL_REG, "0x%x read: ESR", reserved[i]);
			CHECK(wr(reserved[i], ~0u, 0) == VLAPIC_OK, "0x%x write", reserved[i]);
			CHECK(esr(0) == APIC_ESR_ILLEGAL_REG, "0x%x write: ESR", reserved[i]);
		}
		/* A defined register sets no error. */
		fresh(0);
		esr(0);
		rd(APIC_TPR, 0);
		CHECK(esr(0) == 0, "TPR read: no error");
	}

	TEST("xAPIC page: read-only registers ignore writes, writable bits only") {
		fresh(3);
		wr(APIC_ID, 0x55000000, 0);
		CHECK(rd(APIC_ID, 0) == 3u << 24, "ID read-only");
		wr(APIC_VERSION, 0, 0);
		CHECK(rd(APIC_VERSION, 0) == VLAPIC_VERSION, "version read-only");
		wr(APIC_PPR, 0xff, 0);
		wr(APIC_IRR + 0x70, ~0u, 0);
		wr(APIC_ISR, ~0u, 0);
		CHECK(rd(APIC_PPR, 0) == 0 && irr_empty() && !isr(255), "PPR, IRR, ISR read-only");
		CHECK(esr(0) == 0, "read-only registers set no error");
		wr(APIC_TPR, ~0u, 0);
		CHECK(rd(APIC_TPR, 0) == 0xff, "TPR 7:0");
		wr(APIC_LDR, ~0u, 0);
		CHECK(rd(APIC_LDR, 0) == 0xff000000, "LDR 31:24");
		wr(APIC_DFR, 0, 0);
		CHECK(rd(APIC_DFR, 0) == 0x0fffffff, "DFR 31:28, rest ones");
		wr(APIC_SVR, ~0u, 0);
		CHECK(rd(APIC_SVR, 0) == 0x3ff, "SVR 0x%x", rd(APIC_SVR, 0));
		wr(APIC_TIMER_DCR, ~0u, 0);
		CHECK(rd(APIC_TIMER_DCR, 0) == 0xb, "DCR");
		wr(APIC_ICR_HI, ~0u, 0);
		CHECK(rd(APIC_ICR_HI, 0) == 0xff000000, "ICR high");
		wr(APIC_LVT_TIMER, ~0u, 0);
		CHECK(rd(APIC_LVT_TIMER, 0) == 0x700ff, "timer LVT 0x%x", rd(APIC_LVT_TIMER, 0));
		wr(APIC_LVT_LINT0, ~0u, 0);
		CHECK(rd(APIC_LVT_LINT0, 0) == 0x1a7ff, "LINT0 0x%x", rd(APIC_LVT_LINT0, 0));
		wr(APIC_LVT_THERMAL, ~0u, 0);
		CHECK(rd(APIC_LVT_THERMAL, 0) == 0x107ff, "thermal");
		wr(APIC_LVT_ERROR, ~0u, 0);
		CHECK(rd(APIC_LVT_ERROR, 0) == 0x100ff, "error LVT");
	}

	TEST("ESR: errors show only after a write; a write starts afresh; error LVT fires") {
		fresh(0);
		CHECK(vlapic_set_irr(&vl, 5, 0) == 0, "vector 5 refused");
		CHECK(rd(APIC_ESR, 0) == 0, "not yet visible");
		CHECK(esr(0) == APIC_ESR_RECV_ILLEGAL, "visible after the write");
		CHECK(esr(0) == 0, "cleared by the next write");
		wr(APIC_LVT_ERROR, 0xe0, 0);
		vlapic_set_irr(&vl, 15, 0);
		CHECK(irr(0xe0), "error LVT vector raised");
		CHECK(!irr(15), "the illegal vector itself is not");
		wr(APIC_LVT_ERROR, 0x03, 0);            /* an illegal error vector */
		vlapic_set_irr(&vl, 1, 0);
		CHECK(esr(0) == APIC_ESR_RECV_ILLEGAL, "no loop, one bit");
		to_x2apic();
		CHECK(vlapic_msr_write(&vl, 0x828, 1, 0) == VLAPIC_GP, "x2APIC: ESR write of 1");
		CHECK(vlapic_msr_write(&vl, 0x828, 0, 0) == VLAPIC_OK, "x2APIC: ESR write of 0");
	}

	TEST("priority: TPR classes mask, PPR from TPR and ISRV (11.8.3.1)") {
		fresh(0);
		vlapic_set_irr(&vl, 0x45, 0);
		for (uint32_t tpr = 0; tpr < 256; tpr++) {
			wr(APIC_TPR, tpr, 0);
			CHECK(vlapic_highest_deliverable(&vl) == ((tpr >> 4) < 4 ? 0x45 : VLAPIC_NONE),
			      "TPR 0x%x", tpr);
			CHECK(rd(APIC_PPR, 0) == tpr, "PPR = TPR with nothing in service");
		}
		wr(APIC_TPR, 0, 0);
		CHECK(vlapic_ack(&vl, 0x45) == 0x45 && isr(0x45) && !irr(0x45), "IRR -> ISR");
		CHECK(rd(APIC_PPR, 0) == 0x40, "PPR = ISRV class: 0x%x", rd(APIC_PPR, 0));
		wr(APIC_TPR, 0x37, 0);
		CHECK(rd(APIC_PPR, 0) == 0x40, "TPR class below ISRV's");
		wr(APIC_TPR, 0x4a, 0);
		CHECK(rd(APIC_PPR, 0) == 0x4a, "TPR class equal: PPR = TPR");
		vlapic_set_irr(&vl, 0x4f, 0);
		wr(APIC_TPR, 0, 0);
		CHECK(vlapic_highest_deliverable(&vl) == VLAPIC_NONE, "same class as in service waits");
		vlapic_set_irr(&vl, 0x50, 0);
		CHECK(vlapic_highest_deliverable(&vl) == 0x50, "higher class preempts");
	}

	TEST("CR8: TPR[7:4] both ways, TPR[3:0] cleared; any of bits 63:4 is #GP") {
		fresh(0);
		wr(APIC_TPR, 0x75, 0);
		CHECK(vlapic_cr8_read(&vl) == 7, "TPR 0x75 reads as CR8 %lu",
		      (unsigned long)vlapic_cr8_read(&vl));
		CHECK(vlapic_cr8_write(&vl, 3) == VLAPIC_OK && vl.tpr == 0x30, "CR8 3: TPR 0x%x",
		      vl.tpr);
		for (unsigned b = 4; b < 64; b++)
			CHECK(vlapic_cr8_write(&vl, 1ull << b | 1) == VLAPIC_GP && vl.tpr == 0x30,
			      "bit %u: #GP and nothing written", b);
		CHECK(vlapic_cr8_write(&vl, 0) == VLAPIC_OK && vl.tpr == 0, "CR8 0");
	}

	TEST("nested ISR and EOI order: the highest in service retires first") {
		fresh(0);
		vlapic_set_irr(&vl, 0x31, 0);
		CHECK(vlapic_ack(&vl, 0x31) == 0x31, "take 0x31");
		vlapic_set_irr(&vl, 0x81, 0);
		vlapic_set_irr(&vl, 0x61, 1);
		CHECK(vlapic_ack(&vl, 0x81) == 0x81, "nest 0x81");
		CHECK(vlapic_highest_deliverable(&vl) == VLAPIC_NONE, "0x61 below 0x81's class");
		CHECK(wr(APIC_EOI, 0x1234, 0) == VLAPIC_OK && !isr(0x81), "EOI (any value) retires 0x81");
		CHECK(vlapic_highest_deliverable(&vl) == 0x61, "now 0x61");
		CHECK(vlapic_ack(&vl, 0x61) == 0x61 && (vl.tmr[0x61 / 32] >> (0x61 % 32) & 1),
		      "level-triggered: TMR set");
		CHECK(vlapic_eoi(&vl) == 0x61, "0x61 next");
		CHECK(vlapic_eoi(&vl) == 0x31, "then 0x31");
		CHECK(vlapic_eoi(&vl) == VLAPIC_NONE, "then nothing");
		to_x2apic();
		CHECK(vlapic_msr_write(&vl, 0x80b, 1, 0) == VLAPIC_GP, "x2APIC EOI of 1");
	}

	TEST("ack after TPR rose: the spurious vector, nothing moves (11.9)") {
		fresh(0);
		wr(APIC_SVR, APIC_SVR_ENABLE | 0x3f, 0);
		vlapic_set_irr(&vl, 0x70, 0);
		wr(APIC_TPR, 0x80, 0);
		CHECK(vlapic_ack(&vl, 0x70) == 0x3f, "spurious vector");
		CHECK(irr(0x70) && !isr(0x70), "still pending");
		CHECK(vlapic_ack(&vl, 300) == 0x3f, "out-of-range vector");
	}

	TEST("software-disabled: LVTs masked for good, new fixed refused, pending held") {
		fresh(0);
		vlapic_set_irr(&vl, 0x90, 0);
		wr(APIC_LVT_TIMER, 0x40, 0);
		wr(APIC_LVT_LINT0, 0x700, 0);
		wr(APIC_SVR, 0xff, 0);
		for (uint32_t off = APIC_LVT_TIMER; off <= APIC_LVT_ERROR; off += 16) {
			CHECK(rd(off, 0) & APIC_LVT_MASKED, "0x%x masked", off);
			wr(off, 0x41, 0);
			CHECK(rd(off, 0) == (APIC_LVT_MASKED | 0x41), "0x%x stays masked", off);
		}
		CHECK(vlapic_set_irr(&vl, 0xa0, 0) == 0, "new fixed interrupt refused");
		CHECK(vlapic_highest_deliverable(&vl) == 0x90, "pending one still delivered");
		wr(APIC_SVR, APIC_SVR_ENABLE | 0xff, 0);
		CHECK(rd(APIC_LVT_TIMER, 0) & APIC_LVT_MASKED, "enabling unmasks nothing");
	}

	TEST("illegal vectors 0-15: refused on receipt, every one") {
		for (unsigned v = 0; v < 256; v++) {
			fresh(0);
			esr(0);
			CHECK(vlapic_set_irr(&vl, v, 0) == (v >= 16), "vector %u", v);
			CHECK(irr(v) == (v >= 16), "IRR %u", v);
			CHECK(esr(0) == (v < 16 ? APIC_ESR_RECV_ILLEGAL : 0), "ESR %u", v);
		}
	}

	TEST("one-shot timer: every divide value, count and deadline exact") {
		/* DCR bits 3,1:0 -> divisor (11.5.4); bit 2 is not part of it. */
		static const uint32_t divisor[16] = {
			2, 4, 8, 16, 2, 4, 8, 16, 32, 64, 128, 1, 32, 64, 128, 1 };

		for (uint32_t dcr = 0; dcr < 16; dcr++) {
			uint64_t t0 = 1000003, tick = (uint64_t)divisor[dcr] * TPB;
			uint64_t end = t0 + 1000 * tick;

			fresh(0);
			wr(APIC_TIMER_DCR, dcr, 0);
			wr(APIC_LVT_TIMER, 0x40, t0);
			wr(APIC_TIMER_ICR, 1000, t0);
			CHECK(vlapic_timer_next_deadline(&vl) == end, "DCR 0x%x: deadline %lu, want %lu",
			      dcr, (unsigned long)vlapic_timer_next_deadline(&vl), (unsigned long)end);
			CHECK(rd(APIC_TIMER_CCR, t0) == 1000, "DCR 0x%x: at start", dcr);
			CHECK(rd(APIC_TIMER_CCR, t0 + tick - 1) == 1000, "DCR 0x%x: just before 1 tick", dcr);
			CHECK(rd(APIC_TIMER_CCR, t0 + tick) == 999, "DCR 0x%x: one tick", dcr);
			CHECK(rd(APIC_TIMER_CCR, t0 + 500 * tick) == 500, "DCR 0x%x: half", dcr);
			CHECK(rd(APIC_TIMER_CCR, end - 1) == 1, "DCR 0x%x: last", dcr);
			CHECK(vlapic_timer_expire(&vl, end - 1) == 0 && !irr(0x40), "DCR 0x%x: early", dcr);
			CHECK(vlapic_timer_expire(&vl, end) == 1 && irr(0x40), "DCR 0x%x: fires", dcr);
			CHECK(rd(APIC_TIMER_CCR, end + 5) == 0, "DCR 0x%x: stays 0", dcr);
			CHECK(rd(APIC_TIMER_ICR, end) == 1000, "initial count kept");
			CHECK(vlapic_timer_next_deadline(&vl) == VLAPIC_NO_DEADLINE, "one-shot done");
			CHECK(vlapic_timer_expire(&vl, end + 1000000) == 0, "fires once");
		}
	}

	TEST("one-shot: read after the deadline takes the expiry; 0 stops; divide change") {
		fresh(0);
		wr(APIC_TIMER_DCR, 0xb, 0);             /* divide by 1: 3 TSC per count */
		wr(APIC_LVT_TIMER, 0x40, 0);
		wr(APIC_TIMER_ICR, 10, 100);
		CHECK(rd(APIC_TIMER_CCR, 200) == 0 && irr(0x40), "late read sees it fired");
		vl.irr[2] = 0;
		wr(APIC_TIMER_ICR, 10, 300);
		wr(APIC_TIMER_ICR, 0, 310);
		CHECK(vlapic_timer_next_deadline(&vl) == VLAPIC_NO_DEADLINE, "0 stops it");
		CHECK(vlapic_timer_expire(&vl, 1000) == 0 && !irr(0x40), "and it never fires");
		wr(APIC_TIMER_ICR, 100, 1000);          /* ends at 1300 */
		wr(APIC_TIMER_DCR, 0x0, 1150);          /* 50 left, now 6 TSC each */
		CHECK(rd(APIC_TIMER_CCR, 1150) == 50, "count kept: %u", rd(APIC_TIMER_CCR, 1150));
		CHECK(vlapic_timer_next_deadline(&vl) == 1150 + 50 * 6, "new rate");
	}

	TEST("periodic: re-arms on its grid, late and missed expiries never drift") {
		uint64_t start = 1000, period = 100 * TPB, due;
		uint64_t rng = 0x9e3779b97f4a7c15ull;

		fresh(0);
		wr(APIC_TIMER_DCR, 0xb, 0);
		wr(APIC_LVT_TIMER, APIC_TIMER_PERIODIC | 0x30, 0);
		wr(APIC_TIMER_ICR, 100, start);
		CHECK(vlapic_timer_next_deadline(&vl) == start + period, "first");
		CHECK(vlapic_timer_expire(&vl, start + period + 50) == 1, "late by 50");
		CHECK(vlapic_timer_next_deadline(&vl) == start + 2 * period, "not now + period");
		CHECK(rd(APIC_TIMER_CCR, start + 2 * period - 150) == 50, "count mid-period");
		CHECK(vlapic_timer_expire(&vl, start + 6 * period + 10) == 5, "five due at once");
		CHECK(vlapic_timer_next_deadline(&vl) == start + 7 * period, "still on the grid");
		CHECK(irr(0x30), "vector raised");
		/* A thousand expiries, each taken up to 2.9 periods late. */
		due = start + 7 * period;
		for (int i = 0; i < 1000; i++) {
			unsigned late, n;

			rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17;
			late = rng % (period * 29 / 10);
			n = vlapic_timer_expire(&vl, due + late);
			CHECK(n == 1 + late / period, "expiry %d: %u", i, n);
			due += n * period;
			CHECK(vlapic_timer_next_deadline(&vl) == due, "expiry %d: deadline", i);
			CHECK((due - start) % period == 0, "off the grid");
		}
		CHECK(vl.timer_fired == (due - start) / period - 1, "every period counted");
	}

	TEST("mode changes: one-shot <-> periodic keeps counting, TSC-deadline disarms") {
		fresh(0);
		wr(APIC_TIMER_DCR, 0xb, 0);
		wr(APIC_LVT_TIMER, 0x40, 0);
		wr(APIC_TIMER_ICR, 100, 0);
		wr(APIC_LVT_TIMER, APIC_TIMER_PERIODIC | 0x40, 10);
		CHECK(vlapic_timer_next_deadline(&vl) == 300, "still counting");
		vlapic_timer_expire(&vl, 300);
		CHECK(vlapic_timer_next_deadline(&vl) == 600, "now periodic");
		wr(APIC_LVT_TIMER, APIC_TIMER_TSC_DEADLINE | 0x40, 310);
		CHECK(vlapic_timer_next_deadline(&vl) == VLAPIC_NO_DEADLINE, "disarmed");
		CHECK(rd(APIC_TIMER_ICR, 310) == 0, "initial count cleared");
		CHECK(vlapic_msr_write(&vl, MSR_IA32_TSC_DEADLINE, 5000, 320) == VLAPIC_OK, "arm");
		wr(APIC_LVT_TIMER, 0x40, 330);
		CHECK(msr(MSR_IA32_TSC_DEADLINE, 330) == 0, "deadline gone");
		CHECK(vlapic_timer_next_deadline(&vl) == VLAPIC_NO_DEADLINE, "disarmed again");
		/* Reserved mode 11b on the page: stored, runs nothing. */
		wr(APIC_LVT_TIMER, APIC_TIMER_RESERVED | 0x40, 340);
		wr(APIC_TIMER_ICR, 100, 340);
		CHECK(vlapic_timer_next_deadline(&vl) == VLAPIC_NO_DEADLINE, "mode 11b: no timer");
		CHECK(rd(APIC_TIMER_CCR, 350) == 0, "mode 11b: count 0");
	}

	TEST("TSC-deadline: arm, fire, reads 0 after; past fires at once; 0 disarms") {
		fresh(0);
		wr(APIC_LVT_TIMER, APIC_TIMER_TSC_DEADLINE | 0x50, 0);
		vlapic_msr_write(&vl, MSR_IA32_TSC_DEADLINE, 5000, 1000);
		CHECK(msr(MSR_IA32_TSC_DEADLINE, 1000) == 5000, "reads back");
		CHECK(vlapic_timer_next_deadline(&vl) == 5000, "armed");
		CHECK(vlapic_timer_expire(&vl, 4999) == 0 && !irr(0x50), "early");
		CHECK(vlapic_timer_expire(&vl, 5000) == 1 && irr(0x50), "fires");
		CHECK(msr(MSR_IA32_TSC_DEADLINE, 5001) == 0, "reads 0 once fired");
		vl.irr[2] = 0;
		vlapic_msr_write(&vl, MSR_IA32_TSC_DEADLINE, 10, 6000);
		CHECK(irr(0x50), "a past deadline fires at the write");
		CHECK(vlapic_timer_next_deadline(&vl) == VLAPIC_NO_DEADLINE, "and is spent");
		vl.irr[2] = 0;
		vlapic_msr_write(&vl, MSR_IA32_TSC_DEADLINE, 9000, 6000);
		vlapic_msr_write(&vl, MSR_IA32_TSC_DEADLINE, 0, 6001);
		CHECK(vlapic_timer_next_deadline(&vl) == VLAPIC_NO_DEADLINE, "0 disarms");
		CHECK(vlapic_timer_expire(&vl, UINT64_MAX - 1) == 0 && !irr(0x50), "never fires");
		wr(APIC_TIMER_ICR, 100, 7000);
		CHECK(rd(APIC_TIMER_ICR, 7000) == 0, "initial count ignored in this mode");
		CHECK(rd(APIC_TIMER_CCR, 7000) == 0, "current count 0 in this mode");
		wr(APIC_LVT_TIMER, 0x50, 7000);         /* one-shot */
		vlapic_msr_write(&vl, MSR_IA32_TSC_DEADLINE, 9000, 7000);
		CHECK(msr(MSR_IA32_TSC_DEADLINE, 7000) == 0, "ignored outside the mode");
		CHECK(vlapic_timer_next_deadline(&vl) == VLAPIC_NO_DEADLINE, "nothing armed");
	}

	TEST("masked timer: no event wanted, counts on, unmasking late raises nothing") {
		fresh(0);
		wr(APIC_TIMER_DCR, 0xb, 0);
		wr(APIC_LVT_TIMER, APIC_LVT_MASKED | APIC_TIMER_PERIODIC | 0x40, 0);
		wr(APIC_TIMER_ICR, 100, 0);
		CHECK(vlapic_timer_next_deadline(&vl) == VLAPIC_NO_DEADLINE, "no event");
		CHECK(rd(APIC_TIMER_CCR, 150) == 50, "counting");
		CHECK(rd(APIC_TIMER_CCR, 1000) == 100 - (1000 % 300) / 3, "periodic reload: %u",
		      rd(APIC_TIMER_CCR, 1000));
		wr(APIC_LVT_TIMER, APIC_TIMER_PERIODIC | 0x40, 1000);
		CHECK(!irr(0x40), "missed periods do not arrive on unmask");
		CHECK(vlapic_timer_next_deadline(&vl) == 1200, "next on the grid");
	}

	TEST("timer events: none while its vector waits in IRR; back on the grid after") {
		fresh(0);
		wr(APIC_TIMER_DCR, 0xb, 0);
		wr(APIC_LVT_TIMER, APIC_TIMER_PERIODIC | 0x40, 0);
		wr(APIC_TIMER_ICR, 100, 0);             /* period 300 TSC */
		CHECK(vlapic_timer_event_deadline(&vl) == 300, "first expiry wanted");
		CHECK(vlapic_timer_expire(&vl, 300) == 1 && irr(0x40), "fired");
		CHECK(vlapic_timer_event_deadline(&vl) == VLAPIC_NO_DEADLINE,
		      "an expiry while 0x40 is pending changes nothing: no event");
		CHECK(vlapic_timer_next_deadline(&vl) == 600, "the timer itself runs on");
		CHECK(vlapic_timer_expire(&vl, 1000) == 2 && irr(0x40), "600 and 900: counted, one vector");
		CHECK(vlapic_ack(&vl, 0x40) == 0x40, "taken");
		CHECK(vlapic_timer_event_deadline(&vl) == 1200, "wanted again, on the grid");
		wr(APIC_LVT_TIMER, APIC_LVT_MASKED | APIC_TIMER_PERIODIC | 0x40, 1000);
		CHECK(vlapic_timer_event_deadline(&vl) == VLAPIC_NO_DEADLINE, "masked: none");
	}

	TEST("timer arithmetic saturates: huge ratio and count never wrap") {
		vlapic_init(&vl, 0, 1, 0xffffffffu, 1, 46);
		wr(APIC_SVR, APIC_SVR_ENABLE | 0xff, 0);
		wr(APIC_TIMER_DCR, 0xa, 0);             /* divide by 128 */
		wr(APIC_LVT_TIMER, APIC_TIMER_PERIODIC | 0x40, 0);
		wr(APIC_TIMER_ICR, 0xffffffffu, UINT64_MAX - 1000);
		CHECK(vlapic_timer_next_deadline(&vl) == UINT64_MAX, "saturated");
		CHECK(rd(APIC_TIMER_CCR, UINT64_MAX - 1000) <= 0xffffffffu, "count sane");
		vlapic_init(&vl, 0, 1, 0, 1, 46);
		CHECK(vl.tsc_per_bus_tick == 1, "a ratio of 0 becomes 1");
	}

	TEST("ICR decode: every field, xAPIC and x2APIC destinations") {
		struct vlapic_icr d;

		for (unsigned dm = 0; dm < 8; dm++)
			for (unsigned sh = 0; sh < 4; sh++) {
				uint64_t icr = 0xa5 | dm << 8 | APIC_ICR_LOGICAL | APIC_ICR_LEVEL |
					       (uint64_t)sh << 18 | 0x12345678ull << 32;

				d = vlapic_icr_decode(icr, 0);
				CHECK(d.vector == 0xa5 && d.delivery == dm && d.logical && !d.assert &&
				      d.level && d.shorthand == sh && d.dest == 0x12, "xAPIC dm %u sh %u", dm, sh);
				d = vlapic_icr_decode(icr | APIC_ICR_ASSERT, 1);
				CHECK(d.assert && d.dest == 0x12345678 && d.x2apic, "x2APIC dm %u sh %u", dm, sh);
			}
		d = vlapic_icr_decode(0, 0);
		CHECK(!d.logical && !d.level && !d.assert && !d.dest, "zeros");
	}

	TEST("IPI verdicts: every delivery mode and shorthand, to self and elsewhere") {
		/* For fixed and lowest priority: delivered to self unless the
		 * destination leaves this CPU out; the rest stop the guest. */
		static const char *const stop_word[8] = {
			[APIC_DM_SMI] = "SMI", [APIC_DM_RESERVED3] = "reserved", [APIC_DM_NMI] = "NMI",
			[APIC_DM_INIT] = "INIT", [APIC_DM_STARTUP] = "start-up",
			[APIC_DM_EXTINT] = "reserved" };

		fresh(5);
		for (unsigned dm = 0; dm < 8; dm++)
			for (unsigned sh = 0; sh < 4; sh++)
				for (unsigned dest = 4; dest <= 5; dest++) {
					uint64_t icr = 0x40 | dm << 8 | APIC_ICR_ASSERT |
						       (uint64_t)sh << 18 | (uint64_t)dest << 56;
					struct vlapic_icr d = vlapic_icr_decode(icr, 0);
					struct vlapic_verdict v = verdict1(&d);
					int self = sh == APIC_SH_SELF || sh == APIC_SH_ALL ||
						   (sh == APIC_SH_NONE && dest == 5);

					if (dm == APIC_DM_FIXED || dm == APIC_DM_LOWEST) {
						CHECK(v.action == (self ? VLAPIC_DELIVER : VLAPIC_DROP),
						      "dm %u sh %u dest %u: %d", dm, sh, dest, v.action);
						CHECK(self ? !v.reason && v.targets == 1 : v.reason != NULL,
						      "reason");
					} else if (dm == APIC_DM_STARTUP && self) {
						/* To itself, running: ignored, as by hardware. */
						CHECK(v.action == VLAPIC_DROP && strstr(v.reason, "runs"),
						      "dm %u sh %u dest %u: %d", dm, sh, dest, v.action);
					} else {
						CHECK(v.action == VLAPIC_STOP_GUEST && v.reason &&
						      strstr(v.reason, stop_word[dm]),
						      "dm %u sh %u dest %u: %d %s", dm, sh, dest, v.action,
						      v.reason ? v.reason : "(none)");
					}
				}
		struct vlapic_icr d = vlapic_icr_decode(APIC_DM_INIT << 8 | APIC_ICR_LEVEL |
							(uint64_t)APIC_SH_ALL << 18, 0);
		struct vlapic_verdict v = verdict1(&d);
		CHECK(v.action == VLAPIC_DROP && strstr(v.reason, "de-assert"), "INIT de-assert");
		d = vlapic_icr_decode(0x0f | (uint64_t)APIC_SH_SELF << 18, 0);
		v = verdict1(&d);
		CHECK(v.action == VLAPIC_DROP && strstr(v.reason, "illegal"), "vector 15");
	}

	TEST("IPI verdicts among four CPUs: fixed, lowest, INIT and start-up by who waits") {
		static struct vlapic c[4];
		const struct vlapic *const cpus[4] = { &c[0], &c[1], &c[2], &c[3] };
		struct vlapic_icr d;
		struct vlapic_verdict v;

		for (unsigned i = 0; i < 4; i++)
			vlapic_init(&c[i], i, i == 0, 1, 1, 36);
		/* Fixed to all-excluding-self from CPU 0: the other three. */
		d = vlapic_icr_decode(0x40 | (uint64_t)APIC_SH_OTHERS << 18 | APIC_ICR_ASSERT, 0);
		v = vlapic_ipi_verdict(cpus, 4, 0, &d, 0);
		CHECK(v.action == VLAPIC_DELIVER && v.targets == 0xe, "others: %d 0x%x", v.action, v.targets);
		/* Physical ID 2; ID 9, none of them. */
		d = vlapic_icr_decode(0x40 | APIC_ICR_ASSERT | 2ull << 56, 0);
		v = vlapic_ipi_verdict(cpus, 4, 0, &d, 0);
		CHECK(v.action == VLAPIC_DELIVER && v.targets == 0x4, "ID 2: 0x%x", v.targets);
		d = vlapic_icr_decode(0x40 | APIC_ICR_ASSERT | 9ull << 56, 0);
		v = vlapic_ipi_verdict(cpus, 4, 0, &d, 0);
		CHECK(v.action == VLAPIC_DROP && strstr(v.reason, "none of the guest's"), "ID 9");
		/* Lowest priority to all: one CPU. */
		d = vlapic_icr_decode(0x40 | APIC_DM_LOWEST << 8 | (uint64_t)APIC_SH_ALL << 18, 0);
		v = vlapic_ipi_verdict(cpus, 4, 2, &d, 0);
		CHECK(v.action == VLAPIC_DELIVER && v.targets == 0x1, "lowest: 0x%x", v.targets);
		/* INIT to waiting CPUs 1-3 from 0; to a running one, or none, stops. */
		d = vlapic_icr_decode(APIC_DM_INIT << 8 | APIC_ICR_ASSERT | 3ull << 56, 0);
		v = vlapic_ipi_verdict(cpus, 4, 0, &d, 0xe);
		CHECK(v.action == VLAPIC_INIT && v.targets == 0x8, "INIT to 3: %d", v.action);
		v = vlapic_ipi_verdict(cpus, 4, 0, &d, 0x6);
		CHECK(v.action == VLAPIC_STOP_GUEST && strstr(v.reason, "runs"), "INIT to running 3");
		d = vlapic_icr_decode(APIC_DM_INIT << 8 | APIC_ICR_ASSERT | 7ull << 56, 0);
		v = vlapic_ipi_verdict(cpus, 4, 0, &d, 0xe);
		CHECK(v.action == VLAPIC_STOP_GUEST && strstr(v.reason, "none of its CPUs"), "INIT to 7");
		d = vlapic_icr_decode(APIC_DM_INIT << 8 | APIC_ICR_ASSERT | (uint64_t)APIC_SH_ALL << 18, 0);
		v = vlapic_ipi_verdict(cpus, 4, 0, &d, 0xe);
		CHECK(v.action == VLAPIC_STOP_GUEST, "INIT to all, itself included");
		/* Start-up: the waiting targets only; to none waiting, ignored. */
		d = vlapic_icr_decode(0x08 | APIC_DM_STARTUP << 8 | APIC_ICR_ASSERT |
				      (uint64_t)APIC_SH_OTHERS << 18, 0);
		v = vlapic_ipi_verdict(cpus, 4, 0, &d, 0xa);
		CHECK(v.action == VLAPIC_STARTUP && v.targets == 0xa, "SIPI: 0x%x", v.targets);
		v = vlapic_ipi_verdict(cpus, 4, 0, &d, 0);
		CHECK(v.action == VLAPIC_DROP && strstr(v.reason, "runs"), "SIPI to running");
		d = vlapic_icr_decode(0x08 | APIC_DM_STARTUP << 8 | APIC_ICR_ASSERT | 5ull << 56, 0);
		v = vlapic_ipi_verdict(cpus, 4, 0, &d, 0xe);
		CHECK(v.action == VLAPIC_STOP_GUEST && strstr(v.reason, "none of its CPUs"), "SIPI to 5");
		/* NMI stops whoever it names. */
		d = vlapic_icr_decode(APIC_DM_NMI << 8 | APIC_ICR_ASSERT | 1ull << 56, 0);
		v = vlapic_ipi_verdict(cpus, 4, 0, &d, 0);
		CHECK(v.action == VLAPIC_STOP_GUEST && strstr(v.reason, "NMI"), "NMI");
	}

	TEST("an ICR write among peers: the sender's part at once, the others' left to carry") {
		static struct vlapic c[2];
		const struct vlapic *const cpus[2] = { &c[0], &c[1] };
		uint32_t waiting = 0;

		for (unsigned i = 0; i < 2; i++) {
			vlapic_init(&c[i], i, i == 0, 1, 1, 36);
			c[i].peers = cpus;
			c[i].npeers = 2;
			c[i].self = i;
			c[i].waiting = &waiting;
			vlapic_mmio_write(&c[i], APIC_SVR, 4, APIC_SVR_ENABLE | 0xff, 0);
		}
		vlapic_mmio_write(&c[0], APIC_ICR_LO, 4, 0x50 | (uint32_t)APIC_SH_ALL << 18, 0);
		CHECK(c[0].irr[0x50 / 32] & (1u << (0x50 % 32)), "own IRR");
		CHECK(c[0].out_mask == 2 && c[0].out_vector == 0x50 &&
		      c[0].out_action == VLAPIC_DELIVER, "carried: 0x%x", c[0].out_mask);
		CHECK(!(c[1].irr[0x50 / 32] & (1u << (0x50 % 32))), "the peer's IRR is the carrier's");
		vlapic_accept_ipi(&c[1], 0x50);
		CHECK(c[1].irr[0x50 / 32] & (1u << (0x50 % 32)), "accepted");
	}

	TEST("destinations: physical, broadcast, logical flat, cluster, x2APIC cluster") {
		struct vlapic_icr d = { .delivery = APIC_DM_FIXED, .vector = 0x40 };
		const struct vlapic *const one[1] = { &vl };

		fresh(0x35);
		d.dest = 0x35;
		CHECK(vlapic_ipi_targets(one, 1, 0, &d) == 1, "physical own ID");
		d.dest = 0x36;
		CHECK(vlapic_ipi_targets(one, 1, 0, &d) == 0, "physical other ID");
		d.dest = 0xff;
		CHECK(vlapic_ipi_targets(one, 1, 0, &d) == 1, "physical broadcast");
		d.logical = 1;
		wr(APIC_LDR, 0x01000000, 0);
		d.dest = 0x01;
		CHECK(vlapic_ipi_targets(one, 1, 0, &d) == 1, "flat: own bit");
		d.dest = 0x02;
		CHECK(vlapic_ipi_targets(one, 1, 0, &d) == 0, "flat: other bit");
		d.dest = 0x03;
		CHECK(vlapic_ipi_targets(one, 1, 0, &d) == 1, "flat: several bits");
		wr(APIC_DFR, 0x0fffffff, 0);
		wr(APIC_LDR, 0x21000000, 0);
		d.dest = 0x23;
		CHECK(vlapic_ipi_targets(one, 1, 0, &d) == 1, "cluster 2, bit 0");
		d.dest = 0x31;
		CHECK(vlapic_ipi_targets(one, 1, 0, &d) == 0, "cluster 3");
		d.dest = 0x22;
		CHECK(vlapic_ipi_targets(one, 1, 0, &d) == 0, "cluster 2, bit 1");
		d.dest = 0xff;
		CHECK(vlapic_ipi_targets(one, 1, 0, &d) == 1, "logical broadcast");
		/* x2APIC: ID 0x135 is cluster 0x13, bit 5. */
		fresh(0x135);
		to_x2apic();
		d.x2apic = 1;
		d.dest = 0x00130020;
		CHECK(vlapic_ipi_targets(one, 1, 0, &d) == 1, "x2APIC cluster");
		d.dest = 0x00130010;
		CHECK(vlapic_ipi_targets(one, 1, 0, &d) == 0, "x2APIC other bit");
		d.dest = 0x00140020;
		CHECK(vlapic_ipi_targets(one, 1, 0, &d) == 0, "x2APIC other cluster");
		d.dest = 0xff;
		CHECK(vlapic_ipi_targets(one, 1, 0, &d) == 0, "0xff is no broadcast in x2APIC");
		d.logical = 0;
		d.dest = 0x35;
		CHECK(vlapic_ipi_targets(one, 1, 0, &d) == 0, "x2APIC: no 8-bit truncation");
		d.dest = 0x135;
		CHECK(vlapic_ipi_targets(one, 1, 0, &d) == 1, "x2APIC physical");
		d.dest = 0xffffffff;
		CHECK(vlapic_ipi_targets(one, 1, 0, &d) == 1, "x2APIC broadcast");
	}

	TEST("destinations over a list of CPUs: what an SMP step will pass") {
		struct vlapic cpu[3];
		const struct vlapic *const list[3] = { &cpu[0], &cpu[1], &cpu[2] };
		struct vlapic_icr d = { .delivery = APIC_DM_FIXED, .vector = 0x40 };

		for (int i = 0; i < 3; i++) {
			vlapic_init(&cpu[i], i, i == 0, TPB, 1, 46);
			cpu[i].ldr = 1u << (24 + i);
		}
		d.shorthand = APIC_SH_OTHERS;
		CHECK(vlapic_ipi_targets(list, 3, 1, &d) == 5, "all but 1");
		d.shorthand = APIC_SH_ALL;
		CHECK(vlapic_ipi_targets(list, 3, 1, &d) == 7, "all");
		d.shorthand = APIC_SH_SELF;
		CHECK(vlapic_ipi_targets(list, 3, 1, &d) == 2, "self");
		d.shorthand = APIC_SH_NONE;
		d.logical = 1;
		d.dest = 0x06;
		CHECK(vlapic_ipi_targets(list, 3, 0, &d) == 6, "flat 0x06");
		d.logical = 0;
		d.dest = 2;
		CHECK(vlapic_ipi_targets(list, 3, 0, &d) == 4, "physical 2");
	}

	TEST("IPIs through the page and MSRs: delivered, dropped and counted, or stopped") {
		fresh(2);
		wr(APIC_ICR_HI, 2u << 24, 0);
		CHECK(wr(APIC_ICR_LO, 0x4041, 0) == VLAPIC_OK && irr(0x41), "fixed to own ID");
		CHECK(vl.ipi_delivered == 1, "counted");
		CHECK(rd(APIC_ICR_LO, 0) == 0x4041, "ICR low reads back, idle");
		wr(APIC_ICR_HI, 3u << 24, 0);
		CHECK(wr(APIC_ICR_LO, 0x4042, 0) == VLAPIC_OK && !irr(0x42), "to CPU 3: dropped");
		CHECK(vl.ipi_dropped == 1 && strstr(vl.last_drop_reason, "none of the guest"),
		      "counted with the reason");
		CHECK(wr(APIC_ICR_LO, 0xc4043, 0) == VLAPIC_OK && vl.ipi_dropped == 2,
		      "all-excluding-self: dropped");
		esr(0);
		CHECK(wr(APIC_ICR_LO, 0x40007, 0) == VLAPIC_OK && esr(0) == APIC_ESR_SEND_ILLEGAL,
		      "vector 7 to self: send illegal");
		CHECK(wr(APIC_ICR_LO, 0x4500, 0) == VLAPIC_STOP && strstr(vl.stop_reason, "INIT"),
		      "INIT stops the guest");
		CHECK(wr(APIC_ICR_LO, 0x4608, 0) == VLAPIC_STOP && strstr(vl.stop_reason, "start-up"),
		      "SIPI stops the guest");
		to_x2apic();
		CHECK(vlapic_msr_write(&vl, 0x830, 0x4051 | 2ull << 32, 0) == VLAPIC_OK && irr(0x51),
		      "x2APIC ICR to own ID");
		CHECK(msr(0x830, 0) == (0x4051 | 2ull << 32), "x2APIC ICR reads 64 bits");
		CHECK(vlapic_msr_write(&vl, 0x830, 0x5053 | 2ull << 32, 0) == VLAPIC_OK && irr(0x53) &&
		      msr(0x830, 0) == (0x4053 | 2ull << 32), "x2APIC ICR: bit 12 ignored");
		CHECK(vlapic_msr_write(&vl, 0x830, 0x4052 | 0x102ull << 32, 0) == VLAPIC_OK &&
		      !irr(0x52), "x2APIC ICR to 0x102: not us");
		CHECK(vlapic_msr_write(&vl, 0x830, 0x4400 | 2ull << 32, 0) == VLAPIC_STOP &&
		      strstr(vl.stop_reason, "NMI"), "x2APIC NMI stops the guest");
		CHECK(vlapic_msr_write(&vl, X2APIC_SELF_IPI, 0x61, 0) == VLAPIC_OK && irr(0x61),
		      "SELF IPI");
		CHECK(vlapic_msr_read(&vl, X2APIC_SELF_IPI, &(uint64_t){0}, 0) == VLAPIC_GP,
		      "SELF IPI is write-only");
		CHECK(vlapic_msr_write(&vl, X2APIC_SELF_IPI, 0x161, 0) == VLAPIC_GP, "SELF IPI bit 8");
	}

	return check_summary();
}
