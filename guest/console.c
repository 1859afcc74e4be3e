/*
 * console.c - the guest's console: the native backend of the console pv
 * ops (the UART on COM1) and kprintf on top of the console_write op.
 *
 * kprintf formats a whole message and hands it to one console_write, so a
 * backend that can take a buffer at once (a hypercall) pays once per
 * message, not once per byte.
 *
 * Environment: guest kernel, any context (kprintf is called from the
 * exception handler too, so it keeps no state between calls).
 */
/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include "lib.h"
#include "pv.h"

void native_console_init(void)
{
	uart_init();
}

void native_console_write(const char *buf, size_t len)
{
	uart_write(buf, len);
}

static void console_out(const char *buf, size_t len)
{
	pv_console_write(buf, len);
}

int kprintf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = kvprintf(console_out, fmt, ap);
	va_end(ap);
	return n;
}
