#!/usr/bin/env bash
# Save/restore of the vPIC/vRTC state, with the deprivileged emulators on
# and off and across the two: the save-restore guest (tests/xtf/tests/
# save-restore) programs both PICs and the RTC, the harness saves it at its
# SAVE-POINT and restores it (xl save / xl restore, see tests/harness/README.md),
# and the restored guest checks that state.  Three boots of the debug Xen,
# HAP, one raw disk image carrying save files from one boot to the next:
#   1. hvm_depriv=0: "ref" saved and restored in the boot (the reference);
#      "x01" saved to the disk
#   2. hvm_depriv=1: "dep" saved and restored in the boot, next to a vpic
#      bystander; "x01" restored from the disk (saved with =0); "x10"
#      saved to the disk
#   3. hvm_depriv=0: "x10" restored from the disk (saved with =1)
# Each guest of each boot is one check (x01 and x10: once saved, once
# restored).  With hvm_depriv=1 a guest also passes only if Xen's summary
# of each of its domains' vCPU (printed at destruction: the saved domain
# and the restored one) shows the payload ran its PIC and RTC port I/O
# (pic-io > 0, rtc-io > 0) and its IRQ edges (pic-edge > 0, none left to
# vpic.c) and contained nothing (faults, watchdog, syscall-errors 0); with
# hvm_depriv=0 there must be no such summary.
# Needs build/xen-debug (make xen-debug).
set -uo pipefail
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${BUILD:-$TOP/build}
STEP_COUNTS=${STEP_COUNTS:-/dev/null}
# A call is stopped after this long (the one-second default, given explicitly).
BUDGET=hvm_depriv_budget=1000000
TOTAL=7
DISK=$BUILD/results/sr-disk.img
RES=$BUILD/results/guests

p=0 f=0
fail_all() { echo "FAIL $*"; echo "0 $TOTAL" > "$STEP_COUNTS"; exit 1; }

[ -f "$BUILD/xen-debug/xen" ] || fail_all "$BUILD/xen-debug/xen missing (make xen-debug)"
nice make -s -C "$TOP/tests/xtf" O="$BUILD/xtf" TESTS="save-restore vpic" || fail_all "guest build failed"
nice bash "$TOP/scripts/build-dom0.sh" || fail_all "dom0 image build failed"
mkdir -p "$RES"
rm -f "$DISK" && truncate -s 256M "$DISK" || fail_all "cannot create $DISK"

# boot LABEL DEPRIV NGUESTS SPEC...: one boot; adds its guests' verdicts
# (the runner's, and the depriv counters) to p/f.
boot() {
    local label=$1 dp=$2 n=$3 opts mp= mf=
    shift 3
    opts="hvm_depriv=0"
    [ "$dp" = 1 ] && opts="hvm_depriv=1 $BUDGET"
    rm -f "$RES/$label.json"
    nice python3 "$TOP/scripts/run-xen.py" --flavour debug --paging hap \
        --xen-opt "$opts" --label "$label" --json "$RES/$label.json" \
        --disk "$DISK" --guest-timeout 300 "$@"
    if [ -s "$RES/$label.json" ]; then
        read -r mp mf < <(python3 - "$RES/$label.json" "$RES/$label.log" "$dp" "$TOP/tests/steps" <<'PY'
import json, sys
sys.path.insert(0, sys.argv[4])
from depriv_log import contained, edges_in_xen, guest_failure_lines, vcpu_counters
res = json.load(open(sys.argv[1]))
log = open(sys.argv[2], errors="replace").read()
depriv = sys.argv[3] == "1"
p = f = 0
for g in res["guests"]:
    ok = bool(g["ok"])
    # The save-restore guests: every domain they had (saved, restored).
    for d in (g["domids"] if g["test"] == "save-restore" else []):
        c = vcpu_counters(log, d) or {}
        if not depriv:
            if c:
                ok = False
            print(f"{'FAIL' if c else 'ok  '} {g['name']} d{d}: "
                  f"{'hvm_depriv summary with hvm_depriv=0' if c else 'no hvm_depriv summary (off)'}",
                  file=sys.stderr)
            continue
        # IRQ edges too (the guest's periodic IRQ 8), none left to vpic.c.
        c["pic-edge-xen"] = edges_in_xen(log, d)
        good = bool(c) and c["pic-io"] > 0 and c["rtc-io"] > 0 and c.get("pic-edge", 0) > 0 and \
            c["pic-edge-xen"] == 0 and contained(c) == 0
        ok = ok and good
        print(f"{'ok  ' if good else 'FAIL'} {g['name']} d{d}: "
              + (" ".join(f"{k}={v}" for k, v in c.items()) if c else "no hvm_depriv summary"),
              file=sys.stderr)
    if not ok:
        # The guest's own failure lines, for the step summary.
        for d in g.get("domids") or [g["domid"]]:
            for line in guest_failure_lines(log, d):
                print(f"FAIL {g['name']}: {line}", file=sys.stderr)
    p += ok
    f += not ok
print(p, f)
PY
)
    fi
    # No results, or the checker failed: every guest of the boot failed.
    [ -n "${mf:-}" ] || { mp=0 mf=$n; echo "FAIL checking $label"; }
    echo "$label: $mp passed, $mf failed"
    p=$((p + mp)) f=$((f + mf))
}

start=$(date +%s)
boot sr-depriv0 0 2 'ref=save-restore@sr+x01=save-restore@save-disk'
boot sr-depriv1 1 4 'dep=save-restore@sr+vpic+x01=save-restore@restore-disk+x10=save-restore@save-disk'
boot sr-depriv0-restore 0 1 'x10=save-restore@restore-disk'

echo "save/restore: $p passed, $f failed in $(( $(date +%s) - start ))s (hvm_depriv=0/1, in one boot and across boots, HAP)"
echo "$p $f" > "$STEP_COUNTS"
[ "$f" -eq 0 ] && [ $((p + f)) -eq "$TOTAL" ]
