/*
 * console.c - the guest's console: the native backend of the console pv
 * ops (the UART on COM1) and kprintf on top of the console_write op.
 *
 * kprintf formats a whole message and hands it to console_write, so a
 * backend that can take a buffer at once (a hypercall) pays once per
 * message, not once per byte. A backend may take less than the whole
 * buffer in one call (the hypervisor: HV_CONSOLE_WRITE_MAX bytes, so that
 * no exit's work grows with the guest's length): console_write calls
 * again from where the last call stopped.
 *
 * Environment: guest kernel, any context (kprintf is called from the
 * exception handler too, so it keeps no state between calls).
 */
/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include "guest.h"
#include "lib.h"
#include "pv.h"

void native_console_init(void)
{
	uart_init();
}

long native_console_write(const char *buf, size_t len)
{
	uart_write(buf, len);
	return (long)len;
}

void console_write(const char *buf, size_t len)
{
	while (len) {
		long n = pv_console_write(buf, len);

		/* Refused (-HV_EFAULT: not the guest's RAM), or no progress:
		 * calling again would get the same answer. */
		if (n <= 0 || (size_t)n > len)
			return;
		buf += n;
		len -= (size_t)n;
	}
}

int kprintf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = kvprintf(console_write, fmt, ap);
	va_end(ap);
	return n;
}
