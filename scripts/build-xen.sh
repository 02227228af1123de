#!/usr/bin/env bash
# Build the patched Xen hypervisor, out of tree, for one flavour.
# Usage: scripts/build-xen.sh debug|release
# Result: build/xen-<flavour>/{xen,xen.gz,xen-syms}.  Incremental.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
flavour=${1:-}
die() { echo "build-xen: error: $*" >&2; exit 1; }
case $flavour in
    debug|release) ;;
    *) die "usage: build-xen.sh debug|release (got '${flavour}')" ;;
esac

frag=$top/xen-patches/kconfig/$flavour.config
src=$top/build/xen-src/xen
obj=$top/build/xen-obj-$flavour
out=$top/build/xen-$flavour
payload=${HVM_DEPRIV_PAYLOAD:-$top/build/payload/hvm-depriv-payload.o}
jobs=${JOBS:-$(nproc)}

[ -f "$src/Makefile" ] || die "$src missing: run scripts/apply-patches.sh first"
[ -f "$payload" ] || die "payload $payload missing: run linker/build-payload.sh first"
mkdir -p "$obj" "$out"

# (Re)configure when the fragment changed: defconfig + fragment + olddefconfig.
fragstamp=$obj/.hvm-depriv-fragment
if ! [ -f "$obj/.config" ] || ! cmp -s "$frag" "$fragstamp"; then
    make -s -C "$src" O="$obj" defconfig >/dev/null
    (cd "$obj" && "$src/tools/kconfig/merge_config.sh" -m -O "$obj" "$obj/.config" "$frag" >/dev/null)
    make -s -C "$src" O="$obj" olddefconfig >/dev/null
    cp "$frag" "$fragstamp"
fi
# Every setting of the fragment must have survived Kconfig's dependencies.
while IFS= read -r line; do
    case $line in
        CONFIG_*=*) grep -qx "$line" "$obj/.config" || die "$flavour config: '$line' did not take (check its Kconfig dependencies)" ;;
        "# CONFIG_"*" is not set") grep -qx "$line" "$obj/.config" || die "$flavour config: '$line' did not take" ;;
    esac
done < "$frag"

make -s -C "$src" O="$obj" -j"$jobs" HVM_DEPRIV_PAYLOAD="$payload" >"$obj/build.log" 2>&1 \
    || { tail -n 40 "$obj/build.log" >&2; die "$flavour build failed (log: $obj/build.log)"; }
for f in xen xen.gz xen-syms; do
    [ -f "$obj/$f" ] || die "$flavour build did not produce $f"
    cp -p "$obj/$f" "$out/$f"
done
echo "build-xen: $flavour: $(du -h "$out/xen" | cut -f1) $out/xen"
