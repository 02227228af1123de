"""The SPEC language of run-xen.sh.

A SPEC is one batch of guests run concurrently, '+'-separated; the
batches of a boot run one after the other.  A guest is
[ALIAS=]TEST[@SR][:EXPECT]: TEST names build/xtf/TEST/test-hvm32-TEST (or an
explicit image), ALIAS is the domain name (default TEST), EXPECT is one of
EXPECTS (default success) and SR a save/restore mode (SR_MODES).

The device model: by default the harness's stand-in (tests/harness/fake-dm).
A guest named in real_dm gets libxl's default one instead (qemu-xen, Debian's
qemu-system-xen); a guest named in firmware is a standard HVM guest: the
real device model, hvmloader and SeaBIOS, booting its TEST image, a raw
disk (default build/firmware/TEST.img), from its first IDE disk.
"""
import os
import re

from . import BUILD, HarnessError

EXPECTS = ("success", "pass", "crash", "any", "reboot")
# Save/restore modes: the spec's name -> the dom0 plan's (tests/harness/init).
SR_MODES = {"sr": "local", "save-disk": "save-disk", "restore-disk": "restore-disk"}
RE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")


class GuestSpec:
    """One guest of a boot as asked for: name, test, image, expectation,
    save/restore mode, extra xl config lines, vm_event monitor."""

    def __init__(self, text, images=None):
        expect = "success"
        spec = text
        if ":" in spec:
            spec, expect = spec.rsplit(":", 1)
        if expect not in EXPECTS:
            raise HarnessError(f"bad expectation '{expect}' (one of {', '.join(EXPECTS)})")
        spec, _, sr = spec.partition("@")
        if sr and sr not in SR_MODES:
            raise HarnessError(f"bad save/restore mode '{sr}' (one of {', '.join(SR_MODES)})")
        alias, _, test = spec.rpartition("=")
        self.test = test
        self.name = alias or test
        if not RE_NAME.fullmatch(self.name):
            raise HarnessError(f"bad guest name '{self.name}'")
        self.expect = expect
        self.sr = sr or None
        self.image = (images or {}).get(test) or os.path.join(BUILD, "xtf", test, f"test-hvm32-{test}")
        self.cfg = []            # extra xl config lines
        self.monitor = False     # dom0 fills its vm_event ring (--monitor)
        self.dm = None           # None: the stand-in; "qemu-xen": the real device model
        self.firmware = False    # hvmloader + SeaBIOS boot from the disk (image = the disk)
        self.disk = None         # a raw disk image, the guest's first IDE disk (hda)

    def make_firmware(self, images=None):
        """A standard HVM guest: real device model, hvmloader, SeaBIOS,
        booting from its disk (its image)."""
        self.firmware = True
        self.dm = "qemu-xen"
        self.image = (images or {}).get(self.test) or os.path.join(BUILD, "firmware", f"{self.test}.img")
        self.disk = self.image

    def __repr__(self):
        return (f"{self.name}{'=' + self.test if self.test != self.name else ''}"
                f"{'@' + self.sr if self.sr else ''}:{self.expect}")


def parse(specs, images=None, cfg=(), monitor=(), real_dm=(), firmware=(), disks=()):
    """[[GuestSpec]] per batch from SPEC strings; cfg: "NAME:LINE" extra xl
    config lines; monitor: guest names that get the vm_event hog; real_dm:
    guest names that get the real device model; firmware: guest names that
    boot through hvmloader + SeaBIOS from their image (a disk); disks:
    "NAME:PATH", a raw disk for a real-device-model guest."""
    batches = [[GuestSpec(s, images) for s in spec.split("+") if s] for spec in specs]
    guests = [g for b in batches for g in b]
    names = [g.name for g in guests]
    if not guests:
        raise HarnessError("no guests")
    if len(set(names)) != len(names):
        raise HarnessError("guest names must be unique in one boot (use ALIAS=TEST)")
    for c in cfg:
        name, _, line = c.partition(":")
        for g in guests:
            if g.name == name:
                g.cfg.append(line)
    for name in monitor:
        if name not in names:
            raise HarnessError(f"--monitor {name}: no such guest")
        next(g for g in guests if g.name == name).monitor = True
    by_name = {g.name: g for g in guests}
    for name in real_dm:
        if name not in by_name:
            raise HarnessError(f"--real-dm {name}: no such guest")
        by_name[name].dm = "qemu-xen"
    for name in firmware:
        if name not in by_name:
            raise HarnessError(f"--firmware {name}: no such guest")
        by_name[name].make_firmware(images)
    for d in disks:
        name, _, path = d.partition(":")
        if name not in by_name or not path:
            raise HarnessError(f"--guest-disk {d}: NAME:PATH of a guest")
        if not by_name[name].dm:
            raise HarnessError(f"--guest-disk {name}: only a guest with the real device model has disks")
        by_name[name].disk = path
    for g in guests:
        if g.dm and g.sr:
            raise HarnessError(f"{g.name}: save/restore is for the stand-in device model only")
    return batches
