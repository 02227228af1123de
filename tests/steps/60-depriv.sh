#!/usr/bin/env bash
# The deprivileged mode itself, under Xen under QEMU (hvm_depriv=selftest):
# every misbehaviour scenario of the payload is contained (the victim domain
# is crashed, with the right one-line report) while a bystander guest keeps
# making thousands of depriv calls and passes, and Xen survives; in shadow
# and HAP paging; every PIC/RTC access of a counting guest is run by the
# payload, one call each, no syscall (depriv-count); a payload reaching in
# real mode for ports, CRs or MSRs its instruction cannot touch is refused
# (depriv-rm-tie); a real-mode emulation that finds a vm_event ring full
# waits after its call, not in it (rm-vm-event); the payload's ring
# transitions take a PV guest's speculation actions, per spec-ctrl=.  Plus:
# the ABI header Xen carries is the project's, bad options keep the mode off
# with a clear message.
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

# -B: the depriv guests share headers the XTF makefile does not track.
depriv_tests=$(cd tests/xtf/tests && echo depriv-*/ | tr -d /)
if ! make -s -C tests/xtf >/dev/null ||
   ! make -s -B -C tests/xtf TESTS="$depriv_tests" >/dev/null; then
    fail "building the test guests"
    finish
fi

# 1b. The state-page range check cannot hand a speculative out-of-range
#     pointer to its callers: hvm_depriv_state_range() masks the offset
#     (array_index_nospec(): cmp + sbb) after its bounds check.
if objdump -d --no-show-raw-insn --disassemble=hvm_depriv_state_range \
        "$BUILD/xen-debug/xen-syms" 2>/dev/null |
        sed -n '/<hvm_depriv_state_range>:/,/^$/p' | grep -q 'sbb'; then
    ok "hvm_depriv_state_range() masks the offset against speculation (sbb in xen-syms)"
else
    fail "hvm_depriv_state_range() has no array_index_nospec() masking in xen-syms"
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
    "watchdog:call ran past its budget"
    "syscall-storm:more than 8 refused syscalls in one call"
    "panic:payload aborted"
    "int80:exception 13, error code 0x402,"
    "priv-insn:exception 13, error code 0,"
    "single-step:exception 1,"
    "rtc-bad-request:RTC request 4/0x70 refused"
    "pic-bad-edge:PIC edge on IRQ 8 refused (error -22)"
    "rtc-short-period:RTC request 4/0x70 refused (error -22)"
    "watchdog-syscalls:call ran past its budget"
)
# Batches of three victims and bystanders, run concurrently: one making
# depriv calls all along (under shadow paging, across a change to 4-level
# paging, which makes Xen build a new monitor table), and a PIC/RTC
# workload guest.
workload=${DEPRIV_WORKLOAD-vpic}

budget_us=1000000
for paging in shadow hap; do
    echo_guest=depriv-echo
    [ "$paging" = shadow ] && echo_guest=depriv-echo-lm
    specs=() batch="" n=0 b=0
    for s in "${scenarios[@]}"; do
        batch+="depriv-${s%%:*}:crash+"
        n=$((n + 1))
        if [ $n -eq 3 ] || [ "$s" = "${scenarios[-1]}" ]; then
            b=$((b + 1))
            specs+=("${batch}bystander$b=$echo_guest${workload:++workload$b=$workload}")
            batch="" n=0
        fi
    done
    label=depriv-$paging
    json=$BUILD/results/guests/$label.json
    # Under TCG the whole machine stops whenever the host deschedules QEMU,
    # and Xen's clock runs on: one honest call was seen to take 200 ms of
    # Xen time on a loaded host.  A 1 s budget (the maximum and the
    # default, given explicitly) keeps the watchdog off honest calls here,
    # and leaves 1 s of slack over the budget for the watchdog scenarios'
    # 2x bound.  watchdog-syscalls only makes syscalls, so the deadline and
    # Xen's own timers come while Xen runs one with interrupts on (the path
    # on which the watchdog was once lost; the budget bounds the whole call,
    # and at least half of it in Xen's syscalls is checked).
    python3 scripts/run-xen.py --quiet --paging "$paging" --label "$label" \
        --json "$json" \
        --xen-opt "hvm_depriv=selftest hvm_depriv_budget=$budget_us" \
        "${specs[@]}" 'selftest+reg-integrity+depriv-count+depriv-rm-tie+depriv-gdt'
    rc=$?
    [ -s "$json" ] || { fail "$paging: no results (run-xen exit $rc)"; continue; }
    python3 - "$json" "$paging" "$budget_us" "${scenarios[@]}" > "$BUILD/results/$label.checks" <<'PY'
import json, os, re, sys
sys.path.insert(0, os.path.join(os.getcwd(), "tests/steps"))
from depriv_log import vcpu_counters
res = json.load(open(sys.argv[1]))
paging = sys.argv[2]
BUDGET_US = int(sys.argv[3])
expect = dict(s.split(":", 1) for s in sys.argv[4:])
log = open(res["log"], errors="replace").read()
if res["boot_problem"]:
    print(f"FAIL {paging}: boot problem: {res['boot_problem']}")
else:
    print(f"ok   {paging}: Xen ran all batches and shut down cleanly")
matrix = []
for g in res["guests"]:
    name = g["name"]
    verdict = "ok  " if g["ok"] else "FAIL"
    print(f"{verdict} {paging}: {name}: expected {g['expect']}, "
          f"got {g['result'] or '-'}{' (crashed)' if g['crashed'] else ''}"
          f"{' - ' + g['why'] if g['why'] and not g['ok'] else ''}")
    scen = name[len("depriv-"):] if name.startswith("depriv-") else None
    if scen in expect and g["domid"] is not None:
        line = f"d{g['domid']}v0: hvm_depriv: {expect[scen]}"
        reported = line in log
        print(f"{'ok  ' if reported else 'FAIL'} {paging}: {name}: Xen reported '{line}'")
        matrix.append((scen, bool(g["ok"] and g["crashed"]), reported))
        if scen in ("watchdog", "watchdog-syscalls"):
            # The budget bounds the whole call, ring-3 time and the time
            # Xen spends in the syscalls it asks for alike.
            m = re.search(rf"d{g['domid']}v0: hvm_depriv: call ran past .* \(stopped after (\d+) us: "
                          rf"(\d+) us at ring 3, (\d+) us in Xen's syscalls\)", log)
            took, ring3, in_xen = (int(x) for x in m.groups()) if m else (None, None, None)
            good = took is not None and BUDGET_US <= took <= 2 * BUDGET_US
            print(f"{'ok  ' if good else 'FAIL'} {paging}: {scen}: watchdog stopped the call after "
                  f"{took} us (budget {BUDGET_US} us, limit {2 * BUDGET_US} us; "
                  f"{ring3} us at ring 3, {in_xen} us in Xen's syscalls)")
            if scen == "watchdog-syscalls":
                # The payload only makes syscalls: most of the call is Xen's
                # time, at ring 0 with interrupts on (where the watchdog's
                # timer, firing, returns to ring 0 and nothing else re-arms).
                mostly = in_xen is not None and took and in_xen * 2 >= took
                print(f"{'ok  ' if mostly else 'FAIL'} {paging}: {scen}: {in_xen} us of the call "
                      f"in Xen's syscalls (at least half)")
    # Every monitor table given the ring-3 mappings was cleared of them by
    # the time the vCPU went (xen-patches/0015): the one the shadow
    # bystander's paging-mode change replaced, and those teardown freed.
    c = vcpu_counters(log, g["domid"]) if g["domid"] is not None else None
    if c is not None:
        mt, cl = c.get("monitor-tables", 0), c.get("monitor-tables-cleared")
        good = cl is not None and mt >= 1 and cl == mt
        print(f"{'ok  ' if good else 'FAIL'} {paging}: {name}: every monitor table mapped was "
              f"cleared before it was freed ({mt} mapped, {cl} cleared)")
    if not name.startswith("depriv-") and g["domid"] is not None:
        # What the budget would have to allow (the domain's longest
        # completed call).
        lc = (vcpu_counters(log, g["domid"]) or {}).get("longest-call")
        print(f"info {paging}: {name}: longest call {lc} us")
    if name.startswith("workload") and g["domid"] is not None:
        # The PIC workload's port accesses ran at ring 3 (xen-patches/0004).
        n = (vcpu_counters(log, g["domid"]) or {}).get("pic-io", 0)
        print(f"{'ok  ' if n > 0 else 'FAIL'} {paging}: {name}: {n} PIC port accesses run deprivileged")
    if name.startswith("bystander") and paging == "shadow":
        m = re.search(rf"\(d{g['domid']}\) 4-level paging on: monitor tables mapped (\d+) before, (\d+) after", log)
        if not m:
            print(f"FAIL {paging}: {name}: no monitor-table report")
        else:
            grew = int(m.group(2)) > int(m.group(1))
            print(f"{'ok  ' if grew else 'FAIL'} {paging}: {name}: new monitor table mapped "
                  f"on the paging-mode change ({m.group(1)} -> {m.group(2)})")
# The containment matrix: a victim's bystanders ran in the same batch.
by_ok = {g["name"]: g["ok"] for g in res["guests"]}
alive = not res["boot_problem"]
print(f"info {paging}: scenario          victim-crashed  reported  bystanders-ok  xen-alive")
names = [g["name"] for g in res["guests"]]
for scen, crashed, reported in matrix:
    i = names.index("depriv-" + scen)
    mates = [n for n in names[i:] if not n.startswith("depriv-")][:2]
    bys = all(by_ok[n] for n in mates) and bool(mates)
    print(f"info {paging}: {scen:<17} {str(crashed):<15} {str(reported):<9} {str(bys):<14} {alive}")
PY
    cat "$BUILD/results/$label.checks"
    p=$((p + $(grep -c '^ok ' "$BUILD/results/$label.checks")))
    f=$((f + $(grep -c '^FAIL' "$BUILD/results/$label.checks")))
done

# 3. 10^6 checked round trips, timed against a plain intercepted OUT (about
#    five minutes under TCG, so once, with shadow paging).
label=depriv-roundtrip
python3 scripts/run-xen.py --quiet --paging shadow --label "$label" \
    --guest-timeout 1200 \
    --xen-opt "hvm_depriv=selftest hvm_depriv_budget=1000000" 'depriv-roundtrip' \
    > "$BUILD/results/$label.out"
rc=$?
log=$BUILD/results/guests/$label.log
if [ $rc -eq 0 ] && grep -q '(d1) Test result: SUCCESS' "$log"; then
    ok "10^6 ECHO round trips, every reply and register checked"
else
    fail "10^6 ECHO round trips (see $log)"
fi
grep -o '(d1) Cost over .*' "$log" | sed 's/^(d1) /info /'

# 4. Options: invalid values keep the mode off, saying why.
label=depriv-options
python3 scripts/run-xen.py --quiet --paging shadow --label "$label" \
    --xen-opt "hvm_depriv=maybe hvm_depriv_budget=5" 'depriv-echo:pass' >/dev/null
log=$BUILD/results/guests/$label.log
grep -q 'hvm_depriv disabled: invalid option hvm_depriv=maybe' "$log" \
    && ok "hvm_depriv=maybe rejected, saying so" || fail "hvm_depriv=maybe not reported"
grep -q 'hvm_depriv disabled: invalid option .*hvm_depriv_budget=5 ' "$log" \
    && ok "hvm_depriv_budget=5 rejected, saying so" || fail "hvm_depriv_budget=5 not reported"
if grep -q 'deprivileged emulation enabled' "$log"; then
    fail "mode enabled despite invalid options"
else
    ok "mode stays off with invalid options"
fi
grep -q '(d1) Test result: SKIP' "$log" \
    && ok "no self-test port with the mode off (depriv-echo skipped)" \
    || fail "depriv-echo did not skip with the mode off"
# A vCPU with depriv state (and so ring-3 mappings) logs its counters when
# destroyed; with the mode off there must be none.
if grep -q 'd1v0 hvm_depriv: calls=' "$log"; then
    fail "depriv state (and mappings) exist with the mode off"
elif grep -q 'HARNESS: end depriv-echo' "$log"; then
    ok "no depriv state or mappings with the mode off"
else
    fail "depriv-echo did not end (see $log)"
fi

# 5. Nothing in a depriv call sleeps.  Guest rm-vm-event's 11 APs each
# write CR0 once in real mode through forced emulation (so the payload's
# emulator makes the write, a SYS_RM_WRITE_CR syscall inside the call),
# while dom0 has the guest's vm_event monitor ring report CR0 writes and
# never consumes it (run-xen.py --monitor, tests/harness/vm-event-hog.c).
# From the 9th write on the 8-slot ring is full and the guest's own vCPU
# must wait for a slot: not inside the call (a debug Xen asserted there,
# in prepare_to_wait()), but after it, before the write is retried.  Xen
# must stay up, the bystander pass, the domain go away cleanly.
label=depriv-vm-event-full
python3 scripts/run-xen.py --quiet --paging hap --label "$label" \
    --xen-opt "hvm_depriv=1 hvm_depriv_budget=$budget_us hvm_fep=1" \
    --monitor rm-vm-event --cfg "rm-vm-event:vcpus = 12" \
    'rm-vm-event+vpic' >/dev/null
rc=$?
log=$BUILD/results/guests/$label.log
if [ $rc -eq 0 ]; then
    ok "real-mode CR0 writes against a full vm_event ring: Xen up, guest and bystander pass"
else
    fail "real-mode CR0 writes against a full vm_event ring (see $log)"
fi
if grep -q 'hvm_depriv: real mode: vm_event ring full, waiting after the call' "$log"; then
    ok "a vCPU found the ring full inside a depriv call and waited after it"
else
    fail "no vCPU found the vm_event ring full inside a depriv call (see $log)"
fi
grep -o '(d1) APs started: .*' "$log" | sed 's/^(d1) /info /'

# 6. Speculation on the payload's ring transitions (xen-patches/0012): the
#    boot line lists the entry/exit actions applied, and they are a PV
#    guest's, following spec-ctrl=.  Once with the defaults (the round-trip
#    boot above), once forcing the actions QEMU's CPU can run (VERW, DIV
#    scrub, BHB loop, entry LFENCE) with a payload making calls and one
#    interrupted at ring 3 until the watchdog stops it.
spec_checks() { # log label [field=value ...]
    python3 - "$@" <<'PY'
import re, sys
log = open(sys.argv[1], errors="replace").read()
label, want = sys.argv[2], dict(a.split("=", 1) for a in sys.argv[3:])
m = re.search(r"hvm_depriv: ring-3 transitions: (.*)", log)
pv = re.search(r"Support for PV VMs:(.*)", log)
if not m or not pv:
    print(f"FAIL {label}: no 'hvm_depriv: ring-3 transitions:' or no 'Support for PV VMs:' line")
    sys.exit()
print(f"ok   {label}: boot line 'hvm_depriv: ring-3 transitions: {m.group(1).strip()}'")
got = dict(kv.strip().rsplit(" ", 1) for kv in m.group(1).split(","))
pv = pv.group(1).split()
for ours, theirs in (("IBPB-entry", "IBPB-entry"), ("RSB", "RSB"),
                     ("MSR_SPEC_CTRL", "MSR_SPEC_CTRL"), ("VERW", "VERW"),
                     ("BHB", "BHB-entry")):
    on = got.get(ours, "?") not in ("no", "?")
    good = ours in got and on == (theirs in pv)
    print(f"{'ok  ' if good else 'FAIL'} {label}: {ours} {got.get(ours, 'missing')}, "
          f"as for PV guests ({theirs} {'on' if theirs in pv else 'off'})")
for k, v in want.items():
    good = got.get(k) == v
    print(f"{'ok  ' if good else 'FAIL'} {label}: {k} {got.get(k, 'missing')} (expected {v})")
PY
}
count() { p=$((p + $(grep -c '^ok ' <<<"$1"))); f=$((f + $(grep -c '^FAIL' <<<"$1"))); }
out=$(spec_checks "$BUILD/results/guests/depriv-roundtrip.log" "spec-ctrl default")
echo "$out"; count "$out"
label=depriv-spec
python3 scripts/run-xen.py --quiet --paging shadow --label "$label" \
    --json "$BUILD/results/guests/$label.json" \
    --xen-opt "hvm_depriv=selftest hvm_depriv_budget=$budget_us spec-ctrl=verw=pv,div-scrub,bhb-entry=pv,bhb-seq=short" \
    'depriv-echo:pass' 'depriv-watchdog:crash' > "$BUILD/results/$label.out"
rc=$?
log=$BUILD/results/guests/$label.log
if [ $rc -eq 0 ] && grep -q '(d1) Test result: SUCCESS' "$log" &&
   grep -q 'd2v0: hvm_depriv: call ran past its budget' "$log"; then
    ok "forced VERW/DIV/BHB: depriv calls pass, a looping payload is stopped and contained"
else
    fail "forced VERW/DIV/BHB: calls or containment failed (see $log)"
fi
out=$(spec_checks "$log" "spec-ctrl forced" VERW=yes DIV=yes BHB=loops LFENCE-entry=yes)
echo "$out"; count "$out"

# 7. State dumps of a CPU that is in the payload, from an NMI (two CPUs:
#    another CPU sends this one NMIs until one lands at ring 3 in the
#    payload, whose handler runs show_execution_state() on that frame, as
#    the NMI dumps of fatal_trap() and the watchdog do): Xen survives and
#    prints the payload frame without following its %rsp/%rbp (scenario 23
#    makes them non-canonical, which the old stack dump took an unhandled
#    #GP on).  And in the same boot (HAP: nested virt needs it), a
#    nested-virt guest gets no depriv state: the mode says so, its PIC and
#    RTC run in Xen's C, while a bystander's run in the payload.
label=depriv-nmi-dump
json=$BUILD/results/guests/$label.json
python3 scripts/run-xen.py --quiet --paging hap --smp 2 --label "$label" --json "$json" \
    --xen-opt "hvm_depriv=selftest hvm_depriv_budget=1000000" \
    --cfg "nested:nestedhvm=1" 'depriv-nmi-dump' 'nested=vpic+bystander=depriv-echo' \
    > "$BUILD/results/$label.out"
if [ -s "$json" ]; then
    python3 - "$json" > "$BUILD/results/$label.checks" <<'PY'
import json, os, re, sys
sys.path.insert(0, os.path.join(os.getcwd(), "tests/steps"))
from depriv_log import vcpu_counters
res = json.load(open(sys.argv[1]))
log = open(res["log"], errors="replace").read()
def check(good, what):
    print(f"{'ok  ' if good else 'FAIL'} nmi-dump: {what}")
check(not res["boot_problem"], f"Xen survived the dumps and shut down cleanly"
      f"{' (' + res['boot_problem'] + ')' if res['boot_problem'] else ''}")
g = {x["name"]: x for x in res["guests"]}
for name in ("depriv-nmi-dump", "nested", "bystander"):
    x = g.get(name, {})
    check(bool(x.get("ok")), f"{name}: expected {x.get('expect')}, got {x.get('result') or '-'}")
d = g.get("depriv-nmi-dump", {}).get("domid")
for scen in (22, 23):
    check(re.search(rf"d{d}: hvm_depriv: self-test {scen}: CPU\d sent \d+ NMIs to CPU\d, \d+ taken, "
                    r"payload frame dumped", log) is not None,
          f"scenario {scen}: an NMI caught the payload and its frame was dumped")
frames = re.findall(rf"hvm_depriv payload frame \(d{d}v0, other call\): rip payload\+0x[0-9a-f]+ "
                    r"rsp (0x[0-9a-f]+)", log)
check(len(frames) == 2, f"the dumps name the payload frame ({len(frames)} of 2)")
check(log.count("CONTEXT: hvm_depriv payload") == 2, "the register dumps say the context is the payload")
check("Payload stack from rsp=0x4018" in log, "scenario 22: the payload's own stack dumped (guarded reads)")
check("rsp is not in the payload's stack: nothing read there" in log,
      "scenario 23: the wild %rsp was not followed")
check(re.search(r"Xen stack trace from rsp=(0000000040|80000000dead)", log) is None,
      "no payload %rsp walked as Xen's stack")
n = g.get("nested", {}).get("domid")
check(f"d{n}: hvm_depriv: not used for a nested-virt domain" in log,
      "nestedhvm=1: the mode says it is not used for that domain")
check(vcpu_counters(log, n) is None, "nestedhvm=1: no depriv state (no vCPU counters)")
b = vcpu_counters(log, g.get("bystander", {}).get("domid"))
check(b is not None and b["calls"] > 0, f"bystander: depriv calls made meanwhile ({b and b['calls']})")
PY
    cat "$BUILD/results/$label.checks"
    p=$((p + $(grep -c '^ok ' "$BUILD/results/$label.checks")))
    f=$((f + $(grep -c '^FAIL' "$BUILD/results/$label.checks")))
else
    fail "nmi-dump: no results (see $BUILD/results/guests/$label.log)"
fi

# 8. The NMI watchdog's tick is a softirq timer, and no softirq runs during
#    a call (up to twice the budget): with a 2 s watchdog timeout the
#    1 s default budget is lowered at boot, saying so, and calls still work.
label=depriv-nmi-watchdog
python3 scripts/run-xen.py --quiet --paging hap --label "$label" \
    --xen-opt "hvm_depriv=1 watchdog watchdog_timeout=2" 'vpic' >/dev/null
rc=$?
log=$BUILD/results/guests/$label.log
if grep -q "hvm_depriv: budget 1000000 us lowered to 250000 us to stay within the NMI watchdog's 2 s timeout" "$log" &&
   grep -q 'deprivileged emulation enabled: .* budget 250000 us' "$log"; then
    ok "NMI watchdog on (2 s): the budget is lowered to 250000 us, saying so"
else
    fail "NMI watchdog on (2 s): no lowered budget reported (see $log)"
fi
[ $rc -eq 0 ] && ok "NMI watchdog on: vpic passes with the lowered budget" \
    || fail "NMI watchdog on: vpic failed (see $log)"

# Real-mode emulation with hvm_depriv=1 (realmode guest passes, its
# counter covers every FEP comparison, no refused syscall): in the baseline
# step (50-guests.sh), which runs it with the mode off and on.

finish
