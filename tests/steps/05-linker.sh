#!/usr/bin/env bash
# The payload checker's own tests (one deliberately bad object per rule),
# then the checker on the real payload.
set -uo pipefail
counts=$BUILD/results/linker-cases.counts
bash "$TOP/linker/tests/run-tests.sh" "$counts"; rc=$?
read -r p f < "$counts" || { p=0; f=1; }
if python3 "$TOP/linker/check-payload.py" "$BUILD/payload/hvm-depriv-payload.o"; then
    p=$((p + 1))
else
    f=$((f + 1)); rc=1
fi
echo "$p $f" > "$STEP_COUNTS"
exit $rc
