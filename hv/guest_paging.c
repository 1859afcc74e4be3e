/*
 * guest_paging.c - walk the guest's page tables (SDM vol. 3A, chapter 5:
 * 5.3 32-bit paging, 5.4 PAE paging, 5.5 4-level and 5-level paging) and
 * copy guest bytes through them, reading only inside guest RAM.
 *
 * The walk asks only what the CPU asked when it ran the code: present
 * bits and page sizes. It checks no access rights or reserved bits - a
 * mapping the guest broke after the CPU used it yields other bytes of the
 * guest's own RAM, never a byte outside it.
 *
 * Environment: hypervisor, root mode; pure logic, also in the host tests.
 */
/* SPDX-License-Identifier: MIT */
#include "guest_paging.h"
#include "lib.h"

#define CR0_PG          (1ul << 31)
#define CR4_PSE         (1ul << 4)
#define CR4_PAE         (1ul << 5)
#define CR4_LA57        (1ul << 12)
#define EFER_LMA        (1ul << 10)

#define PTE_P           (1ul << 0)
#define PTE_PS          (1ul << 7)
#define PTE_ADDR        0x000ffffffffff000ul    /* bits 51:12 */
#define PAGE_SIZE       4096ul

/* The n-byte entry at guest-physical gpa, if all of it is in RAM. */
static int read_entry(const struct guest_ram *ram, uint64_t gpa, unsigned n,
		      uint64_t *e)
{
	if (ram->size < n || gpa > ram->size - n)
		return -1;
	*e = 0;
	memcpy(e, ram->base + gpa, n);          /* little-endian, like x86 */
	return 0;
}

/* 32-bit paging (5.3): 4-byte entries, 4 MiB pages with CR4.PSE. */
static enum guest_xlate walk_32(const struct guest_paging *pg,
				const struct guest_ram *ram, uint32_t la,
				uint64_t *gpa)
{
	uint64_t pde, pte;

	if (read_entry(ram, (pg->cr3 & 0xfffff000u) + (la >> 22) * 4, 4, &pde))
		return GUEST_XLATE_TABLE_OUTSIDE_RAM;
	if (!(pde & PTE_P))
		return GUEST_XLATE_NOT_PRESENT;
	if ((pde & PTE_PS) && (pg->cr4 & CR4_PSE)) {
		/* PDE bits 20:13 are physical bits 39:32 (table 5-4). */
		*gpa = (pde & 0xffc00000u) | ((pde >> 13) & 0xff) << 32 | (la & 0x3fffff);
		return GUEST_XLATE_OK;
	}
	if (read_entry(ram, (pde & 0xfffff000u) + ((la >> 12) & 0x3ff) * 4, 4, &pte))
		return GUEST_XLATE_TABLE_OUTSIDE_RAM;
	if (!(pte & PTE_P))
		return GUEST_XLATE_NOT_PRESENT;
	*gpa = (pte & 0xfffff000u) | (la & 0xfff);
	return GUEST_XLATE_OK;
}

enum guest_xlate guest_translate(const struct guest_paging *pg,
				 const struct guest_ram *ram, uint64_t la,
				 uint64_t *gpa)
{
	uint64_t table, e;
	int level;

	if (!(pg->cr0 & CR0_PG)) {
		*gpa = la & 0xffffffffu;        /* no paging: linear is physical */
		return GUEST_XLATE_OK;
	}
	if (!(pg->cr4 & CR4_PAE))
		return walk_32(pg, ram, (uint32_t)la, gpa);
	if (!(pg->efer & EFER_LMA)) {
		/* PAE (5.4): the PDPTE comes from the CPU's PDPTE registers. */
		e = pg->pdpte[(la >> 30) & 3];
		if (!(e & PTE_P))
			return GUEST_XLATE_NOT_PRESENT;
		table = e & PTE_ADDR;
		level = 1;
	} else {
		table = pg->cr3 & PTE_ADDR;
		level = pg->cr4 & CR4_LA57 ? 4 : 3;
	}
	/* Levels 4..0: PML5, PML4, PDPT (1 GiB pages), PD (2 MiB), PT. */
	for (; level >= 0; level--) {
		unsigned shift = 12 + 9 * (unsigned)level;

		if (read_entry(ram, table + ((la >> shift) & 511) * 8, 8, &e))
			return GUEST_XLATE_TABLE_OUTSIDE_RAM;
		if (!(e & PTE_P))
			return GUEST_XLATE_NOT_PRESENT;
		if (level == 0 || (level <= 2 && (e & PTE_PS))) {
			uint64_t span = 1ul << shift;

			*gpa = (e & PTE_ADDR & ~(span - 1)) | (la & (span - 1));
			return GUEST_XLATE_OK;
		}
		table = e & PTE_ADDR;
	}
	return GUEST_XLATE_NOT_PRESENT;         /* not reached */
}

unsigned guest_fetch(const struct guest_paging *pg, const struct guest_ram *ram,
		     uint64_t la, uint64_t la_mask, uint8_t *buf, unsigned n,
		     struct guest_fetch_stop *stop)
{
	unsigned got = 0;

	while (got < n) {
		uint64_t a = (la + got) & la_mask, gpa = 0, chunk;
		enum guest_xlate x = guest_translate(pg, ram, a, &gpa);

		if (x == GUEST_XLATE_OK && gpa >= ram->size)
			x = GUEST_XLATE_OUTSIDE_RAM;
		if (x != GUEST_XLATE_OK) {
			*stop = (struct guest_fetch_stop){ x, a, gpa };
			break;
		}
		/* To the end of the page, of the bytes wanted, of RAM. */
		chunk = PAGE_SIZE - (a & (PAGE_SIZE - 1));
		if (chunk > n - got)
			chunk = n - got;
		if (chunk > ram->size - gpa)
			chunk = ram->size - gpa;
		memcpy(buf + got, ram->base + gpa, chunk);
		got += (unsigned)chunk;
	}
	return got;
}

const char *guest_xlate_name(enum guest_xlate x)
{
	switch (x) {
	case GUEST_XLATE_OK: return "mapped";
	case GUEST_XLATE_NOT_PRESENT: return "not mapped by the guest's page tables";
	case GUEST_XLATE_TABLE_OUTSIDE_RAM: return "mapped through a page table outside guest RAM";
	case GUEST_XLATE_OUTSIDE_RAM: return "outside guest RAM";
	}
	return "?";
}
