/*
 * bench.c - the per-op cost of every hot pv op, timed with the TSC.
 *
 * Each op runs in a loop of n iterations between two ordered TSC reads;
 * the same loop with an empty body is subtracted, and the cost per op is
 * printed in hundredths, one key=value line per op:
 *   bench: op=NAME iters=N cost=C.CC unit=tsc pad=P mode=M exits=X.XX
 * (exits per op: counted by this hypervisor, "-" elsewhere). "workload"
 * runs workload.c.
 * Under Bochs (clock: sync=none) a TSC tick is one instruction, so costs
 * are exact instruction counts; under KVM they are cycles. pad is the
 * number of padding NOPs the op's site executes (0 in a direct build).
 * The timer is stopped and interrupts are off while ops are timed.
 *
 * Environment: guest kernel after lapic_init.
 */
/* SPDX-License-Identifier: MIT */
#include "guest.h"
#include "hypercall.h"
#include "lapic.h"
#include "lib.h"
#include "pv.h"
#include "x86.h"

static volatile uint64_t bench_sink;

#define BENCH_FN(name, body)                                            \
	static __attribute__((noinline)) uint64_t bench_##name(uint32_t n) \
	{                                                               \
		uint64_t t0 = rdtsc_ordered();                          \
		for (uint32_t i = 0; i < n; i++) {                      \
			body;                                           \
		}                                                       \
		return rdtsc_ordered() - t0;                            \
	}

static unsigned long bench_flags;
static unsigned long bench_cr3;
static const char bench_buf[1];

BENCH_FN(empty, asm volatile(""))
BENCH_FN(save_fl, bench_sink = pv_save_fl())
BENCH_FN(restore_fl, pv_restore_fl(bench_flags))
BENCH_FN(irq_disable, pv_irq_disable())
BENCH_FN(irq_enable, pv_irq_enable())
BENCH_FN(read_cr2, bench_sink = pv_read_cr2())
BENCH_FN(read_cr3, bench_sink = pv_read_cr3())
BENCH_FN(write_cr3, pv_write_cr3(bench_cr3))
BENCH_FN(flush_tlb_one, pv_flush_tlb_one((unsigned long)&bench_sink))
BENCH_FN(flush_tlb_all, pv_flush_tlb_all())
BENCH_FN(io_delay, pv_io_delay())
BENCH_FN(apic_eoi, pv_apic_eoi())
BENCH_FN(timer_arm, pv_timer_arm(0))
BENCH_FN(clock_read, bench_sink = pv_clock_read())
BENCH_FN(console_write, pv_console_write(bench_buf, 0))
BENCH_FN(cpuid, { uint32_t r[4]; pv_cpuid(1, 0, r); bench_sink = r[0]; })
BENCH_FN(hypercall, bench_sink = (uint64_t)hypercall0(HC_null))

/* Benchmarks that are not pv ops, after them in the numbering. */
#define BENCH_HYPERCALL PV_NR_OPS
#define BENCH_WORKLOAD (PV_NR_OPS + 1)
#define BENCH_COUNT (PV_NR_OPS + 2)

struct bench {
	unsigned op;
	uint64_t (*fn)(uint32_t n);     /* NULL: not timed, and why */
	const char *skip;
};

static const struct bench benches[] = {
	{ PV_OP_save_fl,       bench_save_fl, 0 },
	{ PV_OP_restore_fl,    bench_restore_fl, 0 },
	{ PV_OP_irq_disable,   bench_irq_disable, 0 },
	{ PV_OP_irq_enable,    bench_irq_enable, 0 },
	{ PV_OP_safe_halt,     0, "waits-for-an-interrupt" },
	{ PV_OP_halt,          0, "waits-for-an-interrupt" },
	{ PV_OP_read_cr2,      bench_read_cr2, 0 },
	{ PV_OP_read_cr3,      bench_read_cr3, 0 },
	{ PV_OP_write_cr3,     bench_write_cr3, 0 },
	{ PV_OP_flush_tlb_one, bench_flush_tlb_one, 0 },
	{ PV_OP_flush_tlb_all, bench_flush_tlb_all, 0 },
	{ PV_OP_io_delay,      bench_io_delay, 0 },
	{ PV_OP_apic_eoi,      bench_apic_eoi, 0 },
	{ PV_OP_timer_arm,     bench_timer_arm, 0 },
	{ PV_OP_clock_read,    bench_clock_read, 0 },
	{ PV_OP_console_write, bench_console_write, 0 },   /* len 0: the call */
	{ PV_OP_cpuid,         bench_cpuid, 0 },
	{ BENCH_HYPERCALL,     bench_hypercall, 0 },       /* a null VMCALL */
	{ BENCH_WORKLOAD,      0, "workload" },            /* workload.c */
};
_Static_assert(ARRAY_SIZE(benches) == BENCH_COUNT, "one benchmark per pv op, and the rest");

static const char *bench_name(unsigned op)
{
	return op < PV_NR_OPS ? pv_op_info[op].name :
	       op == BENCH_HYPERCALL ? "hypercall" : "workload";
}

int bench_check(const char *list, char *err, size_t errlen)
{
	const char *names[BENCH_COUNT];
	unsigned i;

	for (i = 0; i < BENCH_COUNT; i++)
		names[i] = bench_name(i);
	return cmdline_list_check(list, names, BENCH_COUNT, err, errlen);
}

static const char *bench_mode(void)
{
#ifdef PV_DIRECT
	return "direct";
#else
	return guest_opts.pv == PV_MODE_NOPATCH ? "nopatch" : pv_ops.init.backend;
#endif
}

int bench_run(const char *list, uint32_t iters)
{
	uint64_t empty;
	unsigned i, done = 0;
	unsigned long flags = pv_save_fl();

	/* Quiet machine: timer stopped, a pending tick drained, IF off. */
	pv_timer_arm(0);
	pv_irq_enable();
	for (i = 0; i < 64; i++)
		asm volatile("nop");
	pv_irq_disable();
	bench_flags = pv_save_fl();
	bench_cr3 = pv_read_cr3();

	empty = bench_empty(iters);
	for (i = 0; i < ARRAY_SIZE(benches); i++) {
		const struct bench *b = &benches[i];
		const char *name = bench_name(b->op);
		uint64_t t;
		int64_t cost100, e0, e1;
		char exits[24];

		if (!cmdline_list_has(list, name))
			continue;
		if (b->op == BENCH_WORKLOAD) {
			workload_run();
			continue;
		}
		if (!b->fn || (b->op == BENCH_HYPERCALL && !platform_hv.ours)) {
			kprintf("bench: op=%s skipped=%s\n", name, b->fn ? "no-hypervisor" : b->skip);
			continue;
		}
		e0 = exits_now();
		t = b->fn(iters);
		e1 = exits_now();
		pv_irq_disable();
		cost100 = ((int64_t)t - (int64_t)empty) * 100 / (int64_t)iters;
		if (e0 >= 0)    /* the second count is itself an exit */
			snprintf(exits, sizeof(exits), "%ld.%02ld",
				 (e1 - e0 - 1) / (int64_t)iters,
				 (e1 - e0 - 1) * 100 / (int64_t)iters % 100);
		else
			snprintf(exits, sizeof(exits), "-");
		kprintf("bench: op=%s iters=%u cost=%s%ld.%02ld unit=tsc pad=%u mode=%s exits=%s\n",
			name, iters, cost100 < 0 ? "-" : "",
			(cost100 < 0 ? -cost100 : cost100) / 100,
			(cost100 < 0 ? -cost100 : cost100) % 100,
			b->op < PV_NR_OPS ? pv_bench_pad(b->op) : 0, bench_mode(), exits);
		done++;
	}
	kprintf("bench: done ops=%u loop=%lu.%02lu\n", done, empty / iters,
		empty * 100 / iters % 100);
	pv_timer_arm(LAPIC_TIMER_COUNT);
	pv_restore_fl(flags);
	return 0;
}
