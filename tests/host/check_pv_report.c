/*
 * check_pv_report.c - checks a guest's `pv.report` serial log against what
 * each backend must have written at every pv call site.
 *
 * Usage: check_pv_report LOG native|hv. The log is a boot with the guest
 * option pv.report; each "pv.site:" line gives one site's bytes after
 * patching. They are disassembled with objdump (placed at the site's
 * address, so a call's target prints absolute) and compared with an
 * expected-instruction table per op and backend kept here, independent of
 * the guest's templates; hypercall numbers come from shared/abi/hv_abi.h.
 * Site lengths and the op list come from pv_ops.h and pv_op_info
 * (guest/pv_native.c). Runs on the build host with objdump on PATH.
 */
/* SPDX-License-Identifier: MIT */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "abi/hv_abi.h"
#include "check.h"
#include "disasm.h"
#include "pv_ops.h"

#define MAX_SITES   4096
#define MAX_BYTES   32          /* longer than any site: reported, not stored */
#define MAX_INSNS   16

/* ---- what each site must hold ------------------------------------------- */

enum want_kind { W_END, W_INSN, W_HC_NR, W_CALL };

/* One expected instruction, as objdump -M intel prints it (spaces collapsed). */
struct want {
	enum want_kind kind;
	const char *text;       /* W_INSN */
	unsigned nr;            /* W_HC_NR: "mov eax,0x<nr>" */
};

#define INSN(t)    { W_INSN, t, 0 }
#define HC_NR(nr)  { W_HC_NR, NULL, nr }
#define CALL_ANY   { W_CALL, NULL, 0 }  /* call rel32 to some address */

/* Up to three instructions, then the padding NOP (none if the site is full). */
struct expect {
	struct want insn[4];
};

static const struct expect expect_native[PV_NR_OPS] = {
	[PV_OP_save_fl]       = {{ INSN("pushf"), INSN("pop rax") }},
	[PV_OP_restore_fl]    = {{ INSN("push rdi"), INSN("popf") }},
	[PV_OP_irq_disable]   = {{ INSN("cli") }},
	[PV_OP_irq_enable]    = {{ INSN("sti") }},
	[PV_OP_safe_halt]     = {{ INSN("sti"), INSN("hlt") }},
	[PV_OP_halt]          = {{ INSN("hlt") }},
	[PV_OP_read_cr2]      = {{ INSN("mov rax,cr2") }},
	[PV_OP_read_cr3]      = {{ INSN("mov rax,cr3") }},
	[PV_OP_write_cr3]     = {{ INSN("mov cr3,rdi") }},
	[PV_OP_flush_tlb_one] = {{ INSN("invlpg BYTE PTR [rdi]") }},
	[PV_OP_flush_tlb_all] = {{ INSN("mov rax,cr3"), INSN("mov cr3,rax") }},
	[PV_OP_io_delay]      = {{ INSN("out 0x80,al") }},
	[PV_OP_apic_eoi]      = {{ INSN("mov DWORD PTR ds:0xfffffffffee000b0,0x0") }},
	[PV_OP_timer_arm]     = {{ INSN("mov DWORD PTR ds:0xfffffffffee00380,edi") }},
	[PV_OP_clock_read]    = {{ INSN("rdtsc"), INSN("shl rdx,0x20"), INSN("or rax,rdx") }},
	[PV_OP_cpuid]         = {{ INSN("cpuid") }},
	[PV_OP_console_write] = {{ CALL_ANY }},
	[PV_OP_wait]          = {{ INSN("pause") }},
	[PV_OP_kick]          = {{ { W_END, NULL, 0 } }},       /* the NOP only */
	[PV_OP_send_ipi_mask] = {{ CALL_ANY }},
	[PV_OP_flush_tlb_others] = {{ CALL_ANY }},
};

static const struct expect expect_hv[PV_NR_OPS] = {
	[PV_OP_save_fl]       = {{ INSN("pushf"), INSN("pop rax") }},
	[PV_OP_restore_fl]    = {{ INSN("push rdi"), INSN("popf") }},
	[PV_OP_irq_disable]   = {{ INSN("cli") }},
	[PV_OP_irq_enable]    = {{ INSN("sti") }},
	[PV_OP_safe_halt]     = {{ HC_NR(HC_safe_halt), INSN("vmcall") }},
	[PV_OP_halt]          = {{ HC_NR(HC_halt), INSN("vmcall") }},
	[PV_OP_read_cr2]      = {{ INSN("mov rax,cr2") }},
	[PV_OP_read_cr3]      = {{ INSN("mov rax,cr3") }},
	[PV_OP_write_cr3]     = {{ INSN("mov cr3,rdi") }},
	[PV_OP_flush_tlb_one] = {{ INSN("invlpg BYTE PTR [rdi]") }},
	[PV_OP_flush_tlb_all] = {{ INSN("mov rax,cr3"), INSN("mov cr3,rax") }},
	[PV_OP_io_delay]      = {{ { W_END, NULL, 0 } }},       /* the NOP only */
	[PV_OP_apic_eoi]      = {{ CALL_ANY }},                  /* the PV EOI thunk */
	[PV_OP_timer_arm]     = {{ HC_NR(HC_timer_arm), INSN("vmcall") }},
	[PV_OP_clock_read]    = {{ INSN("rdtsc"), INSN("shl rdx,0x20"), INSN("or rax,rdx") }},
	[PV_OP_cpuid]         = {{ CALL_ANY }},
	[PV_OP_console_write] = {{ HC_NR(HC_console_write), INSN("vmcall") }},
	[PV_OP_wait]          = {{ HC_NR(HC_wait), INSN("vmcall") }},
	[PV_OP_kick]          = {{ HC_NR(HC_kick), INSN("vmcall") }},
	[PV_OP_send_ipi_mask] = {{ HC_NR(HC_send_ipi_mask), INSN("vmcall") }},
	[PV_OP_flush_tlb_others] = {{ HC_NR(HC_flush_tlb_others), INSN("vmcall") }},
};

/* Every op has an entry: an all-W_END entry must be meant (hv io_delay,
 * native kick). */
static int expect_present(const struct expect *tab, unsigned op, int hv)
{
	return tab[op].insn[0].kind != W_END || (hv && op == PV_OP_io_delay) ||
	       (!hv && op == PV_OP_kick);
}

/* ---- the log ------------------------------------------------------------- */

struct site {
	unsigned line;          /* in the log, from 1 */
	int op;                 /* enum pv_op, or -1 for an unknown name */
	char op_name[32];
	uint64_t addr;
	unsigned len, nbytes, written;
	uint8_t bytes[MAX_BYTES];
	char choice[16];
	int call_off;           /* offset of a call rel32 in the site, or -1 */
	uint64_t call_target;
};

static struct site sites[MAX_SITES];
static unsigned nsites;         /* well-formed ones */
static unsigned site_lines;     /* lines mentioning pv.site, formed or not */

static int op_by_name(const char *name)
{
	unsigned op;

	for (op = 0; op < PV_NR_OPS; op++)
		if (!strcmp(pv_op_info[op].name, name))
			return (int)op;
	return -1;
}

static int lit(const char **p, const char *s)
{
	size_t n = strlen(s);

	if (strncmp(*p, s, n))
		return 0;
	*p += n;
	return 1;
}

static int word(const char **p, char *out, size_t outlen)
{
	size_t n = 0;

	while ((islower((unsigned char)(*p)[n]) || isdigit((unsigned char)(*p)[n]) ||
		(*p)[n] == '_') && n + 1 < outlen) {
		out[n] = (*p)[n];
		n++;
	}
	out[n] = 0;
	*p += n;
	return n > 0;
}

static int number(const char **p, int base, unsigned long long *v)
{
	const char *s = *p;
	char *end;

	if (base == 16 ? !isxdigit((unsigned char)*s) || isupper((unsigned char)*s)
		       : !isdigit((unsigned char)*s))
		return 0;
	*v = strtoull(s, &end, base);
	*p = end;
	return 1;
}

/*
 * Parse one line, all of it:
 * pv.site: op=NAME addr=0xADDR len=N bytes=HEX choice=C written=W why=TEXT
 * Returns NULL when well formed, else what is wrong.
 */
static const char *parse_site(const char *l, struct site *s)
{
	unsigned long long v;
	const char *p = l;

	memset(s, 0, sizeof(*s));
	s->call_off = -1;
	if (!lit(&p, "pv.site: op=") || !word(&p, s->op_name, sizeof(s->op_name)))
		return "no 'pv.site: op=NAME' at its start";
	s->op = op_by_name(s->op_name);
	if (!lit(&p, " addr=0x") || !number(&p, 16, &v))
		return "bad addr=";
	s->addr = v;
	if (!lit(&p, " len=") || !number(&p, 10, &v) || v > 255)
		return "bad len=";
	s->len = (unsigned)v;
	if (!lit(&p, " bytes="))
		return "no bytes=";
	while (isxdigit((unsigned char)p[0]) && !isupper((unsigned char)p[0]) &&
	       isxdigit((unsigned char)p[1]) && !isupper((unsigned char)p[1])) {
		char h[3] = { p[0], p[1], 0 };

		if (s->nbytes < MAX_BYTES)
			s->bytes[s->nbytes] = (uint8_t)strtoul(h, NULL, 16);
		s->nbytes++;
		p += 2;
	}
	if (!s->nbytes || *p != ' ')
		return "bytes= is not whole hex bytes";
	if (!lit(&p, " choice=") || !word(&p, s->choice, sizeof(s->choice)) ||
	    (strcmp(s->choice, "inline") && strcmp(s->choice, "call") &&
	     strcmp(s->choice, "indirect")))
		return "bad choice=";
	if (!lit(&p, " written=") || !number(&p, 10, &v) || v > 255)
		return "bad written=";
	s->written = (unsigned)v;
	if (!lit(&p, " why=") || !*p || isspace((unsigned char)*p))
		return "no why=TEXT";
	return NULL;
}

struct summary {
	unsigned count;         /* lines mentioning "pv: backend=" */
	unsigned line;
	int formed;
	char backend[16];
	unsigned long long sites, patched;
};

static struct summary summary;

static void read_log(const char *path)
{
	char line[1024];
	unsigned n = 0;
	FILE *f = fopen(path, "r");

	if (!CHECK(f, "cannot open %s", path))
		return;
	while (fgets(line, sizeof(line), f)) {
		size_t len = strlen(line);
		const char *why;

		n++;
		while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = 0;
		if (strstr(line, "pv: backend=")) {
			const char *p = line;

			if (!summary.count++) {
				summary.line = n;
				summary.formed = lit(&p, "pv: backend=") &&
					word(&p, summary.backend, sizeof(summary.backend)) &&
					lit(&p, " sites=") && number(&p, 10, &summary.sites) &&
					lit(&p, " patched=") && number(&p, 10, &summary.patched) &&
					!*p;
			}
		}
		if (!strstr(line, "pv.site"))
			continue;
		site_lines++;
		if (!CHECK(nsites < MAX_SITES, "more than %d sites", MAX_SITES))
			break;
		why = parse_site(line, &sites[nsites]);
		if (CHECK(!why, "line %u: %s: '%s'", n, why, line)) {
			sites[nsites].line = n;
			nsites++;
		}
	}
	fclose(f);
}

/* ---- the checks ---------------------------------------------------------- */

/*
 * The recommended multi-byte NOP of len bytes (Intel SDM vol. 2B, NOP),
 * as objdump prints it; longer ones are the 9-byte form behind 66 prefixes.
 */
static int is_nop(const char *text, unsigned len)
{
	static const char *const form[10] = {
		[1] = "nop",
		[2] = "xchg ax,ax",
		[3] = "nop DWORD PTR [rax]",
		[4] = "nop DWORD PTR [rax+0x0]",
		[5] = "nop DWORD PTR [rax+rax*1+0x0]",
		[6] = "nop WORD PTR [rax+rax*1+0x0]",
		[7] = "nop DWORD PTR [rax+0x0]",
		[8] = "nop DWORD PTR [rax+rax*1+0x0]",
		[9] = "nop WORD PTR [rax+rax*1+0x0]",
	};

	if (len < 1 || len > 15)
		return 0;
	for (; len > 9; len--) {
		if (strncmp(text, "data16 ", 7))
			return 0;
		text += 7;
	}
	return !strcmp(text, form[len]);
}

/*
 * Check one site against its expected instructions; records the call's
 * offset and target in s.
 */
static void check_site(struct site *s, const struct expect *e)
{
	struct insn in[MAX_INSNS];
	unsigned off = 0, i, nwant = 0, total = 0;
	int n;

	CHECK(s->len == pv_op_info[s->op].site_len,
	      "line %u: len=%u, the op's sites are %u bytes", s->line, s->len,
	      pv_op_info[s->op].site_len);
	CHECK(s->nbytes == s->len, "line %u: %u bytes for len=%u", s->line,
	      s->nbytes, s->len);
	CHECK(s->written <= s->len, "line %u: written=%u > len=%u", s->line,
	      s->written, s->len);
	CHECK(!strcmp(s->choice, "inline") || !strcmp(s->choice, "call"),
	      "line %u: choice=%s", s->line, s->choice);
	if (s->nbytes > MAX_BYTES)
		return;

	n = disasm(s->bytes, s->nbytes, s->addr, in, MAX_INSNS);
	if (!CHECK(n > 0, "line %u: objdump failed on the site's bytes", s->line))
		return;
	for (i = 0; i < (unsigned)n; i++) {
		CHECK(in[i].addr == s->addr + total,
		      "line %u: instruction %u at 0x%llx, want 0x%llx", s->line, i,
		      (unsigned long long)in[i].addr,
		      (unsigned long long)(s->addr + total));
		total += in[i].len;
	}
	CHECK(total == s->nbytes, "line %u: objdump covered %u of %u bytes",
	      s->line, total, s->nbytes);

	while (nwant < 4 && e->insn[nwant].kind != W_END)
		nwant++;
	for (i = 0; i < nwant; i++) {
		const struct want *w = &e->insn[i];
		char want[64];

		if (!CHECK(i < (unsigned)n, "line %u: %u instructions, want %u and a NOP",
			   s->line, n, nwant))
			return;
		if (w->kind == W_CALL) {
			unsigned long long target;
			int32_t rel;
			int used = -1;

			if (CHECK(sscanf(in[i].text, "call 0x%llx%n", &target, &used) == 1 &&
				  used == (int)strlen(in[i].text) && in[i].len == 5 &&
				  s->bytes[off] == 0xe8,
				  "line %u: instruction %u is '%s' (%u bytes), want call rel32",
				  s->line, i, in[i].text, in[i].len)) {
				memcpy(&rel, &s->bytes[off + 1], 4);
				s->call_off = (int)off;
				s->call_target = target;
				CHECK(target == s->addr + off + 5 + (int64_t)rel,
				      "line %u: objdump's call target 0x%llx is not the rel32's",
				      s->line, target);
				CHECK(target < s->addr || target >= s->addr + s->len,
				      "line %u: the call targets its own site", s->line);
			}
		} else {
			if (w->kind == W_HC_NR)
				snprintf(want, sizeof(want), "mov eax,0x%x", w->nr);
			else
				snprintf(want, sizeof(want), "%s", w->text);
			CHECK(!strcmp(in[i].text, want),
			      "line %u: instruction %u is '%s', want '%s'", s->line, i,
			      in[i].text, want);
		}
		off += in[i].len;
	}
	CHECK(s->written == off, "line %u: written=%u, but the instructions before the "
	      "padding are %u bytes", s->line, s->written, off);
	if (off >= s->nbytes) {
		CHECK((unsigned)n == nwant, "line %u: %d instructions, want %u and no padding",
		      s->line, n, nwant);
	} else if (CHECK((unsigned)n == nwant + 1,
			 "line %u: %d instructions, want %u and one NOP", s->line, n, nwant)) {
		CHECK(is_nop(in[nwant].text, in[nwant].len),
		      "line %u: padding is '%s' (%u bytes), not the %u-byte NOP",
		      s->line, in[nwant].text, in[nwant].len, in[nwant].len);
	}
	CHECK(!strcmp(s->choice, s->call_off >= 0 ? "call" : "inline"),
	      "line %u: choice=%s, but the site holds %s", s->line, s->choice,
	      s->call_off >= 0 ? "a call" : "no call");
}

/* Sites of one op hold the same bytes, but for a call's rel32. */
static void check_same(const struct site *a, const struct site *b)
{
	unsigned i;

	if (!CHECK(a->nbytes == b->nbytes && b->nbytes <= MAX_BYTES,
		   "lines %u and %u: %u and %u bytes", a->line, b->line,
		   a->nbytes, b->nbytes))
		return;
	if (!CHECK(a->call_off == b->call_off, "lines %u and %u: call at %d and %d",
		   a->line, b->line, a->call_off, b->call_off))
		return;
	for (i = 0; i < a->nbytes; i++) {
		if (a->call_off >= 0 && i > (unsigned)a->call_off &&
		    i <= (unsigned)a->call_off + 4)
			continue;
		if (!CHECK(a->bytes[i] == b->bytes[i],
			   "lines %u and %u differ at byte %u (%02x, %02x)",
			   a->line, b->line, i, a->bytes[i], b->bytes[i]))
			return;
	}
	if (a->call_off >= 0)
		CHECK(a->call_target == b->call_target,
		      "lines %u and %u: calls to 0x%llx and 0x%llx", a->line, b->line,
		      (unsigned long long)a->call_target,
		      (unsigned long long)b->call_target);
}

static int by_addr(const void *x, const void *y)
{
	const struct site *a = *(const struct site *const *)x;
	const struct site *b = *(const struct site *const *)y;

	return a->addr < b->addr ? -1 : a->addr > b->addr;
}

int main(int argc, char **argv)
{
	static const struct site *sorted[MAX_SITES];
	const struct expect *tab;
	const char *backend;
	unsigned i, op;
	int hv;

	if (argc != 3 || (strcmp(argv[2], "native") && strcmp(argv[2], "hv"))) {
		fprintf(stderr, "usage: %s LOG native|hv\n", argv[0]);
		return 2;
	}
	backend = argv[2];
	hv = !strcmp(backend, "hv");
	tab = hv ? expect_hv : expect_native;

	TEST("log: pv.site lines well formed") {
		read_log(argv[1]);
		CHECK(site_lines > 0, "%s has no pv.site lines", argv[1]);
	}

	TEST("log: summary line") {
		if (CHECK(summary.count == 1, "%u lines with 'pv: backend=', want 1",
			  summary.count) &&
		    CHECK(summary.formed, "line %u: not 'pv: backend=B sites=N patched=N'",
			  summary.line)) {
			CHECK(!strcmp(summary.backend, backend), "backend=%s, want %s",
			      summary.backend, backend);
			CHECK(summary.sites == site_lines, "sites=%llu but %u pv.site lines",
			      summary.sites, site_lines);
			CHECK(summary.patched == summary.sites, "patched=%llu of sites=%llu",
			      summary.patched, summary.sites);
		}
	}

	TEST("log: every op has sites, no unknown op") {
		unsigned seen[PV_NR_OPS] = { 0 };

		for (i = 0; i < nsites; i++)
			if (CHECK(sites[i].op >= 0, "line %u: unknown op '%s'",
				  sites[i].line, sites[i].op_name))
				seen[sites[i].op]++;
#define SEEN(group, name, len, clob, nclob) \
		CHECK(seen[PV_OP_##name], "no site of op " #name);
		PV_OP_LIST(SEEN)
#undef SEEN
	}

	TEST("log: sites do not overlap") {
		for (i = 0; i < nsites; i++)
			sorted[i] = &sites[i];
		qsort(sorted, nsites, sizeof(sorted[0]), by_addr);
		for (i = 1; i < nsites; i++)
			CHECK(sorted[i - 1]->addr + sorted[i - 1]->len <= sorted[i]->addr,
			      "lines %u and %u: sites at 0x%llx (len %u) and 0x%llx overlap",
			      sorted[i - 1]->line, sorted[i]->line,
			      (unsigned long long)sorted[i - 1]->addr, sorted[i - 1]->len,
			      (unsigned long long)sorted[i]->addr);
	}

	for (op = 0; op < PV_NR_OPS; op++) {
		char name[64];
		const struct site *first = NULL;

		snprintf(name, sizeof(name), "%s %s", backend, pv_op_info[op].name);
		TEST(name) {
			for (i = 0; CHECK(expect_present(tab, op, hv), "no expected "
					  "instructions") && i < nsites; i++) {
				if (sites[i].op != (int)op)
					continue;
				check_site(&sites[i], &tab[op]);
				if (!first)
					first = &sites[i];
				else
					check_same(first, &sites[i]);
			}
			CHECK(first, "no site");
		}
	}
	return check_summary();
}
