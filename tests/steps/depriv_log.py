"""What Xen's log says about a domain's deprivileged calls.

One parser for the lines patch 0003/0005/0008 print when a vCPU or domain
goes, used by the test steps and the benchmark:

  (XEN) dNv0 hvm_depriv: calls=.. pic-io=.. ... faults=.. watchdog=.. longest-call=.. us
  (XEN) dNv0 hvm_depriv: per emulator (calls/syscalls/faults): other=a/b/c pic=..
  (XEN) dN hvm_depriv: pic edges deferred (raised where no vCPU of the domain was current): N, run in Xen (pending at a save): M
"""
import re


def _last(pattern, log):
    found = re.findall(pattern, log, re.M)
    return found[-1] if found else None


def vcpu_counters(log, domid, vcpu=0):
    """{name: int} from the vCPU's summary line, or None if there is none.
    "longest-call" is in microseconds: the length of the vCPU's longest
    completed call (what the watchdog's budget bounds)."""
    line = _last(rf"\bd{domid}v{vcpu} hvm_depriv: (calls=.*)$", log)
    if line is None:
        return None
    return {k: int(v) for k, v in re.findall(r"([\w-]+)=(\d+)", line)}


def contained(c):
    """Calls that went wrong, from vcpu_counters(): contained (faults,
    watchdog) or with a refused syscall.  0 for a clean run."""
    return c["faults"] + c["watchdog"] + c["syscall-errors"]


def guest_failure_lines(log, domid):
    """The guest's own "Fail..." and "Test result" lines (as Xen logged them)."""
    return [line.strip() for line in re.findall(rf"^.*\(d{domid}\) (?:Fail|Test result).*$", log, re.M)]


def per_emulator(log, domid, vcpu=0):
    """{emulator: [calls, syscalls, faults]}, or None."""
    line = _last(rf"\bd{domid}v{vcpu} hvm_depriv: per emulator \(calls/syscalls/faults\): (.*)$", log)
    if line is None:
        return None
    return {k: [int(x) for x in v.split("/")]
            for k, v in re.findall(r"([\w-]+)=(\d+(?:/\d+)*)", line)}


def _edges(log, domid):
    return _last(rf"\bd{domid} hvm_depriv: pic edges deferred \(raised where no vCPU of the domain "
                 rf"was current\): (\d+), run in Xen \(pending at a save\): (\d+)", log)


def edges_deferred(log, domid):
    """IRQ edges raised where no vCPU of the domain was current (run later
    in the payload), or None."""
    e = _edges(log, domid)
    return None if e is None else int(e[0])


def edges_in_xen(log, domid):
    """IRQ edges vpic.c ran itself (still pending at a save), or None."""
    e = _edges(log, domid)
    return None if e is None else int(e[1])
