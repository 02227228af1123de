"""What Xen's log says about a domain's deprivileged calls.

One parser for the lines patch 0003/0005/0008 print when a vCPU or domain
goes, used by the test steps and the benchmark:

  (XEN) dNv0 hvm_depriv: calls=.. pic-io=.. ... faults=.. watchdog=..
  (XEN) dNv0 hvm_depriv: per emulator (calls/syscalls/faults): other=a/b/c pic=..
  (XEN) dN hvm_depriv: pic edges run in Xen (no vCPU of the domain current): N
"""
import re


def _last(pattern, log):
    found = re.findall(pattern, log, re.M)
    return found[-1] if found else None


def vcpu_counters(log, domid, vcpu=0):
    """{name: int} from the vCPU's summary line, or None if there is none."""
    line = _last(rf"\bd{domid}v{vcpu} hvm_depriv: (calls=.*)$", log)
    if line is None:
        return None
    return {k: int(v) for k, v in re.findall(r"([\w-]+)=(\d+)", line)}


def per_emulator(log, domid, vcpu=0):
    """{emulator: [calls, syscalls, faults]}, or None."""
    line = _last(rf"\bd{domid}v{vcpu} hvm_depriv: per emulator \(calls/syscalls/faults\): (.*)$", log)
    if line is None:
        return None
    return {k: [int(x) for x in v.split("/")]
            for k, v in re.findall(r"([\w-]+)=(\d+(?:/\d+)*)", line)}


def edges_in_xen(log, domid):
    """IRQ edges vpic.c ran itself for the domain (no vCPU of it current), or None."""
    n = _last(rf"\bd{domid} hvm_depriv: pic edges run in Xen \(no vCPU of the domain current\): (\d+)", log)
    return None if n is None else int(n)
