#!/usr/bin/env bash
# Xen with CET (shadow stacks, IBT) under Bochs' tigerlake model and the
# harness dom0 on it; see 82-bochs-cet.py.  Not in `make test`: it runs
# only with HVM_BOCHS=1 (`make test-bochs` sets it).
if [ "${HVM_BOCHS:-0}" != 1 ]; then
    echo "info 82-bochs-cet: skipped (HVM_BOCHS=1 runs it: make test-bochs)"
    [ -n "${STEP_COUNTS:-}" ] && echo "0 0" > "$STEP_COUNTS"
    exit 0
fi
exec python3 "${0%.sh}.py" "$@"
