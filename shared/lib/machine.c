/*
 * machine.c - how a run ends, for either kernel.
 *
 * The end of a run is the contract tools/run judges by: the line
 * "exit: status=N", then QEMU's isa-debug-exit at port 0xf4 (QEMU exits
 * with (N << 1) | 1), and where that port is absent (Bochs) the Bochs
 * magic breakpoint for success or the Bochs shutdown port for failure.
 * Under the hypervisor, the write to port 0xf4 is where the guest's run
 * ends and the hypervisor takes over; the hypervisor prints a final line
 * of its own (hv/main.c) and then stops the machine with machine_stop.
 *
 * Environment: either kernel, any context.
 */
/* SPDX-License-Identifier: MIT */
#include "lib.h"
#include "x86.h"

#define PORT_ISA_DEBUG_EXIT     0xf4
#define PORT_BOCHS_SHUTDOWN     0x8900
#define PORT_BOCHS_ACPI_PM1A    0xb004  /* PIIX4 PM base 0xb000 + 4 */
#define ACPI_SLP_EN_S5          0x2000

void machine_exit(unsigned status)
{
	kprintf("exit: status=%u\n", status);
	machine_stop(status);
}

void machine_stop(unsigned status)
{
	const char *s;

	uart_flush();
	outb(PORT_ISA_DEBUG_EXIT, (uint8_t)status);
	if (status == 0)
		asm volatile("xchg %%bx, %%bx" ::: "memory"); /* Bochs magic break */
	for (s = "Shutdown"; *s; s++)
		outb(PORT_BOCHS_SHUTDOWN, (uint8_t)*s);
	outw(PORT_BOCHS_ACPI_PM1A, ACPI_SLP_EN_S5);
	for (;;)
		asm volatile("cli; hlt");
}
