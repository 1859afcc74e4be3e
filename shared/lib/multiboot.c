/*
 * multiboot.c - read and check the Multiboot v1 information block.
 *
 * Environment: either kernel at boot, before it reuses any memory; pure
 * logic, also in the host tests.
 */
/* SPDX-License-Identifier: MIT */
#include "multiboot.h"
#include "lib.h"

/* How far a string too long to keep is measured, to name its length. */
#define MB_STRING_SCAN 65536u

/*
 * Copy the NUL-terminated string at physical addr into dst[max] and set
 * *len to its length. Returns 0; -1 when memory ends before the string
 * does; -2 when it is longer than max - 1 bytes: then dst is left empty
 * (a cut string would pass for the whole one) and *len is its length, or
 * MB_STRING_SCAN when it has no end that near (it is at least that long).
 */
static int copy_string(uint64_t addr, char *dst, size_t max, size_t *len,
		       mb_phys_fn phys, void *ctx)
{
	size_t i;

	for (i = 0; i < MB_STRING_SCAN; i++) {
		const char *c = phys(addr + i, 1, ctx);

		if (!c) {
			dst[0] = 0;
			return -1;
		}
		if (i < max)
			dst[i] = *c;
		if (!*c)
			break;
	}
	*len = i;
	if (i < max)
		return 0;
	dst[0] = 0;
	return -2;
}

/* The error for a string copy_string() refused. */
static void string_error(char *err, size_t errlen, const char *what, uint32_t addr,
			 int r, size_t len, size_t max)
{
	if (r == -1)
		snprintf(err, errlen, "%s at 0x%x is outside memory", what, addr);
	else
		snprintf(err, errlen, "%s is too long: %s%zu bytes, at most %zu", what,
			 len >= MB_STRING_SCAN ? "at least " : "", len, max - 1);
}

static int add_region(struct boot_region *r, unsigned *n, uint64_t base,
		      uint64_t len, uint32_t type)
{
	if (*n >= BOOT_MAX_REGIONS)
		return -1;
	r[*n].base = base;
	r[*n].len = len;
	r[*n].type = type;
	(*n)++;
	return 0;
}

/* Take [base, end) out of every usable range. */
static int carve(struct boot_info *bi, uint64_t base, uint64_t end)
{
	unsigned i;

	for (i = 0; i < bi->nr_usable; i++) {
		struct boot_region *u = &bi->usable[i];
		uint64_t ub = u->base, ue = u->base + u->len;

		if (end <= ub || base >= ue)
			continue;
		if (base > ub && end < ue) {    /* split in two */
			u->len = base - ub;
			if (add_region(bi->usable, &bi->nr_usable, end, ue - end,
				       MB_MEM_AVAILABLE))
				return -1;
		} else if (base > ub) {
			u->len = base - ub;
		} else if (end < ue) {
			u->base = end;
			u->len = ue - end;
		} else {
			u->len = 0;
		}
	}
	return 0;
}

/* Sort by base, drop empty ranges, merge touching ones. */
static void tidy(struct boot_info *bi)
{
	unsigned i, j, n = 0;

	for (i = 1; i < bi->nr_usable; i++)
		for (j = i; j > 0 && bi->usable[j - 1].base > bi->usable[j].base; j--) {
			struct boot_region t = bi->usable[j];
			bi->usable[j] = bi->usable[j - 1];
			bi->usable[j - 1] = t;
		}
	for (i = 0; i < bi->nr_usable; i++) {
		struct boot_region *u = &bi->usable[i];
		if (!u->len)
			continue;
		if (n && bi->usable[n - 1].base + bi->usable[n - 1].len >= u->base) {
			uint64_t end = u->base + u->len;
			struct boot_region *p = &bi->usable[n - 1];
			if (end > p->base + p->len)
				p->len = end - p->base;
			continue;
		}
		bi->usable[n++] = *u;
	}
	bi->nr_usable = n;
	bi->usable_bytes = 0;
	for (i = 0; i < n; i++)
		bi->usable_bytes += bi->usable[i].len;
}

static int derive_usable(struct boot_info *bi)
{
	unsigned i;

	bi->nr_usable = 0;
	for (i = 0; i < bi->nr_map; i++)
		if (bi->map[i].type == MB_MEM_AVAILABLE && bi->map[i].len &&
		    add_region(bi->usable, &bi->nr_usable, bi->map[i].base,
			       bi->map[i].len, MB_MEM_AVAILABLE))
			return -1;
	/* Merge first: repeated or overlapping entries must not multiply. */
	tidy(bi);
	/* Where the map contradicts itself, reserved wins. */
	for (i = 0; i < bi->nr_map; i++)
		if (bi->map[i].type != MB_MEM_AVAILABLE &&
		    carve(bi, bi->map[i].base, bi->map[i].base + bi->map[i].len))
			return -1;
	tidy(bi);
	return 0;
}

static int read_mmap(const struct mb_info *mi, struct boot_info *bi,
		     mb_phys_fn phys, void *ctx, char *err, size_t errlen)
{
	uint64_t off = 0;

	if (mi->mmap_length > 64 * 1024) {
		snprintf(err, errlen, "mmap_length %u is implausible", mi->mmap_length);
		return -1;
	}
	if (!phys(mi->mmap_addr, mi->mmap_length, ctx)) {
		snprintf(err, errlen, "mmap at 0x%x+0x%x is outside memory",
			 mi->mmap_addr, mi->mmap_length);
		return -1;
	}
	while (off < mi->mmap_length) {
		const struct mb_mmap_entry *e;
		uint32_t size;

		if (mi->mmap_length - off < 4) {
			snprintf(err, errlen, "mmap ends inside an entry at offset %u",
				 (unsigned)off);
			return -1;
		}
		/* Entries may have any size from 20: this field can be unaligned. */
		memcpy(&size, phys(mi->mmap_addr + off, 4, ctx), 4);
		if (size < 20 || size > mi->mmap_length - off - 4) {
			snprintf(err, errlen, "mmap entry at offset %u has bad size %u",
				 (unsigned)off, size);
			return -1;
		}
		e = phys(mi->mmap_addr + off, 4 + size, ctx);
		if (e->len && e->base + e->len < e->base) {
			snprintf(err, errlen, "mmap entry at offset %u wraps around",
				 (unsigned)off);
			return -1;
		}
		if (add_region(bi->map, &bi->nr_map, e->base, e->len, e->type)) {
			snprintf(err, errlen, "mmap has more than %u entries",
				 BOOT_MAX_REGIONS);
			return -1;
		}
		off += 4 + size;
	}
	return 0;
}

int multiboot_parse(uint32_t magic, uint32_t info_addr, mb_phys_fn phys,
		    void *ctx, struct boot_info *bi, char *err, size_t errlen)
{
	const struct mb_info *mi;
	struct mb_info block;
	const void *at;
	size_t cmdline_len = 0;
	int cmdline_too_long = 0;
	unsigned i;

	memset(bi, 0, sizeof(*bi));
	if (magic != MB_BOOTLOADER_MAGIC) {
		snprintf(err, errlen, "bad Multiboot magic 0x%x (want 0x%x)",
			 magic, MB_BOOTLOADER_MAGIC);
		return -1;
	}
	at = phys(info_addr, sizeof(block), ctx);
	if (!at) {
		snprintf(err, errlen, "info block at 0x%x is outside memory", info_addr);
		return -1;
	}
	/* A loader may put the block, and the module list, at any address:
	 * they are copied out, never read through a misaligned pointer. */
	memcpy(&block, at, sizeof(block));
	mi = &block;
	bi->flags = mi->flags;

	/*
	 * Too long a command line is the one error a kernel may want to tell
	 * from a bad block (the guest calls it a usage error): read the rest
	 * first, so that it is the only one when it is reported.
	 */
	if (mi->flags & MB_INFO_CMDLINE) {
		size_t len = 0;
		int r = copy_string(mi->cmdline, bi->cmdline, sizeof(bi->cmdline), &len,
				    phys, ctx);

		if (r == -1) {
			string_error(err, errlen, "command line", mi->cmdline, r, 0, 0);
			return -1;
		}
		if (r == -2) {
			cmdline_len = len;
			cmdline_too_long = 1;
		}
	}
	if (mi->flags & MB_INFO_LOADER_NAME) {
		size_t len = 0;
		int r = copy_string(mi->boot_loader_name, bi->loader, sizeof(bi->loader), &len,
				    phys, ctx);

		if (r) {
			string_error(err, errlen, "loader name", mi->boot_loader_name, r, len,
				     sizeof(bi->loader));
			return -1;
		}
	}

	if (mi->flags & MB_INFO_MODS) {
		const uint8_t *m;

		if (mi->mods_count > BOOT_MAX_MODULES) {
			snprintf(err, errlen, "%u modules, at most %u", mi->mods_count,
				 BOOT_MAX_MODULES);
			return -1;
		}
		m = phys(mi->mods_addr, (uint64_t)mi->mods_count * sizeof(struct mb_module), ctx);
		if (mi->mods_count && !m) {
			snprintf(err, errlen, "module list at 0x%x is outside memory",
				 mi->mods_addr);
			return -1;
		}
		for (i = 0; i < mi->mods_count; i++) {
			struct boot_module *bm = &bi->modules[i];
			struct mb_module mod;

			memcpy(&mod, m + i * sizeof(mod), sizeof(mod));
			if (mod.mod_end < mod.mod_start) {
				snprintf(err, errlen, "module %u ends before it starts", i);
				return -1;
			}
			bm->start = mod.mod_start;
			bm->end = mod.mod_end;
			if (mod.cmdline) {
				size_t len = 0;
				int r = copy_string(mod.cmdline, bm->cmdline,
						    sizeof(bm->cmdline), &len, phys, ctx);
				char what[40];

				if (r) {
					snprintf(what, sizeof(what), "module %u command line", i);
					string_error(err, errlen, what, mod.cmdline, r, len,
						     sizeof(bm->cmdline));
					return -1;
				}
			}
		}
		bi->nr_modules = mi->mods_count;
	}

	if (mi->flags & MB_INFO_MEM) {
		bi->mem_lower = mi->mem_lower;
		bi->mem_upper = mi->mem_upper;
	}
	if (mi->flags & MB_INFO_MMAP) {
		if (read_mmap(mi, bi, phys, ctx, err, errlen))
			return -1;
	} else if (mi->flags & MB_INFO_MEM) {
		/* No map: the two basic ranges (spec 3.3, mem_lower/mem_upper). */
		add_region(bi->map, &bi->nr_map, 0, (uint64_t)mi->mem_lower * 1024,
			   MB_MEM_AVAILABLE);
		add_region(bi->map, &bi->nr_map, 0x100000, (uint64_t)mi->mem_upper * 1024,
			   MB_MEM_AVAILABLE);
	} else {
		snprintf(err, errlen, "no memory information (flags 0x%x)", mi->flags);
		return -1;
	}
	if (derive_usable(bi)) {
		snprintf(err, errlen, "memory map too fragmented");
		return -1;
	}
	if (!bi->nr_usable) {
		snprintf(err, errlen, "memory map has no usable RAM");
		return -1;
	}
	if (cmdline_too_long) {
		string_error(err, errlen, "the command line", mi->cmdline, -2, cmdline_len,
			     sizeof(bi->cmdline));
		return MB_PARSE_CMDLINE_TOO_LONG;
	}
	return 0;
}
