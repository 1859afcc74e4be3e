/*
 * ipxe_script.c - write boot.ipxe, the script iPXE runs first: it sets the
 * mode and the two command lines, then chains netboot.ipxe beside it.
 *
 *   ipxe_script [--mode hosted|native] [--hv-args ARGS] [--guest-args ARGS]
 *               [-o FILE]
 *
 * make netboot writes build/netboot/boot.ipxe with it and tools/run --boot
 * ipxe the boot.ipxe of each run, so the tests boot what users serve.
 *
 * iPXE has no quoting. What it does to a script line (read in iPXE's
 * src/image/script.c, src/core/exec.c, src/core/settings.c and
 * src/hci/commands/nvo_cmd.c; the same in Debian's 2019 build):
 *  - a line ends at LF, one CR before the LF is dropped, and a backslash
 *    at its end joins the next line to it;
 *  - the line is cut into words at white space (isspace), with no quotes
 *    or escapes; a word that starts with '#' ends the command (a comment),
 *    and so do the words "||", "&&" and ";", which start another;
 *  - each word is then expanded on its own: "${NAME}" or "${NAME:TYPE}"
 *    becomes the setting's value, over and over on the whole word until no
 *    "${" has a "}" after it, so no command ever receives such text; the
 *    result is not cut again;
 *  - `set NAME WORDS...` stores the expanded words joined by one space,
 *    `set NAME:hex XX:XX...` the bytes, `clear NAME` removes NAME.
 * So a value that reads back the same is written as it is. Any other goes
 * as hex bytes into a scratch setting and is copied as a string
 * (`set NAME ${scratch:string}`): one word, whose expansion keeps every
 * byte. A value with "${" and a "}" after it cannot reach a kernel through
 * iPXE at all (netboot.ipxe expands ${hv-args} once more): it is refused.
 *
 * Environment: build host, C11.
 */
/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ipxe_script.h"

/* iPXE hands over at most 512 bytes of command lines, image URIs included. */
#define IPXE_CMDLINE_MAX 512
#define IPXE_URI_ROOM 128

const char *ipxe_value_refused(const char *v)
{
	const char *open = strstr(v, "${");

	if (open && strchr(open + 2, '}'))
		return "iPXE expands \"${...}\" until none is left, so no command "
		       "line it hands over can hold one";
	return NULL;
}

static int is_terminator(const char *word, size_t len)
{
	return (len == 2 && (!memcmp(word, "||", 2) || !memcmp(word, "&&", 2))) ||
	       (len == 1 && word[0] == ';') || (len > 0 && word[0] == '#');
}

int ipxe_value_is_literal(const char *v)
{
	size_t n = strlen(v), i, start;

	if (n == 0)
		return 1;
	if (v[0] == ' ' || v[n - 1] == ' ' || v[n - 1] == '\\' || strstr(v, "  ") ||
	    strstr(v, "${"))
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)v[i] < 0x20 || (unsigned char)v[i] > 0x7e)
			return 0;
	for (start = 0; start < n; start = i + 1) {
		for (i = start; i < n && v[i] != ' '; i++)
			;
		if (is_terminator(v + start, i - start))
			return 0;
	}
	return 1;
}

/* A comment may show the value when it stays one line that ends there. */
static int showable(const char *v)
{
	for (; *v; v++)
		if ((unsigned char)*v < 0x20 || (unsigned char)*v > 0x7e)
			return 0;
	return 1;
}

void ipxe_write_set(FILE *f, const char *name, const char *value)
{
	const unsigned char *p;

	if (ipxe_value_is_literal(value)) {
		fprintf(f, "set %s%s%s\n", name, *value ? " " : "", value);
		return;
	}
	if (showable(value))
		fprintf(f, "# %s is '%s', written as bytes: iPXE would cut or expand it\n",
			name, value);
	else
		fprintf(f, "# %s holds control characters: written as bytes\n", name);
	fprintf(f, "set " IPXE_SCRATCH ":hex ");
	for (p = (const unsigned char *)value; *p; p++)
		fprintf(f, "%s%02x", p == (const unsigned char *)value ? "" : ":", *p);
	fprintf(f, "\nset %s ${" IPXE_SCRATCH ":string}\nclear " IPXE_SCRATCH "\n", name);
}

int ipxe_script_write(FILE *f, const struct ipxe_boot *b, char *why, size_t whylen)
{
	const char *bad;

	if (strcmp(b->mode, "hosted") && strcmp(b->mode, "native")) {
		snprintf(why, whylen, "unknown mode '%s' (hosted or native)", b->mode);
		return -1;
	}
	if ((bad = ipxe_value_refused(b->hv_args))) {
		snprintf(why, whylen, "hv args '%s': %s", b->hv_args, bad);
		return -1;
	}
	if ((bad = ipxe_value_refused(b->guest_args))) {
		snprintf(why, whylen, "guest args '%s': %s", b->guest_args, bad);
		return -1;
	}

	fprintf(f, "#!ipxe\n"
		"# boot.ipxe - the boot file a DHCP server names: it sets what to boot,\n"
		"# then chains netboot.ipxe from the same place. Written by\n"
		"# tools/ipxe_script; to change it, run make netboot again:\n"
		"#   make netboot MODE=hosted|native HV_ARGS=\"...\" GUEST_ARGS=\"...\"\n"
		"\n");
	ipxe_write_set(f, "mode", b->mode);
	ipxe_write_set(f, "hv-args", b->hv_args);
	ipxe_write_set(f, "guest-args", b->guest_args);
	fprintf(f, "chain netboot.ipxe || goto failed\n"
		"exit\n"
		":failed\n"
		"kernel netboot-fail.bin boot.ipxe: netboot.ipxe failed (${errno}) || exit 1\n"
		"boot || exit 1\n");
	return 0;
}

#ifndef IPXE_SCRIPT_NO_MAIN
static int usage(FILE *f, const char *why)
{
	if (why)
		fprintf(f, "ipxe_script: %s\n", why);
	fprintf(f, "usage: ipxe_script [--mode hosted|native] [--hv-args ARGS] "
		"[--guest-args ARGS] [-o FILE]\n"
		"Writes boot.ipxe (to FILE, else to standard output); exits 1 when iPXE\n"
		"cannot hand an argument over as it is, 2 on a usage error.\n");
	return why ? 2 : 0;
}

int main(int argc, char **argv)
{
	struct ipxe_boot b = { "hosted", "", "" };
	const char *out = NULL;
	static char tmp[4096], why[1024];
	FILE *f = stdout;
	int i;

	for (i = 1; i < argc; i += 2) {
		const char **slot;

		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			return usage(stdout, NULL);
		if (!strcmp(argv[i], "--mode"))
			slot = &b.mode;
		else if (!strcmp(argv[i], "--hv-args"))
			slot = &b.hv_args;
		else if (!strcmp(argv[i], "--guest-args"))
			slot = &b.guest_args;
		else if (!strcmp(argv[i], "-o"))
			slot = &out;
		else
			return usage(stderr, "unknown argument");
		if (i + 1 >= argc)
			return usage(stderr, "an option without its value");
		*slot = argv[i + 1];
	}

	if (strlen(b.hv_args) + strlen(b.guest_args) > IPXE_CMDLINE_MAX - IPXE_URI_ROOM)
		fprintf(stderr, "ipxe_script: warning: %zu bytes of arguments; iPXE hands "
			"over at most %d, the images' URIs included\n",
			strlen(b.hv_args) + strlen(b.guest_args), IPXE_CMDLINE_MAX);
	/* The file appears whole or not at all. */
	if (out) {
		snprintf(tmp, sizeof(tmp), "%s.tmp", out);
		if (!(f = fopen(tmp, "w"))) {
			perror(tmp);
			return 2;
		}
	}
	if (ipxe_script_write(f, &b, why, sizeof(why))) {
		fprintf(stderr, "ipxe_script: %s\n", why);
		if (out) {
			fclose(f);
			remove(tmp);
		}
		return 1;
	}
	if (out && (fclose(f) || rename(tmp, out))) {
		perror(out);
		remove(tmp);
		return 2;
	}
	return 0;
}
#endif
