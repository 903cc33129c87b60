# SPDX-License-Identifier: MIT
#
# Helpers the QEMU benchmark scripts share (sourced by tools/bench-arm64.sh
# and tools/bench-x86.sh): console lines stamped with wall time, values
# picked out of a log, best-of-N, and the table row.

now_ns() { date +%s%N; }

# Filter: prefix every line with the wall ns since $1 (a now_ns value); drop CR.
timestamp_lines() {
	local start=$1 line
	while IFS= read -r line; do
		printf '%s %s\n' "$(($(now_ns) - start))" "${line%$'\r'}"
	done
}

# Wall ns to the first line matching $2 in a stamped log $1.
first_line_ns() {
	awk -v re="$2" '$0 ~ re { print $1; exit }' "$1"
}

# ns value of "bench: <what> ... ns=N" printed by VM $2 in log $1.
bench_ns() {
	grep -F "[$2] bench: $3 " "$1" | sed -n 's/.* ns=\([0-9]*\).*/\1/p' | head -1
}

# The smaller of two numbers, treating "" as infinity.
min() {
	if [ -z "$1" ]; then echo "$2"; elif [ -z "$2" ] || [ "$1" -le "$2" ]; then echo "$1"; else echo "$2"; fi
}

# A table row: what, value, baseline name, baseline value (ROW_BASE_WIDTH: name column).
row() {
	awk -v w="$1" -v a="$2" -v bn="$3" -v b="$4" -v bw="${ROW_BASE_WIDTH:-26}" \
		'BEGIN { printf "%-44s %12.0f  %-*s %12.0f  %7.2fx\n", w, a, bw, bn, b, a / b }'
}

per_s() {	# count, ns
	awk -v n="$1" -v t="$2" 'BEGIN { printf "%.0f", n * 1e9 / t }'
}
