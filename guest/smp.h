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

struct smp_info {
	unsigned cpus;                  /* CPUs the firmware lists (1 without a MADT) */
	volatile unsigned online;       /* running: the boot CPU and started APs */
	int have_madt;
	struct acpi_cpus acpi;          /* the MADT's list, when it had one */
};
extern struct smp_info smp;

/*
 * The start-up IPI's page: an AP starts in real mode at vector << 12
 * (SDM vol. 3A, 11.6.1); ap_boot.asm is assembled for this address.
 */
#define AP_BOOT_PA      0x8000u
#define AP_BOOT_VECTOR  (AP_BOOT_PA >> 12)
#define AP_STACK_PAGES  2

/* What the BSP hands an AP in its start-up page (ap_boot.asm reads it). */
struct ap_boot_data {
	uint64_t cr0, cr3, cr4, efer;   /* the BSP's, as the AP loads them */
	uint64_t stack;                 /* top of the AP's stack */
	uint64_t entry;                 /* ap_main */
	uint32_t index;                 /* its place in smp.acpi.apic_id */
	uint32_t unused;
};

/* Before mm_init: read the MADT while the early map still covers it. */
void smp_discover(void);
/* After lapic_init: start every other CPU the MADT lists (INIT-SIPI-SIPI). */
void smp_boot_aps(void);

#endif
