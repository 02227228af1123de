"""What dom0 boots with: its kernel and initramfs (scripts/build-dom0.sh,
from Debian packages), plus a per-boot overlay appended to the initramfs
as a second cpio archive (the kernel unpacks both): /harness/plan (what
tests/harness/init runs), and each guest's image and xl config."""
import gzip
import io
import os
import re
import shutil
import subprocess

from . import BUILD, TOP, HarnessError
from .spec import SR_MODES


def dom0_image():
    """(kernel, initramfs) of the harness dom0, built on first use."""
    if subprocess.call(["bash", os.path.join(TOP, "scripts", "build-dom0.sh")]) != 0:
        raise HarnessError("dom0 image build failed")
    dom0 = os.path.join(BUILD, "dom0")
    return os.path.join(dom0, "vmlinuz"), os.path.join(dom0, "initramfs.cpio.gz")


def dm_overlay():
    """The real device model's initramfs overlay (scripts/build-dom0.sh:
    qemu-system-xen and its libraries, hvmloader, SeaBIOS), appended only
    to boots with a guest that uses it."""
    return os.path.join(BUILD, "dom0", "dm.cpio.gz")


def cpio_newc(entries):
    """A newc cpio archive of (path, mode, data) entries; dirs have data None."""
    out = io.BytesIO()
    ino = 1
    for path, mode, data in list(entries) + [("TRAILER!!!", 0, b"")]:
        data = b"" if data is None else data
        name = path.encode() + b"\0"
        hdr = "070701" + "".join(f"{v:08X}" for v in (
            ino, mode, 0, 0, 1, 0, len(data), 0, 0, 0, 0, len(name), 0))
        out.write(hdr.encode() + name)
        out.write(b"\0" * ((4 - (110 + len(name)) % 4) % 4))
        out.write(data)
        out.write(b"\0" * ((4 - len(data) % 4) % 4))
        ino += 1
    return out.getvalue()


def guest_cfg(g, mem):
    """The xl config of guest @g (a GuestSpec)."""
    if g.dm:
        return dm_guest_cfg(g, mem)
    lines = [
        f'name = "{g.name}"',
        'type = "hvm"',
        'builder = "hvm"',
        f"memory = {mem}",
    ] + ([] if any(re.match(r"\s*vcpus\s*=", c) for c in g.cfg) else ["vcpus = 1"]) + [
        f'firmware_override = "/harness/guests/{g.name}.elf"',
        # libxl starts a device model for every HVM guest: the harness's
        # stand-in only reports "running" (see tests/harness/fake-dm).
        'device_model_version = "qemu-xen-traditional"',
        'device_model_override = "/harness/fake-dm"',
        'vnc = 0',
        'on_poweroff = "destroy"',
        # The runtime never reboots: a reboot is a triple fault.
        'on_reboot = "destroy"',
        'on_crash = "destroy"',
    ]
    return "\n".join(lines + g.cfg) + "\n"


def dm_guest_cfg(g, mem):
    """The xl config of a guest with the real device model: libxl's
    defaults (device_model_version "qemu-xen", Debian's qemu-system-xen;
    for a firmware guest hvmloader + SeaBIOS, booting from its disk),
    nothing the tests do not need: no VNC/SDL/serial/network; a standard
    VGA (its BIOS, SeaBIOS's vgabios-stdvga, runs at boot as on any
    guest).  The guest's output is port 0xe9 (hvmloader, SeaBIOS and the
    test code all print there: Xen logs it as "(dN) ..." lines)."""
    lines = [
        f'name = "{g.name}"',
        'type = "hvm"',
        f"memory = {mem}",
    ] + ([] if any(re.match(r"\s*vcpus\s*=", c) for c in g.cfg) else ["vcpus = 1"]) + [
        'device_model_version = "qemu-xen"',
        'vnc = 0',
        'sdl = 0',
        'vga = "stdvga"',
        'serial = "none"',
        'on_poweroff = "destroy"',
        'on_reboot = "destroy"',
        'on_crash = "destroy"',
    ]
    if g.firmware:
        lines += ['bios = "seabios"', 'boot = "c"']
    else:
        lines.append(f'firmware_override = "/harness/guests/{g.name}.elf"')
    if g.disk:
        lines.append(f'disk = [ "format=raw,vdev=hda,access=rw,backendtype=qdisk,target=/harness/guests/{g.name}.img" ]')
    return "\n".join(lines + g.cfg) + "\n"


def plan(batches, guest_timeout, disk=False):
    """/harness/plan for tests/harness/init."""
    guests = [g for b in batches for g in b]
    text = "".join(f"sr {g.name} {SR_MODES[g.sr]}\n" for g in guests if g.sr)
    text += "".join(f"monitor {g.name}\n" for g in guests if g.monitor)
    text += "".join(f"dm {g.name}\n" for g in guests if g.dm)
    if disk:
        text += "disk /dev/vda\n"
    text += "".join(f"batch {guest_timeout} {' '.join(g.name for g in b)}\n" for b in batches)
    return text


def initramfs(path, base, batches, guest_timeout, guest_mem, disk=False):
    """Write dom0's initramfs for one boot to @path: @base plus the overlay."""
    entries = [("harness", 0o40755, None), ("harness/guests", 0o40755, None),
               ("harness/plan", 0o100644, plan(batches, guest_timeout, disk).encode())]
    guests = [g for b in batches for g in b]
    for g in guests:
        if not g.firmware:
            with open(g.image, "rb") as f:
                entries.append((f"harness/guests/{g.name}.elf", 0o100644, f.read()))
        if g.disk:
            with open(g.disk, "rb") as f:
                entries.append((f"harness/guests/{g.name}.img", 0o100644, f.read()))
        entries.append((f"harness/guests/{g.name}.cfg", 0o100644, guest_cfg(g, guest_mem).encode()))
    with open(path, "wb") as out:
        for part in [base] + ([dm_overlay()] if any(g.dm for g in guests) else []):
            with open(part, "rb") as b:
                shutil.copyfileobj(b, out)
        out.write(gzip.compress(cpio_newc(entries), 6))
