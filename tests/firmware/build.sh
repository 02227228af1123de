#!/usr/bin/env bash
# Build the firmware test guest's disk: build/firmware/disk.img, a raw
# 2 MiB disk that SeaBIOS boots like any other:
#   sector 0          GRUB's boot.img (Debian grub-pc-bin), with an MBR
#                     partition table: one partition from sector 2048
#   sectors 1..       GRUB's core.img (grub-mkimage -O i386-pc: biosdisk,
#                     part_msdos, multiboot, and an embedded configuration
#                     that loads the kernel by block list and boots it)
#   partition 1       the test kernel (kernel/, a Multiboot ELF), raw
# No filesystem and no root: boot.img's default is to load core.img from
# sector 1, and grub-mkimage writes core.img's own length into it.
#
# Usage: tests/firmware/build.sh [OUT_DIR]   (default build/firmware)
set -euo pipefail

TOP=$(cd "$(dirname "$0")/../.." && pwd)
SRC=$TOP/tests/firmware
OUT=${1:-$TOP/build/firmware}
GRUB=/usr/lib/grub/i386-pc

die() { echo "firmware/build: error: $*" >&2; exit 1; }
for t in gcc grub-mkimage; do
    command -v $t >/dev/null || die "$t not found (scripts/setup.sh installs grub-pc-bin)"
done
[ -f "$GRUB/boot.img" ] && [ -f "$GRUB/multiboot.mod" ] || die "$GRUB missing (grub-pc-bin)"
mkdir -p "$OUT"

CFLAGS=(-m32 -O2 -g -std=gnu99 -Wall -Wextra -Werror -ffreestanding -fno-pic -fno-pie
        -fno-stack-protector -fno-asynchronous-unwind-tables -mno-sse -mno-mmx -mno-red-zone
        -fcf-protection=none -nostdinc -isystem "$(gcc -print-file-name=include)")
gcc "${CFLAGS[@]}" -c "$SRC/kernel/main.c" -o "$OUT/main.o"
gcc -m32 -c "$SRC/kernel/head.S" -o "$OUT/head.o"
gcc -m32 -nostdlib -static -no-pie -Wl,--build-id=none -Wl,-T,"$SRC/kernel/link.lds" \
    -Wl,--no-warn-rwx-segments -o "$OUT/kernel.elf" "$OUT/head.o" "$OUT/main.o" -lgcc

KSECT=2048
ksize=$(stat -c %s "$OUT/kernel.elf")
kblocks=$(( (ksize + 511) / 512 ))
# The disk: 2 MiB; the partition: sectors 2048..4095.
DISK_SECTORS=4096
[ $kblocks -le $((DISK_SECTORS - KSECT)) ] || die "kernel too big ($ksize bytes)"

# GRUB's embedded configuration, run by its rescue parser: no filesystem
# module, the kernel is read as a block list of the first partition.
cat > "$OUT/grub-embed.cfg" <<CFG
echo fw-disk: GRUB loading the test kernel
multiboot (hd0,msdos1)+$kblocks
boot
CFG
grub-mkimage -O i386-pc -p "(hd0,msdos1)" -c "$OUT/grub-embed.cfg" -o "$OUT/core.img" \
    biosdisk part_msdos multiboot echo
csize=$(stat -c %s "$OUT/core.img")
[ $(( (csize + 511) / 512 + 1 )) -le $KSECT ] || die "core.img too big ($csize bytes)"

img=$OUT/disk.img.new
rm -f "$img"
truncate -s $((DISK_SECTORS * 512)) "$img"
dd if="$GRUB/boot.img" of="$img" conv=notrunc status=none
# Partition 1: active, type 0xda (non-filesystem data), LBA 2048, 2048 sectors
# (CHS fields 0xfe/0xff/0xff: use LBA).
python3 - "$img" $KSECT $((DISK_SECTORS - KSECT)) <<'PY'
import struct, sys
path, start, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
entry = struct.pack("<B3sB3sII", 0x80, b"\xfe\xff\xff", 0xda, b"\xfe\xff\xff", start, count)
with open(path, "r+b") as f:
    f.seek(0x1be)
    f.write(entry + b"\0" * 48)
    f.seek(0x1fe)
    f.write(b"\x55\xaa")
PY
dd if="$OUT/core.img" of="$img" bs=512 seek=1 conv=notrunc status=none
dd if="$OUT/kernel.elf" of="$img" bs=512 seek=$KSECT conv=notrunc status=none
mv "$img" "$OUT/disk.img"
echo "firmware/build: $OUT/disk.img (core.img $csize bytes, kernel $ksize bytes at sector $KSECT)"
