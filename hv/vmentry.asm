; vmentry.asm - into the guest and back: VMLAUNCH/VMRESUME and the VM-exit
; entry point.
;
; int vmx_enter(struct guest_regs *regs, int launched)
;   saves the host's callee-saved registers and the regs pointer on the
;   stack, points HOST_RSP there, loads the guest's general registers and
;   enters the guest. A VM exit arrives at vmx_exit_entry (HOST_RIP) with
;   RSP = HOST_RSP (SDM vol. 3C, 28.5.1: RSP, RIP loaded from the host
;   fields); it stores the guest's registers into *regs and returns 0 from
;   vmx_enter as if the call had just ended. A failed VMLAUNCH/VMRESUME
;   falls through (31.2, VMfail) and returns 1.
; The TSC is sampled just before entry and right after exit: in Bochs the
; difference between the two over an exit is the root-mode instruction
; count (stats.c).
; Environment: hypervisor, root mode, interrupts off. SPDX-License-Identifier: MIT

%include "hv_offsets.inc"

global vmx_enter, vmx_exit_entry
section .text
bits 64

vmx_enter:
	push rbp                        ; SysV callee-saved registers
	push rbx
	push r12
	push r13
	push r14
	push r15
	push rdi                        ; regs, found again at [HOST_RSP]
	mov eax, VMCS_HOST_RSP
	vmwrite rax, rsp
	jbe .failed                     ; CF or ZF: VMfail (31.2)
	mov r8d, esi
	rdtsc
	shl rdx, 32
	or rax, rdx
	mov [rdi + GR_TSC_ENTRY], rax
	test r8d, r8d                   ; flags survive the MOVs below
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
	jnz .resume
	vmlaunch
	jmp .failed
.resume:
	vmresume
.failed:                                ; VMfailInvalid or VMfailValid
	pop rdi
	pop r15
	pop r14
	pop r13
	pop r12
	pop rbx
	pop rbp
	mov eax, 1
	ret

vmx_exit_entry:
	push rdi                        ; the guest's RDI, for a moment
	mov rdi, [rsp + 8]              ; regs
	mov [rdi + GR_RAX], rax
	mov [rdi + GR_RDX], rdx
	rdtsc
	shl rdx, 32
	or rax, rdx
	mov [rdi + GR_TSC_EXIT], rax
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
	pop rdi
	pop r15
	pop r14
	pop r13
	pop r12
	pop rbx
	pop rbp
	xor eax, eax
	ret
