/*
 * test_ept.c - host tests of the EPT builder.
 *
 * Built from the real hv/ept.c. Its tables come from a pool of heap pages
 * whose "physical addresses" are POOL_PA + index * 4096, far from the
 * pages' host addresses, so a builder that dereferenced a table address
 * instead of going through its table() callback would fault; the pool can
 * be told to run dry after k pages. After each build a walker checks every
 * table reachable from the root against the SDM's entry formats (vol. 3C,
 * 30.3.2, tables 30-1 to 30-7) and counts tables and leaves. Runs on the
 * build host.
 */
/* SPDX-License-Identifier: MIT */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "ept.h"
#include "vmx.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define KiB 0x400ull
#define MiB 0x100000ull
#define GiB 0x40000000ull
#define SZ_4K (4 * KiB)
#define SZ_2M (2 * MiB)

#define POOL_PA    0x10000000ull
#define POOL_PAGES 128u

#define RAM_SIZE   (188 * MiB)
#define RAM_HPA    0x4200000ull
#define APIC_GPA   0xfee00000ull

#define ATTR_RAM   (EPT_RWX | EPT_MEM_WB)
#define ATTR_APIC  (EPT_R | EPT_W | EPT_MEM_UC)
#define NONE       (~0ull)

/* ---- the table pool ------------------------------------------------------ */

struct pool {
	uint64_t (*pages)[512];
	unsigned used;
	unsigned limit;                 /* alloc fails once used == limit */
	unsigned allocs, refused;
	unsigned bad_table;             /* table() calls with a bad address */
};

static uint64_t scratch[512];           /* what a bad table() call gets */

static uint64_t pool_alloc(void *ctx)
{
	struct pool *p = ctx;

	if (p->used >= p->limit) {
		p->refused++;
		return 0;
	}
	p->allocs++;
	memset(p->pages[p->used], 0, sizeof(p->pages[0]));
	return POOL_PA + (uint64_t)p->used++ * SZ_4K;
}

static int pool_index(const struct pool *p, uint64_t pa)
{
	if (pa < POOL_PA || (pa & (SZ_4K - 1)) || (pa - POOL_PA) / SZ_4K >= p->used)
		return -1;
	return (int)((pa - POOL_PA) / SZ_4K);
}

static uint64_t *pool_table(uint64_t pa, void *ctx)
{
	struct pool *p = ctx;
	int i = pool_index(p, pa);

	if (i < 0) {
		p->bad_table++;
		CHECK(0, "table(0x%llx): not a table the allocator handed out",
		      (unsigned long long)pa);
		memset(scratch, 0, sizeof(scratch));
		return scratch;
	}
	return p->pages[i];
}

struct t {
	struct pool pool;
	struct ept e;
};

static void setup(struct t *t, int large_pages, unsigned limit)
{
	memset(t, 0, sizeof(*t));
	t->pool.pages = malloc(POOL_PAGES * sizeof(t->pool.pages[0]));
	if (!t->pool.pages)
		abort();
	memset(t->pool.pages, 0xa5, POOL_PAGES * sizeof(t->pool.pages[0]));
	t->pool.limit = limit < POOL_PAGES ? limit : POOL_PAGES;
	memset(&t->e, 0x5a, sizeof(t->e));
	t->e.alloc = pool_alloc;
	t->e.table = pool_table;
	t->e.ctx = &t->pool;
	t->e.large_pages = large_pages;
}

static void teardown(struct t *t)
{
	free(t->pool.pages);
	t->pool.pages = NULL;
}

/* ---- the walker ---------------------------------------------------------- */

struct walk {
	unsigned tables;                /* reachable, the root included */
	unsigned leaves_2m, leaves_4k;
	unsigned bad;                   /* entries that broke a rule */
	unsigned char seen[POOL_PAGES];
};

static const char *level_name[] = { "PTE", "PDE", "PDPTE", "PML4E" };

/* A leaf's memory type must be UC, WC, WT, WP or WB (table 30-6 note). */
static int mt_valid(uint64_t pe)
{
	uint64_t mt = (pe >> EPT_MT_SHIFT) & 7;

	return mt != 2 && mt != 3 && mt != 7;
}

static void bad(struct walk *w, int level, unsigned idx, uint64_t pe, const char *why)
{
	w->bad++;
	CHECK(0, "%s %u = 0x%016llx: %s", level_name[level], idx,
	      (unsigned long long)pe, why);
}

static void walk_table(struct t *t, struct walk *w, uint64_t pa, int level)
{
	int i = pool_index(&t->pool, pa);
	unsigned n;

	if (i < 0) {
		w->bad++;
		CHECK(0, "%s table at 0x%llx is not an allocated table",
		      level_name[level], (unsigned long long)pa);
		return;
	}
	if (w->seen[i]++) {
		w->bad++;
		CHECK(0, "table 0x%llx is reached twice", (unsigned long long)pa);
		return;
	}
	w->tables++;
	for (n = 0; n < 512; n++) {
		uint64_t pe = t->pool.pages[i][n];
		int leaf = level == 0 || (level == 1 && (pe & EPT_LARGE));

		if (!(pe & EPT_RWX)) {
			if (pe)
				bad(w, level, n, pe, "not present but not zero");
			continue;
		}
		if ((pe & EPT_RWX) == EPT_W || (pe & EPT_RWX) == (EPT_W | EPT_X))
			bad(w, level, n, pe, "writable but not readable (misconfiguration)");
		if (level == 2 && (pe & EPT_LARGE)) {
			bad(w, level, n, pe, "a 1 GiB page, which the builder never makes");
			continue;
		}
		if (!leaf) {
			/* Non-leaf: bits 7:3 reserved (tables 30-1 to 30-3, 30-5). */
			if ((pe & EPT_RWX) != EPT_RWX)
				bad(w, level, n, pe, "non-leaf without RWX");
			if (pe & ~(EPT_ADDR_MASK | EPT_RWX))
				bad(w, level, n, pe, "non-leaf with reserved or stray bits");
			walk_table(t, w, pe & EPT_ADDR_MASK, level - 1);
			continue;
		}
		if (!mt_valid(pe))
			bad(w, level, n, pe, "reserved memory type");
		if (level == 1) {
			/* 2 MiB leaf: bits 20:12 reserved (table 30-4). */
			if (pe & ~(EPT_ADDR_MASK & ~(SZ_2M - 1)) & ~0xffull)
				bad(w, level, n, pe, "2 MiB leaf with reserved or stray bits");
			w->leaves_2m++;
		} else {
			if (pe & ~(EPT_ADDR_MASK | 0x7full))
				bad(w, level, n, pe, "4 KiB leaf with stray bits");
			w->leaves_4k++;
		}
	}
}

static struct walk walk(struct t *t)
{
	struct walk w;

	memset(&w, 0, sizeof(w));
	walk_table(t, &w, t->e.root_pa, 3);
	CHECK(w.tables == t->e.tables, "walker reached %u tables, ept.tables says %u",
	      w.tables, t->e.tables);
	CHECK(w.tables == t->pool.allocs, "walker reached %u tables, %u allocated (leaked?)",
	      w.tables, t->pool.allocs);
	CHECK(t->pool.bad_table == 0, "%u table() calls with bad addresses",
	      t->pool.bad_table);
	return w;
}

/* The raw entry for gpa at level, or ~0 when a table on the way is missing. */
static uint64_t raw_entry(struct t *t, uint64_t gpa, int level)
{
	uint64_t pa = t->e.root_pa;
	int l;

	for (l = 3; ; l--) {
		int i = pool_index(&t->pool, pa);
		uint64_t pe;

		if (i < 0)
			return NONE;
		pe = t->pool.pages[i][(gpa >> (12 + 9 * l)) & 511];
		if (l == level)
			return pe;
		if (!(pe & EPT_RWX) || (l == 1 && (pe & EPT_LARGE)))
			return NONE;
		pa = pe & EPT_ADDR_MASK;
	}
}

/* translate(gpa) must give want (NONE: unmapped) and, when mapped, attr. */
static int expect_tr(struct t *t, uint64_t gpa, uint64_t want, uint64_t want_attr)
{
	uint64_t attr = 0x5a5a, got = ept_translate(&t->e, gpa, &attr);

	if (!CHECK(got == want, "translate(0x%llx) = 0x%llx, want 0x%llx",
		   (unsigned long long)gpa, (unsigned long long)got,
		   (unsigned long long)want))
		return 0;
	if (want != NONE)
		return CHECK(attr == want_attr, "translate(0x%llx) attr 0x%llx, want 0x%llx",
			     (unsigned long long)gpa, (unsigned long long)attr,
			     (unsigned long long)want_attr);
	return 1;
}

/* Addresses worth probing inside [0, size): ends, page and frame edges. */
static unsigned probes(uint64_t size, uint64_t *out, unsigned max)
{
	static const uint64_t offs[] = { 0, 1, 0xfff, 0x1000, 0x1234, 0xffff0,
					 0x100000, 0x1ff000, 0x1fffff };
	uint64_t frame, x = 0x9e3779b97f4a7c15ull;
	unsigned n = 0, i;

	for (frame = 0; frame < size && n + ARRAY_SIZE(offs) < max; frame += SZ_2M)
		for (i = 0; i < ARRAY_SIZE(offs); i++)
			if (frame + offs[i] < size)
				out[n++] = frame + offs[i];
	out[n++] = size - 1;
	out[n++] = size - SZ_4K;
	while (n < max) {                       /* and some pseudo-random ones */
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		out[n++] = x % size;
	}
	return n;
}

static void expect_ram(struct t *t, uint64_t gpa0, uint64_t size, uint64_t hpa0,
		       uint64_t attr)
{
	uint64_t a[1200];
	unsigned n = probes(size, a, ARRAY_SIZE(a)), i, bad = 0;

	for (i = 0; i < n && bad < 4; i++)
		bad += !expect_tr(t, gpa0 + a[i], hpa0 + a[i], attr);
}

static void map_ram(struct t *t)
{
	int r = ept_map(&t->e, 0, RAM_HPA, RAM_SIZE, ATTR_RAM);

	CHECK(r == 0, "ept_map(RAM) = %d", r);
}

/* ---- cases --------------------------------------------------------------- */

int main(void)
{
	struct t t;
	struct walk w;

	TEST("init: one zeroed root table, nothing mapped") {
		setup(&t, 1, POOL_PAGES);
		CHECK(ept_init(&t.e) == 0, "ept_init failed");
		CHECK(t.e.root_pa == POOL_PA, "root_pa 0x%llx", (unsigned long long)t.e.root_pa);
		CHECK(t.e.tables == 1, "tables %u", t.e.tables);
		CHECK(t.e.mapped == 0, "mapped %llu", (unsigned long long)t.e.mapped);
		w = walk(&t);
		CHECK(w.leaves_2m + w.leaves_4k == 0, "leaves in an empty EPT");
		expect_tr(&t, 0, NONE, 0);
		expect_tr(&t, APIC_GPA, NONE, 0);
		teardown(&t);
	}

	TEST("init: no table for the root") {
		setup(&t, 1, 0);
		CHECK(ept_init(&t.e) == -1, "ept_init without a table succeeded");
		CHECK(t.e.tables == 0, "tables %u", t.e.tables);
		teardown(&t);
	}

	TEST("pointer: root | WB | walk length 4 - 1") {
		setup(&t, 1, POOL_PAGES);
		ept_init(&t.e);
		map_ram(&t);
		CHECK(ept_pointer(&t.e) == (POOL_PA | 6 | 3 << 3),
		      "EPTP 0x%llx", (unsigned long long)ept_pointer(&t.e));
		CHECK((ept_pointer(&t.e) & 0xfc0) == 0, "EPTP sets bits 11:6 (A/D or reserved)");
		teardown(&t);

		/* The root need not be the first page handed out. */
		setup(&t, 1, POOL_PAGES);
		pool_alloc(&t.pool);
		pool_alloc(&t.pool);
		t.pool.allocs = 0;
		ept_init(&t.e);
		CHECK(ept_pointer(&t.e) == (POOL_PA + 2 * SZ_4K) + 0x1e,
		      "EPTP 0x%llx", (unsigned long long)ept_pointer(&t.e));
		teardown(&t);
	}

	TEST("RAM, 2 MiB pages: 188 MiB in 94 leaves and 3 tables") {
		uint64_t pde;
		unsigned i;

		setup(&t, 1, POOL_PAGES);
		ept_init(&t.e);
		map_ram(&t);
		CHECK(t.e.tables == 3, "tables %u, want PML4 + PDPT + PD", t.e.tables);
		CHECK(t.e.mapped == RAM_SIZE, "mapped 0x%llx", (unsigned long long)t.e.mapped);
		w = walk(&t);
		CHECK(w.leaves_2m == 94 && w.leaves_4k == 0, "%u 2 MiB and %u 4 KiB leaves",
		      w.leaves_2m, w.leaves_4k);
		CHECK(w.bad == 0, "%u bad entries", w.bad);
		for (i = 0; i < 94; i++) {
			pde = raw_entry(&t, i * SZ_2M, 1);
			if (!CHECK(pde == ((RAM_HPA + i * SZ_2M) | EPT_LARGE | (6 << 3) | 7),
				   "PDE %u = 0x%llx", i, (unsigned long long)pde))
				break;
		}
		expect_ram(&t, 0, RAM_SIZE, RAM_HPA, ATTR_RAM);
		expect_tr(&t, RAM_SIZE, NONE, 0);
		expect_tr(&t, RAM_SIZE + SZ_4K - 1, NONE, 0);
		expect_tr(&t, RAM_SIZE + SZ_2M, NONE, 0);
		expect_tr(&t, 1 * GiB, NONE, 0);
		expect_tr(&t, 4 * GiB, NONE, 0);
		expect_tr(&t, APIC_GPA, NONE, 0);
		expect_tr(&t, 512 * GiB, NONE, 0);
		teardown(&t);
	}

	TEST("APIC page: 4 KiB leaf, UC, read/write, no execute") {
		uint64_t pte;

		setup(&t, 1, POOL_PAGES);
		ept_init(&t.e);
		map_ram(&t);
		CHECK(ept_map(&t.e, APIC_GPA, APIC_GPA, SZ_4K, ATTR_APIC) == 0, "ept_map(APIC)");
		/* 3 GiB - 4 GiB needs its own PD, and the page a PT. */
		CHECK(t.e.tables == 5, "tables %u, want 3 + PD + PT", t.e.tables);
		CHECK(t.e.mapped == RAM_SIZE + SZ_4K, "mapped 0x%llx",
		      (unsigned long long)t.e.mapped);
		w = walk(&t);
		CHECK(w.leaves_2m == 94 && w.leaves_4k == 1, "%u 2 MiB and %u 4 KiB leaves",
		      w.leaves_2m, w.leaves_4k);
		CHECK(w.bad == 0, "%u bad entries", w.bad);
		CHECK(raw_entry(&t, APIC_GPA, 1) != NONE &&
		      !(raw_entry(&t, APIC_GPA, 1) & EPT_LARGE), "APIC PDE is a leaf");
		pte = raw_entry(&t, APIC_GPA, 0);
		CHECK(pte == (APIC_GPA | EPT_R | EPT_W), "APIC PTE 0x%llx, want 0x%llx",
		      (unsigned long long)pte, (unsigned long long)(APIC_GPA | 3));
		CHECK(((pte >> 3) & 7) == 0, "APIC memory type %llu, want UC",
		      (unsigned long long)((pte >> 3) & 7));
		expect_tr(&t, APIC_GPA, APIC_GPA, EPT_R | EPT_W);
		expect_tr(&t, APIC_GPA + 0x300, APIC_GPA + 0x300, EPT_R | EPT_W);
		expect_tr(&t, APIC_GPA + 0xfff, APIC_GPA + 0xfff, EPT_R | EPT_W);
		expect_tr(&t, APIC_GPA + SZ_4K, NONE, 0);
		expect_tr(&t, APIC_GPA - 1, NONE, 0);
		expect_tr(&t, APIC_GPA - SZ_2M, NONE, 0);
		expect_ram(&t, 0, RAM_SIZE, RAM_HPA, ATTR_RAM);   /* RAM unharmed */
		teardown(&t);
	}

	TEST("RAM, 4 KiB pages: 94 page tables + PD + PDPT + PML4") {
		uint64_t pte;

		setup(&t, 0, POOL_PAGES);
		ept_init(&t.e);
		map_ram(&t);
		CHECK(t.e.tables == 97, "tables %u, want 97", t.e.tables);
		CHECK(t.e.mapped == RAM_SIZE, "mapped 0x%llx", (unsigned long long)t.e.mapped);
		w = walk(&t);
		CHECK(w.leaves_2m == 0 && w.leaves_4k == RAM_SIZE / SZ_4K,
		      "%u 2 MiB and %u 4 KiB leaves", w.leaves_2m, w.leaves_4k);
		CHECK(w.bad == 0, "%u bad entries", w.bad);
		pte = raw_entry(&t, 0x123000, 0);
		CHECK(pte == ((RAM_HPA + 0x123000) | (6 << 3) | 7), "PTE 0x%llx",
		      (unsigned long long)pte);
		expect_ram(&t, 0, RAM_SIZE, RAM_HPA, ATTR_RAM);
		expect_tr(&t, RAM_SIZE, NONE, 0);
		CHECK(ept_map(&t.e, APIC_GPA, APIC_GPA, SZ_4K, ATTR_APIC) == 0, "ept_map(APIC)");
		CHECK(t.e.tables == 99, "tables %u after the APIC page", t.e.tables);
		expect_tr(&t, APIC_GPA + 0x20, APIC_GPA + 0x20, EPT_R | EPT_W);
		walk(&t);
		teardown(&t);
	}

	TEST("unaligned gpa, hpa or size: -1, nothing built") {
		static const struct { uint64_t gpa, hpa, size; } c[] = {
			{ 0x800, RAM_HPA, SZ_2M },
			{ 0, RAM_HPA + 0x800, SZ_2M },
			{ 0, RAM_HPA, SZ_2M + 1 },
			{ 0, RAM_HPA, 0xfff },
			{ 1, 1, 1 },
			{ SZ_2M + 0x10, RAM_HPA + 0x10, SZ_4K },
		};
		unsigned i;

		for (i = 0; i < ARRAY_SIZE(c); i++) {
			setup(&t, 1, POOL_PAGES);
			ept_init(&t.e);
			CHECK(ept_map(&t.e, c[i].gpa, c[i].hpa, c[i].size, ATTR_RAM) == -1,
			      "case %u: unaligned map accepted", i);
			CHECK(t.e.tables == 1 && t.e.mapped == 0, "case %u: tables %u mapped 0x%llx",
			      i, t.e.tables, (unsigned long long)t.e.mapped);
			w = walk(&t);
			CHECK(w.leaves_2m + w.leaves_4k == 0, "case %u: leaves written", i);
			teardown(&t);
		}
	}

	TEST("running out of tables: -1 at every point, tables left consistent") {
		unsigned k;

		/* 2 MiB pages: RAM needs 3 tables, the APIC page 2 more. */
		for (k = 1; k <= 5; k++) {
			int r1, r2;

			setup(&t, 1, k);
			CHECK(ept_init(&t.e) == 0, "k=%u: init", k);
			r1 = ept_map(&t.e, 0, RAM_HPA, RAM_SIZE, ATTR_RAM);
			r2 = ept_map(&t.e, APIC_GPA, APIC_GPA, SZ_4K, ATTR_APIC);
			CHECK(r1 == (k >= 3 ? 0 : -1), "k=%u: RAM map %d", k, r1);
			CHECK(r2 == (k >= 5 ? 0 : -1), "k=%u: APIC map %d", k, r2);
			CHECK((t.pool.refused > 0) == (k < 5), "k=%u: allocator refused %u times",
			      k, t.pool.refused);
			CHECK(t.e.tables == k, "k=%u: tables %u", k, t.e.tables);
			w = walk(&t);
			CHECK(w.bad == 0, "k=%u: %u bad entries", k, w.bad);
			teardown(&t);
		}
		/* 4 KiB pages, 8 MiB: PML4 + PDPT + PD + 4 PTs = 7. */
		for (k = 1; k <= 7; k++) {
			int r;

			setup(&t, 0, k);
			ept_init(&t.e);
			r = ept_map(&t.e, 0, RAM_HPA, 8 * MiB, ATTR_RAM);
			CHECK(r == (k == 7 ? 0 : -1), "k=%u: 8 MiB map %d", k, r);
			CHECK(t.e.tables == k, "k=%u: tables %u", k, t.e.tables);
			w = walk(&t);
			CHECK(w.bad == 0, "k=%u: %u bad entries", k, w.bad);
			/* What it did map is right: the first (k - 3) page tables. */
			if (k > 3)
				expect_ram(&t, 0, (k - 3) * SZ_2M, RAM_HPA, ATTR_RAM);
			if (k < 7)
				expect_tr(&t, (k > 3 ? k - 3 : 0) * SZ_2M + SZ_2M - 1, NONE, 0);
			teardown(&t);
		}
	}

	TEST("2 MiB pages need 2 MiB alignment of both addresses and the size") {
		/* hpa only 4 KiB aligned: all 4 KiB leaves. */
		setup(&t, 1, POOL_PAGES);
		ept_init(&t.e);
		CHECK(ept_map(&t.e, 0, RAM_HPA + SZ_4K, 4 * MiB, ATTR_RAM) == 0, "map");
		w = walk(&t);
		CHECK(w.leaves_2m == 0 && w.leaves_4k == 1024, "%u 2 MiB and %u 4 KiB leaves",
		      w.leaves_2m, w.leaves_4k);
		CHECK(t.e.tables == 5, "tables %u, want 3 + 2 PTs", t.e.tables);
		expect_ram(&t, 0, 4 * MiB, RAM_HPA + SZ_4K, ATTR_RAM);
		teardown(&t);

		/* gpa not 2 MiB aligned: 4 KiB up to the frame edge, then 2 MiB. */
		setup(&t, 1, POOL_PAGES);
		ept_init(&t.e);
		CHECK(ept_map(&t.e, SZ_2M - 16 * SZ_4K, RAM_HPA - 16 * SZ_4K,
			      16 * SZ_4K + 2 * SZ_2M, ATTR_RAM) == 0, "map");
		w = walk(&t);
		CHECK(w.leaves_2m == 2 && w.leaves_4k == 16, "%u 2 MiB and %u 4 KiB leaves",
		      w.leaves_2m, w.leaves_4k);
		expect_ram(&t, SZ_2M - 16 * SZ_4K, 16 * SZ_4K + 2 * SZ_2M,
			   RAM_HPA - 16 * SZ_4K, ATTR_RAM);
		expect_tr(&t, SZ_2M - 17 * SZ_4K, NONE, 0);
		teardown(&t);

		/* size 3 MiB + 4 KiB: one 2 MiB leaf, then 257 4 KiB leaves. */
		setup(&t, 1, POOL_PAGES);
		ept_init(&t.e);
		CHECK(ept_map(&t.e, 0, RAM_HPA, 3 * MiB + SZ_4K, ATTR_RAM) == 0, "map");
		w = walk(&t);
		CHECK(w.leaves_2m == 1 && w.leaves_4k == 257, "%u 2 MiB and %u 4 KiB leaves",
		      w.leaves_2m, w.leaves_4k);
		CHECK(t.e.mapped == 3 * MiB + SZ_4K, "mapped 0x%llx",
		      (unsigned long long)t.e.mapped);
		expect_ram(&t, 0, 3 * MiB + SZ_4K, RAM_HPA, ATTR_RAM);
		expect_tr(&t, 3 * MiB + SZ_4K, NONE, 0);
		teardown(&t);
	}

	TEST("a 2 MiB region over a frame that already has a page table uses it") {
		uint64_t pde;

		/* First one 4 KiB page in frame 1, then 6 MiB (frames 0-2) of RAM. */
		setup(&t, 1, POOL_PAGES);
		ept_init(&t.e);
		CHECK(ept_map(&t.e, SZ_2M + 0x5000, APIC_GPA, SZ_4K, ATTR_APIC) == 0, "4 KiB map");
		CHECK(t.e.tables == 4, "tables %u after the 4 KiB page", t.e.tables);
		CHECK(ept_map(&t.e, 0, RAM_HPA, 3 * SZ_2M, ATTR_RAM) == 0, "6 MiB map");
		pde = raw_entry(&t, SZ_2M, 1);
		CHECK(pde != NONE && !(pde & EPT_LARGE),
		      "frame 1's PDE 0x%llx replaced its page table by a 2 MiB leaf",
		      (unsigned long long)pde);
		CHECK(t.e.tables == 4, "tables %u, want still 4", t.e.tables);
		w = walk(&t);
		CHECK(w.leaves_2m == 2 && w.leaves_4k == 512, "%u 2 MiB and %u 4 KiB leaves",
		      w.leaves_2m, w.leaves_4k);
		CHECK(w.bad == 0, "%u bad entries", w.bad);
		/* The later mapping wins everywhere, the 4 KiB page's slot too. */
		expect_ram(&t, 0, 3 * SZ_2M, RAM_HPA, ATTR_RAM);
		expect_tr(&t, SZ_2M + 0x5000, RAM_HPA + SZ_2M + 0x5000, ATTR_RAM);
		teardown(&t);
	}

	TEST("a 4 KiB page inside a 2 MiB leaf: refused or done right, never corrupt") {
		int r;

		setup(&t, 1, POOL_PAGES);
		ept_init(&t.e);
		map_ram(&t);
		r = ept_map(&t.e, 4 * MiB + 0x3000, APIC_GPA, SZ_4K, ATTR_APIC);
		w = walk(&t);
		CHECK(w.bad == 0, "%u bad entries", w.bad);
		if (r == 0) {
			expect_tr(&t, 4 * MiB + 0x3000, APIC_GPA, EPT_R | EPT_W);
			expect_tr(&t, 4 * MiB + 0x2fff, RAM_HPA + 4 * MiB + 0x2fff, ATTR_RAM);
			expect_tr(&t, 4 * MiB + 0x4000, RAM_HPA + 4 * MiB + 0x4000, ATTR_RAM);
		} else {
			CHECK(r == -1, "ept_map = %d", r);
			expect_tr(&t, 4 * MiB + 0x3000, RAM_HPA + 4 * MiB + 0x3000, ATTR_RAM);
		}
		expect_ram(&t, 0, 4 * MiB, RAM_HPA, ATTR_RAM);
		teardown(&t);
	}

	TEST("across a 1 GiB boundary: two PDs") {
		uint64_t gpa = GiB - SZ_2M;

		setup(&t, 1, POOL_PAGES);
		ept_init(&t.e);
		CHECK(ept_map(&t.e, gpa, RAM_HPA, 2 * SZ_2M, ATTR_RAM) == 0, "map");
		CHECK(t.e.tables == 4, "tables %u, want PML4 + PDPT + 2 PDs", t.e.tables);
		w = walk(&t);
		CHECK(w.leaves_2m == 2 && w.leaves_4k == 0, "%u 2 MiB and %u 4 KiB leaves",
		      w.leaves_2m, w.leaves_4k);
		CHECK(raw_entry(&t, gpa, 2) != raw_entry(&t, GiB, 2), "one PD for both GiBs");
		CHECK(raw_entry(&t, gpa, 1) == (RAM_HPA | EPT_LARGE | ATTR_RAM), "PDE below 1 GiB");
		CHECK(raw_entry(&t, GiB, 1) == ((RAM_HPA + SZ_2M) | EPT_LARGE | ATTR_RAM),
		      "PDE at 1 GiB");
		expect_tr(&t, gpa, RAM_HPA, ATTR_RAM);
		expect_tr(&t, GiB - 1, RAM_HPA + SZ_2M - 1, ATTR_RAM);
		expect_tr(&t, GiB, RAM_HPA + SZ_2M, ATTR_RAM);
		expect_tr(&t, GiB + SZ_2M - 1, RAM_HPA + 2 * SZ_2M - 1, ATTR_RAM);
		expect_tr(&t, GiB + SZ_2M, NONE, 0);
		expect_tr(&t, gpa - 1, NONE, 0);
		expect_tr(&t, 0, NONE, 0);
		teardown(&t);

		/* The same with 4 KiB pages: two PDs and two PTs. */
		setup(&t, 0, POOL_PAGES);
		ept_init(&t.e);
		CHECK(ept_map(&t.e, gpa, RAM_HPA, 2 * SZ_2M, ATTR_RAM) == 0, "map");
		CHECK(t.e.tables == 6, "tables %u, want PML4 + PDPT + 2 PDs + 2 PTs",
		      t.e.tables);
		walk(&t);
		expect_ram(&t, gpa, 2 * SZ_2M, RAM_HPA, ATTR_RAM);
		teardown(&t);

		/* And across 512 GiB: a second PDPT. */
		setup(&t, 1, POOL_PAGES);
		ept_init(&t.e);
		CHECK(ept_map(&t.e, 512 * GiB - SZ_2M, RAM_HPA, 2 * SZ_2M, ATTR_RAM) == 0, "map");
		CHECK(t.e.tables == 5, "tables %u, want PML4 + 2 PDPTs + 2 PDs", t.e.tables);
		walk(&t);
		expect_tr(&t, 512 * GiB - 1, RAM_HPA + SZ_2M - 1, ATTR_RAM);
		expect_tr(&t, 512 * GiB, RAM_HPA + SZ_2M, ATTR_RAM);
		teardown(&t);
	}

	TEST("translate without attr pointer, and a 0-byte map") {
		setup(&t, 1, POOL_PAGES);
		ept_init(&t.e);
		map_ram(&t);
		CHECK(ept_translate(&t.e, 0x1234, NULL) == RAM_HPA + 0x1234, "translate");
		CHECK(ept_translate(&t.e, RAM_SIZE, NULL) == NONE, "translate unmapped");
		CHECK(ept_map(&t.e, RAM_SIZE, RAM_HPA + RAM_SIZE, 0, ATTR_RAM) == 0, "0 bytes");
		CHECK(t.e.tables == 3 && t.e.mapped == RAM_SIZE, "0-byte map changed things");
		teardown(&t);
	}

	return check_summary();
}
