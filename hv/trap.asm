; trap.asm - the hypervisor's exception entry: every vector is a panic;
; and its interrupt entry, for a CPU waiting in root mode (cpu.c).
;
; Each stub pushes a dummy error code where the CPU pushes none (SDM vol.
; 3A, 7.3, table 7-1), then its vector, and calls hv_trap(vector, error,
; rip, cr2), which reports and ends the machine; nothing returns.
; Environment: hypervisor, root mode. SPDX-License-Identifier: MIT

%include "caller_saved.inc"

extern hv_trap, apic_host_eoi
global hv_trap_table, hv_irq_wake, hv_irq_spurious

section .text
bits 64

%define HAS_ERROR(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || \
			(v) == 21 || (v) == 29 || (v) == 30)

%assign vec 0
%rep 32
hv_trap_%[vec]:
%if !HAS_ERROR(vec)
	push 0
%endif
	push vec
	jmp trap_common
%assign vec vec + 1
%endrep

trap_common:
	pop rdi                         ; vector
	pop rsi                         ; error code
	mov rdx, [rsp]                  ; RIP, as the CPU pushed it
	mov rcx, cr2
	and rsp, -16                    ; SysV alignment for the call
	call hv_trap
.stop:	cli
	hlt
	jmp .stop

; An interrupt only wakes the CPU from its HLT: ended at the APIC.
hv_irq_wake:
	PUSH_CALLER_SAVED
	call apic_host_eoi
	POP_CALLER_SAVED
	iretq

; The spurious vector: no EOI (SDM vol. 3A, 11.9).
hv_irq_spurious:
	iretq

section .rodata
align 8
hv_trap_table:
%assign vec 0
%rep 32
	dq hv_trap_%[vec]
%assign vec vec + 1
%endrep
