# tests/parts/mmio.sh - boot tests of absent MMIO (hv/mmio.c): loads read
# all ones into exactly the register bits the SDM says, stores vanish, in
# 32-bit code (no paging, 32-bit paging, PAE), 16-bit protected mode and
# real mode; LOCK and over-long moves get the CPU's faults; what cannot be
# decoded or read stops the guest with a reason that names the bytes.
#
# The test kernel is tests/mmiomodes/mmiomodes.asm (see its header); the
# 64-bit guest's own "mmio" self-test runs in the suite's hosted runs.
# Sourced by tests/run, whose boot_test, ok, bad and $LOGDIR it uses; runs
# on the build host from the repository root, POSIX sh.
# SPDX-License-Identifier: MIT
# shellcheck shell=sh

MMIO_STOPPED='^exit: status=120 \(hypervisor: guest stopped\)$'
MMIO_PARTS='^mmiomodes: now an access the hypervisor must stop$'

# 41 checks: 13 in flat 32-bit code, the cross-page load under 32-bit and
# PAE paging, 4 from the stale-TLB faults, 15 in 16-bit protected mode,
# 7 in real mode; 46 completed accesses (48 EPT violations less the two
# that got #UD and #GP).
boot_test bochs-hosted-mmio-modes pass '^mmiomodes: 16-bit protected mode, real mode$' \
	'^mmiomodes: checks=41 fails=0$' '^hv: stats: absent mmio accesses=46$' \
	'^hv: stats: exit reason=48 name=EPT_VIOLATION count=48( |$)' '!^hv: guest stopped' \
	'^exit: status=0$' -- --emu bochs --guest build/tests/mmiomodes.bin hosted

# add [0xe0000000], eax: a read-modify-write, no move; the 15 bytes read.
boot_test bochs-hosted-mmio-unknown-stopped fail "$MMIO_PARTS" \
	'^hv: guest stopped: absent MMIO at gpa 0xe0000000: cannot decode instruction 01 05 00 00 00 e0( [0-9a-f]{2}){9} at rip 0x[0-9a-f]+$' \
	'!^mmiomodes: checks=' "$MMIO_STOPPED" \
	-- --emu bochs --guest build/tests/mmiomodes-unknown.bin hosted

# The CPU ran a load (a1) through a stale TLB entry; the page tables now
# show a store (a3) there: the two disagree, and the guest is stopped.
boot_test bochs-hosted-mmio-stale-store-stopped fail "$MMIO_PARTS" \
	'^hv: guest stopped: absent MMIO at gpa 0xe0000070: instruction a3 70 00 00 e0 at rip 0x40000800 stores, but the CPU reported a read$' \
	'!^mmiomodes: checks=' "$MMIO_STOPPED" \
	-- --emu bochs --guest build/tests/mmiomodes-store.bin hosted

# An instruction across two pages, the second no longer mapped.
boot_test bochs-hosted-mmio-unreadable-stopped fail "$MMIO_PARTS" \
	'^hv: guest stopped: absent MMIO at gpa 0xe0000060: cannot read the instruction at rip 0x40000ffe: linear 0x40001000 is not mapped by the guest.s page tables \(bytes: a1 60\)$' \
	'!^mmiomodes: checks=' "$MMIO_STOPPED" \
	-- --emu bochs --guest build/tests/mmiomodes-unreadable.bin hosted
