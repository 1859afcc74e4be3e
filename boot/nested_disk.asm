; boot/nested_disk.asm: the nested stack's disk: loader, parameters, Linux, initramfs.
;
; Assembled once per stack by tools/nested (the result is cached under
; build/nested/) and attached to Bochs as ata0-master, the boot disk;
; boot/linux_boot.asm boots it. Layout: boot/linux_boot.inc. Files come in
; as -D defines, paths as NASM strings:
;   LOADER   the assembled boot/linux_boot.asm (LB_LOADER_SECTORS sectors)
;   KERNEL   the bzImage, or with PVH_ENTRY the flat vmlinux image that
;            tools/nested_vmlinux writes
;   PVH_LOAD, PVH_END, PVH_ENTRY  numbers: where that image goes, where its
;            memory (bss) ends, its 32-bit PVH entry
;   INITRD   the initramfs archive (cpio, compressed or not)
;   CMDLINE  a file with the default kernel command line (no newline), for
;            boots without a run disk
; Example: nasm -f bin -Iboot/ -DLOADER='"build/nested/linux_boot.bin"'
;          -DKERNEL='"vmlinuz"' -DINITRD='"base.cpio"' -DCMDLINE='"cmdline"'
;          -o stack.img boot/nested_disk.asm
;
; SPDX-License-Identifier: MIT

%include "linux_boot.inc"

%ifndef LOADER
%error "define LOADER, KERNEL, INITRD and CMDLINE"
%endif

	org 0

loader:
	incbin LOADER
%if $ - loader != LB_LOADER_SECTORS * LB_SECTOR
%error "LOADER is not LB_LOADER_SECTORS sectors long"
%endif

params:
	dd LB_STACK_MAGIC
	dd (kernel - $$) / LB_SECTOR
	dd kernel_end - kernel
	dd (initrd - $$) / LB_SECTOR
	dd initrd_end - initrd
%ifdef PVH_ENTRY
	dd LB_KIND_PVH
	dd PVH_LOAD, PVH_END, PVH_ENTRY
%else
	dd LB_KIND_BZIMAGE
	dd 0, 0, 0
%endif
	times LBP_CMDLINE - ($ - params) db 0
cmdline:
	incbin CMDLINE
	db 0
%if $ - cmdline > LBP_CMDLINE_MAX
%error "CMDLINE is longer than LBP_CMDLINE_MAX"
%endif
	times LB_SECTOR - ($ - params) db 0

kernel:
	incbin KERNEL
kernel_end:
	align LB_SECTOR, db 0
initrd:
	incbin INITRD
initrd_end:
	align LB_SECTOR, db 0
	; Whole cylinders, so that Bochs finds the geometry by itself.
	times (LB_CYLINDER_BYTES - ($ - $$) % LB_CYLINDER_BYTES) % LB_CYLINDER_BYTES db 0
