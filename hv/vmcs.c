/*
 * vmcs.c - the VMCS: controls, host state, the guest's first state, and
 * the report when a VM entry fails.
 *
 * The guest is entered exactly as a Multiboot loader leaves a kernel
 * (Multiboot spec 3.2): 32-bit protected mode, paging off, flat 4 GiB
 * segments, EAX = 0x2BADB002, EBX = the info block. Protected mode without
 * paging under VMX needs "unrestricted guest" (SDM vol. 3C, 27.3.1.1:
 * with it, CR0.PE and CR0.PG are exempt from the fixed-bit checks). The
 * guest's other CPUs start as hardware starts an AP (vmcs_start_real):
 * in real mode at the start-up IPI's page.
 *
 * Environment: hypervisor, root mode, with the vCPU's VMCS current.
 */
/* SPDX-License-Identifier: MIT */
#include "hv.h"
#include "lib.h"
#include "x86.h"

#define SEL_CODE        0x08
#define SEL_DATA        0x10
/* Segment access rights (25.4.1, table 25-2): type, S, DPL, P, D/B, G. */
#define AR_CODE32       0xc09bu         /* execute/read, accessed */
#define AR_DATA32       0xc093u         /* read/write, accessed */
#define AR_TSS32_BUSY   0x008bu
#define AR_UNUSABLE     0x10000u
#define PAT_DEFAULT     0x0007040600070406ul
#define MB_MAGIC_EAX    0x2badb002u

extern char vmx_exit_entry[];

static const struct {
	const char *name;
	uint32_t enc;
} vmcs_fields[] = {
#define VMCS_FIELD(name, enc) { #name, enc },
#include "vmcs_fields.def"
#undef VMCS_FIELD
};

/* vmcs_write() (hv.h) found a VMWRITE failing: the hypervisor's bug. */
void vmcs_write_failed(enum vmcs_field f, uint64_t v)
{
	panic("VMWRITE of field 0x%x <- 0x%lx failed: %s", f, v,
		      vmx_instruction_error_name((uint32_t)vmread(VM_INSTRUCTION_ERROR)));
}

static void setup_host(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) gdtr, idtr;
	uint64_t cr0, cr3, cr4;
	uint16_t tr;

	asm volatile("mov %%cr0, %0" : "=r"(cr0));
	asm volatile("mov %%cr3, %0" : "=r"(cr3));
	asm volatile("mov %%cr4, %0" : "=r"(cr4));
	asm volatile("sgdt %0" : "=m"(gdtr));
	asm volatile("sidt %0" : "=m"(idtr));
	asm volatile("str %0" : "=r"(tr));
	vmcs_write(HOST_CR0, cr0);
	vmcs_write(HOST_CR3, cr3);
	vmcs_write(HOST_CR4, cr4);
	vmcs_write(HOST_CS_SELECTOR, SEL_CODE);
	vmcs_write(HOST_SS_SELECTOR, SEL_DATA);
	vmcs_write(HOST_DS_SELECTOR, SEL_DATA);
	vmcs_write(HOST_ES_SELECTOR, SEL_DATA);
	vmcs_write(HOST_FS_SELECTOR, 0);
	vmcs_write(HOST_GS_SELECTOR, 0);
	/* 27.2.3: the host TR selector must not be 0. */
	vmcs_write(HOST_TR_SELECTOR, tr);
	vmcs_write(HOST_TR_BASE, hv_tss_base());
	vmcs_write(HOST_FS_BASE, 0);
	vmcs_write(HOST_GS_BASE, 0);            /* vmx_run: the vCPU's regs */
	vmcs_write(HOST_GDTR_BASE, gdtr.base);
	vmcs_write(HOST_IDTR_BASE, idtr.base);
	vmcs_write(HOST_IA32_SYSENTER_CS, 0);
	vmcs_write(HOST_IA32_SYSENTER_ESP, 0);
	vmcs_write(HOST_IA32_SYSENTER_EIP, 0);
	vmcs_write(HOST_IA32_EFER, rdmsr(MSR_IA32_EFER));
	vmcs_write(HOST_IA32_PAT, rdmsr(MSR_IA32_PAT));
	vmcs_write(HOST_RIP, (uint64_t)vmx_exit_entry);
}

static void guest_segment(enum vmcs_field sel, uint16_t s, uint32_t ar)
{
	/* Selector, then limit, AR and base at fixed distances (appendix B). */
	unsigned i = (sel - GUEST_ES_SELECTOR) / 2;

	vmcs_write(sel, s);
	vmcs_write(GUEST_ES_LIMIT + 2 * i, ar == AR_UNUSABLE ? 0 : 0xffffffff);
	vmcs_write(GUEST_ES_AR + 2 * i, ar);
	vmcs_write(GUEST_ES_BASE + 2 * i, 0);
}

/*
 * CR0 and CR4 bits the guest owns (25.6.6): every value is legal and the
 * CPU applies their rules itself. A write changing any other bit exits to
 * cr.c, which applies the SDM's; reads of those return the read shadow.
 * CR4.OSXSAVE and CR4.PKE exit too: CPUID's answers follow them (cpuid.c
 * keeps answers until one of those changes).
 */
#define CR0_GUEST_OWNED (CR0_MP | CR0_EM | CR0_TS | CR0_WP | CR0_AM)
#define CR4_GUEST_OWNED (CR4_TSD | CR4_DE | CR4_PSE | CR4_MCE | CR4_PGE | CR4_PCE | \
			 CR4_OSFXSR | CR4_OSXMMEXCPT | CR4_UMIP | CR4_FSGSBASE | \
			 CR4_SMEP | CR4_SMAP)
/* CR4 bits a guest may never set: VMX and SMX are hidden (cpuid.c), as are
 * CET, PKS and anything newer. */
#define CR4_NEVER (CR4_VMXE | CR4_SMXE | CR4_CET | ~0xffffffful)

static void setup_guest(struct vcpu *v, uint32_t entry, uint32_t info_gpa)
{
	const struct vmx_caps *c = v->caps;
	uint64_t fixed0 = c->cr0_fixed0 & ~(CR0_PE | CR0_PG);
	uint32_t a, b, d, cx;

	/* Owned by the guest only where VMX leaves the bit free. */
	v->cr0_mask = ~(CR0_GUEST_OWNED & ~fixed0 & c->cr0_fixed1);
	v->cr4_mask = ~(CR4_GUEST_OWNED & ~c->cr4_fixed0 & c->cr4_fixed1);
	v->cr4_valid = c->cr4_fixed1 & ~CR4_NEVER;
	cpuid_cache_flush(v->cpuid_cache);
	cpuid(0x80000000, 0, &a, &b, &cx, &d);
	v->maxphyaddr = 36;
	if (a >= 0x80000008) {
		cpuid(0x80000008, 0, &a, &b, &cx, &d);
		v->maxphyaddr = a & 0xff;
	}
	v->cr0_shadow = CR0_PE | CR0_ET;
	v->cr4_shadow = 0;
	vmcs_write(GUEST_CR0, (v->cr0_shadow | fixed0) & c->cr0_fixed1);
	vmcs_write(GUEST_CR4, c->cr4_fixed0 & c->cr4_fixed1);
	vmcs_write(CR0_GUEST_HOST_MASK, v->cr0_mask);
	vmcs_write(CR4_GUEST_HOST_MASK, v->cr4_mask);
	vmcs_write(CR0_READ_SHADOW, v->cr0_shadow);
	vmcs_write(CR4_READ_SHADOW, v->cr4_shadow);
	vmcs_write(GUEST_CR3, 0);
	vmcs_write(GUEST_DR7, 0x400);

	guest_segment(GUEST_CS_SELECTOR, SEL_CODE, AR_CODE32);
	guest_segment(GUEST_SS_SELECTOR, SEL_DATA, AR_DATA32);
	guest_segment(GUEST_DS_SELECTOR, SEL_DATA, AR_DATA32);
	guest_segment(GUEST_ES_SELECTOR, SEL_DATA, AR_DATA32);
	guest_segment(GUEST_FS_SELECTOR, SEL_DATA, AR_DATA32);
	guest_segment(GUEST_GS_SELECTOR, SEL_DATA, AR_DATA32);
	guest_segment(GUEST_LDTR_SELECTOR, 0, AR_UNUSABLE);
	/* 27.3.1.2: TR must be a usable busy TSS even if the guest has none. */
	vmcs_write(GUEST_TR_SELECTOR, 0);
	vmcs_write(GUEST_TR_BASE, 0);
	vmcs_write(GUEST_TR_LIMIT, 0xff);
	vmcs_write(GUEST_TR_AR, AR_TSS32_BUSY);
	vmcs_write(GUEST_GDTR_BASE, 0);
	vmcs_write(GUEST_GDTR_LIMIT, 0xffff);
	vmcs_write(GUEST_IDTR_BASE, 0);
	vmcs_write(GUEST_IDTR_LIMIT, 0xffff);

	vmcs_write(GUEST_RIP, entry);
	vmcs_write(GUEST_RSP, 0);
	vmcs_write(GUEST_RFLAGS, RFLAGS_FIXED);
	vmcs_write(GUEST_IA32_EFER, 0);
	vmcs_write(GUEST_IA32_PAT, PAT_DEFAULT);
	vmcs_write(GUEST_IA32_DEBUGCTL, 0);
	/* XCR0 as after RESET (vol. 1, 13.3): x87 only. */
	v->xcr0 = v->host_xcr0 ? XFEATURE_X87 : 0;
	vmcs_write(GUEST_SYSENTER_CS, 0);
	vmcs_write(GUEST_SYSENTER_ESP, 0);
	vmcs_write(GUEST_SYSENTER_EIP, 0);
	vmcs_write(GUEST_ACTIVITY_STATE, ACTIVITY_ACTIVE);
	vmcs_write(GUEST_INTERRUPTIBILITY, 0);
	vmcs_write(GUEST_PENDING_DBG_EXCEPTIONS, 0);
	vmcs_write(VMCS_LINK_POINTER, ~0ul);         /* 27.3.1.5: no shadow VMCS */

	memset(&v->regs, 0, sizeof(v->regs));
	v->regs.rax = MB_MAGIC_EAX;
	v->regs.rbx = info_gpa;
}

/*
 * The guest's AP after INIT and a start-up IPI with this vector (SDM vol.
 * 3A, 9.1.1, table 9-1; 11.6.1): real mode, CS = vector << 8 with base
 * vector << 12, IP 0, the other segments 0 with 64 KiB limits, CR0 =
 * 0x60000010 (CD, NW, ET), CR4, EFER and CR3 0, EDX the CPU's signature
 * (CPUID.1:EAX), the other registers 0. Unrestricted guest lets it run
 * with CR0.PE clear; its real-mode segments are usable, present,
 * read/write accessed (type 3, or 11 for CS), DPL 0 (27.3.1.2).
 */
#define AR_REAL_CODE    0x009bu
#define AR_REAL_DATA    0x0093u
void vmcs_start_real(struct vcpu *v, unsigned vector)
{
	static const enum vmcs_field data[] = {
		GUEST_SS_SELECTOR, GUEST_DS_SELECTOR, GUEST_ES_SELECTOR,
		GUEST_FS_SELECTOR, GUEST_GS_SELECTOR,
	};
	const struct vmx_caps *c = v->caps;
	uint64_t fixed0 = c->cr0_fixed0 & ~(CR0_PE | CR0_PG);
	uint32_t a, b, cx, d;
	unsigned i;

	v->cr0_shadow = CR0_CD | CR0_NW | CR0_ET;
	v->cr4_shadow = 0;
	vmcs_write(GUEST_CR0, (v->cr0_shadow | fixed0) & c->cr0_fixed1);
	vmcs_write(CR0_READ_SHADOW, v->cr0_shadow);
	vmcs_write(GUEST_CR4, c->cr4_fixed0 & c->cr4_fixed1);
	vmcs_write(CR4_READ_SHADOW, v->cr4_shadow);
	vmcs_write(GUEST_CR3, 0);
	vmcs_write(GUEST_IA32_EFER, 0);
	vmcs_write(GUEST_DR7, 0x400);
	vmcs_write(GUEST_CS_SELECTOR, (vector & 0xff) << 8);
	vmcs_write(GUEST_CS_BASE, (uint64_t)(vector & 0xff) << 12);
	vmcs_write(GUEST_CS_LIMIT, 0xffff);
	vmcs_write(GUEST_CS_AR, AR_REAL_CODE);
	for (i = 0; i < ARRAY_SIZE(data); i++) {
		unsigned k = (data[i] - GUEST_ES_SELECTOR) / 2;

		vmcs_write(data[i], 0);
		vmcs_write(GUEST_ES_LIMIT + 2 * k, 0xffff);
		vmcs_write(GUEST_ES_AR + 2 * k, AR_REAL_DATA);
		vmcs_write(GUEST_ES_BASE + 2 * k, 0);
	}
	vmcs_write(GUEST_RIP, 0);
	vmcs_write(GUEST_RSP, 0);
	vmcs_write(GUEST_RFLAGS, RFLAGS_FIXED);
	vmcs_write(GUEST_ACTIVITY_STATE, ACTIVITY_ACTIVE);
	vmcs_write(GUEST_INTERRUPTIBILITY, 0);
	memset(&v->regs, 0, sizeof(v->regs));
	cpuid(1, 0, &a, &b, &cx, &d);
	v->regs.rdx = a;
}

void vmcs_setup(struct vcpu *v, uint64_t eptp, uint64_t io_bitmaps_pa,
		uint64_t msr_bitmap_pa, uint32_t entry, uint32_t info_gpa)
{
	const struct vmx_controls *ctl = v->ctl;

	vmcs_write(PIN_BASED_VM_EXEC_CONTROL, ctl->pin);
	vmcs_write(CPU_BASED_VM_EXEC_CONTROL, ctl->proc);
	v->proc_ctl = ctl->proc;
	vmcs_write(SECONDARY_VM_EXEC_CONTROL, ctl->proc2);
	vmcs_write(VM_EXIT_CONTROLS, ctl->exit);
	vmcs_write(VM_ENTRY_CONTROLS, ctl->entry);
	vmcs_write(EXCEPTION_BITMAP, 0);
	vmcs_write(PAGE_FAULT_ERROR_CODE_MASK, 0);
	vmcs_write(PAGE_FAULT_ERROR_CODE_MATCH, 0);
	vmcs_write(CR3_TARGET_COUNT, 0);
	vmcs_write(VM_EXIT_MSR_STORE_COUNT, 0);
	vmcs_write(VM_EXIT_MSR_LOAD_COUNT, 0);
	vmcs_write(VM_ENTRY_MSR_LOAD_COUNT, 0);
	vmcs_write(VM_ENTRY_INTR_INFO, 0);
	vmcs_write(TSC_OFFSET, 0);
	vmcs_write(IO_BITMAP_A, io_bitmaps_pa);
	vmcs_write(IO_BITMAP_B, io_bitmaps_pa + 4096);
	vmcs_write(MSR_BITMAP, msr_bitmap_pa);
	vmcs_write(EPT_POINTER, eptp);
	if (ctl->proc2 & SECONDARY_ENABLE_VPID)
		vmcs_write(VPID, 1);
	if (ctl->pin & PIN_PREEMPTION_TIMER)
		vmcs_write(VMX_PREEMPTION_TIMER_VALUE, HV_PREEMPTION_TICKS);
	setup_host();
	setup_guest(v, entry, info_gpa);
}

/* VM-instruction error numbers (31.4, table 31-1). */
const char *vmx_instruction_error_name(uint32_t e)
{
	static const char *const names[] = {
		[1] = "VMCALL executed in VMX root operation",
		[2] = "VMCLEAR with invalid physical address",
		[3] = "VMCLEAR with VMXON pointer",
		[4] = "VMLAUNCH with non-clear VMCS",
		[5] = "VMRESUME with non-launched VMCS",
		[6] = "VMRESUME after VMXOFF",
		[7] = "VM entry with invalid control field(s)",
		[8] = "VM entry with invalid host-state field(s)",
		[9] = "VMPTRLD with invalid physical address",
		[10] = "VMPTRLD with VMXON pointer",
		[11] = "VMPTRLD with incorrect VMCS revision identifier",
		[12] = "VMREAD/VMWRITE from/to unsupported VMCS component",
		[13] = "VMWRITE to read-only VMCS component",
		[15] = "VMXON executed in VMX root operation",
		[16] = "VM entry with invalid executive-VMCS pointer",
		[17] = "VM entry with non-launched executive VMCS",
		[18] = "VM entry with executive-VMCS pointer not VMXON pointer",
		[19] = "VMCALL with non-clear VMCS",
		[20] = "VMCALL with invalid VM-exit control fields",
		[22] = "VMCALL with incorrect MSEG revision identifier",
		[23] = "VMXOFF under dual-monitor treatment of SMIs and SMM",
		[24] = "VMCALL with invalid SMM-monitor features",
		[25] = "VM entry with invalid VM-execution control fields in executive VMCS",
		[26] = "VM entry with events blocked by MOV SS",
		[28] = "invalid operand to INVEPT/INVVPID",
	};

	if (e < ARRAY_SIZE(names) && names[e])
		return names[e];
	return "unknown VM-instruction error";
}

void vmcs_dump_guest(void)
{
	unsigned i;

	kprintf("hv: guest state:\n");
	for (i = 0; i < ARRAY_SIZE(vmcs_fields); i++)
		if (!strncmp(vmcs_fields[i].name, "GUEST_", 6) ||
		    !strncmp(vmcs_fields[i].name, "VMCS_LINK", 9))
			kprintf("hv:   %-28s 0x%lx\n", vmcs_fields[i].name,
				vmread(vmcs_fields[i].enc));
}

/*
 * The guest-state checks of 27.3.1 that a hand-made VMCS can get wrong,
 * so that a failed entry names the check and not just "invalid guest
 * state". Returns the number of failed checks, each printed.
 */
static int check_guest_state(const struct vcpu *v)
{
	const struct vmx_caps *c = v->caps;
	uint64_t cr0 = vmread(GUEST_CR0), cr4 = vmread(GUEST_CR4);
	uint64_t efer = vmread(GUEST_IA32_EFER), rflags = vmread(GUEST_RFLAGS);
	uint64_t entry = vmread(VM_ENTRY_CONTROLS), proc2 = vmread(SECONDARY_VM_EXEC_CONTROL);
	uint64_t fixed0 = c->cr0_fixed0;
	uint32_t cs_ar = (uint32_t)vmread(GUEST_CS_AR), tr_ar = (uint32_t)vmread(GUEST_TR_AR);
	uint32_t ss_ar = (uint32_t)vmread(GUEST_SS_AR);
	int ia32e = !!(entry & ENTRY_IA32E_MODE_GUEST), bad = 0;

#define GUEST_CHECK(cond, ...) \
	do { if (!(cond)) { kprintf("hv: failed check (27.3.1): " __VA_ARGS__); kprintf("\n"); bad++; } } while (0)

	if (proc2 & SECONDARY_UNRESTRICTED_GUEST)
		fixed0 &= ~(CR0_PE | CR0_PG);
	GUEST_CHECK((cr0 & fixed0) == fixed0 && !(cr0 & ~c->cr0_fixed1 & 0xffffffffu),
		    "guest CR0 0x%lx outside IA32_VMX_CR0_FIXED0/1", cr0);
	GUEST_CHECK(!(cr0 & CR0_PG) || (cr0 & CR0_PE), "guest CR0.PG set without CR0.PE");
	GUEST_CHECK((cr4 & c->cr4_fixed0) == c->cr4_fixed0 && !(cr4 & ~c->cr4_fixed1),
		    "guest CR4 0x%lx outside IA32_VMX_CR4_FIXED0/1", cr4);
	GUEST_CHECK(!ia32e || ((cr0 & CR0_PG) && (cr4 & CR4_PAE)),
		    "IA-32e mode guest needs CR0.PG and CR4.PAE");
	GUEST_CHECK(!!(efer & EFER_LMA) == ia32e, "guest EFER.LMA differs from the IA-32e mode guest control");
	GUEST_CHECK(!(cr0 & CR0_PG) || !!(efer & EFER_LME) == !!(efer & EFER_LMA),
		    "guest EFER.LME differs from EFER.LMA with paging on");
	GUEST_CHECK((rflags & RFLAGS_FIXED) && !(rflags & 0xffffffffffc08028ul),
		    "guest RFLAGS 0x%lx: bit 1 must be 1, reserved bits 0", rflags);
	GUEST_CHECK(cs_ar & 0x80 && cs_ar & 0x10 && (cs_ar & 0x9) == 0x9,
		    "guest CS access rights 0x%x: accessed code, S=1, P=1", cs_ar);
	GUEST_CHECK((ss_ar & AR_UNUSABLE) || ((ss_ar & 0x80) && ((ss_ar & 0xf) == 3 || (ss_ar & 0xf) == 7)),
		    "guest SS access rights 0x%x: read/write data", ss_ar);
	GUEST_CHECK(!(tr_ar & AR_UNUSABLE) && (tr_ar & 0x80) && !(tr_ar & 0x10) &&
		    ((tr_ar & 0xf) == 11 || (!ia32e && (tr_ar & 0xf) == 3)),
		    "guest TR access rights 0x%x: a present busy TSS", tr_ar);
	GUEST_CHECK(vmread(GUEST_ACTIVITY_STATE) <= ACTIVITY_HLT, "guest activity state");
	GUEST_CHECK(vmread(VMCS_LINK_POINTER) == ~0ul, "VMCS link pointer must be all ones");
#undef GUEST_CHECK
	return bad;
}

void vmcs_report_entry_failure(struct vcpu *v, int launch_failed)
{
	if (launch_failed) {
		uint32_t e = (uint32_t)vmread(VM_INSTRUCTION_ERROR);

		kprintf("hv: error: %s failed: VM_INSTRUCTION_ERROR=%u (%s)\n",
			v->launched ? "VMRESUME" : "VMLAUNCH", e, vmx_instruction_error_name(e));
		guest_kill(v, HV_STATUS_ENTRY_FAILED, "VM entry failed: VM_INSTRUCTION_ERROR %u", e);
	} else {
		uint32_t reason = (uint32_t)vmread(VM_EXIT_REASON) & 0xffff;

		kprintf("hv: error: VM entry failed: exit reason %u (%s), qualification 0x%lx\n",
			reason, exit_reason_name(reason), vmread(EXIT_QUALIFICATION));
		if (reason == EXIT_REASON_ENTRY_FAIL_GUEST_STATE && !check_guest_state(v))
			kprintf("hv: no check of 27.3.1 that the hypervisor knows fails\n");
		guest_kill(v, HV_STATUS_ENTRY_FAILED, "VM entry failed: %s",
			   exit_reason_name(reason));
	}
	vmcs_dump_guest();
}
