/*
 * kvm_mark.h - marks in KVM's trace where a bench op or workload part runs.
 *
 * Under Linux's KVM alone (platform_hv.kvm), a mark is a VMCALL with a
 * number KVM does not know: KVM traces every hypercall (the event
 * kvm:kvm_hypercall, its number and four arguments) before it answers
 * -KVM_ENOSYS, so the L1 that traces its exits (tools/run --kvm-exits,
 * boot/nested_init) can count the kvm_exit events between a begin and an
 * end mark. Anywhere else (bare metal, TCG, Bochs, this project's
 * hypervisor) a mark emits nothing: there VMCALL would raise #UD or be a
 * hypercall of another ABI. Marks go outside the TSC-timed regions.
 *
 * KVM's hypercall ABI (Linux, Documentation/virt/kvm/x86/hypercalls.rst):
 * number in RAX, arguments in RBX, RCX, RDX, RSI, result in RAX. A mark's
 * arguments: the name's bytes 0-7 and 8-15 (ASCII, little-endian, zero
 * padded: longer names are cut), begin or end, bench op or workload part.
 *
 * Environment: guest kernel, ring 0 (KVM refuses hypercalls from ring 3
 * before it looks at the number, after it has traced them).
 */
/* SPDX-License-Identifier: MIT */
#ifndef GUEST_KVM_MARK_H
#define GUEST_KVM_MARK_H

#include <stdint.h>
#include "guest.h"

#define KVM_MARK_NR    0x6b6d726bu      /* no KVM hypercall's: theirs are below 16 */
#define KVM_MARK_BEGIN 1
#define KVM_MARK_END   2
#define KVM_MARK_OP    0                /* a bench op: all 3n iterations */
#define KVM_MARK_PART  1                /* a workload part's measured body */

/* KVM's hypercall with four arguments; it writes RAX alone. */
static inline int64_t kvm_hypercall4(uint64_t nr, uint64_t a0, uint64_t a1,
				     uint64_t a2, uint64_t a3)
{
	uint64_t ret;

	asm volatile("vmcall"
		     : "=a"(ret)                /* result: RAX */
		     : "a"(nr),                 /* number: RAX */
		       "b"(a0),                 /* argument 0: RBX */
		       "c"(a1),                 /* argument 1: RCX */
		       "d"(a2),                 /* argument 2: RDX */
		       "S"(a3)                  /* argument 3: RSI */
		     : "memory");               /* an ordering point: the marked work stays between marks */
	return (int64_t)ret;
}

/* A begin or end mark for NAME (KVM_MARK_OP or KVM_MARK_PART); under KVM only. */
static inline void kvm_mark(const char *name, unsigned edge, unsigned kind)
{
	uint64_t w[2] = { 0, 0 };
	unsigned i;

	if (!platform_hv.kvm)
		return;
	for (i = 0; i < 16 && name[i]; i++)
		w[i / 8] |= (uint64_t)(uint8_t)name[i] << (8 * (i % 8));
	(void)kvm_hypercall4(KVM_MARK_NR, w[0], w[1], edge, kind);
}

#endif
