/*
 * hcfuzz.c - the in-guest hypercall fuzzer: many hypercalls with hostile
 * numbers, arguments and registers, each result checked against the ABI
 * (shared/abi/abi.def, hv_abi.h) and every register but RAX checked
 * unchanged, RSP and RFLAGS included (hcfuzz_call.asm).
 *
 * What goes in:
 *  - numbers: every defined one, the first undefined ones, the edges of
 *    16, 32 and 64 bits, defined numbers with high bits set (the number is
 *    all of RAX), random 64-bit values;
 *  - arguments (RDI, RSI, RDX) and every other register: 0, all ones, the
 *    sign bit, single bits, addresses at, across and past the end of guest
 *    RAM, in the absent-MMIO hole and at the local APIC, unaligned ones,
 *    and pointers to the guest's own code, data and stack;
 *  - RFLAGS: random arithmetic flags, DF, NT, AC, ID and IOPL (IF and TF
 *    stay clear: no interrupt or single-step trap lands in the stub).
 * Calls with side effects are kept from having them: halt and safe_halt
 * are never made (interrupts are off, and halting so stops the guest as it
 * would a real CPU; safe_halt sets IF and sleeps); console_write only gets
 * arguments the ABI refuses or a length of 0, so no byte reaches the real
 * console; shared_page only addresses it refuses (unaligned, or not all in
 * RAM), as it would rewrite a page of the guest. The run says so.
 *
 * The model of each result:
 *  - a number not defined (all 64 bits of RAX): -HV_ENOSYS;
 *  - null: 0;
 *  - exits_total: a count, up since the last read by at least the VMCALLs
 *    made since;
 *  - exit_count: for VMCALL's reason (18) exactly the VMCALLs so far; for
 *    another reason up to 64 (what this hypervisor counts) a count; past
 *    16 bits (no basic exit reason is) -HV_EINVAL; between, either;
 *  - port_count: a count for a port up to 0xffff, else -HV_EINVAL;
 *  - hypercall_count: for a defined number exactly the calls of it so far,
 *    else a count;
 *  - console_write: -HV_EFAULT unless [arg0, arg0 + arg1) lies in RAM;
 *    0 for an empty write inside RAM;
 *  - shared_page: -HV_EFAULT;
 *  - apic_eoi: 0 (with interrupts off nothing is in service: no effect);
 *  - timer_arm: 0 for a count below 2^32, else -HV_EINVAL. The counts
 *    re-arm the guest's timer at random; the run arms it as it was after.
 *
 * Environment: guest kernel, ring 0, interrupts off, on this hypervisor.
 */
/* SPDX-License-Identifier: MIT */
#include "abi/hv_abi.h"
#include "guest.h"
#include "hcfuzz.h"
#include "hypercall.h"
#include "lapic.h"
#include "lib.h"
#include "pv.h"
#include "smp.h"
#include "x86.h"

#define EXIT_REASON_VMCALL      18
#define EXIT_REASON_COUNTED     64      /* hv: reasons 0..64 have counts */
#define SHOWN_MAX               4       /* failures printed in full */

/* RFLAGS bits the fuzzer sets at random (SDM vol. 1, 3.4.3). */
#define RF_CF   BIT(0)
#define RF_FIXED BIT(1)
#define RF_PF   BIT(2)
#define RF_AF   BIT(4)
#define RF_ZF   BIT(6)
#define RF_SF   BIT(7)
#define RF_DF   BIT(10)
#define RF_OF   BIT(11)
#define RF_IOPL (3ul << 12)
#define RF_NT   BIT(14)
#define RF_AC   BIT(18)
#define RF_ID   BIT(21)
#define RF_FUZZ (RF_CF | RF_PF | RF_AF | RF_ZF | RF_SF | RF_DF | RF_OF | RF_IOPL | \
		 RF_NT | RF_AC | RF_ID)

struct hcfuzz_regs hcfuzz_in, hcfuzz_out;

static struct {
	uint64_t rng;
	uint64_t ram_end;               /* guest-physical end of RAM */
	uint64_t stack;                 /* an address on our stack */
	unsigned long calls;            /* VMCALLs made by the loop so far */
	uint64_t by_nr[HC_COUNT];       /* loop calls of each defined number */
	uint64_t hc_base[HC_COUNT];     /* hypercall_count of each at the start */
	uint64_t vmcall_base;           /* VMCALL exits at the start */
	uint64_t total_last;            /* exits_total at call total_at */
	unsigned long total_at;
	unsigned long undefined, writes, pages;
	unsigned long wrong, changed, shown;
} fz;

/* xorshift64* (Marsaglia; Vigna): small, fast, and plenty for this. */
static uint64_t rnd(void)
{
	fz.rng ^= fz.rng >> 12;
	fz.rng ^= fz.rng << 25;
	fz.rng ^= fz.rng >> 27;
	return fz.rng * 0x2545f4914f6cdd1dull;
}

static int in_ram(uint64_t gpa, uint64_t len)
{
	return gpa < fz.ram_end && len <= fz.ram_end - gpa;
}

/* A value for an argument or any other register. */
static uint64_t hostile(void)
{
	switch (rnd() % 16) {
	case 0:  return 0;
	case 1:  return ~0ul;
	case 2:  return 1ul << 63;
	case 3:  return fz.ram_end;
	case 4:  return fz.ram_end - 1 - rnd() % 8;             /* across the end */
	case 5:  return fz.ram_end + rnd() % 0x10000;           /* just past it */
	case 6:  return 0xfee00000ul + rnd() % 0x1000;          /* the local APIC */
	case 7:  return 0xc0000000ul + (rnd() & 0x3fffffff);    /* absent MMIO */
	case 8:  return (uint64_t)hcfuzz_vmcall + rnd() % 0x100; /* our code */
	case 9:  return fz.stack - rnd() % 0x1000;              /* our stack */
	case 10: return (uint64_t)&hcfuzz_in + rnd() % sizeof(hcfuzz_in); /* our data */
	case 11: return rnd() % fz.ram_end;                     /* anywhere in RAM */
	case 12: return (rnd() % fz.ram_end) | 1;               /* unaligned */
	case 13: return 1ul << (rnd() % 64);
	case 14: return 0xfffffffful - 1 + rnd() % 3;           /* 32-bit edge */
	default: return rnd();
	}
}

static uint64_t pick_number(void)
{
	static const uint64_t edges[] = {
		0xffff, 0x10000, 0x7fffffff, 0x80000000ul, 0xffffffffu, 0x100000000ul,
		~0ul, 1ul << 63,
	};
	uint64_t nr;

	do {
		switch (rnd() % 8) {
		case 0: case 1: case 2: case 3:
			nr = rnd() % HC_COUNT;
			break;
		case 4:
			nr = HC_COUNT + rnd() % 16;             /* the first undefined */
			break;
		case 5:
			nr = edges[rnd() % ARRAY_SIZE(edges)];
			break;
		case 6:
			nr = rnd() % HC_COUNT | 1ul << (32 + rnd() % 32);
			break;
		default:
			nr = rnd();
			break;
		}
	} while (nr == HC_halt || nr == HC_safe_halt || nr == HC_wait);  /* never made */
	return nr;
}

/* The APIC IDs of the guest's online CPUs, as a mask (IDs 0-63). */
static uint64_t online_ids(void)
{
	uint64_t m = 0;
	unsigned i;

	for (i = 0; i < smp.acpi.count || i == 0; i++)
		if ((i == 0 || percpu[i].online) && percpu[i].apic_id < 64)
			m |= 1ull << percpu[i].apic_id;
	return m;
}

/* Keep console_write and shared_page from doing what they do, and
 * send_ipi_mask from reaching any CPU of the guest's with a vector it
 * never asked for. */
static void refusable(uint64_t nr, struct hcfuzz_regs *r)
{
	if (nr == HC_send_ipi_mask)
		r->rdi &= ~online_ids();
	if (nr == HC_console_write && r->rsi && in_ram(r->rdi, r->rsi)) {
		/* Across the end of RAM by 1..4096 bytes, or all ones. */
		r->rsi = rnd() & 1 ? fz.ram_end - r->rdi + 1 + rnd() % 4096 : ~0ul;
	}
	if (nr == HC_shared_page && !(r->rdi & 4095) && in_ram(r->rdi, 4096))
		r->rdi |= 1 + rnd() % 4095;
	if (nr == HC_console_write)
		fz.writes++;
	if (nr == HC_shared_page)
		fz.pages++;
}

static void fail(int *failed, char *why, size_t whylen, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void fail(int *failed, char *why, size_t whylen, const char *fmt, ...)
{
	char line[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (!*failed && !why[0])
		snprintf(why, whylen, "%s", line);
	if (fz.shown < SHOWN_MAX) {
		kprintf("selftest: fuzz: call %lu: nr=0x%lx rdi=0x%lx rsi=0x%lx rdx=0x%lx: %s\n",
			fz.calls, hcfuzz_in.rax, hcfuzz_in.rdi, hcfuzz_in.rsi, hcfuzz_in.rdx, line);
		fz.shown++;
	}
	*failed = 1;
}

/* The ABI's answer to the call in hcfuzz_in: 0, or 1 with why. */
static int result_wrong(uint64_t nr, int64_t ret, char *what, size_t len)
{
	const struct hcfuzz_regs *in = &hcfuzz_in;
	uint64_t a0 = in->rdi, a1 = in->rsi;

	if (nr >= HC_COUNT) {
		fz.undefined++;
		if (ret == -HV_ENOSYS)
			return 0;
		snprintf(what, len, "undefined number returned %ld, want %d", ret, -HV_ENOSYS);
		return 1;
	}
	fz.by_nr[nr]++;
	switch (nr) {
	case HC_null:
		if (ret == 0)
			return 0;
		break;
	case HC_exits_total:
		if (ret >= 0 && (uint64_t)ret >= fz.total_last + (fz.calls - fz.total_at)) {
			fz.total_last = (uint64_t)ret;
			fz.total_at = fz.calls;
			return 0;
		}
		snprintf(what, len, "exits_total %ld, want at least %lu", ret,
			 fz.total_last + (fz.calls - fz.total_at));
		return 1;
	case HC_exit_count:
		if (a0 == EXIT_REASON_VMCALL) {
			if ((uint64_t)ret == fz.vmcall_base + fz.calls)
				return 0;
			snprintf(what, len, "VMCALL exits %ld, want %lu", ret,
				 fz.vmcall_base + fz.calls);
			return 1;
		}
		if (a0 <= EXIT_REASON_COUNTED ? ret >= 0 :
		    a0 > 0xffff ? ret == -HV_EINVAL : ret >= 0 || ret == -HV_EINVAL)
			return 0;
		break;
	case HC_port_count:
		if (a0 <= 0xffff ? ret >= 0 : ret == -HV_EINVAL)
			return 0;
		break;
	case HC_hypercall_count:
		if (a0 < HC_COUNT) {
			/* This call is counted after it answers: by_nr has it already. */
			uint64_t want = fz.hc_base[a0] + fz.by_nr[a0] - (a0 == nr);

			if ((uint64_t)ret == want)
				return 0;
			snprintf(what, len, "hypercall_count(%lu) %ld, want %lu", a0, ret, want);
			return 1;
		}
		if (ret >= 0)
			return 0;
		break;
	case HC_console_write:
		if (in_ram(a0, a1) ? a1 == 0 && ret == 0 : ret == -HV_EFAULT)
			return 0;
		break;
	case HC_shared_page:
		if (ret == -HV_EFAULT)
			return 0;
		break;
	case HC_apic_eoi:
		if (ret == 0)
			return 0;
		break;
	case HC_timer_arm:
		if (a0 <= 0xffffffffu ? ret == 0 : ret == -HV_EINVAL)
			return 0;
		break;
	case HC_send_ipi_mask:                  /* to none of the guest's CPUs */
		if (a1 >= 16 && a1 <= 255 ? ret == 0 : ret == -HV_EINVAL)
			return 0;
		break;
	case HC_flush_tlb_others:
		if (ret >= 0 && ret < 64)
			return 0;
		break;
	case HC_kick:                           /* kept: no wait is made */
		if (a0 < 64 && online_ids() >> a0 & 1 ? ret == 0 : ret == -HV_EINVAL)
			return 0;
		break;
	}
	snprintf(what, len, "returned %ld", ret);
	return 1;
}

static const char *const reg_names[] = {
	"rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "r8", "r9", "r10", "r11",
	"r12", "r13", "r14", "r15", "rsp", "rflags",
};
_Static_assert(sizeof(struct hcfuzz_regs) == sizeof(reg_names) / sizeof(reg_names[0]) * 8,
	       "one name per register");

/*
 * Where the counts stand before loop call next: the hypervisor's own, as
 * it serves them, less the loop's calls so far. Again after a failure was
 * printed: kprintf made hypercalls of its own (console_write). These calls
 * are VMCALLs too, and counted after they answer; the VMCALL count comes
 * last.
 */
static void counts_sync(unsigned long next)
{
	unsigned i;

	for (i = 0; i < HC_COUNT; i++)
		fz.hc_base[i] = (uint64_t)hypercall(HC_hypercall_count, i, 0, 0) - fz.by_nr[i];
	fz.hc_base[HC_hypercall_count] += HC_COUNT - HC_hypercall_count;
	fz.hc_base[HC_exits_total]++;
	fz.hc_base[HC_exit_count]++;
	fz.total_last = (uint64_t)hypercall0(HC_exits_total) + 2;
	fz.total_at = next;
	fz.vmcall_base = (uint64_t)hypercall(HC_exit_count, EXIT_REASON_VMCALL, 0, 0) + 1 - next;
}

int hcfuzz_run(unsigned long calls, char *why, size_t whylen)
{
	const struct boot_info *bi = &boot_info;
	uint64_t t0, t1, local = 0;
	int failed = 0;

	memset(&fz, 0, sizeof(fz));
	fz.rng = 0x9e3779b97f4a7c15ull;         /* fixed: a run can be replayed */
	fz.ram_end = bi->usable[bi->nr_usable - 1].base + bi->usable[bi->nr_usable - 1].len;
	fz.stack = (uint64_t)&local;
	kprintf("selftest: fuzz: %lu hypercalls, seed 0x%lx, RAM ends at 0x%lx; not made: "
		"halt, safe_halt, wait (they wait for an interrupt or a kick); console_write and "
		"shared_page get only arguments the ABI refuses (or length 0), send_ipi_mask "
		"none of the guest's CPUs\n",
		calls, fz.rng, fz.ram_end);
	counts_sync(0);
	t0 = rdtsc_ordered();
	for (fz.calls = 0; fz.calls < calls; fz.calls++) {
		struct hcfuzz_regs *in = &hcfuzz_in;
		uint64_t nr = pick_number(), *pin, *pout;
		unsigned long shown = fz.shown;
		char what[120];
		unsigned r;

		in->rbx = hostile();
		in->rcx = hostile();
		in->rdx = hostile();
		in->rsi = hostile();
		in->rdi = hostile();
		in->rbp = hostile();
		in->r8 = hostile();
		in->r9 = hostile();
		in->r10 = hostile();
		in->r11 = hostile();
		in->r12 = hostile();
		in->r13 = hostile();
		in->r14 = hostile();
		in->r15 = hostile();
		in->rflags = RF_FIXED | (rnd() & RF_FUZZ);
		refusable(nr, in);
		in->rax = nr;
		hcfuzz_vmcall();
		if (result_wrong(nr, (int64_t)hcfuzz_out.rax, what, sizeof(what))) {
			fz.wrong++;
			fail(&failed, why, whylen, "%s", what);
		}
		/* Every register but RAX as it went in (struct order: reg_names). */
		pin = &in->rax;
		pout = &hcfuzz_out.rax;
		for (r = 1; r < ARRAY_SIZE(reg_names); r++)
			if (pin[r] != pout[r]) {
				fz.changed++;
				fail(&failed, why, whylen, "%s 0x%lx became 0x%lx", reg_names[r],
				     pin[r], pout[r]);
			}
		if (fz.shown != shown)
			counts_sync(fz.calls + 1);
	}
	t1 = rdtsc_ordered();
	pv_timer_arm(LAPIC_TIMER_COUNT);        /* the guest's tick, as before */
	kprintf("selftest: fuzz: %lu hypercalls, %lu wrong results, %lu register changes\n",
		fz.calls, fz.wrong, fz.changed);
	kprintf("selftest: fuzz: %lu undefined numbers; %lu console_writes and %lu "
		"shared_pages, each refused or empty; %lu tsc (%lu per call)\n", fz.undefined,
		fz.writes, fz.pages, t1 - t0, calls ? (t1 - t0) / calls : 0);
	return failed ? -1 : 0;
}
