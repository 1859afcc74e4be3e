/*
 * test_halt.c - host tests of the rule that says whether anything can end
 * a guest's HLT (hv/halt.c).
 *
 * Built from the real hv/halt.c. Each case starts from the state the
 * guest kernel leaves behind (APIC on and software-enabled, periodic timer
 * running, LINT0 ExtINT and LINT1 NMI open as the BIOS leaves them, the
 * 8259s masked) and changes what the case is about; then pseudo-random
 * views check that the rule never reads past its input, always says why,
 * and never calls a halt hopeless when a deliverable vector is pending.
 * Runs on the build host.
 */
/* SPDX-License-Identifier: MIT */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "halt.h"

#define LVT_NMI         (4u << 8)
#define LVT_SMI         (2u << 8)
#define LVT_EXTINT      (7u << 8)
#define LVT_PERIODIC    (1u << 17)
#define LVT_DEADLINE    (2u << 17)
#define LVT_RESERVED    (3u << 17)
#define M               HALT_LVT_MASKED

static char why[160];

static struct halt_view guest_kernel(void)
{
	struct halt_view h;

	memset(&h, 0, sizeof(h));
	h.if_set = 1;
	h.apic_on = 1;
	h.pic_masked = 1;
	h.svr = HALT_SVR_ENABLE | 0xff;
	h.lvt_timer = LVT_PERIODIC | 0x20;
	h.timer_initial = 100000;
	h.timer_current = 4242;
	h.lvt_lint0 = LVT_EXTINT;
	h.lvt_lint1 = LVT_NMI;
	h.lvt_perf = M;
	h.lvt_thermal = M;
	h.lvt_cmci = M;
	return h;
}

/* The guest kernel's state with its timer masked: nothing can wake it. */
static struct halt_view quiet(void)
{
	struct halt_view h = guest_kernel();

	h.lvt_timer |= M;
	return h;
}

static int wake(const struct halt_view *h)
{
	memset(why, 'X', sizeof(why));
	return halt_can_wake(h, why, sizeof(why));
}

/* Expect r, and a reason naming keyword. */
static void expect(const struct halt_view *h, int r, const char *keyword, const char *what)
{
	int got = wake(h);

	CHECK(memchr(why, 0, sizeof(why)) != NULL, "%s: why not terminated", what);
	CHECK(got == r, "%s: %d (%s), want %d", what, got, why, r);
	CHECK(strstr(why, keyword) != NULL, "%s: why '%s' lacks '%s'", what, why, keyword);
}

static void set_vector(uint32_t r[8], unsigned v)
{
	r[v / 32] |= 1u << (v % 32);
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}

int main(void)
{
	struct halt_view h;

	TEST("interrupts disabled: nothing wakes it, whatever the APIC holds") {
		h = guest_kernel();
		h.if_set = 0;
		set_vector(h.irr, 0xfe);
		expect(&h, 0, "interrupts disabled", "IF=0, timer running, vector pending");
	}

	TEST("another CPU of the guest's may send an IPI: woken, unless IF=0 or it cannot accept") {
		h = quiet();
		h.other_cpus = 1;
		expect(&h, 1, "another of the guest's CPUs", "quiet, with another CPU");
		h.if_set = 0;
		expect(&h, 0, "interrupts disabled", "IF=0, with another CPU");
		h = quiet();
		h.other_cpus = 1;
		h.svr &= ~HALT_SVR_ENABLE;
		expect(&h, 0, "software-disabled", "SVR off, with another CPU");
	}

	TEST("the guest kernel's own state: its timer wakes it") {
		h = guest_kernel();
		expect(&h, 1, "timer", "periodic timer running");
	}

	TEST("timer masked, all else as the BIOS and the guest left it: stopped") {
		h = quiet();
		expect(&h, 0, "APIC timer masked", "masked timer");
		CHECK(strstr(why, "8259s masked") != NULL, "why '%s'", why);
	}

	TEST("each timer mode: running wakes, run out or disarmed does not") {
		h = guest_kernel();
		h.lvt_timer = 0x20;                     /* one-shot */
		h.timer_current = 5;
		expect(&h, 1, "timer", "one-shot counting");
		h.timer_current = 0;
		expect(&h, 0, "one-shot APIC timer run out", "one-shot at 0");
		h.lvt_timer = LVT_PERIODIC | 0x20;
		h.timer_initial = 0;
		expect(&h, 0, "periodic APIC timer stopped", "periodic, initial 0");
		h.timer_initial = 1;
		h.timer_current = 0;
		expect(&h, 1, "timer", "periodic, initial 1, current 0: reloads");
		h.lvt_timer = LVT_DEADLINE | 0x20;
		h.tsc_deadline = 0;
		expect(&h, 0, "TSC-deadline timer disarmed", "deadline 0");
		h.tsc_deadline = 1;
		expect(&h, 1, "timer", "deadline armed, long past");
		h.lvt_timer = LVT_RESERVED | 0x20;
		h.tsc_deadline = 0;
		h.timer_initial = h.timer_current = 0;
		expect(&h, 1, "timer", "reserved mode: not sure, so it may wake");
	}

	TEST("a pending vector wakes it only above the processor priority") {
		h = quiet();
		set_vector(h.irr, 0x30);
		expect(&h, 1, "0x30", "0x30 pending, TPR 0");
		h.tpr = 0x30;
		expect(&h, 0, "nothing pending", "0x30 pending, TPR 0x30: same class");
		h.tpr = 0x2f;
		expect(&h, 1, "0x30", "0x30 pending, TPR 0x2f");
		h.tpr = 0;
		set_vector(h.isr, 0x3f);
		expect(&h, 0, "nothing pending", "0x30 pending, 0x3f in service");
		set_vector(h.irr, 0x41);
		expect(&h, 1, "0x41", "0x41 pending above 0x3f in service");
		memset(h.irr, 0, sizeof(h.irr));
		memset(h.isr, 0, sizeof(h.isr));
		set_vector(h.irr, 0xff);
		h.tpr = 0xef;
		expect(&h, 1, "0xff", "0xff pending, TPR 0xef");
		h.tpr = 0xff;
		expect(&h, 0, "nothing pending", "0xff pending, TPR 0xff");
		memset(h.isr, 0xff, sizeof(h.isr));
		h.tpr = 0;
		expect(&h, 0, "nothing pending", "every vector in service");
	}

	TEST("software-disabled APIC: its LVT is masked, pending vectors still count") {
		h = guest_kernel();
		h.svr = 0xff;
		expect(&h, 0, "software-disabled", "SVR[8]=0, timer running");
		h.lvt_lint1 = 0;
		h.lvt_thermal = 0;
		expect(&h, 0, "software-disabled", "SVR[8]=0, LINT1 and thermal open");
		set_vector(h.irr, 0x80);
		expect(&h, 1, "0x80", "SVR[8]=0, 0x80 pending");
	}

	TEST("APIC off: only the 8259s, through INTR") {
		h = guest_kernel();
		h.apic_on = 0;
		expect(&h, 0, "local APIC disabled", "APIC off, 8259s masked");
		h.pic_masked = 0;
		expect(&h, 1, "8259s", "APIC off, 8259s open");
	}

	TEST("LINT0 is the 8259s' line; LINT1 and the sensors may fire, unless NMI or SMI") {
		h = quiet();
		h.pic_masked = 0;
		expect(&h, 1, "LINT0", "LINT0 ExtINT open, 8259s open");
		h.lvt_lint0 |= M;
		expect(&h, 0, "LINT0 masked", "LINT0 masked, 8259s open");
		h = quiet();
		h.lvt_lint1 = 0;
		expect(&h, 1, "LINT1", "LINT1 fixed, open");
		h.lvt_lint1 = LVT_EXTINT;
		expect(&h, 1, "LINT1", "LINT1 ExtINT, open");
		h.lvt_lint1 = LVT_SMI;
		expect(&h, 0, "APIC timer masked", "LINT1 SMI");
		h = quiet();
		h.lvt_thermal = 0x50;
		expect(&h, 1, "thermal", "thermal open");
		h.lvt_thermal = LVT_NMI;
		expect(&h, 0, "APIC timer masked", "thermal NMI");
		h = quiet();
		h.lvt_perf = 0x51;
		expect(&h, 1, "performance", "perf open");
		h = quiet();
		h.lvt_cmci = 0x52;
		expect(&h, 1, "CMCI", "CMCI open");
	}

	TEST("why is cut to its buffer, never overrun") {
		size_t len;

		h = quiet();
		wake(&h);
		for (len = 1; len <= strlen(why) + 1; len++) {
			char small[160];

			memset(small, 'X', sizeof(small));
			CHECK(halt_can_wake(&h, small, len) == 0, "len %zu: woke", len);
			CHECK(strlen(small) == len - 1 && small[len] == 'X' &&
			      !strncmp(small, why, len - 1), "len %zu: wrote %zu", len, strlen(small));
		}
	}

	TEST("random views: always a reason; a deliverable vector always wakes") {
		unsigned i, bad = 0;

		for (i = 0; i < 200000 && bad < 8; i++) {
			uint32_t *w = (uint32_t *)&h;
			unsigned k, top, ppr;
			int r, irr = -1, isr = -1;

			for (k = 0; k < sizeof(h) / 4; k++)
				w[k] = rnd() & rnd();   /* sparse bits */
			h.if_set = rnd() & 1;
			h.apic_on = !!(rnd() & 7);
			h.pic_masked = !!(rnd() & 3);
			r = wake(&h);
			bad += !CHECK(r == 0 || r == 1, "r %d", r);
			bad += !CHECK(memchr(why, 0, sizeof(why)) && why[0], "no reason");
			for (top = 256; top-- > 0;) {
				if (irr < 0 && h.irr[top / 32] & (1u << (top % 32)))
					irr = (int)top;
				if (isr < 0 && h.isr[top / 32] & (1u << (top % 32)))
					isr = (int)top;
			}
			ppr = (h.tpr >> 4) & 0xf;
			if (isr >= 0 && ((unsigned)isr >> 4) > ppr)
				ppr = (unsigned)isr >> 4;
			if (h.if_set && h.apic_on && irr >= 0 && ((unsigned)irr >> 4) > ppr)
				bad += !CHECK(r == 1, "vector 0x%x above class %u pending, yet: %s",
					      irr, ppr, why);
			if (!h.if_set)
				bad += !CHECK(r == 0, "IF=0, yet: %s", why);
		}
	}

	return check_summary();
}
