#!/usr/bin/env python3
"""The deprivileged mode itself, under Xen under QEMU (hvm_depriv=selftest):
every misbehaviour scenario of the payload is contained (the victim domain
is crashed, with the right one-line report) while a bystander guest keeps
making thousands of depriv calls and passes, and Xen survives; in shadow
and HAP paging; every PIC/RTC access of a counting guest is run by the
payload, one call each, no syscall (depriv-count); a payload reaching in
real mode for ports, CRs or MSRs its instruction cannot touch is refused
(depriv-rm-tie); a guest's real-mode WRMSR/RDMSR of the SYSCALL MSRs and
KernelGS base through the payload reaches only the guest's copies
(depriv-rm-msr); a real-mode emulation that finds a vm_event ring full
waits after its call, not in it (rm-vm-event); the payload's ring
transitions take a PV guest's speculation actions, per spec-ctrl=.  Plus:
the ABI header Xen carries is the project's, bad options keep the mode off
with a clear message.  Knob: DEPRIV_WORKLOAD (default vpic; empty: none).
"""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts"))
from hvmharness import BUILD, TOP, Checks, HarnessError, boot, step  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from depriv_scenarios import SCENARIOS, aborts_check  # noqa: E402

os.chdir(TOP)
checks = Checks()
RES = os.path.join(BUILD, "results")
os.makedirs(RES, exist_ok=True)


def run(specs, label, out=None, **kw):
    """One boot, its runner table to @out (a file under build/results) or
    stdout; None if it could not be set up (said as one FAIL)."""
    try:
        if out:
            with open(os.path.join(RES, out), "w") as f:
                return boot(specs, label=label, out=f, **kw)
        return boot(specs, label=label, **kw)
    except HarnessError as e:
        print(f"run-xen: {label}: {e}")
        return None


# 1. One ABI: Xen's copy of the header is byte-identical to depriv-rs's.
ours = "depriv-rs/abi/include/hvm-depriv-abi.h"
xens = os.path.join(BUILD, "xen-src/xen/arch/x86/include/asm/hvm/depriv-abi.h")
same = os.path.isfile(xens) and open(ours, "rb").read() == open(xens, "rb").read()
checks.check(same, "Xen's asm/hvm/depriv-abi.h " + ("is" if same else "differs from") + f" {ours}")

# Every guest (the XTF makefile tracks the headers they include).
if not step.replaying() and subprocess.call(["make", "-s", "-C", "tests/xtf"],
                                            stdout=subprocess.DEVNULL) != 0:
    checks.fail("building the test guests")
    checks.finish()

# 1b. The state-page range check cannot hand a speculative out-of-range
#     pointer to its callers: hvm_depriv_state_range() masks the offset
#     (array_index_nospec(): cmp + sbb) after its bounds check.
dis = subprocess.run(["objdump", "-d", "--no-show-raw-insn", "--disassemble=hvm_depriv_state_range",
                      os.path.join(BUILD, "xen-debug/xen-syms")],
                     capture_output=True, text=True).stdout
m = re.search(r"<hvm_depriv_state_range>:\n(.*?)(?:\n\n|\Z)", dis, re.S)
if m and "sbb" in m.group(1):
    checks.ok("hvm_depriv_state_range() masks the offset against speculation (sbb in xen-syms)")
else:
    checks.fail("hvm_depriv_state_range() has no array_index_nospec() masking in xen-syms")

# 2. Containment: every scenario of depriv_scenarios.SCENARIOS (the expected
#    report of each).
# Batches of three victims and bystanders, run concurrently: one making
# depriv calls all along (under shadow paging, across a change to 4-level
# paging, which makes Xen build a new monitor table), and a PIC/RTC
# workload guest.
WORKLOAD = os.environ.get("DEPRIV_WORKLOAD", "vpic")
# Under TCG the whole machine stops whenever the host deschedules QEMU,
# and Xen's clock runs on: one honest call was seen to take 200 ms of Xen
# time on a loaded host.  A 1 s budget (the maximum and the default, given
# explicitly) keeps the watchdog off honest calls here, and leaves 1 s of
# slack over the budget for the watchdog scenarios' 2x bound.
# watchdog-syscalls only makes syscalls, so the deadline and Xen's own
# timers come while Xen runs one with interrupts on (the path on which the
# watchdog was once lost; the budget bounds the whole call, and at least
# half of it in Xen's syscalls is checked).
BUDGET_US = 1000000


def containment_specs(echo_guest):
    specs, batch, b = [], [], 0
    names = list(SCENARIOS)
    for i, s in enumerate(names):
        batch.append(f"depriv-{s}:crash")
        if len(batch) == 3 or i == len(names) - 1:
            b += 1
            batch.append(f"bystander{b}={echo_guest}")
            if WORKLOAD:
                batch.append(f"workload{b}={WORKLOAD}")
            specs.append("+".join(batch))
            batch = []
    return specs + ["runtime-selftest+reg-integrity+depriv-count+depriv-rm-tie+depriv-gdt+depriv-rm-msr"]


def watchdog_checks(c, res, g, scen):
    """The budget bounds the whole call, ring-3 time and the time Xen spends
    in the syscalls it asks for alike: the call is stopped after no less
    than the budget and within twice it (Xen's clock).  Under TCG Xen's
    clock runs on while the host keeps QEMU off its CPUs, and the watchdog's
    timer interrupt, due at the deadline, comes that much later: the time
    QEMU waited for a host CPU after the deadline (schedstat and steal, see
    hvmharness.machine; sampled as often as the log is read, every tenth of
    a second, so up to two samples before it too) is not charged to the
    hypervisor.  Waits before the
    deadline do not matter: they only make it come sooner in machine time."""
    stop = res.log.watchdog_stop(g.domid)
    took, ring3, in_xen = stop or (None, None, None)
    over = max((took or 0) - BUDGET_US, 0)
    stall = res.host_stall_us(f"d{g.domid}v0: hvm_depriv: call ran past", over / 1e6)
    good = took is not None and BUDGET_US <= took and over <= BUDGET_US + stall
    c.check(good, f"{scen}: watchdog stopped the call after {took} us (budget {BUDGET_US} us, "
            f"limit {2 * BUDGET_US} us, plus the {stall} us QEMU waited for a host CPU "
            f"from about the deadline on; {ring3} us at ring 3, {in_xen} us in Xen's syscalls)")
    if scen == "watchdog-syscalls":
        # The payload only makes syscalls: most of the call is Xen's time,
        # at ring 0 with interrupts on (where the watchdog's timer, firing,
        # returns to ring 0 and nothing else re-arms).  A ratio: the host's
        # waits, spread over the call, stretch both parts alike (about 1/6
        # of the call is at ring 3 here; only one unbroken wait of over 2/3
        # of it, all at ring 3, could tip it).
        mostly = in_xen is not None and took and in_xen * 2 >= took
        c.check(mostly, f"{scen}: {in_xen} us of the call in Xen's syscalls (at least half)")


for paging in ("shadow", "hap"):
    c = checks.sub(f"{paging}: ")
    label = f"depriv-{paging}"
    res = run(containment_specs("depriv-echo-lm" if paging == "shadow" else "depriv-echo"), label,
              paging=paging,
              # hvm_fep: depriv-rm-msr's real-mode WRMSR/RDMSR are forced emulation.
              xen_opts=[f"hvm_depriv=selftest hvm_depriv_budget={BUDGET_US} hvm_fep=1"])
    if res is None:
        c.fail("no results (run-xen could not start)")
        continue
    c.check(not res.boot_problem, "Xen ran all batches and shut down cleanly"
            if not res.boot_problem else f"boot problem: {res.boot_problem}")
    matrix = []
    for g in res.guests:
        name = g.name
        c.check(g.ok, f"{name}: expected {g.expect}, got {g.result or '-'}"
                f"{' (crashed)' if g.crashed else ''}{' - ' + g.why if g.why and not g.ok else ''}")
        scen = name[len("depriv-"):] if name.startswith("depriv-") else None
        cnt = res.log.vcpu_counters(g.domid)
        if scen in SCENARIOS and g.domid is not None:
            line = f"d{g.domid}v0: hvm_depriv: {SCENARIOS[scen]}"
            reported = line in res.log
            c.check(reported, f"{name}: Xen reported '{line}'")
            matrix.append((scen, bool(g.ok and g.crashed), reported))
            aborts_check(c, cnt, scen, name)
            if scen in ("watchdog", "watchdog-syscalls"):
                watchdog_checks(c, res, g, scen)
        # Every monitor table given the ring-3 mappings was cleared of them
        # by the time the vCPU went (xen-patches/0008): the one the shadow
        # bystander's paging-mode change replaced, and those teardown freed.
        if cnt is not None:
            mt, cl = cnt.get("monitor-tables", 0), cnt.get("monitor-tables-cleared")
            c.check(cl is not None and mt >= 1 and cl == mt,
                    f"{name}: every monitor table mapped was cleared before it was freed "
                    f"({mt} mapped, {cl} cleared)")
        if not name.startswith("depriv-") and g.domid is not None:
            # What the budget would have to allow (the domain's longest
            # completed call).
            c.info(f"{name}: longest call {(cnt or {}).get('longest-call')} us")
        if name.startswith("workload") and g.domid is not None:
            # The PIC workload's port accesses ran at ring 3 (xen-patches/0015).
            n = (cnt or {}).get("pic-io", 0)
            c.check(n > 0, f"{name}: {n} PIC port accesses run deprivileged")
        if name.startswith("bystander") and paging == "shadow":
            m = res.log.search(rf"\(d{g.domid}\) 4-level paging on: monitor tables mapped (\d+) "
                               r"before, (\d+) after")
            if not m:
                c.fail(f"{name}: no monitor-table report")
            else:
                c.check(int(m.group(2)) > int(m.group(1)), f"{name}: new monitor table mapped "
                        f"on the paging-mode change ({m.group(1)} -> {m.group(2)})")
    # The containment matrix: a victim's bystanders ran in the same batch.
    names = [g.name for g in res.guests]
    c.info("scenario          victim-crashed  reported  bystanders-ok  xen-alive")
    for scen, crashed, reported in matrix:
        i = names.index("depriv-" + scen)
        mates = [n for n in names[i:] if not n.startswith("depriv-")][:2]
        bys = bool(mates) and all(res[n].ok for n in mates)
        c.info(f"{scen:<17} {str(crashed):<15} {str(reported):<9} {str(bys):<14} "
               f"{not res.boot_problem}")

# 3. 10^6 checked round trips, timed against a plain intercepted OUT (about
#    two to five minutes under TCG, so once, with shadow paging; the guest
#    timeout is ten times that).
label = "depriv-roundtrip"
res = run(["depriv-roundtrip"], label, out=f"{label}.out", paging="shadow", guest_timeout=1200,
          xen_opts=["hvm_depriv=selftest hvm_depriv_budget=1000000"])
roundtrip_log = res.log if res else None
if res and res.ok and res["depriv-roundtrip"].result == "SUCCESS":
    checks.ok("10^6 ECHO round trips, every reply and register checked")
else:
    checks.fail(f"10^6 ECHO round trips (see build/results/guests/{label}.log)")
for line in (res.log.findall(r"\(d1\) (Cost over .*)") if res else []):
    checks.info(line)

# 4. Options: invalid values keep the mode off, saying why.
label = "depriv-options"
res = run(["depriv-echo:pass"], label, out=f"{label}.out", paging="shadow",
          xen_opts=["hvm_depriv=maybe hvm_depriv_budget=5"])
log = res.log if res else None
has = (lambda s: bool(log and s in log))
checks.check(has("hvm_depriv disabled: invalid option hvm_depriv=maybe"),
             "hvm_depriv=maybe rejected, saying so" if has("hvm_depriv disabled: invalid option "
                                                           "hvm_depriv=maybe")
             else "hvm_depriv=maybe not reported")
budget5 = bool(log and log.search(r"hvm_depriv disabled: invalid option .*hvm_depriv_budget=5 "))
checks.check(budget5, "hvm_depriv_budget=5 rejected, saying so" if budget5
             else "hvm_depriv_budget=5 not reported")
enabled = has("deprivileged emulation enabled")
checks.check(log and not enabled, "mode enabled despite invalid options" if enabled
             else "mode stays off with invalid options" if log else "no log of the boot")
skip = has("(d1) Test result: SKIP")
checks.check(skip, "no self-test port with the mode off (depriv-echo skipped)" if skip
             else "depriv-echo did not skip with the mode off")
# A vCPU with depriv state (and so ring-3 mappings) logs its counters when
# destroyed; with the mode off there must be none.
if has("d1v0 hvm_depriv: calls="):
    checks.fail("depriv state (and mappings) exist with the mode off")
elif has("HARNESS: end depriv-echo"):
    checks.ok("no depriv state or mappings with the mode off")
else:
    checks.fail(f"depriv-echo did not end (see build/results/guests/{label}.log)")

# 5. Nothing in a depriv call sleeps.  Guest rm-vm-event's 11 APs each
# write CR0 once in real mode through forced emulation (so the payload's
# emulator makes the write, a SYS_RM_WRITE_CR syscall inside the call),
# while dom0 has the guest's vm_event monitor ring report CR0 writes and
# never consumes it (run-xen --monitor, tests/harness/vm-event-hog.c).
# From the 9th write on the 8-slot ring is full and the guest's own vCPU
# must wait for a slot: not inside the call (a debug Xen asserted there,
# in prepare_to_wait()), but after it, before the write is retried.  Xen
# must stay up, the bystander pass, the domain go away cleanly.
label = "depriv-vm-event-full"
res = run(["rm-vm-event+vpic"], label, out=f"{label}.out", paging="hap",
          xen_opts=[f"hvm_depriv=1 hvm_depriv_budget={BUDGET_US} hvm_fep=1"],
          monitor=["rm-vm-event"], cfg=["rm-vm-event:vcpus = 12"])
checks.check(res and res.ok, "real-mode CR0 writes against a full vm_event ring: "
             + ("Xen up, guest and bystander pass" if res and res.ok
                else f"failed (see build/results/guests/{label}.log)"))
full = bool(res and "hvm_depriv: real mode: vm_event ring full, waiting after the call" in res.log)
checks.check(full, "a vCPU found the ring full inside a depriv call and waited after it" if full
             else f"no vCPU found the vm_event ring full inside a depriv call "
                  f"(see build/results/guests/{label}.log)")
for line in (res.log.findall(r"\(d1\) (APs started: .*)") if res else []):
    checks.info(line)


# 6. Speculation on the payload's ring transitions (xen-patches/0002,
#    0009): the boot line lists the entry/exit actions applied, and they
#    are a PV guest's, following spec-ctrl=.  Once with the defaults (the
#    round-trip boot above), once forcing the actions QEMU's CPU can run
#    (VERW, DIV scrub, BHB loop, entry LFENCE) with a payload making calls
#    and one interrupted at ring 3 until the watchdog stops it.
def spec_checks(log, label, **want):
    c = checks.sub(f"{label}: ")
    m = log and log.search(r"hvm_depriv: ring-3 transitions: (.*)")
    pv = log and log.search(r"Support for PV VMs:(.*)")
    if not m or not pv:
        c.fail("no 'hvm_depriv: ring-3 transitions:' or no 'Support for PV VMs:' line")
        return
    c.ok(f"boot line 'hvm_depriv: ring-3 transitions: {m.group(1).strip()}'")
    got = dict(kv.strip().rsplit(" ", 1) for kv in m.group(1).split(","))
    pv = pv.group(1).split()
    for ours, theirs in (("IBPB-entry", "IBPB-entry"), ("RSB", "RSB"),
                         ("MSR_SPEC_CTRL", "MSR_SPEC_CTRL"), ("VERW", "VERW"),
                         ("BHB", "BHB-entry")):
        on = got.get(ours, "?") not in ("no", "?")
        c.check(ours in got and on == (theirs in pv),
                f"{ours} {got.get(ours, 'missing')}, as for PV guests "
                f"({theirs} {'on' if theirs in pv else 'off'})")
    for k, v in want.items():
        k = k.replace("_", "-")
        c.check(got.get(k) == v, f"{k} {got.get(k, 'missing')} (expected {v})")


spec_checks(roundtrip_log, "spec-ctrl default")
label = "depriv-spec"
res = run(["depriv-echo:pass", "depriv-watchdog:crash"], label, out=f"{label}.out",
          paging="shadow",
          xen_opts=[f"hvm_depriv=selftest hvm_depriv_budget={BUDGET_US} "
                    "spec-ctrl=verw=pv,div-scrub,bhb-entry=pv,bhb-seq=short"])
good = bool(res and res.ok and res["depriv-echo"].result == "SUCCESS"
            and "d2v0: hvm_depriv: call ran past its budget" in res.log)
checks.check(good, "forced VERW/DIV/BHB: depriv calls pass, a looping payload is stopped and "
             "contained" if good else f"forced VERW/DIV/BHB: calls or containment failed "
             f"(see build/results/guests/{label}.log)")
spec_checks(res.log if res else None, "spec-ctrl forced", VERW="yes", DIV="yes", BHB="loops",
            LFENCE_entry="yes")

# 7. State dumps of a CPU that is in the payload, from an NMI (two CPUs:
#    another CPU sends this one NMIs until one lands at ring 3 in the
#    payload, whose handler runs show_execution_state() on that frame, as
#    the NMI dumps of fatal_trap() and the watchdog do): Xen survives and
#    prints the payload frame without following its %rsp/%rbp (scenario 23
#    makes them non-canonical, which the old stack dump took an unhandled
#    #GP on).  And in the same boot (HAP: nested virt needs it), a
#    nested-virt guest gets no depriv state: the mode says so, its PIC and
#    RTC run in Xen's C, while a bystander's run in the payload.
label = "depriv-nmi-dump"
res = run(["depriv-nmi-dump", "nested=vpic+bystander=depriv-echo"], label, out=f"{label}.out",
          paging="hap", smp=2, xen_opts=["hvm_depriv=selftest hvm_depriv_budget=1000000"],
          cfg=["nested:nestedhvm=1"])
c = checks.sub("nmi-dump: ")
if res is None:
    c.fail(f"no results (see build/results/guests/{label}.log)")
else:
    log = res.log
    c.check(not res.boot_problem, "Xen survived the dumps and shut down cleanly"
            + (f" ({res.boot_problem})" if res.boot_problem else ""))
    for name in ("depriv-nmi-dump", "nested", "bystander"):
        g = res[name]
        c.check(g.ok, f"{name}: expected {g.expect}, got {g.result or '-'}")
    d = res["depriv-nmi-dump"].domid
    for scen in (22, 23):
        c.check(log.search(rf"d{d}: hvm_depriv: self-test {scen}: CPU\d sent \d+ NMIs to CPU\d, "
                           r"\d+ taken, payload frame dumped") is not None,
                f"scenario {scen}: an NMI caught the payload and its frame was dumped")
    frames = log.findall(rf"hvm_depriv payload frame \(d{d}v0, other call\): rip payload\+0x[0-9a-f]+ "
                         r"rsp (0x[0-9a-f]+)")
    c.check(len(frames) == 2, f"the dumps name the payload frame ({len(frames)} of 2)")
    c.check(log.text.count("CONTEXT: hvm_depriv payload") == 2,
            "the register dumps say the context is the payload")
    c.check("Payload stack from rsp=0x4018" in log,
            "scenario 22: the payload's own stack dumped (guarded reads)")
    c.check("rsp is not in the payload's stack: nothing read there" in log,
            "scenario 23: the wild %rsp was not followed")
    c.check(log.search(r"Xen stack trace from rsp=(0000000040|80000000dead)") is None,
            "no payload %rsp walked as Xen's stack")
    n = res["nested"].domid
    c.check(f"d{n}: hvm_depriv: not used for a nested-virt domain" in log,
            "nestedhvm=1: the mode says it is not used for that domain")
    c.check(log.vcpu_counters(n) is None, "nestedhvm=1: no depriv state (no vCPU counters)")
    b = log.vcpu_counters(res["bystander"].domid)
    c.check(b is not None and b["calls"] > 0,
            f"bystander: depriv calls made meanwhile ({b and b['calls']})")

# 8. The NMI watchdog's tick is a softirq timer, and no softirq runs during
#    a call (up to twice the budget): with a 2 s watchdog timeout the
#    1 s default budget is lowered at boot, saying so, and calls still work.
label = "depriv-nmi-watchdog"
res = run(["vpic"], label, out=f"{label}.out", paging="hap",
          xen_opts=["hvm_depriv=1 watchdog watchdog_timeout=2"])
lowered = bool(res and "hvm_depriv: budget 1000000 us lowered to 250000 us to stay within the NMI "
               "watchdog's 2 s timeout" in res.log
               and res.log.search(r"deprivileged emulation enabled \(SVM\): .* budget 250000 us"))
checks.check(lowered, "NMI watchdog on (2 s): the budget is lowered to 250000 us, saying so"
             if lowered else f"NMI watchdog on (2 s): no lowered budget reported "
             f"(see build/results/guests/{label}.log)")
checks.check(res and res.ok, "NMI watchdog on: vpic passes with the lowered budget"
             if res and res.ok else f"NMI watchdog on: vpic failed (see build/results/guests/{label}.log)")

# 9. A domain's vCPUs share the budget (xen-patches/0011): the PIC and RTC
#    calls hold the domain's emulator lock, and V vCPUs queueing behind a
#    payload spinning to the budget would have the last one (and dom0's
#    device model, softirqs) wait V budgets.  rtc-stretch's calls spin
#    0.4 s: with 4 vCPUs (a 250 ms budget each) the first one is stopped.
label = "depriv-budget-per-vcpu"
res = run(["depriv-rtc-stretch:crash+vpic"], label, out=f"{label}.out",
          cfg=["depriv-rtc-stretch:vcpus = 4"],
          xen_opts=[f"hvm_depriv=selftest hvm_depriv_budget={BUDGET_US}"])
v = res and res["depriv-rtc-stretch"]
stopped = bool(res and v and v.ok and
               f"d{v.domid}v0: hvm_depriv: call ran past its budget of {BUDGET_US // 4} us" in res.log)
checks.check(stopped, f"4 vCPUs: a call is stopped at a quarter of the budget ({BUDGET_US // 4} us), "
             "the domain crashed" if stopped else
             f"4 vCPUs: no call stopped at {BUDGET_US // 4} us (see build/results/guests/{label}.log)")
b = res and res["vpic"]
checks.check(bool(b and b.ok), "4 vCPUs: the bystander passes" if b and b.ok
             else f"4 vCPUs: the bystander failed (see build/results/guests/{label}.log)")

# Real-mode emulation with hvm_depriv=1 (realmode guest passes, its
# counter covers every FEP comparison, no refused syscall): in the baseline
# step (50-guests), which runs it with the mode off and on.
checks.finish()
