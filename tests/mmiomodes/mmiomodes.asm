; tests/mmiomodes/mmiomodes.asm: absent MMIO from 32-bit, 16-bit and real-mode code.
;
; A foreign Multiboot v1 kernel (flat 32-bit, loaded at 1 MiB through the
; a.out kludge, entered with paging and interrupts off) for the hypervisor's
; absent-MMIO path: every load from the window [0xc0000000, 4 GiB) must
; read all ones and leave the rest of the register as the SDM says, every
; store must vanish, and execution must go on after the instruction. It
; runs the moves in 32-bit code without paging, with 32-bit paging and with
; PAE paging (an instruction across two pages mapped to frames far apart;
; PAE with a PDPTE changed in memory after the CPU loaded it), in 16-bit
; protected mode (CS.D=0: the 16-bit ModR/M forms, 66 and 67, moffs16, an
; instruction that ends at IP 0xffff and goes on at IP 0) and in real mode
; (with DS still holding the window's base from protected mode). Then,
; with a stale TLB entry, it lets the hypervisor read other bytes than the
; CPU ran: LOCK MOV must get #UD, a 17-byte instruction #GP(0).
;
; Each check counts; a failed one records its number and the value got.
; The last lines: "mmiomodes: checks=N fails=M", then the project's exit
; protocol (mbprint.asm): "exit: status=N" and N to port 0xf4.
;
; Build: nasm -f bin -o build/tests/mmiomodes.bin tests/mmiomodes/mmiomodes.asm
;   -DSTOP=unknown     then run `add [window], eax`: the hypervisor must
;                      stop the guest naming the bytes
;   -DSTOP=store       then, through a stale TLB entry, let the hypervisor
;                      see a store where the CPU ran a load
;   -DSTOP=unreadable  then, through a stale TLB entry, an instruction whose
;                      second page the guest's page tables no longer map
; Run:   tools/run --emu bochs --guest build/tests/mmiomodes.bin hosted
;
; SPDX-License-Identifier: MIT

MB_HEADER_MAGIC		equ 0x1badb002
MB_HEADER_FLAGS		equ (1 << 0) | (1 << 1) | (1 << 16) ; align, mem, a.out

COM1			equ 0x3f8

MMIO			equ 0xe0000000	; absent: inside the window, no device
LOW			equ 0x60000	; the 16-bit code runs here (CS base)
WRAP			equ 0x70000	; CS base for the IP wrap
RES			equ 0xf000	; results, below 64 KiB for every mode
RES_CHECKS		equ RES + 0
RES_FAILS		equ RES + 4
RES_FIRST		equ RES + 8
RES_GOT			equ RES + 12
PAGED			equ 0x40000000	; linear: two pages, frames A and B

CODE32			equ 0x08
DATA32			equ 0x10
CODE16			equ 0x18	; base LOW, limit 0xffff, D=0
MMIO16			equ 0x20	; data, base MMIO, limit 0xffff
WRAP16			equ 0x28	; code, base WRAP, limit 0xffff, D=0
MMIO32			equ 0x30	; data, base MMIO, limit 4 GiB - MMIO

PTE_P			equ 1
PTE_RW			equ 2
PTE_PWT_PCD		equ 0x18
PTE_PS			equ 0x80
CR4_PSE			equ 1 << 4
CR4_PAE			equ 1 << 5

; CHK id, reg32, expected: count a check; the first failure keeps id, reg.
%macro CHK 3
	inc dword [fs:RES_CHECKS]
	cmp %2, %3
	je %%ok
	inc dword [fs:RES_FAILS]
	cmp dword [fs:RES_FIRST], 0
	jne %%ok
	mov dword [fs:RES_FIRST], %1
	mov [fs:RES_GOT], %2
%%ok:
%endmacro

	bits 32
	org 0x100000

mb_header:
	dd MB_HEADER_MAGIC
	dd MB_HEADER_FLAGS
	dd -(MB_HEADER_MAGIC + MB_HEADER_FLAGS)
	dd mb_header			; header_addr
	dd $$				; load_addr
	dd load_end			; load_end_addr
	dd bss_end			; bss_end_addr
	dd start			; entry_addr

start:
	mov esp, stack_top
	call com1_init
	lgdt [gdt_desc]
	jmp CODE32:.flat
.flat:
	mov ax, DATA32
	mov ds, ax
	mov es, ax
	mov fs, ax
	mov gs, ax
	mov ss, ax
	mov dword [RES_CHECKS], 0
	mov dword [RES_FAILS], 0
	mov dword [RES_FIRST], 0
	call idt_init
	; the 16-bit code to LOW; at WRAP: a far jump back at IP 0, and at
	; IP 0xfffd "mov ax, [0x10]" (a1 10 00), which ends at IP 0xffff
	mov esi, low_start
	mov edi, LOW
	mov ecx, low_end - low_start
	rep movsb
	mov byte [WRAP], 0xea
	mov word [WRAP + 1], wrap_back - low_start
	mov word [WRAP + 3], CODE16
	mov dword [WRAP + 0xfffd], 0x0010a1

	mov esi, s_flat
	call puts
	call test_flat

	mov esi, s_paging32
	call puts
	call paging32_on
	call test_paged
	call stale_tests
	call paging_off

	mov esi, s_pae
	call puts
	call pae_on
	call test_paged
	call paging_off

	mov esi, s_16
	call puts
	jmp CODE16:0			; to pm16 (at LOW), back at pm_back
pm_back:
	mov ax, DATA32
	mov ds, ax
	mov es, ax
	mov fs, ax
	mov gs, ax
	mov ss, ax

%ifidn STOP, unknown
	mov esi, s_stop
	call puts
	add [MMIO], eax			; 01 05 00 00 00 e0: not a move
%elifidn STOP, store
	mov esi, s_stop
	call puts
	call paging32_on
	call stale_store
%elifidn STOP, unreadable
	mov esi, s_stop
	call puts
	call paging32_on
	call stale_unreadable
%endif

	mov esi, s_checks
	call puts
	mov eax, [RES_CHECKS]
	call put_dec
	mov esi, s_fails
	call puts
	mov eax, [RES_FAILS]
	call put_dec
	call newline
	cmp dword [RES_FAILS], 0
	je .report_done
	mov esi, s_first
	call puts
	mov eax, [RES_FIRST]
	call put_dec
	mov esi, s_got
	call puts
	mov eax, [RES_GOT]
	call put_hex
	call newline
.report_done:
	xor eax, eax
	cmp dword [RES_FAILS], 0
	je finish
	mov eax, 1
	jmp finish

; ---- 32-bit code, flat, paging off ------------------------------------------
test_flat:
	mov eax, 0x12345678
	mov eax, [MMIO + 0x10]			; a1 moffs32
	CHK 1, eax, 0xffffffff
	mov eax, 0x12345678
	mov ax, [MMIO + 0x10]			; 66 a1
	CHK 2, eax, 0x1234ffff
	mov ebx, 0x12345678
	mov bh, [MMIO + 0x11]			; 8a 3d disp32
	CHK 3, ebx, 0x1234ff78
	mov ecx, 0x12345678
	movzx ecx, byte [MMIO + 0x12]		; 0f b6
	CHK 4, ecx, 0xff
	mov edx, 0x12345678
	movsx edx, word [MMIO + 0x12]		; 0f bf
	CHK 5, edx, 0xffffffff
	mov edx, 0x12345678
	movzx dx, byte [MMIO]			; 66 0f b6
	CHK 6, edx, 0x123400ff
	mov esi, 0x12345678
	movsx si, byte [MMIO]			; 66 0f be
	CHK 7, esi, 0x1234ffff
	mov ebx, MMIO
	mov ecx, 4
	mov edi, 0x12345678
	mov edi, [ebx + ecx * 4 + 0x100]	; SIB, disp32
	CHK 8, edi, 0xffffffff
	mov edi, 0x12345678
	mov di, [ebx + 8]			; 66 8b 7b 08
	CHK 9, edi, 0x1234ffff
	; 67: 16-bit addressing in 32-bit code, ES based at the window
	mov ax, MMIO32
	mov es, ax
	mov ebx, 0xffff0020			; only BX counts
	mov esi, 0x12345678
	a16 mov esi, [es:bx]			; 26 67 8b 37
	CHK 10, esi, 0xffffffff
	mov eax, 0x12345678
	a16 mov al, [es:0x30]			; 26 67 a0 30 00
	CHK 11, eax, 0x123456ff
	mov ax, DATA32
	mov es, ax
	; stores vanish
	mov dword [MMIO + 0x40], 0x12345678	; c7 05
	mov [MMIO + 0x44], ebx			; 89 1d
	mov byte [MMIO + 0x40], 0		; c6 05
	mov [MMIO + 0x41], al			; a2
	mov eax, [MMIO + 0x40]
	CHK 12, eax, 0xffffffff
	; an instruction across a page boundary
	mov eax, 0x12345678
	jmp flat_cross
flat_cross_back:
	CHK 13, eax, 0xffffffff
	ret

	times (4096 - 2) - (($ - $$) % 4096) db 0xcc
flat_cross:					; 2 bytes here, 3 on the next page
	mov eax, [MMIO + 0x50]
	jmp flat_cross_back

; ---- paging: linear PAGED -> frame A, PAGED + 4 KiB -> frame B ---------------
; The code there: at offset 0 of A a ret (to prime the TLB); from 0xffe of A
; on into B: "mov eax, [MMIO + 0x60]; jmp ecx" (a1 60 00 00 e0 ff e1).
paged_code_init:
	mov byte [frame_a], 0xc3
	mov word [frame_a + 0xffe], 0x60a1
	mov dword [frame_b], 0xffe00000
	mov byte [frame_b + 4], 0xe1
	ret

paging32_on:					; 32-bit paging, 4 MiB pages (PSE)
	call paged_code_init
	mov dword [pd32 + 0 * 4], 0x000000 | PTE_PS | PTE_RW | PTE_P
	mov dword [pd32 + 1 * 4], 0x400000 | PTE_PS | PTE_RW | PTE_P
	mov dword [pd32 + (MMIO >> 22) * 4], MMIO | PTE_PS | PTE_PWT_PCD | PTE_RW | PTE_P
	mov dword [pd32 + (PAGED >> 22) * 4], pt32 + PTE_RW + PTE_P
	mov dword [pt32 + 0 * 4], frame_a + PTE_RW + PTE_P
	mov dword [pt32 + 1 * 4], frame_b + PTE_RW + PTE_P
	mov eax, cr4
	or eax, CR4_PSE
	mov cr4, eax
	mov eax, pd32
	mov cr3, eax
	mov eax, cr0
	or eax, 1 << 31
	mov cr0, eax
	ret

pae_on:						; PAE, 2 MiB pages
	call paged_code_init
	mov dword [pdpt + 0 * 8], pd_low + PTE_P
	mov dword [pdpt + 1 * 8], pd_paged + PTE_P
	mov dword [pdpt + 3 * 8], pd_high + PTE_P
	mov dword [pd_low + 0 * 8], 0x000000 | PTE_PS | PTE_RW | PTE_P
	mov dword [pd_low + 1 * 8], 0x200000 | PTE_PS | PTE_RW | PTE_P
	mov dword [pd_high + ((MMIO >> 21) & 511) * 8], MMIO | PTE_PS | PTE_PWT_PCD | PTE_RW | PTE_P
	mov dword [pd_paged], pt_pae + PTE_RW + PTE_P
	mov dword [pt_pae + 0 * 8], frame_a + PTE_RW + PTE_P
	mov dword [pt_pae + 1 * 8], frame_b + PTE_RW + PTE_P
	mov eax, cr4
	or eax, CR4_PAE
	mov cr4, eax
	mov eax, pdpt
	mov cr3, eax
	mov eax, cr0
	or eax, 1 << 31
	mov cr0, eax			; the CPU loads the four PDPTEs here
	; Memory's PDPTE 1 now says "not present"; the CPU's still maps PAGED
	; until CR3 is loaded again (SDM vol. 3A, 5.4.1).
	mov dword [pdpt + 1 * 8], 0
	ret

paging_off:
	mov eax, cr0
	and eax, ~(1 << 31)
	mov cr0, eax
	mov eax, cr4
	and eax, ~(CR4_PSE | CR4_PAE)
	mov cr4, eax
	ret

test_paged:					; the instruction across frames A and B
	mov eax, 0x12345678
	mov ecx, .back
	jmp PAGED + 0xffe
.back:
	CHK 14, eax, 0xffffffff
	ret

; ---- a stale TLB entry: the CPU runs one instruction, the walk finds another --
; stale_setup edi = the frame that PAGED will map after the CPU has cached
; PAGED -> frame A; at 0x800 of A the CPU runs "mov eax, [MMIO + 0x70];
; jmp ecx" (a1 70 00 00 e0 ff e1).
stale_setup:
	mov dword [frame_a + 0x800], 0x0070a1
	mov dword [frame_a + 0x803], 0xe1ffe000
	mov dword [pt32], frame_a + PTE_RW + PTE_P
	invlpg [PAGED]
	call PAGED			; the ret at A: PAGED -> A in the TLB
	or edi, PTE_RW | PTE_P
	mov [pt32], edi			; and no INVLPG
	ret

stale_run:					; eax = expected vector
	push eax
	mov dword [fault_vec], 0
	mov dword [fault_resume], .back
	mov ecx, .back
	mov eax, 0x12345678
	jmp PAGED + 0x800
.back:
	pop eax
	ret

stale_tests:
	; LOCK on the move: #UD, raised before any memory access
	mov edi, frame_c
	mov dword [frame_c + 0x800], 0x0070a3f0		; lock mov [moffs], eax
	mov dword [frame_c + 0x804], 0xe000
	call stale_setup
	call stale_run
	mov eax, [fault_vec]
	CHK 15, eax, 6
	mov eax, [fault_eip]
	CHK 16, eax, PAGED + 0x800
	; 17 bytes: 12 segment prefixes, a1, moffs32: #GP(0)
	mov edi, frame_c
	mov eax, 0x2e2e2e2e
	mov [frame_c + 0x800], eax
	mov [frame_c + 0x804], eax
	mov [frame_c + 0x808], eax
	mov dword [frame_c + 0x80b], 0x0070a12e
	mov dword [frame_c + 0x80f], 0xe000
	call stale_setup
	call stale_run
	mov eax, [fault_vec]
	CHK 17, eax, 13
	mov eax, [fault_err]
	CHK 18, eax, 0
	mov dword [pt32], frame_a + PTE_RW + PTE_P
	invlpg [PAGED]
	ret

%ifidn STOP, store
stale_store:					; the walk finds "mov [moffs], eax"
	mov edi, frame_c
	mov dword [frame_c + 0x800], 0x0070a3
	mov dword [frame_c + 0x803], 0xe1ffe000
	call stale_setup
	call stale_run
	ret
%endif

%ifidn STOP, unreadable
stale_unreadable:				; the second page of it unmapped
	mov dword [pt32 + 1 * 4], frame_b + PTE_RW + PTE_P
	invlpg [PAGED + 0x1000]
	mov byte [frame_b + 0x10], 0xc3
	call PAGED + 0x1010		; PAGED + 4 KiB -> B in the TLB
	call PAGED
	mov dword [pt32 + 1 * 4], 0	; and no INVLPG
	mov ecx, .back
	jmp PAGED + 0xffe
.back:
	ret
%endif

; ---- #UD and #GP: note the vector, the EIP, the error code; resume ------------
idt_init:
	mov eax, ud_handler
	mov edi, idt + 6 * 8
	call set_gate
	mov eax, gp_handler
	mov edi, idt + 13 * 8
	call set_gate
	lidt [idt_desc]
	ret

set_gate:				; eax = handler, edi = the 32-bit interrupt gate
	mov [edi], ax
	mov word [edi + 2], CODE32
	mov word [edi + 4], 0x8e00
	shr eax, 16
	mov [edi + 6], ax
	ret

ud_handler:
	mov dword [fault_vec], 6
	jmp fault_common
gp_handler:
	mov dword [fault_vec], 13
	pop dword [fault_err]
fault_common:
	push eax
	mov eax, [esp + 4]
	mov [fault_eip], eax
	mov eax, [fault_resume]
	mov [esp + 4], eax
	pop eax
	iretd

; ---- 16-bit code, copied to LOW: CS base LOW, IP = label - low_start ----------
	bits 16
low_start:
pm16:						; 16-bit protected mode, CS.D=0
	mov ax, MMIO16
	mov ds, ax			; DS base: the window; FS stays flat
	mov ecx, 0x12345678
	mov cx, [0x10]			; 8b 0e 10 00
	CHK 20, ecx, 0x1234ffff
	mov ecx, 0x12345678
	mov ecx, [0x10]			; 66 8b 0e 10 00
	CHK 21, ecx, 0xffffffff
	mov eax, 0x12345678
	mov ax, [0x10]			; a1 10 00
	CHK 22, eax, 0x1234ffff
	mov eax, 0x12345678
	mov al, [0x11]			; a0 11 00
	CHK 23, eax, 0x123456ff
	mov bx, 0x20
	mov si, 0x4
	mov edx, 0x12345678
	mov dh, [bx + si]		; 8a 30
	CHK 24, edx, 0x1234ff78
	mov di, 0x8
	mov edx, 0x12345678
	mov dx, [bx + di + 0x10]	; 8b 51 10
	CHK 25, edx, 0x1234ffff
	mov bp, 0x10
	mov ecx, 0x12345678
	mov cx, [ds:bp + si + 0x1234]	; 3e 8b 8a 34 12
	CHK 26, ecx, 0x1234ffff
	mov eax, 0x12345678
	movzx ax, byte [di]		; 0f b6 05
	CHK 27, eax, 0x123400ff
	mov eax, 0x12345678
	movzx eax, word [si]		; 66 0f b7 04
	CHK 28, eax, 0xffff
	mov eax, 0x12345678
	movsx eax, byte [bx]		; 66 0f be 07
	CHK 29, eax, 0xffffffff
	mov ecx, 0x12345678
	movsx cx, byte [0x10]		; 0f be 0e 10 00
	CHK 30, ecx, 0x1234ffff
	mov ebx, 0x20
	mov ecx, 2
	mov edx, 0x12345678
	mov dx, [ebx + ecx * 2 + 0x10]	; 67 8b 54 4b 10
	CHK 31, edx, 0x1234ffff
	mov eax, 0x12345678
	a32 mov ax, [dword 0x10]	; 67 a1 10 00 00 00
	CHK 32, eax, 0x1234ffff
	mov [bx], ax			; stores vanish
	mov word [0x10], 0x1234		; c7 06 10 00 34 12
	mov dword [0x10], 0x12345678	; 66 c7 06 10 00 78 56 34 12
	mov byte [si], 0		; c6 04 00
	mov ecx, 0x12345678
	mov ecx, [0x10]
	CHK 33, ecx, 0xffffffff
	; IP wrap: a1 10 00 at IP 0xfffd ends the segment; IP 0 jumps back
	mov eax, 0x12345678
	jmp WRAP16:0xfffd
wrap_back:
	CHK 34, eax, 0x1234ffff

	mov eax, cr0			; to real mode; DS keeps its base
	and eax, ~1
	mov cr0, eax
	jmp (LOW >> 4):(real - low_start)
real:
	mov ecx, 0x12345678
	mov cx, [0x10]			; 8b 0e 10 00
	CHK 40, ecx, 0x1234ffff
	mov ecx, 0x12345678
	mov ecx, [0x10]			; 66 8b 0e 10 00
	CHK 41, ecx, 0xffffffff
	mov eax, 0x12345678
	mov ah, [0x12]			; 8a 26 12 00
	CHK 42, eax, 0x1234ff78
	mov ebx, 0x20
	mov ecx, 0x12345678
	mov cx, [ebx]			; 67 8b 0b
	CHK 43, ecx, 0x1234ffff
	mov ecx, 0x12345678
	movsx ecx, word [0x10]		; 66 0f bf 0e 10 00
	CHK 44, ecx, 0xffffffff
	mov eax, 0x12345678
	mov ax, [0x10]			; a1 10 00
	CHK 45, eax, 0x1234ffff
	mov word [0x10], 0x1234
	mov ax, [0x10]
	CHK 46, eax, 0x1234ffff

	mov eax, cr0			; back to 32-bit protected mode
	or eax, 1
	mov cr0, eax
	jmp dword CODE32:pm_back
low_end:
	bits 32

; ---- the end of a run --------------------------------------------------------
%include "finish.inc"

; ---- COM1 output; put_hex, put_dec clobber eax, ecx and edx ------------------
%include "com1.inc"

put_hex:				; "0x" and eax in hex
	push esi
	mov esi, s_0x
	call puts
	pop esi
	mov ecx, 16
	jmp put_num
put_dec:				; eax in decimal
	mov ecx, 10
put_num:				; eax in base ecx
	push edi
	mov edi, numbuf_end
.digit:
	xor edx, edx
	div ecx
	mov dl, [hex_chars + edx]
	dec edi
	mov [edi], dl
	test eax, eax
	jnz .digit
	push esi
	mov esi, edi
	call puts
	pop esi
	pop edi
	ret

	align 8
gdt:
	dq 0
	dq 0x00cf9a000000ffff		; CODE32: flat, 32-bit
	dq 0x00cf92000000ffff		; DATA32: flat
	dq 0x00009a000000ffff | ((LOW & 0xffffff) << 16)	; CODE16
	dq 0x000092000000ffff | ((MMIO & 0xffffff) << 16) | ((MMIO >> 24) << 56) ; MMIO16
	dq 0x00009a000000ffff | ((WRAP & 0xffffff) << 16)	; WRAP16
	dq 0x00cf92000000ffff | ((MMIO & 0xffffff) << 16) | ((MMIO >> 24) << 56) ; MMIO32
gdt_end:
gdt_desc:
	dw gdt_end - gdt - 1
	dd gdt
idt_desc:
	dw 14 * 8 - 1
	dd idt

hex_chars	db "0123456789abcdef"
s_0x		db "0x", 0
s_flat		db "mmiomodes: 32-bit, no paging", 10, 0
s_paging32	db "mmiomodes: 32-bit paging", 10, 0
s_pae		db "mmiomodes: PAE paging", 10, 0
s_16		db "mmiomodes: 16-bit protected mode, real mode", 10, 0
s_stop		db "mmiomodes: now an access the hypervisor must stop", 10, 0
s_checks	db "mmiomodes: checks=", 0
s_fails		db " fails=", 0
s_first		db "mmiomodes: first failed check ", 0
s_got		db " got ", 0
numbuf		times 16 db 0
numbuf_end	db 0

load_end:

	absolute load_end
	alignb 16
fault_vec	resd 1
fault_eip	resd 1
fault_err	resd 1
fault_resume	resd 1
	alignb 16
idt		resb 14 * 8
	alignb 4096
pd32		resb 4096
pt32		resb 4096
pdpt		resb 4096
pd_low		resb 4096
pd_paged	resb 4096
pd_high		resb 4096
pt_pae		resb 4096
frame_a		resb 4096
		resb 4096		; a frame between: A and B are not adjacent
frame_b		resb 4096
frame_c		resb 4096
stack		resb 4096
stack_top:
bss_end:
