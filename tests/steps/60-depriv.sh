#!/usr/bin/env bash
# The deprivileged mode itself, under Xen under QEMU (hvm_depriv=selftest):
# every misbehaviour scenario of the payload is contained (the victim domain
# is crashed, with the right one-line report) while a bystander guest keeps
# making thousands of depriv calls and passes, and Xen survives; in shadow
# and HAP paging.  Plus: the ABI header Xen carries is the project's, bad
# options keep the mode off with a clear message.
set -uo pipefail
cd "$TOP" || exit 1
p=0 f=0
ok()   { echo "ok   $*"; p=$((p + 1)); }
fail() { echo "FAIL $*"; f=$((f + 1)); }
finish() { echo "$p $f" > "$STEP_COUNTS"; [ "$f" -eq 0 ]; exit; }

# 1. One ABI: Xen's copy of the header is byte-identical to depriv-rs's.
if cmp -s depriv-rs/abi/include/hvm-depriv-abi.h \
        "$BUILD/xen-src/xen/arch/x86/include/asm/hvm/depriv-abi.h"; then
    ok "Xen's asm/hvm/depriv-abi.h is depriv-rs/abi/include/hvm-depriv-abi.h"
else
    fail "Xen's asm/hvm/depriv-abi.h differs from depriv-rs/abi/include/hvm-depriv-abi.h"
fi

if ! make -s -C tests/xtf >/dev/null; then
    fail "building the test guests"
    finish
fi

# 2. Containment.  scenario:expected report (see depriv-rs/blob/src/selftest.rs)
scenarios=(
    "wild-read:exception 14, error code 0x4,"
    "wild-write:exception 14, error code 0x6,"
    "write-text:exception 14, error code 0x7,"
    "exec-state:exception 14, error code 0x15,"
    "ud2:exception 6,"
    "div0:exception 0,"
    "stack-overflow:exception 14, error code 0x6,"
    "watchdog:ran past its budget"
    "syscall-storm:refused syscalls in one call"
    "panic:payload aborted"
    "int80:exception 13, error code 0x402,"
    "priv-insn:exception 13, error code 0,"
    "single-step:exception 1,"
)
# Batches of three victims and one bystander, run concurrently.
specs=() batch="" n=0 b=0
for s in "${scenarios[@]}"; do
    batch+="depriv-${s%%:*}:crash+"
    n=$((n + 1))
    if [ $n -eq 3 ] || [ "$s" = "${scenarios[-1]}" ]; then
        b=$((b + 1))
        specs+=("${batch}bystander$b=depriv-echo")
        batch="" n=0
    fi
done

for paging in shadow hap; do
    label=depriv-$paging
    json=$BUILD/results/guests/$label.json
    # TCG runs a guest's vCPU at a fraction of hardware speed, and other
    # processes may preempt QEMU for milliseconds: a budget of 50 ms keeps
    # the watchdog from firing on honest calls here (1 ms is the default).
    python3 scripts/run-xen.py --quiet --paging "$paging" --label "$label" \
        --json "$json" \
        --xen-opt "hvm_depriv=selftest hvm_depriv_budget=50000" \
        "${specs[@]}" 'selftest+reg-integrity'
    rc=$?
    [ -s "$json" ] || { fail "$paging: no results (run-xen exit $rc)"; continue; }
    python3 - "$json" "$paging" "${scenarios[@]}" > "$BUILD/results/$label.checks" <<'PY'
import json, re, sys
res = json.load(open(sys.argv[1]))
paging = sys.argv[2]
expect = dict(s.split(":", 1) for s in sys.argv[3:])
log = open(res["log"], errors="replace").read()
if res["boot_problem"]:
    print(f"FAIL {paging}: boot problem: {res['boot_problem']}")
else:
    print(f"ok   {paging}: Xen ran all batches and shut down cleanly")
for g in res["guests"]:
    name = g["name"]
    verdict = "ok  " if g["ok"] else "FAIL"
    print(f"{verdict} {paging}: {name}: expected {g['expect']}, "
          f"got {g['result'] or '-'}{' (crashed)' if g['crashed'] else ''}"
          f"{' - ' + g['why'] if g['why'] and not g['ok'] else ''}")
    scen = name[len("depriv-"):] if name.startswith("depriv-") else None
    if scen in expect and g["domid"] is not None:
        line = f"d{g['domid']}v0: hvm_depriv: {expect[scen]}"
        print(f"{'ok  ' if line in log else 'FAIL'} {paging}: {name}: Xen reported '{line}'")
    if name.startswith("bystander"):
        m = re.search(rf"\(d{g['domid']}\) 4-level paging on: monitor tables mapped (\d+) before, (\d+) after", log)
        if not m:
            print(f"FAIL {paging}: {name}: no monitor-table report")
        elif paging == "shadow":
            grew = int(m.group(2)) > int(m.group(1))
            print(f"{'ok  ' if grew else 'FAIL'} {paging}: {name}: new monitor table mapped "
                  f"on the paging-mode change ({m.group(1)} -> {m.group(2)})")
PY
    cat "$BUILD/results/$label.checks"
    p=$((p + $(grep -c '^ok ' "$BUILD/results/$label.checks")))
    f=$((f + $(grep -c '^FAIL' "$BUILD/results/$label.checks")))
done

# 3. Options: invalid values keep the mode off, saying why.
label=depriv-options
python3 scripts/run-xen.py --quiet --paging shadow --label "$label" \
    --xen-opt "hvm_depriv=maybe hvm_depriv_budget=5" 'depriv-echo:pass' >/dev/null
log=$BUILD/results/guests/$label.log
grep -q 'parameter "hvm_depriv" has invalid value "maybe"' "$log" \
    && ok "hvm_depriv=maybe rejected" || fail "hvm_depriv=maybe not rejected"
grep -q 'hvm_depriv_budget=5: expected microseconds in \[10, 1000000\]' "$log" \
    && ok "hvm_depriv_budget=5 rejected" || fail "hvm_depriv_budget=5 not rejected"
if grep -q 'deprivileged emulation enabled' "$log"; then
    fail "mode enabled despite invalid options"
else
    ok "mode stays off with invalid options"
fi
grep -q '(d1) Test result: SKIP' "$log" \
    && ok "no self-test port with the mode off (depriv-echo skipped)" \
    || fail "depriv-echo did not skip with the mode off"

finish
