/*
 * vlapic.c - the virtual local APIC's state machine (vlapic.h).
 *
 * One register file behind two front ends: the xAPIC page (offsets) and
 * the x2APIC MSRs (0x800 + offset / 16), which differ in what a bad
 * access does. On the page, hardware tolerates: a reserved register sets
 * ESR bit 7, writes to read-only registers vanish. Through MSRs it
 * faults: a missing register, a read of a write-only one, a write of a
 * read-only one and a 1 in a reserved bit are all #GP (SDM vol. 3A,
 * 11.12.1.2 and 11.12.1.3, "RsvdZ").
 *
 * Not in the hypervisor's build yet (not in HV_SRC): only the host tests
 * compile it until the wiring step hands the guest this APIC.
 *
 * Environment: any; pure logic (no hardware, no globals). Time is the
 * caller's guest TSC, passed in as now.
 */
/* SPDX-License-Identifier: MIT */
#include "vlapic.h"
#include "lib.h"

/* Bits the guest may set in each LVT entry (11.5.1). */
static const uint32_t lvt_writable[VLAPIC_LVT_COUNT] = {
	[VLAPIC_LVT_TIMER]   = APIC_LVT_VECTOR | APIC_LVT_MASKED | APIC_LVT_TIMER_MODE,
	[VLAPIC_LVT_THERMAL] = APIC_LVT_VECTOR | APIC_LVT_DELIVERY | APIC_LVT_MASKED,
	[VLAPIC_LVT_PMC]     = APIC_LVT_VECTOR | APIC_LVT_DELIVERY | APIC_LVT_MASKED,
	[VLAPIC_LVT_LINT0]   = APIC_LVT_VECTOR | APIC_LVT_DELIVERY | APIC_LVT_POLARITY |
			       APIC_LVT_LEVEL | APIC_LVT_MASKED,
	[VLAPIC_LVT_LINT1]   = APIC_LVT_VECTOR | APIC_LVT_DELIVERY | APIC_LVT_POLARITY |
			       APIC_LVT_LEVEL | APIC_LVT_MASKED,
	[VLAPIC_LVT_ERROR]   = APIC_LVT_VECTOR | APIC_LVT_MASKED,
};

/* Read-only bits of an LVT entry: ignored on write, never #GP (they read
 * 0 here: no send is ever pending and no LINT pin is level-asserted). */
static uint32_t lvt_read_only(unsigned i)
{
	if (i == VLAPIC_LVT_LINT0 || i == VLAPIC_LVT_LINT1)
		return APIC_LVT_STATUS | APIC_LVT_REMOTE_IRR;
	return APIC_LVT_STATUS;
}

/* ---- small helpers ------------------------------------------------------ */

static uint64_t add_sat(uint64_t a, uint64_t b)
{
	return a + b < a ? UINT64_MAX : a + b;
}

static uint64_t mul_sat(uint64_t a, uint64_t b)
{
	return b && a > UINT64_MAX / b ? UINT64_MAX : a * b;
}

static void set_vec(uint32_t r[8], unsigned v)
{
	r[v / 32] |= 1u << (v % 32);
}

static void clear_vec(uint32_t r[8], unsigned v)
{
	r[v / 32] &= ~(1u << (v % 32));
}

/* The highest vector set in a 256-bit register, or VLAPIC_NONE. */
static int highest(const uint32_t r[8])
{
	for (int i = 7; i >= 0; i--)
		if (r[i])
			return i * 32 + 31 - __builtin_clz(r[i]);
	return VLAPIC_NONE;
}

enum vlapic_mode vlapic_mode(const struct vlapic *vl)
{
	if (!(vl->base & APIC_BASE_EN))
		return VLAPIC_DISABLED;
	return vl->base & APIC_BASE_EXTD ? VLAPIC_X2APIC : VLAPIC_XAPIC;
}

/* 11.12.10.2: in x2APIC mode the LDR is derived from the ID: cluster
 * ID[19:4] in bits 31:16, one bit for ID[3:0] in bits 15:0. */
static uint32_t x2apic_ldr(uint32_t id)
{
	return ((id >> 4) << 16) | (1u << (id & 0xf));
}

/* ---- state, reset, mode transitions -------------------------------------- */

/*
 * The registers' reset state (11.4.7.1, and 11.12.5.1 for x2APIC): all
 * zero but DFR (all ones), SVR (0xff) and the LVT mask bits. The ID is
 * the hardware's and survives; the version register is a constant.
 */
static void reset_registers(struct vlapic *vl)
{
	vl->tpr = 0;
	vl->ldr = 0;
	vl->dfr = APIC_DFR_FLAT;
	vl->svr = APIC_SVR_VECTOR;
	memset(vl->isr, 0, sizeof(vl->isr));
	memset(vl->tmr, 0, sizeof(vl->tmr));
	memset(vl->irr, 0, sizeof(vl->irr));
	vl->esr = 0;
	vl->esr_pending = 0;
	vl->icr = 0;
	for (int i = 0; i < VLAPIC_LVT_COUNT; i++)
		vl->lvt[i] = APIC_LVT_MASKED;
	vl->timer_initial = 0;
	vl->timer_dcr = 0;
	vl->timer_armed = 0;
	vl->timer_deadline = 0;
	vl->tsc_deadline = 0;
}

void vlapic_init(struct vlapic *vl, uint32_t id, int bsp, uint32_t tsc_per_bus_tick,
		 int x2apic_supported, unsigned maxphyaddr)
{
	memset(vl, 0, sizeof(*vl));
	vl->id = id;
	vl->tsc_per_bus_tick = tsc_per_bus_tick ? tsc_per_bus_tick : 1;
	vl->x2apic_supported = !!x2apic_supported;
	vl->maxphyaddr = maxphyaddr < 32 ? 32 : maxphyaddr > 52 ? 52 : maxphyaddr;
	vl->base = APIC_BASE_DEFAULT | APIC_BASE_EN | (bsp ? APIC_BASE_BSP : 0);
	reset_registers(vl);
}

/*
 * 11.12.5 ("x2APIC State Transitions"): of the four EN/EXTD states,
 * EN = 0 with EXTD = 1 is invalid, and a write that asks for it faults.
 * From disabled only xAPIC may be entered; from x2APIC only disabled;
 * xAPIC may go either way. Disabling loses the registers (they come back
 * in their reset state), keeping the ID. xAPIC -> x2APIC keeps them all;
 * the LDR becomes the one derived from the ID. Bits 0-7 and 9, and the
 * address bits at or above MAXPHYADDR, are reserved (11.4.4), as is EXTD
 * where the CPU has no x2APIC.
 */
enum vlapic_status vlapic_set_base(struct vlapic *vl, uint64_t value)
{
	uint64_t reserved = 0x2ffull | ~((1ull << vl->maxphyaddr) - 1);
	enum vlapic_mode from = vlapic_mode(vl), to;

	if (!vl->x2apic_supported)
		reserved |= APIC_BASE_EXTD;
	if (value & reserved)
		return VLAPIC_GP;
	if ((value & APIC_BASE_EXTD) && !(value & APIC_BASE_EN))
		return VLAPIC_GP;
	to = !(value & APIC_BASE_EN) ? VLAPIC_DISABLED :
	     value & APIC_BASE_EXTD ? VLAPIC_X2APIC : VLAPIC_XAPIC;
	if (from == VLAPIC_X2APIC && to == VLAPIC_XAPIC)
		return VLAPIC_GP;
	if (from == VLAPIC_DISABLED && to == VLAPIC_X2APIC)
		return VLAPIC_GP;

	vl->base = (value & ~APIC_BASE_BSP) | (vl->base & APIC_BASE_BSP);
	if (to == VLAPIC_DISABLED && from != VLAPIC_DISABLED)
		reset_registers(vl);
	return VLAPIC_OK;
}

/* ---- priority, acceptance, errors ---------------------------------------- */

/*
 * 11.8.3.1: PPR = TPR when TPR[7:4] >= ISRV[7:4], else ISRV[7:4] with
 * bits 3:0 clear; ISRV is the highest vector in service (0 when none).
 */
uint32_t vlapic_ppr(const struct vlapic *vl)
{
	int isrv = highest(vl->isr);
	uint32_t isr_class = isrv == VLAPIC_NONE ? 0 : (uint32_t)isrv & 0xf0;

	return (vl->tpr & 0xf0) >= isr_class ? vl->tpr & 0xff : isr_class;
}

static int accept(struct vlapic *vl, unsigned vector, int level);

/*
 * 11.5.3: an error latches into the ESR's hidden copy (the guest sees it
 * after its next ESR write) and raises the error LVT's vector. An error
 * vector that is itself illegal records "receive illegal vector" and goes
 * no further, so one error cannot chase another.
 */
static void apic_error(struct vlapic *vl, uint32_t bits)
{
	uint32_t lvt = vl->lvt[VLAPIC_LVT_ERROR];
	unsigned vector = lvt & APIC_LVT_VECTOR;

	vl->esr_pending |= bits;
	if (lvt & APIC_LVT_MASKED)
		return;
	if (vector < 16)
		vl->esr_pending |= APIC_ESR_RECV_ILLEGAL;
	else
		accept(vl, vector, 0);
}

/*
 * A fixed interrupt reaches the APIC. Vectors 0-15 are illegal (11.5.2:
 * "receive illegal vector", nothing is set in IRR). A software-disabled
 * APIC takes no new fixed interrupts (11.4.7.2); a disabled one none.
 * TMR says whether the vector was level-triggered (11.8.4).
 */
static int accept(struct vlapic *vl, unsigned vector, int level)
{
	if (vlapic_mode(vl) == VLAPIC_DISABLED || !(vl->svr & APIC_SVR_ENABLE))
		return 0;
	if (vector > 255)
		return 0;
	if (vector < 16) {
		apic_error(vl, APIC_ESR_RECV_ILLEGAL);
		return 0;
	}
	set_vec(vl->irr, vector);
	if (level)
		set_vec(vl->tmr, vector);
	else
		clear_vec(vl->tmr, vector);
	return 1;
}

int vlapic_set_irr(struct vlapic *vl, unsigned vector, int level)
{
	return accept(vl, vector, level);
}

/* 11.8.3.1: a vector is taken when its class is above PPR's class. */
/*
 * MOV to CR8 (11.8.6.1): TPR[7:4] from CR8[3:0], TPR[3:0] cleared; a 1 in
 * a reserved bit, 63:4, is #GP(0) and changes nothing (vol. 2B, MOV).
 */
enum vlapic_status vlapic_cr8_write(struct vlapic *vl, uint64_t cr8)
{
	if (cr8 & ~0xfull)
		return VLAPIC_GP;
	vl->tpr = (uint32_t)cr8 << 4;
	return VLAPIC_OK;
}

/* MOV from CR8: TPR[7:4]. */
uint64_t vlapic_cr8_read(const struct vlapic *vl)
{
	return (vl->tpr >> 4) & 0xf;
}

int vlapic_irr_pending(const struct vlapic *vl)
{
	return highest(vl->irr) != VLAPIC_NONE;
}

int vlapic_vector_level(const struct vlapic *vl, unsigned vector)
{
	return vector < 256 && (vl->tmr[vector >> 5] >> (vector & 31) & 1);
}

int vlapic_highest_deliverable(const struct vlapic *vl)
{
	int v;

	if (vlapic_mode(vl) == VLAPIC_DISABLED)
		return VLAPIC_NONE;
	v = highest(vl->irr);
	if (v == VLAPIC_NONE || ((uint32_t)v & 0xf0) <= (vlapic_ppr(vl) & 0xf0))
		return VLAPIC_NONE;
	return v;
}

/*
 * 11.9: when the CPU acknowledges an interrupt that is no longer the one
 * to deliver (TPR raised in between), the APIC hands it the spurious
 * vector and leaves ISR alone; the interrupt stays pending.
 */
int vlapic_ack(struct vlapic *vl, unsigned vector)
{
	if (vector > 255 || vlapic_highest_deliverable(vl) != (int)vector)
		return vl->svr & APIC_SVR_VECTOR;
	clear_vec(vl->irr, vector);
	set_vec(vl->isr, vector);
	return vector;
}

/* 11.8.5: EOI retires the highest vector in service. With no I/O APIC
 * there is nowhere to broadcast a level-triggered EOI to. */
int vlapic_eoi(struct vlapic *vl)
{
	int v = highest(vl->isr);

	if (v != VLAPIC_NONE)
		clear_vec(vl->isr, (unsigned)v);
	return v;
}

/* ---- the timer ------------------------------------------------------------ */

static uint32_t timer_mode(const struct vlapic *vl)
{
	return vl->lvt[VLAPIC_LVT_TIMER] & APIC_LVT_TIMER_MODE;
}

/*
 * 11.5.4, the divide configuration register: bits 3 and 1:0 form a
 * three-bit value v; the divisor is 2^(v + 1), with v = 7 meaning 1
 * (000: 2, 001: 4, 010: 8, 011: 16, 100: 32, 101: 64, 110: 128, 111: 1).
 */
static uint32_t timer_divisor(uint32_t dcr)
{
	uint32_t v = (dcr & 3) | ((dcr >> 1) & 4);

	return 1u << ((v + 1) & 7);
}

/* Guest TSC ticks per count of the timer. */
static uint64_t timer_tick(const struct vlapic *vl)
{
	return (uint64_t)timer_divisor(vl->timer_dcr) * vl->tsc_per_bus_tick;
}

/* When the timer has work, masked or not. */
static uint64_t timer_due(const struct vlapic *vl)
{
	switch (timer_mode(vl)) {
	case APIC_TIMER_ONESHOT:
	case APIC_TIMER_PERIODIC:
		return vl->timer_armed ? vl->timer_deadline : VLAPIC_NO_DEADLINE;
	case APIC_TIMER_TSC_DEADLINE:
		return vl->tsc_deadline ? vl->tsc_deadline : VLAPIC_NO_DEADLINE;
	default:
		return VLAPIC_NO_DEADLINE;      /* mode 11b is reserved */
	}
}

/* A masked timer still counts, but needs no event: the next access
 * brings it up to date (timer_sync). */
uint64_t vlapic_timer_next_deadline(const struct vlapic *vl)
{
	if (vl->lvt[VLAPIC_LVT_TIMER] & APIC_LVT_MASKED)
		return VLAPIC_NO_DEADLINE;
	return timer_due(vl);
}

/*
 * An expiry changes what the APIC delivers only when the timer's LVT
 * entry is open and its vector is not pending already (a second expiry
 * then sets the same IRR bit: 11.5.4 counts it, nothing more happens).
 */
uint64_t vlapic_timer_event_deadline(const struct vlapic *vl)
{
	uint32_t lvt = vl->lvt[VLAPIC_LVT_TIMER], vec = lvt & APIC_LVT_VECTOR;

	if ((lvt & APIC_LVT_MASKED) || (vl->irr[vec >> 5] >> (vec & 31) & 1))
		return VLAPIC_NO_DEADLINE;
	return vlapic_timer_next_deadline(vl);
}

unsigned vlapic_timer_expire(struct vlapic *vl, uint64_t now)
{
	uint64_t due = timer_due(vl), period;
	unsigned n = 1;
	uint32_t lvt = vl->lvt[VLAPIC_LVT_TIMER];

	if (due == VLAPIC_NO_DEADLINE || now < due)
		return 0;
	switch (timer_mode(vl)) {
	case APIC_TIMER_TSC_DEADLINE:
		/* 11.5.4.1: the MSR reads 0 once the timer has fired. */
		vl->tsc_deadline = 0;
		break;
	case APIC_TIMER_ONESHOT:
		vl->timer_armed = 0;
		break;
	case APIC_TIMER_PERIODIC:
		/* The next deadline on the grid after now, counted from the
		 * old one: never from now, so late expiries do not drift. */
		period = mul_sat(vl->timer_initial, timer_tick(vl));
		n += (now - due) / period;
		vl->timer_deadline = add_sat(due, mul_sat(n, period));
		break;
	}
	vl->timer_fired += n;
	if (!(lvt & APIC_LVT_MASKED))
		accept(vl, lvt & APIC_LVT_VECTOR, 0);
	return n;
}

static void timer_sync(struct vlapic *vl, uint64_t now)
{
	uint64_t due = timer_due(vl);

	if (due != VLAPIC_NO_DEADLINE && now >= due)
		vlapic_timer_expire(vl, now);
}

/* The count left at now, the timer brought up to now: it reaches 0 at
 * the deadline, dropping by one every timer_tick. */
static uint32_t timer_current(const struct vlapic *vl, uint64_t now)
{
	uint64_t tick = timer_tick(vl), left, span;

	if (!vl->timer_armed || now >= vl->timer_deadline ||
	    (timer_mode(vl) != APIC_TIMER_ONESHOT && timer_mode(vl) != APIC_TIMER_PERIODIC))
		return 0;
	span = vl->timer_deadline - now;
	left = span / tick + (span % tick != 0);
	return left > vl->timer_initial ? vl->timer_initial : (uint32_t)left;
}

/* 11.5.4: writing the initial count (re)starts the count; 0 stops it.
 * In TSC-deadline mode the write is ignored (11.5.4.1). */
static void timer_write_initial(struct vlapic *vl, uint32_t value, uint64_t now)
{
	uint32_t mode = timer_mode(vl);

	if (mode == APIC_TIMER_TSC_DEADLINE)
		return;
	vl->timer_initial = value;
	vl->timer_armed = value && mode != APIC_TIMER_RESERVED;
	if (vl->timer_armed)
		vl->timer_deadline = add_sat(now, mul_sat(value, timer_tick(vl)));
}

/* A new divisor while counting: the count left goes on at the new rate
 * (the fraction of the current count is lost). */
static void timer_write_dcr(struct vlapic *vl, uint32_t value, uint64_t now)
{
	uint32_t left = timer_current(vl, now);

	vl->timer_dcr = value & APIC_DCR_WRITABLE;
	if (vl->timer_armed)
		vl->timer_deadline = add_sat(now, mul_sat(left, timer_tick(vl)));
}

/*
 * 11.5.4.1: moving between TSC-deadline mode and the other modes disarms
 * the timer (initial count and IA32_TSC_DEADLINE both 0). One-shot <->
 * periodic changes only what happens at the next expiry. The reserved
 * mode 11b runs no timer; entering or leaving it disarms as well.
 */
static void timer_write_lvt(struct vlapic *vl, uint32_t value)
{
	uint32_t old = timer_mode(vl), new = value & APIC_LVT_TIMER_MODE;
	int old_class = old == APIC_TIMER_PERIODIC ? APIC_TIMER_ONESHOT : old;
	int new_class = new == APIC_TIMER_PERIODIC ? APIC_TIMER_ONESHOT : new;

	if (old_class != new_class) {
		vl->timer_initial = 0;
		vl->timer_armed = 0;
		vl->tsc_deadline = 0;
	}
	vl->lvt[VLAPIC_LVT_TIMER] = value;
}

/* The initial-count register written, in either mode (the pv timer_arm). */
void vlapic_timer_arm(struct vlapic *vl, uint32_t count, uint64_t now)
{
	timer_sync(vl, now);
	timer_write_initial(vl, count, now);
	timer_sync(vl, now);
}

/* ---- IPIs ------------------------------------------------------------------- */

struct vlapic_icr vlapic_icr_decode(uint64_t icr, int x2apic)
{
	struct vlapic_icr d = {
		.vector = icr & APIC_ICR_VECTOR,
		.delivery = (icr >> APIC_ICR_DELIVERY_SHIFT) & 7,
		.logical = !!(icr & APIC_ICR_LOGICAL),
		.assert = !!(icr & APIC_ICR_ASSERT),
		.level = !!(icr & APIC_ICR_LEVEL),
		.shorthand = (icr >> APIC_ICR_SHORTHAND_SHIFT) & 3,
		.x2apic = !!x2apic,
		.dest = x2apic ? (uint32_t)(icr >> 32) : (uint32_t)(icr >> 56),
	};

	return d;
}

/*
 * Does an IPI without shorthand address this APIC? Physical: its ID, or
 * the broadcast ID (0xff xAPIC, 0xffffffff x2APIC). Logical (11.6.2.2,
 * 11.12.10.2): xAPIC flat, the destination ANDed with LDR[31:24]; xAPIC
 * cluster, cluster in bits 7:4 equal and a common bit in 3:0; x2APIC,
 * cluster in bits 31:16 equal and a common bit in 15:0.
 */
static int dest_match(const struct vlapic *cpu, const struct vlapic_icr *d)
{
	uint32_t bcast = d->x2apic ? 0xffffffffu : 0xffu, ldr, mda = d->dest;

	if (vlapic_mode(cpu) == VLAPIC_DISABLED)
		return 0;
	if (mda == bcast)
		return 1;
	if (!d->logical)
		return mda == (d->x2apic ? cpu->id : cpu->id & 0xff);
	if (d->x2apic) {
		ldr = x2apic_ldr(cpu->id);
		return (mda >> 16) == (ldr >> 16) && (mda & ldr & 0xffff);
	}
	ldr = cpu->ldr >> 24;
	if ((cpu->dfr >> 28) == 0xf)
		return (mda & ldr) != 0;
	return (mda >> 4) == (ldr >> 4) && (mda & ldr & 0xf);
}

uint32_t vlapic_ipi_targets(const struct vlapic *const cpus[], unsigned n, unsigned self,
			    const struct vlapic_icr *d)
{
	uint32_t all = n >= 32 ? 0xffffffffu : (1u << n) - 1, mask = 0;

	switch (d->shorthand) {
	case APIC_SH_SELF:
		return self < n ? 1u << self : 0;
	case APIC_SH_ALL:
		return all;
	case APIC_SH_OTHERS:
		return self < n ? all & ~(1u << self) : all;
	}
	for (unsigned i = 0; i < n && i < 32; i++)
		if (dest_match(cpus[i], d))
			mask |= 1u << i;
	return mask;
}

#define VERDICT(act, why, mask) ((struct vlapic_verdict){ (act), (why), (mask) })

struct vlapic_verdict vlapic_ipi_verdict(const struct vlapic *const cpus[], unsigned n,
					 unsigned self, const struct vlapic_icr *d,
					 uint32_t waiting)
{
	uint32_t t = vlapic_ipi_targets(cpus, n, self, d);

	switch (d->delivery) {
	case APIC_DM_FIXED:
	case APIC_DM_LOWEST:
		break;
	case APIC_DM_INIT:
		/* 11.6.1: INIT level de-assert, ignored since the Pentium 4. */
		if (!d->assert && d->level)
			return VERDICT(VLAPIC_DROP,
				       "INIT level de-assert IPI (no effect on this processor)", 0);
		if (!t)
			return VERDICT(VLAPIC_STOP_GUEST, n == 1 ?
				       "guest sent an INIT IPI (this guest has one CPU and may not reset it)" :
				       "guest sent an INIT IPI (to none of its CPUs)", 0);
		if (t & ~waiting)
			return VERDICT(VLAPIC_STOP_GUEST,
				       "guest sent an INIT IPI (to a CPU of its own that runs: not reset)", 0);
		return VERDICT(VLAPIC_INIT, NULL, t);
	case APIC_DM_STARTUP:
		if (!t)
			return VERDICT(VLAPIC_STOP_GUEST, n == 1 ?
				       "guest sent a start-up IPI (this guest has one CPU)" :
				       "guest sent a start-up IPI (to none of its CPUs)", 0);
		if (!(t & waiting))
			return VERDICT(VLAPIC_DROP,
				       "start-up IPI to a CPU that runs (ignored, as by hardware)", 0);
		return VERDICT(VLAPIC_STARTUP, NULL, t & waiting);
	case APIC_DM_NMI:
		return VERDICT(VLAPIC_STOP_GUEST,
			       "guest sent an NMI IPI (NMIs are not virtualized)", 0);
	case APIC_DM_SMI:
		return VERDICT(VLAPIC_STOP_GUEST,
			       "guest sent an SMI IPI (no SMM for the guest)", 0);
	default:
		return VERDICT(VLAPIC_STOP_GUEST,
			       "guest sent an IPI with a reserved delivery mode", 0);
	}
	/* 11.5.3: vectors 0-15 are illegal in a message sent. */
	if (d->vector < 16)
		return VERDICT(VLAPIC_DROP, "IPI with an illegal vector (0-15)", 0);
	if (!t)
		return VERDICT(VLAPIC_DROP, d->shorthand == APIC_SH_OTHERS && n == 1 ?
			       "IPI to all-excluding-self (the guest has no other CPU)" :
			       "IPI to a destination that is none of the guest's CPUs", 0);
	/* Lowest priority: one CPU, the first the destination names. */
	if (d->delivery == APIC_DM_LOWEST)
		t &= -t;
	return VERDICT(VLAPIC_DELIVER, NULL, t);
}

void vlapic_accept_ipi(struct vlapic *vl, unsigned vector)
{
	accept(vl, vector, 0);
}

/* The ICR was written: send, as the policy says; other CPUs' part is
 * left in out_mask for the caller. */
static enum vlapic_status ipi_send(struct vlapic *vl, uint64_t icr)
{
	struct vlapic_icr d = vlapic_icr_decode(icr, vlapic_mode(vl) == VLAPIC_X2APIC);
	const struct vlapic *const alone[1] = { vl };
	int peers = vl->peers && vl->self < vl->npeers;
	unsigned self = peers ? vl->self : 0;
	struct vlapic_verdict v = vlapic_ipi_verdict(peers ? vl->peers : alone,
						     peers ? vl->npeers : 1, self, &d,
						     peers && vl->waiting ? *vl->waiting : 0);

	switch (v.action) {
	case VLAPIC_DELIVER:
		vl->ipi_delivered++;
		if (v.targets & (1u << self))
			accept(vl, d.vector, d.level);
		/* FALLTHROUGH */
	case VLAPIC_INIT:
	case VLAPIC_STARTUP:
		vl->out_mask = v.targets & ~(1u << self);
		vl->out_vector = d.vector;
		vl->out_action = (uint8_t)v.action;
		return VLAPIC_OK;
	case VLAPIC_DROP:
		vl->ipi_dropped++;
		vl->last_drop_reason = v.reason;
		if ((d.delivery == APIC_DM_FIXED || d.delivery == APIC_DM_LOWEST) && d.vector < 16)
			apic_error(vl, APIC_ESR_SEND_ILLEGAL);
		return VLAPIC_OK;
	default:
		vl->stop_reason = v.reason;
		return VLAPIC_STOP;
	}
}

/* ---- the register file ------------------------------------------------------ */

/*
 * One register by its xAPIC offset; x2 for the MSR view. 0 and *value,
 * or -1 where the register does not exist for reading in this view.
 */
static int reg_read(struct vlapic *vl, uint32_t off, int x2, uint64_t *value, uint64_t now)
{
	uint64_t v;

	if (off >= APIC_ISR && off < APIC_ISR + 0x80)
		v = vl->isr[(off - APIC_ISR) >> 4];
	else if (off >= APIC_TMR && off < APIC_TMR + 0x80)
		v = vl->tmr[(off - APIC_TMR) >> 4];
	else if (off >= APIC_IRR && off < APIC_IRR + 0x80)
		v = vl->irr[(off - APIC_IRR) >> 4];
	else if (off >= APIC_LVT_TIMER && off <= APIC_LVT_ERROR)
		v = vl->lvt[(off - APIC_LVT_TIMER) >> 4];
	else switch (off) {
	case APIC_ID:           v = x2 ? vl->id : (vl->id & 0xff) << 24; break;
	case APIC_VERSION:      v = VLAPIC_VERSION; break;
	case APIC_TPR:          v = vl->tpr; break;
	case APIC_PPR:          v = vlapic_ppr(vl); break;
	case APIC_LDR:          v = x2 ? x2apic_ldr(vl->id) : vl->ldr; break;
	case APIC_SVR:          v = vl->svr; break;
	case APIC_ESR:          v = vl->esr; break;
	case APIC_ICR_LO:       v = x2 ? vl->icr : (uint32_t)vl->icr; break;
	case APIC_TIMER_ICR:    v = vl->timer_initial; break;
	case APIC_TIMER_CCR:    v = timer_current(vl, now); break;
	case APIC_TIMER_DCR:    v = vl->timer_dcr; break;
	/* xAPIC only: write-only EOI reads 0; APR and remote read are not
	 * modelled and read 0. */
	case APIC_APR: case APIC_EOI: case APIC_RRD:
		if (x2)
			return -1;
		v = 0;
		break;
	case APIC_DFR:
		if (x2)
			return -1;
		v = vl->dfr;
		break;
	case APIC_ICR_HI:
		if (x2)
			return -1;
		v = vl->icr >> 32;
		break;
	default:
		return -1;
	}
	*value = v;
	return 0;
}

/* x2APIC (11.12.1.3): a 1 in a bit that is not writable faults. */
#define RSVD(mask)      do { if (x2 && (value & ~(uint64_t)(mask))) return VLAPIC_GP; } while (0)

/*
 * Write one register by its xAPIC offset; x2 for the MSR view. A
 * register not writable in this view: #GP through MSRs, ignored on the
 * page (reserved offsets set ESR bit 7, read-only registers do not).
 */
static enum vlapic_status reg_write(struct vlapic *vl, uint32_t off, int x2, uint64_t value,
				    uint64_t now)
{
	unsigned i;

	if (off >= APIC_LVT_TIMER && off <= APIC_LVT_ERROR) {
		i = (off - APIC_LVT_TIMER) >> 4;
		RSVD(lvt_writable[i] | lvt_read_only(i));
		value &= lvt_writable[i];
		if (x2 && i == VLAPIC_LVT_TIMER &&
		    (value & APIC_LVT_TIMER_MODE) == APIC_TIMER_RESERVED)
			return VLAPIC_GP;
		/* 11.4.7.2: software-disabled, the mask bits stay set. */
		if (!(vl->svr & APIC_SVR_ENABLE))
			value |= APIC_LVT_MASKED;
		if (i == VLAPIC_LVT_TIMER)
			timer_write_lvt(vl, (uint32_t)value);
		else
			vl->lvt[i] = (uint32_t)value;
		return VLAPIC_OK;
	}
	switch (off) {
	case APIC_TPR:
		RSVD(0xff);
		vl->tpr = value & 0xff;
		return VLAPIC_OK;
	case APIC_EOI:
		RSVD(0);        /* x2APIC: only 0 may be written (11.12.1.3) */
		vlapic_eoi(vl);
		return VLAPIC_OK;
	case APIC_SVR:
		RSVD(APIC_SVR_WRITABLE);
		vl->svr = value & APIC_SVR_WRITABLE;
		if (!(vl->svr & APIC_SVR_ENABLE))
			for (i = 0; i < VLAPIC_LVT_COUNT; i++)
				vl->lvt[i] |= APIC_LVT_MASKED;
		return VLAPIC_OK;
	case APIC_ESR:
		/* 11.5.3: a write latches the errors seen since the last one
		 * into what ESR reads, and starts collecting afresh. */
		RSVD(0);
		vl->esr = vl->esr_pending;
		vl->esr_pending = 0;
		return VLAPIC_OK;
	case APIC_ICR_LO:
		if (x2) {
			/* 11.12.9: WRMSR ignores bit 12, delivery status. */
			RSVD(APIC_ICR_X2APIC_WRITABLE | APIC_ICR_STATUS);
			vl->icr = value & ~(uint64_t)APIC_ICR_STATUS;
		} else {
			vl->icr = (vl->icr & ~0xffffffffull) | (value & APIC_ICR_XAPIC_LO_WRITABLE);
		}
		return ipi_send(vl, vl->icr);
	case APIC_TIMER_ICR:
		RSVD(0xffffffffu);
		timer_write_initial(vl, (uint32_t)value, now);
		return VLAPIC_OK;
	case APIC_TIMER_DCR:
		RSVD(APIC_DCR_WRITABLE);
		timer_write_dcr(vl, (uint32_t)value, now);
		return VLAPIC_OK;
	}
	if (x2) {
		/* 11.12.11: SELF IPI, a fixed edge IPI to this CPU. */
		if (off != (X2APIC_SELF_IPI - X2APIC_MSR_FIRST) << 4)
			return VLAPIC_GP;
		RSVD(0xff);
		return ipi_send(vl, (uint64_t)APIC_SH_SELF << APIC_ICR_SHORTHAND_SHIFT | value);
	}
	switch (off) {
	case APIC_LDR:
		vl->ldr = value & 0xff000000u;
		return VLAPIC_OK;
	case APIC_DFR:
		vl->dfr = (uint32_t)value | 0x0fffffffu;
		return VLAPIC_OK;
	case APIC_ICR_HI:
		vl->icr = (vl->icr & 0xffffffffull) |
			  (uint64_t)(value & APIC_ICR_XAPIC_HI_WRITABLE) << 32;
		return VLAPIC_OK;
	}
	/* Read-only registers ignore writes; a reserved offset is an error. */
	{
		uint64_t dummy;

		if (reg_read(vl, off, 0, &dummy, now) != 0)
			apic_error(vl, APIC_ESR_ILLEGAL_REG);
	}
	return VLAPIC_OK;
}

#undef RSVD

/* ---- the two front ends -------------------------------------------------------- */

/* 11.4.1: 32-bit registers on 16-byte boundaries, read and written whole. */
static enum vlapic_status mmio_check(struct vlapic *vl, uint32_t offset, unsigned size)
{
	if (vlapic_mode(vl) != VLAPIC_XAPIC)
		return VLAPIC_ABSENT;
	if (size != 4 || (offset & 0xf) || offset >= 0x1000) {
		vl->stop_reason = "xAPIC page accessed other than as 4 bytes at a "
				  "16-byte-aligned offset (SDM 11.4.1: undefined)";
		return VLAPIC_STOP;
	}
	return VLAPIC_OK;
}

enum vlapic_status vlapic_mmio_read(struct vlapic *vl, uint32_t offset, unsigned size,
				    uint32_t *value, uint64_t now)
{
	enum vlapic_status s = mmio_check(vl, offset, size);
	uint64_t v;

	if (s != VLAPIC_OK)
		return s;
	timer_sync(vl, now);
	if (reg_read(vl, offset, 0, &v, now) != 0) {
		apic_error(vl, APIC_ESR_ILLEGAL_REG);
		v = 0;
	}
	*value = (uint32_t)v;
	return VLAPIC_OK;
}

enum vlapic_status vlapic_mmio_write(struct vlapic *vl, uint32_t offset, unsigned size,
				     uint32_t value, uint64_t now)
{
	enum vlapic_status s = mmio_check(vl, offset, size);

	if (s != VLAPIC_OK)
		return s;
	timer_sync(vl, now);
	s = reg_write(vl, offset, 0, value, now);
	timer_sync(vl, now);
	return s;
}

enum vlapic_status vlapic_msr_read(struct vlapic *vl, uint32_t msr, uint64_t *value,
				   uint64_t now)
{
	timer_sync(vl, now);
	if (msr == MSR_IA32_TSC_DEADLINE) {
		*value = timer_mode(vl) == APIC_TIMER_TSC_DEADLINE ? vl->tsc_deadline : 0;
		return VLAPIC_OK;
	}
	if (msr < X2APIC_MSR_FIRST || msr > X2APIC_MSR_LAST || vlapic_mode(vl) != VLAPIC_X2APIC)
		return VLAPIC_GP;
	return reg_read(vl, (msr - X2APIC_MSR_FIRST) << 4, 1, value, now) ? VLAPIC_GP : VLAPIC_OK;
}

enum vlapic_status vlapic_msr_write(struct vlapic *vl, uint32_t msr, uint64_t value,
				    uint64_t now)
{
	enum vlapic_status s;

	timer_sync(vl, now);
	if (msr == MSR_IA32_TSC_DEADLINE) {
		/* 11.5.4.1: ignored outside TSC-deadline mode; 0 disarms; a
		 * deadline already past fires at once (timer_sync below). */
		if (timer_mode(vl) == APIC_TIMER_TSC_DEADLINE)
			vl->tsc_deadline = value;
		timer_sync(vl, now);
		return VLAPIC_OK;
	}
	if (msr < X2APIC_MSR_FIRST || msr > X2APIC_MSR_LAST || vlapic_mode(vl) != VLAPIC_X2APIC)
		return VLAPIC_GP;
	s = reg_write(vl, (msr - X2APIC_MSR_FIRST) << 4, 1, value, now);
	timer_sync(vl, now);
	return s;
}
