/*
 * ept.c - build the guest's EPT.
 *
 * Entries (SDM vol. 3C, 30.3.2, tables 30-1 to 30-6): bits 2:0 are
 * read/write/execute; a leaf adds its memory type in bits 5:3; a PDE with
 * bit 7 maps 2 MiB. A non-present entry (bits 2:0 clear) makes every guest
 * access there an EPT violation, which is how the hypervisor's own memory
 * stays out of the guest's reach.
 *
 * Environment: hypervisor at boot; pure logic, also in the host tests.
 */
/* SPDX-License-Identifier: MIT */
#include "ept.h"
#include "vmx.h"

#define SIZE_4K (1ul << 12)
#define SIZE_2M (1ul << 21)

int ept_init(struct ept *e)
{
	e->root_pa = e->alloc(e->ctx);
	e->tables = e->root_pa ? 1 : 0;
	e->mapped = 0;
	return e->root_pa ? 0 : -1;
}

/* The entry for gpa at level (3 = PML4E .. 0 = PTE), making tables. */
static uint64_t *entry(struct ept *e, uint64_t gpa, int level)
{
	uint64_t *t = e->table(e->root_pa, e->ctx);
	int l;

	for (l = 3; l > level; l--) {
		uint64_t *pe = &t[(gpa >> (12 + 9 * l)) & 511];

		if (!(*pe & EPT_RWX)) {
			uint64_t pa = e->alloc(e->ctx);
			if (!pa)
				return 0;
			e->tables++;
			*pe = pa | EPT_RWX;
		} else if (*pe & EPT_LARGE) {
			return 0;               /* already a 2 MiB leaf */
		}
		t = e->table(*pe & EPT_ADDR_MASK, e->ctx);
	}
	return &t[(gpa >> (12 + 9 * level)) & 511];
}

int ept_map(struct ept *e, uint64_t gpa, uint64_t hpa, uint64_t size, uint64_t attr)
{
	if ((gpa | hpa | size) & (SIZE_4K - 1))
		return -1;
	while (size) {
		int big = e->large_pages && !((gpa | hpa) & (SIZE_2M - 1)) && size >= SIZE_2M;
		uint64_t *pe = big ? entry(e, gpa, 1) : 0, step;

		/* A 2 MiB frame that already has a page table keeps it. */
		if (pe && (*pe & EPT_RWX) && !(*pe & EPT_LARGE))
			big = 0;
		if (!big)
			pe = entry(e, gpa, 0);
		step = big ? SIZE_2M : SIZE_4K;

		if (!pe)
			return -1;
		*pe = hpa | attr | (big ? EPT_LARGE : 0);
		e->mapped += step;
		gpa += step;
		hpa += step;
		size -= step;
	}
	return 0;
}

uint64_t ept_translate(const struct ept *e, uint64_t gpa, uint64_t *attr)
{
	uint64_t *t = e->table(e->root_pa, e->ctx);
	int l;

	for (l = 3; l >= 0; l--) {
		uint64_t pe = t[(gpa >> (12 + 9 * l)) & 511];

		if (!(pe & EPT_RWX))
			return ~0ul;
		if (l == 0 || (l == 1 && (pe & EPT_LARGE))) {
			uint64_t off = gpa & ((1ul << (12 + 9 * l)) - 1);
			if (attr)
				*attr = pe & 0x7f;
			return (pe & EPT_ADDR_MASK & ~((1ul << (12 + 9 * l)) - 1)) + off;
		}
		t = e->table(pe & EPT_ADDR_MASK, e->ctx);
	}
	return ~0ul;
}

uint64_t ept_pointer(const struct ept *e)
{
	return e->root_pa | EPTP_MT_WB | EPTP_WALK_4;
}
