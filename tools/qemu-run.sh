#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Boot an arm64 image, or the x86-64 UEFI hypervisor, in QEMU under a time limit.
#
#   tools/qemu-run.sh [options] <image> <timeout-seconds> [-- extra QEMU args]
#
#   --arch ARCH        arm64 (default) or x86_64
#   --smp N            CPUs (default 2)
#   --mem SIZE         RAM (default 1G)
#   --cpu MODEL        x86_64 only: QEMU's -cpu (default max: SVM with
#                      nested paging; qemu64 offers SVM without it)
#   --log FILE         console log (default <image without .bin>.log; x86_64: see below)
#   --no-status-line   exit with QEMU's status instead of the image's (for
#                      images other than the hypervisor)
#   --keep-after-panic do not end the run when a CPU stops on a panic (for
#                      inspecting it with a debugger attached to QEMU)
#
# arm64: -M virt,virtualization=on,gic-version=3 -cpu max -nographic -kernel
# <image>; the console (PL011) goes to stdout and to the log.
#
# x86_64: <image> is an EFI system partition directory holding
# EFI/BOOT/BOOTX64.EFI (or the .EFI file itself, put in a temporary one);
# -machine q35 -cpu <--cpu> -nographic with OVMF (Debian's ovmf package):
# OVMF_CODE_4M.fd as read-only pflash, a fresh writable copy of
# OVMF_VARS_4M.fd next to the log, the ESP as QEMU's fat: drive with
# snapshot=on (guest writes never reach the directory), no NIC (so OVMF does
# not try a network boot).  The console (COM1) goes to stdout and the log
# (default: hyp.log beside the ESP directory; <file>.log for a .EFI).
#
# x86_64 runs on one host thread (-accel tcg,thread=single) unless
# X86_TCG_THREAD=multi: under QEMU 7.2's multi-threaded TCG, nested-paging
# guests whose vCPUs fault while another vCPU gives memory back (stage-2
# unmaps, TLB-flush IPIs) come out of a #VMEXIT with the host's own state
# (RIP past our VMRUN, our CR3, RSP and RAX) in their VMCB save area, or
# triple-fault in a spin loop: RUN=give_back_race:3+give_back_race:3 twice
# per boot failed in 10 of 22 boots, and in 0 of 30 with one TCG thread.
# Only QEMU's VMRUN/#VMEXIT writes that state, the VMCB held the guest's
# just before the VMRUN, and the code before the shadow MMU (d0a3a41) shows
# it too (arch/x86_64/vcpu.c ends such a VM with the evidence).  The hypervisor's CPUs
# still interleave; arm64 and the host tests keep true parallelism.  One
# cost: the one thread runs a busy CPU until it halts or QEMU's kick timer
# fires, every 100 ms (TCG_KICK_PERIOD = NANOSECONDS_PER_SECOND / 10 in
# accel/tcg/tcg-accel-ops-rr.h), so with both CPUs busy a vCPU may wait
# that long whatever our scheduler does: x86 starvation tests (a ticker
# beside a spinning guest, the GDB flood's heartbeat) keep CPU 1 idle.
#
# Both work with stdin closed or not a terminal (CI): QEMU then reads
# /dev/null.  With a terminal, Ctrl-A x quits QEMU and Ctrl-A c gives its
# monitor.
#
# Exit status:
#   - the N of the last "hyp: exit status N" console line: the hypervisor
#     prints it from _exit() right before PSCI SYSTEM_OFF (x86_64: ACPI S5),
#     because QEMU itself exits 0 on power-off whatever the hypervisor meant;
#   - 1 if QEMU exited 0 without such a line (e.g. powered off early);
#   - QEMU's own status if it failed;
#   - 125 when a CPU reported a panic ("hyp: cpuN stopped"): the hypervisor
#     only stops that CPU, so the run would otherwise sit out its time limit;
#   - 124 on timeout, after printing "TIMEOUT after Ns; last console lines:"
#     and the last 20 lines.
set -uo pipefail

usage() {
	echo "usage: $0 [--arch arm64|x86_64] [--smp N] [--mem SIZE] [--cpu MODEL] [--log FILE]" \
	     "[--no-status-line]" \
	     "[--keep-after-panic] <image> <timeout-seconds> [-- qemu args]" >&2
	exit 2
}

arch=arm64
smp=2
mem=1G
cpu=max
log=
status_line=1
panic_stop=1
while [ $# -gt 0 ]; do
	case "$1" in
	--arch) arch=${2:?}; shift 2 ;;
	--smp) smp=${2:?}; shift 2 ;;
	--mem) mem=${2:?}; shift 2 ;;
	--cpu) cpu=${2:?}; shift 2 ;;
	--log) log=${2:?}; shift 2 ;;
	--no-status-line) status_line=0; shift ;;
	--keep-after-panic) panic_stop=0; shift ;;
	--) break ;;
	-*) usage ;;
	*) break ;;
	esac
done
[ $# -ge 2 ] || usage
image=$1
limit=$2
shift 2
[ "${1:-}" = -- ] && shift
case "$arch" in
arm64|x86_64) ;;
*) usage ;;
esac
if [ "$arch" = arm64 ]; then
	[ -f "$image" ] || { echo "qemu-run: no image '$image'" >&2; exit 2; }
	[[ "$limit" =~ ^[0-9]+$ ]] || usage
	[ -n "$log" ] || log="${image%.bin}.log"
else
	[[ "$limit" =~ ^[0-9]+$ ]] || usage
	[ -e "$image" ] || { echo "qemu-run: no ESP directory or .EFI file '$image'" >&2; exit 2; }
	if [ -d "$image" ]; then
		[ -f "$image/EFI/BOOT/BOOTX64.EFI" ] ||
			{ echo "qemu-run: no EFI/BOOT/BOOTX64.EFI in '$image'" >&2; exit 2; }
		[ -n "$log" ] || log="$(dirname "$image")/hyp.log"
	else
		[ -n "$log" ] || log="${image%.*}.log"
	fi
fi
mkdir -p "$(dirname "$log")"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if [ "$arch" = arm64 ]; then
	qemu=(qemu-system-aarch64 -M virt,virtualization=on,gic-version=3 -cpu max
	      -smp "$smp" -m "$mem" -nographic -serial mon:stdio -no-reboot
	      -pidfile "$tmp/qemu.pid" -kernel "$image" "$@")
else
	ovmf_code=/usr/share/OVMF/OVMF_CODE_4M.fd
	ovmf_vars=/usr/share/OVMF/OVMF_VARS_4M.fd
	[ -f "$ovmf_code" ] && [ -f "$ovmf_vars" ] ||
		{ echo "qemu-run: no OVMF in /usr/share/OVMF (tools/deps.sh x86_64)" >&2; exit 2; }
	esp=$image
	if [ ! -d "$image" ]; then
		esp=$tmp/esp
		mkdir -p "$esp/EFI/BOOT"
		cp "$image" "$esp/EFI/BOOT/BOOTX64.EFI"
	fi
	# A fresh copy each run: the firmware's variable store (boot entries)
	# then never carries one run's state into the next.
	vars=$(dirname "$log")/OVMF_VARS.fd
	cp "$ovmf_vars" "$vars"
	qemu=(qemu-system-x86_64 -machine q35 -cpu "$cpu" -accel "tcg,thread=${X86_TCG_THREAD:-single}"
	      -smp "$smp" -m "$mem" -nographic -serial mon:stdio -no-reboot
	      -pidfile "$tmp/qemu.pid" -nic none
	      -drive if=pflash,format=raw,unit=0,readonly=on,file="$ovmf_code"
	      -drive if=pflash,format=raw,unit=1,file="$vars"
	      -drive format=raw,snapshot=on,file=fat:"$esp" "$@")
fi
echo "qemu-run: ${qemu[*]} (limit ${limit}s, log $log)" >&2

# A panic report ends with "hyp: cpuN stopped": stop QEMU then, not at the
# time limit.  Polls the log; the main pipeline below is not slowed by it.
watch_panic() {
	while sleep 0.2; do
		if grep -qaE '^hyp: cpu[0-9]* stopped' "$log" 2>/dev/null; then
			sleep 0.3	# let other CPUs' last lines out
			touch "$tmp/panic"
			[ -s "$tmp/qemu.pid" ] && kill -TERM "$(cat "$tmp/qemu.pid")" 2>/dev/null
			return
		fi
	done
}
: >"$log"
if [ "$panic_stop" -eq 1 ]; then
	watch_panic &
	watcher=$!
fi

# timeout(1) puts QEMU in a background process group, where reading a
# terminal would stop it: with a terminal, use --foreground.  Without one,
# give QEMU /dev/null so that a closed stdin cannot become some other file.
if [ -t 0 ]; then
	timeout --foreground -k 5 "$limit" "${qemu[@]}" 2>&1 | tee "$log"
else
	timeout -k 5 "$limit" "${qemu[@]}" </dev/null 2>&1 | tee "$log"
fi
rc=${PIPESTATUS[0]}
[ -n "${watcher:-}" ] && kill "$watcher" 2>/dev/null && wait "$watcher" 2>/dev/null
# The console ends lines with \r\n for terminals; the log does not need the \r.
sed -i 's/\r$//' "$log"

last_lines() {
	tail -n 20 "$log"
}

if [ -e "$tmp/panic" ]; then
	echo "qemu-run: a CPU stopped on a panic; QEMU stopped"
	exit 125
fi
if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
	echo "TIMEOUT after ${limit}s; last console lines:"
	last_lines
	exit 124
fi
if [ "$rc" -ne 0 ]; then
	echo "qemu-run: QEMU exited with status $rc"
	exit "$rc"
fi
[ "$status_line" -eq 1 ] || exit 0
status=$(grep -a -oE '^hyp: exit status -?[0-9]+' "$log" | tail -n 1 | awk '{ print $4 }')
if [ -z "$status" ]; then
	echo "qemu-run: QEMU exited without a 'hyp: exit status N' line; last console lines:"
	last_lines
	exit 1
fi
exit $((status & 255))
