/*
 * fuzz_guest_load.c - libFuzzer target: the hypervisor's Multiboot loader
 * for its guest (hv/guest_load.c), image and info block.
 *
 * Input: the guest image, whole (so real kernels seed the corpus: the test
 * kernel build/tests/mbprint.bin and the guest, stripped). Its last four
 * bytes also steer the run: bits 0-5 the guest RAM size (1 MiB + 1024 KiB
 * down to + 16 KiB: the most when they are 0, as at the end of an ELF
 * file); unless bit 8 is set, the checksum of the first Multiboot magic in
 * the first 8 KiB is made right (so that mutations reach the a.out-kludge
 * and ELF code instead of dying at the checksum) and, in an ELF file and
 * unless bit 10 is set, its a.out-kludge flag cleared (so that an ELF
 * kernel with the kludge, as the guest is, loads as ELF); bit 9 builds the
 * info block, with bits 16-23 modules (0..17) whose sizes come from the
 * image's first bytes, times bits 24-27 plus one.
 *
 * Guest RAM is one heap block between two guard regions of 64 KiB, all
 * filled with a pattern; the guards are poisoned for AddressSanitizer while
 * the loader runs, and checked after. Invariants:
 *   - nothing is written outside guest RAM, nor in the memory map's hole
 *     [0x9f000, 1 MiB), by mb_load_image;
 *   - a loaded image is exactly what the image says: memory equals a
 *     model that copies the a.out-kludge range or each ELF PT_LOAD segment
 *     and zeroes its bss, on the pattern, and nothing else changed; entry
 *     lies in [load_start, load_end), within low memory or [1 MiB, RAM
 *     size);
 *   - mb_build_info writes only the info area (MB_INFO_AREA_SIZE bytes at
 *     MB_INFO_GPA, or on the page after a kernel that lies there) and
 *     modules above the image and 1 MiB, never the image; its
 *     block reads back with multiboot_parse as the guest would: the line,
 *     the loader name, the three-entry map, each module page-aligned above
 *     the image, inside RAM, apart from the others, with its bytes;
 *   - every refusal comes with a one-line reason.
 * Environment: build host, clang with libFuzzer.
 */
/* SPDX-License-Identifier: MIT */
#include <sanitizer/asan_interface.h>
#include "fuzz.h"
#include "guest_load.h"
#include "hv.h"
#include "multiboot.h"

#define FILL            0xa5
#define GUARD           (64u << 10)
#define RAM_MAX         (GUEST_HIGH_START + (1u << 20))
#define MOD_SRC_MAX     (2u << 20)              /* more than any RAM here */
#define MB_MAGIC        0x1badb002u
#define MB_KLUDGE       (1u << 16)

static uint8_t *block;          /* guard, RAM_MAX of RAM, guard */
static uint8_t *expect;         /* what RAM should hold */
static uint8_t *mod_src;        /* every module's bytes come from here */

static uint32_t rd32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static uint16_t rd16(const uint8_t *p) { uint16_t v; memcpy(&v, p, 2); return v; }
static uint64_t rd64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; }

/* The first Multiboot header a loader must take: its offset, or -1. */
static long header_at(const uint8_t *img, size_t len, int valid_only)
{
	size_t off;

	for (off = 0; off + 12 <= len && off + 12 <= 8192; off += 4)
		if (rd32(img + off) == MB_MAGIC &&
		    (!valid_only || !(uint32_t)(rd32(img + off) + rd32(img + off + 4) +
						rd32(img + off + 8))))
			return (long)off;
	return -1;
}

/* The loader's job as the Multiboot spec and ELF state it, on expect[]. */
static void model_load(const uint8_t *img, size_t len)
{
	long hoff = header_at(img, len, 1);
	uint32_t flags = rd32(img + hoff + 4);

	if (flags & MB_KLUDGE) {
		const uint8_t *h = img + hoff;
		uint32_t header_addr = rd32(h + 12), load_addr = rd32(h + 16);
		uint64_t load_end = rd32(h + 20), bss_end = rd32(h + 24);
		uint64_t file_off = (uint64_t)hoff - (header_addr - load_addr);
		uint64_t end = load_end ? load_end : load_addr + (len - file_off);

		if (!bss_end)
			bss_end = end;
		memcpy(expect + load_addr, img + file_off, end - load_addr);
		memset(expect + end, 0, bss_end - end);
		return;
	}
	{
		int is64 = img[4] == 2;
		uint64_t phoff = is64 ? rd64(img + 32) : rd32(img + 28);
		unsigned phentsize = rd16(img + (is64 ? 54 : 42));
		unsigned phnum = rd16(img + (is64 ? 56 : 44)), i;

		for (i = 0; i < phnum; i++) {
			const uint8_t *ph = img + phoff + (uint64_t)i * phentsize;
			uint64_t off, paddr, filesz, memsz;

			if (rd32(ph) != 1)
				continue;
			off = is64 ? rd64(ph + 8) : rd32(ph + 4);
			paddr = is64 ? rd64(ph + 24) : rd32(ph + 12);
			filesz = is64 ? rd64(ph + 32) : rd32(ph + 16);
			memsz = is64 ? rd64(ph + 40) : rd32(ph + 20);
			memcpy(expect + paddr, img + off, filesz);
			memset(expect + paddr + filesz, 0, memsz - filesz);
		}
	}
}

/* n bytes of the fill pattern at p (memcmp: fast under the sanitizers). */
static int is_fill(const uint8_t *p, size_t n)
{
	return !n || (p[0] == FILL && !memcmp(p, p + 1, n - 1));
}

static void guards_check(void)
{
	FUZZ_ASSERT(is_fill(block, GUARD), "written below guest RAM");
	FUZZ_ASSERT(is_fill(block + GUARD + RAM_MAX, GUARD), "written past guest RAM");
}

/* First byte where RAM and expect differ in [from, to), or to. */
static uint64_t first_diff(const uint8_t *ram, uint64_t from, uint64_t to)
{
	if (from >= to || !memcmp(ram + from, expect + from, to - from))
		return to;
	for (; from < to; from++)
		if (ram[from] != expect[from])
			break;
	return from;
}

struct ram_ctx {
	const uint8_t *ram;
	uint64_t size;
};

static const void *ram_phys(uint64_t addr, uint64_t len, void *ctx)
{
	const struct ram_ctx *c = ctx;

	if (addr > c->size || len > c->size - addr)
		return NULL;
	return c->ram + addr;
}

/* Where the info area must be (guest_load.h): MB_INFO_GPA, or the page
 * after a kernel that lies there. */
static uint32_t info_area(const struct mb_image *im)
{
	if (im->load_start < MB_INFO_AREA_END && im->load_end > MB_INFO_GPA)
		return (im->load_end + 0xfffu) & ~0xfffu;
	return MB_INFO_GPA;
}

static void check_info(struct guest_mem *gm, const struct mb_image *im, const char *line,
		       const struct mb_module_src *mods, unsigned nmods, uint32_t info)
{
	static struct boot_info bi;
	struct ram_ctx c = { gm->base, gm->size };
	char err[160];
	unsigned i, j;
	int r;

	FUZZ_ASSERT(info >= info_area(im) &&
		    info + sizeof(struct mb_info) <= info_area(im) + MB_INFO_AREA_SIZE &&
		    !(info & 7), "info block at 0x%x", info);
	r = multiboot_parse(MB_BOOTLOADER_MAGIC, info, ram_phys, &c, &bi, err, sizeof(err));
	FUZZ_ASSERT(r == 0 || (r == MB_PARSE_CMDLINE_TOO_LONG && strlen(line) >= BOOT_CMDLINE_MAX),
		    "the guest cannot read its info block back: %d %s", r, err);
	FUZZ_ASSERT(r || !strcmp(bi.cmdline, line), "line '%.40s' came back '%.40s'", line,
		    bi.cmdline);
	FUZZ_ASSERT(!strcmp(bi.loader, "minivmx-hv"), "loader '%s'", bi.loader);
	FUZZ_ASSERT(bi.nr_map == 3 && bi.map[0].base == 0 && bi.map[0].len == GUEST_LOW_END &&
		    bi.map[2].base == GUEST_HIGH_START &&
		    bi.map[2].base + bi.map[2].len == gm->size, "the memory map is not RAM's");
	FUZZ_ASSERT(bi.nr_modules == nmods, "%u modules, %u given", bi.nr_modules, nmods);
	for (i = 0; i < nmods; i++) {
		const struct boot_module *m = &bi.modules[i];

		FUZZ_ASSERT(!(m->start & 0xfff) && m->start >= im->load_end &&
			    m->end - m->start == mods[i].len && m->end <= gm->size,
			    "module %u at 0x%x-0x%x (%llu bytes), image ends 0x%x, RAM 0x%llx", i,
			    m->start, m->end, (unsigned long long)mods[i].len, im->load_end,
			    (unsigned long long)gm->size);
		FUZZ_ASSERT(!memcmp(gm->base + m->start, mods[i].data, mods[i].len),
			    "module %u's bytes differ", i);
		FUZZ_ASSERT(!strcmp(m->cmdline, mods[i].cmdline), "module %u line '%s'", i,
			    m->cmdline);
		for (j = 0; j < i; j++)
			FUZZ_ASSERT(m->end <= bi.modules[j].start || m->start >= bi.modules[j].end ||
				    m->start == m->end || bi.modules[j].start == bi.modules[j].end,
				    "modules %u and %u overlap", j, i);
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	size_t i;

	(void)argc;
	(void)argv;
	block = malloc(GUARD + RAM_MAX + GUARD);
	expect = malloc(RAM_MAX);
	mod_src = malloc(MOD_SRC_MAX);
	if (!block || !expect || !mod_src)
		abort();
	memset(block, FILL, GUARD + RAM_MAX + GUARD);
	for (i = 0; i < MOD_SRC_MAX; i++)
		mod_src[i] = (uint8_t)(i * 7 + (i >> 12));
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char mod_lines[GUEST_MAX_MODULES + 1][8];
	uint32_t ctl = size >= 4 ? (uint32_t)fuzz_le(data, size, size - 4, 4) : 0;
	uint64_t ram = GUEST_HIGH_START + (64 - (ctl & 63)) * (16u << 10);
	unsigned nmods = ((ctl >> 16) & 0xff) % (GUEST_MAX_MODULES + 2), i;
	struct mb_module_src mods[GUEST_MAX_MODULES + 1];
	struct guest_mem gm = { block + GUARD, ram, 0x40000000 };
	uint8_t *img = fuzz_dup(data, size);
	struct mb_image im;
	char err[160], *line;
	uint32_t info = 0;
	uint64_t at;
	uint32_t area, floor;
	long hoff;
	int r;

	if (!(ctl & 0x100) && (hoff = header_at(img, size, 0)) >= 0) {
		uint32_t flags = rd32(img + hoff + 4), sum;

		if (!(ctl & 0x400) && size >= 4 && !memcmp(img, "\177ELF", 4)) {
			/* An ELF kernel with the kludge, as the guest is: as ELF. */
			flags &= ~MB_KLUDGE;
			memcpy(img + hoff + 4, &flags, 4);
		}
		sum = -(rd32(img + hoff) + flags);
		memcpy(img + hoff + 8, &sum, 4);
	}
	memset(gm.base, FILL, RAM_MAX);
	memset(expect, FILL, RAM_MAX);

	ASAN_POISON_MEMORY_REGION(block, GUARD);
	ASAN_POISON_MEMORY_REGION(block + GUARD + ram, RAM_MAX - ram + GUARD);
	memset(err, 'x', sizeof(err));
	r = mb_load_image(img, size, &gm, &im, err, sizeof(err));
	ASAN_UNPOISON_MEMORY_REGION(block, GUARD + RAM_MAX + GUARD);
	guards_check();
	FUZZ_ASSERT(r == 0 || r == -1, "returned %d", r);
	if (r) {
		FUZZ_ASSERT(fuzz_reason_ok(err, sizeof(err)), "refused without a reason");
		/* Segments before the bad one may be in RAM already (the boot
		 * stops there), but never in the memory map's hole. */
		at = first_diff(gm.base, GUEST_LOW_END, GUEST_HIGH_START);
		FUZZ_ASSERT(at == GUEST_HIGH_START, "a refused image wrote 0x%llx, in the hole "
			    "[0x9f000, 1 MiB)", (unsigned long long)at);
		at = first_diff(gm.base, ram, RAM_MAX);
		FUZZ_ASSERT(at == RAM_MAX, "a refused image wrote 0x%llx, past RAM",
			    (unsigned long long)at);
		goto out;
	}
	/* Inside the RAM of the guest's memory map: low memory or above 1 MiB. */
	FUZZ_ASSERT((im.load_end <= GUEST_LOW_END || im.load_start >= GUEST_HIGH_START) &&
		    im.load_start < im.load_end &&
		    im.load_end <= ram && im.entry >= im.load_start && im.entry < im.load_end &&
		    im.format, "loaded 0x%x-0x%x entry 0x%x in RAM of 0x%llx", im.load_start,
		    im.load_end, im.entry, (unsigned long long)ram);
	model_load(img, size);
	at = first_diff(gm.base, 0, RAM_MAX);
	FUZZ_ASSERT(at == RAM_MAX, "guest byte 0x%llx is 0x%02x, the image says 0x%02x (%s, "
		    "0x%x-0x%x)", (unsigned long long)at, gm.base[at], expect[at], im.format,
		    im.load_start, im.load_end);
	if (!(ctl & 0x200))
		goto out;

	/* The info block, with the image's first bytes as the guest's line. */
	line = fuzz_str(img, size < 700 ? size : 700);
	for (i = 0; i < nmods; i++) {
		uint64_t len = fuzz_le(data, size, 8 * i, 3) * (((ctl >> 24) & 15) + 1);

		snprintf(mod_lines[i], sizeof(mod_lines[i]), "m%u", i);
		mods[i] = (struct mb_module_src){ mod_src, len % (MOD_SRC_MAX + 1), mod_lines[i] };
	}
	ASAN_POISON_MEMORY_REGION(block, GUARD);
	ASAN_POISON_MEMORY_REGION(block + GUARD + ram, RAM_MAX - ram + GUARD);
	memset(err, 'x', sizeof(err));
	r = mb_build_info(&gm, line, mods, nmods, im.load_start, im.load_end, &info, err,
			  sizeof(err));
	ASAN_UNPOISON_MEMORY_REGION(block, GUARD + RAM_MAX + GUARD);
	guards_check();
	FUZZ_ASSERT(r == 0 || r == -1, "returned %d", r);
	FUZZ_ASSERT(r == 0 || fuzz_reason_ok(err, sizeof(err)), "refused without a reason");
	/* Only the info area and the RAM above the image and 1 MiB may have
	 * changed. */
	area = info_area(&im);
	floor = im.load_end > GUEST_HIGH_START ? im.load_end : GUEST_HIGH_START;
	at = first_diff(gm.base, 0, area);
	FUZZ_ASSERT(at == area, "info written at 0x%llx, below the info area at 0x%x",
		    (unsigned long long)at, area);
	at = first_diff(gm.base, area + MB_INFO_AREA_SIZE, floor);
	FUZZ_ASSERT(at == floor, "info written at 0x%llx, between the info area and "
		    "0x%x (the image's end or 1 MiB)", (unsigned long long)at, floor);
	at = first_diff(gm.base, ram, RAM_MAX);
	FUZZ_ASSERT(at == RAM_MAX, "info written at 0x%llx, past RAM", (unsigned long long)at);
	if (r == 0)
		check_info(&gm, &im, line, mods, nmods, info);
	free(line);
out:
	free(img);
	return 0;
}
