/*
 * stats.c - exit accounting: per basic exit reason (count and the TSC
 * spent in root mode handling it), per I/O port, per hypercall.
 *
 * Root-mode cost: vmentry.asm samples the TSC right after each exit and
 * right before each entry; the span from an exit to the next entry is
 * charged to that exit's reason. Under Bochs (clock: sync=none) the TSC
 * counts instructions, so these are exact root-mode instruction counts;
 * on hardware they are cycles.
 *
 * Environment: hypervisor, root mode.
 */
/* SPDX-License-Identifier: MIT */
#include "abi/hv_abi.h"
#include "hv.h"
#include "lib.h"

struct hv_stats hv_stats;

#define PORT_SLOTS 64
static struct {
	uint16_t port;
	uint64_t count;
} ports[PORT_SLOTS];
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

/* The exit before this one ends now, at the entry that preceded this exit. */
static uint32_t prev_reason = EXIT_REASON_MAX;
static uint64_t prev_tsc_exit;

void stats_count_exit(struct vcpu *v)
{
	if (prev_reason < EXIT_REASON_MAX)
		hv_stats.root_tsc[prev_reason] += v->regs.tsc_entry - prev_tsc_exit;
	prev_reason = v->exit_reason;
	prev_tsc_exit = v->regs.tsc_exit;
	hv_stats.exits++;
	if (v->exit_reason < EXIT_REASON_MAX)
		hv_stats.by_reason[v->exit_reason]++;
}

void stats_count_port(uint16_t port)
{
	unsigned i;

	for (i = 0; i < nports; i++)
		if (ports[i].port == port) {
			ports[i].count++;
			return;
		}
	if (nports < PORT_SLOTS) {
		ports[nports].port = port;
		ports[nports++].count = 1;
	} else {
		ports_other++;
	}
}

uint64_t stats_port_count(uint16_t port)
{
	unsigned i;

	for (i = 0; i < nports; i++)
		if (ports[i].port == port)
			return ports[i].count;
	return 0;
}

void stats_count_hypercall(uint64_t nr)
{
	unsigned last = ARRAY_SIZE(hv_stats.hypercalls) - 1;

	hv_stats.hypercalls[nr < last ? nr : last]++;
}

void stats_print(void)
{
	unsigned i;

	kprintf("hv: stats: exits=%lu setup=%lu tsc (hypervisor entry to first VM entry; "
		"%lu of it waiting on COM1)\n", hv_stats.exits, hv_stats.setup_tsc,
		hv_stats.setup_console_tsc);
	for (i = 0; i < EXIT_REASON_MAX; i++)
		if (hv_stats.by_reason[i])
			kprintf("hv: stats: exit reason=%u name=%s count=%lu root_tsc=%lu per_exit=%lu\n",
				i, exit_reason_name(i), hv_stats.by_reason[i], hv_stats.root_tsc[i],
				hv_stats.root_tsc[i] / hv_stats.by_reason[i]);
	if (hv_stats.mmio_absent)
		kprintf("hv: stats: absent mmio accesses=%lu\n", hv_stats.mmio_absent);
	for (i = 0; i < nports; i++)
		kprintf("hv: stats: io port=0x%x count=%lu\n", ports[i].port, ports[i].count);
	if (ports_other)
		kprintf("hv: stats: io port=other count=%lu\n", ports_other);
	for (i = 0; i < ARRAY_SIZE(hv_stats.hypercalls); i++)
		if (hv_stats.hypercalls[i])
			kprintf("hv: stats: hypercall nr=%u name=%s count=%lu\n", i,
				i < ARRAY_SIZE(hypercall_names) && hypercall_names[i] ?
				hypercall_names[i] : "unknown", hv_stats.hypercalls[i]);
}
