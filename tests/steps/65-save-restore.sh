#!/usr/bin/env bash
# Save/restore of the vPIC/vRTC state with hvm_depriv=0/1, in one boot and
# across boots through a disk image; see 65-save-restore.py.
exec python3 "${0%.sh}.py" "$@"
