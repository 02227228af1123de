#!/usr/bin/env bash
# The demo boot `make` ends with: Xen (debug build) under QEMU, a Linux PV
# dom0 built from Debian packages, and one XTF-style HVM guest (the vPIC
# test) with the deprivileged emulation on (hvm_depriv=1; the call budget
# raised to 1 s because TCG can stall a call far beyond the 1 ms default).
# Prints the guest's result and Xen's view, including its per-vCPU summary
# of what ran at ring 3.
set -uo pipefail
TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$TOP/build}
GUEST=${DEMO_GUEST:-vpic}

echo "demo: building the guest and the dom0 image (first time: downloads .debs)"
nice make -s -C "$TOP/tests/xtf" O="$BUILD/xtf" TESTS="$GUEST" || exit 1
json=$BUILD/results/guests/demo.json
python3 "$TOP/scripts/run-xen.py" --paging hap --xen-opt "hvm_depriv=1 hvm_depriv_budget=1000000" \
    --label demo --json "$json" --show-guest-output "$GUEST"
rc=$?
log=$BUILD/results/guests/demo.log
if [ -s "$log" ]; then
    domid=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["guests"][0]["domid"] or "")' "$json" 2>/dev/null)
    echo
    echo "demo: Xen's view (from the serial log $log):"
    grep -m1 -a "Xen version" "$log" | sed 's/^/  /'
    grep -m1 -a "Command line:" "$log" | sed 's/^/  /'
    grep -a -E "HVM: (SVM enabled|Hardware Assisted Paging)" "$log" | head -3 | sed 's/^/  /'
    if [ -n "$domid" ]; then
        echo "  ... what Xen itself logged about d$domid, and the guest's last line:"
        grep -a -E "d${domid}v[0-9]" "$log" | grep -v "save:" | head -5 | sed 's/^/  /'
        grep -a -E "\(d$domid\) Test result" "$log" | sed 's/^/  /'
    fi
fi
exit $rc
