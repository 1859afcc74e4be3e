/*
 * fuzz_hv_options.c - libFuzzer target: the hypervisor's command-line
 * parser (hv/options.c).
 *
 * Input: the line. Invariants:
 *   - hv_options_parse returns 0 or -1, and -1 always with a one-line
 *     reason;
 *   - it agrees with a model of options.h's grammar on whether the line is
 *     good and on every value (the last of each option wins): mem= is
 *     HV_OPT_MEM_ANY or a whole multiple of 2 MiB, at least 2 MiB, that
 *     fits 64 bits once its K/M/G is applied (computed here with 128-bit
 *     arithmetic); abi= is MAJOR.MINOR, each at most 65535; break= one of
 *     its three words; stats= time; cpus= a count of 1-HV_OPT_CPUS_MAX;
 *     shared/lib/bootcmd.c, fuzzed on its own, says where
 *     the options begin;
 *   - the line changes only where a blank became a NUL.
 * Environment: build host, clang with libFuzzer.
 */
/* SPDX-License-Identifier: MIT */
#include "bootcmd.h"
#include "fuzz.h"
#include "options.h"

/* Decimal digits at *s as a 128-bit number, saturated; -1 when none. */
static int digits(const char **s, unsigned __int128 *v)
{
	const char *p = *s;

	*v = 0;
	if (*p < '0' || *p > '9')
		return -1;
	for (; *p >= '0' && *p <= '9'; p++) {
		*v = *v * 10 + (unsigned)(*p - '0');
		if (*v > ((unsigned __int128)1 << 90))
			*v = (unsigned __int128)1 << 90;     /* room for a 30-bit shift */
	}
	*s = p;
	return 0;
}

static int model_word(const char *w, struct hv_options *m)
{
	const char *eq = strchr(w, '='), *v;
	unsigned __int128 x, y;

	if (!eq)
		return -1;
	v = eq + 1;
	if ((size_t)(eq - w) == 3 && !strncmp(w, "mem", 3)) {
		unsigned shift = 0;

		if (digits(&v, &x))
			return -1;
		if (*v == 'K' || *v == 'k')
			shift = 10;
		else if (*v == 'M' || *v == 'm')
			shift = 20;
		else if (*v == 'G' || *v == 'g')
			shift = 30;
		else if (*v)
			return -1;
		if (*v && v[1])
			return -1;
		x <<= shift;
		if (x > UINT64_MAX || x < HV_OPT_MEM_UNIT || x % HV_OPT_MEM_UNIT)
			return -1;
		m->mem_max = (uint64_t)x;
	} else if ((size_t)(eq - w) == 3 && !strncmp(w, "abi", 3)) {
		if (digits(&v, &x) || *v++ != '.' || digits(&v, &y) || *v)
			return -1;
		if (x > 0xffff || y > 0xffff)
			return -1;
		m->abi_set = 1;
		m->abi_version = (uint32_t)(x << 16 | y);
	} else if ((size_t)(eq - w) == 5 && !strncmp(w, "break", 5)) {
		if (strcmp(v, "guest-state") && strcmp(v, "host-state") && strcmp(v, "ap-panic"))
			return -1;
		m->break_vmcs = v;
	} else if ((size_t)(eq - w) == 5 && !strncmp(w, "stats", 5)) {
		if (strcmp(v, "time"))
			return -1;
		m->stats_time = 1;
	} else if ((size_t)(eq - w) == 4 && !strncmp(w, "cpus", 4)) {
		if (digits(&v, &x) || *v || x < 1 || x > HV_OPT_CPUS_MAX)
			return -1;
		m->cpus = (unsigned)x;
	} else if ((size_t)(eq - w) == 8 && !strncmp(w, "watchdog", 8)) {
		/* N TSC ticks (1..2^64-1) or Ns seconds (1..the documented most). */
		int secs;

		if (digits(&v, &x))
			return -1;
		secs = *v == 's' && !v[1];
		if (*v && !secs)
			return -1;
		if (x == 0 || x > (secs ? HV_OPT_WATCHDOG_SECONDS_MAX : UINT64_MAX))
			return -1;
		m->watchdog = (uint64_t)x;
		m->watchdog_seconds = secs;
	} else {
		return -1;
	}
	return 0;
}

static int model_parse(char *line, struct hv_options *m)
{
	struct bootcmd_split s;
	char *p, *w;

	m->mem_max = HV_OPT_MEM_ANY;
	m->abi_set = 0;
	m->abi_version = 0;
	m->break_vmcs = NULL;
	m->watchdog = 0;
	m->watchdog_seconds = 0;
	m->stats_time = 0;
	m->cpus = 0;
	bootcmd_split(line, NULL, &s);
	p = line + (s.options - line);
	while ((w = fuzz_next_word(&p)))
		if (model_word(w, m))
			return -1;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *orig = fuzz_str(data, size);
	size_t len = strlen(orig), i;
	char *line = (char *)fuzz_dup((const uint8_t *)orig, len + 1);
	char *mline = (char *)fuzz_dup((const uint8_t *)orig, len + 1);
	struct hv_options o, m;
	char err[160];
	int r, mr;

	memset(&o, 0x5a, sizeof(o));
	memset(err, 'x', sizeof(err));
	r = hv_options_parse(line, &o, err, sizeof(err));
	mr = model_parse(mline, &m);
	FUZZ_ASSERT(r == 0 || r == -1, "returned %d", r);
	FUZZ_ASSERT(r == mr, "'%s': parser says %d, options.h says %d (%s)", orig, r, mr,
		    r ? err : "");
	for (i = 0; i < len; i++)
		FUZZ_ASSERT(line[i] == orig[i] || (line[i] == 0 && fuzz_blank(orig[i])),
			    "byte %zu changed from 0x%02x to 0x%02x", i, (unsigned char)orig[i],
			    (unsigned char)line[i]);
	if (r) {
		FUZZ_ASSERT(fuzz_reason_ok(err, sizeof(err)), "refused without a reason");
		goto out;
	}
	FUZZ_ASSERT(err[0] == 0, "accepted, yet err says '%.40s'", err);
	FUZZ_ASSERT(o.mem_max == HV_OPT_MEM_ANY ||
		    (o.mem_max >= HV_OPT_MEM_UNIT && o.mem_max % HV_OPT_MEM_UNIT == 0),
		    "mem_max %#llx breaks its rule", (unsigned long long)o.mem_max);
	FUZZ_ASSERT(o.mem_max == m.mem_max, "'%s': mem_max %#llx, want %#llx", orig,
		    (unsigned long long)o.mem_max, (unsigned long long)m.mem_max);
	FUZZ_ASSERT(o.abi_set == m.abi_set && o.abi_version == m.abi_version,
		    "abi %d %#x, want %d %#x", o.abi_set, o.abi_version, m.abi_set,
		    m.abi_version);
	FUZZ_ASSERT(!o.abi_set == !m.abi_set && (o.abi_set || o.abi_version == 0),
		    "abi_version %#x without abi=", o.abi_version);
	FUZZ_ASSERT(o.watchdog == m.watchdog && o.watchdog_seconds == m.watchdog_seconds,
		    "watchdog %llu%s, want %llu%s", (unsigned long long)o.watchdog,
		    o.watchdog_seconds ? "s" : "", (unsigned long long)m.watchdog,
		    m.watchdog_seconds ? "s" : "");
	FUZZ_ASSERT(!o.break_vmcs == !m.break_vmcs &&
		    (!o.break_vmcs || !strcmp(o.break_vmcs, m.break_vmcs)),
		    "break '%s', want '%s'", o.break_vmcs ? o.break_vmcs : "(none)",
		    m.break_vmcs ? m.break_vmcs : "(none)");
	FUZZ_ASSERT(o.stats_time == m.stats_time, "stats_time %d, want %d", o.stats_time,
		    m.stats_time);
	FUZZ_ASSERT(o.cpus == m.cpus && o.cpus <= HV_OPT_CPUS_MAX, "cpus %u, want %u", o.cpus,
		    m.cpus);
out:
	free(orig);
	free(line);
	free(mline);
	return 0;
}
