# tests/parts/iso.sh - boots from a GRUB ISO (tools/mkiso, make iso) and
# netboots with arguments iPXE's parser would mangle (tools/ipxe_script,
# make netboot). Sourced by tests/run: uses its boot_test, ok, bad,
# skipped, $LOGDIR, $HVEND and $EXIT0. POSIX sh, on the build host.
# SPDX-License-Identifier: MIT
# The $, ${...} and backslashes in single quotes are meant literally:
# shellcheck disable=SC2016,SC1003

# ---- GRUB 2 from a CD-ROM drive ----------------------------------------------
if ! command -v grub-mkrescue >/dev/null 2>&1 || ! command -v xorriso >/dev/null 2>&1 ||
   ! [ -f /usr/lib/grub/i386-pc/multiboot.mod ]; then
	for name in bochs-grub-hosted bochs-grub-hosted-pv-report-first tcg-grub-native \
		tcg-grub-foreign-kernel tcg-grub-foreign-hv grub-refuses-quotes make-iso-grub-cfg; do
		skipped "$name" "GRUB's BIOS modules, grub-mkrescue or xorriso missing (tools/deps iso)"
	done
else
	# GRUB hands over a module's command line without the file's path.
	boot_test bochs-grub-hosted pass "^hv: guest: cmdline 'tests=irq pv\.report'$" \
		'^pv\.site: op=' '^selftest: summary passed=1 failed=0 skipped=0$' \
		"$HVEND" "$EXIT0" -- --emu bochs --boot grub hosted tests=irq pv.report
	# An option first on the module line is an option, not a path (fails
	# until the hypervisor stops taking a first word without '=' for one).
	boot_test bochs-grub-hosted-pv-report-first pass '^pv\.site: op=' \
		"$HVEND" "$EXIT0" -- --emu bochs --boot grub hosted pv.report tests=none
	boot_test tcg-grub-native pass "^guest: cmdline 'tests=irq,clock'$" \
		"^mem: loader='GRUB 2\." '^selftest: summary passed=2 failed=0 skipped=0$' \
		"$EXIT0" -- --emu tcg --boot grub native tests=irq,clock
	# What GRUB hands a foreign kernel and its module, word for word.
	boot_test tcg-grub-foreign-kernel pass "^mbprint: cmdline='alpha=1 beta'$" \
		"^mbprint: loader='GRUB 2\." "$EXIT0" \
		-- --emu tcg --boot grub --guest build/tests/mbprint.bin native alpha=1 beta
	# (A foreign kernel in the hypervisor's place never writes the
	# hypervisor's channel, so the run cannot pass: tools/run judges hosted
	# runs by that channel alone.)
	boot_test tcg-grub-foreign-hv fail "^mbprint: cmdline='hv=1 word watchdog=[0-9]+s'$" \
		"^mbprint: mod 0 start=0x[0-9a-f]+ end=0x[0-9a-f]+ cmdline='pv.report alpha=1'$" \
		"$EXIT0" -- --emu tcg --boot grub --hv build/tests/mbprint.bin \
		--hv-args 'hv=1 word' hosted pv.report alpha=1

	# GRUB would hand q"d over as q\"d: refused before anything boots.
	name=grub-refuses-quotes
	rc=0
	tools/run --emu tcg --boot grub --log "$LOGDIR/$name.log" native 'say="hi"' \
		> /dev/null 2> "$LOGDIR/$name.log.stderr" || rc=$?
	if [ "$rc" = 2 ] && grep -q "^tools/mkiso: --guest-args 'say=\"hi\"': GRUB hands a quote" \
		"$LOGDIR/$name.log.stderr"; then
		ok "$name"
	else
		bad "$name" "tools/run exited $rc: $(head -1 "$LOGDIR/$name.log.stderr")"
	fi

	# make iso: the menu as the variables say, each word quoted for GRUB.
	name=make-iso-grub-cfg
	iso=$LOGDIR/$name.iso
	rm -f "$iso" "$LOGDIR/$name.cfg"
	if ! make -s iso ISO="$iso" MODE=native HV_ARGS='mem=64M' \
		GUEST_ARGS='tests=irq $HOME ${x} #c ;' > "$LOGDIR/$name.out" 2>&1; then
		bad "$name" "make iso failed: $(tail -1 "$LOGDIR/$name.out")"
	elif ! xorriso -osirrox on -indev "$iso" -extract /boot/grub/grub.cfg \
		"$LOGDIR/$name.cfg" > /dev/null 2>&1; then
		bad "$name" "no /boot/grub/grub.cfg in $iso"
	elif ! grep -qx 'set default=native' "$LOGDIR/$name.cfg" ||
	     ! grep -qx '	multiboot /hv.elf '\''mem=64M'\' "$LOGDIR/$name.cfg" ||
	     ! grep -qx '	multiboot /guest.elf '\''tests=irq'\'' '\''$HOME'\'' '\''${x}'\'' '\''#c'\'' '\'';'\' \
		"$LOGDIR/$name.cfg" ||
	     ! grep -qx 'serial --unit=0 --speed=115200' "$LOGDIR/$name.cfg"; then
		bad "$name" "$LOGDIR/$name.cfg lacks the expected lines"
	else
		ok "$name"
	fi
fi

# ---- netboot: arguments iPXE's command parser would cut, end or expand --------
# Two spaces, ||, &&, ;, a word starting with #, quotes, $ and backquotes,
# "${" with no "}" after it, a trailing backslash (iPXE's line joiner).
HOSTILE='tests=none  || && ; #x y#z "dq" '\''sq'\'' $HOME $(id) `id` {z} ${y a\ end\'
name=netboot-hostile-args
dir=$LOGDIR/$name
rm -rf "$dir"
if ! make -s netboot NETBOOT="$dir" MODE=native HV_ARGS="$HOSTILE" GUEST_ARGS="$HOSTILE" \
	> "$LOGDIR/$name.out" 2>&1; then
	bad "$name" "make netboot failed: $(tail -1 "$LOGDIR/$name.out")"
elif ! build/tools/ipxe_script --mode native --hv-args "$HOSTILE" --guest-args "$HOSTILE" |
	cmp -s - "$dir/boot.ipxe"; then
	bad "$name" "$dir/boot.ipxe is not what tools/ipxe_script writes for tools/run"
else
	# The guest takes '||' for an unknown option (status 2) after it
	# printed its command line; the hypervisor, an unknown option (13).
	tools/run --emu tcg --boot ipxe --log "$LOGDIR/$name.log" native "$HOSTILE" \
		> /dev/null 2> "$LOGDIR/$name.log.stderr"
	tools/run --emu tcg --boot ipxe --log "$LOGDIR/$name-hv.log" --hv-args "$HOSTILE" \
		hosted > /dev/null 2> "$LOGDIR/$name-hv.log.stderr"
	if ! grep -qxF "guest: cmdline 'tftp://10.0.2.2/guest.elf $HOSTILE'" "$LOGDIR/$name.log"; then
		bad "$name" "the guest's command line is not the arguments as written: see $LOGDIR/$name.log"
	elif ! grep -qF "hv: cmdline 'tftp://10.0.2.2/hv.elf $HOSTILE watchdog=" \
		"$LOGDIR/$name-hv.log"; then
		bad "$name" "the hypervisor's command line is not the arguments as written: see $LOGDIR/$name-hv.log"
	else
		ok "$name"
	fi
fi

# "${...}" cannot pass iPXE at all: make netboot and tools/run say so.
name=netboot-refuses-expansion
rc=0
make -s netboot NETBOOT="$LOGDIR/$name" GUEST_ARGS='a ${x} b' > "$LOGDIR/$name.out" 2>&1 || rc=$?
rc2=0
tools/run --emu tcg --boot ipxe --log "$LOGDIR/$name.log" native 'a ${x} b' \
	> /dev/null 2> "$LOGDIR/$name.log.stderr" || rc2=$?
why="guest args 'a \${x} b': iPXE expands \"\${...}\" until none is left"
if [ "$rc" = 0 ] || [ -e "$LOGDIR/$name/boot.ipxe" ]; then
	bad "$name" "make netboot wrote a boot.ipxe for 'a \${x} b'"
elif ! grep -qF "$why" "$LOGDIR/$name.out"; then
	bad "$name" "make netboot did not say why: $(head -1 "$LOGDIR/$name.out")"
elif [ "$rc2" != 2 ] || ! grep -qF "$why" "$LOGDIR/$name.log.stderr"; then
	bad "$name" "tools/run exited $rc2: $(head -1 "$LOGDIR/$name.log.stderr")"
else
	ok "$name"
fi
