; ap_boot.asm - where an application processor starts: the start-up IPI's
; page. smp.c copies [ap_boot_start, ap_boot_end) to AP_BOOT_PA and fills
; the struct ap_boot_data at ap_boot_data; the code is assembled for that
; address (offsets from ap_boot_start plus AP_BOOT_PA), never run in place.
;
; An AP leaves the start-up IPI in real mode at CS = vector << 8, IP 0
; (SDM vol. 3A, 9.4.4 and 11.6.1), and goes the way the BSP went
; (10.8.5): protected mode through this page's own GDT, then PAE, the
; BSP's CR3 and EFER (LME), and paging on, which makes long mode active;
; then, on the stack the BSP gave it, smp.c's ap_main(index), which never
; returns. The BSP's tables map this page identity, as all low RAM.
;
; Environment: an AP after INIT-SIPI; ap_nmi in 64-bit mode. SPDX-License-Identifier: MIT

%include "asm_offsets.inc"

%define PA(label) (AP_BOOT_PA + (label) - ap_boot_start)

global ap_boot_start, ap_boot_end, ap_boot_data, ap_nmi

section .rodata
align 16
bits 16
ap_boot_start:
	cli
	cld
	mov ax, cs                      ; AP_BOOT_PA >> 4
	mov ds, ax
	o32 lgdt [ap_gdt_ptr - ap_boot_start]
	mov eax, cr0
	or eax, 1                       ; PE
	mov cr0, eax
	jmp dword 0x08:PA(.pm32)

bits 32
.pm32:
	mov ax, 0x10
	mov ds, ax
	mov es, ax
	mov ss, ax
	mov ebx, PA(ap_boot_data)
	mov eax, [ebx + APD_CR4]        ; PAE on (smp.c left PCIDE out: 64-bit only)
	mov cr4, eax
	mov eax, [ebx + APD_CR3]        ; the BSP's PML4, below 4 GiB
	mov cr3, eax
	mov ecx, 0xc0000080             ; IA32_EFER: LME (LMA left out: read-only)
	mov eax, [ebx + APD_EFER]
	mov edx, [ebx + APD_EFER + 4]
	wrmsr
	mov eax, [ebx + APD_CR0]        ; PE and PG: IA-32e mode active
	mov cr0, eax
	jmp 0x18:PA(.lm64)

bits 64
.lm64:
	mov ax, 0x10
	mov ds, ax
	mov es, ax
	mov ss, ax
	mov ebx, PA(ap_boot_data)       ; zero-extends: bits 63:32 are undefined here
	mov rsp, [rbx + APD_STACK]
	mov edi, [rbx + APD_INDEX]
	mov rax, [rbx + APD_ENTRY]
	call rax                        ; ap_main: does not return
.park:
	cli
	hlt
	jmp .park

align 8
ap_gdt:
	dq 0
	dq 0x00cf9a000000ffff           ; 0x08: 32-bit code, flat
	dq 0x00cf92000000ffff           ; 0x10: data, flat
	dq 0x00af9a000000ffff           ; 0x18: 64-bit code
ap_gdt_ptr:
	dw ap_gdt_ptr - ap_gdt - 1
	dd PA(ap_gdt)

align 8
ap_boot_data:
	times APD_SIZE db 0
ap_boot_end:

; An AP's gates (idt.c's ap_idt). NMI only returns: an NMI sent to an AP
; wakes it and nothing else. An interrupt gets its EOI and returns, but
; SMP_CALL_VECTOR's, which runs smp_call_ipi() first (smp.c). An
; exception parks the CPU for good: an AP runs no code that faults.
APIC_EOI_VA equ 0xfffffffffee000b0      ; mm.h's APIC_ALIAS_VA + EOI

extern smp_call_ipi
global ap_irq, ap_call, ap_fault

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

ap_call:                                ; 5 words pushed: RSP = 8 (mod 16)
	push rax
	push rcx
	push rdx
	push rsi
	push rdi
	push r8
	push r9
	push r10
	push r11                        ; 14 words: RSP = 0 (mod 16), as a call wants
	cld
	call smp_call_ipi
	mov rax, APIC_EOI_VA
	mov dword [rax], 0
	pop r11
	pop r10
	pop r9
	pop r8
	pop rdi
	pop rsi
	pop rdx
	pop rcx
	pop rax
	iretq

ap_fault:
	cli
	hlt
	jmp ap_fault
