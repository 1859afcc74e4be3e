; ap_isr.asm - an application processor's interrupt and exception gates
; (idt.c's ap_idt); where an AP starts is boot/ap_boot.asm.
;
; Environment: an AP, 64-bit mode, its own IDT. SPDX-License-Identifier: MIT

; An AP's gates (idt.c's ap_idt). NMI only returns: an NMI sent to an AP
; wakes it and nothing else. An interrupt gets its EOI and returns, but
; SMP_CALL_VECTOR's, which runs smp_call_ipi() first (smp.c). An
; exception parks the CPU for good: an AP runs no code that faults.
APIC_EOI_VA equ 0xfffffffffee000b0      ; mm.h's APIC_ALIAS_VA + EOI

%include "caller_saved.inc"

extern smp_call_ipi
global ap_nmi, ap_irq, ap_call, ap_fault

section .text
bits 64
ap_nmi:
	iretq

ap_irq:
	push rax
	mov rax, APIC_EOI_VA
	mov dword [rax], 0
	pop rax
	iretq

ap_call:
	PUSH_CALLER_SAVED               ; 14 words: RSP = 0 (mod 16), as a call wants
	cld
	call smp_call_ipi
	mov rax, APIC_EOI_VA
	mov dword [rax], 0
	POP_CALLER_SAVED
	iretq

ap_fault:
	cli
	hlt
	jmp ap_fault
