#!/usr/bin/env bash
# Install what hvm-depriv needs to build and test, from Debian's packages only.
# Idempotent: installs only what is missing, prints one line per install.
set -euo pipefail

PKGS=(
    build-essential flex bison python3 gcc-multilib dpkg-dev
    libclang-dev clang lld cpio busybox-static valgrind
    qemu-system-x86 xz-utils gzip file binutils patch rsync
    libxen-dev
    # The Bochs machine (run-xen.sh --machine bochs-vmx): Intel VMX, booted
    # from a GRUB rescue ISO (Bochs has no direct kernel loading).
    bochs bochsbios vgabios grub-pc-bin grub-common xorriso mtools
    # (grub-pc-bin also builds the firmware guest's disk, tests/firmware/build.sh:
    # grub-mkimage and GRUB's i386-pc boot.img/modules.  The device model,
    # hvmloader and SeaBIOS run in dom0 only: scripts/build-dom0.sh fetches
    # them with apt-get download: qemu-system-xen, qemu-system-data, seabios...)
)

die() { echo "setup: error: $*" >&2; exit 1; }

SUDO=
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || die "not root and no sudo: cannot install packages"
    SUDO=sudo
fi

# A deb-src entry for the configured mirror, only if none exists.
have_src() {
    grep -rqsE '^[[:space:]]*deb-src[[:space:]]' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null && return 0
    grep -rqsE '^Types:.*deb-src' /etc/apt/sources.list.d/*.sources 2>/dev/null
}

if ! have_src; then
    uri=$( (grep -hsE '^URIs:' /etc/apt/sources.list.d/*.sources || true) | awk '{print $2}' | grep -v security | head -n1)
    if [ -z "$uri" ]; then
        uri=$( (grep -hsE '^deb[[:space:]]' /etc/apt/sources.list || true) | awk '{print $2}' | grep -v security | head -n1)
    fi
    [ -n "$uri" ] || die "no Debian mirror configured in /etc/apt: cannot add a deb-src entry"
    suite=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")
    echo "setup: adding deb-src entry for $uri ($suite)"
    printf 'Types: deb-src\nURIs: %s\nSuites: %s %s-updates\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
        "$uri" "$suite" "$suite" | $SUDO tee /etc/apt/sources.list.d/hvm-depriv-src.sources >/dev/null
    $SUDO apt-get update -qq || die "apt-get update failed"
    touch /tmp/.hvm-depriv-apt-updated
fi

missing=()
for p in "${PKGS[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
    [ -e /tmp/.hvm-depriv-apt-updated ] || { $SUDO apt-get update -qq || die "apt-get update failed"; }
    for p in "${missing[@]}"; do echo "setup: installing $p"; done
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
        || die "apt-get install failed for: ${missing[*]}"
fi

# Rust: the toolchain pinned in depriv-rs/rust-toolchain.toml is the machine's own.
command -v cargo >/dev/null || die "cargo not found: install the Rust toolchain (rustup) first"
exit 0
