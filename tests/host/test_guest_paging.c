/*
 * test_guest_paging.c - host tests of the guest page walk and code fetch.
 *
 * Built from the real hv/guest_paging.c. Guest RAM is a heap buffer of
 * exactly its size, so AddressSanitizer sees any read past it; sizes that
 * are no multiple of a page or of an entry are among the cases. The
 * cases: no paging, 32-bit paging with and without PSE, PAE with the
 * CPU's PDPTEs, 4- and 5-level paging with 4 KiB, 2 MiB and 1 GiB pages;
 * a fetch across pages, across the end of RAM and across the 4 GiB wrap;
 * entries that are not present, tables outside RAM, tables that point at
 * themselves; and random tables in a small RAM. Runs on the build host.
 */
/* SPDX-License-Identifier: MIT */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "guest_paging.h"

#define CR0_PE  1ul
#define CR0_PG  (1ul << 31)
#define CR4_PSE (1ul << 4)
#define CR4_PAE (1ul << 5)
#define CR4_LA57 (1ul << 12)
#define EFER_LMA (1ul << 10)
#define P       1ul
#define RW      2ul
#define PS      (1ul << 7)

static uint8_t *ram_buf;
static struct guest_ram ram;

static void ram_new(uint64_t size)
{
	free(ram_buf);
	ram_buf = malloc(size);
	memset(ram_buf, 0, size);
	ram = (struct guest_ram){ ram_buf, size };
}

static void put64(uint64_t gpa, uint64_t v)
{
	memcpy(ram_buf + gpa, &v, 8);
}

static void put32(uint64_t gpa, uint32_t v)
{
	memcpy(ram_buf + gpa, &v, 4);
}

/* Fill [gpa, gpa+n) with bytes that say where they are. */
static void mark(uint64_t gpa, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		ram_buf[gpa + i] = (uint8_t)((gpa + i) * 7 + 3);
}

static uint8_t mark_at(uint64_t gpa)
{
	return (uint8_t)(gpa * 7 + 3);
}

static enum guest_xlate tr(const struct guest_paging *pg, uint64_t la, uint64_t *gpa)
{
	*gpa = 0xdead;
	return guest_translate(pg, &ram, la, gpa);
}

#define EXPECT_TR(pg, la, want_x, want_gpa) do {                                   \
	uint64_t g_;                                                               \
	enum guest_xlate x_ = tr(pg, la, &g_);                                     \
	CHECK(x_ == (want_x) && (x_ != GUEST_XLATE_OK || g_ == (want_gpa)),        \
	      "la 0x%llx: %s 0x%llx, want %s 0x%llx", (unsigned long long)(la),    \
	      guest_xlate_name(x_), (unsigned long long)g_,                        \
	      guest_xlate_name(want_x), (unsigned long long)(want_gpa));           \
} while (0)

int main(void)
{
	struct guest_paging pg;
	struct guest_fetch_stop stop;
	uint8_t buf[32];
	unsigned got, i;

	TEST("no paging: linear is physical, 32 bits") {
		ram_new(0x10000);
		pg = (struct guest_paging){ .cr0 = CR0_PE };
		EXPECT_TR(&pg, 0x1234, GUEST_XLATE_OK, 0x1234);
		EXPECT_TR(&pg, 0x100001234ul, GUEST_XLATE_OK, 0x1234);
		pg.cr0 = 0;
		EXPECT_TR(&pg, 0xffff0 + 0xffff, GUEST_XLATE_OK, 0x10ffef);
		mark(0x100, 15);
		got = guest_fetch(&pg, &ram, 0x100, 0xffffffff, buf, 15, &stop);
		CHECK(got == 15 && !memcmp(buf, ram_buf + 0x100, 15), "got %u", got);
	}

	TEST("no paging: a fetch across the end of RAM stops there") {
		ram_new(0x10000);
		pg = (struct guest_paging){ 0 };
		mark(0xfff8, 8);
		got = guest_fetch(&pg, &ram, 0xfff8, 0xffffffff, buf, 15, &stop);
		CHECK(got == 8 && !memcmp(buf, ram_buf + 0xfff8, 8), "got %u", got);
		CHECK(stop.why == GUEST_XLATE_OUTSIDE_RAM && stop.la == 0x10000 &&
		      stop.gpa == 0x10000, "stop %s la 0x%llx", guest_xlate_name(stop.why),
		      (unsigned long long)stop.la);
		got = guest_fetch(&pg, &ram, 0x10000, 0xffffffff, buf, 15, &stop);
		CHECK(got == 0 && stop.why == GUEST_XLATE_OUTSIDE_RAM, "at the end: %u", got);
		got = guest_fetch(&pg, &ram, 0xfffffff0ul, 0xffffffff, buf, 15, &stop);
		CHECK(got == 0 && stop.why == GUEST_XLATE_OUTSIDE_RAM, "at 4 GiB - 16: %u", got);
	}

	TEST("no paging: RAM of an odd size, the last byte and no further") {
		ram_new(0x3003);
		pg = (struct guest_paging){ 0 };
		mark(0x2ffe, 5);
		got = guest_fetch(&pg, &ram, 0x2ffe, 0xffffffff, buf, 15, &stop);
		CHECK(got == 5 && !memcmp(buf, ram_buf + 0x2ffe, 5), "got %u", got);
		CHECK(stop.why == GUEST_XLATE_OUTSIDE_RAM && stop.la == 0x3003, "stop la 0x%llx",
		      (unsigned long long)stop.la);
	}

	TEST("4-level: 4 KiB, 2 MiB and 1 GiB pages; each level not present") {
		ram_new(0x100000);
		pg = (struct guest_paging){ .cr0 = CR0_PE | CR0_PG, .cr3 = 0x1000 | 0x18,
					    .cr4 = CR4_PAE, .efer = EFER_LMA | (1 << 8) };
		put64(0x1000 + 0 * 8, 0x2000 | P | RW);                 /* PML4[0] */
		put64(0x1000 + 511 * 8, 0x5000 | P);                    /* PML4[511] */
		put64(0x2000 + 0 * 8, 0x3000 | P);                      /* PDPT[0] */
		put64(0x2000 + 1 * 8, 0x40000000ul | P | PS);           /* 1 GiB */
		put64(0x3000 + 2 * 8, 0x4000 | P);                      /* PD[2]: 4 MiB.. */
		put64(0x3000 + 3 * 8, 0x200000ul | P | PS);             /* PD[3]: 2 MiB */
		put64(0x4000 + 5 * 8, 0x80000 | P | (1ul << 63));       /* PT[5], NX */
		put64(0x5000 + 510 * 8, 0x6000 | P);                    /* kernel half */
		put64(0x6000 + 0 * 8, 0x7000 | P);
		put64(0x7000 + 0 * 8, 0x9000 | P);
		EXPECT_TR(&pg, 0x405123, GUEST_XLATE_OK, 0x80123);
		EXPECT_TR(&pg, 0x6abcde, GUEST_XLATE_OK, 0x2abcde);
		EXPECT_TR(&pg, 0x4abcdef1, GUEST_XLATE_OK, 0x4abcdef1);
		EXPECT_TR(&pg, 0xffffffff80000042ul, GUEST_XLATE_OK, 0x9042);
		EXPECT_TR(&pg, 0x406000, GUEST_XLATE_NOT_PRESENT, 0);          /* PTE */
		EXPECT_TR(&pg, 0x800000, GUEST_XLATE_NOT_PRESENT, 0);          /* PDE */
		EXPECT_TR(&pg, 0x80000000ul, GUEST_XLATE_NOT_PRESENT, 0);      /* PDPTE */
		EXPECT_TR(&pg, 0x8000000000ul, GUEST_XLATE_NOT_PRESENT, 0);    /* PML4E */
	}

	TEST("4-level: a fetch across a page boundary, mapped and not") {
		ram_new(0x100000);
		pg = (struct guest_paging){ .cr0 = CR0_PE | CR0_PG, .cr3 = 0x1000,
					    .cr4 = CR4_PAE, .efer = EFER_LMA };
		put64(0x1000, 0x2000 | P);
		put64(0x2000, 0x3000 | P);
		put64(0x3000, 0x4000 | P);
		put64(0x4000 + 0 * 8, 0x10000 | P);
		put64(0x4000 + 1 * 8, 0x30000 | P);     /* not the next frame */
		mark(0x10ff9, 7);
		mark(0x30000, 8);
		got = guest_fetch(&pg, &ram, 0xff9, ~0ul, buf, 15, &stop);
		CHECK(got == 15, "got %u", got);
		CHECK(!memcmp(buf, ram_buf + 0x10ff9, 7) && !memcmp(buf + 7, ram_buf + 0x30000, 8),
		      "bytes not from the two frames");
		got = guest_fetch(&pg, &ram, 0x1ffa, ~0ul, buf, 15, &stop);
		CHECK(got == 6 && stop.why == GUEST_XLATE_NOT_PRESENT && stop.la == 0x2000,
		      "into an unmapped page: got %u, %s at 0x%llx", got,
		      guest_xlate_name(stop.why), (unsigned long long)stop.la);
	}

	TEST("4-level: a page beyond RAM, a table beyond RAM, tables at the very end") {
		ram_new(0x8000);
		pg = (struct guest_paging){ .cr0 = CR0_PE | CR0_PG, .cr3 = 0x1000,
					    .cr4 = CR4_PAE, .efer = EFER_LMA };
		put64(0x1000, 0x2000 | P);
		put64(0x2000, 0x3000 | P);
		put64(0x2000 + 8, 0x000ffffffffff000ul | P);    /* PD at the top of 52 bits */
		put64(0x3000, 0x7000 | P);
		put64(0x3000 + 8, 0xc0000000ul | P | PS);       /* into the MMIO window */
		put64(0x7000 + 511 * 8, 0x7000 | P);            /* the PT maps itself */
		put64(0x7000, 0x7ff0000ul | P);
		EXPECT_TR(&pg, 0x40000000ul, GUEST_XLATE_TABLE_OUTSIDE_RAM, 0);
		EXPECT_TR(&pg, 0x1ff123, GUEST_XLATE_OK, 0x7123);
		got = guest_fetch(&pg, &ram, 0x1ffff8, ~0ul, buf, 15, &stop);
		CHECK(got == 8 && !memcmp(buf, ram_buf + 0x7ff8, 8) &&
		      stop.why == GUEST_XLATE_OUTSIDE_RAM && stop.la == 0x200000,
		      "the last 8 bytes of RAM, then the MMIO window: got %u", got);
		got = guest_fetch(&pg, &ram, 0x200010, ~0ul, buf, 15, &stop);
		CHECK(got == 0 && stop.why == GUEST_XLATE_OUTSIDE_RAM &&
		      stop.gpa == 0xc0000010ul, "code in the MMIO window: got %u, %s", got,
		      guest_xlate_name(stop.why));
		got = guest_fetch(&pg, &ram, 0x10, ~0ul, buf, 15, &stop);
		CHECK(got == 0 && stop.why == GUEST_XLATE_OUTSIDE_RAM, "page beyond RAM: %u", got);
		pg.cr3 = 0x7ff8;                /* CR3 bits 11:0 are ignored: 0x7000 */
		EXPECT_TR(&pg, 0x10, GUEST_XLATE_TABLE_OUTSIDE_RAM, 0);
		pg.cr3 = ~0ul;
		EXPECT_TR(&pg, 0, GUEST_XLATE_TABLE_OUTSIDE_RAM, 0);
		ram_new(0x1004);                /* the PML4E would straddle the end */
		put32(0x1000, 0x2000 | P);
		pg.cr3 = 0x1000;
		EXPECT_TR(&pg, 0, GUEST_XLATE_TABLE_OUTSIDE_RAM, 0);
	}

	TEST("5-level paging with CR4.LA57") {
		ram_new(0x10000);
		pg = (struct guest_paging){ .cr0 = CR0_PE | CR0_PG, .cr3 = 0x1000,
					    .cr4 = CR4_PAE | CR4_LA57, .efer = EFER_LMA };
		put64(0x1000 + 1 * 8, 0x2000 | P);              /* PML5[1] */
		put64(0x2000, 0x3000 | P);
		put64(0x3000, 0x4000 | P);
		put64(0x4000, 0x5000 | P);
		put64(0x5000 + 3 * 8, 0x9000 | P);
		EXPECT_TR(&pg, (1ul << 48) | 0x3abc, GUEST_XLATE_OK, 0x9abc);
		EXPECT_TR(&pg, 0x3abc, GUEST_XLATE_NOT_PRESENT, 0);
		pg.cr4 &= ~CR4_LA57;            /* 4 levels read other tables */
		EXPECT_TR(&pg, (1ul << 48) | 0x3abc, GUEST_XLATE_NOT_PRESENT, 0);
	}

	TEST("PAE: the CPU's PDPTEs, not memory's; 2 MiB and 4 KiB pages") {
		ram_new(0x400000);
		pg = (struct guest_paging){ .cr0 = CR0_PE | CR0_PG, .cr3 = 0x1000,
					    .cr4 = CR4_PAE, .pdpte = { 0x2000 | P, 0, 0, 0x3000 | P } };
		put64(0x1000, 0x7000 | P);      /* memory's PDPTE 0: stale, unused */
		put64(0x2000 + 1 * 8, 0x4000 | P);
		put64(0x2000 + 2 * 8, 0x200000 | P | PS);
		put64(0x4000 + 3 * 8, 0x9000 | P);
		put64(0x3000 + 511 * 8, 0x5000 | P);
		put64(0x5000 + 511 * 8, 0xa000 | P);
		EXPECT_TR(&pg, 0x203456, GUEST_XLATE_OK, 0x9456);
		EXPECT_TR(&pg, 0x412345, GUEST_XLATE_OK, 0x212345);
		EXPECT_TR(&pg, 0xfffff123ul, GUEST_XLATE_OK, 0xa123);
		EXPECT_TR(&pg, 0x40000000ul, GUEST_XLATE_NOT_PRESENT, 0);
		EXPECT_TR(&pg, 0x600000, GUEST_XLATE_NOT_PRESENT, 0);
		/* 32-bit linear addresses wrap at 4 GiB: 0xfffffffe + 4. */
		put64(0x2000, 0x6000 | P);
		put64(0x6000, 0xb000 | P);
		mark(0xaffe, 2);
		mark(0xb000, 2);
		got = guest_fetch(&pg, &ram, 0xfffffffeul, 0xffffffff, buf, 4, &stop);
		CHECK(got == 4 && buf[0] == mark_at(0xaffe) && buf[1] == mark_at(0xafff) &&
		      buf[2] == mark_at(0xb000) && buf[3] == mark_at(0xb001),
		      "across the 4 GiB wrap: got %u", got);
	}

	TEST("32-bit paging: 4 KiB pages, 4 MiB pages only with CR4.PSE, PSE-36") {
		ram_new(0x800000);
		pg = (struct guest_paging){ .cr0 = CR0_PE | CR0_PG, .cr3 = 0x1000 | 0xfff };
		put32(0x1000 + 1 * 4, 0x2000 | P);
		put32(0x2000 + 2 * 4, 0x7000 | P);
		put32(0x1000 + 3 * 4, 0x400000 | P | PS);
		put32(0x1000 + 4 * 4, 0x400000 | P | PS | (1u << 13)); /* bit 32 */
		put32(0x400000 + 5 * 4, 0x6000 | P);    /* PSE off: a page table */
		EXPECT_TR(&pg, 0x402abc, GUEST_XLATE_OK, 0x7abc);
		EXPECT_TR(&pg, 0xc05abc, GUEST_XLATE_OK, 0x6abc);      /* PS ignored */
		EXPECT_TR(&pg, 0x100402abcul, GUEST_XLATE_OK, 0x7abc); /* 32 bits of la */
		EXPECT_TR(&pg, 0x403000, GUEST_XLATE_NOT_PRESENT, 0);
		EXPECT_TR(&pg, 0x800000, GUEST_XLATE_NOT_PRESENT, 0);
		pg.cr4 = CR4_PSE;
		EXPECT_TR(&pg, 0xc05abc, GUEST_XLATE_OK, 0x405abc);
		EXPECT_TR(&pg, 0x1012345, GUEST_XLATE_OK, 0x100412345ul);
		got = guest_fetch(&pg, &ram, 0x1012345, 0xffffffff, buf, 15, &stop);
		CHECK(got == 0 && stop.why == GUEST_XLATE_OUTSIDE_RAM &&
		      stop.gpa == 0x100412345ul, "above 4 GiB: got %u", got);
		ram_new(0x1ffe);                /* the last PDE straddles the end of RAM */
		pg.cr3 = 0x1000;
		EXPECT_TR(&pg, 0x3fful << 22, GUEST_XLATE_TABLE_OUTSIDE_RAM, 0);
	}

	TEST("random tables in 64 KiB of RAM: every read inside it") {
		uint64_t s = 0x243f6a8885a308d3ul;
		unsigned ok = 0, k;

		ram_new(0x10000 + 5);
		for (k = 0; k < 20000; k++) {
			uint64_t la, r;

			if (k % 500 == 0)       /* new random memory, biased to entries */
				for (i = 0; i + 8 <= ram.size; i += 8) {
					s ^= s << 13, s ^= s >> 7, s ^= s << 17;
					r = s & 0x1f00ul ? (s & 0xf087ul) | P : s;
					put64(i, r);
				}
			s ^= s << 13, s ^= s >> 7, s ^= s << 17;
			pg = (struct guest_paging){
				.cr0 = s & 1 ? CR0_PG : 0, .cr3 = s >> 8 & 0x1ffff,
				.cr4 = (s & 2 ? CR4_PAE : 0) | (s & 4 ? CR4_PSE : 0) |
				       (s & 8 ? CR4_LA57 : 0),
				.efer = s & 16 ? EFER_LMA : 0,
				.pdpte = { s >> 4 & 0xf001, s >> 20 & 0xf001, s & 0xf0f1, ~s },
			};
			s ^= s << 13, s ^= s >> 7, s ^= s << 17;
			la = s & 1 ? s : s & 0xffff;
			got = guest_fetch(&pg, &ram, la, s & 2 ? ~0ul : 0xffffffff, buf,
					  (unsigned)(s >> 60) + 1, &stop);
			if (!CHECK(got <= (unsigned)(s >> 60) + 1, "got %u", got))
				break;
			ok += got > 0;
		}
		CHECK(ok > 100, "only %u fetches read anything", ok);
	}

	TEST("names") {
		CHECK(!strcmp(guest_xlate_name(GUEST_XLATE_NOT_PRESENT),
			      "not mapped by the guest's page tables"), "not present");
		CHECK(!strcmp(guest_xlate_name(GUEST_XLATE_OUTSIDE_RAM), "outside guest RAM"),
		      "outside");
		CHECK(!strcmp(guest_xlate_name((enum guest_xlate)99), "?"), "unknown");
	}

	free(ram_buf);
	return check_summary();
}
