/*
 * cpu.c - the hypervisor's own CPU tables: one GDT with a TSS for each CPU
 * (VMX requires a non-null host TR, SDM vol. 3C, 27.2.3; a CPU's TR
 * also says which CPU it is, smp_this_cpu) and one IDT. Every exception
 * vector is a panic: root mode must not fault, so any exception here is
 * a hypervisor bug, reported and ended. Root mode takes no interrupts
 * (IF stays 0) but where a CPU waits for work in root mode (smp.c: an AP
 * waiting for the guest's start-up IPI, sti; hlt): there the hypervisor's
 * own IPI (HV_KICK_VECTOR, and any other vector) only wakes it, ended
 * at the APIC; the spurious vector 0xff returns without an EOI (11.9).
 *
 * Environment: hypervisor at boot, root mode, interrupts off; each CPU
 * calls cpu_init with its own index.
 */
/* SPDX-License-Identifier: MIT */
#include "hv.h"
#include "lib.h"
#include "x86.h"

struct idt_gate {
	uint16_t offset_lo, selector;
	uint8_t ist, type_attr;
	uint16_t offset_mid;
	uint32_t offset_hi, reserved;
} __attribute__((packed));

#define SEL_TSS(i) (0x18 + 16 * (i))    /* CPU i's TSS: two GDT slots each */

static struct tss64 tss[HV_MAX_CPUS];
static uint64_t gdt[3 + 2 * HV_MAX_CPUS] __attribute__((aligned(16)));
static struct idt_gate idt[256] __attribute__((aligned(16)));
extern const uint64_t hv_trap_table[32];
extern const char hv_irq_wake[], hv_irq_spurious[];

static uint16_t tr_selector(void)
{
	uint16_t tr;

	asm volatile("str %0" : "=r"(tr));
	return tr;
}

/* This CPU's number: its TR names its TSS (0 before cpu_init). */
unsigned smp_this_cpu(void)
{
	uint16_t tr = tr_selector();

	return tr >= SEL_TSS(0) ? (unsigned)(tr - SEL_TSS(0)) / 16 : 0;
}

uint64_t hv_tss_base(void)
{
	return (uint64_t)&tss[smp_this_cpu()];
}

static struct idt_gate gate(uint64_t a)
{
	return (struct idt_gate){ (uint16_t)a, 0x08, 0, 0x8e, (uint16_t)(a >> 16),
				  (uint32_t)(a >> 32), 0 };
}

void cpu_init(unsigned index)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) idtr = { sizeof(idt) - 1, (uint64_t)idt };
	unsigned v;

	ASSERT(index < HV_MAX_CPUS);
	if (index == 0) {                       /* the tables, once */
		gdt[1] = GDT_CODE64_KERNEL;     /* as entry64.asm */
		gdt[2] = GDT_DATA_KERNEL;
		for (v = 0; v < HV_MAX_CPUS; v++) {
			gdt_set_tss(gdt, 3 + 2 * v, &tss[v]);
			tss[v].iomap_base = sizeof(tss[v]);
		}
		for (v = 0; v < 256; v++)
			idt[v] = gate(v < 32 ? hv_trap_table[v] : v == 0xff ?
				      (uint64_t)hv_irq_spurious : (uint64_t)hv_irq_wake);
	}
	load_gdt_tr(gdt, ARRAY_SIZE(gdt), SEL_TSS(index));
	asm volatile("lidt %0" : : "m"(idtr));
	/* An AP comes from boot/ap_boot.asm's GDT (code at 0x18, this GDT's
	 * first TSS): CS and the data selectors become this GDT's. */
	asm volatile("pushq $0x08\n\t"
		     "leaq 1f(%%rip), %%rax\n\t"
		     "pushq %%rax\n\t"
		     "lretq\n"
		     "1:\tmovl $0x10, %%eax\n\t"
		     "movl %%eax, %%ds\n\t"
		     "movl %%eax, %%es\n\t"
		     "movl %%eax, %%ss" ::: "rax", "memory");
}

/*
 * XSAVE state for the hypervisor's own XSETBV (cr.c switches XCR0 around
 * every exit): CR4.OSXSAVE on, XCR0 as after reset (x87 only). Returns
 * that XCR0, and in *allowed what a guest may set, or 0 without XSAVE.
 */
uint64_t cpu_xsave_init(uint64_t *allowed)
{
	uint32_t a, b, c, d;
	uint64_t cr4;

	*allowed = 0;
	cpuid(1, 0, &a, &b, &c, &d);
	if (!(c & BIT(26)))                     /* CPUID.1:ECX.XSAVE */
		return 0;
	asm volatile("mov %%cr4, %0" : "=r"(cr4));
	asm volatile("mov %0, %%cr4" : : "r"(cr4 | CR4_OSXSAVE));
	xsetbv(0, XFEATURE_X87);
	cpuid(0xd, 0, &a, &b, &c, &d);
	*allowed = xcr0_allowed(((uint64_t)d << 32) | a);
	return XFEATURE_X87;
}

/* Called by trap.asm with the vector, error code and faulting RIP. */
void hv_trap(uint64_t vector, uint64_t error, uint64_t rip, uint64_t cr2);
void hv_trap(uint64_t vector, uint64_t error, uint64_t rip, uint64_t cr2)
{
	panic_at((void *)rip, "exception %lu in root mode, error 0x%lx, cr2 0x%lx",
		 vector, error, cr2);
}
