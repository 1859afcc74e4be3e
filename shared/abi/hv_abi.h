/*
 * hv_abi.h - the guest/hypervisor contract: discovery.
 *
 * Included by both hv/ and guest/, in freestanding C; includes nothing from
 * either side.
 *
 * Hypercalls (abi.def lists them): VMCALL with the number in RAX,
 * arguments in RDI, RSI, RDX, the result in RAX; no other register changes
 * (so a patched call site needs no shuffling: pv ops take their arguments
 * in RDI, RSI too). A negative result is -HV_E*. VMCALL is honoured from
 * ring 0 only; pointers are guest-physical and checked against the guest's
 * RAM.
 *
 * Discovery (Intel SDM vol. 2A, CPUID: leaves 0x40000000-0x4FFFFFFF are
 * reserved for hypervisor use and return zero on bare metal; the "hypervisor
 * present" bit is CPUID.1:ECX[31]):
 *   CPUID 0x40000000 -> EAX = highest hypervisor leaf,
 *                       EBX:ECX:EDX = HV_ABI_SIGNATURE (12 ASCII bytes)
 *   CPUID 0x40000001 -> EAX = ABI version (major << 16 | minor),
 *                       EBX = feature bits (none defined yet)
 * A guest whose major version differs must not use the hypercalls: it
 * falls back to its native backend, and says so.
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
#define HV_ABI_VERSION_MINOR       4u   /* 2: console_write bounded; 3: virtual APIC, PV EOI;
					   4: SMP (send_ipi_mask, flush_tlb_others, wait, kick) */
#define HV_ABI_VERSION             ((HV_ABI_VERSION_MAJOR << 16) | HV_ABI_VERSION_MINOR)

_Static_assert(sizeof(HV_ABI_SIGNATURE) - 1 == 12, "signature is 12 bytes");

/*
 * Every hypercall does bounded work, whatever sizes the guest passes.
 * console_write checks the whole buffer [arg0, arg0 + arg1) against the
 * guest's RAM (-HV_EFAULT), then writes at most HV_CONSOLE_WRITE_MAX bytes
 * of it and returns how many it wrote: never 0 when arg1 is not 0, so a
 * guest that calls again from there until all is out always ends. 4 KiB:
 * the largest buffer the guest writes at once (its workload's console
 * part), so every buffer still costs one exit, and one exit pushes at most
 * 4096 bytes through the polled 16550: about 3.5e6 instructions in Bochs,
 * about 0.36 s of line time at 115200 baud on hardware (a 4 MiB write in
 * one exit was 3.6e9 instructions).
 */
#define HV_CONSOLE_WRITE_MAX       4096u

enum hv_hypercall {
#define HYPERCALL(nr, name, nargs, what) HC_##name = nr,
#include "abi.def"
	HC_COUNT
};

/* Errors, returned negated in RAX. */
enum hv_error {
	HV_OK = 0,
#define HV_ERROR(nr, name, what) HV_##name = nr,
#include "abi.def"
};

/*
 * The shared page: one guest page the guest names with HC_shared_page and
 * the hypervisor fills. Guest-physical, 4 KiB aligned; fields are grouped
 * by who writes them and never move (the ABI version says what is there).
 */
#define HV_SHARED_CPUID_MAX     32

struct hv_cpuid_leaf {
	uint32_t leaf, subleaf;
	uint32_t eax, ebx, ecx, edx;
};                                                      /* 24 bytes */
_Static_assert(sizeof(struct hv_cpuid_leaf) == 24, "hv_cpuid_leaf is 24 bytes");

/*
 * PV EOI (ABI 0.3): with HV_GUEST_PV_EOI set in guest_features, the
 * hypervisor may set HV_PV_EOI_PENDING in pv_eoi when it injects an
 * interrupt whose EOI has nothing else to unblock. The guest's EOI is then
 * clearing the bit (one locked or unlocked read-modify-write; it must see
 * the bit set to skip the EOI); when it finds the bit clear it does the EOI
 * the ordinary way (the EOI register, or HC_apic_eoi). Only the
 * hypervisor sets the bit, only the guest clears it while it is set.
 */
#define HV_PV_EOI_PENDING       1u
#define HV_GUEST_PV_EOI         1u

struct hv_shared_page {
	/* Written by the hypervisor, read by the guest. */
	uint32_t abi_version;                           /* 0x000 */
	uint32_t cpuid_count;                           /* 0x004: valid entries */
	struct hv_cpuid_leaf cpuid[HV_SHARED_CPUID_MAX]; /* 0x008: what CPUID returns */
	/* Set by the hypervisor, cleared by the guest. */
	uint32_t pv_eoi;                                /* 0x308: HV_PV_EOI_PENDING */
	uint8_t hv_reserved[2048 - 8 - 24 * HV_SHARED_CPUID_MAX - 4];
	/* Written by the guest, read by the hypervisor. */
	uint32_t guest_features;                        /* 0x800: HV_GUEST_* */
	uint8_t guest_reserved[2048 - 4];
};
_Static_assert(sizeof(struct hv_shared_page) == 4096, "the shared page is one page");
_Static_assert(__builtin_offsetof(struct hv_shared_page, cpuid) == 8, "cpuid at 0x008");
_Static_assert(__builtin_offsetof(struct hv_shared_page, pv_eoi) == 0x308, "pv_eoi at 0x308");
_Static_assert(__builtin_offsetof(struct hv_shared_page, guest_features) == 2048,
	       "the guest's half starts at 0x800");

#endif
