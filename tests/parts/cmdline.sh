# tests/parts/cmdline.sh - boot tests of command lines: where options begin
# (shared/lib/bootcmd.h) and limits that are errors, never silent cuts.
#
# Sourced by tests/run, whose boot_test, ok, bad and $LOGDIR it uses; runs
# on the build host from the repository root, POSIX sh.
# SPDX-License-Identifier: MIT
# shellcheck shell=sh

# ---- longer than a kernel keeps (511 bytes): refused with both numbers ----
# 600 bytes of arguments; tools/run puts the image path and a blank first.
cmdline_long=$(printf 'pv=native %.0s' $(seq 60))
cmdline_len() { # the whole line's length for image path $1
	echo $((${#1} + 1 + ${#cmdline_long}))
}
for emu in tcg bochs; do
	boot_test "$emu-cmdline-too-long" fail \
		"^cmdline: error: the command line is too long: $(cmdline_len build/guest.elf) bytes, at most 511$" \
		'!^guest: cmdline' '^exit: status=2$' -- --emu $emu native "$cmdline_long"
done
# Hosted, the hypervisor copies the guest's line into the guest's info
# block and refuses it first (QEMU -initrd's module form, then Bochs's).
for emu in tcg bochs; do
	boot_test "$emu-hosted-guest-cmdline-too-long" fail \
		"^hv: error: bad Multiboot information: module 0 command line is too long: $(cmdline_len build/guest.elf) bytes, at most 511$" \
		'!^guest:' '^exit: status=123 \(hypervisor: bad boot\)$' -- --emu $emu hosted "$cmdline_long"
done
# (A watchdog= of the test's own: tools/run adds none, the length is known.)
boot_test bochs-hosted-hv-cmdline-too-long fail \
	"^hv: error: bad Multiboot information: the command line is too long: $(cmdline_len 'build/hv.elf watchdog=1') bytes, at most 511$" \
	'!^guest:' '^exit: status=123 \(hypervisor: bad boot\)$' -- --emu bochs --hv-args "watchdog=1 $cmdline_long" hosted

# ---- numbers past their limit, sizes against their rule ----
boot_test bochs-hosted-mem-overflow fail \
	"^hv: error: bad option: mem= takes at most 18446744073709551615, got '18446744073776660480'$" \
	'!^hv: guest: RAM' '^exit: status=123 \(hypervisor: bad boot\)$' \
	-- --emu bochs --hv-args mem=18446744073776660480 hosted
boot_test bochs-hosted-mem-not-2m fail \
	"^hv: error: bad option: mem= takes a whole multiple of 2M \(2097152 bytes\), got '3M'$" \
	'!^hv: guest: RAM' '^exit: status=123 \(hypervisor: bad boot\)$' -- --emu bochs --hv-args mem=3M hosted
boot_test bochs-hosted-abi-overflow fail \
	"^hv: error: bad option: abi= takes MAJOR.MINOR, each at most 65535, got '4294967297.0'$" \
	'!^hv: claiming' '^exit: status=123 \(hypervisor: bad boot\)$' -- --emu bochs --hv-args abi=4294967297.0 hosted
boot_test tcg-bench-iters-overflow fail \
	"^cmdline: error: bad option: bench.iters= takes 1..100000000, got '18446744073709551623'$" \
	'^exit: status=2$' -- --emu tcg native bench=all bench.iters=18446744073709551623

# ---- the whole line handed on, and no path first (GRUB 2's module form) ----
boot_test bochs-hosted-guest-line-whole pass \
	"^hv: guest: cmdline 'build/guest.elf pv.report tests=irq'$" \
	"^guest: cmdline 'build/guest.elf pv.report tests=irq'$" '^pv\.site: op=' \
	'^selftest: summary passed=1 failed=0 skipped=0$' '^exit: status=0$' \
	-- --emu bochs hosted pv.report tests=irq

# tools/run's lines start with the image path as given, so images whose
# paths are "hv.elf" (a bare file name) and "pv.report" (a bare option
# word of the guest's), run from their own directory, make the lines
# "hv.elf mem=64M" and "pv.report tests=irq": the hypervisor must take
# hv.elf for its image and still see mem=, and hand pv.report on, where
# the guest must take it for the option it is.
cmdline_root=$PWD
cmdline_grub=$LOGDIR/grub-form
mkdir -p "$cmdline_grub"
cp build/hv.elf "$cmdline_grub/hv.elf"
cp build/guest.elf "$cmdline_grub/pv.report"
cmdline_no_path() { # NAME EMU MODE PATTERN...
	name=$1 emu=$2 mode=$3 log=$cmdline_root/$LOGDIR/$1.log
	shift 3
	rc=0
	(cd "$cmdline_grub" && "$cmdline_root/tools/run" --emu "$emu" --log "$log" \
		--hv hv.elf --guest pv.report --hv-args mem=64M "$mode" tests=irq) \
		> /dev/null 2> "$log.stderr" || rc=$?
	if [ "$rc" != 0 ]; then
		bad "$name" "run failed ($rc): $(grep 'tools/run:' "$log.stderr" | head -1)"
		return
	fi
	for pat in "$@" '^pv\.site: op=' '^selftest: summary passed=1 failed=0 skipped=0$'; do
		if ! grep -qE -- "$pat" "$log"; then
			bad "$name" "log $log lacks /$pat/"; return
		fi
	done
	ok "$name"
}
cmdline_no_path tcg-guest-option-first tcg native "^guest: cmdline 'pv.report tests=irq'$"
cmdline_no_path bochs-hosted-option-first bochs hosted \
	"^hv: cmdline 'hv.elf mem=64M watchdog=[0-9]+', " '^hv: guest: RAM 64 MiB ' \
	"^hv: guest: cmdline 'pv.report tests=irq'$" "^guest: cmdline 'pv.report tests=irq'$"
