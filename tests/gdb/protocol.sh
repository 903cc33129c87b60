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

suite=protocol
# shellcheck source=tests/gdb/packets.sh
. "$(dirname "$0")/packets.sh"

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
	# Hex offsets in 'g' of registers a G round trip changes (GDB's amd64
	# order): rax, rsp, r15, rip, eflags, xmm0, mxcsr, fs_base, gs_base.
	g_edits="0:16 112:16 240:16 256:16 272:8 552:32 1064:8 1072:16 1088:16"
	# The hypervisor's own symbols (Z1 at its addresses must not hurt it).
	hyp_elf=$(dirname "$elf")/../hyp.elf
else
	nm=${ARM64_CROSS:-aarch64-linux-gnu-}nm
	# 31 x 8 + sp, pc 8 + cpsr 4 + 32 v 16 + fpsr, fpcr 4 = 788 bytes
	g_hex=1576
	scratch_reg=11		# x17
	# x0, x17, x30, sp, pc, v0, fpsr
	g_edits="0:16 272:16 480:16 496:16 512:16 536:32 1560:8"
	hyp_elf=
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

# ---- registers: values the hardware refuses, G all or nothing --------------

# Read one register: REG = its hex.
read_reg() {
	send_raw "$(frame "p$1")"
	recv
	REG=$PKT
}

# Refused: E22, and the register reads as before.
expect_refused() {	# name regnum value
	local before
	read_reg "$2"
	before=$REG
	send_raw "$(frame "P$2=$3")"
	recv
	if [ "$PKT" != E22 ]; then
		result fail "$1" "P$2=$3 answered '$PKT', wanted E22"
		return
	fi
	read_reg "$2"
	[ "$REG" = "$before" ] && result ok "$1" || result fail "$1" "changed: '$before' -> '$REG'"
}

if [ "$arch" = x86_64 ]; then
	# 0xffff0000: bits 31:16 are reserved whatever MXCSR_MASK says (FXRSTOR #GP)
	expect_refused mxcsr-reserved-bits-E22 38 0000ffff
	expect_refused selector-change-E22 12 2b000000		# cs
	expect_refused eflags-reserved-bit-E22 11 02004000	# bit 22
	expect_refused eflags-vm86-E22 11 02000200		# VM
	# 2^56: not canonical for 48- nor 57-bit linear addresses
	expect_refused fs-base-non-canonical-E22 39 0000000000000001
else
	expect_refused cpsr-el2-mode-E22 21 c9030000		# EL2h
fi

# Each edit of 'g' gets a new value: every nibble changed, kept valid
# (flags: CF toggled; MXCSR: FTZ toggled; bases stay canonical).
edit_regs() {	# g-hex -> G-hex with g_edits applied
	local g=$1 e off len val
	for e in $g_edits; do
		off=${e%:*}
		len=${e#*:}
		if [ "$arch" = x86_64 ] && [ "$off" = 272 ]; then
			val=$(printf '%02x' $((0x${g:off:2} ^ 1)))${g:off+2:6}
		elif [ "$arch" = x86_64 ] && [ "$off" = 1064 ]; then
			val=${g:off:2}$(printf '%02x' $((0x${g:off+2:2} ^ 0x80)))${g:off+4:4}
		elif [ "$arch" = x86_64 ] && [ "$off" -ge 1072 ]; then
			val=0010605040300000
			val=${val:0:$len}
		elif [ "$arch" = arm64 ] && [ "$off" = 1560 ]; then
			val=1f000000	# FPSR: the cumulative exception flags
		else
			val=$(printf '%s' "${g:off:len}" | tr '0-9a-f' '56789abcdef01234')
		fi
		g=${g:0:off}$val${g:off+len}
	done
	printf '%s' "$g"
}

send_raw "$(frame g)"
recv
g_orig=$PKT
expect G-of-g "G$g_orig" 'OK'
send_raw "$(frame g)"
recv
[ "$PKT" = "$g_orig" ] && result ok G-of-g-unchanged || result fail G-of-g-unchanged "g differs"
g_new=$(edit_regs "$g_orig")
expect G-modified "G$g_new" 'OK'
send_raw "$(frame g)"
recv
if [ "$PKT" = "$g_new" ]; then
	result ok G-every-register-written
else
	diffs=
	for e in $g_edits; do
		off=${e%:*}
		len=${e#*:}
		[ "${PKT:off:len}" = "${g_new:off:len}" ] || diffs+=" @$off:${PKT:off:len}"
	done
	result fail G-every-register-written "not as written:${diffs:- (elsewhere)}"
fi
# Back to where the guest was, then G packets that must change nothing.
expect G-restore "G$g_orig" 'OK'
expect G-malformed-tail-E22 "G${g_new}z" 'E22'
send_raw "$(frame g)"
recv
[ "$PKT" = "$g_orig" ] && result ok G-malformed-changed-nothing ||
	result fail G-malformed-changed-nothing "registers changed"
if [ "$arch" = x86_64 ]; then
	# Every register valid but MXCSR: E22, and not even the first ones are set.
	expect G-bad-mxcsr-E22 "G${g_new:0:1064}0000ffff${g_new:1072}" 'E22'
	send_raw "$(frame g)"
	recv
	[ "$PKT" = "$g_orig" ] && result ok G-refused-changed-nothing ||
		result fail G-refused-changed-nothing "registers changed"
fi

expect write-mem "M$verdict,4:2a000000" 'OK'
expect read-mem "m$verdict,4" '2a000000'
# X: '}' escapes the next byte, XORed with 0x20: "}]" is 0x7d.
expect write-binary "X$spins,2:}]A" 'OK'
expect read-binary "m$spins,2" '7d41'
send_raw "$(frame "m$verdict,ffffffff")"
recv
[ ${#PKT} -gt 0 ] && [ ${#PKT} -le 4096 ] && result ok huge-read-capped ||
	result fail huge-read-capped "length ${#PKT}"

# Hardware breakpoints at the hypervisor's own entry and exit path (x86: DR0-DR3
# hold linear addresses, the guest's and the host's alike): the guest runs
# through them at every exit and the host must never take them.
if [ -n "$hyp_elf" ] && [ -f "$hyp_elf" ]; then
	hyp_sym() {
		"$nm" "$hyp_elf" | awk -v s="$1" '$3 == s { print $1; exit }' | sed 's/^0*//'
	}
	hyp_bps="$(hyp_sym svm_vmrun) $(hyp_sym svm_vmrun_resume) $(hyp_sym debug_decode)"
	for a in $hyp_bps; do
		expect "Z1-hypervisor-$a" "Z1,$a,1" 'OK'
	done
	expect hold-hw "M$hold,4:204e0000" 'OK'
	send_raw "$(frame 'vCont;c')"
	recv_acks 3
	printf '\003' >&3
	if recv 20 && [[ "$PKT" == T02thread:* ]]; then
		result ok Z1-hypervisor-host-survives-guest-runs
	else
		result fail Z1-hypervisor-host-survives-guest-runs "got '${PKT:-nothing}'"
	fi
	for a in $hyp_bps; do
		expect "z1-hypervisor-$a" "z1,$a,1" 'OK'
	done
elif [ "$arch" = x86_64 ]; then
	result fail Z1-hypervisor-host-survives-guest-runs "no $hyp_elf"
fi

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
