#!/usr/bin/env python3
"""The deprivileged mode on Intel VMX, under Bochs (run-xen.sh --machine
bochs-vmx, corei7_skylake_x: VMX with EPT, VPID, unrestricted guest), in
two boots of the debug Xen (HAP), one CPU each:

1. hvm_depriv=selftest (a superset of hvm_depriv=1), unrestricted guest:
   - the baseline guests of 50-guests under the mode, each passing, the
     payload doing their PIC/RTC/real-mode work (counters); realmode
     compares each case run natively and through the payload (forced
     emulation);
   - depriv-rm-msr (the hostile-MSR guest): a real-mode WRMSR/RDMSR of the
     SYSCALL MSRs and KernelGS base through the payload reaches only the
     guest's copies (on VMX the CPU holds the depriv values during a call:
     xen-patches/0006);
   - the containment matrix: every scenario of depriv_scenarios (the
     payload faults, loops past its budget (watchdog), refuses, executes
     SYSENTER, ...), in two batches with a bystander each: each victim
     crashed with Xen's report (VMX's where it differs) and every monitor
     table it mapped cleared, each bystander passing, Xen alive;
   - depriv-rm-tie, depriv-gdt, runtime-selftest, depriv-count, as in
     60-depriv;
   - Xen's boot lines: VMX with EPT, VPID, unrestricted guest and HAP; the
     mode enabled on VMX; the Meltdown line (Bochs' CPU has no RDCL_NO).
2. hvm_depriv=0 unrestricted_guest=0 (vmx_realmode(): Xen's x86_emulate()
   emulates every real-mode instruction): the baseline guests with the
   mode off; realmode must find that forced emulation does not work
   inside vmx_realmode() and run its cases natively (all emulated).
The digests of realmode and rm-firmware (what they observed, "DIGEST
<hex>") must be equal in both boots: the CPU and Xen's emulator give the
same results.  The same guests with unrestricted_guest=0 under the mode
(every real-mode instruction through the payload, on two CPUs: NMIs at
ring 3) run in 82-bochs-cet, with CET on (tigerlake), compared there with
its own unrestricted-guest boot.

depriv-pkru is left out: it needs PKU, which corei7_skylake_x does not
have (it would SKIP).  vrtc runs with the mode only (boot 1; boot 2 too
with HVM_BOCHS_VRTC=1, which `make test-bochs` sets): it times RTC periods
over about 50 s of the machine's clock, spinning all the time, which costs
Bochs about 160 s on one CPU; with the mode off it tests upstream Xen's
C, which the QEMU steps run beside the payload (50-guests).  The checks
shared with 82-bochs-cet are in bochs_common.

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
from hvmharness.machine import BochsVmx  # noqa: E402
from hvmharness.spec import parse  # noqa: E402
from bochs_common import (DIGESTS, batches, depriv_guest_checks, digest_checks,  # noqa: E402
                          digests_of, n_checks, ug0_guest_check, ug0_header_check)

PER_BATCH = int(os.environ.get("HVM_BOCHS_DEPRIV_PER_BATCH", "11"))
VRTC0 = "+vrtc" if os.environ.get("HVM_BOCHS_VRTC", "0") == "1" else ""
DEPRIV_OPTS = "hvm_depriv=selftest hvm_depriv_budget=1000000 hvm_fep=1"
# By dom0's clock (emulated under Bochs: it advances with the instructions
# run, not with the host's load): vrtc takes about 50 s of it, the others
# under 10 s; three times that.
GUEST_TIMEOUT = 180
BASELINE = "vpic+vrtc+realmode+reg-integrity+evtchn-gsi+rm-firmware+depriv-rm-msr"
# The unrestricted_guest=0 boot with the mode off, on one CPU: a second
# CPU makes Bochs 1.6 times slower (82-bochs-cet has the boot that needs it).
UG0_OPTS = "hvm_fep=1 unrestricted_guest=0 hvm_depriv=0"
UG0 = "vpic+realmode+reg-integrity+evtchn-gsi+rm-firmware" + VRTC0
XEN_VMX = ["HVM: VMX enabled", " - Extended Page Tables (EPT)",
           " - Virtual-Processor Identifiers (VPID)", " - Unrestricted Guest",
           "HVM: Hardware Assisted Paging (HAP) detected"]
BOOT_LINES = ["HVM: deprivileged emulation enabled (VMX)",
              "HVM: hvm_depriv: CPU is Meltdown-vulnerable"]

checks = Checks()
SPECS = batches(BASELINE, PER_BATCH)
guests = sorted({g.test for specs in [SPECS, [UG0]] for b in parse(specs) for g in b})
n_ug0 = len(parse([UG0])[0])
total = (len(XEN_VMX) + len(BOOT_LINES) + 1 + n_checks(SPECS)
         + 1 + n_ug0 + len(DIGESTS))
why = None if step.replaying() else BochsVmx().available()
if why:
    checks.fail(f"bochs-vmx: {why}", total)
    checks.finish()
step.prepare(checks, total, guests)

start = time.time()
try:
    res = boot(SPECS, flavour="debug", machine="bochs-vmx", paging="hap", xen_opts=[DEPRIV_OPTS],
               smp=1, label="bochs-vmx-depriv", guest_timeout=GUEST_TIMEOUT, quiet=False)
    ug0 = boot([UG0], flavour="debug", machine="bochs-vmx", paging="hap", xen_opts=[UG0_OPTS],
               smp=1, label="bochs-vmx-ug0-depriv0", guest_timeout=GUEST_TIMEOUT, quiet=False)
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
depriv_guest_checks(checks, res)

# Boot 2: unrestricted_guest=0, the mode off.
what = "unrestricted_guest=0 hvm_depriv=0: "
ug0_header_check(checks, ug0, 1, what)
for g in ug0.guests:
    ug0_guest_check(checks, ug0, g, what)
digest_checks(checks, ug0, digests_of(res), what)
checks.finish(f"bochs-vmx ({len(SPECS)} batches with the mode: {res.seconds:.0f}s"
              f"; unrestricted_guest=0 boot 2: {ug0.seconds:.0f}s"
              f"; step {time.time() - start:.0f}s)")
