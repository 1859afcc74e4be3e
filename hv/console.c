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
	char buf[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	uart_write(buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
	return n;
}

void console_putc_raw(char c)
{
	uart_write(&c, 1);
}
