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
 * Each part prints "workload: part=NAME cost=N unit=tsc exits=E" (E under
 * this hypervisor only, else "-"), then one total line. Under Bochs the
 * cost is an exact instruction count, guest and hypervisor together. Under
 * KVM alone, marks in KVM's trace (kvm_mark.h) bracket each part's timed
 * body, just outside its TSC reads.
 *
 * Environment: guest kernel, from bench_run (timer stopped, IF off; the
 * apic part turns IF on for its interrupts, the timer part stops the timer
 * again).
 */
/* SPDX-License-Identifier: MIT */
#include "guest.h"
#include "hypercall.h"
#include "kvm_mark.h"
#include "lapic.h"
#include "lib.h"
#include "pv.h"
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

/* Exits so far, or -1 where nobody counts them. */
int64_t exits_now(void)
{
	return platform_hv.ours ? hypercall0(HC_exits_total) : -1;
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

	for (i = 0; i < ARRAY_SIZE(parts); i++) {
		int64_t e0 = exits_now(), e1;
		uint64_t t0, t1;

		kvm_mark(parts[i].name, KVM_MARK_BEGIN, KVM_MARK_PART);
		t0 = rdtsc_ordered();
		parts[i].fn();
		t1 = rdtsc_ordered();
		kvm_mark(parts[i].name, KVM_MARK_END, KVM_MARK_PART);
		e1 = exits_now();
		total += t1 - t0;
		if (e0 >= 0) {
			/* the second count is itself an exit */
			total_exits += e1 - e0 - 1;
			kprintf("workload: part=%s cost=%lu unit=tsc exits=%ld\n", parts[i].name,
				t1 - t0, e1 - e0 - 1);
		} else {
			kprintf("workload: part=%s cost=%lu unit=tsc exits=-\n", parts[i].name,
				t1 - t0);
		}
	}
	if (platform_hv.ours)
		kprintf("workload: total cost=%lu unit=tsc exits=%ld\n", total, total_exits);
	else
		kprintf("workload: total cost=%lu unit=tsc exits=-\n", total);
}
