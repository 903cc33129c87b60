#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Build newlib (libc.a, libm.a and headers) for a bare-metal target from
# Debian's newlib-source tarball, with Debian's Linux cross compiler.
#
#   tools/build-newlib.sh <target-triple> <outdir>
#   tools/build-newlib.sh aarch64-none-elf build/newlib/aarch64-none-elf
#   tools/build-newlib.sh x86_64-elf build/newlib/x86_64-elf   (builds; not yet used)
#
# Result: <outdir>/include (newlib headers), <outdir>/lib/{libc.a,libm.a},
# <outdir>/cc-flags (the compiler flags newlib was built with; code linked
# against it must use the same ABI flags).  <outdir>/.stamp records what was
# built; when it matches, the script does nothing and returns at once.
#
# Exact configure line (aarch64; x86_64 differs only in --target and the
# compiler wrapper's flags):
#
#   <src>/configure --target=aarch64-none-elf --prefix=<outdir>/install \
#     --disable-multilib --disable-nls \
#     --disable-newlib-supplied-syscalls \
#     --enable-newlib-retargetable-locking \
#     --enable-newlib-io-long-long --enable-newlib-io-c99-formats \
#     --disable-newlib-wide-orient --disable-newlib-unbuf-stream-opt \
#     --disable-newlib-fvwrite-in-streamio \
#     CC_FOR_TARGET=<outdir>/bin/aarch64-none-elf-gcc \
#     AR_FOR_TARGET=aarch64-linux-gnu-ar AS_FOR_TARGET=aarch64-linux-gnu-as \
#     LD_FOR_TARGET=aarch64-linux-gnu-ld NM_FOR_TARGET=aarch64-linux-gnu-nm \
#     RANLIB_FOR_TARGET=aarch64-linux-gnu-ranlib \
#     OBJDUMP_FOR_TARGET=aarch64-linux-gnu-objdump \
#     READELF_FOR_TARGET=aarch64-linux-gnu-readelf \
#     STRIP_FOR_TARGET=aarch64-linux-gnu-strip \
#     CFLAGS_FOR_TARGET="-O2 -g -ffunction-sections -fdata-sections"
#   make -j2 all-target-newlib MAKEINFO=true
#   make install-target-newlib MAKEINFO=true
#
# where <outdir>/bin/aarch64-none-elf-gcc runs
#   aarch64-linux-gnu-gcc -nostdinc -isystem <gcc's own include dir>
#     -U__linux__ -U__linux -Ulinux -U__gnu_linux__ -U__unix__ -U__unix -Uunix
#     -fno-pic -fno-pie -fno-stack-protector -march=armv8-a -mno-outline-atomics
# so that no glibc header leaks in, newlib does not believe it runs on Linux,
# code is position dependent, and atomics are inline LDXR/STXR instead of
# libgcc's outline helpers (which read the Linux auxv to detect LSE).
#
# Why these options:
#   --disable-newlib-supplied-syscalls  we supply _write, _sbrk, ... (arch/*/syscalls.c)
#   --enable-newlib-retargetable-locking  malloc and stdio take our spinlocks, so
#                                       several CPUs may call them at once
#   --enable-newlib-io-c99-formats      %zu, %jx, %hhx; io-long-long for %llu
#   --disable-newlib-unbuf-stream-opt   saves a BUFSIZ stack buffer per unbuffered
#                                       fprintf (stderr) on small EL2 stacks
#   --disable-newlib-wide-orient, --disable-newlib-fvwrite-in-streamio  unused
# Not used: nano formatted I/O (C89 only, no %llu/%zu), reent-small (memory is
# not scarce and it adds lazy allocations to stdio paths), libgloss (we
# provide crt0 and the syscalls ourselves).
set -euo pipefail

[ $# -eq 2 ] || { echo "usage: $0 <target-triple> <outdir>" >&2; exit 2; }
target=$1
mkdir -p "$2"
out=$(cd "$2" && pwd)
here=$(cd "$(dirname "$0")" && pwd)

case "$target" in
aarch64*-elf)
	cross=aarch64-linux-gnu-
	deps=arm64
	tflags="-march=armv8-a -mno-outline-atomics"
	;;
x86_64*-elf)
	# The host compiler when the host is x86-64, else Debian's cross compiler.
	if [ "$(uname -m)" = x86_64 ]; then cross=; else cross=x86_64-linux-gnu-; fi
	deps=x86_64
	# Hypervisor code runs with interrupts on the current stack: no red zone.
	tflags="-mno-red-zone"
	;;
*)
	echo "build-newlib.sh: unsupported target '$target' (aarch64-none-elf, x86_64-elf)" >&2
	exit 2
	;;
esac

conf_opts=(--disable-multilib --disable-nls
	   --disable-newlib-supplied-syscalls
	   --enable-newlib-retargetable-locking
	   --enable-newlib-io-long-long --enable-newlib-io-c99-formats
	   --disable-newlib-wide-orient --disable-newlib-unbuf-stream-opt
	   --disable-newlib-fvwrite-in-streamio)
cflags="-O2 -g -ffunction-sections -fdata-sections"
wrap_flags="-U__linux__ -U__linux -Ulinux -U__gnu_linux__ -U__unix__ -U__unix -Uunix
	-fno-pic -fno-pie -fno-stack-protector $tflags"

# Cheap cache check first: the stamp names the tarball, this script and the
# options, so editing any of them rebuilds.
tarball=$(ls /usr/src/newlib*/newlib-*.tar.* 2>/dev/null | sort -V | tail -1 || true)
key="$target|$tarball|$(cksum <"$0")|${conf_opts[*]}|$cflags|$wrap_flags"
if [ -f "$out/.stamp" ] && [ "$(cat "$out/.stamp")" = "$key" ]; then
	exit 0
fi

# Two builds racing on one outdir (make -j) would trample each other.
exec 9>"$out/.lock"
flock 9
if [ -f "$out/.stamp" ] && [ "$(cat "$out/.stamp")" = "$key" ]; then
	exit 0
fi

"$here/deps.sh" "$deps"
if [ -z "$tarball" ]; then
	tarball=$(ls /usr/src/newlib*/newlib-*.tar.* 2>/dev/null | sort -V | tail -1 || true)
	key="$target|$tarball|$(cksum <"$0")|${conf_opts[*]}|$cflags|$wrap_flags"
fi
[ -n "$tarball" ] || { echo "build-newlib.sh: no newlib tarball in /usr/src/newlib*/" >&2; exit 1; }

start=$(date +%s)
echo "build-newlib.sh: building newlib for $target from $tarball (log: $out/build.log)" >&2
rm -rf "$out/src" "$out/build" "$out/install" "$out/include" "$out/lib" "$out/.stamp"
mkdir -p "$out/src" "$out/build" "$out/bin"
tar xf "$tarball" -C "$out/src" --strip-components=1

gcc_inc=$("${cross}gcc" -print-file-name=include)
cat >"$out/bin/$target-gcc" <<EOF
#!/bin/sh
# Generated by tools/build-newlib.sh: Debian's Linux cross compiler, made bare-metal.
exec ${cross}gcc -nostdinc -isystem $gcc_inc $(echo $wrap_flags) "\$@"
EOF
chmod +x "$out/bin/$target-gcc"
echo "-nostdinc -isystem $gcc_inc -isystem $out/include $(echo $wrap_flags)" >"$out/cc-flags"

tools=()
for t in AR AS LD NM RANLIB OBJDUMP READELF STRIP; do
	tools+=("${t}_FOR_TARGET=${cross}$(echo $t | tr 'A-Z' 'a-z')")
done

log="$out/build.log"
(
	cd "$out/build"
	../src/configure --target="$target" --prefix="$out/install" "${conf_opts[@]}" \
		CC_FOR_TARGET="$out/bin/$target-gcc" "${tools[@]}" \
		CFLAGS_FOR_TARGET="$cflags"
	make -j2 all-target-newlib MAKEINFO=true
	make install-target-newlib MAKEINFO=true
) >"$log" 2>&1 || { tail -30 "$log" >&2; echo "build-newlib.sh: failed, see $log" >&2; exit 1; }

ln -sfn "install/$target/include" "$out/include"
ln -sfn "install/$target/lib" "$out/lib"
for f in libc.a libm.a; do
	[ -f "$out/lib/$f" ] || { echo "build-newlib.sh: $f missing after install" >&2; exit 1; }
done
# The sources and objects are 100+ MiB and never needed again.
rm -rf "$out/src" "$out/build"
echo "$key" >"$out/.stamp"
echo "build-newlib.sh: done in $(($(date +%s) - start))s" >&2
