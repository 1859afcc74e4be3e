/*
 * disasm.h - x86-64 disassembly with objdump for the host tests, header only.
 *
 * disasm() writes bytes to a temporary file and reads back what
 * `objdump -D -b binary -m i386:x86-64 -M intel` makes of them (disasm_arch:
 * of another objdump machine, "i8086" or "i386"), placed at
 * a given address (so a call's target prints absolute): one struct insn
 * per instruction with its address, its byte count and its text, white
 * space collapsed. write_temp() is the temporary file, also for callers
 * that hand other tools their input. Runs on the build host with objdump
 * on PATH; one translation unit per test binary, so all here is static.
 */
/* SPDX-License-Identifier: MIT */
#ifndef TESTS_HOST_DISASM_H
#define TESTS_HOST_DISASM_H

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern char *program_invocation_short_name;     /* glibc */

struct insn {
	uint64_t addr;          /* absolute: the vma given to disasm() */
	unsigned len;           /* bytes */
	char text[160];         /* mnemonic and operands, white space collapsed */
};

/* Collapse runs of white space to one space (none after a comma), trim. */
static void normalize(char *s)
{
	char *d = s, *p = s;
	int space = 0;

	while (*p && isspace((unsigned char)*p))
		p++;
	for (; *p; p++) {
		if (isspace((unsigned char)*p)) {
			space = 1;
			continue;
		}
		if (space && d > s && d[-1] != ',')
			*d++ = ' ';
		space = 0;
		*d++ = *p;
	}
	*d = 0;
}

/*
 * Write len bytes of data to a new file /tmp/<program>.XXXXXX<suffix>,
 * its name in path; returns 0, or -1 with nothing left behind.
 */
static int write_temp(char *path, size_t pathlen, const char *suffix,
		      const void *data, size_t len)
{
	int fd;
	FILE *f;

	snprintf(path, pathlen, "/tmp/%s.XXXXXX%s", program_invocation_short_name,
		 suffix);
	fd = mkstemps(path, (int)strlen(suffix));
	if (fd < 0)
		return -1;
	f = fdopen(fd, "wb");
	if (!f) {
		close(fd);
		unlink(path);
		return -1;
	}
	if (len && fwrite(data, 1, len, f) != len) {
		fclose(f);
		unlink(path);
		return -1;
	}
	fclose(f);
	return 0;
}

/*
 * Disassemble n bytes placed at vma; returns the number of instructions
 * (at most max), or -1 when objdump cannot be run, fails or says more.
 * -z keeps runs of zero bytes from being printed as "..."; --insn-width=16
 * keeps every instruction's bytes on its own line, and should objdump
 * still wrap them onto continuation lines that carry no text, those add
 * to the length.
 */
static int disasm_arch(const uint8_t *b, size_t n, const char *arch, uint64_t vma,
		       struct insn *out, int max)
{
	char path[64], cmd[256], line[512];
	int count = 0, started = 0, status;
	FILE *p;

	if (write_temp(path, sizeof(path), ".bin", b, n))
		return -1;
	snprintf(cmd, sizeof(cmd), "objdump -D -z -b binary -m %s -M intel "
		 "--insn-width=16 --adjust-vma=0x%llx %s 2>&1",
		 arch, (unsigned long long)vma, path);
	p = popen(cmd, "r");
	if (!p) {
		unlink(path);
		return -1;
	}
	while (fgets(line, sizeof(line), p)) {
		char *tab1, *tab2, *tok;
		unsigned long long addr;
		unsigned bytes = 0;

		if (strstr(line, "<.data>:")) {
			started = 1;
			continue;
		}
		if (!started || sscanf(line, " %llx:", &addr) != 1)
			continue;
		tab1 = strchr(line, '\t');
		if (!tab1)
			continue;
		tab2 = strchr(tab1 + 1, '\t');
		if (tab2)
			*tab2 = 0;
		for (tok = strtok(tab1 + 1, " \n"); tok; tok = strtok(NULL, " \n"))
			bytes++;
		if (!tab2) {            /* bytes wrapped onto a line of their own */
			if (count > 0)
				out[count - 1].len += bytes;
			continue;
		}
		if (count < 0 || count == max) {
			count = -1;     /* too many; read on so that objdump ends */
			continue;
		}
		out[count].addr = addr;
		out[count].len = bytes;
		snprintf(out[count].text, sizeof(out[count].text), "%s", tab2 + 1);
		normalize(out[count].text);
		count++;
	}
	status = pclose(p);
	unlink(path);
	return status == 0 && started ? count : -1;
}

/* The same as 64-bit code. */
static inline int disasm(const uint8_t *b, size_t n, uint64_t vma, struct insn *out, int max)
{
	return disasm_arch(b, n, "i386:x86-64", vma, out, max);
}

#endif
