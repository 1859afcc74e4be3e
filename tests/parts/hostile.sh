# tests/parts/hostile.sh - the guest attacks the hypervisor's rules.
#
# Sourced by tests/run. guest/hostile.c writes MSRs (SYSCALL MSRs, MTRRs,
# the TSC, the microcode trigger, Intel PT), XCR0 values a CPU refuses
# (0x27, 0x67, 0xE3), CR0/CR4 values a CPU refuses, arms a hardware
# breakpoint across exits, checks the RFLAGS of an injected fault and
# makes a hypercall from ring 1 with a null SS, and single-steps
# instructions the hypervisor completes (CPUID, an absent-MMIO load). The
# same tests pass bare (transparency: same results where the CPU's rule is
# the same), and hosted the hypervisor's audit must find root mode as at
# boot: no guest value left live there. On each CPU model with VMX. (Bare
# runs are Bochs's: QEMU's TCG does not apply CR0's rules, e.g. it takes
# PG=0 in 64-bit mode and the guest is lost.)
# SPDX-License-Identifier: MIT

HOSTILE=hostile.msr,hostile.xcr0,hostile.cr,hostile.dr7,hostile.rf,hostile.ring1,hostile.tf
AUDIT='^hv: audit: root mode as at boot: [0-9]+ registers a guest could reach$'
for cpu in tigerlake corei7_skylake_x corei7_sandy_bridge_2600k; do
	boot_test "bochs-hosted-hostile-$cpu" pass @selftests:hosted "$AUDIT" '!hv: audit: FAIL' \
		'^hv: guest ended with status 0 ' "$EXIT0" \
		-- --emu bochs --cpu $cpu hosted tests=$HOSTILE
done
boot_test bochs-native-hostile pass @selftests:native "$EXIT0" \
	-- --emu bochs native tests=$HOSTILE

# The IDT in absent MMIO, then an interrupt: the delivery's read is no
# instruction's; the hypervisor stops the guest saying what it was doing.
boot_test bochs-hosted-hostile-idt-in-mmio fail \
	'^hv: guest stopped: absent MMIO at gpa 0x0*c0000400: touched while delivering vector 64 \(the IDT, GDT, TSS or stack is not RAM\), at rip 0x[0-9a-f]+$' \
	'!selftest: hostile.idt \.\.\. ok' -- --emu bochs --timeout 20 hosted tests=hostile.idt

# A 2-CPU machine: a vCPU on each, the guest's self-tests on both.
boot_test bochs-hosted-2cpus pass @selftests:hosted "$AUDIT" '^hv: guest ended with status 0 ' \
	-- --emu bochs --cpus 2 hosted
