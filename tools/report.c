/*
 * report.c - the native-vs-hosted comparison: one table, report.md,
 * report.json and the gnuplot charts, from the guests' serial logs.
 *
 *   report OUTDIR MODE:EMULATOR:UNIT:LOG[+EXITSLOG] ...
 *
 * MODE is native, hosted-pv, hosted-trap, on-kvm or nested; UNIT is
 * instructions (Bochs:
 * its TSC counts instructions retired, exact) or cycles (KVM: one run,
 * noise included). Each log holds the guest's "bench:" lines (cost and
 * exits per op) and "workload:" lines (cost and exits per part, and the
 * total). Runs on this hypervisor count their VM exits themselves; for a
 * run whose exits someone else counts (on-kvm: KVM's), EXITSLOG is a
 * second run of the same guest whose "nested: kvm-exits" lines (L1
 * Linux's count, KVM's kvm_exit tracepoint: boot/nested_init) give the
 * exits per op and per part; tracing costs instructions, so the costs
 * still come from LOG. Prints the tables and the targets, writes
 * OUTDIR/report.md and report.json, and draws with gnuplot OUTDIR/cost.png,
 * and where a run has VM exits exits.png and workload.png.
 *
 * Every figure carries its kind (instructions, cycles, exits). A cost the
 * run lacks prints as "elided" and a negative one with its sign, each
 * explained under its table. A chart is listed, here and in report.md, only
 * when gnuplot exited 0 and left a non-empty file; a failed one is removed.
 *
 * Exit status: 0 all written and every measurable target met; 1 a target
 * missed; 2 usage, or a log unreadable or without bench lines; 3 an output
 * (report.md, report.json, a chart) not written.
 *
 * Environment: build host (C11, POSIX: posix_spawnp, waitpid, stat).
 */
/* SPDX-License-Identifier: MIT */
#define _POSIX_C_SOURCE 200809L
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "logline.h"

#define MAX_RUNS  8
#define MAX_ROWS  32
#define MAX_NOTES 64
#define NAME_LEN  32
#define WHY_LEN   64

extern char **environ;

struct row {
	char name[NAME_LEN];
	int skipped;            /* a "skipped=WHY" line: no figures at all */
	char why[WHY_LEN];      /* skipped: WHY */
	double cost, exits;
	int have_cost, have_exits;
	char cost_why[WHY_LEN], exits_why[WHY_LEN];     /* when not had */
};

struct run {
	char mode[16], emulator[16], unit[16], log[256];
	char exits_log[256];    /* "": exits from LOG, when a hosted run's */
	int nops, nparts;
	struct row ops[MAX_ROWS], parts[MAX_ROWS];
	struct row total;
};

static struct run runs[MAX_RUNS];
static int nruns;

/* What one figure of a run is: a number, or elided and why. */
struct cell {
	int have;
	double v;
	char why[WHY_LEN + 16];
};

/* Runs on this hypervisor, which counts the exits; "on-kvm" (the guest
 * alone under KVM) has costs only. */
static int hosted(const struct run *r)
{
	return strcmp(r->mode, "native") != 0 && strcmp(r->mode, "on-kvm") != 0;
}

/* Runs with VM exit figures: hosted ones, and those with an EXITSLOG. */
static int has_exits(const struct run *r)
{
	return hosted(r) || r->exits_log[0];
}

static int exact(const struct run *r)
{
	return !strcmp(r->unit, "instructions");
}

/* ---- reading the logs ---------------------------------------------------- */

/* key's value into *v; else *have = 0 and why says what the log had. */
static void field(const char *line, const char *key, double *v, int *have, char *why)
{
	char s[32], *end;

	*have = 0;
	if (log_field(line, key, s, sizeof(s))) {
		snprintf(why, WHY_LEN, "no %s field", key);
		return;
	}
	*v = strtod(s, &end);
	if (!s[0] || *end || end == s) {
		snprintf(why, WHY_LEN, "it has %s%s", key, s);
		return;
	}
	*have = 1;
}

static int load(struct run *r)
{
	FILE *f = fopen(r->log, "r");
	char line[512];

	if (!f) {
		fprintf(stderr, "report: cannot open %s\n", r->log);
		return -1;
	}
	r->total.have_cost = 0;
	snprintf(r->total.cost_why, WHY_LEN, "no workload total line");
	snprintf(r->total.exits_why, WHY_LEN, "no workload total line");
	while (fgets(line, sizeof(line), f)) {
		struct row *w = 0;

		if (!strncmp(line, "bench: op=", 10) && r->nops < MAX_ROWS) {
			w = &r->ops[r->nops++];
			log_field(line, "op=", w->name, sizeof(w->name));
			if (!log_field(line, "skipped=", w->why, sizeof(w->why))) {
				w->skipped = 1;
				continue;
			}
		} else if (!strncmp(line, "workload: part=", 15) && r->nparts < MAX_ROWS) {
			w = &r->parts[r->nparts++];
			log_field(line, "part=", w->name, sizeof(w->name));
		} else if (!strncmp(line, "workload: total ", 16)) {
			w = &r->total;
			strcpy(w->name, "total");
		}
		if (w) {
			field(line, "cost=", &w->cost, &w->have_cost, w->cost_why);
			field(line, "exits=", &w->exits, &w->have_exits, w->exits_why);
		}
	}
	fclose(f);
	if (!r->nops && !r->nparts) {
		fprintf(stderr, "report: %s has no bench or workload lines\n", r->log);
		return -1;
	}
	return 0;
}

static struct row *find_row(struct row *rows, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(rows[i].name, name))
			return &rows[i];
	return 0;
}

/* No exit figure in any of r's rows, and why. */
static void exits_unknown(struct run *r, const char *why)
{
	for (int i = 0; i < r->nops; i++) {
		r->ops[i].have_exits = 0;
		snprintf(r->ops[i].exits_why, WHY_LEN, "%s", why);
	}
	for (int i = 0; i < r->nparts; i++) {
		r->parts[i].have_exits = 0;
		snprintf(r->parts[i].exits_why, WHY_LEN, "%s", why);
	}
	r->total.have_exits = 0;
	snprintf(r->total.exits_why, WHY_LEN, "%s", why);
}

/*
 * r's exits from its EXITSLOG: "nested: kvm-exits kind=op|part name=NAME
 * exits=N" lines, N for all of an op's 3 * iters calls (bench.c times n,
 * then 2n) or for the whole part; the total is the parts' sum. Cells the
 * log does not give keep a why.
 */
static int load_kvm_exits(struct run *r)
{
	FILE *f = fopen(r->exits_log, "r");
	char line[1024], kind[16], name[NAME_LEN], val[32];
	double iters[MAX_ROWS] = { 0 }, sum = 0;
	int lost = 0, parts_had = 0;

	if (!f) {
		fprintf(stderr, "report: cannot open %s\n", r->exits_log);
		return -1;
	}
	exits_unknown(r, "no kvm-exits line in its traced run");
	while (fgets(line, sizeof(line), f)) {
		struct row *w;
		char *end;
		double n;

		if (!strncmp(line, "bench: op=", 10) && !log_field(line, "op=", name, sizeof(name)) &&
		    !log_field(line, "iters=", val, sizeof(val)) &&
		    (w = find_row(r->ops, r->nops, name)))
			iters[w - r->ops] = strtod(val, 0);
		if (!strncmp(line, "nested: kvm-exits incomplete", 28))
			lost = 1;
		if (strncmp(line, "nested: kvm-exits kind=", 23) ||
		    log_field(line, "kind=", kind, sizeof(kind)) ||
		    log_field(line, "name=", name, sizeof(name)) ||
		    log_field(line, "exits=", val, sizeof(val)))
			continue;
		n = strtod(val, &end);
		if (end == val || *end)
			continue;
		if (!strcmp(kind, "op") && (w = find_row(r->ops, r->nops, name))) {
			if (iters[w - r->ops] > 0) {
				w->exits = n / (3 * iters[w - r->ops]);
				w->have_exits = 1;
			} else {
				snprintf(w->exits_why, WHY_LEN, "no bench line with iters= in its traced run");
			}
		} else if (!strcmp(kind, "part") && (w = find_row(r->parts, r->nparts, name))) {
			w->exits = n;
			w->have_exits = 1;
			sum += n;
			parts_had++;
		}
	}
	fclose(f);
	if (lost)
		exits_unknown(r, "its traced run lost trace events");
	else if (parts_had && parts_had == r->nparts) {
		r->total.exits = sum;
		r->total.have_exits = 1;
	}
	return 0;
}

static const struct row *find(const struct row *rows, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(rows[i].name, name))
			return &rows[i];
	return 0;
}

static struct run *by_mode(const char *mode)
{
	for (int i = 0; i < nruns; i++)
		if (!strcmp(runs[i].mode, mode))
			return &runs[i];
	return 0;
}

/* Run r's cost (or exits) in row name of ops or parts; name NULL: the total. */
static struct cell get(const struct run *r, int parts, const char *name, int exits)
{
	const struct row *w = name ? find(parts ? r->parts : r->ops,
					  parts ? r->nparts : r->nops, name) : &r->total;
	struct cell c = { 0, 0, "" };

	if (!w)
		snprintf(c.why, sizeof(c.why), "no line for it");
	else if (w->skipped)
		snprintf(c.why, sizeof(c.why), "it says skipped=%s", w->why);
	else if (exits ? !w->have_exits : !w->have_cost)
		snprintf(c.why, sizeof(c.why), "%s", exits ? w->exits_why : w->cost_why);
	else {
		c.have = 1;
		c.v = exits ? w->exits : w->cost;
	}
	return c;
}

/* The rows of a table: every name some run measured, in first-seen order. */
static int row_names(int parts, const char **names)
{
	int n = 0;

	for (int j = 0; j < nruns; j++) {
		const struct row *rows = parts ? runs[j].parts : runs[j].ops;
		int k = parts ? runs[j].nparts : runs[j].nops;

		for (int i = 0; i < k; i++) {
			int seen = 0;

			if (rows[i].skipped)
				continue;
			for (int m = 0; m < n; m++)
				seen |= !strcmp(names[m], rows[i].name);
			if (!seen && n < MAX_ROWS)
				names[n++] = rows[i].name;
		}
	}
	return n;
}

/* ---- the tables ---------------------------------------------------------- */

/* Lines explaining the elided and negative figures of one table. */
static char notes[MAX_NOTES][768];
static int nnotes;

static void note(const char *fmt, ...)
{
	va_list ap;

	if (nnotes == MAX_NOTES)
		return;
	va_start(ap, fmt);
	vsnprintf(notes[nnotes++], sizeof(notes[0]), fmt, ap);
	va_end(ap);
}

/*
 * A paragraph: in report.md as it is, after prefix ("- ", or "" for one of
 * its own); on the terminal indented by indent, its further lines by two
 * more, wrapped at 100 columns.
 */
static void para_at(FILE *out, int md, const char *prefix, const char *text, int indent)
{
	const char *p = text;
	int col = 0;

	if (md) {
		fprintf(out, "%s%s\n", prefix, text);
		return;
	}
	while (*p) {
		int w = (int)strcspn(p, " ");

		if (col && col + 1 + w > 100) {
			fprintf(out, "\n%*s", indent + 2, "");
			col = indent + 2;
		} else if (col) {
			fputc(' ', out);
			col++;
		} else {
			fprintf(out, "%*s", indent, "");
			col = indent;
		}
		fprintf(out, "%.*s", w, p);
		col += w;
		p += w;
		while (*p == ' ')
			p++;
	}
	fputc('\n', out);
}

static void para(FILE *out, int md, const char *prefix, const char *text)
{
	para_at(out, md, prefix, text, 2);
}

static void fmt_cell(char *b, size_t n, struct cell c, int decimals)
{
	if (!c.have)
		snprintf(b, n, "elided");
	else
		snprintf(b, n, "%.*f", decimals, c.v);
}

/* Notes for the cells of one table (once, whatever the output). */
static void table_notes(int parts, const char **names, int n)
{
	char neg[2][512] = { "", "" };          /* [exact]: "VALUE (op on mode)", ... */
	size_t used[2] = { 0, 0 };

	nnotes = 0;
	for (int i = 0; i <= n; i++) {
		const char *name = i < n ? names[i] : 0;

		if (!name && !parts)
			break;
		for (int j = 0; j < nruns; j++)
			for (int e = 0; e <= has_exits(&runs[j]); e++) {
				struct cell c = get(&runs[j], parts, name, e);
				int x = exact(&runs[j]);

				if (!c.have)
					note("`elided`: %s %s on %s: no figure in its log (%s)",
					     name ? name : "total", e ? "exits" : "cost",
					     runs[j].mode, c.why);
				else if (!e && c.v < 0 && used[x] < sizeof(neg[x]))
					used[x] += (size_t)snprintf(neg[x] + used[x],
						sizeof(neg[x]) - used[x], "%s%.2f (%s on %s)",
						used[x] ? ", " : "", c.v, name ? name : "total",
						runs[j].mode);
			}
	}
	if (used[1])
		note("negative costs in instructions: %s. Counts are exact, so the op's loop "
		     "ran fewer instructions than the empty loop: the two differ by more than "
		     "the op, a fault of guest/bench.c's loops (check_bench_loops tests them)",
		     neg[1]);
	if (used[0])
		note("negative costs in cycles: %s. The op's loop took fewer cycles than the "
		     "empty loop: the op costs less than the timing's noise; read it as "
		     "about 0", neg[0]);
}

/* Column heading: "native" over "instructions"; exits columns say exits. */
static void table(FILE *out, int parts, int md)
{
	const char *names[MAX_ROWS];
	int n = row_names(parts, names);
	char b[32];

	if (!n)
		return;                 /* no run has such lines (bench=workload) */
	table_notes(parts, names, n);
	if (md) {
		fprintf(out, "\n### %s\n\n| %s |", parts ?
			"Workload (workload.c): the cost of each part and in all, VM exits in it" :
			"Per pv op: cost per call, VM exits per call", parts ? "part" : "op");
		for (int j = 0; j < nruns; j++)
			fprintf(out, " %s: %s |", runs[j].mode, runs[j].unit);
		for (int j = 0; j < nruns; j++)
			if (has_exits(&runs[j]))
				fprintf(out, " %s: exits |", runs[j].mode);
		fprintf(out, "\n|---|");
		for (int j = 0; j < nruns; j++)
			fprintf(out, "---:|%s", has_exits(&runs[j]) ? "---:|" : "");
		fprintf(out, "\n");
	} else {
		fprintf(out, "\n%s\n%-14s", parts ?
			"Workload (workload.c): the cost of each part and in all, VM exits in it" :
			"Per pv op: cost per call, VM exits per call", parts ? "part" : "op");
		for (int j = 0; j < nruns; j++)
			fprintf(out, " %13s", runs[j].mode);
		for (int j = 0; j < nruns; j++)
			if (has_exits(&runs[j]))
				fprintf(out, " %13s", runs[j].mode);
		fprintf(out, "\n%-14s", "");
		for (int j = 0; j < nruns; j++)
			fprintf(out, " %13s", runs[j].unit);
		for (int j = 0; j < nruns; j++)
			if (has_exits(&runs[j]))
				fprintf(out, " %13s", "exits");
		fprintf(out, "\n");
	}
	for (int i = 0; i <= n; i++) {
		const char *name = i < n ? names[i] : 0;

		if (!name && !parts)
			break;
		fprintf(out, md ? "| %s |" : "%-14s", name ? name : md ? "**total**" : "total");
		for (int e = 0; e < 2; e++)
			for (int j = 0; j < nruns; j++) {
				if (e && !has_exits(&runs[j]))
					continue;
				fmt_cell(b, sizeof(b), get(&runs[j], parts, name, e),
					 parts ? 0 : 2);
				fprintf(out, md ? " %s |" : " %13s", b);
			}
		fprintf(out, "\n");
	}
	if (nnotes)
		fprintf(out, md ? "\n" : "");
	for (int i = 0; i < nnotes; i++)
		para(out, md, "- ", notes[i]);
}

/* The rows every run skipped, and why: one line. */
static void untimed(FILE *out, int md)
{
	const char *names[MAX_ROWS];
	int n = row_names(0, names), printed = 0;
	char line[512] = "not timed in any run:";
	size_t used = strlen(line);

	for (int i = 0; i < runs[0].nops && used < sizeof(line); i++) {
		const struct row *w = &runs[0].ops[i];
		int measured = 0;

		if (!w->skipped)
			continue;
		for (int m = 0; m < n; m++)
			measured |= !strcmp(names[m], w->name);
		if (!measured)
			used += (size_t)snprintf(line + used, sizeof(line) - used, "%s %s (%s)",
						 printed++ ? "," : "", w->name, w->why);
	}
	if (printed) {
		fprintf(out, md ? "\n" : "");
		para(out, md, "", line);
	}
}

/* What a figure counts, next to it: the null hypercall, the compute part. */
static void figure_notes(FILE *out, int parts, int md)
{
	const char *names[MAX_ROWS];
	int any_exact_hosted = 0;

	for (int j = 0; j < nruns; j++)
		any_exact_hosted |= hosted(&runs[j]) && exact(&runs[j]);
	if (!any_exact_hosted || !row_names(parts, names))
		return;
	fprintf(out, md ? "\n" : "");
	if (!parts)
		para(out, md, "", "hypercall, in instructions: the null VMCALL round trip as "
		     "the guest times it: its MOV of the number and the VMCALL, the "
		     "hypervisor's exit stub, dispatch, handler and entry stub, and the "
		     "VMRESUME, each instruction one tick. In Bochs the VM exit and VM entry "
		     "themselves and EPT walks cost nothing: on hardware they are most of "
		     "its time.");
	else
		para(out, md, "", "compute, in instructions: equal in every mode by "
		     "construction in Bochs, where an EPT walk or a TLB miss costs no "
		     "instruction; it differs only if a VM exit (root-mode instructions) or "
		     "other code lands in it.");
}

/* ---- the targets --------------------------------------------------------- */

struct verdict {
	const char *what;
	const char *shows;      /* what its unit can show, and cannot */
	char value[96];
	int ok;                 /* 1 met, 0 missed, -1 not measurable here */
};

static const char exits_show[] =
	"VM exits, counted by the hypervisor: exact on any host; they show how often "
	"the guest left for root mode, not what an exit costs";

/* The whole workload's exits less its SMP parts' (smp_*, which only a
 * run with more than one CPU has): the one-CPU parts' sum. */
static struct cell one_cpu_total(const struct run *r)
{
	struct cell c = get(r, 1, 0, 1);
	int i;

	for (i = 0; c.have && i < r->nparts; i++)
		if (!strncmp(r->parts[i].name, "smp_", 4) && r->parts[i].have_exits)
			c.v -= r->parts[i].exits;
	return c;
}

/*
 * An SMP part's target: hosted-pv's figure (exits, or instructions) at
 * most num/den of hosted-trap's. Measurable only where both runs have
 * the part (more than one CPU online); returns 1, the verdict written.
 */
static int smp_target(struct verdict *v, const char *what, const char *shows,
		      const struct run *pv, const struct run *trap, const char *part,
		      int exits, int num, int den)
{
	struct cell a = pv ? get(pv, 1, part, exits) : (struct cell){ 0, 0, "" };
	struct cell b = trap ? get(trap, 1, part, exits) : (struct cell){ 0, 0, "" };

	v->what = what;
	v->shows = shows;
	if (a.have && b.have && b.v > 0) {
		snprintf(v->value, sizeof(v->value), "%.0f vs %.0f %s", a.v, b.v,
			 exits ? "exits" : "instructions");
		v->ok = a.v * den <= b.v * num;
	} else {
		snprintf(v->value, sizeof(v->value), "needs hosted-pv and hosted-trap runs with "
			 "more than one CPU");
		v->ok = -1;
	}
	return 1;
}

static int checks(struct verdict *v)
{
	const struct run *nat = by_mode("native"), *pv = by_mode("hosted-pv"),
			 *trap = by_mode("hosted-trap");
	struct cell a, b;
	int n = 0;

	v[n].what = "whole workload (its one-CPU parts): hosted-pv exits at most 1/20 of "
		    "hosted-trap exits";
	v[n].shows = exits_show;
	a = pv ? one_cpu_total(pv) : (struct cell){ 0, 0, "" };
	b = trap ? one_cpu_total(trap) : (struct cell){ 0, 0, "" };
	if (a.have && b.have && b.v > 0) {
		snprintf(v[n].value, sizeof(v[n].value), "%.0f vs %.0f exits (1/%.0f)", a.v, b.v,
			 a.v ? b.v / a.v : 0.0);
		v[n].ok = a.v * 20 <= b.v;
	} else {
		snprintf(v[n].value, sizeof(v[n].value), "needs hosted-pv and hosted-trap runs");
		v[n].ok = -1;
	}
	n++;

	v[n].what = "console output of a 4 KiB buffer: 1 exit hosted-pv";
	v[n].shows = exits_show;
	a = pv ? get(pv, 1, "console", 1) : (struct cell){ 0, 0, "" };
	if (a.have) {
		snprintf(v[n].value, sizeof(v[n].value), "%.0f exit(s)", a.v);
		v[n].ok = a.v == 1;
	} else {
		snprintf(v[n].value, sizeof(v[n].value), "needs a hosted-pv run");
		v[n].ok = -1;
	}
	n++;

	v[n].what = "apic part (IPI + EOI): hosted-pv exits at most half of hosted-trap";
	v[n].shows = exits_show;
	a = pv ? get(pv, 1, "apic", 1) : (struct cell){ 0, 0, "" };
	b = trap ? get(trap, 1, "apic", 1) : (struct cell){ 0, 0, "" };
	if (a.have && b.have && b.v > 0) {
		snprintf(v[n].value, sizeof(v[n].value), "%.0f vs %.0f exits", a.v, b.v);
		v[n].ok = a.v * 2 <= b.v;
	} else {
		snprintf(v[n].value, sizeof(v[n].value), "needs hosted-pv and hosted-trap runs");
		v[n].ok = -1;
	}
	n++;

	v[n].what = "pure compute: hosted-pv instructions equal to native (Bochs, exact)";
	v[n].shows = "instructions retired: an EPT walk or TLB miss costs none in Bochs, so "
		     "this holds by construction unless a VM exit or other code lands in the "
		     "part; it cannot show what nested paging costs in time";
	if (nat && pv && exact(nat) && exact(pv)) {
		a = get(nat, 1, "compute", 0);
		b = get(pv, 1, "compute", 0);
	} else
		a.have = b.have = 0;
	if (a.have && b.have) {
		snprintf(v[n].value, sizeof(v[n].value), "%.0f vs %.0f instructions", b.v, a.v);
		v[n].ok = a.v == b.v;
	} else {
		snprintf(v[n].value, sizeof(v[n].value), "needs native and hosted-pv runs in "
			 "instructions");
		v[n].ok = -1;
	}
	n++;

	v[n].what = "null hypercall round trip under 150 instructions (Bochs, exact)";
	v[n].shows = "instructions retired, guest and root: the code path of an exit, "
		     "VMCALL and VMRESUME one each; not the hardware's exit and entry, "
		     "which cost nothing in Bochs";
	a = pv && exact(pv) ? get(pv, 0, "hypercall", 0) : (struct cell){ 0, 0, "" };
	if (a.have) {
		snprintf(v[n].value, sizeof(v[n].value), "%.2f instructions, guest and root",
			 a.v);
		v[n].ok = a.v < 150;
	} else {
		snprintf(v[n].value, sizeof(v[n].value), "needs a hosted-pv run in instructions");
		v[n].ok = -1;
	}
	n++;

	/* The SMP parts (more than one CPU online): what one hypercall for a
	 * whole mask, a halted vCPU's deferred flush and a sleeping waiter buy. */
	n += smp_target(&v[n], "smp_shootdown: hosted-pv exits at most 1/4 of hosted-trap's",
			exits_show, pv, trap, "smp_shootdown", 1, 1, 4);
	n += smp_target(&v[n], "smp_ipi: hosted-pv exits at most 2/3 of hosted-trap's",
			exits_show, pv, trap, "smp_ipi", 1, 2, 3);
	n += smp_target(&v[n], "smp_lock: hosted-pv instructions at most hosted-trap's "
			"(Bochs, exact)", "Bochs ticks with several CPUs: they run in step, a quantum "
			"of instructions each in turn, so a part's ticks are its elapsed time in one "
			"CPU's instructions: how soon the lock passes on, not the sum of all CPUs' work", pv && exact(pv) ? pv : 0,
			trap && exact(trap) ? trap : 0, "smp_lock", 0, 1, 1);
	return n;
}

static const char *met(const struct verdict *v)
{
	return v->ok < 0 ? "not measurable here" : v->ok ? "yes" : "NO";
}

/* ---- report.json ----------------------------------------------------------- */

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(f, "\\u%04x", *s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

static void json_cell(FILE *f, const char *key, struct cell c, int decimals)
{
	fprintf(f, ", \"%s\": ", key);
	if (c.have) {
		fprintf(f, "%.*f", decimals, c.v);
		return;
	}
	fprintf(f, "null, \"%s_elided\": ", key);
	json_str(f, c.why);
}

static void json_rows(FILE *f, const struct run *r, int parts)
{
	const struct row *rows = parts ? r->parts : r->ops;
	int n = parts ? r->nparts : r->nops;

	for (int i = 0; i < n; i++) {
		fprintf(f, "%s{\"%s\": ", i ? ", " : "", parts ? "part" : "op");
		json_str(f, rows[i].name);
		json_cell(f, "cost", get(r, parts, rows[i].name, 0), parts ? 0 : 2);
		if (has_exits(r))
			json_cell(f, "exits", get(r, parts, rows[i].name, 1), parts ? 0 : 2);
		fprintf(f, "}");
	}
}

struct chart {
	const char *png, *what;
	int exits, parts, logscale;
	int written;
	char why[640];          /* not written: why */
	int failed;             /* gnuplot failed (not: nothing to draw) */
};

static int write_json(const char *path, const struct verdict *v, int nv,
		      const struct chart *ch, int nch)
{
	FILE *f = fopen(path, "w");

	if (!f) {
		perror(path);
		return -1;
	}
	fprintf(f, "{\"runs\": [");
	for (int j = 0; j < nruns; j++) {
		const struct run *r = &runs[j];

		fprintf(f, "%s\n  {\"mode\": ", j ? "," : "");
		json_str(f, r->mode);
		fprintf(f, ", \"emulator\": ");
		json_str(f, r->emulator);
		fprintf(f, ", \"unit\": ");
		json_str(f, r->unit);
		fprintf(f, ", \"exact\": %s,\n   \"ops\": [", exact(r) ? "true" : "false");
		json_rows(f, r, 0);
		fprintf(f, "],\n   \"workload\": [");
		json_rows(f, r, 1);
		fprintf(f, "],\n   \"total\": {\"part\": \"total\"");
		json_cell(f, "cost", get(r, 1, 0, 0), 0);
		if (has_exits(r))
			json_cell(f, "exits", get(r, 1, 0, 1), 0);
		fprintf(f, "}}");
	}
	fprintf(f, "\n],\n\"targets\": [");
	for (int i = 0; i < nv; i++) {
		fprintf(f, "%s\n  {\"target\": ", i ? "," : "");
		json_str(f, v[i].what);
		fprintf(f, ", \"value\": ");
		json_str(f, v[i].value);
		fprintf(f, ", \"met\": %s, \"unit_shows\": ",
			v[i].ok < 0 ? "null" : v[i].ok ? "true" : "false");
		json_str(f, v[i].shows);
		fprintf(f, "}");
	}
	fprintf(f, "\n],\n\"charts\": [");
	for (int i = 0, k = 0; i < nch; i++)
		if (ch[i].written) {
			fprintf(f, "%s", k++ ? ", " : "");
			json_str(f, ch[i].png);
		}
	fprintf(f, "],\n\"charts_not_written\": [");
	for (int i = 0, k = 0; i < nch; i++)
		if (!ch[i].written) {
			fprintf(f, "%s{\"chart\": ", k++ ? ", " : "");
			json_str(f, ch[i].png);
			fprintf(f, ", \"why\": ");
			json_str(f, ch[i].why);
			fprintf(f, "}");
		}
	fprintf(f, "]}\n");
	return fclose(f) ? -1 : 0;
}

/* ---- the charts ------------------------------------------------------------ */

/* Rows as gnuplot data: name, then cost and exits per run; no bar for
 * an elided, zero or negative figure (0: the charts' log scales skip it). */
static int write_dat(const char *path, int parts, int *positive)
{
	const char *names[MAX_ROWS];
	int n = row_names(parts, names);
	FILE *f = fopen(path, "w");

	if (!f)
		return -1;
	positive[0] = positive[1] = 0;
	fprintf(f, "# %s", parts ? "part" : "op");
	for (int j = 0; j < nruns; j++)
		fprintf(f, " cost:%s exits:%s", runs[j].mode, runs[j].mode);
	fprintf(f, "\n");
	for (int i = 0; i < n; i++) {
		fprintf(f, "%s", names[i]);
		for (int j = 0; j < nruns; j++)
			for (int e = 0; e < 2; e++) {
				struct cell c = get(&runs[j], parts, names[i], e);
				int show = c.have && c.v > 0 && (!e || has_exits(&runs[j]));

				fprintf(f, " %.2f", show ? c.v : 0.0);
				positive[e] |= show;
			}
		fprintf(f, "\n");
	}
	return fclose(f) ? -1 : 0;
}

/* The runs' unit when they share one, else what the key says. */
static const char *one_unit(void)
{
	for (int j = 1; j < nruns; j++)
		if (strcmp(runs[j].unit, runs[0].unit))
			return "cost (unit in the key)";
	return runs[0].unit;
}

/* Run gnuplot on script; its exit status, or -1 when it could not start. */
static int gnuplot(const char *script)
{
	char *argv[] = { "gnuplot", (char *)script, 0 };
	pid_t pid;
	int st;

	if (posix_spawnp(&pid, "gnuplot", 0, 0, argv, environ))
		return -1;
	if (waitpid(pid, &st, 0) < 0)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* One chart: a script of its own, gnuplot, then the file is checked. */
static void draw(const char *dir, struct chart *c, const char *dat, int has_bars)
{
	char png[512], gp[512];
	struct stat st;
	int rc, k = 0;
	FILE *f;

	snprintf(png, sizeof(png), "%s/%s", dir, c->png);
	snprintf(gp, sizeof(gp), "%s/%.*s.gp", dir, (int)(strlen(c->png) - 4), c->png);
	if (c->exits) {
		int any = 0;

		for (int j = 0; j < nruns; j++)
			any |= has_exits(&runs[j]);
		if (!any) {
			snprintf(c->why, sizeof(c->why), "no run with VM exits to chart");
			return;
		}
	}
	if (!has_bars) {
		snprintf(c->why, sizeof(c->why), "no figure above 0 to draw");
		return;
	}
	if (!(f = fopen(gp, "w"))) {
		snprintf(c->why, sizeof(c->why), "cannot write %s", gp);
		c->failed = 1;
		return;
	}
	fprintf(f, "set terminal pngcairo size 1100,520 font ',10'\n"
		   "set termoption noenhanced\nset style data histograms\n"
		   "set style histogram clustered gap 1\nset style fill solid 0.85 border -1\n"
		   "set boxwidth 0.9\nset xtics rotate by -40\nset grid ytics\nset key top left\n");
	fprintf(f, "set output '%s'\nset title '%s (no bar: elided, 0 or below)'\n", png, c->what);
	if (c->exits)
		fprintf(f, "set ylabel '%s'\n", c->parts ? "VM exits in the part" :
			"VM exits per call");
	else
		fprintf(f, "set ylabel '%s per call'\n", one_unit());
	fprintf(f, c->logscale ? "set logscale y\nset yrange [0.5:*]\n" : "set yrange [0:*]\n");
	fprintf(f, "plot ");
	for (int j = 0; j < nruns; j++)
		if (!c->exits || has_exits(&runs[j]))
			fprintf(f, "%s'%s' using %d:xtic(1) title '%s (%s)'", k++ ? ", " : "",
				dat, (c->exits ? 3 : 2) + 2 * j, runs[j].mode,
				c->exits ? "exits" : runs[j].unit);
	fprintf(f, "\n");
	if (fclose(f)) {
		snprintf(c->why, sizeof(c->why), "cannot write %s", gp);
		c->failed = 1;
		return;
	}
	rc = gnuplot(gp);
	if (rc == 0 && !stat(png, &st) && st.st_size > 0) {
		c->written = 1;
		return;
	}
	if (rc < 0)
		snprintf(c->why, sizeof(c->why), "gnuplot could not be started (tools/deps "
			 "run installs gnuplot-nox)");
	else if (rc)
		snprintf(c->why, sizeof(c->why), "gnuplot exited with status %d", rc);
	else
		snprintf(c->why, sizeof(c->why), "gnuplot exited 0 but left no %s", c->png);
	c->failed = 1;
	unlink(png);    /* no 0-byte or half-drawn chart left behind */
}

static int write_charts(const char *dir, struct chart *ch, int nch)
{
	char ops[512], parts[512];
	int pos_ops[2], pos_parts[2], failed = 0;

	for (int i = 0; i < nch; i++) {       /* no chart of an earlier report stays */
		char png[512];

		snprintf(png, sizeof(png), "%s/%s", dir, ch[i].png);
		unlink(png);
	}
	snprintf(ops, sizeof(ops), "%s/ops.dat", dir);
	snprintf(parts, sizeof(parts), "%s/workload.dat", dir);
	if (write_dat(ops, 0, pos_ops) || write_dat(parts, 1, pos_parts)) {
		for (int i = 0; i < nch; i++) {
			snprintf(ch[i].why, sizeof(ch[i].why), "cannot write the data files");
			ch[i].failed = 1;
		}
		return -1;
	}
	for (int i = 0; i < nch; i++) {
		draw(dir, &ch[i], ch[i].parts ? parts : ops,
		     (ch[i].parts ? pos_parts : pos_ops)[ch[i].exits]);
		failed |= ch[i].failed;
		if (ch[i].failed)
			fprintf(stderr, "report: %s not written: %s\n", ch[i].png, ch[i].why);
	}
	return failed ? -1 : 0;
}

/* ---- report.md ------------------------------------------------------------- */

static int write_md(const char *path, const struct verdict *v, int nv,
		    const struct chart *ch, int nch)
{
	FILE *md = fopen(path, "w");
	int any_exact = 0, any_cycles = 0;

	if (!md) {
		perror(path);
		return -1;
	}
	fprintf(md, "# Native vs hosted: the same guest image, op by op\n\nRuns:\n\n");
	for (int j = 0; j < nruns; j++) {
		fprintf(md, "- **%s** on %s: costs in %s%s (log `%s`)\n", runs[j].mode,
			runs[j].emulator, runs[j].unit, exact(&runs[j]) ?
			", exact and identical run to run" : ", one run, noise included",
			runs[j].log);
		any_exact |= exact(&runs[j]);
		any_cycles |= !exact(&runs[j]);
	}
	fprintf(md, "\nKinds of number: ");
	if (any_exact)
		fprintf(md, "*instructions* are instructions retired, exact (Bochs's TSC "
			"advances once per instruction, in the guest and in root mode alike); ");
	if (any_cycles)
		fprintf(md, "*cycles* are TSC cycles under KVM, one run, noise included; ");
	fprintf(md, "*exits* are VM exits counted by the hypervisor (hosted runs), or for "
		"on-kvm by L1 Linux with KVM's kvm_exit tracepoint in a second, traced run "
		"of the same guest (tracing costs instructions: the costs are the untraced "
		"run's). "
		"A cost is per call with the empty loop's cost taken out (ops; the op's "
		"loop and the empty loop differ by the op alone: see guest/bench.c), or "
		"for the whole part (workload). The per-op console_write writes 0 bytes "
		"(the cost of the call); the workload's console part writes 4 KiB. That "
		"part is bound by the UART's line speed, which every mode waits out in "
		"full: trapped exits hide inside that wait, so compare its exits rather "
		"than its cost.\n");
	table(md, 0, 1);
	untimed(md, 1);
	figure_notes(md, 0, 1);
	table(md, 1, 1);
	figure_notes(md, 1, 1);
	fprintf(md, "\n### Targets\n\n| target | measured | met | what the unit can show |\n"
		"|---|---|---|---|\n");
	for (int i = 0; i < nv; i++)
		fprintf(md, "| %s | %s | %s | %s |\n", v[i].what, v[i].value, met(&v[i]),
			v[i].shows);
	fprintf(md, "\n### Charts\n");
	for (int i = 0; i < nch; i++)
		if (ch[i].written)
			fprintf(md, "\n![%s](%s)\n", ch[i].what, ch[i].png);
	for (int i = 0; i < nch; i++)
		if (!ch[i].written)
			fprintf(md, "\n%s: not written: %s.\n", ch[i].png, ch[i].why);
	return fclose(md) ? -1 : 0;
}

int main(int argc, char **argv)
{
	struct chart ch[] = {
		{ "cost.png", "Cost per pv op, by mode (log scale)", 0, 0, 1, 0, "", 0 },
		{ "exits.png", "VM exits per pv op, hosted runs", 1, 0, 0, 0, "", 0 },
		{ "workload.png", "VM exits per workload part, hosted runs (log scale)",
		  1, 1, 1, 0, "", 0 },
	};
	int nch = sizeof(ch) / sizeof(ch[0]);
	struct verdict v[16];
	char path[512];
	int nv, missed = 0, failed = 0, md_failed, json_failed, k = 0;
	const char *dir;

	if (argc < 3) {
		fprintf(stderr, "usage: report OUTDIR MODE:EMULATOR:UNIT:LOG[+EXITSLOG] ...\n");
		return 2;
	}
	dir = argv[1];
	if (strchr(dir, '\'') || strlen(dir) > 400) {
		fprintf(stderr, "report: OUTDIR must be under 400 bytes, without a quote\n");
		return 2;
	}
	for (int i = 2; i < argc; i++) {
		struct run *r = &runs[nruns];

		if (nruns == MAX_RUNS) {
			fprintf(stderr, "report: at most %d runs\n", MAX_RUNS);
			return 2;
		}
		if (sscanf(argv[i], "%15[^:]:%15[^:]:%15[^:]:%255[^+]+%255s", r->mode,
			   r->emulator, r->unit, r->log, r->exits_log) < 4) {
			fprintf(stderr, "report: want MODE:EMULATOR:UNIT:LOG[+EXITSLOG], got %s\n",
				argv[i]);
			return 2;
		}
		if (strcmp(r->unit, "instructions") && strcmp(r->unit, "cycles")) {
			fprintf(stderr, "report: UNIT is instructions or cycles, got %s\n", r->unit);
			return 2;
		}
		if (strchr(r->log, '\'')) {
			fprintf(stderr, "report: a log path without a quote, please: %s\n", r->log);
			return 2;
		}
		if (load(r) || (r->exits_log[0] && load_kvm_exits(r)))
			return 2;
		nruns++;
	}
	nv = checks(v);

	for (int pass = 0; pass < 2; pass++) {
		table(stdout, pass, 0);
		if (!pass)
			untimed(stdout, 0);
		figure_notes(stdout, pass, 0);
	}
	printf("\nTargets (each with what its unit can show)\n");
	for (int i = 0; i < nv; i++) {
		printf("  %-70s %s  [%s]\n", v[i].what, v[i].value, met(&v[i]));
		para_at(stdout, 0, "", v[i].shows, 4);
		missed += v[i].ok == 0;
	}

	failed |= write_charts(dir, ch, nch) != 0;
	snprintf(path, sizeof(path), "%s/report.md", dir);
	md_failed = write_md(path, v, nv, ch, nch) != 0;
	snprintf(path, sizeof(path), "%s/report.json", dir);
	json_failed = write_json(path, v, nv, ch, nch) != 0;

	/* What was written, and only that. */
	printf("\nreport: wrote in %s/:", dir);
	if (!md_failed)
		printf("%s report.md", k++ ? "," : "");
	if (!json_failed)
		printf("%s report.json", k++ ? "," : "");
	for (int i = 0; i < nch; i++)
		if (ch[i].written)
			printf("%s %s", k++ ? "," : "", ch[i].png);
	printf("%s\n", k ? "" : " nothing");
	for (int i = 0; i < nch; i++)
		if (!ch[i].written && !ch[i].failed)
			printf("report: no %s: %s\n", ch[i].png, ch[i].why);
	if (failed || md_failed || json_failed) {
		fprintf(stderr, "report: FAILED: %s not written (see above)\n",
			md_failed || json_failed ? "a report file" : "a chart");
		return 3;
	}
	return missed ? 1 : 0;
}
