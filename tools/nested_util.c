/* tools/nested_util.c: the nested stack's helper inside Linux: the TSC, the end.
 *
 * Runs as root in the initramfs of the nested stack (tools/nested builds it
 * with the host's gcc -static; boot/nested_init calls it), on Linux inside
 * Bochs. With Bochs's `clock: sync=none` the TSC advances once per
 * instruction, so its value is the number of instructions since power-on.
 *
 *   nested-util tsc LABEL   prints "nested: tsc=N LABEL"
 *   nested-util off         waits until the console (stdout) has sent
 *                           what it holds, powers the machine off (ACPI,
 *                           which ends Bochs) and, should that return,
 *                           ends Bochs by its shutdown port (0x8900)
 *
 * SPDX-License-Identifier: MIT
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/io.h>
#include <sys/reboot.h>
#include <termios.h>
#include <unistd.h>

#define BOCHS_SHUTDOWN_PORT 0x8900	/* "Shutdown" written here ends Bochs */

static uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "tsc")) {
		printf("nested: tsc=%llu %s\n", (unsigned long long)rdtsc(), argv[2]);
		return fflush(stdout) ? 1 : 0;
	}
	if (argc == 2 && !strcmp(argv[1], "off")) {
		const char *s = "Shutdown";

		/* The tty's buffer goes out by interrupts: power-off would
		 * cut the last lines. */
		tcdrain(STDOUT_FILENO);
		sync();
		reboot(RB_POWER_OFF);
		perror("nested-util: reboot(RB_POWER_OFF)");
		if (ioperm(BOCHS_SHUTDOWN_PORT, 1, 1)) {
			perror("nested-util: ioperm");
			return 1;
		}
		while (*s)
			outb((unsigned char)*s++, BOCHS_SHUTDOWN_PORT);
		return 1;	/* not Bochs: still here */
	}
	fprintf(stderr, "usage: nested-util tsc LABEL | nested-util off\n");
	return 2;
}
