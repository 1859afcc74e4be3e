; vmentry.asm - into the guest and back: VMLAUNCH, the VM-exit entry point,
; VMRESUME.
;
; int vmx_run(struct guest_regs *regs)
;   saves the host's callee-saved registers and the regs pointer on the
;   stack, points HOST_RSP there, loads the guest's general registers and
;   VMLAUNCHes. Every VM exit arrives at vmx_exit_entry (HOST_RIP) with
;   RSP = HOST_RSP (SDM vol. 3C, 28.5.1) and nothing of the guest's saved.
;
; Two frames. An exit stores only the registers an exit handler may read
; or write without decoding an instruction: RAX, RCX, RDX, RBX, RSI, RDI
; and R8-R11 (the hypercall ABI, CPUID, RDMSR/WRMSR, XSETBV, IN/OUT), and
; calls vmexit_handler(regs). The C code keeps RBP and R12-R15 as the
; SysV ABI bids (callee-saved), so the guest's values are still in them
; when it returns and are never stored. An exit whose handler may name any
; register (MOV CR, an MMIO access decoded) gets VMEXIT_ALL_REGS from
; vmexit_handler(regs, reason) before anything changed; the stub stores the other five
; and calls vmexit_handler_all_regs(regs), which handles it whole.
; One exit needs no C at all: a CPUID whose answer the vCPU has cached
; (cpuid.c) is answered here, registers to registers (.cpuid, below).
; A handler's answer: VMEXIT_RESUME (the registers are loaded again and
; VMRESUME goes back in, never returning through vmx_run), VMEXIT_STOP
; (the run is over: vmx_run returns 0). A failed VMLAUNCH or VMRESUME
; (31.2, VMfail) makes vmx_run return 1 (2 for VMRESUME). C runs on the
; same stack, 16-byte aligned (seven pushes after vmx_run's return
; address).
; The TSC is sampled right after each exit; under Bochs the span to the
; statistics' own sample is the exit's exact root-mode instruction count.
; Environment: hypervisor, root mode, interrupts off. SPDX-License-Identifier: MIT

%include "hv_offsets.inc"

extern vmexit_handler, vmexit_hypercall, vmexit_handler_all_regs, vmcs_write_failed
extern vcpu_event_tsc, hv_stats
global vmx_run, vmx_exit_entry
section .text
bits 64

; Load the guest's registers the exit stub stores on every exit from
; [rdi], rdi last; flags are kept.
%macro LOAD_GUEST_EXIT_GPRS 0
	mov rax, [rdi + GR_RAX]
	mov rcx, [rdi + GR_RCX]
	mov rdx, [rdi + GR_RDX]
	mov rbx, [rdi + GR_RBX]
	mov rsi, [rdi + GR_RSI]
	mov r8,  [rdi + GR_R8]
	mov r9,  [rdi + GR_R9]
	mov r10, [rdi + GR_R10]
	mov r11, [rdi + GR_R11]
	mov rdi, [rdi + GR_RDI]
%endmacro

; And all of them: RBP and R12-R15 first.
%macro LOAD_GUEST_GPRS 0
	mov rbp, [rdi + GR_RBP]
	mov r12, [rdi + GR_R12]
	mov r13, [rdi + GR_R13]
	mov r14, [rdi + GR_R14]
	mov r15, [rdi + GR_R15]
	LOAD_GUEST_EXIT_GPRS
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
	mov eax, VMCS_EXIT_REASON
	vmread rax, rax
	cmp eax, EXIT_REASON_CPUID
	je .cpuid                       ; RAX-RDX stored: free from here
.store_the_rest:
	mov [rdi + GR_RSI], rsi
	mov [rdi + GR_R8], r8
	mov [rdi + GR_R9], r9
	mov [rdi + GR_R10], r10
	mov [rdi + GR_R11], r11
	pop rcx
	mov [rdi + GR_RDI], rcx
	cmp eax, EXIT_REASON_VMCALL
	je .vmcall
	mov esi, eax                    ; the exit reason
	call vmexit_handler             ; rdi = regs; RSP = HOST_RSP, aligned
.handled:
	mov rdi, [rsp]                  ; regs (callee-saved by nobody: reload)
	test eax, eax
	jnz .not_resume
	LOAD_GUEST_EXIT_GPRS            ; RBP, R12-R15: never left the CPU
	vmresume
	jmp .resume_failed
.not_resume:
	cmp eax, VMEXIT_ALL_REGS
	jne .stop
	mov [rdi + GR_RBP], rbp         ; the guest's still: C preserved them
	mov [rdi + GR_R12], r12
	mov [rdi + GR_R13], r13
	mov [rdi + GR_R14], r14
	mov [rdi + GR_R15], r15
	call vmexit_handler_all_regs
	mov rdi, [rsp]
	test eax, eax
	jnz .stop
	LOAD_GUEST_GPRS
	vmresume
.resume_failed:
	mov eax, 2                      ; VMRESUME failed
	jmp vmx_run.leave
.stop:
	xor eax, eax
	jmp vmx_run.leave

; CPUID answered from the vCPU's cache (cpuid.c), the one exit that needs
; no C: each step is cpuid_cache_find()'s and vcpu_complete_insn()'s, and
; anything they would not do at once (a (leaf, sub-leaf) not cached, an
; STI or MOV SS shadow to end, a single step to deliver, an event due,
; vcpu_event_tsc) goes the C way, which handles it whole. So does a guest
; whose XCR0 is not the hypervisor's: C switches it, as no guest value may
; be live in root mode. RDI = regs, the guest's RDI on the stack, its
; RAX-RDX stored; CPUID writes all four.
.cpuid:
	cmp dword [rdi + VCPU_XCR0_DIFFERS], 0
	jne .cpuid_in_c
	mov eax, [rdi + GR_RAX]         ; the leaf; ECX is still the sub-leaf
	mov ebx, eax                    ; its slot, cpuid_cache_slot()
	shr ebx, 27
	xor ebx, eax
	and ebx, CPUID_CACHE_SLOTS - 1
	shl ebx, 5                      ; 32-byte entries
	lea rbx, [rdi + rbx + VCPU_CPUID_CACHE]
	cmp eax, [rbx + CE_LEAF]
	jne .cpuid_in_c
	cmp ecx, [rbx + CE_SUB]
	jne .cpuid_in_c
	mov eax, VMCS_GUEST_INTERRUPTIBILITY
	vmread rax, rax
	test al, 3                      ; blocking by STI or by MOV SS
	jnz .cpuid_in_c
	mov eax, VMCS_GUEST_RFLAGS
	vmread rax, rax
	test eax, RFLAGS_TF
	jnz .cpuid_in_c
	rdtsc
	shl rdx, 32
	or rax, rdx
	cmp rax, [rel vcpu_event_tsc]
	jae .cpuid_in_c
	sub rax, [rdi + GR_TSC_EXIT]    ; the statistics, as stats_count_exit()
	add [rel hv_stats + STATS_TSC_CPUID], rax
	inc qword [rel hv_stats + STATS_COUNT_CPUID]
	mov eax, VMCS_GUEST_RIP         ; past the instruction (28.2.5)
	vmread rdx, rax
	mov ecx, VMCS_EXIT_INSN_LEN
	vmread rcx, rcx
	add rdx, rcx
	vmwrite rax, rdx
	jbe .rip_write_failed
	mov eax, [rbx + CE_EAX]         ; 32-bit loads: bits 63:32 cleared, as
	mov ecx, [rbx + CE_ECX]         ; CPUID does in 64-bit mode
	mov edx, [rbx + CE_EDX]
	mov ebx, [rbx + CE_EBX]
	pop rdi
	vmresume
	jmp .resume_failed
.vmcall:                                ; the hot one, with a frame of its own
	call vmexit_hypercall
	jmp .handled
.cpuid_in_c:
	mov eax, EXIT_REASON_CPUID
	jmp .store_the_rest
.rip_write_failed:                      ; a VMCS gone wrong: the hypervisor's bug
	mov rsi, rdx
	mov edi, VMCS_GUEST_RIP
	call vmcs_write_failed          ; does not return
