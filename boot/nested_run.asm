; boot/nested_run.asm: one nested run's disk: kernel command line and archive.
;
; Written by tools/run for every nested run and attached to Bochs as
; ata0-slave (BIOS drive 0x81). boot/linux_boot.asm takes the kernel
; command line from here and loads the archive right after the stack
; disk's initramfs, so the run's files (hv.elf, guest.elf, the run's mode
; and arguments) land in the same root file system. Layout:
; boot/linux_boot.inc. Files come in as -D defines, paths as NASM strings:
;   CMDLINE  a file with the kernel command line (no newline)
;   INITRD   the run's cpio archive
; Example: nasm -f bin -Iboot/ -DCMDLINE='"cmdline"' -DINITRD='"run.cpio"'
;          -o run.img boot/nested_run.asm
;
; SPDX-License-Identifier: MIT

%include "linux_boot.inc"

%ifndef CMDLINE
%error "define CMDLINE and INITRD"
%endif

	org 0

	dd LB_RUN_MAGIC
	dd initrd_end - initrd
	times LBR_CMDLINE - ($ - $$) db 0
cmdline:
	incbin CMDLINE
	db 0
%if $ - cmdline > LBR_CMDLINE_MAX
%error "CMDLINE is longer than LBR_CMDLINE_MAX"
%endif
	times LB_RUN_DATA_LBA * LB_SECTOR - ($ - $$) db 0

initrd:
	incbin INITRD
initrd_end:
	align LB_SECTOR, db 0
	times (LB_CYLINDER_BYTES - ($ - $$) % LB_CYLINDER_BYTES) % LB_CYLINDER_BYTES db 0
