#!/usr/bin/env bash
# Intel VMX under Bochs: the deprivileged mode's tests in three boots; see
# 80-bochs-vmx.py.  In `make test`; HVM_BOCHS=0 skips it (a quick local run).
if [ "${HVM_BOCHS:-1}" = 0 ]; then
    echo "info 80-bochs-vmx: skipped (HVM_BOCHS=0)"
    [ -n "${STEP_COUNTS:-}" ] && echo "0 0" > "$STEP_COUNTS"
    exit 0
fi
exec python3 "${0%.sh}.py" "$@"
