#!/usr/bin/env bash
# Install the Debian packages this project needs.  Idempotent: when every
# package is already installed it only runs dpkg-query and exits.
#
#   tools/deps.sh host      walker host tests, benchmarks, lint (gcc, gnuplot, clang-format)
#   tools/deps.sh arm64     + cross compiler, QEMU for arm64, newlib source, dtc
#   tools/deps.sh x86_64    + QEMU for x86-64, OVMF, gnu-efi, mtools
#   tools/deps.sh all       everything, including gdb-multiarch
set -euo pipefail

host_pkgs=(gcc make libc6-dev gnuplot-nox clang-format git)
arm64_pkgs=(gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu qemu-system-arm
	    newlib-source device-tree-compiler xz-utils cpio gzip)
x86_pkgs=(qemu-system-x86 ovmf gnu-efi mtools dosfstools)
debug_pkgs=(gdb-multiarch)

want=("${host_pkgs[@]}")
for what in "${@:-host}"; do
	case "$what" in
	host) ;;
	arm64) want+=("${arm64_pkgs[@]}") ;;
	x86_64) want+=("${x86_pkgs[@]}") ;;
	debug) want+=("${debug_pkgs[@]}") ;;
	all) want+=("${arm64_pkgs[@]}" "${x86_pkgs[@]}" "${debug_pkgs[@]}") ;;
	*) echo "deps.sh: unknown set '$what' (host, arm64, x86_64, debug, all)" >&2; exit 2 ;;
	esac
done

missing=()
for p in "${want[@]}"; do
	status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$status" = installed ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "deps.sh: installing ${missing[*]}" >&2
if [ "$(id -u)" -ne 0 ]; then
	command -v sudo >/dev/null || { echo "deps.sh: need root (or sudo) to apt-get install ${missing[*]}" >&2; exit 1; }
	SUDO=sudo
else
	SUDO=
fi
export DEBIAN_FRONTEND=noninteractive
# A fresh machine has no package lists; an install that fails may just need
# newer ones, so update once and retry.
if ! $SUDO apt-get install -y --no-install-recommends "${missing[@]}" >/tmp/deps-apt.log 2>&1; then
	$SUDO apt-get update >>/tmp/deps-apt.log 2>&1
	$SUDO apt-get install -y --no-install-recommends "${missing[@]}" >>/tmp/deps-apt.log 2>&1 ||
		{ tail -20 /tmp/deps-apt.log >&2; echo "deps.sh: apt-get install failed" >&2; exit 1; }
fi
