/*
 * mmio_decode.c - a decoder for the plain moves that touch MMIO.
 *
 * Instruction format: SDM vol. 2A, chapter 2 (prefixes 2.1.1, REX 2.2.1,
 * ModR/M and SIB 2.1.5, tables 2-2 and 2-3).
 *
 * Environment: hypervisor; pure logic, also in the host tests.
 */
/* SPDX-License-Identifier: MIT */
#include "mmio_decode.h"

#define REX_W 8
#define REX_R 4

/* Bytes of ModR/M, SIB and displacement from the ModR/M byte at p. */
static int modrm_len(const uint8_t *p, unsigned avail)
{
	unsigned mod, rm, n = 1;

	if (avail < 1)
		return -1;
	mod = p[0] >> 6;
	rm = p[0] & 7;
	if (mod == 3)
		return -1;                      /* a register: no memory access */
	if (rm == 4) {                          /* SIB follows */
		if (avail < 2)
			return -1;
		n++;
		if (mod == 0 && (p[1] & 7) == 5)
			n += 4;                 /* no base: disp32 */
	} else if (mod == 0 && rm == 5) {
		n += 4;                         /* RIP-relative (or disp32) */
	}
	if (mod == 1)
		n += 1;
	else if (mod == 2)
		n += 4;
	return n <= avail ? (int)n : -1;
}

int mmio_decode(const uint8_t *code, unsigned avail, int long_mode,
		struct mmio_insn *out)
{
	unsigned i = 0, opsize = 4, rex = 0, imm = 0;
	int ml;
	uint8_t op;

	for (;; i++) {                          /* legacy prefixes */
		if (i >= avail || i >= 14)
			return -1;
		if (code[i] == 0x66)
			opsize = 2;
		else if (code[i] == 0x67)
			return -1;              /* other address sizes: not ours */
		else if (code[i] != 0x2e && code[i] != 0x36 && code[i] != 0x3e &&
			 code[i] != 0x26 && code[i] != 0x64 && code[i] != 0x65)
			break;
	}
	if (long_mode && (code[i] & 0xf0) == 0x40) {
		rex = code[i++];
		if (rex & REX_W)
			opsize = 8;
		if (i >= avail)
			return -1;
	}
	op = code[i++];
	out->write = 0;
	out->reg = -1;
	out->high_byte = 0;
	if (op >= 0xa0 && op <= 0xa3) {         /* MOV AL/rAX <-> moffs */
		unsigned moffs = long_mode ? 8 : 4;

		out->size = out->dst_size = op & 1 ? opsize : 1;
		out->write = op >= 0xa2;
		out->reg = 0;
		out->len = i + moffs;
		return out->len <= avail ? 0 : -1;
	}
	if (op == 0x0f) {                       /* MOVZX */
		if (i >= avail || (code[i] != 0xb6 && code[i] != 0xb7))
			return -1;
		out->size = code[i++] == 0xb6 ? 1 : 2;
		out->dst_size = opsize == 8 ? 8 : opsize;
	} else if (op == 0x88 || op == 0x8a || op == 0xc6) {
		out->size = out->dst_size = 1;
	} else if (op == 0x89 || op == 0x8b || op == 0xc7) {
		out->size = out->dst_size = opsize;
	} else {
		return -1;
	}
	if (i >= avail)
		return -1;
	if (op == 0xc6 || op == 0xc7) {
		if ((code[i] >> 3 & 7) != 0)
			return -1;              /* C6/C7 /0 only */
		out->write = 1;
		imm = op == 0xc6 ? 1 : (opsize == 2 ? 2 : 4);
	} else {
		out->write = op == 0x88 || op == 0x89;
		out->reg = (code[i] >> 3 & 7) | (rex & REX_R ? 8 : 0);
		/* Without REX, byte registers 4-7 are AH, CH, DH, BH. */
		if (out->size == 1 && op != 0x0f && !rex && out->reg >= 4) {
			out->reg -= 4;
			out->high_byte = 1;
		}
	}
	ml = modrm_len(code + i, avail - i);
	if (ml < 0 || i + (unsigned)ml + imm > avail)
		return -1;
	out->len = i + (unsigned)ml + imm;
	return out->len <= 15 ? 0 : -1;
}
