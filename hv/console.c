/*
 * console.c - the hypervisor's console: its own lines and the guest's
 * bytes, in order, on the machine's COM1.
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
