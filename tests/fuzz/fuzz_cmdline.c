/*
 * fuzz_cmdline.c - libFuzzer target: the guest's command-line parser
 * (guest/cmdline.c) and its name lists.
 *
 * Input: the line. Invariants:
 *   - cmdline_parse returns 0 or -1, and -1 always with a one-line reason;
 *   - it agrees with a model of cmdline.h's grammar on whether the line is
 *     good and on every value: pv, pv.report, tests=, bench= (the last of
 *     each wins) and bench.iters within 1..BENCH_ITERS_MAX (read here with
 *     128-bit arithmetic); shared/lib/bootcmd.c, fuzzed on its own, says
 *     where the options begin;
 *   - strings it hands back point into the line (or are its defaults) and
 *     the line changes only where a blank or '=' became a NUL;
 *   - for a list it accepted, cmdline_list_has and cmdline_list_check say
 *     what the list's comma-separated names say.
 * Environment: build host, clang with libFuzzer.
 */
/* SPDX-License-Identifier: MIT */
#include "bootcmd.h"
#include "cmdline.h"
#include "fuzz.h"

static const char *const names[] = { "irq", "cr", "tlb", "hypercall", "fuzz", "a" };
#define NNAMES (sizeof(names) / sizeof(names[0]))

/* What cmdline.h says a good line sets; model_parse returns 0 or -1. */
struct model {
	enum pv_mode pv;
	int pv_report;
	const char *tests, *bench;      /* into the model's own copy */
	uint64_t iters;
};

static int model_list_ok(const char *v)
{
	size_t n = strlen(v), i;

	if (!n || v[0] == ',' || v[n - 1] == ',')
		return 0;
	for (i = 0; i + 1 < n; i++)
		if (v[i] == ',' && v[i + 1] == ',')
			return 0;
	return 1;
}

static int model_word(char *w, struct model *m)
{
	char *eq = strchr(w, '=');
	const char *v;

	if (!strcmp(w, "pv.report")) {
		m->pv_report = 1;
		return 0;
	}
	if (!eq)
		return -1;
	*eq = 0;
	v = eq + 1;
	if (!strcmp(w, "pv")) {
		if (!strcmp(v, "auto"))
			m->pv = PV_MODE_AUTO;
		else if (!strcmp(v, "native"))
			m->pv = PV_MODE_NATIVE;
		else if (!strcmp(v, "nopatch"))
			m->pv = PV_MODE_NOPATCH;
		else
			return -1;
	} else if (!strcmp(w, "tests") || !strcmp(w, "bench")) {
		if (!model_list_ok(v))
			return -1;
		if (w[0] == 't')
			m->tests = v;
		else
			m->bench = v;
	} else if (!strcmp(w, "bench.iters")) {
		unsigned __int128 x = 0;
		const char *p;

		if (!*v)
			return -1;
		for (p = v; *p; p++) {
			if (*p < '0' || *p > '9')
				return -1;
			x = x * 10 + (unsigned)(*p - '0');
			if (x > BENCH_ITERS_MAX)
				return -1;
		}
		if (x == 0)
			return -1;
		m->iters = (uint64_t)x;
	} else {
		return -1;
	}
	return 0;
}

static int model_parse(char *line, struct model *m)
{
	struct bootcmd_split s;
	char *p, *w;

	m->pv = PV_MODE_AUTO;
	m->pv_report = 0;
	m->tests = "all";
	m->bench = "none";
	m->iters = BENCH_ITERS_DEFAULT;
	bootcmd_split(line, (const char *const[]){ "pv.report", NULL }, &s);
	p = line + (s.options - line);
	while ((w = fuzz_next_word(&p)))
		if (model_word(w, m))
			return -1;
	return 0;
}

/* Points into [buf, buf + len], NUL-terminated there. */
static int inside(const char *s, const char *buf, size_t len)
{
	return s >= buf && s <= buf + len && memchr(s, 0, (size_t)(buf + len - s) + 1);
}

static void check_lists(const char *list)
{
	size_t i, n;
	int all_known = 1;

	/* The names the list holds, as its text says. */
	for (const char *p = list; *p; p += n + (p[n] == ',')) {
		int known = 0;

		n = strcspn(p, ",");
		for (i = 0; i < NNAMES; i++)
			known |= strlen(names[i]) == n && !strncmp(names[i], p, n);
		all_known &= known;
	}
	for (i = 0; i < NNAMES; i++) {
		size_t k = strlen(names[i]);
		int want = 0;

		if (!strcmp(list, "all"))
			want = 1;
		else if (strcmp(list, "none"))
			for (const char *p = list; *p; p += n + (p[n] == ',')) {
				n = strcspn(p, ",");
				want |= n == k && !strncmp(p, names[i], n);
			}
		FUZZ_ASSERT(cmdline_list_has(list, names[i]) == want,
			    "list '%s' has '%s': says %d", list, names[i], !want);
	}
	if (!strcmp(list, "all") || !strcmp(list, "none"))
		all_known = 1;
	{
		char err[96];
		int r = cmdline_list_check(list, names, NNAMES, err, sizeof(err));

		FUZZ_ASSERT(r == (all_known ? 0 : -1), "list '%s' checked %d", list, r);
		FUZZ_ASSERT(r == 0 || fuzz_reason_ok(err, sizeof(err)), "list error without a reason");
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *orig = fuzz_str(data, size);
	size_t len = strlen(orig), i;
	char *line = (char *)fuzz_dup((const uint8_t *)orig, len + 1);
	char *mline = (char *)fuzz_dup((const uint8_t *)orig, len + 1);
	struct guest_opts o;
	struct model m;
	char err[128];
	int r, mr;

	memset(&o, 0x5a, sizeof(o));
	memset(err, 'x', sizeof(err));
	r = cmdline_parse(line, &o, err, sizeof(err));
	mr = model_parse(mline, &m);
	FUZZ_ASSERT(r == 0 || r == -1, "returned %d", r);
	FUZZ_ASSERT(r == mr, "'%s': parser says %d, cmdline.h says %d (%s)", orig, r, mr,
		    r ? err : "");
	for (i = 0; i < len; i++)
		FUZZ_ASSERT(line[i] == orig[i] ||
			    (line[i] == 0 && (fuzz_blank(orig[i]) || orig[i] == '=')),
			    "byte %zu changed from 0x%02x to 0x%02x", i, (unsigned char)orig[i],
			    (unsigned char)line[i]);
	if (r) {
		FUZZ_ASSERT(fuzz_reason_ok(err, sizeof(err)), "refused without a reason");
		goto out;
	}
	FUZZ_ASSERT(err[0] == 0, "accepted, yet err says '%.40s'", err);
	FUZZ_ASSERT(o.pv == m.pv, "pv %d, want %d", o.pv, m.pv);
	FUZZ_ASSERT(o.pv_report == m.pv_report, "pv.report %d, want %d", o.pv_report,
		    m.pv_report);
	FUZZ_ASSERT(o.bench_iters >= 1 && o.bench_iters <= BENCH_ITERS_MAX &&
		    o.bench_iters == m.iters, "bench.iters %u, want %llu", o.bench_iters,
		    (unsigned long long)m.iters);
	FUZZ_ASSERT(!strcmp(o.tests, m.tests) && !strcmp(o.bench, m.bench),
		    "tests '%s' bench '%s', want '%s' '%s'", o.tests, o.bench, m.tests, m.bench);
	FUZZ_ASSERT(!strcmp(o.tests, "all") || inside(o.tests, line, len),
		    "tests= value outside the line");
	FUZZ_ASSERT(!strcmp(o.bench, "none") || inside(o.bench, line, len),
		    "bench= value outside the line");
	FUZZ_ASSERT(!o.image[0] || inside(o.image, line, len), "image outside the line");
	for (i = 0; o.image[i]; i++)
		FUZZ_ASSERT(!fuzz_blank(o.image[i]), "a blank in the image word");
	check_lists(o.tests);
	check_lists(o.bench);
out:
	free(orig);
	free(line);
	free(mline);
	return 0;
}
