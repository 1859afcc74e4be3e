; isr.asm - interrupt and exception entry and exit of the guest kernel.
;
; One stub per vector (256, made by %rep) pushes a dummy error code where the
; CPU pushes none (SDM vol. 3A, 7.3, table 7-1: vectors 8, 10-14, 17, 21,
; 29, 30 push one) and its vector, then joins a common path that saves the
; general registers into a struct trap_frame (trap.h) and calls C.
; Both common paths use pv op sites (PV_SITE, kind 3): read_cr2 on entry
; from an exception, apic_eoi on exit from an interrupt that asks for it.
; Environment: guest kernel, entered through interrupt gates (IF = 0).
; SPDX-License-Identifier: MIT

%include "asm_offsets.inc"
%include "pv_site.inc"

extern trap_dispatch, irq_dispatch, pv_ops
global isr_table

section .text
bits 64

; Vectors whose exceptions push an error code.
%define HAS_ERROR(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || \
			(v) == 21 || (v) == 29 || (v) == 30)

%assign vec 0
%rep 256
isr_%[vec]:
%if !HAS_ERROR(vec)
	push 0                          ; dummy error code
%endif
	push vec
%if vec < 32
	jmp exception_common
%else
	jmp interrupt_common
%endif
%assign vec vec + 1
%endrep

; Save the general registers below cr2/vector/error: struct trap_frame.
%macro SAVE_GPRS 0
	sub rsp, 8                      ; trap_frame.cr2
	push rax
	push rbx
	push rcx
	push rdx
	push rsi
	push rdi
	push rbp
	push r8
	push r9
	push r10
	push r11
	push r12
	push r13
	push r14
	push r15
%endmacro

%macro RESTORE_GPRS_AND_IRET 0
	pop r15
	pop r14
	pop r13
	pop r12
	pop r11
	pop r10
	pop r9
	pop r8
	pop rbp
	pop rdi
	pop rsi
	pop rdx
	pop rcx
	pop rbx
	pop rax
	add rsp, 24                     ; cr2, vector, error
	iretq
%endmacro

; Call C with the frame in RDI and RSP 16-byte aligned (SysV ABI): the CPU
; aligned RSP before pushing (SDM vol. 3A, 7.14.2), and the frame is then
; TF_SIZE bytes, which leaves RSP 8 off.
%if (TF_SIZE % 16) != 8
	%error "trap_frame size changed: fix the stack alignment below"
%endif

exception_common:
	SAVE_GPRS
	PV_SITE read_cr2                ; RAX is saved already
	mov [rsp + TF_CR2], rax
	mov rdi, rsp
	sub rsp, 8
	call trap_dispatch
	add rsp, 8
	RESTORE_GPRS_AND_IRET

interrupt_common:
	SAVE_GPRS
	mov qword [rsp + TF_CR2], 0
	mov rdi, rsp
	sub rsp, 8
	call irq_dispatch
	add rsp, 8
	test eax, eax
	jz .no_eoi
	PV_SITE apic_eoi
.no_eoi:
	RESTORE_GPRS_AND_IRET

section .rodata
align 8
isr_table:
%assign vec 0
%rep 256
	dq isr_%[vec]
%assign vec vec + 1
%endrep
