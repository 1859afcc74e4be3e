/*
 * hcfuzz.h - the in-guest hypercall fuzzer (the "fuzz" self-test).
 *
 * hcfuzz_vmcall (hcfuzz_call.asm) makes one VMCALL with every general
 * register and RFLAGS loaded from hcfuzz_in and stores all of them, RSP
 * included, to hcfuzz_out right after, so that hcfuzz.c can check the
 * ABI's promise that nothing but RAX changes. The offsets reach the
 * assembly through asm_offsets.c.
 *
 * Environment: guest kernel, ring 0, interrupts off, on this hypervisor.
 */
/* SPDX-License-Identifier: MIT */
#ifndef GUEST_HCFUZZ_H
#define GUEST_HCFUZZ_H

#include <stddef.h>
#include <stdint.h>

struct hcfuzz_regs {
	uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp;
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t rsp;                   /* in: set by the stub; out: after VMCALL */
	uint64_t rflags;
};

extern struct hcfuzz_regs hcfuzz_in, hcfuzz_out;
void hcfuzz_vmcall(void);

/* What the "fuzz" self-test makes: about a second of Bochs. */
#define HCFUZZ_CALLS 100000ul

/*
 * Make calls hypercalls with hostile numbers and arguments and check each
 * result against the ABI and every register but RAX; prints a summary.
 * Returns 0, or -1 with the first failure in why.
 */
int hcfuzz_run(unsigned long calls, char *why, size_t whylen);

#endif
