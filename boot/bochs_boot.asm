; boot/bochs_boot.asm: floppy boot sector that boots a Multiboot v1 kernel in Bochs.
;
; Entered by the BIOS at 0:7c00 in real mode; ends in 32-bit protected mode
; with interrupts off. Bochs has no -kernel, so tools/run stages the kernel
; file, command lines and modules in a blob at BLOB_ADDR (boot/bochs_mbi.asm,
; loaded by `optramimage1`). This sector enables A20, collects the E820 map,
; enters protected mode with a flat GDT, completes the blob's Multiboot info
; block (mem_*, mmap_*), loads the kernel by its header's a.out-kludge fields
; and jumps to the entry with EAX = 0x2badb002, EBX = info block, paging off.
; An unusable image prints one line to COM1 and ends Bochs with status 1.
; Build: nasm -f bin -o build/boot/bochs_boot.bin boot/bochs_boot.asm
;
; SPDX-License-Identifier: MIT

%include "boot/bochs_layout.inc"
%include "boot/flat_gdt.inc"

SEL_CODE	equ 0x08
SEL_DATA	equ 0x10
SMAP		equ 0x534d4150		; "SMAP", the E820 signature
BDA_MEM_KIB	equ 0x413		; what int 0x12 returns: KiB below 640 KiB

	bits 16
	org 0x7c00

start:
	xor ax, ax
	mov ds, ax
	mov es, ax
	mov ss, ax
	mov esp, 0x7c00			; also the protected-mode stack

	; Fast A20 gate (System Control Port A); bit 0 would reset the machine.
	in al, 0x92
	or al, 2
	out 0x92, al

	; COM1 for the error messages: 8 data bits (reset leaves 5), no
	; parity, 1 stop bit; the BIOS leaves the divisor at 1, 115200 baud.
	mov dx, COM1_PORT + 3		; line control register
	mov al, 3
	out dx, al

	; E820 (int 0x15 eax=0xe820) into Multiboot mmap format: the BIOS
	; writes base, len, type at di, the size field goes in front of it.
	; ebp gathers mem_upper, the KiB of the usable region at 1 MiB; the
	; BIOS preserves every register E820 does not return in.
	xor ebp, ebp
	xor ebx, ebx
	mov di, MMAP_ADDR + 4
.e820:
	mov eax, 0xe820
	push byte 20			; ecx = 20: base, len, type
	pop ecx
	mov edx, SMAP
	int 0x15
	jc .e820_done			; past the last entry on some BIOSes
	mov [di - 4], ecx		; the BIOS wrote ecx = 20 bytes
	cmp dword [di], 0x100000	; (a base above 4 GiB never matches
	jne .e820_next			;  in practice: high half not checked)
	cmp byte [di + 16], 1		; usable
	jne .e820_next
	mov ebp, [di + 8]
	shr ebp, 10			; len below 4 GiB: bytes to KiB
.e820_next:
	add di, MMAP_ENTRY_SIZE
	test ebx, ebx			; 0: that was the last entry
	jnz .e820
.e820_done:
	sub di, MMAP_ADDR + 4		; di = mmap_length

	cli
	lgdt [flat_gdt_desc]
	mov eax, cr0
	or al, 1			; CR0.PE
	mov cr0, eax
	jmp SEL_CODE:pm32

	bits 32
pm32:
	push byte SEL_DATA
	pop eax
	mov ds, ax
	mov es, ax
	mov fs, ax
	mov gs, ax
	mov ss, ax
	cld

	; The info block's boot-time fields (the blob sets their flags and
	; mmap_addr). ebx stays the info block.
	mov ebx, BLOB_ADDR + BLOB_MBI
	movzx eax, word [BDA_MEM_KIB]
	mov [ebx + MBI_MEM_LOWER], eax
	mov [ebx + MBI_MEM_UPPER], ebp
	movzx eax, di
	mov [ebx + MBI_MMAP_LENGTH], eax

	; Find the header: 4-aligned, wholly inside the file and its first
	; 8 KiB, magic + flags + checksum = 0. esi = file, ebp = file end,
	; ecx = end of the search, edx counts magics with a wrong checksum.
	mov esi, [ebx - BLOB_MBI + BLOB_PARAM_KERNEL]
	mov ebp, [ebx - BLOB_MBI + BLOB_PARAM_KERNEL_SIZE]
	add ebp, esi
	lea ecx, [esi + MB_HEADER_SEARCH]
	cmp ecx, ebp
	jb .limit_ok
	mov ecx, ebp
.limit_ok:
	mov edi, esi
	xor edx, edx
.scan:
	lea eax, [edi + 12]
	cmp eax, ecx
	ja .not_found
	mov eax, MB_HEADER_MAGIC
	scasd				; edi += 4
	jne .scan
	inc edx
	add eax, [edi + MBH_FLAGS - 4]
	add eax, [edi + MBH_CHECKSUM - 4]
	jnz .scan

	lea edx, [edi - 4]		; edx = header
	mov esi, msg_no_kludge
	test byte [edx + MBH_FLAGS + 2], MBH_FLAG_AOUT_KLUDGE >> 16
	jz fail
	; The load starts at file offset header_offset - (header_addr -
	; load_addr), that is at header + load_addr - header_addr.
	mov edi, [edx + MBH_LOAD_ADDR]
	mov esi, edi
	sub esi, [edx + MBH_HEADER_ADDR]
	add esi, edx
	mov ecx, [edx + MBH_LOAD_END_ADDR]
	jecxz .to_eof
	sub ecx, edi
	jmp .sized
.to_eof:
	mov ecx, ebp			; 0: load to the end of the file
	sub ecx, esi
.sized:
	; The kernel, bss included, must end below the blob.
	lea eax, [edi + ecx]
	cmp eax, BLOB_ADDR
	ja .overlap
	cmp dword [edx + MBH_BSS_END_ADDR], BLOB_ADDR
	jbe .place_ok
.overlap:
	mov esi, msg_overlap
	jmp fail
.place_ok:
	rep movsb
	mov ecx, [edx + MBH_BSS_END_ADDR]
	sub ecx, edi			; 0 or below the load end: no bss
	jbe .bss_done
	xor eax, eax
	rep stosb
.bss_done:
	mov eax, MB_BOOTLOADER_MAGIC
	jmp [edx + MBH_ENTRY_ADDR]

.not_found:
	mov esi, msg_no_header
	test edx, edx
	jz fail
	mov esi, msg_bad_checksum
fail:					; esi = the message after the prefix
	push esi
	mov esi, msg_prefix
	call com1_puts
	pop esi
	call com1_puts
	mov esi, msg_shutdown
	mov ecx, msg_shutdown_len
	mov dx, BOCHS_SHUTDOWN_PORT
	rep outsb
.halt:
	hlt				; not Bochs: stop here
	jmp .halt

com1_puts:				; esi = NUL-terminated string
	mov dx, COM1_PORT + 5		; line status register
	in al, dx
	test al, 0x40			; transmitter empty: so the last character
	jz com1_puts			; is out before Bochs shuts down
	lodsb
	test al, al
	jz .done
	mov dl, COM1_PORT & 0xff
	out dx, al
	jmp com1_puts
.done:
	ret

msg_prefix	db "bochs_boot: ", 0
msg_no_header	db "no multiboot header in kernel image", 10, 0
msg_bad_checksum db "bad multiboot checksum", 10, 0
msg_no_kludge	db "no a.out kludge (flag 16)", 10, 0
msg_overlap	db "kernel overlaps blob", 10, 0
msg_shutdown	db "Shutdown"
msg_shutdown_len equ $ - msg_shutdown

	FLAT_GDT

	times 510 - ($ - $$) db 0
	dw 0xaa55
