/*
 * fuzz.h - what the libFuzzer targets in tests/fuzz/ share, header only.
 *
 * A target is one fuzz_NAME.c with LLVMFuzzerTestOneInput, built by the
 * Makefile with the real sources it names (FUZZ_SRC_fuzz_NAME) under
 * clang's -fsanitize=fuzzer,address,undefined, and run by tests/fuzz/run.
 * Sanitizers catch the memory errors; FUZZ_ASSERT states what the code
 * promises besides not crashing, and a broken promise is a crash too:
 * libFuzzer keeps the input as the reproducer.
 *
 * Helpers here hand the code under test exact-length heap copies, so that
 * AddressSanitizer sees a read one byte past what it was given.
 *
 * Environment: build host, clang with libFuzzer.
 */
/* SPDX-License-Identifier: MIT */
#ifndef TESTS_FUZZ_FUZZ_H
#define TESTS_FUZZ_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A broken invariant: say which and where, then abort (libFuzzer: crash). */
#define FUZZ_ASSERT(cond, ...)                                          \
	do {                                                            \
		if (!(cond)) {                                          \
			fprintf(stderr, "fuzz: invariant broken at %s:%d: %s: ", \
				__FILE__, __LINE__, #cond);             \
			fprintf(stderr, __VA_ARGS__);                   \
			fputc('\n', stderr);                            \
			abort();                                        \
		}                                                       \
	} while (0)

/* An exact-length heap copy of data (at least one byte allocated). */
static inline uint8_t *fuzz_dup(const uint8_t *data, size_t size)
{
	uint8_t *p = malloc(size ? size : 1);

	if (!p)
		abort();
	if (size)
		memcpy(p, data, size);
	return p;
}

/* data as a C string of exactly strlen + 1 bytes, cut at its first NUL. */
static inline char *fuzz_str(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, 0, size);
	size_t len = nul ? (size_t)(nul - data) : size;
	char *s = malloc(len + 1);

	if (!s)
		abort();
	memcpy(s, data, len);
	s[len] = 0;
	return s;
}

/* Whether err holds a one-line reason: not empty, NUL-terminated, no newline. */
static inline int fuzz_reason_ok(const char *err, size_t errlen)
{
	const char *nul = memchr(err, 0, errlen);

	return nul && nul != err && !memchr(err, '\n', (size_t)(nul - err));
}

/* The models' idea of a blank between command-line words (independent of
 * shared/lib/bootcmd.c, which they check). */
static inline int fuzz_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/*
 * The models' word splitter: the next word at *p, cut in place with a NUL,
 * and *p moved past it; NULL at the end of the line.
 */
static inline char *fuzz_next_word(char **p)
{
	char *w;

	while (fuzz_blank(**p))
		(*p)++;
	if (!**p)
		return NULL;
	w = *p;
	while (**p && !fuzz_blank(**p))
		(*p)++;
	if (**p)
		*(*p)++ = 0;
	return w;
}

/* Little-endian reads from fuzz input, 0 past its end. */
static inline uint64_t fuzz_le(const uint8_t *data, size_t size, size_t at, unsigned n)
{
	uint64_t v = 0;
	unsigned i;

	for (i = 0; i < n; i++)
		if (at + i < size)
			v |= (uint64_t)data[at + i] << (8 * i);
	return v;
}

#endif
