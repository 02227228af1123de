"""The guest harness as a library: boot a built Xen with the harness dom0
and HVM test guests on an emulated machine, follow its serial log, decide.

    spec     the SPEC language ([ALIAS=]TEST[@SR][:EXPECT], '+' batches)
    image    the per-boot initramfs overlay (cpio), guest configs, dom0 image
    machine  the emulated machine (QEMU with AMD SVM now; one class each)
    log      following the serial log; what Xen and the guests print
    verdict  each guest against its expectation; ok/FAIL check counting
    run      one boot: the above together (boot())
    cli      scripts/run-xen.sh / run-xen.py

A test step uses it as

    from hvmharness import boot, Checks
    res = boot(["vpic+vrtc"], paging="hap", xen_opts=["hvm_depriv=1"], label="x")
    checks = Checks()
    for g in res.guests:
        checks.check(g.ok, f"{g.name}: {g.why or 'passed'}")
        c = res.log.vcpu_counters(g.domid)
    checks.finish()
"""
import os

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("BUILD") or os.path.join(TOP, "build")


class HarnessError(Exception):
    """A boot could not be set up (bad spec, missing image, ...)."""


from .run import boot, Result  # noqa: E402
from .verdict import Checks  # noqa: E402

__all__ = ["TOP", "BUILD", "HarnessError", "boot", "Result", "Checks"]
