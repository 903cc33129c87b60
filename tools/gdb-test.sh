#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# The GDB stub's tests: boot the hypervisor with run=gdbdemo:2:gdb and the
# debug channel (arm64: a pci-serial 16550; x86_64: an isa-serial on COM2,
# I/O 0x2f8; either with a TCP socket as its chardev), then
#
#   1. drive real gdb-multiarch in batch mode (tests/gdb/session*.gdb):
#      attach, one thread per vCPU, break at a function by name, continue,
#      read its arguments and a local array, a hardware breakpoint,
#      single step, read an unmapped address (an error, the stub lives on),
#      write the variable that decides the payload's verdict, detach, and the
#      payload finishes and passes;
#   2. boot again and send raw packets (tests/gdb/protocol.sh): damaged,
#      malformed, oversized, unknown, Ctrl-C, no-ack mode; then the payload
#      must still finish and pass;
#   3. boot gdbdemo beside a heartbeat VM and flood the stub with NAKs from
#      a client that stops reading (tests/gdb/flood.sh): the heartbeat's vCPUs
#      must never wait 50 ms, and the stub must answer afterwards.
#
#   tools/gdb-test.sh [--arch arm64|x86_64] [image [payload-elf [timeout-seconds]]]
#
# Defaults: build/arm64/hyp.bin (x86_64: the ESP directory build/x86_64/esp),
# build/<arch>/guest/gdbdemo.elf, 240 s per boot (x86_64: QEMU CPU model
# $GDB_TEST_CPU, default max; qemu64 debugs a VM on the shadow MMU).  One
# PASS/FAIL line per case, then "N passed, N failed"; exit 1 if any failed.
# Logs: build/<arch>/gdb-test/.
set -uo pipefail

arch=arm64
if [ "${1:-}" = --arch ]; then
	arch=${2:?--arch arm64|x86_64}
	shift 2
fi
case $arch in
arm64)
	image=${1:-build/arm64/hyp.bin}
	elf=${2:-build/arm64/guest/gdbdemo.elf}
	;;
x86_64)
	image=${1:-build/x86_64/esp}
	elf=${2:-build/x86_64/guest/gdbdemo.elf}
	;;
*)
	echo "gdb-test: unknown architecture '$arch'" >&2
	exit 2
	;;
esac
limit=${3:-240}
out=$(dirname "$image")/gdb-test
mkdir -p "$out"
passed=0
failed=0
qemu_pid=

case_result() {	# ok|fail name [detail]
	if [ "$1" = ok ]; then
		echo "PASS gdb/$2"
		passed=$((passed + 1))
	else
		echo "FAIL gdb/$2${3:+ ($3)}"
		failed=$((failed + 1))
	fi
}

check() {	# name file pattern (grep -E)
	if grep -qaE -- "$3" "$2"; then case_result ok "$1"; else case_result fail "$1" "no /$3/"; fi
}

# A port nobody listens on (bash's /dev/tcp connect fails on a free one).
free_port() {
	local p
	for ((p = 20000 + RANDOM % 20000; ; p++)); do
		(exec 9<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
	done
}

# Boot in the background, in a process group of its own, and wait for the stub.
# x86_64: the command line through fw_cfg (the Makefile, arch/x86_64/arch.mk), COM2 the channel.
# Every VM is promised its memory (kvm/host_mem.h): 2 GiB holds two 512 MiB VMs.
boot() {	# log port [run]
	local log=$1 port=$2 run=${3:-gdbdemo:2:gdb} i

	rm -f "$log"
	local chardev="socket,id=gdb,host=127.0.0.1,port=$port,server=on,wait=off"

	if [ "$arch" = x86_64 ]; then
		setsid tools/qemu-run.sh --arch x86_64 --cpu "${GDB_TEST_CPU:-max}" --smp 2 \
			--mem 2G --log "$log" \
			"$image" "$limit" -- \
			-fw_cfg "name=opt/hyp/cmdline,string=run=${run//,/,,}" \
			-chardev "$chardev" \
			-device isa-serial,chardev=gdb,iobase=0x2f8,irq=3 \
			>"$log.out" 2>&1 </dev/null &
	else
		setsid tools/qemu-run.sh --smp 2 --mem 2G --log "$log" "$image" "$limit" -- \
			-append "run=$run" \
			-device pci-serial,chardev=gdb \
			-chardev "$chardev" \
			>"$log.out" 2>&1 </dev/null &
	fi
	qemu_pid=$!
	for ((i = 0; i < 120; i++)); do
		grep -qa 'waits for the debugger' "$log" 2>/dev/null && return 0
		kill -0 "$qemu_pid" 2>/dev/null || return 1
		sleep 0.5
	done
	return 1
}

# Wait for the hypervisor to power off; its exit status (qemu-run.sh's).
finish() {	# seconds
	local i
	for ((i = 0; i < $1 * 2; i++)); do
		kill -0 "$qemu_pid" 2>/dev/null || break
		sleep 0.5
	done
	if kill -0 "$qemu_pid" 2>/dev/null; then
		kill -TERM -- "-$qemu_pid" 2>/dev/null
		wait "$qemu_pid" 2>/dev/null
		qemu_pid=
		return 124
	fi
	wait "$qemu_pid"
	local rc=$?
	qemu_pid=
	return $rc
}

cleanup() {
	[ -n "$qemu_pid" ] && kill -TERM -- "-$qemu_pid" 2>/dev/null
}
trap cleanup EXIT

[ -e "$image" ] && [ -f "$elf" ] || { echo "gdb-test: no $image or $elf (make $arch-kvm)"; exit 2; }
command -v gdb-multiarch >/dev/null || { echo "gdb-test: no gdb-multiarch (tools/deps.sh debug)"; exit 2; }

# ---- 1. a gdb-multiarch session ----
port=$(free_port)
log=$out/session.log
if ! boot "$log" "$port"; then
	case_result fail stub-waiting "no 'waits for the debugger' line; see $log"
else
	case_result ok stub-waiting
	timeout 180 gdb-multiarch -batch -nx "$elf" \
		-ex "target remote 127.0.0.1:$port" \
		-x tests/gdb/session1.gdb \
		-ex 'x/4x 0xdead00000000' \
		-x tests/gdb/session2.gdb >"$out/gdb.out" 2>&1
	echo "gdb exited with $?" >>"$out/gdb.out"
	g=$out/gdb.out
	if grep -qa 'Thread 1 (vCPU 0)' "$g" && grep -qa 'Thread 2 (vCPU 1' "$g" &&
	   ! grep -qa 'Thread 3 ' "$g"; then
		case_result ok threads-one-per-vcpu
	else
		case_result fail threads-one-per-vcpu "want Thread 1 (vCPU 0), Thread 2 (vCPU 1), no 3"
	fi
	check break-by-name-hit "$g" 'hit Breakpoint 1, gdbdemo_compute'
	if grep -qa '^base = 3$' "$g" && grep -qa '^scale = 7$' "$g" &&
	   grep -qaE '^tag = 0x[0-9a-f]+ "demo"$' "$g"; then
		case_result ok read-arguments
	else
		case_result fail read-arguments "want base = 3, scale = 7, tag \"demo\""
	fi
	check read-local-array "$g" '= \{63, 112, 175, 252, 343, 448, 567, 700\}'
	check hw-breakpoint-hit "$g" 'hit Breakpoint 2, gdbdemo_sum'
	before=$(awk '/^MARK pc-before/ { print $3 }' "$g")
	after=$(awk '/^MARK pc-after/ { print $3 }' "$g")
	# One instruction: 4 bytes on arm64; 1 to 15 on x86-64.
	if [ -z "$before" ] || [ -z "$after" ]; then
		step_ok=false
	elif [ "$arch" = arm64 ]; then
		[ $((16#$after)) -eq $((16#$before + 4)) ] && step_ok=true || step_ok=false
	else
		d=$((16#$after - 16#$before))
		[ "$d" -ge 1 ] && [ "$d" -le 15 ] && step_ok=true || step_ok=false
	fi
	if $step_ok; then
		case_result ok single-step
	else
		case_result fail single-step "pc ${before:-?} -> ${after:-?}"
	fi
	check unmapped-read-error "$g" 'Cannot access memory at address 0xdead00000000'
	check stub-alive-after-error "$g" '^MARK alive pc [0-9a-f]+'
	check write-variable "$g" '^MARK verdict 42$'
	check detach "$g" 'MARK detached'
	finish 60
	rc=$?
	check payload-result "$log" 'PASS gdbdemo.*/verdict-set-by-debugger'
	[ "$rc" -eq 0 ] && case_result ok payload-finished ||
		case_result fail payload-finished "hypervisor exit status $rc; see $log"
fi

# ---- 2. raw packets ----
port=$(free_port)
log=$out/protocol.log
if ! boot "$log" "$port"; then
	case_result fail protocol-boot "see $log"
else
	GDB_ARCH=$arch timeout 120 tests/gdb/protocol.sh "$port" "$elf" >"$out/protocol.out" 2>&1
	while read -r verdict name rest; do
		[ "$verdict" = PASS ] && case_result ok "$name" || case_result fail "$name" "$rest"
	done < <(grep -aE '^(PASS|FAIL) ' "$out/protocol.out")
	grep -qaE '^(PASS|FAIL) ' "$out/protocol.out" || case_result fail protocol "no output"
	finish 60
	rc=$?
	check protocol-payload-result "$log" 'PASS gdbdemo.*/verdict-set-by-debugger'
	[ "$rc" -eq 0 ] && case_result ok hypervisor-survived ||
		case_result fail hypervisor-survived "exit status $rc; see $log"
fi

# ---- 3. a NAK flood from a client that stops reading, beside a heartbeat ----
# Not again for GDB_TEST_CPU=qemu64: the stub's channel is the same with or without the
# shadow MMU.
# Everything on CPU 0: the debugged VM's vCPUs (each polls the stub while parked), the
# controller (it polls too) and one heartbeat vCPU; CPU 1 idles.  So a poll that holds its
# CPU holds the heartbeat's, and QEMU keeps a host core for its main loop (behind every
# access to the emulated UART; and under x86's one TCG thread two busy CPUs would take
# turns of up to 100 ms, tools/qemu-run.sh).
heartbeat=heartbeat:cpu=0
port=$(free_port)
log=$out/flood.log
if [ "${GDB_TEST_CPU:-max}" = qemu64 ]; then
	:
elif ! boot "$log" "$port" "gdbdemo:2:gdb:cpus=1:cpu=0+$heartbeat"; then
	case_result fail flood-boot "see $log"
else
	GDB_ARCH=$arch timeout 120 tests/gdb/flood.sh "$port" "$elf" "$log" >"$out/flood.out" 2>&1
	while read -r verdict name rest; do
		[ "$verdict" = PASS ] && case_result ok "$name" || case_result fail "$name" "$rest"
	done < <(grep -aE '^(PASS|FAIL) ' "$out/flood.out")
	grep -qaE '^(PASS|FAIL) ' "$out/flood.out" || case_result fail flood "no output"
	finish 60
	rc=$?
	if grep -qaE "^PASS $heartbeat/vcpu0-max-gap-under-[0-9]+ms" "$log" &&
	   ! grep -qaE "^FAIL $heartbeat/" "$log"; then
		case_result ok flood-heartbeat-never-starved
	else
		case_result fail flood-heartbeat-never-starved "$(grep -a 'heartbeat: vCPU' "$log" |
			tr '\n' ' ')"
	fi
	check flood-payload-result "$log" 'PASS gdbdemo.*/verdict-set-by-debugger'
	[ "$rc" -eq 0 ] && case_result ok flood-hypervisor-survived ||
		case_result fail flood-hypervisor-survived "exit status $rc; see $log"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
