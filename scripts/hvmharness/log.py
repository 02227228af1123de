"""Reading the serial log: dom0's HARNESS: markers (tests/harness/init),
the guests' lines (Xen prints them as "(dN) ..."), Xen's crash and fatal
lines, and what Xen's log says about a domain's deprivileged calls.

Watcher follows the log while the machine runs and fills in one Seen per
guest; SerialLog answers questions about the whole log afterwards (the
hvm_depriv summaries xen-patches/0020 prints when a vCPU or domain
goes:
  (XEN) dNv0 hvm_depriv: calls=.. pic-io=.. ... faults=.. watchdog=.. longest-call=.. us
  (XEN) dNv0 hvm_depriv: per emulator (calls/syscalls/faults): other=a/b/c pic=..
  (XEN) dN hvm_depriv: pic edges deferred (raised where no vCPU of the domain was current): N, run in Xen (pending at a save): M
and, when Xen runs with CET shadow stacks (xen-patches/0012),
  (XEN) dNv0 hvm_depriv: shadow stacks: calls=N syscalls=M
).
"""
import re
import time

RE_MARK = re.compile(r"HARNESS: (\S+)(.*)")
# The head of a line written whole: Xen's own ("(XEN) "), a guest's
# ("(dN) "), dom0's kernel's ("[   12.345678] ").
RE_WHOLE_HEAD = re.compile(r"\((?:XEN|d\d+)\) |\[ *\d+\.\d{6}\] ")
RE_GUEST = re.compile(r"\(d(\d+)\) (.*)")
RE_RESULT = re.compile(r"Test result: (SUCCESS|SKIP|FAILURE|ERROR)")
RE_CRASH = [
    re.compile(r"Domain (\d+) \(vcpu#\d+\) crashed on cpu"),
    re.compile(r"Domain (\d+) reported crashed by domain"),
    re.compile(r"\bd(\d+)v\d+ Triple fault"),
]
RE_XEN_FATAL = [
    re.compile(r"Panic on CPU \d+"),
    re.compile(r"Assertion '.*' failed at"),
    re.compile(r"FATAL TRAP"),
    re.compile(r"Xen BUG at"),
]


class Seen:
    """What the log showed of one guest."""

    def __init__(self):
        self.domid = None
        self.domids = []         # every domid the guest had (save/restore)
        self.end = None          # end marker status: gone | timeout | create-failed | saved | restore-failed
        self.secs = None         # its end marker's secs= (dom0's clock)
        self.result = None       # last "Test result:" word
        self.crashed = None      # Xen-side crash line
        self.lines = []          # its (dN) lines
        self.sr_events = []      # saved / saved-to-disk / restored / nmi, in order
        self.sr_failed = None    # "sr-failed" marker: which step
        self.result_before = None  # a "Test result:" of a domain before its save
        self.monitor_ok = None   # "monitor" marker seen (True) / "monitor-failed" (False)


class Watcher:
    """Feed it serial-log lines (line()); it fills in seen[name] for the
    guests named and the boot's own state (problem, all_done)."""

    def __init__(self, names, say=None, show_guest_output=False):
        self.seen = {n: Seen() for n in names}
        self.by_domid = {}
        self.problem = None
        self.all_done = False
        self.say = say or (lambda s: None)
        self.show_guest_output = show_guest_output
        self.first_seen = {}     # line -> host time it was first read (for marker lookups)

    def _now_domain(self, g, domid):
        g.domid = domid
        self.by_domid[domid] = g
        if domid not in g.domids:
            g.domids.append(domid)

    def _name(self, domid):
        return next((n for n, s in self.seen.items() if s is self.by_domid.get(domid)), "?")

    def line(self, line, when=None):
        for part in unweave(line):
            self._line(part, when)

    def _line(self, line, when):
        self.first_seen.setdefault(line.strip(), when if when is not None else time.monotonic())
        m = RE_MARK.search(line)
        if m:
            self._marker(m.group(1), m.group(2), line)
            self.say("  " + line[m.start():].strip())
            return
        m = RE_GUEST.search(line)
        if m:
            g = self.by_domid.get(int(m.group(1)))
            if g:
                g.lines.append(m.group(2))
                r = RE_RESULT.search(m.group(2))
                if r:
                    g.result = r.group(1)
                if self.show_guest_output or r:
                    self.say(f"  ({self._name(int(m.group(1)))}) {m.group(2).strip()}")
            return
        for rx in RE_CRASH:
            m = rx.search(line)
            if m:
                g = self.by_domid.get(int(m.group(1)))
                if g:
                    g.crashed = line.strip()
                    self.say(f"  [xen] {line.strip()}")
                return
        for rx in RE_XEN_FATAL:
            if rx.search(line):
                self.problem = self.problem or ("Xen: " + line.strip())
                self.say(f"  [xen] {line.strip()}")

    def _marker(self, kw, rest, line):
        if kw == "start":
            mm = re.match(r"\s*(\S+) domid=(\d+)", rest)
            if mm and mm.group(1) in self.seen:
                self._now_domain(self.seen[mm.group(1)], int(mm.group(2)))
        elif kw in ("saved", "saved-to-disk", "restored", "nmi", "sr-failed"):
            mm = re.match(r"\s*(\S+)(?: domid=(\d+))?(?:.* step=(\S+))?", rest)
            if mm and mm.group(1) in self.seen:
                g = self.seen[mm.group(1)]
                if kw == "sr-failed":
                    g.sr_failed = mm.group(3) or "?"
                else:
                    g.sr_events.append(kw)
                if kw == "restored" and mm.group(2):
                    # From here on the guest is the restored domain: a
                    # result printed before the save does not count.
                    g.result_before, g.result = g.result_before or g.result, None
                    self._now_domain(g, int(mm.group(2)))
        elif kw in ("monitor", "monitor-failed"):
            mm = re.match(r"\s*(\S+)", rest)
            if mm and mm.group(1) in self.seen:
                self.seen[mm.group(1)].monitor_ok = kw == "monitor"
        elif kw == "end":
            mm = re.match(r"\s*(\S+) status=(\S+)(?: secs=(\d+))?", rest)
            if mm and mm.group(1) in self.seen:
                g = self.seen[mm.group(1)]
                g.end, g.secs = mm.group(2), mm.group(3) and int(mm.group(3))
        elif kw == "all":
            self.all_done = True
        elif kw == "fatal":
            self.problem = "dom0: " + line.strip()


class Follower:
    """Reads a growing log file line by line."""

    def __init__(self, path):
        self.path = path
        self.pos = 0
        self.partial = ""

    def lines(self, final=False):
        try:
            with open(self.path, "rb") as f:
                f.seek(self.pos)
                data = f.read()
        except FileNotFoundError:
            return []
        self.pos += len(data)
        text = self.partial + data.decode(errors="replace").replace("\r", "")
        lines = text.split("\n")
        self.partial = "" if final else lines.pop()
        return lines


def unweave(line):
    """The serial line @line as the lines that were written: [line], or a
    line of dom0's user space and a line that interrupted it.

    Xen writes each of its lines and each guest line whole, under its
    console lock, and dom0's kernel its messages; the tty of dom0's user
    space writes a line's text and its end apart (ONLCR), so such a line
    can land between them: "HARNESS: nmi dep(d5) resumed: NMI received"
    was "HARNESS: nmi dep" and "(d5) resumed: NMI received".  A line that
    starts as a whole one is one line; one that does not ends where a
    whole one starts."""
    m = RE_WHOLE_HEAD.search(line)
    return [line] if m is None or m.start() == 0 else [line[:m.start()], line[m.start():]]


def unweave_text(text):
    """unweave() every line of @text."""
    return "\n".join(part for line in text.split("\n") for part in unweave(line))


def _last(pattern, text):
    found = re.findall(pattern, text, re.M)
    return found[-1] if found else None


def vcpu_counters(text, domid, vcpu=0):
    """{name: int} from the vCPU's hvm_depriv summary line, or None if there
    is none.  "longest-call" is in microseconds: the length of the vCPU's
    longest completed call (what the watchdog's budget bounds)."""
    if domid is None:
        return None
    line = _last(rf"\bd{domid}v{vcpu} hvm_depriv: (calls=.*)$", text)
    if line is None:
        return None
    return {k: int(v) for k, v in re.findall(r"([\w-]+)=(\d+)", line)}


def contained(c):
    """Calls that went wrong, from vcpu_counters(): contained (faults,
    watchdog) or with a refused syscall.  0 for a clean run."""
    return c["faults"] + c["watchdog"] + c["syscall-errors"]


def shstk_counters(text, domid, vcpu=0):
    """(calls, syscalls) from the vCPU's shadow-stack line (printed at its
    destruction when Xen has CET shadow stacks on: calls entered on a live
    shadow stack, syscalls run on a call's token), or None."""
    if domid is None:
        return None
    m = _last(rf"\bd{domid}v{vcpu} hvm_depriv: shadow stacks: calls=(\d+) syscalls=(\d+)$", text)
    return None if m is None else (int(m[0]), int(m[1]))


def guest_failure_lines(text, domid):
    """The guest's own "Fail..." and "Test result" lines (as Xen logged them)."""
    return [line.strip() for line in re.findall(rf"^.*\(d{domid}\) (?:Fail|Test result).*$", text, re.M)]


def per_emulator(text, domid, vcpu=0):
    """{emulator: [calls, syscalls, faults]}, or None."""
    line = _last(rf"\bd{domid}v{vcpu} hvm_depriv: per emulator \(calls/syscalls/faults\): (.*)$", text)
    if line is None:
        return None
    return {k: [int(x) for x in v.split("/")]
            for k, v in re.findall(r"([\w-]+)=(\d+(?:/\d+)*)", line)}


def _edges(text, domid):
    return _last(rf"\bd{domid} hvm_depriv: pic edges deferred \(raised where no vCPU of the domain "
                 rf"was current\): (\d+), run in Xen \(pending at a save\): (\d+)", text)


def edges_deferred(text, domid):
    """IRQ edges raised where no vCPU of the domain was current (run later
    in the payload), or None."""
    e = _edges(text, domid)
    return None if e is None else int(e[0])


def edges_in_xen(text, domid):
    """IRQ edges vpic.c ran itself (still pending at a save), or None."""
    e = _edges(text, domid)
    return None if e is None else int(e[1])


def watchdog_stop(text, domid, vcpu=0):
    """(took, ring3, in_xen) in us from the watchdog's report on the vCPU,
    or None."""
    m = re.search(rf"\bd{domid}v{vcpu}: hvm_depriv: call ran past .* \(stopped after (\d+) us: "
                  rf"(\d+) us at ring 3, (\d+) us in Xen's syscalls\)", text)
    return tuple(int(x) for x in m.groups()) if m else None


class SerialLog:
    """The whole serial log of a boot, with the questions above as methods."""

    def __init__(self, path):
        self.path = path
        try:
            with open(path, errors="replace") as f:
                self.text = unweave_text(f.read().replace("\r", ""))
        except OSError:
            self.text = ""

    def __contains__(self, s):
        return s in self.text

    def search(self, pattern):
        return re.search(pattern, self.text, re.M)

    def findall(self, pattern):
        return re.findall(pattern, self.text, re.M)

    def guest_lines(self, domid):
        return self.findall(rf"^\(d{domid}\) (.*)$") if domid is not None else []

    def vcpu_counters(self, domid, vcpu=0):
        return vcpu_counters(self.text, domid, vcpu)

    def per_emulator(self, domid, vcpu=0):
        return per_emulator(self.text, domid, vcpu)

    def shstk_counters(self, domid, vcpu=0):
        return shstk_counters(self.text, domid, vcpu)

    def edges_deferred(self, domid):
        return edges_deferred(self.text, domid)

    def edges_in_xen(self, domid):
        return edges_in_xen(self.text, domid)

    def guest_failure_lines(self, domid):
        return guest_failure_lines(self.text, domid)

    def failure_details(self, g):
        """Guest @g's failure lines, as a check's details ("FAIL NAME: ...")."""
        return [f"FAIL {g.name}: {line}" for line in self.guest_failure_lines(g.domid)]

    def digest(self, domid):
        """The guest's "DIGEST <hex>" line (tests/xtf/tests/lib/digest.h):
        the hex string of its last one, or None."""
        found = self.findall(rf"^\(d{domid}\) DIGEST ([0-9a-f]+)$") if domid is not None else []
        return found[-1] if found else None

    def case_digests(self, domid):
        """The per-case digests a guest printed ("case-digests NAME=HEX ..."
        lines, the realmode guest), in order: [(name, hex), ...]."""
        out = []
        for line in self.findall(rf"^\(d{domid}\) case-digests (.*)$") if domid is not None else []:
            out += [tuple(w.split("=", 1)) for w in line.split() if "=" in w]
        return out

    def watchdog_stop(self, domid, vcpu=0):
        return watchdog_stop(self.text, domid, vcpu)


def digest_diff(a, b, most=12):
    """The cases whose digests differ between two case_digests() lists, as
    text lines for a check's details (at most @most of them)."""
    if len(a) != len(b):
        return [f"per-case digests: {len(a)} vs {len(b)} cases"]
    diff = [f"case {i} {na}: {da} vs {db}" for i, ((na, da), (_, db)) in enumerate(zip(a, b)) if da != db]
    return diff[:most] + ([f"... {len(diff) - most} more"] if len(diff) > most else [])
