/*
 * guest_load.c - the hypervisor's Multiboot v1 loader for its guest.
 *
 * Environment: hypervisor at boot; pure logic, also in the host tests.
 * Every offset and length from the image is checked before use: a corrupt
 * guest image is a clear error, never a fault in the hypervisor.
 */
/* SPDX-License-Identifier: MIT */
#include "guest_load.h"
#include "hv.h"
#include "lib.h"
#include "multiboot.h"

#define MB_HEADER_MAGIC         0x1badb002u
#define MB_SEARCH               8192u
#define MB_FLAG_PAGE_ALIGN      (1u << 0)
#define MB_FLAG_MEMINFO         (1u << 1)
#define MB_FLAG_VIDEO           (1u << 2)
#define MB_FLAG_AOUT_KLUDGE     (1u << 16)
#define MB_REQ_UNDERSTOOD       (MB_FLAG_PAGE_ALIGN | MB_FLAG_MEMINFO)

struct mb_header {
	uint32_t magic, flags, checksum;
	uint32_t header_addr, load_addr, load_end_addr, bss_end_addr, entry_addr;
};

/* ELF (System V ABI, 4.1 and the x86-64 supplement). */
#define EM_386          3
#define EM_X86_64       62
#define PT_LOAD         1

#define ERR(...) (snprintf(err, errlen, __VA_ARGS__), -1)

static uint32_t rd32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static uint16_t rd16(const uint8_t *p) { uint16_t v; memcpy(&v, p, 2); return v; }
static uint64_t rd64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; }

/*
 * Is [gpa, gpa+len) RAM by the guest's memory map (guest_load.h)? If not,
 * err says why, after what ("kernel at ...").
 */
static int in_ram(const struct guest_mem *gm, uint64_t gpa, uint64_t len,
		  const char *what, char *err, size_t errlen)
{
	uint64_t end = gpa + len;

	if (end < gpa || end > gm->size)
		return ERR("%s at 0x%lx-0x%lx is not in guest RAM: it ends past RAM's end 0x%lx",
			   what, (unsigned long)gpa, (unsigned long)end, (unsigned long)gm->size);
	if (gpa < GUEST_HIGH_START && end > GUEST_LOW_END && len)
		return ERR("%s at 0x%lx-0x%lx is not in guest RAM: it overlaps the reserved "
			   "[0x%x, 0x%x) of the memory map", what, (unsigned long)gpa,
			   (unsigned long)end, GUEST_LOW_END, GUEST_HIGH_START);
	return 0;
}

static int find_header(const uint8_t *img, uint64_t len, struct mb_header *h,
		       uint32_t *offset)
{
	uint64_t off, end = len < MB_SEARCH ? len : MB_SEARCH;

	for (off = 0; off + 12 <= end; off += 4) {
		if (rd32(img + off) != MB_HEADER_MAGIC)
			continue;
		if ((uint32_t)(rd32(img + off) + rd32(img + off + 4) + rd32(img + off + 8)))
			continue;       /* magic, but not a valid header */
		memset(h, 0, sizeof(*h));
		memcpy(h, img + off, off + sizeof(*h) <= len ? sizeof(*h) : 12);
		*offset = (uint32_t)off;
		return 0;
	}
	return -1;
}

static int load_kludge(const uint8_t *img, uint64_t len, const struct mb_header *h,
		       uint32_t hoff, const struct guest_mem *gm, struct mb_image *out,
		       char *err, size_t errlen)
{
	uint64_t file_off, copy, end, bss_end;

	if (hoff + sizeof(*h) > len)
		return ERR("a.out-kludge header cut short by the end of the image");
	if (h->header_addr < h->load_addr || h->header_addr - h->load_addr > hoff)
		return ERR("header_addr 0x%x / load_addr 0x%x do not fit the image",
			   h->header_addr, h->load_addr);
	file_off = hoff - (h->header_addr - h->load_addr);
	end = h->load_end_addr ? h->load_end_addr : h->load_addr + (len - file_off);
	if (end < h->load_addr || file_off + (end - h->load_addr) > len)
		return ERR("load_end_addr 0x%lx lies beyond the image's %lu bytes",
			   end, (unsigned long)len);
	bss_end = h->bss_end_addr ? h->bss_end_addr : end;
	if (bss_end < end)
		return ERR("bss_end_addr 0x%lx below load_end_addr 0x%lx", bss_end, end);
	if (in_ram(gm, h->load_addr, bss_end - h->load_addr, "kernel", err, errlen))
		return -1;
	if (h->entry_addr < h->load_addr || h->entry_addr >= end)
		return ERR("entry_addr 0x%x outside the loaded image", h->entry_addr);
	copy = end - h->load_addr;
	memcpy(gm->base + h->load_addr, img + file_off, copy);
	memset(gm->base + end, 0, bss_end - end);
	out->entry = h->entry_addr;
	out->load_start = h->load_addr;
	out->load_end = (uint32_t)bss_end;
	out->format = "a.out kludge";
	return 0;
}

static int load_elf(const uint8_t *img, uint64_t len, const struct guest_mem *gm,
		    struct mb_image *out, char *err, size_t errlen)
{
	int is64, entry_loaded = 0;
	uint64_t phoff, entry, lo = ~0ul, hi = 0;
	unsigned phnum, phentsize, i;

	if (len < 52 || memcmp(img, "\177ELF", 4))
		return ERR("neither an a.out-kludge header nor an ELF image");
	if (img[4] != 1 && img[4] != 2)
		return ERR("ELF class %u is neither 32- nor 64-bit", img[4]);
	is64 = img[4] == 2;
	if (img[5] != 1)
		return ERR("ELF image is not little-endian");
	if (rd16(img + 18) != (is64 ? EM_X86_64 : EM_386))
		return ERR("ELF machine %u is not x86", rd16(img + 18));
	if (is64 && len < 64)
		return ERR("ELF64 header cut short");
	entry = is64 ? rd64(img + 24) : rd32(img + 24);
	phoff = is64 ? rd64(img + 32) : rd32(img + 28);
	phentsize = rd16(img + (is64 ? 54 : 42));
	phnum = rd16(img + (is64 ? 56 : 44));
	if (phentsize < (is64 ? 56u : 32u) || phoff > len ||
	    (uint64_t)phnum * phentsize > len - phoff)
		return ERR("ELF program headers lie outside the image");

	for (i = 0; i < phnum; i++) {
		const uint8_t *ph = img + phoff + (uint64_t)i * phentsize;
		uint64_t off, paddr, filesz, memsz;

		if (rd32(ph) != PT_LOAD)
			continue;
		off = is64 ? rd64(ph + 8) : rd32(ph + 4);
		paddr = is64 ? rd64(ph + 24) : rd32(ph + 12);
		filesz = is64 ? rd64(ph + 32) : rd32(ph + 16);
		memsz = is64 ? rd64(ph + 40) : rd32(ph + 20);
		if (filesz > memsz || off > len || filesz > len - off)
			return ERR("ELF segment %u lies outside the image", i);
		if (memsz == 0)
			continue;       /* occupies no memory: not part of the image's range */
		if (in_ram(gm, paddr, memsz, "ELF segment", err, errlen))
			return -1;
		memcpy(gm->base + paddr, img + off, filesz);
		memset(gm->base + paddr + filesz, 0, memsz - filesz);
		if (paddr < lo)
			lo = paddr;
		if (paddr + memsz > hi)
			hi = paddr + memsz;
		if (entry >= paddr && entry - paddr < memsz)
			entry_loaded = 1;
	}
	if (hi == 0)
		return ERR("ELF image has no PT_LOAD segment");
	if (!entry_loaded || entry > 0xffffffffu)
		return ERR("ELF entry 0x%lx outside the loaded segments", entry);
	out->entry = (uint32_t)entry;
	out->load_start = (uint32_t)lo;
	out->load_end = (uint32_t)hi;
	out->format = is64 ? "ELF64" : "ELF32";
	return 0;
}

int mb_load_image(const uint8_t *img, uint64_t len, const struct guest_mem *gm,
		  struct mb_image *out, char *err, size_t errlen)
{
	struct mb_header h;
	uint32_t hoff, unknown;

	memset(out, 0, sizeof(*out));
	if (find_header(img, len, &h, &hoff))
		return ERR("no Multiboot v1 header in the first 8 KiB of the guest image "
			   "(%lu bytes)", (unsigned long)len);
	out->header_flags = h.flags;
	/* Spec 3.1.2: a loader must refuse requirements it does not know. */
	unknown = h.flags & 0xffff & ~MB_REQ_UNDERSTOOD;
	if (unknown)
		return ERR("the image requires Multiboot features 0x%x this loader lacks%s",
			   unknown, unknown & MB_FLAG_VIDEO ? " (video mode)" : "");
	if (h.flags & MB_FLAG_AOUT_KLUDGE)
		return load_kludge(img, len, &h, hoff, gm, out, err, errlen);
	return load_elf(img, len, gm, out, err, errlen);
}

/* Bump allocator over the info area, for the block and its strings. */
struct info_area {
	const struct guest_mem *gm;
	uint32_t next, end;
};

static uint32_t area_alloc(struct info_area *a, uint32_t len, uint32_t align)
{
	uint32_t at = (a->next + align - 1) & ~(align - 1);

	if (at < a->next || at > a->end || len > a->end - at)
		return 0;
	a->next = at + len;
	return at;
}

static uint32_t area_string(struct info_area *a, const char *s)
{
	uint32_t len = (uint32_t)strlen(s) + 1, at = area_alloc(a, len, 1);

	if (at)
		memcpy(a->gm->base + at, s, len);
	return at;
}

/*
 * Where the info area goes: at MB_INFO_GPA unless the kernel lies there,
 * else on the first page after the kernel, in low memory both ways.
 */
static int info_area_place(uint32_t image_start, uint32_t image_end, uint32_t *at,
			   char *err, size_t errlen)
{
	uint32_t a = MB_INFO_GPA;

	if (image_start < a + MB_INFO_AREA_SIZE && image_end > a)
		a = (image_end + 0xfffu) & ~0xfffu;
	if (a < MB_INFO_GPA || a > GUEST_LOW_END - MB_INFO_AREA_SIZE)
		return ERR("no room for the Multiboot info block (%u KiB) in low memory "
			   "[0x%x, 0x%x) beside the kernel at 0x%x-0x%x", MB_INFO_AREA_SIZE >> 10,
			   MB_INFO_GPA, GUEST_LOW_END, image_start, image_end);
	*at = a;
	return 0;
}

int mb_build_info(const struct guest_mem *gm, const char *cmdline,
		  const struct mb_module_src *mods, unsigned nmods,
		  uint32_t image_start, uint32_t image_end, uint32_t *info_gpa,
		  char *err, size_t errlen)
{
	struct info_area a = { gm, 0, 0 };
	struct mb_info *mi;
	struct mb_mmap_entry map[3] = {
		{ 20, 0, GUEST_LOW_END, MB_MEM_AVAILABLE },
		{ 20, GUEST_LOW_END, GUEST_HIGH_START - GUEST_LOW_END, 2 },
		{ 20, GUEST_HIGH_START, gm->size - GUEST_HIGH_START, MB_MEM_AVAILABLE },
	};
	uint32_t at, top = (uint32_t)gm->size, map_at, mods_at = 0, floor;
	unsigned i;

	if (gm->size <= GUEST_HIGH_START || gm->size > 0xffffffffu)
		return ERR("guest RAM of %lu bytes is not between 1 MiB and 4 GiB",
			   (unsigned long)gm->size);
	if (nmods > GUEST_MAX_MODULES)
		return ERR("%u modules for the guest, at most %u", nmods, GUEST_MAX_MODULES);
	if (info_area_place(image_start, image_end, &a.next, err, errlen))
		return -1;
	a.end = a.next + MB_INFO_AREA_SIZE;
	/* Modules: high RAM, above the kernel (which may lie below 1 MiB). */
	floor = image_end > GUEST_HIGH_START ? image_end : GUEST_HIGH_START;
	at = area_alloc(&a, sizeof(*mi), 8);
	mi = (struct mb_info *)(gm->base + at);
	memset(mi, 0, sizeof(*mi));
	*info_gpa = at;

	mi->flags = MB_INFO_MEM | MB_INFO_CMDLINE | MB_INFO_MMAP | MB_INFO_LOADER_NAME |
		    MB_INFO_MODS;
	mi->mem_lower = GUEST_LOW_END / 1024;
	mi->mem_upper = (uint32_t)((gm->size - GUEST_HIGH_START) / 1024);
	mi->cmdline = area_string(&a, cmdline);
	mi->boot_loader_name = area_string(&a, "minivmx-hv");
	map_at = area_alloc(&a, sizeof(map), 8);
	if (!mi->cmdline || !mi->boot_loader_name || !map_at)
		return ERR("command line too long for the info area");
	memcpy(gm->base + map_at, map, sizeof(map));
	mi->mmap_addr = map_at;
	mi->mmap_length = sizeof(map);

	if (nmods && !(mods_at = area_alloc(&a, nmods * sizeof(struct mb_module), 8)))
		return ERR("no room for the module list");
	for (i = 0; i < nmods; i++) {
		struct mb_module m;
		uint64_t len = mods[i].len;

		if (len > top || (top - len) < floor)
			return ERR("module %u (%lu bytes) does not fit guest RAM above the kernel",
				   i + 1, (unsigned long)len);
		top = (uint32_t)((top - len) & ~0xfffu);        /* page aligned */
		if (top < floor)
			return ERR("module %u does not fit guest RAM above the kernel", i + 1);
		memcpy(gm->base + top, mods[i].data, len);
		m.mod_start = top;
		m.mod_end = top + (uint32_t)len;
		m.cmdline = area_string(&a, mods[i].cmdline);
		m.reserved = 0;
		if (!m.cmdline)
			return ERR("module command lines too long for the info area");
		memcpy(gm->base + mods_at + i * sizeof(m), &m, sizeof(m));
	}
	mi->mods_count = nmods;
	mi->mods_addr = mods_at;
	return 0;
}
