/*
 * stats.c - exit accounting: per basic exit reason, per I/O port, per
 * hypercall, always counted (an increment an exit).
 *
 * Root-mode cost, with stats=time only (it reads the TSC twice an exit):
 * the C handler samples the TSC as it starts (stats_exit_begins) and
 * stats_count_exit, its last step, charges the span to the exit's reason.
 * Under Bochs (clock: sync=none) the TSC counts instructions, so these
 * are exact counts of the C side of an exit (vmentry.asm's register
 * saving and restoring come on top; the guest-side round trip of a null
 * hypercall shows the whole); on hardware they are cycles. With it, every
 * CPUID goes through C (vmentry.asm's cache path is not timed).
 *
 * Environment: hypervisor, root mode.
 */
/* SPDX-License-Identifier: MIT */
#include "abi/hv_abi.h"
#include "hv.h"
#include "lib.h"
#include "x86.h"

struct hv_stats hv_stats;
int stats_time;

/* The ports' counts in first-seen order; one more slot no port matches,
 * where the hint of a port that found no room points. */
struct port_stat stats_ports[PORT_SLOTS + 1];
#define ports stats_ports
static unsigned nports;
static uint64_t ports_other;

static const char *const reason_names[EXIT_REASON_MAX] = {
#define EXIT_REASON(n, name, handler) [n] = #name,
#include "exit_reasons.def"
#undef EXIT_REASON
};

static const char *const hypercall_names[] = {
#define HYPERCALL(nr, name, nargs, what) [nr] = #name,
#include "abi/abi.def"
};

const char *exit_reason_name(uint32_t reason)
{
	return reason < EXIT_REASON_MAX && reason_names[reason] ? reason_names[reason] : "?";
}

/* After the exit's handler: count it, and charge its root-mode time so far. */
/* Every exit, summed over the slots (not counted on the hot path). */
uint64_t stats_exits_total(void)
{
	uint64_t n = 0;
	unsigned i;

	for (i = 0; i < STAT_SLOTS; i++)
		n += hv_stats.count[i];
	return n;
}

/* A basic reason's figure in a[] (count or tsc): VMCALL's is the sum of
 * its hypercalls' slots. */
static uint64_t reason_sum(const uint64_t a[STAT_SLOTS], uint32_t reason)
{
	uint64_t n = 0;
	unsigned i;

	if (reason != EXIT_REASON_VMCALL)
		return a[reason % STAT_REASON_SLOTS];
	for (i = 0; i < STAT_HC_SLOTS; i++)
		n += a[STAT_REASON_SLOTS + i];
	return n;
}

uint64_t stats_reason_count(uint32_t reason)
{
	return reason_sum(hv_stats.count, reason);
}

static uint64_t reason_tsc(uint32_t reason)
{
	return reason_sum(hv_stats.tsc, reason);
}

uint64_t stats_hypercall_count(uint64_t nr)
{
	return hv_stats.count[STAT_HC_SLOT(nr)];
}

/* The slot each port's low byte last used: a port I/O exit's count is
 * one compare, not a search (stats_count_port, inline in hv.h). */
uint8_t stats_port_hint[256];

void stats_count_port_slow(uint16_t port)
{
	unsigned i;

	for (i = 0; i < nports; i++)
		if (ports[i].key == port + 1u) {
			stats_port_hint[port & 0xff] = (uint8_t)i;
			ports[i].count++;
			return;
		}
	stats_port_hint[port & 0xff] = (uint8_t)nports;
	if (nports < PORT_SLOTS) {
		ports[nports].key = port + 1u;
		ports[nports++].count = 1;
	} else {
		ports_other++;
	}
}

uint64_t stats_port_count(uint16_t port)
{
	unsigned i;

	for (i = 0; i < nports; i++)
		if (ports[i].key == port + 1u)
			return ports[i].count;
	return 0;
}

void stats_print(void)
{
	unsigned i;

	kprintf("hv: stats: exits=%lu setup=%lu tsc (hypervisor entry to first VM entry; "
		"%lu of it waiting on the UARTs)\n", stats_exits_total(), hv_stats.setup_tsc,
		hv_stats.setup_console_tsc);
	for (i = 0; i < EXIT_REASON_MAX; i++) {
		if (!stats_reason_count(i))
			continue;
		if (stats_time)
			kprintf("hv: stats: exit reason=%u name=%s count=%lu root_tsc=%lu per_exit=%lu\n",
				i, exit_reason_name(i), stats_reason_count(i), reason_tsc(i),
				reason_tsc(i) / stats_reason_count(i));
		else
			kprintf("hv: stats: exit reason=%u name=%s count=%lu\n", i,
				exit_reason_name(i), stats_reason_count(i));
	}
	if (hv_stats.mmio_absent)
		kprintf("hv: stats: absent mmio accesses=%lu\n", hv_stats.mmio_absent);
	for (i = 0; i < nports; i++)
		kprintf("hv: stats: io port=0x%x count=%lu\n", ports[i].key - 1, ports[i].count);
	if (ports_other)
		kprintf("hv: stats: io port=other count=%lu\n", ports_other);
	for (i = 0; i < STAT_HC_SLOTS; i++) {
		uint64_t n = hv_stats.count[STAT_REASON_SLOTS + i];
		uint64_t t = hv_stats.tsc[STAT_REASON_SLOTS + i];

		const char *name = i < ARRAY_SIZE(hypercall_names) && hypercall_names[i] ?
				   hypercall_names[i] : "unknown";

		if (n && stats_time)
			kprintf("hv: stats: hypercall nr=%u name=%s count=%lu root_tsc=%lu per_call=%lu\n",
				i, name, n, t, t / n);
		else if (n)
			kprintf("hv: stats: hypercall nr=%u name=%s count=%lu\n", i, name, n);
	}
}
