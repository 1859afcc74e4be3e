/*
 * lib.h - the freestanding C library both kernels share: strings,
 * formatting, and the declaration of each kernel's own kprintf.
 *
 * Environment: guest kernel and hypervisor (and the host tests, where the
 * standard names resolve to libc). The string functions keep the standard
 * names because the compiler may emit calls to them.
 */
/* SPDX-License-Identifier: MIT */
#ifndef SHARED_LIB_LIB_H
#define SHARED_LIB_LIB_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);

/* Formats %[-0][width][.prec][l|ll|z](d|i|u|x|s|c|p) and %%. */
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Each kernel's console: the guest's writes through its console pv op. */
int kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Format one message (up to 511 bytes) and hand it whole to write(). */
int kvprintf(void (*write)(const char *buf, size_t len), const char *fmt, va_list ap);

/* machine.c: print "exit: status=N" and end the machine (tools/run). */
void machine_exit(unsigned status) __attribute__((noreturn));
/* machine.c: end the machine with that status, printing nothing. */
void machine_stop(unsigned status) __attribute__((noreturn));

/* uart.c: the 16550s; uart_init, uart_write and uart_flush are COM1's. */
#define UART_COM1       0x3f8
#define UART_COM2       0x2f8
void uart_init(void);
void uart_write(const char *buf, size_t len);
void uart_flush(void);
void uart_port_init(uint16_t base);
void uart_port_flush(uint16_t base);
/* The same bytes to each of n UARTs, a byte to each in turn. */
void uart_write_ports(const uint16_t *bases, unsigned n, const char *buf, size_t len);
extern uint64_t uart_wait_tsc;          /* TSC spent waiting on the UARTs */

#endif
