; boot/bochs_mbi.asm: per-run blob for Bochs: Multiboot info, modules, kernel.
;
; Assembled by tools/run for every Bochs run and copied by Bochs to BLOB_ADDR
; before reset (`optramimage1`); boot/bochs_boot.asm reads it after the BIOS.
; The layout (offsets, field meanings) is in boot/bochs_layout.inc. Names
; of the files to take come in as -D defines, paths as NASM strings:
;   KERNEL          the kernel image file (Multiboot v1, a.out kludge)
;   KERNEL_CMDLINE  a file holding its command line, no NUL or newline
;   MODn, MODn_CMDLINE   module n (0..7, no gaps) and its command line file
; Command lines are handed over as GRUB, QEMU and iPXE do: the image path
; first, then the arguments ("build/guest.elf pv=native tests=all").
; Example: nasm -f bin -I . -DKERNEL='"build/guest.elf"'
;          -DKERNEL_CMDLINE='"/tmp/x/cmdline"' -o blob.bin boot/bochs_mbi.asm
;
; SPDX-License-Identifier: MIT

%include "boot/bochs_layout.inc"

%ifndef KERNEL
%error "define KERNEL, the kernel image file"
%endif
%ifndef KERNEL_CMDLINE
%error "define KERNEL_CMDLINE, the file with the kernel command line"
%endif

; MODS_COUNT: how many of MOD0.. are defined, in order.
%assign MODS_COUNT 0
%macro count_module 1
%ifdef MOD%1
 %if MODS_COUNT != %1
  %error "modules must be numbered MOD0, MOD1, ... without gaps"
 %endif
 %ifndef MOD%1_CMDLINE
  %error "every MODn needs its MODn_CMDLINE"
 %endif
 %assign MODS_COUNT MODS_COUNT + 1
%endif
%endmacro
%assign i 0
%rep BLOB_MAX_MODS + 1			; one more: catches MOD8
	count_module i
	%assign i i + 1
%endrep
%if MODS_COUNT > BLOB_MAX_MODS
%error "at most BLOB_MAX_MODS modules"
%endif

	org BLOB_ADDR

; ---- loader parameters (BLOB_PARAM_*) ----
	dd BLOB_MAGIC
	dd kernel_image
	dd kernel_image_end - kernel_image
	dd MODS_COUNT
	times BLOB_MBI - ($ - $$) db 0

; ---- Multiboot info block ----
; The boot sector fills mem_lower, mem_upper and mmap_length; the flags
; and mmap_addr for them are constants of the layout, so they are set here.
mbi:
%if MODS_COUNT
	dd MBI_FLAG_MEM | MBI_FLAG_CMDLINE | MBI_FLAG_MODS | MBI_FLAG_MMAP | MBI_FLAG_LOADER_NAME
%else
	dd MBI_FLAG_MEM | MBI_FLAG_CMDLINE | MBI_FLAG_MMAP | MBI_FLAG_LOADER_NAME
%endif
	dd 0				; mem_lower [boot]
	dd 0				; mem_upper [boot]
	dd 0				; boot_device (flag 1 clear)
	dd kernel_cmdline
	dd MODS_COUNT
	dd mods
	times 4 dd 0			; syms (flags 4, 5 clear)
	dd 0				; mmap_length [boot]
	dd MMAP_ADDR
	dd 0, 0				; drives (flag 7 clear)
	dd 0				; config_table (flag 8 clear)
	dd loader_name
	times BLOB_MODS - ($ - $$) db 0	; apm, vbe, framebuffer: flags clear
%if BLOB_MODS - BLOB_MBI < MBI_SIZE
%error "the info block overlaps the module list"
%endif

; ---- module list ----
%macro module_entry 1
%ifdef MOD%1
	dd mod%1_start, mod%1_end, mod%1_cmdline, 0
%endif
%endmacro
mods:
%assign i 0
%rep BLOB_MAX_MODS
	module_entry i
	%assign i i + 1
%endrep
	times BLOB_STRINGS - ($ - $$) db 0

; ---- strings ----
%macro module_cmdline 1
%ifdef MOD%1
mod%1_cmdline:
	incbin MOD%1_CMDLINE
	db 0
%endif
%endmacro
kernel_cmdline:
	incbin KERNEL_CMDLINE
	db 0
%assign i 0
%rep BLOB_MAX_MODS
	module_cmdline i
	%assign i i + 1
%endrep
loader_name:
	db "bochs_boot", 0

; ---- images, each page aligned ----
	align 4096, db 0
kernel_image:
	incbin KERNEL
kernel_image_end:

%macro module_image 1
%ifdef MOD%1
	align 4096, db 0
mod%1_start:
	incbin MOD%1
mod%1_end:
%endif
%endmacro
%assign i 0
%rep BLOB_MAX_MODS
	module_image i
	%assign i i + 1
%endrep
