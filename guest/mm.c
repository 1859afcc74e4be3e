/*
 * mm.c - page tables of exactly the memory the Multiboot map reports.
 *
 * Frames come from the usable ranges below 4 GiB (reachable through the
 * early identity map while the new tables are built), never from the first
 * MiB, the kernel image or a module.
 *
 * Environment: guest kernel, interrupts off during mm_init.
 */
/* SPDX-License-Identifier: MIT */
#include "guest.h"
#include "lib.h"
#include "mm.h"
#include "pv.h"

extern char _load_start[], _bss_end[];

struct mm_stats mm_stats;
static uint64_t *pml4;
static const struct boot_info *mm_bi;
static unsigned alloc_region;
static uint64_t alloc_next;

#define LOW_MEMORY_END  0x100000ul
#define FOUR_GIB        0x100000000ul

static uint64_t align_up(uint64_t v, uint64_t a) { return (v + a - 1) & ~(a - 1); }
static uint64_t align_down(uint64_t v, uint64_t a) { return v & ~(a - 1); }

static int overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

/* The end of whatever keeps frame pa from being handed out, or 0. */
static uint64_t frame_blocked_until(uint64_t pa)
{
	unsigned i;

	if (pa < LOW_MEMORY_END)
		return LOW_MEMORY_END;
	if (overlaps(pa, PAGE_SIZE, (uint64_t)_load_start,
		     (uint64_t)(_bss_end - _load_start)))
		return align_up((uint64_t)_bss_end, PAGE_SIZE);
	for (i = 0; i < mm_bi->nr_modules; i++) {
		const struct boot_module *m = &mm_bi->modules[i];
		if (overlaps(pa, PAGE_SIZE, m->start, m->end - m->start))
			return align_up(m->end, PAGE_SIZE);
	}
	return 0;
}

uint64_t mm_alloc_frame(void)
{
	while (alloc_region < mm_bi->nr_usable) {
		const struct boot_region *r = &mm_bi->usable[alloc_region];
		uint64_t end = align_down(r->base + r->len, PAGE_SIZE);
		uint64_t pa, until;

		if (alloc_next < r->base)
			alloc_next = align_up(r->base, PAGE_SIZE);
		pa = alloc_next;
		if (pa + PAGE_SIZE > end || pa + PAGE_SIZE > FOUR_GIB) {
			alloc_region++;
			continue;
		}
		until = frame_blocked_until(pa);
		if (until) {
			alloc_next = until;
			continue;
		}
		alloc_next = pa + PAGE_SIZE;
		mm_stats.frames_used++;
		memset((void *)pa, 0, PAGE_SIZE);
		return pa;
	}
	kprintf("mm: out of memory: no free frame below 4 GiB\n");
	guest_exit(GUEST_STATUS_BOOT);
}

/*
 * The entry for va at level (3 = PML4 ... 0 = PT), making tables as needed;
 * with user set, every entry on the way lets ring 3 through (the leaf
 * alone decides, SDM vol. 3A, 5.6).
 */
static uint64_t *walk(uint64_t va, int level, int create, int user)
{
	uint64_t *table = pml4;
	int l;

	for (l = 3; l > level; l--) {
		uint64_t *e = &table[(va >> (12 + 9 * l)) & 511];

		if (!(*e & PTE_P)) {
			if (!create)
				return 0;
			*e = mm_alloc_frame() | PTE_P | PTE_W;
			mm_stats.table_pages++;
		} else if (*e & PTE_PS) {
			return 0;               /* inside a large page */
		}
		if (user)
			*e |= PTE_U;
		table = (uint64_t *)(*e & PTE_ADDR);
	}
	return &table[(va >> (12 + 9 * level)) & 511];
}

void mm_map_4k(uint64_t va, uint64_t pa, uint64_t flags)
{
	uint64_t *e = walk(va, 0, 1, !!(flags & PTE_U));

	if (e)                  /* no e: already covered by a 2 MiB page */
		*e = (pa & PTE_ADDR) | flags | PTE_P;
}

volatile uint64_t *mm_pte(uint64_t va)
{
	uint64_t *e = walk(va, 0, 0, 0);
	return e && (*e & PTE_P) ? e : 0;
}

static void map_identity(uint64_t base, uint64_t end)
{
	uint64_t a = align_up(base, PAGE_SIZE);

	end = align_down(end, PAGE_SIZE);
	if (a < PAGE_SIZE)
		a = PAGE_SIZE;          /* page 0 stays a trap for NULL */
	while (a < end) {
		if (!(a & (LARGE_SIZE - 1)) && end - a >= LARGE_SIZE) {
			uint64_t *e = walk(a, 1, 1, 0);
			if (!(*e & PTE_P)) {
				*e = a | PTE_P | PTE_W | PTE_PS;
				mm_stats.mapped_bytes += LARGE_SIZE;
			}
			a += LARGE_SIZE;
		} else {
			uint64_t *e = walk(a, 0, 1, 0);
			if (e && !(*e & PTE_P)) {
				*e = a | PTE_P | PTE_W;
				mm_stats.mapped_bytes += PAGE_SIZE;
			}
			a += PAGE_SIZE;
		}
	}
}

void mm_init(const struct boot_info *bi)
{
	unsigned i;

	mm_bi = bi;
	pml4 = (uint64_t *)mm_alloc_frame();
	mm_stats.table_pages = 1;
	for (i = 0; i < bi->nr_usable; i++)
		map_identity(bi->usable[i].base, bi->usable[i].base + bi->usable[i].len);
	map_identity((uint64_t)_load_start, (uint64_t)_bss_end);
	pv_write_cr3((uint64_t)pml4);
	kprintf("mm: mapped %lu KiB of RAM, %lu KiB of page tables, cr3=0x%lx\n",
		mm_stats.mapped_bytes >> 10, mm_stats.table_pages * 4, pv_read_cr3());
}

static int in_usable(const struct boot_info *bi, uint64_t pa, uint64_t len)
{
	unsigned i;

	for (i = 0; i < bi->nr_usable; i++)
		if (pa >= bi->usable[i].base &&
		    pa + len <= bi->usable[i].base + bi->usable[i].len)
			return 1;
	return pa >= (uint64_t)_load_start && pa + len <= align_up((uint64_t)_bss_end, PAGE_SIZE);
}

static int check_table(const struct boot_info *bi, const uint64_t *t, int level,
		       uint64_t va_base, char *err, size_t errlen)
{
	unsigned i;

	for (i = 0; i < 512; i++) {
		uint64_t e = t[i], va = va_base + ((uint64_t)i << (12 + 9 * level));
		uint64_t size = 1ul << (12 + 9 * level);

		if (level == 3 && i >= 256)
			va |= 0xffff000000000000ul;    /* canonical upper half */
		if (!(e & PTE_P))
			continue;
		if (level > 0 && !(e & PTE_PS)) {
			if (check_table(bi, (const uint64_t *)(e & PTE_ADDR), level - 1,
					va, err, errlen))
				return -1;
			continue;
		}
		if (va == APIC_ALIAS_VA || va == MM_TEST_VA || va == MM_USER_VA)
			continue;
		if ((e & PTE_ADDR) != va || !in_usable(bi, va, size)) {
			snprintf(err, errlen, "va 0x%lx -> 0x%lx (%lu KiB) is not usable RAM",
				 va, e & PTE_ADDR, size >> 10);
			return -1;
		}
	}
	return 0;
}

int mm_check(const struct boot_info *bi, char *err, size_t errlen)
{
	return check_table(bi, pml4, 3, 0, err, errlen);
}
