# tests/parts/report.sh - the report tool and tools/compare on fixture logs,
# and the shape of the bench loops in both guest builds.
#
# Sourced by tests/run: uses ok, bad, skipped and $LOGDIR, and names its
# own variables rp_* so as to leave the suite's alone. benchtab's
# negative costs are tested on the same fixtures. The fixtures in
# tests/report/ are serial logs cut from real runs (make run's, with
# BENCH_ITERS=1000): native.log, hosted-pv.log and hosted-trap.log as
# Bochs wrote them; negative.log, a native KVM run's lines with two costs
# made negative; elided.log, hosted-pv's with timer_arm's line removed,
# cost=- for clock_read and exits=- for cpuid; on-kvm.log and
# on-kvm-traced.log, a nested on-kvm run's lines and its traced run's
# (make run's), on-kvm-lost.log the latter as if its trace overflowed;
# smp4-*.log, the workload lines of make run's 4-CPU runs (bench=workload),
# smp4-hosted-pv-unbatched.log hosted-pv's with its shootdown's exits and
# cost made hosted-trap's, as if each remote flush trapped.
# tools/compare runs in a
# tree of its own with a tools/run that hands out those fixtures (and
# fails or names a host's KVM as told), so that its handling of the report
# tool and of failed runs is tested in a second, not in three boots.
# Charts need gnuplot (tools/deps test installs gnuplot-nox); a stub that
# fails stands in for a broken one. Environment: build host, POSIX sh.
# SPDX-License-Identifier: MIT

# shellcheck disable=SC2016 # the backquotes are report.md's, not expansions
rp_fix=tests/report
rp_dir=$LOGDIR/report
rm -rf "$rp_dir"
mkdir -p "$rp_dir/stub-bin"
# A gnuplot that fails after leaving a 0-byte chart, as a crashing one can.
cat > "$rp_dir/stub-bin/gnuplot" <<'EOF'
#!/bin/sh
out=$(sed -n "s/^set output '\(.*\)'$/\1/p" "$1")
[ -z "$out" ] || : > "$out"
echo "gnuplot (stub): failing on purpose" >&2
exit 1
EOF
chmod +x "$rp_dir/stub-bin/gnuplot"
rp_stub_path=$(cd "$rp_dir/stub-bin" && pwd):$PATH
rp_full="native:bochs:instructions:$rp_fix/native.log
hosted-pv:bochs:instructions:$rp_fix/hosted-pv.log
hosted-trap:bochs:instructions:$rp_fix/hosted-trap.log"

# rp_report DIR RUN...: build/tools/report into DIR; rp_rc is its status,
# DIR.out and DIR.err its output.
rp_report() {
	rp_out=$1
	shift
	mkdir -p "$rp_out"
	rp_rc=0
	build/tools/report "$rp_out" "$@" > "$rp_out.out" 2> "$rp_out.err" || rp_rc=$?
}

# rp_charts DIR: the charts the tool said it wrote, those report.md shows
# and those in DIR (non-empty) are the same; none is empty.
rp_charts() {
	rp_listed=$(sed -n 's/^report: wrote in .*\/: //p' "$1.out" | tr ',' '\n' |
		sed -n 's/^ *\(.*\.png\)$/\1/p' | sort | tr '\n' ' ')
	rp_in_md=$(sed -n 's/^!\[.*\](\(.*\.png\))$/\1/p' "$1/report.md" | sort | tr '\n' ' ')
	rp_present=$(cd "$1" && find . -name '*.png' -size +0c | sed 's|^\./||' | sort | tr '\n' ' ')
	rp_why="listed '$rp_listed', in report.md '$rp_in_md', written '$rp_present'"
	[ "$rp_listed" = "$rp_present" ] && [ "$rp_in_md" = "$rp_present" ] &&
		[ -z "$(find "$1" -name '*.png' -size 0)" ]
}

# rp_has FILE ERE...: FILE has a line matching each; else rp_why says which not.
rp_has() {
	rp_f=$1
	shift
	for rp_p in "$@"; do
		grep -qE -- "$rp_p" "$rp_f" || { rp_why="$rp_f lacks /$rp_p/"; return 1; }
	done
}

if ! command -v gnuplot > /dev/null 2>&1; then
	for rp_t in report-native-only-no-exit-charts report-charts-listed-are-written \
		report-negative-costs-signed report-elided-costs-explained report-on-kvm-exits-from-l1 \
		report-gnuplot-failure-fails compare-kvm-report-on-hardware-nested; do
		skipped "$rp_t" "no gnuplot (tools/deps test installs gnuplot-nox)"
	done
else
	# Native runs alone: no exit charts, and no gnuplot error for them.
	rp_report "$rp_dir/native-only" "native:bochs:instructions:$rp_fix/native.log"
	if [ "$rp_rc" != 0 ]; then
		bad report-native-only-no-exit-charts "exit status $rp_rc: $(head -1 "$rp_dir/native-only.err")"
	elif [ ! -s "$rp_dir/native-only/cost.png" ] || [ -e "$rp_dir/native-only/exits.png" ] ||
	     [ -e "$rp_dir/native-only/workload.png" ]; then
		bad report-native-only-no-exit-charts "want cost.png only, not: $(cd "$rp_dir/native-only" && echo *.png)"
	elif ! rp_charts "$rp_dir/native-only"; then
		bad report-native-only-no-exit-charts "$rp_why"
	elif ! rp_has "$rp_dir/native-only.out" '^report: no exits\.png: no run with VM exits' \
		'^report: no workload\.png: no run with VM exits'; then
		bad report-native-only-no-exit-charts "$rp_why"
	else
		ok report-native-only-no-exit-charts
	fi

	# shellcheck disable=SC2086 # rp_full is a word list
	rp_report "$rp_dir/full" $rp_full
	if [ "$rp_rc" != 0 ]; then
		bad report-charts-listed-are-written "exit status $rp_rc: $(head -1 "$rp_dir/full.err")"
	elif ! rp_charts "$rp_dir/full" || [ "$rp_present" != "cost.png exits.png workload.png " ]; then
		bad report-charts-listed-are-written "$rp_why"
	elif ! rp_has "$rp_dir/full.out" \
		'^op +native +hosted-pv +hosted-trap +hosted-pv +hosted-trap$' \
		'^ +instructions +instructions +instructions +exits +exits$' \
		'^hypercall +elided +147\.00 +147\.00 +1\.00 +1\.00$' \
		'^  `elided`: hypercall cost on native: no figure in its log \(it says skipped=no-hypervisor\)$' \
		'^  hypercall, in instructions: the null VMCALL round trip' \
		'^  compute, in instructions: equal in every mode by construction' \
		'^  pure compute: .* 3145774 vs 3145774 instructions +\[yes\]$' \
		'^    instructions retired: an EPT walk or TLB miss costs none'; then
		bad report-charts-listed-are-written "$rp_why"
	else
		ok report-charts-listed-are-written
	fi

	# SMP: the workload alone, on 4 CPUs; its targets met, and one missed
	# when the shootdown is no better than trapped.
	rp_smp="native:bochs:instructions:$rp_fix/smp4-native.log
hosted-trap:bochs:instructions:$rp_fix/smp4-hosted-trap.log"
	# shellcheck disable=SC2086 # rp_smp is a word list
	rp_report "$rp_dir/smp" $rp_smp "hosted-pv:bochs:instructions:$rp_fix/smp4-hosted-pv.log"
	if [ "$rp_rc" != 0 ]; then
		bad report-smp-targets "exit status $rp_rc: $(grep -m1 'NO' "$rp_dir/smp.out")"
	elif ! rp_has "$rp_dir/smp.out" \
		'^smp_shootdown +14965 +821855 +13515 +1098 +50$' \
		'^  whole workload \(its one-CPU parts\): .* 402 vs 9193 exits \(1/23\) +\[yes\]$' \
		'^  smp_shootdown: hosted-pv exits at most 1/4 of hosted-trap.s +50 vs 1098 exits +\[yes\]$' \
		'^  smp_ipi: hosted-pv exits at most 2/3 of hosted-trap.s +699 vs 1199 exits +\[yes\]$' \
		'^  smp_lock: hosted-pv instructions at most hosted-trap.s \(Bochs, exact\) +14650 vs 22115 instructions +\[yes\]$'; then
		bad report-smp-targets "$rp_why"
	elif grep -q '^Per pv op' "$rp_dir/smp.out"; then
		bad report-smp-targets "an op table with no op lines"
	else
		ok report-smp-targets
	fi
	# shellcheck disable=SC2086 # rp_smp is a word list
	rp_report "$rp_dir/smp-unbatched" $rp_smp \
		"hosted-pv:bochs:instructions:$rp_fix/smp4-hosted-pv-unbatched.log"
	if [ "$rp_rc" != 1 ]; then
		bad report-smp-target-can-fail "exit status $rp_rc, want 1 (a target missed)"
	elif ! rp_has "$rp_dir/smp-unbatched.out" \
		'^  smp_shootdown: hosted-pv exits at most 1/4 of hosted-trap.s +1098 vs 1098 exits +\[NO\]$'; then
		bad report-smp-target-can-fail "$rp_why"
	else
		ok report-smp-target-can-fail
	fi

	# The same as cycles (KVM) and as instructions (Bochs): each negative
	# cost keeps its sign and is explained by what its unit means.
	rp_report "$rp_dir/negative" "native:kvm:cycles:$rp_fix/negative.log" \
		"native:bochs:instructions:$rp_fix/negative.log"
	if [ "$rp_rc" != 0 ]; then
		bad report-negative-costs-signed "exit status $rp_rc: $(head -1 "$rp_dir/negative.err")"
	elif ! rp_has "$rp_dir/negative.out" '^irq_disable +-12\.40 +-12\.40$' \
		'^apic_eoi +-3\.05 +-3\.05$' \
		'^  negative costs in cycles: -12\.40 \(irq_disable on native\), -3\.05 \(apic_eoi on native\)\. The op.s' \
		'^  negative costs in instructions: -12\.40 \(irq_disable on native\), -3\.05 \(apic_eoi on native\)\. Counts' ||
	     ! rp_has "$rp_dir/negative/report.md" '^\| irq_disable \| -12\.40 \| -12\.40 \|$' \
		'^- negative costs in cycles: .*read it as about 0$' \
		'^- negative costs in instructions: .*check_bench_loops tests them\)$'; then
		bad report-negative-costs-signed "$rp_why"
	else
		ok report-negative-costs-signed
	fi

	rp_report "$rp_dir/elided" "native:bochs:instructions:$rp_fix/native.log" \
		"hosted-pv:bochs:instructions:$rp_fix/elided.log"
	if [ "$rp_rc" != 0 ]; then
		bad report-elided-costs-explained "exit status $rp_rc: $(head -1 "$rp_dir/elided.err")"
	elif ! rp_has "$rp_dir/elided.out" '^timer_arm +2\.00 +elided +elided$' \
		'^clock_read +3\.00 +elided +0\.00$' '^cpuid +4\.00 +64\.00 +elided$' \
		'^  `elided`: timer_arm cost on hosted-pv: no figure in its log \(no line for it\)$' \
		'^  `elided`: clock_read cost on hosted-pv: no figure in its log \(it has cost=-\)$' \
		'^  `elided`: cpuid exits on hosted-pv: no figure in its log \(it has exits=-\)$' ||
	     ! rp_has "$rp_dir/elided/report.json" '"cost": null, "cost_elided": "it has cost=-"'; then
		bad report-elided-costs-explained "$rp_why"
	else
		ok report-elided-costs-explained
	fi

	# on-kvm's exits, KVM's, from the traced run L1 counted (LOG+EXITSLOG):
	# per call over 3 x 100 calls, per part, the parts' sum; none from a
	# traced run that lost events, saying why.
	rp_report "$rp_dir/on-kvm" "native:bochs:instructions:$rp_fix/native.log" \
		"on-kvm:nested:instructions:$rp_fix/on-kvm.log+$rp_fix/on-kvm-traced.log"
	rp_report "$rp_dir/on-kvm-lost" \
		"on-kvm:nested:instructions:$rp_fix/on-kvm.log+$rp_fix/on-kvm-lost.log"
	if ! rp_has "$rp_dir/on-kvm.out" '^op +native +on-kvm +on-kvm$' \
		'^ +instructions +instructions +exits$' '^cpuid +4\.00 +1341\.68 +1\.00$' \
		'^save_fl +3\.00 +2\.43 +0\.00$' '^apic +[0-9]+ +4185445 +561$' \
		'^total +[0-9]+ +141658367 +9354$' ||
	     ! rp_has "$rp_dir/on-kvm/report.md" '\*exits\* are VM exits counted .* kvm_exit tracepoint' ||
	     ! rp_charts "$rp_dir/on-kvm" || [ "$rp_present" != "cost.png exits.png workload.png " ]; then
		bad report-on-kvm-exits-from-l1 "$rp_why (status $rp_rc)"
	elif ! rp_has "$rp_dir/on-kvm-lost.out" '^cpuid +1341\.68 +elided$' \
		'^  `elided`: cpuid exits on on-kvm: no figure in its log \(its traced run lost trace events\)$'; then
		bad report-on-kvm-exits-from-l1 "$rp_why"
	else
		ok report-on-kvm-exits-from-l1
	fi

	# gnuplot fails (into the directory that holds the charts of the full
	# run): status 3, no chart listed, none left, the old ones gone.
	rp_rc=0
	# shellcheck disable=SC2086 # rp_full is a word list
	PATH=$rp_stub_path build/tools/report "$rp_dir/full" $rp_full \
		> "$rp_dir/full.out" 2> "$rp_dir/full.err" || rp_rc=$?
	if [ "$rp_rc" != 3 ]; then
		bad report-gnuplot-failure-fails "exit status $rp_rc, want 3"
	elif ! rp_charts "$rp_dir/full" || [ -n "$rp_present" ]; then
		bad report-gnuplot-failure-fails "$rp_why"
	elif ! rp_has "$rp_dir/full.err" \
		'^report: cost\.png not written: gnuplot exited with status 1$' \
		'^report: FAILED: a chart not written' ||
	     ! rp_has "$rp_dir/full/report.md" '^exits\.png: not written: gnuplot exited with status 1\.$'; then
		bad report-gnuplot-failure-fails "$rp_why"
	else
		ok report-gnuplot-failure-fails
	fi
fi

# ---- tools/compare, its runs played by a stub tools/run ----------------
rp_tree=$rp_dir/tree
mkdir -p "$rp_tree/tools" "$rp_tree/build/tools"
cp tools/compare "$rp_tree/tools/compare"
cp build/tools/report "$rp_tree/build/tools/report"
cat > "$rp_tree/tools/run" <<'EOF'
#!/bin/sh
# tools/run as tools/compare calls it, played from fixtures: STUB_KVM is
# the host's KVM kind; STUB_FAIL=EMU:STATUS fails that emulator's runs.
if [ "$1" = --host-kvm ]; then
	printf '%s\n%s\n' "$STUB_KVM" "the stub's $STUB_KVM KVM"
	exit 0
fi
log= emu= fix=
while [ $# -gt 0 ]; do
	case $1 in
	--log) log=$2; shift ;;
	--emu) emu=$2; shift ;;
	--boot) shift ;;
	native|hosted) fix=$1 ;;
	pv=auto) [ "$fix" = native ] || fix=hosted-pv ;;
	pv=native) [ "$fix" = native ] || fix=hosted-trap ;;
	esac
	shift
done
case ${STUB_FAIL:-} in
"$emu":*) echo "tools/run (stub): failing on purpose" >&2; exit "${STUB_FAIL#*:}" ;;
esac
cp "$STUB_FIXTURES/$fix.log" "$log"
EOF
chmod +x "$rp_tree/tools/run"
rp_fixtures=$(pwd)/$rp_fix

# rp_compare NAME KVM-KIND [VAR=VALUE...]: tools/compare in the tree (without
# the nested stack: NESTED=0); rp_rc,
# $rp_dir/NAME.out and .err.
rp_compare() {
	rp_name=$1 rp_kind=$2
	shift 2
	rp_rc=0
	(cd "$rp_tree" && env NESTED=0 STUB_KVM="$rp_kind" STUB_FIXTURES="$rp_fixtures" "$@" \
		tools/compare) > "$rp_dir/$rp_name.out" 2> "$rp_dir/$rp_name.err" || rp_rc=$?
}

if command -v gnuplot > /dev/null 2>&1; then
	mkdir -p "$rp_tree/build/report/kvm"
	rp_compare compare-other other
	if [ "$rp_rc" != 0 ]; then
		bad compare-no-cycle-table-without-hardware-kvm "exit status $rp_rc: $(tail -1 "$rp_dir/compare-other.err")"
	elif [ -e "$rp_tree/build/report/kvm" ] || grep -q '^== .* on kvm$' "$rp_dir/compare-other.out" ||
	     [ "$(grep '^compare: ' "$rp_dir/compare-other.out" | grep -vc '^compare: no on-kvm column: NESTED=0$')" != 1 ]; then
		bad compare-no-cycle-table-without-hardware-kvm "a kvm run, a kvm/ report or more than one line of why"
	elif ! rp_has "$rp_dir/compare-other.out" \
		"^compare: no cycle table: this host's KVM is 'other' \(the stub's other KVM\)$"; then
		bad compare-no-cycle-table-without-hardware-kvm "$rp_why"
	else
		ok compare-no-cycle-table-without-hardware-kvm
	fi

	rp_compare compare-nested hardware-nested
	if [ "$rp_rc" != 0 ]; then
		bad compare-kvm-report-on-hardware-nested "exit status $rp_rc: $(tail -1 "$rp_dir/compare-nested.err")"
	elif ! rp_has "$rp_dir/compare-nested.out" '^== hosted-trap on kvm$' \
		'^op +native +hosted-pv +hosted-trap' '^ +cycles +cycles +cycles +exits +exits$' ||
	     ! [ -s "$rp_tree/build/report/kvm/workload.png" ]; then
		bad compare-kvm-report-on-hardware-nested "${rp_why:-no kvm/workload.png}"
	else
		ok compare-kvm-report-on-hardware-nested
	fi
fi

# rp_compare_fails TEST WANT-ERR-PATTERN RUN-NAME KIND [VAR=VALUE...]:
# tools/compare must fail, saying why on stderr.
rp_compare_fails() {
	rp_test=$1 rp_want=$2
	shift 2
	rp_compare "$@"
	if [ "$rp_rc" = 0 ]; then
		bad "$rp_test" "tools/compare exited 0 though it should have failed ($1)"
	elif ! rp_has "$rp_dir/$1.err" "$rp_want"; then
		bad "$rp_test" "$rp_why"
	else
		ok "$rp_test"
	fi
}
rp_compare_fails compare-fails-when-report-fails \
	'^compare: the report in build/report failed \(build/tools/report status 3' \
	compare-gnuplot-fails none PATH="$rp_stub_path"
rp_compare_fails compare-names-the-hosts-failure \
	"^compare: the native run on bochs failed, the host's failure rather than the guest's" \
	compare-host-fails none STUB_FAIL=bochs:3
rp_compare_fails compare-kvm-failure-fails-on-hardware \
	'^compare: the native run on kvm failed \(tools/run status 1\)' \
	compare-kvm-fails hardware STUB_FAIL=kvm:1

# ---- benchtab (make bench): negative costs keep their sign ------------
rp_neg=$rp_fix/negative.log
rp_rc=0
build/tools/benchtab compare pct:1 "$rp_neg" "$rp_neg" "$rp_neg" > "$rp_dir/benchtab-pct.out" 2>&1 || rp_rc=$?
if [ "$rp_rc" != 0 ]; then
	bad benchtab-negative-costs-signed "pct:1 exited $rp_rc: $(tail -1 "$rp_dir/benchtab-pct.out")"
elif ! rp_has "$rp_dir/benchtab-pct.out" \
	'^irq_disable +-12\.40 +-12\.40 +-12\.40 +1  not judged \(direct costs -12\.40: below the noise\)$' \
	"^benchtab: a negative cost: the op's loop ran in fewer cycles than the empty loop"; then
	bad benchtab-negative-costs-signed "$rp_why"
else
	rp_rc=0
	build/tools/benchtab compare exact "$rp_neg" "$rp_neg" "$rp_neg" > "$rp_dir/benchtab-exact.out" 2>&1 || rp_rc=$?
	if [ "$rp_rc" != 1 ]; then
		bad benchtab-negative-costs-signed "exact exited $rp_rc, want 1: a negative instruction count is the loops' fault"
	elif ! rp_has "$rp_dir/benchtab-exact.out" '^apic_eoi +-3\.05 +-3\.05 +-3\.05 +0  ok' \
		'a fault of guest/bench\.c: FAIL\)$'; then
		bad benchtab-negative-costs-signed "$rp_why"
	else
		ok benchtab-negative-costs-signed
	fi
fi

# ---- the bench loops: the empty loop plus the op alone, in both builds ---
rp_loops() { # rp_loops NAME IMAGE pv|direct
	rp_rc=0
	build/host/check_bench_loops "$2" "$3" > "$LOGDIR/$1.out" 2>&1 || rp_rc=$?
	if [ "$rp_rc" = 0 ] && tail -1 "$LOGDIR/$1.out" | grep -q '^host: check_bench_loops [1-9][0-9]* passed, 0 failed$'; then
		ok "$1"
	else
		bad "$1" "check_bench_loops exited $rp_rc: $(grep -m1 '^FAIL ' "$LOGDIR/$1.out" || tail -1 "$LOGDIR/$1.out"); see $LOGDIR/$1.out"
	fi
}
rp_loops bench-loops-guest build/guest.elf pv
rp_loops bench-loops-direct build/guest-direct.elf direct
