# tests/parts/ipi.sh - a guest's IPIs on a 2-CPU machine: none may reach
# the CPU that is not the guest's, or take the guest's own into SMM.
#
# guest/hostile.c sends through its xAPIC alias: INIT (after the INIT level
# de-assert, which must stop nothing), a start-up IPI (vector 0x07) and an
# NMI, each to all-excluding-self, and an SMI to its own APIC ID; and, in
# hostile.ipi, fixed IPIs to APIC ID 1 and to all-excluding-self, which
# must be dropped, and a fixed self-IPI, which must arrive once. Hosted,
# the hypervisor decodes each ICR write (hv/vlapic.c, vlapic_ipi_verdict):
# the first four stop the guest with a line that names the IPI ("hv: guest
# stopped: local APIC: guest sent an INIT IPI (...), at rip 0x..."), and
# its report counts the IPIs it delivered and dropped ("hv: stats: apic
# ... ipi_sent=N ipi_dropped=N", then the last drop's reason).
#
# The hypervisor's word is half of the proof; the other half is Bochs's own
# log (LOG.bochs), which no guest writes. Its APICs log each INIT,
# start-up, NMI and SMI they receive, and its CPUs what they make of it
# (measured bare, 2 CPUs, tigerlake):
#   [APIC1 ] Deliver INIT IPI
#   [CPU1  ] CPU[1] is an application processor. Halting until SIPI.
#   [APIC1 ] Deliver Start Up IPI
#   [CPU1  ] CPU 1 started up at 0700:00000000 by APIC
#   [APIC1 ] Deliver NMI
#   [APIC0 ] Deliver SMI
#   [CPU0  ] Enter to System Management Mode
# Bochs's BIOS wakes CPU 1 itself (INIT and SIPI, to count the CPUs), parks
# it halted in real mode at 9f00:0048, and enters SMM once: only what Bochs
# logs between the boot sector's start ("Booting from 0000:7c00") and the
# end-of-run dump counts. There, hosted, no line may come from CPU 1 or its
# APIC, no APIC may be handed an INIT, start-up, NMI or SMI, no CPU may
# enter SMM; and the dump must show CPU 1 where the BIOS parked it. The
# same tests run bare show that each of those lines does appear when an
# IPI gets through. Fixed IPIs Bochs logs at debug level only: for them
# the guest's own count is the evidence.
#
# Sourced by tests/run: uses its ok, bad, boot_test, hv_test and $LOGDIR.
# POSIX sh, on the build host, from the repository root.
# SPDX-License-Identifier: MIT
# shellcheck shell=sh

IPI_AUDIT='^hv: audit: root mode as at boot: [0-9]+ registers a guest could reach$'
IPI_STOPPED='^exit: status=120 \(hypervisor: guest stopped\)$'
CPU1_PARKED='real mode (halted) 9f00:00000048'      # the BIOS's AP loop

# What Bochs logged while the guest ran: from the boot sector's start to
# the end-of-run dump's first line, the timestamps left off.
bochs_while_running() { # bochs_while_running LOG.bochs
	sed -n '/i\[BIOS  \] Booting from /,/i\[CPU0  \] CPU is in /{s/^[0-9]*[a-z]\[/[/;p;}' "$1"
}

# Where Bochs's end-of-run dump shows CPU 1: "MODE (STATE) CS:EIP".
bochs_cpu1_at() { # bochs_cpu1_at LOG.bochs
	awk '/i\[CPU1  \] CPU is in / { st = $0; sub(/.*CPU is in /, "", st) }
	     /i\[CPU1  \] \|  CS:/ { cs = $0; sub(/.*CS:/, "", cs); cs = substr(cs, 1, 4) }
	     /i\[CPU1  \] \| EIP=/ { ip = $0; sub(/.*EIP=/, "", ip); ip = substr(ip, 1, 8) }
	     END { print st " " cs ":" ip }' "$1"
}

# cpu1_never_reached NAME LOG: by Bochs's log of the hosted run LOG, no IPI
# of the guest's reached CPU 1 or took CPU 0 into SMM.
cpu1_never_reached() {
	name=$1 blog=$2.bochs
	run=$(bochs_while_running "$blog")
	case $run in
	*"CPU is in "*) ;;
	*) bad "$name" "$blog has no run from the boot sector to the end-of-run dump"; return ;;
	esac
	line=$(printf '%s\n' "$run" | grep -aE -m 1 '^\[(CPU1  |APIC1 )\]')
	if [ -n "$line" ]; then
		bad "$name" "CPU 1, which is not the guest's, was reached while the guest ran: Bochs logged '$line' ($blog)"
		return
	fi
	line=$(printf '%s\n' "$run" | grep -aE -m 1 'Deliver (INIT IPI|Start Up IPI|NMI|SMI)$|Enter to System Management Mode')
	if [ -n "$line" ]; then
		bad "$name" "an IPI the guest may not send reached the machine's APICs: Bochs logged '$line' ($blog)"
		return
	fi
	at=$(bochs_cpu1_at "$blog")
	if [ "$at" != "$CPU1_PARKED" ]; then
		bad "$name" "CPU 1 ended at '$at', not where the BIOS parked it ('$CPU1_PARKED'): it ran ($blog)"
		return
	fi
	ok "$name"
}

# bochs_logged NAME LOG PATTERN...: each PATTERN matches a line Bochs logged
# while the guest of LOG ran; "at:WHERE", CPU 1's place in the dump.
bochs_logged() {
	name=$1 blog=$2.bochs
	shift 2
	run=$(bochs_while_running "$blog")
	for pat in "$@"; do
		case $pat in
		at:*) at=$(bochs_cpu1_at "$blog")
		      [ "$at" = "${pat#at:}" ] && continue
		      bad "$name" "CPU 1 ended at '$at', not '${pat#at:}' ($blog)"; return ;;
		esac
		printf '%s\n' "$run" | grep -qaE -- "$pat" && continue
		bad "$name" "Bochs logged no /$pat/ while the guest ran ($blog): the hosted check that CPU 1 is never reached would miss this IPI too"
		return
	done
	ok "$name"
}

# ---- bare: each IPI does what it asks, and Bochs's log shows it -------------
# (hostile.sipi parks CPU 1 at 0x7000, where vector 0x07 starts it.)
name=bochs-native-2cpus-ipis-reach-cpu1
boot_test $name fail '^selftest: hostile\.init: the guest goes on after the INIT de-assert$' \
	'^selftest: hostile\.init \.\.\. FAIL: the guest went on after INIT ' \
	'^selftest: hostile\.sipi \.\.\. FAIL: the guest went on after start-up IPI' \
	'^selftest: hostile\.nmi \.\.\. FAIL: the guest went on after NMI ' \
	'^selftest: hostile\.smi \.\.\. FAIL: the guest went on after SMI ' \
	-- --emu bochs --cpus 2 --timeout 20 native tests=hostile.init,hostile.sipi,hostile.nmi,hostile.smi
bochs_logged $name-bochs-log "$LOGDIR/$name.log" \
	'^\[APIC1 \] Deliver INIT IPI$' \
	'^\[CPU1  \] CPU\[1\] is an application processor\. Halting until SIPI\.$' \
	'^\[APIC1 \] Deliver Start Up IPI$' \
	'^\[CPU1  \] CPU 1 started up at 0700:00000000 by APIC$' \
	'^\[APIC1 \] Deliver NMI$' '^\[APIC0 \] Deliver SMI$' \
	'^\[CPU0  \] Enter to System Management Mode$' 'at:real mode (halted) 0700:00000001'
boot_test bochs-native-2cpus-hostile-ipi pass '^selftest: hostile\.ipi \.\.\. ok$' '^exit: status=0$' \
	-- --emu bochs --cpus 2 --timeout 20 native tests=hostile.ipi

# ---- hosted: the hypervisor stops the guest, and CPU 1 never moves ----------
# cpus=1: the hypervisor gives the guest CPU 0 alone; CPU 1 is no one's.
# ipi_stop_test NAME CPU-MODEL TEST KIND [PATTERN...]: hosted, TEST stops
# the guest with the hypervisor's line naming KIND; the audit is clean;
# the guest printed what it sent and never came back to say more.
ipi_stop_test() {
	n=$1 model=$2 t=$3 kind=$4
	shift 4
	hv_test "$n" fail "$IPI_STOPPED" \
		"^hv: guest stopped: local APIC: guest sent an? $kind IPI \\(.*\\), at rip 0x[0-9a-f]+\$" \
		"$IPI_AUDIT" '!hv: audit: FAIL' "com1:^selftest: $t: sending " \
		"com1:!^selftest: $t \.\.\. " "$@" \
		-- --emu bochs --cpu "$model" --cpus 2 --timeout 20 --hv-args cpus=1 hosted "tests=$t"
	cpu1_never_reached "$n-cpu1-never-reached" "$LOGDIR/$n.log"
}
ipi_stop_test bochs-hosted-2cpus-ipi-init tigerlake hostile.init INIT \
	'com1:^selftest: hostile\.init: the guest goes on after the INIT de-assert$' \
	'com1:^selftest: hostile\.init: sending INIT \(assert\) ' \
	'^hv: stats: apic .* ipi_sent=0 ipi_dropped=1 ' \
	'^hv: stats: apic last dropped IPI: INIT level de-assert IPI '
ipi_stop_test bochs-hosted-2cpus-ipi-sipi tigerlake hostile.sipi start-up
ipi_stop_test bochs-hosted-2cpus-ipi-nmi tigerlake hostile.nmi NMI
ipi_stop_test bochs-hosted-2cpus-ipi-smi tigerlake hostile.smi SMI
ipi_stop_test bochs-hosted-2cpus-ipi-sipi-skylake corei7_skylake_x hostile.sipi start-up

# Fixed IPIs to APIC ID 1 and to all-excluding-self dropped and counted,
# the self-IPI delivered once: a pass.
name=bochs-hosted-2cpus-hostile-ipi
hv_test $name pass "^exit: status=0 \\(the guest's\\)$" "$IPI_AUDIT" '!hv: audit: FAIL' \
	'^hv: guest ended with status 0 ' 'com1:^selftest: hostile\.ipi \.\.\. ok$' \
	'^hv: stats: apic .* ipi_sent=1 ipi_dropped=2 ' \
	'^hv: stats: apic last dropped IPI: IPI to all-excluding-self ' \
	-- --emu bochs --cpus 2 --timeout 20 --hv-args cpus=1 hosted tests=hostile.ipi
cpu1_never_reached $name-cpu1-never-reached "$LOGDIR/$name.log"

# cpus=2 on a 4-CPU machine: an INIT to APIC ID 2, the machine's CPU that
# is not the guest's, stops the guest, and CPU 2 never hears of it (the
# hypervisor's own INIT and start-up IPIs to CPU 1 are in Bochs's log).
name=bochs-hosted-4cpus-ipi-init-other
hv_test $name fail "$IPI_STOPPED" \
	'^hv: smp: the firmware lists 4 CPUs \(ACPI MADT at 0x[0-9a-f]+\); the guest gets 2 \(cpus=\)$' \
	'^hv: guest stopped: local APIC: guest sent an INIT IPI \(to none of its CPUs\), at rip 0x[0-9a-f]+$' \
	'^hv: smp: cpu=0 apic-id=0 running at rip 0x[0-9a-f]+ rflags 0x[0-9a-f]+ exits=[0-9]+, stopped first: local APIC: guest sent an INIT IPI ' \
	'^hv: smp: cpu=1 apic-id=1 (halted|running) at rip ' \
	'com1:^selftest: hostile\.init_other: sending INIT \(assert\) to APIC ID 2, not in the MADT$' \
	-- --emu bochs --cpus 4 --timeout 30 --hv-args cpus=2 hosted tests=hostile.init_other
run=$(bochs_while_running "$LOGDIR/$name.log.bochs")
line=$(printf '%s\n' "$run" | grep -aE -m 1 '^\[(CPU2  |APIC2 )\]')
case $run in
*"CPU is in "*) if [ -n "$line" ]; then bad "$name-cpu2-never-reached" "Bochs logged '$line'"
		else ok "$name-cpu2-never-reached"; fi ;;
*) bad "$name-cpu2-never-reached" "$LOGDIR/$name.log.bochs has no run to the end-of-run dump" ;;
esac
