#!/usr/bin/env bash
# Integration: the baseline XTF-style guests on the debug Xen with the stock
# C emulators (hvm_depriv=0), once with shadow paging and once with HAP.
# Each guest x paging mode is one check.  Then one boot checks the harness
# itself: a guest Xen kills (triple fault, expected "crash") running
# concurrently with a bystander that must succeed (2 checks).
# Needs build/xen-debug (make xen-debug).
set -uo pipefail
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${BUILD:-$TOP/build}
STEP_COUNTS=${STEP_COUNTS:-/dev/null}
GUESTS=(${HVM_GUESTS:-reg-integrity vpic vrtc realmode})
MODES=(${HVM_PAGING:-shadow hap})

p=0 f=0
fail_all() { echo "FAIL $*"; echo "0 $(( ${#GUESTS[@]} * ${#MODES[@]} ))" > "$STEP_COUNTS"; exit 1; }

[ -f "$BUILD/xen-debug/xen" ] || fail_all "$BUILD/xen-debug/xen missing (make xen-debug)"
nice make -s -C "$TOP/tests/xtf" O="$BUILD/xtf" TESTS="${GUESTS[*]} triple-fault selftest" || fail_all "guest build failed"
nice bash "$TOP/scripts/build-dom0.sh" || fail_all "dom0 image build failed"

start=$(date +%s)
for mode in "${MODES[@]}"; do
    json=$BUILD/results/guests/baseline-$mode.json
    rm -f "$json"
    nice python3 "$TOP/scripts/run-xen.py" --flavour debug --paging "$mode" \
        --xen-opt "hvm_depriv=0 hvm_fep=1" --label "baseline-$mode" --json "$json" \
        --guest-timeout 150 "${GUESTS[@]}"
    if [ -s "$json" ]; then
        read -r mp mf < <(python3 -c 'import json,sys; g=json.load(open(sys.argv[1]))["guests"]; print(sum(x["ok"] for x in g), sum(not x["ok"] for x in g))' "$json")
    else
        mp=0 mf=${#GUESTS[@]}
    fi
    p=$((p + mp)) f=$((f + mf))
done

if [ -z "${HVM_NO_SELFCHECK:-}" ]; then
    json=$BUILD/results/guests/harness-selfcheck.json
    rm -f "$json"
    nice python3 "$TOP/scripts/run-xen.py" --flavour debug --paging hap \
        --xen-opt "hvm_depriv=0" --label harness-selfcheck --json "$json" \
        --guest-timeout 60 'victim=triple-fault:crash+bystander=selftest'
    if [ -s "$json" ]; then
        read -r mp mf < <(python3 -c 'import json,sys; g=json.load(open(sys.argv[1]))["guests"]; print(sum(x["ok"] for x in g), sum(not x["ok"] for x in g))' "$json")
    else
        mp=0 mf=2
    fi
    p=$((p + mp)) f=$((f + mf))
fi
echo "guests: $p passed, $f failed in $(( $(date +%s) - start ))s (${GUESTS[*]} x ${MODES[*]})"
echo "$p $f" > "$STEP_COUNTS"
[ "$f" -eq 0 ]
