#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# arm64 hypervisor benchmark (make bench-arm64), measured by the payloads and
# against baselines taken in the same run:
#
#  - stage-2 faults per second, measured by tests/guest/fault_bench.c from
#    inside the guest (hypervisor clock): one word per 4 KiB over 64 MiB and
#    one word per 2 MiB over 256 MiB of fresh memory, in a VM that maps 4K
#    pages and in one that maps 2M blocks; the baseline is the same payload
#    on a stage 2 populated before it starts (no faults);
#  - boot time: wall time from starting QEMU to the payload's first console
#    line, under the hypervisor and with the same payload booted by bare
#    QEMU at EL1 (the bare build, -kernel), and the hypervisor's own clock
#    at its first guest entry.
#
# Each configuration runs $REPEAT times; the table shows the best run.
#
#   tools/bench-arm64.sh <build/arm64>
set -euo pipefail

out=${1:-build/arm64}
REPEAT=${REPEAT:-3}
hyp=$out/hyp.bin
bare=$out/guest-bare/fault_bench.elf
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for f in "$hyp" "$bare"; do
	[ -f "$f" ] || { echo "bench-arm64: $f missing (make arm64-kvm arm64-guests-bare)" >&2; exit 1; }
done

. "$(dirname "$0")/bench-lib.sh"

# Run QEMU with a time limit, its console lines stamped.  $1 = log file, the rest = QEMU arguments.
timed_qemu() {
	local log=$1 start
	shift
	start=$(now_ns)
	timeout 300 qemu-system-aarch64 -nographic -no-reboot "$@" </dev/null 2>&1 |
		timestamp_lines "$start" >"$log" || true
}

vms=(fault_bench fault_bench:prepopulate fault_bench:blocks fault_bench:blocks:prepopulate)
run=$(IFS=,; echo "${vms[*]}")
declare -A best
for ((r = 0; r < REPEAT; r++)); do
	timed_qemu "$work/hyp.$r" -M virt,virtualization=on,gic-version=3 -cpu max -smp 2 -m 1G \
		-kernel "$hyp" -append "run=$run"
	grep -q '^[0-9]* hyp: exit status 0' "$work/hyp.$r" || {
		echo "bench-arm64: the hypervisor run failed; its log:" >&2
		cut -d' ' -f2- "$work/hyp.$r" | tail -30 >&2
		exit 1
	}
	for vm in "${vms[@]}"; do
		for what in touch4k touch2m; do
			v=$(bench_ns "$work/hyp.$r" "$vm" "$what")
			best[$vm.$what]=$(min "${best[$vm.$what]:-}" "$v")
		done
	done
	v=$(first_line_ns "$work/hyp.$r" 'guest: [0-9]+ vCPU')
	best[boot.hyp]=$(min "${best[boot.hyp]:-}" "$v")
	v=$(sed -n 's/.*first guest instruction \([0-9]*\) us.*/\1/p' "$work/hyp.$r" | head -1)
	best[boot.entry]=$(min "${best[boot.entry]:-}" "$v")

	timed_qemu "$work/bare.$r" -M virt -cpu max -smp 2 -m 512M -kernel "$bare"
	v=$(first_line_ns "$work/bare.$r" 'guest: [0-9]+ vCPU')
	best[boot.bare]=$(min "${best[boot.bare]:-}" "$v")
done

echo
printf '%-44s %12s  %-26s %12s  %8s\n' "arm64 hypervisor (QEMU TCG, best of $REPEAT)" "measured" \
	"baseline" "baseline" "ratio"
# One fault per touch: 4K mappings touched in 4K steps, 2M mappings in 2M steps.
for cfg in "fault_bench touch4k 16384 4K" "fault_bench:blocks touch2m 128 2M"; do
	read -r vm what n size <<<"$cfg"
	f=${best[$vm.$what]}
	p=${best[$vm:prepopulate.$what]}
	row "$size mappings: stage-2 faults/s" "$(per_s "$n" "$f")" \
		"pre-populated: touches/s" "$(per_s "$n" "$p")"
	awk -v f="$f" -v p="$p" -v n="$n" -v s="$size" 'BEGIN {
		printf "    %s: %.1f us per fault (the difference per touch), %d faults\n", s,
		       (f - p) / n / 1e3, n }'
done
awk -v h="${best[boot.hyp]}" -v b="${best[boot.bare]}" 'BEGIN {
	printf "%-44s %12.0f  %-26s %12.0f  %7.2fx\n", "boot to the payload'"'"'s first line, ms",
	       h / 1e6, "bare QEMU, same payload", b / 1e6, h / b }'
echo "first guest instruction: ${best[boot.entry]} us after the machine started (hypervisor clock)"
echo "(a fault's cost includes zeroing the 2 MiB chunk that backs it on first touch: for 4K"
echo " mappings once per 512 faults, for 2M mappings at every fault)"
