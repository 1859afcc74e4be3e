/*
 * hv_abi.h - the guest/hypervisor contract: discovery.
 *
 * Included by both hv/ and guest/, in freestanding C; includes nothing from
 * either side.
 *
 * Hypercalls (hypercalls.def lists them): VMCALL with the number in RAX,
 * arguments in RDI, RSI, RDX, the result in RAX; no other register changes.
 * A negative result is an HV_E* error. VMCALL is honoured from ring 0 only.
 *
 * Discovery (Intel SDM vol. 2A, CPUID: leaves 0x40000000-0x4FFFFFFF are
 * reserved for hypervisor use and return zero on bare metal; the "hypervisor
 * present" bit is CPUID.1:ECX[31]):
 *   CPUID 0x40000000 -> EAX = highest hypervisor leaf,
 *                       EBX:ECX:EDX = HV_ABI_SIGNATURE (12 ASCII bytes)
 *   CPUID 0x40000001 -> EAX = ABI version (major << 16 | minor),
 *                       EBX = feature bits
 */
/* SPDX-License-Identifier: MIT */
#ifndef SHARED_ABI_HV_ABI_H
#define SHARED_ABI_HV_ABI_H

#include <stdint.h>

#define HV_ABI_CPUID_PRESENT_BIT   31u          /* CPUID.1:ECX */
#define HV_ABI_CPUID_BASE          0x40000000u  /* signature, highest leaf */
#define HV_ABI_CPUID_VERSION       0x40000001u  /* ABI version, features */

/* "MiniVMXHV\0\0\0" as EBX, ECX, EDX (little-endian). */
#define HV_ABI_SIGNATURE           "MiniVMXHV\0\0\0"
#define HV_ABI_SIGNATURE_EBX       0x696e694du  /* "Mini" */
#define HV_ABI_SIGNATURE_ECX       0x48584d56u  /* "VMXH" */
#define HV_ABI_SIGNATURE_EDX       0x00000056u  /* "V\0\0\0" */

#define HV_ABI_VERSION_MAJOR       0u
#define HV_ABI_VERSION_MINOR       1u
#define HV_ABI_VERSION             ((HV_ABI_VERSION_MAJOR << 16) | HV_ABI_VERSION_MINOR)

_Static_assert(sizeof(HV_ABI_SIGNATURE) - 1 == 12, "signature is 12 bytes");

enum hv_hypercall {
#define HYPERCALL(nr, name, nargs, what) HC_##name = nr,
#include "hypercalls.def"
#undef HYPERCALL
};

/* Errors, returned negated in RAX. */
#define HV_OK           0
#define HV_ENOSYS       1       /* no such hypercall */
#define HV_EPERM        2       /* not from ring 0 */
#define HV_EINVAL       3       /* bad argument */
#define HV_EFAULT       4       /* pointer outside the guest's memory */

#endif
