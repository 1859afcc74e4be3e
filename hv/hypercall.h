/*
 * hypercall.h - the hypercall dispatch, inline in the VM-exit handler: a
 * null hypercall's whole round trip is this path, so it is kept short
 * (make bench measures it against KVM's).
 *
 * Number in RAX, arguments in RDI, RSI, RDX, result in RAX (hv_abi.h);
 * from any ring but 0 the answer is -HV_EPERM, an unknown number gets
 * -HV_ENOSYS. The handlers are hypercall.c's, one per line of abi.def.
 *
 * Environment: hypervisor, root mode, on a VMCALL exit.
 */
/* SPDX-License-Identifier: MIT */
#ifndef HV_HYPERCALL_H
#define HV_HYPERCALL_H

#include "abi/hv_abi.h"
#include "hv.h"

typedef int64_t hypercall_fn(struct vcpu *v);
extern hypercall_fn *const hypercall_table[HC_COUNT];

static inline void hypercall_dispatch(struct vcpu *v)
{
	uint64_t nr = v->regs.rax;

	_Static_assert(HC_COUNT < STAT_HC_SLOTS, "each hypercall its own statistics slot");
	if (__builtin_expect(guest_cpl(v->rflags) != 0, 0)) {
		v->stat_slot = STAT_HC_SLOT(nr);
		v->regs.rax = (uint64_t)-HV_EPERM;
	} else if (__builtin_expect(nr < HC_COUNT, 1)) {
		v->stat_slot = STAT_REASON_SLOTS + (unsigned)nr;       /* STAT_HC_SLOT */
		v->regs.rax = (uint64_t)hypercall_table[nr](v);
	} else {
		v->stat_slot = STAT_HC_SLOT(nr);
		v->regs.rax = (uint64_t)-HV_ENOSYS;
	}
	vcpu_skip_insn(v);
}

#endif
