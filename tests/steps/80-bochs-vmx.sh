#!/usr/bin/env bash
# Intel VMX under Bochs: one boot with baseline guests, hvm_depriv=0; see
# 80-bochs-vmx.py.  Not in `make test` yet: it runs only with HVM_BOCHS=1
# (`make test-bochs` sets it).
if [ "${HVM_BOCHS:-0}" != 1 ]; then
    echo "info 80-bochs-vmx: skipped (HVM_BOCHS=1 runs it: make test-bochs)"
    [ -n "${STEP_COUNTS:-}" ] && echo "0 0" > "$STEP_COUNTS"
    exit 0
fi
exec python3 "${0%.sh}.py" "$@"
