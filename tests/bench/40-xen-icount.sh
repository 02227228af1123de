#!/usr/bin/env bash
# Instructions Xen executes per emulated operation (hvm_depriv=0 vs =1),
# counted by a QEMU TCG plugin; see 40-xen-icount.py.
exec python3 "${0%.sh}.py" "$@"
