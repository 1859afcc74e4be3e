# tests/parts/nested.sh - the nested stack: QEMU with KVM inside Linux in Bochs.
#
# What users run on a host with kvm_intel nested=1, checked where no
# machine has VMX: tools/run --emu nested boots Debian's Linux in Bochs
# (tools/nested builds the stack once into build/nested/), loads KVM and
# runs QEMU -enable-kvm -cpu host with the guest alone or under the
# hypervisor. Each run takes 35-60 s on a 2-core host (up to 95 s two at a
# time on a busy one), so tests/run (make test) runs one: the hypervisor
# nested with pv=auto. NESTED_TESTS=all (make test-nested, about 7 minutes)
# runs them all, two at a time: the guest alone under
# KVM, pv=native nested, a broken initramfs (a module that is none, an
# /init that cannot run), a CPU without VMX, the tigerlake model, a hang,
# KVM's exits counted by L1's tracepoints (--kvm-exits).
#
# Sourced by tests/run, whose ok, bad, skipped and $LOGDIR it uses; or run
# alone (make test-nested), when it defines them and ends with its own
# "N passed, N failed, N skipped". POSIX sh, from the repository root.
# SPDX-License-Identifier: MIT
# shellcheck shell=sh

nested_alone=
if [ -z "${LOGDIR:-}" ]; then
	nested_alone=1
	LOGDIR=build/logs/tests
	mkdir -p "$LOGDIR"
	pass=0 fail=0 skip=0
	ok()      { pass=$((pass + 1)); echo "PASS $1"; }
	bad()     { fail=$((fail + 1)); echo "FAIL $1: $2"; }
	skipped() { skip=$((skip + 1)); echo "SKIP $1: $2"; }
fi

# nested_start NAME TOOLS/RUN ARGS...: the run, in the background.
nested_start() {
	name=$1
	shift
	rm -f "$LOGDIR/$name.rc"
	( rc=0
	  tools/run --emu nested --log "$LOGDIR/$name.log" "$@" > /dev/null \
		2> "$LOGDIR/$name.log.stderr" || rc=$?
	  echo "$rc" > "$LOGDIR/$name.rc" ) &
	eval "nested_pid_$(echo "$name" | tr -c 'a-zA-Z0-9\n' _)=\$!"
}

# nested_selftests LOG native|hosted: the guest's self-tests all passed;
# natively only the hosted-only ones skip. Sets $why.
nested_selftests() {
	sum=$(tr -d '\r' < "$1" | grep -aE '^selftest: summary ')
	case $sum in
	*" failed=0 "*) ;;
	*) why="self-tests: ${sum:-no summary line}"; return 1 ;;
	esac
	if tr -d '\r' < "$1" | grep -aqE '^selftest: .* \.\.\. FAIL'; then
		why="a self-test failed: $(grep -aE -m1 '^selftest: .* FAIL' "$1")"; return 1
	fi
	other=$(tr -d '\r' < "$1" | grep -aE ' \.\.\. skipped: ' |
		grep -v 'skipped: not running on this hypervisor$' | head -n 1)
	if [ "$2" = hosted ]; then other=$(tr -d '\r' < "$1" | grep -aE -m1 ' \.\.\. skipped: '); fi
	[ -z "$other" ] || { why="skipped: $other"; return 1; }
	return 0
}

# nested_judge NAME pass|fail PATTERN...: waits for NAME's run; its exit
# status (pass 0, fail 1) and each PATTERN: an extended regex a line of
# the serial log must match, "!RE" none may, "stderr:RE" a line of
# tools/run's stderr must, "@selftests:native|hosted" as above.
nested_judge() {
	name=$1 want=$2
	shift 2
	eval "pid=\${nested_pid_$(echo "$name" | tr -c 'a-zA-Z0-9\n' _):-}"
	[ -z "$pid" ] || wait "$pid" 2>/dev/null
	log=$LOGDIR/$name.log
	rc=$(cat "$LOGDIR/$name.rc" 2>/dev/null || echo none)
	reason=$(grep '^tools/run: ' "$log.stderr" | grep -v '^tools/run: nested: Bochs ticks' |
		grep -v '^tools/run: PASS' | head -n 1)
	case $want,$rc in
	pass,0|fail,1) ;;
	*) bad "$name" "tools/run exited $rc, want $([ "$want" = pass ] && echo 0 || echo 1): ${reason:-see $log.stderr}"
	   return ;;
	esac
	{ tr -d '\r' < "$log"; } > "$log.lf" 2>/dev/null
	for pat in "$@"; do
		case $pat in
		@selftests:*)
			nested_selftests "$log" "${pat#@selftests:}" || { bad "$name" "$why (log $log)"; return; } ;;
		stderr:*)
			grep -qE -- "${pat#stderr:}" "$log.stderr" ||
				{ bad "$name" "stderr lacks /${pat#stderr:}/: $reason"; return; } ;;
		!*)
			! grep -aqE -- "${pat#!}" "$log.lf" || { bad "$name" "log $log has /${pat#!}/"; return; } ;;
		*)
			grep -aqE -- "$pat" "$log.lf" || { bad "$name" "log $log lacks /$pat/"; return; } ;;
		esac
	done
	ok "$name"
	grep '^tools/run: nested: Bochs ticks' "$log.stderr" | sed "s/^tools\/run: nested:/nested: $name:/"
}

NESTED_KVM='^nested: kvm_intel nested=Y ept=Y unrestricted_guest=Y '
NESTED_QEMU1='^nested: qemu exited with status 1$'
NESTED_HVEND='^hv: guest ended with status 0 \(isa-debug-exit port 0xf4\)$'
NESTED_OURS="^pv: hypervisor present: 'MiniVMXHV' \\(ours\\)$"

# The stack first: a package that cannot be fetched (no mirror) is this
# machine's limit, not a failure of the code (tools/nested says which).
nested_build_rc=0
tools/nested stack > "$LOGDIR/nested-stack.out" 2>&1 || nested_build_rc=$?
if [ "$nested_build_rc" = 3 ]; then
	skipped nested "$(tail -n 1 "$LOGDIR/nested-stack.out")"
elif [ "$nested_build_rc" != 0 ]; then
	bad nested-stack "tools/nested failed: $(tail -n 1 "$LOGDIR/nested-stack.out")"
elif [ "${NESTED_TESTS:-}" != all ]; then
	nested_start nested-hosted-pv-auto hosted pv=auto
	nested_judge nested-hosted-pv-auto pass "$NESTED_KVM" "$NESTED_OURS" \
		'^pv: backend=hv sites=([0-9]+) patched=\1$' @selftests:hosted \
		"$NESTED_HVEND" "$NESTED_QEMU1"
else
	# The guest alone under KVM: it sees KVM's signature, keeps its
	# native backend and passes.
	nested_start nested-native native
	nested_start nested-hosted-pv-auto hosted pv=auto
	nested_judge nested-native pass "$NESTED_KVM" "^pv: hypervisor present: 'KVMKVMKVM'$" \
		'^pv: backend=native sites=([0-9]+) patched=\1$' @selftests:native \
		'^exit: status=0$' "$NESTED_QEMU1" '!^nested: kvm-exits'
	nested_judge nested-hosted-pv-auto pass "$NESTED_KVM" "$NESTED_OURS" \
		'^pv: backend=hv sites=([0-9]+) patched=\1$' @selftests:hosted \
		"$NESTED_HVEND" "$NESTED_QEMU1"

	# pv=native under the hypervisor: every op traps. A kvm-intel.ko that
	# is no module (the run's archive puts an empty file in its place):
	# /init says which step failed and why, and Linux ends.
	: > "$LOGDIR/nested-empty.ko"
	nested_start nested-hosted-pv-native hosted pv=native
	nested_start nested-broken-initramfs \
		--nested-file "lib/modules/kvm-intel.ko=$LOGDIR/nested-empty.ko" hosted
	nested_judge nested-hosted-pv-native pass "$NESTED_OURS" \
		'^pv: backend=native sites=([0-9]+) patched=\1$' @selftests:hosted \
		"$NESTED_HVEND" "$NESTED_QEMU1"
	nested_judge nested-broken-initramfs fail \
		'^nested: loading kvm-intel failed: insmod: ' '!^nested: tsc=[0-9]+ qemu-start$' \
		'stderr:^tools/run: the nested stack failed: loading kvm-intel failed: insmod: '

	# A CPU without VMX: kvm-intel refuses to load, and says so. The
	# tigerlake model boots Linux with clearcpuid=fsrm.
	nested_start nested-no-vmx --cpu p4_prescott_celeron_336 native
	nested_start nested-hosted-tigerlake --cpu tigerlake hosted tests=irq,hypercall
	nested_judge nested-no-vmx fail \
		"^nested: loading kvm-intel failed: insmod: can't insert '/lib/modules/kvm-intel.ko': Operation not supported \\(kernel: kvm: no hardware support for 'kvm_intel'\\)$" \
		'stderr:^tools/run: the nested stack failed: loading kvm-intel failed: '
	nested_judge nested-hosted-tigerlake pass "$NESTED_KVM" "$NESTED_OURS" \
		'^selftest: summary passed=2 failed=0 skipped=0$' "$NESTED_HVEND" "$NESTED_QEMU1"

	# A hang (the guest's, natively: nothing stops it) is a failure that
	# says where it hung, after the boot's minute; an /init that cannot
	# run is Linux's panic, said, never a shell waiting for a keyboard.
	: > "$LOGDIR/nested-empty-init"
	chmod 755 "$LOGDIR/nested-empty-init"
	nested_start nested-hang-says-where --timeout 90 native tests=hang.loop
	nested_start nested-init-cannot-run --nested-file "init=$LOGDIR/nested-empty-init" native
	nested_judge nested-hang-says-where fail \
		'stderr:^tools/run: timed out after 90 s, while QEMU ran; last serial lines:$' \
		'^selftest: hang.loop: cli; jmp \$$' '!^nested: qemu exited'
	nested_judge nested-init-cannot-run fail \
		"stderr:^tools/run: Linux ended without /init's line .*: Kernel panic - not syncing: Requested init /init failed \\(error -8\\)\\.$"

	# --kvm-exits: L1 counts KVM's exits between the guest's marks. Each
	# op's 3n iterations are 300 exits of its own reason (CPUID; the
	# hypercall op under KVM is KVM_HC_VAPIC_POLL_IRQ, a VMCALL), and
	# the whole run has a line too. nested-native, above, has none.
	nested_start nested-kvm-exits --kvm-exits native pv=native tests=none \
		bench=cpuid,hypercall bench.iters=100
	nested_judge nested-kvm-exits pass "$NESTED_QEMU1" \
		'^nested: kvm-exits kind=op name=cpuid exits=[0-9]+ reasons=(.*,)?CPUID:300(,.*)?$' \
		'^nested: kvm-exits kind=op name=hypercall exits=[0-9]+ reasons=(.*,)?VMCALL:300(,.*)?$' \
		'^nested: kvm-exits kind=all exits=[0-9]+ reasons=[A-Z_]+:[0-9]+(,[A-Z_]+:[0-9]+)*$' \
		'!^nested: kvm-exits incomplete'
fi

if [ -n "$nested_alone" ]; then
	echo "$pass passed, $fail failed, $skip skipped"
	[ "$fail" = 0 ]
fi
