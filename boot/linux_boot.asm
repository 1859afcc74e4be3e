; boot/linux_boot.asm: hard-disk loader for Linux and its initramfs (the nested stack).
;
; Entered by the BIOS at 0:7c00 in real mode from the stack disk's first
; sector (layout: boot/linux_boot.inc). Sector 0 reads the rest of the
; loader with int 13h AH=42h. The rest reads the disks itself, by ATA PIO
; on the primary channel in unreal mode (ES reaches 4 GiB), straight to
; their places above 1 MiB with `rep insd`, 256 sectors a command, halting
; until the drive interrupts: about 0.4 Bochs instructions a byte (the
; stack's 118 MB in 44 M), where the BIOS's int 13h into a bounce buffer
; and int 15h AH=87h above 1 MiB took 1.2 (10.6 MB in 12.9 M).
;
; The kernel comes in one of two forms (LBP_KERNEL_KIND):
; - a bzImage, booted by the Linux x86 16-bit boot protocol
;   (Documentation/x86/boot.rst, "Loading the rest of the kernel" and
;   "Running the kernel"): the real-mode setup at 0x90000, the
;   protected-mode kernel at 1 MiB, the command line at 0x9e000, then the
;   setup code at 9020:0000 in real mode;
; - the vmlinux inside it, decompressed on the build host into one flat
;   image: loaded where it runs and entered at its PVH entry in 32-bit
;   protected mode, paging off, EBX = an hvm_start_info with the E820 map,
;   the command line and the initramfs (Xen's docs/misc/pvh.pandoc). This
;   skips the kernel's own decompressor (its 66 MB of XZ output).
; Either way the initramfs is the stack disk's archive followed by the run
; disk's (Linux unpacks concatenated archives in order), as high in RAM as
; initrd_addr_max allows, so a run changes only the small one.
;
; Prints one line on COM1 with what it loaded and the TSC (with Bochs's
; `clock: sync=none`, instructions since power-on, plus the time skipped
; while halted); on an error, "linux_boot: error: ..." and it ends Bochs
; (port 0x8900, status 1).
; Build: nasm -f bin -Iboot/ -o build/nested/linux_boot.bin boot/linux_boot.asm
;
; SPDX-License-Identifier: MIT

%include "linux_boot.inc"
%include "flat_gdt.inc"

COM1			equ 0x3f8
BOCHS_SHUTDOWN_PORT	equ 0x8900	; "Shutdown" written here ends Bochs
SMAP			equ 0x534d4150	; "SMAP", the E820 signature

PARAMS			equ 0x7c00 + LB_PARAMS_LBA * LB_SECTOR
RUN_HDR			equ PARAMS + LB_SECTOR	; the run disk's header sectors
MEMMAP			equ 0x1000	; E820 entries, 24 bytes each
MEMMAP_MAX		equ 32
START_INFO		equ MEMMAP + MEMMAP_MAX * 24	; PVH: hvm_start_info
MODLIST			equ START_INFO + 64		; PVH: one module
KERNEL_ADDR		equ 0x100000	; the protected-mode kernel (bzImage)

; The 16-bit boot protocol's real-mode part, X in boot.rst.
SETUP_SEG		equ 0x9000
SETUP_ADDR		equ SETUP_SEG * 16
SETUP_MAX_SECTORS	equ 0x8000 / LB_SECTOR	; setup below X + 0x8000
HEAP_END		equ 0xe000	; from X: the real-mode stack's top
CMDLINE_ADDR		equ SETUP_ADDR + HEAP_END	; both kinds

; The setup header (boot.rst, "The real-mode kernel header"), from X.
HDR_SETUP_SECTS		equ 0x1f1	; u8; 0 means 4
HDR_HEADER		equ 0x202	; u32 "HdrS"
HDR_VERSION		equ 0x206	; u16 boot protocol version
HDR_TYPE_OF_LOADER	equ 0x210	; u8
HDR_LOADFLAGS		equ 0x211	; u8
HDR_CODE32_START	equ 0x214	; u32
HDR_RAMDISK_IMAGE	equ 0x218	; u32
HDR_RAMDISK_SIZE	equ 0x21c	; u32
HDR_HEAP_END_PTR	equ 0x224	; u16, from X
HDR_CMD_LINE_PTR	equ 0x228	; u32 linear
HDR_INITRD_ADDR_MAX	equ 0x22c	; u32, the highest byte the initrd may use
HDR_CMDLINE_SIZE	equ 0x238	; u32, without the NUL
HDR_PREF_ADDRESS	equ 0x258	; u64
HDR_INIT_SIZE		equ 0x260	; u32
HDR_MAGIC		equ 0x53726448	; "HdrS"
HDR_MIN_VERSION		equ 0x020a	; pref_address and init_size
LOADFLAGS_LOADED_HIGH	equ 0x01
LOADFLAGS_CAN_USE_HEAP	equ 0x80
LOADER_TYPE_UNKNOWN	equ 0xff	; type_of_loader: no assigned ID

; PVH (xen/include/public/arch-x86/hvm/start_info.h), version 1.
PVH_MAGIC		equ 0x336ec578
SI_MAGIC		equ 0		; u32
SI_VERSION		equ 4		; u32
SI_NR_MODULES		equ 12		; u32
SI_MODLIST_PADDR	equ 16		; u64
SI_CMDLINE_PADDR	equ 24		; u64
SI_MEMMAP_PADDR		equ 40		; u64
SI_MEMMAP_ENTRIES	equ 48		; u32
PVH_CMDLINE_MAX		equ 2047	; what Linux keeps (COMMAND_LINE_SIZE - 1)
PVH_INITRD_ADDR_MAX	equ 0x7fffffff	; as the bzImage says

; The primary ATA channel (ATA/ATAPI-6, 7.15 READ SECTORS).
ATA_DATA		equ 0x1f0
ATA_ERROR		equ 0x1f1
ATA_COUNT		equ 0x1f2
ATA_LBA0		equ 0x1f3
ATA_LBA1		equ 0x1f4
ATA_LBA2		equ 0x1f5
ATA_DEVICE		equ 0x1f6	; 0xe0 | slave << 4 | LBA 27:24
ATA_STATUS		equ 0x1f7	; reading it acknowledges INTRQ
ATA_COMMAND		equ 0x1f7
ATA_CONTROL		equ 0x3f6
ATA_STATUS_ERR		equ 0x01
ATA_STATUS_DRQ		equ 0x08
ATA_STATUS_BSY		equ 0x80
ATA_CMD_READ_SECTORS	equ 0x20
ATA_MAX_SECTORS		equ 256		; a count of 0
ATA_MASTER		equ 0
ATA_SLAVE		equ 1
PIC1_DATA		equ 0x21
PIC2_DATA		equ 0xa1
BDA_HARD_DISKS		equ 0x475	; hard disks the BIOS found

	bits 16
	org 0x7c00

; ---- sector 0: what the BIOS loads; it loads the rest ----------------------
start:
	cli
	xor ax, ax
	mov ds, ax
	mov es, ax
	mov ss, ax
	mov sp, 0x7c00
	sti
	cld
	; The rest of the loader and the parameter sector, to 0:7e00, with
	; the BIOS (DL: the boot drive).
	mov si, dap
	mov ah, 0x42
	int 0x13
	pushf
	; COM1: 8 data bits, no parity, 1 stop bit (the BIOS leaves 115200)
	mov dx, COM1 + 3
	mov al, 3
	out dx, al
	popf
	jnc stage2
	mov si, msg_read_loader
	jmp fail

; fail: print "linux_boot: error: " and the NUL-terminated string at SI on
; COM1, then end Bochs. Never returns.
fail:
	push si
	mov si, msg_error
	call puts
	pop si
	call puts
	mov si, msg_shutdown
	mov dx, BOCHS_SHUTDOWN_PORT
.shutdown:
	lodsb
	test al, al
	jz .halt
	out dx, al
	jmp .shutdown
.halt:
	cli
	hlt				; not Bochs: stop here
	jmp .halt

; puts: the NUL-terminated string at DS:SI to COM1, waiting until each
; byte has left (so the last is out before Bochs is shut down).
puts:
	push ax
	push dx
.next:
	mov dx, COM1 + 5		; line status register
.wait:
	in al, dx
	test al, 0x40			; transmitter empty
	jz .wait
	lodsb
	test al, al
	jz .done
	mov dl, COM1 & 0xff
	out dx, al
	jmp .next
.done:
	pop dx
	pop ax
	ret

dap:					; int 13h AH=42h disk address packet
	db 16, 0
	dw LB_LOADER_SECTORS		; sectors 1..7: the loader's rest and
	dw 0x7e00, 0			; the parameter sector, to 0:7e00
	dq 1

msg_error	db "linux_boot: error: ", 0
msg_read_loader	db "cannot read the loader's sectors 1-7 from the boot disk", 10, 0
msg_shutdown	db "Shutdown", 0

	times 510 - ($ - $$) db 0
	dw 0xaa55

; ---- sectors 1 .. LB_LOADER_SECTORS-1 ---------------------------------------
stage2:
	cmp dword [PARAMS + LBP_MAGIC], LB_STACK_MAGIC
	je .params_ok
	mov si, msg_bad_params
	jmp fail
.params_ok:
	call unreal_mode
	call ata_setup

	; The run disk, when there is one: its header and command line.
	mov word [cmdline_src], PARAMS + LBP_CMDLINE
	cmp byte [BDA_HARD_DISKS], 2
	jb .no_run
	xor eax, eax
	mov ecx, LB_RUN_DATA_LBA * LB_SECTOR
	mov edi, RUN_HDR
	mov bl, ATA_SLAVE
	call ata_read
	cmp dword [RUN_HDR + LBR_MAGIC], LB_RUN_MAGIC
	jne .no_run
	mov eax, [RUN_HDR + LBR_INITRD_BYTES]
	mov [run_bytes], eax
	mov word [cmdline_src], RUN_HDR + LBR_CMDLINE
	mov byte [RUN_HDR + LB_RUN_DATA_LBA * LB_SECTOR - 1], 0
	jmp .run_done
.no_run:
	mov si, msg_no_run
	call puts
.run_done:

	call read_e820
	mov eax, [PARAMS + LBP_KERNEL_KIND]
	cmp eax, LB_KIND_BZIMAGE
	je boot_bzimage
	cmp eax, LB_KIND_PVH
	je boot_pvh
	mov si, msg_bad_kind
	jmp fail

; ---- the 16-bit boot protocol ----------------------------------------------
boot_bzimage:
	; The first sector says how many setup sectors follow it.
	mov eax, [PARAMS + LBP_KERNEL_LBA]
	mov ecx, LB_SECTOR
	mov edi, SETUP_ADDR
	mov bl, ATA_MASTER
	call ata_read
	mov ax, SETUP_SEG
	mov fs, ax
	movzx ecx, byte [fs:HDR_SETUP_SECTS]
	test cx, cx
	jnz .sects_ok
	mov cx, 4
.sects_ok:
	inc cx				; and the boot sector itself
	cmp cx, SETUP_MAX_SECTORS
	jbe .setup_fits
	mov si, msg_setup_big
	jmp fail
.setup_fits:
	shl ecx, 9
	mov [setup_bytes], ecx
	mov eax, [PARAMS + LBP_KERNEL_LBA]
	mov edi, SETUP_ADDR
	call ata_read
	cmp dword [fs:HDR_HEADER], HDR_MAGIC
	jne .not_bzimage
	cmp word [fs:HDR_VERSION], HDR_MIN_VERSION
	jb .too_old
	test byte [fs:HDR_LOADFLAGS], LOADFLAGS_LOADED_HIGH
	jz .not_bzimage

	; The protected-mode kernel: the rest of the file, at 1 MiB.
	mov eax, [setup_bytes]
	mov ecx, [PARAMS + LBP_KERNEL_BYTES]
	sub ecx, eax
	jbe .not_bzimage
	mov [kernel_bytes], ecx
	shr eax, 9
	add eax, [PARAMS + LBP_KERNEL_LBA]
	mov edi, KERNEL_ADDR
	mov bl, ATA_MASTER
	call ata_read

	; The initramfs: below initrd_addr_max and clear of the buffer the
	; kernel decompresses itself into, [pref_address, + init_size).
	mov eax, [fs:HDR_INITRD_ADDR_MAX]
	mov [initrd_max], eax
	mov eax, [fs:HDR_PREF_ADDRESS]
	cmp dword [fs:HDR_PREF_ADDRESS + 4], 0
	jne no_room
	add eax, [fs:HDR_INIT_SIZE]
	jc no_room
	mov [initrd_min], eax
	call load_initrd
	mov ecx, [fs:HDR_CMDLINE_SIZE]
	call set_cmdline
	call ata_done

	; The header fields a boot loader writes (boot.rst, "Details of header
	; fields").
	mov byte [fs:HDR_TYPE_OF_LOADER], LOADER_TYPE_UNKNOWN
	or byte [fs:HDR_LOADFLAGS], LOADFLAGS_CAN_USE_HEAP
	mov word [fs:HDR_HEAP_END_PTR], HEAP_END - 0x200
	mov dword [fs:HDR_CMD_LINE_PTR], CMDLINE_ADDR
	mov dword [fs:HDR_CODE32_START], KERNEL_ADDR
	mov eax, [initrd_addr]
	mov [fs:HDR_RAMDISK_IMAGE], eax
	mov eax, [initrd_bytes]
	mov [fs:HDR_RAMDISK_SIZE], eax

	mov si, msg_kind_bzimage
	call report

	; Enter the setup code (boot.rst, "Running the kernel").
	cli
	mov ax, SETUP_SEG
	mov ds, ax
	mov es, ax
	mov fs, ax
	mov gs, ax
	mov ss, ax
	mov sp, HEAP_END
	jmp SETUP_SEG + 0x20:0

.not_bzimage:
	mov si, msg_not_bzimage
	jmp fail
.too_old:
	mov si, msg_too_old
	jmp fail

; ---- PVH: the decompressed kernel, entered in 32-bit protected mode ---------
boot_pvh:
	mov eax, [PARAMS + LBP_KERNEL_LBA]
	mov ecx, [PARAMS + LBP_KERNEL_BYTES]
	mov [kernel_bytes], ecx
	mov edi, [PARAMS + LBP_KERNEL_LOAD]
	mov bl, ATA_MASTER
	call ata_read
	mov eax, [PARAMS + LBP_KERNEL_END]
	mov [initrd_min], eax
	mov dword [initrd_max], PVH_INITRD_ADDR_MAX
	call load_initrd
	mov ecx, PVH_CMDLINE_MAX
	call set_cmdline
	call ata_done

	; hvm_start_info, version 1; the RSDP is left for Linux to find in
	; the BIOS area.
	mov di, START_INFO
	mov cx, 64
	xor al, al
	rep stosb
	mov dword [START_INFO + SI_MAGIC], PVH_MAGIC
	mov dword [START_INFO + SI_VERSION], 1
	mov dword [START_INFO + SI_CMDLINE_PADDR], CMDLINE_ADDR
	mov dword [START_INFO + SI_MEMMAP_PADDR], MEMMAP
	mov eax, [memmap_entries]
	mov [START_INFO + SI_MEMMAP_ENTRIES], eax
	mov eax, [initrd_bytes]
	test eax, eax
	jz .no_module
	mov dword [START_INFO + SI_NR_MODULES], 1
	mov dword [START_INFO + SI_MODLIST_PADDR], MODLIST
	mov di, MODLIST			; paddr, size, cmdline_paddr, reserved
	mov cx, 32
	xor al, al
	rep stosb
	mov eax, [initrd_addr]
	mov [MODLIST], eax
	mov eax, [initrd_bytes]
	mov [MODLIST + 8], eax
.no_module:

	mov si, msg_kind_pvh
	call report

	; Protected mode, flat 32-bit segments, paging and interrupts off.
	cli
	in al, 0x92			; A20 (the kernel's setup would do it
	or al, 2			; on the other path)
	and al, ~1
	out 0x92, al
	lgdt [flat_gdt_desc]
	mov eax, cr0
	or al, 1
	mov cr0, eax
	jmp dword 0x08:.pm32
	bits 32
.pm32:
	mov ax, 0x10
	mov ds, ax
	mov es, ax
	mov fs, ax
	mov gs, ax
	mov ss, ax
	mov ebx, START_INFO
	jmp [PARAMS + LBP_KERNEL_ENTRY]
	bits 16

; ---- the pieces ------------------------------------------------------------

; unreal_mode: ES keeps a 4 GiB limit back in real mode (segment loads in
; real mode change only the base), so `a32 rep insd` reaches all of RAM.
unreal_mode:
	cli
	in al, 0x92			; A20 on, or bit 20 of every address
	or al, 2			; above 1 MiB is lost
	and al, ~1			; (bit 0 would reset the machine)
	out 0x92, al
	lgdt [flat_gdt_desc]
	mov eax, cr0
	or al, 1
	mov cr0, eax
	jmp .pm				; (a jump after setting PE)
.pm:
	mov bx, 0x10
	mov es, bx
	and al, ~1
	mov cr0, eax
	xor bx, bx
	mov es, bx
	sti
	ret

; ata_setup: the drive interrupts (nIEN clear) and IRQ 14 through both
; PICs, so that a wait can halt until the drive is ready; the BIOS's IRQ
; 14 handler acknowledges the PICs.
ata_setup:
	mov dx, ATA_CONTROL
	mov al, 0x08			; nIEN = 0 (bit 3: as the BIOS writes)
	out dx, al
	in al, PIC2_DATA
	and al, ~(1 << (14 - 8))
	out PIC2_DATA, al
	in al, PIC1_DATA
	and al, ~(1 << 2)		; the cascade
	out PIC1_DATA, al
	ret

; ata_done: the drive interrupts off again (nIEN set).
ata_done:
	mov dx, ATA_CONTROL
	mov al, 0x0a
	out dx, al
	ret

; ata_wait: halt until the selected drive is not busy; AL = its status.
; The status is read with interrupts off and `sti; hlt` cannot miss the
; interrupt that follows it (STI delays interrupts by one instruction);
; the BIOS's timer wakes the loop too.
ata_wait:
	push dx
	mov dx, ATA_STATUS
.again:
	cli
	in al, dx
	test al, ATA_STATUS_BSY
	jz .ready
	sti
	hlt
	jmp .again
.ready:
	sti
	pop dx
	ret

; ata_read: ECX bytes, in whole sectors, from LBA EAX of drive BL (0 master,
; 1 slave) to linear address EDI; fails the boot on a drive error.
ata_read:
	pushad
	mov [ar_lba], eax
	mov [ar_left], ecx
	mov [ar_dest], edi
	shl bl, 4
	or bl, 0xe0			; LBA addressing
	mov [ar_device], bl
.command:
	mov ecx, [ar_left]
	test ecx, ecx
	jz .done
	add ecx, LB_SECTOR - 1
	shr ecx, 9
	cmp ecx, ATA_MAX_SECTORS
	jbe .count_ok
	mov ecx, ATA_MAX_SECTORS
.count_ok:
	mov [ar_count], cx
	call ata_wait
	mov eax, [ar_lba]
	cmp eax, 0x0fffffff - ATA_MAX_SECTORS
	ja .error			; LBA28 ends at 128 GiB
	mov dx, ATA_DEVICE
	shr eax, 24
	or al, [ar_device]
	out dx, al
	mov dx, ATA_COUNT
	mov al, cl			; 256 is written as 0
	out dx, al
	mov eax, [ar_lba]
	inc dx				; ATA_LBA0
	out dx, al
	shr eax, 8
	inc dx				; ATA_LBA1
	out dx, al
	shr eax, 8
	inc dx				; ATA_LBA2
	out dx, al
	mov dx, ATA_COMMAND
	mov al, ATA_CMD_READ_SECTORS
	out dx, al
	; One interrupt and one DRQ block per sector.
	mov bx, [ar_count]
	mov edi, [ar_dest]
.sector:
	call ata_wait
	test al, ATA_STATUS_ERR
	jnz .error
	test al, ATA_STATUS_DRQ
	jz .error
	mov dx, ATA_DATA
	mov ecx, LB_SECTOR / 4
	a32 rep insd			; ES:EDI, ES's limit 4 GiB
	dec bx
	jnz .sector
	mov [ar_dest], edi
	movzx eax, word [ar_count]
	add [ar_lba], eax
	shl eax, 9
	sub [ar_left], eax
	ja .command
.done:
	popad
	ret
.error:
	mov si, msg_ata_error
	call puts
	mov dx, ATA_STATUS
	in al, dx
	call puthex8
	mov si, msg_ata_error_reg
	call puts
	mov dx, ATA_ERROR
	in al, dx
	call puthex8
	mov si, msg_ata_lba
	call puts
	mov eax, [ar_lba]
	call puthex
	mov si, msg_ata_device
	call puts
	mov al, [ar_device]
	call puthex8
	mov si, msg_newline
	jmp fail

; read_e820: the BIOS's E820 map to MEMMAP (Multiboot-free: base, length,
; type, 4 bytes of padding, as hvm_memmap_table_entry), [memmap_entries],
; and [ram_top], the end of the usable region at 1 MiB (below 4 GiB).
read_e820:
	xor ebx, ebx
	mov di, MEMMAP
.next:
	mov eax, 0xe820
	mov ecx, 20
	mov edx, SMAP
	mov dword [di + 20], 0
	int 0x15
	jc .done			; past the last entry on some BIOSes
	cmp eax, SMAP
	jne .done
	cmp dword [di + 16], 1		; usable
	jne .keep
	cmp dword [di + 0], KERNEL_ADDR
	jne .keep
	cmp dword [di + 4], 0
	jne .keep
	mov eax, 0xfffff000		; a region reaching 4 GiB ends there
	cmp dword [di + 12], 0
	jne .top
	mov eax, [di + 8]
	add eax, KERNEL_ADDR
	jnc .top
	mov eax, 0xfffff000
.top:
	mov [ram_top], eax
.keep:
	add di, 24
	inc dword [memmap_entries]
	cmp dword [memmap_entries], MEMMAP_MAX
	jae .done
	test ebx, ebx
	jnz .next
.done:
	cmp dword [ram_top], 0
	jne .ok
	mov si, msg_no_ram
	jmp fail
.ok:
	ret

; load_initrd: both archives, one after the other, as high as allowed, in
; [initrd_min, min(ram_top, initrd_max + 1)): [initrd_addr],
; [initrd_bytes]. The stack disk's archive is padded with zeros to a whole
; sector, so the run's starts 4-aligned, as Linux wants (it skips zeros
; between archives).
load_initrd:
	mov eax, [PARAMS + LBP_INITRD_BYTES]
	add eax, LB_SECTOR - 1
	and eax, -LB_SECTOR
	mov [base_padded], eax
	add eax, [run_bytes]
	mov [initrd_bytes], eax
	jz .none
	mov ebx, [ram_top]
	mov eax, [initrd_max]
	inc eax
	jz .top_ok			; 4 GiB - 1: no limit below 4 GiB
	cmp eax, ebx
	jae .top_ok
	mov ebx, eax
.top_ok:
	mov eax, [initrd_bytes]		; whole sectors are read
	add eax, LB_SECTOR - 1
	and eax, -LB_SECTOR
	sub ebx, eax
	jb no_room
	and ebx, -4096
	cmp ebx, [initrd_min]
	jb no_room
	mov [initrd_addr], ebx
	mov edi, ebx
	mov eax, [PARAMS + LBP_INITRD_LBA]
	mov ecx, [PARAMS + LBP_INITRD_BYTES]
	mov bl, ATA_MASTER
	call ata_read
	mov edi, [initrd_addr]
	add edi, [base_padded]
	mov eax, LB_RUN_DATA_LBA
	mov ecx, [run_bytes]
	mov bl, ATA_SLAVE
	call ata_read
.none:
	ret

no_room:
	mov si, msg_no_room
	jmp fail

; set_cmdline: the NUL-terminated line at [cmdline_src] to CMDLINE_ADDR,
; if it has at most ECX characters.
set_cmdline:
	mov ax, SETUP_SEG
	mov es, ax
	mov di, HEAP_END
	mov si, [cmdline_src]
.copy:
	lodsb
	stosb
	test al, al
	jz .done
	dec ecx
	jns .copy
	mov si, msg_cmdline_long
	jmp fail
.done:
	xor ax, ax
	mov es, ax
	ret

; report: "linux_boot: KIND kernel N bytes, initramfs N bytes at A, tsc T"
; (SI: KIND), numbers in hex.
report:
	push si
	mov si, msg_loaded
	call puts
	pop si
	call puts
	mov si, msg_loaded_kernel
	call puts
	mov eax, [kernel_bytes]
	call puthex
	mov si, msg_loaded_initrd
	call puts
	mov eax, [initrd_bytes]
	call puthex
	mov si, msg_loaded_at
	call puts
	mov eax, [initrd_addr]
	call puthex
	mov si, msg_loaded_tsc
	call puts
	rdtsc
	push eax
	mov eax, edx
	call puthex
	pop eax
	mov cx, 8
	call puthex_digits
	mov si, msg_newline
	jmp puts

; puthex: EAX as "0x" and 8 hex digits; puthex8: AL as "0x" and 2;
; puthex_digits: the CX low digits of EAX alone.
puthex8:
	shl eax, 24
	mov cx, 2
	jmp puthex_0x
puthex:
	mov cx, 8
puthex_0x:
	mov si, msg_0x
	call puts
puthex_digits:
	pushad
	mov di, hex_buf
.digit:
	rol eax, 4
	mov bl, al
	and bx, 0xf
	mov dl, [hex_chars + bx]
	mov [di], dl
	inc di
	loop .digit
	mov byte [di], 0
	mov si, hex_buf
	call puts
	popad
	ret

	FLAT_GDT

msg_bad_params	db "the boot disk has no parameter sector (not built by tools/nested?)", 10, 0
msg_bad_kind	db "the parameter sector names no kernel kind this loader knows", 10, 0
msg_no_run	db "linux_boot: no run disk (ata0-slave): the stack's own command line, no second archive", 10, 0
msg_no_ram	db "no usable RAM at 1 MiB in the E820 map", 10, 0
msg_setup_big	db "the kernel's setup is larger than 32 KiB", 10, 0
msg_not_bzimage	db "the kernel is no bzImage (no HdrS header, LOADED_HIGH clear or too short)", 10, 0
msg_too_old	db "the kernel's boot protocol is older than 2.10", 10, 0
msg_no_room	db "the initramfs does not fit between the kernel and the top of RAM", 10, 0
msg_cmdline_long db "the command line is longer than the kernel takes", 10, 0
msg_ata_error	db "ATA read failed: status ", 0
msg_ata_error_reg db " error ", 0
msg_ata_lba	db " at LBA ", 0
msg_ata_device	db " device ", 0
msg_loaded	db "linux_boot: ", 0
msg_kind_bzimage db "bzImage (16-bit boot protocol)", 0
msg_kind_pvh	db "vmlinux (PVH entry)", 0
msg_loaded_kernel db ": kernel ", 0
msg_loaded_initrd db " bytes, initramfs ", 0
msg_loaded_at	db " bytes at ", 0
msg_loaded_tsc	db ", tsc ", 0
msg_0x		db "0x", 0
msg_newline	db 10, 0
hex_chars	db "0123456789abcdef"

	align 4
cmdline_src	dw 0
ar_count	dw 0
ar_device	db 0
	align 4
ar_lba		dd 0
ar_left		dd 0
ar_dest		dd 0
setup_bytes	dd 0
memmap_entries	dd 0
ram_top		dd 0
run_bytes	dd 0
base_padded	dd 0
kernel_bytes	dd 0
initrd_min	dd 0
initrd_max	dd 0
initrd_addr	dd 0
initrd_bytes	dd 0
hex_buf		times 9 db 0

%if $ - $$ > LB_LOADER_SECTORS * LB_SECTOR
%error "the loader outgrew LB_LOADER_SECTORS"
%endif
	times LB_LOADER_SECTORS * LB_SECTOR - ($ - $$) db 0
