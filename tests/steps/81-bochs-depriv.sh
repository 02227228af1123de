#!/usr/bin/env bash
# The deprivileged mode on Intel VMX under Bochs; see
# 81-bochs-depriv.py.  Not in `make test` yet: it runs only with HVM_BOCHS=1
# (`make test-bochs` sets it).
if [ "${HVM_BOCHS:-0}" != 1 ]; then
    echo "info 81-bochs-depriv: skipped (HVM_BOCHS=1 runs it: make test-bochs)"
    [ -n "${STEP_COUNTS:-}" ] && echo "0 0" > "$STEP_COUNTS"
    exit 0
fi
exec python3 "${0%.sh}.py" "$@"
