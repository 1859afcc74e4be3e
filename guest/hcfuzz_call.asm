; hcfuzz_call.asm - one VMCALL with every register chosen, every register seen.
;
; void hcfuzz_vmcall(void): loads RFLAGS and all general registers but RSP
; from hcfuzz_in (struct hcfuzz_regs, hcfuzz.h), executes VMCALL, and
; stores all general registers, RSP and RFLAGS to hcfuzz_out before
; anything else can touch them. Between the loads and the stores no
; register is free, so every access is RIP-relative to the two structs.
; Keeps the SysV callee-saved registers and returns with the caller's
; RFLAGS (DF clear), whatever the hypervisor did.
; Environment: guest kernel, ring 0, interrupts off (the RFLAGS loaded
; must keep IF and TF clear). SPDX-License-Identifier: MIT

%include "asm_offsets.inc"

extern hcfuzz_in, hcfuzz_out
global hcfuzz_vmcall

section .text
bits 64
default rel

hcfuzz_vmcall:
	push rbx                        ; SysV callee-saved registers
	push rbp
	push r12
	push r13
	push r14
	push r15
	pushfq                          ; the caller's RFLAGS, for the way out
	mov [hcfuzz_in + HR_RSP], rsp   ; the RSP the VMCALL runs with
	push qword [hcfuzz_in + HR_RFLAGS]
	popfq                           ; the chosen flags (pushfq above balances)
	mov rax, [hcfuzz_in + HR_RAX]   ; plain MOVs from here on: flags kept
	mov rbx, [hcfuzz_in + HR_RBX]
	mov rcx, [hcfuzz_in + HR_RCX]
	mov rdx, [hcfuzz_in + HR_RDX]
	mov rsi, [hcfuzz_in + HR_RSI]
	mov rdi, [hcfuzz_in + HR_RDI]
	mov rbp, [hcfuzz_in + HR_RBP]
	mov r8, [hcfuzz_in + HR_R8]
	mov r9, [hcfuzz_in + HR_R9]
	mov r10, [hcfuzz_in + HR_R10]
	mov r11, [hcfuzz_in + HR_R11]
	mov r12, [hcfuzz_in + HR_R12]
	mov r13, [hcfuzz_in + HR_R13]
	mov r14, [hcfuzz_in + HR_R14]
	mov r15, [hcfuzz_in + HR_R15]
	vmcall
	mov [hcfuzz_out + HR_RAX], rax  ; stores only: no flag changes yet
	mov [hcfuzz_out + HR_RBX], rbx
	mov [hcfuzz_out + HR_RCX], rcx
	mov [hcfuzz_out + HR_RDX], rdx
	mov [hcfuzz_out + HR_RSI], rsi
	mov [hcfuzz_out + HR_RDI], rdi
	mov [hcfuzz_out + HR_RBP], rbp
	mov [hcfuzz_out + HR_R8], r8
	mov [hcfuzz_out + HR_R9], r9
	mov [hcfuzz_out + HR_R10], r10
	mov [hcfuzz_out + HR_R11], r11
	mov [hcfuzz_out + HR_R12], r12
	mov [hcfuzz_out + HR_R13], r13
	mov [hcfuzz_out + HR_R14], r14
	mov [hcfuzz_out + HR_R15], r15
	mov [hcfuzz_out + HR_RSP], rsp
	mov rsp, [hcfuzz_in + HR_RSP]   ; our stack, whatever RSP came back
	pushfq                          ; RFLAGS as the VMCALL left them
	pop qword [hcfuzz_out + HR_RFLAGS]
	popfq                           ; the caller's RFLAGS again
	pop r15
	pop r14
	pop r13
	pop r12
	pop rbp
	pop rbx
	ret
