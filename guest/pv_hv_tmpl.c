/*
 * pv_hv_tmpl.c - what the hypervisor backend writes at each op's sites,
 * and why, by the ABI version the hypervisor speaks (pv_hv.c says why the
 * choices are what they are).
 *
 * Pure logic and constant bytes: pv_hv.c names the shared page to the
 * hypervisor and points the call slots at its thunks; the choice of
 * template is here, where the host tests read it (tests/host/test_pv_patch).
 *
 * Environment: guest kernel at boot, interrupts off; also built into the
 * host tests.
 */
/* SPDX-License-Identifier: MIT */
#include "abi/hv_abi.h"
#include "pv_patch.h"

/* mov eax, imm32 (B8 id); vmcall (0F 01 C1): 8 bytes, clobbers RAX. */
#define VMCALL_BYTES(nr) { 0xb8, (nr) & 0xff, ((nr) >> 8) & 0xff, \
			   ((nr) >> 16) & 0xff, ((nr) >> 24) & 0xff, 0x0f, 0x01, 0xc1 }
static const uint8_t vmcall_halt[] = VMCALL_BYTES(HC_halt);
static const uint8_t vmcall_safe_halt[] = VMCALL_BYTES(HC_safe_halt);
static const uint8_t vmcall_console_write[] = VMCALL_BYTES(HC_console_write);
static const uint8_t vmcall_timer_arm[] = VMCALL_BYTES(HC_timer_arm);
static const uint8_t vmcall_send_ipi_mask[] = VMCALL_BYTES(HC_send_ipi_mask);
static const uint8_t vmcall_flush_tlb_others[] = VMCALL_BYTES(HC_flush_tlb_others);
static const uint8_t vmcall_wait[] = VMCALL_BYTES(HC_wait);
static const uint8_t vmcall_kick[] = VMCALL_BYTES(HC_kick);
static const uint8_t nothing[1];

#define VMCALL_TMPL(bytes, why) \
	((struct pv_template){ bytes, bytes + sizeof(bytes), PV_CLOB_RAX, why })

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

void pv_hv_templates(struct pv_backend *b, uint32_t abi_version)
{
	unsigned op, minor = abi_version & 0xffff;

	*b = pv_native_backend;
	b->name = "hv";
	for (op = 0; op < PV_NR_OPS; op++)
		if (native_why[op])
			b->tmpl[op].why = native_why[op];
	b->tmpl[PV_OP_halt] = VMCALL_TMPL(vmcall_halt,
		"HLT exits anyway: the hypercall halts without decoding");
	b->tmpl[PV_OP_safe_halt] = VMCALL_TMPL(vmcall_safe_halt,
		"HLT exits anyway: one hypercall does STI; HLT as one step");
	b->tmpl[PV_OP_console_write] = VMCALL_TMPL(vmcall_console_write,
		"one exit per buffer (up to HV_CONSOLE_WRITE_MAX) instead of two per byte");
	b->tmpl[PV_OP_io_delay] = (struct pv_template){ nothing, nothing, 0,
		"nothing: the native OUT exits, and no device here needs the delay" };
	b->tmpl[PV_OP_cpuid] = (struct pv_template){ 0, 0, PV_CLOB_CPUID,
		"cached leaves on the shared page: no exit" };
	if (minor >= PV_HV_ABI_APIC) {
		b->tmpl[PV_OP_apic_eoi] = (struct pv_template){ 0, 0, PV_CLOB_RAX,
			"PV EOI: clears the shared page's flag, no exit; one hypercall when "
			"the hypervisor left it clear (another vector pending)" };
		b->tmpl[PV_OP_timer_arm] = VMCALL_TMPL(vmcall_timer_arm,
			"one hypercall, not an MMIO exit the hypervisor decodes");
	}
	if (minor >= PV_HV_ABI_SMP) {
		b->tmpl[PV_OP_send_ipi_mask] = VMCALL_TMPL(vmcall_send_ipi_mask,
			"one hypercall for the whole mask, not an ICR write exit per CPU");
		b->tmpl[PV_OP_flush_tlb_others] = VMCALL_TMPL(vmcall_flush_tlb_others,
			"one hypercall, done on return: no IPIs, no waiting for the other "
			"vCPUs to run a handler");
		b->tmpl[PV_OP_wait] = VMCALL_TMPL(vmcall_wait,
			"the waiter halts until the holder's kick: no spinning vCPU");
		b->tmpl[PV_OP_kick] = VMCALL_TMPL(vmcall_kick,
			"wakes the waiting vCPU, or makes its next wait return at once");
	}
}
