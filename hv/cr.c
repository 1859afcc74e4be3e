/*
 * cr.c - the guest's control registers and XCR0: MOV to CR0/CR3/CR4, CLTS,
 * LMSW and XSETBV, checked as a CPU checks them, then done.
 *
 * The rules are pure functions (cr0_write_fault ... xsetbv_fault) of the
 * guest's state and the value; each returns the vector of the exception
 * the CPU would raise, or 0. They follow the SDM's MOV CR and XSETBV
 * instruction pages (vol. 2B, 2D) and vol. 3A 2.5 and 13.3, and KVM's
 * kvm_set_cr0/cr4/cr3 and __kvm_set_xcr, which apply the same pages.
 *
 * Who owns which bit: the CR0/CR4 guest/host masks (25.6.6) give the guest
 * the bits whose every value is legal and whose rules the CPU applies by
 * itself (CR0.MP/EM/TS/WP/AM; CR4's feature enables); a write that changes
 * any other bit exits here, and a read of one returns the read shadow, so
 * the shadows hold the whole CR0 and CR4 the guest believes it has.
 *
 * XCR0 is the guest's while it runs and the hypervisor's in root mode:
 * vcpu_xcr0_to_host()/_to_guest() switch it around every exit, which costs
 * nothing while the two are equal.
 *
 * Environment: hypervisor, root mode, on CR-access and XSETBV exits; the
 * rules also in the host tests.
 */
/* SPDX-License-Identifier: MIT */
#include "hv.h"
#include "lib.h"
#include "x86.h"

/* ---- the rules (pure) ------------------------------------------------- */

/* The architecturally defined CR0 bits (vol. 3A, 2.5); the rest of 31:0
 * is reserved and reads as 0, writes there are dropped (not a fault). */
#define CR0_DEFINED (CR0_PE | CR0_MP | CR0_EM | CR0_TS | CR0_ET | CR0_NE | \
		     CR0_WP | CR0_AM | CR0_NW | CR0_CD | CR0_PG)

static int long_mode(const struct cr_state *s)
{
	return !!(s->efer & EFER_LMA);
}

/* 64-bit mode: IA-32e mode and a 64-bit code segment (vol. 3A, 2.2). */
static int in_64bit_mode(const struct cr_state *s)
{
	return long_mode(s) && s->cs_l;
}

/* Bits of CR3 that must be 0 (vol. 3A, 4.5): above MAXPHYADDR, and bit 63
 * unless it is PCIDE's "do not flush". Only 64-bit mode loads them. */
static uint64_t cr3_reserved(const struct cr_state *s)
{
	uint64_t r = ~0ul << s->maxphyaddr;

	if (s->cr4 & CR4_PCIDE)
		r &= ~CR3_NOFLUSH;
	return in_64bit_mode(s) ? r : 0;
}

uint64_t cr0_canonical(uint64_t val)
{
	return (val & CR0_DEFINED) | CR0_ET;    /* ET is hardwired to 1 */
}

/* MOV to CR0 (vol. 2B, "MOV-Move to/from Control Registers"). */
unsigned cr0_write_fault(const struct cr_state *s, uint64_t val)
{
	if (val >> 32)
		return 13;                      /* reserved bits 63:32 */
	if ((val & CR0_NW) && !(val & CR0_CD))
		return 13;
	if ((val & CR0_PG) && !(val & CR0_PE))
		return 13;
	if ((val & CR0_PG) && !(s->cr0 & CR0_PG) && (s->efer & EFER_LME)) {
		/* Activating IA-32e mode needs PAE, and 32-bit code. */
		if (!(s->cr4 & CR4_PAE) || s->cs_l)
			return 13;
	}
	if (!(val & CR0_PG) && (s->cr0 & CR0_PG) &&
	    (in_64bit_mode(s) || (s->cr4 & CR4_PCIDE)))
		return 13;
	if (!(val & CR0_WP) && (s->cr4 & CR4_CET))
		return 13;
	return 0;
}

/* MOV to CR4. s->cr4_valid: the bits this CPU, as the guest sees it, has. */
unsigned cr4_write_fault(const struct cr_state *s, uint64_t val)
{
	if (val & ~s->cr4_valid)
		return 13;
	if (long_mode(s)) {
		if (!(val & CR4_PAE))
			return 13;
		if ((val ^ s->cr4) & CR4_LA57)
			return 13;
	}
	if ((val & CR4_PCIDE) && !(s->cr4 & CR4_PCIDE) &&
	    ((s->cr3 & 0xfff) || !long_mode(s)))
		return 13;
	if ((val & CR4_CET) && !(s->cr0 & CR0_WP))
		return 13;
	return 0;
}

/* MOV to CR3. */
unsigned cr3_write_fault(const struct cr_state *s, uint64_t val)
{
	return (val & cr3_reserved(s)) ? 13 : 0;
}

/* PAE paging outside IA-32e mode: the PDPTEs are loaded with CR3. */
int cr_pae_legacy(uint64_t cr0, uint64_t cr4, uint64_t efer)
{
	return (cr0 & CR0_PG) && (cr4 & CR4_PAE) && !(efer & EFER_LMA);
}

/* A present PDPTE with a reserved bit set faults the load (vol. 3A,
 * 4.4.1, table 4-8): bits 2:1, 8:5 and from MAXPHYADDR up. */
int pdpte_valid(uint64_t e, unsigned maxphyaddr)
{
	return !(e & 1) || !(e & (0x1e6ul | (~0ul << maxphyaddr)));
}

/* The XCR0 bits this hypervisor lets a guest set: the CPU's user states
 * (CPUID.(EAX=0DH,ECX=0):EDX:EAX) that need nothing more from it. */
uint64_t xcr0_allowed(uint64_t cpu_xcr0)
{
	return cpu_xcr0 & (XFEATURE_X87 | XFEATURE_SSE | XFEATURE_AVX | XFEATURE_MPX |
			   XFEATURE_AVX512 | XFEATURE_PKRU | XFEATURE_AMX);
}

/*
 * XSETBV (vol. 2D; vol. 1, 13.3): #UD without CR4.OSXSAVE, #GP at CPL > 0,
 * for an XCR other than 0, and for an XCR0 value the CPU would refuse:
 * x87 clear, a bit not supported, AVX without SSE, the two MPX bits apart,
 * any AVX-512 bit without all three and AVX, the two AMX bits apart.
 */
unsigned xsetbv_fault(uint32_t index, uint64_t val, uint64_t allowed, unsigned cpl,
		      int osxsave)
{
	if (!osxsave)
		return 6;
	if (cpl != 0 || index != 0)
		return 13;
	if (!(val & XFEATURE_X87) || (val & ~allowed))
		return 13;
	if ((val & XFEATURE_AVX) && !(val & XFEATURE_SSE))
		return 13;
	if (!!(val & XFEATURE_BNDREGS) != !!(val & XFEATURE_BNDCSR))
		return 13;
	if ((val & XFEATURE_AVX512) &&
	    ((val & XFEATURE_AVX512) != XFEATURE_AVX512 || !(val & XFEATURE_AVX)))
		return 13;
	if (!!(val & XFEATURE_XTILECFG) != !!(val & XFEATURE_XTILEDATA))
		return 13;
	return 0;
}

/* ---- applying them ---------------------------------------------------- */

static void cr_state_read(const struct vcpu *v, struct cr_state *s)
{
	uint64_t cs_ar = vmread(GUEST_CS_AR);

	s->cr0 = (vmread(GUEST_CR0) & ~v->cr0_mask) | (v->cr0_shadow & v->cr0_mask);
	s->cr4 = (vmread(GUEST_CR4) & ~v->cr4_mask) | (v->cr4_shadow & v->cr4_mask);
	s->cr3 = vmread(GUEST_CR3);
	s->efer = vmread(GUEST_IA32_EFER);
	s->cs_l = !!(cs_ar & BIT(13));
	s->cr4_valid = v->cr4_valid;
	s->maxphyaddr = v->maxphyaddr;
}

/* With VPID the CPU keeps the guest's translations across exits: a CR
 * write the hypervisor completes must drop them as the CPU would have. */
static void flush_guest_tlb(const struct vcpu *v)
{
	if (v->ctl->proc2 & SECONDARY_ENABLE_VPID)
		invvpid_single(HV_VPID);
}

/* Load the four PDPTEs from guest-physical CR3 (27.3.2.4: VM entry takes
 * them from the VMCS when EPT is on); 13 when the CPU would fault. */
static unsigned load_pdptes(const struct vcpu *v, uint64_t cr3)
{
	uint64_t gpa = cr3 & 0xffffffe0ul, e[4];
	unsigned i;

	if (gpa >= guest_mem.size || guest_mem.size - gpa < sizeof(e))
		return 13;                      /* not RAM: reads as all ones */
	memcpy(e, guest_mem.base + gpa, sizeof(e));
	for (i = 0; i < 4; i++)
		if (!pdpte_valid(e[i], v->maxphyaddr))
			return 13;
	for (i = 0; i < 4; i++)
		vmcs_write(GUEST_PDPTE0 + 2 * i, e[i]);
	return 0;
}

static void set_cr0(struct vcpu *v, const struct cr_state *s, uint64_t val)
{
	const struct vmx_caps *c = v->caps;
	uint64_t fixed0 = c->cr0_fixed0 & ~(CR0_PE | CR0_PG);
	uint64_t efer = s->efer, entry = vmread(VM_ENTRY_CONTROLS);
	unsigned fault;

	fault = cr0_write_fault(s, val);        /* bits 63:32 before they go */
	val = cr0_canonical(val);
	/* Paging turned on or off with EFER.LME: IA-32e mode follows
	 * (vol. 3A, 10.8.5), and so must the entry control (27.3.1.1). */
	if ((val ^ s->cr0) & CR0_PG && (efer & EFER_LME))
		efer = (val & CR0_PG) ? efer | EFER_LMA : efer & ~EFER_LMA;
	if (!fault && cr_pae_legacy(val, s->cr4, efer) && !cr_pae_legacy(s->cr0, s->cr4, s->efer))
		fault = load_pdptes(v, s->cr3);
	if (fault) {
		vcpu_inject_fault(v, fault, 0);
		return;
	}
	if (efer != s->efer) {
		entry = (efer & EFER_LMA) ? entry | ENTRY_IA32E_MODE_GUEST
					  : entry & ~(uint64_t)ENTRY_IA32E_MODE_GUEST;
		vmcs_write(GUEST_IA32_EFER, efer);
		vmcs_write(VM_ENTRY_CONTROLS, entry);
	}
	v->cr0_shadow = val;
	vmcs_write(CR0_READ_SHADOW, val);
	vmcs_write(GUEST_CR0, (val | fixed0) & c->cr0_fixed1);
	if ((val ^ s->cr0) & (CR0_PG | CR0_WP | CR0_CD | CR0_NW))
		flush_guest_tlb(v);
	vcpu_skip_insn(v);
}

static void set_cr4(struct vcpu *v, const struct cr_state *s, uint64_t val)
{
	const struct vmx_caps *c = v->caps;
	unsigned fault = cr4_write_fault(s, val);

	if (!fault && cr_pae_legacy(s->cr0, val, s->efer) &&
	    ((val ^ s->cr4) & (CR4_PAE | CR4_PSE | CR4_PGE | CR4_SMEP)))
		fault = load_pdptes(v, s->cr3);
	if (fault) {
		vcpu_inject_fault(v, fault, 0);
		return;
	}
	v->cr4_shadow = val;
	vmcs_write(CR4_READ_SHADOW, val);
	vmcs_write(GUEST_CR4, (val | c->cr4_fixed0) & c->cr4_fixed1);
	if ((val ^ s->cr4) & (CR4_OSXSAVE | CR4_PKE))
		cpuid_guest_state_changed(v);   /* CPUID.1:ECX.OSXSAVE, 7:ECX.OSPKE */
	if ((val ^ s->cr4) & (CR4_PSE | CR4_PAE | CR4_PGE | CR4_PCIDE | CR4_SMEP | CR4_SMAP |
			      CR4_PKE | CR4_LA57))
		flush_guest_tlb(v);
	vcpu_skip_insn(v);
}

static void set_cr3(struct vcpu *v, const struct cr_state *s, uint64_t val)
{
	unsigned fault = cr3_write_fault(s, val);
	int flush = !((s->cr4 & CR4_PCIDE) && (val & CR3_NOFLUSH));

	if (!fault && cr_pae_legacy(s->cr0, s->cr4, s->efer))
		fault = load_pdptes(v, val);
	if (fault) {
		vcpu_inject_fault(v, fault, 0);
		return;
	}
	vmcs_write(GUEST_CR3, val & ~CR3_NOFLUSH);
	if (flush)
		flush_guest_tlb(v);
	vcpu_skip_insn(v);
}

/* The exit (28.2.1, table 28-3). */
void cr_access_exit(struct vcpu *v)
{
	unsigned cr = v->qual & 15, type = (v->qual >> 4) & 3, reg = (v->qual >> 8) & 15;
	struct cr_state s;
	uint64_t val;

	cr_state_read(v, &s);
	switch (type) {
	case 0:                                 /* MOV to CR */
		val = vcpu_gpr_read(v, reg);
		if (!in_64bit_mode(&s))
			val = (uint32_t)val;    /* a 32-bit register outside 64-bit mode */
		if (cr == 0)
			set_cr0(v, &s, val);
		else if (cr == 4)
			set_cr4(v, &s, val);
		else if (cr == 3)
			set_cr3(v, &s, val);
		else if (cr == 8)               /* 64-bit mode only: the TPR */
			apic_cr8_write(v, val);
		else
			vcpu_unhandled_exit(v);
		return;
	case 1:                                 /* MOV from CR */
		if (cr == 3) {
			vcpu_gpr_write(v, reg, in_64bit_mode(&s) ? s.cr3 : (uint32_t)s.cr3);
			vcpu_skip_insn(v);
		} else if (cr == 8) {
			vcpu_gpr_write(v, reg, apic_cr8_read(v));
			vcpu_skip_insn(v);
		} else {
			vcpu_unhandled_exit(v);
		}
		return;
	case 2:                                 /* CLTS */
		set_cr0(v, &s, s.cr0 & ~CR0_TS);
		return;
	case 3:                                 /* LMSW: bits 3:0 only, PE sticks */
		set_cr0(v, &s, (s.cr0 & ~0xeul) | ((v->qual >> 16) & 0xf));
		return;
	}
}

void xsetbv_exit(struct vcpu *v)
{
	uint64_t val = (v->regs.rdx << 32) | (uint32_t)v->regs.rax;
	unsigned fault = xsetbv_fault((uint32_t)v->regs.rcx, val, v->xcr0_allowed,
				      guest_cpl(v->rflags), !!(vmread(GUEST_CR4) & CR4_OSXSAVE));

	if (fault) {
		vcpu_inject_fault(v, fault, fault == 13 ? 0 : -1);
		return;
	}
	v->xcr0 = val;                          /* loaded on the way in */
	v->xcr0_differs = val != v->host_xcr0;
	vcpu_exit_slow_update(v);
	cpuid_guest_state_changed(v);           /* CPUID.(0xD,0).EBX */
	vcpu_skip_insn(v);
}
