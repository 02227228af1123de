"""What dom0 boots with: its kernel and initramfs (scripts/build-dom0.sh,
from Debian packages), plus a per-boot overlay appended to the initramfs
as a second cpio archive (the kernel unpacks both): /harness/plan (what
tests/harness/init runs), and each guest's image and xl config."""
import gzip
import hashlib
import io
import lzma
import os
import re
import shutil
import struct
import subprocess
import zlib

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


def _bzimage_payload(data):
    """The compressed kernel inside a bzImage (@data), from its setup
    header: setup_sects at 0x1f1, payload_offset/_length at 0x248/0x24c
    (relative to the protected-mode code, after the setup sectors)."""
    if len(data) < 0x250 or data[0x202:0x206] != b"HdrS":
        raise HarnessError("dom0 kernel: not a bzImage")
    setup_sects = data[0x1f1] or 4
    off, length = struct.unpack_from("<II", data, 0x248)
    start = (setup_sects + 1) * 512 + off
    return data[start:start + length]


def _decompress(payload):
    """The ELF in a bzImage's payload (xz or gzip; Debian's kernels are
    xz).  The payload ends with the kernel's 4-byte size, after the stream."""
    if payload.startswith(b"\xfd7zXZ\0"):
        return lzma.LZMADecompressor().decompress(payload)
    if payload.startswith(b"\x1f\x8b"):
        return zlib.decompressobj(31).decompress(payload)
    raise HarnessError(f"dom0 kernel: payload compression {payload[:6].hex()} not handled "
                       "(xz and gzip are)")


def _trim_elf(elf):
    """@elf (an ELF64 executable) with the zero tail of each PT_LOAD
    segment dropped from the file (file size shrunk, memory size kept: the
    loader zeroes the rest) and no section headers: what Xen's dom0 builder
    reads are the program headers (PT_NOTE for its ELF notes)."""
    if elf[:4] != b"\x7fELF" or elf[4] != 2 or elf[5] != 1:
        raise HarnessError("dom0 kernel: payload is not a little-endian ELF64")
    EH, PH = "<16sHHIQQQIHHHHHH", "<IIQQQQQQ"
    eh = list(struct.unpack_from(EH, elf, 0))
    phoff, phentsize, phnum = eh[5], eh[9], eh[10]
    phs = [list(struct.unpack_from(PH, elf, phoff + i * phentsize)) for i in range(phnum)]
    PT_LOAD = 1
    loads = [p for p in phs if p[0] == PT_LOAD]
    others = [p for p in phs if p[0] != PT_LOAD and p[5]]
    # New layout: headers, then each segment's kept bytes at an offset
    # congruent to its address modulo 4 KiB.
    pos = struct.calcsize(EH) + phnum * struct.calcsize(PH)
    chunks = []
    moved = {}                  # id(phdr) -> new offset
    for p in loads:
        off, filesz = p[2], p[5]
        data = elf[off:off + filesz].rstrip(b"\0")
        # Keep whatever another header points into (the notes).
        keep = max([o[2] + o[5] - off for o in others if off <= o[2] < off + filesz], default=0)
        data = elf[off:off + max(len(data), keep)]
        pos += (p[3] - pos) % 4096
        moved[id(p)] = pos
        chunks.append((pos, data))
        p[5] = len(data)
        pos += len(data)
    for o in others:
        inside = [p for p in loads if p[2] <= o[2] < p[2] + max(p[5], 1)]
        if inside:
            continue            # placed below, relative to its segment
        pos += (o[3] - pos) % 4096 if o[3] else 0
        chunks.append((pos, elf[o[2]:o[2] + o[5]]))
        moved[id(o)] = pos
        pos += o[5]
    for o in others:
        if id(o) not in moved:
            p = next(p for p in loads if p[2] <= o[2] < p[2] + max(p[5], 1))
            moved[id(o)] = moved[id(p)] + o[2] - p[2]
    for p in phs:
        if id(p) in moved:
            p[2] = moved[id(p)]
        if p[0] == PT_LOAD:
            p[7] = min(p[7], 4096) if p[7] else p[7]
    eh[5], eh[9] = struct.calcsize(EH), struct.calcsize(PH)
    eh[6], eh[12], eh[13] = 0, 0, 0          # no section headers
    out = bytearray(pos)
    struct.pack_into(EH, out, 0, *eh)
    for i, p in enumerate(phs):
        struct.pack_into(PH, out, eh[5] + i * eh[9], *p)
    for at, data in chunks:
        out[at:at + len(data)] = data
    return bytes(out)


def dom0_elf(kernel):
    """The dom0 kernel as a trimmed ELF (see _trim_elf) extracted from the
    bzImage @kernel, cached beside it keyed on its contents.  For machines
    whose boot loader reads the kernel slowly and whose CPU is slow: Xen
    decompressing the xz bzImage itself took ~120 s under Bochs, loading
    the trimmed ELF ~14 s."""
    with open(kernel, "rb") as f:
        data = f.read()
    key = hashlib.sha256(data).hexdigest()[:16]
    cache = os.path.join(os.path.dirname(kernel), f"vmlinux-{key}.elf")
    if os.path.isfile(cache):
        return cache
    out = _trim_elf(_decompress(_bzimage_payload(data)))
    tmp = f"{cache}.{os.getpid()}.tmp"
    with open(tmp, "wb") as f:
        f.write(out)
    os.replace(tmp, cache)
    for old in os.listdir(os.path.dirname(kernel)):
        if old.startswith("vmlinux-") and old.endswith(".elf") and old != os.path.basename(cache):
            try:
                os.unlink(os.path.join(os.path.dirname(kernel), old))
            except OSError:
                pass
    return cache
