/*
 * smp.h - the machine's CPUs, as the guest knows them (smp.c).
 *
 * Environment: guest kernel.
 */
/* SPDX-License-Identifier: MIT */
#ifndef GUEST_SMP_H
#define GUEST_SMP_H

#include <stdint.h>
#include "acpi.h"
#include "ap_boot.h"

struct smp_info {
	unsigned cpus;                  /* CPUs the firmware lists (1 without a MADT) */
	volatile unsigned online;       /* running: the boot CPU and started APs */
	int have_madt;
	struct acpi_cpus acpi;          /* the MADT's list, when it had one */
};
extern struct smp_info smp;

#define AP_STACK_PAGES  2

/*
 * A spinlock: test-and-set, then PAUSE while it is held (vol. 3A, 9.10.6.1)
 * for up to SPIN_LOCK_SPINS looks. Past them the CPU registers in waiters
 * (bit n: the CPU whose APIC ID is n) and calls pv_wait(); the unlocker
 * kicks one registered waiter, the next after itself in APIC ID order, so
 * that each gets its turn. Natively wait is a PAUSE and kick nothing: a
 * waiter spins on. On the hypervisor it halts until kicked.
 *
 * No lost wake-up: a waiter sets its bit, then tries the lock once more
 * before it waits; the unlocker frees the lock, then reads the bits. Both
 * steps are locked instructions, which have one total order and are not
 * reordered with loads (vol. 3A, 9.2.2), so either the waiter's last try
 * finds the lock free or the unlocker finds its bit, and a kick that comes
 * before its wait makes the wait return at once (the hypervisor keeps it).
 */
struct spinlock {
	volatile uint32_t locked;
	volatile uint64_t waiters;      /* bit n: APIC ID n waits (or is about to) */
};

/* PAUSEs before a waiter sleeps: on hardware (10-140 cycles a PAUSE) a few
 * VM exit round trips, and a short critical section never gets there. */
#define SPIN_LOCK_SPINS 128

void spin_lock_slow(struct spinlock *l);
void spin_kick_waiter(struct spinlock *l);

static inline void spin_lock(struct spinlock *l)
{
	if (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
		spin_lock_slow(l);
}

/* XCHG, not a plain store: the full barrier before waiters is read. */
static inline void spin_unlock(struct spinlock *l)
{
	__atomic_exchange_n(&l->locked, 0, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&l->waiters, __ATOMIC_SEQ_CST))
		spin_kick_waiter(l);
}

/* The vector of an SMP call: an AP runs the call's function on it. */
#define SMP_CALL_VECTOR 0xf0

/* Per-CPU data, by index in smp.acpi.apic_id (the boot CPU's too). */
struct percpu {
	uint32_t apic_id;
	int online;
	volatile uint64_t calls;        /* SMP calls this CPU ran */
	volatile uint64_t seen;         /* what a call read for the caller */
	uint64_t sipi_tsc;              /* its first start-up IPI sent */
	volatile uint64_t online_tsc;   /* it reached ap_main */
	volatile uint64_t lock_waits;   /* pv_wait calls of its spin_lock_slow */
	volatile uint64_t lock_kicks;   /* pv_kick calls of its spin_unlock */
};
extern struct percpu percpu[ACPI_MAX_CPUS];

/*
 * Run fn(index) on every online AP in mask (bit i: percpu[i]): one
 * send_ipi_mask op for all of them, then wait until all have run it.
 * Returns how many did within the wait (a timeout leaves the rest counted
 * out). Boot CPU only, one call at a time. smp_call_start sends and
 * returns how many it sent to; smp_call_wait(that) waits: the caller may
 * work in between.
 */
unsigned smp_call(uint64_t mask, void (*fn)(unsigned index));
unsigned smp_call_start(uint64_t mask, void (*fn)(unsigned index));
unsigned smp_call_wait(unsigned want);
/* The mask of every online AP. */
uint64_t smp_others(void);
/* The APIC ID mask (pv_send_ipi_mask's) of the CPUs in an index mask. */
uint64_t smp_apic_mask(uint64_t index_mask);
/* This CPU's APIC ID, from its local APIC. */
uint32_t smp_self_apic_id(void);

/* Before mm_init: read the MADT while the early map still covers it. */
void smp_discover(void);
/* After lapic_init: start every other CPU the MADT lists (INIT-SIPI-SIPI). */
void smp_boot_aps(void);

#endif
