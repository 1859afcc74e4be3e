/*
 * fuzz_multiboot.c - libFuzzer target: the Multiboot v1 information parser
 * both kernels boot through (shared/lib/multiboot.c).
 *
 * Input: physical memory from address 0, reached only through the
 * parser's phys() callback, which hands out pointers into an exact-length
 * heap copy (AddressSanitizer sees a read past what phys() allowed). Byte
 * 0 says where the info block is (bit 0: at the address in bytes 4-7,
 * else at 8) and whether the magic is right (bit 1: bytes 4-7 as magic).
 * Invariants:
 *   - multiboot_parse returns 0, MB_PARSE_CMDLINE_TOO_LONG or -1, with a
 *     one-line reason whenever it is not 0;
 *   - what it accepts is what memory says: the command line, loader name
 *     and modules (bounds and lines) copied whole, NUL-terminated within
 *     their fields; a line too long for its field is refused, never cut;
 *   - the usable list: 1..BOOT_MAX_REGIONS ranges, sorted, apart (merged
 *     when they touch), none empty or wrapping, usable_bytes their sum,
 *     each covered by available (type 1) map ranges and touching no other
 *     range of the map ("reserved wins").
 * Environment: build host, clang with libFuzzer.
 */
/* SPDX-License-Identifier: MIT */
#include "fuzz.h"
#include "multiboot.h"

struct mem {
	const uint8_t *p;
	uint64_t size;
};

static const void *phys(uint64_t addr, uint64_t len, void *ctx)
{
	const struct mem *m = ctx;

	if (addr > m->size || len > m->size - addr)
		return NULL;
	return m->p + addr;
}

/* The NUL-terminated string at addr in m, or NULL when memory ends first. */
static const char *mem_string(const struct mem *m, uint64_t addr)
{
	if (addr >= m->size || !memchr(m->p + addr, 0, m->size - addr))
		return NULL;
	return (const char *)m->p + addr;
}

/* A string field came through whole, or (r == -2 allowed) was refused. */
static void check_string(const struct mem *m, uint32_t addr, const char *got, size_t max,
			 const char *what)
{
	const char *want = mem_string(m, addr);

	FUZZ_ASSERT(memchr(got, 0, max), "%s not NUL-terminated in its field", what);
	FUZZ_ASSERT(want, "%s at 0x%x accepted without its NUL in memory", what, addr);
	FUZZ_ASSERT(strlen(want) < max && !strcmp(got, want),
		    "%s: '%.40s' kept, memory says '%.40s' (%zu bytes)", what, got, want,
		    strlen(want));
}

static int covered_by_available(const struct boot_info *bi, uint64_t b, uint64_t e)
{
	uint64_t p = b;

	while (p < e) {
		uint64_t best = p;
		unsigned i;

		for (i = 0; i < bi->nr_map; i++) {
			const struct boot_region *r = &bi->map[i];

			if (r->type == MB_MEM_AVAILABLE && r->base <= p && p - r->base < r->len &&
			    r->base + r->len > best)
				best = r->base + r->len;
		}
		if (best == p)
			return 0;
		p = best;
	}
	return 1;
}

static void check_usable(const struct boot_info *bi)
{
	uint64_t sum = 0;
	unsigned i, j;

	FUZZ_ASSERT(bi->nr_map <= BOOT_MAX_REGIONS, "nr_map %u", bi->nr_map);
	FUZZ_ASSERT(bi->nr_usable >= 1 && bi->nr_usable <= BOOT_MAX_REGIONS, "nr_usable %u",
		    bi->nr_usable);
	for (i = 0; i < bi->nr_usable; i++) {
		const struct boot_region *u = &bi->usable[i];

		FUZZ_ASSERT(u->len && u->base + u->len > u->base, "usable %u: 0x%llx+0x%llx", i,
			    (unsigned long long)u->base, (unsigned long long)u->len);
		FUZZ_ASSERT(i == 0 || bi->usable[i - 1].base + bi->usable[i - 1].len < u->base,
			    "usable %u not sorted and apart from the one before", i);
		FUZZ_ASSERT(covered_by_available(bi, u->base, u->base + u->len),
			    "usable 0x%llx+0x%llx is not all available in the map",
			    (unsigned long long)u->base, (unsigned long long)u->len);
		for (j = 0; j < bi->nr_map; j++) {
			const struct boot_region *r = &bi->map[j];

			if (r->type == MB_MEM_AVAILABLE || !r->len)
				continue;
			FUZZ_ASSERT(r->base + r->len <= u->base || r->base >= u->base + u->len,
				    "usable 0x%llx+0x%llx overlaps type-%u 0x%llx+0x%llx",
				    (unsigned long long)u->base, (unsigned long long)u->len,
				    r->type, (unsigned long long)r->base,
				    (unsigned long long)r->len);
		}
		sum += u->len;
	}
	FUZZ_ASSERT(sum == bi->usable_bytes, "usable_bytes %llu, the ranges sum to %llu",
		    (unsigned long long)bi->usable_bytes, (unsigned long long)sum);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct boot_info bi;
	uint8_t *copy = fuzz_dup(data, size);
	struct mem m = { copy, size };
	unsigned ctl = size ? data[0] : 0;
	uint32_t info = ctl & 1 ? (uint32_t)fuzz_le(data, size, 4, 4) : 8;
	uint32_t magic = ctl & 2 ? (uint32_t)fuzz_le(data, size, 4, 4) : MB_BOOTLOADER_MAGIC;
	struct mb_info mi;
	char err[160];
	unsigned i;
	int r;

	memset(err, 'x', sizeof(err));
	r = multiboot_parse(magic, info, phys, &m, &bi, err, sizeof(err));
	FUZZ_ASSERT(r == 0 || r == -1 || r == MB_PARSE_CMDLINE_TOO_LONG, "returned %d", r);
	FUZZ_ASSERT(!memcmp(copy, data, size), "the parser wrote to what it reads");
	if (r)
		FUZZ_ASSERT(fuzz_reason_ok(err, sizeof(err)), "%d without a reason", r);
	if (r == -1)
		goto out;
	FUZZ_ASSERT(magic == MB_BOOTLOADER_MAGIC, "accepted magic 0x%x", magic);
	FUZZ_ASSERT(phys(info, sizeof(mi), &m), "accepted a block outside memory");
	memcpy(&mi, copy + info, sizeof(mi));
	FUZZ_ASSERT(bi.flags == mi.flags, "flags 0x%x, memory says 0x%x", bi.flags, mi.flags);
	if (mi.flags & MB_INFO_CMDLINE) {
		if (r == MB_PARSE_CMDLINE_TOO_LONG) {
			const char *s = mem_string(&m, mi.cmdline);

			FUZZ_ASSERT(!bi.cmdline[0], "a command line too long, yet kept in part");
			FUZZ_ASSERT(!s || strlen(s) >= sizeof(bi.cmdline),
				    "a command line of %zu bytes called too long", strlen(s));
		} else {
			check_string(&m, mi.cmdline, bi.cmdline, sizeof(bi.cmdline),
				     "command line");
		}
	} else {
		FUZZ_ASSERT(r == 0 && !bi.cmdline[0], "a command line without the flag");
	}
	if (mi.flags & MB_INFO_LOADER_NAME)
		check_string(&m, mi.boot_loader_name, bi.loader, sizeof(bi.loader), "loader name");
	if (mi.flags & MB_INFO_MODS) {
		FUZZ_ASSERT(bi.nr_modules == mi.mods_count && bi.nr_modules <= BOOT_MAX_MODULES,
			    "%u modules, memory says %u", bi.nr_modules, mi.mods_count);
		for (i = 0; i < bi.nr_modules; i++) {
			struct mb_module mod;

			memcpy(&mod, copy + mi.mods_addr + i * sizeof(mod), sizeof(mod));
			FUZZ_ASSERT(bi.modules[i].start == mod.mod_start &&
				    bi.modules[i].end == mod.mod_end && mod.mod_start <= mod.mod_end,
				    "module %u: 0x%x-0x%x, memory says 0x%x-0x%x", i,
				    bi.modules[i].start, bi.modules[i].end, mod.mod_start,
				    mod.mod_end);
			if (mod.cmdline)
				check_string(&m, mod.cmdline, bi.modules[i].cmdline,
					     sizeof(bi.modules[i].cmdline), "module line");
			else
				FUZZ_ASSERT(!bi.modules[i].cmdline[0], "a module line from nowhere");
		}
	} else {
		FUZZ_ASSERT(bi.nr_modules == 0, "modules without the flag");
	}
	FUZZ_ASSERT(mi.flags & (MB_INFO_MEM | MB_INFO_MMAP), "accepted without memory info");
	check_usable(&bi);
out:
	free(copy);
	return 0;
}
