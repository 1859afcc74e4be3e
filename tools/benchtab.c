/*
 * benchtab.c - tables and checks over the guest's "bench:" log lines.
 *
 *   benchtab table LABEL=LOG ...
 *       one row per op, one column per log (cost per op, as logged)
 *   benchtab compare exact|pct:P PATCHED DIRECT NOPATCH
 *       each argument a comma-separated list of logs (median per op);
 *       exact:  patched <= direct + pad (the site's padding NOPs), for
 *               Bochs, where the costs are exact instruction counts;
 *       pct:P:  |patched - direct| <= P% of direct, for cycles under KVM;
 *               an op whose direct cost is not above 0 (below the noise)
 *               is shown but not judged.
 *       Prints the table and one verdict line; exits 1 if any op fails,
 *       or, exact, if any cost is negative (the loops are at fault).
 *   benchtab ratio R OURS LABEL=KVMLOG[,KVMLOG...] ...
 *       the exit paths both have, as round trips the guest times
 *       (hypercall: this hypervisor's null one against KVM's no-op
 *       KVM_HC_VAPIC_POLL_IRQ; cpuid; io_delay, an OUT to port 0x80):
 *       OURS's cost at most 1/R of each label's least over its logs
 *       (nested, L1's other work only adds); exits 1 if any is over, or
 *       missing.
 * A negative cost prints with its sign, a missing one as "-".
 *
 * Costs are kept in hundredths, as the guest prints them.
 * Environment: build host (POSIX C).
 */
/* SPDX-License-Identifier: MIT */
#define _POSIX_C_SOURCE 200809L
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "logline.h"

#define NO_COST LONG_MIN        /* skipped or absent; a cost may be negative */

#define MAX_OPS  32
#define MAX_LOGS 16
#define NAME_MAX_ 32

struct op_cost {
	char name[NAME_MAX_];
	long cost100;           /* NO_COST: skipped or absent */
	int pad;
	char mode[16];
};

struct run {
	int n;
	struct op_cost ops[MAX_OPS];
	char skip_why[MAX_OPS][64];
};

/* "12.34" or "-0.50" -> hundredths. */
static long parse_cost(const char *s)
{
	long whole = 0, frac = 0, sign = 1;
	int digits = 0;

	if (*s == '-')
		sign = -1, s++;
	while (*s >= '0' && *s <= '9')
		whole = whole * 10 + (*s++ - '0');
	if (*s == '.')
		for (s++; *s >= '0' && *s <= '9' && digits < 2; digits++)
			frac = frac * 10 + (*s++ - '0');
	while (digits++ < 2)
		frac *= 10;
	return sign * (whole * 100 + frac);
}

static int load(const char *path, struct run *r)
{
	FILE *f = fopen(path, "r");
	char line[512], v[64];

	if (!f) {
		fprintf(stderr, "benchtab: cannot open %s\n", path);
		return -1;
	}
	memset(r, 0, sizeof(*r));
	while (fgets(line, sizeof(line), f)) {
		struct op_cost *o;

		if (strncmp(line, "bench: op=", 10) || r->n >= MAX_OPS)
			continue;
		o = &r->ops[r->n];
		log_field(line, "op=", o->name, sizeof(o->name));
		o->cost100 = NO_COST;
		if (!log_field(line, "skipped=", v, sizeof(v))) {
			snprintf(r->skip_why[r->n], sizeof(r->skip_why[0]), "%s", v);
		} else if (!log_field(line, "cost=", v, sizeof(v))) {
			o->cost100 = parse_cost(v);
			if (!log_field(line, "pad=", v, sizeof(v)))
				o->pad = atoi(v);
			log_field(line, "mode=", o->mode, sizeof(o->mode));
		}
		r->n++;
	}
	fclose(f);
	if (!r->n) {
		fprintf(stderr, "benchtab: no bench: lines in %s\n", path);
		return -1;
	}
	return 0;
}

static const struct op_cost *find(const struct run *r, const char *name)
{
	int i;

	for (i = 0; i < r->n; i++)
		if (!strcmp(r->ops[i].name, name))
			return &r->ops[i];
	return NULL;
}

/* Hundredths as "[-]W.FF"; "-" alone for no cost. */
static void fmt_cost(char *buf, size_t len, long c)
{
	if (c == NO_COST)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%s%ld.%02ld", c < 0 ? "-" : "", labs(c) / 100, labs(c) % 100);
}

static int cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;
	return (x > y) - (x < y);
}

/* Median cost of op over runs (lower median for an even count). */
static long median(struct run *runs, int n, const char *op, int *pad)
{
	long v[MAX_LOGS];
	int i, k = 0;

	for (i = 0; i < n; i++) {
		const struct op_cost *o = find(&runs[i], op);
		if (o && o->cost100 != NO_COST) {
			v[k++] = o->cost100;
			*pad = o->pad;
		}
	}
	if (!k)
		return NO_COST;
	qsort(v, (size_t)k, sizeof(v[0]), cmp_long);
	return v[(k - 1) / 2];
}

/* Least cost of op over runs: on a nested KVM, L1's other work (QEMU's
 * threads, its interrupts) only ever adds to a loop's instructions. */
static long least(struct run *runs, int n, const char *op)
{
	long best = NO_COST;
	int i;

	for (i = 0; i < n; i++) {
		const struct op_cost *o = find(&runs[i], op);

		if (o && o->cost100 != NO_COST && (best == NO_COST || o->cost100 < best))
			best = o->cost100;
	}
	return best;
}

static int load_list(char *list, struct run *runs)
{
	int n = 0;
	char *tok, *save = NULL;

	for (tok = strtok_r(list, ",", &save); tok && n < MAX_LOGS;
	     tok = strtok_r(NULL, ",", &save))
		if (load(tok, &runs[n++]))
			return -1;
	return n;
}

static int cmd_table(int argc, char **argv)
{
	static struct run runs[MAX_LOGS];
	const char *labels[MAX_LOGS];
	int n = 0, i, j;
	char buf[32];

	for (i = 0; i < argc && n < MAX_LOGS; i++) {
		char *eq = strchr(argv[i], '=');
		if (!eq) {
			fprintf(stderr, "benchtab: table wants LABEL=LOG, got %s\n", argv[i]);
			return 2;
		}
		*eq = 0;
		labels[n] = argv[i];
		if (load(eq + 1, &runs[n]))
			return 2;
		n++;
	}
	if (!n)
		return 2;
	printf("%-16s", "op");
	for (j = 0; j < n; j++)
		printf(" %20s", labels[j]);
	printf("\n");
	for (i = 0; i < runs[0].n; i++) {
		const char *op = runs[0].ops[i].name;

		printf("%-16s", op);
		for (j = 0; j < n; j++) {
			const struct op_cost *o = find(&runs[j], op);
			fmt_cost(buf, sizeof(buf), o ? o->cost100 : NO_COST);
			printf(" %20s", buf);
		}
		if (runs[0].ops[i].cost100 == NO_COST && runs[0].skip_why[i][0])
			printf("   (%s)", runs[0].skip_why[i]);
		printf("\n");
	}
	return 0;
}

static int cmd_compare(int argc, char **argv)
{
	static struct run p[MAX_LOGS], d[MAX_LOGS], np[MAX_LOGS];
	int np_n, p_n, d_n, i, bad = 0, checked = 0, exact, negative = 0;
	double pct = 0;
	char b1[32], b2[32], b3[32];

	if (argc != 4) {
		fprintf(stderr, "usage: benchtab compare exact|pct:P PATCHED DIRECT NOPATCH\n");
		return 2;
	}
	exact = !strcmp(argv[0], "exact");
	if (!exact) {
		if (strncmp(argv[0], "pct:", 4)) {
			fprintf(stderr, "benchtab: compare mode is exact or pct:P\n");
			return 2;
		}
		pct = atof(argv[0] + 4);
	}
	if ((p_n = load_list(argv[1], p)) <= 0 || (d_n = load_list(argv[2], d)) <= 0 ||
	    (np_n = load_list(argv[3], np)) <= 0)
		return 2;

	printf("%-16s %14s %14s %14s %5s  %s\n", "op", "patched", "direct",
	       "nopatch", "pad", "check");
	for (i = 0; i < p[0].n; i++) {
		const char *op = p[0].ops[i].name;
		int pad = 0, dpad = 0, npad = 0, ok;
		long pc = median(p, p_n, op, &pad);
		long dc = median(d, d_n, op, &dpad);
		long nc = median(np, np_n, op, &npad);
		char verdict[96];

		if (pc == NO_COST || dc == NO_COST) {
			printf("%-16s %14s %14s %14s %5s  not timed\n", op, "-", "-", "-", "-");
			continue;
		}
		fmt_cost(b1, sizeof(b1), pc);
		fmt_cost(b2, sizeof(b2), dc);
		fmt_cost(b3, sizeof(b3), nc);
		negative |= pc < 0 || dc < 0 || (nc != NO_COST && nc < 0);
		if (exact) {
			char diff[32];

			ok = pc <= dc + 100L * pad;
			fmt_cost(diff, sizeof(diff), pc - dc);
			snprintf(verdict, sizeof(verdict), "%s (patched - direct = %s, allowed %d)",
				 ok ? "ok" : "FAIL", diff, pad);
		} else if (dc <= 0) {
			/* A share of nothing: the op is below the timing's noise. */
			printf("%-16s %14s %14s %14s %5d  not judged (direct costs %s: "
			       "below the noise)\n", op, b1, b2, b3, pad, b2);
			continue;
		} else {
			double diff = dc ? 100.0 * (double)(pc - dc) / (double)dc : 0;
			ok = diff <= pct && diff >= -pct;
			snprintf(verdict, sizeof(verdict), "%s (%+.2f%%, allowed %.2f%%)",
				 ok ? "ok" : "FAIL", diff, pct);
		}
		printf("%-16s %14s %14s %14s %5d  %s\n", op, b1, b2, b3, pad, verdict);
		checked++;
		bad += !ok;
	}
	if (negative)
		printf("benchtab: a negative cost: the op's loop ran %s than the empty loop (%s)\n",
		       exact ? "fewer instructions" : "in fewer cycles", exact ?
		       "exact counts: the loops differ by more than the op, a fault of "
		       "guest/bench.c: FAIL" : "the op costs less than the timing's noise");
	printf("benchtab: %d ops checked, %d over the allowance (%s)\n", checked, bad,
	       exact ? "exact: patched <= direct + padding NOPs" : argv[0]);
	return bad || !checked || (exact && negative) ? 1 : 0;
}

static int cmd_ratio(int argc, char **argv)
{
	/* io_delay's port 0x80 is QEMU's on KVM (an exit to user space);
	 * pic_in's port 0x21 KVM's own kernel answers (its PIC). */
	static const char *const exits[] = { "hypercall", "cpuid", "io_delay", "pic_in" };
	const int nexits = (int)(sizeof(exits) / sizeof(exits[0]));
	static struct run ours, kvm[MAX_LOGS][MAX_LOGS];
	const char *label[MAX_LOGS];
	int nk[MAX_LOGS];
	char buf[32];
	long r;
	int n, i, k, bad = 0;

	if (argc < 3 || (r = atol(argv[0])) < 1 || argc - 2 > MAX_LOGS) {
		fprintf(stderr, "usage: benchtab ratio R OURS LABEL=KVMLOG ...\n");
		return 2;
	}
	if (load(argv[1], &ours))
		return 2;
	n = argc - 2;
	for (k = 0; k < n; k++) {
		char *eq = strchr(argv[2 + k], '=');

		if (!eq) {
			fprintf(stderr, "benchtab: %s: want LABEL=LOG\n", argv[2 + k]);
			return 2;
		}
		*eq = 0;
		label[k] = argv[2 + k];
		if ((nk[k] = load_list(eq + 1, kvm[k])) <= 0)
			return 2;
	}
	printf("%-12s %14s", "exit", "this hv");
	for (k = 0; k < n; k++)
		printf(" %16s %8s", label[k], "ratio");
	printf("   target: at most 1/%ld of KVM's\n", r);
	for (i = 0; i < nexits; i++) {
		const struct op_cost *o = find(&ours, exits[i]);
		long mine = o ? o->cost100 : NO_COST;

		fmt_cost(buf, sizeof(buf), mine);
		printf("%-12s %14s", exits[i], buf);
		for (k = 0; k < n; k++) {
			long theirs = least(kvm[k], nk[k], exits[i]);
			char ratio[48];
			int ok = mine != NO_COST && theirs != NO_COST && mine > 0 &&
				 mine * r <= theirs;

			fmt_cost(buf, sizeof(buf), theirs);
			if (mine > 0 && theirs != NO_COST)
				snprintf(ratio, sizeof(ratio), "1/%ld.%ld", theirs / mine,
					 theirs * 10 / mine % 10);
			else
				snprintf(ratio, sizeof(ratio), "-");
			printf(" %16s %8s %-3s", buf, ratio, ok ? "yes" : "NO");
			bad += !ok;
		}
		printf("\n");
	}
	printf("benchtab: %d of %d comparisons over 1/%ld of KVM's (round trips in "
	       "instructions, guest included)\n", bad, n * nexits, r);
	return bad ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "table"))
		return cmd_table(argc - 2, argv + 2);
	if (argc >= 2 && !strcmp(argv[1], "compare"))
		return cmd_compare(argc - 2, argv + 2);
	if (argc >= 2 && !strcmp(argv[1], "ratio"))
		return cmd_ratio(argc - 2, argv + 2);
	fprintf(stderr, "usage: benchtab table LABEL=LOG ...\n"
		"       benchtab compare exact|pct:P PATCHED DIRECT NOPATCH\n"
		"       benchtab ratio R OURS LABEL=KVMLOG ...\n");
	return 2;
}
