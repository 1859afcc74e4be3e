/*
 * selftest.c - the guest's self-tests: every pv op and the exception path.
 *
 * Each test exercises ops through their (patched or not) call sites and
 * checks an observable effect, so that a wrong template fails here and
 * not somewhere later. "fail" and "fault" are not in "all": they fail on
 * purpose, to prove that a failing run is reported as one; nor is "fuzz",
 * the hypercall fuzzer, for its length. Nor are the hostile ones, which
 * never end by themselves ("hang.*"), forge the hypervisor's report
 * ("forge") or attack its rules (hostile.c): under the hypervisor each
 * must be stopped, refused or reported by it, never pass wrongly. Nor
 * are the local-APIC tests (lapic_test.c), compared bare and hosted.
 *
 * Environment: guest kernel after mm_init and lapic_init; interrupts off
 * between tests.
 */
/* SPDX-License-Identifier: MIT */
#include "guest.h"
#include "hcfuzz.h"
#include "hypercall.h"
#include "lapic.h"
#include "lib.h"
#include "mm.h"
#include "pv.h"
#include "selftest.h"
#include "smp.h"
#include "trap.h"
#include "x86.h"

char selftest_why[160];
#define why selftest_why            /* this file's short name for it */

/* Wait (bounded, without halting) until the APIC timer visibly counts. */
int timer_counts(void)
{
	uint32_t first = lapic_read(LAPIC_TMCCT);
	unsigned i;

	for (i = 0; i < 1000000; i++)
		if (lapic_read(LAPIC_TMCCT) != first)
			return 1;
	return 0;
}

/* Halt until n more ticks came; only after timer_counts() said it runs. */
void wait_ticks(uint64_t n)
{
	uint64_t until = lapic_ticks + n;

	while (lapic_ticks < until) {
		pv_safe_halt();
		pv_irq_disable();
	}
}

static int test_irq(void)
{
	unsigned long f0, f1;

	pv_irq_disable();
	f0 = pv_save_fl();
	CHECK(!(f0 & RFLAGS_IF), "IF set after irq_disable (rflags=0x%lx)", f0);
	pv_irq_enable();
	f1 = pv_save_fl();
	CHECK(f1 & RFLAGS_IF, "IF clear after irq_enable (rflags=0x%lx)", f1);
	pv_restore_fl(f0);
	CHECK(!(pv_save_fl() & RFLAGS_IF), "restore_fl did not clear IF");
	pv_restore_fl(f1);
	CHECK(pv_save_fl() & RFLAGS_IF, "restore_fl did not set IF");
	pv_irq_disable();
	CHECK((f0 & ~RFLAGS_IF) == (pv_save_fl() & ~RFLAGS_IF),
	      "save_fl changed other flags");
	return 0;
}

static int test_halt(void)
{
	uint64_t t;

	CHECK(timer_counts(), "APIC timer does not count: halting would hang");
	pv_irq_disable();
	t = lapic_ticks;
	pv_safe_halt();                 /* sti; hlt: wakes on the next tick */
	pv_irq_disable();
	CHECK(lapic_ticks > t, "safe_halt returned without an interrupt");
	t = lapic_ticks;
	pv_irq_enable();
	pv_halt();
	pv_irq_disable();
	CHECK(lapic_ticks > t, "halt returned without an interrupt");
	return 0;
}

static int test_cr(void)
{
	unsigned long cr3 = pv_read_cr3(), raw;

	asm volatile("movq %%cr3, %0" : "=r"(raw));
	CHECK(cr3 == raw, "read_cr3 0x%lx, cr3 is 0x%lx", cr3, raw);
	pv_write_cr3(cr3);
	CHECK(pv_read_cr3() == cr3, "write_cr3 round trip 0x%lx", pv_read_cr3());
	return 0;
}

/* Map MM_TEST_VA to frame a, read, remap to b, flush, read again. */
static int tlb_case(int all)
{
	static uint64_t a, b;
	volatile uint64_t *v = (volatile uint64_t *)MM_TEST_VA;
	uint64_t got;

	if (!a) {
		a = mm_alloc_frame();
		b = mm_alloc_frame();
		*(uint64_t *)a = 0xaaaaaaaaaaaaaaaaul;
		*(uint64_t *)b = 0xbbbbbbbbbbbbbbbbul;
	}
	mm_map_4k(MM_TEST_VA, a, PTE_W);
	pv_flush_tlb_one(MM_TEST_VA);
	got = *v;
	CHECK(got == 0xaaaaaaaaaaaaaaaaul, "read 0x%lx through the first mapping", got);
	*mm_pte(MM_TEST_VA) = b | PTE_P | PTE_W;
	if (all)
		pv_flush_tlb_all();
	else
		pv_flush_tlb_one(MM_TEST_VA);
	got = *v;
	CHECK(got == 0xbbbbbbbbbbbbbbbbul, "stale read 0x%lx after flush_tlb_%s",
	      got, all ? "all" : "one");
	return 0;
}

static int test_tlb(void)
{
	if (tlb_case(0) || tlb_case(1))
		return -1;
	return 0;
}

static int test_io(void)
{
	unsigned i;

	for (i = 0; i < 16; i++)
		pv_io_delay();
	return 0;
}

static int test_apic(void)
{
	uint64_t t, t0, t1, period;
	unsigned i;

	CHECK(timer_counts(), "APIC timer does not count");
	/* Every tick needs an EOI before the next one is delivered. */
	pv_irq_disable();
	wait_ticks(1);
	t0 = pv_clock_read();
	wait_ticks(4);
	t1 = pv_clock_read();
	period = (t1 - t0) / 4;
	CHECK(period > 0, "no time between ticks");
	/* timer_arm(0) stops it: no tick over three periods. */
	pv_timer_arm(0);
	pv_irq_enable();
	for (i = 0; i < 64; i++)        /* let a pending tick land */
		asm volatile("nop");
	t = lapic_ticks;
	t0 = pv_clock_read();
	while (pv_clock_read() - t0 < 3 * period)
		cpu_relax();
	pv_irq_disable();
	CHECK(lapic_ticks == t, "%lu ticks after timer_arm(0)", lapic_ticks - t);
	CHECK(lapic_read(LAPIC_TMCCT) == 0, "timer still counts after timer_arm(0)");
	pv_timer_arm(LAPIC_TIMER_COUNT);
	CHECK(timer_counts(), "timer_arm did not restart the timer");
	wait_ticks(1);
	kprintf("selftest: apic: tick period %lu tsc\n", period);
	return 0;
}

static int test_clock(void)
{
	uint64_t prev = pv_clock_read(), now, raw;
	unsigned i;

	for (i = 0; i < 1000; i++) {
		now = pv_clock_read();
		CHECK(now >= prev, "clock went back: 0x%lx then 0x%lx", prev, now);
		prev = now;
	}
	raw = rdtsc_ordered();
	now = pv_clock_read();
	CHECK(now >= raw, "clock_read 0x%lx behind rdtsc 0x%lx", now, raw);
	for (i = 0; i < 10000; i++)
		asm volatile("");
	CHECK(pv_clock_read() > now, "clock does not advance");
	return 0;
}

static int test_console(void)
{
	static const char line[] = "selftest: console: one console_write of a whole line\n";

	pv_console_write(line, sizeof(line) - 1);
	pv_console_write(line, 0);
	return 0;
}

static int test_exceptions(void)
{
	struct trap_expect *e = &trap_expect;
	uint64_t at, bad = MM_TEST_VA + 0x5000;

	at = PROBE(VEC_UD, 1, "ud2", "i"(0));
	CHECK(e->hit && e->got_rip == at, "#UD: hit=%d rip=0x%lx want 0x%lx",
	      e->hit, e->got_rip, at);

	at = PROBE(VEC_DE, 1, "divl %%ecx", "c"(0));
	CHECK(e->hit && e->got_rip == at, "#DE: hit=%d rip=0x%lx", e->hit, e->got_rip);

	at = PROBE(VEC_GP, 1, "movq (%%rcx), %%rax", "c"(0x8000000000000000ul));
	CHECK(e->hit && e->got_rip == at && e->got_error == 0,
	      "#GP: hit=%d rip=0x%lx error=0x%lx", e->hit, e->got_rip, e->got_error);

	at = PROBE(VEC_PF, 1, "movq (%%rcx), %%rax", "c"(bad));
	CHECK(e->hit && e->got_rip == at && e->got_cr2 == bad &&
	      !(e->got_error & (PF_ERR_P | PF_ERR_W)),
	      "#PF read: hit=%d cr2=0x%lx want 0x%lx error=0x%lx",
	      e->hit, e->got_cr2, bad, e->got_error);

	at = PROBE(VEC_PF, 1, "movq %%rax, (%%rcx)", "c"(bad + 8));
	CHECK(e->hit && e->got_cr2 == bad + 8 && (e->got_error & PF_ERR_W),
	      "#PF write: hit=%d cr2=0x%lx error=0x%lx", e->hit, e->got_cr2,
	      e->got_error);
	CHECK(pv_read_cr2() == bad + 8, "read_cr2 0x%lx after #PF", pv_read_cr2());

	trap_expect.fixup_rip = 0;      /* a trap: RIP already after int3 */
	at = PROBE(VEC_BP, 0, "int3", "i"(0));
	CHECK(e->hit && e->got_rip == at + 1, "#BP: hit=%d rip=0x%lx want 0x%lx",
	      e->hit, e->got_rip, at + 1);
	e->armed = 0;
	return 0;
}

static int test_memmap(void)
{
	const struct boot_info *bi = &boot_info;
	unsigned i;

	CHECK(!mm_check(bi, why, sizeof(why)), "%s", why);
	/* The first and last whole page of every usable range is there, and RAM. */
	for (i = 0; i < bi->nr_usable; i++) {
		uint64_t first = (bi->usable[i].base + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
		uint64_t end = (bi->usable[i].base + bi->usable[i].len) & ~(PAGE_SIZE - 1);
		uint64_t probe[2] = { first, end - 8 };
		unsigned k;

		if (first < PAGE_SIZE)
			first = probe[0] = PAGE_SIZE;
		if (end < first + PAGE_SIZE)
			continue;
		for (k = 0; k < 2; k++) {
			volatile uint64_t *p = (volatile uint64_t *)probe[k];
			uint64_t keep = *p;

			*p = ~keep;
			CHECK(*p == ~keep, "RAM at 0x%lx does not hold a write", probe[k]);
			*p = keep;
		}
	}
	CHECK(mm_stats.mapped_bytes <= bi->usable_bytes + (4u << 20),
	      "mapped %lu KiB, usable is %lu KiB", mm_stats.mapped_bytes >> 10,
	      bi->usable_bytes >> 10);
	return 0;
}

/*
 * One console_write of 4 MiB (all of it the guest's RAM) comes back after
 * its first HV_CONSOLE_WRITE_MAX bytes at most, saying how many: an exit's
 * work does not grow with the length the guest passes (hv_abi.h). What it
 * writes is one line of this buffer, so the log stays readable.
 */
static int console_write_bounded(void)
{
	static char head[HV_CONSOLE_WRITE_MAX];
	static const char say[] = "selftest: hypercall: the start of a 4 MiB console_write: ";
	const uint64_t len = 4ul << 20;
	uint64_t t0, t1;
	int64_t n;

	memset(head, '.', sizeof(head));
	memcpy(head, say, sizeof(say) - 1);
	head[sizeof(head) - 1] = '\n';
	t0 = rdtsc_ordered();
	n = hypercall(HC_console_write, (uint64_t)head, len, 0);
	t1 = rdtsc_ordered();
	if (n > 0 && n < (int64_t)sizeof(head))
		kprintf("\n");                /* the line was cut short */
	CHECK(n > 0 && n <= HV_CONSOLE_WRITE_MAX,
	      "a 4 MiB console_write returned %ld, want 1..%u", n, HV_CONSOLE_WRITE_MAX);
	kprintf("selftest: hypercall: a 4 MiB console_write wrote %ld bytes (at most %u) "
		"in %lu tsc\n", n, HV_CONSOLE_WRITE_MAX, t1 - t0);
	return 0;
}

/* Exit accounting, served by hypercall (shared/abi/abi.def). */
static int test_hypercall(void)
{
	uint32_t a, b, c, d;
	int64_t before, after, total;

	if (!platform_hv.ours)
		SKIP("not running on this hypervisor");
	CHECK(hypercall(HC_null, 0, 0, 0) == HV_OK, "null hypercall failed");
	before = hypercall(HC_exit_count, 10 /* CPUID */, 0, 0);
	total = hypercall(HC_exits_total, 0, 0, 0);
	cpuid(0, 0, &a, &b, &c, &d);
	after = hypercall(HC_exit_count, 10, 0, 0);
	CHECK(before >= 0 && after == before + 1, "CPUID exits %ld then %ld", before, after);
	CHECK(total > before, "exits_total %ld below the CPUID count %ld", total, before);
	before = hypercall(HC_port_count, 0x80, 0, 0);
	outb(0x80, 0);
	after = hypercall(HC_port_count, 0x80, 0, 0);
	CHECK(after == before + 1, "port 0x80 exits %ld then %ld", before, after);
	before = hypercall(HC_hypercall_count, HC_null, 0, 0);
	hypercall0(HC_null);
	after = hypercall(HC_hypercall_count, HC_null, 0, 0);
	CHECK(after == before + 1, "null hypercalls %ld then %ld", before, after);
	CHECK(hypercall(0xffff, 0, 0, 0) == -HV_ENOSYS, "unknown hypercall did not say ENOSYS");
	CHECK(hypercall(HC_exit_count, 1000, 0, 0) == -HV_EINVAL, "bad reason did not say EINVAL");
	return console_write_bounded();
}

/*
 * Run code in ring 3 until it faults; returns its RAX at the fault. The
 * trap handler takes it back to ring 0 here (trap_expect.fixup_rsp).
 */
uint64_t run_user(const uint8_t *code, unsigned len, uint64_t fault_vector)
{
	return run_at_ring(code, len, fault_vector, GUEST_USER_CS, GUEST_USER_DS);
}

/* As run_user, with these code and stack selectors (their RPL: the ring). */
uint64_t run_at_ring(const uint8_t *code, unsigned len, uint64_t fault_vector,
		     uint64_t cs, uint64_t ss)
{
	static uint8_t page[4096] __attribute__((aligned(4096)));
	uint64_t user_rsp = MM_USER_VA + sizeof(page) - 64;

	memcpy(page, code, len);
	mm_map_4k(MM_USER_VA, (uint64_t)page, PTE_W | PTE_U);
	pv_flush_tlb_one(MM_USER_VA);
	trap_expect.vector = fault_vector;
	trap_expect.hit = 0;
	asm volatile("movq %%rsp, %[ksp]\n\t"
		     "leaq 1f(%%rip), %%rax\n\t"
		     "movq %%rax, %[fix]\n\t"
		     "pushq %[uss]\n\t"
		     "pushq %[ursp]\n\t"
		     "pushq $2\n\t"                  /* RFLAGS: IF off */
		     "pushq %[ucs]\n\t"
		     "pushq %[urip]\n\t"
		     "movl $1, %[armed]\n\t"
		     "iretq\n"
		     "1:"
		     : [ksp] "=m"(trap_expect.fixup_rsp), [fix] "=m"(trap_expect.fixup_rip),
		       [armed] "=m"(trap_expect.armed)
		     : [uss] "r"(ss), [ursp] "r"(user_rsp),
		       [ucs] "r"(cs), [urip] "r"(MM_USER_VA)
		     : "rax", "memory");
	return trap_expect.got_rax;
}

/*
 * The hypercall ABI's promises (shared/abi/hv_abi.h): unknown numbers,
 * bad arguments and pointers outside the guest's RAM get error codes, and
 * VMCALL from ring 3 is refused.
 */
static int test_abi(void)
{
	/* mov eax, HC_null; vmcall; ud2: the #UD takes it back to ring 0. */
	static const uint8_t user_code[] = { 0xb8, HC_null, 0, 0, 0, 0x0f, 0x01, 0xc1, 0x0f, 0x0b };
	const struct boot_info *bi = &boot_info;
	uint64_t ram_end = bi->usable[bi->nr_usable - 1].base + bi->usable[bi->nr_usable - 1].len;
	uint64_t rax;

	if (!platform_hv.ours)
		SKIP("not running on this hypervisor");
	CHECK(hypercall0(0x7fff) == -HV_ENOSYS, "unknown number: not ENOSYS");
	CHECK(hypercall0(HC_COUNT) == -HV_ENOSYS, "first unused number: not ENOSYS");
	CHECK(hypercall(HC_exit_count, 65, 0, 0) == -HV_EINVAL, "bad exit reason: not EINVAL");
	CHECK(hypercall(HC_console_write, ram_end + 4096, 8, 0) == -HV_EFAULT,
	      "console_write beyond RAM: not EFAULT");
	CHECK(hypercall(HC_console_write, ram_end - 4, 8, 0) == -HV_EFAULT,
	      "console_write across the end of RAM: not EFAULT");
	CHECK(hypercall(HC_console_write, 0x1000, ~0ul, 0) == -HV_EFAULT,
	      "console_write with a wrapping length: not EFAULT");
	CHECK(hypercall(HC_shared_page, 0x1001, 0, 0) == -HV_EFAULT,
	      "unaligned shared page: not EFAULT");
	CHECK(hypercall(HC_console_write, (uint64_t)"", 0, 0) == 0, "empty write failed");
	rax = run_user(user_code, sizeof(user_code), VEC_UD);
	CHECK(trap_expect.hit && (trap_expect.got_cs & 3) == 3,
	      "the user code did not reach its ud2 in ring 3 (hit=%d cs=0x%lx)",
	      trap_expect.hit, trap_expect.got_cs);
	CHECK(rax == (uint64_t)-HV_EPERM, "VMCALL from ring 3 returned 0x%lx, not EPERM", rax);
	return 0;
}

/*
 * Absent MMIO under the hypervisor behaves as absent hardware: loads of
 * every size read all ones, stores vanish. (Natively the window may hold
 * real devices, so the test runs hosted only.) The loads also check what
 * the hypervisor leaves in the register (SDM vol. 1, 3.4.1.1): 8- and
 * 16-bit loads keep the rest (AH: bits 15:8 only), 32-bit ones zero the
 * upper half, MOVZX/MOVSX/MOVSXD widen; with 66 and 67 prefixes, REX
 * registers and moffs forms.
 */
#define MMIO_ABSENT_PA  0xe0000000ul
#define MMIO_OLD        0x1122334455667788ul

static int test_mmio(void)
{
	volatile uint8_t *p = (volatile uint8_t *)MM_TEST_VA;
	volatile uint16_t *w16 = (volatile uint16_t *)p;
	volatile uint32_t *w32 = (volatile uint32_t *)p;
	volatile uint64_t *w64 = (volatile uint64_t *)p;
	uint64_t q, r;
	uint32_t l;
	uint16_t w;
	uint8_t b;

	if (!platform_hv.ours)
		SKIP("not running on this hypervisor");
	mm_map_4k(MM_TEST_VA, MMIO_ABSENT_PA, PTE_W | PTE_PCD | PTE_PWT);
	pv_flush_tlb_one(MM_TEST_VA);
	/* Below 4 GiB too, for 32-bit addresses (67): identity. Nothing
	 * mapped it before, and only present entries are cached (SDM vol.
	 * 3A, 5.10): no flush, and no pv call site more. */
	mm_map_4k(MMIO_ABSENT_PA, MMIO_ABSENT_PA, PTE_W | PTE_PCD | PTE_PWT);
	q = *(volatile uint64_t *)p;
	l = *(volatile uint32_t *)(p + 4);
	w = *(volatile uint16_t *)(p + 2);
	b = p[1];
	*(volatile uint32_t *)p = 0x12345678;
	p[3] = 0;
	CHECK(q == ~0ul && l == ~0u && w == 0xffff && b == 0xff,
	      "absent MMIO read 0x%lx 0x%x 0x%x 0x%x, want all ones", q, l, w, b);
	CHECK(*(volatile uint32_t *)p == ~0u, "a store to absent MMIO stuck");

	r = MMIO_OLD;
	asm volatile("movw %1, %w0" : "+r"(r) : "m"(*w16));                 /* 66 8b */
	CHECK(r == 0x112233445566fffful, "mov r16: 0x%lx", r);
	r = MMIO_OLD;
	asm volatile("movb %1, %h0" : "+Q"(r) : "m"(*p));                   /* 8a /4..7 */
	CHECK(r == 0x112233445566ff88ul, "mov ah..bh: 0x%lx", r);
	r = MMIO_OLD;
	asm volatile("movb %1, %%sil" : "+S"(r) : "m"(*p));                 /* 40 8a */
	CHECK(r == 0x11223344556677fful, "mov sil (REX): 0x%lx", r);
	r = MMIO_OLD;
	asm volatile("movl %1, %k0" : "+r"(r) : "m"(*w32));                 /* zero-extends */
	CHECK(r == 0xfffffffful, "mov r32: 0x%lx", r);
	asm volatile("movq %1, %%r11; movq %%r11, %0" : "=r"(r) : "m"(*w64) : "r11");
	CHECK(r == ~0ul, "mov r11 (REX.R): 0x%lx", r);
	r = MMIO_OLD;
	asm volatile("movzbw %1, %w0" : "+r"(r) : "m"(*p));                 /* 66 0f b6 */
	CHECK(r == 0x11223344556600fful, "movzx r16, m8: 0x%lx", r);
	r = MMIO_OLD;
	asm volatile("movzwl %1, %k0" : "+r"(r) : "m"(*w16));               /* 0f b7 */
	CHECK(r == 0xfffful, "movzx r32, m16: 0x%lx", r);
	r = MMIO_OLD;
	asm volatile("movsbw %1, %w0" : "+r"(r) : "m"(*p));                 /* 66 0f be */
	CHECK(r == 0x112233445566fffful, "movsx r16, m8: 0x%lx", r);
	r = MMIO_OLD;
	asm volatile("movswq %1, %0" : "+r"(r) : "m"(*w16));                /* 48 0f bf */
	CHECK(r == ~0ul, "movsx r64, m16: 0x%lx", r);
	r = MMIO_OLD;
	asm volatile("movslq %1, %0" : "+r"(r) : "m"(*w32));                /* 48 63 */
	CHECK(r == ~0ul, "movsxd r64, m32: 0x%lx", r);
	r = MMIO_OLD;
	asm volatile("movl (%k1), %k0" : "+r"(r) : "r"(MMIO_ABSENT_PA));     /* 67 8b */
	CHECK(r == 0xfffffffful, "mov r32, [r32] (67): 0x%lx", r);
	r = MMIO_OLD;
	asm volatile("movw (%k1), %w0" : "+r"(r) : "r"(MMIO_ABSENT_PA));     /* 66 67 8b */
	CHECK(r == 0x112233445566fffful, "mov r16, [r32] (66 67): 0x%lx", r);
	r = MMIO_OLD;
	asm volatile("movabsw %P1, %%ax" : "+a"(r) : "i"(MM_TEST_VA));       /* 66 a1 moffs64 */
	CHECK(r == 0x112233445566fffful, "mov ax, moffs64: 0x%lx", r);
	r = MMIO_OLD;
	asm volatile("addr32 movb %P1, %%al" : "+a"(r) : "i"(MMIO_ABSENT_PA)); /* 67 a0 moffs32 */
	CHECK(r == 0x11223344556677fful, "mov al, moffs32 (67): 0x%lx", r);
	asm volatile("movw $0x1234, %0" : "=m"(*w16));                      /* 66 c7 */
	asm volatile("movq $-1, %0" : "=m"(*w64));                          /* 48 c7 */
	asm volatile("movb %%al, %0" : "=m"(p[2]) : "a"(0));                /* 88 */
	asm volatile("movabsl %%eax, %P0" : : "i"(MM_TEST_VA), "a"(0));      /* a3 moffs64 */
	CHECK(*w64 == ~0ul, "stores to absent MMIO stuck: 0x%lx", *w64);
	return 0;
}

/*
 * Read guest-physical memory past the end of the guest's RAM: under the
 * hypervisor that is its memory or nobody's, and the guest must be stopped
 * there. Not in "all": it ends the run.
 */
/*
 * CPUID answers the same every time for the same (leaf, sub-leaf), also
 * when another leaf or sub-leaf came between, and follows CR4.OSXSAVE and
 * XCR0 at once. Hosted, the first CPUID of a (leaf, sub-leaf) is asked in
 * C and the next ones come from the hypervisor's cache (vmentry.asm):
 * this holds the two to the same answers, and to the bare CPU's rules.
 */
static void cpuid4(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	cpuid(leaf, sub, &r[0], &r[1], &r[2], &r[3]);
}

static int cpuid_same(uint32_t leaf, uint32_t sub, const uint32_t want[4])
{
	uint32_t r[4];

	cpuid4(leaf, sub, r);
	return r[0] == want[0] && r[1] == want[1] && r[2] == want[2] && r[3] == want[3];
}

static int test_cpuid(void)
{
	static const uint32_t keys[][2] = {
		{ 0, 0 }, { 1, 0 }, { 1, 5 }, { 7, 0 }, { 7, 1 }, { 0xb, 0 }, { 0xb, 1 },
		{ 0xd, 0 }, { 0xd, 1 }, { 0x80000000u, 0 }, { 0x80000001u, 0 },
		{ 0x80000008u, 0 }, { 0x08000007u, 0 },  /* leaf 7's slot, past the last */
	};
	uint32_t first[ARRAY_SIZE(keys)][4], r[4], max, a, b, c, d;
	uint64_t cr4;
	unsigned i, round;

	cpuid(0, 0, &max, &b, &c, &d);
	for (i = 0; i < ARRAY_SIZE(keys); i++)
		cpuid4(keys[i][0], keys[i][1], first[i]);
	/* Twice more each, in an order where neighbours share a slot. */
	for (round = 0; round < 2; round++)
		for (i = 0; i < ARRAY_SIZE(keys); i++)
			CHECK(cpuid_same(keys[i][0], keys[i][1], first[i]),
			      "CPUID 0x%x.%u answered otherwise the %s time", keys[i][0],
			      keys[i][1], round ? "third" : "second");
	if (max >= 0xb)                         /* sub-leaves: levels 1 and 2 */
		CHECK(((first[5][2] >> 8) & 0xff) != ((first[6][2] >> 8) & 0xff) ||
		      !first[6][1], "leaf 0xB's sub-leaves 0 and 1 gave one answer");

	cpuid(1, 0, &a, &b, &c, &d);
	if (!(c & (1u << 26)))
		return 0;                       /* no XSAVE: the rest needs it */
	asm volatile("movq %%cr4, %0" : "=r"(cr4));
	for (i = 0; i < 2; i++) {
		asm volatile("movq %0, %%cr4" : : "r"(cr4 | (1ul << 18)));  /* OSXSAVE */
		cpuid4(1, 0, r);
		CHECK(r[2] & (1u << 27), "CPUID.1:ECX.OSXSAVE clear with CR4.OSXSAVE set");
		cpuid4(1, 0, r);
		CHECK(r[2] & (1u << 27), "OSXSAVE clear on the second CPUID");
		asm volatile("xsetbv" : : "c"(0), "a"(3), "d"(0));          /* x87|SSE */
		cpuid4(0xd, 0, r);
		CHECK(cpuid_same(0xd, 0, r) && r[1] >= 576, "CPUID.0xD.0 EBX %u for x87|SSE",
		      r[1]);
		asm volatile("xsetbv" : : "c"(0), "a"(1), "d"(0));          /* x87 */
		asm volatile("movq %0, %%cr4" : : "r"(cr4 & ~(1ul << 18)));
		cpuid4(1, 0, r);
		CHECK(!(r[2] & (1u << 27)), "CPUID.1:ECX.OSXSAVE set with CR4.OSXSAVE clear");
		cpuid4(1, 0, r);
		CHECK(!(r[2] & (1u << 27)), "OSXSAVE set on the second CPUID");
	}
	asm volatile("movq %0, %%cr4" : : "r"(cr4));
	return 0;
}

static int test_escape(void)
{
	const struct boot_info *bi = &boot_info;
	uint64_t end = bi->usable[bi->nr_usable - 1].base + bi->usable[bi->nr_usable - 1].len;
	uint64_t pa = (end + (2ul << 20)) & ~(PAGE_SIZE - 1);
	volatile uint64_t *p = (volatile uint64_t *)MM_TEST_VA;
	uint64_t v;

	kprintf("selftest: escape: reading guest-physical 0x%lx, past the end of RAM\n", pa);
	mm_map_4k(MM_TEST_VA, pa, PTE_W);
	pv_flush_tlb_one(MM_TEST_VA);
	v = *p;
	CHECK(0, "read 0x%lx at 0x%lx and nobody stopped the guest", v, pa);
	return 0;
}

/* An empty IDT, then int3: #GP, #DF, shutdown. Not in "all". */
static int test_triple(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) none = { 0, 0 };

	kprintf("selftest: triple: an empty IDT, then int3: a triple fault\n");
	asm volatile("lidt %0; int3" : : "m"(none));
	CHECK(0, "the CPU survived a triple fault");
	return 0;
}

/*
 * The in-guest hypercall fuzzer (hcfuzz.c): hostile numbers, arguments and
 * registers, every result and register checked. Not in "all": 100,000
 * exits is a test of its own.
 */
static int test_fuzz(void)
{
	if (!platform_hv.ours)
		SKIP("not running on this hypervisor");
	return hcfuzz_run(HCFUZZ_CALLS, why, sizeof(why));
}

static int test_fail(void)
{
	CHECK(0, "this test fails on purpose (tests=fail)");
	return 0;
}

static int test_fault(void)
{
	kprintf("selftest: fault: executing ud2 with no handler armed\n");
	asm volatile("ud2");
	CHECK(0, "ud2 did not fault");
	return 0;
}

/*
 * Halt with interrupts on but nothing left to raise one: the APIC timer
 * masked, the 8259s masked. On bare metal this sleeps for ever; the
 * hypervisor must stop it at once. A tick already pending wakes the
 * first halt; the next one is for good.
 */
static int test_hang_hlt(void)
{
	kprintf("selftest: hang.hlt: the APIC timer masked, then halting with interrupts on\n");
	lapic_write(LAPIC_LVT_TIMER, LVT_MASKED | LVT_PERIODIC | VEC_TIMER);
	for (;;)
		pv_safe_halt();
	return 0;
}

/* Spin with interrupts off: no exit, ever, but the hypervisor's timer. */
static int test_hang_loop(void)
{
	kprintf("selftest: hang.loop: cli; jmp $\n");
	asm volatile("cli; 1: jmp 1b" ::: "memory");
	return 0;
}

/* Wait for a kick no CPU can send: interrupts off, one CPU. Hosted with
 * the hypervisor backend the wait is a hypercall, and the hypervisor stops
 * the guest at once; natively it is PAUSE, for ever. */
static int test_hang_wait(void)
{
	kprintf("selftest: hang.wait: interrupts off, waiting for a kick\n");
	pv_irq_disable();
	for (;;)
		pv_wait();
	return 0;
}

/* A hang on one CPU: CPU 1 spins with interrupts off (smp_call runs it
 * there) and this CPU waits for it for ever, interrupts on: hosted, the
 * watchdog ends the run and the report gives every CPU's state. */
static void spin_off(unsigned index)
{
	(void)index;
	asm volatile("cli; 1: jmp 1b" ::: "memory");
}

static int test_hang_ap(void)
{
	uint64_t others = smp_others();

	if (!others)
		SKIP("one CPU online");
	kprintf("selftest: hang.ap: CPU %u spins with interrupts off; this CPU waits for it\n",
		(unsigned)__builtin_ctzll(others));
	smp_call(others & -others, spin_off);
	asm volatile("sti; 1: pause; jmp 1b" ::: "memory");
	return 0;
}

/*
 * An interrupt storm: the APIC timer at its fastest (count 1, bus clock
 * divided by 1), interrupts on, and a loop that never ends: the guest does
 * nothing but take ticks.
 */
static int test_hang_storm(void)
{
	kprintf("selftest: hang.storm: APIC timer at count 1, every tick taken\n");
	lapic_write(LAPIC_TDCR, TDCR_DIV_1);
	lapic_write(LAPIC_LVT_TIMER, LVT_PERIODIC | VEC_TIMER);
	lapic_write(LAPIC_TMICT, 1);
	asm volatile("sti; 1: pause; jmp 1b" ::: "memory");
	return 0;
}

/*
 * Write the TSC back, for ever, with interrupts off: a watchdog that went
 * by the machine's TSC would never see its deadline come. First, once, a
 * write far ahead, and what the guest reads after it.
 */
#define MSR_IA32_TSC 0x10
static int test_hang_tsc(void)
{
	wrmsr(MSR_IA32_TSC, 1ul << 40);
	kprintf("selftest: hang.tsc: wrote 0x%lx to the TSC, it reads 0x%lx; writing 0 for ever\n",
		1ul << 40, rdtsc());
	pv_irq_disable();
	for (;;)
		wrmsr(MSR_IA32_TSC, 0);
	return 0;
}

/*
 * Forge the hypervisor's report on the console, then try to end the run
 * as a success: Bochs's magic breakpoint ends Bochs with status 0. The
 * hypervisor's own channel then lacks its last line, and the run fails.
 * Where the breakpoint does nothing, the test fails by itself.
 */
static int test_forge(void)
{
	kprintf("hv: guest ended with status 0 (isa-debug-exit port 0xf4)\n");
	kprintf("hv: stats: exits=1\n");
	kprintf("exit: status=0 (the guest's)\n");
	kprintf("exit: status=0\n");
	asm volatile("xchg %%bx, %%bx" ::: "memory");
	CHECK(0, "the forged report and the magic breakpoint did not end the run");
	return 0;
}

struct selftest {
	const char *name;
	int (*fn)(void);
	int in_all;
};

static const struct selftest tests[] = {
	{ "irq",        test_irq,        1 },
	{ "cr",         test_cr,         1 },
	{ "tlb",        test_tlb,        1 },
	{ "io",         test_io,         1 },
	{ "clock",      test_clock,      1 },
	{ "console",    test_console,    1 },
	{ "exceptions", test_exceptions, 1 },
	{ "memmap",     test_memmap,     1 },
	{ "halt",       test_halt,       1 },
	{ "apic",       test_apic,       1 },
	{ "hypercall",  test_hypercall,  1 },
	{ "mmio",       test_mmio,       1 },
	{ "abi",        test_abi,        1 },
	{ "cpuid",      test_cpuid,      1 },
	{ "smp.ipi",    test_smp_ipi,    0 },
	{ "smp.lock",   test_smp_lock,   0 },
	{ "smp.shootdown", test_smp_shootdown, 0 },
	{ "escape",     test_escape,     0 },
	{ "triple",     test_triple,     0 },
	{ "fuzz",       test_fuzz,       0 },
	{ "fail",       test_fail,       0 },
	{ "fault",      test_fault,      0 },
	/* hostile.c: the guest attacks the hypervisor's rules */
	{ "hostile.msr",  test_hostile_msr,      0 },
	{ "hostile.xcr0", test_hostile_xcr0,     0 },
	{ "hostile.cr",   test_hostile_cr,       0 },
	{ "hostile.dr7",  test_hostile_dr7,      0 },
	{ "hostile.rf",   test_hostile_fault_rf, 0 },
	{ "hostile.ring1", test_hostile_ring1,   0 },
	{ "hostile.idt",  test_hostile_idt_mmio, 0 },
	{ "hostile.tf",   test_hostile_tf,       0 },
	/* IPIs: those that stop the guest are for hosted runs (hostile.c) */
	{ "hostile.init", test_hostile_init,     0 },
	{ "hostile.init_other", test_hostile_init_other, 0 },
	{ "hostile.sipi", test_hostile_sipi,     0 },
	{ "hostile.nmi",  test_hostile_nmi,      0 },
	{ "hostile.smi",  test_hostile_smi,      0 },
	{ "hostile.ipi",  test_hostile_ipi,      0 },
	/* lapic_test.c: the local APIC, the same bare and hosted; x2apic and
	 * gp last: leaving x2APIC mode loses the APIC on some CPUs */
	{ "lapic.xapic",  test_lapic_xapic,      0 },
	{ "lapic.timer",  test_lapic_timer,      0 },
	{ "lapic.tpr",    test_lapic_tpr,        0 },
	{ "lapic.ipi",    test_lapic_ipi,        0 },
	{ "lapic.storm",  test_lapic_storm,      0 },
	{ "lapic.x2apic", test_lapic_x2apic,     0 },
	{ "lapic.gp",     test_lapic_gp,         0 },
	{ "hang.hlt",   test_hang_hlt,   0 },
	{ "hang.loop",  test_hang_loop,  0 },
	{ "hang.ap",    test_hang_ap,    0 },
	{ "hang.wait",  test_hang_wait,  0 },
	{ "hang.storm", test_hang_storm, 0 },
	{ "hang.tsc",   test_hang_tsc,   0 },
	{ "forge",      test_forge,      0 },
};

int selftest_check(const char *list, char *err, size_t errlen)
{
	const char *names[ARRAY_SIZE(tests)];
	unsigned i;

	for (i = 0; i < ARRAY_SIZE(tests); i++)
		names[i] = tests[i].name;
	return cmdline_list_check(list, names, ARRAY_SIZE(tests), err, errlen);
}

int selftest_run(const char *list)
{
	unsigned i, passed = 0, failed = 0, skipped = 0;

	for (i = 0; i < ARRAY_SIZE(tests); i++) {
		const struct selftest *t = &tests[i];

		if (!strcmp(list, "all") ? !t->in_all : !cmdline_list_has(list, t->name))
			continue;
		why[0] = 0;
		switch (t->fn()) {
		case 0:
			kprintf("selftest: %s ... ok\n", t->name);
			passed++;
			break;
		case SKIPPED:
			kprintf("selftest: %s ... skipped: %s\n", t->name, why);
			skipped++;
			break;
		default:
			kprintf("selftest: %s ... FAIL: %s\n", t->name, why);
			failed++;
			break;
		}
		pv_irq_disable();
	}
	kprintf("selftest: summary passed=%u failed=%u skipped=%u\n", passed, failed, skipped);
	return (int)failed;
}
