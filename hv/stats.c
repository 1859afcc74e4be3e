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

int stats_time;
uint64_t hv_setup_tsc, hv_setup_console_tsc;

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

/* A slot's figure in a[] (count or tsc), summed over the vCPUs. */
static uint64_t slot_sum(size_t field, unsigned slot)
{
	uint64_t n = 0;
	unsigned c;

	for (c = 0; c < hv_nr_vcpus; c++)
		n += ((const uint64_t *)((const char *)&hv_vcpus[c]->stats + field))[slot];
	return n;
}
#define COUNT offsetof(struct hv_stats, count)
#define TSC offsetof(struct hv_stats, tsc)

/* Every exit of every vCPU, summed over the slots (not counted on the hot path). */
uint64_t stats_exits_total(void)
{
	uint64_t n = 0;
	unsigned i;

	for (i = 0; i < STAT_SLOTS; i++)
		n += slot_sum(COUNT, i);
	return n;
}

/* A basic reason's figure: VMCALL's is the sum of its hypercalls' slots. */
static uint64_t reason_sum(size_t field, uint32_t reason)
{
	uint64_t n = 0;
	unsigned i;

	if (reason != EXIT_REASON_VMCALL)
		return slot_sum(field, reason % STAT_REASON_SLOTS);
	for (i = 0; i < STAT_HC_SLOTS; i++)
		n += slot_sum(field, STAT_REASON_SLOTS + i);
	return n;
}

uint64_t stats_reason_count(uint32_t reason)
{
	return reason_sum(COUNT, reason);
}

static uint64_t reason_tsc(uint32_t reason)
{
	return reason_sum(TSC, reason);
}

uint64_t stats_hypercall_count(uint64_t nr)
{
	return slot_sum(COUNT, STAT_HC_SLOT(nr));
}

/* A port's first exit on this vCPU, or one whose low byte's hint points
 * elsewhere: the search, and the hint set for next time. */
void stats_count_port_slow(struct hv_stats *s, uint16_t port)
{
	unsigned i;

	for (i = 0; i < s->nports; i++)
		if (s->ports[i].key == port + 1u) {
			s->port_hint[port & 0xff] = (uint8_t)i;
			s->ports[i].count++;
			return;
		}
	s->port_hint[port & 0xff] = (uint8_t)s->nports;
	if (s->nports < PORT_SLOTS) {
		s->ports[s->nports].key = port + 1u;
		s->ports[s->nports++].count = 1;
	} else {
		s->ports_other++;
	}
}

static uint64_t port_count_in(const struct hv_stats *s, uint16_t port)
{
	unsigned i;

	for (i = 0; i < s->nports; i++)
		if (s->ports[i].key == port + 1u)
			return s->ports[i].count;
	return 0;
}

uint64_t stats_port_count(uint16_t port)
{
	uint64_t n = 0;
	unsigned c;

	for (c = 0; c < hv_nr_vcpus; c++)
		n += port_count_in(&hv_vcpus[c]->stats, port);
	return n;
}

/* Has a vCPU before c counted this port already (it is printed once)? */
static int port_seen_before(unsigned c, uint32_t key)
{
	unsigned d, i;

	for (d = 0; d < c; d++)
		for (i = 0; i < hv_vcpus[d]->stats.nports; i++)
			if (hv_vcpus[d]->stats.ports[i].key == key)
				return 1;
	return 0;
}

void stats_print(void)
{
	unsigned i;

	uint64_t other = 0, absent = 0;
	unsigned c;

	kprintf("hv: stats: exits=%lu setup=%lu tsc (hypervisor entry to first VM entry; "
		"%lu of it waiting on the UARTs)\n", stats_exits_total(), hv_setup_tsc,
		hv_setup_console_tsc);
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
	for (c = 0; c < hv_nr_vcpus; c++) {
		absent += hv_vcpus[c]->stats.mmio_absent;
		other += hv_vcpus[c]->stats.ports_other;
	}
	if (absent)
		kprintf("hv: stats: absent mmio accesses=%lu\n", absent);
	for (c = 0; c < hv_nr_vcpus; c++) {
		const struct hv_stats *s = &hv_vcpus[c]->stats;

		for (i = 0; i < s->nports; i++)
			if (!port_seen_before(c, s->ports[i].key))
				kprintf("hv: stats: io port=0x%x count=%lu\n", s->ports[i].key - 1,
					stats_port_count((uint16_t)(s->ports[i].key - 1)));
	}
	if (other)
		kprintf("hv: stats: io port=other count=%lu\n", other);
	for (i = 0; i < STAT_HC_SLOTS; i++) {
		uint64_t n = slot_sum(COUNT, STAT_REASON_SLOTS + i);
		uint64_t t = slot_sum(TSC, STAT_REASON_SLOTS + i);

		const char *name = i < ARRAY_SIZE(hypercall_names) && hypercall_names[i] ?
				   hypercall_names[i] : "unknown";

		if (n && stats_time)
			kprintf("hv: stats: hypercall nr=%u name=%s count=%lu root_tsc=%lu per_call=%lu\n",
				i, name, n, t, t / n);
		else if (n)
			kprintf("hv: stats: hypercall nr=%u name=%s count=%lu\n", i, name, n);
	}
}
