# tests/parts/isolation.sh - the hypervisor owns the machine: a guest cannot
# forge its report, hang it, blur its status, or be refused RAM its memory
# map gives it.
#
# Hosted runs are judged here as tools/run judges them: by the hypervisor's
# own channel (COM2, logged to LOG.hv), which the guest cannot write. Each
# hostile guest must be stopped by the hypervisor, with the reason and the
# statistics on that channel, within seconds, never by the outer timeout.
#
# Sourced by tests/run: uses its ok, bad, boot_test, hv_test and $LOGDIR.
# POSIX sh, on the build host, from the repository root.
# SPDX-License-Identifier: MIT
# shellcheck shell=sh

GUESTS=\'s
STOPPED='^exit: status=120 \(hypervisor: guest stopped\)$'
STATS='^hv: stats: exits=[0-9]+ '

# ---- an unforgeable report ----------------------------------------------------
# The hypervisor's channel holds its lines alone; COM1 holds everything.
hv_test bochs-hosted-hv-channel-is-the-hypervisors pass "^exit: status=0 \\(the guest${GUESTS}\\)$" \
	'^hv: guest ended with status 0 \(isa-debug-exit port 0xf4\)$' "$STATS" \
	'!^selftest:' '!^guest:' '!^pv:' '!^exit: status=0$' \
	'com1:^selftest: summary passed=1 failed=0 skipped=0$' "com1:$STATS" \
	"com1:^exit: status=0 \\(the guest${GUESTS}\\)$" \
	-- --emu bochs hosted tests=irq
# A guest prints the hypervisor's lines and its last one, then ends Bochs
# with the magic breakpoint (status 0): no pass, for the channel lacks the
# hypervisor's last line.
hv_test bochs-hosted-forged-report-fails fail '^hv: entering the guest$' \
	'!^exit:' '!^hv: guest ended' \
	"com1:^exit: status=0 \\(the guest${GUESTS}\\)$" \
	'com1:^hv: guest ended with status 0 \(isa-debug-exit port 0xf4\)$' \
	"stderr:^tools/run: the hypervisor's channel .* does not end with its final line" \
	-- --emu bochs hosted tests=forge

# ---- statuses told apart -------------------------------------------------------
# The guest's 14 is the guest's, not a panic; above 99 it becomes 100, still the guest's.
hv_test bochs-hosted-guest-status-14 fail "^exit: status=14 \\(the guest${GUESTS}\\)$" \
	'^hv: guest ended with status 14 \(isa-debug-exit port 0xf4\)$' "$STATS" \
	-- --emu bochs --guest build/tests/mbprint-fail14.bin hosted
hv_test bochs-hosted-guest-status-200 fail \
	"^exit: status=100 \\(the guest${GUESTS} 200: above 99, it cannot pass unchanged\\)$" \
	'^hv: guest ended with status 200 \(isa-debug-exit port 0xf4\)$' \
	-- --emu bochs --guest build/tests/mbprint-fail200.bin hosted

# ---- bounded: each hang stopped at once or by the watchdog ---------------------
HLT_STUCK='^hv: guest stopped: guest halted with nothing to wake it \(APIC timer masked, no other LVT entry open, nothing pending, 8259s masked\), at rip 0x[0-9a-f]+$'
# sti; hlt through the safe_halt hypercall, and trapped as HLT.
hv_test bochs-hosted-hang-hlt-hypercall fail "$STOPPED" "$HLT_STUCK" "$STATS" \
	'^hv: stats: hypercall nr=6 name=safe_halt count=[0-9]+( |$)' \
	-- --emu bochs --timeout 30 hosted pv=auto tests=hang.hlt
hv_test bochs-hosted-hang-hlt-trapped fail "$STOPPED" "$HLT_STUCK" "$STATS" \
	'^hv: stats: exit reason=12 name=HLT count=[0-9]+( |$)' \
	-- --emu bochs --timeout 30 hosted pv=native tests=hang.hlt
# cli; jmp $ never exits: the preemption timer ends it, at tools/run's own
# watchdog (3/4 of --timeout 8, at 5 M instructions a second). It exits
# twice: once for the guest's own tick (then pending with IF clear, so its
# later periods need no exit) and once for the watchdog.
hv_test bochs-hosted-hang-loop-default-watchdog fail "$STOPPED" \
	'^hv: cmdline .* watchdog=30000000'\''' \
	'^hv: guest stopped: watchdog: ran past 30000000 TSC ticks since its first VM entry, at rip 0x[0-9a-f]+ \(running\)$' \
	"$STATS" '^hv: stats: exit reason=52 name=PREEMPTION_TIMER count=2( |$)' \
	'com1:^selftest: hang.loop: cli; jmp \$$' \
	-- --emu bochs --timeout 8 hosted tests=hang.loop
# A wait no other CPU can end (hang.wait: one CPU, interrupts off, the
# wait hypercall): stopped at once by the halt rule, the watchdog not
# needed; with pv=native the wait is PAUSE and the watchdog ends it.
hv_test bochs-hosted-hang-wait fail "$STOPPED" \
	'^hv: guest stopped: guest halted with nothing to wake it \(interrupts disabled\), at rip 0x[0-9a-f]+$' \
	'^hv: stats: hypercall nr=13 name=wait count=1$' "$STATS" \
	'com1:^selftest: hang.wait: interrupts off, waiting for a kick$' \
	-- --emu bochs --timeout 30 hosted pv=auto tests=hang.wait
# A hang on one CPU of two: CPU 1 spins with interrupts off, CPU 0 waits
# for it. The watchdog ends the run on either; the report gives both
# CPUs' state, CPU 1 running where it spins.
hv_test bochs-hosted-hang-one-cpu-of-two fail "$STOPPED" \
	'^hv: guest stopped: watchdog: ran past 20000000 TSC ticks since its first VM entry, at rip 0x[0-9a-f]+ on CPU [01] \((running|halted)\)$' \
	'^hv: smp: cpu=0 apic-id=0 (running|halted) at rip 0x[0-9a-f]+ rflags 0x[0-9a-f]+ exits=[0-9]+' \
	'^hv: smp: cpu=1 apic-id=1 running at rip 0x[0-9a-f]+ rflags 0x[0-9a-f]+ exits=[0-9]+' \
	'^hv: smp: cpu=[01] apic-id=[01] .*, stopped first: watchdog: ' \
	"$STATS" 'com1:^selftest: hang.ap: CPU 1 spins with interrupts off; this CPU waits for it$' \
	-- --emu bochs --cpus 2 --timeout 30 --hv-args watchdog=20000000 hosted tests=hang.ap
# A panic on an AP (break=ap-panic: CPU 1 panics as the guest starts it):
# the machine ends with the hypervisor's status, the panic's CPU and
# reason, and every CPU's state and the statistics.
hv_test bochs-hosted-panic-on-an-ap fail '^exit: status=124 \(hypervisor: panic\)$' \
	'^hv: panic on CPU 1 \(called from 0x[0-9a-f]+\): break=ap-panic: CPU 1 panics on purpose as its guest CPU starts$' \
	'^hv: smp: cpu=0 apic-id=0 running its guest CPU at the panic, exits=[1-9][0-9]*$' \
	'^hv: smp: cpu=1 apic-id=1 starting at the panic, exits=0$' "$STATS" \
	'^hv: stats: apic mode=' \
	-- --emu bochs --cpus 2 --timeout 30 --hv-args break=ap-panic hosted tests=smp.ipi
hv_test bochs-hosted-hang-storm fail "$STOPPED" \
	'^hv: guest stopped: watchdog: ran past 20000000 TSC ticks since its first VM entry, at rip 0x[0-9a-f]+ \((running|halted)\)$' \
	"$STATS" 'com1:^selftest: hang.storm: ' \
	-- --emu bochs --timeout 30 --hv-args watchdog=20000000 hosted tests=hang.storm
# Writing the TSC back for ever: the guest's own TSC moves (it reads what
# it wrote), the machine's does not, and the watchdog's deadline comes.
hv_test bochs-hosted-hang-tsc fail "$STOPPED" \
	'^hv: guest stopped: watchdog: ran past 20000000 TSC ticks since its first VM entry, at rip 0x[0-9a-f]+ \(running\)$' \
	"$STATS" '^hv: stats: exit reason=32 name=WRMSR count=[0-9]+( |$)' \
	'com1:^selftest: hang.tsc: wrote 0x10000000000 to the TSC, it reads 0x100000[0-9a-f]{5}; writing 0 for ever$' \
	-- --emu bochs --timeout 30 --hv-args watchdog=20000000 hosted tests=hang.tsc
# In seconds: the TSC's rate measured against the PIT (Bochs: 10 M a second).
hv_test bochs-hosted-watchdog-seconds fail "$STOPPED" \
	'^hv: watchdog: the guest is stopped 1 s \([0-9]+ TSC ticks at [0-9]+ Hz\) after its first VM entry$' \
	'^hv: guest stopped: watchdog: ran past 1 s \([0-9]+ TSC ticks at [0-9]+ Hz\) since its first VM entry, at rip 0x[0-9a-f]+ \(running\)$' \
	"$STATS" -- --emu bochs --timeout 30 --hv-args watchdog=1s hosted tests=hang.loop
boot_test bochs-hosted-watchdog-bad-value fail \
	"^hv: error: bad option: watchdog= takes N \(TSC ticks\) or Ns \(seconds\), got '5m'$" \
	'^exit: status=123 \(hypervisor: bad boot\)$' -- --emu bochs --hv-args watchdog=5m hosted

# ---- a kernel anywhere its memory map gives it RAM -----------------------------
for at in 0x8000 0x10000; do
	hv_test "bochs-hosted-kernel-at-$at" pass "^exit: status=0 \\(the guest${GUESTS}\\)$" \
		"^hv: guest: a.out kludge image, entry 0x[0-9a-f]+, loaded $at-0x[0-9a-f]+, 0 module\\(s\\) handed on, info block at 0x1000$" \
		"com1:^mbprint: image=$at-0x[0-9a-f]+$" '^hv: guest ended with status 0 ' \
		"com1:^mbprint: cmdline='build/tests/mbprint-at$at.bin alpha=1'$" \
		'com1:^mbprint: mmap base=0x0 len=0x9f000 type=1$' \
		-- --emu bochs --guest "build/tests/mbprint-at$at.bin" hosted alpha=1
done
# The same kernel natively (QEMU's own loader clobbers what lies at 0x8000).
for emu in tcg bochs; do
	boot_test "$emu-kernel-at-0x10000-native" pass '^mbprint: image=0x10000-0x[0-9a-f]+$' \
		"^mbprint: cmdline='build/tests/mbprint-at0x10000.bin alpha=1'$" \
		'^mbprint: magic=0x2badb002 flags=0x[0-9a-f]*[4-7][0-9a-f]$' '^exit: status=0$' \
		-- --emu $emu --guest build/tests/mbprint-at0x10000.bin native alpha=1
done
boot_test bochs-kernel-at-0x8000-native pass '^mbprint: image=0x8000-0x[0-9a-f]+$' \
	'^exit: status=0$' -- --emu bochs --guest build/tests/mbprint-at0x8000.bin native
# Across the memory map's hole at 0x9f000: refused, saying so.
boot_test bochs-hosted-kernel-over-the-hole fail \
	'^hv: error: cannot load the guest image \(module 1\): kernel at 0x9e000-0x9f[0-9a-f]{3} is not in guest RAM: it overlaps the reserved \[0x9f000, 0x100000\) of the memory map$' \
	'!^mbprint:' '^exit: status=123 \(hypervisor: bad boot\)$' \
	-- --emu bochs --guest build/tests/mbprint-at0x9e000.bin hosted
