/*
 * smp.h - the machine's CPUs, as the guest knows them (smp.c).
 *
 * Environment: guest kernel.
 */
/* SPDX-License-Identifier: MIT */
#ifndef GUEST_SMP_H
#define GUEST_SMP_H

#include "acpi.h"

struct smp_info {
	unsigned cpus;                  /* CPUs the firmware lists (1 without a MADT) */
	unsigned online;                /* running: the boot CPU alone, today */
	struct acpi_cpus acpi;          /* the MADT's list, when it had one */
};
extern struct smp_info smp;

/* Before mm_init: read the MADT while the early map still covers it. */
void smp_discover(void);

#endif
