#!/usr/bin/env bash
# The deprivileged mode with CET (shadow stacks, IBT) on, under Bochs'
# tigerlake model: two boots; see 82-bochs-cet.py.  In `make test`;
# HVM_BOCHS=0 skips it (a quick local run).
if [ "${HVM_BOCHS:-1}" = 0 ]; then
    echo "info 82-bochs-cet: skipped (HVM_BOCHS=0)"
    [ -n "${STEP_COUNTS:-}" ] && echo "0 0" > "$STEP_COUNTS"
    exit 0
fi
exec python3 "${0%.sh}.py" "$@"
