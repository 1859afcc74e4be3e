/*
 * lapic.c - bring up the local APIC and its periodic timer; quiet the 8259s.
 *
 * Environment: guest kernel, interrupts off during lapic_init.
 */
/* SPDX-License-Identifier: MIT */
#include "lapic.h"
#include "lib.h"
#include "mm.h"
#include "pv.h"
#include "trap.h"
#include "x86.h"

volatile uint64_t lapic_ticks;

#define PIC1_CMD 0x20
#define PIC1_DATA 0x21
#define PIC2_CMD 0xa0
#define PIC2_DATA 0xa1

uint32_t lapic_read(unsigned reg)
{
	return *(volatile uint32_t *)(APIC_ALIAS_VA + reg);
}

void lapic_write(unsigned reg, uint32_t v)
{
	*(volatile uint32_t *)(APIC_ALIAS_VA + reg) = v;
}

static void pic_outb(uint16_t port, uint8_t v)
{
	outb(port, v);
	pv_io_delay();          /* the 8259 wants time between writes */
}

/*
 * The BIOS leaves the 8259s on vectors 0x08-0x0f, over the exceptions.
 * Move them to VEC_PIC_BASE (ICW1-ICW4) and mask every line: the guest
 * takes its interrupts from the local APIC only. A masked PIC can still
 * raise a spurious IRQ 7 or 15, which irq_dispatch ignores.
 */
static void pic_disable(void)
{
	pic_outb(PIC1_CMD, 0x11);               /* ICW1: init, ICW4 follows */
	pic_outb(PIC2_CMD, 0x11);
	pic_outb(PIC1_DATA, VEC_PIC_BASE);      /* ICW2: vector base */
	pic_outb(PIC2_DATA, VEC_PIC_BASE + 8);
	pic_outb(PIC1_DATA, 4);                 /* ICW3: slave on IRQ 2 */
	pic_outb(PIC2_DATA, 2);
	pic_outb(PIC1_DATA, 1);                 /* ICW4: 8086 mode */
	pic_outb(PIC2_DATA, 1);
	pic_outb(PIC1_DATA, 0xff);              /* mask all */
	pic_outb(PIC2_DATA, 0xff);
}

void lapic_setup(void)
{
	lapic_write(LAPIC_TPR, 0);
	lapic_write(LAPIC_SVR, SVR_ENABLE | VEC_SPURIOUS);
	lapic_write(LAPIC_TDCR, TDCR_DIV_16);
	lapic_write(LAPIC_LVT_TIMER, LVT_PERIODIC | VEC_TIMER);
	pv_timer_arm(LAPIC_TIMER_COUNT);
}

int lapic_init(void)
{
	uint32_t a, b, c, d;
	uint64_t base;

	cpuid(1, 0, &a, &b, &c, &d);
	if (!(d & (1u << 9))) {
		kprintf("lapic: CPUID.1:EDX.APIC[9] is clear: no local APIC\n");
		return -1;
	}
	base = rdmsr(MSR_IA32_APIC_BASE);
	if (!(base & APIC_BASE_ENABLE))
		wrmsr(MSR_IA32_APIC_BASE, base | APIC_BASE_ENABLE);
	mm_map_4k(APIC_ALIAS_VA, base & PTE_ADDR, PTE_W | PTE_PCD | PTE_PWT);
	pv_flush_tlb_one(APIC_ALIAS_VA);
	pic_disable();

	lapic_setup();
	kprintf("lapic: base=0x%lx id=%u timer vector=0x%x count=%u periodic\n",
		base & PTE_ADDR, lapic_read(LAPIC_ID) >> 24, VEC_TIMER, LAPIC_TIMER_COUNT);
	return 0;
}

void lapic_self_ipi(unsigned vector)
{
	lapic_write(LAPIC_ICR_LO, ICR_SELF | (vector & 0xff));
}

void lapic_ipi(uint32_t dest_apic_id, uint32_t icr_lo)
{
	lapic_write(LAPIC_ICR_HI, dest_apic_id << ICR_DEST_SHIFT);
	lapic_write(LAPIC_ICR_LO, icr_lo);
}

int lapic_ipi_idle(void)
{
	unsigned i;

	for (i = 0; i < 100000; i++) {
		if (!(lapic_read(LAPIC_ICR_LO) & ICR_PENDING))
			return 1;
		cpu_relax();
	}
	return 0;
}

/*
 * The send_ipi_mask op's native form (pv.h): one fixed IPI per set bit,
 * each by physical destination (11.6.1), counted once its ICR reads idle.
 * Interrupts off around the ICR_HI/ICR_LO pair of each, as lapic_ipi wants.
 */
long native_send_ipi_mask(uint64_t apic_mask, unsigned long vector)
{
	unsigned long flags = pv_save_fl();
	long sent = 0;

	pv_irq_disable();
	while (apic_mask) {
		unsigned id = (unsigned)__builtin_ctzll(apic_mask);

		apic_mask &= apic_mask - 1;
		lapic_ipi(id, ICR_DM_FIXED | ICR_ASSERT | (vector & 0xff));
		sent += lapic_ipi_idle();
	}
	pv_restore_fl(flags);
	return sent;
}

void lapic_timer_tick(void)
{
	lapic_ticks++;
}
