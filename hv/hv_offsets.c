/*
 * hv_offsets.c - C layout facts for the hypervisor's assembly, turned into
 * build/gen/hv_offsets.inc as guest/asm_offsets.c is.
 *
 * Environment: build host.
 */
/* SPDX-License-Identifier: MIT */
#include <stddef.h>
#include "hv.h"

#define DEFINE(sym, val) \
	asm volatile("\n.ascii \"->" #sym " %c0\"" : : "i"(val))
#define GR(reg, field) DEFINE(GR_##reg, offsetof(struct guest_regs, field))

void hv_offsets(void);
void hv_offsets(void)
{
	GR(RAX, rax); GR(RCX, rcx); GR(RDX, rdx); GR(RBX, rbx);
	GR(RBP, rbp); GR(RSI, rsi); GR(RDI, rdi);
	GR(R8, r8); GR(R9, r9); GR(R10, r10); GR(R11, r11);
	GR(R12, r12); GR(R13, r13); GR(R14, r14); GR(R15, r15);
	GR(TSC_EXIT, tsc_exit);
	DEFINE(VMCS_HOST_RSP, HOST_RSP);
}
