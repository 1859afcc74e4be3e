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

struct tss64 {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3, iomap_base;
} __attribute__((packed));
_Static_assert(sizeof(struct tss64) == 104, "64-bit TSS (SDM vol. 3A, 9.7)");

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
	} __attribute__((packed)) gdtr = { sizeof(gdt) - 1, (uint64_t)gdt },
				  idtr = { sizeof(idt) - 1, (uint64_t)idt };
	uint64_t base = (uint64_t)&tss, limit = sizeof(tss) - 1;
	unsigned v;

	gdt[1] = 0x00af9a000000ffffull;         /* 64-bit code, as entry64.asm */
	gdt[2] = 0x00cf92000000ffffull;         /* data */
	/* A 16-byte available 64-bit TSS descriptor (SDM vol. 3A, 9.2.3). */
	gdt[3] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ull << 40) |
		 ((limit >> 16 & 0xf) << 48) | ((base >> 24 & 0xff) << 56);
	gdt[4] = base >> 32;
	tss.iomap_base = sizeof(tss);
	for (v = 0; v < 32; v++) {
		uint64_t a = hv_trap_table[v];
		idt[v] = (struct idt_gate){ (uint16_t)a, 0x08, 0, 0x8e, (uint16_t)(a >> 16),
					    (uint32_t)(a >> 32), 0 };
	}
	asm volatile("lgdt %0" : : "m"(gdtr));
	asm volatile("lidt %0" : : "m"(idtr));
	asm volatile("ltr %w0" : : "r"(SEL_TSS));
}

/* Called by trap.asm with the vector, error code and faulting RIP. */
void hv_trap(uint64_t vector, uint64_t error, uint64_t rip, uint64_t cr2);
void hv_trap(uint64_t vector, uint64_t error, uint64_t rip, uint64_t cr2)
{
	kprintf("hv: panic: exception %lu in root mode, error 0x%lx, rip 0x%lx, cr2 0x%lx\n",
		vector, error, rip, cr2);
	hv_exit(HV_STATUS_PANIC);
}
