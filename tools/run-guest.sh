#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Boot a guest kernel a user brings under the hypervisor, in QEMU, under a
# time limit; exit with the guest's verdict.
#
#   tools/run-guest.sh [options] IMAGE
#
#   --initrd FILE     initrd (cpio, optionally compressed) for the guest
#   --append ARGS     the guest's command line (default "console=ttyAMA0 earlycon=pl011,0x09000000")
#   --smp N           guest vCPUs (default 2; the QEMU machine gets as many CPUs, at least 2)
#   --mem SIZE        guest RAM, e.g. 512M (default 512M)
#   --timeout S       time limit in seconds (default 300)
#   --console         interactive: the terminal is the guest's UART, both ways
#   --expect REGEX    the guest's console must show a line matching REGEX (grep -E)
#   --hyp FILE        the hypervisor image (default build/arm64/hyp.bin)
#   --log FILE        console log (default build/arm64/run-guest.log)
#
# IMAGE is an arm64 Image, an ELF64 or a raw binary (QEMU -kernel rules);
# a missing or empty file, or a compressed Image, is refused before QEMU
# starts.  QEMU loads IMAGE and the initrd into the hypervisor's RAM with
# "-device loader" at fixed addresses and the hypervisor's boot arguments
# say where (kvm/runner/run_spec.c: run=linux guest=ADDR:SIZE initrd=ADDR:SIZE -- ARGS);
# the hypervisor keeps those ranges out of guest memory, builds the guest's
# RAM, device tree and vCPUs from them, and ends with "hyp: exit status 0"
# when the guest powered off cleanly (PSCI SYSTEM_OFF).
#
# The CPU is QEMU's plain "max": the hypervisor lets the guest use pointer
# authentication (its keys are switched) and hides SVE, SME and the other
# features whose state it does not switch from the guest's ID registers
# (arch/arm64/id_regs.c), so the guest never tries them.
#
# Exit status: that of tools/qemu-run.sh (0: the guest powered off; 1: it
# failed or the hypervisor refused it; 124: time limit), or 1 when --expect
# found nothing, 2 for bad arguments.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
initrd=
append="console=ttyAMA0 earlycon=pl011,0x09000000"
smp=2
mem=512M
timeout=300
console=0
expect=
hyp=$top/build/arm64/hyp.bin
log=$top/build/arm64/run-guest.log

# Host RAM layout under QEMU -m 2G (0x40000000-0xc0000000): the hypervisor
# and its DTB sit low; the blobs go high, each in a 256 MiB window.
host_mem=2G
kernel_addr=0xa0000000
initrd_addr=0xb0000000
window=$((256 << 20))

die() {
	echo "run-guest: $*" >&2
	exit 2
}

while [ $# -gt 0 ]; do
	case "$1" in
	--initrd) initrd=${2?}; shift 2 ;;
	--append) append=${2?}; shift 2 ;;
	--smp) smp=${2?}; shift 2 ;;
	--mem) mem=${2?}; shift 2 ;;
	--timeout) timeout=${2?}; shift 2 ;;
	--console) console=1; shift ;;
	--expect) expect=${2?}; shift 2 ;;
	--hyp) hyp=${2?}; shift 2 ;;
	--log) log=${2?}; shift 2 ;;
	-*) die "unknown option $1" ;;
	*) break ;;
	esac
done
[ $# -eq 1 ] || die "usage: $0 [--initrd F] [--append ARGS] [--smp N] [--mem SIZE] [--timeout S] [--console] [--expect RE] IMAGE"
image=$1

[[ "$smp" =~ ^[1-8]$ ]] || die "--smp must be 1..8"
[[ "$mem" =~ ^[0-9]+[KMG]?$ ]] || die "--mem must be a size like 512M"
[[ "$timeout" =~ ^[0-9]+$ ]] || die "--timeout must be seconds"
[ -f "$hyp" ] || die "no hypervisor image $hyp (make arm64-kvm)"

# What the hypervisor will take it for; refuse here what it would refuse anyway.
kind_of() {
	local f=$1 magic

	magic=$(head -c 4 "$f" | od -An -tx1 | tr -d ' \n')
	if [ "$magic" = 7f454c46 ]; then
		echo ELF
	elif [ "$(dd if="$f" bs=1 skip=56 count=4 2>/dev/null)" = $'ARM\x64' ]; then
		echo "arm64 Image"
	elif [ "${magic:0:4}" = 1f8b ]; then
		echo gzip
	else
		echo "raw binary"
	fi
}

[ -e "$image" ] || die "no guest image '$image'"
[ -f "$image" ] || die "guest image '$image' is not a regular file"
size=$(stat -c %s "$image")
[ "$size" -gt 0 ] || die "guest image '$image' is empty"
[ "$size" -le "$window" ] || die "guest image '$image' is larger than 256 MiB"
kind=$(kind_of "$image")
[ "$kind" != gzip ] || die "guest image '$image' is gzip-compressed (Image.gz?): gunzip it first"

loader=(-device "loader,file=$image,addr=$kernel_addr,force-raw=on")
args="guest=$kernel_addr:$size"
if [ -n "$initrd" ]; then
	[ -f "$initrd" ] || die "no initrd '$initrd'"
	isize=$(stat -c %s "$initrd")
	[ "$isize" -gt 0 ] || die "initrd '$initrd' is empty"
	[ "$isize" -le "$window" ] || die "initrd '$initrd' is larger than 256 MiB"
	loader+=(-device "loader,file=$initrd,addr=$initrd_addr,force-raw=on")
	args+=" initrd=$initrd_addr:$isize"
fi

vm="linux:$smp:mem=$mem:time=$timeout"
[ "$console" -eq 1 ] && vm+=":console"
qsmp=$(( smp < 2 ? 2 : smp ))
echo "run-guest: $kind '$image' ($size bytes)${initrd:+, initrd '$initrd'}, $smp vCPU(s), $mem" >&2

# A little longer than the VM's own limit, so the hypervisor reports it first;
# --timeout 0 (interactive) means a day.
qlimit=$(( timeout ? timeout + 30 : 86400 ))
"$top/tools/qemu-run.sh" --smp "$qsmp" --mem "$host_mem" --log "$log" "$hyp" \
	"$qlimit" -- "${loader[@]}" -append "run=$vm $args -- $append"
rc=$?
if [ -n "$expect" ] && ! grep -aqE "$expect" "$log"; then
	echo "run-guest: no console line matches '$expect' (log $log)"
	[ "$rc" -ne 0 ] || rc=1
fi
exit "$rc"
