#!/usr/bin/env bash
# Fetch the pinned Xen source package with apt-get source (apt verifies the
# .dsc checksums) and unpack a pristine tree under build/ once.
# Usage: scripts/fetch-xen.sh   (prints the pristine tree's path)
set -euo pipefail

XEN_PKG_VERSION=4.17.5+72-g01140da4e8-1
XEN_UPSTREAM=4.17.5+72-g01140da4e8

top=$(cd "$(dirname "$0")/.." && pwd)
src=$top/build/src
pristine=${XEN_PRISTINE_DIR:-$top/build/xen-pristine}
stamp=$pristine/.hvm-depriv-pinned

die() { echo "fetch-xen: error: $*" >&2; exit 1; }

if [ -d "$pristine" ]; then
    [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$XEN_PKG_VERSION" ] \
        || die "$pristine is not the pinned xen $XEN_PKG_VERSION tree; remove it (rm -rf $pristine) and rerun"
    [ -f "$pristine/xen/Makefile" ] || die "$pristine is incomplete; remove it and rerun"
    echo "$pristine"
    exit 0
fi

mkdir -p "$src"
dsc=$src/xen_${XEN_PKG_VERSION}.dsc
if [ ! -f "$dsc" ]; then
    echo "fetch-xen: apt-get source xen=$XEN_PKG_VERSION" >&2
    (cd "$src" && apt-get source --download-only -qq "xen=$XEN_PKG_VERSION" >&2) \
        || die "apt-get source xen=$XEN_PKG_VERSION failed (is there a deb-src entry? run scripts/setup.sh)"
fi

# Unpack into a scratch directory, then move into place atomically.
tmp=$(mktemp -d "$top/build/.xen-unpack.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && dpkg-source --no-copy --skip-debianization -x "$dsc" xen >&2) \
    || die "dpkg-source failed to unpack $dsc"
# The Debian package's own patches (debian/patches) are applied by
# dpkg-source for a 3.0 (quilt) package; we keep them: that is the Xen
# Debian ships and the one the dom0 toolstack comes from.
grep -q "^Version: $XEN_PKG_VERSION\$" "$dsc" || die "$dsc is not version $XEN_PKG_VERSION"
echo "$XEN_PKG_VERSION" > "$tmp/xen/.hvm-depriv-pinned"
mv "$tmp/xen" "$pristine"
echo "$pristine"
