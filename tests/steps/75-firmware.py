#!/usr/bin/env python3
"""Standard HVM guests: the real device model, hvmloader and SeaBIOS.

Each boot runs, concurrently, two guests that use libxl's default device
model (device_model_version "qemu-xen": Debian's qemu-system-xen, see
scripts/build-dom0.sh):
  fw   a standard xl HVM guest: hvmloader, SeaBIOS (and its VGA BIOS),
       booting from its IDE disk (tests/firmware/build.sh: GRUB's boot.img
       and core.img, which loads the multiboot test kernel of
       tests/firmware/kernel).  The kernel prints its own verdict: RTC
       date/time sane and advancing, PIT IRQ 0 and RTC IRQ 8 through the
       8259 pair, the firmware's tables, then
       "FIRMWARE-TEST RESULT: PASS|FAIL digest=<hex>" (the digest covers
       deterministic facts only) and powers off through ACPI;
  ide  tests/xtf/tests/rm-ide-insw: SeaBIOS's disk read on its own, a
       real-mode `addr32 rep insw` from the IDE data port of the device
       model (the same disk).
with hvm_depriv=0 and =1 (budget one second), shadow and HAP paging.
Checks, per paging mode:
  1. per depriv mode: fw's verdict PASS (and Test result SUCCESS, ended by
     its own power-off, not crashed);
  2. per depriv mode: ide SUCCESS;
  3. the digests of the two depriv modes are equal;
  4. with =1: fw's vCPU summary shows real-mode, PIC (io, ack, edge) and
     RTC (io, events) calls in the payload, nothing contained, no refused
     syscall, no edge left to vpic.c;
  5. with =1: ide's shows real-mode calls, nothing contained.
A guest that does not finish (the firmware stall: hvm_depriv=1 repeating
SeaBIOS's `rep insw` forever) fails 1/2 with the vCPU's stuck context and
the rate of its real-mode calls, from dom0's dump at the timeout
(tests/harness/init, dm_dump).  Knobs: FW_PAGING, FW_DEPRIV_MODES,
FW_TIMEOUT (seconds per boot's batch; fw takes ~25 s with =0 here).
Needs build/xen-debug (make xen-debug) and grub-pc-bin (scripts/setup.sh).
"""
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts"))
from hvmharness import BUILD, TOP, Checks, HarnessError, boot, step  # noqa: E402
from hvmharness.verdict import counters_text, depriv_work  # noqa: E402

MODES = os.environ.get("FW_PAGING", "shadow hap").split()
DEPRIV = os.environ.get("FW_DEPRIV_MODES", "0 1").split()
BUDGET = "hvm_depriv_budget=1000000"
# fw ends ~25 s after its domain is created with =0 here, ide after ~3 s;
# six times that: a guest that hangs costs this much once per boot.
GUEST_TIMEOUT = int(os.environ.get("FW_TIMEOUT", "150"))
DISK = os.path.join(BUILD, "firmware", "disk.img")
RE_VERDICT = re.compile(r"FIRMWARE-TEST RESULT: (PASS|FAIL) digest=([0-9a-f]+)")
FW_WORK = ("realmode", "pic-io", "pic-ack", "pic-edge", "rtc-io", "rtc-events")
CHECKS_PER_MODE = 2 * len(DEPRIV) + (1 if len(DEPRIV) > 1 else 0) + (2 if "1" in DEPRIV else 0)

checks = Checks()
total = CHECKS_PER_MODE * len(MODES)
if not step.have_xen("debug"):
    checks.fail("build/xen-debug/xen missing (make xen-debug)", total)
    checks.finish()
if not step.build_guests(["rm-ide-insw"]) or not step.build_dom0():
    checks.fail("guest or dom0 image build failed", total)
    checks.finish()
if not step.replaying() and subprocess.call(["nice", "bash", os.path.join(TOP, "tests/firmware/build.sh")]):
    checks.fail("firmware disk build failed (tests/firmware/build.sh)", total)
    checks.finish()


def stuck(res, g):
    """What dom0's dump at the timeout shows of guest @g: its vCPU's
    CS:RIP and string registers, its real-mode calls in the dump's second,
    and its last line."""
    log = res.log
    d = g.domid
    if d is None:
        return ""
    regs = {}
    for name in ("rip", "rcx", "rdx", "rdi"):
        m = log.findall(rf"hvmctx d{d}:\s.*\b{name} 0x([0-9a-f]+)")
        if m:
            regs[name] = int(m[-1], 16)
    segs = {s: log.findall(rf"hvmctx d{d}:\s+{s}\s+(\S+)") for s in ("cs", "ES")}
    rm = [int(x) for x in log.findall(rf"\(XEN\) d{d}: calls=.* realmode=(\d+)")]
    lines = [x for x in log.guest_lines(d) if x.strip()]
    parts = []
    if "rip" in regs and segs["cs"]:
        cs = int(segs["cs"][-1], 16)
        parts.append(f"stuck at {cs:04x}:{regs['rip']:04x} ECX={regs.get('rcx', 0):#x} "
                     f"DX={regs.get('rdx', 0) & 0xffff:#x} ES={int(segs['ES'][-1], 16) if segs['ES'] else 0:04x} "
                     f"EDI={regs.get('rdi', 0):#x}")
    if len(rm) >= 2:
        parts.append(f"real-mode calls +{rm[-1] - rm[-2]} between two dumps ~1 s apart")
    if lines:
        parts.append(f"last line '{lines[-1].strip()[:60]}'")
    return "; ".join(parts)


start = time.time()
for mode in MODES:
    c = checks.sub(f"firmware ({mode}): ")
    digests = {}
    for dep in DEPRIV:
        opts = [f"hvm_depriv={dep}"] + ([BUDGET] if dep != "0" else [])
        label = f"firmware-{mode}-depriv{dep}"
        n = 2 + (2 if dep == "1" else 0)
        t0 = time.time()
        try:
            res = boot(["fw=disk+ide=rm-ide-insw"], flavour="debug", paging=mode, xen_opts=opts,
                       label=label, images={"disk": DISK}, firmware=["fw"], real_dm=["ide"],
                       guest_disks=[f"ide:{DISK}"], guest_mem=32, guest_timeout=GUEST_TIMEOUT,
                       quiet=False)
        except HarnessError as e:
            c.fail(f"hvm_depriv={dep}: no results: {e}", n)
            continue
        print(f"firmware ({mode}, hvm_depriv={dep}): QEMU run took {time.time() - t0:.0f}s")
        fw, ide = res["fw"], res["ide"]
        for line in res.log.guest_lines(fw.domid):
            if "fw-test:" in line or "FIRMWARE-TEST" in line or "Booting from" in line:
                print(f"  (fw) {line.strip()}")

        # 1. The firmware guest's own verdict.
        v = [m for m in (RE_VERDICT.search(x) for x in res.log.guest_lines(fw.domid)) if m]
        verdict, digest = (v[-1].group(1), v[-1].group(2)) if v else (None, None)
        if verdict:
            digests[dep] = digest
        why = fw.why or "passed"
        if fw.end == "timeout":
            why = "guest timeout (no verdict in %ds): %s" % (GUEST_TIMEOUT, stuck(res, fw))
        c.check(fw.ok and verdict == "PASS" and fw.end == "gone" and not res.boot_problem,
                f"hvm_depriv={dep}: fw (hvmloader, SeaBIOS, GRUB, test kernel): verdict "
                f"{verdict or '-'} digest {digest or '-'}, {fw.secs}s; {why}"
                + (f"; boot {res.boot_problem}" if res.boot_problem else ""))
        # 2. The focused guest.
        why = ide.why or "passed"
        if ide.end == "timeout":
            why = "guest timeout: " + stuck(res, ide)
        c.check(ide.ok, f"hvm_depriv={dep}: ide (real-mode rep insw from the IDE data port): {why}")
        if dep != "1":
            continue
        # 4./5. The payload's counters.
        good, cnt, problems = depriv_work(res.log, fw.domid, FW_WORK)
        c.check(good, "hvm_depriv=1: fw counters: " + (counters_text(cnt) or "-")
                + (f"; wrong: {' '.join(problems)}" if problems else ""))
        good, cnt, problems = depriv_work(res.log, ide.domid, ("realmode",))
        c.check(good, "hvm_depriv=1: ide counters: " + (counters_text(cnt) or "-")
                + (f"; wrong: {' '.join(problems)}" if problems else ""))
    # 3. The same verdict with the mode off and on.
    if len(DEPRIV) > 1:
        c.check(len(digests) == len(DEPRIV) and len(set(digests.values())) == 1,
                "digests equal across hvm_depriv=" + "/".join(DEPRIV) + ": "
                + " ".join(f"{k}:{digests.get(k, '-')}" for k in DEPRIV))

checks.finish(f"firmware ({' '.join(MODES)}, {time.time() - start:.0f}s)")
