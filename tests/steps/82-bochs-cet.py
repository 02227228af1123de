#!/usr/bin/env python3
"""Xen with CET under Bochs (run-xen.sh --machine bochs-cet: Bochs'
tigerlake CPU model, VMX plus CET shadow stacks and IBT, PKU, FSRM): one
boot of the debug Xen with hvm_depriv=0 running vpic.

Checks: the machine defines IA32_MISC_ENABLE with fast strings on for the
models with FSRM and leaves corei7_skylake_x's bochsrc as it was (1 check,
no boot); Xen turned on supervisor shadow stacks and indirect branch
tracking for itself (1 check); dom0 came up, its kernel kept fast strings
(no "Disabled fast string operations") and Xen refused none of its
page-table writes (1 check); vpic passed (1 check).  Without the MSR the
dom0 kernel dies at its first short printk (tests/harness/README.md, "CET
under Bochs"), so the last two fail.  About 80 s of wall time for the boot.

Knobs: HVM_BOCHS_CET_GUESTS (the one batch, default "vpic"),
HVM_BOCHS_CET_OPTS (Xen options, default "hvm_depriv=0").
"""
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts"))
from hvmharness import Checks, HarnessError, boot, step  # noqa: E402
from hvmharness.machine import BochsCet, BochsVmx  # noqa: E402
from hvmharness.spec import parse  # noqa: E402

GUESTS = os.environ.get("HVM_BOCHS_CET_GUESTS", "vpic")
OPTS = os.environ.get("HVM_BOCHS_CET_OPTS", "hvm_depriv=0")
GUEST_TIMEOUT = 120
XEN_CET = ["Enabling Supervisor Shadow Stacks", "Enabling Indirect Branch Tracking"]
# What dom0 died with before the machine defined IA32_MISC_ENABLE.
DOM0_BAD = ["Disabled fast string operations", "Bad L1 flags", "could not get_page_from_l1e()",
            "Hardware Dom0 crashed"]

checks = Checks()
try:
    guests = [g.test for b in parse([GUESTS]) for g in b]
except HarnessError as e:
    checks.fail(f"HVM_BOCHS_CET_GUESTS: {e}")
    checks.finish()
total = 3 + len(guests)


def bochsrc_of(mach):
    """The bochsrc @mach writes and the MSR file it names (text or None),
    as BochsVmx.start() makes them."""
    msrs = mach.msrs()
    return (mach.bochsrc("boot.iso", "serial.log", "bochs.log", "msrs.def" if msrs else None),
            mach.msrs_file(msrs) if msrs else None)


cet_rc, cet_msrs = bochsrc_of(BochsCet())
vmx_rc, vmx_msrs = bochsrc_of(BochsVmx())
misc = [ln.split() for ln in (cet_msrs or "").splitlines() if ln.startswith("0x1a0 ")]
good = ("model=tigerlake" in cet_rc and "msrs=" in cet_rc and len(misc) == 1
        and int(misc[0][3], 16) & 1 == 1
        and "model=corei7_skylake_x" in vmx_rc and "msrs=" not in vmx_rc and vmx_msrs is None)
checks.check(good, "bochs-cet: tigerlake with IA32_MISC_ENABLE fast strings on (msrs file); "
             "bochs-vmx (corei7_skylake_x): no msrs file",
             [] if good else [f"bochs-cet cpu line: {cet_rc.splitlines()[0]}",
                              f"bochs-cet msrs: {misc}",
                              f"bochs-vmx cpu line: {vmx_rc.splitlines()[0]}"])

why = None if step.replaying() else BochsCet().available()
if why:
    checks.fail(f"bochs-cet: {why}", total - 1)
    checks.finish()
step.prepare(checks, total - 1, sorted(set(guests)))

start = time.time()
try:
    res = boot([GUESTS], flavour="debug", machine="bochs-cet", xen_opts=[OPTS],
               label="bochs-cet", guest_timeout=GUEST_TIMEOUT, quiet=False)
except HarnessError as e:
    checks.fail(f"bochs-cet: {e}", total - 1)
    checks.finish()

missing = [s for s in XEN_CET if s not in res.log]
checks.check(not missing, "Xen on Bochs tigerlake: supervisor shadow stacks and IBT enabled"
             + (f" (missing: {'; '.join(missing)})" if missing else ""))
bad = [s for s in DOM0_BAD if s in res.log]
up = "HARNESS: dom0 up" in res.log
checks.check(up and not bad, "bochs-cet: dom0 up, fast strings kept, no page-table write refused"
             + ("" if up else " -- dom0 not up") + (f" (log: {'; '.join(bad)})" if bad else ""))
for g in res.guests:
    checks.check(g.ok, f"bochs-cet {OPTS}: {g.name}: " + ("passed" if g.ok else f"failed ({g.why})"),
                 [] if g.ok else res.log.failure_details(g))
checks.finish(f"bochs-cet ({GUESTS}; boot {res.seconds:.0f}s; step {time.time() - start:.0f}s)")
