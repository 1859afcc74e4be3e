/*
 * uart.c - the 16550 UART on COM1, polled: the console of both kernels.
 *
 * uart_write polls the line status register before each byte, which is
 * what makes a console expensive to trap and emulate: the reason the
 * guest's console is a pv op at all.
 *
 * Environment: either kernel, any context; no locking (one CPU).
 */
/* SPDX-License-Identifier: MIT */
#include "lib.h"
#include "x86.h"

#define COM1            0x3f8
#define UART_THR        0       /* transmit holding register (DLAB=0) */
#define UART_DLL        0       /* divisor latch, low (DLAB=1) */
#define UART_IER        1
#define UART_DLM        1
#define UART_FCR        2
#define UART_LCR        3
#define UART_MCR        4
#define UART_LSR        5
#define LCR_8N1         0x03
#define LCR_DLAB        0x80
#define LSR_THRE        0x20    /* transmit holding register empty */
#define LSR_TEMT        0x40    /* transmitter empty: the last byte is out */

/* Bound on each LSR poll: a missing UART must not hang the console. */
#define UART_POLL_MAX   100000

void uart_init(void)
{
	outb(COM1 + UART_IER, 0);               /* no UART interrupts */
	outb(COM1 + UART_LCR, LCR_DLAB);
	outb(COM1 + UART_DLL, 1);               /* 115200 baud */
	outb(COM1 + UART_DLM, 0);
	outb(COM1 + UART_LCR, LCR_8N1);
	outb(COM1 + UART_FCR, 0x07);            /* FIFOs on and cleared */
	outb(COM1 + UART_MCR, 0x03);            /* DTR, RTS */
}

/* TSC spent waiting for the UART: boot-cost reports leave it out. */
uint64_t uart_wait_tsc;

static void uart_wait(uint8_t bit)
{
	uint64_t t0 = rdtsc();
	unsigned spin;

	for (spin = 0; spin < UART_POLL_MAX; spin++)
		if (inb(COM1 + UART_LSR) & bit)
			break;
	uart_wait_tsc += rdtsc() - t0;
}

void uart_write(const char *buf, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		uart_wait(LSR_THRE);
		outb(COM1 + UART_THR, (uint8_t)buf[i]);
	}
}

/*
 * Wait until the UART has sent its last byte: the run may end right after
 * (Bochs stops at once on its magic breakpoint, with bytes still queued).
 */
void uart_flush(void)
{
	uart_wait(LSR_TEMT);
}
