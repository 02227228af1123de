#!/usr/bin/env bash
# Build the Linux HVM guest image, build/os/linux-hvm.elf: Debian's own
# kernel (the one dom0 runs) and busybox-static, both taken from the .debs
# scripts/build-dom0.sh cached in build/dom0-cache, an initramfs with
# tests/os/init, and the loader (tests/os/loader) that boots them.
#
# Usage: tests/os/build.sh     (needs build/dom0-cache: scripts/build-dom0.sh)
set -euo pipefail
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${BUILD:-$TOP/build}
CACHE=$BUILD/dom0-cache
OUT=$BUILD/os
OS=$TOP/tests/os

die() { echo "os-build: error: $*" >&2; exit 1; }

# The kernel dom0 runs (build-dom0.sh records which one), else the newest cached.
kdeb=
if [ -s "$BUILD/dom0/kver" ]; then
    kdeb=$(ls "$CACHE"/linux-image-"$(cat "$BUILD/dom0/kver")"_*.deb 2>/dev/null | head -n1 || true)
fi
[ -n "$kdeb" ] || kdeb=$(ls "$CACHE"/linux-image-*.deb 2>/dev/null | sort -V | tail -n1 || true)
bdeb=$(ls "$CACHE"/busybox-static_*.deb 2>/dev/null | head -n1 || true)
[ -n "$kdeb" ] && [ -n "$bdeb" ] || die "no kernel or busybox-static .deb in $CACHE (run scripts/build-dom0.sh)"

mkdir -p "$OUT"
tmp=$(mktemp -d "$OUT/.tmp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# Kernel: split the bzImage into its real-mode setup sectors (the loader
# reads only the setup header from them) and the protected-mode part.
dpkg-deb -x "$kdeb" "$tmp/k"
bz=$(ls "$tmp"/k/boot/vmlinuz-* | head -n1)
sects=$(od -An -tu1 -j $((0x1f1)) -N1 "$bz" | tr -d ' ')
[ "$sects" -eq 0 ] && sects=4
setup_bytes=$(( (sects + 1) * 512 ))
head -c "$setup_bytes" "$bz" > "$tmp/setup.bin"
tail -c +$(( setup_bytes + 1 )) "$bz" > "$tmp/kernel.bin"

# Initramfs: busybox, /init and rtc-uie (RTC update interrupts via /dev/rtc0).
dpkg-deb -x "$bdeb" "$tmp/bb"
root=$tmp/root
mkdir -p "$root"/bin "$root"/dev "$root"/proc "$root"/sys
cp "$tmp/bb/bin/busybox" "$root/bin/busybox"
cp "$OS/init" "$root/init"
gcc -O2 -static -nostdlib -ffreestanding -fno-pie -no-pie -fno-stack-protector \
    -fcf-protection=none -Wall -Wextra -Wl,--build-id=none -s \
    -o "$root/bin/rtc-uie" "$OS/rtc-uie.c"
chmod 755 "$root/init" "$root/bin/busybox"
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) | gzip -9 -n > "$tmp/initramfs.cpio.gz"

# Command line: one line, no trailing newline.
tr -d '\n' < "$OS/cmdline" > "$tmp/cmdline"

# Replace only what changed, so make rebuilds only what it must.
for f in setup.bin kernel.bin initramfs.cpio.gz cmdline; do
    cmp -s "$tmp/$f" "$OUT/$f" || mv "$tmp/$f" "$OUT/$f"
done
basename "$kdeb" .deb > "$OUT/kernel-package"

make -s -C "$OS" O="$OUT"
echo "os-build: $OUT/linux-hvm.elf ($(stat -c %s "$OUT/linux-hvm.elf") bytes; $(cat "$OUT/kernel-package"), $(basename "$bdeb" .deb))"
