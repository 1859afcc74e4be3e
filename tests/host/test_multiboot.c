/*
 * test_multiboot.c - host tests of the Multiboot v1 information parser.
 *
 * Built from the real shared/lib/multiboot.c. A heap buffer of exactly MEM_SIZE
 * bytes stands for physical memory [MEM_BASE, MEM_BASE + MEM_SIZE); the
 * phys callback hands out pointers into it and NULL for anything not wholly
 * inside, so AddressSanitizer catches any read the parser makes past what
 * it asked for. Each case lays out an info block, strings, modules and a
 * memory map in that buffer, as a loader would. Runs on the build host.
 */
/* SPDX-License-Identifier: MIT */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "multiboot.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define MEM_BASE 0x200000u
#define MEM_SIZE 0x20000u
#define MEM_END  (MEM_BASE + MEM_SIZE)

#define KiB 0x400ull
#define MiB 0x100000ull
#define GiB 0x40000000ull

#define AVAIL    MB_MEM_AVAILABLE
#define RESERVED 2u
#define ACPI     3u

/* ---- fake physical memory and a loader that fills it ------------------------ */

struct mem {
	uint8_t *buf;
	size_t used;            /* bump allocator */
	unsigned calls;         /* phys() calls, to see the parser stopped */
};

static const void *phys(uint64_t addr, uint64_t len, void *ctx)
{
	struct mem *m = ctx;

	m->calls++;
	if (addr < MEM_BASE || addr - MEM_BASE > MEM_SIZE ||
	    len > MEM_SIZE - (addr - MEM_BASE))
		return NULL;
	return m->buf + (addr - MEM_BASE);
}

struct mb {
	struct mem m;
	struct mb_info *info;
	uint32_t info_addr;
};

/* Room for len bytes, aligned to align; returns its physical address. */
static uint32_t mem_alloc(struct mem *m, size_t len, size_t align)
{
	size_t at = (m->used + align - 1) & ~(align - 1);

	if (at + len > MEM_SIZE) {
		fprintf(stderr, "test_multiboot: fake memory full\n");
		abort();
	}
	m->used = at + len;
	return MEM_BASE + (uint32_t)at;
}

static void *at(struct mb *b, uint32_t addr)
{
	return b->m.buf + (addr - MEM_BASE);
}

static uint32_t put(struct mb *b, const void *data, size_t len, size_t align)
{
	uint32_t a = mem_alloc(&b->m, len, align);

	memcpy(at(b, a), data, len);
	return a;
}

static uint32_t put_str(struct mb *b, const char *s)
{
	return put(b, s, strlen(s) + 1, 1);
}

static void mb_init(struct mb *b)
{
	b->m.buf = malloc(MEM_SIZE);
	if (!b->m.buf)
		abort();
	memset(b->m.buf, 0xee, MEM_SIZE);       /* not zero: no lucky NULs */
	b->m.used = 0;
	b->m.calls = 0;
	b->info_addr = mem_alloc(&b->m, sizeof(struct mb_info), 8);
	b->info = at(b, b->info_addr);
	memset(b->info, 0, sizeof(*b->info));
}

static void mb_free(struct mb *b)
{
	free(b->m.buf);
	b->m.buf = NULL;
}

/* One map entry; size is the entry's size field (0: the usual 20). */
struct ent {
	uint64_t base, len;
	uint32_t type;
	uint32_t size;
};

/* Write the map as given, entries back to back, and point the info at it. */
static void mb_mmap(struct mb *b, const struct ent *e, unsigned n)
{
	size_t total = 0;
	unsigned i;
	uint8_t *p;
	uint32_t addr;

	for (i = 0; i < n; i++)
		total += 4 + (e[i].size ? e[i].size : 20);
	addr = mem_alloc(&b->m, total, 8);
	p = at(b, addr);
	for (i = 0; i < n; i++) {
		uint32_t size = e[i].size ? e[i].size : 20;

		memset(p, 0xa5, 4 + size);      /* the bytes past type */
		memcpy(p, &size, 4);
		memcpy(p + 4, &e[i].base, 8);
		memcpy(p + 12, &e[i].len, 8);
		memcpy(p + 20, &e[i].type, 4);
		p += 4 + size;
	}
	b->info->flags |= MB_INFO_MMAP;
	b->info->mmap_addr = addr;
	b->info->mmap_length = (uint32_t)total;
}

static struct boot_info bi;
static char err[160];

static int parse_magic(struct mb *b, uint32_t magic, uint32_t info_addr)
{
	memset(&bi, 0x77, sizeof(bi));
	memset(err, 0, sizeof(err));
	return multiboot_parse(magic, info_addr, phys, &b->m, &bi, err, sizeof(err));
}

static int parse(struct mb *b)
{
	return parse_magic(b, MB_BOOTLOADER_MAGIC, b->info_addr);
}

struct range {
	uint64_t base, len;
};

static void check_usable(const struct range *want, unsigned n)
{
	uint64_t total = 0;
	unsigned i;

	CHECK(bi.nr_usable == n, "%u usable ranges, want %u", bi.nr_usable, n);
	for (i = 0; i < n && i < bi.nr_usable; i++) {
		CHECK(bi.usable[i].base == want[i].base && bi.usable[i].len == want[i].len,
		      "usable[%u] = [%#llx, +%#llx), want [%#llx, +%#llx)", i,
		      (unsigned long long)bi.usable[i].base,
		      (unsigned long long)bi.usable[i].len,
		      (unsigned long long)want[i].base, (unsigned long long)want[i].len);
		CHECK(bi.usable[i].type == AVAIL, "usable[%u] type %u", i,
		      bi.usable[i].type);
		total += want[i].len;
	}
	CHECK(bi.usable_bytes == total, "usable_bytes %#llx, want %#llx",
	      (unsigned long long)bi.usable_bytes, (unsigned long long)total);
}

static void check_map(const struct ent *e, unsigned n)
{
	unsigned i;

	CHECK(bi.nr_map == n, "%u map entries, want %u", bi.nr_map, n);
	for (i = 0; i < n && i < bi.nr_map; i++)
		CHECK(bi.map[i].base == e[i].base && bi.map[i].len == e[i].len &&
		      bi.map[i].type == e[i].type, "map[%u] not as given", i);
}

/* Parse, expect success and the usable ranges want. */
static void expect_usable(struct mb *b, const struct range *want, unsigned n)
{
	int r = parse(b);

	if (CHECK(r == 0, "returned %d: %s", r, err))
		check_usable(want, n);
}

/* Parse, expect -1 and an error text containing what. */
static void expect_fail_at(struct mb *b, uint32_t magic, uint32_t info_addr,
			   const char *what)
{
	int r = parse_magic(b, magic, info_addr);

	CHECK(r == -1, "returned %d, want -1 ('%s')", r, what);
	CHECK(err[0] != 0, "no error text");
	CHECK(strstr(err, what), "err '%s' lacks '%s'", err, what);
}

static void expect_fail(struct mb *b, const char *what)
{
	expect_fail_at(b, MB_BOOTLOADER_MAGIC, b->info_addr, what);
}

/* ---- memory maps ------------------------------------------------------------- */

static void test_maps(void)
{
	struct mb b;

	TEST("QEMU-like map") {
		/* What SeaBIOS reports for -m 5G (with a hole below 4 GiB). */
		static const struct ent e[] = {
			{ 0x0,          0x9fc00,      AVAIL, 0 },
			{ 0x9fc00,      0x400,        RESERVED, 0 },
			{ 0xf0000,      0x10000,      RESERVED, 0 },
			{ 0x100000,     0xbfee0000,   AVAIL, 0 },
			{ 0xbffe0000,   0x20000,      RESERVED, 0 },
			{ 0xfeffc000,   0x4000,       RESERVED, 0 },
			{ 0xfffc0000,   0x40000,      RESERVED, 0 },
			{ 0x100000000,  0x40000000,   AVAIL, 0 },
			{ 0xfd00000000, 0x300000000,  RESERVED, 0 },
		};
		static const struct range want[] = {
			{ 0x0, 0x9fc00 }, { 0x100000, 0xbfee0000 },
			{ 0x100000000, 0x40000000 },
		};

		mb_init(&b);
		b.info->flags = MB_INFO_MEM;
		b.info->mem_lower = 639;
		b.info->mem_upper = 3144576;
		mb_mmap(&b, e, ARRAY_SIZE(e));
		expect_usable(&b, want, ARRAY_SIZE(want));
		check_map(e, ARRAY_SIZE(e));
		CHECK(bi.flags == (MB_INFO_MEM | MB_INFO_MMAP), "flags %#x", bi.flags);
		CHECK(bi.mem_lower == 639 && bi.mem_upper == 3144576,
		      "mem_lower %u mem_upper %u", bi.mem_lower, bi.mem_upper);
		CHECK(bi.usable_bytes == 0x9fc00 + 0xbfee0000 + GiB, "total %#llx",
		      (unsigned long long)bi.usable_bytes);
		CHECK(bi.nr_modules == 0 && bi.cmdline[0] == 0 && bi.loader[0] == 0,
		      "modules, cmdline or loader without their flags");
		mb_free(&b);
	}

	TEST("reserved wins over available") {
		static const struct ent e[] = {
			{ 1 * MiB,  8 * MiB,  AVAIL, 0 },       /* [1, 9) */
			{ 4 * MiB,  1 * MiB,  RESERVED, 0 },    /* inside: splits */
			{ 0,        2 * MiB,  ACPI, 0 },        /* over the start */
			{ 8 * MiB,  4 * MiB,  RESERVED, 0 },    /* over the end */
			{ 16 * MiB, 1 * MiB,  AVAIL, 0 },
			{ 15 * MiB, 4 * MiB,  RESERVED, 0 },    /* all of it */
			{ 20 * MiB, 4 * MiB,  AVAIL, 0 },
			{ 20 * MiB, 4 * MiB,  RESERVED, 0 },    /* exactly it */
		};
		static const struct range want[] = {
			{ 2 * MiB, 2 * MiB }, { 5 * MiB, 3 * MiB },
		};

		mb_init(&b);
		mb_mmap(&b, e, ARRAY_SIZE(e));
		expect_usable(&b, want, ARRAY_SIZE(want));
		mb_free(&b);
	}

	TEST("reserved listed before available") {
		static const struct ent e[] = {
			{ 3 * MiB, 1 * MiB, RESERVED, 0 },
			{ 5 * MiB, 2 * MiB, 4, 0 },             /* ACPI NVS */
			{ 1 * MiB, 9 * MiB, AVAIL, 0 },
		};
		static const struct range want[] = {
			{ 1 * MiB, 2 * MiB }, { 4 * MiB, 1 * MiB }, { 7 * MiB, 3 * MiB },
		};

		mb_init(&b);
		mb_mmap(&b, e, ARRAY_SIZE(e));
		expect_usable(&b, want, ARRAY_SIZE(want));
		mb_free(&b);
	}

	TEST("unsorted, touching and overlapping available ranges") {
		static const struct ent e[] = {
			{ 64 * MiB, 16 * MiB, AVAIL, 0 },
			{ 2 * MiB,  1 * MiB,  AVAIL, 0 },       /* touches the next */
			{ 32 * MiB, 8 * MiB,  AVAIL, 0 },
			{ 1 * MiB,  1 * MiB,  AVAIL, 0 },
			{ 36 * MiB, 8 * MiB,  AVAIL, 0 },       /* overlaps [32, 40) */
			{ 0,        640 * KiB, AVAIL, 0 },
		};
		static const struct range want[] = {
			{ 0, 640 * KiB }, { 1 * MiB, 2 * MiB }, { 32 * MiB, 12 * MiB },
			{ 64 * MiB, 16 * MiB },
		};

		mb_init(&b);
		mb_mmap(&b, e, ARRAY_SIZE(e));
		expect_usable(&b, want, ARRAY_SIZE(want));
		check_map(e, ARRAY_SIZE(e));
		mb_free(&b);
	}

	TEST("zero-length entries ignored") {
		static const struct ent e[] = {
			{ 0,        0,       AVAIL, 0 },
			{ 1 * MiB,  4 * MiB, AVAIL, 0 },
			{ 2 * MiB,  0,       RESERVED, 0 },     /* would split */
			{ 8 * MiB,  0,       AVAIL, 0 },
		};
		static const struct range want[] = { { 1 * MiB, 4 * MiB } };

		mb_init(&b);
		mb_mmap(&b, e, ARRAY_SIZE(e));
		expect_usable(&b, want, ARRAY_SIZE(want));
		check_map(e, ARRAY_SIZE(e));
		mb_free(&b);
	}

	TEST("entries with size over 20") {
		static const struct ent e[] = {
			{ 0,       640 * KiB, AVAIL, 24 },
			{ 1 * MiB, 3 * MiB,   AVAIL, 28 },
			{ 2 * MiB, 1 * MiB,   RESERVED, 20 },
			{ 8 * MiB, 1 * MiB,   AVAIL, 36 },
		};
		static const struct range want[] = {
			{ 0, 640 * KiB }, { 1 * MiB, 1 * MiB }, { 3 * MiB, 1 * MiB },
			{ 8 * MiB, 1 * MiB },
		};

		mb_init(&b);
		mb_mmap(&b, e, ARRAY_SIZE(e));
		expect_usable(&b, want, ARRAY_SIZE(want));
		check_map(e, ARRAY_SIZE(e));
		mb_free(&b);
	}

	TEST("64 entries fit") {
		struct ent e[BOOT_MAX_REGIONS];
		unsigned i;

		for (i = 0; i < BOOT_MAX_REGIONS; i++)
			e[i] = (struct ent){ i * 2 * MiB, MiB, i % 2 ? RESERVED : AVAIL, 0 };
		mb_init(&b);
		mb_mmap(&b, e, BOOT_MAX_REGIONS);
		if (CHECK(parse(&b) == 0, "%s", err)) {
			CHECK(bi.nr_map == BOOT_MAX_REGIONS, "nr_map %u", bi.nr_map);
			CHECK(bi.nr_usable == BOOT_MAX_REGIONS / 2, "nr_usable %u",
			      bi.nr_usable);
			CHECK(bi.usable_bytes == BOOT_MAX_REGIONS / 2 * MiB, "total %#llx",
			      (unsigned long long)bi.usable_bytes);
		}
		mb_free(&b);
	}

	TEST("many holes in one range") {
		/* 1 available range, 63 holes: 64 usable pieces, the most. */
		struct ent e[BOOT_MAX_REGIONS];
		unsigned i;

		e[0] = (struct ent){ 1 * MiB, 256 * MiB, AVAIL, 0 };
		for (i = 1; i < BOOT_MAX_REGIONS; i++)
			e[i] = (struct ent){ (2 * i) * MiB, MiB, RESERVED, 0 };
		mb_init(&b);
		mb_mmap(&b, e, BOOT_MAX_REGIONS);
		if (CHECK(parse(&b) == 0, "%s", err)) {
			CHECK(bi.nr_usable == BOOT_MAX_REGIONS, "nr_usable %u", bi.nr_usable);
			CHECK(bi.usable_bytes == (256 - 63) * MiB, "total %#llx",
			      (unsigned long long)bi.usable_bytes);
		}
		mb_free(&b);
	}

	TEST("repeated available entries with holes") {
		/* The same range given 8 times (firmware does repeat entries)
		 * with 8 holes: 9 usable ranges, however often it was listed. */
		struct ent e[16];
		struct range want[9];
		unsigned i;

		for (i = 0; i < 8; i++) {
			e[i] = (struct ent){ 1 * MiB, 64 * MiB, AVAIL, 0 };
			e[8 + i] = (struct ent){ (2 + 4 * i) * MiB, MiB, RESERVED, 0 };
		}
		want[0] = (struct range){ 1 * MiB, 1 * MiB };
		for (i = 1; i < 8; i++)
			want[i] = (struct range){ (4 * i - 1) * MiB, 3 * MiB };
		want[8] = (struct range){ 31 * MiB, 34 * MiB };
		mb_init(&b);
		mb_mmap(&b, e, 16);
		expect_usable(&b, want, 9);
		mb_free(&b);
	}

	TEST("no map: mem_lower and mem_upper") {
		static const struct range want[] = {
			{ 0, 639 * KiB }, { 1 * MiB, 130048 * KiB },
		};
		static const struct range upper_only[] = { { 1 * MiB, 64 * MiB } };

		mb_init(&b);
		b.info->flags = MB_INFO_MEM;
		b.info->mem_lower = 639;
		b.info->mem_upper = 130048;
		expect_usable(&b, want, ARRAY_SIZE(want));
		CHECK(bi.nr_map == 2, "nr_map %u", bi.nr_map);
		CHECK(bi.mem_lower == 639 && bi.mem_upper == 130048, "mem %u %u",
		      bi.mem_lower, bi.mem_upper);
		b.info->mem_lower = 0;
		b.info->mem_upper = 64 * 1024;
		expect_usable(&b, upper_only, 1);
		mb_free(&b);
	}
}

/* ---- strings and modules -------------------------------------------------------- */

static const struct ent one_range[] = { { 1 * MiB, 63 * MiB, AVAIL, 0 } };

static void test_strings(void)
{
	struct mb b;

	TEST("command line copied") {
		mb_init(&b);
		b.info->flags = MB_INFO_CMDLINE;
		b.info->cmdline = put_str(&b, "build/guest.elf pv=native tests=none");
		mb_mmap(&b, one_range, 1);
		if (CHECK(parse(&b) == 0, "%s", err))
			CHECK(!strcmp(bi.cmdline, "build/guest.elf pv=native tests=none"),
			      "cmdline '%s'", bi.cmdline);
		b.info->cmdline = put_str(&b, "");
		if (CHECK(parse(&b) == 0, "empty: %s", err))
			CHECK(bi.cmdline[0] == 0, "cmdline '%s'", bi.cmdline);
		mb_free(&b);
	}

	TEST("command line of 511 characters") {
		char s[BOOT_CMDLINE_MAX];

		memset(s, 'c', sizeof(s) - 1);
		s[sizeof(s) - 1] = 0;
		mb_init(&b);
		b.info->flags = MB_INFO_CMDLINE;
		b.info->cmdline = put_str(&b, s);
		mb_mmap(&b, one_range, 1);
		if (CHECK(parse(&b) == 0, "%s", err))
			CHECK(!strcmp(bi.cmdline, s), "cmdline of %zu", strlen(bi.cmdline));
		mb_free(&b);
	}

	TEST("loader name") {
		char s[100];

		mb_init(&b);
		b.info->flags = MB_INFO_LOADER_NAME;
		b.info->boot_loader_name = put_str(&b, "GRUB 2.06-13+deb12u1");
		mb_mmap(&b, one_range, 1);
		if (CHECK(parse(&b) == 0, "%s", err))
			CHECK(!strcmp(bi.loader, "GRUB 2.06-13+deb12u1"), "loader '%s'",
			      bi.loader);
		/* 63 characters fit; a longer name is refused, never cut. */
		memset(s, 'n', sizeof(s) - 1);
		s[BOOT_NAME_MAX - 1] = 0;
		b.info->boot_loader_name = put_str(&b, s);
		if (CHECK(parse(&b) == 0, "name of 63: %s", err))
			CHECK(!strcmp(bi.loader, s), "loader '%s'", bi.loader);
		s[BOOT_NAME_MAX - 1] = 'n';
		s[sizeof(s) - 1] = 0;
		b.info->boot_loader_name = put_str(&b, s);
		expect_fail(&b, "loader name is too long: 99 bytes, at most 63");
		mb_free(&b);
	}

	TEST("modules with command lines") {
		struct mb_module mods[3] = {
			{ 0x400000, 0x401000, 0, 0 },
			{ 0x401000, 0x480123, 0, 0 },
			{ 0x500000, 0x500000, 0, 0 },   /* empty module */
		};

		mb_init(&b);
		mods[0].cmdline = put_str(&b, "initrd.img");
		mods[1].cmdline = put_str(&b, "/boot/extra.bin arg=1 two");
		b.info->flags = MB_INFO_MODS;
		b.info->mods_count = 3;
		b.info->mods_addr = put(&b, mods, sizeof(mods), 4);
		mb_mmap(&b, one_range, 1);
		if (CHECK(parse(&b) == 0, "%s", err)) {
			CHECK(bi.nr_modules == 3, "nr_modules %u", bi.nr_modules);
			CHECK(bi.modules[0].start == 0x400000 && bi.modules[0].end == 0x401000,
			      "module 0 range");
			CHECK(bi.modules[1].start == 0x401000 && bi.modules[1].end == 0x480123,
			      "module 1 range");
			CHECK(bi.modules[2].start == 0x500000 && bi.modules[2].end == 0x500000,
			      "module 2 range");
			CHECK(!strcmp(bi.modules[0].cmdline, "initrd.img"), "module 0 '%s'",
			      bi.modules[0].cmdline);
			CHECK(!strcmp(bi.modules[1].cmdline, "/boot/extra.bin arg=1 two"),
			      "module 1 '%s'", bi.modules[1].cmdline);
			CHECK(bi.modules[2].cmdline[0] == 0, "module 2 '%s'",
			      bi.modules[2].cmdline);
		}
		mb_free(&b);
	}

	TEST("16 modules, and none") {
		struct mb_module mods[BOOT_MAX_MODULES];
		unsigned i;

		for (i = 0; i < BOOT_MAX_MODULES; i++)
			mods[i] = (struct mb_module){ 0x400000 + i * 0x1000,
						      0x400800 + i * 0x1000, 0, 0 };
		mb_init(&b);
		b.info->flags = MB_INFO_MODS;
		b.info->mods_count = BOOT_MAX_MODULES;
		b.info->mods_addr = put(&b, mods, sizeof(mods), 4);
		mb_mmap(&b, one_range, 1);
		if (CHECK(parse(&b) == 0, "%s", err))
			CHECK(bi.nr_modules == BOOT_MAX_MODULES &&
			      bi.modules[15].start == 0x40f000, "nr_modules %u",
			      bi.nr_modules);
		b.info->mods_count = 0;
		b.info->mods_addr = 0xdead0000;         /* never read */
		if (CHECK(parse(&b) == 0, "no modules: %s", err))
			CHECK(bi.nr_modules == 0, "nr_modules %u", bi.nr_modules);
		mb_free(&b);
	}
}

/* ---- malformed blocks ------------------------------------------------------------ */

static void test_malformed(void)
{
	struct mb b;

	TEST("bad magic") {
		mb_init(&b);
		mb_mmap(&b, one_range, 1);
		expect_fail_at(&b, 0x1badb002, b.info_addr, "magic");
		expect_fail_at(&b, 0, b.info_addr, "magic");
		CHECK(b.m.calls == 0, "read memory before checking the magic");
		mb_free(&b);
	}

	TEST("info block outside memory") {
		mb_init(&b);
		mb_mmap(&b, one_range, 1);
		expect_fail_at(&b, MB_BOOTLOADER_MAGIC, 0, "info block");
		expect_fail_at(&b, MB_BOOTLOADER_MAGIC, MEM_BASE - 8, "info block");
		expect_fail_at(&b, MB_BOOTLOADER_MAGIC, MEM_END - 80, "info block");
		expect_fail_at(&b, MB_BOOTLOADER_MAGIC, MEM_END, "info block");
		expect_fail_at(&b, MB_BOOTLOADER_MAGIC, 0xfffffff8, "info block");
		mb_free(&b);
	}

	TEST("info block at the very end of memory") {
		struct mb_info *mi;

		mb_init(&b);
		mb_mmap(&b, one_range, 1);
		mi = at(&b, MEM_END - sizeof(*mi));
		*mi = *b.info;
		CHECK(parse_magic(&b, MB_BOOTLOADER_MAGIC, MEM_END - sizeof(*mi)) == 0,
		      "%s", err);
		mb_free(&b);
	}

	TEST("command line outside memory") {
		mb_init(&b);
		mb_mmap(&b, one_range, 1);
		b.info->flags |= MB_INFO_CMDLINE;
		b.info->cmdline = 0x1000;
		expect_fail(&b, "outside memory");
		b.info->cmdline = MEM_END;
		expect_fail(&b, "outside memory");
		/* Unterminated, running into the end of memory. */
		memset(at(&b, MEM_END - 10), 'x', 10);
		b.info->cmdline = MEM_END - 10;
		expect_fail(&b, "outside memory");
		mb_free(&b);
	}

	TEST("command line too long: refused apart, with its length and the limit") {
		char s[600];
		static const struct {
			size_t len;
			const char *want;
		} c[] = {
			{ 599, "the command line is too long: 599 bytes, at most 511" },
			{ 512, "the command line is too long: 512 bytes, at most 511" },
		};
		unsigned i;

		mb_init(&b);
		mb_mmap(&b, one_range, 1);
		b.info->flags |= MB_INFO_CMDLINE;
		for (i = 0; i < ARRAY_SIZE(c); i++) {
			int r;

			memset(s, 'y', sizeof(s));
			s[c[i].len] = 0;
			b.info->cmdline = put_str(&b, s);
			r = parse(&b);
			CHECK(r == MB_PARSE_CMDLINE_TOO_LONG, "%zu: returned %d: %s", c[i].len,
			      r, err);
			CHECK(!strcmp(err, c[i].want), "%zu: err '%s', want '%s'", c[i].len,
			      err, c[i].want);
			/* All else read; the line itself empty, not cut. */
			CHECK(bi.cmdline[0] == 0, "%zu: cmdline of %zu kept", c[i].len,
			      strlen(bi.cmdline));
			CHECK(bi.nr_usable == 1 && bi.usable[0].len == 63 * MiB,
			      "%zu: the rest not parsed", c[i].len);
		}
		mb_free(&b);
	}

	TEST("command line too long, and a bad block: the bad block is the error") {
		char s[600];

		memset(s, 'y', sizeof(s) - 1);
		s[sizeof(s) - 1] = 0;
		mb_init(&b);
		b.info->flags |= MB_INFO_CMDLINE | MB_INFO_MODS;
		b.info->cmdline = put_str(&b, s);
		b.info->mods_count = BOOT_MAX_MODULES + 1;
		mb_mmap(&b, one_range, 1);
		expect_fail(&b, "modules, at most");
		mb_free(&b);
	}

	TEST("command line with no end in reach") {
		uint32_t addr;

		mb_init(&b);
		mb_mmap(&b, one_range, 1);
		/* 70000 bytes without a NUL, one after: measured up to 65536. */
		addr = mem_alloc(&b.m, 70001, 1);
		memset(at(&b, addr), 'z', 70000);
		*(char *)at(&b, addr + 70000) = 0;
		b.info->flags |= MB_INFO_CMDLINE;
		b.info->cmdline = addr;
		CHECK(parse(&b) == MB_PARSE_CMDLINE_TOO_LONG, "returned other than too long");
		CHECK(!strcmp(err, "the command line is too long: at least 65536 bytes, at most 511"),
		      "err '%s'", err);
		mb_free(&b);
	}

	TEST("module command line too long") {
		struct mb_module mods[2] = {
			{ 0x400000, 0x401000, 0, 0 },
			{ 0x401000, 0x402000, 0, 0 },
		};
		char s[700];

		memset(s, 'm', sizeof(s) - 1);
		s[BOOT_CMDLINE_MAX - 1] = 0;
		mb_init(&b);
		mods[0].cmdline = put_str(&b, s);               /* 511: fits */
		s[BOOT_CMDLINE_MAX - 1] = 'm';
		s[616] = 0;
		mods[1].cmdline = put_str(&b, s);
		b.info->flags = MB_INFO_MODS;
		b.info->mods_count = 1;
		b.info->mods_addr = put(&b, mods, sizeof(mods), 4);
		mb_mmap(&b, one_range, 1);
		if (CHECK(parse(&b) == 0, "511: %s", err))
			CHECK(strlen(bi.modules[0].cmdline) == 511, "module 0 line of %zu",
			      strlen(bi.modules[0].cmdline));
		b.info->mods_count = 2;
		expect_fail(&b, "module 1 command line is too long: 616 bytes, at most 511");
		mb_free(&b);
	}

	TEST("loader name outside memory") {
		mb_init(&b);
		mb_mmap(&b, one_range, 1);
		b.info->flags |= MB_INFO_LOADER_NAME;
		b.info->boot_loader_name = MEM_END + 4;
		expect_fail(&b, "loader name");
		mb_free(&b);
	}

	TEST("mmap entry size below 20") {
		static const struct ent e[] = {
			{ 1 * MiB, 1 * MiB, AVAIL, 0 },
			{ 4 * MiB, 1 * MiB, AVAIL, 0 },
		};
		uint32_t bad[] = { 19, 0, 4 };
		unsigned i;

		mb_init(&b);
		mb_mmap(&b, e, 2);
		for (i = 0; i < ARRAY_SIZE(bad); i++) {
			memcpy(at(&b, b.info->mmap_addr + 24), &bad[i], 4);
			expect_fail(&b, "bad size");
		}
		mb_free(&b);
	}

	TEST("mmap entry running past mmap_length") {
		static const struct ent e[] = {
			{ 1 * MiB, 1 * MiB, AVAIL, 0 },
			{ 4 * MiB, 1 * MiB, AVAIL, 0 },
		};
		uint32_t big = 24, huge = 0xfffffff0;

		mb_init(&b);
		mb_mmap(&b, e, 2);
		memcpy(at(&b, b.info->mmap_addr + 24), &big, 4);
		expect_fail(&b, "bad size");
		memcpy(at(&b, b.info->mmap_addr + 24), &huge, 4);
		expect_fail(&b, "bad size");
		/* A length that cuts the last entry short. */
		memcpy(at(&b, b.info->mmap_addr + 24), &(uint32_t){ 20 }, 4);
		b.info->mmap_length = 24 + 10;
		expect_fail(&b, "bad size");
		b.info->mmap_length = 24 + 3;
		expect_fail(&b, "ends inside an entry");
		b.info->mmap_length = 24 + 23;
		expect_fail(&b, "bad size");
		mb_free(&b);
	}

	TEST("mmap_length over 64 KiB") {
		mb_init(&b);
		mb_mmap(&b, one_range, 1);
		b.info->mmap_length = 64 * 1024 + 1;
		expect_fail(&b, "implausible");
		b.info->mmap_length = 0xffffffff;
		expect_fail(&b, "implausible");
		mb_free(&b);
	}

	TEST("mmap outside memory") {
		mb_init(&b);
		mb_mmap(&b, one_range, 1);
		b.info->mmap_addr = 0x1000;
		expect_fail(&b, "outside memory");
		b.info->mmap_addr = MEM_END - 12;
		expect_fail(&b, "outside memory");
		b.info->mmap_addr = 0xfffffff0;
		b.info->mmap_length = 0x20;
		expect_fail(&b, "outside memory");
		mb_free(&b);
	}

	TEST("more than 64 entries") {
		struct ent e[BOOT_MAX_REGIONS + 1];
		unsigned i;

		for (i = 0; i < ARRAY_SIZE(e); i++)
			e[i] = (struct ent){ i * 2 * MiB, MiB, AVAIL, 0 };
		mb_init(&b);
		mb_mmap(&b, e, ARRAY_SIZE(e));
		expect_fail(&b, "more than 64");
		mb_free(&b);
	}

	TEST("entry wrapping around") {
		static const struct ent e[] = {
			{ 1 * MiB, 1 * MiB, AVAIL, 0 },
			{ 0xfffffffffffff000ull, 0x2000, RESERVED, 0 },
		};
		static const struct ent e2[] = {
			{ 1 * MiB, ~0ull, AVAIL, 0 },
		};

		mb_init(&b);
		mb_mmap(&b, e, ARRAY_SIZE(e));
		expect_fail(&b, "wraps");
		mb_free(&b);
		mb_init(&b);
		mb_mmap(&b, e2, ARRAY_SIZE(e2));
		expect_fail(&b, "wraps");
		mb_free(&b);
	}

	TEST("more than 16 modules") {
		struct mb_module mods[BOOT_MAX_MODULES + 1];

		memset(mods, 0, sizeof(mods));
		mb_init(&b);
		mb_mmap(&b, one_range, 1);
		b.info->flags |= MB_INFO_MODS;
		b.info->mods_count = BOOT_MAX_MODULES + 1;
		b.info->mods_addr = put(&b, mods, sizeof(mods), 4);
		expect_fail(&b, "modules");
		b.info->mods_count = 0xffffffff;
		expect_fail(&b, "modules");
		mb_free(&b);
	}

	TEST("module ending before it starts") {
		struct mb_module mods[2] = {
			{ 0x400000, 0x401000, 0, 0 },
			{ 0x500000, 0x4fffff, 0, 0 },
		};

		mb_init(&b);
		mb_mmap(&b, one_range, 1);
		b.info->flags |= MB_INFO_MODS;
		b.info->mods_count = 2;
		b.info->mods_addr = put(&b, mods, sizeof(mods), 4);
		expect_fail(&b, "module 1 ends before it starts");
		mb_free(&b);
	}

	TEST("module list outside memory") {
		mb_init(&b);
		mb_mmap(&b, one_range, 1);
		b.info->flags |= MB_INFO_MODS;
		b.info->mods_count = 2;
		b.info->mods_addr = 0x1000;
		expect_fail(&b, "module list");
		b.info->mods_addr = MEM_END - 16;       /* room for one, not two */
		expect_fail(&b, "module list");
		mb_free(&b);
	}

	TEST("module command line outside memory") {
		struct mb_module mod = { 0x400000, 0x401000, MEM_END + 0x100, 0 };

		mb_init(&b);
		mb_mmap(&b, one_range, 1);
		b.info->flags |= MB_INFO_MODS;
		b.info->mods_count = 1;
		b.info->mods_addr = put(&b, &mod, sizeof(mod), 4);
		expect_fail(&b, "module 0 command line");
		mb_free(&b);
	}

	TEST("no memory information") {
		mb_init(&b);
		b.info->flags = MB_INFO_CMDLINE;
		b.info->cmdline = put_str(&b, "guest.elf");
		expect_fail(&b, "no memory information");
		mb_free(&b);
	}

	TEST("no usable RAM") {
		static const struct ent reserved_only[] = {
			{ 0, 1 * MiB, RESERVED, 0 },
			{ 1 * MiB, 1 * MiB, ACPI, 0 },
		};
		static const struct ent covered[] = {
			{ 1 * MiB, 1 * MiB, AVAIL, 0 },
			{ 0, 4 * MiB, RESERVED, 0 },
		};
		static const struct ent empty_avail[] = {
			{ 1 * MiB, 0, AVAIL, 0 },
		};

		mb_init(&b);
		mb_mmap(&b, reserved_only, ARRAY_SIZE(reserved_only));
		expect_fail(&b, "no usable RAM");
		mb_free(&b);
		mb_init(&b);
		mb_mmap(&b, covered, ARRAY_SIZE(covered));
		expect_fail(&b, "no usable RAM");
		mb_free(&b);
		mb_init(&b);
		mb_mmap(&b, empty_avail, ARRAY_SIZE(empty_avail));
		expect_fail(&b, "no usable RAM");
		b.info->mmap_length = 0;
		expect_fail(&b, "no usable RAM");
		mb_free(&b);
		mb_init(&b);
		b.info->flags = MB_INFO_MEM;            /* both sizes 0 */
		expect_fail(&b, "no usable RAM");
		mb_free(&b);
	}

	TEST("error text fits a small buffer") {
		char small[8];
		int r;

		mb_init(&b);
		memset(small, 'z', sizeof(small));
		r = multiboot_parse(0, b.info_addr, phys, &b.m, &bi, small, sizeof(small));
		CHECK(r == -1, "returned %d", r);
		CHECK(memchr(small, 0, sizeof(small)) && strlen(small) == sizeof(small) - 1,
		      "err not cut to 7 characters");
		mb_free(&b);
	}
}

/*
 * Last, because before the fix it ends the run: UBSan stops at a misaligned
 * load, and the cases above have printed their lines by then.
 */
static void test_odd_sizes(void)
{
	struct mb b;

	TEST("entries of odd sizes (unaligned size fields)") {
		/* The spec lets size be anything from 20: the next entry's
		 * size field may then sit at any byte. */
		static const struct ent e[] = {
			{ 0,       640 * KiB, AVAIL, 21 },
			{ 1 * MiB, 3 * MiB,   AVAIL, 23 },
			{ 2 * MiB, 1 * MiB,   RESERVED, 22 },
		};
		static const struct range want[] = {
			{ 0, 640 * KiB }, { 1 * MiB, 1 * MiB }, { 3 * MiB, 1 * MiB },
		};

		mb_init(&b);
		mb_mmap(&b, e, ARRAY_SIZE(e));
		expect_usable(&b, want, ARRAY_SIZE(want));
		mb_free(&b);
	}
}

int main(void)
{
	test_maps();
	test_strings();
	test_malformed();
	test_odd_sizes();
	return check_summary();
}
