# SPDX-License-Identifier: MIT
#
# Sourced by tests/gdb/protocol.sh and flood.sh: the GDB remote protocol's
# framing (GDB manual E.1) over file descriptor 3, and the case lines.
# The sourcing script sets $suite (the case prefix) and counts $fails.

# One case: "result ok NAME" or "result fail NAME DETAIL".
result() {
	if [ "$1" = ok ]; then
		echo "PASS $suite/$2"
	else
		echo "FAIL $suite/$2 ($3)"
		fails=$((fails + 1))
	fi
}

# $data#checksum: the modulo-256 sum of the data bytes.
frame() {
	local d=$1 sum=0 i c
	for ((i = 0; i < ${#d}; i++)); do
		printf -v c '%d' "'${d:i:1}"
		sum=$(((sum + c) & 255))
	done
	printf '$%s#%02x' "$d" "$sum"
}

send_raw() {
	printf '%s' "$1" >&3
}
