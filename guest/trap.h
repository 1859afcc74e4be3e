/*
 * trap.h - the guest's interrupt and exception frame and dispatch.
 *
 * isr.asm saves every general register into a struct trap_frame below the
 * frame the CPU pushed (SDM vol. 3A, 7.14.2, "64-bit mode stack frame") and
 * calls trap_dispatch() for vectors 0-31 or irq_dispatch() for 32-255.
 * Its offsets reach isr.asm through asm_offsets.c.
 *
 * Environment: guest kernel, interrupts off inside the handlers.
 */
/* SPDX-License-Identifier: MIT */
#ifndef GUEST_TRAP_H
#define GUEST_TRAP_H

#include <stdint.h>

struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t cr2;                   /* read at entry, through pv read_cr2 */
	uint64_t vector, error;         /* error is 0 where the CPU pushes none */
	uint64_t rip, cs, rflags, rsp, ss;      /* pushed by the CPU */
};

#define VEC_DE  0
#define VEC_DB  1
#define VEC_BP  3
#define VEC_UD  6
#define VEC_DF  8
#define VEC_GP  13
#define VEC_PF  14

/* Page-fault error code bits (SDM vol. 3A, 5.7, figure 5-12). */
#define PF_ERR_P        (1u << 0)       /* protection violation, not absent */
#define PF_ERR_W        (1u << 1)       /* write */

#define VEC_PIC_BASE    0x20    /* legacy 8259s, remapped here and masked */
#define VEC_TIMER       0x40    /* local APIC timer */
#define VEC_IPI         0x48    /* self-IPIs (lapic_self_ipi): counted, ended */
#define VEC_SPURIOUS    0xff    /* local APIC spurious vector */
/* Vectors a self-test raises on purpose (lapic_test.c): from here up to
 * 0xfe, handed to irq_test_handler while a test sets one. */
#define VEC_TEST_FIRST  0x50

/*
 * Expected faults, for the self-tests: arm one, run the faulting
 * instruction; the handler records what happened and resumes at fixup_rip
 * (or after the instruction for traps, where fixup_rip is 0).
 */
struct trap_expect {
	volatile int armed;
	uint64_t vector;
	uint64_t fixup_rip;
	uint64_t fixup_rsp;             /* nonzero: resume in ring 0 on this stack */
	/* filled by the handler */
	volatile int hit;
	uint64_t got_vector, got_error, got_rip, got_cr2, got_rax, got_cs, got_rflags;
};
extern struct trap_expect trap_expect;

void idt_init(void);
/* A GDT with ring-3 segments and a TSS, for running user code. */
#define GUEST_USER_CS   (0x18 | 3)
#define GUEST_USER_DS   (0x20 | 3)
/* 64-bit code at ring 1, for hostile tests of the CPL rule. */
#define GUEST_RING1_CS  (0x38 | 1)
#define GDT_CODE64_RING1 0x00afba000000fffful
void gdt_init(void);
/* An AP's (smp.c): the kernel's GDT, no TSS; the APs' IDT. */
void gdt_load_ap(void);
void idt_build_ap(unsigned call_vector);
void idt_load_ap(void);
void trap_dispatch(struct trap_frame *f);
int irq_dispatch(struct trap_frame *f);         /* nonzero: send EOI */
void trap_dump(const struct trap_frame *f);

extern volatile uint64_t irq_spurious_count;
extern volatile uint64_t irq_ipi_count;       /* VEC_IPI interrupts taken */
/* The running test's handler of its own vectors; nonzero: send EOI. */
extern int (*volatile irq_test_handler)(struct trap_frame *f);

#endif
