/*
 * lib.h - the guest's freestanding C library: strings and kprintf.
 *
 * Environment: guest kernel. The string functions keep the standard names
 * because the compiler may emit calls to them.
 */
/* SPDX-License-Identifier: MIT */
#ifndef GUEST_LIB_H
#define GUEST_LIB_H

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
/* Print through the console pv op: one console_write per call. */
int kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
