; vmentry.asm - into the guest and back: VMLAUNCH, the VM-exit entry point,
; VMRESUME.
;
; int vmx_run(struct guest_regs *regs)
;   saves the host's callee-saved registers and the regs pointer on the
;   stack, points HOST_RSP there and HOST_GS_BASE (and GS's base now) at
;   regs, loads the guest's general registers and VMLAUNCHes. Every VM
;   exit arrives at vmx_exit_entry (HOST_RIP) with RSP = HOST_RSP and GS's
;   base = regs (SDM vol. 3C, 28.5.1, 28.5.2), nothing of the guest's
;   saved: GS reaches regs without a free register.
;
; Two frames. An exit stores only the registers an exit handler may read
; or write without decoding an instruction: RAX, RCX, RDX, RBX, RSI, RDI
; and R8-R11 (the hypercall ABI, CPUID, RDMSR/WRMSR, XSETBV, IN/OUT), and
; calls vmexit_handler(regs, reason), or vmexit_hypercall(regs) for a
; VMCALL and vmexit_io(regs) for port I/O. The C code keeps RBP and R12-R15 as the SysV ABI bids
; (callee-saved), so the guest's values are still in them when it returns
; and are never stored. An exit whose handler may name any register (MOV
; CR, an MMIO access decoded) gets VMEXIT_ALL_REGS from vmexit_handler
; before anything changed; the stub stores the other five and calls
; vmexit_handler_all_regs(regs), which handles it whole. An EPT violation
; (an MMIO access to decode, the xAPIC page's among them) goes there at
; once, without asking.
; One exit needs no C at all: a CPUID whose answer the vCPU has cached
; (cpuid.c) is answered here, registers to registers (.cpuid, below).
; A handler's answer: VMEXIT_RESUME (the registers are loaded again and
; VMRESUME goes back in, never returning through vmx_run), VMEXIT_STOP
; (the run is over: vmx_run returns 0). A failed VMLAUNCH or VMRESUME
; (31.2, VMfail) makes vmx_run return 1 (2 for VMRESUME). C runs on the
; same stack, 16-byte aligned (seven pushes after vmx_run's return
; address). The hypervisor has no other use for GS.
; Environment: hypervisor, root mode, interrupts off. SPDX-License-Identifier: MIT

%include "hv_offsets.inc"

extern vmexit_handler, vmexit_hypercall, vmexit_io, vmexit_handler_all_regs, vmcs_write_failed
global vmx_run, vmx_exit_entry
section .text
bits 64

MSR_GS_BASE equ 0xc0000101

; Load the guest's registers the exit stub stores on every exit; flags
; are kept.
%macro LOAD_GUEST_EXIT_GPRS 0
	mov rax, [gs:GR_RAX]
	mov rcx, [gs:GR_RCX]
	mov rdx, [gs:GR_RDX]
	mov rbx, [gs:GR_RBX]
	mov rsi, [gs:GR_RSI]
	mov rdi, [gs:GR_RDI]
	mov r8,  [gs:GR_R8]
	mov r9,  [gs:GR_R9]
	mov r10, [gs:GR_R10]
	mov r11, [gs:GR_R11]
%endmacro

; And all of them: RBP and R12-R15 first.
%macro LOAD_GUEST_GPRS 0
	mov rbp, [gs:GR_RBP]
	mov r12, [gs:GR_R12]
	mov r13, [gs:GR_R13]
	mov r14, [gs:GR_R14]
	mov r15, [gs:GR_R15]
	LOAD_GUEST_EXIT_GPRS
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
	mov eax, VMCS_HOST_GS_BASE
	vmwrite rax, rdi
	jbe .launch_failed
	mov ecx, MSR_GS_BASE            ; and now, for the loads below
	mov eax, edi
	mov rdx, rdi
	shr rdx, 32
	wrmsr
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
	mov [gs:GR_RAX], rax
	mov [gs:GR_RCX], rcx
	mov [gs:GR_RDX], rdx
	mov [gs:GR_RBX], rbx
	mov eax, VMCS_EXIT_REASON
	vmread rax, rax
	cmp eax, EXIT_REASON_CPUID
	je .cpuid                       ; RAX-RDX stored: free from here
.store_the_rest:
	mov [gs:GR_RSI], rsi
	mov [gs:GR_RDI], rdi
	mov [gs:GR_R8], r8
	mov [gs:GR_R9], r9
	mov [gs:GR_R10], r10
	mov [gs:GR_R11], r11
	mov rdi, [rsp]                  ; regs
	cmp eax, EXIT_REASON_VMCALL
	je .vmcall
	cmp eax, EXIT_REASON_IO_INSTRUCTION
	je .io
	cmp eax, EXIT_REASON_EPT_VIOLATION
	je .store_all                   ; MMIO, decoded: vmexit_handler would ask
	mov esi, eax                    ; the exit reason
	call vmexit_handler             ; RSP = HOST_RSP, aligned
.handled:
	test eax, eax
	jnz .not_resume
	LOAD_GUEST_EXIT_GPRS            ; RBP, R12-R15: never left the CPU
	vmresume
	jmp .resume_failed
.vmcall:                                ; the hot ones, each with a frame of its own
	call vmexit_hypercall
	jmp .handled
.io:
	call vmexit_io
	jmp .handled
.not_resume:
	cmp eax, VMEXIT_ALL_REGS
	jne .stop
.store_all:
	mov [gs:GR_RBP], rbp            ; the guest's still: C preserved them
	mov [gs:GR_R12], r12
	mov [gs:GR_R13], r13
	mov [gs:GR_R14], r14
	mov [gs:GR_R15], r15
	mov rdi, [rsp]
	call vmexit_handler_all_regs
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
; the vCPU's event_tsc) goes the C way, which handles it whole. So does a guest
; whose XCR0 is not the hypervisor's (C switches it: no guest value may be
; live in root mode), and every CPUID while the statistics time exits
; (stats=time: C times them). The guest's RAX-RDX are stored; CPUID
; writes all four.
.cpuid:
	cmp dword [gs:VCPU_EXIT_SLOW], 0
	jne .cpuid_in_c
	mov eax, [gs:GR_RAX]            ; the leaf; ECX is still the sub-leaf
	mov ebx, eax                    ; its slot, cpuid_cache_slot()
	shr ebx, 27
	xor ebx, eax
	and ebx, CPUID_CACHE_SLOTS - 1
	shl ebx, 5                      ; 32-byte entries
	cmp eax, [gs:rbx + VCPU_CPUID_CACHE + CE_LEAF]
	jne .cpuid_in_c
	cmp ecx, [gs:rbx + VCPU_CPUID_CACHE + CE_SUB]
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
	cmp rax, [gs:VCPU_EVENT_TSC]
	jae .cpuid_in_c
	inc qword [gs:VCPU_COUNT_CPUID]
	mov eax, VMCS_GUEST_RIP         ; past the instruction (28.2.5)
	vmread rdx, rax
	mov ecx, VMCS_EXIT_INSN_LEN
	vmread rcx, rcx
	add rdx, rcx
	vmwrite rax, rdx
	jbe .rip_write_failed
	mov eax, [gs:rbx + VCPU_CPUID_CACHE + CE_EAX]  ; 32-bit loads: bits 63:32
	mov ecx, [gs:rbx + VCPU_CPUID_CACHE + CE_ECX]  ; cleared, as CPUID does in
	mov edx, [gs:rbx + VCPU_CPUID_CACHE + CE_EDX]  ; 64-bit mode
	mov ebx, [gs:rbx + VCPU_CPUID_CACHE + CE_EBX]
	vmresume
	jmp .resume_failed
.cpuid_in_c:
	mov eax, EXIT_REASON_CPUID
	jmp .store_the_rest
.rip_write_failed:                      ; a VMCS gone wrong: the hypervisor's bug
	mov rsi, rdx
	mov edi, VMCS_GUEST_RIP
	call vmcs_write_failed          ; does not return
