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
 *  - no exit where the shared page carries the answer (cached CPUID).
 * No hypervisor-written code enters guest memory: the guest writes every
 * byte itself, from templates here.
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

/* mov eax, imm32 (B8 id); vmcall (0F 01 C1): 8 bytes, clobbers RAX. */
#define VMCALL_BYTES(nr) { 0xb8, (nr) & 0xff, ((nr) >> 8) & 0xff, \
			   ((nr) >> 16) & 0xff, ((nr) >> 24) & 0xff, 0x0f, 0x01, 0xc1 }
static const uint8_t vmcall_halt[] = VMCALL_BYTES(HC_halt);
static const uint8_t vmcall_safe_halt[] = VMCALL_BYTES(HC_safe_halt);
static const uint8_t vmcall_console_write[] = VMCALL_BYTES(HC_console_write);
static const uint8_t vmcall_timer_arm[] = VMCALL_BYTES(HC_timer_arm);
static const uint8_t nothing[1];

#define VMCALL_TMPL(bytes, why) { bytes, bytes + sizeof(bytes), PV_CLOB_RAX, why }

/* Why each op keeps its native instruction under this hypervisor. */
static const char *const native_why[PV_NR_OPS] = {
	[PV_OP_save_fl] = "no exit: RFLAGS.IF is the guest's own under VMX",
	[PV_OP_restore_fl] = "no exit: RFLAGS.IF is the guest's own under VMX",
	[PV_OP_irq_disable] = "no exit: CLI does not exit",
	[PV_OP_irq_enable] = "no exit: STI does not exit",
	[PV_OP_read_cr2] = "no exit: CR2 is the guest's own",
	[PV_OP_read_cr3] = "no exit: no CR3-store exiting under EPT",
	[PV_OP_write_cr3] = "no exit: no CR3-load exiting under EPT",
	[PV_OP_flush_tlb_one] = "no exit: no INVLPG exiting under EPT",
	[PV_OP_flush_tlb_all] = "no exit: CR3 reloads do not exit under EPT",
	[PV_OP_clock_read] = "no exit: no RDTSC exiting",
};

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
 * Make the backend: name the shared page to the hypervisor, point the
 * call-template slots at their targets, and give each op its template.
 * Returns NULL (and says why) when the hypervisor will not have it.
 */
const struct pv_backend *pv_hv_backend(void)
{
	int64_t r = hypercall(HC_shared_page, (uint64_t)&shared_page, 0, 0);
	unsigned op;

	if (r != HV_OK) {
		kprintf("pv: the hypervisor refused the shared page (%ld): using native\n", r);
		return 0;
	}
	hv_backend = pv_native_backend;
	hv_backend.name = "hv";
	for (op = 0; op < PV_NR_OPS; op++)
		if (native_why[op])
			hv_backend.tmpl[op].why = native_why[op];
	hv_backend.tmpl[PV_OP_halt] = (struct pv_template)VMCALL_TMPL(vmcall_halt,
		"HLT exits anyway: the hypercall halts without decoding");
	hv_backend.tmpl[PV_OP_safe_halt] = (struct pv_template)VMCALL_TMPL(vmcall_safe_halt,
		"HLT exits anyway: one hypercall does STI; HLT as one step");
	hv_backend.tmpl[PV_OP_console_write] = (struct pv_template)VMCALL_TMPL(vmcall_console_write,
		"one exit per buffer (up to HV_CONSOLE_WRITE_MAX) instead of two per byte");
	hv_backend.tmpl[PV_OP_io_delay] = (struct pv_template){ nothing, nothing, 0,
		"nothing: the native OUT exits, and no device here needs the delay" };
	hv_backend.tmpl[PV_OP_cpuid] = (struct pv_template){ 0, 0, PV_CLOB_CPUID,
		"cached leaves on the shared page: no exit" };
	pv_ops.cpu.cpuid = hv_cpuid_thunk;
	if ((shared_page.abi_version & 0xffff) >= 3) {  /* the virtual APIC's ops */
		shared_page.guest_features |= HV_GUEST_PV_EOI;
		hv_backend.tmpl[PV_OP_apic_eoi] = (struct pv_template){ 0, 0, PV_CLOB_RAX,
			"PV EOI: clears the shared page's flag, no exit; one hypercall when "
			"the hypervisor left it clear (another vector pending)" };
		pv_ops.apic.apic_eoi = hv_pv_eoi_thunk;
		hv_backend.tmpl[PV_OP_timer_arm] = (struct pv_template)VMCALL_TMPL(
			vmcall_timer_arm, "one hypercall, not an MMIO exit the hypervisor decodes");
	}
	return &hv_backend;
}
