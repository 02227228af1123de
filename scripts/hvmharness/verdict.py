"""Pass/fail: each guest against its expectation (outcome()), the runner's
table, and the ok/FAIL check counting of the test steps (Checks).

A test step prints one "ok   WHAT" or "FAIL WHAT" line per check and
writes "PASSED FAILED" to $STEP_COUNTS (scripts/run-steps.sh adds them up).
"""
import os
import sys


def outcome(g, s, boot_problem):
    """(ok, why) of guest spec @g, given what the log showed (@s, a Seen)."""
    if s.end is None:
        return False, boot_problem or "no end marker"
    if s.end == "create-failed":
        return False, "xl create failed"
    if g.monitor and not s.monitor_ok:
        return False, "vm_event monitor setup failed" if s.monitor_ok is False \
            else "vm_event monitor never set up"
    if s.sr_failed:
        return False, f"save/restore failed at {s.sr_failed}"
    if s.end == "restore-failed":
        return False, "restore from disk failed"
    if g.sr and s.result_before:
        return False, f"result {s.result_before} before the save"
    if g.sr == "save-disk":
        if s.crashed:
            return False, "domain crashed: " + s.crashed
        if s.end == "saved" and "saved-to-disk" in s.sr_events:
            return True, "saved to disk"
        return False, f"not saved to disk (end {s.end})"
    if g.sr and ("restored" not in s.sr_events or "nmi" not in s.sr_events):
        return False, "not restored: " + (" ".join(s.sr_events) or "never saved")
    if g.expect == "reboot":
        # An OS that reports, then reboots with no firmware to reboot
        # into: its own triple fault ends it (on_reboot="destroy").
        if s.result == "SUCCESS" and s.crashed and "Triple fault" in s.crashed:
            return True, "SUCCESS, then its reboot (triple fault)"
        return False, f"expected SUCCESS then a reboot, got {s.result or 'no result'}" + \
            (f", {s.crashed}" if s.crashed else ", no reboot")
    if g.expect == "crash":
        if s.crashed and s.result != "SUCCESS":
            return True, "crashed by Xen as expected"
        return False, f"expected a crash, got {s.result or 'no result'}"
    if s.crashed:
        return False, "domain crashed: " + s.crashed
    if s.end == "timeout":
        return False, "guest timeout"
    if s.result is None:
        return False, "no Test result line"
    if g.expect == "any":
        return True, ""
    if s.result == "SUCCESS" or (g.expect == "pass" and s.result == "SKIP"):
        return True, ""
    return False, f"result {s.result}"


def table(res, out=sys.stdout):
    """The runner's per-guest table and "N passed, N failed"."""
    print(file=out)
    print(f"{'guest':<24} {'domid':>5} {'expect':<8} {'result':<8} {'xen':<8} {'secs':>5}  verdict",
          file=out)
    for g in res.guests:
        xen_view = "crashed" if g.crashed else (g.end or "-")
        print(f"{g.name:<24} {g.domid or '-':>5} {g.expect:<8} {g.result or '-':<8} "
              f"{xen_view:<8} {g.secs if g.secs is not None else '-':>5}  "
              f"{'PASS' if g.ok else 'FAIL'}{'  (' + g.why + ')' if g.why else ''}", file=out)
    if res.boot_problem:
        print(f"boot: {res.boot_problem}", file=out)
    print(f"boot: {res.seconds:.0f}s ({res.describe}), log {res.log_rel}", file=out)
    print(f"{res.passed} passed, {res.failed} failed", file=out, flush=True)


class Checks:
    """ok/FAIL counting for a test step.

        c = Checks()
        c.check(cond, "what was checked")   # one check: prints ok/FAIL
        c.info("a number")                  # no check
        c.finish()                          # writes $STEP_COUNTS, exits
    """

    def __init__(self, prefix=""):
        self.prefix = prefix
        self.passed = 0
        self.failed = 0

    def check(self, good, what, details=()):
        good = bool(good)
        print(f"{'ok  ' if good else 'FAIL'} {self.prefix}{what}", flush=True)
        for d in details:
            print(f"     {d}", flush=True)
        self.passed += good
        self.failed += not good
        return good

    def ok(self, what):
        return self.check(True, what)

    def fail(self, what, n=1):
        """@n checks failed for one reason (a boot that gave no results)."""
        print(f"FAIL {self.prefix}{what}" + (f" ({n} checks)" if n != 1 else ""), flush=True)
        self.failed += n
        return False

    def info(self, what):
        print(f"info {self.prefix}{what}", flush=True)

    def sub(self, prefix):
        """Checks counted here, printed with another prefix."""
        return _Sub(self, prefix)

    def write_counts(self):
        path = os.environ.get("STEP_COUNTS")
        if path:
            with open(path, "w") as f:
                f.write(f"{self.passed} {self.failed}\n")

    def finish(self, summary=None):
        if summary:
            print(f"{summary}: {self.passed} passed, {self.failed} failed", flush=True)
        self.write_counts()
        sys.exit(0 if self.failed == 0 else 1)


class _Sub(Checks):
    def __init__(self, parent, prefix):
        super().__init__(prefix)
        self.parent = parent

    def check(self, good, what, details=()):
        r = super().check(good, what, details)
        self.parent.passed, self.parent.failed = \
            self.parent.passed + bool(r), self.parent.failed + (not r)
        return r

    def fail(self, what, n=1):
        super().fail(what, n)
        self.parent.failed += n
        return False


def depriv_work(log, domid, nonzero=(), deferred=False):
    """Whether Xen's summary of the domain's vCPU 0 shows the payload did
    its work and contained nothing: a summary exists, each counter of
    @nonzero is > 0, no call was contained or had a syscall refused
    (faults, watchdog, syscall-errors 0), no IRQ edge was left to vpic.c
    (pic-edge-xen 0), and with @deferred, edges raised where no vCPU of the
    domain was current were run later in the payload (pic-edge-deferred > 0).
    Returns (good, counters, problems): counters include pic-edge-deferred
    and pic-edge-xen; problems say what is wrong."""
    c = log.vcpu_counters(domid)
    if not c:
        return False, {}, [f"no hvm_depriv summary for d{domid}v0"]
    c["pic-edge-deferred"] = log.edges_deferred(domid)
    c["pic-edge-xen"] = log.edges_in_xen(domid)
    problems = [f"{k}=0" for k in nonzero if not c.get(k)]
    problems += [f"{k}={c.get(k)}" for k in ("faults", "watchdog", "syscall-errors", "pic-edge-xen")
                 if c.get(k) != 0]
    if deferred and not c["pic-edge-deferred"]:
        problems.append(f"pic-edge-deferred={c['pic-edge-deferred']}")
    return not problems, c, problems


def counters_text(c):
    return " ".join(f"{k}={v}" for k, v in c.items())
