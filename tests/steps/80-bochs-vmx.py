#!/usr/bin/env python3
"""The deprivileged mode on Intel VMX, under Bochs (run-xen.sh --machine
bochs-vmx, corei7_skylake_x: VMX with EPT, VPID, unrestricted guest), in
three boots of the debug Xen (HAP):

1. hvm_depriv=selftest (a superset of hvm_depriv=1), unrestricted guest,
   one CPU:
   - the baseline guests of 50-guests under the mode, each passing, the
     payload doing their PIC/RTC/real-mode work (counters); realmode
     compares each case run natively and through the payload (forced
     emulation);
   - depriv-rm-msr (the hostile-MSR guest): a real-mode WRMSR/RDMSR of the
     SYSCALL MSRs and KernelGS base through the payload reaches only the
     guest's copies (on VMX the CPU holds the depriv values during a call:
     xen-patches/0034);
   - the containment matrix: every scenario of depriv_scenarios (the
     payload faults, loops past its budget (watchdog), refuses, executes
     SYSENTER, ...), in two batches with a bystander each: each victim
     crashed with Xen's report (VMX's where it differs) and every monitor
     table it mapped cleared, each bystander passing, Xen alive;
   - depriv-rm-tie, depriv-gdt, runtime-selftest, depriv-count, as in
     60-depriv;
   - Xen's boot lines: VMX with EPT, VPID, unrestricted guest and HAP; the
     mode enabled on VMX; the Meltdown line (Bochs' CPU has no RDCL_NO).
2. hvm_depriv=0 unrestricted_guest=0, one CPU (vmx_realmode(): Xen's
   x86_emulate() emulates every real-mode instruction): the baseline guests
   with the mode off; realmode must find that forced emulation does not
   work inside vmx_realmode() and run its cases natively (all emulated).
3. hvm_depriv=selftest unrestricted_guest=0, two CPUs: realmode and
   rm-firmware with every real-mode instruction through the payload (it
   did the real-mode work, contained nothing, and Xen logged its delegation
   of realmode's x87 instructions to x86_emulate()); depriv-nmi-dump (NMIs
   from the other CPU while the payload runs at ring 3).
The digests of realmode and rm-firmware (what they observed, "DIGEST
<hex>") must be equal in all three boots: the CPU, Xen's emulator and the
payload give the same results.

depriv-pkru is left out: it needs PKU, which corei7_skylake_x does not
have (it would SKIP).  vrtc runs with the mode only (boot 1; boot 2 too
with HVM_BOCHS_VRTC=1, which `make test-bochs` sets): it times RTC periods
over about 50 s of the machine's clock, spinning all the time, which costs
Bochs about 160 s on one CPU (386 s on two); with the mode off it tests
upstream Xen's C, which the QEMU steps run beside the payload
(50-guests).

Knob: HVM_BOCHS_DEPRIV_PER_BATCH (victims per containment batch, default
11).
"""
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "scripts"))
sys.path.insert(0, HERE)
from hvmharness import Checks, HarnessError, boot, step  # noqa: E402
from hvmharness.log import digest_diff  # noqa: E402
from hvmharness.machine import BochsVmx  # noqa: E402
from hvmharness.spec import parse  # noqa: E402
from hvmharness.verdict import depriv_work  # noqa: E402
from depriv_scenarios import SCENARIOS, report  # noqa: E402

PER_BATCH = int(os.environ.get("HVM_BOCHS_DEPRIV_PER_BATCH", "11"))
VRTC0 = "+vrtc" if os.environ.get("HVM_BOCHS_VRTC", "0") == "1" else ""
DEPRIV_OPTS = "hvm_depriv=selftest hvm_depriv_budget=1000000 hvm_fep=1"
# By dom0's clock (emulated under Bochs: it advances with the instructions
# run, not with the host's load): vrtc takes about 50 s of it, the others
# under 10 s; three times that.
GUEST_TIMEOUT = 180
BASELINE = "vpic+vrtc+realmode+reg-integrity+evtchn-gsi+rm-firmware+depriv-rm-msr"
MISC = "depriv-rm-tie+depriv-gdt+runtime-selftest+depriv-count"
# The unrestricted_guest=0 boots: (Xen options, label, guests, CPUs).  The
# last one has the second CPU: NMIs at ring 3 come from it, and a secondary
# CPU's state comes up in memory Bochs does not zero (xen-patches/0032 was
# found so).  The others run on one: a second CPU makes Bochs 1.6 times
# slower (measured: the third boot took 179 s with two, 111 s with one).
UG0 = [("hvm_fep=1 unrestricted_guest=0 hvm_depriv=0", "bochs-vmx-ug0-depriv0",
        "vpic+realmode+reg-integrity+evtchn-gsi+rm-firmware" + VRTC0, 1),
       (f"{DEPRIV_OPTS} unrestricted_guest=0", "bochs-vmx-ug0-depriv1",
        "realmode+rm-firmware+depriv-nmi-dump", 2)]
DIGESTS = ["realmode", "rm-firmware"]
# The payload must have done each guest's work (counters, boot 1).
WANT = {"vpic": ["pic-io", "pic-ack", "pic-edge"], "vrtc": ["rtc-io"],
        "realmode": ["realmode", "syscalls"], "depriv-rm-msr": ["realmode"],
        "rm-firmware": ["realmode", "pic-io", "rtc-io"]}
# ... and every real-mode instruction with unrestricted_guest=0 (boot 3).
WANT_UG0 = {"realmode": ["realmode"], "rm-firmware": ["realmode"]}
XEN_VMX = ["HVM: VMX enabled", " - Extended Page Tables (EPT)",
           " - Virtual-Processor Identifiers (VPID)", " - Unrestricted Guest",
           "HVM: Hardware Assisted Paging (HAP) detected"]
BOOT_LINES = ["HVM: deprivileged emulation enabled (VMX)",
              "HVM: hvm_depriv: CPU is Meltdown-vulnerable"]


def batches():
    out, names = [BASELINE], list(SCENARIOS)
    for b, i in enumerate(range(0, len(names), PER_BATCH)):
        out.append("+".join([f"depriv-{s}:crash" for s in names[i:i + PER_BATCH]]
                            + [f"bystander{b + 1}=depriv-echo"]))
    return out + [MISC]


def guest_check(checks, log, g, what, good=None, why=None):
    good = g.ok if good is None else good
    checks.check(good, f"{what}{g.name}: expected {g.expect}, got {g.result or '-'}"
                 f"{' (crashed)' if g.crashed else ''}"
                 + ("" if good else f" - {why or g.why}"), [] if good else log.failure_details(g))


def work_check(checks, log, g, want, what=""):
    """For a guest of @want: the payload did its work (each counter of
    want[guest] > 0) and contained nothing (depriv_work())."""
    if g.test not in want:
        return
    good, cnt, problems = depriv_work(log, g.domid, want[g.test])
    checks.check(good, f"{what}{g.name}: run by the payload ("
                 + " ".join(f"{k}={cnt.get(k, 0)}" for k in want[g.test]) + "), nothing contained"
                 + (f" -- {', '.join(problems)}" if problems else ""))


checks = Checks()
SPECS = batches()
guests = sorted({g.test for specs in [SPECS] + [[s] for _, _, s, _ in UG0] for b in parse(specs) for g in b})
n_ug0 = [len(parse([s])[0]) for _, _, s, _ in UG0]
total = (len(XEN_VMX) + len(BOOT_LINES) + 1 + sum(len(b) for b in parse(SPECS))
         + 2 * len(SCENARIOS) + len(WANT)
         + sum(1 + n + len(DIGESTS) for n in n_ug0)
         + 1 + len(WANT_UG0))
why = None if step.replaying() else BochsVmx().available()
if why:
    checks.fail(f"bochs-vmx: {why}", total)
    checks.finish()
step.prepare(checks, total, guests)

start = time.time()
try:
    res = boot(SPECS, flavour="debug", machine="bochs-vmx", paging="hap", xen_opts=[DEPRIV_OPTS],
               smp=1, label="bochs-vmx-depriv", guest_timeout=GUEST_TIMEOUT, quiet=False)
    ug0 = [(o, n, boot([s], flavour="debug", machine="bochs-vmx", paging="hap", xen_opts=[o], smp=n,
                       label=label, guest_timeout=GUEST_TIMEOUT, quiet=False))
           for o, label, s, n in UG0]
except HarnessError as e:
    checks.fail(f"bochs-vmx: {e}", total)
    checks.finish()

# Boot 1: the mode, unrestricted guest.
for line in XEN_VMX:
    checks.check(line in res.log, f"Xen on Bochs says '{line.strip()}'")
for line in BOOT_LINES:
    checks.check(line in res.log, f"Xen says '{line}'")
checks.check(not res.boot_problem, "Xen ran every batch and shut down cleanly"
             + (f" ({res.boot_problem})" if res.boot_problem else ""))
for g in res.guests:
    guest_check(checks, res.log, g, "")
    scen = g.name[len("depriv-"):] if g.name.startswith("depriv-") else None
    if scen in SCENARIOS:
        line = f"d{g.domid}v0: hvm_depriv: {report(scen, vmx=True)}"
        checks.check(g.domid is not None and line in res.log, f"{g.name}: Xen reported '{line}'")
        cnt = res.log.vcpu_counters(g.domid) if g.domid is not None else None
        mt = (cnt or {}).get("monitor-tables", 0)
        cl = (cnt or {}).get("monitor-tables-cleared")
        checks.check(cl is not None and mt >= 1 and cl == mt,
                     f"{g.name}: every monitor table mapped was cleared ({mt} mapped, {cl} cleared)")
    work_check(checks, res.log, g, WANT)
digests = {g.test: res.log.digest(g.domid) for g in res.guests if g.test in DIGESTS}
cases = {g.test: res.log.case_digests(g.domid) for g in res.guests if g.test in DIGESTS}

# Boots 2 and 3: unrestricted_guest=0, the mode off and on.
for o, n, r in ug0:
    on = "hvm_depriv=0" not in o.split()
    what = f"unrestricted_guest=0 {'hvm_depriv=selftest' if on else 'hvm_depriv=0'}: "
    good = f"Brought up {n} CPU" in r.log and bool(r.guests) and " - Unrestricted Guest" not in r.log \
        and not r.boot_problem
    checks.check(good, what + f"Xen brought up {n} CPU(s), no unrestricted guest, shut down cleanly"
                 + ("" if good else f" -- not so ({r.boot_problem or 'see ' + r.log_rel})"))
    for g in r.guests:
        good, why = g.ok, g.why
        # Inside vmx_realmode() the FEP prefix is a plain UD2: the guest
        # must have seen that and run its cases natively (all emulated).
        if g.test == "realmode" and g.ok and \
                not r.log.search(rf"^\(d{g.domid}\) Forced emulation in real mode: #UD"):
            good, why = False, "did not run native-only (FEP works in vmx_realmode()?)"
        guest_check(checks, r.log, g, what, good, why)
        if on:
            work_check(checks, r.log, g, WANT_UG0, what)
            if g.test == "realmode":
                # Its x87/FWAIT cases: the delegation policy (xen-patches/0036),
                # logged once per domain (the per-vCPU counter line has no
                # realmode-xen).
                m = r.log.search(rf"^\(XEN\) d{g.domid}v\d+ hvm_depriv: real mode: opcode (0x[0-9a-f]+) "
                                 r"delegated to x86_emulate\(\)")
                checks.check(m is not None, what + f"{g.name}: Xen logged a delegation to x86_emulate() "
                             f"({'opcode ' + m.group(1) if m else 'none'})")
    for t in DIGESTS:
        g = next((g for g in r.guests if g.test == t), None)
        d = r.log.digest(g.domid) if g else None
        same = d is not None and d == digests.get(t)
        checks.check(same, what + f"{t}: digest equal to the unrestricted guest's under the mode: "
                     f"{d or '-'} vs {digests.get(t) or '-'}",
                     [] if same or not g else
                     [f"{t}: {x}" for x in digest_diff(r.log.case_digests(g.domid), cases.get(t, []))])
checks.finish(f"bochs-vmx ({len(SPECS)} batches with the mode: {res.seconds:.0f}s"
              + "".join(f"; unrestricted_guest=0 boot {i + 2}: {r.seconds:.0f}s"
                        for i, (_, _, r) in enumerate(ug0))
              + f"; step {time.time() - start:.0f}s)")
