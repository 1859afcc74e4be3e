/*
 * cmdline.c - parse the guest's command line.
 *
 * Strict: an unknown option or a bad value is an error that stops the boot
 * with its reason, never a silent default.
 *
 * Environment: guest kernel at boot; pure logic, also in the host tests.
 */
/* SPDX-License-Identifier: MIT */
#include "cmdline.h"
#include "bootcmd.h"
#include "lib.h"

/* The options without '=': never taken for the image's path (bootcmd.h). */
static const char *const cmdline_bare_options[] = { "pv.report", NULL };

static void set_err(char *err, size_t errlen, const char *what, const char *word)
{
	snprintf(err, errlen, "%s '%s'", what, word);
}

/* A whole word of digits, 1..max. */
static int parse_count(const char *s, uint32_t max, uint32_t *out)
{
	const char *end;
	uint64_t v;

	if (bootcmd_number(s, max, &v, &end) || *end || v == 0)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

/* A list value: all, none, or comma-separated names with no empty ones. */
static int valid_list(const char *v)
{
	const char *p;

	if (!*v || *v == ',')
		return 0;
	for (p = v; *p; p++)
		if (*p == ',' && (p[1] == ',' || p[1] == 0))
			return 0;
	return 1;
}

static int apply(char *word, struct guest_opts *o, char *err, size_t errlen)
{
	char *val = word;

	while (*val && *val != '=')
		val++;
	if (*val == '=')
		*val++ = 0;
	else
		val = 0;

	if (!strcmp(word, "pv.report")) {
		if (val) {
			set_err(err, errlen, "pv.report takes no value, got", val);
			return -1;
		}
		o->pv_report = 1;
		return 0;
	}
	if (!val) {
		set_err(err, errlen, "unknown option", word);
		return -1;
	}
	if (!strcmp(word, "pv")) {
		if (!strcmp(val, "auto"))
			o->pv = PV_MODE_AUTO;
		else if (!strcmp(val, "native"))
			o->pv = PV_MODE_NATIVE;
		else if (!strcmp(val, "nopatch"))
			o->pv = PV_MODE_NOPATCH;
		else {
			set_err(err, errlen, "pv= takes auto|native|nopatch, got", val);
			return -1;
		}
	} else if (!strcmp(word, "tests") || !strcmp(word, "bench")) {
		if (!valid_list(val)) {
			snprintf(err, errlen, "%s= takes all|none|NAME[,NAME...], got '%s'",
				 word, val);
			return -1;
		}
		if (word[0] == 't')
			o->tests = val;
		else
			o->bench = val;
	} else if (!strcmp(word, "bench.iters")) {
		if (parse_count(val, BENCH_ITERS_MAX, &o->bench_iters)) {
			snprintf(err, errlen, "bench.iters= takes 1..%u, got '%s'",
				 BENCH_ITERS_MAX, val);
			return -1;
		}
	} else {
		val[-1] = '=';
		set_err(err, errlen, "unknown option", word);
		return -1;
	}
	return 0;
}

int cmdline_parse(char *line, struct guest_opts *o, char *err, size_t errlen)
{
	struct bootcmd_split split;
	char *p, *word;

	o->pv = PV_MODE_AUTO;
	o->pv_report = 0;
	o->tests = "all";
	o->bench = "none";
	o->bench_iters = BENCH_ITERS_DEFAULT;
	o->image = "";
	if (errlen)
		err[0] = 0;
	if (!line)
		return 0;

	bootcmd_split(line, cmdline_bare_options, &split);
	p = line + (split.options - line);
	if (split.image) {
		word = line + (split.image - line);
		word[split.image_len] = 0;      /* a blank, or the line's end */
		o->image = word;
	}
	while ((word = bootcmd_next_word(&p)))
		if (apply(word, o, err, errlen))
			return -1;
	return 0;
}

int cmdline_list_has(const char *list, const char *name)
{
	size_t n = strlen(name);
	const char *p = list;

	if (!strcmp(list, "all"))
		return 1;
	if (!strcmp(list, "none"))
		return 0;
	while (*p) {
		if (!strncmp(p, name, n) && (p[n] == ',' || p[n] == 0))
			return 1;
		while (*p && *p != ',')
			p++;
		if (*p == ',')
			p++;
	}
	return 0;
}

int cmdline_list_check(const char *list, const char *const *names, size_t n,
		       char *err, size_t errlen)
{
	const char *p = list;

	if (!strcmp(list, "all") || !strcmp(list, "none"))
		return 0;
	while (*p) {
		const char *e = p;
		size_t len, i;
		int found = 0;

		while (*e && *e != ',')
			e++;
		len = (size_t)(e - p);
		for (i = 0; i < n && !found; i++)
			found = strlen(names[i]) == len && !strncmp(names[i], p, len);
		if (!found) {
			snprintf(err, errlen, "unknown name '%.*s'", (int)len, p);
			return -1;
		}
		p = *e ? e + 1 : e;
	}
	return 0;
}

const char *pv_mode_name(enum pv_mode m)
{
	switch (m) {
	case PV_MODE_AUTO:    return "auto";
	case PV_MODE_NATIVE:  return "native";
	case PV_MODE_NOPATCH: return "nopatch";
	}
	return "?";
}
