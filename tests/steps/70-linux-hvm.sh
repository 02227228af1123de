#!/usr/bin/env bash
# A real OS on the deprivileged emulators: Debian's Linux kernel as an HVM
# guest with hvm_depriv=1, shadow and HAP; see 70-linux-hvm.py.
exec python3 "${0%.sh}.py" "$@"
