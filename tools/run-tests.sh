#!/usr/bin/env bash
# Run tests one after another, each printing its own case lines and a closing
# "N passed, N failed"; add those up and close with the total.  A test that
# dies without its closing line counts as one failure.  Each argument is a
# binary or a shell command line (a QEMU boot: "tools/qemu-run.sh ... ").
set -u
log=$(mktemp)
trap 'rm -f "$log"' EXIT
passed=0
failed=0
for bin in "$@"; do
	echo "== $bin"
	# Streamed as it comes (a QEMU boot takes minutes), kept for the totals.
	bash -c "$bin" 2>&1 | tee "$log"
	status=${PIPESTATUS[0]}
	# A serial console ends its lines with CR LF.
	last=$(tr -d '\r' <"$log" | grep -E '^[0-9]+ passed, [0-9]+ failed$' | tail -1)
	if [ -z "$last" ]; then
		echo "FAIL $bin: exited with status $status before its closing line"
		failed=$((failed + 1))
		continue
	fi
	p=${last%% passed*}
	f=${last#*, }
	f=${f%% failed*}
	passed=$((passed + p))
	failed=$((failed + f))
	if [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "FAIL $bin: exit status $status (sanitizer report?)"
		failed=$((failed + 1))
	fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
