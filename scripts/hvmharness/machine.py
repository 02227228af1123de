"""The emulated machine Xen boots on.

A Machine turns (Xen image, Xen command line, dom0 kernel + command line,
initramfs, serial log file, optional raw disk) into a running process
whose serial port goes to the log file.  One class per machine, chosen
with run-xen.sh --machine NAME (MACHINES):

    qemu-svm   QEMU TCG, -cpu qemu64 with AMD SVM (+NPT for HAP paging),
               SMEP/SMAP; Xen and dom0 loaded as multiboot kernel + modules
    bochs-vmx  (next) Bochs with Intel VMX: a subclass of Machine whose
               start() writes a bochsrc and a boot disk (GRUB loading Xen
               and the dom0 modules) into its work directory

The Running handle also measures how long the machine's threads waited
for a host CPU (Linux schedstat run_delay), so that a test step can tell a
host stall from a slow hypervisor (see Running.stall_us()).
"""
import os
import shutil
import signal
import subprocess
import time

from . import HarnessError


class Running:
    """A started machine: its process, and host-side samples of how long
    its threads were runnable but not running."""

    TICK_NS = 1000000000 // os.sysconf("SC_CLK_TCK")

    def __init__(self, proc, out_path):
        self.proc = proc
        self.out_path = out_path
        self.samples = []       # (monotonic time, {tid: run_delay ns})

    def poll(self):
        return self.proc.poll()

    def kill(self):
        """Stop it, by its own PID only."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()

    def output(self):
        """What the machine itself printed (not the serial log)."""
        try:
            with open(self.out_path, "rb") as f:
                return f.read().decode(errors="replace").strip()
        except OSError:
            return ""

    def sample(self):
        """Record each thread's schedstat run_delay (ns waiting for a CPU)."""
        delays = {}
        task = f"/proc/{self.proc.pid}/task"
        try:
            tids = os.listdir(task)
        except OSError:
            return
        for tid in tids:
            try:
                with open(f"{task}/{tid}/schedstat") as f:
                    delays[tid] = int(f.read().split()[1])
            except (OSError, IndexError, ValueError):
                pass
        # Time the host's own hypervisor took from this machine's CPUs
        # (steal, per host CPU): the threads did not run then either.
        try:
            with open("/proc/stat") as f:
                for line in f:
                    if line.startswith("cpu") and line[3:4].isdigit():
                        fields = line.split()
                        delays["steal:" + fields[0]] = int(fields[8]) * self.TICK_NS
        except (OSError, IndexError, ValueError):
            pass
        if delays:
            self.samples.append((time.monotonic(), delays))

    def stall_us(self, t0, t1):
        """The longest any thread of the machine waited for a host CPU
        between host times t0 and t1 (monotonic; widened to the samples
        around them), plus the most CPU time the host's own hypervisor
        stole from any host CPU meanwhile, in us; None if not measured.  A timer interrupt of the
        emulated machine is late by up to that much whatever the guest does:
        QEMU's timers run in its main thread, its vCPUs in others."""
        if len(self.samples) < 2:
            return None
        before = [s for s in self.samples if s[0] <= t0] or self.samples[:1]
        after = [s for s in self.samples if s[0] >= t1] or self.samples[-1:]
        a, b = before[-1][1], after[0][1]
        wait = max((b[t] - a[t] for t in b if t in a and not t.startswith("steal:")), default=0)
        steal = max((b[t] - a[t] for t in b if t in a and t.startswith("steal:")), default=0)
        return (wait + steal) // 1000


class Machine:
    """Base class: what a test boot needs from a machine."""
    name = None
    paging = ()                 # the --paging values it offers

    def __init__(self, paging, cpu=None, mem=1024, smp=1):
        if paging not in self.paging:
            raise HarnessError(f"machine {self.name}: no paging mode '{paging}' "
                               f"(one of {', '.join(self.paging)})")
        self.paging_mode = paging
        self.cpu = cpu
        self.mem = mem
        self.smp = smp

    def available(self):
        """None, or why this machine cannot run here."""
        raise NotImplementedError

    def start(self, workdir, xen, xen_cmdline, kernel, kernel_cmdline, initrd, serial_log,
              disk=None):
        """Start the machine; returns a Running."""
        raise NotImplementedError

    def describe(self):
        return f"{self.name} paging={self.paging_mode}"


class QemuSvm(Machine):
    """QEMU TCG, an AMD CPU model with SVM; HAP needs NPT."""
    name = "qemu-svm"
    CPU = {
        "shadow": "qemu64,+svm,+smep,+smap",
        "hap": "qemu64,+svm,+npt,+smep,+smap",
    }
    paging = tuple(sorted(CPU))
    BINARY = "qemu-system-x86_64"

    def available(self):
        return None if shutil.which(self.BINARY) else f"{self.BINARY} not found (run scripts/setup.sh)"

    def command(self, xen, xen_cmdline, kernel, kernel_cmdline, initrd, serial_log, disk=None):
        cmd = [self.BINARY, "-nodefaults", "-machine", "pc,accel=tcg",
               "-cpu", self.cpu or self.CPU[self.paging_mode], "-m", str(self.mem),
               "-smp", str(self.smp),
               "-display", "none", "-vga", "none", "-no-reboot",
               "-serial", f"file:{serial_log}", "-monitor", "none",
               "-kernel", xen, "-append", xen_cmdline,
               "-initrd", f"{kernel} {kernel_cmdline},{initrd}"]
        if disk:
            cmd += ["-drive", f"file={os.path.abspath(disk)},format=raw,if=none,id=sr0",
                    "-device", "virtio-blk-pci,drive=sr0"]
        return cmd

    def start(self, workdir, xen, xen_cmdline, kernel, kernel_cmdline, initrd, serial_log,
              disk=None):
        out = os.path.join(workdir, "machine.out")
        with open(out, "wb") as qout:
            proc = subprocess.Popen(
                self.command(xen, xen_cmdline, kernel, kernel_cmdline, initrd, serial_log, disk),
                stdout=qout, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        return Running(proc, out)


MACHINES = {m.name: m for m in (QemuSvm,)}


def machine(name, paging, **kw):
    try:
        cls = MACHINES[name]
    except KeyError:
        raise HarnessError(f"no machine '{name}' (one of {', '.join(MACHINES)})") from None
    return cls(paging, **kw)
