/*
 * test_pv_patch.c - host tests of the pv call-site patcher and the native
 * and hypervisor templates.
 *
 * Built from the real guest/pv_patch.c, guest/pv_native.c and
 * guest/pv_hv_tmpl.c. What the
 * patcher writes is checked by disassembling it with objdump against an
 * expected-instruction table kept here, independent of pv_ops.h; the NASM
 * spellings in guest/pv_site.inc are assembled with nasm and compared with
 * the templates byte for byte. Runs on the build host from the repository
 * root, with objdump and nasm on PATH.
 */
/* SPDX-License-Identifier: MIT */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "abi/hv_abi.h"
#include "check.h"
#include "disasm.h"
#include "pv_patch.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Where the tests pretend a site lives. */
#define SITE_ADDR 0x100000ull
/* Bytes kept around each site buffer to catch writes outside it. */
#define GUARD 16
#define GUARD_BYTE 0xcc

/* ---- what each op must be, written independently of pv_ops.h -------------- */

/*
 * The instructions objdump -M intel prints for each native template
 * (whitespace collapsed), and the registers the template writes. A call op
 * has no instructions here: its site becomes `call <slot>`; nor has an
 * inline op whose native form is nothing (kick): its site becomes one NOP.
 */
struct expect {
	const char *name;
	const char *insn[4];
	uint16_t writes;
	int is_call;
};

static const struct expect expect[] = {
	{ "save_fl",       { "pushf", "pop rax" },                 PV_REG_RAX, 0 },
	{ "restore_fl",    { "push rdi", "popf" },                 0, 0 },
	{ "irq_disable",   { "cli" },                              0, 0 },
	{ "irq_enable",    { "sti" },                              0, 0 },
	{ "safe_halt",     { "sti", "hlt" },                       0, 0 },
	{ "halt",          { "hlt" },                              0, 0 },
	{ "read_cr2",      { "mov rax,cr2" },                      PV_REG_RAX, 0 },
	{ "read_cr3",      { "mov rax,cr3" },                      PV_REG_RAX, 0 },
	{ "write_cr3",     { "mov cr3,rdi" },                      0, 0 },
	{ "flush_tlb_one", { "invlpg BYTE PTR [rdi]" },            0, 0 },
	{ "flush_tlb_all", { "mov rax,cr3", "mov cr3,rax" },       PV_REG_RAX, 0 },
	{ "io_delay",      { "out 0x80,al" },                      0, 0 },
	{ "apic_eoi",      { "mov DWORD PTR ds:0xfffffffffee000b0,0x0" }, 0, 0 },
	{ "timer_arm",     { "mov DWORD PTR ds:0xfffffffffee00380,edi" }, 0, 0 },
	{ "clock_read",    { "rdtsc", "shl rdx,0x20", "or rax,rdx" },
	  PV_REG_RAX | PV_REG_RDX, 0 },
	{ "console_write", { 0 },                                  PV_CLOB_C_ABI, 1 },
	{ "cpuid",         { "cpuid" },
	  PV_REG_RAX | PV_REG_RBX | PV_REG_RCX | PV_REG_RDX, 0 },
	{ "wait",          { "pause" },                            0, 0 },
	{ "kick",          { 0 },                                  0, 0 },  /* nothing */
	{ "send_ipi_mask", { 0 },                                  PV_CLOB_C_ABI, 1 },
	{ "flush_tlb_others", { 0 },                               PV_CLOB_C_ABI, 1 },
};

/*
 * What the hypervisor backend writes for a hypervisor of ABI minor `since`
 * and later (before it, the native template): a hypercall (mov eax, nr;
 * vmcall), a direct call to the op's slot (a thunk), or nothing (the site
 * becomes one NOP). Ops not listed keep their native template at every
 * version. Numbers from shared/abi/hv_abi.h.
 */
enum hv_kind { HV_NATIVE, HV_VMCALL, HV_CALL, HV_NOTHING };

struct expect_hv {
	const char *name;
	unsigned since;
	enum hv_kind kind;
	unsigned nr;
};

static const struct expect_hv expect_hv[] = {
	{ "safe_halt",     0, HV_VMCALL,  HC_safe_halt },
	{ "halt",          0, HV_VMCALL,  HC_halt },
	{ "io_delay",      0, HV_NOTHING, 0 },
	{ "apic_eoi",      3, HV_CALL,    0 },
	{ "timer_arm",     3, HV_VMCALL,  HC_timer_arm },
	{ "cpuid",         0, HV_CALL,    0 },
	{ "console_write", 0, HV_VMCALL,  HC_console_write },
	{ "send_ipi_mask", 4, HV_VMCALL,  HC_send_ipi_mask },
	{ "flush_tlb_others", 4, HV_VMCALL, HC_flush_tlb_others },
	{ "wait",          4, HV_VMCALL,  HC_wait },
	{ "kick",          4, HV_VMCALL,  HC_kick },
};

/* The op list as pv_ops.h states it, for comparison with pv_op_info. */
struct op_decl {
	const char *name;
	size_t offset;
	unsigned site_len;
	uint16_t site_clob, tmpl_clob;
	int is_call;
};

static const struct op_decl op_decl[PV_NR_OPS] = {
#define DECL_INLINE(group, name, len, clob, nclob) \
	[PV_OP_##name] = { #name, offsetof(struct pv_ops, group.name), len, clob, nclob, 0 },
#define DECL_CALL(group, name, len, clob, nclob) \
	[PV_OP_##name] = { #name, offsetof(struct pv_ops, group.name), len, clob, nclob, 1 },
	PV_OP_INLINE_LIST(DECL_INLINE)
	PV_OP_CALL_LIST(DECL_CALL)
#undef DECL_INLINE
#undef DECL_CALL
};

static const struct expect *expect_of(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(expect); i++)
		if (!strcmp(expect[i].name, name))
			return &expect[i];
	return NULL;
}

static unsigned tmpl_len(const struct pv_template *t)
{
	return t->bytes ? (unsigned)(t->end - t->bytes) : 0;
}

/* ---- NOPs and nasm --------------------------------------------------------- */

/* One instruction that the CPU executes as a NOP. */
static int is_nop(const struct insn *in)
{
	const char *t = in->text;

	/* 66 90 is the SDM's 2-byte NOP; objdump names it by its encoding. */
	if (!strcmp(t, "xchg ax,ax"))
		return 1;
	while (!strncmp(t, "data16 ", 7))
		t += 7;
	return !strncmp(t, "nop", 3) && (t[3] == 0 || t[3] == ' ');
}

/* The repository root as this file was compiled (the Makefile's cwd). */
static const char *repo_root(void)
{
	static char root[512];
	const char *me = __FILE__, *tail = "tests/host/test_pv_patch.c";
	size_t n = strlen(me), t = strlen(tail);

	if (n >= t && !strcmp(me + n - t, tail))
		snprintf(root, sizeof(root), "%.*s", (int)(n - t), me);
	return root;
}

/*
 * Assemble src (bits 64, flat binary, guest/ on the include path) into
 * out; returns the byte count, or -1 with nasm's words in msg.
 */
static int nasm_bytes(const char *src, const char *defines, uint8_t *out,
		      size_t max, char *msg, size_t msglen)
{
	char asmpath[64], binpath[80], cmd[1024];
	FILE *p;
	size_t got = 0, n;
	int rc;

	msg[0] = 0;
	if (write_temp(asmpath, sizeof(asmpath), ".asm", src, strlen(src))) {
		snprintf(msg, msglen, "cannot write a temporary file");
		return -1;
	}
	snprintf(binpath, sizeof(binpath), "%s.bin", asmpath);
	snprintf(cmd, sizeof(cmd), "nasm -f bin %s -I%sguest/ -o %s %s 2>&1",
		 defines, repo_root(), binpath, asmpath);
	p = popen(cmd, "r");
	if (!p) {
		unlink(asmpath);
		snprintf(msg, msglen, "cannot run nasm");
		return -1;
	}
	while (got + 1 < msglen && (n = fread(msg + got, 1, msglen - 1 - got, p)))
		got += n;
	msg[got] = 0;
	rc = pclose(p);
	unlink(asmpath);
	if (rc) {
		unlink(binpath);
		return -1;
	}
	p = fopen(binpath, "rb");
	if (!p) {
		snprintf(msg, msglen, "nasm wrote no %s", binpath);
		return -1;
	}
	n = fread(out, 1, max, p);
	fclose(p);
	unlink(binpath);
	return (int)n;
}

static void hex(char *dst, size_t dlen, const uint8_t *b, size_t n)
{
	size_t i, o = 0;

	dst[0] = 0;
	for (i = 0; i < n && o + 4 < dlen; i++)
		o += (size_t)snprintf(dst + o, dlen - o, "%s%02x", i ? " " : "", b[i]);
}

/* ---- a site in a guarded buffer --------------------------------------------- */

struct site_buf {
	uint8_t raw[GUARD + 64 + GUARD];
	uint8_t *mem;           /* the site's first byte */
};

/* Fill the site with what an unpatched site holds: FF 15 rel32, NOP. */
static void site_init(struct site_buf *s, unsigned len)
{
	memset(s->raw, GUARD_BYTE, sizeof(s->raw));
	s->mem = s->raw + GUARD;
	memset(s->mem, 0, len);
	s->mem[0] = 0xff;
	s->mem[1] = 0x15;
	if (len > PV_CALL_INDIRECT_LEN && len - PV_CALL_INDIRECT_LEN <= PV_NOP_MAX)
		pv_nop_fill(s->mem + PV_CALL_INDIRECT_LEN, len - PV_CALL_INDIRECT_LEN);
}

static int guards_intact(const struct site_buf *s, unsigned len)
{
	size_t i;

	for (i = 0; i < sizeof(s->raw); i++)
		if ((i < GUARD || i >= GUARD + len) && s->raw[i] != GUARD_BYTE)
			return 0;
	return 1;
}

static struct pv_site site_of(unsigned op, uint64_t addr)
{
	struct pv_site s = { .addr = addr, .len = pv_op_info[op].site_len,
			     .op = (uint8_t)op,
			     .clobbers = pv_op_info[op].site_clobbers };
	return s;
}

/*
 * Patch a site and expect the error err with the site left as it was and
 * the result saying KEEP with a reason.
 */
static void expect_refused(const char *what, const struct pv_site *site,
			   const struct pv_template *t, uint64_t target, int err)
{
	struct site_buf s, before;
	struct pv_patch_result res = { PV_CHOICE_INLINE, 99, NULL };
	unsigned len = site->len < 64 ? site->len : 64;
	int r;

	site_init(&s, len);
	before = s;
	r = pv_patch_site(s.mem, site, t, target, &res);
	CHECK(r == err, "%s: returned %d, want %d", what, r, err);
	CHECK(!memcmp(s.raw, before.raw, sizeof(s.raw)), "%s: site changed", what);
	CHECK(res.choice == PV_CHOICE_KEEP, "%s: choice %s, want indirect", what,
	      pv_choice_name(res.choice));
	CHECK(res.written == 0, "%s: written %u", what, res.written);
	CHECK(res.why && *res.why, "%s: no reason given", what);
}

/* ---- the tests ------------------------------------------------------------- */

static void test_op_table(void)
{
	size_t i;
	unsigned op;

	TEST("expected table covers every op once") {
		CHECK(ARRAY_SIZE(expect) == PV_NR_OPS, "%zu expectations for %d ops",
		      ARRAY_SIZE(expect), PV_NR_OPS);
		for (op = 0; op < PV_NR_OPS; op++) {
			const struct expect *e = expect_of(op_decl[op].name);

			if (!CHECK(e, "op %s has no expectation", op_decl[op].name))
				continue;
			CHECK(e->is_call == op_decl[op].is_call,
			      "%s: expected %s op", e->name, e->is_call ? "a call" : "an inline");
		}
		for (i = 0; i < ARRAY_SIZE(expect); i++)
			for (op = i + 1; op < ARRAY_SIZE(expect); op++)
				CHECK(strcmp(expect[i].name, expect[op].name),
				      "%s listed twice", expect[i].name);
	}

	TEST("pv_op_info matches PV_OP_LIST") {
		for (op = 0; op < PV_NR_OPS; op++) {
			const struct pv_op_info *pi = &pv_op_info[op];
			const struct op_decl *d = &op_decl[op];

			CHECK(pi->name && !strcmp(pi->name, d->name), "op %u: name %s, want %s",
			      op, pi->name ? pi->name : "(null)", d->name);
			CHECK(pi->offset == d->offset, "%s: offset %u, want %zu", d->name,
			      pi->offset, d->offset);
			CHECK(pi->site_len == d->site_len, "%s: site_len %u, want %u",
			      d->name, pi->site_len, d->site_len);
			CHECK(pi->site_clobbers == d->site_clob, "%s: site clobbers %#x, want %#x",
			      d->name, pi->site_clobbers, d->site_clob);
			CHECK(d->site_len >= PV_CALL_INDIRECT_LEN && d->site_len <= 32,
			      "%s: site length %u cannot hold the indirect call or is over 32",
			      d->name, d->site_len);
		}
	}
}

/* (a) every template exists, fits its site and keeps its clobber contract. */
static void test_templates(void)
{
	unsigned op;

	for (op = 0; op < PV_NR_OPS; op++) {
		const struct op_decl *d = &op_decl[op];
		const struct pv_template *t = &pv_native_backend.tmpl[op];
		const struct expect *e = expect_of(d->name);
		char name[64];

		snprintf(name, sizeof(name), "native template %s", d->name);
		TEST(name) {
			unsigned n = tmpl_len(t);

			CHECK(t->clobbers == d->tmpl_clob, "clobbers %#x, PV_OP_LIST says %#x",
			      t->clobbers, d->tmpl_clob);
			CHECK(!(t->clobbers & ~d->site_clob),
			      "clobbers %#x not within the site's %#x", t->clobbers, d->site_clob);
			CHECK(t->why && *t->why, "no reason text");
			if (e)
				CHECK(t->clobbers == e->writes,
				      "declared clobbers %#x, its instructions write %#x",
				      t->clobbers, e->writes);
			if (d->is_call) {
				CHECK(!t->bytes && !t->end, "a call op has template bytes");
				CHECK(d->site_len >= PV_CALL_DIRECT_LEN &&
				      d->site_len - PV_CALL_DIRECT_LEN <= PV_NOP_MAX,
				      "site length %u cannot take call rel32 and one NOP",
				      d->site_len);
			} else if (e && !e->insn[0]) {
				CHECK(t->bytes && n == 0, "%u template bytes, want none (the "
				      "site all NOP)", n);
			} else if (CHECK(t->bytes && t->end > t->bytes, "no template bytes")) {
				CHECK(n <= d->site_len, "%u bytes, site holds %u", n, d->site_len);
				CHECK(d->site_len - n <= PV_NOP_MAX, "padding %u over one NOP",
				      d->site_len - n);
			}
			if (!d->is_call && t->bytes && e && e->insn[0]) {
				struct insn in[8];
				int k, c = disasm(t->bytes, n, 0, in, 8);
				unsigned covered = 0;

				if (CHECK(c >= 0, "objdump failed")) {
					for (k = 0; k < 4 && e->insn[k]; k++) {
						if (!CHECK(k < c, "instruction %d missing, want '%s'",
							   k, e->insn[k]))
							break;
						CHECK(!strcmp(in[k].text, e->insn[k]),
						      "instruction %d is '%s', want '%s'", k,
						      in[k].text, e->insn[k]);
					}
					CHECK(c == k, "%d instructions, want %d", c, k);
					for (k = 0; k < c; k++)
						covered += in[k].len;
					CHECK(covered == n, "instructions cover %u of %u bytes",
					      covered, n);
				}
			}
		}
	}
}

/* (b) pv_nop_fill: one NOP of each length, nothing for 0 and 16. */
static void test_nop_fill(void)
{
	unsigned len;

	for (len = 0; len <= PV_NOP_MAX + 1; len++) {
		char name[48];

		snprintf(name, sizeof(name), "pv_nop_fill %u", len);
		TEST(name) {
			uint8_t buf[GUARD + 16 + GUARD];
			unsigned i, wrote = (len >= 1 && len <= PV_NOP_MAX) ? len : 0;
			struct insn in[4];
			int c;

			memset(buf, GUARD_BYTE, sizeof(buf));
			pv_nop_fill(buf + GUARD, len);
			for (i = 0; i < sizeof(buf); i++)
				if (i < GUARD || i >= GUARD + wrote)
					CHECK(buf[i] == GUARD_BYTE, "byte %d written",
					      (int)i - GUARD);
			if (wrote) {
				c = disasm(buf + GUARD, wrote, 0, in, 4);
				if (CHECK(c == 1, "%d instructions, want one", c)) {
					CHECK(in[0].len == len, "instruction of %u bytes", in[0].len);
					CHECK(is_nop(&in[0]), "'%s' is not a NOP", in[0].text);
				}
			}
		}
	}
}

/*
 * Check the patched site: the expected instructions, then one NOP to the
 * end of the site, or none when they fill it.
 */
static void check_patched(const char *what, const uint8_t *mem, unsigned len,
			  const char *const *want, unsigned nwant)
{
	struct insn in[12];
	int c = disasm(mem, len, SITE_ADDR, in, 12);
	unsigned k, covered = 0;

	if (!CHECK(c >= 0, "%s: objdump failed", what))
		return;
	for (k = 0; k < nwant; k++) {
		if (!CHECK((int)k < c, "%s: instruction %u missing, want '%s'", what,
			   k, want[k]))
			return;
		CHECK(!strcmp(in[k].text, want[k]), "%s: instruction %u is '%s', want '%s'",
		      what, k, in[k].text, want[k]);
		covered += in[k].len;
	}
	if (covered == len) {
		CHECK(c == (int)nwant, "%s: %d instructions past the site's end", what,
		      c - (int)nwant);
		return;
	}
	if (CHECK(c == (int)nwant + 1, "%s: %d instructions after the template, want one NOP",
		  what, c - (int)nwant)) {
		CHECK(is_nop(&in[nwant]), "%s: padding '%s' is not a NOP", what,
		      in[nwant].text);
		CHECK(in[nwant].len == len - covered, "%s: NOP of %u bytes, want %u",
		      what, in[nwant].len, len - covered);
	}
}

/* (c) every op patched with the native backend. */
static void test_patch_native(void)
{
	unsigned op;

	for (op = 0; op < PV_NR_OPS; op++) {
		const struct op_decl *d = &op_decl[op];
		const struct pv_template *t = &pv_native_backend.tmpl[op];
		const struct expect *e = expect_of(d->name);
		char name[64];

		snprintf(name, sizeof(name), "patch %s", d->name);
		TEST(name) {
			struct pv_site site = site_of(op, SITE_ADDR);
			/* A call lands behind and ahead of the site. */
			uint64_t targets[2] = { SITE_ADDR + 0x12345 + op,
						SITE_ADDR - 0x8000 - op };
			unsigned k, nt = d->is_call ? 2 : 1;

			for (k = 0; k < nt; k++) {
				struct site_buf s;
				struct pv_patch_result res = { PV_CHOICE_KEEP, 0, NULL };
				int r;

				site_init(&s, site.len);
				r = pv_patch_site(s.mem, &site, t, targets[k], &res);
				if (!CHECK(r == PV_PATCH_OK, "returned %d (%s)", r,
					   res.why ? res.why : "?"))
					continue;
				CHECK(guards_intact(&s, site.len), "wrote outside the site");
				CHECK(res.why == t->why, "why '%s', want the template's",
				      res.why ? res.why : "(null)");
				if (d->is_call) {
					int32_t rel;
					char want[40];
					const char *w = want;

					CHECK(res.choice == PV_CHOICE_CALL, "choice %s",
					      pv_choice_name(res.choice));
					CHECK(res.written == PV_CALL_DIRECT_LEN, "written %u",
					      res.written);
					CHECK(s.mem[0] == 0xe8, "opcode %02x, want e8", s.mem[0]);
					memcpy(&rel, s.mem + 1, 4);
					CHECK(SITE_ADDR + PV_CALL_DIRECT_LEN + (int64_t)rel == targets[k],
					      "rel32 %d reaches %#llx, want %#llx", rel,
					      (unsigned long long)(SITE_ADDR + 5 + (int64_t)rel),
					      (unsigned long long)targets[k]);
					snprintf(want, sizeof(want), "call 0x%llx",
						 (unsigned long long)targets[k]);
					check_patched(d->name, s.mem, site.len, &w, 1);
				} else if (e) {
					unsigned n = 0;

					while (n < 4 && e->insn[n])
						n++;
					CHECK(res.choice == PV_CHOICE_INLINE, "choice %s",
					      pv_choice_name(res.choice));
					CHECK(res.written == tmpl_len(t), "written %u, want %u",
					      res.written, tmpl_len(t));
					CHECK(!memcmp(s.mem, t->bytes, tmpl_len(t)),
					      "site does not start with the template");
					check_patched(d->name, s.mem, site.len, e->insn, n);
				}
			}
		}
	}
}

/* (c2) every op's hypervisor template, at ABI minors before and after each change. */
static enum hv_kind hv_kind_of(const char *name, unsigned minor, unsigned *nr)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(expect_hv); i++)
		if (!strcmp(expect_hv[i].name, name) && minor >= expect_hv[i].since) {
			*nr = expect_hv[i].nr;
			return expect_hv[i].kind;
		}
	return HV_NATIVE;
}

static void test_hv_templates(void)
{
	static const unsigned minors[] = { 2, 3, HV_ABI_VERSION_MINOR };
	static struct pv_backend b;
	unsigned m, op;
	size_t i;

	TEST("hv expectations name real ops") {
		for (i = 0; i < ARRAY_SIZE(expect_hv); i++) {
			for (op = 0; op < PV_NR_OPS; op++)
				if (!strcmp(op_decl[op].name, expect_hv[i].name))
					break;
			CHECK(op < PV_NR_OPS, "no op %s", expect_hv[i].name);
		}
	}
	for (m = 0; m < ARRAY_SIZE(minors); m++) {
		pv_hv_templates(&b, HV_ABI_VERSION_MAJOR << 16 | minors[m]);
		for (op = 0; op < PV_NR_OPS; op++) {
			const struct op_decl *d = &op_decl[op];
			const struct pv_template *t = &b.tmpl[op], *nt = &pv_native_backend.tmpl[op];
			unsigned nr = 0;
			enum hv_kind k = hv_kind_of(d->name, minors[m], &nr);
			char name[80];

			snprintf(name, sizeof(name), "hv 0.%u template %s", minors[m], d->name);
			TEST(name) {
				struct pv_site site = site_of(op, SITE_ADDR);
				uint64_t target = SITE_ADDR + 0x4321 + op;
				struct pv_patch_result res = { PV_CHOICE_KEEP, 0, NULL };
				struct site_buf s;
				char mov[32], call[40];
				const char *want[2] = { mov, "vmcall" };
				const char *wcall = call;
				int r;

				CHECK(!strcmp(b.name, "hv"), "backend name %s", b.name);
				CHECK(t->why && *t->why, "no reason text");
				CHECK(!(t->clobbers & ~d->site_clob), "clobbers %#x not within the "
				      "site's %#x", t->clobbers, d->site_clob);
				snprintf(mov, sizeof(mov), "mov eax,0x%x", nr);
				snprintf(call, sizeof(call), "call 0x%llx", (unsigned long long)target);
				site_init(&s, site.len);
				r = pv_patch_site(s.mem, &site, t, target, &res);
				if (!CHECK(r == PV_PATCH_OK, "patching returned %d (%s)", r,
					   res.why ? res.why : "?"))
					continue;
				CHECK(guards_intact(&s, site.len), "wrote outside the site");
				switch (k) {
				case HV_NATIVE:
					CHECK(t->bytes == nt->bytes && t->end == nt->end &&
					      t->clobbers == nt->clobbers, "not the native template");
					break;
				case HV_VMCALL:
					CHECK(tmpl_len(t) == 8 && t->clobbers == PV_CLOB_RAX,
					      "%u bytes clobbering %#x, want 8 clobbering RAX",
					      tmpl_len(t), t->clobbers);
					CHECK(res.choice == PV_CHOICE_INLINE, "choice %s",
					      pv_choice_name(res.choice));
					check_patched(d->name, s.mem, site.len, want, 2);
					break;
				case HV_CALL:
					CHECK(!t->bytes, "template bytes, want a call to the slot");
					CHECK(res.choice == PV_CHOICE_CALL, "choice %s",
					      pv_choice_name(res.choice));
					check_patched(d->name, s.mem, site.len, &wcall, 1);
					break;
				case HV_NOTHING:
					CHECK(t->bytes && tmpl_len(t) == 0 && t->clobbers == 0,
					      "%u bytes clobbering %#x, want none", tmpl_len(t),
					      t->clobbers);
					check_patched(d->name, s.mem, site.len, want, 0);
					break;
				}
			}
		}
	}
}

/* (d) what the patcher must refuse. */
static void test_patch_errors(void)
{
	static const uint8_t seven[7] = { 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90 };
	static const uint8_t long_tmpl[17] = { 0x90 };
	const struct pv_template *native = pv_native_backend.tmpl;
	const struct pv_template call = { NULL, NULL, PV_CLOB_C_ABI, "call" };
	unsigned op_cw = PV_OP_console_write;

	TEST("refuse a template longer than the site") {
		struct pv_template t = { seven, seven + 7, 0, "seven" };
		struct pv_site site = site_of(PV_OP_irq_disable, SITE_ADDR);

		expect_refused("7 bytes into 6", &site, &t, 0, PV_PATCH_ELEN);
	}

	TEST("refuse a template clobbering what the site keeps") {
		struct pv_site site = site_of(PV_OP_clock_read, SITE_ADDR);
		struct pv_site cwsite = site_of(op_cw, SITE_ADDR);

		site.clobbers = PV_CLOB_RAX;    /* the template also writes RDX */
		expect_refused("clock_read at a RAX-only site", &site,
			       &native[PV_OP_clock_read], 0, PV_PATCH_ECLOB);
		site = site_of(PV_OP_save_fl, SITE_ADDR);
		site.clobbers = PV_CLOB_NONE;
		expect_refused("save_fl at a no-clobber site", &site,
			       &native[PV_OP_save_fl], 0, PV_PATCH_ECLOB);
		cwsite.clobbers = PV_CLOB_RAX;
		expect_refused("C call at a RAX-only site", &cwsite, &call,
			       SITE_ADDR + 0x1000, PV_PATCH_ECLOB);
	}

	TEST("refuse an op out of range") {
		struct pv_site site = site_of(0, SITE_ADDR);

		site.op = PV_NR_OPS;
		expect_refused("op PV_NR_OPS", &site, &native[0], 0, PV_PATCH_EOP);
		site.op = 255;
		expect_refused("op 255", &site, &native[0], 0, PV_PATCH_EOP);
	}

	TEST("refuse a site shorter than 6 or longer than 32") {
		struct pv_site site = site_of(PV_OP_irq_disable, SITE_ADDR);
		static const unsigned bad[] = { 0, 1, 5, 33, 64, 255 };
		unsigned i;
		char what[32];

		for (i = 0; i < ARRAY_SIZE(bad); i++) {
			site.len = (uint8_t)bad[i];
			snprintf(what, sizeof(what), "site length %u", bad[i]);
			expect_refused(what, &site, &native[PV_OP_irq_disable], 0,
				       PV_PATCH_ELEN);
		}
		site = site_of(op_cw, SITE_ADDR);
		site.len = 5;
		expect_refused("call site of 5", &site, &call, SITE_ADDR + 0x1000,
			       PV_PATCH_ELEN);
	}

	TEST("refuse padding over one NOP") {
		struct pv_site site = site_of(PV_OP_irq_disable, SITE_ADDR);

		site.len = 17;          /* cli + 16 */
		expect_refused("1 byte into 17", &site, &native[PV_OP_irq_disable], 0,
			       PV_PATCH_ELEN);
		site = site_of(op_cw, SITE_ADDR);
		site.len = 21;          /* call + 16 */
		expect_refused("call into 21", &site, &call, SITE_ADDR + 0x1000,
			       PV_PATCH_ELEN);
	}

	TEST("longest site, longest padding") {
		struct site_buf s;
		struct pv_patch_result res;
		struct pv_template t = { long_tmpl, long_tmpl + 17, 0, "17" };
		struct pv_site site = site_of(PV_OP_irq_disable, SITE_ADDR);
		int r;

		site.len = 32;          /* 17 + a 15-byte NOP */
		site_init(&s, 32);
		r = pv_patch_site(s.mem, &site, &t, 0, &res);
		CHECK(r == PV_PATCH_OK, "17 bytes into 32: %d", r);
		CHECK(guards_intact(&s, 32), "wrote outside the site");
		CHECK(!memcmp(s.mem, long_tmpl, 17), "template bytes differ");
		{
			uint8_t nop[15];

			pv_nop_fill(nop, 15);
			CHECK(!memcmp(s.mem + 17, nop, 15), "padding is not the 15-byte NOP");
		}
		site = site_of(op_cw, SITE_ADDR);
		site.len = 20;          /* call + a 15-byte NOP */
		site_init(&s, 20);
		r = pv_patch_site(s.mem, &site, &call, SITE_ADDR + 0x40, &res);
		if (CHECK(r == PV_PATCH_OK, "call into 20: %d", r)) {
			const char *w = "call 0x100040";

			check_patched("call into 20", s.mem, 20, &w, 1);
		}
	}

	TEST("call rel32 reach") {
		uint64_t base = SITE_ADDR + PV_CALL_DIRECT_LEN;
		struct pv_site site = site_of(op_cw, SITE_ADDR);
		struct pv_site high = site_of(op_cw, 0xffffffff80001000ull);
		const uint64_t ok[] = { base + INT32_MAX, base - 0x80000000ull, base };
		unsigned i;

		for (i = 0; i < ARRAY_SIZE(ok); i++) {
			struct site_buf s;
			struct pv_patch_result res;
			int32_t rel;
			int r;

			site_init(&s, site.len);
			r = pv_patch_site(s.mem, &site, &call, ok[i], &res);
			if (!CHECK(r == PV_PATCH_OK, "target %#llx: %d",
				   (unsigned long long)ok[i], r))
				continue;
			memcpy(&rel, s.mem + 1, 4);
			CHECK(base + (int64_t)rel == ok[i], "target %#llx: rel32 %d",
			      (unsigned long long)ok[i], rel);
		}
		expect_refused("2 GiB ahead", &site, &call, base + 0x80000000ull,
			       PV_PATCH_ERANGE);
		expect_refused("2 GiB + 1 behind", &site, &call, base - 0x80000001ull,
			       PV_PATCH_ERANGE);
		expect_refused("high site to low target", &high, &call, SITE_ADDR,
			       PV_PATCH_ERANGE);
		expect_refused("target 2^63 away", &site, &call, SITE_ADDR + (1ull << 63),
			       PV_PATCH_ERANGE);
		{
			struct site_buf s;
			struct pv_patch_result res;
			int r;

			site_init(&s, high.len);
			r = pv_patch_site(s.mem, &high, &call, 0xffffffff80200000ull, &res);
			CHECK(r == PV_PATCH_OK, "high site to high target: %d", r);
		}
	}

	TEST("pv_choice_name") {
		CHECK(!strcmp(pv_choice_name(PV_CHOICE_INLINE), "inline"), "inline");
		CHECK(!strcmp(pv_choice_name(PV_CHOICE_CALL), "call"), "call");
		CHECK(!strcmp(pv_choice_name(PV_CHOICE_KEEP), "indirect"), "keep");
		CHECK(!strcmp(pv_choice_name((enum pv_choice)42), "?"), "out of range");
	}
}

/* (e) pv_slot_target reads each op's own slot. */
static void test_slot_target(void)
{
	TEST("pv_slot_target") {
		struct pv_ops ops;
		unsigned op;

		/* Every byte set, so that reading a neighbour's slot shows. */
		memset(&ops, 0x5a, sizeof(ops));
#define FILL(group, name, len, clob, nclob) do {                                \
			uintptr_t v = 0xfeed0000u + 0x100u * PV_OP_##name;      \
			_Static_assert(sizeof(ops.group.name) == sizeof(v), #name); \
			memcpy(&ops.group.name, &v, sizeof(v));                 \
		} while (0);
		PV_OP_LIST(FILL)
#undef FILL
		for (op = 0; op < PV_NR_OPS; op++) {
			uint64_t got = pv_slot_target(&ops, op);

			CHECK(got == 0xfeed0000u + 0x100u * op, "%s: slot holds %#llx",
			      pv_op_info[op].name, (unsigned long long)got);
		}
		CHECK(pv_slot_target(&ops, PV_NR_OPS) == 0, "op PV_NR_OPS gave a target");
		CHECK(pv_slot_target(&ops, ~0u) == 0, "op ~0 gave a target");
	}
}

/*
 * The NASM spellings of the native sequences (PV_NASM_NATIVE_<op> in
 * pv_site.inc, what PV_SITE writes in the direct build) against the
 * templates, and PV_NOP against pv_nop_fill.
 */
static void test_nasm_forms(void)
{
	char path[600], line[256], msg[512], src[512], names[8][64];
	unsigned nnames = 0, i, op;
	FILE *f;

	snprintf(path, sizeof(path), "%sguest/pv_site.inc", repo_root());
	f = fopen(path, "r");
	TEST("pv_site.inc defines read_cr2 and apic_eoi") {
		int cr2 = 0, eoi = 0;

		if (CHECK(f, "cannot open %s (run from the repository root)", path)) {
			while (fgets(line, sizeof(line), f))
				if (nnames < ARRAY_SIZE(names) &&
				    sscanf(line, " %%define PV_NASM_NATIVE_%63[A-Za-z0-9_]",
					   names[nnames]) == 1)
					nnames++;
			fclose(f);
		}
		for (i = 0; i < nnames; i++) {
			cr2 |= !strcmp(names[i], "read_cr2");
			eoi |= !strcmp(names[i], "apic_eoi");
		}
		CHECK(cr2, "no PV_NASM_NATIVE_read_cr2");
		CHECK(eoi, "no PV_NASM_NATIVE_apic_eoi");
	}
	for (i = 0; i < nnames; i++) {
		char name[96];

		snprintf(name, sizeof(name), "nasm PV_SITE %s == native template", names[i]);
		TEST(name) {
			uint8_t got[64];
			char h1[200], h2[200];
			int n;

			for (op = 0; op < PV_NR_OPS; op++)
				if (!strcmp(pv_op_info[op].name, names[i]))
					break;
			if (CHECK(op < PV_NR_OPS, "no op %s", names[i]) &&
			    CHECK(pv_native_backend.tmpl[op].bytes, "%s has no template",
				  names[i])) {
				const struct pv_template *t = &pv_native_backend.tmpl[op];

				snprintf(src, sizeof(src), "bits 64\n%%include \"pv_site.inc\"\n"
					 "PV_SITE %s\n", names[i]);
				n = nasm_bytes(src, "-DPV_DIRECT", got, sizeof(got), msg,
					       sizeof(msg));
				if (CHECK(n >= 0, "nasm: %s", msg)) {
					hex(h1, sizeof(h1), got, (size_t)n);
					hex(h2, sizeof(h2), t->bytes, tmpl_len(t));
					CHECK((unsigned)n == tmpl_len(t) &&
					      !memcmp(got, t->bytes, tmpl_len(t)),
					      "nasm gives [%s], template [%s]", h1, h2);
				}
			}
		}
	}

	TEST("nasm PV_NOP == pv_nop_fill") {
		unsigned len;

		for (len = 0; len <= PV_NOP_MAX; len++) {
			uint8_t got[32], want[32];
			char h1[100], h2[100];
			int n;

			snprintf(src, sizeof(src), "bits 64\n%%include \"pv_site.inc\"\n"
				 "PV_NOP %u\n", len);
			n = nasm_bytes(src, "", got, sizeof(got), msg, sizeof(msg));
			if (!CHECK(n >= 0, "PV_NOP %u: nasm: %s", len, msg))
				continue;
			pv_nop_fill(want, len);
			hex(h1, sizeof(h1), got, (size_t)n);
			hex(h2, sizeof(h2), want, len);
			CHECK((unsigned)n == len && !memcmp(got, want, len),
			      "PV_NOP %u gives [%s], pv_nop_fill [%s]", len, h1, h2);
		}
	}
}

int main(void)
{
	test_op_table();
	test_templates();
	test_nop_fill();
	test_patch_native();
	test_hv_templates();
	test_patch_errors();
	test_slot_target();
	test_nasm_forms();
	return check_summary();
}
