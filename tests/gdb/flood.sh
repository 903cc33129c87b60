#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# A debugger that stops reading: the hypervisor's GDB stub must not let it
# hold a CPU.  Against gdbdemo:2:gdb beside a heartbeat VM on the same CPU
# (tools/gdb-test.sh):
# ask for more full-size memory replies than the sockets between us hold,
# then send a flood of '-' (NAK: "send it again"), without reading a byte for
# a few seconds, while the log must not yet show the heartbeat VM's end (so
# that its gaps, checked by the driver, covered the flood).  Then read
# again: the stub must answer '?' after the rest, and release gdbdemo with
# its verdict written.  (The same connection throughout: whether QEMU
# notices a client that hung up while its socket buffers were full is
# QEMU's business, not the stub's.)
#
#   tests/gdb/flood.sh PORT ELF LOG
#
# One PASS/FAIL line per case; exit 1 if any failed.
set -uo pipefail

suite=flood
# shellcheck source=tests/gdb/packets.sh
. "$(dirname "$0")/packets.sh"

port=${1:?port}
elf=${2:?elf}
log=${3:?log}
arch=${GDB_ARCH:-arm64}
fails=0
[ "$arch" = x86_64 ] && nm=nm || nm=${ARM64_CROSS:-aarch64-linux-gnu-}nm

# The next packet whose data matches $1 (a glob), within $2 seconds: leftovers of the
# flood may come first.
recv_match() {
	local want=$1 end=$((SECONDS + $2)) ch state=0 pkt=
	while ((SECONDS < end)) && IFS= read -r -u 3 -t 2 -N 1 ch; do
		case $state in
		0) [ "$ch" = '$' ] && { state=1; pkt=; } ;;
		1) if [ "$ch" = '#' ]; then state=2; else pkt+=$ch; fi ;;
		2) state=3 ;;
		3) state=0; [[ "$pkt" == $want ]] && { PKT=$pkt; return 0; } ;;
		esac
	done
	PKT=$pkt
	return 1
}

verdict=$("$nm" "$elf" | awk '$3 == "gdbdemo_verdict" { print $1; exit }' | sed 's/^0*//')
[ -n "$verdict" ] || { echo "FAIL flood/symbols (no gdbdemo_verdict in $elf)"; exit 1; }

exec 3<>"/dev/tcp/127.0.0.1/$port" || { echo "FAIL flood/connect"; exit 1; }
# 128 requests for the largest reply (4096 characters: 0x800 bytes), more than the
# sockets between us buffer, then '-' (the last reply again, please), then '?'.  The
# writer blocks once the stub stops taking input; we read nothing for 3 s.
m=$(frame "m$verdict,800")
(for ((i = 0; i < 128; i++)); do printf '%s' "$m"; done
 printf -- '-%.0s' $(seq 1 16384)
 printf '%s' "$(frame '?')") >&3 &
writer=$!
sleep 3
grep -qa 'heartbeat: done' "$log" && result fail heartbeat-covered-flood \
	"the heartbeat VM ended before the flood did: start the flood sooner" ||
	result ok heartbeat-covered-flood

# Read again: the replies, at most a few resends, then the answer to '?'.  Read in
# blocks (cat), not a byte at a time: on a 2-core machine a busy client would take a
# CPU from QEMU and show as gaps in the heartbeat.
got=$(mktemp)
cat <&3 >"$got" &
reader=$!
found=false
for ((i = 0; i < 180; i++)); do
	grep -qaF '$T05thread:' "$got" && { found=true; break; }
	sleep 0.5
done
kill "$reader" 2>/dev/null
wait "$reader" 2>/dev/null
$found && result ok stub-answers-after-flood ||
	result fail stub-answers-after-flood "no T05 stop reply within 90 s ($(wc -c <"$got") bytes)"
rm -f "$got"
kill "$writer" 2>/dev/null
wait "$writer" 2>/dev/null
printf '%s' "$(frame "M$verdict,4:2a000000")" >&3
recv_match OK 10 && result ok write-after-flood || result fail write-after-flood "got '${PKT:0:40}'"
printf '%s' "$(frame D)" >&3
recv_match OK 10 && result ok detach-after-flood || result fail detach-after-flood "got '${PKT:0:40}'"
exec 3<&-
exit $((fails > 0))
