/*
 * ap_boot.h - how a boot CPU starts another, in both kernels: the page the
 * start-up IPI names and what boot/ap_boot.asm finds there.
 *
 * An AP starts in real mode at CS = vector << 8, IP 0 (SDM vol. 3A,
 * 9.4.4 and 11.6.1): ap_boot.asm is assembled for AP_BOOT_PA, copied
 * there by the boot CPU, and reads struct ap_boot_data at its end
 * (offsets: boot/ap_boot_offsets.c, build/gen/ap_boot.inc).
 *
 * Environment: both kernels, the boot CPU at boot.
 */
/* SPDX-License-Identifier: MIT */
#ifndef SHARED_AP_BOOT_H
#define SHARED_AP_BOOT_H

#include <stdint.h>

#define AP_BOOT_PA      0x8000u
#define AP_BOOT_VECTOR  (AP_BOOT_PA >> 12)

/* What the boot CPU hands an AP in its start-up page. */
struct ap_boot_data {
	uint64_t cr0, cr3, cr4, efer;   /* the boot CPU's, as the AP loads them */
	uint64_t stack;                 /* top of the AP's stack */
	uint64_t entry;                 /* void entry(uint32_t index), never returns */
	uint32_t index;                 /* the AP's number, the boot CPU's choice */
	uint32_t unused;
};

extern const uint8_t ap_boot_start[], ap_boot_end[], ap_boot_data[];

/* The copy's data block, once [ap_boot_start, ap_boot_end) is at AP_BOOT_PA. */
static inline struct ap_boot_data *ap_boot_copy_data(void)
{
	return (struct ap_boot_data *)(uintptr_t)(AP_BOOT_PA + (ap_boot_data - ap_boot_start));
}

#endif
