#!/usr/bin/env bash
# Run every step script of a suite (tests/steps, tests/bench, tests/long)
# in name order and add up their counts.
#
# A step is an executable tests/<suite>/NN-name.sh.  It gets $TOP (the
# repository), $BUILD (its build/ directory) and $STEP_COUNTS (a file).  It
# writes "PASSED FAILED" there (numbers of individual checks) and exits 0
# only if all passed.  A step that exits non-zero without writing counts
# counts as one failure; one that exits 0 without counts, as one pass.
#
# Usage: scripts/run-steps.sh SUITE [STEP-NAME-SUBSTRING...]
set -uo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$TOP/build
export TOP BUILD
suite=${1:?usage: run-steps.sh SUITE [FILTER...]}
shift
dir=$TOP/tests/$suite
[ -d "$dir" ] || { echo "run-steps: no suite $dir" >&2; exit 2; }

results=$BUILD/results/$suite
mkdir -p "$results"
total_p=0 total_f=0
summary=()
failed=()
for step in "$dir"/[0-9]*.sh; do
    [ -e "$step" ] || continue
    name=$(basename "$step" .sh)
    if [ $# -gt 0 ]; then
        keep=0
        for f in "$@"; do case $name in *"$f"*) keep=1 ;; esac; done
        [ $keep = 1 ] || continue
    fi
    counts=$results/$name.counts
    rm -f "$counts"
    echo "==== $suite/$name"
    start=$(date +%s)
    # The step's output also goes to a log, so the summary can repeat the
    # failure lines of a failed step (CI shows only the tail of the output).
    STEP_COUNTS=$counts bash "$step" 2>&1 | tee "$results/$name.log"
    rc=${PIPESTATUS[0]}
    secs=$(( $(date +%s) - start ))
    if [ -s "$counts" ]; then
        read -r p f < "$counts"
    elif [ $rc -eq 0 ]; then
        p=1 f=0
    else
        p=0 f=1
    fi
    if [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
    total_p=$((total_p + p)) total_f=$((total_f + f))
    [ $rc -ne 0 ] && failed+=("$name")
    summary+=("$(printf '%-32s %6s passed %4s failed %5ss%s' "$name" "$p" "$f" "$secs" \
        "$([ $rc -ne 0 ] && echo '  <-- FAILED')")")
done
echo
# Failure lines first, so that the summary stays the last thing printed.
for name in "${failed[@]}"; do
    echo "==== $suite/$name: failure lines (first 20; full output in build/results/$suite/$name.log)"
    grep -a -E 'FAIL|Fail:|not ok|status=(timeout|create-failed)|Test result: (FAILURE|ERROR)|panic|Assertion' \
        "$results/$name.log" | head -20
    echo
done
echo "==== $suite summary"
for l in "${summary[@]}"; do echo "$l"; done
echo
echo "$total_p passed, $total_f failed"
[ "$total_f" -eq 0 ]
