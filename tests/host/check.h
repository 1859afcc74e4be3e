/*
 * check.h - the host unit tests' framework, header only.
 *
 * A test binary is a main() of TEST("name") { ... } blocks, each one test
 * case, whose CHECK(cond, fmt, ...) lines record a failure with file:line
 * and go on. Each case prints "PASS name" or "FAIL name: file:line: why"
 * when its block ends (so a sanitizer abort still leaves the lines before
 * it), and check_summary() ends with "host: <binary> N passed, N failed",
 * N counting test cases, and returns the exit status. When AddressSanitizer
 * stops the run inside a case, that case still gets its FAIL line and the
 * summary follows (UBSan's fatal path has no such hook: its report and the
 * missing summary line tell). Runs on the build host, one thread; each test
 * binary is one translation unit.
 */
/* SPDX-License-Identifier: MIT */
#ifndef TESTS_HOST_CHECK_H
#define TESTS_HOST_CHECK_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#if defined(__SANITIZE_ADDRESS__) && __has_include(<sanitizer/common_interface_defs.h>)
#include <sanitizer/common_interface_defs.h>
#define CHECK_DEATH_CALLBACK 1
#endif

/* Failures after the first few of one case are only counted. */
#define CHECK_MAX_SHOWN 8

extern char *program_invocation_short_name;     /* glibc */

static struct {
	const char *name;       /* current case, NULL outside TEST */
	unsigned failures;      /* in the current case */
	unsigned passed, failed;
	unsigned stray;         /* failed CHECKs outside any TEST */
} check_state;

static inline int check_summary(void);

#ifdef CHECK_DEATH_CALLBACK
/* AddressSanitizer found an error and is about to end the run. */
static inline void check_died(void)
{
	if (check_state.name && check_state.failures)  /* FAIL line printed */
		printf("  stopped by a sanitizer error (its report is on stderr)\n");
	else
		printf("FAIL %s: stopped by a sanitizer error (its report is on stderr)\n",
		       check_state.name ? check_state.name : "(outside TEST)");
	check_state.failed++;
	check_state.name = NULL;
	check_summary();
}
#endif

static inline int check_begin(const char *name)
{
#ifdef CHECK_DEATH_CALLBACK
	static int registered;

	if (!registered) {
		__sanitizer_set_death_callback(check_died);
		registered = 1;
	}
#endif
	check_state.name = name;
	check_state.failures = 0;
	return 0;
}

static inline void check_end(void)
{
	if (check_state.failures) {
		if (check_state.failures > CHECK_MAX_SHOWN)
			printf("  ... and %u more\n",
			       check_state.failures - CHECK_MAX_SHOWN);
		check_state.failed++;
	} else {
		printf("PASS %s\n", check_state.name);
		check_state.passed++;
	}
	fflush(stdout);
	check_state.name = NULL;
}

static inline __attribute__((format(printf, 3, 4)))
int check_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	unsigned n;

	if (!check_state.name) {
		check_state.stray++;
		printf("FAIL (outside TEST): %s:%d: ", file, line);
	} else {
		n = ++check_state.failures;
		if (n > CHECK_MAX_SHOWN)
			return 0;
		if (n == 1)
			printf("FAIL %s: %s:%d: ", check_state.name, file, line);
		else
			printf("  %s:%d: ", file, line);
	}
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	return 0;
}

/* An expression: 1 if cond holds, else 0 after recording the failure. */
#define CHECK(cond, fmt, ...) ({                                           \
	int check_ok_ = !!(cond);                                           \
	if (!check_ok_)                                                     \
		check_fail(__FILE__, __LINE__, fmt, ##__VA_ARGS__);         \
	check_ok_;                                                          \
})

/* TEST("name") { body }: one test case; leave no body by return or break. */
#define TEST(name) \
	for (int check_once_ = check_begin(name); !check_once_; \
	     check_once_ = 1, check_end())

static inline int check_summary(void)
{
	unsigned failed = check_state.failed + check_state.stray;

	printf("host: %s %u passed, %u failed\n", program_invocation_short_name,
	       check_state.passed, failed);
	fflush(stdout);
	return failed ? 1 : 0;
}

#endif
