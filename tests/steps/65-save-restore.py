#!/usr/bin/env python3
"""Save/restore of the vPIC/vRTC state, with the deprivileged emulators on
and off and across the two: the save-restore guest (tests/xtf/tests/
save-restore) programs both PICs and the RTC, the harness saves it at its
SAVE-POINT and restores it (xl save / xl restore, see tests/harness/README.md),
and the restored guest checks that state.  Three boots of the debug Xen,
HAP, one raw disk image carrying save files from one boot to the next:
  1. hvm_depriv=0: "ref" saved and restored in the boot (the reference);
     "x01" saved to the disk
  2. hvm_depriv=1: "dep" saved and restored in the boot, next to a vpic
     bystander; "x01" restored from the disk (saved with =0); "x10"
     saved to the disk
  3. hvm_depriv=0: "x10" restored from the disk (saved with =1)
Each guest of each boot is one check (x01 and x10: once saved, once
restored).  With hvm_depriv=1 a guest also passes only if Xen's summary
of each of its domains' vCPU (printed at destruction: the saved domain
and the restored one) shows the payload ran its PIC and RTC port I/O
(pic-io > 0, rtc-io > 0) and its IRQ edges (pic-edge > 0, none left to
vpic.c) and contained nothing (faults, watchdog, syscall-errors 0); with
hvm_depriv=0 there must be no such summary.
Needs build/xen-debug (make xen-debug).
"""
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts"))
from hvmharness import BUILD, Checks, HarnessError, boot, step  # noqa: E402
from hvmharness.verdict import counters_text, depriv_work  # noqa: E402

# A call is stopped after this long (the one-second default, given explicitly).
BUDGET = "hvm_depriv_budget=1000000"
DISK = os.path.join(BUILD, "results", "sr-disk.img")
BOOTS = [
    ("sr-depriv0", False, "ref=save-restore@sr+x01=save-restore@save-disk"),
    ("sr-depriv1", True, "dep=save-restore@sr+vpic+x01=save-restore@restore-disk"
                         "+x10=save-restore@save-disk"),
    ("sr-depriv0-restore", False, "x10=save-restore@restore-disk"),
]
TOTAL = sum(len(spec.split("+")) for _, _, spec in BOOTS)
# The longest guest (a save to the disk) takes about 30 s of its batch here;
# ten times that.
GUEST_TIMEOUT = 300

checks = Checks()
if not step.have_xen("debug"):
    checks.fail("build/xen-debug/xen missing (make xen-debug)", TOTAL)
    checks.finish()
if not step.build_guests(["save-restore", "vpic"]):
    checks.fail("guest build failed", TOTAL)
    checks.finish()
if not step.build_dom0():
    checks.fail("dom0 image build failed", TOTAL)
    checks.finish()
if not step.replaying():
    os.makedirs(os.path.dirname(DISK), exist_ok=True)
    with open(DISK, "wb") as f:
        f.truncate(256 << 20)


def guest_check(res, g, depriv, label):
    """One check per guest: the runner's verdict and, for the save-restore
    guests, Xen's summary of every domain they had (saved, restored)."""
    good = g.ok
    details = []
    for d in (g.domids if g.test == "save-restore" else []):
        if not depriv:
            c = res.log.vcpu_counters(d)
            good = good and not c
            details.append(f"{'FAIL' if c else 'ok  '} d{d}: "
                           + ("hvm_depriv summary with hvm_depriv=0" if c
                              else "no hvm_depriv summary (off)"))
            continue
        # IRQ edges too (the guest's periodic IRQ 8), none left to vpic.c.
        dgood, c, problems = depriv_work(res.log, d, ("pic-io", "rtc-io", "pic-edge"))
        good = good and dgood
        details.append(f"{'ok  ' if dgood else 'FAIL'} d{d}: " + (counters_text(c) or "-")
                       + (f"; wrong: {' '.join(problems)}" if problems else ""))
    if not good:
        # The guest's own failure lines, for the step summary.
        for d in g.domids or [g.domid]:
            details += [f"FAIL {g.name}: {line}" for line in res.log.guest_failure_lines(d)]
    checks.check(good, f"{label}: {g.name}: " + ("passed" if g.ok else f"failed ({g.why})")
                 + ("" if good or not g.ok else ", but the depriv summaries are wrong"), details)


start = time.time()
for label, depriv, spec in BOOTS:
    opts = f"hvm_depriv=1 {BUDGET}" if depriv else "hvm_depriv=0"
    try:
        res = boot([spec], flavour="debug", paging="hap", xen_opts=[opts], label=label,
                   disk=DISK, guest_timeout=GUEST_TIMEOUT, quiet=False)
    except HarnessError as e:
        checks.fail(f"{label}: {e}", len(spec.split("+")))
        continue
    for g in res.guests:
        guest_check(res, g, depriv, label)

if checks.passed + checks.failed != TOTAL:
    checks.fail(f"{checks.passed + checks.failed} checks, want {TOTAL}")
checks.finish(f"save/restore (hvm_depriv=0/1, in one boot and across boots, HAP, "
              f"{time.time() - start:.0f}s)")
