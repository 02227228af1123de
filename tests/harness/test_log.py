#!/usr/bin/env python3
"""The serial-log reader (scripts/hvmharness/log.py) on lines as the serial
port delivers them: dom0's markers can be cut by a line of Xen's (its own
or a guest's) or of dom0's kernel that lands between a marker's text and
its end.  One such line failed a save/restore check in CI: "HARNESS: nmi
dep(d5) resumed: NMI received" hid the NMI marker, and the guest, restored
and successful, was judged "not restored".  No Xen needed: the lines are
fed to the reader.
"""
import os
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts"))
from hvmharness.log import SerialLog, Watcher  # noqa: E402
from hvmharness.spec import GuestSpec  # noqa: E402
from hvmharness.verdict import Checks, outcome  # noqa: E402

COUNTERS = ("calls=933 pic-io=344 rtc-io=342 rtc-events=72 realmode=0 pic-ack=64 pic-edge=111 "
            "syscalls=0 syscall-errors=0 faults=0 watchdog=0 monitor-tables=1 "
            "monitor-tables-cleared=1 longest-call=50 us")

# A save/restore guest's boot, as sr-depriv1 logs it, with the interleavings
# seen or possible: the NMI marker cut by the guest's line (as in CI), an end
# marker by Xen's summary (seen in a run of 60-depriv), a start marker by a
# guest's digest line, an end marker by a line of dom0's kernel.
WOVEN = [
    "HARNESS: batch dep vpic",
    "HARNESS: start dep domid=1",
    "HARNESS: start vpic domid=2(d2) DIGEST 0ab24286db57e5f7",
    "",
    "(d1) SAVE-POINT",
    "HARNESS: saved dep domid=1 bytes=37673594 secs=10",
    "HARNESS: restored dep domid=5 from=1 secs=2 dm-record=[domid=1 saved=24.99]",
    "HARNESS: nmi dep(d5) resumed: NMI received",
    "",
    "(d5) saw (d3) in its own text",
    "(d5) Test result: SUCCESS",
    "(d2) Test result: SUCCESS",
    "HARNESS: end dep status=gone secs=4(XEN) d5v0 hvm_depriv: " + COUNTERS,
    "",
    "HARNESS: end vpic status=gone[   48.123456] xen-blkback: a kernel warning (d7) as text",
    "",
    "(XEN) Domain 7 (vcpu#0) crashed on cpu#1:",
    "HARNESS: all done after 47.54s",
]


def watch(lines, names):
    w = Watcher(names)
    for line in lines:
        w.line(line)
    return w


c = Checks("serial log: ")

w = watch(WOVEN, ["dep", "vpic"])
dep, vpic = w.seen["dep"], w.seen["vpic"]
c.check(dep.sr_events == ["saved", "restored", "nmi"],
        f"a marker cut by a guest line still counts: dep's save/restore events {dep.sr_events}")
c.check(dep.lines[-3:] == ["resumed: NMI received", "saw (d3) in its own text", "Test result: SUCCESS"],
        f"the guest line that cut it is the guest's: {dep.lines[-3:]}")
ok, why = outcome(GuestSpec("dep=save-restore@sr"), dep, None)
c.check(ok, f"the restored guest that succeeded passes: {why or 'passed'}")
c.check((dep.end, dep.secs) == ("gone", 4),
        f"a marker cut by a Xen line keeps its words: end={dep.end} secs={dep.secs}")
c.check((vpic.domid, vpic.end, vpic.result) == (2, "gone", "SUCCESS"),
        f"a start marker cut by a guest line: vpic domid={vpic.domid} end={vpic.end} result={vpic.result}")
c.check((vpic.end, vpic.secs) == ("gone", None),
        f"a marker cut by a kernel line keeps its words: end={vpic.end} secs={vpic.secs}")
c.check(w.all_done and w.problem is None, f"the boot's end seen, no problem: {w.problem}")

with tempfile.NamedTemporaryFile("w", suffix=".log", delete=False) as f:
    f.write("\r\n".join(WOVEN) + "\r\n")
try:
    log = SerialLog(f.name)
finally:
    os.unlink(f.name)
cnt = log.vcpu_counters(5)
c.check(cnt is not None and cnt["calls"] == 933 and cnt["longest-call"] == 50,
        f"the whole log: the summary after a cut marker is found: {cnt and cnt['calls']}")
c.check(log.digest(2) == "0ab24286db57e5f7",
        f"the whole log: the digest after a cut marker is found: {log.digest(2)}")
c.check(log.guest_lines(5) == ["resumed: NMI received", "saw (d3) in its own text", "Test result: SUCCESS"],
        f"the whole log: d5's lines {log.guest_lines(5)}")
c.check(log.search(r"^\(XEN\) Domain 7 \(vcpu#0\) crashed") is not None,
        "a line of Xen's is left whole")
c.check(log.search(r"^\[   48\.123456\] xen-blkback: a kernel warning \(d7\) as text$") is not None,
        "a line of dom0's kernel is left whole")

c.finish("serial-log reader")
