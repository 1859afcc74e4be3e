/*
 * test_hv_options.c - host tests of the hypervisor's command-line options.
 *
 * Built from the real hv/options.c and shared/lib/bootcmd.c; their lib.h
 * string functions and snprintf resolve to the host libc. Every case parses
 * a heap copy of its line of exactly its size, so that AddressSanitizer sees
 * any access past it. Runs on the build host.
 */
/* SPDX-License-Identifier: MIT */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "options.h"

#define MiB (1ull << 20)
#define GiB (1ull << 30)

static struct hv_options o;
static char err[160];

static int parse(const char *line)
{
	char *copy = strdup(line);
	int r;

	memset(&o, 0x5a, sizeof(o));           /* defaults must be set */
	memset(err, 'X', sizeof(err) - 1);
	err[sizeof(err) - 1] = 0;
	r = hv_options_parse(copy, &o, err, sizeof(err));
	free(copy);
	return r;
}

static void expect_mem(const char *line, uint64_t want)
{
	if (CHECK(parse(line) == 0, "'%s': %s", line, err)) {
		CHECK(o.mem_max == want, "'%s': mem_max %#llx, want %#llx", line,
		      (unsigned long long)o.mem_max, (unsigned long long)want);
		CHECK(err[0] == 0, "'%s': err not cleared", line);
	}
}

/* A line that must fail with exactly the error text want. */
static void expect_err(const char *line, const char *want)
{
	CHECK(parse(line) == -1, "'%s': accepted", line);
	CHECK(!strcmp(err, want), "'%s': err '%s',\n    want '%s'", line, err, want);
}

/* Each value of bad[] after "k OPT=" is refused as "OPT= takes FORM, got 'v'". */
static void expect_malformed(const char *opt, const char *form,
			     const char *const *bad, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		char line[64], want[96];

		snprintf(line, sizeof(line), "k %s=%s", opt, bad[i]);
		snprintf(want, sizeof(want), "%s= takes %s, got '%s'", opt, form, bad[i]);
		expect_err(line, want);
	}
}

static void test_defaults_and_paths(void)
{
	TEST("defaults") {
		static const char *const lines[] = {
			"", "   ", "build/hv.elf", "/hv.elf ", "tftp://10.0.2.2/hv.elf",
			"hv.elf",
		};
		unsigned i;

		for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
			if (!CHECK(parse(lines[i]) == 0, "'%s': %s", lines[i], err))
				continue;
			CHECK(o.mem_max == HV_OPT_MEM_ANY && !o.abi_set && !o.break_vmcs &&
			      !o.watchdog && !o.watchdog_seconds,
			      "'%s': not the defaults", lines[i]);
		}
	}
	TEST("options after the image path, or with none (GRUB 2)") {
		expect_mem("build/hv.elf mem=64M", 64 * MiB);
		expect_mem("/boot/hv.elf mem=64M", 64 * MiB);
		expect_mem("tftp://10.0.2.2/hv.elf mem=64M", 64 * MiB);
		expect_mem("http://h/hv.elf?mem=2M mem=64M", 64 * MiB);
		expect_mem("mem=64M", 64 * MiB);
		expect_mem("  mem=64M\tabi=1.0\n", 64 * MiB);
		CHECK(o.abi_set && o.abi_version == 0x10000, "abi 0x%x", o.abi_version);
	}
	TEST("only the first word is the image") {
		expect_err("build/hv.elf bogus",
			   "unknown option 'bogus' (options: mem=N[K|M|G] abi=MAJOR.MINOR "
			   "break=guest-state|host-state|ap-panic watchdog=N|Ns stats=time cpus=N)");
		expect_err("mem=64M hv.elf",
			   "unknown option 'hv.elf' (options: mem=N[K|M|G] abi=MAJOR.MINOR "
			   "break=guest-state|host-state|ap-panic watchdog=N|Ns stats=time cpus=N)");
		expect_err("hv.elf foo=1",
			   "unknown option 'foo=1' (options: mem=N[K|M|G] abi=MAJOR.MINOR "
			   "break=guest-state|host-state|ap-panic watchdog=N|Ns stats=time cpus=N)");
	}
}

static void test_cpus(void)
{
	TEST("cpus=N: 1-16; 0, 17, words and suffixes refused; all by default") {
		expect_mem("k mem=2M", 2 * MiB);
		CHECK(o.cpus == 0, "default %u", o.cpus);
		expect_mem("k cpus=1 mem=2M", 2 * MiB);
		CHECK(o.cpus == 1, "cpus=1: %u", o.cpus);
		expect_mem("k cpus=16 mem=2M", 2 * MiB);
		CHECK(o.cpus == 16, "cpus=16: %u", o.cpus);
		expect_err("k cpus=0", "cpus= takes a count of 1-16, got '0'");
		expect_err("k cpus=17", "cpus= takes a count of 1-16, got '17'");
		expect_err("k cpus=2x", "cpus= takes a count of 1-16, got '2x'");
		expect_err("k cpus=", "cpus= takes a count of 1-16, got ''");
	}
}

static void test_stats(void)
{
	TEST("stats=time: on; other values refused; off by default") {
		expect_mem("k mem=2M", 2 * MiB);
		CHECK(!o.stats_time, "stats=time on by default");
		expect_mem("k stats=time mem=2M", 2 * MiB);
		CHECK(o.stats_time, "stats=time not taken");
		expect_err("k stats=on", "stats= takes time, got 'on'");
	}
}

static void test_mem(void)
{
	TEST("mem= in each unit") {
		expect_mem("k mem=2M", 2 * MiB);
		expect_mem("k mem=2m", 2 * MiB);
		expect_mem("k mem=2048K", 2 * MiB);
		expect_mem("k mem=2048k", 2 * MiB);
		expect_mem("k mem=2097152", 2 * MiB);
		expect_mem("k mem=4G", 4 * GiB);
		expect_mem("k mem=1g", GiB);
		expect_mem("k mem=6M mem=64M", 64 * MiB);
		expect_mem("k mem=17179869182G", 17179869182ull * GiB);
	}
	TEST("mem= past 64 bits: refused, naming value and limit") {
		/* 2^64 + 64 MiB: wrapped, it read as 64 MiB. */
		expect_err("k mem=18446744073776660480",
			   "mem= takes at most 18446744073709551615, got '18446744073776660480'");
		expect_err("k mem=18446744073709551616",
			   "mem= takes at most 18446744073709551615, got '18446744073709551616'");
		expect_err("k mem=17592186044416M",
			   "mem= takes at most 17592186044415M, got '17592186044416M'");
		expect_err("k mem=17179869184G",
			   "mem= takes at most 17179869183G, got '17179869184G'");
		expect_err("k mem=18014398509481984K",
			   "mem= takes at most 18014398509481983K, got '18014398509481984K'");
		expect_err("k mem=99999999999999999999999999G",
			   "mem= takes at most 17179869183G, got '99999999999999999999999999G'");
	}
	TEST("mem= not a whole multiple of 2 MiB, or below it") {
		expect_err("k mem=3M",
			   "mem= takes a whole multiple of 2M (2097152 bytes), got '3M'");
		expect_err("k mem=2049K",
			   "mem= takes a whole multiple of 2M (2097152 bytes), got '2049K'");
		expect_err("k mem=2097153",
			   "mem= takes a whole multiple of 2M (2097152 bytes), got '2097153'");
		/* 2^64 - 1 bytes fits the number but not the rule. */
		expect_err("k mem=18446744073709551615",
			   "mem= takes a whole multiple of 2M (2097152 bytes), "
			   "got '18446744073709551615'");
		expect_err("k mem=1M", "mem= takes at least 2M, got '1M'");
		expect_err("k mem=0", "mem= takes at least 2M, got '0'");
		expect_err("k mem=0G", "mem= takes at least 2M, got '0G'");
	}
	TEST("mem= malformed") {
		static const char *const bad[] = {
			"", "M", "x", "-2M", "+2M", "2T", "2MB", "64M,", "0x200000", "2M2",
		};

		expect_malformed("mem", "N[K|M|G]", bad, sizeof(bad) / sizeof(bad[0]));
	}
}

static void test_abi_break(void)
{
	TEST("abi=") {
		CHECK(parse("k abi=1.0") == 0 && o.abi_set && o.abi_version == 0x10000,
		      "1.0: %s", err);
		CHECK(parse("k abi=0.1") == 0 && o.abi_version == 0x1, "0.1: %s", err);
		CHECK(parse("k abi=65535.65535") == 0 && o.abi_version == 0xffffffffu,
		      "65535.65535: %s", err);
		CHECK(parse("k abi=007.010") == 0 && o.abi_version == 0x7000a,
		      "007.010: %s", err);
	}
	TEST("abi= past 65535: refused, naming value and limit") {
		/* 2^32 + 1: wrapped, it read as 1.0. */
		expect_err("k abi=4294967297.0",
			   "abi= takes MAJOR.MINOR, each at most 65535, got '4294967297.0'");
		expect_err("k abi=65536.0",
			   "abi= takes MAJOR.MINOR, each at most 65535, got '65536.0'");
		expect_err("k abi=1.65536",
			   "abi= takes MAJOR.MINOR, each at most 65535, got '1.65536'");
		expect_err("k abi=1.18446744073709551617",
			   "abi= takes MAJOR.MINOR, each at most 65535, "
			   "got '1.18446744073709551617'");
	}
	TEST("abi= malformed") {
		static const char *const bad[] = {
			"", "1", "1.", ".1", "1.x", "x.1", "1.2.3", "-1.0", "1.0x", "1..0",
		};

		expect_malformed("abi", "MAJOR.MINOR", bad, sizeof(bad) / sizeof(bad[0]));
	}
	TEST("break=") {
		CHECK(parse("k break=guest-state") == 0 && o.break_vmcs &&
		      !strcmp(o.break_vmcs, "guest-state"), "guest-state: %s", err);
		CHECK(parse("k break=host-state") == 0 && o.break_vmcs &&
		      !strcmp(o.break_vmcs, "host-state"), "host-state: %s", err);
		expect_err("k break=", "break= takes guest-state|host-state|ap-panic, got ''");
		expect_err("k break=guest", "break= takes guest-state|host-state|ap-panic, got 'guest'");
	}
	TEST("watchdog= in TSC ticks or seconds") {
		CHECK(parse("k watchdog=1") == 0 && o.watchdog == 1 && !o.watchdog_seconds,
		      "1: %s", err);
		CHECK(parse("k watchdog=2000000000") == 0 && o.watchdog == 2000000000ull &&
		      !o.watchdog_seconds, "2000000000: %s", err);
		CHECK(parse("k watchdog=18446744073709551615") == 0 &&
		      o.watchdog == UINT64_MAX, "2^64-1: %s", err);
		CHECK(parse("k watchdog=5s") == 0 && o.watchdog == 5 && o.watchdog_seconds,
		      "5s: %s", err);
		CHECK(parse("k watchdog=1000000s") == 0 && o.watchdog == 1000000 &&
		      o.watchdog_seconds, "1000000s: %s", err);
		CHECK(parse("k watchdog=5s watchdog=7") == 0 && o.watchdog == 7 &&
		      !o.watchdog_seconds, "the last one counts: %s", err);
	}
	TEST("watchdog= out of range or malformed: refused, naming value and limit") {
		static const char *const bad[] = {
			"", "s", "x", "-1", "+1", "5S", "5s5", "5ms", "5m", "5ss", "0x10", "1.5s",
		};

		expect_err("k watchdog=0", "watchdog= takes at least 1, got '0'");
		expect_err("k watchdog=0s", "watchdog= takes at least 1, got '0s'");
		expect_err("k watchdog=1000001s", "watchdog= takes at most 1000000s, got '1000001s'");
		expect_err("k watchdog=18446744073709551617s",
			   "watchdog= takes at most 1000000s, got '18446744073709551617s'");
		expect_err("k watchdog=18446744073709551616",
			   "watchdog= takes at most 18446744073709551615, "
			   "got '18446744073709551616'");
		expect_malformed("watchdog", "N (TSC ticks) or Ns (seconds)", bad,
				 sizeof(bad) / sizeof(bad[0]));
	}
	TEST("err cut to errlen, never overrun") {
		size_t len;

		for (len = 1; len <= 24; len++) {
			char *line = strdup("k mem=18446744073776660480");
			char *e = malloc(len);

			CHECK(hv_options_parse(line, &o, e, len) == -1, "errlen %zu: accepted", len);
			CHECK(strlen(e) == len - 1, "errlen %zu: err of %zu", len, strlen(e));
			free(e);
			free(line);
		}
	}
}

int main(void)
{
	test_defaults_and_paths();
	test_mem();
	test_stats();
	test_cpus();
	test_abi_break();
	return check_summary();
}
