/*
 * test_mmio_decode.c - host tests of the absent-MMIO instruction decoder.
 *
 * Built from the real hv/mmio_decode.c. Every instruction is handed to
 * the decoder in a heap buffer of exactly count bytes, so that
 * AddressSanitizer sees any read past count. The cases: the CPU mode from
 * CR0, EFER, RFLAGS and CS; every understood form in 16-, 32- and 64-bit
 * code with its length, register and sizes; the 16-bit ModR/M table and
 * every 32-bit ModR/M and SIB pair; 66/67 in each mode; REX; the register
 * merge rules and the RIP wrap; and hostile input: over-long prefix runs,
 * every truncation, every 1- and 2-byte opcode not understood, LOCK and
 * REP. Last, objdump decodes generated moves (every form, prefix set and
 * ModR/M: some 13000 in 16- and 32-bit code, 69000 in 64-bit) and must
 * agree on each one's length and register. Runs on the build host.
 */
/* SPDX-License-Identifier: MIT */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "disasm.h"
#include "mmio_decode.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const enum mmio_mode modes[] = { MMIO_MODE_16, MMIO_MODE_32, MMIO_MODE_64 };

static unsigned bits(enum mmio_mode m)
{
	return 8 * (unsigned)m;
}

/* Decode b[0..n) from a heap copy of exactly n bytes. */
static enum mmio_decode_result dec(const uint8_t *b, unsigned n, enum mmio_mode m,
				   struct mmio_insn *out)
{
	uint8_t *copy = malloc(n ? n : 1);
	enum mmio_decode_result r;

	memcpy(copy, b, n);
	r = mmio_decode(n ? copy : copy + 1, n, m, out);
	free(copy);
	return r;
}

struct want {
	unsigned len, op, addr, mem, regsz;
	int reg, high, store;
	enum mmio_ext ext;
};

static const char *hex(const uint8_t *b, unsigned n)
{
	static char buf[3 * 64];
	unsigned i, at = 0;

	buf[0] = 0;
	for (i = 0; i < n && at + 4 < sizeof(buf); i++)
		at += (unsigned)snprintf(buf + at, sizeof(buf) - at, "%s%02x", i ? " " : "", b[i]);
	return buf;
}

static void expect(int line, enum mmio_mode m, const uint8_t *b, unsigned n, struct want w)
{
	struct mmio_insn in;
	enum mmio_decode_result r = dec(b, n, m, &in);

	if (!CHECK(r == MMIO_DECODED, "line %d: %u-bit %s: result %d", line, bits(m), hex(b, n), r))
		return;
	CHECK(in.len == w.len && in.op_size == w.op && in.addr_size == w.addr &&
	      in.mem_size == w.mem && in.reg_size == w.regsz && in.reg == w.reg &&
	      in.high_byte == w.high && in.store == w.store && in.ext == w.ext,
	      "line %d: %u-bit %s: got len %u op %u addr %u mem %u regsz %u reg %d high %d "
	      "store %d ext %d, want len %u op %u addr %u mem %u regsz %u reg %d high %d "
	      "store %d ext %d", line, bits(m), hex(b, n), in.len, in.op_size, in.addr_size,
	      in.mem_size, in.reg_size, in.reg, in.high_byte, in.store, in.ext, w.len, w.op,
	      w.addr, w.mem, w.regsz, w.reg, w.high, w.store, w.ext);
}

static void expect_result(int line, enum mmio_mode m, const uint8_t *b, unsigned n,
			  enum mmio_decode_result want)
{
	struct mmio_insn in;
	enum mmio_decode_result r = dec(b, n, m, &in);

	CHECK(r == want, "line %d: %u-bit %s: result %d, want %d", line, bits(m), hex(b, n),
	      r, want);
}

#define BYTES(...) (const uint8_t[]){ __VA_ARGS__ }, sizeof((const uint8_t[]){ __VA_ARGS__ })
/* EXPECT(mode, W(len, op, addr, mem, regsz, reg, high, store, ext), bytes...) */
#define W(...) ((struct want){ __VA_ARGS__ })
#define EXPECT(m, w, ...) expect(__LINE__, m, BYTES(__VA_ARGS__), w)
#define EXPECT_R(m, r, ...) expect_result(__LINE__, m, BYTES(__VA_ARGS__), r)

#define LD MMIO_EXT_NONE
#define ZX MMIO_EXT_ZERO
#define SX MMIO_EXT_SIGN
#define M16 MMIO_MODE_16
#define M32 MMIO_MODE_32
#define M64 MMIO_MODE_64

/* ---- objdump as an independent decoder (disasm.h) ------------------------ */

static const char *const objdump_arch[] = { [2] = "i8086", [4] = "i386", [8] = "i386:x86-64" };

/* The Intel name of register reg of size bytes (high: AH..BH). */
static const char *reg_name(int reg, unsigned size, int high)
{
	static const char *const r8[] = { "al", "cl", "dl", "bl", "spl", "bpl", "sil", "dil" };
	static const char *const r8h[] = { "ah", "ch", "dh", "bh" };
	static const char *const r16[] = { "ax", "cx", "dx", "bx", "sp", "bp", "si", "di" };
	static char buf[16];

	if (high)
		return r8h[reg & 3];
	if (reg < 8) {
		switch (size) {
		case 1: return r8[reg];
		case 2: return r16[reg];
		case 4: snprintf(buf, sizeof(buf), "e%s", r16[reg]); return buf;
		default: snprintf(buf, sizeof(buf), "r%s", r16[reg]); return buf;
		}
	}
	snprintf(buf, sizeof(buf), "r%d%s", reg,
		 size == 1 ? "b" : size == 2 ? "w" : size == 4 ? "d" : "");
	return buf;
}

/* Does text hold word as a whole operand token? */
static int has_token(const char *text, const char *word)
{
	size_t n = strlen(word);
	const char *p;

	for (p = strstr(text, word); p; p = strstr(p + 1, word)) {
		int before = p == text || p[-1] == ' ' || p[-1] == ',';
		int after = p[n] == 0 || p[n] == ',' || p[n] == ' ';
		if (before && after)
			return 1;
	}
	return 0;
}

/* Generated moves: every form, prefix set and ModR/M, with SIB samples. */
#define GEN_MAX 100000
static uint8_t gen_buf[GEN_MAX * 15];
static unsigned gen_off[GEN_MAX], gen_len[GEN_MAX];
static struct insn gen_objdump[GEN_MAX];

static unsigned generate(enum mmio_mode m, size_t *size)
{
	static const uint8_t forms[][2] = {
		{ 0x88 }, { 0x89 }, { 0x8a }, { 0x8b }, { 0xc6 }, { 0xc7 },
		{ 0x0f, 0xb6 }, { 0x0f, 0xb7 }, { 0x0f, 0xbe }, { 0x0f, 0xbf }, { 0x63 },
		{ 0xa0 }, { 0xa1 }, { 0xa2 }, { 0xa3 },
	};
	static const uint8_t pfx[][3] = {
		{ 0 }, { 1, 0x66 }, { 1, 0x67 }, { 2, 0x66, 0x67 }, { 2, 0x2e, 0x67 },
		{ 2, 0x65, 0x66 },
	};
	static const uint8_t rex[] = { 0, 0x40, 0x45, 0x48, 0x4f };
	static const uint8_t sibs[] = { 0x00, 0x25, 0x65, 0xe5 };
	unsigned f, p, x, mr, s, count = 0;
	size_t at = 0;

	for (f = 0; f < ARRAY_SIZE(forms); f++)
	for (p = 0; p < ARRAY_SIZE(pfx); p++)
	for (x = 0; x < (m == M64 ? ARRAY_SIZE(rex) : 1); x++)
	for (mr = 0; mr < 192; mr++)
	for (s = 0; s < ARRAY_SIZE(sibs); s++) {
		uint8_t insn[15];
		unsigned n = 0, i;
		struct mmio_insn in;
		int moffs = forms[f][0] >= 0xa0 && forms[f][0] <= 0xa3;

		if (forms[f][0] == 0x63 && (m != M64 || !(rex[x] & 8)))
			continue;       /* ARPL outside 64-bit mode; o16/o32 MOVSXD */
		if ((forms[f][0] == 0xc6 || forms[f][0] == 0xc7) && (mr >> 3 & 7))
			continue;
		if (moffs && mr)
			continue;
		/* SIB samples only where a SIB byte is read. */
		if (s && (moffs || (mr & 7) != 4))
			continue;
		for (i = 0; i < pfx[p][0]; i++)
			insn[n++] = pfx[p][1 + i];
		if (rex[x])
			insn[n++] = rex[x];
		insn[n++] = forms[f][0];
		if (forms[f][1])
			insn[n++] = forms[f][1];
		if (!moffs) {
			insn[n++] = (uint8_t)mr;
			insn[n++] = sibs[s];    /* a SIB, or the first other byte */
		}
		for (; n < 15; n++)
			insn[n] = (uint8_t)(0x11 * (n & 7) + 1);
		if (mmio_decode(insn, 15, m, &in) != MMIO_DECODED) {
			CHECK(0, "%u-bit generated %s refused", bits(m), hex(insn, 15));
			continue;
		}
		if (count == GEN_MAX)
			break;
		memcpy(gen_buf + at, insn, in.len);
		gen_off[count] = (unsigned)at;
		gen_len[count] = in.len;
		at += in.len;
		count++;
	}
	*size = at;
	return count;
}

static void objdump_agrees(enum mmio_mode m)
{
	size_t size;
	unsigned count = generate(m, &size), i, bad = 0;
	int got = disasm_arch(gen_buf, size, objdump_arch[m], 0, gen_objdump, GEN_MAX);

	if (!CHECK(got >= 0, "objdump could not be run"))
		return;
	CHECK((unsigned)got == count, "%u-bit: objdump found %d instructions in %u", bits(m),
	      got, count);
	for (i = 0; i < count && i < (unsigned)got && bad < 8; i++) {
		const uint8_t *b = gen_buf + gen_off[i];
		const char *text = gen_objdump[i].text, *want;
		struct mmio_insn in;

		mmio_decode(b, gen_len[i], m, &in);
		if (!CHECK(gen_objdump[i].len == gen_len[i], "%u-bit %s: objdump says %u bytes "
			   "(%s), we %u", bits(m), hex(b, gen_len[i]), gen_objdump[i].len, text,
			   gen_len[i])) {
			bad++;
			break;          /* the rest are out of step */
		}
		if (!CHECK(strstr(text, "mov"), "%u-bit %s: objdump says '%s'",
			   bits(m), hex(b, gen_len[i]), text))
			bad++;
		if (in.reg < 0)
			continue;
		want = reg_name(in.reg, in.reg_size, in.high_byte);
		if (!CHECK(has_token(text, want), "%u-bit %s: objdump says '%s', we %s",
			   bits(m), hex(b, gen_len[i]), text, want))
			bad++;
	}
}

int main(void)
{
	struct mmio_insn in;
	unsigned i, k, op;

	TEST("mode: from CR0.PE, EFER.LMA, RFLAGS.VM, CS.L and CS.D") {
		const uint64_t PE = 1, LMA = 1ul << 10, VM = 1ul << 17;
		const uint32_t L = 1u << 13, D = 1u << 14, CODE = 0x9b;

		CHECK(mmio_cpu_mode(0, 0, 0, CODE) == M16, "real mode");
		CHECK(mmio_cpu_mode(0, 0, 0, CODE | D) == M32, "real mode, CS.D=1 cached");
		CHECK(mmio_cpu_mode(PE, 0, VM, 0xf3) == M16, "virtual-8086");
		CHECK(mmio_cpu_mode(PE, 0, VM, 0xf3 | D) == M16, "virtual-8086 whatever CS.D");
		CHECK(mmio_cpu_mode(PE, 0, 0, CODE) == M16, "16-bit protected");
		CHECK(mmio_cpu_mode(PE, 0, 0, CODE | D) == M32, "32-bit protected");
		CHECK(mmio_cpu_mode(PE, 0, 0, CODE | L) == M16, "CS.L outside IA-32e mode");
		CHECK(mmio_cpu_mode(PE, LMA, 0, CODE | L) == M64, "64-bit");
		CHECK(mmio_cpu_mode(PE, LMA, 0, CODE | D) == M32, "compatibility, 32-bit");
		CHECK(mmio_cpu_mode(PE, LMA, 0, CODE) == M16, "compatibility, 16-bit");
		CHECK(mmio_cpu_mode(~0ul, ~0ul, ~0ul, ~0u) == M16, "every bit set: VM wins");
	}

	TEST("next rip: IP wraps at 64 KiB, EIP at 4 GiB, RIP does not") {
		CHECK(mmio_next_rip(0x1234, 3, M16) == 0x1237, "16-bit");
		CHECK(mmio_next_rip(0xfffe, 3, M16) == 0x1, "16-bit wrap");
		CHECK(mmio_next_rip(0xffff, 1, M16) == 0, "16-bit wrap to 0");
		CHECK(mmio_next_rip(0xfffffffe, 4, M32) == 2, "32-bit wrap");
		CHECK(mmio_next_rip(0x12345678, 6, M32) == 0x1234567e, "32-bit");
		CHECK(mmio_next_rip(0xfffffffe, 4, M64) == 0x100000002ul, "64-bit past 4 GiB");
		CHECK(mmio_next_rip(0xffffffff80001000ul, 15, M64) == 0xffffffff8000100ful,
		      "64-bit high");
	}

	TEST("16-bit code: every form") {
		/* W(len, op, addr, mem, regsz, reg, high, store, ext) */
		EXPECT(M16, W(2, 2, 2, 2, 2, 0, 0, 0, LD), 0x8b, 0x07);       /* mov ax,[bx] */
		EXPECT(M16, W(4, 2, 2, 2, 2, 1, 0, 0, LD), 0x8b, 0x0e, 0x00, 0xe0); /* mov cx,[0xe000] */
		EXPECT(M16, W(3, 2, 2, 2, 2, 7, 0, 0, LD), 0x8b, 0x7f, 0x10); /* mov di,[bx+0x10] */
		EXPECT(M16, W(4, 2, 2, 2, 2, 2, 0, 0, LD), 0x8b, 0x96, 0x34, 0x12); /* mov dx,[bp+0x1234] */
		EXPECT(M16, W(3, 4, 2, 4, 4, 0, 0, 0, LD), 0x66, 0x8b, 0x07); /* mov eax,[bx] */
		EXPECT(M16, W(3, 2, 4, 2, 2, 0, 0, 0, LD), 0x67, 0x8b, 0x07); /* mov ax,[edi] */
		EXPECT(M16, W(7, 2, 4, 2, 2, 0, 0, 0, LD), 0x67, 0x8b, 0x05, 0, 0, 0, 0xe0);
		EXPECT(M16, W(4, 2, 4, 2, 2, 0, 0, 0, LD), 0x67, 0x8b, 0x04, 0x24); /* [esp] */
		EXPECT(M16, W(9, 4, 4, 4, 4, 3, 0, 0, LD), 0x66, 0x67, 0x8b, 0x1c, 0x25, 0, 0, 0, 0xe0);
		EXPECT(M16, W(2, 2, 2, 2, 2, 0, 0, 1, LD), 0x89, 0x07);       /* mov [bx],ax */
		EXPECT(M16, W(2, 2, 2, 1, 1, 0, 0, 0, LD), 0x8a, 0x07);       /* mov al,[bx] */
		EXPECT(M16, W(4, 2, 2, 1, 1, 0, 1, 0, LD), 0x8a, 0x26, 0x00, 0x10); /* mov ah,[0x1000] */
		EXPECT(M16, W(2, 2, 2, 1, 1, 3, 1, 1, LD), 0x88, 0x3f);       /* mov [bx],bh */
		EXPECT(M16, W(5, 2, 2, 1, 1, -1, 0, 1, LD), 0xc6, 0x06, 0x00, 0xe0, 0xff);
		EXPECT(M16, W(6, 2, 2, 2, 2, -1, 0, 1, LD), 0xc7, 0x06, 0x00, 0xe0, 0x34, 0x12);
		EXPECT(M16, W(7, 4, 2, 4, 4, -1, 0, 1, LD), 0x66, 0xc7, 0x07, 1, 2, 3, 4);
		EXPECT(M16, W(3, 2, 2, 1, 1, 0, 0, 0, LD), 0xa0, 0x00, 0xe0);
		EXPECT(M16, W(3, 2, 2, 2, 2, 0, 0, 0, LD), 0xa1, 0x00, 0xe0);
		EXPECT(M16, W(4, 4, 2, 4, 4, 0, 0, 0, LD), 0x66, 0xa1, 0x00, 0xe0);
		EXPECT(M16, W(6, 2, 4, 2, 2, 0, 0, 0, LD), 0x67, 0xa1, 0, 0, 0, 0xe0);
		EXPECT(M16, W(3, 2, 2, 2, 2, 0, 0, 1, LD), 0xa3, 0x00, 0xe0);
		EXPECT(M16, W(3, 2, 2, 1, 1, 0, 0, 1, LD), 0xa2, 0x00, 0xe0);
		EXPECT(M16, W(3, 2, 2, 1, 2, 0, 0, 0, ZX), 0x0f, 0xb6, 0x07); /* movzx ax,byte [bx] */
		EXPECT(M16, W(4, 4, 2, 1, 4, 0, 0, 0, ZX), 0x66, 0x0f, 0xb6, 0x07);
		EXPECT(M16, W(4, 4, 2, 2, 4, 6, 0, 0, ZX), 0x66, 0x0f, 0xb7, 0x37);
		EXPECT(M16, W(3, 2, 2, 2, 2, 6, 0, 0, ZX), 0x0f, 0xb7, 0x37);
		EXPECT(M16, W(3, 2, 2, 1, 2, 5, 0, 0, SX), 0x0f, 0xbe, 0x2f);
		EXPECT(M16, W(4, 4, 2, 2, 4, 5, 0, 0, SX), 0x66, 0x0f, 0xbf, 0x2f);
		EXPECT(M16, W(3, 2, 2, 2, 2, 0, 0, 0, LD), 0x26, 0x8b, 0x07); /* es: */
		EXPECT_R(M16, MMIO_UNKNOWN, 0x63, 0x07);                         /* ARPL */
		EXPECT_R(M16, MMIO_UNKNOWN, 0x48, 0x8b, 0x07);                   /* DEC AX */
	}

	TEST("32-bit code: every form") {
		EXPECT(M32, W(2, 4, 4, 4, 4, 0, 0, 0, LD), 0x8b, 0x03);       /* mov eax,[ebx] */
		EXPECT(M32, W(6, 4, 4, 4, 4, 0, 0, 0, LD), 0x8b, 0x05, 0, 0, 0xd0, 0xfe);
		EXPECT(M32, W(3, 4, 4, 4, 4, 2, 0, 0, LD), 0x8b, 0x14, 0x8b); /* [ebx+ecx*4] */
		EXPECT(M32, W(7, 4, 4, 4, 4, 2, 0, 0, LD), 0x8b, 0x14, 0x8d, 0, 0, 0, 0xe0);
		EXPECT(M32, W(4, 4, 4, 4, 4, 2, 0, 0, LD), 0x8b, 0x54, 0x24, 0x08);
		EXPECT(M32, W(7, 4, 4, 4, 4, 2, 0, 0, LD), 0x8b, 0x94, 0x24, 1, 2, 3, 4);
		EXPECT(M32, W(3, 4, 4, 4, 4, 2, 0, 0, LD), 0x8b, 0x55, 0x00); /* [ebp+0] */
		EXPECT(M32, W(3, 2, 4, 2, 2, 0, 0, 0, LD), 0x66, 0x8b, 0x03); /* mov ax,[ebx] */
		EXPECT(M32, W(3, 4, 2, 4, 4, 0, 0, 0, LD), 0x67, 0x8b, 0x07); /* mov eax,[bx] */
		EXPECT(M32, W(5, 4, 2, 4, 4, 0, 0, 0, LD), 0x67, 0x8b, 0x06, 0x00, 0xe0);
		EXPECT(M32, W(2, 4, 4, 4, 4, 0, 0, 1, LD), 0x89, 0x03);
		EXPECT(M32, W(2, 4, 4, 1, 1, 0, 1, 0, LD), 0x8a, 0x23);       /* mov ah,[ebx] */
		EXPECT(M32, W(2, 4, 4, 1, 1, 2, 0, 1, LD), 0x88, 0x13);       /* mov [ebx],dl */
		EXPECT(M32, W(3, 4, 4, 1, 1, -1, 0, 1, LD), 0xc6, 0x03, 0x7f);
		EXPECT(M32, W(6, 4, 4, 4, 4, -1, 0, 1, LD), 0xc7, 0x03, 1, 2, 3, 4);
		EXPECT(M32, W(5, 2, 4, 2, 2, -1, 0, 1, LD), 0x66, 0xc7, 0x03, 1, 2);
		EXPECT(M32, W(10, 4, 4, 4, 4, -1, 0, 1, LD), 0xc7, 0x05, 0, 0, 0, 0xe0, 1, 2, 3, 4);
		EXPECT(M32, W(5, 4, 4, 1, 1, 0, 0, 0, LD), 0xa0, 0, 0, 0, 0xe0);
		EXPECT(M32, W(5, 4, 4, 4, 4, 0, 0, 0, LD), 0xa1, 0, 0, 0, 0xe0);
		EXPECT(M32, W(6, 2, 4, 2, 2, 0, 0, 1, LD), 0x66, 0xa3, 0, 0, 0, 0xe0);
		EXPECT(M32, W(4, 4, 2, 4, 4, 0, 0, 0, LD), 0x67, 0xa1, 0x00, 0xe0);
		EXPECT(M32, W(3, 4, 4, 1, 4, 1, 0, 0, ZX), 0x0f, 0xb6, 0x0b);
		EXPECT(M32, W(3, 4, 4, 2, 4, 1, 0, 0, ZX), 0x0f, 0xb7, 0x0b);
		EXPECT(M32, W(4, 2, 4, 1, 2, 1, 0, 0, ZX), 0x66, 0x0f, 0xb6, 0x0b);
		EXPECT(M32, W(3, 4, 4, 1, 4, 7, 0, 0, SX), 0x0f, 0xbe, 0x3b);
		EXPECT(M32, W(3, 4, 4, 2, 4, 7, 0, 0, SX), 0x0f, 0xbf, 0x3b);
		EXPECT(M32, W(4, 4, 4, 4, 4, 0, 0, 0, LD), 0x64, 0x3e, 0x8b, 0x03);
		EXPECT_R(M32, MMIO_UNKNOWN, 0x63, 0x03);                         /* ARPL */
		EXPECT_R(M32, MMIO_UNKNOWN, 0x40, 0x8b, 0x03);                   /* INC EAX */
	}

	TEST("64-bit code: every form, REX, RIP-relative, MOVSXD") {
		EXPECT(M64, W(2, 4, 8, 4, 4, 0, 0, 0, LD), 0x8b, 0x03);       /* mov eax,[rbx] */
		EXPECT(M64, W(6, 4, 8, 4, 4, 0, 0, 0, LD), 0x8b, 0x05, 1, 2, 3, 4); /* [rip+d] */
		EXPECT(M64, W(7, 4, 8, 4, 4, 0, 0, 0, LD), 0x8b, 0x04, 0x25, 0, 0, 0, 0xe0);
		EXPECT(M64, W(3, 8, 8, 8, 8, 0, 0, 0, LD), 0x48, 0x8b, 0x03); /* mov rax,[rbx] */
		EXPECT(M64, W(3, 4, 8, 4, 4, 8, 0, 0, LD), 0x44, 0x8b, 0x03); /* mov r8d,[rbx] */
		EXPECT(M64, W(3, 8, 8, 8, 8, 15, 0, 0, LD), 0x4c, 0x8b, 0x3b); /* mov r15,[rbx] */
		EXPECT(M64, W(3, 4, 8, 4, 4, 0, 0, 0, LD), 0x41, 0x8b, 0x03); /* mov eax,[r11] */
		EXPECT(M64, W(4, 4, 8, 4, 4, 0, 0, 0, LD), 0x42, 0x8b, 0x04, 0xa3);
		EXPECT(M64, W(4, 2, 8, 2, 2, 0, 0, 0, LD), 0x66, 0x41, 0x8b, 0x03); /* mov ax,[r11] */
		EXPECT(M64, W(4, 8, 8, 8, 8, 0, 0, 0, LD), 0x66, 0x48, 0x8b, 0x03); /* W over 66 */
		EXPECT(M64, W(3, 4, 4, 4, 4, 0, 0, 0, LD), 0x67, 0x8b, 0x03); /* mov eax,[ebx] */
		EXPECT(M64, W(7, 4, 4, 4, 4, 0, 0, 0, LD), 0x67, 0x8b, 0x05, 1, 2, 3, 4); /* [eip+d] */
		EXPECT(M64, W(2, 4, 8, 1, 1, 0, 1, 0, LD), 0x8a, 0x23);       /* mov ah,[rbx] */
		EXPECT(M64, W(3, 4, 8, 1, 1, 4, 0, 0, LD), 0x40, 0x8a, 0x23); /* mov spl,[rbx] */
		EXPECT(M64, W(3, 4, 8, 1, 1, 7, 0, 1, LD), 0x40, 0x88, 0x3b); /* mov [rbx],dil */
		EXPECT(M64, W(3, 4, 8, 1, 1, 12, 0, 0, LD), 0x44, 0x8a, 0x23); /* mov r12b,[rbx] */
		EXPECT(M64, W(3, 8, 8, 8, 8, 1, 0, 1, LD), 0x48, 0x89, 0x0b);
		EXPECT(M64, W(3, 4, 8, 1, 1, -1, 0, 1, LD), 0xc6, 0x03, 0xff);
		EXPECT(M64, W(7, 8, 8, 8, 8, -1, 0, 1, LD), 0x48, 0xc7, 0x03, 1, 2, 3, 0x80);
		EXPECT(M64, W(5, 2, 8, 2, 2, -1, 0, 1, LD), 0x66, 0xc7, 0x03, 1, 2);
		EXPECT(M64, W(10, 4, 8, 4, 4, -1, 0, 1, LD), 0xc7, 0x05, 1, 2, 3, 4, 5, 6, 7, 8);
		EXPECT(M64, W(9, 4, 8, 1, 1, 0, 0, 0, LD), 0xa0, 0, 0, 0, 0xe0, 0, 0, 0, 0);
		EXPECT(M64, W(9, 4, 8, 4, 4, 0, 0, 0, LD), 0xa1, 0, 0, 0, 0xe0, 0, 0, 0, 0);
		EXPECT(M64, W(10, 8, 8, 8, 8, 0, 0, 0, LD), 0x48, 0xa1, 0, 0, 0, 0xe0, 0, 0, 0, 0);
		EXPECT(M64, W(10, 2, 8, 2, 2, 0, 0, 1, LD), 0x66, 0xa3, 0, 0, 0, 0xe0, 0, 0, 0, 0);
		EXPECT(M64, W(6, 4, 4, 4, 4, 0, 0, 0, LD), 0x67, 0xa1, 0, 0, 0, 0xe0);
		EXPECT(M64, W(10, 4, 8, 1, 1, 0, 0, 1, LD), 0x41, 0xa2, 0, 0, 0, 0xe0, 0, 0, 0, 0);
		EXPECT(M64, W(3, 4, 8, 1, 4, 1, 0, 0, ZX), 0x0f, 0xb6, 0x0b);
		EXPECT(M64, W(4, 8, 8, 2, 8, 9, 0, 0, ZX), 0x4c, 0x0f, 0xb7, 0x0b);
		EXPECT(M64, W(4, 8, 8, 1, 8, 1, 0, 0, SX), 0x48, 0x0f, 0xbe, 0x0b);
		EXPECT(M64, W(4, 2, 8, 2, 2, 1, 0, 0, SX), 0x66, 0x0f, 0xbf, 0x0b);
		EXPECT(M64, W(3, 8, 8, 4, 8, 1, 0, 0, SX), 0x48, 0x63, 0x0b); /* movsxd rcx,[rbx] */
		EXPECT(M64, W(3, 8, 8, 4, 8, 9, 0, 0, SX), 0x4c, 0x63, 0x0b);
		EXPECT(M64, W(2, 4, 8, 4, 4, 1, 0, 0, SX), 0x63, 0x0b);       /* movsxd ecx,[rbx] */
		EXPECT(M64, W(4, 8, 8, 4, 8, 1, 0, 0, SX), 0x66, 0x48, 0x63, 0x0b);
		EXPECT_R(M64, MMIO_UNKNOWN, 0x66, 0x63, 0x0b);                   /* vendors differ */
		EXPECT(M64, W(4, 4, 8, 4, 4, 0, 0, 0, LD), 0x65, 0x2e, 0x8b, 0x03);
	}

	TEST("16-bit ModR/M (table 2-1): every byte's length, no SIB") {
		for (k = 0; k < 192; k++) {
			unsigned mod = k >> 6, rm = k & 7;
			unsigned disp = mod == 1 ? 1 : mod == 2 ? 2 : rm == 6 ? 2 : 0;
			uint8_t b[6] = { 0x8b, (uint8_t)k, 0x04, 0x24, 0x24, 0x24 };

			CHECK(dec(b, 2 + disp, M16, &in) == MMIO_DECODED && in.len == 2 + disp &&
			      in.reg == (int)(k >> 3 & 7), "modrm 0x%02x: len %u reg %d, want %u",
			      k, in.len, in.reg, 2 + disp);
			if (disp)
				CHECK(dec(b, 1 + disp, M16, &in) == MMIO_TRUNCATED,
				      "modrm 0x%02x: short by one, not truncated", k);
		}
	}

	TEST("32- and 64-bit ModR/M and SIB (tables 2-2, 2-3): every pair's length") {
		for (i = 0; i < 2; i++)
		for (k = 0; k < 192; k++)
		for (op = 0; op < 256; op++) {
			enum mmio_mode m = i ? M64 : M32;
			unsigned mod = k >> 6, rm = k & 7, sib = rm == 4;
			unsigned disp = mod == 1 ? 1 : mod == 2 ? 4 :
				(rm == 5 || (sib && (op & 7) == 5)) ? 4 : 0;
			uint8_t b[8] = { 0x8b, (uint8_t)k, (uint8_t)op, 0x90, 0x90, 0x90, 0x90, 0x90 };
			unsigned want = 2 + sib + disp;

			if (!sib && op)
				continue;       /* the byte after is no SIB: once is enough */
			CHECK(dec(b, want, m, &in) == MMIO_DECODED && in.len == want,
			      "%u-bit modrm 0x%02x sib 0x%02x: len %u, want %u", bits(m), k, op,
			      in.len, want);
			CHECK(dec(b, want - 1, m, &in) == MMIO_TRUNCATED,
			      "%u-bit modrm 0x%02x sib 0x%02x: short by one", bits(m), k, op);
		}
	}

	TEST("66 and 67 in each mode: operand and address size") {
		static const struct {
			enum mmio_mode m;
			uint8_t p66, p67;
			unsigned op, addr;
		} t[] = {
			{ M16, 0, 0, 2, 2 }, { M16, 1, 0, 4, 2 }, { M16, 0, 1, 2, 4 }, { M16, 1, 1, 4, 4 },
			{ M32, 0, 0, 4, 4 }, { M32, 1, 0, 2, 4 }, { M32, 0, 1, 4, 2 }, { M32, 1, 1, 2, 2 },
			{ M64, 0, 0, 4, 8 }, { M64, 1, 0, 2, 8 }, { M64, 0, 1, 4, 4 }, { M64, 1, 1, 2, 4 },
		};

		for (i = 0; i < ARRAY_SIZE(t); i++)
		for (k = 0; k < 4; k++) {       /* once, twice, thrice, among others */
			uint8_t b[16];
			unsigned n = 0, j, disp;

			for (j = 0; j < (k == 3 ? 1 : k + 1); j++) {
				if (k == 3)
					b[n++] = 0x3e;
				if (t[i].p66)
					b[n++] = 0x66;
				if (k == 3)
					b[n++] = 0x26;
				if (t[i].p67)
					b[n++] = 0x67;
			}
			b[n++] = 0x8b;
			b[n++] = 0x05;          /* [di] in 16-bit, disp32 in 32/64 */
			disp = t[i].addr == 2 ? 0 : 4;
			memset(b + n, 0x90, disp);
			n += disp;
			CHECK(dec(b, n, t[i].m, &in) == MMIO_DECODED && in.op_size == t[i].op &&
			      in.addr_size == t[i].addr && in.mem_size == t[i].op && in.len == n,
			      "%u-bit %s: op %u addr %u len %u", bits(t[i].m), hex(b, n),
			      in.op_size, in.addr_size, in.len);
		}
	}

	TEST("REX: only right before the opcode, the last one counts") {
		/* A REX before a legacy prefix is ignored: AH again, 32-bit. */
		EXPECT(M64, W(4, 4, 8, 1, 1, 0, 1, 0, LD), 0x40, 0x2e, 0x8a, 0x23);
		EXPECT(M64, W(4, 2, 8, 2, 2, 0, 0, 0, LD), 0x48, 0x66, 0x8b, 0x03);
		EXPECT(M64, W(4, 4, 4, 4, 4, 0, 0, 0, LD), 0x4c, 0x67, 0x8b, 0x03);
		/* Of two REX, the second: 4c then 40 is REX without W or R. */
		EXPECT(M64, W(4, 4, 8, 4, 4, 0, 0, 0, LD), 0x4c, 0x40, 0x8b, 0x03);
		EXPECT(M64, W(4, 8, 8, 8, 8, 8, 0, 0, LD), 0x40, 0x4c, 0x8b, 0x03);
		/* REX.B and REX.X name address registers only. */
		EXPECT(M64, W(3, 4, 8, 1, 1, 0, 0, 0, LD), 0x43, 0x8a, 0x03);
		EXPECT(M64, W(4, 8, 8, 1, 8, 4, 0, 0, ZX), 0x48, 0x0f, 0xb6, 0x23);
	}

	TEST("loads: the register after, by width and extension") {
		struct mmio_insn l = { .reg = 0 };
		const uint64_t old = 0x1122334455667788ul;

		l.mem_size = l.reg_size = 1;
		CHECK(mmio_load_result(&l, old, ~0ul) == 0x11223344556677fful, "8-bit low");
		CHECK(mmio_load_result(&l, old, 0x1234) == 0x1122334455667734ul, "8-bit low, data wider");
		l.high_byte = 1;
		CHECK(mmio_load_result(&l, old, ~0ul) == 0x112233445566ff88ul, "8-bit high");
		CHECK(mmio_load_result(&l, old, 0x5a) == 0x1122334455665a88ul, "8-bit high, 0x5a");
		l.high_byte = 0;
		l.mem_size = l.reg_size = 2;
		CHECK(mmio_load_result(&l, old, ~0ul) == 0x112233445566fffful, "16-bit keeps 63:16");
		l.mem_size = l.reg_size = 4;
		CHECK(mmio_load_result(&l, old, ~0ul) == 0xfffffffful, "32-bit zero-extends");
		CHECK(mmio_load_result(&l, old, 0x8000000000000001ul) == 1, "32-bit of wider data");
		l.mem_size = l.reg_size = 8;
		CHECK(mmio_load_result(&l, old, ~0ul) == ~0ul, "64-bit");
		l.ext = ZX;
		l.mem_size = 1, l.reg_size = 2;
		CHECK(mmio_load_result(&l, old, ~0ul) == 0x11223344556600fful, "movzx r16, m8");
		l.reg_size = 4;
		CHECK(mmio_load_result(&l, old, ~0ul) == 0xfful, "movzx r32, m8");
		l.mem_size = 2, l.reg_size = 8;
		CHECK(mmio_load_result(&l, old, ~0ul) == 0xfffful, "movzx r64, m16");
		l.ext = SX;
		l.mem_size = 1, l.reg_size = 2;
		CHECK(mmio_load_result(&l, old, ~0ul) == 0x112233445566fffful, "movsx r16, m8");
		CHECK(mmio_load_result(&l, old, 0x7f) == 0x112233445566007ful, "movsx r16, m8 +");
		l.reg_size = 4;
		CHECK(mmio_load_result(&l, old, 0x80) == 0xffffff80ul, "movsx r32, m8");
		l.reg_size = 8;
		CHECK(mmio_load_result(&l, old, 0x80) == 0xffffffffffffff80ul, "movsx r64, m8");
		l.mem_size = 2;
		CHECK(mmio_load_result(&l, old, 0x18000) == 0xffffffffffff8000ul, "movsx r64, m16");
		l.mem_size = 4;
		CHECK(mmio_load_result(&l, old, 0xffffffff) == ~0ul, "movsxd r64, m32");
		CHECK(mmio_load_result(&l, old, 0x7fffffff) == 0x7ffffffful, "movsxd r64, m32 +");
		l.reg_size = 4;
		CHECK(mmio_load_result(&l, old, 0xffffffff) == 0xfffffffful, "movsxd r32, m32");
		l.store = 1;
		CHECK(mmio_load_result(&l, old, ~0ul) == old, "a store leaves the register");
	}

	TEST("decoded loads: all ones into the register, end to end") {
		static const struct {
			enum mmio_mode m;
			uint8_t b[8];
			unsigned n;
			uint64_t want;
		} t[] = {
			{ M16, { 0x8b, 0x07 }, 2, 0x112233445566fffful },             /* mov ax */
			{ M16, { 0x66, 0x8b, 0x07 }, 3, 0xfffffffful },               /* mov eax */
			{ M16, { 0x8a, 0x27 }, 2, 0x112233445566ff88ul },             /* mov ah */
			{ M16, { 0x0f, 0xb6, 0x07 }, 3, 0x11223344556600fful },       /* movzx ax */
			{ M16, { 0x0f, 0xbe, 0x07 }, 3, 0x112233445566fffful },       /* movsx ax */
			{ M32, { 0x8b, 0x03 }, 2, 0xfffffffful },
			{ M32, { 0x66, 0x8b, 0x03 }, 3, 0x112233445566fffful },
			{ M32, { 0x0f, 0xb7, 0x03 }, 3, 0xfffful },
			{ M32, { 0x0f, 0xbf, 0x03 }, 3, 0xfffffffful },
			{ M64, { 0x48, 0x8b, 0x03 }, 3, ~0ul },
			{ M64, { 0x48, 0x63, 0x03 }, 3, ~0ul },
			{ M64, { 0x48, 0x0f, 0xb6, 0x03 }, 4, 0xfful },
			{ M64, { 0x40, 0x8a, 0x03 }, 3, 0x11223344556677fful },
		};

		for (i = 0; i < ARRAY_SIZE(t); i++)
			CHECK(dec(t[i].b, t[i].n, t[i].m, &in) == MMIO_DECODED &&
			      mmio_load_result(&in, 0x1122334455667788ul, ~0ul) == t[i].want,
			      "%u-bit %s: 0x%lx", bits(t[i].m), hex(t[i].b, t[i].n),
			      mmio_load_result(&in, 0x1122334455667788ul, ~0ul));
	}

	TEST("stores: the value written, immediate or register, by width") {
		static const struct {
			enum mmio_mode m;
			uint8_t b[16];
			unsigned n;
			uint64_t want;
		} t[] = {
			/* mov dword [0xfffffffffee000b0], 0: the guest's native EOI */
			{ M64, { 0xc7, 0x04, 0x25, 0xb0, 0x00, 0xe0, 0xfe, 0, 0, 0, 0 }, 11, 0 },
			{ M64, { 0xc7, 0x03, 0x78, 0x56, 0x34, 0x12 }, 6, 0x12345678ul },
			{ M64, { 0x48, 0xc7, 0x03, 0xfe, 0xff, 0xff, 0xff }, 7, ~1ul },  /* sign-extended */
			{ M32, { 0x66, 0xc7, 0x43, 0x10, 0x34, 0x12 }, 6, 0x1234 },     /* disp8, imm16 */
			{ M16, { 0xc6, 0x07, 0xa5 }, 3, 0xa5 },
			{ M64, { 0x89, 0x3b }, 2, 0x55667788ul },                       /* mov [rbx], edi */
			{ M64, { 0x48, 0x89, 0x3b }, 3, 0x1122334455667788ul },
			{ M64, { 0x88, 0x3b }, 2, 0x77 },                               /* mov [rbx], bh */
			{ M64, { 0x40, 0x88, 0x3b }, 3, 0x88 },                         /* mov [rbx], dil */
			{ M64, { 0xa3, 1, 2, 3, 4, 5, 6, 7, 8 }, 9, 0x55667788ul },     /* mov moffs, eax */
		};

		for (i = 0; i < ARRAY_SIZE(t); i++)
			CHECK(dec(t[i].b, t[i].n, t[i].m, &in) == MMIO_DECODED && in.store &&
			      in.len == t[i].n &&
			      mmio_store_value(&in, 0x1122334455667788ul) == t[i].want,
			      "%u-bit %s: 0x%lx", bits(t[i].m), hex(t[i].b, t[i].n),
			      mmio_store_value(&in, 0x1122334455667788ul));
	}

	TEST("LOCK on a move is #UD; REP and REPNE are refused") {
		for (i = 0; i < ARRAY_SIZE(modes); i++) {
			EXPECT_R(modes[i], MMIO_LOCKED, 0xf0, 0x89, 0x07);
			EXPECT_R(modes[i], MMIO_LOCKED, 0x66, 0xf0, 0x8b, 0x07);
			EXPECT_R(modes[i], MMIO_LOCKED, 0xf0, 0xc7, 0x07, 0, 0, 0, 0);
			EXPECT_R(modes[i], MMIO_LOCKED, 0xf0, 0xa1, 0, 0, 0, 0, 0, 0, 0, 0);
			EXPECT_R(modes[i], MMIO_LOCKED, 0xf0, 0x0f, 0xb6, 0x07);
			EXPECT_R(modes[i], MMIO_LOCKED, 0xf0, 0x8b);    /* #UD before the ModR/M */
			EXPECT_R(modes[i], MMIO_UNKNOWN, 0xf0, 0x01, 0x07); /* lock add: not a move */
			EXPECT_R(modes[i], MMIO_UNKNOWN, 0xf3, 0x89, 0x07);
			EXPECT_R(modes[i], MMIO_UNKNOWN, 0xf2, 0x8b, 0x07);
			EXPECT_R(modes[i], MMIO_UNKNOWN, 0xf3, 0xa5);   /* rep movs */
			EXPECT_R(modes[i], MMIO_UNKNOWN, 0xf3, 0x0f, 0xb8, 0x07); /* popcnt */
		}
		EXPECT_R(M64, MMIO_LOCKED, 0xf0, 0x48, 0x89, 0x03);
	}

	TEST("15 bytes at most: longer is #GP, prefix runs included") {
		uint8_t b[40];

		for (i = 0; i < ARRAY_SIZE(modes); i++)
		for (k = 0; k <= 20; k++) {
			unsigned n = k + 2;

			memset(b, k & 1 ? 0x3e : 0x26, k);     /* k segment prefixes */
			b[k] = 0x8b;
			b[k + 1] = 0x07;
			/* [bx] / [edi]: no displacement in 16 and 32/64 alike */
			CHECK(dec(b, n, modes[i], &in) == (n <= 15 ? MMIO_DECODED : MMIO_TOO_LONG),
			      "%u-bit: %u prefixes + 8b 07", bits(modes[i]), k);
			if (n <= 15)
				CHECK(in.len == n, "%u prefixes: len %u", k, in.len);
		}
		/* 15 prefixes and nothing else: #GP, never a read of byte 15. */
		for (i = 0; i < ARRAY_SIZE(modes); i++) {
			EXPECT_R(modes[i], MMIO_TOO_LONG, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
				 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66);
			/* 14 prefixes + a move whose ModR/M would be byte 16 */
			EXPECT_R(modes[i], MMIO_TOO_LONG, 0x67, 0x67, 0x67, 0x67, 0x67, 0x67,
				 0x67, 0x67, 0x67, 0x67, 0x67, 0x67, 0x67, 0x67, 0x8b);
		}
		/* 64-bit: 6 prefixes, REX.W, moffs64: 16 bytes. */
		EXPECT_R(M64, MMIO_TOO_LONG, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x48, 0xa1,
			 1, 2, 3, 4, 5, 6, 7);
		EXPECT(M64, W(15, 8, 8, 8, 8, 0, 0, 0, LD), 0x2e, 0x2e, 0x2e, 0x2e, 0x2e,
		       0x48, 0xa1, 1, 2, 3, 4, 5, 6, 7, 8);
		/* Max ModR/M form: 2 + 1 + 1 + 4 + 4 with prefixes to 15 exactly. */
		EXPECT(M64, W(15, 8, 4, 8, 8, -1, 0, 1, LD), 0x66, 0x67, 0x2e, 0x48,
		       0xc7, 0x84, 0x24, 1, 2, 3, 4, 5, 6, 7, 8);
		EXPECT_R(M64, MMIO_TOO_LONG, 0x66, 0x67, 0x2e, 0x64, 0x48, 0xc7, 0x84, 0x24,
			 1, 2, 3, 4, 5, 6, 7);
		/* A count past 15 is no licence to read past 15: a 15-byte buffer. */
		{
			uint8_t *p = malloc(15);

			memset(p, 0x2e, 15);
			for (i = 0; i < ARRAY_SIZE(modes); i++)
				CHECK(mmio_decode(p, 1000, modes[i], &in) == MMIO_TOO_LONG,
				      "%u-bit: count 1000 over 15 prefixes", bits(modes[i]));
			free(p);
		}
	}

	TEST("truncated: every understood form, cut at every length") {
		static const uint8_t t[][16] = {         /* { mode, len, bytes } */
			{ 2, 4, 0x8b, 0x0e, 0x00, 0xe0 },
			{ 2, 9, 0x66, 0x67, 0x8b, 0x1c, 0x25, 0, 0, 0, 0xe0 },
			{ 2, 9, 0x66, 0xc7, 0x06, 0x00, 0xe0, 1, 2, 3, 4 },
			{ 2, 6, 0x67, 0xa1, 0, 0, 0, 0xe0 },
			{ 4, 11, 0xc7, 0x84, 0x24, 1, 2, 3, 4, 5, 6, 7, 8 },
			{ 4, 5, 0x66, 0x0f, 0xbf, 0x43, 0x10 },
			{ 4, 5, 0xa3, 0, 0, 0, 0xe0 },
			{ 8, 10, 0x48, 0xa1, 1, 2, 3, 4, 5, 6, 7, 8 },
			{ 8, 12, 0x49, 0xc7, 0x84, 0x24, 1, 2, 3, 4, 5, 6, 7, 8 },
			{ 8, 7, 0x4c, 0x63, 0x05, 1, 2, 3, 4 },
			{ 8, 5, 0x40, 0x88, 0x64, 0x24, 0x08 },
		};

		for (i = 0; i < ARRAY_SIZE(t); i++) {
			enum mmio_mode m = (enum mmio_mode)t[i][0];

			CHECK(dec(t[i] + 2, t[i][1], m, &in) == MMIO_DECODED && in.len == t[i][1],
			      "%u-bit %s: whole, len %u", bits(m), hex(t[i] + 2, t[i][1]), in.len);
			for (k = 0; k < t[i][1]; k++)
				CHECK(dec(t[i] + 2, k, m, &in) == MMIO_TRUNCATED,
				      "%u-bit %s: first %u bytes not truncated", bits(m),
				      hex(t[i] + 2, t[i][1]), k);
		}
		for (i = 0; i < ARRAY_SIZE(modes); i++)
			CHECK(mmio_decode(NULL, 0, modes[i], &in) == MMIO_TRUNCATED, "no bytes");
	}

	TEST("every 1-byte opcode not understood is refused, in every mode") {
		for (i = 0; i < ARRAY_SIZE(modes); i++)
		for (op = 0; op < 256; op++) {
			enum mmio_mode m = modes[i];
			uint8_t b[15] = { (uint8_t)op, 0x05 };  /* ModR/M: [disp], reg 0 */
			int prefix = op == 0x26 || op == 0x2e || op == 0x36 || op == 0x3e ||
				op == 0x64 || op == 0x65 || op == 0x66 || op == 0x67 ||
				op == 0xf0 || op == 0xf2 || op == 0xf3 ||
				(m == M64 && (op & 0xf0) == 0x40);
			int ours = op == 0x88 || op == 0x89 || op == 0x8a || op == 0x8b ||
				op == 0xc6 || op == 0xc7 || (op >= 0xa0 && op <= 0xa3) ||
				op == 0x0f || (m == M64 && op == 0x63);

			if (prefix || ours)
				continue;
			CHECK(dec(b, 15, m, &in) == MMIO_UNKNOWN, "%u-bit opcode 0x%02x accepted",
			      bits(m), op);
			CHECK(dec(b, 1, m, &in) == MMIO_UNKNOWN, "%u-bit opcode 0x%02x alone "
			      "not refused", bits(m), op);
		}
	}

	TEST("every 0F opcode but B6 B7 BE BF is refused, in every mode") {
		for (i = 0; i < ARRAY_SIZE(modes); i++)
		for (op = 0; op < 256; op++) {
			uint8_t b[15] = { 0x0f, (uint8_t)op, 0x05 };

			if (op == 0xb6 || op == 0xb7 || op == 0xbe || op == 0xbf)
				continue;
			CHECK(dec(b, 15, modes[i], &in) == MMIO_UNKNOWN, "%u-bit 0f %02x accepted",
			      bits(modes[i]), op);
			CHECK(dec(b, 2, modes[i], &in) == MMIO_UNKNOWN, "%u-bit 0f %02x alone",
			      bits(modes[i]), op);
		}
	}

	TEST("register operands, C6/C7 /1../7, VEX and bad modes are refused") {
		for (i = 0; i < ARRAY_SIZE(modes); i++) {
			for (k = 0xc0; k <= 0xff; k++) {        /* mod 11: a register */
				uint8_t forms[] = { 0x88, 0x89, 0x8a, 0x8b, 0xc6, 0xc7 };

				for (op = 0; op < ARRAY_SIZE(forms); op++) {
					uint8_t b[6] = { forms[op], (uint8_t)k, 1, 2, 3, 4 };
					CHECK(dec(b, 6, modes[i], &in) == MMIO_UNKNOWN,
					      "%u-bit %s accepted", bits(modes[i]), hex(b, 2));
				}
			}
			for (k = 1; k < 8; k++) {
				uint8_t b[] = { 0xc7, (uint8_t)(k << 3 | 3), 1, 2, 3, 4 };
				uint8_t c[] = { 0xc6, (uint8_t)(k << 3 | 3), 1 };
				CHECK(dec(b, sizeof(b), modes[i], &in) == MMIO_UNKNOWN, "c7 /%u", k);
				CHECK(dec(c, sizeof(c), modes[i], &in) == MMIO_UNKNOWN, "c6 /%u", k);
			}
			EXPECT_R(modes[i], MMIO_UNKNOWN, 0xc7, 0xf8, 0, 0, 0, 0); /* xbegin */
			EXPECT_R(modes[i], MMIO_UNKNOWN, 0x0f, 0xb6, 0xc0);
			EXPECT_R(modes[i], MMIO_UNKNOWN, 0x01, 0x05, 0, 0, 0, 0xe0); /* add [m], eax */
			EXPECT_R(modes[i], MMIO_UNKNOWN, 0xc5, 0xf8, 0x10, 0x03); /* vmovups */
			EXPECT_R(modes[i], MMIO_UNKNOWN, 0xa5);                  /* movs */
			EXPECT_R(modes[i], MMIO_UNKNOWN, 0xff, 0x35, 0, 0, 0, 0);  /* push [m] */
		}
		CHECK(mmio_decode(BYTES(0x8b, 0x03), (enum mmio_mode)3, &in) == MMIO_UNKNOWN,
		      "mode 3 accepted");
		CHECK(mmio_decode(BYTES(0x8b, 0x03), (enum mmio_mode)0, &in) == MMIO_UNKNOWN,
		      "mode 0 accepted");
	}

	TEST("random bytes: accepted means sane") {
		uint64_t s = 0x9e3779b97f4a7c15ul;
		unsigned accepted = 0;

		for (k = 0; k < 200000; k++) {
			uint8_t b[15];
			unsigned n;
			enum mmio_mode m = modes[k % 3];
			enum mmio_decode_result r;

			for (i = 0; i < 15; i++) {
				s ^= s << 13, s ^= s >> 7, s ^= s << 17;
				/* bias toward the bytes the decoder cares about */
				b[i] = (uint8_t)(s & 0x100 ? s >> 24 :
					(uint8_t[]){ 0x66, 0x67, 0x48, 0x8b, 0x0f, 0xf0, 0x2e,
						     0x89, 0xc7, 0xa1 }[(s >> 32) % 10]);
			}
			n = (unsigned)(s >> 40) % 16;
			r = dec(b, n, m, &in);
			if (r != MMIO_DECODED)
				continue;
			accepted++;
			if (!CHECK(in.len >= 1 && in.len <= 15 && in.len <= n &&
				   (in.op_size == 2 || in.op_size == 4 || in.op_size == 8) &&
				   (in.addr_size == 2 || in.addr_size == 4 || in.addr_size == 8) &&
				   (in.mem_size == 1 || in.mem_size == 2 || in.mem_size == 4 ||
				    in.mem_size == 8) && in.reg >= -1 && in.reg < 16 &&
				   in.reg_size >= in.mem_size && (!in.high_byte || in.reg < 4) &&
				   (in.reg >= 0 || in.store),
				   "%u-bit %s: len %u op %u addr %u mem %u reg %d", bits(m), hex(b, n),
				   in.len, in.op_size, in.addr_size, in.mem_size, in.reg))
				break;
		}
		CHECK(accepted > 1000, "only %u of 200000 accepted", accepted);
	}

	TEST("objdump agrees: 16-bit") objdump_agrees(M16);
	TEST("objdump agrees: 32-bit") objdump_agrees(M32);
	TEST("objdump agrees: 64-bit") objdump_agrees(M64);

	return check_summary();
}
