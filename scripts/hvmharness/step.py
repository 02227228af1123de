"""What the test steps (tests/steps/NN-*.py) share: building what they
boot, and failing all of a step's checks at once when that fails."""
import os
import subprocess

from . import BUILD, TOP


def replaying():
    """HARNESS_REPLAY (see run.py): checks on old logs, nothing to build."""
    return bool(os.environ.get("HARNESS_REPLAY"))


def build_guests(tests):
    """Build the XTF guests @tests into build/xtf (make -C tests/xtf)."""
    if replaying():
        return True
    cmd = ["nice", "make", "-s", "-C", os.path.join(TOP, "tests", "xtf"), f"O={BUILD}/xtf",
           "TESTS=" + " ".join(tests)]
    return subprocess.call(cmd) == 0


def build_dom0():
    if replaying():
        return True
    return subprocess.call(["nice", "bash", os.path.join(TOP, "scripts", "build-dom0.sh")]) == 0


def have_xen(flavour="debug"):
    if replaying():
        return True
    return os.path.isfile(os.path.join(BUILD, f"xen-{flavour}", "xen"))


def prepare(checks, total, guests, flavour="debug"):
    """What a boot step needs before it boots: the Xen flavour built, the
    guests @tests and the dom0 image built.  Fails all @total checks of
    @checks and ends the step (checks.finish()) if anything is missing."""
    if not have_xen(flavour):
        checks.fail(f"build/xen-{flavour}/xen missing (make xen-{flavour})", total)
        checks.finish()
    if not build_guests(guests):
        checks.fail("guest build failed", total)
        checks.finish()
    if not build_dom0():
        checks.fail("dom0 image build failed", total)
        checks.finish()


# The machines the steps boot run at the step's own priority, not under
# `nice` as the builds do: a TCG machine under nice 10 next to two CPU-bound
# processes at nice 0 gets about a tenth of a CPU, and everything its
# guests time (RTC periods, update interrupts) and Xen times (calls, the
# watchdog) stretches accordingly.
