/* tools/nested_cpio.c: write a newc cpio archive (a Linux initramfs) from a list.
 *
 * Runs on the build host, for tools/nested (the stack's big archive) and
 * tools/run (each nested run's small one). Reads a list on stdin, one
 * entry a line, in the spirit of Linux's usr/gen_init_cpio:
 *
 *   dir NAME MODE                  a directory
 *   file NAME SOURCE MODE          a regular file, its bytes from SOURCE
 *   slink NAME TARGET MODE         a symbolic link
 *   nod NAME MODE c|b MAJOR MINOR  a device node (no root needed)
 *
 * MODE is octal permission bits; NAME has no leading '/'; no field may
 * hold blanks. Every entry is owned by root, dated 0, numbered in order,
 * so the same list and files give the same bytes. Writes the archive,
 * trailer included, to stdout; a bad line or an unreadable file is an
 * error naming the line.
 *
 * SPDX-License-Identifier: MIT
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define NEWC_MAGIC "070701"
/* File types in the mode field (POSIX <cpio.h>, the archive's, not the host's). */
#define CPIO_DIR 0040000
#define CPIO_REG 0100000
#define CPIO_LNK 0120000
#define CPIO_CHR 0020000
#define CPIO_BLK 0060000

static unsigned long next_ino = 721;	/* as gen_init_cpio starts */
static unsigned long long offset;	/* bytes written so far */
static unsigned long lineno;

static void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "nested_cpio: ");
	if (lineno)
		fprintf(stderr, "line %lu: ", lineno);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void out(const void *buf, size_t len)
{
	if (len && fwrite(buf, 1, len, stdout) != len)
		die("writing the archive: %s", strerror(errno));
	offset += len;
}

/* Zeros up to the next multiple of 4, as newc aligns names and data. */
static void pad4(void)
{
	static const char zeros[4];

	out(zeros, (4 - offset % 4) % 4);
}

/* One header and name; the caller writes size bytes of data after it. */
static void header(const char *name, unsigned long mode, unsigned long nlink,
		   unsigned long long size, unsigned long rmajor, unsigned long rminor)
{
	/* newc: the magic, then 13 fields of 8 hex digits (ino, mode, uid,
	 * gid, nlink, mtime, filesize, devmajor, devminor, rdevmajor,
	 * rdevminor, namesize, check). */
	uint32_t field[13] = { 0 };
	char hdr[6 + 13 * 8 + 1];
	size_t namesize = strlen(name) + 1;
	int i;

	if (size > 0xffffffffULL)
		die("%s: %llu bytes, newc holds at most 4 GiB - 1", name, size);
	field[0] = strcmp(name, "TRAILER!!!") ? (uint32_t)next_ino++ : 0;
	field[1] = (uint32_t)mode;
	field[4] = (uint32_t)nlink;
	field[6] = (uint32_t)size;
	field[9] = (uint32_t)rmajor;
	field[10] = (uint32_t)rminor;
	field[11] = (uint32_t)namesize;
	memcpy(hdr, NEWC_MAGIC, 6);
	for (i = 0; i < 13; i++)
		snprintf(hdr + 6 + 8 * i, 9, "%08" PRIX32, field[i]);
	out(hdr, 6 + 13 * 8);
	out(name, namesize);
	pad4();
}

static unsigned long parse_mode(const char *s)
{
	char *end;
	unsigned long m;

	errno = 0;
	m = strtoul(s, &end, 8);
	if (errno || *end || end == s || m > 07777)
		die("bad mode '%s' (octal, at most 7777)", s);
	return m;
}

static unsigned long parse_num(const char *s)
{
	char *end;
	unsigned long n;

	errno = 0;
	n = strtoul(s, &end, 10);
	if (errno || *end || end == s || n > 0xfff)
		die("bad device number '%s'", s);
	return n;
}

static void add_file(const char *name, const char *src, unsigned long mode)
{
	FILE *f = fopen(src, "rb");
	struct stat st;
	char buf[65536];
	size_t n;
	unsigned long long left;

	if (!f || fstat(fileno(f), &st))
		die("%s: cannot read %s: %s", name, src, strerror(errno));
	if (!S_ISREG(st.st_mode))
		die("%s: %s is not a regular file", name, src);
	header(name, CPIO_REG | mode, 1, (unsigned long long)st.st_size, 0, 0);
	left = (unsigned long long)st.st_size;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
		if (n > left)
			die("%s: %s grew while it was read", name, src);
		out(buf, n);
		left -= n;
	}
	if (ferror(f) || left)
		die("%s: reading %s failed or it shrank", name, src);
	fclose(f);
	pad4();
}

int main(void)
{
	char line[4096];

	while (fgets(line, sizeof(line), stdin)) {
		char *w[7];
		int n = 0;
		char *save, *tok;

		lineno++;
		if (!strchr(line, '\n') && !feof(stdin))
			die("line longer than %zu bytes", sizeof(line) - 1);
		for (tok = strtok_r(line, " \t\n", &save); tok && n < 7;
		     tok = strtok_r(NULL, " \t\n", &save))
			w[n++] = tok;
		if (n == 0 || w[0][0] == '#')
			continue;
		if (tok)
			die("too many fields");
		if (n >= 2 && (w[1][0] == '/' || !strcmp(w[1], "TRAILER!!!")))
			die("bad name '%s' (no leading '/')", w[1]);
		if (!strcmp(w[0], "dir") && n == 3) {
			header(w[1], CPIO_DIR | parse_mode(w[2]), 2, 0, 0, 0);
		} else if (!strcmp(w[0], "file") && n == 4) {
			add_file(w[1], w[2], parse_mode(w[3]));
		} else if (!strcmp(w[0], "slink") && n == 4) {
			header(w[1], CPIO_LNK | parse_mode(w[3]), 1, strlen(w[2]), 0, 0);
			out(w[2], strlen(w[2]));
			pad4();
		} else if (!strcmp(w[0], "nod") && n == 6 &&
			   (!strcmp(w[3], "c") || !strcmp(w[3], "b"))) {
			header(w[1], (w[3][0] == 'c' ? CPIO_CHR : CPIO_BLK) | parse_mode(w[2]),
			       1, 0, parse_num(w[4]), parse_num(w[5]));
		} else {
			die("cannot parse: want 'dir NAME MODE', 'file NAME SOURCE MODE', "
			    "'slink NAME TARGET MODE' or 'nod NAME MODE c|b MAJOR MINOR'");
		}
	}
	if (ferror(stdin))
		die("reading the list: %s", strerror(errno));
	lineno = 0;
	header("TRAILER!!!", 0, 1, 0, 0, 0);
	if (fflush(stdout))
		die("writing the archive: %s", strerror(errno));
	return 0;
}
