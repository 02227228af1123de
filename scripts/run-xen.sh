#!/usr/bin/env bash
# Boot build/xen-<flavour>/xen on an emulated machine (QEMU, or Bochs with
# --machine bochs-vmx) with the harness dom0 and run HVM test guests; see
# scripts/hvmharness/cli.py (or --help) for the options.
exec python3 "$(dirname "$0")/run-xen.py" "$@"
