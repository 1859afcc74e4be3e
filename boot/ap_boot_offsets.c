/*
 * ap_boot_offsets.c - struct ap_boot_data's layout for boot/ap_boot.asm,
 * as the kernels' asm offsets are made (build/gen/ap_boot.inc).
 *
 * Environment: build host.
 */
/* SPDX-License-Identifier: MIT */
#include <stddef.h>
#include "ap_boot.h"

#define DEFINE(sym, val) \
	asm volatile("\n.ascii \"->" #sym " %c0\"" : : "i"(val))

void ap_boot_offsets(void);
void ap_boot_offsets(void)
{
	DEFINE(AP_BOOT_PA, AP_BOOT_PA);
	DEFINE(APD_CR0, offsetof(struct ap_boot_data, cr0));
	DEFINE(APD_CR3, offsetof(struct ap_boot_data, cr3));
	DEFINE(APD_CR4, offsetof(struct ap_boot_data, cr4));
	DEFINE(APD_EFER, offsetof(struct ap_boot_data, efer));
	DEFINE(APD_STACK, offsetof(struct ap_boot_data, stack));
	DEFINE(APD_ENTRY, offsetof(struct ap_boot_data, entry));
	DEFINE(APD_INDEX, offsetof(struct ap_boot_data, index));
	DEFINE(APD_SIZE, sizeof(struct ap_boot_data));
}
