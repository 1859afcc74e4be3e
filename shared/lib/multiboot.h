/*
 * multiboot.h - Multiboot v1 information, as both kernels read it (the
 * hypervisor also writes one for its guest).
 *
 * The raw layout follows the Multiboot specification 0.6.96, section 3.3;
 * multiboot_parse() copies what the guest needs into struct boot_info and
 * checks every pointer and length on the way, so that a malformed block is
 * a clear error and not a fault. The usable-memory list it derives is the
 * map's available (type 1) ranges minus every other range, sorted, merged.
 *
 * Environment: either kernel at boot; pure logic, also in the host tests.
 */
/* SPDX-License-Identifier: MIT */
#ifndef SHARED_LIB_MULTIBOOT_H
#define SHARED_LIB_MULTIBOOT_H

#include <stddef.h>
#include <stdint.h>

#define MB_BOOTLOADER_MAGIC     0x2BADB002u

/* struct mb_info flags (spec 3.3). */
#define MB_INFO_MEM             (1u << 0)
#define MB_INFO_CMDLINE         (1u << 2)
#define MB_INFO_MODS            (1u << 3)
#define MB_INFO_MMAP            (1u << 6)
#define MB_INFO_LOADER_NAME     (1u << 9)

struct mb_info {
	uint32_t flags;
	uint32_t mem_lower, mem_upper;          /* KiB, if MB_INFO_MEM */
	uint32_t boot_device;
	uint32_t cmdline;
	uint32_t mods_count, mods_addr;
	uint32_t syms[4];
	uint32_t mmap_length, mmap_addr;
	uint32_t drives_length, drives_addr;
	uint32_t config_table;
	uint32_t boot_loader_name;
	uint32_t apm_table;
	uint32_t vbe[4];                        /* VBE control, mode info, mode...; unused */
};
_Static_assert(sizeof(struct mb_info) == 88, "Multiboot info through vbe fields");

struct mb_module {
	uint32_t mod_start, mod_end;
	uint32_t cmdline;
	uint32_t reserved;
};

/* One mmap entry; size counts the bytes after itself (at least 20). */
struct mb_mmap_entry {
	uint32_t size;
	uint64_t base;
	uint64_t len;
	uint32_t type;
} __attribute__((packed));
_Static_assert(sizeof(struct mb_mmap_entry) == 24, "mmap entry with its size field");

#define MB_MEM_AVAILABLE 1u

#define BOOT_MAX_REGIONS 64
#define BOOT_MAX_MODULES 16
#define BOOT_CMDLINE_MAX 512
#define BOOT_NAME_MAX    64

struct boot_region {
	uint64_t base, len;
	uint32_t type;
};

struct boot_module {
	uint32_t start, end;
	char cmdline[BOOT_CMDLINE_MAX];
};

struct boot_info {
	uint32_t flags;
	uint32_t mem_lower, mem_upper;
	char cmdline[BOOT_CMDLINE_MAX];
	char loader[BOOT_NAME_MAX];
	unsigned nr_map;                        /* the map as given */
	struct boot_region map[BOOT_MAX_REGIONS];
	unsigned nr_usable;                     /* derived: RAM to use */
	struct boot_region usable[BOOT_MAX_REGIONS];
	uint64_t usable_bytes;
	unsigned nr_modules;
	struct boot_module modules[BOOT_MAX_MODULES];
};

/*
 * How the parser reaches physical memory: a pointer to len readable bytes
 * at addr, or NULL when they are not all there.
 */
typedef const void *(*mb_phys_fn)(uint64_t addr, uint64_t len, void *ctx);

/*
 * Returns 0; MB_PARSE_CMDLINE_TOO_LONG when the kernel's own command line
 * is longer than BOOT_CMDLINE_MAX - 1 bytes and all the rest is sound
 * (bi is complete, its cmdline left empty: never cut); or -1 for anything
 * else, a module's command line or the loader name too long for its field
 * included. err has a one-line reason; a length refused is named with its
 * limit.
 */
#define MB_PARSE_CMDLINE_TOO_LONG (-2)
int multiboot_parse(uint32_t magic, uint32_t info_addr, mb_phys_fn phys,
		    void *ctx, struct boot_info *bi, char *err, size_t errlen);

#endif
