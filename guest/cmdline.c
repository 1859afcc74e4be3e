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
#include "lib.h"

static void set_err(char *err, size_t errlen, const char *what, const char *word)
{
	snprintf(err, errlen, "%s '%s'", what, word);
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int parse_u32(const char *s, uint32_t *out)
{
	uint64_t v = 0;

	if (!*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (uint64_t)(*s - '0');
		if (v > 0xffffffffu)
			return -1;
	}
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
		if (parse_u32(val, &o->bench_iters) || o->bench_iters == 0 ||
		    o->bench_iters > BENCH_ITERS_MAX) {
			set_err(err, errlen, "bench.iters= takes 1..100000000, got", val);
			return -1;
		}
	} else {
		val[-1] = '=';
		set_err(err, errlen, "unknown option", word);
		return -1;
	}
	return 0;
}

static int is_option_word(const char *w)
{
	const char *p;

	if (!strcmp(w, "pv.report"))
		return 1;
	for (p = w; *p; p++)
		if (*p == '=')
			return 1;
	return 0;
}

int cmdline_parse(char *line, struct guest_opts *o, char *err, size_t errlen)
{
	char *p = line, *word;
	int first = 1;

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

	for (;;) {
		while (is_space(*p))
			p++;
		if (!*p)
			return 0;
		word = p;
		while (*p && !is_space(*p))
			p++;
		if (*p)
			*p++ = 0;
		if (first && !is_option_word(word)) {
			o->image = word;
			first = 0;
			continue;
		}
		first = 0;
		if (apply(word, o, err, errlen))
			return -1;
	}
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
