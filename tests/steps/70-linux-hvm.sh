#!/usr/bin/env bash
# A real OS on the deprivileged emulators: Debian's own Linux kernel (the
# one dom0 runs) boots as an HVM guest under the debug Xen with
# hvm_depriv=1, on the legacy PC devices only (nopv noapic nolapic: the
# PIT's IRQ 0 through the 8259 PIC, the MC146818 RTC), from a loader of our
# own (tests/os/loader, no hvmloader/BIOS) with a busybox initramfs whose
# /init (tests/os/init) reads the RTC (/proc/driver/rtc, hwclock), waits
# for 3 RTC update interrupts on /dev/rtc0 (IRQ 8, slave PIC), counts timer
# interrupts (IRQ 0, XT-PIC) over 3 s, writes the RTC back, and prints
# "Test result: SUCCESS" only if the RTC read a date and advanced, the
# interrupts arrived and IRQ 0 is an 8259 one.  Checks, for each paging
# mode (LINUX_HVM_PAGING, default "hap shadow"):
#   1. the guest's own result line is SUCCESS;
#   2. Xen's summary of its vCPU shows that the payload did the PIC/RTC
#      work: pic-io, rtc-io, rtc-events, pic-ack and pic-edge > 0, no IRQ
#      edge left to vpic.c (pic-edge-xen 0: the PIT's and the RTC's IRQs
#      are raised in the guest's own context); faults, watchdog and
#      syscall-errors 0.
# In `make test` (about 3.5 minutes for both paging modes here).
# The guest ends with `reboot -f`: with no device model there is no ACPI to
# power off with, so the reboot ends in a triple fault and xl destroys the
# domain (on_reboot="destroy"): run-xen.py's expectation `reboot` (SUCCESS,
# then a triple fault); this step also reads the run's JSON itself and
# accepts exactly that end, after the SUCCESS.
# Needs build/xen-debug and build/dom0-cache (make xen-debug, make test).
set -uo pipefail
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${BUILD:-$TOP/build}
STEP_COUNTS=${STEP_COUNTS:-/dev/null}
MODES=(${LINUX_HVM_PAGING:-hap shadow})
# TCG: a payload call can be stalled by hundreds of ms (the one-second default budget, given explicitly).
OPTS="hvm_depriv=1 hvm_depriv_budget=1000000"
# A Linux boot under Xen under TCG takes minutes; the guest's own timeout.
GUEST_TIMEOUT=${LINUX_HVM_TIMEOUT:-900}

checks_per_mode=2
fail_all() {
    echo "FAIL $*"
    echo "0 $(( ${#MODES[@]} * checks_per_mode ))" > "$STEP_COUNTS"
    exit 1
}

[ -f "$BUILD/xen-debug/xen" ] || fail_all "$BUILD/xen-debug/xen missing (make xen-debug)"
nice bash "$TOP/scripts/build-dom0.sh" || fail_all "dom0 image build failed"
nice bash "$TOP/tests/os/build.sh" || fail_all "linux-hvm image build failed"

p=0 f=0
start=$(date +%s)
for mode in "${MODES[@]}"; do
    label=linux-hvm-$mode
    json=$BUILD/results/guests/$label.json
    log=$BUILD/results/guests/$label.log
    rm -f "$json"
    t0=$(date +%s)
    # The verdict is the checks below (which include run-xen's).
    nice python3 "$TOP/scripts/run-xen.py" --flavour debug --paging "$mode" \
        --xen-opt "$OPTS" --label "$label" --json "$json" \
        --image "linux-hvm=$BUILD/os/linux-hvm.elf" --guest-mem 256 \
        --guest-timeout "$GUEST_TIMEOUT" --boot-timeout $(( GUEST_TIMEOUT + 300 )) \
        'linux=linux-hvm:reboot'
    echo "linux-hvm ($mode): QEMU run took $(( $(date +%s) - t0 ))s"
    if [ ! -s "$json" ] || [ ! -s "$log" ]; then
        echo "FAIL linux-hvm ($mode): no results from run-xen.py"
        f=$((f + checks_per_mode))
        continue
    fi
    read -r mp mf < <(python3 - "$json" "$log" "$mode" "$TOP/tests/steps" <<'PY'
import json, re, sys
sys.path.insert(0, sys.argv[4])
from depriv_log import edges_in_xen, vcpu_counters
res = json.load(open(sys.argv[1]))
log = open(sys.argv[2], errors="replace").read()
mode = sys.argv[3]
g = res["guests"][0]
p = f = 0

def report(ok, what):
    global p, f
    print(f"{'ok  ' if ok else 'FAIL'} linux-hvm ({mode}): {what}", file=sys.stderr)
    p += ok
    f += not ok

d = g["domid"]
lines = re.findall(rf"^\(d{d}\) (.*)$", log, re.M) if d is not None else []
# The guest's own lines (its /init's, and the kernel's timer/RTC lines).
for l in lines:
    if re.search(r"linux-hvm: |Test result|rtc_cmos|clocksource|[Cc]alibrat|Kernel panic", l):
        print(f"  (linux) {l.strip()}", file=sys.stderr)

# 1. The guest's verdict, and an end that is either a clean one or the
#    triple fault its `reboot -f` makes, without any Xen-side problem.
crash = g["crashed"] or ""
end_ok = (g["end"] == "gone" and (not crash or re.search(r"\bd\d+v\d+ Triple fault", crash))
          and not res["boot_problem"])
report(bool(g["ok"]) and g["result"] == "SUCCESS" and end_ok,
       f"guest result {g['result']}, end {g['end']}, xen {crash or '-'}, "
       f"boot {res['boot_problem'] or 'ok'}, {g['secs']}s")

# 2. The payload's counters for the guest's vCPU.
c = (vcpu_counters(log, d) if d is not None else None) or {}
if not c:
    report(False, f"no hvm_depriv summary for d{d}v0")
else:
    c["pic-edge-xen"] = edges_in_xen(log, d)
    zero = [k for k in ("pic-io", "rtc-io", "rtc-events", "pic-ack", "pic-edge") if c.get(k, 0) == 0]
    bad = [k for k in ("faults", "watchdog", "syscall-errors", "pic-edge-xen") if c.get(k) != 0]
    report(not zero and not bad,
           " ".join(f"{k}={v}" for k, v in c.items())
           + (f"; zero: {' '.join(zero)}" if zero else "")
           + (f"; non-zero: {' '.join(bad)}" if bad else ""))
print(p, f)
PY
)
    [ -n "${mf:-}" ] || { mp=0 mf=$checks_per_mode; echo "FAIL checking $label"; }
    p=$((p + mp)) f=$((f + mf))
done
echo "linux-hvm: $p passed, $f failed in $(( $(date +%s) - start ))s (${MODES[*]})"
echo "$p $f" > "$STEP_COUNTS"
[ "$f" -eq 0 ]
