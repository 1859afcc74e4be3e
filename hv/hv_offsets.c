/*
 * hv_offsets.c - C layout facts for the hypervisor's assembly, turned into
 * build/gen/hv_offsets.inc as guest/asm_offsets.c is.
 *
 * Environment: build host.
 */
/* SPDX-License-Identifier: MIT */
#include <stddef.h>
#include "hv.h"

_Static_assert(sizeof(struct cpuid_cache_entry) == 32, "vmentry.asm shifts a slot by 5");

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
	DEFINE(VMCS_HOST_RSP, HOST_RSP);
	DEFINE(VMCS_HOST_GS_BASE, HOST_GS_BASE);
	DEFINE(VMEXIT_ALL_REGS, VMEXIT_ALL_REGS);

	/* The CPUID answer cache and what answering from it reads. */
	DEFINE(VCPU_CPUID_CACHE, offsetof(struct vcpu, cpuid_cache));
	DEFINE(VCPU_EXIT_SLOW, offsetof(struct vcpu, exit_slow));
	DEFINE(EXIT_REASON_IO_INSTRUCTION, EXIT_REASON_IO_INSTRUCTION);
	DEFINE(EXIT_REASON_EPT_VIOLATION, EXIT_REASON_EPT_VIOLATION);
	DEFINE(CPUID_CACHE_SLOTS, CPUID_CACHE_SLOTS);
	DEFINE(CE_LEAF, offsetof(struct cpuid_cache_entry, leaf));
	DEFINE(CE_SUB, offsetof(struct cpuid_cache_entry, sub));
	DEFINE(CE_EAX, offsetof(struct cpuid_cache_entry, eax));
	DEFINE(CE_EBX, offsetof(struct cpuid_cache_entry, ebx));
	DEFINE(CE_ECX, offsetof(struct cpuid_cache_entry, ecx));
	DEFINE(CE_EDX, offsetof(struct cpuid_cache_entry, edx));
	DEFINE(EXIT_REASON_CPUID, EXIT_REASON_CPUID);
	DEFINE(EXIT_REASON_VMCALL, EXIT_REASON_VMCALL);
	DEFINE(VCPU_EVENT_TSC, offsetof(struct vcpu, event_tsc));
	DEFINE(VCPU_COUNT_CPUID, offsetof(struct vcpu, stats.count[EXIT_REASON_CPUID]));
	DEFINE(VMCS_EXIT_REASON, VM_EXIT_REASON);
	DEFINE(VMCS_EXIT_INSN_LEN, VM_EXIT_INSTRUCTION_LEN);
	DEFINE(VMCS_GUEST_INTERRUPTIBILITY, GUEST_INTERRUPTIBILITY);
	DEFINE(VMCS_GUEST_RIP, GUEST_RIP);
	DEFINE(VMCS_GUEST_RFLAGS, GUEST_RFLAGS);
	DEFINE(RFLAGS_TF, RFLAGS_TF);
}
