/*
 * test_guest_load.c - host tests of the hypervisor's Multiboot loader.
 *
 * Built from the real hv/guest_load.c and shared/lib/multiboot.c. Guest RAM
 * is a heap buffer of exactly its size, pre-filled with 0xAA, and every
 * image the loader reads is a heap copy of exactly its length, so that
 * AddressSanitizer sees any access past either. The cases load the real
 * guest image (argv[1], default build/guest.elf) and the foreign test
 * kernel (argv[2], default build/tests/mbprint.bin), synthetic a.out-kludge
 * and ELF32/ELF64 images built here, and many malformed ones, and read the
 * info block mb_build_info writes back with multiboot_parse, as the guest
 * would. Runs on the build host.
 */
/* SPDX-License-Identifier: MIT */
#include <elf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "guest_load.h"
#include "hv.h"
#include "multiboot.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define KiB 0x400ull
#define MiB 0x100000ull

#define MB_MAGIC        0x1badb002u
#define MB_KLUDGE       (1u << 16)
#define FILL            0xaa

/* ---- guest RAM, images, and loading -------------------------------------- */

static struct guest_mem guest_new(uint64_t size)
{
	struct guest_mem gm;

	gm.base = malloc(size ? size : 1);
	if (!gm.base)
		abort();
	memset(gm.base, FILL, size);
	gm.size = size;
	gm.host_pa = 0x40000000;
	return gm;
}

static void guest_free(struct guest_mem *gm)
{
	free(gm->base);
	gm->base = NULL;
}

/* An exact-length heap copy, so that a read past len is caught. */
static uint8_t *dup_len(const uint8_t *src, size_t len)
{
	uint8_t *p = malloc(len ? len : 1);

	if (!p)
		abort();
	if (len)
		memcpy(p, src, len);
	return p;
}

static uint8_t *read_whole(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *p;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) {
		fclose(f);
		return NULL;
	}
	p = malloc(n ? (size_t)n : 1);
	if (!p || fread(p, 1, (size_t)n, f) != (size_t)n) {
		free(p);
		fclose(f);
		return NULL;
	}
	fclose(f);
	*len = (size_t)n;
	return p;
}

static struct mb_image im;
static char err[256];

static int load(const uint8_t *img, size_t len, const struct guest_mem *gm)
{
	uint8_t *copy = dup_len(img, len);
	int r;

	memset(&im, 0x5a, sizeof(im));
	memset(err, 0, sizeof(err));
	r = mb_load_image(copy, len, gm, &im, err, sizeof(err));
	free(copy);
	return r;
}

/* -1, and an error that names what is wrong. */
static int refused(const uint8_t *img, size_t len, const struct guest_mem *gm,
		   const char *what, const char *keyword)
{
	int r = load(img, len, gm);

	if (!CHECK(r == -1, "%s: loaded (r %d, format %s)", what, r,
		   r == 0 ? im.format : "?"))
		return 0;
	return CHECK(err[0] && strstr(err, keyword), "%s: error '%s' does not say '%s'",
		     what, err, keyword);
}

static int bytes_equal(const struct guest_mem *gm, uint64_t gpa, const uint8_t *src,
		       uint64_t n, const char *what)
{
	uint64_t i;

	for (i = 0; i < n; i++)
		if (gm->base[gpa + i] != src[i])
			return CHECK(0, "%s: guest byte at 0x%llx is 0x%02x, want 0x%02x", what,
				     (unsigned long long)(gpa + i), gm->base[gpa + i], src[i]);
	return 1;
}

static int bytes_are(const struct guest_mem *gm, uint64_t gpa, uint64_t n, uint8_t v,
		     const char *what)
{
	uint64_t i;

	for (i = 0; i < n; i++)
		if (gm->base[gpa + i] != v)
			return CHECK(0, "%s: guest byte at 0x%llx is 0x%02x, want 0x%02x", what,
				     (unsigned long long)(gpa + i), gm->base[gpa + i], v);
	return 1;
}

/* Bytes no header lands on: a pattern that never forms the magic. */
static void pattern(uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (uint8_t)(i * 7 + 3);
}

static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static uint32_t get32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }

/* ---- a Multiboot header found independently of the loader ---------------- */

struct mbh {
	uint32_t off, flags;
	uint32_t header_addr, load_addr, load_end, bss_end, entry;
};

static int find_mbh(const uint8_t *img, size_t len, struct mbh *h)
{
	uint32_t off;

	for (off = 0; off + 32 <= len && off + 12 <= 8192; off += 4)
		if (get32(img + off) == MB_MAGIC &&
		    get32(img + off) + get32(img + off + 4) + get32(img + off + 8) == 0) {
			h->off = off;
			h->flags = get32(img + off + 4);
			h->header_addr = get32(img + off + 12);
			h->load_addr = get32(img + off + 16);
			h->load_end = get32(img + off + 20);
			h->bss_end = get32(img + off + 24);
			h->entry = get32(img + off + 28);
			return 0;
		}
	return -1;
}

/* ---- synthetic a.out-kludge images --------------------------------------- */

struct kludge {
	uint32_t len, hoff, flags;
	uint32_t header_addr, load_addr, load_end, bss_end, entry;
	uint32_t checksum_delta;
};

/* 1 KiB image, header at 0x20, loaded whole at 1 MiB, 5 KiB of bss. */
static const struct kludge kludge_ok = {
	.len = 0x400, .hoff = 0x20, .flags = MB_KLUDGE | 3,
	.header_addr = 0x100020, .load_addr = 0x100000, .load_end = 0x100400,
	.bss_end = 0x101800, .entry = 0x100040,
};

static uint8_t *kludge_build(const struct kludge *k)
{
	uint8_t *p = malloc(k->len ? k->len : 1);

	if (!p)
		abort();
	pattern(p, k->len);
	if (k->hoff + 12 <= k->len) {
		put32(p + k->hoff, MB_MAGIC);
		put32(p + k->hoff + 4, k->flags);
		put32(p + k->hoff + 8, -(MB_MAGIC + k->flags) + k->checksum_delta);
	}
	if (k->hoff + 32 <= k->len) {
		put32(p + k->hoff + 12, k->header_addr);
		put32(p + k->hoff + 16, k->load_addr);
		put32(p + k->hoff + 20, k->load_end);
		put32(p + k->hoff + 24, k->bss_end);
		put32(p + k->hoff + 28, k->entry);
	}
	return p;
}

static void kludge_refused(const struct kludge *k, const struct guest_mem *gm,
			   const char *what, const char *keyword)
{
	uint8_t *p = kludge_build(k);

	refused(p, k->len, gm, what, keyword);
	free(p);
}

/* ---- synthetic ELF images ------------------------------------------------ */

struct seg {
	uint32_t type;
	uint64_t offset, paddr, filesz, memsz;
};

struct elf {
	int is64;                       /* the layout written */
	uint8_t cls, data;              /* e_ident[EI_CLASS], [EI_DATA] */
	uint16_t machine, phnum, phentsize;
	uint64_t entry, phoff;
	struct seg ph[3];               /* written at the usual phoff */
	uint32_t mb_off, mb_flags;
	uint32_t len;
};

#define ELF_MB_OFF 0x100u
#define ELF_LEN    0x600u

/* Segment A: 0x300 bytes at 2 MiB; a note; segment B: 0x100 + 8 KiB bss at 3 MiB. */
static struct elf elf_ok(int is64)
{
	struct elf e = {
		.is64 = is64, .cls = is64 ? ELFCLASS64 : ELFCLASS32, .data = ELFDATA2LSB,
		.machine = is64 ? EM_X86_64 : EM_386, .phnum = 3,
		.phentsize = is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr),
		.entry = 0x200010,
		.phoff = is64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr),
		.ph = {
			{ PT_LOAD, 0x200, 0x200000, 0x300, 0x300 },
			{ PT_NOTE, 0x100, 0, 0x20, 0x20 },
			{ PT_LOAD, 0x500, 0x300000, 0x100, 0x2100 },
		},
		.mb_off = ELF_MB_OFF, .mb_flags = 3, .len = ELF_LEN,
	};
	return e;
}

static uint8_t *elf_build(const struct elf *e)
{
	uint8_t *p = malloc(e->len);
	unsigned i;

	if (!p)
		abort();
	pattern(p, e->len);
	if (e->is64) {
		Elf64_Ehdr h = { .e_type = ET_EXEC, .e_machine = e->machine,
				 .e_version = EV_CURRENT, .e_entry = e->entry,
				 .e_phoff = e->phoff, .e_ehsize = sizeof(h),
				 .e_phentsize = e->phentsize, .e_phnum = e->phnum };

		memcpy(h.e_ident, ELFMAG, SELFMAG);
		h.e_ident[EI_CLASS] = e->cls;
		h.e_ident[EI_DATA] = e->data;
		h.e_ident[EI_VERSION] = EV_CURRENT;
		memcpy(p, &h, sizeof(h));
		for (i = 0; i < 3; i++) {
			Elf64_Phdr ph = { .p_type = e->ph[i].type, .p_flags = PF_R | PF_X,
					  .p_offset = e->ph[i].offset,
					  .p_vaddr = 0xffffffff80000000ull + e->ph[i].paddr,
					  .p_paddr = e->ph[i].paddr, .p_filesz = e->ph[i].filesz,
					  .p_memsz = e->ph[i].memsz, .p_align = 0x1000 };
			memcpy(p + sizeof(h) + i * sizeof(ph), &ph, sizeof(ph));
		}
	} else {
		Elf32_Ehdr h = { .e_type = ET_EXEC, .e_machine = e->machine,
				 .e_version = EV_CURRENT, .e_entry = (uint32_t)e->entry,
				 .e_phoff = (uint32_t)e->phoff, .e_ehsize = sizeof(h),
				 .e_phentsize = e->phentsize, .e_phnum = e->phnum };

		memcpy(h.e_ident, ELFMAG, SELFMAG);
		h.e_ident[EI_CLASS] = e->cls;
		h.e_ident[EI_DATA] = e->data;
		h.e_ident[EI_VERSION] = EV_CURRENT;
		memcpy(p, &h, sizeof(h));
		for (i = 0; i < 3; i++) {
			Elf32_Phdr ph = { .p_type = e->ph[i].type, .p_flags = PF_R | PF_X,
					  .p_offset = (uint32_t)e->ph[i].offset,
					  .p_vaddr = 0xc0000000u + (uint32_t)e->ph[i].paddr,
					  .p_paddr = (uint32_t)e->ph[i].paddr,
					  .p_filesz = (uint32_t)e->ph[i].filesz,
					  .p_memsz = (uint32_t)e->ph[i].memsz, .p_align = 0x1000 };
			memcpy(p + sizeof(h) + i * sizeof(ph), &ph, sizeof(ph));
		}
	}
	if (e->mb_off + 32 <= e->len) {
		memset(p + e->mb_off, 0, 32);
		put32(p + e->mb_off, MB_MAGIC);
		put32(p + e->mb_off + 4, e->mb_flags);
		put32(p + e->mb_off + 8, -(MB_MAGIC + e->mb_flags));
	}
	return p;
}

static void elf_refused(const struct elf *e, const struct guest_mem *gm,
			const char *what, const char *keyword)
{
	uint8_t *p = elf_build(e);
	char name[96];

	snprintf(name, sizeof(name), "ELF%d %s", e->is64 ? 64 : 32, what);
	refused(p, e->len, gm, name, keyword);
	free(p);
}

/* Every length below the full one is refused, the full one loads. */
static void truncations(const uint8_t *img, size_t full, size_t ok_from,
			const struct guest_mem *gm, const char *what)
{
	size_t n;
	unsigned bad = 0;

	for (n = 0; n <= full && bad < 4; n++) {
		int r = load(img, n, gm);
		int want = n >= ok_from ? 0 : -1;

		if (!CHECK(r == want, "%s cut to %zu bytes: r %d, want %d (%s)", what, n, r,
			   want, err))
			bad++;
		else if (r && !err[0])
			bad += !CHECK(0, "%s cut to %zu bytes: no error text", what, n);
	}
}

/* ---- the info block, read back ------------------------------------------- */

static const void *guest_phys(uint64_t addr, uint64_t len, void *ctx)
{
	const struct guest_mem *gm = ctx;

	if (addr > gm->size || len > gm->size - addr)
		return NULL;
	return gm->base + addr;
}

static struct boot_info bi;

static int build_at(const struct guest_mem *gm, const char *cmdline,
		    const struct mb_module_src *mods, unsigned n, uint32_t image_start,
		    uint32_t image_end, uint32_t *info)
{
	*info = 0xdeadbeef;
	memset(err, 0, sizeof(err));
	return mb_build_info(gm, cmdline, mods, n, image_start, image_end, info, err,
			     sizeof(err));
}

/* A kernel that ends at image_end, from where its start does not matter. */
static int build(const struct guest_mem *gm, const char *cmdline,
		 const struct mb_module_src *mods, unsigned n, uint32_t image_end,
		 uint32_t *info)
{
	return build_at(gm, cmdline, mods, n, image_end, image_end, info);
}

static int parse_back(const struct guest_mem *gm, uint32_t info)
{
	char perr[160] = "";
	int r = multiboot_parse(MB_BOOTLOADER_MAGIC, info, guest_phys, (void *)gm, &bi,
				perr, sizeof(perr));

	return CHECK(r == 0, "multiboot_parse: %s", perr);
}

/* Modules: page aligned, in RAM above image_end, apart, same bytes. */
static void check_modules(const struct guest_mem *gm, const struct mb_module_src *mods,
			  unsigned n, uint32_t image_end)
{
	unsigned i, j;

	if (!CHECK(bi.nr_modules == n, "%u modules, want %u", bi.nr_modules, n))
		return;
	for (i = 0; i < n; i++) {
		const struct boot_module *m = &bi.modules[i];

		CHECK((m->start & 0xfff) == 0, "module %u at 0x%x: not page aligned", i,
		      m->start);
		CHECK(m->end - m->start == mods[i].len && m->end >= m->start,
		      "module %u: 0x%x-0x%x for %llu bytes", i, m->start, m->end,
		      (unsigned long long)mods[i].len);
		CHECK(m->start >= image_end, "module %u at 0x%x below the kernel's end 0x%x",
		      i, m->start, image_end);
		if (!CHECK(m->end <= gm->size, "module %u ends at 0x%x past RAM", i, m->end))
			continue;
		bytes_equal(gm, m->start, mods[i].data, mods[i].len, "module contents");
		CHECK(!strcmp(m->cmdline, mods[i].cmdline), "module %u cmdline '%s', want '%s'",
		      i, m->cmdline, mods[i].cmdline);
		for (j = 0; j < i; j++)
			CHECK(m->end <= bi.modules[j].start || bi.modules[j].end <= m->start,
			      "modules %u and %u overlap", j, i);
	}
}

/* The real guest image: an a.out kludge inside an ELF64 file. */
static void real_guest(const char *path, struct guest_mem *gm)
{
	uint8_t *img;
	size_t len;
	struct mbh h;
	const Elf64_Ehdr *eh;
	const Elf64_Phdr *ph;
	uint64_t file_off, n;
	unsigned i, loads = 0;

	img = read_whole(path, &len);
	if (!CHECK(img, "cannot read %s: run 'make %s' first", path, path))
		return;
	if (!CHECK(find_mbh(img, len, &h) == 0 && (h.flags & MB_KLUDGE),
		   "%s has no a.out-kludge Multiboot header", path)) {
		free(img);
		return;
	}
	CHECK(load(img, len, gm) == 0, "load: %s", err);
	CHECK(!strcmp(im.format, "a.out kludge"), "format %s", im.format);
	CHECK(im.header_flags == h.flags, "flags 0x%x", im.header_flags);
	CHECK(im.entry == h.entry, "entry 0x%x, want 0x%x", im.entry, h.entry);
	CHECK(im.load_start == h.load_addr && im.load_end == h.bss_end,
	      "loaded 0x%x-0x%x, want 0x%x-0x%x", im.load_start, im.load_end,
	      h.load_addr, h.bss_end);
	file_off = h.off - (h.header_addr - h.load_addr);
	n = h.load_end - h.load_addr;
	bytes_equal(gm, h.load_addr, img + file_off, n, "text and data");
	bytes_are(gm, h.load_end, h.bss_end - h.load_end, 0, "bss");
	bytes_are(gm, h.load_addr - 4 * KiB, 4 * KiB, FILL, "below the image");
	bytes_are(gm, h.bss_end, 4 * KiB, FILL, "above the image");

	/* The kludge must say what the ELF program headers say. */
	eh = (const Elf64_Ehdr *)img;
	if (!CHECK(len >= sizeof(*eh) && !memcmp(img, ELFMAG, SELFMAG) &&
		   eh->e_ident[EI_CLASS] == ELFCLASS64 && eh->e_phoff <= len &&
		   (uint64_t)eh->e_phnum * eh->e_phentsize <= len - eh->e_phoff,
		   "%s is not a well-formed ELF64 file", path)) {
		free(img);
		return;
	}
	CHECK(eh->e_entry == h.entry, "ELF entry 0x%llx, kludge entry 0x%x",
	      (unsigned long long)eh->e_entry, h.entry);
	for (i = 0; i < eh->e_phnum; i++) {
		ph = (const Elf64_Phdr *)(img + eh->e_phoff + i * eh->e_phentsize);
		if (ph->p_type != PT_LOAD)
			continue;
		loads++;
		bytes_equal(gm, ph->p_paddr, img + ph->p_offset, ph->p_filesz,
			    "ELF segment");
		bytes_are(gm, ph->p_paddr + ph->p_filesz, ph->p_memsz - ph->p_filesz,
			  0, "ELF segment bss");
		CHECK(ph->p_paddr >= im.load_start &&
		      ph->p_paddr + ph->p_memsz <= im.load_end,
		      "segment %u outside the loaded range", i);
	}
	CHECK(loads > 0, "no PT_LOAD in %s", path);

	/* Cut short: fine while the loaded part is all there. */
	for (len = 0; len <= file_off + n + 64; len += len < 0x1100 ? 1 : 61) {
		int r = load(img, len, gm);

		if (!CHECK(r == (len >= file_off + n ? 0 : -1), "cut to %zu: r %d (%s)",
			   len, r, err))
			break;
	}
	free(img);
	memset(gm->base, FILL, gm->size);
}

/* The foreign test kernel: a flat a.out-kludge binary. */
static void mbprint(const char *path, struct guest_mem *gm)
{
	uint8_t *img;
	size_t len;
	struct mbh h;

	img = read_whole(path, &len);
	if (!CHECK(img, "cannot read %s: run 'make %s' first", path,
		   path))
		return;
	if (!CHECK(find_mbh(img, len, &h) == 0 && (h.flags & MB_KLUDGE),
		   "%s has no a.out-kludge Multiboot header", path)) {
		free(img);
		return;
	}
	CHECK(load(img, len, gm) == 0, "load: %s", err);
	CHECK(!strcmp(im.format, "a.out kludge"), "format %s", im.format);
	CHECK(im.entry == h.entry, "entry 0x%x, want 0x%x", im.entry, h.entry);
	CHECK(im.load_start == h.load_addr, "load_start 0x%x", im.load_start);
	CHECK(im.load_end == (h.bss_end ? h.bss_end : h.load_end), "load_end 0x%x",
	      im.load_end);
	bytes_equal(gm, h.load_addr, img + h.off - (h.header_addr - h.load_addr),
		    (h.load_end ? h.load_end : h.load_addr + len) - h.load_addr,
		    "image");
	if (h.bss_end)
		bytes_are(gm, h.load_end, h.bss_end - h.load_end, 0, "bss");
	bytes_are(gm, im.load_end, 4 * KiB, FILL, "above the image");
	truncations(img, len, len, gm, "mbprint.bin");
	free(img);
	memset(gm->base, FILL, gm->size);
}

/* ---- cases --------------------------------------------------------------- */

int main(int argc, char **argv)
{
	const char *guest_path = argc > 1 ? argv[1] : "build/guest.elf";
	const char *mbprint_path = argc > 2 ? argv[2] : "build/tests/mbprint.bin";
	struct guest_mem gm = guest_new(16 * MiB);
	uint8_t *img;

	TEST("the real guest image (a.out kludge in an ELF64 file)")
		real_guest(guest_path, &gm);

	TEST("the foreign test kernel (flat a.out kludge)")
		mbprint(mbprint_path, &gm);

	TEST("synthetic a.out kludge: loaded, bss zeroed, defaults for 0 fields") {
		struct kludge k = kludge_ok;

		img = kludge_build(&k);
		CHECK(load(img, k.len, &gm) == 0, "load: %s", err);
		CHECK(im.entry == k.entry && im.load_start == k.load_addr &&
		      im.load_end == k.bss_end, "entry 0x%x range 0x%x-0x%x", im.entry,
		      im.load_start, im.load_end);
		bytes_equal(&gm, k.load_addr, img, k.len, "image");
		bytes_are(&gm, k.load_end, k.bss_end - k.load_end, 0, "bss");
		bytes_are(&gm, k.bss_end, 4 * KiB, FILL, "above");
		bytes_are(&gm, k.load_addr - 4 * KiB, 4 * KiB, FILL, "below");
		free(img);
		memset(gm.base, FILL, gm.size);

		/* Header 0x80 into a file loaded from 0x40: the file's first bytes skipped. */
		k = kludge_ok;
		k.hoff = 0x80;
		k.header_addr = 0x100040;
		k.load_end = 0x100000 + 0x400 - 0x40;
		k.bss_end = 0;                  /* no bss */
		k.entry = 0x100100;
		img = kludge_build(&k);
		CHECK(load(img, k.len, &gm) == 0, "load: %s", err);
		CHECK(im.load_end == k.load_end, "load_end 0x%x", im.load_end);
		bytes_equal(&gm, k.load_addr, img + 0x40, k.len - 0x40, "image");
		bytes_are(&gm, k.load_end, 4 * KiB, FILL, "above");
		free(img);
		memset(gm.base, FILL, gm.size);

		/* load_end_addr 0: the rest of the file. */
		k = kludge_ok;
		k.load_end = 0;
		k.bss_end = 0;
		img = kludge_build(&k);
		CHECK(load(img, k.len, &gm) == 0, "load: %s", err);
		CHECK(im.load_end == k.load_addr + k.len, "load_end 0x%x", im.load_end);
		bytes_equal(&gm, k.load_addr, img, k.len, "image");
		free(img);
		memset(gm.base, FILL, gm.size);

		/* Right up to the end of guest RAM. */
		k = kludge_ok;
		k.load_addr = (uint32_t)gm.size - 0x2000;
		k.header_addr = k.load_addr + 0x20;
		k.load_end = k.load_addr + 0x400;
		k.bss_end = (uint32_t)gm.size;
		k.entry = k.load_addr + 0x40;
		img = kludge_build(&k);
		CHECK(load(img, k.len, &gm) == 0, "load at the top of RAM: %s", err);
		bytes_are(&gm, k.load_end, k.bss_end - k.load_end, 0, "bss");
		free(img);
		memset(gm.base, FILL, gm.size);
	}

	TEST("synthetic ELF32 and ELF64: segments at their physical addresses") {
		int is64;

		for (is64 = 0; is64 <= 1; is64++) {
			struct elf e = elf_ok(is64);

			img = elf_build(&e);
			if (!CHECK(load(img, e.len, &gm) == 0, "ELF%d: %s", is64 ? 64 : 32, err)) {
				free(img);
				continue;
			}
			CHECK(!strcmp(im.format, is64 ? "ELF64" : "ELF32"), "format %s", im.format);
			CHECK(im.header_flags == 3, "flags 0x%x", im.header_flags);
			CHECK(im.entry == 0x200010, "entry 0x%x", im.entry);
			CHECK(im.load_start == 0x200000 && im.load_end == 0x302100,
			      "ELF%d: range 0x%x-0x%x", is64 ? 64 : 32, im.load_start, im.load_end);
			bytes_equal(&gm, 0x200000, img + 0x200, 0x300, "segment A");
			bytes_equal(&gm, 0x300000, img + 0x500, 0x100, "segment B");
			bytes_are(&gm, 0x300100, 0x2000, 0, "segment B bss");
			bytes_are(&gm, 0x200300, 0x300000 - 0x200300, FILL, "between segments");
			bytes_are(&gm, 0x302100, 4 * KiB, FILL, "above");
			bytes_are(&gm, 0x1ff000, 4 * KiB, FILL, "below");
			bytes_are(&gm, 0, 0x100, FILL, "the note's paddr");
			truncations(img, e.len, e.len, &gm, is64 ? "ELF64" : "ELF32");
			free(img);
			memset(gm.base, FILL, gm.size);
		}
	}

	TEST("an empty PT_LOAD (memsz 0, at 0) is no part of the image's range") {
		int is64;

		for (is64 = 0; is64 <= 1; is64++) {
			struct elf e = elf_ok(is64);

			e.ph[1] = (struct seg){ PT_LOAD, 0, 0, 0, 0 };
			img = elf_build(&e);
			CHECK(load(img, e.len, &gm) == 0, "ELF%d: %s", is64 ? 64 : 32, err);
			CHECK(im.load_start == 0x200000 && im.load_end == 0x302100,
			      "ELF%d: range 0x%x-0x%x", is64 ? 64 : 32, im.load_start, im.load_end);
			free(img);
			memset(gm.base, FILL, gm.size);
		}
	}

	TEST("refused: no header, header past 8 KiB, bad checksum") {
		struct kludge k = kludge_ok;
		uint8_t junk[0x3000];

		pattern(junk, sizeof(junk));
		refused(junk, sizeof(junk), &gm, "no header", "Multiboot");
		refused(junk, 0, &gm, "empty image", "Multiboot");
		memcpy(junk, ELFMAG, SELFMAG);
		refused(junk, sizeof(junk), &gm, "ELF without a header", "Multiboot");

		k.len = 0x2400;
		k.hoff = 0x2000;
		k.header_addr = k.load_addr + k.hoff;
		k.load_end = k.load_addr + k.len;
		kludge_refused(&k, &gm, "header at 8 KiB", "Multiboot");
		k.hoff = 0x1ffc;                /* magic inside, the rest outside */
		k.header_addr = k.load_addr + k.hoff;
		kludge_refused(&k, &gm, "header across 8 KiB", "Multiboot");

		k = kludge_ok;
		k.checksum_delta = 1;
		kludge_refused(&k, &gm, "bad checksum", "Multiboot");
		k.hoff = 0x1;                   /* not 4-byte aligned */
		k.checksum_delta = 0;
		k.header_addr = k.load_addr + 1;
		kludge_refused(&k, &gm, "unaligned header", "Multiboot");
	}

	TEST("refused: requirement bits the loader does not honour") {
		struct kludge k = kludge_ok;
		struct elf e = elf_ok(0);
		unsigned bit;
		char what[48];

		k.flags = MB_KLUDGE | 3 | (1u << 2);
		kludge_refused(&k, &gm, "video mode", "video");
		for (bit = 3; bit <= 15; bit++) {
			snprintf(what, sizeof(what), "required bit %u", bit);
			k.flags = MB_KLUDGE | (1u << bit);
			kludge_refused(&k, &gm, what, "0x");
			e.mb_flags = 1u << bit;
			elf_refused(&e, &gm, what, "0x");
		}
		/* Optional bits above 16 are no reason to refuse. */
		k.flags = MB_KLUDGE | 3 | (1u << 20);
		img = kludge_build(&k);
		CHECK(load(img, k.len, &gm) == 0, "optional bit 20: %s", err);
		free(img);
	}

	TEST("refused: a.out-kludge addresses that do not fit the file") {
		struct kludge k;

		k = kludge_ok;
		k.header_addr = k.load_addr - 0x20;
		kludge_refused(&k, &gm, "header_addr < load_addr", "header_addr");
		k = kludge_ok;
		k.header_addr = k.load_addr + 0x40;     /* would start before the file */
		kludge_refused(&k, &gm, "load_addr before the file", "header_addr");
		k = kludge_ok;
		k.load_end = k.load_addr + k.len + 1;
		kludge_refused(&k, &gm, "load_end beyond the file", "load_end");
		k.load_end = k.load_addr + 0x10000000;
		kludge_refused(&k, &gm, "load_end far beyond the file", "load_end");
		k.load_end = k.load_addr - 1;
		kludge_refused(&k, &gm, "load_end below load_addr", "load_end");
		k = kludge_ok;
		k.bss_end = k.load_end - 4;
		kludge_refused(&k, &gm, "bss_end < load_end", "bss_end");
		k = kludge_ok;
		k.entry = k.load_addr - 1;
		kludge_refused(&k, &gm, "entry below the image", "entry");
		k.entry = k.load_end;
		kludge_refused(&k, &gm, "entry in the bss", "entry");
		k.entry = 0xffffffff;
		kludge_refused(&k, &gm, "entry far away", "entry");
		k = kludge_ok;
		k.len = 0x30;                   /* header cut short by the file */
		k.hoff = 0x18;
		k.header_addr = k.load_addr + 0x18;
		k.load_end = 0;
		k.bss_end = 0;
		k.entry = k.load_addr;
		kludge_refused(&k, &gm, "header cut short", "a.out");
	}

	TEST("a kernel below 1 MiB loads where it says, as on bare metal") {
		static const uint32_t at[] = { 0x8000, 0x10000, 0x80000, 0, 0x9f000 - 0x1800 };
		unsigned i;

		for (i = 0; i < ARRAY_SIZE(at); i++) {
			struct kludge k = kludge_ok;

			k.load_addr = at[i];
			k.header_addr = k.load_addr + 0x20;
			k.load_end = k.load_addr + 0x400;
			k.bss_end = k.load_addr + 0x1800;       /* the last ends at the hole */
			k.entry = k.load_addr + 0x40;
			img = kludge_build(&k);
			if (CHECK(load(img, k.len, &gm) == 0, "at 0x%x: %s", at[i], err)) {
				CHECK(im.load_start == k.load_addr && im.load_end == k.bss_end &&
				      im.entry == k.entry, "at 0x%x: 0x%x-0x%x entry 0x%x", at[i],
				      im.load_start, im.load_end, im.entry);
				bytes_equal(&gm, k.load_addr, img, k.len, "low image");
				bytes_are(&gm, k.load_end, k.bss_end - k.load_end, 0, "low bss");
				bytes_are(&gm, k.bss_end, 0x800, FILL, "above the low image");
			}
			free(img);
			memset(gm.base, FILL, gm.size);
		}
	}

	TEST("refused: a kernel over the memory map's hole or beyond guest RAM") {
		struct kludge k;

		k = kludge_ok;
		k.load_addr = 0x9e000;          /* bss runs into the hole */
		k.header_addr = k.load_addr + 0x20;
		k.load_end = k.load_addr + 0x400;
		k.bss_end = k.load_addr + 0x1001;
		k.entry = k.load_addr + 0x40;
		kludge_refused(&k, &gm, "into the hole", "reserved");
		k.load_addr = 0xa0000;          /* inside it */
		k.header_addr = k.load_addr + 0x20;
		k.load_end = k.load_addr + 0x400;
		k.bss_end = k.load_addr + 0x1800;
		k.entry = k.load_addr + 0x40;
		kludge_refused(&k, &gm, "in the hole", "reserved");
		k.load_addr = 0xff000;          /* straddles 1 MiB */
		k.header_addr = k.load_addr + 0x20;
		k.load_end = k.load_addr + 0x400;
		k.bss_end = k.load_addr + 0x1800;
		k.entry = k.load_addr + 0x40;
		kludge_refused(&k, &gm, "straddling 1 MiB", "guest RAM");
		k.load_addr = 0x90000;          /* low memory, over the hole, into high */
		k.header_addr = k.load_addr + 0x20;
		k.load_end = k.load_addr + 0x400;
		k.bss_end = 0x180000;
		k.entry = k.load_addr + 0x40;
		kludge_refused(&k, &gm, "across the hole", "reserved");
		k = kludge_ok;
		k.bss_end = (uint32_t)gm.size + 1;
		kludge_refused(&k, &gm, "bss past RAM", "guest RAM");
		k.load_addr = (uint32_t)gm.size;
		k.header_addr = k.load_addr + 0x20;
		k.load_end = k.load_addr + 0x400;
		k.bss_end = 0;
		k.entry = k.load_addr + 0x40;
		kludge_refused(&k, &gm, "at the end of RAM", "guest RAM");
		k.load_addr = 0xfffffc00;       /* end wraps 32 bits */
		k.header_addr = k.load_addr + 0x20;
		k.load_end = 0;
		k.entry = k.load_addr + 0x40;
		kludge_refused(&k, &gm, "near 4 GiB", "guest RAM");
	}

	TEST("refused: truncated a.out-kludge image, every length") {
		struct kludge k = kludge_ok;

		img = kludge_build(&k);
		truncations(img, k.len, k.len, &gm, "kludge");
		free(img);
		memset(gm.base, FILL, gm.size);
	}

	TEST("refused: malformed ELF headers") {
		int is64;

		for (is64 = 0; is64 <= 1; is64++) {
			struct elf e;

			e = elf_ok(is64);
			e.machine = is64 ? EM_386 : EM_X86_64;
			elf_refused(&e, &gm, "other class's machine", "machine");
			e.machine = EM_ARM;
			elf_refused(&e, &gm, "ARM", "machine");
			e = elf_ok(is64);
			e.cls = ELFCLASSNONE;
			elf_refused(&e, &gm, "class 0", "class");
			e.cls = 3;
			elf_refused(&e, &gm, "class 3", "class");
			e = elf_ok(is64);
			e.data = ELFDATA2MSB;
			elf_refused(&e, &gm, "big-endian", "endian");

			e = elf_ok(is64);
			e.phoff = e.len;
			elf_refused(&e, &gm, "phdrs at the end", "program headers");
			e.phoff = e.len - 8;
			elf_refused(&e, &gm, "phdrs across the end", "program headers");
			e.phoff = is64 ? 0xffffffffffffff00ull : 0xffffff00u;
			elf_refused(&e, &gm, "phoff huge", "program headers");
			e = elf_ok(is64);
			e.phnum = 0xffff;
			elf_refused(&e, &gm, "phnum huge", "program headers");
			e = elf_ok(is64);
			e.phentsize = 16;
			elf_refused(&e, &gm, "phentsize too small", "program headers");
		}
	}

	TEST("refused: ELF segments and entry") {
		int is64;

		for (is64 = 0; is64 <= 1; is64++) {
			struct elf e;

			e = elf_ok(is64);
			e.ph[2].offset = e.len + 0x100;
			elf_refused(&e, &gm, "segment offset past the end", "segment");
			e = elf_ok(is64);
			e.ph[2].filesz = e.ph[2].memsz = 0x101;
			elf_refused(&e, &gm, "segment one byte past the end", "segment");
			e = elf_ok(is64);
			e.ph[0].offset = is64 ? 0xffffffffffffff00ull : 0xffffff00u;
			elf_refused(&e, &gm, "segment offset wraps", "segment");
			e = elf_ok(is64);
			e.ph[0].filesz = 0x301;
			elf_refused(&e, &gm, "filesz > memsz", "segment");

			e = elf_ok(is64);
			e.ph[0].type = e.ph[2].type = PT_NOTE;
			elf_refused(&e, &gm, "no PT_LOAD", "PT_LOAD");
			e = elf_ok(is64);
			e.phnum = 0;
			elf_refused(&e, &gm, "no program headers", "PT_LOAD");

			e = elf_ok(is64);
			e.entry = 0x1ffffc;
			elf_refused(&e, &gm, "entry below the segments", "entry");
			e.entry = 0x302100;
			elf_refused(&e, &gm, "entry above the segments", "entry");
			e.entry = 0x280000;
			elf_refused(&e, &gm, "entry between the segments", "entry");
			if (is64) {
				e.entry = 0x100000200010ull;
				elf_refused(&e, &gm, "entry above 4 GiB", "entry");
			}

			e = elf_ok(is64);
			e.ph[0].paddr = 0xa0000;
			e.entry = 0x300000;
			elf_refused(&e, &gm, "segment in the hole", "reserved");
			e.ph[0].paddr = 0x9ff00;
			elf_refused(&e, &gm, "segment into the hole", "reserved");
			e = elf_ok(is64);
			e.ph[0].paddr = 0x8000;
			e.entry = 0x8010;
			img = elf_build(&e);
			CHECK(load(img, e.len, &gm) == 0 && im.load_start == 0x8000 &&
			      im.entry == 0x8010, "ELF%d segment at 0x8000: %s", is64 ? 64 : 32,
			      err);
			free(img);
			e = elf_ok(is64);
			e.ph[2].paddr = gm.size - 0x100;
			elf_refused(&e, &gm, "segment bss past RAM", "guest RAM");
			e = elf_ok(is64);
			e.ph[2].paddr = is64 ? 0x100300000ull : 0xfff00000u;
			elf_refused(&e, &gm, "segment far above RAM", "guest RAM");
			if (is64) {
				e = elf_ok(1);
				e.ph[2].memsz = 0xffffffffffff0000ull;
				elf_refused(&e, &gm, "memsz wraps", "guest RAM");
			}
		}
		memset(gm.base, FILL, gm.size);
	}

	guest_free(&gm);

	TEST("info block: 64 MiB guest, cmdline, two modules, read back") {
		static const struct mb_mmap_entry want_map[3] = {
			{ 20, 0, 0x9f000, 1 },
			{ 20, 0x9f000, 0x100000 - 0x9f000, 2 },
			{ 20, 0x100000, 64 * MiB - 0x100000, 1 },
		};
		uint8_t *d1 = malloc(5000), *d2 = malloc(12345);
		struct mb_module_src mods[2] = {
			{ d1, 5000, "mod-one a=1" },
			{ d2, 12345, "second module" },
		};
		const uint32_t image_end = 0x118000;
		uint32_t info;
		const struct mb_info *mi;
		unsigned i;

		gm = guest_new(64 * MiB);
		pattern(d1, 5000);
		for (i = 0; i < 12345; i++)
			d2[i] = (uint8_t)(i ^ (i >> 8));
		CHECK(build(&gm, "pv=native tests=all", mods, 2, image_end, &info) == 0,
		      "build: %s", err);
		CHECK(info >= MB_INFO_GPA && info + sizeof(struct mb_info) <= MB_INFO_AREA_END &&
		      !(info & 7), "info at 0x%x", info);
		mi = (const struct mb_info *)(gm.base + info);
		CHECK(mi->mods_count == 2 && mi->mmap_length == 3 * 24,
		      "mods_count %u mmap_length %u", mi->mods_count, mi->mmap_length);
		CHECK(mi->mods_addr >= MB_INFO_GPA && mi->mods_addr < MB_INFO_AREA_END &&
		      mi->mmap_addr >= MB_INFO_GPA && mi->mmap_addr < MB_INFO_AREA_END,
		      "lists outside the info area: mods 0x%x mmap 0x%x", mi->mods_addr,
		      mi->mmap_addr);
		if (parse_back(&gm, info)) {
			CHECK(bi.flags == (MB_INFO_MEM | MB_INFO_CMDLINE | MB_INFO_MODS |
					   MB_INFO_MMAP | MB_INFO_LOADER_NAME),
			      "flags 0x%x", bi.flags);
			CHECK(bi.mem_lower == 636, "mem_lower %u", bi.mem_lower);
			CHECK(bi.mem_upper == (64 * MiB - MiB) / 1024, "mem_upper %u", bi.mem_upper);
			CHECK(!strcmp(bi.cmdline, "pv=native tests=all"), "cmdline '%s'", bi.cmdline);
			CHECK(!strcmp(bi.loader, "minivmx-hv"), "loader '%s'", bi.loader);
			if (CHECK(bi.nr_map == 3, "%u map entries", bi.nr_map))
				for (i = 0; i < 3; i++)
					CHECK(bi.map[i].base == want_map[i].base &&
					      bi.map[i].len == want_map[i].len &&
					      bi.map[i].type == want_map[i].type,
					      "map %u: 0x%llx+0x%llx type %u", i,
					      (unsigned long long)bi.map[i].base,
					      (unsigned long long)bi.map[i].len, bi.map[i].type);
			CHECK(bi.usable_bytes == 64 * MiB - (0x100000 - 0x9f000),
			      "usable 0x%llx", (unsigned long long)bi.usable_bytes);
			check_modules(&gm, mods, 2, image_end);
		}
		bytes_are(&gm, 0, MB_INFO_GPA, FILL, "below the info block");
		bytes_are(&gm, image_end, 16 * MiB, FILL, "above the kernel");
		free(d1);
		free(d2);
		guest_free(&gm);
	}

	TEST("info block: no modules, 16 modules, modules that just fit") {
		static uint8_t data[16][0x1000];
		static char names[16][16];
		struct mb_module_src mods[17];
		uint32_t info;
		unsigned i;

		for (i = 0; i < 16; i++) {
			memset(data[i], (int)i + 1, sizeof(data[i]));
			snprintf(names[i], sizeof(names[i]), "m%u", i);
			mods[i].data = data[i];
			mods[i].len = 0x800 + i;
			mods[i].cmdline = names[i];
		}
		mods[16] = mods[0];

		gm = guest_new(8 * MiB);
		CHECK(build(&gm, "", NULL, 0, 0x200000, &info) == 0, "no modules: %s", err);
		if (parse_back(&gm, info)) {
			CHECK(bi.nr_modules == 0, "%u modules", bi.nr_modules);
			CHECK(bi.cmdline[0] == 0, "cmdline '%s'", bi.cmdline);
		}

		memset(gm.base, FILL, gm.size);
		CHECK(build(&gm, "x", mods, 16, 0x200000, &info) == 0, "16 modules: %s", err);
		if (parse_back(&gm, info))
			check_modules(&gm, mods, 16, 0x200000);

		/* 0x1000 + 0x2000 bytes exactly into the top 0x3000. */
		memset(gm.base, FILL, gm.size);
		mods[0].len = 0x1000;
		mods[1].len = 0x2000;
		mods[1].data = data[0];         /* 0x2000 readable bytes: data[0..1] */
		CHECK(build(&gm, "x", mods, 2, (uint32_t)gm.size - 0x3000, &info) == 0,
		      "exact fit: %s", err);
		if (parse_back(&gm, info))
			check_modules(&gm, mods, 2, (uint32_t)gm.size - 0x3000);
		guest_free(&gm);
	}

	TEST("info block refused: modules that do not fit, too many, small RAM, long lines") {
		static uint8_t data[0x3000];
		struct mb_module_src mods[17];
		uint32_t info;
		unsigned i;
		char *longline;

		for (i = 0; i < 17; i++) {
			mods[i].data = data;
			mods[i].len = 0x100;
			mods[i].cmdline = "m";
		}
		gm = guest_new(8 * MiB);
		mods[0].len = 0x2000;
		CHECK(build(&gm, "x", mods, 1, (uint32_t)gm.size - 0x1000, &info) == -1 &&
		      strstr(err, "module"), "module above image_end accepted (%s)", err);
		mods[0].len = 0x2000;
		mods[1].len = 0x2000;
		CHECK(build(&gm, "x", mods, 2, (uint32_t)gm.size - 0x3000, &info) == -1 &&
		      strstr(err, "module"), "two modules over image_end accepted (%s)", err);
		mods[0].len = 0x3000;
		mods[1].len = 0x2000;
		CHECK(build(&gm, "x", mods, 1, (uint32_t)gm.size - 0x2fff, &info) == -1,
		      "module one byte too big accepted");
		/* Fits below the top, but not once aligned down to its page. */
		mods[0].len = 0x1400;
		CHECK(build(&gm, "x", mods, 1, (uint32_t)gm.size - 0x1800, &info) == -1 &&
		      strstr(err, "module"), "module aligned down below image_end accepted (%s)",
		      err);
		mods[0].len = gm.size + 1;      /* never read: refused first */
		CHECK(build(&gm, "x", mods, 1, 0x200000, &info) == -1 && strstr(err, "module"),
		      "module larger than RAM accepted (%s)", err);
		mods[0].len = 0x100;
		mods[1].len = 0x100;
		CHECK(build(&gm, "x", mods, 17, 0x200000, &info) == -1 && strstr(err, "16"),
		      "17 modules accepted (%s)", err);

		longline = malloc(MB_INFO_AREA_END);
		memset(longline, 'x', MB_INFO_AREA_END - 1);
		longline[MB_INFO_AREA_END - 1] = 0;
		CHECK(build(&gm, longline, mods, 1, 0x200000, &info) == -1 &&
		      strstr(err, "command line"), "huge cmdline accepted (%s)", err);
		longline[(MB_INFO_AREA_END - MB_INFO_GPA) / 2] = 0;
		mods[0].cmdline = mods[1].cmdline = longline;
		CHECK(build(&gm, "x", mods, 2, 0x200000, &info) == -1 &&
		      strstr(err, "command line"), "huge module cmdlines accepted (%s)", err);
		free(longline);
		guest_free(&gm);

		gm = guest_new(512 * KiB);
		CHECK(build(&gm, "x", NULL, 0, 0, &info) == -1 && strstr(err, "guest RAM"),
		      "512 KiB guest accepted (%s)", err);
		guest_free(&gm);
		gm = guest_new(MiB);
		CHECK(build(&gm, "x", NULL, 0, 0, &info) == -1 && strstr(err, "guest RAM"),
		      "1 MiB guest (no upper memory) accepted (%s)", err);
		guest_free(&gm);
		gm = guest_new(2 * MiB);
		gm.size = 0x100001000ull;       /* over 4 GiB: refused before any write */
		CHECK(build(&gm, "x", NULL, 0, 0, &info) == -1 && strstr(err, "guest RAM"),
		      "guest over 4 GiB accepted (%s)", err);
		guest_free(&gm);
	}

	TEST("info block beside a kernel in low memory, modules above 1 MiB") {
		static const struct { uint32_t start, end, info; } cases[] = {
			{ 0x8000, 0x9000, MB_INFO_GPA },        /* clear of it */
			{ 0x0, 0x800, MB_INFO_GPA },            /* page 0 only */
			{ 0x1000, 0x3000, 0x3000 },             /* on it: after the kernel */
			{ 0x0, 0x20001, 0x21000 },              /* over it: the next page */
			{ 0x4fff, 0x9a000, 0x9a000 },           /* just fits below the hole */
			{ 0x100000, 0x200000, MB_INFO_GPA },    /* the usual */
		};
		static uint8_t data[0x3000];
		struct mb_module_src mods[2] = { { data, 0x2000, "m0" }, { data, 0x1234, "m1" } };
		uint32_t info;
		unsigned i;

		gm = guest_new(8 * MiB);
		for (i = 0; i < ARRAY_SIZE(cases); i++) {
			memset(gm.base, FILL, gm.size);
			if (!CHECK(build_at(&gm, "low", mods, 2, cases[i].start, cases[i].end,
					    &info) == 0, "kernel 0x%x-0x%x: %s", cases[i].start,
				   cases[i].end, err))
				continue;
			CHECK(info == cases[i].info, "kernel 0x%x-0x%x: info at 0x%x, want 0x%x",
			      cases[i].start, cases[i].end, info, cases[i].info);
			/* Nothing written over the kernel: all it holds is still FILL. */
			bytes_are(&gm, cases[i].start, cases[i].end - cases[i].start, FILL,
				  "the kernel's bytes");
			if (parse_back(&gm, info)) {
				CHECK(!strcmp(bi.cmdline, "low"), "cmdline '%s'", bi.cmdline);
				check_modules(&gm, mods, 2, cases[i].end);
				for (unsigned j = 0; j < bi.nr_modules; j++)
					CHECK(bi.modules[j].start >= GUEST_HIGH_START,
					      "module %u at 0x%x, below 1 MiB", j, bi.modules[j].start);
			}
		}

		/* No 16 KiB of low memory left beside the kernel. */
		CHECK(build_at(&gm, "x", NULL, 0, 0x800, 0x9c000, &info) == -1 &&
		      strstr(err, "no room for the Multiboot info block"),
		      "kernel over low memory accepted (%s)", err);
		CHECK(build_at(&gm, "x", NULL, 0, 0x4000, 0x9b001, &info) == -1 &&
		      strstr(err, "no room"), "12 KiB before, 16 KiB less a byte after (%s)", err);
		/* A module that would reach below 1 MiB under a low kernel. */
		mods[0].len = gm.size - GUEST_HIGH_START + 0x1000;
		mods[0].data = malloc(mods[0].len);
		memset((void *)mods[0].data, 1, mods[0].len);
		CHECK(build_at(&gm, "x", mods, 1, 0x8000, 0x9000, &info) == -1 &&
		      strstr(err, "module"), "module reaching below 1 MiB accepted (%s)", err);
		free((void *)mods[0].data);
		guest_free(&gm);
	}

	TEST("info block: the guest's line goes on as given, path or none") {
		static const char *const lines[] = {
			"build/guest.elf pv.report tests=irq",  /* QEMU, Bochs */
			"pv.report tests=irq",                  /* GRUB 2 module */
			"tftp://10.0.2.2/guest.elf tests=all",  /* iPXE */
			"  guest.elf  ",
		};
		char line511[BOOT_CMDLINE_MAX];
		uint32_t info;
		unsigned i;

		gm = guest_new(8 * MiB);
		for (i = 0; i < ARRAY_SIZE(lines); i++) {
			memset(gm.base, FILL, gm.size);
			CHECK(build(&gm, lines[i], NULL, 0, 0x200000, &info) == 0, "'%s': %s",
			      lines[i], err);
			if (parse_back(&gm, info))
				CHECK(!strcmp(bi.cmdline, lines[i]), "'%s' came back '%s'",
				      lines[i], bi.cmdline);
		}
		/* The longest the hypervisor keeps, whole, is the longest the guest does. */
		memset(line511, 'x', sizeof(line511) - 1);
		line511[sizeof(line511) - 1] = 0;
		memset(gm.base, FILL, gm.size);
		CHECK(build(&gm, line511, NULL, 0, 0x200000, &info) == 0, "511: %s", err);
		if (parse_back(&gm, info))
			CHECK(!strcmp(bi.cmdline, line511), "511 came back as %zu",
			      strlen(bi.cmdline));
		guest_free(&gm);
	}

	return check_summary();
}
