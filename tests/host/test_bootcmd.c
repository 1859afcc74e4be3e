/*
 * test_bootcmd.c - host tests of the one rule for where a command line's
 * options begin, as each loader hands a line over, and of the overflow-free
 * number reader.
 *
 * Built from the real shared/lib/bootcmd.c; its lib.h string functions
 * resolve to the host libc. Every line is split from a heap copy of its
 * exact size, so that AddressSanitizer sees any read past its NUL. Runs on
 * the build host.
 */
/* SPDX-License-Identifier: MIT */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bootcmd.h"
#include "check.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const char *const guest_bare[] = { "pv.report", NULL };

struct split_case {
	const char *line;
	const char *image;      /* NULL: no image word */
	const char *options;    /* what the options part reads */
};

/* Split each line as a kernel with bare option words bare would. */
static void expect_splits(const struct split_case *c, size_t n,
			  const char *const *bare)
{
	size_t i;

	for (i = 0; i < n; i++) {
		char *line = strdup(c[i].line);
		size_t len = strlen(line);
		struct bootcmd_split s;

		memset(&s, 0x5a, sizeof(s));    /* every field must be set */
		bootcmd_split(line, bare, &s);
		if (!CHECK(s.options >= line && s.options <= line + len,
			   "'%s': options outside the line", c[i].line))
			goto next;
		CHECK(!strcmp(s.options, c[i].options), "'%s': options '%s', want '%s'",
		      c[i].line, s.options, c[i].options);
		if (!c[i].image) {
			CHECK(!s.image && s.image_len == 0, "'%s': image '%.*s', want none",
			      c[i].line, (int)(s.image ? s.image_len : 0),
			      s.image ? s.image : "");
			goto next;
		}
		if (!CHECK(s.image && s.image >= line && s.image + s.image_len <= s.options,
			   "'%s': no image, or image outside the line", c[i].line))
			goto next;
		CHECK(s.image_len == strlen(c[i].image) &&
		      !strncmp(s.image, c[i].image, s.image_len),
		      "'%s': image '%.*s', want '%s'", c[i].line, (int)s.image_len,
		      s.image, c[i].image);
next:
		free(line);
	}
}

static void test_loaders(void)
{
	TEST("QEMU -kernel K -append A: 'K A'") {
		static const struct split_case c[] = {
			{ "build/guest.elf pv=native tests=irq", "build/guest.elf",
			  "pv=native tests=irq" },
			{ "build/hv.elf mem=64M", "build/hv.elf", "mem=64M" },
			{ "build/guest.elf pv.report", "build/guest.elf", "pv.report" },
			{ "build/guest.elf", "build/guest.elf", "" },
			{ "/abs/path/guest.elf ", "/abs/path/guest.elf", "" },
		};
		expect_splits(c, ARRAY_SIZE(c), guest_bare);
	}
	TEST("QEMU -initrd \"F ARGS\": module line 'F ARGS'") {
		static const struct split_case c[] = {
			{ "build/guest.elf tests=irq,clock", "build/guest.elf",
			  "tests=irq,clock" },
			{ "../guest.elf pv.report", "../guest.elf", "pv.report" },
			{ "guest.elf tests=none", "guest.elf", "tests=none" },
		};
		expect_splits(c, ARRAY_SIZE(c), guest_bare);
	}
	TEST("GRUB 2 multiboot: kernel line with and without the path") {
		static const struct split_case with[] = {
			{ "/hv.elf mem=64M abi=0.1", "/hv.elf", "mem=64M abi=0.1" },
			{ "/boot/hv.elf", "/boot/hv.elf", "" },
			{ "(hd0,msdos1)/boot/hv.elf mem=64M", "(hd0,msdos1)/boot/hv.elf",
			  "mem=64M" },
		};
		static const struct split_case without[] = {
			{ "mem=64M abi=0.1", NULL, "mem=64M abi=0.1" },
			{ "break=guest-state", NULL, "break=guest-state" },
			{ "", NULL, "" },
		};
		expect_splits(with, ARRAY_SIZE(with), NULL);
		expect_splits(without, ARRAY_SIZE(without), NULL);
	}
	TEST("GRUB 2 module: the arguments only, no path") {
		static const struct split_case c[] = {
			{ "pv.report tests=irq", NULL, "pv.report tests=irq" },
			{ "tests=irq pv.report", NULL, "tests=irq pv.report" },
			{ "pv=native", NULL, "pv=native" },
			{ "tests=a/b", NULL, "tests=a/b" },
			{ "pv.report", NULL, "pv.report" },
		};
		expect_splits(c, ARRAY_SIZE(c), guest_bare);
	}
	TEST("iPXE: the image URI first") {
		static const struct split_case c[] = {
			{ "tftp://10.0.2.2/guest.elf tests=irq", "tftp://10.0.2.2/guest.elf",
			  "tests=irq" },
			{ "tftp://10.0.2.2/hv.elf ", "tftp://10.0.2.2/hv.elf", "" },
			{ "http://10.0.2.2:8080/guest.elf?x=y pv.report",
			  "http://10.0.2.2:8080/guest.elf?x=y", "pv.report" },
			{ "http://h/a?b=c&d=e/f tests=none", "http://h/a?b=c&d=e/f",
			  "tests=none" },
			{ "https://h/guest.elf?x=y", "https://h/guest.elf?x=y", "" },
		};
		expect_splits(c, ARRAY_SIZE(c), guest_bare);
	}
	TEST("Bochs boot sector (tools/run): 'PATH ARGS'") {
		static const struct split_case c[] = {
			{ "build/guest.elf pv=nopatch", "build/guest.elf", "pv=nopatch" },
			{ "build/tests/mbprint.bin alpha=1 beta", "build/tests/mbprint.bin",
			  "alpha=1 beta" },
			{ "/tmp/x/build/hv.elf break=host-state", "/tmp/x/build/hv.elf",
			  "break=host-state" },
		};
		expect_splits(c, ARRAY_SIZE(c), guest_bare);
	}
}

static void test_first_words(void)
{
	TEST("empty line, blanks only") {
		static const struct split_case c[] = {
			{ "", NULL, "" },
			{ " ", NULL, "" },
			{ "   \t \r\n", NULL, "" },
		};
		expect_splits(c, ARRAY_SIZE(c), guest_bare);
		expect_splits(c, ARRAY_SIZE(c), NULL);
	}
	TEST("pv.report first: an option to the guest, a file name to the hypervisor") {
		static const struct split_case guest[] = {
			{ "pv.report", NULL, "pv.report" },
			{ "  pv.report tests=none", NULL, "pv.report tests=none" },
		};
		static const struct split_case hv[] = {
			{ "pv.report tests=none", "pv.report", "tests=none" },
		};
		expect_splits(guest, ARRAY_SIZE(guest), guest_bare);
		expect_splits(hv, ARRAY_SIZE(hv), NULL);
	}
	TEST("a bare option word only matches whole") {
		static const struct split_case c[] = {
			{ "pv.reportx a=1", "pv.reportx", "a=1" },
			{ "pv.repor a=1", "pv.repor", "a=1" },
			{ "pv.report/x a=1", "pv.report/x", "a=1" },
		};
		expect_splits(c, ARRAY_SIZE(c), guest_bare);
	}
	TEST("guest.elf first: a bare file name") {
		static const struct split_case c[] = {
			{ "guest.elf", "guest.elf", "" },
			{ "guest.elf pv=native", "guest.elf", "pv=native" },
			{ "\tguest.elf\t\tpv.report\n", "guest.elf", "pv.report\n" },
		};
		expect_splits(c, ARRAY_SIZE(c), guest_bare);
		expect_splits(c, ARRAY_SIZE(c), NULL);
	}
	TEST("mem=64M first: an option") {
		static const struct split_case c[] = {
			{ "mem=64M", NULL, "mem=64M" },
			{ "  mem=64M abi=1.0", NULL, "mem=64M abi=1.0" },
			{ "=", NULL, "=" },
			{ "a=b/c d", NULL, "a=b/c d" },
		};
		expect_splits(c, ARRAY_SIZE(c), NULL);
		expect_splits(c, ARRAY_SIZE(c), guest_bare);
	}
	TEST("'/' before '=' is a path, wherever the '=' is") {
		static const struct split_case c[] = {
			{ "a/b=c d=e", "a/b=c", "d=e" },
			{ "/ x=1", "/", "x=1" },
			{ "./k=v", "./k=v", "" },
		};
		expect_splits(c, ARRAY_SIZE(c), guest_bare);
	}
	TEST("only the first word is ever the image") {
		static const struct split_case c[] = {
			{ "pv=native build/guest.elf", NULL, "pv=native build/guest.elf" },
			{ "a b c", "a", "b c" },
			{ "pv.report guest.elf", NULL, "pv.report guest.elf" },
		};
		expect_splits(c, ARRAY_SIZE(c), guest_bare);
	}
	TEST("an empty list of bare options is none") {
		static const char *const none[] = { NULL };
		static const struct split_case c[] = {
			{ "pv.report x=1", "pv.report", "x=1" },
		};
		expect_splits(c, ARRAY_SIZE(c), none);
	}
}

static void test_number(void)
{
	static const struct {
		const char *s;
		uint64_t max;
		int want;               /* 0, BOOTCMD_NOT_A_NUMBER, BOOTCMD_TOO_LARGE */
		uint64_t value;
		size_t used;            /* digits consumed */
	} c[] = {
		{ "0", 10, 0, 0, 1 },
		{ "007", 10, 0, 7, 3 },
		{ "10", 10, 0, 10, 2 },
		{ "11", 10, BOOTCMD_TOO_LARGE, 0, 2 },
		{ "12M", UINT64_MAX, 0, 12, 2 },
		{ "65535.1", 65535, 0, 65535, 5 },
		{ "65536.1", 65535, BOOTCMD_TOO_LARGE, 0, 5 },
		{ "4294967297", 65535, BOOTCMD_TOO_LARGE, 0, 10 },
		{ "18446744073709551615", UINT64_MAX, 0, UINT64_MAX, 20 },
		{ "18446744073709551616", UINT64_MAX, BOOTCMD_TOO_LARGE, 0, 20 },
		{ "18446744073709551620", UINT64_MAX, BOOTCMD_TOO_LARGE, 0, 20 },
		/* 2^64 + 64 MiB: wraps to 64 MiB without the check. */
		{ "18446744073776660480", UINT64_MAX, BOOTCMD_TOO_LARGE, 0, 20 },
		{ "99999999999999999999999999999x", UINT64_MAX, BOOTCMD_TOO_LARGE, 0, 29 },
		{ "100000000", 100000000, 0, 100000000, 9 },
		{ "100000001", 100000000, BOOTCMD_TOO_LARGE, 0, 9 },
		{ "", 10, BOOTCMD_NOT_A_NUMBER, 0, 0 },
		{ "x1", 10, BOOTCMD_NOT_A_NUMBER, 0, 0 },
		{ "-1", 10, BOOTCMD_NOT_A_NUMBER, 0, 0 },
		{ "+1", 10, BOOTCMD_NOT_A_NUMBER, 0, 0 },
		{ " 1", 10, BOOTCMD_NOT_A_NUMBER, 0, 0 },
		{ "5", 0, BOOTCMD_TOO_LARGE, 0, 1 },
		{ "0", 0, 0, 0, 1 },
	};
	size_t i;

	TEST("bootcmd_number: values, limits, overflow") {
		for (i = 0; i < ARRAY_SIZE(c); i++) {
			char *s = strdup(c[i].s);
			const char *end = NULL;
			uint64_t v = 0x5a5a5a5a;
			int r = bootcmd_number(s, c[i].max, &v, &end);

			CHECK(r == c[i].want, "'%s' max %llu: returned %d, want %d", c[i].s,
			      (unsigned long long)c[i].max, r, c[i].want);
			if (r == 0)
				CHECK(v == c[i].value, "'%s': value %llu, want %llu", c[i].s,
				      (unsigned long long)v, (unsigned long long)c[i].value);
			else
				CHECK(v == 0x5a5a5a5a, "'%s': value written on failure", c[i].s);
			if (r != BOOTCMD_NOT_A_NUMBER)
				CHECK(end == s + c[i].used, "'%s': end after %td, want %zu",
				      c[i].s, end - s, c[i].used);
			free(s);
		}
	}
}

/* The word iterator both kernels' option loops use. */
static void test_next_word(void)
{
	TEST("next_word: words in place, every blank a separator, NULL at the end") {
		char line[] = " \tpv.report  tests=irq\r\nbench=all ";
		const char *want[] = { "pv.report", "tests=irq", "bench=all" };
		char *p = line, *w;
		size_t n = 0;

		while ((w = bootcmd_next_word(&p)) && n < 4) {
			if (n < 3)
				CHECK(!strcmp(w, want[n]), "word %zu '%s', want '%s'", n, w, want[n]);
			n++;
		}
		CHECK(n == 3, "%zu words, want 3", n);
		CHECK(!bootcmd_next_word(&p), "a word after the end");
	}
	TEST("next_word: an empty line and a line of blanks have no word") {
		char empty[] = "", blanks[] = " \t \n";
		char *p = empty, *q = blanks;

		CHECK(!bootcmd_next_word(&p), "a word in ''");
		CHECK(!bootcmd_next_word(&q), "a word in blanks");
	}
}

int main(void)
{
	test_loaders();
	test_first_words();
	test_number();
	test_next_word();
	return check_summary();
}
