/*
 * idt.c - the guest's IDT and the C side of interrupts and exceptions.
 *
 * Every exception is either one a self-test armed (trap_expect) or a crash:
 * the report names the vector, error code, RIP and every register on the
 * serial console, and the machine stops with a failing status.
 *
 * Environment: guest kernel; the dispatchers run with interrupts off.
 */
/* SPDX-License-Identifier: MIT */
#include "guest.h"
#include "lapic.h"
#include "lib.h"
#include "pv.h"
#include "trap.h"
#include "x86.h"

/* A 64-bit interrupt gate (SDM vol. 3A, 7.14.1, figure 7-8). */
struct idt_gate {
	uint16_t offset_lo;
	uint16_t selector;
	uint8_t ist;
	uint8_t type_attr;
	uint16_t offset_mid;
	uint32_t offset_hi;
	uint32_t reserved;
} __attribute__((packed));
_Static_assert(sizeof(struct idt_gate) == 16, "64-bit IDT gate");

#define GATE_INTERRUPT_64       0x8e    /* present, DPL 0, type 0xE */
#define KERNEL_CS               0x08    /* entry64.asm's gdt64, and gdt[] */
#define KERNEL_DS               0x10

/* Kernel code and data, user code and data (DPL 3), the TSS: the CPU
 * takes RSP0 from it on an interrupt from ring 3 (SDM vol. 3A, 7.14.5). */
static uint64_t gdt[8] __attribute__((aligned(16)));
static struct tss64 tss;
static uint8_t ring0_stack[8192] __attribute__((aligned(16)));

void gdt_init(void)
{
	gdt[1] = GDT_CODE64_KERNEL;
	gdt[2] = GDT_DATA_KERNEL;
	gdt[3] = GDT_CODE64_USER;
	gdt[4] = GDT_DATA_USER;
	gdt_set_tss(gdt, 5, &tss);
	gdt[7] = GDT_CODE64_RING1;
	tss.rsp[0] = (uint64_t)(ring0_stack + sizeof(ring0_stack));
	tss.iomap_base = sizeof(tss);
	load_gdt_tr(gdt, ARRAY_SIZE(gdt), 0x28);
}

/*
 * An AP's tables (smp.c): the kernel's GDT without its TSS (the boot
 * CPU's: its descriptor is busy), CS and the data segments reloaded from
 * it; and the APs' own IDT (ap_isr.asm's gates): an NMI only wakes an
 * AP, an interrupt is ended, the SMP call vector runs smp_call_ipi(), an
 * exception parks it.
 */
void gdt_load_ap(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) gdtr = { sizeof(gdt) - 1, (uint64_t)gdt };

	asm volatile("lgdt %0\n\t"
		     "pushq %1\n\t"
		     "leaq 1f(%%rip), %%rax\n\t"
		     "pushq %%rax\n\t"
		     "lretq\n"
		     "1:\tmovl %2, %%eax\n\t"
		     "movl %%eax, %%ds\n\t"
		     "movl %%eax, %%es\n\t"
		     "movl %%eax, %%ss"
		     : : "m"(gdtr), "i"(KERNEL_CS), "i"(KERNEL_DS) : "rax", "memory");
}

static struct idt_gate idt[256] __attribute__((aligned(16)));
static struct idt_gate ap_idt[256] __attribute__((aligned(16)));
extern const uint64_t isr_table[256];
extern const char ap_nmi[], ap_irq[], ap_call[], ap_fault[];

static struct idt_gate gate(const void *handler)
{
	uint64_t a = (uint64_t)handler;

	return (struct idt_gate){
		.offset_lo = (uint16_t)a,
		.selector = KERNEL_CS,
		.type_attr = GATE_INTERRUPT_64,
		.offset_mid = (uint16_t)(a >> 16),
		.offset_hi = (uint32_t)(a >> 32),
	};
}

/* Built by the boot CPU before it starts any AP; loaded by each. */
void idt_build_ap(unsigned call_vector)
{
	unsigned v;

	for (v = 0; v < 256; v++)
		ap_idt[v] = gate(v == 2 ? ap_nmi : v == call_vector ? ap_call :
				 v < 32 ? ap_fault : ap_irq);
}

void idt_load_ap(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) idtr = { sizeof(ap_idt) - 1, (uint64_t)ap_idt };

	asm volatile("lidt %0" : : "m"(idtr));
}

struct trap_expect trap_expect;
volatile uint64_t irq_spurious_count;
volatile uint64_t irq_ipi_count;
int (*volatile irq_test_handler)(struct trap_frame *f);

static const char *const exception_names[32] = {
	"#DE divide error", "#DB debug", "NMI", "#BP breakpoint",
	"#OF overflow", "#BR bound range", "#UD invalid opcode",
	"#NM device not available", "#DF double fault",
	"coprocessor segment overrun", "#TS invalid TSS",
	"#NP segment not present", "#SS stack fault",
	"#GP general protection", "#PF page fault", "reserved 15",
	"#MF x87 error", "#AC alignment check", "#MC machine check",
	"#XM SIMD error", "#VE virtualization exception",
	"#CP control protection", "reserved 22", "reserved 23",
	"reserved 24", "reserved 25", "reserved 26", "reserved 27",
	"#HV hypervisor injection", "#VC VMM communication",
	"#SX security exception", "reserved 31",
};

void idt_init(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) idtr = { sizeof(idt) - 1, (uint64_t)idt };
	unsigned v;

	for (v = 0; v < 256; v++)
		idt[v] = gate((const void *)isr_table[v]);
	asm volatile("lidt %0" : : "m"(idtr));
}

void trap_dump(const struct trap_frame *f)
{
	kprintf("exception: vector=%lu (%s) error=0x%lx rip=0x%lx cs=0x%lx rflags=0x%lx\n",
		f->vector, f->vector < 32 ? exception_names[f->vector] : "?",
		f->error, f->rip, f->cs, f->rflags);
	kprintf("exception: rax=0x%016lx rbx=0x%016lx rcx=0x%016lx rdx=0x%016lx\n",
		f->rax, f->rbx, f->rcx, f->rdx);
	kprintf("exception: rsi=0x%016lx rdi=0x%016lx rbp=0x%016lx rsp=0x%016lx\n",
		f->rsi, f->rdi, f->rbp, f->rsp);
	kprintf("exception: r8 =0x%016lx r9 =0x%016lx r10=0x%016lx r11=0x%016lx\n",
		f->r8, f->r9, f->r10, f->r11);
	kprintf("exception: r12=0x%016lx r13=0x%016lx r14=0x%016lx r15=0x%016lx\n",
		f->r12, f->r13, f->r14, f->r15);
	kprintf("exception: cr2=0x%016lx cr3=0x%016lx ss=0x%lx\n",
		f->cr2, pv_read_cr3(), f->ss);
}

void trap_dispatch(struct trap_frame *f)
{
	struct trap_expect *e = &trap_expect;

	if (e->armed && e->vector == f->vector) {
		e->armed = 0;
		e->hit = 1;
		e->got_vector = f->vector;
		e->got_error = f->error;
		e->got_rip = f->rip;
		e->got_cr2 = f->cr2;
		e->got_rax = f->rax;
		e->got_cs = f->cs;
		e->got_rflags = f->rflags;
		if (f->vector == VEC_DB)        /* an expected single step: once */
			f->rflags &= ~(1ul << 8);
		if (e->fixup_rip)
			f->rip = e->fixup_rip;
		if (e->fixup_rsp) {             /* back to ring 0 from user code */
			f->cs = KERNEL_CS;
			f->ss = KERNEL_DS;
			f->rsp = e->fixup_rsp;
			e->fixup_rsp = 0;
		}
		return;
	}
	kprintf("exception: unexpected exception in the guest kernel\n");
	trap_dump(f);
	guest_exit(GUEST_STATUS_CRASH);
}

int irq_dispatch(struct trap_frame *f)
{
	if (f->vector == VEC_TIMER) {
		lapic_timer_tick();
		return 1;
	}
	if (f->vector == VEC_IPI) {
		irq_ipi_count++;
		return 1;
	}
	/* Spurious APIC vector and masked-PIC strays: no EOI (SDM vol. 3A,
	 * 11.9, "Spurious Interrupt"). Anything else is unexpected. */
	if (f->vector == VEC_SPURIOUS ||
	    (f->vector >= VEC_PIC_BASE && f->vector < VEC_PIC_BASE + 16)) {
		irq_spurious_count++;
		return 0;
	}
	if (f->vector >= VEC_TEST_FIRST && irq_test_handler)
		return irq_test_handler(f);
	kprintf("interrupt: unexpected vector %lu at rip=0x%lx\n", f->vector, f->rip);
	trap_dump(f);
	guest_exit(GUEST_STATUS_CRASH);
}
