/*
 * platform.c - what the guest runs on, and how a run ends.
 *
 * The end of a run is the contract tools/run judges by: the line
 * "exit: status=N", then QEMU's isa-debug-exit at port 0xf4 (QEMU exits
 * with (N << 1) | 1), and where that port is absent (Bochs) the Bochs
 * magic breakpoint for success or the Bochs shutdown port for failure.
 *
 * Environment: guest kernel.
 */
/* SPDX-License-Identifier: MIT */
#include "../shared/abi/hv_abi.h"
#include "guest.h"
#include "lib.h"
#include "x86.h"

#define PORT_ISA_DEBUG_EXIT     0xf4
#define PORT_BOCHS_SHUTDOWN     0x8900
#define PORT_BOCHS_ACPI_PM1A    0xb004  /* PIIX4 PM base 0xb000 + 4 */
#define ACPI_SLP_EN_S5          0x2000

void native_console_flush(void);

void native_exit(unsigned status)
{
	const char *s;

	kprintf("exit: status=%u\n", status);
	native_console_flush();
	outb(PORT_ISA_DEBUG_EXIT, (uint8_t)status);
	if (status == 0)
		asm volatile("xchg %%bx, %%bx" ::: "memory"); /* Bochs magic break */
	for (s = "Shutdown"; *s; s++)
		outb(PORT_BOCHS_SHUTDOWN, (uint8_t)*s);
	outw(PORT_BOCHS_ACPI_PM1A, ACPI_SLP_EN_S5);
	for (;;)
		asm volatile("cli; hlt");
}

void platform_detect(struct hv_info *hv)
{
	uint32_t a, b, c, d;

	memset(hv, 0, sizeof(*hv));
	cpuid(1, 0, &a, &b, &c, &d);
	hv->present = !!(c & (1u << HV_ABI_CPUID_PRESENT_BIT));
	if (!hv->present)
		return;
	cpuid(HV_ABI_CPUID_BASE, 0, &a, &b, &c, &d);
	hv->max_leaf = a;
	memcpy(hv->signature + 0, &b, 4);
	memcpy(hv->signature + 4, &c, 4);
	memcpy(hv->signature + 8, &d, 4);
	hv->signature[12] = 0;
	hv->ours = b == HV_ABI_SIGNATURE_EBX && c == HV_ABI_SIGNATURE_ECX &&
		   d == HV_ABI_SIGNATURE_EDX;
	if (hv->ours && hv->max_leaf >= HV_ABI_CPUID_VERSION) {
		cpuid(HV_ABI_CPUID_VERSION, 0, &a, &b, &c, &d);
		hv->version = a;
	}
}
