# tests/parts/readme.sh - the README's sample output is what the code prints.
#
# Sourced by tests/run. A sample in README.md is an indented block right
# after a line
#     <!-- sample: TOOLS/RUN ARGS -->
# or, for make run's table, a line "<!-- sample: make run -->" (checked
# against NESTED=0 make run: the on-kvm column is not exact). Each of its
# lines, but "...", must be a whole line of that run's serial log (or of
# tools/compare's output): Bochs runs are deterministic, so the lines are
# exact. A sample that goes stale, or a marker whose run fails, fails the
# test. Beside them: the README names every self-test the guest has.
# SPDX-License-Identifier: MIT

readme_samples() { # prints "N<TAB>ARGS" per marker, then its lines as "N<TAB>| LINE"
	awk '
	/^<!-- sample: .* -->$/ {
		n++; args = $0
		sub(/^<!-- sample: /, "", args); sub(/ -->$/, "", args)
		printf "%d\t%s\n", n, args; state = 1; next
	}
	state == 1 && /^$/ { next }		# blank lines before the block
	state && /^    / { state = 2; printf "%d\t| %s\n", n, substr($0, 5); next }
	{ state = 0 }
	' README.md
}

readme_samples > "$LOGDIR/readme.samples"
nsamples=$(grep -cvE '^[0-9]+	\| ' "$LOGDIR/readme.samples")
if [ "$nsamples" = 0 ]; then
	bad readme-samples "README.md has no <!-- sample: ... --> block"
fi
i=1
while [ "$i" -le "$nsamples" ]; do
	name=readme-sample-$i
	args=$(sed -n "s/^$i	\([^|].*\)/\1/p" "$LOGDIR/readme.samples")
	log=$LOGDIR/$name.log
	rc=0
	cmd="tools/run $args"
	[ "$args" != "make run" ] || cmd="make run (tools/compare)"
	if [ "$args" = "make run" ]; then
		# Without the on-kvm column: its figures carry L1's own work and
		# vary by a few percent from boot to boot; the rest is exact.
		NESTED=0 tools/compare > "$log" 2> "$log.stderr" || rc=$?
	else
		# shellcheck disable=SC2086 # the marker's words are tools/run's arguments
		tools/run --log "$log" $args > /dev/null 2> "$log.stderr" || rc=$?
	fi
	if [ "$rc" != 0 ]; then
		bad "$name" "'$cmd' failed ($rc): $(run_reason "$log.stderr")"
	else
		missing=$(sed -n "s/^$i	| //p" "$LOGDIR/readme.samples" | grep -vxF '...' |
			while IFS= read -r line; do
				tr -d '\r' < "$log" | grep -qxF -- "$line" || printf '%s\n' "$line"
			done | head -n 1)
		nlines=$(grep -c "^$i	| " "$LOGDIR/readme.samples")
		if [ "$nlines" = 0 ]; then
			bad "$name" "the sample for '$cmd' has no lines"
		elif [ -n "$missing" ]; then
			bad "$name" "README line not printed by '$cmd': $missing (log $log)"
		else
			ok "$name"
		fi
	fi
	i=$((i + 1))
done

# The self-tests the guest has (guest/selftest.c's table) are all named in
# the README's tests= row.
name=readme-names-every-selftest
row=$(grep -E '^\| `tests=' README.md)
missing=
for t in $(sed -n 's/^[[:space:]]*{ "\([a-z_0-9.]*\)",.*/\1/p' guest/selftest.c); do
	case $row in
	*"\`$t\`"*) ;;
	*) missing="$missing $t" ;;
	esac
done
if [ -z "$row" ]; then
	bad "$name" "README.md has no tests= row"
elif [ -n "$missing" ]; then
	bad "$name" "README.md's tests= row lacks:$missing"
else
	ok "$name"
fi
