#!/usr/bin/env bash
# Integration: the baseline guests with hvm_depriv=0 and =1, shadow and HAP,
# plus a harness self-check; see 50-guests.py.
exec python3 "${0%.sh}.py" "$@"
