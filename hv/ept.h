/*
 * ept.h - the EPT builder: guest-physical to host-physical mappings.
 *
 * Four-level EPT (SDM vol. 3C, 30.3.2), 2 MiB leaves where alignment and
 * the CPU allow, 4 KiB leaves elsewhere. Pure logic: tables come from an
 * allocator callback and are reached through a pointer callback, so the
 * host tests run the real builder over a buffer.
 *
 * Environment: hypervisor at boot (and host tests).
 */
/* SPDX-License-Identifier: MIT */
#ifndef HV_EPT_H
#define HV_EPT_H

#include <stdint.h>
#include "vmx.h"                /* EPT_R/W/X, EPT_MEM_WB/UC, EPT_LARGE */

struct ept {
	uint64_t root_pa;                       /* the PML4 */
	uint64_t (*alloc)(void *ctx);           /* a zeroed 4 KiB table, or 0 */
	uint64_t *(*table)(uint64_t pa, void *ctx);
	void *ctx;
	int large_pages;                        /* 2 MiB leaves allowed */
	unsigned tables;                        /* tables in use, the root too */
	uint64_t mapped;                        /* bytes mapped */
};


/* Returns 0, or -1 when out of tables or given unaligned addresses. */
int ept_init(struct ept *e);
int ept_map(struct ept *e, uint64_t gpa, uint64_t hpa, uint64_t size, uint64_t attr);
/* The host-physical address of gpa, or ~0 when unmapped; leaf attributes in *attr. */
uint64_t ept_translate(const struct ept *e, uint64_t gpa, uint64_t *attr);
/* The EPT pointer: WB paging structures, 4-level walk (25.6.11). */
uint64_t ept_pointer(const struct ept *e);

#endif
