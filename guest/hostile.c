/*
 * hostile.c - self-tests in which the guest attacks the hypervisor's rules:
 * MSRs it must not reach or must keep as the guest's, XCR0 values a CPU
 * refuses, control-register writes a CPU refuses, a hardware breakpoint
 * across VM exits, the RFLAGS image of a fault the hypervisor injects, and
 * IPIs that would reach a CPU the guest does not own.
 *
 * Each test checks what the guest can see, and sees the same bare and
 * hosted where the CPU's rule is the same (a bare guest owns the machine,
 * so checks of what only a hypervisor denies run hosted only). What the
 * guest cannot see, that root mode never ran with its values, the
 * hypervisor checks itself at the end of the run ("hv: audit:").
 * Not in "all": tests=hostile.msr,hostile.xcr0,... or each by name.
 *
 * Environment: guest kernel, ring 0, interrupts off.
 */
/* SPDX-License-Identifier: MIT */
#include "abi/hv_abi.h"
#include "guest.h"
#include "lapic.h"
#include "lib.h"
#include "mm.h"
#include "pv.h"
#include "selftest.h"
#include "smp.h"
#include "trap.h"
#include "x86.h"

#define CR0_NW          (1ul << 29)
#define CR0_CD          (1ul << 30)
#define CR0_PG          (1ul << 31)
#define CR4_VMXE        (1ul << 13)
#define CR4_OSXSAVE     (1ul << 18)
#define RFLAGS_RF       (1ul << 16)
#define MSR_TSC         0x10
#define MSR_UCODE_TRIG  0x79            /* writing it loads microcode */
#define MSR_PT_OUTPUT   0x560           /* Intel PT's output base */
#define MSR_MTRR_DEF    0x2ff
#define MSR_STAR        0xc0000081
#define MSR_LSTAR       0xc0000082
#define MSR_KGS_BASE    0xc0000102

/*
 * One instruction with #GP (or #UD, #DB) armed: 1 if it faulted, 0 if it
 * completed. The fixup resumes after it; inputs are in fixed registers.
 */
#define FAULTS(vec, insn, ...)                                          \
	({                                                              \
		trap_expect.vector = (vec);                             \
		trap_expect.hit = 0;                                    \
		asm volatile("leaq 1f(%%rip), %%r11\n\t"                \
			     "movq %%r11, %[fx]\n\t"                    \
			     "movl $1, %[armed]\n\t"                    \
			     insn "\n"                                  \
			     "1:\tmovl $0, %[armed]\n"                  \
			     : [fx] "=m"(trap_expect.fixup_rip),        \
			       [armed] "=m"(trap_expect.armed)          \
			     : __VA_ARGS__                              \
			     : "r11", "memory");                        \
		trap_expect.hit;                                        \
	})

static int wrmsr_faults(uint32_t msr, uint64_t v)
{
	return FAULTS(VEC_GP, "wrmsr", "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

static int xsetbv_faults(uint64_t v)
{
	return FAULTS(VEC_GP, "xsetbv", "c"(0), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

static int mov_cr0_faults(uint64_t v)
{
	return FAULTS(VEC_GP, "movq %[v], %%cr0", [v] "r"(v));
}

static int mov_cr4_faults(uint64_t v)
{
	return FAULTS(VEC_GP, "movq %[v], %%cr4", [v] "r"(v));
}

static uint64_t read_cr0(void)
{
	uint64_t v;

	asm volatile("movq %%cr0, %0" : "=r"(v));
	return v;
}

static uint64_t read_cr4(void)
{
	uint64_t v;

	asm volatile("movq %%cr4, %0" : "=r"(v));
	return v;
}

/* An exit on purpose: CPUID always exits under VMX. */
static void force_exit(void)
{
	uint32_t a, b, c, d;

	cpuid(0, 0, &a, &b, &c, &d);
}

int test_hostile_msr(void)
{
	static const uint32_t kept[] = { MSR_STAR, MSR_LSTAR, MSR_KGS_BASE };
	uint64_t def, tsc;
	unsigned i;

	/*
	 * The guest's SYSCALL MSRs survive exits (the MSR areas switch them).
	 * They stay set when the run ends: root mode must still have its own
	 * (the hypervisor's audit line says).
	 */
	for (i = 0; i < 3; i++)
		CHECK(!wrmsr_faults(kept[i], 0xffff800000001000ul + i), "WRMSR 0x%x faulted", kept[i]);
	force_exit();
	for (i = 0; i < 3; i++) {
		uint64_t now = rdmsr(kept[i]);

		CHECK(now == 0xffff800000001000ul + i, "MSR 0x%x is 0x%lx after an exit", kept[i], now);
	}

	/* MTRRs: the guest's own (virtual when hosted), checked as a CPU does. */
	def = rdmsr(MSR_MTRR_DEF);
	CHECK(!wrmsr_faults(MSR_MTRR_DEF, def), "writing MTRR_DEF_TYPE back faulted");
	CHECK(rdmsr(MSR_MTRR_DEF) == def, "MTRR_DEF_TYPE reads 0x%lx", rdmsr(MSR_MTRR_DEF));

	/* The TSC: a write is the guest's clock, not the machine's. */
	tsc = rdtsc();
	CHECK(!wrmsr_faults(MSR_TSC, tsc + (1ul << 36)), "WRMSR TSC faulted");
	CHECK(rdtsc() - tsc >= (1ul << 36), "the TSC did not move");

	if (!platform_hv.ours)
		return 0;
	/* Hosted only: MSRs a bare guest may own, the hypervisor denies. */
	CHECK(wrmsr_faults(MSR_UCODE_TRIG, 0), "the microcode trigger took a write");
	CHECK(wrmsr_faults(MSR_PT_OUTPUT, 0x100000), "Intel PT's output base took a write");
	CHECK(wrmsr_faults(MSR_MTRR_DEF, (def & ~0xfful) | 2), "an MTRR type 2 was taken");
	CHECK(wrmsr_faults(0x12345678, 0), "an MSR no CPU has took a write");
	return 0;
}

int test_hostile_xcr0(void)
{
	static const uint64_t refused[] = { 0x27, 0x67, 0xe3, 0x6, 0x5 };
	uint32_t a, b, c, d;
	uint64_t cr4 = read_cr4(), xcr0;
	unsigned i;

	cpuid(1, 0, &a, &b, &c, &d);
	if (!(c & (1u << 26)))
		SKIP("this CPU has no XSAVE");
	CHECK(!!(c & (1u << 27)) == !!(cr4 & CR4_OSXSAVE), "CPUID.1:ECX.OSXSAVE differs from CR4");
	asm volatile("movq %0, %%cr4" : : "r"(cr4 | CR4_OSXSAVE));
	cpuid(1, 0, &a, &b, &c, &d);
	CHECK(c & (1u << 27), "CPUID.1:ECX.OSXSAVE clear with CR4.OSXSAVE set");

	for (i = 0; i < ARRAY_SIZE(refused); i++)
		CHECK(xsetbv_faults(refused[i]), "XCR0 = 0x%lx was taken", refused[i]);
	CHECK(!xsetbv_faults(0x3), "XCR0 = x87|SSE faulted");
	force_exit();
	asm volatile("xgetbv" : "=a"(a), "=d"(d) : "c"(0));
	xcr0 = ((uint64_t)d << 32) | a;
	CHECK(xcr0 == 0x3, "XCR0 is 0x%lx after an exit, not the guest's 0x3", xcr0);

	CHECK(!xsetbv_faults(0x1), "XCR0 = x87 faulted");
	asm volatile("movq %0, %%cr4" : : "r"(cr4));
	cpuid(1, 0, &a, &b, &c, &d);
	CHECK(!!(c & (1u << 27)) == !!(cr4 & CR4_OSXSAVE), "CPUID.1:ECX.OSXSAVE did not follow CR4");
	return 0;
}

int test_hostile_cr(void)
{
	uint64_t cr0 = read_cr0(), cr4 = read_cr4();

	CHECK(mov_cr0_faults(cr0 & ~CR0_PG), "CR0.PG = 0 in 64-bit mode was taken");
	CHECK(mov_cr0_faults((cr0 | CR0_NW) & ~CR0_CD), "CR0.NW without CD was taken");
	CHECK(mov_cr0_faults(cr0 | (1ul << 32)), "CR0 bit 32 was taken");
	CHECK(read_cr0() == cr0, "CR0 changed to 0x%lx", read_cr0());
	/* The whole CR0 reads back as written, the bits the hypervisor owns too. */
	CHECK(!mov_cr0_faults(cr0 | CR0_CD), "CR0.CD faulted");
	CHECK(read_cr0() == (cr0 | CR0_CD), "CR0 reads 0x%lx, wrote 0x%lx", read_cr0(), cr0 | CR0_CD);
	asm volatile("movq %0, %%cr0; wbinvd" : : "r"(cr0) : "memory");
	CHECK(read_cr0() == cr0, "CR0 not restored");
	if (platform_hv.ours)
		CHECK(mov_cr4_faults(cr4 | CR4_VMXE), "CR4.VMXE was taken: the guest has no VMX");
	CHECK(read_cr4() == cr4, "CR4 changed");
	return 0;
}

/* A write breakpoint on a variable, armed, then an exit, then the write. */
int test_hostile_dr7(void)
{
	static volatile uint64_t watched;
	uint64_t dr7 = 1ul | (1ul << 16) | (3ul << 18);    /* L0, write, 8 bytes */
	uint64_t got, dr6;

	asm volatile("movq %0, %%dr0" : : "r"((uint64_t)&watched));
	asm volatile("movq %0, %%dr6" : : "r"(0ul));
	asm volatile("movq %0, %%dr7" : : "r"(dr7 | 0x400));
	force_exit();
	asm volatile("movq %%dr7, %0" : "=r"(got));
	CHECK((got & 0xffff00ff) == ((dr7 | 0x400) & 0xffff00ff),
	      "DR7 is 0x%lx after an exit, the guest wrote 0x%lx", got, dr7 | 0x400);
	trap_expect.vector = VEC_DB;
	trap_expect.fixup_rip = 0;              /* a trap: resume after the write */
	trap_expect.hit = 0;
	trap_expect.armed = 1;
	watched = 1;
	trap_expect.armed = 0;
	asm volatile("movq %%dr6, %0" : "=r"(dr6));
	asm volatile("movq %0, %%dr7" : : "r"(0x400ul));
	CHECK(trap_expect.hit, "the write breakpoint did not fire after an exit");
	CHECK(dr6 & 1, "DR6 0x%lx does not name breakpoint 0", dr6);
	return 0;
}

/* A fault pushes RFLAGS with RF set, whether the CPU or the hypervisor
 * raises it (here: MOV CR0 with NW and not CD, emulated when hosted). */
int test_hostile_fault_rf(void)
{
	uint64_t cr0 = read_cr0();

	CHECK(mov_cr0_faults((cr0 | CR0_NW) & ~CR0_CD), "no #GP");
	CHECK(trap_expect.got_rflags & RFLAGS_RF, "#GP pushed RFLAGS 0x%lx without RF",
	      trap_expect.got_rflags);
	return 0;
}

/*
 * VMCALL from ring 1 with a null SS (64-bit code may run so at rings 1 and
 * 2): the CPL is CS.RPL, not SS.DPL, and only ring 0 may make hypercalls.
 * Hosted only: bare, VMCALL is #UD at any ring.
 */
int test_hostile_ring1(void)
{
	/* mov eax, HC_null; vmcall; ud2: the #UD takes it back to ring 0. */
	static const uint8_t code[] = { 0xb8, HC_null, 0, 0, 0, 0x0f, 0x01, 0xc1, 0x0f, 0x0b };
	uint64_t rax;

	if (!platform_hv.ours)
		SKIP("not running on this hypervisor");
	rax = run_at_ring(code, sizeof(code), VEC_UD, GUEST_RING1_CS, 1 /* null, RPL 1 */);
	CHECK(trap_expect.hit && (trap_expect.got_cs & 3) == 1, "did not run at ring 1");
	CHECK((int64_t)rax == -HV_EPERM, "VMCALL at ring 1, null SS: rax %ld, want -HV_EPERM",
	      (int64_t)rax);
	return 0;
}

/*
 * The IDT in absent MMIO (guest-physical 0xc0000000, no device there), then
 * the timer's interrupt: its delivery reads the IDT from nothing. The
 * hypervisor must stop the guest saying so, not take the access for the
 * instruction at RIP (it once "completed" that instruction instead, losing
 * the interrupt and a store). Hosted only; the guest does not come back.
 */
int test_hostile_idt_mmio(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) idtr = { 0xfff, MM_TEST_VA };
	static volatile uint64_t after;

	if (!platform_hv.ours)
		SKIP("not running on this hypervisor: bare, this is a triple fault");
	kprintf("selftest: hostile.idt: the IDT at guest-physical 0xc0000000, then an interrupt\n");
	mm_map_4k(MM_TEST_VA, 0xc0000000ul, PTE_W);
	pv_flush_tlb_one(MM_TEST_VA);
	asm volatile("lidt %0" : : "m"(idtr));
	for (;;) {
		pv_irq_enable();
		after++;                        /* the store the old path dropped */
	}
	return -1;
}

/*
 * RFLAGS.TF across an instruction the hypervisor completes (CPUID, and a
 * load from absent MMIO at guest-physical 0xe0000000): the single-step #DB
 * comes right after it, as after the CPU's own. Bare, the same.
 */
int test_hostile_tf(void)
{
	volatile uint32_t *mmio = (volatile uint32_t *)MM_TEST_VA;
	uint64_t after, got;

	mm_map_4k(MM_TEST_VA, 0xe0000000ul, PTE_W);
	pv_flush_tlb_one(MM_TEST_VA);
	trap_expect.vector = VEC_DB;
	trap_expect.fixup_rip = 0;
	trap_expect.hit = 0;
	asm volatile("movl $1, %[armed]\n\t"
		     "pushfq\n\t"
		     "orq $0x100, (%%rsp)\n\t"
		     "popfq\n\t"
		     "cpuid\n"
		     "1:\tleaq 1b(%%rip), %[after]"
		     : [armed] "=m"(trap_expect.armed), [after] "=r"(after)
		     : "a"(0), "c"(0) : "rbx", "rdx", "memory");
	CHECK(trap_expect.hit && trap_expect.got_rip == after,
	      "CPUID under TF: #DB hit=%d at 0x%lx, want 0x%lx", trap_expect.hit,
	      trap_expect.got_rip, after);
	trap_expect.hit = 0;
	asm volatile("movl $1, %[armed]\n\t"
		     "pushfq\n\t"
		     "orq $0x100, (%%rsp)\n\t"
		     "popfq\n\t"
		     "movl (%[p]), %%eax\n"
		     "1:\tleaq 1b(%%rip), %[after]"
		     : [armed] "=m"(trap_expect.armed), [after] "=r"(after), "=a"(got)
		     : [p] "r"(mmio) : "memory");
	trap_expect.armed = 0;
	CHECK((uint32_t)got == 0xffffffffu, "absent MMIO read 0x%lx", got);
	CHECK(trap_expect.hit && trap_expect.got_rip == after,
	      "absent-MMIO load under TF: #DB hit=%d at 0x%lx, want 0x%lx", trap_expect.hit,
	      trap_expect.got_rip, after);
	return 0;
}

/*
 * IPIs through the guest's xAPIC alias (SDM vol. 3A, 11.6.1). Hosted, the
 * hypervisor decodes each ICR write: a fixed IPI to this CPU is delivered,
 * one to any other CPU is dropped and counted (the guest has one CPU),
 * and INIT, start-up, NMI and SMI IPIs stop the guest whatever their
 * destination: on a 2-CPU machine they would otherwise start or reset the
 * other CPU outside VMX, or take this one into SMM. A test that sends one
 * of those prints what it sends, sends it, and fails if it comes back.
 * Bare, the CPU does what the IPI asks (Bochs's log says: "Deliver INIT
 * IPI", "CPU 1 started up at 0700:00000000 by APIC", "Enter to System
 * Management Mode"), and the test fails: they are for hosted runs.
 * lapic_ipi() writes the ICR with interrupts off, as every test starts.
 */
static int ipi_must_stop(const char *test, const char *what, uint32_t dest_apic_id,
			 uint32_t icr_lo)
{
	kprintf("selftest: %s: sending %s\n", test, what);
	lapic_ipi(dest_apic_id, icr_lo);
	CHECK(0, "the guest went on after %s (bare, the CPU's own behaviour: "
	      "this test is for hosted runs)", what);
}

/* The INIT level de-assert form first (ignored since the Pentium 4: it
 * must stop nothing), then an INIT. */
int test_hostile_init(void)
{
	kprintf("selftest: hostile.init: sending INIT level de-assert to all-excluding-self\n");
	lapic_ipi(0, ICR_OTHERS | ICR_LEVEL | ICR_DM_INIT);
	CHECK(lapic_ipi_idle(), "the INIT de-assert stays pending");
	kprintf("selftest: hostile.init: the guest goes on after the INIT de-assert\n");
	return ipi_must_stop("hostile.init", "INIT (assert) to all-excluding-self", 0,
			     ICR_OTHERS | ICR_LEVEL | ICR_ASSERT | ICR_DM_INIT);
}

/* An INIT to the APIC ID past the highest the MADT lists: a CPU of the
 * machine's, maybe, but not the guest's. Hosted with cpus=2 on four CPUs,
 * it is the machine's CPU 2, which the hypervisor never started. */
int test_hostile_init_other(void)
{
	uint32_t id = 0;
	unsigned i;
	char what[64];

	for (i = 0; i < smp.acpi.count; i++)
		id = smp.acpi.apic_id[i] > id ? smp.acpi.apic_id[i] : id;
	snprintf(what, sizeof(what), "INIT (assert) to APIC ID %u, not in the MADT", id + 1);
	return ipi_must_stop("hostile.init_other", what, id + 1,
			     ICR_LEVEL | ICR_ASSERT | ICR_DM_INIT);
}

/*
 * Vector 0x07: a CPU waiting for a SIPI starts in real mode at 0x7000.
 * Bare, that is the guest's own page, and it parks the CPU there (hlt in
 * a loop) so that the run stays short and Bochs's end-of-run dump shows
 * where the CPU went. Hosted, that page is guest-physical: the machine's
 * 0x7000, where a leaked SIPI would start the CPU, is not the guest's to
 * write, and the park protects nothing.
 */
int test_hostile_sipi(void)
{
	static const uint8_t park[] = { 0xf4, 0xeb, 0xfd };     /* 1: hlt; jmp 1b */
	volatile uint8_t *start = (volatile uint8_t *)0x7000ul;
	unsigned i;

	for (i = 0; i < sizeof(park); i++)
		start[i] = park[i];
	return ipi_must_stop("hostile.sipi", "start-up IPI, vector 0x07, to all-excluding-self", 0,
			     ICR_OTHERS | ICR_ASSERT | ICR_DM_STARTUP | 0x07);
}

int test_hostile_nmi(void)
{
	return ipi_must_stop("hostile.nmi", "NMI to all-excluding-self", 0,
			     ICR_OTHERS | ICR_ASSERT | ICR_DM_NMI);
}

/* To this CPU's own APIC ID, not the "self" shorthand: with that shorthand
 * the SDM allows fixed IPIs only (11.6.1, the table of valid ICR
 * combinations for the Pentium 4 and Xeon), and Bochs sends any IPI with
 * it as a fixed one. */
int test_hostile_smi(void)
{
	return ipi_must_stop("hostile.smi", "SMI to this CPU's own APIC ID",
			     lapic_read(LAPIC_ID) >> 24, ICR_ASSERT | ICR_DM_SMI);
}

/* Test IPIs taken with interrupts on for two timer ticks. */
static uint64_t test_ipis_in_two_ticks(void)
{
	uint64_t n0 = irq_ipi_count;

	wait_ticks(2);
	return irq_ipi_count - n0;
}

/*
 * Fixed IPIs to another CPU, by APIC ID and by shorthand: hosted, dropped
 * (the guest has no other CPU), bare on two CPUs, pending at the other
 * one (which the BIOS left halted with interrupts off). Neither may come
 * back to this CPU. Then a fixed self-IPI: delivered, once.
 */
int test_hostile_ipi(void)
{
	uint32_t self = lapic_read(LAPIC_ID) >> 24, other = self ^ 1;
	uint64_t got;

	CHECK(timer_counts(), "the APIC timer does not count: waiting for ticks would hang");
	lapic_ipi(other, ICR_ASSERT | ICR_DM_FIXED | VEC_IPI);
	CHECK(lapic_ipi_idle(), "a fixed IPI to APIC ID %u stays pending", other);
	lapic_ipi(0, ICR_OTHERS | ICR_ASSERT | ICR_DM_FIXED | VEC_IPI);
	CHECK(lapic_ipi_idle(), "a fixed IPI to all-excluding-self stays pending");
	got = test_ipis_in_two_ticks();
	CHECK(got == 0, "fixed IPIs to other CPUs reached this one (%lu times)", got);
	lapic_ipi(0, ICR_SELF | ICR_ASSERT | ICR_DM_FIXED | VEC_IPI);
	CHECK(lapic_ipi_idle(), "a fixed self-IPI stays pending");
	got = test_ipis_in_two_ticks();
	CHECK(got == 1, "a fixed self-IPI was delivered %lu times, want once", got);
	return 0;
}
