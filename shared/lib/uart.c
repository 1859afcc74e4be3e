/*
 * uart.c - the 16550 UARTs, polled: COM1, the console of both kernels,
 * and any other port a kernel writes (the hypervisor's own channel, COM2).
 *
 * uart_write polls the line status register before each byte, which is
 * what makes a console expensive to trap and emulate: the reason the
 * guest's console is a pv op at all. uart_write_ports writes the same
 * bytes to several UARTs, byte by byte, so that they send at once.
 *
 * Environment: either kernel, any context; no locking (one CPU).
 */
/* SPDX-License-Identifier: MIT */
#include "lib.h"
#include "x86.h"

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

void uart_port_init(uint16_t base)
{
	outb(base + UART_IER, 0);               /* no UART interrupts */
	outb(base + UART_LCR, LCR_DLAB);
	outb(base + UART_DLL, 1);               /* 115200 baud */
	outb(base + UART_DLM, 0);
	outb(base + UART_LCR, LCR_8N1);
	outb(base + UART_FCR, 0x07);            /* FIFOs on and cleared */
	outb(base + UART_MCR, 0x03);            /* DTR, RTS */
}

void uart_init(void)
{
	uart_port_init(UART_COM1);
}

/* TSC spent waiting for the UART: boot-cost reports leave it out. */
uint64_t uart_wait_tsc;

/* A missing UART reads all ones: its bits are set, nothing waits. */
static inline __attribute__((always_inline)) void uart_wait_port(uint16_t base, uint8_t bit)
{
	uint64_t t0 = rdtsc();
	unsigned spin;

	for (spin = 0; spin < UART_POLL_MAX; spin++)
		if (inb(base + UART_LSR) & bit)
			break;
	uart_wait_tsc += rdtsc() - t0;
}

static void uart_wait(uint8_t bit)
{
	uart_wait_port(UART_COM1, bit);
}

void uart_write(const char *buf, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		uart_wait(LSR_THRE);
		outb(UART_COM1 + UART_THR, (uint8_t)buf[i]);
	}
}

void uart_write_ports(const uint16_t *bases, unsigned n, const char *buf, size_t len)
{
	size_t i;
	unsigned p;

	for (i = 0; i < len; i++)
		for (p = 0; p < n; p++) {
			uart_wait_port(bases[p], LSR_THRE);
			outb(bases[p] + UART_THR, (uint8_t)buf[i]);
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

void uart_port_flush(uint16_t base)
{
	uart_wait_port(base, LSR_TEMT);
}
