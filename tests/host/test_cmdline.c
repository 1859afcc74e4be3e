/*
 * test_cmdline.c - host tests of the guest's command-line parser.
 *
 * Built from the real guest/cmdline.c; its lib.h string functions and
 * snprintf resolve to the host libc. Every case parses a writable copy of
 * its line in a heap buffer of the line's exact size, so that AddressSanitizer
 * sees any read or write past it. Runs on the build host.
 */
/* SPDX-License-Identifier: MIT */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "cmdline.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* One parse: the line copied to the heap, options, error text. */
struct parse {
	char *line;
	struct guest_opts o;
	char err[128];
	int r;
};

static void parse(struct parse *p, const char *line)
{
	p->line = line ? strdup(line) : NULL;
	memset(&p->o, 0x5a, sizeof(p->o));     /* defaults must be set */
	memset(p->err, 'X', sizeof(p->err));
	p->err[sizeof(p->err) - 1] = 0;
	p->r = cmdline_parse(p->line, &p->o, p->err, sizeof(p->err));
}

static void done(struct parse *p)
{
	free(p->line);
	p->line = NULL;
}

static int is_default(const struct guest_opts *o)
{
	return o->pv == PV_MODE_AUTO && o->pv_report == 0 &&
	       !strcmp(o->tests, "all") && !strcmp(o->bench, "none") &&
	       o->bench_iters == BENCH_ITERS_DEFAULT && !strcmp(o->image, "");
}

/* A line that must parse, leaving the options given and defaults otherwise. */
static void expect_ok(const char *line, enum pv_mode pv, int report,
		      const char *tests, const char *bench, uint32_t iters,
		      const char *image)
{
	struct parse p;

	parse(&p, line);
	if (CHECK(p.r == 0, "'%s': returned %d: %s", line, p.r, p.err)) {
		CHECK(p.err[0] == 0, "'%s': err not cleared: '%s'", line, p.err);
		CHECK(p.o.pv == pv, "'%s': pv=%s, want %s", line, pv_mode_name(p.o.pv),
		      pv_mode_name(pv));
		CHECK(p.o.pv_report == report, "'%s': pv_report %d", line, p.o.pv_report);
		CHECK(!strcmp(p.o.tests, tests), "'%s': tests '%s', want '%s'", line,
		      p.o.tests, tests);
		CHECK(!strcmp(p.o.bench, bench), "'%s': bench '%s', want '%s'", line,
		      p.o.bench, bench);
		CHECK(p.o.bench_iters == iters, "'%s': bench_iters %u, want %u", line,
		      p.o.bench_iters, iters);
		CHECK(!strcmp(p.o.image, image), "'%s': image '%s', want '%s'", line,
		      p.o.image, image);
	}
	done(&p);
}

/* A line that must fail with an error text containing each of want[]. */
static void expect_err(const char *line, const char *want1, const char *want2)
{
	struct parse p;

	parse(&p, line);
	CHECK(p.r == -1, "'%s': returned %d, want -1", line, p.r);
	CHECK(p.err[0] && strlen(p.err) < sizeof(p.err), "'%s': no error text", line);
	CHECK(!want1 || strstr(p.err, want1), "'%s': err '%s' lacks '%s'", line,
	      p.err, want1);
	CHECK(!want2 || strstr(p.err, want2), "'%s': err '%s' lacks '%s'", line,
	      p.err, want2);
	done(&p);
}

#define DEF PV_MODE_AUTO, 0, "all", "none", BENCH_ITERS_DEFAULT

static void test_defaults(void)
{
	TEST("defaults: NULL line") {
		struct parse p;

		parse(&p, NULL);
		CHECK(p.r == 0, "returned %d", p.r);
		CHECK(is_default(&p.o), "options not the defaults");
		CHECK(p.err[0] == 0, "err not cleared");
	}
	TEST("defaults: empty and blank lines") {
		expect_ok("", DEF, "");
		expect_ok(" ", DEF, "");
		expect_ok(" \t \r\n", DEF, "");
	}
	TEST("defaults are the documented ones") {
		CHECK(BENCH_ITERS_DEFAULT == 10000, "BENCH_ITERS_DEFAULT %u",
		      BENCH_ITERS_DEFAULT);
		CHECK(!strcmp(pv_mode_name(PV_MODE_AUTO), "auto") &&
		      !strcmp(pv_mode_name(PV_MODE_NATIVE), "native") &&
		      !strcmp(pv_mode_name(PV_MODE_NOPATCH), "nopatch") &&
		      !strcmp(pv_mode_name((enum pv_mode)7), "?"), "pv_mode_name");
	}
}

static void test_options(void)
{
	TEST("pv=") {
		expect_ok("pv=auto", PV_MODE_AUTO, 0, "all", "none", 10000, "");
		expect_ok("pv=native", PV_MODE_NATIVE, 0, "all", "none", 10000, "");
		expect_ok("pv=nopatch", PV_MODE_NOPATCH, 0, "all", "none", 10000, "");
		expect_ok("pv=native pv=nopatch", PV_MODE_NOPATCH, 0, "all", "none",
			  10000, "");
	}
	TEST("pv.report") {
		expect_ok("pv.report", PV_MODE_AUTO, 1, "all", "none", 10000, "");
		expect_ok("pv=native pv.report", PV_MODE_NATIVE, 1, "all", "none",
			  10000, "");
	}
	TEST("tests=") {
		expect_ok("tests=none", PV_MODE_AUTO, 0, "none", "none", 10000, "");
		expect_ok("tests=all", PV_MODE_AUTO, 0, "all", "none", 10000, "");
		expect_ok("tests=irq", PV_MODE_AUTO, 0, "irq", "none", 10000, "");
		expect_ok("tests=irq,cr,timer", PV_MODE_AUTO, 0, "irq,cr,timer", "none",
			  10000, "");
	}
	TEST("bench=") {
		expect_ok("bench=all", PV_MODE_AUTO, 0, "all", "all", 10000, "");
		expect_ok("bench=none", PV_MODE_AUTO, 0, "all", "none", 10000, "");
		expect_ok("bench=cli,eoi", PV_MODE_AUTO, 0, "all", "cli,eoi", 10000, "");
	}
	TEST("bench.iters=") {
		expect_ok("bench.iters=1", PV_MODE_AUTO, 0, "all", "none", 1, "");
		expect_ok("bench.iters=12345", PV_MODE_AUTO, 0, "all", "none", 12345, "");
		expect_ok("bench.iters=007", PV_MODE_AUTO, 0, "all", "none", 7, "");
		expect_ok("bench.iters=100000000", PV_MODE_AUTO, 0, "all", "none",
			  BENCH_ITERS_MAX, "");
	}
	TEST("all options together") {
		expect_ok("pv=nopatch pv.report tests=irq,cr bench=all bench.iters=50",
			  PV_MODE_NOPATCH, 1, "irq,cr", "all", 50, "");
	}
}

static void test_image(void)
{
	TEST("first word as image") {
		expect_ok("build/guest.elf pv=native", PV_MODE_NATIVE, 0, "all", "none",
			  10000, "build/guest.elf");
		expect_ok("tftp://10.0.2.2/guest.elf tests=none", PV_MODE_AUTO, 0, "none",
			  "none", 10000, "tftp://10.0.2.2/guest.elf");
		expect_ok("/boot/guest.elf", DEF, "/boot/guest.elf");
		expect_ok("  guest.elf  ", DEF, "guest.elf");
	}
	TEST("an option first is no image") {
		expect_ok("pv=native", PV_MODE_NATIVE, 0, "all", "none", 10000, "");
		expect_ok("pv.report", PV_MODE_AUTO, 1, "all", "none", 10000, "");
		expect_ok("tests=none", PV_MODE_AUTO, 0, "none", "none", 10000, "");
	}
	TEST("GRUB 2 module lines: no path, an option first") {
		expect_ok("pv.report tests=irq", PV_MODE_AUTO, 1, "irq", "none", 10000, "");
		expect_ok("tests=irq pv.report", PV_MODE_AUTO, 1, "irq", "none", 10000, "");
		expect_ok("  pv.report", PV_MODE_AUTO, 1, "all", "none", 10000, "");
	}
	TEST("iPXE URIs first, query included") {
		expect_ok("http://10.0.2.2:8080/guest.elf?x=y pv.report", PV_MODE_AUTO, 1,
			  "all", "none", 10000, "http://10.0.2.2:8080/guest.elf?x=y");
		expect_ok("tftp://10.0.2.2/guest.elf", DEF, "tftp://10.0.2.2/guest.elf");
	}
	TEST("image word only first") {
		expect_err("pv.report guest.elf", "unknown option", "guest.elf");
		expect_err("guest.elf pv=native other.elf", "unknown option", "other.elf");
		expect_err("a b", "unknown option", "'b'");
	}
}

static void test_whitespace(void)
{
	TEST("white space between, before, after") {
		expect_ok("  pv=native   tests=none  ", PV_MODE_NATIVE, 0, "none", "none",
			  10000, "");
		expect_ok("\tpv=native\t\ttests=none\t", PV_MODE_NATIVE, 0, "none", "none",
			  10000, "");
		expect_ok("guest.elf \t pv=nopatch\r\n", PV_MODE_NOPATCH, 0, "all", "none",
			  10000, "guest.elf");
		expect_ok("pv=native\nbench.iters=3\n", PV_MODE_NATIVE, 0, "all", "none",
			  3, "");
	}
	TEST("words are cut in place") {
		struct parse p;

		parse(&p, "k pv=native tests=a,b");
		if (CHECK(p.r == 0, "returned %d: %s", p.r, p.err)) {
			CHECK(p.o.image == p.line, "image does not point into the line");
			CHECK(p.o.tests >= p.line && p.o.tests < p.line + 21,
			      "tests does not point into the line");
		}
		done(&p);
	}
	TEST("a long line") {
		char line[CMDLINE_MAX];
		size_t i, off = 0, tests_end;

		/* 511 characters: the image, then tests=x,x,...,x. */
		off += (size_t)snprintf(line, sizeof(line), "guest.elf tests=x");
		while (off + 2 < sizeof(line) - 1) {
			line[off++] = ',';
			line[off++] = 'x';
		}
		tests_end = off;
		while (off < sizeof(line) - 1)
			line[off++] = ' ';
		line[off] = 0;
		CHECK(strlen(line) == 511, "line of %zu", strlen(line));
		{
			struct parse p;

			parse(&p, line);
			CHECK(p.r == 0, "returned %d: %s", p.r, p.err);
			CHECK(p.r || !strcmp(p.o.image, "guest.elf"), "image '%s'", p.o.image);
			CHECK(p.r || (strlen(p.o.tests) == tests_end - 16 &&
				      p.o.tests[0] == 'x'), "tests of %zu", strlen(p.o.tests));
			done(&p);
		}
		for (i = 0; i < sizeof(line) - 1; i++)
			line[i] = 'a';
		line[sizeof(line) - 1] = 0;
		line[0] = 'q';
		line[1] = '=';
		expect_err(line, "unknown option", "q=aaa");
	}
}

static void test_malformed(void)
{
	TEST("unknown options") {
		expect_err("foo=1", "unknown option", "'foo=1'");
		expect_err("pv=native foo=1", "unknown option", "'foo=1'");
		expect_err("guest.elf PV=native", "unknown option", "'PV=native'");
		expect_err("guest.elf =", "unknown option", "'='");
		expect_err("guest.elf pv", "unknown option", "'pv'");
		expect_err("guest.elf tests", "unknown option", "'tests'");
	}
	TEST("bad pv=") {
		expect_err("pv=", "pv=", "''");
		expect_err("pv=bogus", "pv=", "'bogus'");
		expect_err("pv=Native", "pv=", "'Native'");
		expect_err("pv.report=1", "pv.report", "'1'");
		expect_err("pv.report=", "pv.report", "''");
	}
	TEST("bad lists") {
		expect_err("tests=", "tests=", "''");
		expect_err("tests=a,,b", "tests=", "'a,,b'");
		expect_err("tests=,a", "tests=", "',a'");
		expect_err("tests=a,", "tests=", "'a,'");
		expect_err("tests=,", "tests=", "','");
		expect_err("bench=", "bench=", "''");
		expect_err("bench=x,,y", "bench=", "'x,,y'");
	}
	TEST("bad bench.iters=") {
		expect_err("bench.iters=0", "bench.iters=", "'0'");
		expect_err("bench.iters=", "bench.iters=", "''");
		expect_err("bench.iters=abc", "bench.iters=", "'abc'");
		expect_err("bench.iters=12x", "bench.iters=", "'12x'");
		expect_err("bench.iters=-1", "bench.iters=", "'-1'");
		expect_err("bench.iters=+5", "bench.iters=", "'+5'");
		expect_err("bench.iters=100000001", "bench.iters=", "'100000001'");
		expect_err("bench.iters=4294967295", "bench.iters=", "'4294967295'");
		expect_err("bench.iters=4294967296", "bench.iters=", "'4294967296'");
		expect_err("bench.iters=99999999999", "bench.iters=", "'99999999999'");
		expect_err("bench.iters=18446744073709551617", "bench.iters=",
			   "'18446744073709551617'");
	}
	TEST("numbers above their limit are refused, naming value and limit") {
		/* 2^64 + 7 and 2^32 + 7: wrapped, each would read as 7. */
		expect_err("bench.iters=18446744073709551623", "1..100000000",
			   "'18446744073709551623'");
		expect_err("bench.iters=4294967303", "1..100000000", "'4294967303'");
		expect_err("bench.iters=100000001", "1..100000000", "'100000001'");
		expect_err("bench.iters=999999999999999999999999999999999999", "1..100000000",
			   "'999999999999999999999999999999999999'");
	}
	TEST("an error stops at the first bad word") {
		expect_err("pv=bogus foo=1", "'bogus'", NULL);
		expect_err("guest.elf foo=1 pv=bogus", "'foo=1'", NULL);
	}
}

static void test_err_truncation(void)
{
	TEST("err truncated to errlen") {
		size_t len;

		for (len = 0; len <= 24; len++) {
			char *line = strdup("pv=a-rather-long-and-bogus-value");
			char *err = len ? malloc(len) : NULL;
			struct guest_opts o;
			int r;

			r = cmdline_parse(line, &o, err, len);
			CHECK(r == -1, "errlen %zu: returned %d", len, r);
			if (len)
				CHECK(strlen(err) == len - 1, "errlen %zu: err of %zu", len,
				      strlen(err));
			free(err);
			free(line);
		}
	}
	TEST("cmdline_list_check err truncated") {
		static const char *const names[] = { "irq" };
		char err[6];

		CHECK(cmdline_list_check("irq,bogus_name", names, 1, err, sizeof(err)) == -1,
		      "accepted an unknown name");
		CHECK(strlen(err) == sizeof(err) - 1, "err '%s'", err);
	}
}

static void test_list_has(void)
{
	static const struct {
		const char *list, *name;
		int has;
	} cases[] = {
		{ "all", "irq", 1 },     { "all", "", 1 },
		{ "none", "irq", 0 },    { "none", "none", 0 },
		{ "irq", "irq", 1 },     { "irq,cr", "irq", 1 },
		{ "irq,cr", "cr", 1 },   { "a,irq,cr", "irq", 1 },
		{ "irqx", "irq", 0 },    { "irq", "irqx", 0 },
		{ "xirq", "irq", 0 },    { "irqx,cr", "irq", 0 },
		{ "cr,irqx", "irq", 0 }, { "ir,q", "irq", 0 },
		{ "irq,cr", "ir", 0 },   { "irq,cr", "c", 0 },
		{ "timer", "time", 0 },  { "time,timer", "timer", 1 },
		{ "All", "irq", 0 },
	};
	size_t i;

	TEST("cmdline_list_has") {
		for (i = 0; i < ARRAY_SIZE(cases); i++)
			CHECK(!!cmdline_list_has(cases[i].list, cases[i].name) == cases[i].has,
			      "list '%s' name '%s': want %d", cases[i].list, cases[i].name,
			      cases[i].has);
	}
}

static void test_list_check(void)
{
	static const char *const names[] = { "irq", "cr", "timer", "pv" };
	static const struct {
		const char *list;
		const char *bad;        /* NULL: accepted */
	} cases[] = {
		{ "all", NULL },        { "none", NULL },
		{ "irq", NULL },        { "irq,cr,timer,pv", NULL },
		{ "pv,irq", NULL },     { "irq,irq", NULL },
		{ "bogus", "bogus" },   { "irq,bogus", "bogus" },
		{ "irqx", "irqx" },     { "ir", "ir" },
		{ "irq,time", "time" }, { "timers,irq", "timers" },
		{ "irq,cr,x", "'x'" },
	};
	size_t i;

	TEST("cmdline_list_check") {
		for (i = 0; i < ARRAY_SIZE(cases); i++) {
			char err[64] = "untouched";
			int r = cmdline_list_check(cases[i].list, names, ARRAY_SIZE(names),
						   err, sizeof(err));

			if (!cases[i].bad) {
				CHECK(r == 0, "'%s': returned %d: %s", cases[i].list, r, err);
				continue;
			}
			CHECK(r == -1, "'%s': returned %d", cases[i].list, r);
			CHECK(strstr(err, "unknown") && strstr(err, cases[i].bad),
			      "'%s': err '%s' does not name '%s'", cases[i].list, err,
			      cases[i].bad);
		}
		/* No names at all: every name is unknown. */
		{
			char err[64];

			CHECK(cmdline_list_check("irq", names, 0, err, sizeof(err)) == -1,
			      "an empty name table accepted 'irq'");
		}
	}
}

int main(void)
{
	test_defaults();
	test_options();
	test_image();
	test_whitespace();
	test_malformed();
	test_err_truncation();
	test_list_has();
	test_list_check();
	return check_summary();
}
