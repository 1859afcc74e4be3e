/*
 * console.c - the hypervisor's console: its own lines and the guest's
 * bytes, in order, on the machine's COM1; and panic(), its last words.
 *
 * Environment: hypervisor, root mode.
 */
/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include "hv.h"
#include "lib.h"

int kprintf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = kvprintf(uart_write, fmt, ap);
	va_end(ap);
	return n;
}

void console_putc_raw(char c)
{
	uart_write(&c, 1);
}

void panic_at(void *caller, const char *fmt, ...)
{
	va_list ap;

	kprintf("hv: panic on CPU 0 (called from %p): ", caller);
	va_start(ap, fmt);
	kvprintf(uart_write, fmt, ap);
	va_end(ap);
	kprintf("\n");
	hv_exit(HV_STATUS_PANIC);
}
