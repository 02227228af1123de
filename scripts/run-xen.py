#!/usr/bin/env python3
"""Boot a built Xen under QEMU (TCG) with the harness dom0 and run HVM test guests.

    scripts/run-xen.sh [options] SPEC...

SPEC is one batch of guests run concurrently, '+'-separated; batches run one
after the other.  Each guest is  [ALIAS=]TEST[:EXPECT]  where TEST names
build/xtf/TEST/test-hvm32-TEST (or --image TEST=PATH), ALIAS is the domain name
(default TEST), and EXPECT is one of
    success   the guest's final "Test result:" is SUCCESS (default)
    pass      SUCCESS or SKIP
    crash     Xen crashed the domain (domain_crash / triple fault) and the guest
              reported no SUCCESS
    any       only that the guest ran to some end
Save/restore: TEST@SR (before any :EXPECT), SR one of
    sr            when the guest prints SAVE-POINT, dom0 runs xl save, xl
                  restore and sends it an NMI (xl trigger); its result must
                  then come from the restored domain
    save-disk     the same save, to the --disk image; the guest passes if it
                  was saved there (its result is for a later boot)
    restore-disk  the guest is xl restore'd from the --disk image (saved by
                  an earlier boot, same guest name) and gets the NMI
A full vm_event ring: --monitor NAME makes dom0 enable guest NAME's
monitor ring with asynchronous CR0-write events before it first runs, and
never consume it (tests/harness/vm-event-hog.c): the ring's 8 slots fill up
and later CR0 writes wait for one.  The guest fails if that setup fails.
Examples:
    run-xen.sh --paging hap vpic vrtc
    run-xen.sh --xen-opt hvm_depriv=1 'victim:crash+bystander'
    run-xen.sh 'save-restore@sr+vpic'
    run-xen.sh --disk sr.img save-restore@save-disk; run-xen.sh --disk sr.img save-restore@restore-disk

The serial log is kept (default build/results/guests/LABEL.log); a table and
"N passed, N failed" are printed; the exit status is 0 only if every guest
met its expectation and the boot ended cleanly.  --json FILE writes the
per-guest results for other test scripts.
"""
import argparse
import gzip
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.environ.get("BUILD", os.path.join(TOP, "build"))

BASE_XEN_OPTS = [
    "com1=115200,8n1", "console=com1", "smep=hvm", "smap=hvm",
    "guest_loglvl=all", "loglvl=all", "dom0_mem=384M,max:384M",
    "dom0_max_vcpus=1", "console_to_ring",
]
CPU = {
    "shadow": "qemu64,+svm,+smep,+smap",
    "hap": "qemu64,+svm,+npt,+smep,+smap",
}
EXPECTS = ("success", "pass", "crash", "any", "reboot")
# Save/restore modes: the runner's name -> the plan's (tests/harness/init).
SR_MODES = {"sr": "local", "save-disk": "save-disk", "restore-disk": "restore-disk"}

RE_MARK = re.compile(r"HARNESS: (\S+)(.*)")
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


class Guest:
    def __init__(self, spec, images):
        expect = "success"
        if ":" in spec:
            spec, expect = spec.rsplit(":", 1)
        if expect not in EXPECTS:
            raise SystemExit(f"run-xen: bad expectation '{expect}' (one of {', '.join(EXPECTS)})")
        spec, _, sr = spec.partition("@")
        if sr and sr not in SR_MODES:
            raise SystemExit(f"run-xen: bad save/restore mode '{sr}' (one of {', '.join(SR_MODES)})")
        self.sr = sr or None
        alias, _, test = spec.rpartition("=")
        self.test = test
        self.name = alias or test
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", self.name):
            raise SystemExit(f"run-xen: bad guest name '{self.name}'")
        self.expect = expect
        self.image = images.get(test) or os.path.join(BUILD, "xtf", test, f"test-hvm32-{test}")
        self.cfg = []
        self.domid = None
        self.end = None          # end marker status: gone | timeout | create-failed
        self.secs = None
        self.result = None       # last "Test result:" word
        self.crashed = None      # Xen-side crash line
        self.lines = []
        self.domids = []         # every domid the guest had (save/restore)
        self.sr_events = []      # saved / restored / nmi, in order
        self.sr_failed = None    # "sr-failed" marker: which step
        self.result_before = None  # a "Test result:" of a domain before its save
        self.monitor = False     # --monitor: dom0 fills its vm_event ring
        self.monitor_ok = None   # "monitor" marker seen (True) / "monitor-failed" (False)

    def outcome(self, boot_problem):
        """(ok, why) against the expectation."""
        if self.end is None:
            return False, boot_problem or "no end marker"
        if self.end == "create-failed":
            return False, "xl create failed"
        if self.monitor and not self.monitor_ok:
            return False, "vm_event monitor setup failed" if self.monitor_ok is False \
                else "vm_event monitor never set up"
        if self.sr_failed:
            return False, f"save/restore failed at {self.sr_failed}"
        if self.end == "restore-failed":
            return False, "restore from disk failed"
        if self.sr and self.result_before:
            return False, f"result {self.result_before} before the save"
        if self.sr == "save-disk":
            if self.crashed:
                return False, "domain crashed: " + self.crashed
            if self.end == "saved" and "saved-to-disk" in self.sr_events:
                return True, "saved to disk"
            return False, f"not saved to disk (end {self.end})"
        if self.sr and ("restored" not in self.sr_events or "nmi" not in self.sr_events):
            return False, "not restored: " + (" ".join(self.sr_events) or "never saved")
        if self.expect == "reboot":
            # An OS that reports, then reboots with no firmware to reboot
            # into: its own triple fault ends it (on_reboot="destroy").
            if self.result == "SUCCESS" and self.crashed and "Triple fault" in self.crashed:
                return True, "SUCCESS, then its reboot (triple fault)"
            return False, f"expected SUCCESS then a reboot, got {self.result or 'no result'}" + \
                (f", {self.crashed}" if self.crashed else ", no reboot")
        if self.expect == "crash":
            if self.crashed and self.result != "SUCCESS":
                return True, "crashed by Xen as expected"
            return False, f"expected a crash, got {self.result or 'no result'}"
        if self.crashed:
            return False, "domain crashed: " + self.crashed
        if self.end == "timeout":
            return False, "guest timeout"
        if self.result is None:
            return False, "no Test result line"
        if self.expect == "any":
            return True, ""
        if self.result == "SUCCESS" or (self.expect == "pass" and self.result == "SKIP"):
            return True, ""
        return False, f"result {self.result}"


def parse_args(argv):
    ap = argparse.ArgumentParser(prog="run-xen.sh", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("specs", nargs="+", metavar="SPEC")
    ap.add_argument("--flavour", default="debug", help="build/xen-FLAVOUR/xen (default debug)")
    ap.add_argument("--xen", help="explicit hypervisor image (overrides --flavour)")
    ap.add_argument("--paging", choices=sorted(CPU), default="shadow")
    ap.add_argument("--cpu", help="QEMU -cpu model (overrides the one --paging picks)")
    ap.add_argument("--xen-opt", action="append", default=[], metavar="OPT",
                    help="extra Xen command-line option (repeatable; space-separated allowed)")
    ap.add_argument("--guest-timeout", type=int, default=90, help="seconds per batch of guests, in dom0")
    ap.add_argument("--boot-timeout", type=int, help="seconds for the whole QEMU run "
                    "(default 180 + guest timeout x batches)")
    ap.add_argument("--mem", type=int, default=1024, help="QEMU memory in MiB")
    ap.add_argument("--smp", type=int, default=1, help="QEMU CPUs, i.e. Xen's pCPUs (default 1; "
                    "dom0 keeps one vCPU)")
    ap.add_argument("--guest-mem", type=int, default=32, help="guest memory in MiB")
    ap.add_argument("--cfg", action="append", default=[], metavar="NAME:LINE",
                    help="extra xl config line for guest NAME")
    ap.add_argument("--image", action="append", default=[], metavar="TEST=PATH")
    ap.add_argument("--monitor", action="append", default=[], metavar="NAME",
                    help="guest NAME gets a vm_event monitor ring with CR0-write events "
                    "that dom0 never consumes (see above)")
    ap.add_argument("--disk", metavar="PATH", help="raw disk image for dom0 (virtio-blk, "
                    "/dev/vda there): where @save-disk/@restore-disk keep save files")
    ap.add_argument("--label", help="name of the log (default derived from the guests)")
    ap.add_argument("--log", help="serial log path")
    ap.add_argument("--json", help="write per-guest results here")
    ap.add_argument("--quiet", action="store_true", help="no live progress lines")
    ap.add_argument("--show-guest-output", action="store_true",
                    help="print every (dN) line of the guests live")
    return ap.parse_args(argv)


def die(msg):
    print(f"run-xen: error: {msg}", file=sys.stderr)
    sys.exit(2)


def cpio_newc(entries):
    """A newc cpio archive of (path, mode, data) entries; dirs have data None."""
    out = io.BytesIO()
    ino = 1
    for path, mode, data in entries + [("TRAILER!!!", 0, b"")]:
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


def main(argv):
    a = parse_args(argv)
    xen = a.xen or os.path.join(BUILD, f"xen-{a.flavour}", "xen")
    if not os.path.isfile(xen):
        die(f"{xen} not found: build it first (make xen-{a.flavour})")
    if not shutil.which("qemu-system-x86_64"):
        die("qemu-system-x86_64 not found (run scripts/setup.sh)")

    rc = subprocess.call(["bash", os.path.join(TOP, "scripts", "build-dom0.sh")])
    if rc != 0:
        die("dom0 image build failed")
    dom0 = os.path.join(BUILD, "dom0")

    images = dict(i.split("=", 1) for i in a.image)
    batches = [[Guest(s, images) for s in spec.split("+") if s] for spec in a.specs]
    guests = [g for b in batches for g in b]
    names = [g.name for g in guests]
    if len(set(names)) != len(names):
        die("guest names must be unique in one boot (use ALIAS=TEST)")
    for c in a.cfg:
        name, _, line = c.partition(":")
        for g in guests:
            if g.name == name:
                g.cfg.append(line)
    for name in a.monitor:
        if name not in names:
            die(f"--monitor {name}: no such guest")
        next(g for g in guests if g.name == name).monitor = True
    if any(g.sr in ("save-disk", "restore-disk") for g in guests) and not a.disk:
        die("@save-disk/@restore-disk need --disk PATH")
    if a.disk and not os.path.isfile(a.disk):
        die(f"disk image {a.disk} not found (e.g. truncate -s 256M {a.disk})")
    for g in guests:
        if not os.path.isfile(g.image):
            die(f"guest image {g.image} not found (make -C tests/xtf TESTS={g.test})")

    label = a.label or f"{a.flavour}-{a.paging}-" + "_".join(names)[:80]
    resdir = os.path.join(BUILD, "results", "guests")
    os.makedirs(resdir, exist_ok=True)
    log = a.log or os.path.join(resdir, label + ".log")
    if os.path.exists(log):
        os.unlink(log)

    # The per-boot overlay: plan + guest configs + images, appended as a
    # second cpio to dom0's initramfs (the kernel unpacks both).
    plan = "".join(f"sr {g.name} {SR_MODES[g.sr]}\n" for g in guests if g.sr)
    plan += "".join(f"monitor {g.name}\n" for g in guests if g.monitor)
    if a.disk:
        plan += "disk /dev/vda\n"
    plan += "".join(f"batch {a.guest_timeout} {' '.join(g.name for g in b)}\n" for b in batches)
    entries = [("harness", 0o40755, None), ("harness/guests", 0o40755, None),
               ("harness/plan", 0o100644, plan.encode())]
    for g in guests:
        with open(g.image, "rb") as f:
            entries.append((f"harness/guests/{g.name}.elf", 0o100644, f.read()))
        entries.append((f"harness/guests/{g.name}.cfg", 0o100644, guest_cfg(g, a.guest_mem).encode()))
    tmp = tempfile.mkdtemp(prefix="run-xen-")
    try:
        initrd = os.path.join(tmp, "initramfs.cpio.gz")
        with open(initrd, "wb") as out:
            with open(os.path.join(dom0, "initramfs.cpio.gz"), "rb") as base:
                shutil.copyfileobj(base, out)
            out.write(gzip.compress(cpio_newc(entries), 6))

        xen_opts = BASE_XEN_OPTS + [o for opt in a.xen_opt for o in opt.split()]
        kargs = "console=hvc0 earlyprintk=xen loglevel=4 panic=-1"
        cmd = ["qemu-system-x86_64", "-nodefaults", "-machine", "pc,accel=tcg",
               "-cpu", a.cpu or CPU[a.paging], "-m", str(a.mem), "-smp", str(a.smp),
               "-display", "none", "-vga", "none", "-no-reboot",
               "-serial", f"file:{log}", "-monitor", "none",
               "-kernel", xen, "-append", " ".join(xen_opts),
               "-initrd", f"{dom0}/vmlinuz {kargs},{initrd}"]
        if a.disk:
            cmd += ["-drive", f"file={os.path.abspath(a.disk)},format=raw,if=none,id=sr0",
                    "-device", "virtio-blk-pci,drive=sr0"]
        boot_timeout = a.boot_timeout or (180 + a.guest_timeout * len(batches))
        if not a.quiet:
            print(f"run-xen: {os.path.relpath(xen, TOP)} paging={a.paging} "
                  f"opts='{' '.join(xen_opts[len(BASE_XEN_OPTS):])}' guests: "
                  + " | ".join("+".join(f"{g.name}{'@' + g.sr if g.sr else ''}:{g.expect}"
                                        for g in b) for b in batches))
            print(f"run-xen: serial log {os.path.relpath(log, TOP)}")
        start = time.time()
        with open(os.path.join(tmp, "qemu.out"), "wb") as qout:
            proc = subprocess.Popen(cmd, stdout=qout, stderr=subprocess.STDOUT,
                                    stdin=subprocess.DEVNULL)
            try:
                state = watch(proc, log, guests, boot_timeout, a)
            finally:
                # Never leave our QEMU behind (Ctrl-C, errors): by its PID only.
                if proc.poll() is None:
                    proc.kill()
                    proc.wait()
        elapsed = time.time() - start
        with open(os.path.join(tmp, "qemu.out"), "rb") as f:
            qemu_out = f.read().decode(errors="replace").strip()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    # Verdict.
    boot_problem = state["problem"]
    if qemu_out and proc.returncode not in (0, None):
        boot_problem = (boot_problem or "") + f" qemu: {qemu_out[-300:]}"
    passed = failed = 0
    rows = []
    for g in guests:
        ok, why = g.outcome(boot_problem)
        if ok:
            passed += 1
        else:
            failed += 1
        rows.append((g, ok, why))
    print()
    print(f"{'guest':<24} {'domid':>5} {'expect':<8} {'result':<8} {'xen':<8} {'secs':>5}  verdict")
    for g, ok, why in rows:
        xen_view = "crashed" if g.crashed else (g.end or "-")
        print(f"{g.name:<24} {g.domid or '-':>5} {g.expect:<8} {g.result or '-':<8} "
              f"{xen_view:<8} {g.secs if g.secs is not None else '-':>5}  "
              f"{'PASS' if ok else 'FAIL'}{'  (' + why + ')' if why else ''}")
    if boot_problem:
        print(f"boot: {boot_problem}")
    print(f"boot: {elapsed:.0f}s ({a.paging}, {os.path.relpath(xen, TOP)}), log {os.path.relpath(log, TOP)}")
    print(f"{passed} passed, {failed} failed")
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"paging": a.paging, "xen": xen, "log": log, "seconds": round(elapsed, 1),
                       "boot_problem": boot_problem, "guests": [
                           {"name": g.name, "test": g.test, "expect": g.expect, "domid": g.domid,
                            "domids": g.domids, "sr": g.sr, "sr_events": g.sr_events,
                            "monitor": g.monitor_ok,
                            "result": g.result, "crashed": g.crashed, "end": g.end,
                            "secs": g.secs, "ok": ok, "why": why} for g, ok, why in rows]},
                      f, indent=1)
    return 0 if failed == 0 and not boot_problem else 1


def watch(proc, log, guests, boot_timeout, a):
    """Follow the serial log until QEMU exits or the boot timeout; kill our QEMU."""
    by_name = {g.name: g for g in guests}
    by_domid = {}
    st = {"problem": None, "all_done": False}
    pos = 0
    partial = ""
    deadline = time.time() + boot_timeout

    def now_domain(g, domid):
        """@g is domain @domid from here on (created, or restored)."""
        g.domid = domid
        by_domid[domid] = g
        if domid not in g.domids:
            g.domids.append(domid)

    def handle(line):
        m = RE_MARK.search(line)
        if m:
            kw, rest = m.group(1), m.group(2)
            if kw == "start":
                mm = re.match(r"\s*(\S+) domid=(\d+)", rest)
                if mm and mm.group(1) in by_name:
                    now_domain(by_name[mm.group(1)], int(mm.group(2)))
            elif kw in ("saved", "saved-to-disk", "restored", "nmi", "sr-failed"):
                mm = re.match(r"\s*(\S+)(?: domid=(\d+))?(?:.* step=(\S+))?", rest)
                if mm and mm.group(1) in by_name:
                    g = by_name[mm.group(1)]
                    if kw == "sr-failed":
                        g.sr_failed = mm.group(3) or "?"
                    else:
                        g.sr_events.append(kw)
                    if kw == "restored" and mm.group(2):
                        # From here on the guest is the restored domain: a
                        # result printed before the save does not count.
                        g.result_before, g.result = g.result_before or g.result, None
                        now_domain(g, int(mm.group(2)))
            elif kw in ("monitor", "monitor-failed"):
                mm = re.match(r"\s*(\S+)", rest)
                if mm and mm.group(1) in by_name:
                    by_name[mm.group(1)].monitor_ok = kw == "monitor"
            elif kw == "end":
                mm = re.match(r"\s*(\S+) status=(\S+)(?: secs=(\d+))?", rest)
                if mm and mm.group(1) in by_name:
                    g = by_name[mm.group(1)]
                    g.end, g.secs = mm.group(2), mm.group(3) and int(mm.group(3))
            elif kw == "all":
                st["all_done"] = True
            elif kw == "fatal":
                st["problem"] = "dom0: " + line.strip()
            if not a.quiet:
                print("  " + line[m.start():].strip())
            return
        m = RE_GUEST.search(line)
        if m:
            g = by_domid.get(int(m.group(1)))
            if g:
                g.lines.append(m.group(2))
                r = RE_RESULT.search(m.group(2))
                if r:
                    g.result = r.group(1)
                if (a.show_guest_output or r) and not a.quiet:
                    print(f"  ({g.name}) {m.group(2).strip()}")
            return
        for rx in RE_CRASH:
            m = rx.search(line)
            if m:
                g = by_domid.get(int(m.group(1)))
                if g:
                    g.crashed = line.strip()
                    if not a.quiet:
                        print(f"  [xen] {line.strip()}")
                return
        for rx in RE_XEN_FATAL:
            if rx.search(line):
                st["problem"] = st["problem"] or ("Xen: " + line.strip())
                if not a.quiet:
                    print(f"  [xen] {line.strip()}")

    def drain(final=False):
        nonlocal pos, partial
        try:
            with open(log, "rb") as f:
                f.seek(pos)
                data = f.read()
        except FileNotFoundError:
            return
        pos += len(data)
        text = partial + data.decode(errors="replace").replace("\r", "")
        lines = text.split("\n")
        partial = "" if final else lines.pop()
        for line in lines:
            handle(line)

    while True:
        drain()
        if proc.poll() is not None:
            break
        if time.time() > deadline:
            st["problem"] = f"boot timeout ({boot_timeout}s): QEMU killed"
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            break
        time.sleep(0.5)
    drain(final=True)
    if not st["problem"] and not st["all_done"]:
        st["problem"] = "boot ended before dom0 finished (no 'HARNESS: all done')"
    return st


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
