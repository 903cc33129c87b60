#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Linux guest benchmark (make bench-linux, part of make bench): Debian's
# arm64 cloud kernel with the marker initramfs (tools/linux-guest.sh), 2 vCPUs,
# 512 MiB, command line "console=ttyAMA0 panic=-1":
#
#  - under the hypervisor: tools/run-guest.sh (QEMU -M virt,virtualization=on,
#    gic-version=3 -cpu max -smp 2 -m 2G, the hypervisor as -kernel);
#  - the baseline, measured in the same run: the same kernel and initramfs
#    under bare QEMU, -M virt,gic-version=3 -cpu max -smp 2 -m 512M -kernel.
#
# Measured: wall time from QEMU's start to the guest's marker line
# ("LINUX-GUEST-MARKER cpus=2 ...", printed by its /init), best of $REPEAT
# runs each; every console line gets its wall time when it arrives (bash's
# EPOCHREALTIME, no process per line).  Under the hypervisor the clock starts
# at tools/qemu-run.sh's "qemu-run: qemu-system-aarch64 ..." line, printed
# just before it starts QEMU, so the scripts' own start-up is not counted.
# From the hypervisor's counters of the fastest run: stage-2 faults, RCU,
# and the exits by reason (kvm/runner/verdict.c prints them per VM).
#
#   tools/bench-linux.sh [build/arm64]      REPEAT=n (default 3), GOAL=1.25
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$top/build/arm64}
REPEAT=${REPEAT:-3}
GOAL=${GOAL:-1.25}
LIMIT=${LIMIT:-300}
guest_dir=${LINUX_GUEST_DIR:-$top/build/linux-guest}
hyp=$out/hyp.bin
image=$guest_dir/Image
initrd=$guest_dir/initrd-marker.gz
append="console=ttyAMA0 panic=-1"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for f in "$hyp" "$image" "$initrd"; do
	[ -f "$f" ] || { echo "bench-linux: $f missing (make arm64-kvm linux-guest)" >&2; exit 1; }
done

now_us() {
	local t=${EPOCHREALTIME/[.,]/}
	echo "$t"
}

# Run "$@" (stdout and stderr merged) with every line prefixed by the wall
# time in microseconds since the start; into file $log.  The CPU time (user +
# sys, ms) of "$@" and everything it waited for (QEMU's threads) goes to
# $log.cpu: on a machine shared with other work it is the steadier number.
timestamped() {
	local log=$1 start
	shift
	start=$(now_us)
	bash -c '"$@"; times >"$0.times"' "$log" "$@" </dev/null 2>&1 |
		while IFS= read -r line; do
			t=${EPOCHREALTIME/[.,]/}
			printf '%s %s\n' "$((t - start))" "${line%$'\r'}"
		done >"$log" || true
	# times: "0m0.01s 0m0.02s" for the shell, then the same for its children
	awk 'NR == 2 { gsub(/[ms]/, " "); print int(($1 * 60 + $2 + $3 * 60 + $4) * 1000) }' \
		"$log.times" >"$log.cpu"
}

# Wall us of the first line matching ERE $2 in log $1, "" if none.
first_us() {
	awk -v re="$2" '{ t = $1; sub(/^[0-9]+ /, "") } $0 ~ re { print t; exit }' "$1"
}

# The number after "NAME " in the first line of log $1 matching $2.
counter() {
	grep -a "$2" "$1" | head -n 1 | sed -n "s/.*[ ,]$3 \([0-9]*\).*/\1/p"
}

declare -A best
best_run=
for ((r = 0; r < REPEAT; r++)); do
	timestamped "$work/hyp.$r" "$top/tools/run-guest.sh" --hyp "$hyp" --smp 2 --mem 512M \
		--timeout "$LIMIT" --append "$append" --log "$work/hyp-console.$r" \
		--expect '^\[linux\] LINUX-GUEST-MARKER cpus=2 ' --initrd "$initrd" "$image"
	t0=$(first_us "$work/hyp.$r" '^qemu-run: qemu-system-aarch64')
	t1=$(first_us "$work/hyp.$r" '^\[linux\] LINUX-GUEST-MARKER cpus=2 ')
	if [ -z "$t0" ] || [ -z "$t1" ] || ! grep -aq '^hyp: exit status 0' "$work/hyp-console.$r"; then
		echo "bench-linux: the guest did not reach its marker and power off under the hypervisor:" >&2
		cut -d' ' -f2- "$work/hyp.$r" | tail -30 >&2
		exit 1
	fi
	if [ -z "${best[hyp]:-}" ] || [ $((t1 - t0)) -lt "${best[hyp]}" ]; then
		best[hyp]=$((t1 - t0))
		best_run=$r
	fi
	cpu=$(cat "$work/hyp.$r.cpu")
	[ -n "${best[hypcpu]:-}" ] && [ "${best[hypcpu]}" -le "$cpu" ] || best[hypcpu]=$cpu

	timestamped "$work/bare.$r" timeout -k 5 "$LIMIT" qemu-system-aarch64 \
		-M virt,gic-version=3 -cpu max -smp 2 -m 512M -nographic -no-reboot \
		-kernel "$image" -initrd "$initrd" -append "$append"
	t1=$(first_us "$work/bare.$r" '^LINUX-GUEST-MARKER cpus=2 ')
	[ -n "$t1" ] || {
		echo "bench-linux: no marker line under bare QEMU:" >&2
		cut -d' ' -f2- "$work/bare.$r" | tail -30 >&2
		exit 1
	}
	if [ -z "${best[bare]:-}" ] || [ "$t1" -lt "${best[bare]}" ]; then
		best[bare]=$t1
	fi
	cpu=$(cat "$work/bare.$r.cpu")
	[ -n "${best[barecpu]:-}" ] && [ "${best[barecpu]}" -le "$cpu" ] || best[barecpu]=$cpu
done

log=$work/hyp-console.$best_run
vmline() {	# the per-VM counter line holding $1
	grep -a "^vm linux: .*$1" "$log" | head -n 1
}
c() {		# counter $2 from the per-VM line holding $1
	counter "$log" "^vm linux: .*$1" "$2"
}
faults=$(c 'stage-2 faults' 'stage-2 faults')
pages=$(c 'pages mapped' 'pages mapped')
blocks=$(c 'blocks mapped' 'blocks mapped')
tables=$(c 'tables allocated' 'tables allocated')
rcu_freed=$(c 'freed through RCU' 'freed through RCU')
gps=$(c 'grace periods' 'grace periods')
resched=$(c 'rescheduling points' 'rescheduling points')
exits=$(c 'exits' 'exits')
mmio=$(c 'exits' 'UART')
wfi=$(c 'exits' 'WFI')
psci=$(c 'exits' 'PSCI')
hcalls=$(c 'exits' 'hypercalls')
vm_ms=$(vmline 'ended' | sed -n 's/.* \([0-9]*\) ms,.*/\1/p')
entry_us=$(sed -n 's/.*first guest instruction \([0-9]*\) us.*/\1/p' "$log" | head -n 1)
[ -n "$faults" ] && [ -n "$exits" ] || {
	echo "bench-linux: no per-VM counter lines in the hypervisor's log" >&2
	exit 1
}
other=$((exits - faults - mmio - wfi - psci - hcalls))

echo
printf '%-50s %10s  %-32s %10s  %7s\n' "Linux guest, 2 vCPUs (QEMU TCG, best of $REPEAT)" "measured" \
	"baseline" "baseline" "ratio"
awk -v h="${best[hyp]}" -v b="${best[bare]}" -v g="$GOAL" 'BEGIN {
	printf "%-50s %10.0f  %-32s %10.0f  %6.2fx  (goal <= %.2fx: %s)\n",
	       "QEMU start to the guest'"'"'s marker line, ms", h / 1e3,
	       "bare QEMU, same kernel + initrd", b / 1e3, h / b, g, h / b <= g ? "met" : "MISSED" }'
awk -v h="${best[hypcpu]}" -v b="${best[barecpu]}" 'BEGIN {
	printf "%-50s %10.0f  %-32s %10.0f  %6.2fx\n",
	       "QEMU CPU time (user + sys) to its exit, ms", h, "bare QEMU, same kernel + initrd", b, h / b }'
echo "    hypervisor: first guest instruction after ${entry_us} us; the VM lived ${vm_ms} ms (to its power-off)"
echo "    stage-2 faults ${faults} (4K pages mapped ${pages}, 2M blocks mapped ${blocks}), table pages ${tables}"
echo "    RCU: tables freed through RCU ${rcu_freed}, grace periods ${gps}, rescheduling points ${resched}"
echo "    exits ${exits}: stage-2 faults ${faults}, MMIO (UART, GIC) ${mmio}, WFI ${wfi}, PSCI ${psci}," \
	"hypercalls ${hcalls}, interrupts/SGIs/other ${other}"
