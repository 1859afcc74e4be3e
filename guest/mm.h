/*
 * mm.h - the guest's page tables and physical frames.
 *
 * mm_init() replaces the early 4 GiB identity map (entry.asm) with one of
 * exactly the usable RAM the Multiboot map reports (plus the kernel image),
 * identity-mapped, 2 MiB pages where alignment allows, and the local APIC
 * alias at APIC_ALIAS_VA. Page 0 stays unmapped.
 *
 * Environment: guest kernel, one CPU.
 */
/* SPDX-License-Identifier: MIT */
#ifndef GUEST_MM_H
#define GUEST_MM_H

#include <stddef.h>
#include <stdint.h>
#include "multiboot.h"

#define PAGE_SIZE       4096ul
#define LARGE_SIZE      (2ul << 20)

/* Paging-structure entry bits (SDM vol. 3A, 5.5.4, tables 5-15 to 5-20). */
#define PTE_P           (1ul << 0)
#define PTE_W           (1ul << 1)
#define PTE_U           (1ul << 2)
#define PTE_PWT         (1ul << 3)
#define PTE_PCD         (1ul << 4)
#define PTE_PS          (1ul << 7)
#define PTE_ADDR        0x000ffffffffff000ul

/* Sign-extended disp32 0xfee00000: see PV_NATIVE_apic_eoi in pv_ops.h. */
#define APIC_ALIAS_VA   0xfffffffffee00000ul
/* A page the self-tests remap at will (PML4 slot 1, never RAM), and a
 * user-mode page beside it (its own page table: 2 MiB further). */
#define MM_TEST_VA      0x0000008000000000ul
#define MM_USER_VA      0x0000008000200000ul

struct mm_stats {
	uint64_t mapped_bytes;          /* RAM mapped, identity */
	uint64_t table_pages;           /* paging structures allocated */
	uint64_t frames_used;           /* frames handed out */
};
extern struct mm_stats mm_stats;

void mm_init(const struct boot_info *bi);
uint64_t mm_alloc_frame(void);          /* zeroed 4 KiB frame */
void mm_map_4k(uint64_t va, uint64_t pa, uint64_t flags);
/* The 4 KiB leaf entry of va, or NULL when va is not mapped by one. */
volatile uint64_t *mm_pte(uint64_t va);
/* Check that every mapping is usable RAM, the kernel or a known alias. */
int mm_check(const struct boot_info *bi, char *err, size_t errlen);

#endif
