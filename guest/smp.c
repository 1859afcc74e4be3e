/*
 * smp.c - the machine's CPUs: which ones the firmware lists, from ACPI's
 * MADT (shared/lib/acpi.c), read once at boot while the early identity
 * map still covers the firmware's tables (mm_init maps RAM alone).
 *
 * One line says what was found: "smp: cpus=N online=1 apic-ids=..." or,
 * without a usable MADT, "smp: cpus=1 online=1 (no MADT: why)". Only the
 * boot CPU runs so far; bringing the others up is the next step, and the
 * line's online= will count them.
 *
 * Environment: guest kernel at boot, before mm_init.
 */
/* SPDX-License-Identifier: MIT */
#include "guest.h"
#include "lib.h"
#include "smp.h"
#include "x86.h"

struct smp_info smp;

/* The early map: the first 4 GiB, identity (entry64.asm). */
static const void *early_map(uint64_t pa, size_t len)
{
	if (pa == 0 || pa + len < pa || pa + len > 0x100000000ull)
		return NULL;
	return (const void *)pa;
}

void smp_discover(void)
{
	char ids[160];
	size_t used = 0;
	const char *why;
	uint32_t a, b, c, d, self;
	unsigned i, listed = 0;

	smp.cpus = smp.online = 1;
	if (acpi_find_cpus(early_map, &smp.acpi, &why)) {
		kprintf("smp: cpus=1 online=1 (no MADT: %s)\n", why);
		return;
	}
	smp.cpus = smp.acpi.count;
	ids[0] = 0;
	for (i = 0; i < smp.acpi.count && used + 12 < sizeof(ids); i++)
		used += (size_t)snprintf(ids + used, sizeof(ids) - used, "%s%u", i ? "," : "",
					 smp.acpi.apic_id[i]);
	if (i < smp.acpi.count)
		snprintf(ids + used, sizeof(ids) - used, ",...");
	/* The boot CPU is among them: its initial APIC ID (CPUID.1:EBX[31:24]). */
	cpuid(1, 0, &a, &b, &c, &d);
	self = b >> 24;
	for (i = 0; i < smp.acpi.count; i++)
		listed |= smp.acpi.apic_id[i] == self;
	kprintf("smp: cpus=%u online=%u apic-ids=%s (ACPI MADT at 0x%lx)%s\n", smp.cpus,
		smp.online, ids, (unsigned long)smp.acpi.madt_pa,
		listed ? "" : " (the boot CPU's APIC ID is not among them)");
	if (smp.acpi.dropped)
		kprintf("smp: %u more CPUs past the %u this kernel keeps\n", smp.acpi.dropped,
			ACPI_MAX_CPUS);
}
