/*
 * acpi.h - the firmware's ACPI tables, as far as CPUs go: which local
 * APICs the machine has, from the MADT.
 *
 * acpi_find_cpus() looks for the RSDP where the specification puts it
 * (the EBDA's first KiB, then 0xe0000-0xfffff: ACPI 6.5, 5.2.5.1), walks
 * the XSDT (or the RSDT) to the MADT ("APIC", 5.2.12) and lists the
 * enabled local APICs and x2APICs. Every table's signature, length and
 * checksum are checked before it is read, and every entry's length
 * against its table, so that a malformed table is a clear "why" and
 * never a fault or a loop. Physical memory is read through the caller's
 * map function, which returns NULL for what it cannot give.
 *
 * Environment: either kernel at boot (the guest now; the hypervisor for
 * its CPUs later); pure logic, also in the host tests.
 */
/* SPDX-License-Identifier: MIT */
#ifndef SHARED_LIB_ACPI_H
#define SHARED_LIB_ACPI_H

#include <stddef.h>
#include <stdint.h>

#define ACPI_MAX_CPUS           64

struct acpi_cpus {
	unsigned count;                 /* enabled local APICs listed */
	unsigned dropped;               /* enabled ones past ACPI_MAX_CPUS */
	uint32_t apic_id[ACPI_MAX_CPUS];        /* in the MADT's order */
	uint64_t lapic_base;            /* the MADT's, or its override */
	uint64_t madt_pa;               /* where the MADT was */
};

/* len bytes of physical memory at pa, or NULL where there are none. */
typedef const void *acpi_map_fn(uint64_t pa, size_t len);

/*
 * The machine's CPUs, from the MADT. Returns 0, or -1 with *why set to a
 * one-line reason (no RSDP, a bad checksum, no MADT, ...).
 */
int acpi_find_cpus(acpi_map_fn *map, struct acpi_cpus *out, const char **why);

/* The MADT alone, len bytes at madt (its header's length may not exceed
 * them). Same result as above. */
int acpi_madt_cpus(const uint8_t *madt, size_t len, struct acpi_cpus *out, const char **why);

/*
 * Write what acpi_find_cpus() reads, for n local APICs (enabled, IDs
 * below 255): an RSDP (revision 0), an RSDT and an MADT, one after the
 * other at area, which lies at physical pa (16-byte aligned, below 4
 * GiB). Returns the bytes written, or 0 when len is too small.
 */
size_t acpi_build_cpus(uint8_t *area, uint32_t pa, size_t len, const uint32_t *apic_ids,
		       unsigned n, uint32_t lapic_base);
#define ACPI_BUILD_SIZE(n)      (32 + 40 + 44 + 8 * (n))

/* A valid RSDP in [area, area + len), on a 16-byte boundary, or NULL. */
const uint8_t *acpi_rsdp_scan(const uint8_t *area, size_t len);

#endif
