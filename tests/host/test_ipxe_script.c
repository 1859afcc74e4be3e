/*
 * test_ipxe_script.c - host tests of the boot.ipxe writer (tools/ipxe_script.c).
 *
 * Each case writes a boot.ipxe and runs it on a model of iPXE's script
 * reader, written from the rules listed in ipxe_script.c (lines and
 * backslash joins, words at white space, comments and ||/&&/; , setting
 * expansion repeated until no "${...}" is left, set/clear with string and
 * hex values), up to its `chain`. The settings it leaves must be the
 * arguments, byte for byte. The boot tests (tests/parts/iso.sh) check the
 * same against the real iPXE. Runs on the build host.
 */
/* SPDX-License-Identifier: MIT */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "ipxe_script.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* ---- the model: settings ------------------------------------------------ */

struct setting {
	char name[64];
	int hex;			/* stored with type hex, else string */
	char *bytes;			/* NUL-terminated for convenience */
	size_t len;
};

static struct setting store[16];

static struct setting *find(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(store); i++)
		if (store[i].bytes && !strcmp(store[i].name, name))
			return &store[i];
	return NULL;
}

static void del(const char *name)
{
	struct setting *s = find(name);

	if (s) {
		free(s->bytes);
		s->bytes = NULL;
	}
}

static void put(const char *name, int hex, const char *bytes, size_t len)
{
	del(name);
	if (!len)			/* an empty value deletes */
		return;
	for (size_t i = 0; i < ARRAY_SIZE(store); i++)
		if (!store[i].bytes) {
			snprintf(store[i].name, sizeof(store[i].name), "%s", name);
			store[i].hex = hex;
			store[i].bytes = malloc(len + 1);
			memcpy(store[i].bytes, bytes, len);
			store[i].bytes[len] = 0;
			store[i].len = len;
			return;
		}
	CHECK(0, "model: the settings store is full");
}

static void clear_all(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(store); i++) {
		free(store[i].bytes);
		store[i].bytes = NULL;
	}
}

/* A setting's value as text: by the type asked for, else by the stored one. */
static char *format(const char *spec)
{
	char name[64], *colon, *out;
	struct setting *s;
	int hex;

	snprintf(name, sizeof(name), "%s", spec);
	colon = strchr(name, ':');
	if (colon)
		*colon++ = 0;
	s = find(name);
	if (!s)
		return strdup("");
	hex = colon ? !strcmp(colon, "hex") : s->hex;
	if (!hex)
		return strdup(s->bytes);
	out = calloc(s->len * 3 + 1, 1);
	for (size_t i = 0; i < s->len; i++)
		sprintf(out + 3 * i, "%s%02x", i ? ":" : "", (unsigned char)s->bytes[i]);
	return out;
}

/* expand_settings(): the innermost "${...}" first, until none is left. */
static char *expand(const char *word)
{
	char *s = strdup(word);

	for (;;) {
		char *start = NULL, *end = NULL, *value, *next;

		for (char *t = s; *t; t++) {
			if (t[0] == '$' && t[1] == '{')
				start = t;
			if (start && t[0] == '}') {
				end = t;
				break;
			}
		}
		if (!end)
			return s;
		*start = 0;
		*end = 0;
		value = format(start + 2);
		next = malloc(strlen(s) + strlen(value) + strlen(end + 1) + 1);
		sprintf(next, "%s%s%s", s, value, end + 1);
		free(value);
		free(s);
		s = next;
	}
}

/* ---- the model: commands and lines --------------------------------------- */

struct run {
	int chained;		/* reached `chain` */
	int unexpected;		/* ran a command other than set, clear, chain */
};

static int parse_hex(const char *text, char *out, size_t *len)
{
	size_t n = 0;

	while (*text) {
		unsigned v;

		if (!isxdigit((unsigned char)text[0]) || !isxdigit((unsigned char)text[1]) ||
		    sscanf(text, "%2x", &v) != 1)
			return -1;
		out[n++] = (char)v;
		text += 2;
		if (*text == ':')
			text++;
		else if (*text)
			return -1;
	}
	*len = n;
	return 0;
}

static int exec(int argc, char **argv, struct run *r)
{
	if (!strcmp(argv[0], "set") && argc >= 2) {
		char *type = strchr(argv[1], ':'), *value;
		size_t len = 0;

		value = calloc(4096, 1);
		for (int i = 2; i < argc; i++)		/* concat_args() */
			sprintf(value + strlen(value), "%s%s", i > 2 ? " " : "", argv[i]);
		if (type)
			*type++ = 0;
		if (type && !strcmp(type, "hex")) {
			char *bytes = malloc(strlen(value) + 1);

			if (CHECK(!parse_hex(value, bytes, &len), "model: bad hex '%s'", value))
				put(argv[1], 1, bytes, len);
			free(bytes);
		} else {
			put(argv[1], 0, value, strlen(value));
		}
		free(value);
		return 0;
	}
	if (!strcmp(argv[0], "clear") && argc == 2) {
		del(argv[1]);
		return 0;
	}
	if (!strcmp(argv[0], "chain")) {
		r->chained = 1;
		return 0;
	}
	r->unexpected = 1;
	return 1;
}

/* system(): words at white space, then command by command. */
static void run_line(char *line, struct run *r)
{
	char *words[256];
	int n = 0, i = 0, process = 1, rc = 0;

	for (char *p = line;;) {
		while (isspace((unsigned char)*p))
			*p++ = 0;
		if (!*p)
			break;
		words[n++] = p;
		while (*p && !isspace((unsigned char)*p))
			p++;
	}
	while (i < n) {
		int argc = 0, stop = 1, cond = 0;
		char *argv[256];

		for (; i < n; i++) {
			if (words[i][0] == '#') {
				i = n;
				break;
			}
			if (!strcmp(words[i], "||") || !strcmp(words[i], "&&") ||
			    !strcmp(words[i], ";")) {
				cond = words[i][0];
				stop = 0;
				i++;
				break;
			}
			argv[argc++] = words[i];
		}
		if (process && argc) {
			for (int k = 0; k < argc; k++)
				argv[k] = expand(argv[k]);
			rc = exec(argc, argv, r);
			for (int k = 0; k < argc; k++)
				free(argv[k]);
		}
		if (stop || r->chained)
			break;
		process = cond == '|' ? rc != 0 : cond == '&' ? rc == 0 : 1;
	}
}

/* process_script(): lines, CR dropped, backslash joins; stops at chain. */
static struct run run_script(const char *script)
{
	struct run r = { 0, 0 };
	const char *p = script;
	char *line = calloc(strlen(script) + 1, 1);
	size_t len = 0;

	while (*p && !r.chained && !r.unexpected) {
		const char *eol = strchr(p, '\n');
		size_t frag = eol ? (size_t)(eol - p) : strlen(p);
		char *cmd;

		memcpy(line + len, p, frag);
		len += frag;
		p += frag + (eol ? 1 : 0);
		if (len && line[len - 1] == '\r')
			len--;
		if (len && line[len - 1] == '\\') {
			len--;
			continue;
		}
		line[len] = 0;
		len = 0;
		cmd = line;
		while (isspace((unsigned char)*cmd))
			cmd++;
		if (*cmd == ':')		/* a label line runs nothing here */
			continue;
		run_line(cmd, &r);
	}
	free(line);
	return r;
}

/* ---- helpers -------------------------------------------------------------- */

static char *write_script(const struct ipxe_boot *b, int *rc, char *why, size_t whylen)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);

	*rc = ipxe_script_write(f, b, why, whylen);
	fclose(f);
	return buf;
}

static int value_is(const char *name, const char *want)
{
	char spec[80], *got;
	int same;

	snprintf(spec, sizeof(spec), "${%s}", name);
	got = expand(spec);
	same = !strcmp(got, want);
	if (!same)
		CHECK(0, "%s came out as '%s', not '%s'", name, got, want);
	free(got);
	return same;
}

/* Every value iPXE can hand over comes out of the script as it went in. */
static const char *const survivors[] = {
	"",
	"mem=64M",
	"pv.report tests=irq,clock",
	"two  spaces",
	" leading",
	"trailing ",
	"   ",
	"||",
	"a || b",
	"a && b",
	"a ; b",
	";",
	"#comment",
	"a #comment",
	"a#b",
	"$x",
	"$",
	"${x",
	"{x}",
	"$ {x}",
	"}${",
	"\"double\" 'single'",
	"back\\",
	"back\\ slash",
	"tab\there",
	"new\nline",
	"cr\r",
	"\r\n",
	"caf\xc3\xa9",
	":label",
	"-n --option",
	"chain evil.ipxe",
	IPXE_SCRATCH,
	"${" IPXE_SCRATCH,
};

/* Values with "${" and a "}" after it, which no command line can hold. */
static const char *const refused[] = {
	"${x}",
	"${}",
	"a ${x y} b",
	"${ x}",
	"$${x}}",
	"x${y:hex}",
};

int main(void)
{
	char why[512];
	int rc;

	TEST("plain values are written as they are") {
		struct ipxe_boot b = { "native", "mem=64M", "pv.report tests=irq" };
		char *s = write_script(&b, &rc, why, sizeof(why));

		CHECK(rc == 0, "rc %d: %s", rc, why);
		CHECK(!strncmp(s, "#!ipxe\n", 7), "no #!ipxe first: %.20s", s);
		CHECK(strstr(s, "\nset mode native\n"), "no plain mode line:\n%s", s);
		CHECK(strstr(s, "\nset hv-args mem=64M\n"), "no plain hv-args line:\n%s", s);
		CHECK(strstr(s, "\nset guest-args pv.report tests=irq\n"),
		      "no plain guest-args line:\n%s", s);
		CHECK(!strstr(s, IPXE_SCRATCH), "bytes where none are needed:\n%s", s);
		CHECK(strstr(s, "\nchain netboot.ipxe || goto failed\n"), "no chain:\n%s", s);
		free(s);
	}

	TEST("empty values leave the settings unset") {
		struct ipxe_boot b = { "hosted", "", "" };
		char *s = write_script(&b, &rc, why, sizeof(why));

		CHECK(rc == 0, "rc %d: %s", rc, why);
		CHECK(strstr(s, "\nset hv-args\n") && strstr(s, "\nset guest-args\n"),
		      "empty values not written as bare sets:\n%s", s);
		free(s);
	}

	TEST("every value iPXE can pass reaches the settings byte for byte") {
		for (size_t i = 0; i < ARRAY_SIZE(survivors); i++) {
			const char *v = survivors[i];
			struct ipxe_boot b = { "hosted", v, survivors[ARRAY_SIZE(survivors) - 1 - i] };
			char *s = write_script(&b, &rc, why, sizeof(why));
			struct run r;

			if (!CHECK(rc == 0, "'%s': refused: %s", v, why)) {
				free(s);
				continue;
			}
			clear_all();
			r = run_script(s);
			CHECK(r.chained && !r.unexpected,
			      "'%s': the script did not get to its chain:\n%s", v, s);
			if (!value_is("hv-args", b.hv_args) ||
			    !value_is("guest-args", b.guest_args) || !value_is("mode", "hosted"))
				printf("  script:\n%s", s);
			CHECK(!find(IPXE_SCRATCH), "'%s': the scratch setting is left set", v);
			free(s);
		}
	}

	TEST("values with ${...} are refused, naming the reason") {
		for (size_t i = 0; i < ARRAY_SIZE(refused); i++) {
			struct ipxe_boot b = { "native", "", refused[i] };
			char *s = write_script(&b, &rc, why, sizeof(why));

			CHECK(rc == -1 && strstr(why, "${...}") && strstr(why, refused[i]),
			      "'%s': rc %d, why '%s'", refused[i], rc, why);
			CHECK(!s || !*s, "'%s': something written on refusal", refused[i]);
			CHECK(ipxe_value_refused(refused[i]), "'%s' not refused", refused[i]);
			free(s);
		}
	}

	/* The refusal is no timidity: even as bytes, the value does not survive. */
	TEST("a refused value would not survive as bytes either") {
		for (size_t i = 0; i < ARRAY_SIZE(refused); i++) {
			char *buf = NULL, *got;
			size_t size = 0;
			FILE *f = open_memstream(&buf, &size);

			fputs("set x found\n", f);
			ipxe_write_set(f, "guest-args", refused[i]);
			fclose(f);
			clear_all();
			run_script(buf);
			got = expand("${guest-args}");
			CHECK(strcmp(got, refused[i]), "'%s' survived:\n%s", refused[i], buf);
			free(got);
			free(buf);
		}
	}

	TEST("literal or bytes: the choice") {
		CHECK(ipxe_value_is_literal("a=b c.d e,f -x $HOME {y} x#y"), "plain words");
		CHECK(!ipxe_value_is_literal("a  b"), "two spaces");
		CHECK(!ipxe_value_is_literal("a ||"), "||");
		CHECK(!ipxe_value_is_literal("#a"), "comment");
		CHECK(!ipxe_value_is_literal("a\\"), "trailing backslash");
		CHECK(!ipxe_value_is_literal("${a"), "${");
		CHECK(!ipxe_value_is_literal("a\tb"), "tab");
		CHECK(!ipxe_value_refused("${a") && !ipxe_value_refused("}${"),
		      "a ${ without a } after it is refused");
	}

	TEST("an unknown mode is refused") {
		struct ipxe_boot b = { "hosted native", "", "" };
		char *s = write_script(&b, &rc, why, sizeof(why));

		CHECK(rc == -1 && strstr(why, "mode"), "rc %d, why '%s'", rc, why);
		free(s);
	}

	clear_all();
	return check_summary();
}
