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

/* A spinlock: test-and-set with PAUSE while it is held (vol. 3A, 9.10.6.1). */
struct spinlock {
	volatile uint32_t locked;
};

static inline void spin_lock(struct spinlock *l)
{
	while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
		while (l->locked)
			asm volatile("pause" ::: "memory");
}

static inline void spin_unlock(struct spinlock *l)
{
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
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
};
extern struct percpu percpu[ACPI_MAX_CPUS];

/*
 * Run fn(index) on every online AP in mask (bit i: percpu[i]), one IPI
 * each, and wait until all have run it. Returns how many did within the
 * wait (a timeout leaves the rest counted out). Boot CPU only.
 */
unsigned smp_call(uint64_t mask, void (*fn)(unsigned index));
/* The mask of every online AP. */
uint64_t smp_others(void);

/* Before mm_init: read the MADT while the early map still covers it. */
void smp_discover(void);
/* After lapic_init: start every other CPU the MADT lists (INIT-SIPI-SIPI). */
void smp_boot_aps(void);

#endif
