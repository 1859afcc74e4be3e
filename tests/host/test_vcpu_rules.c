/*
 * test_vcpu_rules.c - host tests of the rules a hostile guest meets: CR0,
 * CR3, CR4 and XSETBV (cr.c), the CPL and fault injection (vcpu.c), the
 * CPUID policy (cpuid.c) and the MSR policy (msr.c).
 *
 * Built from the real sources with -DHV_HOST_TEST: the pure rules are
 * called directly, the exit handlers through a VMCS and CPU stand-in
 * (vmcs_stub.c) that also records what reached the "hardware". The cases
 * are the SDM's #GP/#UD conditions and the values hostile guests used
 * (XCR0 = 0x27, 0x67, 0xE3; CR0.PG=0 in long mode; NW without CD; a ring-1
 * VMCALL with a null SS; WRMSR to MTRRs, LSTAR, the TSC).
 * Environment: build host.
 */
/* SPDX-License-Identifier: MIT */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "hv.h"
#include "io.h"
#include "vmcs_stub.h"

#define GP 13
#define UD 6
#define C1_ECX_ALL 0xffffffffu

static struct vmx_caps caps;
static struct vmx_controls ctl;
static struct vcpu v;

/* A 64-bit guest at ring 0 on a CPU with XSAVE (x87, SSE, AVX, AVX-512). */
static void setup(void)
{
	stub_reset();
	memset(&v, 0, sizeof(v));
	caps.cr0_fixed0 = CR0_PE | CR0_NE | CR0_PG;
	caps.cr0_fixed1 = 0xffffffff;
	caps.cr4_fixed0 = CR4_VMXE;
	caps.cr4_fixed1 = 0x3727ff;             /* up to PKE, with VMXE */
	ctl.proc2 = SECONDARY_ENABLE_VPID;
	v.caps = &caps;
	v.ctl = &ctl;
	v.cr0_mask = ~(CR0_MP | CR0_EM | CR0_TS | CR0_WP | CR0_AM);
	v.cr4_mask = ~(CR4_PGE | CR4_OSFXSR);
	v.cr4_valid = caps.cr4_fixed1 & ~CR4_VMXE;
	v.maxphyaddr = 39;
	v.host_xcr0 = XFEATURE_X87;
	v.xcr0 = XFEATURE_X87;
	v.xcr0_allowed = xcr0_allowed(0xe7);
	v.cr0_shadow = CR0_PE | CR0_ET | CR0_PG;
	v.cr4_shadow = CR4_PAE | CR4_OSXSAVE;
	stub_vmcs[GUEST_CR0] = CR0_PE | CR0_ET | CR0_NE | CR0_PG;
	stub_vmcs[GUEST_CR4] = CR4_PAE | CR4_OSXSAVE | CR4_VMXE;
	stub_vmcs[GUEST_CR3] = 0x1000;
	stub_vmcs[GUEST_IA32_EFER] = EFER_LME | EFER_LMA;
	stub_vmcs[GUEST_CS_AR] = 0xa09b;        /* 64-bit code, DPL 0 */
	stub_vmcs[GUEST_SS_AR] = 0xc093;
	stub_vmcs[GUEST_RFLAGS] = RFLAGS_FIXED;
	stub_vmcs[VM_ENTRY_CONTROLS] = ENTRY_IA32E_MODE_GUEST;
	v.rip = 0x1000;
	v.insn_len = 3;
	stub_vmcs[GUEST_RIP] = v.rip;
}

static struct cr_state state(uint64_t cr0, uint64_t cr4, uint64_t efer, int cs_l)
{
	return (struct cr_state){ .cr0 = cr0, .cr3 = 0x1000, .cr4 = cr4, .efer = efer,
				  .cs_l = cs_l, .cr4_valid = 0x3727ff & ~CR4_VMXE,
				  .maxphyaddr = 39 };
}

/* Was a fault of vector injected, with RIP left on the instruction? */
static int injected(unsigned vector)
{
	uint64_t info = stub_vmcs[VM_ENTRY_INTR_INFO];

	return (info & INTR_INFO_VALID) && (info & 0xff) == vector &&
	       stub_vmcs[GUEST_RIP] == v.rip;
}

static int completed(void)
{
	return !(stub_vmcs[VM_ENTRY_INTR_INFO] & INTR_INFO_VALID) &&
	       stub_vmcs[GUEST_RIP] == v.rip + v.insn_len;
}

static void test_cr0(void)
{
	const uint64_t pe = CR0_PE | CR0_ET, paged = pe | CR0_PG;
	struct cr_state lm64 = state(paged, CR4_PAE, EFER_LME | EFER_LMA, 1);
	struct cr_state compat = state(paged, CR4_PAE, EFER_LME | EFER_LMA, 0);
	struct cr_state prot = state(pe, CR4_PAE, EFER_LME, 0);

	TEST("cr0: the SDM's #GP cases") {
		CHECK(cr0_write_fault(&lm64, paged | (1ul << 32)) == GP, "bit 32");
		CHECK(cr0_write_fault(&lm64, paged | CR0_NW) == GP, "NW without CD");
		CHECK(cr0_write_fault(&prot, CR0_PG | CR0_ET) == GP, "PG without PE");
		CHECK(cr0_write_fault(&lm64, pe) == GP, "PG=0 in 64-bit mode");
		CHECK(cr0_write_fault(&compat, pe) == 0, "PG=0 in compatibility mode is allowed");
		struct cr_state nopae = state(pe, 0, EFER_LME, 0);
		CHECK(cr0_write_fault(&nopae, paged) == GP, "LME and PG without PAE");
		struct cr_state csl = state(pe, CR4_PAE, EFER_LME, 1);
		CHECK(cr0_write_fault(&csl, paged) == GP, "activating IA-32e mode from 64-bit code");
		struct cr_state pcid = state(paged, CR4_PAE | CR4_PCIDE, EFER_LME | EFER_LMA, 0);
		CHECK(cr0_write_fault(&pcid, pe) == GP, "PG=0 with PCIDE");
		struct cr_state cet = state(paged | CR0_WP, CR4_PAE | CR4_CET, EFER_LME | EFER_LMA, 1);
		CHECK(cr0_write_fault(&cet, paged) == GP, "WP=0 with CET");
	}
	TEST("cr0: what a CPU takes") {
		CHECK(cr0_write_fault(&prot, paged) == 0, "enabling long mode");
		CHECK(cr0_write_fault(&lm64, paged | CR0_CD | CR0_NW) == 0, "CD and NW");
		CHECK(cr0_write_fault(&lm64, paged | CR0_CD) == 0, "CD alone");
		CHECK(cr0_canonical(0x7ff0ffc0ul) == (CR0_ET | CR0_NW | CR0_CD),
		      "reserved low bits dropped, ET forced: 0x%lx", cr0_canonical(0x7ff0ffc0ul));
		CHECK(cr0_canonical(0xffffffffu) == 0xe005003f, "every defined bit kept: 0x%lx",
		      cr0_canonical(0xffffffffu));
	}
}

static void test_cr4_cr3(void)
{
	const uint64_t paged = CR0_PE | CR0_ET | CR0_PG | CR0_WP;
	struct cr_state lm = state(paged, CR4_PAE, EFER_LME | EFER_LMA, 1);
	struct cr_state prot = state(CR0_PE | CR0_ET, 0, 0, 0);

	TEST("cr4: the SDM's #GP cases") {
		CHECK(cr4_write_fault(&lm, CR4_PAE | CR4_VMXE) == GP, "VMXE: the guest has no VMX");
		CHECK(cr4_write_fault(&lm, CR4_PAE | BIT(30)) == GP, "a bit the CPU lacks");
		CHECK(cr4_write_fault(&lm, CR4_PAE | (1ul << 32)) == GP, "bit 32");
		CHECK(cr4_write_fault(&lm, 0) == GP, "PAE=0 in long mode");
		CHECK(cr4_write_fault(&lm, CR4_PAE | CR4_LA57) == GP, "LA57 changed in long mode");
		CHECK(cr4_write_fault(&prot, CR4_PCIDE) == GP, "PCIDE outside long mode");
		struct cr_state lowbits = lm;
		lowbits.cr3 = 0x1001;
		CHECK(cr4_write_fault(&lowbits, CR4_PAE | CR4_PCIDE) == GP, "PCIDE with CR3[11:0] != 0");
	}
	TEST("cr4: what a CPU takes") {
		CHECK(cr4_write_fault(&lm, CR4_PAE | CR4_PCIDE | CR4_PGE) == 0, "PCIDE in long mode");
		CHECK(cr4_write_fault(&prot, CR4_PAE | CR4_PSE) == 0, "PAE before paging");
	}
	TEST("cr3: reserved bits by MAXPHYADDR, bit 63 only with PCIDE") {
		CHECK(cr3_write_fault(&lm, 1ul << 39) == GP, "bit 39 with MAXPHYADDR 39");
		CHECK(cr3_write_fault(&lm, (1ul << 39) - 4096) == 0, "the highest page");
		CHECK(cr3_write_fault(&lm, CR3_NOFLUSH | 0x1000) == GP, "bit 63 without PCIDE");
		struct cr_state pcid = lm;
		pcid.cr4 |= CR4_PCIDE;
		CHECK(cr3_write_fault(&pcid, CR3_NOFLUSH | 0x1000) == 0, "bit 63 with PCIDE");
	}
	TEST("pdpte: reserved bits of a present entry") {
		CHECK(pdpte_valid(0x2001, 39), "plain present");
		CHECK(!pdpte_valid(0x2003, 39), "R/W is reserved in a PDPTE");
		CHECK(!pdpte_valid(0x2001 | (1ul << 40), 39), "above MAXPHYADDR");
		CHECK(pdpte_valid(0xfffffffffffffffe, 39), "not present: anything");
		CHECK(!pdpte_valid(~0ul, 39), "absent memory reads as all ones");
	}
}

static void test_xsetbv(void)
{
	uint64_t ok = xcr0_allowed(0xe7);

	TEST("xsetbv: the values hostile guests used fault, as on a CPU") {
		CHECK(xsetbv_fault(0, 0x27, ok, 0, 1) == GP, "0x27: opmask without the ZMM states");
		CHECK(xsetbv_fault(0, 0x67, ok, 0, 1) == GP, "0x67: Hi16_ZMM missing");
		CHECK(xsetbv_fault(0, 0xe3, ok, 0, 1) == GP, "0xE3: AVX-512 without AVX");
	}
	TEST("xsetbv: every other rule") {
		CHECK(xsetbv_fault(0, 0x7, ok, 0, 0) == UD, "CR4.OSXSAVE clear: #UD");
		CHECK(xsetbv_fault(0, 0x7, ok, 3, 1) == GP, "CPL 3");
		CHECK(xsetbv_fault(1, 0x7, ok, 0, 1) == GP, "XCR1");
		CHECK(xsetbv_fault(0, 0x6, ok, 0, 1) == GP, "x87 clear");
		CHECK(xsetbv_fault(0, 0x5, ok, 0, 1) == GP, "AVX without SSE");
		CHECK(xsetbv_fault(0, 0x207, ok, 0, 1) == GP, "PKRU the CPU lacks");
		uint64_t mpx = xcr0_allowed(0x1f);
		CHECK(xsetbv_fault(0, 0xb, mpx, 0, 1) == GP, "BNDREGS without BNDCSR");
		CHECK(xsetbv_fault(0, 0x1b, mpx, 0, 1) == 0, "both MPX states");
		CHECK(xsetbv_fault(0, 0x1, ok, 0, 1) == 0, "x87 alone");
		CHECK(xsetbv_fault(0, 0x7, ok, 0, 1) == 0, "x87 SSE AVX");
		CHECK(xsetbv_fault(0, 0xe7, ok, 0, 1) == 0, "with AVX-512");
		CHECK(xcr0_allowed(~0ul) == 0x602ff, "never a supervisor state: 0x%lx",
		      xcr0_allowed(~0ul));
	}
	TEST("xsetbv exit: a bad value is #GP with RF set, XCR0 untouched") {
		setup();
		v.regs.rcx = 0;
		v.regs.rax = 0x27;
		v.regs.rdx = 0;
		xsetbv_exit(&v);
		CHECK(injected(GP), "no #GP: intr info 0x%lx", stub_vmcs[VM_ENTRY_INTR_INFO]);
		CHECK(stub_vmcs[GUEST_RFLAGS] & RFLAGS_RF, "RF not set for a fault");
		CHECK(v.xcr0 == XFEATURE_X87 && stub_xcr0 == 1 && !stub_xsetbv_calls,
		      "XCR0 changed: guest 0x%lx, hardware 0x%lx", v.xcr0, stub_xcr0);
	}
	TEST("xsetbv exit: a good value is the guest's, never the root mode's") {
		setup();
		v.regs.rax = 0x7;
		xsetbv_exit(&v);
		CHECK(completed(), "not completed");
		CHECK(v.xcr0 == 7 && v.xcr0_differs, "guest XCR0 0x%lx", v.xcr0);
		CHECK(stub_xcr0 == 1 && !stub_xsetbv_calls, "root mode's XCR0 changed");
		CHECK(stub_shared_refreshes == 1, "the shared page's CPUID not refreshed");
		vcpu_xcr0_to_guest(&v);
		CHECK(stub_xcr0 == 7, "not loaded for the guest");
		vcpu_xcr0_to_host(&v);
		CHECK(stub_xcr0 == 1, "not restored at the exit");
	}
}

static void test_cr_exits(void)
{
	TEST("cr exit: PG=0 in 64-bit mode is #GP, CR0 unchanged") {
		setup();
		v.regs.rax = CR0_PE | CR0_ET;
		v.qual = 0 | (0 << 4) | (0 << 8);       /* MOV to CR0 from RAX */
		cr_access_exit(&v);
		CHECK(injected(GP), "no #GP");
		CHECK(stub_vmcs[GUEST_CR0] & CR0_PG, "CR0.PG cleared");
	}
	TEST("cr exit: CR0 enters long mode: LMA, the entry control, the shadow") {
		setup();
		v.cr0_shadow = CR0_PE | CR0_ET;
		stub_vmcs[GUEST_CR0] = CR0_PE | CR0_ET | CR0_NE;
		stub_vmcs[GUEST_IA32_EFER] = EFER_LME;
		stub_vmcs[GUEST_CS_AR] = 0xc09b;        /* 32-bit code */
		stub_vmcs[VM_ENTRY_CONTROLS] = 0;
		v.regs.rbx = CR0_PE | CR0_PG;
		v.qual = 0 | (0 << 4) | (3 << 8);
		cr_access_exit(&v);
		CHECK(completed(), "not completed");
		CHECK(stub_vmcs[GUEST_IA32_EFER] & EFER_LMA, "no LMA");
		CHECK(stub_vmcs[VM_ENTRY_CONTROLS] & ENTRY_IA32E_MODE_GUEST, "no IA-32e entry");
		CHECK(stub_vmcs[CR0_READ_SHADOW] == (CR0_PE | CR0_PG | CR0_ET),
		      "shadow 0x%lx: the whole CR0 the guest has", stub_vmcs[CR0_READ_SHADOW]);
		CHECK(stub_vmcs[GUEST_CR0] & CR0_NE, "NE, fixed by VMX, dropped");
		CHECK(stub_invvpid_calls == 1, "paging changed, the guest's TLB not flushed");
	}
	TEST("cr exit: bit 32 in 64-bit mode is #GP, not dropped") {
		setup();
		v.regs.rax = CR0_PE | CR0_ET | CR0_PG | (1ul << 32);
		v.qual = 0;
		cr_access_exit(&v);
		CHECK(injected(GP), "accepted");
	}
	TEST("cr exit: NW without CD is #GP") {
		setup();
		v.regs.rax = CR0_PE | CR0_ET | CR0_PG | CR0_NW;
		v.qual = 0;
		cr_access_exit(&v);
		CHECK(injected(GP), "accepted");
	}
	TEST("cr exit: CR4.VMXE is #GP; OSXSAVE refreshes CPUID") {
		setup();
		v.regs.rax = CR4_PAE | CR4_OSXSAVE | CR4_VMXE;
		v.qual = 4;
		cr_access_exit(&v);
		CHECK(injected(GP), "VMXE accepted");
		setup();
		v.regs.rax = CR4_PAE;
		v.qual = 4;
		cr_access_exit(&v);
		CHECK(completed() && stub_vmcs[CR4_READ_SHADOW] == CR4_PAE, "PAE write");
		CHECK(stub_vmcs[GUEST_CR4] & CR4_VMXE, "VMX's fixed VMXE dropped");
		CHECK(stub_shared_refreshes == 1, "OSXSAVE changed, CPUID page not refreshed");
	}
	TEST("cr exit: CR3 checked, bit 63 kept out, TLB flushed") {
		setup();
		v.regs.rax = 1ul << 45;
		v.qual = 3;
		cr_access_exit(&v);
		CHECK(injected(GP), "CR3 above MAXPHYADDR accepted");
		setup();
		v.regs.rax = 0x5000;
		v.qual = 3;
		cr_access_exit(&v);
		CHECK(completed() && stub_vmcs[GUEST_CR3] == 0x5000 && stub_invvpid_calls == 1,
		      "CR3 0x%lx, flushes %u", stub_vmcs[GUEST_CR3], stub_invvpid_calls);
	}
	TEST("cr exit: PAE paging outside long mode loads valid PDPTEs, faults on bad ones") {
		static uint8_t ram[0x10000];
		uint64_t pdpt[4] = { 0x3001, 0, 0x4001, 0 };

		setup();
		guest_mem.base = ram;
		guest_mem.size = sizeof(ram);
		memcpy(ram + 0x2000, pdpt, sizeof(pdpt));
		v.cr0_shadow = CR0_PE | CR0_ET;
		v.cr4_shadow = CR4_PAE;
		stub_vmcs[GUEST_CR0] = CR0_PE | CR0_ET | CR0_NE;
		stub_vmcs[GUEST_CR4] = CR4_PAE | CR4_VMXE;
		stub_vmcs[GUEST_CR3] = 0x2000;
		stub_vmcs[GUEST_IA32_EFER] = 0;
		stub_vmcs[GUEST_CS_AR] = 0xc09b;
		v.regs.rax = CR0_PE | CR0_PG;
		v.qual = 0;
		cr_access_exit(&v);
		CHECK(completed(), "not completed");
		CHECK(stub_vmcs[GUEST_PDPTE0] == 0x3001 && stub_vmcs[GUEST_PDPTE2] == 0x4001,
		      "PDPTEs not loaded");
		setup();
		guest_mem.base = ram;
		guest_mem.size = sizeof(ram);
		pdpt[1] = 0x5003;                       /* R/W: reserved here */
		memcpy(ram + 0x2000, pdpt, sizeof(pdpt));
		v.cr0_shadow = CR0_PE | CR0_ET | CR0_PG;
		v.cr4_shadow = CR4_PAE;
		stub_vmcs[GUEST_CR0] = CR0_PE | CR0_ET | CR0_NE | CR0_PG;
		stub_vmcs[GUEST_CR4] = CR4_PAE | CR4_VMXE;
		stub_vmcs[GUEST_IA32_EFER] = 0;
		stub_vmcs[GUEST_CS_AR] = 0xc09b;
		v.regs.rax = 0x2000;
		v.qual = 3;
		cr_access_exit(&v);
		CHECK(injected(GP), "a reserved PDPTE bit accepted");
		v.regs.rax = 0x10000;                   /* PDPT past the end of RAM */
		stub_vmcs[VM_ENTRY_INTR_INFO] = 0;
		cr_access_exit(&v);
		CHECK(injected(GP), "a PDPT outside RAM accepted");
	}
}

static void test_cpl_and_faults(void)
{
	TEST("cpl: CS.RPL, whatever SS holds; real and v8086 modes") {
		CHECK(vcpu_cpl_rule(CR0_PE, 0, 0x08) == 0, "ring 0");
		CHECK(vcpu_cpl_rule(CR0_PE, 0, 0x1b) == 3, "ring 3");
		CHECK(vcpu_cpl_rule(CR0_PE, 0, 0x09) == 1, "ring 1 (with a null SS, DPL 0)");
		CHECK(vcpu_cpl_rule(CR0_PE, 0, 0x0a) == 2, "ring 2");
		CHECK(vcpu_cpl_rule(0, 0, 0x1233) == 0, "real mode: CS is a paragraph");
		CHECK(vcpu_cpl_rule(CR0_PE, RFLAGS_VM, 0x1230) == 3, "virtual-8086, CS.RPL 0");
	}
	TEST("guest_cpl: the fast path agrees with the rule") {
		static const struct { uint16_t cs; uint32_t ss; uint64_t cr0, fl; } c[] = {
			{ 0x08, 0xc093, CR0_PE, 0 }, { 0x09, 0x10000, CR0_PE, 0 },
			{ 0x2b, 0xc0f3, CR0_PE, 0 }, { 0x1233, 0x93, 0, 0 },
			{ 0x1230, 0xf3, CR0_PE, RFLAGS_VM }, { 0x1233, 0xf3, CR0_PE, RFLAGS_VM },
		};
		for (unsigned i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
			setup();
			stub_vmcs[GUEST_CS_SELECTOR] = c[i].cs;
			stub_vmcs[GUEST_SS_AR] = c[i].ss;
			stub_vmcs[GUEST_CR0] = c[i].cr0;
			stub_vmcs[GUEST_RFLAGS] = c[i].fl | RFLAGS_FIXED;
			CHECK(guest_cpl(c[i].fl | RFLAGS_FIXED) == vcpu_cpl_rule(c[i].cr0, c[i].fl, c[i].cs),
			      "case %u", i);
		}
	}
	TEST("skip: TF set makes the completed instruction single-step (#DB pending BS)") {
		setup();
		v.rflags = RFLAGS_FIXED | RFLAGS_TF;
		vcpu_skip_insn(&v);
		CHECK(stub_vmcs[GUEST_PENDING_DBG_EXCEPTIONS] & PENDING_DBG_BS, "no single step");
		setup();
		v.rflags = RFLAGS_FIXED;
		stub_vmcs[GUEST_INTERRUPTIBILITY] = 1;  /* blocking by STI */
		vcpu_skip_insn(&v);
		CHECK(!stub_vmcs[GUEST_PENDING_DBG_EXCEPTIONS], "a single step without TF");
		CHECK(!stub_vmcs[GUEST_INTERRUPTIBILITY], "STI blocking kept past the instruction");
	}
	TEST("inject: real mode delivers no error code (VM entry would fail)") {
		setup();
		stub_vmcs[GUEST_CR0] = CR0_ET;
		vcpu_inject_fault(&v, 13, 0);
		CHECK(stub_vmcs[VM_ENTRY_INTR_INFO] == (INTR_INFO_VALID | INTR_TYPE_HW_EXCEPTION | 13),
		      "info 0x%lx", stub_vmcs[VM_ENTRY_INTR_INFO]);
	}
	TEST("inject: a fault pushes RF, a trap does not") {
		setup();
		vcpu_inject_fault(&v, 13, 0);
		CHECK(stub_vmcs[GUEST_RFLAGS] & RFLAGS_RF, "#GP without RF");
		CHECK(stub_vmcs[VM_ENTRY_INTR_INFO] == (INTR_INFO_VALID | INTR_TYPE_HW_EXCEPTION |
							 INTR_INFO_DELIVER_ERROR_CODE | 13),
		      "info 0x%lx", stub_vmcs[VM_ENTRY_INTR_INFO]);
		setup();
		vcpu_inject_fault(&v, 3, -1);
		CHECK(!(stub_vmcs[GUEST_RFLAGS] & RFLAGS_RF), "#BP is a trap: no RF");
		CHECK(!vcpu_vector_is_fault(8) && !vcpu_vector_is_fault(18), "aborts are no faults");
	}
	TEST("reinject: an interrupted event is delivered again, software ones with their length") {
		setup();
		v.idt_vectoring = INTR_INFO_VALID | INTR_TYPE_EXT_INTERRUPT | 0x40;
		vcpu_reinject_vectoring(&v);
		CHECK(stub_vmcs[VM_ENTRY_INTR_INFO] == v.idt_vectoring, "external interrupt lost");
		setup();
		v.idt_vectoring = INTR_INFO_VALID | INTR_TYPE_HW_EXCEPTION |
				  INTR_INFO_DELIVER_ERROR_CODE | 14;
		stub_vmcs[IDT_VECTORING_ERROR_CODE] = 2;
		vcpu_reinject_vectoring(&v);
		CHECK(stub_vmcs[VM_ENTRY_EXCEPTION_ERROR_CODE] == 2, "error code lost");
		setup();
		v.idt_vectoring = INTR_INFO_VALID | INTR_TYPE_SW_INTERRUPT | 0x80;
		v.insn_len = 2;
		vcpu_reinject_vectoring(&v);
		CHECK(stub_vmcs[VM_ENTRY_INSTRUCTION_LEN] == 2, "INT n without its length");
		setup();
		v.idt_vectoring = INTR_INFO_VALID | INTR_TYPE_EXT_INTERRUPT | 0x40;
		v.stopped = 1;
		vcpu_reinject_vectoring(&v);
		CHECK(!stub_vmcs[VM_ENTRY_INTR_INFO], "injected into a stopped guest");
	}
}

static void test_cpuid(void)
{
	TEST("cpuid: OSXSAVE mirrors the guest's CR4; no VMX; the APIC's as the CPU's") {
		uint32_t r[4] = { 0, 0, C1_ECX_ALL, 0xffffffff };

		cpuid_policy(1, 0, &(struct cpuid_guest){ .cr4 = 0, .apic_enabled = 1 }, r);
		CHECK(!(r[2] & BIT(27)), "OSXSAVE set with the guest's CR4.OSXSAVE clear");
		CHECK(!(r[2] & BIT(5)), "VMX offered");
		/* The virtual local APIC has x2APIC and the TSC-deadline timer. */
		CHECK((r[2] & BIT(21)) && (r[2] & BIT(24)), "x2APIC or TSC-deadline hidden");
		CHECK(r[2] & BIT(31), "no hypervisor bit");
		CHECK(!(r[3] & (BIT(7) | BIT(14))), "machine-check banks offered");
		r[2] = C1_ECX_ALL & ~BIT(27);
		cpuid_policy(1, 0, &(struct cpuid_guest){ .cr4 = CR4_OSXSAVE, .apic_enabled = 1 }, r);
		CHECK(r[2] & BIT(27), "OSXSAVE clear with the guest's CR4.OSXSAVE set");
	}
	TEST("cpuid: PMU, PT, SGX leaves empty; XCR0 bits limited") {
		uint32_t r[4] = { 0x07300403, 1, 2, 3 };

		cpuid_policy(0xa, 0, &(struct cpuid_guest){ .cr4 = 0, .apic_enabled = 1 }, r);
		CHECK(!r[0] && !r[1] && !r[2] && !r[3], "PMU leaf");
		uint32_t d[4] = { 0x2ff | (1u << 8), 0x340, 0x340, 0 };
		cpuid_policy(0xd, 0, &(struct cpuid_guest){ .cr4 = 0, .apic_enabled = 1 }, d);
		CHECK(d[0] == 0x2ff, "XCR0 mask 0x%x: no supervisor state", d[0]);
		uint32_t s[4] = { 0xf, 0, 0x1900, 0 };
		cpuid_policy(0xd, 1, &(struct cpuid_guest){ .cr4 = 0, .apic_enabled = 1 }, s);
		CHECK(!(s[0] & BIT(3)) && !s[2], "XSAVES or IA32_XSS offered");
		uint32_t h[4];
		cpuid_policy(0x40000000, 0, &(struct cpuid_guest){ .cr4 = 0, .apic_enabled = 1 }, h);
		CHECK(h[0] == 0x40000001 && h[1] == 0x696e694d, "our leaf: 0x%x 0x%x ('Mini')",
		      h[0], h[1]);
	}
}

static void test_cpuid_mirrors(void)
{
	TEST("cpuid: the APIC flag follows IA32_APIC_BASE's enable, OSPKE CR4.PKE") {
		uint32_t r[4] = { 0, 0, 0, 0xffffffff };

		cpuid_policy(1, 0, &(struct cpuid_guest){ .cr4 = 0, .apic_enabled = 0 }, r);
		CHECK(!(r[3] & BIT(9)), "APIC flag with the guest's APIC disabled");
		r[3] = 0;
		cpuid_policy(1, 0, &(struct cpuid_guest){ .cr4 = 0, .apic_enabled = 1 }, r);
		CHECK(r[3] & BIT(9), "no APIC flag with the guest's APIC enabled");
		uint32_t s[4] = { 0, 0, BIT(3) | BIT(4), 0 };
		cpuid_policy(7, 0, &(struct cpuid_guest){ .cr4 = 0, .apic_enabled = 1 }, s);
		CHECK((s[2] & BIT(3)) && !(s[2] & BIT(4)), "OSPKE 0x%x with CR4.PKE clear", s[2]);
		s[2] = BIT(3);
		cpuid_policy(7, 0, &(struct cpuid_guest){ .cr4 = CR4_PKE, .apic_enabled = 1 }, s);
		CHECK(s[2] & BIT(4), "no OSPKE with CR4.PKE set");
	}
}

/* The answer cache vmentry.asm reads (cpuid.c). */
static void test_cpuid_cache(void)
{
	static struct cpuid_cache_entry cache[CPUID_CACHE_SLOTS];
	static const uint32_t leaves[] = {
		0, 1, 2, 4, 7, 0xb, 0xd, 0x1f, 0x40000000, 0x40000001,
		0x80000000, 0x80000001, 0x80000007, 0x80000008, 0xffffffff, 0xc0000000,
	};

	TEST("cpuid cache: the slots of the common leaves") {
		unsigned i, seen = 0;

		for (i = 0; i < 0x20; i++)
			CHECK(cpuid_cache_slot(i) == i, "basic leaf 0x%x in slot %u", i,
			      cpuid_cache_slot(i));
		/* The hypervisor's and the extended leaves do not push out leaves
		 * 0-7 or one another. */
		for (i = 0; i < 8; i++)
			seen |= 1u << cpuid_cache_slot(i);
		for (i = 0; i < 2; i++) {
			CHECK(!(seen & (1u << cpuid_cache_slot(0x40000000 + i))), "0x4000000%u", i);
			seen |= 1u << cpuid_cache_slot(0x40000000 + i);
		}
		for (i = 0; i < 9; i++) {
			CHECK(!(seen & (1u << cpuid_cache_slot(0x80000000 + i))), "0x8000000%u", i);
			seen |= 1u << cpuid_cache_slot(0x80000000 + i);
		}
	}
	TEST("cpuid cache: an empty cache answers nothing, for any sub-leaf") {
		unsigned i, sub;

		cpuid_cache_flush(cache);
		for (i = 0; i < sizeof(leaves) / sizeof(leaves[0]); i++)
			for (sub = 0; sub < 4; sub++)
				CHECK(!cpuid_cache_find(cache, leaves[i], sub), "leaf 0x%x sub %u",
				      leaves[i], sub);
		/* The very keys an empty slot holds: they hash elsewhere. */
		for (i = 0; i < CPUID_CACHE_SLOTS; i++)
			CHECK(!cpuid_cache_find(cache, i ^ 1, 0) ||
			      cpuid_cache_slot(i ^ 1) != i, "slot %u", i);
		for (i = 0; i < 0x20; i++)
			CHECK(!cpuid_cache_find(cache, i, 0), "leaf 0x%x matched an empty slot", i);
	}
	TEST("cpuid cache: an answer for its own (leaf, sub-leaf) only") {
		const uint32_t a[4] = { 1, 2, 3, 4 }, b[4] = { 5, 6, 7, 8 };
		const struct cpuid_cache_entry *e;

		cpuid_cache_flush(cache);
		cpuid_cache_put(cache, 7, 0, a);
		e = cpuid_cache_find(cache, 7, 0);
		CHECK(e && e->eax == 1 && e->ebx == 2 && e->ecx == 3 && e->edx == 4, "answer");
		CHECK(!cpuid_cache_find(cache, 7, 1), "sub-leaf 1 took sub-leaf 0's answer");
		CHECK(!cpuid_cache_find(cache, 7 ^ (1u << 27), 0), "a leaf of the same slot");
		cpuid_cache_put(cache, 7, 1, b);         /* the same slot: replaced */
		CHECK(!cpuid_cache_find(cache, 7, 0), "the old answer kept");
		e = cpuid_cache_find(cache, 7, 1);
		CHECK(e && e->eax == 5 && e->edx == 8, "the new answer");
	}
	TEST("cpuid exit: the first CPUID is asked, the next answered from the cache") {
		setup();
		v.regs.rax = 0x40000000;
		v.regs.rcx = 0;
		cpuid_exit(&v);
		CHECK(completed() && v.regs.rax == 0x40000001 && v.regs.rbx == 0x696e694d,
		      "answer 0x%lx 0x%lx", v.regs.rax, v.regs.rbx);
		CHECK(cpuid_cache_find(v.cpuid_cache, 0x40000000, 0), "not cached");
		uint32_t abi = hv_abi_version;

		hv_abi_version = 0x1234;
		v.regs.rax = 0x40000001;
		v.regs.rcx = 0;                         /* ECX held the last answer */
		cpuid_exit(&v);
		CHECK(v.regs.rax == 0x1234, "leaf 0x40000001: 0x%lx", v.regs.rax);
		hv_abi_version = 0x5678;
		v.regs.rax = 0x40000001;
		v.regs.rcx = 0;
		cpuid_exit(&v);
		CHECK(v.regs.rax == 0x1234, "a cached answer not used: 0x%lx", v.regs.rax);
		hv_abi_version = abi;
	}
	TEST("cpuid exit: XSETBV and a CR4.OSXSAVE change empty the cache") {
		setup();
		v.regs.rax = 0x40000001;
		v.regs.rcx = 0;
		cpuid_exit(&v);
		CHECK(cpuid_cache_find(v.cpuid_cache, 0x40000001, 0), "not cached");
		stub_vmcs[GUEST_CR4] |= CR4_OSXSAVE;
		v.regs.rax = 0x3;
		v.regs.rcx = 0;
		v.regs.rdx = 0;
		xsetbv_exit(&v);
		CHECK(completed(), "XSETBV not completed");
		CHECK(!cpuid_cache_find(v.cpuid_cache, 0x40000001, 0), "kept over XSETBV");
		v.regs.rax = 0x40000001;
		v.regs.rcx = 0;
		cpuid_exit(&v);
		CHECK(cpuid_cache_find(v.cpuid_cache, 0x40000001, 0), "not cached again");
		v.regs.rax = CR4_PAE;                   /* OSXSAVE off */
		v.qual = 4;
		cr_access_exit(&v);
		CHECK(!cpuid_cache_find(v.cpuid_cache, 0x40000001, 0), "kept over a CR4 change");
	}
}

/* What an IN leaves in RAX (io.h); the absent port's all ones inline. */
static void test_io_in(void)
{
	TEST("io: IN to AL and AX keeps the rest of RAX, IN to EAX zero-extends") {
		const uint64_t rax = 0x1122334455667788ul;

		CHECK(io_in_result(rax, 1, 0xabcdef12u) == 0x1122334455667712ul, "AL");
		CHECK(io_in_result(rax, 2, 0xabcdef12u) == 0x112233445566ef12ul, "AX");
		CHECK(io_in_result(rax, 4, 0xabcdef12u) == 0xabcdef12ul, "EAX");
		for (unsigned size = 1; size <= 4; size += size)
			CHECK(io_in_result(rax, size, 0xffffffffu) == (size == 4 ? 0xffffffffu :
			      rax | ((1u << (8 * size)) - 1)), "all ones, size %u: the absent "
			      "port's form differs", size);
		CHECK(io_size_mask(1) == 0xff && io_size_mask(2) == 0xffff &&
		      io_size_mask(4) == 0xffffffffu, "masks");
	}
}

static void test_msr_policy(void)
{
	TEST("msr: what passes is exactly what VMX switches") {
		static const uint32_t pass[] = {
			0x174, 0x175, 0x176, 0x1d9, 0x277, 0xc0000080, 0xc0000081, 0xc0000082,
			0xc0000083, 0xc0000084, 0xc0000100, 0xc0000101, 0xc0000102, 0xc0000103,
		};
		unsigned n, i;
		const struct msr_rule *t = msr_rules_table(&n);

		for (i = 0; i < sizeof(pass) / sizeof(pass[0]); i++) {
			const struct msr_rule *r = msr_rule_for(pass[i]);
			CHECK(r && r->read == MSR_PASS && r->write == MSR_PASS, "0x%x", pass[i]);
		}
		for (i = 0; i < n; i++) {
			CHECK(t[i].why && strlen(t[i].why) > 10, "rule %u has no reason", i);
			CHECK(t[i].first <= t[i].last, "rule %u's range", i);
			CHECK((t[i].read != MSR_EMULATE && t[i].write != MSR_EMULATE) || t[i].emulate,
			      "rule %u emulates with nothing", i);
		}
	}
	TEST("msr: what hostile guests wrote is denied or emulated, never passed") {
		static const uint32_t denied[] = {
			0x79 /* microcode trigger */, 0x560 /* PT output base */, 0x48, 0x49,
			0x10a, 0x1b0, 0x3f1, 0xc00, 0xc0010000, 0xffffffff,
		};
		/* The local APIC's MSRs reach the virtual one (apic.c), never the CPU. */
		static const uint32_t apic[] = { 0x1b, 0x6e0, 0x800, 0x802, 0x830, 0x8ff, 0xbff };
		for (unsigned i = 0; i < sizeof(denied) / sizeof(denied[0]); i++)
			CHECK(!msr_rule_for(denied[i]), "0x%x not denied", denied[i]);
		for (unsigned i = 0; i < sizeof(apic) / sizeof(apic[0]); i++)
			CHECK(msr_rule_for(apic[i]) && msr_rule_for(apic[i])->read == MSR_EMULATE &&
			      msr_rule_for(apic[i])->write == MSR_EMULATE &&
			      msr_rule_for(apic[i])->emulate == apic_msr,
			      "0x%x not the virtual APIC's", apic[i]);
		CHECK(msr_rule_for(0x2ff)->write == MSR_EMULATE, "MTRR default type");
		CHECK(msr_rule_for(0x201)->write == MSR_EMULATE, "variable MTRR");
		CHECK(msr_rule_for(0x10)->write == MSR_EMULATE, "TSC");
		CHECK(msr_rule_for(0x1a0)->write == MSR_EMULATE, "MISC_ENABLE");
	}
	TEST("msr: MTRR values a CPU refuses") {
		CHECK(!mtrr_write_valid(0x2ff, 0x02, 39), "type 2");
		CHECK(!mtrr_write_valid(0x2ff, 0x1006, 39), "reserved bit 12");
		CHECK(mtrr_write_valid(0x2ff, 0xc06, 39), "E, FE, WB");
		CHECK(!mtrr_write_valid(0x200, 0x100, 39), "base bit 8");
		CHECK(!mtrr_write_valid(0x201, 1ul << 40, 39), "mask above MAXPHYADDR");
		CHECK(mtrr_write_valid(0x201, 0x7ffffff800ul, 39), "mask, valid");
		CHECK(!mtrr_write_valid(0x250, 0x0606060606060602ul, 39), "a fixed type 2");
	}
	TEST("msr exits: bitmap denies all but the passes; areas hold the SYSCALL MSRs") {
		static uint8_t bitmap[4096];
		static struct msr_entry area[256] __attribute__((aligned(16)));

		setup();
		stub_set_cpuid(0x80000001, 0, 0, 0, 0, 1u << 27);       /* RDTSCP */
		stub_set_cpuid(1, 0, 0, 0, 0, 1u << 12);                /* MTRR */
		stub_set_msr(0xfe, 0x508);                              /* VCNT 8, fixed */
		stub_set_msr(0xc0000082, 0xffffffff81000000ul);         /* host LSTAR */
		msr_init(&v, bitmap, (uint64_t)area);
		CHECK(!(bitmap[0x10 / 8] & 1) && (bitmap[2048 + 0x10 / 8] & 1),
		      "TSC: reads pass (TSC + offset), writes exit");
		CHECK(!(bitmap[2048 + 1024 + 0x82 / 8] & (1 << (0x82 % 8))), "LSTAR write exits");
		CHECK(bitmap[2048 + 0x79 / 8] & (1 << (0x79 % 8)), "microcode trigger passes");
		CHECK(v.msr_area_count == 6, "%u MSRs switched", v.msr_area_count);
		CHECK(area[128 + 1].index == 0xc0000082 && area[128 + 1].value == 0xffffffff81000000ul,
		      "host LSTAR not restored at exits");
		CHECK(stub_vmcs[VM_EXIT_MSR_STORE_COUNT] == 6 && stub_vmcs[VM_ENTRY_MSR_LOAD_COUNT] == 6 &&
		      stub_vmcs[VM_EXIT_MSR_LOAD_COUNT] == 6, "area counts");
	}
	TEST("msr exits: MTRR and TSC writes never reach the hardware") {
		static uint8_t bitmap[4096];
		static struct msr_entry area[256] __attribute__((aligned(16)));

		setup();
		stub_set_cpuid(1, 0, 0, 0, 0, 1u << 12);
		stub_set_msr(0xfe, 0x508);
		stub_set_msr(0x2ff, 0xc06);
		msr_init(&v, bitmap, (uint64_t)area);
		stub_hw_msr_writes = 0;
		v.regs.rcx = 0x2ff;
		v.regs.rax = 0x0;                       /* default type UC, MTRRs off */
		v.regs.rdx = 0;
		msr_write_exit(&v);
		CHECK(completed() && !stub_hw_msr_writes && v.vmsr.mtrr_def == 0, "MTRR_DEF_TYPE");
		stub_vmcs[GUEST_RIP] = v.rip;
		v.regs.rcx = 0x2ff;
		v.regs.rax = 0x2;
		msr_write_exit(&v);
		CHECK(injected(GP), "type 2 accepted");
		stub_vmcs[VM_ENTRY_INTR_INFO] = 0;
		stub_vmcs[GUEST_RIP] = v.rip;
		v.regs.rcx = 0x10;
		v.regs.rax = 0x1000;
		stub_tsc = 0x5000;
		msr_write_exit(&v);
		CHECK(completed() && !stub_hw_msr_writes &&
		      stub_vmcs[TSC_OFFSET] == (uint64_t)(0x1000 - 0x5000), "TSC write");
		stub_vmcs[GUEST_RIP] = v.rip;
		v.regs.rcx = 0x79;
		msr_write_exit(&v);
		CHECK(injected(GP) && !stub_hw_msr_writes, "microcode trigger");
		stub_vmcs[VM_ENTRY_INTR_INFO] = 0;
		v.regs.rcx = 0x1a0;
		msr_read_exit(&v);
		CHECK(v.regs.rax == ((1u << 0) | (1u << 11) | (1u << 12)), "MISC_ENABLE 0x%lx",
		      v.regs.rax);
	}
}

int main(void)
{
	test_cr0();
	test_cr4_cr3();
	test_xsetbv();
	test_cr_exits();
	test_cpl_and_faults();
	test_cpuid();
	test_cpuid_mirrors();
	test_cpuid_cache();
	test_io_in();
	test_msr_policy();
	return check_summary();
}
