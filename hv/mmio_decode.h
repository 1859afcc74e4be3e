/*
 * mmio_decode.h - decode the one instruction that touched absent MMIO.
 *
 * An EPT violation reports the guest-physical address but not what the
 * instruction wanted (SDM vol. 3C, 28.2.1: no instruction length or
 * operand for EPT violations), so to make absent MMIO behave as absent
 * hardware does - reads return all ones, writes vanish - the hypervisor
 * decodes the instruction itself. Only the plain moves that device drivers
 * use are understood: MOV r/m<->reg (88, 89, 8A, 8B), MOV r/m, imm (C6,
 * C7), MOV AL/rAX<->moffs (A0-A3), MOVZX (0F B6, 0F B7), with operand-size,
 * segment and REX prefixes.
 *
 * Environment: hypervisor; pure logic, also in the host tests.
 */
/* SPDX-License-Identifier: MIT */
#ifndef HV_MMIO_DECODE_H
#define HV_MMIO_DECODE_H

#include <stdint.h>

struct mmio_insn {
	unsigned len;           /* bytes, prefixes included */
	int write;              /* 1: a store to the MMIO address */
	unsigned size;          /* memory operand: 1, 2, 4 or 8 bytes */
	unsigned dst_size;      /* register written by a load (MOVZX: 4 or 8) */
	int reg;                /* register number (ModRM.reg + REX.R), or -1 */
	int high_byte;          /* reg is AH, CH, DH or BH */
};

/*
 * code: the bytes at the guest's RIP (avail of them); long_mode: CS.L (the
 * 64-bit default). Returns 0, or -1 for anything else.
 */
int mmio_decode(const uint8_t *code, unsigned avail, int long_mode,
		struct mmio_insn *out);

#endif
