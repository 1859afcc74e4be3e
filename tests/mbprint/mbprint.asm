; tests/mbprint/mbprint.asm: a foreign Multiboot v1 kernel that prints what it got.
;
; A flat 32-bit image loaded at 1 MiB (or LOAD_ADDR) through the a.out
; kludge, entered in protected mode with paging and interrupts off. It
; prints where it was loaded, the Multiboot magic, info flags, command line,
; memory sizes, modules, memory map and boot loader name to COM1, one
; "mbprint: " line each, then ends by the project's
; exit protocol: "exit: status=N", N to port 0xf4 (QEMU isa-debug-exit), then
; `xchg bx,bx` (Bochs magic break) for 0 or "Shutdown" to port 0x8900 else.
; It proves a loader and tools/run without the project's own kernel.
;
; Build: nasm -f bin -o build/tests/mbprint.bin tests/mbprint/mbprint.asm
;   -DHANG    spin forever instead of the exit line (tests the timeout)
;   -DFAIL=N  report status N (tests the failure verdict)
;   -DLOAD_ADDR=A  load at A instead of 1 MiB (A low: as real-mode tests load)
; Run:   tools/run --guest build/tests/mbprint.bin [--emu bochs] native ARGS
;
; SPDX-License-Identifier: MIT

MB_HEADER_MAGIC		equ 0x1badb002
MB_BOOTLOADER_MAGIC	equ 0x2badb002
MB_HEADER_FLAGS		equ (1 << 0) | (1 << 1) | (1 << 16) ; align, mem, a.out

MBI_FLAGS		equ 0
MBI_MEM_LOWER		equ 4
MBI_MEM_UPPER		equ 8
MBI_CMDLINE		equ 16
MBI_MODS_COUNT		equ 20
MBI_MODS_ADDR		equ 24
MBI_MMAP_LENGTH		equ 44
MBI_MMAP_ADDR		equ 48
MBI_BOOT_LOADER_NAME	equ 64

COM1			equ 0x3f8

%ifndef FAIL
%define FAIL 0
%endif
%ifndef LOAD_ADDR
%define LOAD_ADDR 0x100000
%endif

	bits 32
	org LOAD_ADDR

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
	mov [boot_magic], eax
	mov ebp, ebx			; ebp = info block for the whole run
	call com1_init

	mov esi, s_image
	call puts
	mov eax, mb_header
	call put_hex
	mov esi, s_dash
	call puts
	mov eax, bss_end
	call put_hex
	call newline

	mov esi, s_magic
	call puts
	mov eax, [boot_magic]
	call put_hex
	cmp dword [boot_magic], MB_BOOTLOADER_MAGIC
	je .magic_ok
	mov esi, s_bad_magic
	call puts
	mov eax, 1
	jmp finish
.magic_ok:
	mov esi, s_flags
	call puts
	mov eax, [ebp + MBI_FLAGS]
	call put_hex
	call newline

	bt dword [ebp + MBI_FLAGS], 2
	jnc .no_cmdline
	mov esi, s_cmdline
	call puts
	mov esi, [ebp + MBI_CMDLINE]
	call puts
	mov esi, s_quote_nl
	call puts
.no_cmdline:

	bt dword [ebp + MBI_FLAGS], 0
	jnc .no_mem
	mov esi, s_mem_lower
	call puts
	mov eax, [ebp + MBI_MEM_LOWER]
	call put_dec
	mov esi, s_mem_upper
	call puts
	mov eax, [ebp + MBI_MEM_UPPER]
	call put_dec
	call newline
.no_mem:

	bt dword [ebp + MBI_FLAGS], 3
	jnc .no_mods
	mov ebx, [ebp + MBI_MODS_ADDR]
	xor edi, edi			; module index
.mod:
	cmp edi, [ebp + MBI_MODS_COUNT]
	jae .no_mods
	mov esi, s_mod
	call puts
	mov eax, edi
	call put_dec
	mov esi, s_start
	call puts
	mov eax, [ebx + 0]
	call put_hex
	mov esi, s_end
	call puts
	mov eax, [ebx + 4]
	call put_hex
	mov esi, s_mod_cmdline
	call puts
	mov esi, [ebx + 8]
	call puts
	mov esi, s_quote_nl
	call puts
	add ebx, 16
	inc edi
	jmp .mod
.no_mods:

	bt dword [ebp + MBI_FLAGS], 6
	jnc .no_mmap
	mov ebx, [ebp + MBI_MMAP_ADDR]
	mov edi, ebx
	add edi, [ebp + MBI_MMAP_LENGTH]
.mmap:					; entry: u32 size, u64 base, u64 len, u32 type
	cmp ebx, edi
	jae .no_mmap
	mov esi, s_mmap_base
	call puts
	mov eax, [ebx + 4]
	mov edx, [ebx + 8]
	call put_hex64
	mov esi, s_len
	call puts
	mov eax, [ebx + 12]
	mov edx, [ebx + 16]
	call put_hex64
	mov esi, s_type
	call puts
	mov eax, [ebx + 20]
	call put_dec
	call newline
	mov eax, [ebx]
	lea ebx, [ebx + eax + 4]	; size does not count itself
	jmp .mmap
.no_mmap:

	bt dword [ebp + MBI_FLAGS], 9
	jnc .no_loader
	mov esi, s_loader
	call puts
	mov esi, [ebp + MBI_BOOT_LOADER_NAME]
	call puts
	mov esi, s_quote_nl
	call puts
.no_loader:
	mov eax, FAIL

%include "finish.inc"

; ---- COM1 output; put_hex*, put_dec clobber eax and ecx, the rest nothing ----

%include "com1.inc"

put_hex:				; "0x" and eax in hex, no leading zeros
	xor ecx, ecx
	; fall through
put_hex_min:				; ... at least ecx digits
	push esi
	mov esi, s_0x
	call puts
	pop esi
	jmp put_digits_hex

put_hex64:				; "0x" and edx:eax in hex
	test edx, edx
	jz put_hex
	push eax
	mov eax, edx
	call put_hex
	pop eax
	mov ecx, 8
put_digits_hex:				; eax in hex, at least ecx digits
	push ebx
	push edx
	push edi
	mov edi, numbuf_end
	xor ebx, ebx
.digit:
	mov edx, eax
	and edx, 15
	mov dl, [hex_chars + edx]
	dec edi
	mov [edi], dl
	inc ebx
	shr eax, 4
	jnz .digit
	cmp ebx, ecx
	jb .digit
	jmp put_numbuf

put_dec:				; eax in decimal
	push ebx
	push edx
	push edi
	mov edi, numbuf_end
	mov ebx, 10
.digit:
	xor edx, edx
	div ebx
	add dl, '0'
	dec edi
	mov [edi], dl
	test eax, eax
	jnz .digit
put_numbuf:				; print edi..numbuf_end; pops edi edx ebx
	push esi
	mov esi, edi
	call puts			; numbuf_end holds the NUL
	pop esi
	pop edi
	pop edx
	pop ebx
	ret

hex_chars	db "0123456789abcdef"
s_0x		db "0x", 0
s_image		db "mbprint: image=", 0
s_dash		db "-", 0
s_magic		db "mbprint: magic=", 0
s_bad_magic	db " (wrong: not 0x2badb002)", 10, 0
s_flags		db " flags=", 0
s_cmdline	db "mbprint: cmdline='", 0
s_quote_nl	db "'", 10, 0
s_mem_lower	db "mbprint: mem_lower=", 0
s_mem_upper	db " mem_upper=", 0
s_mod		db "mbprint: mod ", 0
s_start		db " start=", 0
s_end		db " end=", 0
s_mod_cmdline	db " cmdline='", 0
s_mmap_base	db "mbprint: mmap base=", 0
s_len		db " len=", 0
s_type		db " type=", 0
s_loader	db "mbprint: loader='", 0
numbuf		times 32 db 0
numbuf_end	db 0

load_end:

	absolute load_end
	alignb 16
boot_magic	resd 1
	alignb 16
stack		resb 4096
stack_top:
bss_end:
