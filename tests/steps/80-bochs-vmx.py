#!/usr/bin/env python3
"""Intel VMX under Bochs (run-xen.sh --machine bochs-vmx): one boot of the
debug Xen on Bochs' corei7_skylake_x CPU model with baseline guests in
batches (one CPU, unrestricted guest: real mode runs natively in VMX
non-root mode), and one with two CPUs and Xen's unrestricted_guest=0
(vmx_realmode() emulates every real-mode instruction) running vpic,
realmode and rm-firmware, with hvm_depriv=0 and again with hvm_depriv=1
(every real-mode instruction through the payload).  Checks: Xen found VMX with EPT, VPID and
unrestricted guest, and used HAP (1 check); each guest's verdict in the
first boot (1 check each); the second boot: Xen brought up both CPUs and ran
without unrestricted guest (1 check), each guest's verdict (1 check each;
realmode must have found that forced emulation does not work inside
vmx_realmode() and run its cases natively, i.e. all emulated); the digests
of realmode and rm-firmware (what they observed, "DIGEST <hex>") equal in
both boots (1 check each): the CPU and Xen's emulator must give the same
results.  About 11 minutes on a 2-core machine beside another Bochs run (see
tests/harness/README.md).

Knobs: HVM_BOCHS_BATCHES (the SPECs, space-separated; default
"vpic+realmode+reg-integrity+evtchn-gsi+rm-firmware vrtc": the baseline
guests of 50-guests, vrtc alone as it times RTC periods), HVM_BOCHS_OPTS
(Xen options, default "hvm_depriv=0 hvm_fep=1"), HVM_BOCHS_RM_BOOTS (the
further two-CPU boots running RM_GUESTS whose digests must equal the first
boot's: ';'-separated Xen options added to HVM_BOCHS_OPTS, one boot each;
default "unrestricted_guest=0;hvm_depriv=1 unrestricted_guest=0": the C
emulator and the payload each emulating every real-mode instruction).
"""
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts"))
from hvmharness import Checks, HarnessError, boot, step  # noqa: E402
from hvmharness.log import digest_diff  # noqa: E402
from hvmharness.machine import BochsVmx  # noqa: E402
from hvmharness.spec import parse  # noqa: E402

BATCHES = os.environ.get("HVM_BOCHS_BATCHES",
                         "vpic+realmode+reg-integrity+evtchn-gsi+rm-firmware vrtc").split()
OPTS = os.environ.get("HVM_BOCHS_OPTS", "hvm_depriv=0 hvm_fep=1")
RM_BOOTS = [o.strip() for o in os.environ.get(
    "HVM_BOCHS_RM_BOOTS", "unrestricted_guest=0;hvm_depriv=1 unrestricted_guest=0").split(";")
            if o.strip()]
# The guests of those boots, one batch; the digests of DIGESTS among them
# must equal the first boot's.
RM_GUESTS = ["vpic", "realmode", "rm-firmware"]
DIGESTS = ["realmode", "rm-firmware"]
# Per batch, by dom0's clock (emulated time under Bochs: it advances with
# the instructions run, not with the host's load).  The longest guest,
# vrtc, takes 60 s of it, the others under 10 s; three times that (a
# loaded host stretches the wall time, not this).
GUEST_TIMEOUT = 180
# What Xen must have found (its boot lines): VMX and the features the
# deprivileged mode's VMX support and the real-mode paths rely on.
XEN_VMX = ["HVM: VMX enabled", " - Extended Page Tables (EPT)",
           " - Virtual-Processor Identifiers (VPID)", " - Unrestricted Guest",
           "HVM: Hardware Assisted Paging (HAP) detected"]

checks = Checks()
try:
    guests = [g.test for b in parse(BATCHES) for g in b]
except HarnessError as e:
    checks.fail(f"HVM_BOCHS_BATCHES: {e}")
    checks.finish()
total = 1 + len(guests) + len(RM_BOOTS) * (1 + len(RM_GUESTS) + len(DIGESTS))
why = None if step.replaying() else BochsVmx().available()
if why:
    checks.fail(f"bochs-vmx: {why}", total)
    checks.finish()
step.prepare(checks, total, sorted(set(guests + RM_GUESTS)))

start = time.time()
try:
    res = boot(BATCHES, flavour="debug", machine="bochs-vmx", paging="hap", xen_opts=[OPTS],
               label="bochs-vmx-baseline", guest_timeout=GUEST_TIMEOUT, quiet=False)
    # Two CPUs: a secondary CPU's state comes up in memory Bochs does not
    # zero (xen-patches/0032 was found so: CPU1 failed an assertion at boot).
    # The same boots run the real-mode guests with other options, packed.
    rm_boots = [(o, boot(["+".join(RM_GUESTS)], flavour="debug", machine="bochs-vmx", paging="hap",
                         xen_opts=[f"{OPTS} {o}"], smp=2, label=f"bochs-vmx-smp2-{i}",
                         guest_timeout=GUEST_TIMEOUT, quiet=False))
                for i, o in enumerate(RM_BOOTS)]
except HarnessError as e:
    checks.fail(f"bochs-vmx: {e}", total)
    checks.finish()

missing = [s for s in XEN_VMX if s not in res.log]
checks.check(not missing, "Xen on Bochs: VMX with EPT, VPID, unrestricted guest; HAP"
             + (f" (missing: {'; '.join(m.strip() for m in missing)})" if missing else ""))
for g in res.guests:
    details = [] if g.ok else [f"FAIL {g.name}: {line}" for line in res.log.guest_failure_lines(g.domid)]
    checks.check(g.ok, f"bochs-vmx {OPTS}: {g.name}: " + ("passed" if g.ok else f"failed ({g.why})"),
                 details)
digests = {g.test: res.log.digest(g.domid) for g in res.guests if g.test in DIGESTS}
cases = {g.test: res.log.case_digests(g.domid) for g in res.guests if g.test in DIGESTS}
for o, r in rm_boots:
    ug0 = "unrestricted_guest=0" in o.split()
    what = f"bochs-vmx, two CPUs, {o}: "
    good = "Brought up 2 CPUs" in r.log and bool(r.guests)
    if ug0:
        good = good and " - Unrestricted Guest" not in r.log
    checks.check(good, what + "Xen brought up both CPUs" + (", no unrestricted guest" if ug0 else "")
                 + ("" if good else f" -- not so ({r.boot_problem or 'see ' + r.log_rel})"))
    for g in r.guests:
        good, why = g.ok, g.why
        # Inside vmx_realmode() the FEP prefix is a plain UD2: the guest
        # must have seen that and run its cases natively (all emulated).
        if ug0 and g.test == "realmode" and g.ok and \
                not r.log.search(rf"^\(d{g.domid}\) Forced emulation in real mode: #UD"):
            good, why = False, "did not run native-only (FEP works in vmx_realmode()?)"
        details = [] if good else [f"FAIL {g.name}: {line}" for line in r.log.guest_failure_lines(g.domid)]
        checks.check(good, what + f"{g.name}: " + ("passed" if good else f"failed ({why})"), details)
    for t in DIGESTS:
        g = next((g for g in r.guests if g.test == t), None)
        d = r.log.digest(g.domid) if g else None
        same = d is not None and d == digests.get(t)
        checks.check(same, f"bochs-vmx: {t}: digest with {o} (two CPUs) equal to the first boot's: "
                     f"{d or '-'} vs {digests.get(t) or '-'}",
                     [] if same or not g else
                     [f"{t}: {x}" for x in digest_diff(r.log.case_digests(g.domid), cases.get(t, []))])
checks.finish(f"bochs-vmx ({' | '.join(BATCHES)}; boot {res.seconds:.0f}s"
              + "".join(f"; {o}: {r.seconds:.0f}s" for o, r in rm_boots)
              + f"; step {time.time() - start:.0f}s)")
