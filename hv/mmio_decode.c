/*
 * mmio_decode.c - a decoder for the plain moves that touch MMIO, and the
 * rules that complete them: the register a load leaves, the next RIP.
 *
 * Instruction format: SDM vol. 2A, chapter 2 - legacy prefixes 2.1.1,
 * ModR/M and SIB 2.1.5 (table 2-1 for 16-bit addressing, tables 2-2 and
 * 2-3 for 32-bit), REX 2.2.1, RIP-relative addressing 2.2.1.6, the 15-byte
 * limit 2.3.11. Operand and address sizes: vol. 1, 3.6 (table 3-4) and
 * vol. 2A, 2.2.1.2 (table 2-4) for 64-bit mode.
 *
 * Environment: hypervisor; pure logic, also in the host tests and the
 * fuzzer.
 */
/* SPDX-License-Identifier: MIT */
#include "mmio_decode.h"

/* What the mode depends on: CR0.PE (vol. 3A, 2.5), IA32_EFER.LMA (2.2.1),
 * RFLAGS.VM (vol. 1, 3.4.3), CS.L and CS.D in the VMCS access-rights
 * format (vol. 3C, 25.4.1, table 25-2). */
#define CR0_PE          (1ul << 0)
#define EFER_LMA        (1ul << 10)
#define RFLAGS_VM       (1ul << 17)
#define CS_AR_L         (1u << 13)
#define CS_AR_DB        (1u << 14)

/* REX bits (2.2.1.2, table 2-4); X and B only name address registers. */
#define REX_W           8
#define REX_R           4

enum mmio_mode mmio_cpu_mode(uint64_t cr0, uint64_t efer, uint64_t rflags,
			     uint32_t cs_ar)
{
	/* Virtual-8086 code is always 16-bit (vol. 3B, 20.2). */
	if ((cr0 & CR0_PE) && (rflags & RFLAGS_VM))
		return MMIO_MODE_16;
	/* 64-bit mode is IA-32e mode with CS.L set; with CS.L clear it is
	 * compatibility mode, sized by CS.D like legacy code (vol. 1, 3.6). */
	if ((efer & EFER_LMA) && (cs_ar & CS_AR_L))
		return MMIO_MODE_64;
	/* Real mode too follows the D bit the CS descriptor cache holds: 0
	 * after every real-mode CS load, 1 only if the guest left protected
	 * mode with a 32-bit CS still loaded ("big real mode"), which the CPU
	 * then runs as 32-bit code. */
	return cs_ar & CS_AR_DB ? MMIO_MODE_32 : MMIO_MODE_16;
}

/*
 * The bytes so far: i is the next one to read. Every read goes through
 * need(), so no byte at or past count, or past the 15-byte limit, is read.
 */
struct cursor {
	const uint8_t *code;
	unsigned count, i;
};

/* MMIO_DECODED when n more bytes may be read, else why not. */
static enum mmio_decode_result need(const struct cursor *c, unsigned n)
{
	if (c->i + n > MMIO_INSN_MAX)
		return MMIO_TOO_LONG;   /* whatever count says: #GP (2.3.11) */
	if (c->i + n > c->count)
		return MMIO_TRUNCATED;
	return MMIO_DECODED;
}

/*
 * Bytes of displacement after the ModR/M byte m (and the SIB byte, where
 * r/m says one follows). 16-bit addressing, table 2-1: no SIB; mod 00
 * r/m 110 is a bare disp16, mod 01 a disp8, mod 10 a disp16. 32- and
 * 64-bit addressing, tables 2-2 and 2-3: r/m 100 brings a SIB byte, whose
 * base 101 under mod 00 is a bare disp32; mod 00 r/m 101 is a disp32
 * (RIP- or EIP-relative in 64-bit mode, 2.2.1.6: the same length); mod 01
 * a disp8, mod 10 a disp32.
 */
static unsigned disp_len16(uint8_t m)
{
	unsigned mod = m >> 6, rm = m & 7;

	if (mod == 1)
		return 1;
	if (mod == 2 || (mod == 0 && rm == 6))
		return 2;
	return 0;
}

static unsigned disp_len32(uint8_t m, uint8_t sib)
{
	unsigned mod = m >> 6, rm = m & 7;

	if (mod == 1)
		return 1;
	if (mod == 2)
		return 4;
	if (rm == 5 || (rm == 4 && (sib & 7) == 5))
		return 4;
	return 0;
}

enum mmio_decode_result mmio_decode(const uint8_t *code, unsigned count,
				    enum mmio_mode mode, struct mmio_insn *out)
{
	struct cursor c = { code, count, 0 };
	struct mmio_insn in = { 0 };
	enum mmio_decode_result r;
	unsigned rex = 0, imm = 0, disp;
	int opsize_prefix = 0, addrsize_prefix = 0, lock = 0, rep = 0;
	int modrm_form = 1, byte_op = 0;
	uint8_t op, m, sib = 0;

	if (mode != MMIO_MODE_16 && mode != MMIO_MODE_32 && mode != MMIO_MODE_64)
		return MMIO_UNKNOWN;

	/*
	 * Prefixes (2.1.1), any number and order up to the length limit,
	 * repeats allowed. A REX prefix (64-bit mode only; 40-4F are INC
	 * and DEC elsewhere) counts only right before the opcode: one
	 * followed by a legacy prefix is ignored (2.2.1).
	 */
	for (;;) {
		if ((r = need(&c, 1)))
			return r;
		op = code[c.i];
		if (mode == MMIO_MODE_64 && (op & 0xf0) == 0x40) {
			rex = op;
			c.i++;
			continue;
		}
		if (op == 0xf0)
			lock = 1;
		else if (op == 0xf2 || op == 0xf3)
			rep = 1;
		else if (op == 0x66)
			opsize_prefix = 1;
		else if (op == 0x67)
			addrsize_prefix = 1;
		else if (op != 0x26 && op != 0x2e && op != 0x36 && op != 0x3e &&
			 op != 0x64 && op != 0x65)
			break;                  /* the opcode */
		rex = 0;
		c.i++;
	}
	c.i++;

	/*
	 * Operand size (vol. 1, 3.6, table 3-4; vol. 2A, 2.2.1.2): the
	 * mode's default (16 or 32; 32 in 64-bit mode), 66 selects the other
	 * one, REX.W selects 64 over both. Address size: the default (16,
	 * 32 or 64), 67 selects the other one (32 in 64-bit mode).
	 */
	if (mode == MMIO_MODE_64) {
		in.op_size = rex & REX_W ? 8 : opsize_prefix ? 2 : 4;
		in.addr_size = addrsize_prefix ? 4 : 8;
	} else {
		in.op_size = (mode == MMIO_MODE_16) != opsize_prefix ? 2 : 4;
		in.addr_size = (mode == MMIO_MODE_16) != addrsize_prefix ? 2 : 4;
	}
	in.reg_size = in.mem_size = in.op_size;

	switch (op) {
	case 0x88:                              /* MOV r/m8, r8 */
		byte_op = 1;
		in.store = 1;
		break;
	case 0x89:                              /* MOV r/m, r */
		in.store = 1;
		break;
	case 0x8a:                              /* MOV r8, r/m8 */
		byte_op = 1;
		break;
	case 0x8b:                              /* MOV r, r/m */
		break;
	case 0xc6:                              /* MOV r/m8, imm8 */
		byte_op = 1;
		in.store = 1;
		imm = 1;
		break;
	case 0xc7:                              /* MOV r/m, imm16/imm32 */
		in.store = 1;
		imm = in.op_size == 2 ? 2 : 4;  /* imm32 sign-extended for 64 */
		break;
	case 0xa0: case 0xa1: case 0xa2: case 0xa3:     /* MOV AL/rAX <-> moffs */
		modrm_form = 0;
		byte_op = !(op & 1);
		in.store = op >= 0xa2;
		break;
	case 0x63:
		/* MOVSXD r, r/m32 (64-bit mode; ARPL elsewhere). Without
		 * REX.W a 66 prefix makes it r16, r/m16 on Intel but not on
		 * every CPU: refused rather than guessed. */
		if (mode != MMIO_MODE_64 || (!(rex & REX_W) && opsize_prefix))
			return MMIO_UNKNOWN;
		in.mem_size = 4;
		in.ext = MMIO_EXT_SIGN;
		break;
	case 0x0f:
		if ((r = need(&c, 1)))
			return r;
		switch (code[c.i++]) {
		case 0xb6: in.mem_size = 1; in.ext = MMIO_EXT_ZERO; break;
		case 0xb7: in.mem_size = 2; in.ext = MMIO_EXT_ZERO; break;
		case 0xbe: in.mem_size = 1; in.ext = MMIO_EXT_SIGN; break;
		case 0xbf: in.mem_size = 2; in.ext = MMIO_EXT_SIGN; break;
		default: return MMIO_UNKNOWN;
		}
		break;
	default:
		return MMIO_UNKNOWN;
	}
	if (byte_op)
		in.reg_size = in.mem_size = 1;
	/* REP/REPNE before a move is reserved (2.1.1) or a hint (F3 XRELEASE):
	 * not ours to guess. A LOCK before a move is #UD, raised before any
	 * memory access (LOCK, vol. 2A, 3.3; decode faults, vol. 3A, 6.9). */
	if (rep)
		return MMIO_UNKNOWN;
	if (lock)
		return MMIO_LOCKED;

	if (!modrm_form) {
		/* moffs: an offset as wide as the address size (2, 4 or 8). */
		in.reg = 0;
		disp = in.addr_size;
	} else {
		if ((r = need(&c, 1)))
			return r;
		m = code[c.i++];
		/* mod 11 names a register: no memory access at all. */
		if (m >> 6 == 3)
			return MMIO_UNKNOWN;
		if (imm) {
			if ((m >> 3 & 7) != 0)
				return MMIO_UNKNOWN;    /* C6/C7 /0 only */
			in.reg = -1;
		} else {
			in.reg = (int)((m >> 3 & 7) | (rex & REX_R ? 8 : 0));
			/* Byte registers 4-7 without any REX are AH, CH, DH,
			 * BH; with one, SPL, BPL, SIL, DIL (2.2.1.2). */
			if (byte_op && !rex && in.reg >= 4) {
				in.reg -= 4;
				in.high_byte = 1;
			}
		}
		if (in.addr_size == 2) {
			disp = disp_len16(m);
		} else {
			if ((m & 7) == 4) {
				if ((r = need(&c, 1)))
					return r;
				sib = code[c.i++];
			}
			disp = disp_len32(m, sib);
		}
	}
	if ((r = need(&c, disp + imm)))
		return r;
	in.len = c.i + disp + imm;
	/* The immediate follows the displacement, little-endian; an imm32
	 * with a 64-bit operand is sign-extended (vol. 2B, MOV). */
	while (imm--)
		in.imm = in.imm << 8 | code[c.i + disp + imm];
	if (in.reg < 0 && in.mem_size == 8)
		in.imm = (uint64_t)(int64_t)(int32_t)in.imm;
	*out = in;
	return MMIO_DECODED;
}

uint64_t mmio_store_value(const struct mmio_insn *in, uint64_t reg)
{
	unsigned bits = 8 * in->mem_size;
	uint64_t v = in->reg < 0 ? in->imm : in->high_byte ? reg >> 8 : reg;

	return bits >= 64 ? v : v & ((1ul << bits) - 1);
}

uint64_t mmio_load_result(const struct mmio_insn *in, uint64_t old, uint64_t data)
{
	unsigned bits = 8 * in->mem_size;
	uint64_t v = bits >= 64 ? data : data & ((1ul << bits) - 1);

	if (in->store)
		return old;
	if (in->ext == MMIO_EXT_SIGN && bits < 64)
		v = (v ^ 1ul << (bits - 1)) - (1ul << (bits - 1));
	/*
	 * Writing a register (vol. 1, 3.4.1.1): an 8-bit destination
	 * replaces only its byte (bits 7:0, or 15:8 for AH..BH), a 16-bit
	 * one bits 15:0; a 32-bit one is zero-extended to 64 bits; a 64-bit
	 * one is the whole register.
	 */
	switch (in->reg_size) {
	case 1:
		if (in->high_byte)
			return (old & ~0xff00ul) | (v & 0xff) << 8;
		return (old & ~0xfful) | (v & 0xff);
	case 2:
		return (old & ~0xfffful) | (v & 0xffff);
	case 4:
		return v & 0xffffffffu;
	default:
		return v;
	}
}

uint64_t mmio_next_rip(uint64_t rip, unsigned len, enum mmio_mode mode)
{
	/* IP wraps at 64 KiB in 16-bit code, EIP at 4 GiB in 32-bit code. */
	if (mode == MMIO_MODE_16)
		return (rip + len) & 0xffff;
	if (mode == MMIO_MODE_32)
		return (rip + len) & 0xffffffffu;
	return rip + len;
}
