#!/usr/bin/env bash
# Apply xen-patches/series onto a fresh copy of the pristine tree and sync
# the result into build/xen-src.  Only files whose content changed are
# rewritten, so Xen rebuilds incrementally.  Never touches the pristine tree.
# A patch that fails stops here, naming the patch and the failing file.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
pristine=$("$top/scripts/fetch-xen.sh")
patches=${XEN_PATCHES_DIR:-$top/xen-patches}
dest=${XEN_SRC_DIR:-$top/build/xen-src}
stampfile=$dest/.hvm-depriv-series

die() { echo "apply-patches: error: $*" >&2; exit 1; }

[ -f "$patches/series" ] || die "no $patches/series"
mapfile -t series < <(grep -v -e '^#' -e '^[[:space:]]*$' "$patches/series")
stamp=$( (cat "$pristine/.hvm-depriv-pinned"; for p in "${series[@]}"; do cat "$patches/$p"; done) | sha256sum | cut -d' ' -f1)
if [ -f "$stampfile" ] && [ "$(cat "$stampfile")" = "$stamp" ]; then
    exit 0
fi

tmp=$(mktemp -d "$top/build/.xen-patch.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# "/.": copy the content even when build/xen-pristine is a symlink.
cp -a "$pristine/." "$tmp/xen"
for p in "${series[@]}"; do
    [ -f "$patches/$p" ] || die "series names $p, which is not in xen-patches/"
    if ! out=$(cd "$tmp/xen" && patch -p1 --forward --batch --no-backup-if-mismatch -r - < "$patches/$p" 2>&1); then
        failing=$(printf '%s\n' "$out" | sed -n -e 's/^patching file \(.*\)$/\1/p' | tail -n1)
        printf '%s\n' "$out" >&2
        die "patch $p failed to apply (failing file: ${failing:-unknown})"
    fi
done
echo "$stamp" > "$tmp/xen/.hvm-depriv-series"
mkdir -p "$dest"
# -c: compare content, so unchanged files keep their timestamps.
rsync -rlpc --delete "$tmp/xen/" "$dest/"
echo "apply-patches: ${#series[@]} patch(es) applied in $dest" >&2
