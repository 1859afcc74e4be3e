/*
 * bootcmd.c - where the options of a boot command line begin, and decimal
 * numbers read without overflow (the rule is in bootcmd.h).
 *
 * Environment: either kernel at boot; pure logic, also in the host tests.
 */
/* SPDX-License-Identifier: MIT */
#include "bootcmd.h"
#include "lib.h"

int bootcmd_is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

char *bootcmd_next_word(char **p)
{
	char *word;

	while (bootcmd_is_blank(**p))
		(*p)++;
	if (!**p)
		return NULL;
	word = *p;
	while (**p && !bootcmd_is_blank(**p))
		(*p)++;
	if (**p)
		*(*p)++ = 0;
	return word;
}

static int bootcmd_is_bare_option(const char *word, size_t len,
				  const char *const *bare_options)
{
	for (; bare_options && *bare_options; bare_options++)
		if (strlen(*bare_options) == len && !strncmp(*bare_options, word, len))
			return 1;
	return 0;
}

void bootcmd_split(const char *line, const char *const *bare_options,
		   struct bootcmd_split *out)
{
	const char *word = line, *p;
	int slash = 0, equals = 0;

	while (bootcmd_is_blank(*word))
		word++;
	out->image = NULL;
	out->image_len = 0;
	out->options = word;
	if (!*word)
		return;
	/* Look no further than the first '=': a '/' after it is a value's. */
	for (p = word; *p && !bootcmd_is_blank(*p); p++) {
		if (*p == '=' && !slash)
			equals = 1;
		if (*p == '/' && !equals)
			slash = 1;
	}
	if (equals || (!slash && bootcmd_is_bare_option(word, (size_t)(p - word),
							 bare_options)))
		return;
	out->image = word;
	out->image_len = (size_t)(p - word);
	while (bootcmd_is_blank(*p))
		p++;
	out->options = p;
}

int bootcmd_number(const char *s, uint64_t max, uint64_t *out, const char **end)
{
	uint64_t v = 0;
	int too_large = 0;

	if (*s < '0' || *s > '9')
		return BOOTCMD_NOT_A_NUMBER;
	for (; *s >= '0' && *s <= '9'; s++) {
		unsigned d = (unsigned)(*s - '0');

		/* v * 10 + d > max, asked without computing it. */
		if (v > max / 10 || (v == max / 10 && d > max % 10))
			too_large = 1;
		else
			v = v * 10 + d;
	}
	*end = s;
	if (too_large)
		return BOOTCMD_TOO_LARGE;
	*out = v;
	return 0;
}
