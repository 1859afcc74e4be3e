/*
 * mmio_decode.h - decode the one instruction that touched absent MMIO.
 *
 * An EPT violation reports the guest-physical address but not what the
 * instruction wanted (SDM vol. 3C, 28.2.1: no instruction length or
 * operand for EPT violations), so to make absent MMIO behave as absent
 * hardware does - reads return all ones, writes vanish - the hypervisor
 * decodes the instruction itself. Only the plain moves that device drivers
 * use are understood, in 16-, 32- and 64-bit code:
 *
 *   88, 89 /r      MOV r/m, reg              (store)
 *   8A, 8B /r      MOV reg, r/m              (load)
 *   C6 /0 ib, C7 /0 iw/id  MOV r/m, imm      (store)
 *   A0-A3          MOV AL/rAX <-> moffs      (load A0 A1, store A2 A3)
 *   0F B6, 0F B7   MOVZX reg, r/m8 / r/m16   (load, zero-extended)
 *   0F BE, 0F BF   MOVSX reg, r/m8 / r/m16   (load, sign-extended)
 *   63 /r          MOVSXD reg, r/m32         (64-bit mode only; load)
 *
 * with segment, operand-size (66), address-size (67) and REX prefixes.
 * Everything else - read-modify-write instructions, string moves, VEX,
 * REP/REPNE (F3/F2) prefixes - is refused, never guessed at.
 *
 * Environment: hypervisor; pure logic, also in the host tests and the
 * fuzzer (no I/O, no globals, reads no byte at or past count).
 */
/* SPDX-License-Identifier: MIT */
#ifndef HV_MMIO_DECODE_H
#define HV_MMIO_DECODE_H

#include <stdint.h>

/* The longest instruction the CPU executes (SDM vol. 2A, 2.3.11). */
#define MMIO_INSN_MAX   15

/* The code's default operand and address size: 16-, 32- or 64-bit. */
enum mmio_mode {
	MMIO_MODE_16 = 2,
	MMIO_MODE_32 = 4,
	MMIO_MODE_64 = 8,
};

enum mmio_decode_result {
	MMIO_DECODED,           /* a move we understand: *out filled */
	MMIO_UNKNOWN,           /* any other instruction: stop the guest */
	MMIO_TRUNCATED,         /* needs a byte at or past count (< 15) */
	MMIO_TOO_LONG,          /* longer than 15 bytes: the CPU raises #GP(0) */
	MMIO_LOCKED,            /* LOCK on a move: the CPU raises #UD */
};

enum mmio_ext {
	MMIO_EXT_NONE,          /* memory operand as wide as the register */
	MMIO_EXT_ZERO,          /* MOVZX */
	MMIO_EXT_SIGN,          /* MOVSX, MOVSXD */
};

struct mmio_insn {
	unsigned len;           /* bytes, prefixes included: 1..15 */
	unsigned op_size;       /* operand-size attribute: 2, 4 or 8 */
	unsigned addr_size;     /* address-size attribute: 2, 4 or 8 */
	unsigned mem_size;      /* bytes read or written in memory: 1, 2, 4, 8 */
	unsigned reg_size;      /* bytes of the register operand: 1, 2, 4, 8 */
	int reg;                /* register 0..15 (RAX..R15), -1 for an immediate */
	int high_byte;          /* reg is AH, CH, DH or BH (reg 0..3, bits 15:8) */
	int store;              /* 1: memory is written; 0: a register is loaded */
	uint64_t imm;           /* reg -1: the immediate, as the CPU extends it */
	enum mmio_ext ext;      /* how a load widens mem_size to reg_size */
};

/*
 * Decode the instruction in code[0..count) for code of the given mode.
 * Reads code[i] only for i < count and i < 15. *out is filled only when
 * the result is MMIO_DECODED.
 */
enum mmio_decode_result mmio_decode(const uint8_t *code, unsigned count,
				    enum mmio_mode mode, struct mmio_insn *out);

/*
 * The mode of the code the CPU runs, from the guest's CR0, IA32_EFER,
 * RFLAGS and CS access rights (VMCS format, SDM vol. 3C, 25.4.1).
 */
enum mmio_mode mmio_cpu_mode(uint64_t cr0, uint64_t efer, uint64_t rflags,
			     uint32_t cs_ar);

/*
 * A load's register after it: old merged with the loaded data (its low
 * mem_size bytes) by the rules of the destination's width.
 */
uint64_t mmio_load_result(const struct mmio_insn *in, uint64_t old, uint64_t data);

/* What a store writes (its low mem_size bytes): the immediate, or the
 * register's value (reg: the whole register reg names). */
uint64_t mmio_store_value(const struct mmio_insn *in, uint64_t reg);

/* The instruction pointer after len bytes, wrapped as the mode wraps it. */
uint64_t mmio_next_rip(uint64_t rip, unsigned len, enum mmio_mode mode);

#endif
