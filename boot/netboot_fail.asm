; netboot_fail.asm - the netboot scripts' last resort: a tiny Multiboot v1
; kernel that prints why netbooting failed and ends the machine failed.
;
; iPXE prints only to the screen; when a script cannot fetch or boot an
; image it boots this instead, with the reason as its command line. It
; writes "netboot: error: REASON" and "exit: status=1" to COM1, then ends
; the run as tools/run expects (port 0xf4, then the Bochs shutdown port).
; Flat binary, a.out kludge, loaded at 1 MiB, 32-bit protected mode.
; Build: nasm -f bin -o build/netboot/netboot-fail.bin boot/netboot_fail.asm
; SPDX-License-Identifier: MIT

bits 32
org 0x100000

MB_MAGIC        equ 0x1badb002
MB_FLAGS        equ (1 << 16)           ; a.out kludge: the fields below
COM1            equ 0x3f8

header:
	dd MB_MAGIC, MB_FLAGS, -(MB_MAGIC + MB_FLAGS)
	dd header, header, image_end, stack_top, start   ; bss: the stack

start:
	mov esp, stack_top
	mov dx, COM1 + 3                ; 8N1: the UART may start in 5-bit mode
	mov al, 3
	out dx, al
	mov esi, msg_prefix
	call puts
	; The command line (flag 2) less its first word, the image's URI.
	test dword [ebx], 1 << 2
	jz .end
	mov esi, [ebx + 16]
.skip_word:
	lodsb
	test al, al
	jz .end
	cmp al, ' '
	jne .skip_word
	call puts
.end:
	mov esi, msg_end
	call puts
	mov al, 1
	out 0xf4, al                    ; QEMU: exit (1 << 1) | 1
	mov esi, msg_shutdown           ; Bochs: "Shutdown" to 0x8900
	mov dx, 0x8900
.sd:	lodsb
	test al, al
	jz .halt
	out dx, al
	jmp .sd
.halt:	cli
	hlt
	jmp .halt

; Print the NUL-terminated string at esi; waits for the transmitter.
puts:
	lodsb
	test al, al
	jz .done
	mov ah, al
	mov dx, COM1 + 5
.wait:	in al, dx
	test al, 0x20
	jz .wait
	mov dx, COM1
	mov al, ah
	out dx, al
	jmp puts
.done:	mov dx, COM1 + 5                ; and for the last byte to leave
.drain:	in al, dx
	test al, 0x40
	jz .drain
	ret

msg_prefix:	db "netboot: error: ", 0
msg_end:	db 10, "exit: status=1", 10, 0
msg_shutdown:	db "Shutdown", 0

align 16
image_end:
stack_top equ image_end + 1024
