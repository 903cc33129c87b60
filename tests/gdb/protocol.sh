#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Protocol-level test of the hypervisor's GDB stub (kvm/gdbstub*.c), bash
# only (/dev/tcp): malformed, damaged, oversized and unknown packets get the
# protocol's answers (GDB manual, appendix E), and the stub keeps working.
#
#   [GDB_ARCH=arm64|x86_64] tests/gdb/protocol.sh PORT ELF
#
# PORT: the debug channel's TCP port, of a hypervisor running
# run=gdbdemo:2:gdb (started by tools/gdb-test.sh); ELF: gdbdemo.elf for
# the addresses of its variables.  Writes gdbdemo_verdict = 42 so that the
# payload passes once released.  One PASS/FAIL line per case; exit 1 if
# any failed (the summary line is the driver's).
set -uo pipefail

port=${1:?port}
elf=${2:?elf}
arch=${GDB_ARCH:-arm64}
fails=0
# What differs: the symbol reader, the size of 'g', a scratch register to write.
if [ "$arch" = x86_64 ]; then
	nm=nm
	# 16 x 8 + rip 8 + eflags, 6 selectors 4 + st0-7 10 + 8 x87 control 4
	# + xmm0-15 16 + mxcsr 4 + fs_base, gs_base 8 = 552 bytes
	g_hex=1104
	scratch_reg=b		# r11
else
	nm=${ARM64_CROSS:-aarch64-linux-gnu-}nm
	# 31 x 8 + sp, pc 8 + cpsr 4 + 32 v 16 + fpsr, fpcr 4 = 788 bytes
	g_hex=1576
	scratch_reg=11		# x17
fi

sym() {
	"$nm" "$elf" | awk -v s="$1" '$3 == s { print $1; exit }' | sed 's/^0*//'
}
verdict=$(sym gdbdemo_verdict)
spins=$(sym gdbdemo_spins)
hold=$(sym gdbdemo_hold_ms)
[ -n "$verdict" ] && [ -n "$spins" ] && [ -n "$hold" ] ||
	{ echo "FAIL protocol/symbols (no gdbdemo_verdict/_spins/_hold_ms in $elf)"; exit 1; }

exec 3<>"/dev/tcp/127.0.0.1/$port" || { echo "FAIL protocol/connect"; exit 1; }

result() {
	if [ "$1" = ok ]; then
		echo "PASS protocol/$2"
	else
		echo "FAIL protocol/$2 ($3)"
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

# Read one packet: ACKS = what came before its '$', PKT = its data.
recv() {
	local ch state=0
	ACKS=
	PKT=
	while IFS= read -r -u 3 -t "${1:-10}" -N 1 ch; do
		case $state in
		0) if [ "$ch" = '$' ]; then state=1; else ACKS+=$ch; fi ;;
		1) if [ "$ch" = '#' ]; then state=2; else PKT+=$ch; fi ;;
		2) state=3 ;;
		3) return 0 ;;
		esac
	done
	return 1
}

# Only acks: whatever arrives within a short time.
recv_acks() {
	local ch
	ACKS=
	while IFS= read -r -u 3 -t "${1:-2}" -N 1 ch; do
		ACKS+=$ch
	done
}

# Send packet $1, expect a reply packet; "expect NAME DATA PATTERN"
expect() {
	local name=$1 data=$2 pattern=$3
	send_raw "$(frame "$data")"
	if ! recv; then
		result fail "$name" "no reply to '$data'"
	elif [[ "$PKT" == $pattern ]]; then
		result ok "$name"
	else
		result fail "$name" "'$data' answered '${PKT:0:60}', wanted '$pattern'"
	fi
}

# The VM starts stopped: it answers at once.  Like gdb, send again after a
# silence: a packet sent right at the connection has been seen to go missing.
for try in 1 2 3; do
	send_raw "$(frame 'qSupported:multiprocess+;swbreak+;vContSupported+')"
	recv 3 && break
	echo "protocol: no answer to qSupported (try $try)"
done
[[ "$ACKS" == *+* && "$PKT" == *PacketSize=*qXfer:features:read+* ]] &&
	result ok qsupported || result fail qsupported "'$ACKS' '$PKT'"

send_raw '$?#00'
recv_acks
[[ "$ACKS" == -* ]] && result ok bad-checksum-nak || result fail bad-checksum-nak "got '$ACKS'"

send_raw '$?#zz'
recv_acks
[[ "$ACKS" == -* ]] && result ok non-hex-checksum-nak || result fail non-hex-checksum-nak "got '$ACKS'"

expect stop-reason '?' 'T05thread:1;'
expect unknown-empty 'qNoSuchPacketHere' ''
expect unknown-letter-empty 'y123' ''
expect empty-packet '' ''
expect malformed-m 'mxyz' 'E22'
expect malformed-M-short 'M1000,8:00' 'E22'
expect malformed-Z 'Z0,' 'E22'
expect bad-register 'p999' 'E22'
expect bad-thread-H 'Hg9' 'E22'
expect bad-thread-T 'T9' 'E22'
expect bad-vcont 'vCont;q' 'E22'
expect bad-G 'G123' 'E22'
expect unmapped-read-E14 'mdead00000000,4' 'E14'
expect unmapped-write-E14 'Mdead00000000,1:00' 'E14'
expect unmapped-Z0-E14 'Z0,dead00000000,4' 'E14'
expect long-hex-number 'm11112222333344445555,4' 'E22'

# Longer than PacketSize (4096): read to its end, answered with an error.
big=$(printf 'A%.0s' $(seq 1 5000))
expect oversized "$big" 'E22'

# A '$' inside a packet starts a new one.
send_raw '$m12'
expect resync '?' 'T05thread:1;'

expect threads 'qfThreadInfo' 'm1,2'
expect threads-end 'qsThreadInfo' 'l'
expect thread-alive 'T2' 'OK'
expect vcont-query 'vCont?' 'vCont;c;C;s;S'
expect target-xml 'qXfer:features:read:target.xml:0,40' 'm<?xml*'
expect target-xml-end 'qXfer:features:read:target.xml:100000,40' 'l'
expect target-xml-annex 'qXfer:features:read:nosuch.xml:0,40' 'E22'

send_raw "$(frame g)"
recv
[ ${#PKT} -eq "$g_hex" ] && result ok read-registers || result fail read-registers "length ${#PKT}"
expect write-register "P$scratch_reg=efbeadde00000000" 'OK'
expect read-register "p$scratch_reg" 'efbeadde00000000'

expect write-mem "M$verdict,4:2a000000" 'OK'
expect read-mem "m$verdict,4" '2a000000'
# X: '}' escapes the next byte, XORed with 0x20: "}]" is 0x7d.
expect write-binary "X$spins,2:}]A" 'OK'
expect read-binary "m$spins,2" '7d41'
send_raw "$(frame "m$verdict,ffffffff")"
recv
[ ${#PKT} -gt 0 ] && [ ${#PKT} -le 4096 ] && result ok huge-read-capped ||
	result fail huge-read-capped "length ${#PKT}"

# Ctrl-C: vCPU 0 makes hypercalls for 20 s (gdbdemo_hold_ms) until interrupted.
expect hold "M$hold,4:204e0000" 'OK'
send_raw "$(frame 'vCont;c')"
recv_acks 1
printf '\003' >&3
if recv 20 && [[ "$PKT" == T02thread:* ]]; then
	result ok ctrl-c-stops
else
	result fail ctrl-c-stops "got '${PKT:-nothing}'"
fi
expect release "M$hold,4:00000000" 'OK'

expect no-ack-mode 'QStartNoAckMode' 'OK'
send_raw "$(frame '?')"
recv
[[ -z "$ACKS" && "$PKT" == T02thread:* ]] && result ok no-ack-then-works ||
	result fail no-ack-then-works "acks '$ACKS' reply '$PKT'"

expect detach 'D' 'OK'
exec 3<&-
exit $((fails > 0))
