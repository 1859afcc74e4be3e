/*
 * watchdog.c - the run's time limit (watchdog=, options.h), and the exits
 * that take the slow way in to keep it.
 *
 * A guest that never ends its run (cli; jmp $, a halt nothing wakes, an
 * interrupt storm, an exit storm) is stopped, with the reason and the
 * statistics, once the TSC has moved the limit past the first VM entry.
 * Two things keep the limit, whatever the guest does:
 *
 *  - The VMX-preemption timer (SDM vol. 3C, 26.5.1 "VMX-Preemption
 *    Timer"): it counts down in VMX non-root operation by one every
 *    2^IA32_VMX_MISC[4:0] TSC ticks (A.6), in the HLT state too, and its
 *    VM exit wakes the CPU from HLT (26.2). VM entry starts it from the
 *    VMCS field; with the "save VMX-preemption timer value" exit control
 *    (vmx.c asks for it) every exit stores what is left there (28.3.4), so
 *    it counts the guest's time alone. The guest's own timer (apic.c)
 *    shares it: vcpu_events (vmexit.c) sets it for the nearer deadline.
 *    It catches a guest that never exits. (A CPU without that control restarts the timer from the field
 *    at every entry: the guest is still stopped, at most a limit late.)
 *  - The deadline test every exit makes with a TSC read (now >=
 *    event_tsc, a compare and a branch, which the guest's timer and
 *    APIC share: vmexit.c's paths, and vmentry.asm's for a cached CPUID). It catches a guest that
 *    exits all the time, whose time goes to root mode, which the timer
 *    does not count.
 *
 * Without a watchdog the timer keeps its old period (HV_PREEMPTION_TICKS).
 * watchdog=Ns needs the TSC's rate: measured at boot against PIT channel 2
 * (the hypervisor's own: the guest's port I/O to the PIT is absent).
 *
 * Environment: hypervisor, root mode: at boot (watchdog_init, _arm), then
 * on VM exits.
 */
/* SPDX-License-Identifier: MIT */
#include "hv.h"
#include "lib.h"
#include "options.h"
#include "x86.h"

#define PIT_HZ                  1193182u        /* the 8254's input clock */
#define PIT_CH2                 0x42
#define PIT_MODE                0x43
#define PIT_MODE_CH2_ONESHOT    0xb0    /* channel 2, lo/hi byte, mode 0, binary */
#define PORT_B                  0x61    /* bit 0: gate 2, bit 1: speaker, bit 5: OUT2 */
#define PORT_B_GATE2            0x01
#define PORT_B_SPEAKER          0x02
#define PORT_B_OUT2             0x20
#define CALIBRATE_COUNT         11932u          /* 10 ms of PIT clock */
#define CALIBRATE_POLLS         50000000u


uint64_t watchdog_deadline_tsc = UINT64_MAX;    /* the exits' test: no limit */
static uint64_t wd_ticks;                       /* the limit; 0: no watchdog */
static uint64_t wd_deadline;                    /* TSC at which the guest is stopped */
static unsigned wd_rate;                        /* timer tick = 2^rate TSC ticks */
static int wd_timer;                            /* the preemption timer is on */
static char wd_limit[72];                       /* the limit, as the report says it */

/*
 * TSC ticks in CALIBRATE_COUNT PIT periods, 0 when the PIT does not
 * answer: OUT2 must go low when the count is written (mode 0) and high
 * when it runs out.
 */
static uint64_t pit_tsc_per_count(void)
{
	uint8_t b = inb(PORT_B);
	uint64_t t0, t1;
	unsigned polls;

	outb(PORT_B, (uint8_t)((b & ~PORT_B_SPEAKER) | PORT_B_GATE2));
	outb(PIT_MODE, PIT_MODE_CH2_ONESHOT);
	outb(PIT_CH2, CALIBRATE_COUNT & 0xff);
	outb(PIT_CH2, CALIBRATE_COUNT >> 8);
	t0 = rdtsc();
	if (inb(PORT_B) & PORT_B_OUT2)
		return 0;
	for (polls = 0; polls < CALIBRATE_POLLS; polls++)
		if (inb(PORT_B) & PORT_B_OUT2)
			break;
	t1 = rdtsc();
	outb(PORT_B, b);
	return polls < CALIBRATE_POLLS ? t1 - t0 : 0;
}

/* The TSC's rate measured against the PIT (once), 0 when it cannot be:
 * the waits of an AP's start (smp.c) are in it. */
uint64_t watchdog_tsc_hz(void)
{
	static uint64_t hz;
	static int measured;

	if (!measured) {
		uint64_t per = pit_tsc_per_count();

		hz = per < 1000 ? 0 : per * PIT_HZ / CALIBRATE_COUNT;
		measured = 1;
	}
	return hz;
}

int watchdog_init(const struct hv_options *o, const struct vmx_caps *c,
		  const struct vmx_controls *ctl, char *err, size_t errlen)
{
	wd_rate = (unsigned)VMX_MISC_PREEMPTION_RATE(c->misc);
	wd_timer = !!(ctl->pin & PIN_PREEMPTION_TIMER);
	if (!o->watchdog)
		return 0;
	if (o->watchdog_seconds) {
		uint64_t hz = watchdog_tsc_hz();

		if (!hz) {
			snprintf(err, errlen, "watchdog=%lus: the TSC's rate cannot be measured "
				 "against the PIT; give it in TSC ticks", o->watchdog);
			return -1;
		}
		wd_ticks = o->watchdog * hz;            /* at most 10^6 s: no overflow below 18 EHz */
		snprintf(wd_limit, sizeof(wd_limit), "%lu s (%lu TSC ticks at %lu Hz)",
			 o->watchdog, wd_ticks, hz);
	} else {
		wd_ticks = o->watchdog;
		snprintf(wd_limit, sizeof(wd_limit), "%lu TSC ticks", wd_ticks);
	}
	kprintf("hv: watchdog: the guest is stopped %s after its first VM entry\n", wd_limit);
	if (!wd_timer)
		kprintf("hv: watchdog: warning: no VMX-preemption timer: only a guest that "
			"exits can be stopped\n");
	return 0;
}

/* Timer value for at least ticks more TSC ticks: 32 bits, never 0. */
static uint32_t timer_value(uint64_t ticks)
{
	uint64_t v = (ticks >> wd_rate) + 1;

	return v > 0xffffffffu ? 0xffffffffu : (uint32_t)v;
}

void watchdog_arm(void)
{
	uint64_t now = rdtsc();

	if (!wd_ticks)
		return;
	wd_deadline = wd_ticks > UINT64_MAX - now ? UINT64_MAX : now + wd_ticks;
	watchdog_deadline_tsc = wd_deadline;
	if (wd_timer)
		vmcs_write(VMX_PREEMPTION_TIMER_VALUE, timer_value(wd_ticks));
}

/* An exit found the deadline passed (vcpu_events, after any exit). */
void watchdog_expired(struct vcpu *v)
{
	char cpu[24] = "";

	if (hv_nr_vcpus > 1)
		snprintf(cpu, sizeof(cpu), " on CPU %u", v->index);
	guest_kill(v, HV_STATUS_GUEST_FAULT,
		   "watchdog: ran past %s since its first VM entry, at rip 0x%lx%s (%s)",
		   wd_limit, vmread(GUEST_RIP), cpu,
		   vmread(GUEST_ACTIVITY_STATE) == ACTIVITY_HLT ? "halted" : "running");
}

/*
 * The timer's field for the nearest deadline (host TSC): the watchdog's or
 * the guest's timer (vcpu_events). With none, the old period, so that a
 * guest that never exits is still seen now and then.
 */
int preemption_timer_set(uint64_t deadline, uint64_t now)
{
	if (!wd_timer)
		return 0;
	vmcs_write(VMX_PREEMPTION_TIMER_VALUE, deadline == UINT64_MAX ? HV_PREEMPTION_TICKS :
		   timer_value(deadline > now ? deadline - now : 0));
	return 1;
}
