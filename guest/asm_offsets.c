/*
 * asm_offsets.c - C layout facts for the assembly, in the Linux
 * asm-offsets manner: compiled to assembly only, then the "->NAME VALUE"
 * markers are turned into NASM %defines (build/gen/asm_offsets.inc).
 *
 * Environment: build host.
 */
/* SPDX-License-Identifier: MIT */
#include <stddef.h>
#include "hcfuzz.h"
#include "pv.h"
#include "smp.h"
#include "trap.h"

#define DEFINE(sym, val) \
	asm volatile("\n.ascii \"->" #sym " %c0\"" : : "i"(val))

void asm_offsets(void);
void asm_offsets(void)
{
#define PV_ASM(group, name, len, clob, nclob)                   \
	DEFINE(PV_OFF_##name, PV_OP_OFFSET(group, name));       \
	DEFINE(PV_LEN_##name, len);                             \
	DEFINE(PV_OPNUM_##name, PV_OP_##name);                  \
	DEFINE(PV_CLOB_##name, clob);
	PV_OP_LIST(PV_ASM)
#undef PV_ASM
	DEFINE(PV_CALL_INDIRECT_LEN, PV_CALL_INDIRECT_LEN);
	DEFINE(PV_SITE_SIZE, sizeof(struct pv_site));


	DEFINE(TF_CR2, offsetof(struct trap_frame, cr2));
	DEFINE(TF_VECTOR, offsetof(struct trap_frame, vector));
	DEFINE(TF_SIZE, sizeof(struct trap_frame));

#define HR(reg, REG) DEFINE(HR_##REG, offsetof(struct hcfuzz_regs, reg))
	HR(rax, RAX); HR(rbx, RBX); HR(rcx, RCX); HR(rdx, RDX);
	HR(rsi, RSI); HR(rdi, RDI); HR(rbp, RBP);
	HR(r8, R8); HR(r9, R9); HR(r10, R10); HR(r11, R11);
	HR(r12, R12); HR(r13, R13); HR(r14, R14); HR(r15, R15);
	HR(rsp, RSP); HR(rflags, RFLAGS);
#undef HR
}
