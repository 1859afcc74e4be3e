; ap_boot.asm - where an application processor starts, in both kernels:
; the start-up IPI's page. The boot CPU (guest/smp.c, hv/smp.c) copies
; [ap_boot_start, ap_boot_end) to AP_BOOT_PA and fills the struct
; ap_boot_data (shared/lib/ap_boot.h) at ap_boot_data; the code is
; assembled for that address (offsets from ap_boot_start plus AP_BOOT_PA),
; never run in place.
;
; An AP leaves the start-up IPI in real mode at CS = vector << 8, IP 0
; (SDM vol. 3A, 9.4.4 and 11.6.1), and goes the way the BSP went
; (10.8.5): protected mode through this page's own GDT, then PAE, the
; BSP's CR3 and EFER (LME), and paging on, which makes long mode active;
; then, on the stack the BSP gave it, its kernel's entry(index), which
; never returns. The BSP's tables map this page identity, as all low RAM.
;
; Environment: an AP after INIT-SIPI. SPDX-License-Identifier: MIT

%include "ap_boot.inc"

%define PA(label) (AP_BOOT_PA + (label) - ap_boot_start)

global ap_boot_start, ap_boot_end, ap_boot_data

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
	call rax                        ; does not return
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

