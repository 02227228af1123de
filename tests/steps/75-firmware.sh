#!/usr/bin/env bash
# Standard HVM guests (real device model, hvmloader, SeaBIOS, GRUB, a test
# kernel) with hvm_depriv=0 and =1, shadow and HAP; see 75-firmware.py.
exec python3 "${0%.sh}.py" "$@"
