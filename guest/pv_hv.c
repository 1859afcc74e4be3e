/*
 * pv_hv.c - the pv ops' backend for this project's hypervisor.
 *
 * Per op, the cheapest thing under VMX with EPT (shared/../DESIGN.md):
 *  - the native instruction where it does not exit under this hypervisor
 *    (the interrupt flag, CR2/CR3, INVLPG, RDTSC);
 *  - an inline `mov eax, NR; vmcall` where the native form exits anyway
 *    (HLT; the virtual local APIC's timer register, whose MMIO exit the
 *    hypervisor would have to decode) or where one call does the work of
 *    many exits (a whole console buffer instead of two exits per byte);
 *  - no exit at all where the shared page can carry it: EOI clears a flag
 *    the hypervisor set (PV EOI, hv_abi.h), and takes the hypercall only
 *    when the hypervisor left the flag clear;
 *  - nothing at all where the native form exits for nothing (the I/O
 *    delay: no device here needs it);
 *  - no exit where the shared page carries the answer (cached CPUID);
 *  - one hypercall for a whole CPU mask (IPIs, a TLB shootdown: one exit
 *    instead of one per ICR write, and no IPI round trip to wait out), and
 *    for a contended lock's waiter a halt that the holder's kick ends,
 *    instead of a spin that burns the physical CPU the holder may need.
 * No hypervisor-written code enters guest memory: the guest writes every
 * byte itself, from templates in pv_hv_tmpl.c (pure, host-tested); here
 * the shared page and the thunks that call templates reach.
 *
 * Environment: guest kernel at boot (pv_boot), interrupts off.
 */
/* SPDX-License-Identifier: MIT */
#include "abi/hv_abi.h"
#include "guest.h"
#include "hypercall.h"
#include "lib.h"
#include "pv.h"
#include "pv_patch.h"
#include "x86.h"

static struct hv_shared_page shared_page __attribute__((aligned(4096)));
static struct pv_backend hv_backend;

/* Leaves whose answer depends on ECX (SDM vol. 2A, CPUID). */
static int subleaf_matters(uint32_t leaf)
{
	return leaf == 4 || leaf == 7 || leaf == 0xb || leaf == 0xd || leaf == 0xf ||
	       leaf == 0x10 || leaf == 0x12 || leaf == 0x14 || leaf == 0x17 ||
	       leaf == 0x18 || leaf == 0x1f;
}

/* C side of hv_cpuid_thunk: r[0] = leaf, r[2] = subleaf in; all four out. */
void hv_cpuid_lookup(uint32_t r[4]);
void hv_cpuid_lookup(uint32_t r[4])
{
	uint32_t leaf = r[0], sub = r[2], i;

	for (i = 0; i < shared_page.cpuid_count && i < HV_SHARED_CPUID_MAX; i++) {
		const struct hv_cpuid_leaf *l = &shared_page.cpuid[i];

		if (l->leaf == leaf && (!subleaf_matters(leaf) || l->subleaf == sub)) {
			r[0] = l->eax;
			r[1] = l->ebx;
			r[2] = l->ecx;
			r[3] = l->edx;
			return;
		}
	}
	cpuid(leaf, sub, &r[0], &r[1], &r[2], &r[3]);   /* not cached: it exits */
}

/*
 * The cpuid op's target: keeps every register but EAX, EBX, ECX, EDX (the
 * op's site contract) around a call to hv_cpuid_lookup.
 */
asm(".pushsection .text\n"
    ".globl hv_cpuid_thunk\n"
    "hv_cpuid_thunk:\n\t"
    ".intel_syntax noprefix\n\t"
    "push rdi; push rsi; push r8; push r9; push r10; push r11\n\t"
    "sub rsp, 24\n\t"
    "mov [rsp], eax; mov [rsp + 8], ecx\n\t"
    "mov rdi, rsp\n\t"
    "call hv_cpuid_lookup\n\t"
    "mov eax, [rsp]; mov ebx, [rsp + 4]; mov ecx, [rsp + 8]; mov edx, [rsp + 12]\n\t"
    "add rsp, 24\n\t"
    "pop r11; pop r10; pop r9; pop r8; pop rsi; pop rdi\n\t"
    "ret\n\t"
    ".att_syntax prefix\n"
    ".popsection");
extern const uint8_t hv_cpuid_thunk[];

/*
 * The apic_eoi op's target (site contract: RAX and the flags change). BTR
 * is atomic against nothing here, and needs not be: the hypervisor only
 * sets the bit while the guest is stopped in an exit, and only the guest
 * clears it while it runs.
 */
#define PV_EOI_OFFSET   0x308   /* of pv_eoi in the shared page */
#define PV_EOI_HC       9       /* HC_apic_eoi */
_Static_assert(__builtin_offsetof(struct hv_shared_page, pv_eoi) == PV_EOI_OFFSET, "pv_eoi");
_Static_assert(HC_apic_eoi == PV_EOI_HC, "HC_apic_eoi");
asm(".pushsection .text\n"
    ".globl hv_pv_eoi_thunk\n"
    "hv_pv_eoi_thunk:\n\t"
    "btrl $0, shared_page+" PV_STR(PV_EOI_OFFSET) "(%rip)\n\t"
    "jc 1f\n\t"
    "movl $" PV_STR(PV_EOI_HC) ", %eax\n\t"
    "vmcall\n"
    "1:\tret\n"
    ".popsection");
extern const uint8_t hv_pv_eoi_thunk[];

/*
 * Make the backend: name the shared page to the hypervisor, give each op
 * its template (pv_hv_tmpl.c), and point the call-template slots at their
 * targets.
 * Returns NULL (and says why) when the hypervisor will not have it.
 */
const struct pv_backend *pv_hv_backend(void)
{
	int64_t r = hypercall(HC_shared_page, (uint64_t)&shared_page, 0, 0);

	if (r != HV_OK) {
		kprintf("pv: the hypervisor refused the shared page (%ld): using native\n", r);
		return 0;
	}
	pv_hv_templates(&hv_backend, shared_page.abi_version);
	pv_ops.cpu.cpuid = hv_cpuid_thunk;
	if ((shared_page.abi_version & 0xffff) >= PV_HV_ABI_APIC) {
		shared_page.guest_features |= HV_GUEST_PV_EOI;
		pv_ops.apic.apic_eoi = hv_pv_eoi_thunk;
	}
	return &hv_backend;
}
