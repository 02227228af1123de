#!/usr/bin/env bash
# Boot build/xen-<flavour>/xen under QEMU with the harness dom0 and run HVM
# test guests; see scripts/run-xen.py (or --help) for the options.
exec python3 "$(dirname "$0")/run-xen.py" "$@"
