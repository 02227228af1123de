#!/usr/bin/env python3
"""The deprivileged mode with CET on, under Bochs (run-xen.sh --machine
bochs-cet: Bochs' tigerlake CPU model, VMX as bochs-vmx plus CET shadow
stacks and IBT, which Xen turns on for itself by default; also PKU, UMIP,
FSRM), in two boots of the debug Xen (HAP):

0. No boot: the machine defines IA32_MISC_ENABLE with fast strings on for
   the models with FSRM and leaves corei7_skylake_x's bochsrc as it was
   (without the MSR the dom0 kernel dies at its first short printk:
   tests/harness/README.md, "CET under Bochs").
A. hvm_depriv=selftest, unrestricted guest, one CPU:
   - Xen's boot lines: supervisor shadow stacks and IBT enabled, the mode
     enabled on VMX, "HVM: hvm_depriv: CET: shadow stacks on, IBT on", no
     "hvm_depriv disabled"; dom0 up with fast strings kept and no
     page-table write refused;
   - the baseline guests under the mode (as 80-bochs-vmx's first boot,
     without vrtc) and depriv-rm-msr, each passing, the payload doing their
     work; the containment matrix (every scenario of depriv_scenarios in
     two batches with a bystander each: Xen's report, VMX's where it
     differs, every monitor table cleared, bystanders passing);
     depriv-rm-tie, depriv-gdt, runtime-selftest, depriv-count;
   - save-restore@sr in its own batch (saved and restored in the boot, as
     65-save-restore's "dep"): it passes after the restore, and each of
     its domains (saved, restored) shows the payload's PIC/RTC I/O and IRQ
     edges, nothing contained.
B. hvm_depriv=selftest unrestricted_guest=0, two CPUs: realmode and
   rm-firmware with every real-mode instruction through the payload (it
   did the real-mode work, contained nothing, and Xen logged its
   delegation of realmode's x87 instructions to x86_emulate()); realmode
   must find that forced emulation does not work inside vmx_realmode();
   depriv-nmi-dump (NMIs from the other CPU while the payload runs at
   ring 3: on the IST shadow stacks).  The second CPU is here because the
   NMIs come from it, and because a secondary CPU's state comes up in
   memory Bochs does not zero (xen-patches/0003 clears depriv_active
   there); boot A has one (a second CPU makes Bochs about 1.6 times
   slower).  The digests of
   realmode and rm-firmware must equal boot A's.
In both boots, every guest's every domain: Xen's shadow-stack line
("dNv0 hvm_depriv: shadow stacks: calls=N syscalls=M", printed at the
vCPU's destruction when shadow stacks are on: calls entered on a live
shadow stack with a fresh token below it, syscalls run on that token)
with N and M equal to the calls and syscalls of the vCPU's summary; and
per boot, every summary in the log has its shadow-stack line and some
domain made syscalls on a call's token (M > 0: realmode makes thousands).

Left out: vrtc (it spins for about 50 s of the machine's clock, some 160
s of Bochs; 80-bochs-vmx runs it under the mode).  depriv-pkru: Bochs
2.7 applies PKRU to supervisor pages too (its paging code checks the
protection key without looking at the U/S bit), so with the guest's
PKRU = 3 still loaded after a VM exit (nothing switches PKRU there, and
on a real CPU it restricts user pages only) Xen's own first stack write
page-faults, and Bochs triple-faults ("protection key write not allowed
PKRU=3 pkey=0", then "3rd (14) exception with no resolution"; measured
with hvm_depriv=selftest on this model; with hvm_depriv=0 the guest
SKIPs).  So the guest runs in no step: the QEMU steps' CPU (qemu64) and
corei7_skylake_x have no PKU.

136 checks, about 650 s of wall time (boots of about 420 and 220 s;
save-restore's batch 120 s of the first).

Knob: HVM_BOCHS_CET_PER_BATCH (victims per containment batch, default
11).
"""
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "scripts"))
sys.path.insert(0, HERE)
from hvmharness import Checks, HarnessError, boot, step  # noqa: E402
from hvmharness.machine import BochsCet, BochsVmx  # noqa: E402
from hvmharness.spec import parse  # noqa: E402
from hvmharness.verdict import counters_text, depriv_work  # noqa: E402
from bochs_common import (DIGESTS, WANT_UG0, batches, delegation_check,  # noqa: E402
                          depriv_guest_checks, digest_checks, digests_of, n_checks,
                          ug0_guest_check, ug0_header_check, work_check)

PER_BATCH = int(os.environ.get("HVM_BOCHS_CET_PER_BATCH", "11"))
DEPRIV_OPTS = "hvm_depriv=selftest hvm_depriv_budget=1000000 hvm_fep=1"
# By dom0's clock (emulated: it advances with the instructions run, not
# with the host's load): each guest under 10 s; many times that.
GUEST_TIMEOUT = 180
BASELINE = "vpic+realmode+reg-integrity+evtchn-gsi+rm-firmware+depriv-rm-msr"
SR = "save-restore@sr"
# save-restore's work, on each of its domains (as 65-save-restore).
SR_WANT = ("pic-io", "rtc-io", "pic-edge")
UG0_OPTS = f"{DEPRIV_OPTS} unrestricted_guest=0"
UG0 = "realmode+rm-firmware+depriv-nmi-dump"
XEN_CET = ["Enabling Supervisor Shadow Stacks", "Enabling Indirect Branch Tracking"]
CET_LINE = "HVM: hvm_depriv: CET: shadow stacks on, IBT on"
BOOT_LINES = ["HVM: deprivileged emulation enabled (VMX)", CET_LINE]
# What dom0 died with before the machine defined IA32_MISC_ENABLE.
DOM0_BAD = ["Disabled fast string operations", "Bad L1 flags", "could not get_page_from_l1e()",
            "Hardware Dom0 crashed"]


def bochsrc_of(mach):
    """The bochsrc @mach writes and the MSR file it names (text or None),
    as BochsVmx.start() makes them."""
    msrs = mach.msrs()
    return (mach.bochsrc("boot.iso", "serial.log", "bochs.log", "msrs.def" if msrs else None),
            mach.msrs_file(msrs) if msrs else None)


def shstk_check(checks, log, g, what=""):
    """Every domain of guest @g (saved and restored ones too): Xen's
    shadow-stack line, its calls and syscalls equal to the summary's (1
    check).  Returns the most syscalls on a call's token of its domains."""
    ds = g.domids or ([g.domid] if g.domid is not None else [])
    seen, bad, most = [], [], 0
    for d in ds:
        c, s = log.vcpu_counters(d), log.shstk_counters(d)
        if not c or s is None:
            bad.append(f"d{d}: no {'summary' if not c else 'shadow-stack line'}")
            continue
        seen.append(f"d{d} calls={s[0]} syscalls={s[1]}")
        most = max(most, s[1])
        if s != (c.get("calls"), c.get("syscalls")):
            bad.append(f"d{d}: summary calls={c.get('calls')} syscalls={c.get('syscalls')}")
    good = bool(ds) and not bad
    checks.check(good, f"{what}{g.name}: shadow stacks: every call and syscall on them ("
                 + ("; ".join(seen) or "no domain") + ")"
                 + (f" -- {'; '.join(bad)}" if bad else ""))
    return most


def shstk_boot_check(checks, r, most, what=""):
    """Every vCPU summary of boot @r has its shadow-stack line, and some
    domain made syscalls on a call's token (1 check)."""
    summ = set(r.log.findall(r"\bd(\d+)v(\d+) hvm_depriv: calls="))
    shstk = set(r.log.findall(r"\bd(\d+)v(\d+) hvm_depriv: shadow stacks: calls="))
    missing = sorted(summ - shstk, key=lambda x: (int(x[0]), int(x[1])))
    good = bool(summ) and not missing and most > 0
    checks.check(good, f"{what}shadow-stack lines for all {len(summ)} vCPU summaries of the boot, "
                 f"the most syscalls on a call's token {most}"
                 + (f" -- none for {' '.join(f'd{d}v{v}' for d, v in missing)}" if missing else ""))


checks = Checks()
SPECS = batches(BASELINE, PER_BATCH) + [SR]
gs_a = [g for b in parse(SPECS) for g in b]
gs_b = parse([UG0])[0]
guests = sorted({g.test for g in gs_a + gs_b})
total_a = (1 + len(BOOT_LINES) + 3 + n_checks(SPECS) + 1
           + len(gs_a) + 1)
total_b = (1 + len(gs_b) + sum(1 for g in gs_b if g.test in WANT_UG0) + 1 + len(DIGESTS)
           + len(gs_b) + 1)
total = 1 + total_a + total_b

# 0: the machine definitions (no boot).
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
step.prepare(checks, total - 1, guests)

start = time.time()
try:
    res = boot(SPECS, flavour="debug", machine="bochs-cet", paging="hap", xen_opts=[DEPRIV_OPTS],
               smp=1, label="bochs-cet-depriv", guest_timeout=GUEST_TIMEOUT, quiet=False)
    ug0 = boot([UG0], flavour="debug", machine="bochs-cet", paging="hap", xen_opts=[UG0_OPTS],
               smp=2, label="bochs-cet-ug0-depriv1", guest_timeout=GUEST_TIMEOUT, quiet=False)
except HarnessError as e:
    checks.fail(f"bochs-cet: {e}", total - 1)
    checks.finish()

# Boot A: the mode with CET, unrestricted guest.
missing = [s for s in XEN_CET if s not in res.log]
checks.check(not missing, "Xen on Bochs tigerlake: supervisor shadow stacks and IBT enabled"
             + (f" (missing: {'; '.join(missing)})" if missing else ""))
for line in BOOT_LINES:
    checks.check(line in res.log, f"Xen says '{line}'")
m = res.log.search(r"hvm_depriv disabled.*$")
checks.check(m is None, "Xen did not disable the mode" + (f" ('{m.group(0)}')" if m else ""))
bad = [s for s in DOM0_BAD if s in res.log]
up = "HARNESS: dom0 up" in res.log
checks.check(up and not bad, "bochs-cet: dom0 up, fast strings kept, no page-table write refused"
             + ("" if up else " -- dom0 not up") + (f" (log: {'; '.join(bad)})" if bad else ""))
checks.check(not res.boot_problem, "Xen ran every batch and shut down cleanly"
             + (f" ({res.boot_problem})" if res.boot_problem else ""))
depriv_guest_checks(checks, res)
for g in res.guests:
    if g.test != "save-restore":
        continue
    # Each of its domains (the saved one, the restored one) as in 65.
    parts, good = [], bool(g.domids)
    for d in g.domids:
        dgood, c, problems = depriv_work(res.log, d, SR_WANT)
        good = good and dgood
        parts.append(f"d{d}: " + " ".join(f"{k}={c.get(k, 0)}" for k in SR_WANT)
                     + (f" (wrong: {' '.join(problems)})" if problems else ""))
    checks.check(good, f"{g.name}: each domain (saved, restored) run by the payload, nothing contained: "
                 + ("; ".join(parts) or "no domain"),
                 [] if good else [f"d{d}: {counters_text(res.log.vcpu_counters(d) or {})}"
                                  for d in g.domids])
most = max([shstk_check(checks, res.log, g) for g in res.guests] or [0])
shstk_boot_check(checks, res, most)

# Boot B: unrestricted_guest=0, two CPUs, the mode.
what = "unrestricted_guest=0 hvm_depriv=selftest: "
ug0_header_check(checks, ug0, 2, what, extra=[CET_LINE])
for g in ug0.guests:
    ug0_guest_check(checks, ug0, g, what)
    work_check(checks, ug0.log, g, WANT_UG0, what)
    if g.test == "realmode":
        delegation_check(checks, ug0, g, what)
digest_checks(checks, ug0, digests_of(res), what, of="boot A's (unrestricted guest)")
most = max([shstk_check(checks, ug0.log, g, what) for g in ug0.guests] or [0])
shstk_boot_check(checks, ug0, most, what)

if checks.passed + checks.failed != total:
    checks.fail(f"{checks.passed + checks.failed} checks, want {total}")
checks.finish(f"bochs-cet ({len(SPECS)} batches with the mode, CET on: {res.seconds:.0f}s"
              f"; unrestricted_guest=0 on two CPUs: {ug0.seconds:.0f}s; step {time.time() - start:.0f}s)")
