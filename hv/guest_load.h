/*
 * guest_load.h - load a Multiboot v1 kernel into guest memory and build the
 * information block it is entered with.
 *
 * The loader follows the Multiboot specification 0.6.96: the header is in
 * the first 8 KiB, 4-byte aligned, with magic + flags + checksum == 0;
 * requirement bits 0-15 it does not honour make it refuse; with flag 16
 * the a.out-kludge address fields say what to copy where (3.1.3), without
 * it the image must be ELF (ELF32 or ELF64; PT_LOAD segments at their
 * physical addresses).
 *
 * Guest-physical layout (what the guest's memory map says):
 *   [0, 0x9f000)           available
 *   [0x9f000, 0x100000)    reserved (the legacy hole)
 *   [0x100000, size)       available; modules at the top
 * The kernel loads wherever its header or program headers say, as on bare
 * metal, as long as that is RAM by the map: below 1 MiB too (a real-mode
 * test kernel at 0x8000), never across the hole or past the end. The info
 * block and its strings take MB_INFO_AREA_SIZE bytes of low memory: at
 * MB_INFO_GPA, or right after a kernel that lies there. Modules go at the
 * top of RAM, above 1 MiB and above the kernel.
 *
 * Environment: hypervisor at boot; pure logic, also in the host tests.
 */
/* SPDX-License-Identifier: MIT */
#ifndef HV_GUEST_LOAD_H
#define HV_GUEST_LOAD_H

#include <stddef.h>
#include <stdint.h>

struct guest_mem;

#define MB_INFO_GPA             0x1000u         /* where it goes when it can */
/* The block, the map, a 512-byte command line, 16 module entries and
 * their 512-byte lines (9.2 KiB), with room to spare. */
#define MB_INFO_AREA_SIZE       0x4000u
#define MB_INFO_AREA_END        (MB_INFO_GPA + MB_INFO_AREA_SIZE)
#define GUEST_LOW_END           0x9f000u
#define GUEST_HIGH_START        0x100000u
/* Where the hypervisor puts the guest's ACPI tables (main.c): the BIOS
 * area, reserved in the guest's memory map. */
#define GUEST_ACPI_GPA          0xe0000u
#define GUEST_ACPI_SIZE         0x20000u
#define GUEST_MAX_MODULES       16

struct mb_image {
	uint32_t entry;
	uint32_t load_start, load_end;  /* guest-physical, bss included */
	uint32_t header_flags;
	const char *format;             /* "a.out kludge", "ELF32", "ELF64" */
};

struct mb_module_src {
	const uint8_t *data;
	uint64_t len;
	const char *cmdline;
};

/* Returns 0, or -1 with a one-line reason in err. */
int mb_load_image(const uint8_t *img, uint64_t len, const struct guest_mem *gm,
		  struct mb_image *out, char *err, size_t errlen);

/*
 * Write the info block (with cmdline, the memory map, the loader name and
 * the modules, which are copied to the top of guest RAM above the kernel
 * at [image_start, image_end) and above 1 MiB), beside the kernel.
 * Returns 0 and the block's guest-physical address, or -1 and err.
 */
int mb_build_info(const struct guest_mem *gm, const char *cmdline,
		  const struct mb_module_src *mods, unsigned nmods,
		  uint32_t image_start, uint32_t image_end, uint32_t *info_gpa,
		  char *err, size_t errlen);

#endif
