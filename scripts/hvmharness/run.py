"""One boot: Xen + the harness dom0 + the guests of SPECs on a machine,
its serial log followed to the end, each guest judged (boot()).

HARNESS_REPLAY=DIR: no machine is started; the serial log DIR/LABEL.log of
an earlier boot is read instead (re-running a step's checks on the logs of
the last run, e.g. after changing a check).
"""
import os
import shutil
import sys
import tempfile
import time

from . import BUILD, TOP, HarnessError
from . import image as _image
from . import machine as _machine
from . import spec as _spec
from .log import Follower, SerialLog, Watcher
from .verdict import outcome, table

# Every machine's; a machine adds its own (Machine.xen_opts()), the run's
# come last (Xen takes the last of repeated options).
BASE_XEN_OPTS = [
    "com1=115200,8n1", "console=com1",
    "guest_loglvl=all", "loglvl=all", "dom0_mem=384M,max:384M",
    "dom0_max_vcpus=1", "console_to_ring",
]
DOM0_CMDLINE = "console=hvc0 earlyprintk=xen loglevel=4 panic=-1"


class Guest:
    """A guest of a boot: its spec (name, test, expect, sr, ...), what the
    log showed (domid, domids, result, crashed, end, secs, ...) and the
    verdict (ok, why)."""

    def __init__(self, spec, seen):
        self.spec = spec
        self.seen = seen
        self.ok = False
        self.why = ""

    def __getattr__(self, name):
        if name in ("spec", "seen"):
            raise AttributeError(name)
        try:
            return getattr(self.spec, name)
        except AttributeError:
            return getattr(self.seen, name)

    def as_dict(self):
        return {"name": self.name, "test": self.test, "expect": self.expect, "domid": self.domid,
                "domids": self.domids, "sr": self.sr, "sr_events": self.sr_events,
                "monitor": self.monitor_ok, "result": self.result, "crashed": self.crashed,
                "end": self.end, "secs": self.secs, "ok": self.ok, "why": self.why}


class Result:
    """What one boot gave."""

    def __init__(self, guests, log, boot_problem, seconds, xen, machine, running, watcher):
        self.guests = guests
        self.by_name = {g.name: g for g in guests}
        self.log = log
        self.boot_problem = boot_problem
        self.seconds = seconds
        self.xen = xen
        self.machine = machine
        self.paging = machine.paging_mode
        self.running = running
        self.watcher = watcher
        self.passed = sum(g.ok for g in guests)
        self.failed = len(guests) - self.passed

    @property
    def ok(self):
        """Every guest met its expectation and the boot ended cleanly."""
        return self.failed == 0 and not self.boot_problem

    @property
    def describe(self):
        return f"{self.machine.name}, {self.paging}, {os.path.relpath(self.xen, TOP)}"

    @property
    def log_rel(self):
        return os.path.relpath(self.log.path, TOP)

    def __getitem__(self, name):
        return self.by_name[name]

    def seen_at(self, text):
        """Host time (monotonic) at which the first log line containing
        @text was read, or None (also for a replayed log)."""
        if self.running is None:
            return None
        return next((t for line, t in self.watcher.first_seen.items() if text in line), None)

    def host_stall_us(self, text, before_s):
        """How long (us) the machine waited for a host CPU in the
        @before_s seconds before the log line containing @text was read
        (plus the time between two reads of the log): a time Xen measured
        there is longer by up to that much on a loaded host.  0 if not
        measured (a replayed log, no schedstat)."""
        t = self.seen_at(text)
        if t is None:
            return 0
        return self.running.stall_us(t - before_s - POLL_S, t) or 0

    def as_dict(self):
        return {"paging": self.paging, "xen": self.xen, "log": self.log.path,
                "seconds": round(self.seconds, 1), "boot_problem": self.boot_problem,
                "guests": [g.as_dict() for g in self.guests]}


# How often the log is read and the machine's host-CPU waits sampled: the
# resolution of host_stall_us().
POLL_S = 0.1


def boot(specs, flavour="debug", xen=None, paging=None, machine="qemu-svm", cpu=None,
         xen_opts=(), guest_timeout=90, boot_timeout=None, mem=1024, smp=1, guest_mem=32,
         cfg=(), images=None, monitor=(), real_dm=(), firmware=(), guest_disks=(), disk=None,
         label=None, log=None, quiet=True,
         show_guest_output=False, out=None, print_table=True, qemu_plugin=None):
    """Boot once and return a Result.  specs: SPEC strings (one batch each);
    xen_opts: extra Xen command-line options (strings, space-separated
    allowed); images: {TEST: PATH}; cfg: "NAME:LINE"; monitor: guest names;
    real_dm, firmware: guest names with the real device model / booting
    through hvmloader + SeaBIOS; guest_disks: "NAME:PATH" (see spec.parse).
    paging: the machine's default if None; boot_timeout: wall seconds for
    the whole run, the machine's estimate (Machine.boot_timeout()) if None
    (guest_timeout is counted by dom0's clock).  qemu_plugin: QEMU's
    -plugin argument ("LIB.so[,KEY=VALUE...]"), QEMU machines only.
    Raises HarnessError if the boot cannot be set up."""
    out = out or sys.stdout
    say = (lambda s: None) if quiet else (lambda s: print(s, file=out, flush=True))
    xen = xen or os.path.join(BUILD, f"xen-{flavour}", "xen")
    mach = _machine.machine(machine, paging, cpu=cpu, mem=mem, smp=smp,
                            plugin=qemu_plugin)
    batches = _spec.parse(specs, images, cfg, monitor, real_dm, firmware, guest_disks)
    specs_flat = [g for b in batches for g in b]
    names = [g.name for g in specs_flat]
    if any(g.sr in ("save-disk", "restore-disk") for g in specs_flat) and not disk:
        raise HarnessError("@save-disk/@restore-disk need --disk PATH")
    paging = mach.paging_mode
    if disk and not mach.disk:
        raise HarnessError(f"machine {mach.name}: no --disk")
    label = label or (f"{mach.name}-" if mach.name != "qemu-svm" else "") + \
        f"{flavour}-{paging}-" + "_".join(names)[:80]
    resdir = os.path.join(BUILD, "results", "guests")
    replay = os.environ.get("HARNESS_REPLAY")
    run_opts = [o for opt in xen_opts for o in opt.split()]
    xen_opts = BASE_XEN_OPTS + mach.xen_opts() + run_opts
    watcher = Watcher(names, say, show_guest_output)
    running = None

    if replay:
        log = os.path.join(replay, label + ".log")
        if not os.path.isfile(log):
            raise HarnessError(f"HARNESS_REPLAY: no {log}")
        say(f"run-xen: replaying {log}")
        start = time.time()
        for line in Follower(log).lines(final=True):
            watcher.line(line)
        elapsed, machine_out = 0.0, ""
    else:
        if not os.path.isfile(xen):
            raise HarnessError(f"{xen} not found: build it first (make xen-{flavour})")
        why = mach.available()
        if why:
            raise HarnessError(why)
        if disk and not os.path.isfile(disk):
            raise HarnessError(f"disk image {disk} not found (e.g. truncate -s 256M {disk})")
        for g in specs_flat:
            if g.firmware and not os.path.isfile(g.image):
                raise HarnessError(f"guest disk {g.image} not found (tests/firmware/build.sh)")
            if not os.path.isfile(g.image):
                raise HarnessError(f"guest image {g.image} not found (make -C tests/xtf TESTS={g.test})")
            if g.disk and not os.path.isfile(g.disk):
                raise HarnessError(f"guest disk {g.disk} not found")
        kernel, base_initrd = _image.dom0_image()
        os.makedirs(resdir, exist_ok=True)
        log = log or os.path.join(resdir, label + ".log")
        if os.path.exists(log):
            os.unlink(log)
        boot_timeout = boot_timeout or mach.boot_timeout(guest_timeout, batches)
        say(f"run-xen: {os.path.relpath(xen, TOP)} {mach.describe()} "
            f"opts='{' '.join(mach.xen_opts() + run_opts)}' guests: "
            + " | ".join("+".join(f"{g.name}{'@' + g.sr if g.sr else ''}:{g.expect}" for g in b)
                         for b in batches))
        say(f"run-xen: serial log {os.path.relpath(log, TOP)}")
        tmp = tempfile.mkdtemp(prefix="run-xen-")
        try:
            initrd = os.path.join(tmp, "initramfs.cpio.gz")
            _image.initramfs(initrd, base_initrd, batches, guest_timeout, guest_mem, bool(disk))
            start = time.time()
            running = mach.start(tmp, xen, " ".join(xen_opts), kernel, DOM0_CMDLINE, initrd,
                                 log, disk)
            try:
                follow(running, log, watcher, boot_timeout, mach, say)
            finally:
                # Never leave our machine behind (Ctrl-C, errors): by its PID only.
                running.kill()
            elapsed = time.time() - start
            machine_out = running.output()
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    if not watcher.problem and not watcher.all_done:
        watcher.problem = "boot ended before dom0 finished (no 'HARNESS: all done')"
    boot_problem = watcher.problem
    if machine_out and running and running.proc.returncode is not None \
            and not running.ended_by_runner \
            and not mach.exited_cleanly(running.proc.returncode, machine_out):
        boot_problem = (boot_problem or "") + f" machine: {machine_out[-300:]}"
    guests = [Guest(g, watcher.seen[g.name]) for g in specs_flat]
    for g in guests:
        g.ok, g.why = outcome(g.spec, g.seen, boot_problem)
    res = Result(guests, SerialLog(log), boot_problem, elapsed, xen, mach, running, watcher)
    if print_table:
        table(res, out)
    return res


def follow(running, log, watcher, boot_timeout, mach, say=lambda s: None):
    """Follow the serial log until the machine exits or the boot timeout
    (then kill it); sample its host-CPU waits meanwhile.  A machine with
    stages is killed when a stage's line has not come in time; one with
    an end_grace when it runs on that long after dom0 finished or Xen died."""
    f = Follower(log)
    t0 = time.time()
    deadline = t0 + boot_timeout
    stages = list(mach.stages)
    ended = None                # when dom0 finished or Xen died
    while True:
        running.sample()
        now = time.monotonic()
        for line in f.lines():
            watcher.line(line, now)
            for st in [st for st in stages if st[0] in line]:
                stages.remove(st)
                say(f"  [{mach.name}] '{st[0]}' after {time.time() - t0:.0f}s")
            # Where a slow machine's time goes: each batch's start and the end.
            if mach.stages and line.startswith(("HARNESS: batch", "HARNESS: all done")):
                say(f"  [{mach.name}] '{line.strip()[:70]}' after {time.time() - t0:.0f}s")
        if running.poll() is not None:
            break
        if time.time() > deadline:
            watcher.problem = f"boot timeout ({boot_timeout}s): machine killed"
            running.kill()
            break
        late = [st for st in stages if time.time() > t0 + st[1]]
        if late:
            watcher.problem = watcher.problem or \
                f"no '{late[0][0]}' in the serial log after {late[0][1]}s: machine killed"
            running.kill()
            break
        if mach.end_grace is not None and (watcher.all_done or watcher.problem):
            ended = ended or time.time()
            if time.time() > ended + mach.end_grace:
                running.ended_by_runner = True
                running.kill()
                break
        time.sleep(POLL_S)
    running.sample()
    now = time.monotonic()
    for line in f.lines(final=True):
        watcher.line(line, now)
