#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# x86-64 hypervisor benchmark (make bench-x86_64), measured by the payloads
# and against baselines taken in the same run, as tools/bench-arm64.sh does
# on arm64:
#
#  - #NPF exits per second, measured by tests/guest/fault_bench.c from
#    inside the guest (hypervisor clock over HC_TIME_NS): one word per 4 KiB
#    over 64 MiB and one word per 2 MiB over 256 MiB of fresh memory, in a
#    VM whose nested tables map 4K pages and in one that maps 2M pages; the
#    baseline is the same payload on nested tables populated before it
#    starts (no #NPF);
#  - boot time, wall clock from starting QEMU (tools/qemu-run.sh, OVMF) to
#    the payload's first console line, every line timestamped as it
#    arrives; the baseline is the firmware's share, QEMU start to the UEFI
#    stub's first line (OVMF done, our code starts).  There is no bare
#    baseline as on arm64: an x86-64 payload needs the hypervisor's entry
#    contract (tests/guest/runtime/entry_x86_64.h), and QEMU's -kernel
#    loads no 64-bit ELF;
#  - shadow paging against nested paging, on the same CPU (-cpu max) in
#    the same boot: the same fault_bench in a VM forced onto the shadow MMU
#    (option "shadow": #PF exits instead of #NPF), faulting and with its
#    memory backed beforehand (prepopulate: no chunk zeroing, the shadow
#    faults remain), and the 256 MiB give-back of ticker beside a vCPU on
#    the same physical CPU: the longest gap that vCPU saw during the
#    give-back, through the rmap (shadow) or the nested tables;
#  - the hypervisor's own clock at its first guest entry ("total: first
#    guest instruction N us after the machine started": the TSC, which
#    QEMU starts at 0 with the machine), beside the wall clock's view of it.
#
# Each configuration runs $REPEAT times; the table shows the best run.
#
#   tools/bench-x86.sh <build/x86_64>
set -euo pipefail

out=${1:-build/x86_64}
REPEAT=${REPEAT:-3}
esp=$out/esp
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
[ -f "$esp/EFI/BOOT/BOOTX64.EFI" ] ||
	{ echo "bench-x86: $esp/EFI/BOOT/BOOTX64.EFI missing (make x86_64-kvm)" >&2; exit 1; }

. "$(dirname "$0")/bench-lib.sh"
ROW_BASE_WIDTH=30

# Run the hypervisor with a time limit, its console lines stamped.  $1 = log file, $2 = the run= list.
timed_hyp() {
	local log=$1 run=$2 start
	start=$(now_ns)
	tools/qemu-run.sh --arch x86_64 --smp 2 --mem 1G --log "$log.raw" "$esp" 300 -- \
		-fw_cfg "name=opt/hyp/cmdline,string=run=${run//,/,,}" </dev/null 2>&1 |
		timestamp_lines "$start" >"$log" || true
}

vms=(fault_bench fault_bench:prepopulate fault_bench:blocks fault_bench:blocks:prepopulate
     fault_bench:shadow fault_bench:shadow:prepopulate ticker:2:cpus=1 ticker:2:cpus=1:shadow)
run=$(IFS=,; echo "${vms[*]}")
declare -A best
for ((r = 0; r < REPEAT; r++)); do
	timed_hyp "$work/hyp.$r" "$run"
	grep -q '^[0-9]* hyp: exit status 0' "$work/hyp.$r" || {
		cp "$work/hyp.$r" "$out/bench-x86-failed.log"
		echo "bench-x86: the hypervisor run failed (whole log: $out/bench-x86-failed.log);" \
		     "its failures and last lines:" >&2
		cut -d' ' -f2- "$work/hyp.$r" | grep -a '^FAIL' >&2 || true
		cut -d' ' -f2- "$work/hyp.$r" | tail -30 >&2
		exit 1
	}
	for vm in "${vms[@]}"; do
		if [ "${vm#ticker}" != "$vm" ]; then
			v=$(grep -F "[$vm] ticker: max gap" "$work/hyp.$r" |
				sed -n 's/.*gave them back: \([0-9]*\) us.*/\1/p' | head -1)
			best[$vm.gap]=$(min "${best[$vm.gap]:-}" "$v")
			continue
		fi
		for what in touch4k touch2m; do
			v=$(bench_ns "$work/hyp.$r" "$vm" "$what")
			best[$vm.$what]=$(min "${best[$vm.$what]:-}" "$v")
		done
	done
	v=$(first_line_ns "$work/hyp.$r" 'guest: [0-9]+ vCPU')
	best[boot.payload]=$(min "${best[boot.payload]:-}" "$v")
	v=$(first_line_ns "$work/hyp.$r" '^[0-9]+ hyp-efi:')
	best[boot.stub]=$(min "${best[boot.stub]:-}" "$v")
	v=$(first_line_ns "$work/hyp.$r" '^[0-9]+ kvm: ')
	best[boot.kvm]=$(min "${best[boot.kvm]:-}" "$v")
	v=$(sed -n 's/.*first guest instruction \([0-9]*\) us.*/\1/p' "$work/hyp.$r" | head -1)
	best[boot.entry]=$(min "${best[boot.entry]:-}" "$v")
done

echo
printf '%-44s %12s  %-30s %12s  %8s\n' "x86-64 hypervisor (SVM+NPT, QEMU TCG, best of $REPEAT)" \
	"measured" "baseline" "baseline" "ratio"
# One #NPF per touch: 4K mappings touched in 4K steps, 2M mappings in 2M steps.
for cfg in "fault_bench touch4k 16384 4K" "fault_bench:blocks touch2m 128 2M"; do
	read -r vm what n size <<<"$cfg"
	f=${best[$vm.$what]}
	p=${best[$vm:prepopulate.$what]}
	row "$size mappings: #NPF exits/s" "$(per_s "$n" "$f")" \
		"pre-populated: touches/s" "$(per_s "$n" "$p")"
	awk -v f="$f" -v p="$p" -v n="$n" -v s="$size" 'BEGIN {
		printf "    %s: %.1f us per #NPF (the difference per touch), %d exits\n", s,
		       (f - p) / n / 1e3, n }'
done
"$(dirname "$0")/bench-x86-shadow.sh" "$REPEAT" \
	"${best[fault_bench:shadow.touch4k]}" "${best[fault_bench.touch4k]}" \
	"${best[fault_bench:shadow:prepopulate.touch4k]}" "${best[fault_bench:prepopulate.touch4k]}" \
	"${best[ticker:2:cpus=1:shadow.gap]}" "${best[ticker:2:cpus=1.gap]}"
echo
awk -v h="${best[boot.payload]}" -v b="${best[boot.stub]}" 'BEGIN {
	printf "%-44s %12.0f  %-30s %12.0f  %7.2fx\n", "QEMU start to the payload'"'"'s first line, ms",
	       h / 1e6, "QEMU start to our UEFI stub", b / 1e6, h / b }'
awk -v k="${best[boot.kvm]}" -v e="${best[boot.entry]}" -v s="${best[boot.stub]}" 'BEGIN {
	printf "QEMU start to kvm ready (wall):            %8.3f s (%.0f ms after the stub)\n",
	       k / 1e9, (k - s) / 1e6
	printf "first guest instruction (hypervisor clock): %8.3f s after the machine started\n",
	       e / 1e6 }'
echo "(wall times include QEMU's own start-up and OVMF; the hypervisor clock is the TSC,"
echo " which starts with the machine, so it omits QEMU's start-up before the firmware's"
echo " first instruction.  A #NPF's cost includes zeroing the 2 MiB chunk that backs it on"
echo " first touch: for 4K mappings once per 512 exits, for 2M mappings at every exit)"
