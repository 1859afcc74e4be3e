/*
 * console.c - the hypervisor's console, on two serial ports, and panic(),
 * its last words.
 *
 *   COM1  what people read: the hypervisor's lines and the guest's bytes,
 *         in the order they came, unmarked
 *   COM2  the hypervisor's lines alone: the channel a run is judged by
 *         (tools/run). The guest cannot write it: its port I/O all exits,
 *         and io.c gives it 0x2f8-0x2ff as absent hardware (reads all
 *         ones, writes dropped); no hypercall writes there either.
 *
 * Every kprintf line goes to both, a byte to each in turn (the UARTs send
 * at once); the guest's bytes (io.c, the console_write hypercall) go to
 * COM1 only. A guest that prints "hv: ..." or "exit: status=0" prints it
 * on COM1, where it counts for nothing.
 *
 * Environment: hypervisor, root mode.
 */
/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include "hv.h"
#include "lib.h"

static const uint16_t hv_ports[] = { UART_COM1, UART_COM2 };

static void hv_write(const char *buf, size_t len)
{
	uart_write_ports(hv_ports, ARRAY_SIZE(hv_ports), buf, len);
}

void console_init(void)
{
	uart_init();
	uart_port_init(UART_COM2);
}

int kprintf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = kvprintf(hv_write, fmt, ap);
	va_end(ap);
	return n;
}

void console_putc_raw(char c)
{
	uart_write(&c, 1);
}

void console_flush(void)
{
	uart_port_flush(UART_COM2);
	uart_flush();
}

void panic_at(void *caller, const char *fmt, ...)
{
	va_list ap;

	kprintf("hv: panic on CPU 0 (called from %p): ", caller);
	va_start(ap, fmt);
	kvprintf(hv_write, fmt, ap);
	va_end(ap);
	kprintf("\n");
	hv_exit(HV_STATUS_PANIC);
}
