/*
 * logline.h - read "key=value" fields from the guests' log lines
 * ("bench: op=save_fl iters=10000 cost=4.00 ...").
 *
 * Shared by the host tools that read those logs (benchtab.c, report.c).
 * Environment: build host.
 */
/* SPDX-License-Identifier: MIT */
#ifndef TOOLS_LOGLINE_H
#define TOOLS_LOGLINE_H

#include <string.h>

/*
 * Copy the value of key ("cost=") from line into out: the characters up to
 * the next space, newline or carriage return (a nested run's console adds
 * one). The key must start a word, so that "op=" is
 * not found inside "loop=". Returns 0, or -1 when the key is absent.
 */
static inline int log_field(const char *line, const char *key, char *out, size_t len)
{
	const char *p = line;
	size_t n = 0;

	while ((p = strstr(p, key)) && p != line && p[-1] != ' ')
		p++;
	if (!p)
		return -1;
	p += strlen(key);
	while (p[n] && p[n] != ' ' && p[n] != '\n' && p[n] != '\r' && n + 1 < len) {
		out[n] = p[n];
		n++;
	}
	out[n] = 0;
	return 0;
}

#endif
