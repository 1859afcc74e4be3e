/*
 * hypercall.h - the guest's one way into the hypervisor: VMCALL.
 *
 * The convention is shared/abi/hv_abi.h's: number in RAX, arguments in RDI,
 * RSI, RDX, result in RAX. Only call this after platform_detect() found
 * this hypervisor: without one, VMCALL raises #UD.
 *
 * Environment: guest kernel, ring 0.
 */
/* SPDX-License-Identifier: MIT */
#ifndef GUEST_HYPERCALL_H
#define GUEST_HYPERCALL_H

#include <stdint.h>
#include "abi/hv_abi.h"

/* A hypercall without arguments: only RAX goes in. */
static inline int64_t hypercall0(unsigned nr)
{
	uint64_t ret;

	asm volatile("vmcall"
		     : "=a"(ret)                /* result: RAX */
		     : "a"((uint64_t)nr)        /* number: RAX */
		     : "memory");               /* the hypervisor may read or write guest memory */
	return (int64_t)ret;
}

static inline int64_t hypercall(unsigned nr, uint64_t a0, uint64_t a1, uint64_t a2)
{
	uint64_t ret;

	asm volatile("vmcall"
		     : "=a"(ret)                /* result: RAX */
		     : "a"((uint64_t)nr),       /* number: RAX */
		       "D"(a0),                 /* argument 0: RDI */
		       "S"(a1),                 /* argument 1: RSI */
		       "d"(a2)                  /* argument 2: RDX */
		     : "memory");               /* the hypervisor may read or write guest memory */
	return (int64_t)ret;
}

#endif
