#!/usr/bin/env python3
"""A real OS on the deprivileged emulators: Debian's own Linux kernel (the
one dom0 runs) boots as an HVM guest under the debug Xen with
hvm_depriv=1, on the legacy PC devices only (nopv noapic nolapic: the
PIT's IRQ 0 through the 8259 PIC, the MC146818 RTC), from a loader of our
own (tests/os/loader, no hvmloader/BIOS) with a busybox initramfs whose
/init (tests/os/init) reads the RTC (/proc/driver/rtc, hwclock), waits
for 3 RTC update interrupts on /dev/rtc0 (IRQ 8, slave PIC), counts timer
interrupts (IRQ 0, XT-PIC) over 3 s, writes the RTC back, and prints
"Test result: SUCCESS" only if the RTC read a date and advanced, the
interrupts arrived and IRQ 0 is an 8259 one.  Checks, for each paging
mode (LINUX_HVM_PAGING, default "hap shadow"):
  1. the guest's own result line is SUCCESS, and its end is the triple
     fault its `reboot -f` makes (no device model, so no ACPI to power off
     with; on_reboot="destroy": the runner's expectation `reboot`), with
     no Xen-side problem;
  2. Xen's summary of its vCPU shows that the payload did the PIC/RTC
     work: pic-io, rtc-io, rtc-events, pic-ack and pic-edge > 0, no IRQ
     edge left to vpic.c (pic-edge-xen 0: the PIT's and the RTC's IRQs
     are raised in the guest's own context); faults, watchdog and
     syscall-errors 0.
In `make test` (about 1.5-3.5 minutes for both paging modes here).
Needs build/xen-debug and build/dom0-cache (make xen-debug, make test).
"""
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts"))
from hvmharness import BUILD, TOP, Checks, HarnessError, boot, step  # noqa: E402
from hvmharness.verdict import counters_text, depriv_work  # noqa: E402

MODES = os.environ.get("LINUX_HVM_PAGING", "hap shadow").split()
# TCG: a payload call can be stalled by hundreds of ms (the one-second default budget, given explicitly).
OPTS = "hvm_depriv=1 hvm_depriv_budget=1000000"
# A Linux boot under Xen under TCG takes a minute or two here (the guest
# ends after 25-60 s); the guest's own timeout is far above that.
GUEST_TIMEOUT = int(os.environ.get("LINUX_HVM_TIMEOUT", "900"))
CHECKS_PER_MODE = 2

checks = Checks()
if not step.have_xen("debug"):
    checks.fail("build/xen-debug/xen missing (make xen-debug)", len(MODES) * CHECKS_PER_MODE)
    checks.finish()
if not step.build_dom0():
    checks.fail("dom0 image build failed", len(MODES) * CHECKS_PER_MODE)
    checks.finish()
if not step.replaying() and subprocess.call(["nice", "bash", os.path.join(TOP, "tests/os/build.sh")]):
    checks.fail("linux-hvm image build failed", len(MODES) * CHECKS_PER_MODE)
    checks.finish()

start = time.time()
for mode in MODES:
    c = checks.sub(f"linux-hvm ({mode}): ")
    label = f"linux-hvm-{mode}"
    t0 = time.time()
    try:
        res = boot(["linux=linux-hvm:reboot"], flavour="debug", paging=mode, xen_opts=[OPTS],
                   label=label, images={"linux-hvm": os.path.join(BUILD, "os/linux-hvm.elf")},
                   guest_mem=256, guest_timeout=GUEST_TIMEOUT, boot_timeout=GUEST_TIMEOUT + 300,
                   quiet=False)
    except HarnessError as e:
        c.fail(f"no results: {e}", CHECKS_PER_MODE)
        continue
    print(f"linux-hvm ({mode}): QEMU run took {time.time() - t0:.0f}s")
    g = res["linux"]
    d = g.domid
    # The guest's own lines (its /init's, and the kernel's timer/RTC lines).
    for line in res.log.guest_lines(d):
        if re.search(r"linux-hvm: |Test result|rtc_cmos|clocksource|[Cc]alibrat|Kernel panic", line):
            print(f"  (linux) {line.strip()}")

    # 1. The guest's verdict, and an end that is either a clean one or the
    #    triple fault its `reboot -f` makes, without any Xen-side problem.
    crash = g.crashed or ""
    end_ok = (g.end == "gone" and (not crash or re.search(r"\bd\d+v\d+ Triple fault", crash))
              and not res.boot_problem)
    c.check(g.ok and g.result == "SUCCESS" and end_ok,
            f"guest result {g.result}, end {g.end}, xen {crash or '-'}, "
            f"boot {res.boot_problem or 'ok'}, {g.secs}s")

    # 2. The payload's counters for the guest's vCPU.
    good, cnt, problems = depriv_work(res.log, d, ("pic-io", "rtc-io", "rtc-events", "pic-ack",
                                                   "pic-edge"))
    c.check(good, (counters_text(cnt) or "-") + (f"; wrong: {' '.join(problems)}" if problems else ""))

checks.finish(f"linux-hvm ({' '.join(MODES)}, {time.time() - start:.0f}s)")
