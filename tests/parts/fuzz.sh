# tests/parts/fuzz.sh - fuzzing in the suite: each libFuzzer target in
# tests/fuzz/ for a few seconds, and the guest's hypercall fuzzer on the
# hypervisor.
#
# Sourced by tests/run, whose boot_test, ok, bad and $LOGDIR it uses; runs
# on the build host from the repository root, POSIX sh. make test builds
# the targets (build/fuzz/fuzz_NAME, with clang: tools/deps test installs
# it); one that is not built fails here, it is not skipped.
# SPDX-License-Identifier: MIT
# shellcheck shell=sh

# ---- libFuzzer targets: FUZZ_TEST_SECONDS each (make fuzz runs longer) ----
# Each is one test: it passes when it ran and nothing broke, and fails
# with the reproducer's path when an input crashed it or broke one of its
# invariants. The corpus carries over from earlier runs (build/fuzz/corpus/).
fuzz_seconds=${FUZZ_TEST_SECONDS:-3}
for fuzz_src in tests/fuzz/fuzz_*.c; do
	[ -f "$fuzz_src" ] || continue
	fuzz_name=$(basename "$fuzz_src" .c)
	fuzz_line=$(tests/fuzz/run -t "$fuzz_seconds" "$fuzz_name")
	echo "$fuzz_line"
	case $fuzz_line in
	"fuzz: $fuzz_name ok: "[1-9]*) ok "$fuzz_name" ;;
	*) bad "$fuzz_name" "${fuzz_line:+${fuzz_line#"fuzz: $fuzz_name "}}${fuzz_line:-tests/fuzz/run said nothing}" ;;
	esac
done

# ---- the guest's hypercall fuzzer on the hypervisor (guest/hcfuzz.c) ------
# 100,000 hypercalls with hostile numbers, arguments and registers: every
# result as the ABI says, no register but RAX changed, and the hypervisor
# still standing to count them (about 4 s of Bochs).
boot_test bochs-hosted-hypercall-fuzz pass \
	'^selftest: fuzz: 100000 hypercalls, 0 wrong results, 0 register changes$' \
	'^selftest: fuzz \.\.\. ok$' '^selftest: summary passed=1 failed=0 skipped=0$' \
	'^hv: guest ended with status 0 \(isa-debug-exit port 0xf4\)$' \
	'^hv: stats: exit reason=18 name=VMCALL count=1[0-9]{5}( |$)' \
	'^hv: stats: hypercall nr=0 name=null count=[0-9]{4,}( |$)' \
	'^hv: stats: hypercall nr=15 name=unknown count=[0-9]{5,}( |$)' \
	'!^hv: guest stopped' '^exit: status=0$' \
	-- --emu bochs hosted tests=fuzz
# Natively there is no hypervisor to fuzz: skipped, and said so.
boot_test bochs-native-hypercall-fuzz-skipped pass \
	'^selftest: fuzz \.\.\. skipped: not running on this hypervisor$' '^exit: status=0$' \
	-- --emu bochs native tests=fuzz
