# Makefile - the one entry point: build, run, test, bench.
#
#   make          build/guest.elf (+ .asm disassembly, .map symbols), the
#                 direct-build baseline, the Bochs boot sector, test images
#   make run      the same guest natively, hosted-pv and hosted-trap (Bochs,
#                 exact instructions; KVM cycles on hardware KVM): a table
#                 and build/report/ (installs missing Debian packages)
#   make test     host unit tests and boot tests; ends "N passed, N failed,
#                 N skipped" (one nested boot among them: tests/parts/nested.sh)
#   make test-nested  every nested test: QEMU/KVM inside Linux inside Bochs
#                 (tools/run --emu nested), about 7 minutes on a 2-core host
#   make nested   build/nested/: that stack (Debian's kernel, an initramfs
#                 with QEMU), built once; tools/run --emu nested boots it
#   make bench    pv_ops cost: patched-native vs direct vs nopatch, and the
#                 hypervisor's exit costs
#   make netboot  build/netboot/: what a TFTP or HTTP server serves as it is
#   make fuzz     the libFuzzer targets (tests/fuzz/), FUZZ_SECONDS=N each
#                 (default 60); corpora in build/fuzz/corpus/NAME
#   make help     the targets and switches
#   make iso      build/minivmx.iso: GRUB 2 on a CD or USB stick (BIOS)
#                 netboot and iso take MODE=hosted|native (the default
#                 entry), HV_ARGS="..." and GUEST_ARGS="..." (command lines,
#                 passed on exactly as written: make expands no $ in them)
#   make clean
# SPDX-License-Identifier: MIT

CC      ?= gcc
LD      := ld
NASM    := nasm
OBJDUMP := objdump
B       := build

# ---- the two kernels ------------------------------------------------------------
# Sources by path; objects mirror them under build/<flavour>/.
SHARED_C := shared/lib/lib.c shared/lib/multiboot.c shared/lib/uart.c \
            shared/lib/machine.c shared/lib/bootcmd.c shared/lib/acpi.c
GUEST_SRC := guest/main.c guest/console.c guest/cmdline.c guest/mm.c \
             guest/idt.c guest/lapic.c guest/platform.c guest/pv_ops.c \
             guest/pv_native.c guest/pv_hv.c guest/pv_hv_tmpl.c guest/pv_patch.c guest/selftest.c \
             guest/bench.c guest/workload.c guest/hostile.c guest/lapic_test.c guest/hcfuzz.c \
             guest/smp.c \
             $(SHARED_C) boot/entry64.asm boot/ap_boot.asm guest/isr.asm guest/hcfuzz_call.asm guest/ap_isr.asm

HV_SRC := hv/main.c hv/console.c hv/cpu.c hv/options.c hv/guest_load.c \
          hv/vmx.c hv/vmx_ctl.c hv/vmcs.c hv/ept.c \
          hv/vmexit.c hv/vcpu.c hv/cpuid.c hv/cr.c hv/msr.c hv/io.c hv/mmio.c hv/mmio_decode.c hv/guest_paging.c \
          hv/hypercall.c hv/stats.c hv/audit.c hv/watchdog.c hv/halt.c hv/halt_view.c \
          hv/vlapic.c hv/apic.c hv/smp.c \
          $(SHARED_C) boot/entry64.asm boot/ap_boot.asm hv/vmentry.asm hv/trap.asm

KERNEL_CFLAGS := -std=gnu11 -O2 -g -ffreestanding -nostdlib -nostdinc \
	-isystem $(shell $(CC) -print-file-name=include) -Ishared/lib -Ishared \
	-mno-red-zone -mgeneral-regs-only -mcmodel=small -fno-pic -fno-pie \
	-fno-stack-protector -fno-asynchronous-unwind-tables \
	-fno-tree-loop-distribute-patterns -fno-omit-frame-pointer \
	-Wall -Wextra -Werror -MMD -MP
GUEST_CFLAGS := $(KERNEL_CFLAGS) -Iguest
# The VM-exit path is hot and never unwound: no frame pointers there.
HV_CFLAGS := $(KERNEL_CFLAGS) -Ihv -fomit-frame-pointer
KERNEL_LDFLAGS := -nostdlib -n -z max-page-size=0x1000 -z noexecstack \
	--no-warn-rwx-segments
NASMFLAGS := -f elf64 -g -I$(B)/gen/ -Iguest/ -Ihv/ -Iboot/

objs = $(patsubst %.asm,$(B)/$(1)/%.o,$(patsubst %.c,$(B)/$(1)/%.o,$(2)))

# Two builds of the same guest sources: the real one (pv_ops call sites) and
# the benchmark baseline with the native instructions written at each site.
GUEST_OBJS  := $(call objs,guest,$(GUEST_SRC))
DIRECT_OBJS := $(call objs,direct,$(GUEST_SRC))
HV_OBJS     := $(call objs,hv,$(HV_SRC))

IMAGES := $(B)/guest.elf $(B)/guest-direct.elf $(B)/hv.elf
BOOT   := $(B)/boot/bochs_boot.bin
TESTIMAGES := $(B)/tests/mbprint.bin $(B)/tests/mbprint-hang.bin $(B)/tests/mmiomodes.bin \
	$(B)/tests/mmiomodes-unknown.bin $(B)/tests/mmiomodes-store.bin \
	$(B)/tests/mmiomodes-unreadable.bin \
	$(B)/tests/mbprint-at0x8000.bin $(B)/tests/mbprint-at0x10000.bin \
	$(B)/tests/mbprint-at0x9e000.bin \
	$(B)/tests/mbprint-fail14.bin $(B)/tests/mbprint-fail200.bin
TOOLS  := $(B)/tools/benchtab $(B)/tools/abigen $(B)/tools/report $(B)/tools/ipxe_script

all: $(IMAGES) $(IMAGES:.elf=.asm) $(IMAGES:.elf=.map) $(BOOT) $(TESTIMAGES) $(TOOLS) \
	$(B)/gen/hv_abi.inc

$(B)/gen/asm_offsets.inc: guest/asm_offsets.c guest/pv_ops.h guest/pv.h guest/trap.h guest/hcfuzz.h \
	guest/smp.h
	@mkdir -p $(@D)
	$(CC) $(GUEST_CFLAGS) -S -o $(B)/gen/asm_offsets.s $<
	sed -n 's/.*"->\([A-Za-z0-9_]*\) \$$\{0,1\}\(-\{0,1\}[0-9]*\)".*/%define \1 \2/p' \
		$(B)/gen/asm_offsets.s > $@.tmp && mv $@.tmp $@

$(B)/gen/hv_offsets.inc: hv/hv_offsets.c hv/hv.h hv/vmx.h hv/vmcs_fields.def
	@mkdir -p $(@D)
	$(CC) $(HV_CFLAGS) -S -o $(B)/gen/hv_offsets.s $<
	sed -n 's/.*"->\([A-Za-z0-9_]*\) \$$\{0,1\}\(-\{0,1\}[0-9]*\)".*/%define \1 \2/p' \
		$(B)/gen/hv_offsets.s > $@.tmp && mv $@.tmp $@

# The AP start-up page both kernels share (shared/lib/ap_boot.h).
$(B)/gen/ap_boot.inc: boot/ap_boot_offsets.c shared/lib/ap_boot.h
	@mkdir -p $(@D)
	$(CC) $(KERNEL_CFLAGS) -S -o $(B)/gen/ap_boot.s $<
	sed -n 's/.*"->\([A-Za-z0-9_]*\) \$$\{0,1\}\(-\{0,1\}[0-9]*\)".*/%define \1 \2/p' \
		$(B)/gen/ap_boot.s > $@.tmp && mv $@.tmp $@
$(B)/hv/boot/ap_boot.o $(B)/guest/boot/ap_boot.o $(B)/direct/boot/ap_boot.o: $(B)/gen/ap_boot.inc

$(B)/hv/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(HV_CFLAGS) -c -o $@ $<
$(B)/hv/%.o: %.asm $(B)/gen/hv_offsets.inc
	@mkdir -p $(@D)
	$(NASM) $(NASMFLAGS) -MD $(@:.o=.d) -o $@ $<
$(B)/hv.elf: $(HV_OBJS) boot/kernel.ld
	$(LD) $(KERNEL_LDFLAGS) -T boot/kernel.ld -o $@ $(HV_OBJS)

$(B)/guest/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(GUEST_CFLAGS) -c -o $@ $<
$(B)/direct/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(GUEST_CFLAGS) -DPV_DIRECT -c -o $@ $<
$(B)/guest/%.o: %.asm $(B)/gen/asm_offsets.inc guest/pv_site.inc
	@mkdir -p $(@D)
	$(NASM) $(NASMFLAGS) -MD $(@:.o=.d) -o $@ $<
$(B)/direct/%.o: %.asm $(B)/gen/asm_offsets.inc guest/pv_site.inc
	@mkdir -p $(@D)
	$(NASM) $(NASMFLAGS) -DPV_DIRECT -MD $(@:.o=.d) -o $@ $<

$(B)/guest.elf: $(GUEST_OBJS) boot/kernel.ld
	$(LD) $(KERNEL_LDFLAGS) -T boot/kernel.ld -o $@ $(GUEST_OBJS)
$(B)/guest-direct.elf: $(DIRECT_OBJS) boot/kernel.ld
	$(LD) $(KERNEL_LDFLAGS) -T boot/kernel.ld -o $@ $(DIRECT_OBJS)

$(B)/%.asm: $(B)/%.elf
	$(OBJDUMP) -d -M intel --no-show-raw-insn -S $< > $@ 2>/dev/null || $(OBJDUMP) -d $< > $@
$(B)/%.map: $(B)/%.elf
	nm -n $< > $@

# ---- boot sector, test images ------------------------------------------------
$(B)/boot/%.bin: boot/%.asm $(wildcard boot/*.inc)
	@mkdir -p $(@D)
	$(NASM) -f bin -Iboot/ -o $@ $<
# Test kernels share tests/lib/ (COM1 output, the end of a run).
TEST_NASM := $(NASM) -f bin -Itests/lib/
$(B)/tests/%.bin: tests/%/*.asm tests/lib/com1.inc tests/lib/finish.inc
	@mkdir -p $(@D)
	$(TEST_NASM) -o $@ $<

$(B)/tests/mbprint-hang.bin: tests/mbprint/mbprint.asm tests/lib/com1.inc tests/lib/finish.inc
	@mkdir -p $(@D)
	$(TEST_NASM) -DHANG -o $@ $<
# The same image ending in an access the hypervisor must stop (STOP=...).
$(B)/tests/mmiomodes-%.bin: tests/mmiomodes/mmiomodes.asm tests/lib/com1.inc tests/lib/finish.inc
	@mkdir -p $(@D)
	$(TEST_NASM) -DSTOP=$* -o $@ $<
# Loaded at address A, below 1 MiB where a real-mode test kernel loads.
$(B)/tests/mbprint-at%.bin: tests/mbprint/mbprint.asm tests/lib/com1.inc tests/lib/finish.inc
	@mkdir -p $(@D)
	$(TEST_NASM) -DLOAD_ADDR=$* -o $@ $<
# Ending with status N: whose status it is must stay clear.
$(B)/tests/mbprint-fail%.bin: tests/mbprint/mbprint.asm tests/lib/com1.inc tests/lib/finish.inc
	@mkdir -p $(@D)
	$(TEST_NASM) -DFAIL=$* -o $@ $<

# ---- host tools ----------------------------------------------------------------
$(B)/tools/%: tools/%.c
	@mkdir -p $(@D)
	$(CC) -std=c11 -O2 -Wall -Wextra -Werror -Ishared -Itools -o $@ $<
$(B)/tools/abigen: shared/abi/abi.def shared/abi/hv_abi.h
$(B)/tools/benchtab $(B)/tools/report: tools/logline.h
$(B)/tools/ipxe_script: tools/ipxe_script.h

# The ABI's derived forms: the NASM include (built), docs/abi.md (kept in
# git and checked by tests/run against a fresh one).
$(B)/gen/hv_abi.inc: $(B)/tools/abigen
	@mkdir -p $(@D)
	$(B)/tools/abigen nasm > $@
abi-docs: $(B)/tools/abigen
	$(B)/tools/abigen md > docs/abi.md

# ---- host unit tests ---------------------------------------------------------
HOST_CFLAGS := -std=gnu11 -O1 -g -Wall -Wextra -Werror -Iguest -Ihv -Ishared/lib -Ishared -Itests/host \
	-fsanitize=address,undefined -fno-sanitize-recover=all
HOST_TESTS := $(B)/host/test_pv_patch $(B)/host/test_cmdline $(B)/host/test_multiboot \
	$(B)/host/test_ept $(B)/host/test_vmx_ctl $(B)/host/test_guest_load \
	$(B)/host/test_abi $(B)/host/test_bootcmd $(B)/host/test_hv_options \
	$(B)/host/test_ipxe_script $(B)/host/test_vcpu_rules \
	$(B)/host/test_mmio_decode $(B)/host/test_guest_paging $(B)/host/test_halt \
	$(B)/host/test_vlapic $(B)/host/test_acpi

$(B)/host/test_pv_patch: tests/host/test_pv_patch.c guest/pv_patch.c guest/pv_native.c \
	guest/pv_hv_tmpl.c shared/abi/hv_abi.h shared/abi/abi.def
$(B)/host/test_cmdline: tests/host/test_cmdline.c guest/cmdline.c shared/lib/bootcmd.c
$(B)/host/test_multiboot: tests/host/test_multiboot.c shared/lib/multiboot.c
$(B)/host/test_acpi: tests/host/test_acpi.c shared/lib/acpi.c shared/lib/acpi.h
$(B)/host/test_bootcmd: tests/host/test_bootcmd.c shared/lib/bootcmd.c shared/lib/bootcmd.h
$(B)/host/test_hv_options: tests/host/test_hv_options.c hv/options.c hv/options.h \
	shared/lib/bootcmd.c shared/lib/bootcmd.h
$(B)/host/test_ept: tests/host/test_ept.c hv/ept.c hv/ept.h hv/vmx.h
$(B)/host/test_abi: tests/host/test_abi.c shared/abi/abi.def shared/abi/hv_abi.h \
	$(B)/gen/hv_abi.inc
$(B)/host/test_vmx_ctl: tests/host/test_vmx_ctl.c hv/vmx_ctl.c hv/vmx.h
$(B)/host/test_halt: tests/host/test_halt.c hv/halt.c hv/halt.h
# The virtual local APIC's model (pure).
$(B)/host/test_vlapic: tests/host/test_vlapic.c hv/vlapic.c hv/vlapic.h
$(B)/host/test_guest_load: tests/host/test_guest_load.c hv/guest_load.c \
	shared/lib/multiboot.c hv/guest_load.h
# The exit handlers' rules, through a VMCS and CPU stand-in.
$(B)/host/test_vcpu_rules: tests/host/test_vcpu_rules.c tests/host/vmcs_stub.c \
	hv/vcpu.c hv/cr.c hv/cpuid.c hv/msr.c hv/vlapic.c
$(B)/host/test_vcpu_rules: HOST_CFLAGS += -DHV_HOST_TEST
$(B)/host/test_mmio_decode: tests/host/test_mmio_decode.c hv/mmio_decode.c hv/mmio_decode.h
$(B)/host/test_guest_paging: tests/host/test_guest_paging.c hv/guest_paging.c hv/guest_paging.h
$(B)/host/test_ipxe_script: tests/host/test_ipxe_script.c tools/ipxe_script.c tools/ipxe_script.h
$(B)/host/test_ipxe_script: HOST_CFLAGS += -Itools -DIPXE_SCRIPT_NO_MAIN
# Checkers of boot logs (tests/run runs them on a log).
HOST_CHECKS := $(B)/host/check_pv_report $(B)/host/check_bench_loops
$(B)/host/check_pv_report: tests/host/check_pv_report.c guest/pv_native.c \
	shared/abi/hv_abi.h shared/abi/abi.def
$(B)/host/check_bench_loops: tests/host/check_bench_loops.c
# Each test also depends on every header its sources include (written to
# $@.d by a -MM pass: one link of several sources cannot use -MMD).
$(HOST_TESTS) $(HOST_CHECKS): tests/host/check.h tests/host/disasm.h guest/pv_ops.h guest/pv_patch.h
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -MM -MP -MT $@ $(filter %.c,$^) > $@.d
	$(CC) $(HOST_CFLAGS) -o $@ $(filter %.c,$^)

# ---- libFuzzer targets (clang, ASan + UBSan) ---------------------------------
# Every tests/fuzz/fuzz_NAME.c is a target, built as build/fuzz/fuzz_NAME
# from itself and the real sources its FUZZ_SRC_fuzz_NAME line names (one
# line per target, here); FUZZ_SEED_fuzz_NAME lists files that start its
# corpus (build/fuzz/seed/fuzz_NAME/). tests/fuzz/run runs them: make fuzz
# for FUZZ_SECONDS each, make test (tests/parts/fuzz.sh) for a few.
FUZZ_CC      := clang
FUZZ_SECONDS ?= 60
FUZZ_CFLAGS  := -std=gnu11 -O1 -g -Wall -Wextra -Werror -Iguest -Ihv -Ishared/lib -Ishared \
	-Itests/host -Itests/fuzz -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
FUZZ_NAMES   := $(patsubst tests/fuzz/%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BINS    := $(FUZZ_NAMES:%=$(B)/fuzz/%)

FUZZ_SRC_fuzz_bootcmd     := shared/lib/bootcmd.c
FUZZ_SRC_fuzz_cmdline     := guest/cmdline.c shared/lib/bootcmd.c
FUZZ_SRC_fuzz_hv_options  := hv/options.c shared/lib/bootcmd.c
FUZZ_SRC_fuzz_multiboot   := shared/lib/multiboot.c
FUZZ_SRC_fuzz_guest_load  := hv/guest_load.c shared/lib/multiboot.c
FUZZ_SRC_fuzz_mmio_decode := hv/mmio_decode.c
FUZZ_SRC_fuzz_acpi        := shared/lib/acpi.c
FUZZ_SEED_fuzz_guest_load := $(B)/tests/mbprint.bin $(B)/fuzz/guest-stripped.elf

$(B)/fuzz/guest-stripped.elf: $(B)/guest.elf
	@mkdir -p $(@D)
	objcopy --strip-all $< $@

# One rule per target: its sources and seeds are its prerequisites; the
# headers they include come from a -MM pass into $@.d, as for host tests.
define fuzz_target
$(B)/fuzz/$(1): tests/fuzz/$(1).c $(FUZZ_SRC_$(1)) tests/fuzz/fuzz.h $(FUZZ_SEED_$(1))
	@mkdir -p $$(@D) $(B)/fuzz/seed/$(1)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -MM -MP -MT $$@ $$(filter %.c,$$^) > $$@.d
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $$@ $$(filter %.c,$$^)
	$(if $(FUZZ_SEED_$(1)),cp $(FUZZ_SEED_$(1)) $(B)/fuzz/seed/$(1)/)
endef
$(foreach t,$(FUZZ_NAMES),$(eval $(call fuzz_target,$(t))))

fuzz-build: $(FUZZ_BINS)

# ---- the jobs ------------------------------------------------------------------
deps-build:
	@tools/deps build
deps-%:
	@tools/deps $*

run: deps-run
	$(MAKE) all
	tools/compare

test: deps-test
	$(MAKE) all $(HOST_TESTS) $(HOST_CHECKS) fuzz-build
	tests/run

fuzz: deps-fuzz
	$(MAKE) all fuzz-build
	tests/fuzz/run -t $(FUZZ_SECONDS) $(FUZZ_NAMES)

bench: deps-bench
	$(MAKE) all
	tools/bench

# The nested stack (tools/nested): downloads Debian's kernel package once.
nested: deps-nested
	tools/nested stack

test-nested: deps-nested
	$(MAKE) all
	NESTED_TESTS=all sh tests/parts/nested.sh

# ---- what to boot from a stick or the network -------------------------------
MODE       ?= hosted
HV_ARGS    ?=
GUEST_ARGS ?=
# A variable's text as one shell word, as written: make expands nothing in
# it ($(value)), the shell nothing either (single quotes; ' as '\'').
# Kept out of the recipes' environment, where make would expand them.
sh_word = '$(subst ','\'',$(value $(1)))'
unexport MODE HV_ARGS GUEST_ARGS

# ---- iso: GRUB 2 for BIOS machines; tools/mkiso says how to write a stick ---
ISO := $(B)/minivmx.iso
iso: deps-iso $(B)/hv.elf $(B)/guest.elf
	tools/mkiso --mode $(call sh_word,MODE) --hv $(B)/hv.elf --guest $(B)/guest.elf \
		--hv-args $(call sh_word,HV_ARGS) --guest-args $(call sh_word,GUEST_ARGS) \
		-o $(ISO)
	@echo "iso: $(ISO) (qemu-system-x86_64 -cdrom $(ISO); to a USB stick: dd if=$(ISO) of=/dev/sdX bs=4M conv=fsync)"

# ---- netboot: a directory a TFTP or HTTP server can serve as it is ---------
# boot.ipxe, the boot file, comes from tools/ipxe_script: it sets MODE,
# HV_ARGS and GUEST_ARGS so that iPXE hands them over as written (or says
# why it cannot), then chains netboot.ipxe.
NETBOOT := $(B)/netboot
netboot: $(B)/hv.elf $(B)/guest.elf $(B)/tools/ipxe_script boot/netboot.ipxe boot/netboot_fail.asm
	@mkdir -p $(NETBOOT)
	$(B)/tools/ipxe_script --mode $(call sh_word,MODE) --hv-args $(call sh_word,HV_ARGS) \
		--guest-args $(call sh_word,GUEST_ARGS) -o $(NETBOOT)/boot.ipxe
	objcopy --strip-debug $(B)/hv.elf $(NETBOOT)/hv.elf
	objcopy --strip-debug $(B)/guest.elf $(NETBOOT)/guest.elf
	cp boot/netboot.ipxe $(NETBOOT)/
	$(NASM) -f bin -o $(NETBOOT)/netboot-fail.bin boot/netboot_fail.asm
	if [ -r /usr/lib/ipxe/undionly.kpxe ]; then cp /usr/lib/ipxe/undionly.kpxe $(NETBOOT)/; fi
	@echo "netboot: serve $(NETBOOT)/ (boot file: boot.ipxe; undionly.kpxe for PXE firmware)"

clean:
	rm -rf $(B)

# The targets a newcomer looks for, and the switches they take.
help:
	@echo 'make            build everything into build/ (images, disassembly, symbol maps, tools)'
	@echo 'make run        the main job: native vs hosted-pv vs hosted-trap, op by op (build/report/)'
	@echo 'make test       host unit tests and boot tests; ends "N passed, N failed, N skipped"'
	@echo 'make bench      benchmark targets (exact instruction counts in Bochs; KVM cycles on hardware KVM)'
	@echo 'make fuzz       the libFuzzer targets in tests/fuzz/, FUZZ_SECONDS=N each (default 60)'
	@echo 'make nested     build/nested/: Linux with KVM and QEMU for Bochs (tools/run --emu nested)'
	@echo 'make test-nested  every nested test (QEMU/KVM inside Linux inside Bochs), minutes'
	@echo 'make netboot    build/netboot/: what a TFTP or HTTP server serves to iPXE'
	@echo 'make iso        build/minivmx.iso: GRUB 2 for a CD or USB stick (BIOS)'
	@echo 'make clean      remove build/'
	@echo 'make help       this text'
	@echo
	@echo 'MODE=hosted|native HV_ARGS="..." GUEST_ARGS="..."  what netboot and iso boot'
	@echo 'KVM=0           leave KVM out of run, test and bench (tools/run --host-kvm says what the host has)'
	@echo 'tools/run --help  boot one image (native or hosted) in QEMU or Bochs and judge it'

.PHONY: all run test bench clean help deps-build abi-docs netboot iso fuzz fuzz-build \
	nested test-nested
-include $(GUEST_OBJS:.o=.d) $(DIRECT_OBJS:.o=.d) $(HV_OBJS:.o=.d) \
	$(HOST_TESTS:=.d) $(HOST_CHECKS:=.d) $(FUZZ_BINS:=.d)
