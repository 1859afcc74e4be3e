; vmentry.asm - into the guest and back: VMLAUNCH, the VM-exit entry point,
; VMRESUME.
;
; int vmx_run(struct guest_regs *regs)
;   saves the host's callee-saved registers and the regs pointer on the
;   stack, points HOST_RSP there, loads the guest's general registers and
;   VMLAUNCHes. Every VM exit arrives at vmx_exit_entry (HOST_RIP) with
;   RSP = HOST_RSP (SDM vol. 3C, 28.5.1), stores the guest's registers into
;   *regs and calls vmexit_handler(regs) on that same stack (16-byte
;   aligned: seven pushes after the return address). A 0 from the handler
;   means resume: the registers are reloaded and VMRESUME goes back in,
;   without ever returning through vmx_run. A 1 means the run is over:
;   vmx_run returns 0. A failed VMLAUNCH or VMRESUME (31.2, VMfail) makes
;   vmx_run return 1 (2 for VMRESUME), with the guest's registers saved.
; The TSC is sampled right after each exit and right before each entry;
; under Bochs the span is the exit's exact root-mode instruction count.
; Environment: hypervisor, root mode, interrupts off. SPDX-License-Identifier: MIT

%include "hv_offsets.inc"

extern vmexit_handler
global vmx_run, vmx_exit_entry
section .text
bits 64

; Load the guest's registers from [rdi], rdi last; flags are kept.
%macro LOAD_GUEST_GPRS 0
	mov rax, [rdi + GR_RAX]
	mov rcx, [rdi + GR_RCX]
	mov rdx, [rdi + GR_RDX]
	mov rbx, [rdi + GR_RBX]
	mov rbp, [rdi + GR_RBP]
	mov rsi, [rdi + GR_RSI]
	mov r8,  [rdi + GR_R8]
	mov r9,  [rdi + GR_R9]
	mov r10, [rdi + GR_R10]
	mov r11, [rdi + GR_R11]
	mov r12, [rdi + GR_R12]
	mov r13, [rdi + GR_R13]
	mov r14, [rdi + GR_R14]
	mov r15, [rdi + GR_R15]
	mov rdi, [rdi + GR_RDI]
%endmacro

; [rdi+field] = TSC (EDX:EAX into two halves).
%macro STAMP_TSC 1
	rdtsc
	mov [rdi + %1], eax
	mov [rdi + %1 + 4], edx
%endmacro

vmx_run:
	push rbp                        ; SysV callee-saved registers
	push rbx
	push r12
	push r13
	push r14
	push r15
	push rdi                        ; regs, found again at [HOST_RSP]
	mov eax, VMCS_HOST_RSP
	vmwrite rax, rsp
	jbe .launch_failed              ; CF or ZF: VMfail (31.2)
	LOAD_GUEST_GPRS
	vmlaunch
.launch_failed:
	mov eax, 1
.leave:
	pop rdi
	pop r15
	pop r14
	pop r13
	pop r12
	pop rbx
	pop rbp
	ret

vmx_exit_entry:
	push rdi                        ; the guest's RDI, for a moment
	mov rdi, [rsp + 8]              ; regs
	mov [rdi + GR_RAX], rax
	mov [rdi + GR_RDX], rdx
	STAMP_TSC GR_TSC_EXIT
	mov [rdi + GR_RCX], rcx
	mov [rdi + GR_RBX], rbx
	mov [rdi + GR_RBP], rbp
	mov [rdi + GR_RSI], rsi
	mov [rdi + GR_R8], r8
	mov [rdi + GR_R9], r9
	mov [rdi + GR_R10], r10
	mov [rdi + GR_R11], r11
	mov [rdi + GR_R12], r12
	mov [rdi + GR_R13], r13
	mov [rdi + GR_R14], r14
	mov [rdi + GR_R15], r15
	pop rax
	mov [rdi + GR_RDI], rax
	call vmexit_handler             ; rdi = regs; RSP = HOST_RSP, aligned
	mov rdi, [rsp]                  ; regs (callee-saved by nobody: reload)
	test eax, eax
	jnz .stop
	LOAD_GUEST_GPRS
	vmresume
	mov eax, 2                      ; VMRESUME failed
	jmp vmx_run.leave
.stop:
	xor eax, eax
	jmp vmx_run.leave
