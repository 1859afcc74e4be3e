/*
 * smp.c - the machine's CPUs: which ones the firmware lists, from ACPI's
 * MADT (shared/lib/acpi.c), read once at boot while the early identity
 * map still covers the firmware's tables (mm_init maps RAM alone).
 *
 * One line says what was found: "smp: cpus=N apic-ids=... (ACPI MADT at
 * ...)" or, without a usable MADT, "smp: cpus=1 online=1 (no MADT: why)".
 *
 * smp_boot_aps() then starts the others the architectural way, the same
 * on bare metal and hosted (SDM vol. 3A, 9.4.4.1): an INIT IPI, at least
 * 10 ms, a start-up IPI with the vector of ap_boot.asm's page, and a
 * second one if the AP has not shown up. Each AP takes the kernel's GDT,
 * counts itself in smp.online and parks (interrupts off, HLT; an NMI only
 * wakes it). "smp: cpus=N online=M" says how many run; an AP that does not
 * come is named with how long it was waited for.
 *
 * Environment: guest kernel at boot: smp_discover before mm_init (the
 * early map), smp_boot_aps after lapic_init (its timer measures the
 * waits), on the boot CPU; ap_main on each AP.
 */
/* SPDX-License-Identifier: MIT */
#include "guest.h"
#include "lapic.h"
#include "lib.h"
#include "mm.h"
#include "pv.h"
#include "selftest.h"
#include "smp.h"
#include "trap.h"
#include "x86.h"

extern const uint8_t ap_boot_start[], ap_boot_end[], ap_boot_data[];

struct smp_info smp;

/* The early map: the first 4 GiB, identity (entry64.asm). */
static const void *early_map(uint64_t pa, size_t len)
{
	if (pa == 0 || pa + len < pa || pa + len > 0x100000000ull)
		return NULL;
	return (const void *)pa;
}

void smp_discover(void)
{
	char ids[160];
	size_t used = 0;
	const char *why;
	uint32_t a, b, c, d, self;
	unsigned i, listed = 0;

	smp.cpus = smp.online = 1;
	if (acpi_find_cpus(early_map, &smp.acpi, &why)) {
		kprintf("smp: cpus=1 online=1 (no MADT: %s)\n", why);
		return;
	}
	smp.have_madt = 1;
	smp.cpus = smp.acpi.count;
	ids[0] = 0;
	for (i = 0; i < smp.acpi.count && used + 12 < sizeof(ids); i++)
		used += (size_t)snprintf(ids + used, sizeof(ids) - used, "%s%u", i ? "," : "",
					 smp.acpi.apic_id[i]);
	if (i < smp.acpi.count)
		snprintf(ids + used, sizeof(ids) - used, ",...");
	/* The boot CPU is among them: its initial APIC ID (CPUID.1:EBX[31:24]). */
	cpuid(1, 0, &a, &b, &c, &d);
	self = b >> 24;
	for (i = 0; i < smp.acpi.count; i++)
		listed |= smp.acpi.apic_id[i] == self;
	kprintf("smp: cpus=%u apic-ids=%s (ACPI MADT at 0x%lx)%s\n", smp.cpus, ids,
		(unsigned long)smp.acpi.madt_pa,
		listed ? "" : " (the boot CPU's APIC ID is not among them)");
	if (smp.acpi.dropped)
		kprintf("smp: %u more CPUs past the %u this kernel keeps\n", smp.acpi.dropped,
			ACPI_MAX_CPUS);
}

/* ---- starting the APs ---------------------------------------------------- */

#define CR4_PCIDE       (1ul << 17)
#define MSR_IA32_EFER   0xc0000080u
#define EFER_LMA        (1ul << 10)     /* read-only: the CPU sets it */

static uint64_t read_cr(int n)
{
	uint64_t v = 0;

	switch (n) {
	case 0: asm volatile("movq %%cr0, %0" : "=r"(v)); break;
	case 3: asm volatile("movq %%cr3, %0" : "=r"(v)); break;
	case 4: asm volatile("movq %%cr4, %0" : "=r"(v)); break;
	}
	return v;
}

/* An AP, on its own stack: its tables, counted, parked. */
static void ap_main(unsigned index)
{
	(void)index;
	gdt_load_ap();
	idt_load_parked();
	__atomic_add_fetch(&smp.online, 1, __ATOMIC_SEQ_CST);
	for (;;)
		asm volatile("cli; hlt");
}

/* An IPI to one APIC ID; 0 once the APIC has sent it (delivery status
 * idle), -1 when it is still pending after a while. */
static int ipi(uint32_t apic_id, uint32_t icr_lo)
{
	unsigned i;

	lapic_write(LAPIC_ICR_HI, apic_id << ICR_DEST_SHIFT);
	lapic_write(LAPIC_ICR_LO, icr_lo);
	for (i = 0; i < 1000000; i++)
		if (!(lapic_read(LAPIC_ICR_LO) & ICR_PENDING))
			return 0;
	return -1;
}

/* Wait until online passes was, at most ticks APIC timer ticks. */
static int came_online(unsigned was, unsigned ticks)
{
	uint64_t until = lapic_ticks + ticks;

	while (smp.online == was && lapic_ticks < until) {
		pv_safe_halt();
		pv_irq_disable();
	}
	return smp.online != was;
}

/*
 * The waits are in the guest's APIC timer ticks (LAPIC_TIMER_COUNT bus
 * clocks at divide 16: 16 ms at a 100 MHz bus). Two ticks are more than
 * one whole tick, so the INIT's 10 ms hold below a 160 MHz bus clock.
 */
#define INIT_WAIT_TICKS         2
#define SIPI_WAIT_TICKS         1
#define AP_WAIT_TICKS           50

void smp_boot_aps(void)
{
	struct ap_boot_data *d = (struct ap_boot_data *)(uintptr_t)(AP_BOOT_PA +
						(ap_boot_data - ap_boot_start));
	uint32_t self = lapic_read(LAPIC_ID) >> 24;
	volatile uint64_t *pte = mm_pte(AP_BOOT_PA);
	unsigned i;

	if (!smp.have_madt)
		return;                         /* smp_discover said cpus=1 online=1 */
	if (smp.cpus == 1) {
		kprintf("smp: cpus=1 online=1\n");
		return;
	}
	if (!pte || !(*pte & PTE_P)) {
		kprintf("smp: cpus=%u online=1 (page 0x%x, where APs start, is not RAM this "
			"kernel maps)\n", smp.cpus, AP_BOOT_PA);
		return;
	}
	if (!timer_counts()) {
		kprintf("smp: cpus=%u online=1 (the APIC timer does not count: no way to "
			"time the start-up IPIs)\n", smp.cpus);
		return;
	}
	memcpy((void *)(uintptr_t)AP_BOOT_PA, ap_boot_start, (size_t)(ap_boot_end - ap_boot_start));
	d->cr0 = read_cr(0);
	d->cr3 = read_cr(3);
	d->cr4 = read_cr(4) & ~CR4_PCIDE;       /* only in IA-32e mode */
	d->efer = rdmsr(MSR_IA32_EFER) & ~EFER_LMA;
	d->entry = (uint64_t)(uintptr_t)ap_main;
	for (i = 0; i < smp.acpi.count; i++) {
		uint32_t id = smp.acpi.apic_id[i];
		unsigned was = smp.online;

		if (id == self)
			continue;
		if (id > 0xfe) {
			kprintf("smp: APIC ID %u not started: beyond what an xAPIC can address\n", id);
			continue;
		}
		d->stack = mm_alloc_frame() + PAGE_SIZE;
		d->index = i;
		if (ipi(id, ICR_DM_INIT | ICR_ASSERT)) {
			kprintf("smp: APIC ID %u not started: the INIT IPI stayed pending\n", id);
			continue;
		}
		came_online(was, INIT_WAIT_TICKS);      /* 10 ms: it must not come yet */
		if (ipi(id, ICR_DM_STARTUP | ICR_ASSERT | AP_BOOT_VECTOR) ||
		    (!came_online(was, SIPI_WAIT_TICKS) &&
		     (ipi(id, ICR_DM_STARTUP | ICR_ASSERT | AP_BOOT_VECTOR) ||
		      !came_online(was, AP_WAIT_TICKS))))
			kprintf("smp: APIC ID %u did not start: no sign of it %u ticks after "
				"INIT, SIPI, SIPI\n", id, INIT_WAIT_TICKS + SIPI_WAIT_TICKS +
				AP_WAIT_TICKS);
	}
	kprintf("smp: cpus=%u online=%u\n", smp.cpus, smp.online);
}
