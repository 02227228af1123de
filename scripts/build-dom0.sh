#!/usr/bin/env bash
# Build the PV dom0 image the guest harness boots under Xen: Debian's kernel
# and an initramfs with busybox, the Xen 4.17 toolstack, the libraries it
# needs, the five Xen modules, a stand-in device model, tests/harness/init and
# the harness's vm_event tool (tests/harness/vm-event-hog.c, built here
# against Debian's libxenctrl: libxen-dev, see scripts/setup.sh).
#
# Everything comes from Debian packages fetched with `apt-get download` (no
# install) into build/dom0-cache, which `make clean` keeps: once a package's
# .deb is there, a rebuild does not download it again.  Versions are resolved
# once and written to build/dom0-cache/versions.
#
# Output: build/dom0/vmlinuz, build/dom0/initramfs.cpio.gz, build/dom0/kver,
# and build/dom0/dm.cpio.gz: the real device model for firmware guests
# (libxl's default device_model_version="qemu-xen": Debian's
# qemu-system-xen with its shared-library closure, hvmloader from
# xen-utils-4.17, SeaBIOS and its VGA BIOS from the seabios package, and
# xen-hvmctx for the harness's stuck-guest dumps), appended by the
# runner only to boots that have such a guest, so that the other boots do
# not unpack it.  The runner appends a last cpio (the guests and the plan)
# per boot.
#
# Usage: scripts/build-dom0.sh [--force]
set -euo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$TOP/build}
CACHE=$BUILD/dom0-cache
OUT=$BUILD/dom0
HARNESS=$TOP/tests/harness

# The toolstack is pinned to the hypervisor's own version (the Debian source
# package the project patches); HARNESS.md measured 4.17.7 working as well.
XEN_TOOLS_VERSION=${XEN_TOOLS_VERSION:-4.17.5+72-g01140da4e8-1}
XEN_PKGS=(xen-utils-4.17 xen-utils-common xenstore-utils libxenmisc4.17
    libxencall1 libxenevtchn1 libxenforeignmemory1 libxengnttab1 libxenstore4
    libxentoollog1 libxentoolcore1 libxendevicemodel1 libxenhypfs1)
# The rest: whatever version the configured mirrors offer now.
OTHER_PKGS=(busybox-static libyajl2 libc6 libgcc-s1 zlib1g liblzma5 libuuid1
    libzstd1)
# The real device model (dm.cpio.gz): qemu-system-xen (built against the
# toolstack above), the firmware, and the packages of the libraries its
# binary needs (Debian's Depends of qemu-system-xen and of those libraries;
# the closure below fails naming any library none of them provides).
DM_PKGS=(qemu-system-xen qemu-system-data seabios libpixman-1-0 libspice-server1 libjpeg62-turbo
    libusb-1.0-0 libfdt1 libglib2.0-0 libudev1 libgstreamer-plugins-base1.0-0
    libgstreamer1.0-0 liblz4-1 libopus0 liborc-0.4-0 libsasl2-2 libssl3
    libstdc++6 libffi8 libpcre2-8-0 libunwind8 libdw1 libelf1 libbz2-1.0)
MODULES=(xen-evtchn xen-privcmd xen-gntdev xen-gntalloc xenfs
    # The save-file disk of run-xen.py --disk (virtio-blk, /dev/vda).
    virtio_pci virtio_blk)

die() { echo "build-dom0: error: $*" >&2; exit 1; }
log() { echo "build-dom0: $*"; }

force=0
[ "${1:-}" = --force ] && force=1

inputs_stamp() {
    { cat "$0" "$HARNESS/init" "$HARNESS/fake-dm" "$HARNESS/vm-event-hog.c"; echo "$XEN_TOOLS_VERSION"; } 2>/dev/null \
        | sha256sum | cut -d' ' -f1
}
# Several runners may start at once: one builds, the others wait for it.
mkdir -p "$OUT"
exec 9>"$OUT/.lock"
command -v flock >/dev/null && flock 9
if [ $force = 0 ] && [ -s "$OUT/initramfs.cpio.gz" ] && [ -s "$OUT/vmlinuz" ] && [ -s "$OUT/dm.cpio.gz" ] \
    && [ "$(cat "$OUT/.stamp" 2>/dev/null)" = "$(inputs_stamp)" ]; then
    exit 0
fi

for t in apt-get apt-cache dpkg-deb cpio gzip readelf objcopy gcc; do
    command -v $t >/dev/null || die "$t not found (run scripts/setup.sh)"
done

mkdir -p "$CACHE"
touch "$CACHE/versions"

# version_of NAME: the cached resolution, else the candidate apt offers.
version_of() {
    local v
    v=$(awk -F= -v n="$1" '$1 == n { print $2 }' "$CACHE/versions")
    if [ -z "$v" ]; then
        v=$(apt-cache policy "$1" 2>/dev/null | awk '/Candidate:/ { print $2 }')
        [ -n "$v" ] && [ "$v" != "(none)" ] || return 1
        echo "$1=$v" >> "$CACHE/versions"
    fi
    echo "$v"
}

# fetch NAME VERSION: make sure CACHE holds NAME's .deb of VERSION.
deb_of() {
    # apt-get download escapes an epoch's ':' as '%3a' in the file name.
    local v=${2//:/%3a}
    { ls "$CACHE/$1_${v}_"*.deb "$CACHE/$1_${2#*:}_"*.deb 2>/dev/null || true; } | head -n1
}
fetch() {
    local name=$1 ver=$2
    [ -n "$(deb_of "$name" "$ver")" ] && return 0
    log "downloading $name=$ver"
    (cd "$CACHE" && apt-get download -q "$name=$ver" >/dev/null 2>"$CACHE/.err") || {
        sed 's/^/    /' "$CACHE/.err" >&2
        die "package $name=$ver is not available from the configured apt sources (apt-get update? for the toolstack set XEN_TOOLS_VERSION)"
    }
    [ -n "$(deb_of "$name" "$ver")" ] || die "apt-get download $name=$ver left no .deb in $CACHE"
}

# The kernel: what linux-image-amd64 points at, resolved once.
kpkg=$(awk -F= '$1 == "kernel" { print $2 }' "$CACHE/versions")
if [ -z "$kpkg" ]; then
    kpkg=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ { print $2; exit }')
    [ -n "$kpkg" ] || die "package linux-image-amd64 is unknown to apt: cannot resolve the dom0 kernel (apt-get update?)"
    echo "kernel=$kpkg" >> "$CACHE/versions"
fi

debs=()
for p in "${XEN_PKGS[@]}"; do
    v=$XEN_TOOLS_VERSION
    fetch "$p" "$v"; debs+=("$(deb_of "$p" "$v")")
done
for p in "${OTHER_PKGS[@]}" "${DM_PKGS[@]}" "$kpkg"; do
    v=$(version_of "$p") || die "package $p is unknown to apt (apt-get update?)"
    fetch "$p" "$v"; debs+=("$(deb_of "$p" "$v")")
done

# Unpack everything into one tree, then pick what dom0 needs out of it.
work=$OUT/work
rm -rf "$work" && mkdir -p "$work/x" "$work/root"
for d in "${debs[@]}"; do dpkg-deb -x "$d" "$work/x"; done
X=$work/x R=$work/root

kver=$(ls "$X/lib/modules" | head -n1)
[ -n "$kver" ] && [ -f "$X/boot/vmlinuz-$kver" ] || die "no kernel in $kpkg"

mkdir -p "$R"/{bin,sbin,etc,proc,sys,dev,run,tmp,var/log,var/lib/xen,var/lib/xenstored,var/run/xen,lib64,lib/x86_64-linux-gnu,lib/modules,usr/lib/xen-4.17/bin,usr/bin,harness}
cp "$X/bin/busybox" "$R/bin/busybox"
for app in sh mount mkdir sleep cat echo insmod ls grep sed awk date head poweroff \
           timeout kill ps rm seq tr wc cut dmesg uname printf test true false dd sync; do
    ln -sf busybox "$R/bin/$app"
done

XB=usr/lib/xen-4.17/bin
for b in xl xenstored xenconsoled xen-init-dom0 libxl-save-helper; do
    [ -x "$X/$XB/$b" ] || die "$b not found in xen-utils-4.17/xenstore packages ($XB)"
    cp -a "$X/$XB/$b" "$R/$XB/$b"
    ln -sf "/$XB/$b" "$R/usr/bin/$b"
done
cp -a "$X/usr/bin/xenstore" "$R/usr/bin/xenstore"
for l in read write ls rm exists list chmod watch; do
    ln -sf xenstore "$R/usr/bin/xenstore-$l"
done
# libxl reads its helper scripts directory and this file at start.
mkdir -p "$R/etc/xen/scripts"
cp -a "$X/etc/xen/xl.conf" "$R/etc/xen/xl.conf" 2>/dev/null || true
# Run-time state directories libxl expects.
mkdir -p "$R/var/lib/xen/dump" "$R/var/lib/xl" "$R/run/xen"

# The harness's vm_event tool, against Debian's libxenctrl (the SONAME is
# the toolstack's: the library itself comes from the packages above).
[ -f /usr/include/xenctrl.h ] || die "xenctrl.h not found: install libxen-dev (scripts/setup.sh)"
gcc -O2 -Wall -Wextra -Werror -o "$R/harness/vm-event-hog" "$HARNESS/vm-event-hog.c" -lxenctrl \
    || die "building tests/harness/vm-event-hog.c failed"

# Libraries: the transitive DT_NEEDED closure of the binaries, resolved in the
# unpacked tree, plus libgcc_s (glibc dlopens it for pthread_cancel: without
# it xl aborts with rc 134 after creating the domain).
LIBDIRS=("$X/lib/x86_64-linux-gnu" "$X/usr/lib/x86_64-linux-gnu" "$X/usr/lib/xen-4.17/lib" "$X/lib64")
find_lib() {
    local d
    for d in "${LIBDIRS[@]}"; do
        [ -e "$d/$1" ] && { echo "$d/$1"; return 0; }
    done
    return 1
}
declare -A seen=()
# closure ROOT ITEM...: copy into ROOT/lib/x86_64-linux-gnu every library
# the ITEMs (files, or lib:NAME) need that no earlier call copied.
closure() {
    local root=$1 item name src file n
    shift
    local queue=("$@")
    while [ ${#queue[@]} -gt 0 ]; do
        item=${queue[0]}; queue=("${queue[@]:1}")
        if [[ $item == lib:* ]]; then
            name=${item#lib:}
            [ -n "${seen[$name]:-}" ] && continue
            seen[$name]=1
            src=$(find_lib "$name") || die "library $name not found in the unpacked packages (missing package?)"
            mkdir -p "$root/lib/x86_64-linux-gnu"
            cp -L "$src" "$root/lib/x86_64-linux-gnu/$name"
            file=$root/lib/x86_64-linux-gnu/$name
        else
            file=$item
        fi
        for n in $(readelf -d "$file" | awk '/\(NEEDED\)/ { gsub(/[\[\]]/, "", $5); print $5 }'); do
            [ -n "${seen[$n]:-}" ] || queue+=("lib:$n")
        done
    done
}
closure "$R" "$R/$XB/xl" "$R/$XB/xenstored" "$R/$XB/xenconsoled" "$R/$XB/xen-init-dom0" \
    "$R/$XB/libxl-save-helper" "$R/usr/bin/xenstore" "$R/harness/vm-event-hog" \
    lib:libgcc_s.so.1 lib:ld-linux-x86-64.so.2
ln -sf /lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 "$R/lib64/ld-linux-x86-64.so.2"
# xl's device-model-less paths still dlopen nothing else; libxl's stub for
# /etc/ld.so.cache is absent, so the search path is the default one.

# Kernel modules, in dependency order (modinfo's depends field).
mdir=$X/lib/modules/$kver
mkdir -p "$R/lib/modules/$kver"
: > "$R/lib/modules/order"
declare -A mdone=()
add_module() {
    local m=$1 f dep
    [ -n "${mdone[$m]:-}" ] && return 0
    mdone[$m]=1
    f=$(find "$mdir" -name "$m.ko" -o -name "$m.ko.xz" -o -name "$m.ko.zst" | head -n1)
    [ -n "$f" ] || f=$(find "$mdir" -name "${m//-/_}.ko*" | head -n1)
    [ -n "$f" ] || die "module $m not found in $kpkg"
    case $f in
        *.xz) xz -dc "$f" > "$R/lib/modules/$kver/$m.ko" ;;
        *.zst) zstd -qdc "$f" > "$R/lib/modules/$kver/$m.ko" ;;
        *) cp "$f" "$R/lib/modules/$kver/$m.ko" ;;
    esac
    # The .modinfo section's "depends=" (objcopy: no kmod needed on the host).
    for dep in $(objcopy -O binary --only-section=.modinfo "$R/lib/modules/$kver/$m.ko" /dev/stdout 2>/dev/null \
                 | tr '\0' '\n' | sed -n 's/^depends=//p' | tr ',' ' '); do
        add_module "$dep"
    done
    echo "/lib/modules/$kver/$m.ko" >> "$R/lib/modules/order"
}
for m in "${MODULES[@]}"; do add_module "$m"; done

[ -f "$HARNESS/init" ] || die "tests/harness/init missing"
install -m 0755 "$HARNESS/init" "$R/init"
install -m 0755 "$HARNESS/fake-dm" "$R/harness/fake-dm"
echo "root:x:0:0:root:/:/bin/sh" > "$R/etc/passwd"

# The real device model's overlay (see the top): the paths are the ones
# Debian's libxl uses (strings of libxenlight: /usr/libexec/xen-qemu-system-i386,
# /usr/lib/xen-4.17/boot/hvmloader, /usr/share/seabios/bios-256k.bin); QEMU
# finds the VGA BIOS of -vga std and its keymap in its data directory
# /usr/share/qemu.
D=$work/dm
mkdir -p "$D/usr/libexec" "$D/usr/lib/xen-4.17/boot" "$D/usr/share/seabios" "$D/usr/share/qemu" "$D/$XB"
cp -a "$X/usr/libexec/xen-qemu-system-i386" "$D/usr/libexec/" \
    || die "xen-qemu-system-i386 not found in qemu-system-xen"
cp -a "$X/usr/lib/xen-4.17/boot/hvmloader" "$D/usr/lib/xen-4.17/boot/" || die "hvmloader not found in xen-utils-4.17"
for f in bios-256k.bin vgabios-stdvga.bin; do
    cp -L "$X/usr/share/seabios/$f" "$D/usr/share/seabios/$f" || die "$f not found in seabios"
done
ln -sf ../seabios/vgabios-stdvga.bin "$D/usr/share/qemu/vgabios-stdvga.bin"
# QEMU loads its default keymap even with -vnc none (qemu-system-data).
mkdir -p "$D/usr/share/qemu/keymaps"
cp "$X/usr/share/qemu/keymaps/en-us" "$D/usr/share/qemu/keymaps/" || die "keymap en-us not found in qemu-system-data"
for b in xen-hvmctx; do
    cp -a "$X/$XB/$b" "$D/$XB/$b" || die "$b not found in xen-utils-4.17"
done
closure "$D" "$D/usr/libexec/xen-qemu-system-i386" "$D/$XB/xen-hvmctx"

cp "$X/boot/vmlinuz-$kver" "$OUT/vmlinuz.new"
(cd "$D" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) | gzip -6 > "$OUT/dm.cpio.gz.new"
mv "$OUT/dm.cpio.gz.new" "$OUT/dm.cpio.gz"
(cd "$R" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) | gzip -6 > "$OUT/initramfs.cpio.gz.new"
mv "$OUT/vmlinuz.new" "$OUT/vmlinuz"
mv "$OUT/initramfs.cpio.gz.new" "$OUT/initramfs.cpio.gz"
echo "$kver" > "$OUT/kver"
inputs_stamp > "$OUT/.stamp"
rm -rf "$work"
log "dom0 image: $OUT/vmlinuz ($kver), $OUT/initramfs.cpio.gz ($(du -h "$OUT/initramfs.cpio.gz" | cut -f1)), device model $OUT/dm.cpio.gz ($(du -h "$OUT/dm.cpio.gz" | cut -f1))"
