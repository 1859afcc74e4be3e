/*
 * check_bench_loops.c - checks that every timed loop of guest/bench.c is
 * the empty loop plus the op alone, in a built guest image.
 *
 * Usage: check_bench_loops ELF pv|direct. Reads `objdump -d -M intel` of
 * ELF; each bench_NAME function that reads the TSC twice is a timed loop,
 * its loop the instructions from a backward branch's target to the branch.
 * The costs bench.c prints are (op loop - empty loop) per iteration, so:
 *   - bench_empty's loop is the loop control alone, two instructions (the
 *     count down in R12 and the branch back);
 *   - every other loop ends in the very same two instructions, and nothing
 *     else in it touches R12 or names a bench.c variable (no argument
 *     reloaded from memory, no result stored: the old bench_sink);
 *   - pv: the rest holds one pv site, a call through pv_ops (the image
 *     before patching), or for bench_hypercall one VMCALL; direct: the
 *     native instructions, at least one.
 * One PASS or FAIL line per loop, with the op's instructions; the usual
 * summary line last. Runs on the build host with objdump on PATH.
 */
/* SPDX-License-Identifier: MIT */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

#define MAX_FUNCS 64
#define MAX_INSNS 256

struct insn {
	unsigned long long addr;
	char mnem[32];
	char ops[160];          /* operands and objdump's "# addr <sym>" note */
};

struct func {
	char name[64];
	int n;
	struct insn insn[MAX_INSNS];
};

static struct func funcs[MAX_FUNCS];
static int nfuncs;

/* bench_* functions of elf into funcs[]; 0, or -1 when objdump fails. */
static int load(const char *elf)
{
	char cmd[512], line[512];
	struct func *f = NULL;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "objdump -d -M intel --no-show-raw-insn '%s'", elf);
	if (strchr(elf, '\'') || !(p = popen(cmd, "r")))
		return -1;
	while (fgets(line, sizeof(line), p)) {
		unsigned long long addr;
		char name[64];
		struct insn *i;

		if (sscanf(line, "%llx <%63[^>]>:", &addr, name) == 2) {
			f = NULL;
			if (!strncmp(name, "bench_", 6) && nfuncs < MAX_FUNCS) {
				f = &funcs[nfuncs++];
				snprintf(f->name, sizeof(f->name), "%s", name);
				f->n = 0;
			}
			continue;
		}
		if (!f || f->n == MAX_INSNS)
			continue;
		i = &f->insn[f->n];
		i->ops[0] = 0;
		if (sscanf(line, " %llx:\t%31s %159[^\n]", &i->addr, i->mnem, i->ops) >= 2)
			f->n++;
	}
	return pclose(p) == 0 ? 0 : -1;
}

static int count_mnem(const struct func *f, const char *mnem)
{
	int k = 0;

	for (int i = 0; i < f->n; i++)
		k += !strcmp(f->insn[i].mnem, mnem);
	return k;
}

/*
 * The loop: the last conditional branch back inside the function. Sets
 * *first and *last (indices); returns 0, or -1 when there is none.
 */
static int find_loop(const struct func *f, int *first, int *last)
{
	for (int j = f->n - 1; j >= 0; j--) {
		const struct insn *b = &f->insn[j];
		unsigned long long to;

		if (b->mnem[0] != 'j' || !strcmp(b->mnem, "jmp") ||
		    sscanf(b->ops, "%llx", &to) != 1 || to > b->addr)
			continue;
		for (int i = 0; i <= j; i++)
			if (f->insn[i].addr == to) {
				*first = i;
				*last = j;
				return 0;
			}
	}
	return -1;
}

static void text(char *buf, size_t len, const struct func *f, int from, int to)
{
	size_t used = 0;

	buf[0] = 0;
	for (int i = from; i <= to && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s%s%s", i > from ? "; " : "",
					 f->insn[i].mnem, f->insn[i].ops[0] ? " " : "",
					 f->insn[i].ops);
}

/* One timed loop against the empty one (its control at e0, e1). */
static void check_loop(const struct func *f, const struct func *empty, int e0, int e1,
		       int pv)
{
	int first, last, sites = 0;
	char body[512];

	if (!CHECK(!find_loop(f, &first, &last), "no loop"))
		return;
	text(body, sizeof(body), f, first, last);
	if (!CHECK(last - first >= 2 &&
		   !strcmp(f->insn[last - 1].mnem, empty->insn[e0].mnem) &&
		   !strcmp(f->insn[last - 1].ops, empty->insn[e0].ops) &&
		   !strcmp(f->insn[last].mnem, empty->insn[e1].mnem),
		   "the loop does not end in the empty loop's control: %s", body))
		return;
	text(body, sizeof(body), f, first, last - 2);
	for (int i = first; i <= last - 2; i++) {
		const struct insn *in = &f->insn[i];

		CHECK(!strstr(in->ops, "r12"), "the op touches the count: %s %s",
		      in->mnem, in->ops);
		CHECK(!strstr(in->ops, "<bench_"), "the loop reads or writes bench.c's "
		      "data: %s %s", in->mnem, in->ops);
		sites += (!strcmp(in->mnem, "call") && strstr(in->ops, "<pv_ops+")) ||
			 !strcmp(in->mnem, "vmcall") || !strcmp(in->mnem, "in");
	}
	if (pv)
		CHECK(sites == 1, "want one pv site (a call through pv_ops), VMCALL or IN "
		      "(pic_in) in the loop, found %d: %s", sites, body);
	if (!check_state.failures)
		printf("  %s: %s\n", f->name, body);
}

int main(int argc, char **argv)
{
	const struct func *empty = NULL;
	int e0 = 0, e1 = 0;
	char name[96], body[512];

	if (argc != 3 || (strcmp(argv[2], "pv") && strcmp(argv[2], "direct"))) {
		fprintf(stderr, "usage: check_bench_loops ELF pv|direct\n");
		return 2;
	}
	TEST("bench-empty-loop") {
		CHECK(!load(argv[1]), "objdump -d %s failed", argv[1]);
		for (int i = 0; i < nfuncs; i++)
			if (!strcmp(funcs[i].name, "bench_empty"))
				empty = &funcs[i];
		CHECK(empty, "%s has no bench_empty", argv[1]);
		if (empty && CHECK(!find_loop(empty, &e0, &e1), "bench_empty has no loop")) {
			text(body, sizeof(body), empty, e0, e1);
			CHECK(e1 - e0 == 1 && !strcmp(empty->insn[e0].mnem, "sub") &&
			      !strcmp(empty->insn[e0].ops, "r12d,0x1"),
			      "bench_empty's loop is not 'sub r12d,0x1; j..': %s", body);
			printf("  bench_empty: %s\n", body);
		}
	}
	if (!empty || e1 - e0 != 1)
		return check_summary();

	for (int k = 0; k < nfuncs; k++) {
		const struct func *f = &funcs[k];

		if (f == empty || count_mnem(f, "rdtsc") < 2)
			continue;       /* not a timed loop */
		snprintf(name, sizeof(name), "%s-is-empty-loop-plus-op-%s", f->name, argv[2]);
		TEST(name)
			check_loop(f, empty, e0, e1, !strcmp(argv[2], "pv"));
	}
	return check_summary();
}
