#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# A Linux guest nobody here wrote: Debian's arm64 cloud kernel and a busybox
# initramfs, in build/linux-guest/ (or $LINUX_GUEST_DIR).
#
#   tools/linux-guest.sh            fetch and build whatever is missing (a no-op when
#                                   everything is there); prints nothing else on success
#   tools/linux-guest.sh --check    also boot it under plain QEMU (no hypervisor) with the
#                                   marker init and check the marker line, cpus=2, power-off
#
# Results:
#   Image               the uncompressed arm64 kernel Image (Debian ships it as
#                       /boot/vmlinuz-*: for arm64 that file is already the raw
#                       Image, not gzip; a gzip one would be unpacked here)
#   initrd-marker.gz    /init prints "LINUX-GUEST-MARKER cpus=N mem=M kB", powers off
#   initrd-shell.gz     /init starts a shell on the console; leaving it powers off
#   kernel-version      the package the Image came from
#
# How the packages are fetched, without touching the host's package set:
# apt runs with a private configuration under build/linux-guest/apt (its own
# lists, cache and an empty dpkg status, APT::Architecture=arm64, the host's
# sources), so neither `dpkg --add-architecture` nor the host's package lists
# change.  `apt-get download` fetches the .deb files and `dpkg-deb -x` unpacks
# them; nothing is installed.  The kernel is whatever
# linux-image-cloud-arm64 (the 6.1 series in bookworm) depends on today.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
out=${LINUX_GUEST_DIR:-$top/build/linux-guest}
check=0
[ "${1:-}" = --check ] && check=1

die() {
	echo "linux-guest: $*" >&2
	exit 1
}

for t in apt-get apt-cache dpkg-deb cpio gzip; do
	command -v "$t" >/dev/null || die "needs $t (tools/deps.sh arm64 installs it)"
done

apt_dir=$out/apt
apt_opts=(-o "Dir::State=$apt_dir" -o "Dir::State::Lists=$apt_dir/lists"
	  -o "Dir::State::status=$apt_dir/status" -o "Dir::Cache=$apt_dir/cache"
	  -o APT::Architecture=arm64 -o APT::Architectures=arm64
	  -o Acquire::Languages=none -o Debug::NoLocking=1
	  -o APT::Sandbox::User="$(id -un)")

# The private arm64 package lists, fetched once.
lists() {
	[ -e "$apt_dir/lists/.updated" ] && return 0
	mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial"
	: >"$apt_dir/status"
	apt-get "${apt_opts[@]}" update >"$apt_dir/update.log" 2>&1 ||
		{ tail -5 "$apt_dir/update.log" >&2; die "apt-get update (arm64 lists) failed"; }
	touch "$apt_dir/lists/.updated"
}

# Download package @1 into $out/debs (once) and unpack it into $out/pkg/@1.
fetch() {
	local pkg=$1

	[ -d "$out/pkg/$pkg" ] && return 0
	lists
	mkdir -p "$out/debs"
	rm -f "$out/debs/${pkg}"_*.deb
	(cd "$out/debs" && apt-get "${apt_opts[@]}" download "$pkg" >"$apt_dir/download.log" 2>&1) ||
		{ tail -5 "$apt_dir/download.log" >&2; die "apt-get download $pkg failed"; }
	rm -rf "$out/pkg/$pkg.tmp"
	mkdir -p "$out/pkg"
	dpkg-deb -x "$out/debs/${pkg}"_*.deb "$out/pkg/$pkg.tmp"
	mv "$out/pkg/$pkg.tmp" "$out/pkg/$pkg"
}

# The Image: the newest 6.1 cloud kernel the metapackage points at.
kernel() {
	local pkg f

	[ -s "$out/Image" ] && return 0
	lists
	pkg=$(apt-cache "${apt_opts[@]}" depends linux-image-cloud-arm64 |
	      awk '/Depends: linux-image-[0-9]/ { print $2; exit }')
	[ -n "$pkg" ] || die "cannot tell which kernel linux-image-cloud-arm64 depends on"
	fetch "$pkg"
	f=$(ls "$out/pkg/$pkg"/boot/vmlinuz-* 2>/dev/null | head -n 1)
	[ -n "$f" ] || die "$pkg has no /boot/vmlinuz-*"
	# The arm64 Image header has "ARM\x64" at offset 56 (Documentation/arm64/booting.rst).
	if [ "$(head -c 2 "$f" | od -An -tx1 | tr -d ' ')" = 1f8b ]; then
		gzip -dc "$f" >"$out/Image.tmp"
	else
		cp "$f" "$out/Image.tmp"
	fi
	[ "$(dd if="$out/Image.tmp" bs=1 skip=56 count=4 2>/dev/null)" = $'ARM\x64' ] ||
		die "$f is not an arm64 Image"
	mv "$out/Image.tmp" "$out/Image"
	echo "$pkg" >"$out/kernel-version"
}

# /init of the marker variant: facts on one line, then power off at once.
marker_init() {
	cat <<'EOF'
#!/bin/sh
# No /dev/console in this archive (making one needs root): devtmpfs has it.
/bin/busybox mount -t devtmpfs devtmpfs /dev 2>/dev/null
exec </dev/console >/dev/console 2>&1
/bin/busybox --install -s
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mem=$(awk '/^MemTotal:/ { print $2 " " $3 }' /proc/meminfo)
echo "LINUX-GUEST-MARKER cpus=$(nproc) mem=$mem"
poweroff -f
EOF
}

# /init of the interactive variant: a shell with job control on the console.
shell_init() {
	cat <<'EOF'
#!/bin/sh
/bin/busybox mount -t devtmpfs devtmpfs /dev 2>/dev/null
exec </dev/console >/dev/console 2>&1
/bin/busybox --install -s
mount -t proc proc /proc
mount -t sysfs sysfs /sys
echo "LINUX-GUEST-MARKER cpus=$(nproc) mem=$(awk '/^MemTotal:/ { print $2 " " $3 }' /proc/meminfo)"
echo "busybox shell; 'exit' powers the guest off"
setsid cttyhack sh -l
poweroff -f
EOF
}

# initramfs @1 (cpio newc, gzip; Documentation/driver-api/early-userspace) with /init from @2.
initramfs() {
	local name=$1 gen=$2 root

	[ -s "$out/$name" ] && return 0
	fetch busybox-static
	root=$out/root-$name
	rm -rf "$root"
	mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,root}
	cp "$out/pkg/busybox-static/bin/busybox" "$root/bin/busybox"
	ln -s busybox "$root/bin/sh"
	"$gen" >"$root/init"
	chmod 755 "$root/init"
	(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --owner=0:0 --quiet) |
		gzip -9 >"$out/$name.tmp"
	mv "$out/$name.tmp" "$out/$name"
	rm -rf "$root"
}

mkdir -p "$out"
kernel
initramfs initrd-marker.gz marker_init
initramfs initrd-shell.gz shell_init

[ "$check" -eq 1 ] || exit 0

# Plain QEMU, no hypervisor: the reference the hypervisor is measured against.
log=$out/check-qemu.log
echo "linux-guest: booting $(cat "$out/kernel-version") under plain QEMU (limit 120 s)" >&2
start=$(date +%s%N)
timeout -k 5 120 qemu-system-aarch64 -M virt,gic-version=3 -cpu max -smp 2 -m 512M \
	-nographic -no-reboot -kernel "$out/Image" -initrd "$out/initrd-marker.gz" \
	-append "console=ttyAMA0 panic=-1" </dev/null >"$log" 2>&1 || true
end=$(date +%s%N)
sed -i 's/\r$//' "$log"
grep -a '^LINUX-GUEST-MARKER' "$log" || { tail -20 "$log" >&2; die "no marker line (log $log)"; }
grep -aq '^LINUX-GUEST-MARKER cpus=2 ' "$log" || die "the guest did not see 2 CPUs"
grep -aq 'reboot: Power down' "$log" || die "no clean power-off"
echo "linux-guest: plain QEMU boot OK in $(( (end - start) / 1000000 )) ms" >&2
