#!/usr/bin/env python3
"""The deprivileged mode on Intel VMX, under Bochs (run-xen.sh --machine
bochs-vmx, corei7_skylake_x: VMX with EPT, VPID, unrestricted guest), one
boot with two CPUs and hvm_depriv=selftest (a superset of hvm_depriv=1):

- the baseline guests of 50-guests under the mode, each passing, and the
  payload doing their PIC/RTC/real-mode work (counters);
- depriv-rm-msr: a guest's real-mode WRMSR/RDMSR of the SYSCALL MSRs and
  KernelGS base through the payload reach only its copies (on VMX the CPU
  holds the depriv values during a call: xen-patches/0034);
- the containment matrix: every scenario of depriv_scenarios (the payload
  faults, loops past its budget, refuses, executes SYSENTER, ...), five
  victims and a bystander per batch: each victim crashed with Xen's report
  (VMX's where it differs), each bystander passing, Xen alive;
- NMIs at ring 3 (depriv-nmi-dump, needs the second CPU), depriv-rm-tie,
  depriv-gdt, runtime-selftest, depriv-count, as in 60-depriv;
- depriv-pkru: a guest's PKRU (access-disable for key 0) left loaded does
  not make the payload fault; it skips where the guest sees no PKU (Xen
  finds none on Bochs' corei7_skylake_x, nor on QEMU's qemu64 here), so
  SKIP passes too;
- Xen's boot lines: the mode enabled on VMX, and the Meltdown line (Bochs'
  CPU has no RDCL_NO, so Xen treats it as vulnerable).

About 14 minutes on a 2-core machine (842 s measured).  Knob: HVM_BOCHS_DEPRIV_PER_BATCH
(victims per batch, default 5).
"""
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "scripts"))
sys.path.insert(0, HERE)
from hvmharness import Checks, HarnessError, boot, step  # noqa: E402
from hvmharness.machine import BochsVmx  # noqa: E402
from hvmharness.spec import parse  # noqa: E402
from depriv_scenarios import SCENARIOS, report  # noqa: E402

PER_BATCH = int(os.environ.get("HVM_BOCHS_DEPRIV_PER_BATCH", "5"))
OPTS = "hvm_depriv=selftest hvm_depriv_budget=1000000 hvm_fep=1"
# By dom0's clock (emulated under Bochs): vrtc takes 60 s of it.
GUEST_TIMEOUT = 180
BASELINE = "vpic+vrtc+realmode+reg-integrity+evtchn-gsi+depriv-rm-msr"
MISC = "depriv-nmi-dump+depriv-rm-tie+depriv-gdt+runtime-selftest+depriv-count+depriv-pkru:pass"
# The payload must have done each baseline guest's work (counters).
WANT = {"vpic": ["pic-io", "pic-ack", "pic-edge"], "vrtc": ["rtc-io"],
        "realmode": ["realmode", "syscalls"], "depriv-rm-msr": ["realmode"]}
BOOT_LINES = ["HVM: deprivileged emulation enabled (VMX)",
              "HVM: hvm_depriv: CPU is Meltdown-vulnerable"]


def batches():
    out, names = [BASELINE], list(SCENARIOS)
    for b, i in enumerate(range(0, len(names), PER_BATCH)):
        out.append("+".join([f"depriv-{s}:crash" for s in names[i:i + PER_BATCH]]
                            + [f"bystander{b + 1}=depriv-echo"]))
    return out + [MISC]


checks = Checks()
SPECS = batches()
guests = sorted({g.test for b in parse(SPECS) for g in b})
total = (len(BOOT_LINES) + 1 + sum(len(b) for b in parse(SPECS)) + 2 * len(SCENARIOS)
         + sum(len(v) for v in WANT.values()))
why = None if step.replaying() else BochsVmx().available()
if why:
    checks.fail(f"bochs-vmx: {why}", total)
    checks.finish()
step.prepare(checks, total, guests)

start = time.time()
try:
    res = boot(SPECS, flavour="debug", machine="bochs-vmx", paging="hap", xen_opts=[OPTS],
               smp=2, label="bochs-vmx-depriv", guest_timeout=GUEST_TIMEOUT, quiet=False)
except HarnessError as e:
    checks.fail(f"bochs-vmx: {e}", total)
    checks.finish()

for line in BOOT_LINES:
    checks.check(line in res.log, f"Xen says '{line}'")
checks.check(not res.boot_problem, "Xen ran every batch and shut down cleanly"
             + (f" ({res.boot_problem})" if res.boot_problem else ""))
for g in res.guests:
    details = [] if g.ok else [f"FAIL {g.name}: {line}" for line in res.log.guest_failure_lines(g.domid)]
    checks.check(g.ok, f"{g.name}: expected {g.expect}, got {g.result or '-'}"
                 f"{' (crashed)' if g.crashed else ''}{' - ' + g.why if g.why and not g.ok else ''}",
                 details)
    scen = g.name[len("depriv-"):] if g.name.startswith("depriv-") else None
    if scen in SCENARIOS:
        line = f"d{g.domid}v0: hvm_depriv: {report(scen, vmx=True)}"
        checks.check(g.domid is not None and line in res.log, f"{g.name}: Xen reported '{line}'")
    cnt = res.log.vcpu_counters(g.domid) if g.domid is not None else None
    if scen in SCENARIOS:
        mt = (cnt or {}).get("monitor-tables", 0)
        cl = (cnt or {}).get("monitor-tables-cleared")
        checks.check(cl is not None and mt >= 1 and cl == mt,
                     f"{g.name}: every monitor table mapped was cleared ({mt} mapped, {cl} cleared)")
    for k in WANT.get(g.name, []):
        n = (cnt or {}).get(k, 0)
        checks.check(n > 0, f"{g.name}: {k}={n} (run by the payload)")
checks.finish(f"bochs-vmx depriv ({len(SPECS)} batches; boot {res.seconds:.0f}s, "
              f"step {time.time() - start:.0f}s)")
