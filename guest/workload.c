/*
 * workload.c - one fixed mix of kernel work, timed part by part: what the
 * native-vs-hosted comparison (make run) measures as a whole.
 *
 *   console   one 4 KiB console write (64 lines)
 *   irq       save flags, disable, restore: 1000 times
 *   mmu       1000 single-page TLB flushes, 100 CR3 reloads
 *   io_delay  200 I/O delays
 *   cpuid     200 CPUID leaf-1 queries
 *   clock     1000 clock reads
 *   apic      200 self-IPIs, each taken and ended (EOI) by its handler
 *   timer     200 timer arms (the initial count: far off, never fires)
 *   compute   FNV-1a over 64 KiB, 8 times: no privileged work at all
 *
 * With more than one CPU online, three parts across CPUs follow (none
 * with one, so that a one-CPU run prints what it always did):
 *   smp_ipi        100 round trips: a fixed IPI to the first AP (an SMP
 *                  call), which answers with a fixed IPI back
 *   smp_shootdown  50 TLB shootdowns on every other online CPU
 *                  (flush_tlb_others)
 *   smp_lock       every online CPU takes one spinlock 200 times to add
 *                  1 under it: the boot CPU's time from the start until
 *                  all are done (contended: wait and kick)
 * Their cost is the boot CPU's TSC, whatever the others spent.
 *
 * Each part prints "workload: part=NAME cost=N unit=tsc exits=E" (E under
 * this hypervisor only, else "-"), then one total line. Under Bochs the
 * cost is an exact instruction count, guest and hypervisor together. Under
 * KVM alone, marks in KVM's trace (kvm_mark.h) bracket each part's timed
 * body, just outside its TSC reads.
 *
 * Environment: guest kernel, from bench_run (timer stopped, IF off; the
 * apic and smp_ipi parts turn IF on for their interrupts, the timer part
 * stops the timer again), on the boot CPU; the APs run their share of the
 * smp_* parts in SMP calls.
 */
/* SPDX-License-Identifier: MIT */
#include "guest.h"
#include "hypercall.h"
#include "kvm_mark.h"
#include "lapic.h"
#include "lib.h"
#include "pv.h"
#include "smp.h"
#include "trap.h"
#include "x86.h"

#define COMPUTE_BYTES (64u << 10)

static uint8_t compute_buf[COMPUTE_BYTES];
static char console_buf[4096];
static volatile uint64_t sink;

static void part_console(void)
{
	console_write(console_buf, sizeof(console_buf));
}

static void part_irq(void)
{
	for (unsigned i = 0; i < 1000; i++) {
		unsigned long f = pv_save_fl();
		pv_irq_disable();
		pv_restore_fl(f);
	}
}

static void part_mmu(void)
{
	for (unsigned i = 0; i < 1000; i++)
		pv_flush_tlb_one((unsigned long)&compute_buf[(i * 4096) % COMPUTE_BYTES]);
	for (unsigned i = 0; i < 100; i++)
		pv_write_cr3(pv_read_cr3());
}

static void part_io_delay(void)
{
	for (unsigned i = 0; i < 200; i++)
		pv_io_delay();
}

static void part_cpuid(void)
{
	uint32_t r[4];

	for (unsigned i = 0; i < 200; i++) {
		pv_cpuid(1, 0, r);
		sink += r[0];
	}
}

static void part_clock(void)
{
	for (unsigned i = 0; i < 1000; i++)
		sink += pv_clock_read();
}

static void part_apic(void)
{
	pv_irq_enable();
	for (unsigned i = 0; i < 200; i++) {
		uint64_t before = irq_ipi_count;

		lapic_self_ipi(VEC_IPI);
		while (irq_ipi_count == before)         /* taken at once, but for an emulator */
			cpu_relax();
	}
	pv_irq_disable();
}

static void part_timer(void)
{
	for (unsigned i = 0; i < 200; i++)
		pv_timer_arm(0xffffffffu - i);
	pv_timer_arm(0);
}

static void part_compute(void)
{
	uint64_t h = 0xcbf29ce484222325ul;

	for (unsigned pass = 0; pass < 8; pass++)
		for (unsigned i = 0; i < COMPUTE_BYTES; i++)
			h = (h ^ compute_buf[i]) * 0x100000001b3ul;
	sink = h;
}

static const struct {
	const char *name;
	void (*fn)(void);
} parts[] = {
	{ "console", part_console },
	{ "irq", part_irq },
	{ "mmu", part_mmu },
	{ "io_delay", part_io_delay },
	{ "cpuid", part_cpuid },
	{ "clock", part_clock },
	{ "apic", part_apic },
	{ "timer", part_timer },
	{ "compute", part_compute },
};

/* ---- across CPUs ---------------------------------------------------------- */

#define SMP_PINGS       100
#define SMP_SHOOTDOWNS  50
#define SMP_LOCK_INCS   200

static uint32_t ping_home;              /* the boot CPU's APIC ID: pongs go there */
static uint64_t ping_peer;              /* index mask of the first AP */
static uint64_t others_ids;             /* APIC ID mask of the other CPUs */
static struct spinlock part_lock;
static volatile uint64_t part_lock_count;

/* The first AP, in its SMP call: a fixed IPI back to the boot CPU. */
static void pong(unsigned index)
{
	(void)index;
	pv_send_ipi_mask(1ull << ping_home, VEC_IPI);
}

static void part_smp_ipi(void)
{
	pv_irq_enable();
	for (unsigned i = 0; i < SMP_PINGS; i++) {
		uint64_t before = irq_ipi_count;

		smp_call(ping_peer, pong);
		while (irq_ipi_count == before)
			cpu_relax();
	}
	pv_irq_disable();
}

static void part_smp_shootdown(void)
{
	for (unsigned i = 0; i < SMP_SHOOTDOWNS; i++)
		pv_flush_tlb_others(others_ids);
}

static void lock_incs(unsigned index)
{
	(void)index;
	for (unsigned i = 0; i < SMP_LOCK_INCS; i++) {
		spin_lock(&part_lock);
		part_lock_count++;
		spin_unlock(&part_lock);
	}
}

/* The APs' calls run while the boot CPU takes the lock too. */
static void part_smp_lock(void)
{
	unsigned want = smp_call_start(smp_others(), lock_incs);

	lock_incs(0);
	smp_call_wait(want);
}

static const struct {
	const char *name;
	void (*fn)(void);
} smp_parts[] = {
	{ "smp_ipi", part_smp_ipi },
	{ "smp_shootdown", part_smp_shootdown },
	{ "smp_lock", part_smp_lock },
};

/* Exits so far, or -1 where nobody counts them. */
int64_t exits_now(void)
{
	return platform_hv.ours ? hypercall0(HC_exits_total) : -1;
}

/* Run one part and print its line; its cost and exits into the totals. */
static void run_part(const char *name, void (*fn)(void), uint64_t *total, int64_t *total_exits)
{
	int64_t e0 = exits_now(), e1;
	uint64_t t0, t1;

	kvm_mark(name, KVM_MARK_BEGIN, KVM_MARK_PART);
	t0 = rdtsc_ordered();
	fn();
	t1 = rdtsc_ordered();
	kvm_mark(name, KVM_MARK_END, KVM_MARK_PART);
	e1 = exits_now();
	*total += t1 - t0;
	if (e0 >= 0) {
		/* the second count is itself an exit */
		*total_exits += e1 - e0 - 1;
		kprintf("workload: part=%s cost=%lu unit=tsc exits=%ld\n", name, t1 - t0,
			e1 - e0 - 1);
	} else {
		kprintf("workload: part=%s cost=%lu unit=tsc exits=-\n", name, t1 - t0);
	}
}

void workload_run(void)
{
	uint64_t total = 0;
	int64_t total_exits = 0;
	unsigned i, line;

	for (line = 0; line < 64; line++) {
		char *l = console_buf + 64 * line;
		snprintf(l, 65, "workload: console line %02u of 64: the whole 4 KiB is one write\n",
			 line);
		memset(l + strlen(l) - 1, '.', 64 - strlen(l));
		l[63] = '\n';
	}
	for (i = 0; i < COMPUTE_BYTES; i++)
		compute_buf[i] = (uint8_t)(i * 7 + 1);

	for (i = 0; i < ARRAY_SIZE(parts); i++)
		run_part(parts[i].name, parts[i].fn, &total, &total_exits);

	if (smp.online > 1) {
		uint64_t others = smp_others();

		ping_home = smp_self_apic_id();
		ping_peer = others & -others;
		others_ids = smp_apic_mask(others);
	}
	if (smp.online > 1 && ping_peer && ping_home < 64) {
		part_lock_count = 0;
		for (i = 0; i < ARRAY_SIZE(smp_parts); i++)
			run_part(smp_parts[i].name, smp_parts[i].fn, &total, &total_exits);
		if (part_lock_count != (uint64_t)smp.online * SMP_LOCK_INCS)
			kprintf("workload: smp_lock counted %lu of %lu: the lock is broken\n",
				part_lock_count, (uint64_t)smp.online * SMP_LOCK_INCS);
	}
	if (platform_hv.ours)
		kprintf("workload: total cost=%lu unit=tsc exits=%ld\n", total, total_exits);
	else
		kprintf("workload: total cost=%lu unit=tsc exits=-\n", total);
}
