; entry64.asm - Multiboot v1 entry of both kernels (the guest and the
; hypervisor): 32-bit protected mode to 64-bit long mode, then kmain().
;
; Entered as a Multiboot loader leaves a kernel (Multiboot spec 0.6.96, 3.2):
; 32-bit protected mode, paging off, flat segments, interrupts off,
; EAX = 0x2BADB002, EBX = physical address of the info block. The early page
; tables identity-map the first 4 GiB with 2 MiB pages, enough to reach the
; kernel, the info block and any module. The guest's mm.c replaces them with
; a mapping of exactly the memory the Multiboot map reports; the hypervisor
; keeps them. boot_tsc holds the TSC at the first instruction (the
; hypervisor's setup cost is measured from it).
; SPDX-License-Identifier: MIT

MB_MAGIC        equ 0x1BADB002
MB_F_PAGE_ALIGN equ 1 << 0              ; modules page aligned
MB_F_MEMINFO    equ 1 << 1              ; mem_* and mmap_* wanted
MB_F_AOUT_KLUDGE equ 1 << 16            ; the address fields below are valid
MB_FLAGS        equ MB_F_PAGE_ALIGN | MB_F_MEMINFO | MB_F_AOUT_KLUDGE

CR0_PE          equ 1 << 0
CR0_PG          equ 1 << 31
CR4_PAE         equ 1 << 5
MSR_EFER        equ 0xC0000080
EFER_LME        equ 1 << 8
PTE_P           equ 1 << 0
PTE_W           equ 1 << 1
PTE_PS          equ 1 << 7
COM1            equ 0x3F8

extern kmain, _load_start, _load_end, _bss_start, _bss_end
global mb_header, _start32, boot_stack_top, early_pml4, boot_tsc

section .multiboot progbits alloc exec nowrite align=4
bits 32
; The Multiboot header with the a.out kludge: every loader (QEMU -kernel,
; iPXE, GRUB, boot/bochs_boot.asm) loads the file from these fields alone.
mb_header:
	dd MB_MAGIC
	dd MB_FLAGS
	dd -(MB_MAGIC + MB_FLAGS)
	dd mb_header                    ; header_addr
	dd _load_start                  ; load_addr
	dd _load_end                    ; load_end_addr
	dd _bss_end                     ; bss_end_addr
	dd _start32                     ; entry_addr

section .text
bits 32
_start32:
	cli
	cld
	mov edi, eax                    ; keep magic and info block for kmain
	mov esi, ebx
	rdtsc
	mov [boot_tsc], eax
	mov [boot_tsc + 4], edx
	; Zero .bss ourselves: a loader that skips bss_end_addr leaves junk.
	mov ebp, edi
	mov edx, esi
	mov edi, _bss_start
	mov ecx, _bss_end
	sub ecx, edi
	xor eax, eax
	rep stosb
	mov edi, ebp
	mov esi, edx
	mov esp, boot_stack_top

	; Long mode needs CPUID.80000001h:EDX[29] (SDM vol. 3A, 10.8.5).
	mov eax, 0x80000000
	cpuid
	cmp eax, 0x80000001
	jb .no_long_mode
	mov eax, 0x80000001
	cpuid
	test edx, 1 << 29
	jz .no_long_mode

	; early_pml4[0] -> early_pdpt; early_pdpt[0..3] -> early_pd[0..3]:
	; 4 x 512 x 2 MiB = the first 4 GiB, identity.
	mov eax, early_pdpt + PTE_P + PTE_W
	mov [early_pml4], eax
	mov ebx, early_pd + PTE_P + PTE_W
	xor ecx, ecx
.pdpt:	mov [early_pdpt + ecx * 8], ebx
	add ebx, 4096
	inc ecx
	cmp ecx, 4
	jb .pdpt
	xor ecx, ecx                    ; 2048 PDEs, PDE i maps i * 2 MiB
.pd:	mov eax, ecx
	shl eax, 21
	or eax, PTE_P + PTE_W + PTE_PS
	mov [early_pd + ecx * 8], eax
	mov eax, ecx
	shr eax, 11                     ; bits 32+ of i * 2 MiB
	mov [early_pd + ecx * 8 + 4], eax
	inc ecx
	cmp ecx, 2048
	jb .pd

	; SDM vol. 3A, 10.8.5: PAE, then CR3, then EFER.LME, then CR0.PG.
	mov eax, cr4
	or eax, CR4_PAE
	mov cr4, eax
	mov eax, early_pml4
	mov cr3, eax
	mov ecx, MSR_EFER
	rdmsr
	or eax, EFER_LME
	wrmsr
	mov eax, cr0
	or eax, CR0_PG | CR0_PE
	mov cr0, eax
	lgdt [gdt64_ptr]
	jmp GDT_CODE64:long_mode

.no_long_mode:
	mov esi, msg_no_lm
.putc:	lodsb
	test al, al
	jz .stop
	mov dx, COM1
	out dx, al
	jmp .putc
.stop:	mov al, 1                       ; failing status (tools/run protocol)
	out 0xf4, al
.hang:	hlt
	jmp .hang

bits 64
long_mode:
	mov ax, GDT_DATA
	mov ds, ax
	mov es, ax
	mov ss, ax
	xor eax, eax
	mov fs, ax
	mov gs, ax
	mov rsp, boot_stack_top
	xor ebp, ebp
	; edi = magic, esi = info block (zero-extended by the 32-bit moves).
	call kmain
.halt:	cli
	hlt
	jmp .halt

section .data
align 8
boot_tsc:	dq 0

section .rodata
msg_no_lm: db "boot: this CPU has no long mode (CPUID.80000001h:EDX[29])", 10
	   db "exit: status=1", 10, 0

align 8
gdt64:
	dq 0
GDT_CODE64 equ $ - gdt64
	dq 0x00AF9A000000FFFF           ; 64-bit code, DPL 0
GDT_DATA equ $ - gdt64
	dq 0x00CF92000000FFFF           ; data, DPL 0
gdt64_end:
gdt64_ptr:
	dw gdt64_end - gdt64 - 1
	dq gdt64

section .bss
alignb 4096
early_pml4:	resb 4096
early_pdpt:	resb 4096
early_pd:	resb 4 * 4096
boot_stack:	resb 16384
boot_stack_top:
