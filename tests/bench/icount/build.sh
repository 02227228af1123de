#!/usr/bin/env bash
# Build the icount QEMU plugin (icount.c) into $BUILD/icount/libicount.so.
# The plugin API header is QEMU's own (include/qemu/qemu-plugin.h, GPL,
# not kept in this repository): it is taken from the source package of the
# installed qemu-system-x86 (apt-get source --download-only, kept in
# $BUILD/src/qemu, which `make clean` keeps), only that one file extracted.
set -euo pipefail
: "${TOP:=$(cd "$(dirname "$0")/../../.." && pwd)}"
: "${BUILD:=$TOP/build}"
out=$BUILD/icount
src=$BUILD/src/qemu
hdr=$out/include/qemu-plugin.h
mkdir -p "$out/include" "$src"

if [ ! -s "$hdr" ]; then
    tarball=$(ls "$src"/qemu_*.orig.tar.* 2>/dev/null | head -n1 || true)
    if [ -z "$tarball" ]; then
        ver=$(dpkg-query -W -f='${source:Version}' qemu-system-x86 2>/dev/null || true)
        echo "icount: fetching QEMU's source package (${ver:-candidate}) for its plugin header"
        (cd "$src" && { apt-get source -qq --download-only "qemu${ver:+=$ver}" >/dev/null 2>&1 ||
                         apt-get source -qq --download-only qemu >/dev/null; })
        tarball=$(ls "$src"/qemu_*.orig.tar.* 2>/dev/null | head -n1 || true)
        [ -n "$tarball" ] || { echo "icount: no QEMU source tarball in $src" >&2; exit 1; }
    fi
    tar -xf "$tarball" --wildcards -O '*/include/qemu/qemu-plugin.h' > "$hdr.tmp"
    [ -s "$hdr.tmp" ] || { echo "icount: qemu-plugin.h not in $tarball" >&2; exit 1; }
    mv "$hdr.tmp" "$hdr"
fi

lib=$out/libicount.so
if [ ! -e "$lib" ] || [ "$TOP/tests/bench/icount/icount.c" -nt "$lib" ] || [ "$hdr" -nt "$lib" ]; then
    gcc -O2 -g -Wall -Wextra -Wno-unused-parameter -Werror -shared -fPIC \
        -I "$out/include" -o "$lib.tmp" "$TOP/tests/bench/icount/icount.c"
    mv "$lib.tmp" "$lib"
fi
echo "$lib"
