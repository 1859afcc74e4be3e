/*
 * fuzz_bootcmd.c - libFuzzer target: shared/lib/bootcmd.c, the rule for
 * where a command line's options begin, the word splitter both kernels'
 * option parsers use, and the overflow-free number reader.
 *
 * Input: 8 bytes of a limit for bootcmd_number, one byte choosing the bare
 * option words (none, the guest's, or a word taken from the line), then
 * the line. Invariants:
 *   - bootcmd_split: both pointers inside the line (options may be its
 *     NUL); the image is the first word, whole, and is there exactly when
 *     bootcmd.h's rule says; options start at a word or the end, after it;
 *   - bootcmd_next_word: the words, cut in place, are the line's blank-
 *     separated words in order, each inside the buffer; no other byte
 *     changes but the blanks after words, which become NULs;
 *   - bootcmd_number: agrees with a 128-bit reference on the value, on
 *     "too large" for any limit, and on where the digits end.
 * Environment: build host, clang with libFuzzer.
 */
/* SPDX-License-Identifier: MIT */
#include "bootcmd.h"
#include "fuzz.h"

static void check_split(const char *line, const char *const *bare)
{
	const char *end = line + strlen(line), *word = line, *wend, *p;
	struct bootcmd_split s;
	int slash = 0, equals = 0, is_bare = 0, want_image;

	bootcmd_split(line, bare, &s);
	while (fuzz_blank(*word))
		word++;
	for (wend = word; *wend && !fuzz_blank(*wend); wend++)
		;
	FUZZ_ASSERT(s.options >= line && s.options <= end, "options %p outside [%p, %p]",
		    (const void *)s.options, (const void *)line, (const void *)end);
	FUZZ_ASSERT(!*s.options || !fuzz_blank(*s.options), "options start on a blank");
	if (word == end) {
		FUZZ_ASSERT(!s.image && s.options == end, "an image in a blank line");
		return;
	}
	/* The rule, as bootcmd.h states it. */
	for (p = word; p < wend; p++) {
		if (*p == '=' && !slash)
			equals = 1;
		if (*p == '/' && !equals)
			slash = 1;
	}
	for (; bare && *bare; bare++)
		if (strlen(*bare) == (size_t)(wend - word) &&
		    !memcmp(*bare, word, (size_t)(wend - word)))
			is_bare = 1;
	want_image = slash || (!equals && !is_bare);
	if (!want_image) {
		FUZZ_ASSERT(!s.image && s.options == word,
			    "first word '%.*s' is an option, taken for the image",
			    (int)(wend - word), word);
		return;
	}
	FUZZ_ASSERT(s.image == word && s.image_len == (size_t)(wend - word),
		    "image is not the whole first word '%.*s'", (int)(wend - word), word);
	FUZZ_ASSERT(s.image + s.image_len <= s.options, "options overlap the image");
	for (p = wend; p < s.options; p++)
		FUZZ_ASSERT(fuzz_blank(*p), "options skip a non-blank after the image");
}

static void check_words(const char *line)
{
	size_t len = strlen(line), i;
	char *copy = (char *)fuzz_dup((const uint8_t *)line, len + 1);
	char *p = copy, *w;
	const char *ref = line;

	while ((w = bootcmd_next_word(&p))) {
		size_t n = strlen(w);

		FUZZ_ASSERT(w >= copy && w + n <= copy + len, "word outside the line");
		FUZZ_ASSERT(n > 0, "an empty word");
		while (fuzz_blank(*ref))
			ref++;
		FUZZ_ASSERT((size_t)(ref - line) == (size_t)(w - copy),
			    "word at %zu, the line's next word at %zu", (size_t)(w - copy),
			    (size_t)(ref - line));
		for (i = 0; i < n; i++)
			FUZZ_ASSERT(!fuzz_blank(w[i]) && w[i] == ref[i], "word differs from the line");
		ref += n;
		FUZZ_ASSERT(!*ref || fuzz_blank(*ref), "word cut short");
		FUZZ_ASSERT(p >= copy && p <= copy + len, "cursor outside the line");
	}
	while (fuzz_blank(*ref))
		ref++;
	FUZZ_ASSERT(!*ref, "words left at %zu", (size_t)(ref - line));
	for (i = 0; i < len; i++)
		FUZZ_ASSERT(copy[i] == line[i] || (copy[i] == 0 && fuzz_blank(line[i])),
			    "byte %zu changed from 0x%02x to 0x%02x", i, (unsigned char)line[i],
			    (unsigned char)copy[i]);
	free(copy);
}

static void check_number(const char *s, uint64_t max)
{
	unsigned __int128 ref = 0;
	const char *end = (const char *)1, *p = s;
	uint64_t out = 0x5a5a5a5a5a5a5a5aull;
	int big = 0, r = bootcmd_number(s, max, &out, &end);

	if (*s < '0' || *s > '9') {
		FUZZ_ASSERT(r == BOOTCMD_NOT_A_NUMBER, "'%.20s' read as a number (%d)", s, r);
		return;
	}
	for (; *p >= '0' && *p <= '9'; p++) {
		ref = ref * 10 + (unsigned)(*p - '0');
		if (ref > max)
			big = 1;
		if (ref > UINT64_MAX)
			ref = (unsigned __int128)UINT64_MAX + 1;        /* stays above any max */
	}
	FUZZ_ASSERT(end == p, "digits end at %td, reader says %td", p - s, end - s);
	if (big) {
		FUZZ_ASSERT(r == BOOTCMD_TOO_LARGE, "'%.40s' above %llu not refused (%d, %llu)",
			    s, (unsigned long long)max, r, (unsigned long long)out);
	} else {
		FUZZ_ASSERT(r == 0 && out == (uint64_t)ref && out <= max,
			    "'%.40s' read as %llu (r %d), want %llu", s,
			    (unsigned long long)out, r, (unsigned long long)ref);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const guest_bare[] = { "pv.report", NULL };
	uint64_t max = fuzz_le(data, size, 0, 8);
	unsigned pick = size > 8 ? data[8] % 3 : 0;
	char *line = fuzz_str(data + (size > 9 ? 9 : size), size > 9 ? size - 9 : 0);
	const char *own_bare[2] = { NULL, NULL };
	const char *const *bare = NULL;
	const char *p;

	if (pick == 1) {
		bare = guest_bare;
	} else if (pick == 2) {
		/* The line's first word (up to 15 bytes) as a bare option word. */
		static char word[16];
		size_t n = 0;

		for (p = line; fuzz_blank(*p); p++)
			;
		while (n < sizeof(word) - 1 && p[n] && !fuzz_blank(p[n])) {
			word[n] = p[n];
			n++;
		}
		word[n] = 0;
		own_bare[0] = word;
		bare = own_bare;
	}
	check_split(line, bare);
	check_words(line);
	/* Each run of digits, and each other byte, as a number under the limit. */
	for (p = line; *p; p++)
		if (p == line || p[-1] < '0' || p[-1] > '9')
			check_number(p, max);
	check_number(p, max);
	check_number(line, UINT64_MAX);
	free(line);
	return 0;
}
