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
