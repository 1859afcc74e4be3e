/*
 * guest_paging.h - the guest's linear addresses as its own page tables
 * map them, and reading guest bytes through them, from guest RAM only.
 *
 * The hypervisor reads guest memory by linear address in one place: to
 * fetch the instruction that touched absent MMIO (mmio.c). A walk and a
 * copy read nothing but guest RAM, [0, size) of the guest-physical space;
 * a table or a byte outside it ends them with a reason, never a read.
 *
 * Environment: hypervisor, root mode; pure logic, also in the host tests.
 */
/* SPDX-License-Identifier: MIT */
#ifndef HV_GUEST_PAGING_H
#define HV_GUEST_PAGING_H

#include <stdint.h>

/* What a walk depends on: the guest's control registers and IA32_EFER. */
struct guest_paging {
	uint64_t cr0, cr3, cr4, efer;
	uint64_t pdpte[4];      /* PAE paging: the PDPTEs the CPU holds (the
				 * VMCS guest PDPTE fields), not memory's */
};

/* Guest RAM: guest-physical [0, size) at host address base. */
struct guest_ram {
	const uint8_t *base;
	uint64_t size;
};

enum guest_xlate {
	GUEST_XLATE_OK,
	GUEST_XLATE_NOT_PRESENT,        /* an entry on the walk is not present */
	GUEST_XLATE_TABLE_OUTSIDE_RAM,  /* a paging structure outside guest RAM */
	GUEST_XLATE_OUTSIDE_RAM,        /* the byte itself outside guest RAM */
};

/* Linear la -> guest-physical *gpa, as the guest's paging maps it. */
enum guest_xlate guest_translate(const struct guest_paging *pg,
				 const struct guest_ram *ram, uint64_t la,
				 uint64_t *gpa);

/* Where and why a fetch stopped short. */
struct guest_fetch_stop {
	enum guest_xlate why;
	uint64_t la;            /* the first byte not read */
	uint64_t gpa;           /* its guest-physical address, if it has one */
};

/*
 * Copy up to n bytes at linear la (each address masked with la_mask:
 * 0xffffffff where linear addresses are 32 bits) into buf. Returns how
 * many were copied; fewer than n fills *stop. Bounded: at most one walk
 * per page the bytes touch.
 */
unsigned guest_fetch(const struct guest_paging *pg, const struct guest_ram *ram,
		     uint64_t la, uint64_t la_mask, uint8_t *buf, unsigned n,
		     struct guest_fetch_stop *stop);

/* "not mapped by the guest's page tables", ... */
const char *guest_xlate_name(enum guest_xlate x);

#endif
