/*
 * cpu.c - the hypervisor's own CPU tables: a GDT with a TSS (VMX requires
 * a non-null host TR, SDM vol. 3C, 27.2.3) and an IDT whose every vector
 * is a panic: root mode takes no interrupts (IF stays 0) and must not
 * fault, so any exception here is a hypervisor bug, reported and ended.
 *
 * Environment: hypervisor at boot, root mode, interrupts off.
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

#define SEL_TSS 0x18

static struct tss64 tss;
static uint64_t gdt[5] __attribute__((aligned(16)));
static struct idt_gate idt[32] __attribute__((aligned(16)));
extern const uint64_t hv_trap_table[32];

uint64_t hv_tss_base(void)
{
	return (uint64_t)&tss;
}

void cpu_init(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) idtr = { sizeof(idt) - 1, (uint64_t)idt };
	unsigned v;

	gdt[1] = GDT_CODE64_KERNEL;             /* as entry64.asm */
	gdt[2] = GDT_DATA_KERNEL;
	gdt_set_tss(gdt, 3, &tss);
	tss.iomap_base = sizeof(tss);
	for (v = 0; v < 32; v++) {
		uint64_t a = hv_trap_table[v];
		idt[v] = (struct idt_gate){ (uint16_t)a, 0x08, 0, 0x8e, (uint16_t)(a >> 16),
					    (uint32_t)(a >> 32), 0 };
	}
	load_gdt_tr(gdt, ARRAY_SIZE(gdt), SEL_TSS);
	asm volatile("lidt %0" : : "m"(idtr));
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
