/*
 * bench.c - the per-op cost of every hot pv op, timed with the TSC.
 *
 * Each op runs in a loop between two ordered TSC reads, n and then 2n
 * times: the difference is the time of n iterations alone, whatever each
 * run does once (the TSC reads, the setup before the loop) cancelled.
 * The same for the empty loop is subtracted, and the cost per op is
 * printed in hundredths, one key=value line per op:
 *   bench: op=NAME iters=N cost=C.CC unit=tsc pad=P mode=M exits=X.XX
 * (exits per op, over all 3n iterations: counted by this hypervisor, "-"
 * elsewhere). "workload"
 * runs workload.c. Under KVM alone, each op's 3n iterations are bracketed
 * by marks in KVM's trace (kvm_mark.h), outside the timed loops.
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
#include "kvm_mark.h"
#include "lapic.h"
#include "lib.h"
#include "pv.h"
#include "x86.h"

/*
 * Every timed loop has the empty loop's shape, with the op's site added:
 * the count runs down in R12, callee-saved and in no site's register
 * contract, so no site makes the compiler move it (the asm barrier keeps
 * it there, unfolded: "sub r12d,0x1; jne" in build/guest.asm), the op's
 * inputs sit in registers loaded before the first TSC read, and its
 * result goes nowhere (the site's asm is volatile: nothing is stored). So
 * an op's loop runs the empty loop's instructions plus the site's own and
 * the moves that refill argument registers the op itself consumes (cpuid's
 * leaf in EAX/ECX, console_write's RDI/RSI, the hypercall number in RAX):
 * what any caller pays. tests/host/check_bench_loops.c checks this in the
 * disassembly of both builds.
 */
#define BENCH_FN(name, setup, body)                                     \
	static __attribute__((noinline)) uint64_t bench_##name(uint32_t n) \
	{                                                               \
		setup;                                                  \
		uint64_t t0 = rdtsc_ordered();                          \
		register uint32_t i asm("r12");                         \
		for (i = n; i != 0; i--) {                              \
			body;                                           \
			asm volatile("" : "+r"(i));                     \
		}                                                       \
		return rdtsc_ordered() - t0;                            \
	}

static unsigned long bench_flags;
static unsigned long bench_cr3;
static unsigned long bench_va;
static const char bench_buf[1];

BENCH_FN(empty, , (void)0)
BENCH_FN(save_fl, , (void)pv_save_fl())
BENCH_FN(restore_fl, unsigned long flags = bench_flags, pv_restore_fl(flags))
BENCH_FN(irq_disable, , pv_irq_disable())
BENCH_FN(irq_enable, , pv_irq_enable())
BENCH_FN(read_cr2, , (void)pv_read_cr2())
BENCH_FN(read_cr3, , (void)pv_read_cr3())
BENCH_FN(write_cr3, unsigned long cr3 = bench_cr3, pv_write_cr3(cr3))
BENCH_FN(flush_tlb_one, unsigned long va = bench_va, pv_flush_tlb_one(va))
BENCH_FN(flush_tlb_all, , pv_flush_tlb_all())
BENCH_FN(io_delay, , pv_io_delay())
BENCH_FN(apic_eoi, , pv_apic_eoi())
BENCH_FN(timer_arm, , pv_timer_arm(0))
BENCH_FN(clock_read, , (void)pv_clock_read())
BENCH_FN(console_write, , pv_console_write(bench_buf, 0))
BENCH_FN(cpuid, uint32_t r[4], pv_cpuid(1, 0, r))
BENCH_FN(hypercall, , (void)hypercall0(HC_null))
/*
 * KVM's hypercall that does nothing, KVM_HC_VAPIC_POLL_IRQ (1, Linux's
 * include/uapi/linux/kvm_para.h): the same round trip on KVM, for the
 * comparison (make bench) of its exit path with this hypervisor's.
 */
#define KVM_HC_VAPIC_POLL_IRQ 1
BENCH_FN(kvm_hypercall, , (void)hypercall0(KVM_HC_VAPIC_POLL_IRQ))

/*
 * An IN from port 0x21, the PIC's interrupt mask: a port KVM answers in
 * its kernel (its PIC), where io_delay's port 0x80 goes out to QEMU; this
 * hypervisor answers it as absent hardware. The comparison's port exit.
 */
BENCH_FN(pic_in, , (void)inb(0x21))

/* Benchmarks that are not pv ops, after them in the numbering. */
#define BENCH_HYPERCALL PV_NR_OPS
#define BENCH_PIC_IN (PV_NR_OPS + 1)
#define BENCH_WORKLOAD (PV_NR_OPS + 2)
#define BENCH_COUNT (PV_NR_OPS + 3)

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
	/* Ops across CPUs: the workload's smp_* parts time them. */
	{ PV_OP_wait,          0, "waits-for-a-kick" },
	{ PV_OP_kick,          0, "wakes-a-waiter" },
	{ PV_OP_send_ipi_mask, 0, "needs-other-cpus" },
	{ PV_OP_flush_tlb_others, 0, "needs-other-cpus" },
	{ BENCH_HYPERCALL,     bench_hypercall, 0 },       /* a null VMCALL */
	{ BENCH_PIC_IN,        bench_pic_in, 0 },          /* IN from port 0x21 */
	{ BENCH_WORKLOAD,      0, "workload" },            /* workload.c */
};
_Static_assert(ARRAY_SIZE(benches) == BENCH_COUNT, "one benchmark per pv op, and the rest");

static const char *bench_name(unsigned op)
{
	return op < PV_NR_OPS ? pv_op_info[op].name :
	       op == BENCH_HYPERCALL ? "hypercall" :
	       op == BENCH_PIC_IN ? "pic_in" : "workload";
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

/* v hundredths as "[-]W.FF". */
static void bench_hundredths(char *buf, size_t len, int64_t v)
{
	uint64_t m = v < 0 ? (uint64_t)-v : (uint64_t)v;

	snprintf(buf, len, "%s%lu.%02lu", v < 0 ? "-" : "", m / 100, m % 100);
}

/* The TSC ticks of n iterations alone (iters is at most 10^8: 2n fits). */
static int64_t bench_time(uint64_t (*fn)(uint32_t n), uint32_t n)
{
	uint64_t once = fn(n);

	return (int64_t)(fn(2 * n) - once);
}

int bench_run(const char *list, uint32_t iters)
{
	int64_t empty, n3 = 3 * (int64_t)iters;
	unsigned i, done = 0;
	char loop[32];
	unsigned long flags = pv_save_fl();

	/* Quiet machine: timer stopped, a pending tick drained, IF off. */
	pv_timer_arm(0);
	pv_irq_enable();
	for (i = 0; i < 64; i++)
		asm volatile("nop");
	pv_irq_disable();
	bench_flags = pv_save_fl();
	bench_cr3 = pv_read_cr3();
	bench_va = (unsigned long)&bench_flags;

	empty = bench_time(bench_empty, iters);
	for (i = 0; i < ARRAY_SIZE(benches); i++) {
		const struct bench *b = &benches[i];
		const char *name = bench_name(b->op);
		uint64_t (*fn)(uint32_t n);
		int64_t t, cost100, e0, e1;
		char cost[32], exits[24];

		if (!cmdline_list_has(list, name))
			continue;
		if (b->op == BENCH_WORKLOAD) {
			workload_run();
			continue;
		}
		fn = b->fn;
		if (b->op == BENCH_HYPERCALL && !platform_hv.ours)
			fn = platform_hv.kvm ? bench_kvm_hypercall : 0;
		if (!fn) {
			kprintf("bench: op=%s skipped=%s\n", name, b->fn ? "no-hypervisor" : b->skip);
			continue;
		}
		e0 = exits_now();
		kvm_mark(name, KVM_MARK_BEGIN, KVM_MARK_OP);
		t = bench_time(fn, iters);
		kvm_mark(name, KVM_MARK_END, KVM_MARK_OP);
		e1 = exits_now();
		pv_irq_disable();
		cost100 = (t - empty) * 100 / (int64_t)iters;
		if (e0 >= 0)    /* the second count is itself an exit */
			snprintf(exits, sizeof(exits), "%ld.%02ld", (e1 - e0 - 1) / n3,
				 (e1 - e0 - 1) * 100 / n3 % 100);
		else
			snprintf(exits, sizeof(exits), "-");
		bench_hundredths(cost, sizeof(cost), cost100);
		kprintf("bench: op=%s iters=%u cost=%s unit=tsc pad=%u mode=%s exits=%s\n",
			name, iters, cost, b->op < PV_NR_OPS ? pv_bench_pad(b->op) : 0,
			bench_mode(), exits);
		done++;
	}
	bench_hundredths(loop, sizeof(loop), empty * 100 / (int64_t)iters);
	kprintf("bench: done ops=%u loop=%s\n", done, loop);
	pv_timer_arm(LAPIC_TIMER_COUNT);
	pv_restore_fl(flags);
	return 0;
}
