#!/usr/bin/env python3
"""Integration: the baseline XTF-style guests on the debug Xen, with the
stock C emulators (hvm_depriv=0) and with the deprivileged ones
(hvm_depriv=1), under shadow paging and under HAP: every guest must pass in
all four boots (guests cannot tell).  Each guest x depriv x paging is one
check; with hvm_depriv=1 each guest's vCPU summary must also show that the
payload ran its PIC/RTC/real-mode work (the vpic guest: pic-io, pic-ack and
pic-edge > 0, the vrtc guest: rtc-io, pic-ack and pic-edge > 0, the
realmode guest: realmode >= its FEP comparisons, every guest: no contained
call, no refused syscall, and no IRQ edge left to vpic.c ("run in Xen" 0);
the evtchn-gsi guest, whose IRQ 10 is raised by a timer softirq while it
halts, must have had those edges deferred and run in the payload later
(pic-edge-deferred > 0), its acknowledges and deasserts too (pic-ack,
pic-edge > 0)), and the C paths the payload replaces ASSERT they are not
reached (a debug Xen: an ASSERT fails the boot).  Then one boot checks the
harness itself: a guest Xen kills (triple fault, expected "crash") running
concurrently with a bystander that must succeed (2 checks).
The guests that print a digest of what they observed (realmode: its native
outcomes; rm-firmware: a firmware's real-mode device programming, see
tests/xtf/tests/*/main.c) must print the same one with hvm_depriv=0 and =1
under each paging mode (1 check per guest and mode).  And every guest image
built links C units compiled with one set of flags (1 check:
tests/xtf/build/check-flags.sh; a stale runtime object built without
-mregparm=3 once made the realmode guest copy over its own text).
Needs build/xen-debug (make xen-debug).  Knobs: HVM_GUESTS, HVM_PAGING,
HVM_DEPRIV_MODES, HVM_NO_SELFCHECK.
"""
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts"))
from hvmharness import BUILD, TOP, Checks, HarnessError, boot, step  # noqa: E402
from hvmharness.log import digest_diff  # noqa: E402
from hvmharness.verdict import counters_text, depriv_work  # noqa: E402

GUESTS = os.environ.get("HVM_GUESTS", "reg-integrity vpic vrtc realmode evtchn-gsi rm-firmware").split()
MODES = os.environ.get("HVM_PAGING", "shadow hap").split()
DEPRIV = os.environ.get("HVM_DEPRIV_MODES", "0 1").split()
# A call is stopped after this long (the default, one second, given
# explicitly: TCG can stall a call by hundreds of ms; the containment step
# measures the watchdog).  Each guest's longest call is printed (longest-call).
BUDGET = "hvm_depriv_budget=1000000"
# Each guest runs alone in its batch; the longest, vrtc, takes about 80 s
# (its RTC windows are seconds of RTC time), the others up to 15 s.  Five
# times that, so a host twice as slow (or slower) does not hit it: a guest
# that hangs costs this much, once.
GUEST_TIMEOUT = 400
# What each guest's depriv counters must show, with hvm_depriv=1.
WANT = {"vpic": ["pic-io", "pic-ack", "pic-edge"], "vrtc": ["rtc-io", "pic-ack", "pic-edge"],
        "realmode": ["realmode"], "evtchn-gsi": ["pic-ack", "pic-edge"],
        "rm-firmware": ["pic-io", "pic-ack", "pic-edge", "rtc-io", "realmode"]}
# Guests whose "DIGEST <hex>" must be the same with hvm_depriv=0 and =1.
DIGESTS = ["realmode", "rm-firmware"]
# Guests whose IRQ edges are raised where no vCPU of theirs is current (a
# timer softirq while they halt): those are recorded and run later in the
# payload, and must have been (pic-edge-deferred > 0).  No guest may have an
# edge left to vpic.c (only edges pending at a save are).
DEFERRED_EDGES = {"evtchn-gsi"}

checks = Checks()
digest_guests = [t for t in DIGESTS if t in GUESTS] if len(DEPRIV) > 1 else []
total = len(GUESTS) * len(MODES) * len(DEPRIV) + len(digest_guests) * len(MODES) + (not step.replaying())
if not step.have_xen("debug"):
    checks.fail("build/xen-debug/xen missing (make xen-debug)", total)
    checks.finish()
if not step.build_guests(GUESTS + ["triple-fault", "runtime-selftest"]):
    checks.fail("guest build failed", total)
    checks.finish()
if not step.build_dom0():
    checks.fail("dom0 image build failed", total)
    checks.finish()

images = [os.path.join(BUILD, "xtf", t, f"test-hvm32-{t}")
          for t in GUESTS + ["triple-fault", "runtime-selftest"]]
if not step.replaying():     # (no images to look at when replaying logs)
    flags = subprocess.run(["sh", os.path.join(TOP, "tests", "xtf", "build", "check-flags.sh")] + images,
                           capture_output=True, text=True)
    checks.check(flags.returncode == 0, f"guest images: the C units of each of {len(images)} "
                 "compiled with one set of flags", flags.stderr.splitlines())


def guest_check(res, g, depriv, prefix):
    """One check per guest: the runner's verdict and, with hvm_depriv=1,
    what its counters say."""
    what = f"{prefix}{g.name}: "
    details = []
    good = g.ok
    if depriv and g.ok:
        good, cnt, problems = depriv_work(res.log, g.domid, WANT.get(g.test, []),
                                          deferred=g.test in DEFERRED_EDGES)
        # Every native-vs-FEP comparison of the realmode guest is at least
        # one real-mode instruction emulated at ring 3.
        if g.test == "realmode" and cnt:
            n = res.log.search(rf"\(d{g.domid}\) \d+ cases x up to \d+ rounds: (\d+) comparisons")
            cnt["comparisons"] = int(n.group(1)) if n else None
            if not n or cnt["realmode"] < cnt["comparisons"]:
                good = False
                problems.append("realmode < comparisons")
        what += ("passed, " if good else "") + (counters_text(cnt) or "-")
        if problems:
            what += "; wrong: " + " ".join(problems)
    else:
        what += "passed" if g.ok else f"failed ({g.why})"
    if not good:
        # The guest's own failure lines, for the step summary (CI shows a tail).
        details = res.log.failure_details(g)
    checks.check(good, what, details)


start = time.time()
digests = {}
for dp in DEPRIV:
    for mode in MODES:
        depriv = dp == "1"
        label = f"baseline-depriv-{mode}" if depriv else f"baseline-{mode}"
        opts = f"hvm_depriv=1 {BUDGET} hvm_fep=1" if depriv else "hvm_depriv=0 hvm_fep=1"
        prefix = f"hvm_depriv={dp} {mode}: "
        try:
            res = boot(GUESTS, flavour="debug", paging=mode, xen_opts=[opts], label=label,
                       guest_timeout=GUEST_TIMEOUT, quiet=False)
        except HarnessError as e:
            checks.fail(f"{prefix}{e}", len(GUESTS))
            continue
        for g in res.guests:
            guest_check(res, g, depriv, prefix)
            if g.test in digest_guests:
                digests[(g.test, mode, dp)] = (res.log.digest(g.domid), res.log.case_digests(g.domid))

for t in digest_guests:
    for mode in MODES:
        got = [digests.get((t, mode, dp), (None, [])) for dp in DEPRIV]
        same = None not in [d for d, _ in got] and len({d for d, _ in got}) == 1
        checks.check(same, f"{t} {mode}: digest equal across hvm_depriv=" + "/".join(DEPRIV) + ": "
                     + " ".join(f"{dp}:{d or '-'}" for dp, (d, _) in zip(DEPRIV, got)),
                     [] if same else [f"{t}: {x}" for x in digest_diff(got[0][1], got[-1][1])])

if not os.environ.get("HVM_NO_SELFCHECK"):
    try:
        res = boot(["victim=triple-fault:crash+bystander=runtime-selftest"], flavour="debug", paging="hap",
                   xen_opts=["hvm_depriv=0"], label="harness-selfcheck", guest_timeout=60,
                   quiet=False)
        for g in res.guests:
            checks.check(g.ok, f"harness self-check: {g.name}: expected {g.expect}, "
                         f"{'passed' if g.ok else 'failed'}{' (' + g.why + ')' if g.why else ''}")
    except HarnessError as e:
        checks.fail(f"harness self-check: {e}", 2)

checks.finish(f"guests ({' '.join(GUESTS)} x hvm_depriv={' '.join(DEPRIV)} x {' '.join(MODES)}, "
              f"{time.time() - start:.0f}s)")
