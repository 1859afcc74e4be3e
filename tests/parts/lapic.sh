# tests/parts/lapic.sh - the local APIC is transparent: the guest's lapic.*
# self-tests (guest/lapic_test.c) print the same "lapic: " lines bare and
# under the hypervisor, on each CPU model.
#
# Per model, three boots bare and the same three hosted: lapic.x2apic and
# lapic.gp each need a boot of their own, since on Bochs leaving x2APIC
# mode loses the APIC for the rest of the run (lapic_test.c says why).
# Both runs of a boot must pass, hosted without a skip (the hypervisor's
# APIC must come back where Bochs's does not), and their "lapic: " lines
# must be identical; a difference is printed as a diff, bare against
# hosted. Sourced by tests/run, whose ok, bad, run_reason and $LOGDIR it
# uses; runs on the build host from the repository root, POSIX sh.
# SPDX-License-Identifier: MIT
# shellcheck shell=sh

LAPIC_BOOTS='lapic.xapic,lapic.timer,lapic.tpr,lapic.ipi,lapic.storm lapic.x2apic lapic.gp'

# lapic_run CPU MODE TESTS LOG: 0 when the run passed and each test said
# ok (or, bare, skipped); else 1 with the reason in $lapic_why.
lapic_run() {
	lapic_rc=0
	tools/run --emu bochs --cpu "$1" --timeout 30 --log "$4" "$2" tests="$3" \
		> /dev/null 2> "$4.stderr" || lapic_rc=$?
	if [ "$lapic_rc" != 0 ]; then
		lapic_why="$2 tests=$3: run failed ($lapic_rc): $(run_reason "$4.stderr")"; return 1
	fi
	for lapic_t in $(echo "$3" | tr , ' '); do
		lapic_re="^selftest: $(echo "$lapic_t" | sed 's/\./\\./g') \.\.\. "
		if [ "$2" = hosted ] && grep -qaE "${lapic_re}skipped: " "$4"; then
			lapic_why="hosted, $(grep -aE -m1 "$lapic_re" "$4")"; return 1
		fi
		if ! grep -qaE "${lapic_re}(ok|skipped: )" "$4"; then
			lapic_why="$2: no verdict of $lapic_t in $4"; return 1
		fi
	done
}

# lapic_transparent NAME CPU: every boot, bare and hosted; one verdict,
# with every reason and every diff.
lapic_transparent() {
	lapic_boot=0 lapic_fails='' lapic_diffs=''
	for lapic_tests in $LAPIC_BOOTS; do
		lapic_boot=$((lapic_boot + 1))
		lapic_log=$LOGDIR/$1-$lapic_boot
		for lapic_mode in native hosted; do
			lapic_run "$2" $lapic_mode "$lapic_tests" "$lapic_log-$lapic_mode.log" ||
				lapic_fails="$lapic_fails${lapic_fails:+; }$lapic_why"
			grep -aE '^lapic: [a-z0-9]+: ' "$lapic_log-$lapic_mode.log" \
				> "$lapic_log-$lapic_mode.lapic"
		done
		if ! diff -u --label "bare tests=$lapic_tests" --label hosted \
			"$lapic_log-native.lapic" "$lapic_log-hosted.lapic" > "$lapic_log.diff"; then
			lapic_fails="$lapic_fails${lapic_fails:+; }tests=$lapic_tests: the lapic lines differ"
			lapic_diffs="$lapic_diffs $lapic_log.diff"
		fi
	done
	if [ -z "$lapic_fails" ]; then
		ok "$1"
		return
	fi
	bad "$1" "$lapic_fails"
	for lapic_d in $lapic_diffs; do
		sed 's/^/    /' "$lapic_d"
	done
}

for cpu in tigerlake corei7_skylake_x corei7_sandy_bridge_2600k; do
	lapic_transparent "bochs-lapic-transparent-$cpu" $cpu
done
