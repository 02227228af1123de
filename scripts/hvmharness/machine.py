"""The emulated machine Xen boots on.

A Machine turns (Xen image, Xen command line, dom0 kernel + command line,
initramfs, serial log file, optional raw disk) into a running process
whose serial port goes to the log file.  One class per machine, chosen
with run-xen.sh --machine NAME (MACHINES):

    qemu-svm   QEMU TCG, -cpu qemu64 with AMD SVM (+NPT for HAP paging),
               SMEP/SMAP; Xen and dom0 loaded as multiboot kernel + modules
    bochs-vmx  Bochs (Debian's 2.7), CPU model corei7_skylake_x: Intel VMX
               with EPT, VPID and unrestricted guest; boots a GRUB rescue
               ISO (multiboot v1) holding Xen, dom0's kernel as a trimmed
               ELF and the initramfs

A machine also says what it needs of the run around it: Xen options of
its own (xen_opts()), a default paging mode, how long a boot may take
(boot_timeout()), the serial-log lines that must appear by a given time
(stages), and whether the runner ends it once dom0 has finished or Xen
died (end_grace; QEMU exits by itself, Bochs does not always).

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
        self.ended_by_runner = False  # killed after its work was done (end_grace)
        # Whether the machine's clock is the host's (QEMU TCG): then a
        # host stall shows in the times Xen measures.  Bochs' is emulated
        # (clock: sync=none): it stops while Bochs does not run.
        self.host_clock = True

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
        QEMU's timers run in its main thread, its vCPUs in others.  0 for a
        machine whose clock is emulated (host_clock False): a host stall
        does not show in the times Xen measures there."""
        if not self.host_clock:
            return 0
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
    default_paging = None
    # The whole run's bound beyond the guests' own (per batch, enforced in
    # dom0): Xen's and dom0's boot and shutdown.
    boot_slack = 180
    # Wall seconds per second of dom0's clock (the guest timeouts are
    # counted there), and wall seconds per guest for xl create/destroy.
    time_factor = 1
    per_guest = 0
    # (text, seconds): a serial-log line containing text must have been
    # read that many wall seconds after the start, or the machine is
    # killed (a boot loader or early boot that hangs).
    stages = ()
    # Seconds the machine may run on after dom0's "HARNESS: all done" or a
    # fatal Xen line before it is killed; None: until it exits (or the
    # boot timeout).
    end_grace = None
    disk = True                 # offers --disk
    plugins = False             # loads emulator plugins (--qemu-plugin)

    def __init__(self, paging=None, cpu=None, mem=1024, smp=1, plugin=None):
        paging = paging or self.default_paging
        if paging not in self.paging:
            raise HarnessError(f"machine {self.name}: no paging mode '{paging}' "
                               f"(one of {', '.join(self.paging)})")
        self.paging_mode = paging
        self.cpu = cpu
        self.mem = mem
        self.smp = smp
        if plugin and not self.plugins:
            raise HarnessError(f"machine {self.name}: no emulator plugins (--qemu-plugin)")
        # QEMU's -plugin argument: "LIBRARY.so[,KEY=VALUE...]".
        self.plugin = plugin

    def available(self):
        """None, or why this machine cannot run here."""
        raise NotImplementedError

    def start(self, workdir, xen, xen_cmdline, kernel, kernel_cmdline, initrd, serial_log,
              disk=None):
        """Start the machine; returns a Running."""
        raise NotImplementedError

    def describe(self):
        return f"{self.name} paging={self.paging_mode}"

    def xen_opts(self):
        """Xen command-line options this machine needs (before the run's)."""
        return []

    def exited_cleanly(self, returncode, output):
        """Whether the machine's own exit (status, what it printed) is a
        normal end (a power-off), not an error of the emulator."""
        return returncode == 0

    def boot_timeout(self, guest_timeout, batches):
        """Wall seconds for a whole boot running @batches (lists of guests)
        with @guest_timeout (dom0 seconds) per batch."""
        return int(self.boot_slack + sum(guest_timeout * self.time_factor + self.per_guest * len(b)
                                         for b in batches))


class QemuSvm(Machine):
    """QEMU TCG, an AMD CPU model with SVM; HAP needs NPT."""
    name = "qemu-svm"
    CPU = {
        "shadow": "qemu64,+svm,+smep,+smap",
        "hap": "qemu64,+svm,+npt,+smep,+smap",
    }
    paging = tuple(sorted(CPU))
    default_paging = "shadow"
    BINARY = "qemu-system-x86_64"
    # A TCG plugin (-plugin), e.g. tests/bench/icount: it sees every
    # instruction the machine executes, Xen's and its guests'.
    plugins = True

    def xen_opts(self):
        # SMEP/SMAP for HVM guests only: with smap=1 Xen faults building a
        # bounce frame on the PV dom0's stack at boot under this QEMU.
        return ["smep=hvm", "smap=hvm"]

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
        if self.plugin:
            cmd += ["-plugin", self.plugin]
        return cmd

    def start(self, workdir, xen, xen_cmdline, kernel, kernel_cmdline, initrd, serial_log,
              disk=None):
        out = os.path.join(workdir, "machine.out")
        with open(out, "wb") as qout:
            proc = subprocess.Popen(
                self.command(xen, xen_cmdline, kernel, kernel_cmdline, initrd, serial_log, disk),
                stdout=qout, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        return Running(proc, out)


class BochsVmx(Machine):
    """Bochs, an Intel CPU model with VMX (EPT, VPID, unrestricted guest).

    Debian's Bochs 2.7 as packaged: no direct kernel loading, so GRUB boots
    from a CD-ROM image (grub-mkrescue) and loads Xen with multiboot v1
    (its multiboot2 path triple-faulted inside GRUB here) and the modules
    with --nounzip (GRUB would gunzip the two-member initramfs, base +
    overlay, into the overlay alone).  The kernel module is the ELF taken
    out of the bzImage with its zero tails trimmed (image.dom0_elf()).
    Its debugger is built in and stops before the first instruction: an
    -rc file continues, then quits when the simulation ends.  No "nogui"
    display: RFB with timeout=0 (no waiting for a client; it takes the
    first free TCP port from 5900 on, so runs do not collide).  The clock
    is not tied to the host's (clock: sync=none): emulated time advances
    with the instructions run (ips), so guests see consistent time however
    loaded the host is, and a halted CPU skips ahead.  After a reset the
    BIOS stops ("IA32_FEATURE_CONTROL_MSR VMX lock bit is set"): a run ends
    by ACPI power-off, or is killed (end_grace) once dom0 is done or Xen died.
    """
    name = "bochs-vmx"
    CPU = "corei7_skylake_x"
    paging = ("hap", "shadow")
    default_paging = "hap"
    BINARY = "bochs"
    TOOLS = ("bochs", "grub-mkrescue", "xorriso")
    BIOS = "/usr/share/bochs/BIOS-bochs-latest"
    VGABIOS = "/usr/share/bochs/VGABIOS-lgpl-latest"
    GRUB_PC = "/usr/lib/grub/i386-pc"
    IPS = 100000000
    # Measured here (2 cores; Bochs under nice 10 beside two QEMU runs):
    # Xen's banner 9-17 s after the start, dom0's /init 81-94 s, a boot
    # with five small guests 360 s for 110 s of dom0's (emulated) clock.
    boot_slack = 900
    time_factor = 4
    per_guest = 90
    stages = (("Xen version", 300), ("HARNESS: dom0 up", 1200))
    end_grace = 20
    disk = False
    # IA32_MISC_ENABLE (0x1a0) is not emulated by Bochs 2.7: a read gives 0
    # (ignore_bad_msrs), i.e. fast strings (bit 0) off, which a real CPU
    # has on from reset.  A dom0 Linux reading that (through Xen) clears
    # its ERMS and REP_GOOD features ("Disabled fast string operations")
    # but keeps FSRM; its memmove() then has the FSRM alternative (no
    # "fewer than 32 bytes" branch) without the ERMS one (rep movsb) and
    # copies a short move as one of ~2^64 bytes: it runs over memory until
    # it reaches a page-table page, where Xen refuses the write ("Bad L1
    # flags 400000": the bytes it copies happen to set PTE bit 62) and
    # dom0 dies at its first such move, a printk's.  The CPU models with FSRM
    # (CPUID.7.0:EDX[4]) get the MSR defined with bit 0 set (Bochs'
    # configurable MSRs, cpu: msrs=FILE); the others keep Bochs' default.
    FSRM_MODELS = ("tigerlake", "corei7_icelake_u")
    MISC_ENABLE_FAST_STRING = 1 << 0

    def model(self):
        return self.cpu or self.CPU

    def msrs(self):
        """(index, reset value) of the MSRs this model gets defined."""
        if self.model() in self.FSRM_MODELS:
            return [(0x1a0, self.MISC_ENABLE_FAST_STRING)]
        return []

    def describe(self):
        return f"{self.name} cpu={self.model()} paging={self.paging_mode}"

    def available(self):
        for t in self.TOOLS:
            if not shutil.which(t):
                return f"{t} not found (run scripts/setup.sh)"
        for f in (self.BIOS, self.VGABIOS, self.GRUB_PC):
            if not os.path.exists(f):
                return f"{f} not found (run scripts/setup.sh)"
        return None

    def xen_opts(self):
        # bootscrub=0: scrubbing all free RAM at boot takes minutes here;
        # serial_tx_buffer=1M: with the default 16k the buffer overflowed
        # while dom0 was slow to be scheduled, and a guest's result line
        # was lost.  x2apic-mode=physical: in the default mixed mode Xen
        # sends IPIs by logical (cluster) destination, and the logical
        # x2APIC ID Bochs gives a second CPU is 0: with --smp 2 Xen hit
        # BUG_ON(!(msr_content & 0xffff)) in send_IPI_mask_x2apic_cluster()
        # at boot.  Shadow paging: HAP (EPT) is there, so turn it off.
        opts = ["bootscrub=0", "serial_tx_buffer=1M", "x2apic-mode=physical"]
        if self.paging_mode == "shadow":
            opts.append("hap=0")
        return opts

    @staticmethod
    def _grub_words(text):
        """@text's words as GRUB script words (single-quoted: no expansion)."""
        return " ".join("'" + w.replace("'", "'\\''") + "'" for w in text.split())

    def iso(self, workdir, xen, xen_cmdline, kernel, kernel_cmdline, initrd):
        """The boot CD: GRUB, Xen, dom0's kernel (ELF) and initramfs."""
        from .image import dom0_elf
        root = os.path.join(workdir, "iso")
        os.makedirs(os.path.join(root, "boot", "grub"))
        shutil.copy(xen, os.path.join(root, "boot", "xen"))
        shutil.copy(dom0_elf(kernel), os.path.join(root, "boot", "vmlinux"))
        shutil.copy(initrd, os.path.join(root, "boot", "initrd"))
        # GRUB's messages go to the serial log too (errors before Xen runs).
        cfg = "\n".join([
            "serial --unit=0 --speed=115200",
            "terminal_output serial console",
            "set timeout=0",
            "set default=0",
            'menuentry "xen" {',
            "  echo 'grub: loading Xen and dom0'",
            f"  multiboot /boot/xen {self._grub_words(xen_cmdline)}",
            f"  module --nounzip /boot/vmlinux {self._grub_words(kernel_cmdline)}",
            "  module --nounzip /boot/initrd",
            "  echo 'grub: starting Xen'",
            "}",
        ]) + "\n"
        with open(os.path.join(root, "boot", "grub", "grub.cfg"), "w") as f:
            f.write(cfg)
        iso = os.path.join(workdir, "boot.iso")
        with open(os.path.join(workdir, "grub-mkrescue.out"), "wb") as out:
            rc = subprocess.call(["grub-mkrescue", "-d", self.GRUB_PC, "-o", iso, root],
                                 stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        if rc != 0 or not os.path.isfile(iso):
            with open(os.path.join(workdir, "grub-mkrescue.out"), errors="replace") as f:
                raise HarnessError("grub-mkrescue failed: " + f.read()[-500:])
        shutil.rmtree(root, ignore_errors=True)
        return iso

    @staticmethod
    def msrs_file(msrs):
        """Bochs' configurable-MSR file for @msrs: address, type 0 (plain),
        reset value, reserved bits, ignored bits (as 32-bit halves)."""
        lines = ["# ADDRESS TYPE RESET_HI RESET_LO RSRVD_HI RSRVD_LO IGNRD_HI IGNRD_LO"]
        for index, reset in msrs:
            lines.append(f"0x{index:03x} 0 {reset >> 32:08x} {reset & 0xffffffff:08x} "
                         "00000000 00000000 00000000 00000000")
        return "\n".join(lines) + "\n"

    def bochsrc(self, iso, serial_log, bochs_log, msrs=None):
        return "\n".join([
            f"cpu: model={self.model()}, count={self.smp}, ips={self.IPS}, "
            "reset_on_triple_fault=0" + (f", msrs=\"{msrs}\"" if msrs else ""),
            f"megs: {self.mem}",
            f"romimage: file={self.BIOS}",
            f"vgaromimage: file={self.VGABIOS}",
            "pci: enabled=1, chipset=i440fx",
            f"ata0-master: type=cdrom, path={iso}, status=inserted",
            "boot: cdrom",
            'display_library: rfb, options="timeout=0"',
            # With the default (ALSA) and no sound device on the host,
            # Bochs aborts at start ("buffer overflow detected").
            "sound: driver=dummy",
            f"com1: enabled=1, mode=file, dev={serial_log}",
            "clock: sync=none, time0=local",
            f"log: {bochs_log}",
            # Never ask on the console: a panic ends the simulation.
            "panic: action=fatal",
            "error: action=report",
            "info: action=ignore",
            "debug: action=ignore",
        ]) + "\n"

    def exited_cleanly(self, returncode, output):
        # Bochs ends the simulation on an ACPI power-off as on a fatal
        # error (status 1), with this message.
        return returncode == 0 or (returncode == 1 and "ACPI control: soft power off" in output)

    def start(self, workdir, xen, xen_cmdline, kernel, kernel_cmdline, initrd, serial_log,
              disk=None):
        if disk:
            raise HarnessError(f"machine {self.name}: no --disk (Bochs has no virtio-blk)")
        iso = self.iso(workdir, xen, xen_cmdline, kernel, kernel_cmdline, initrd)
        # Bochs' own log stays beside the serial log.
        bochs_log = os.path.splitext(serial_log)[0] + ".bochs.log"
        msrs, msrs_path = self.msrs(), None
        if msrs:
            msrs_path = os.path.join(workdir, "msrs.def")
            with open(msrs_path, "w") as f:
                f.write(self.msrs_file(msrs))
        rc = os.path.join(workdir, "bochsrc")
        with open(rc, "w") as f:
            f.write(self.bochsrc(iso, serial_log, bochs_log, msrs_path))
        # The built-in debugger: continue at once, quit when it stops.
        cmds = os.path.join(workdir, "debugger-commands")
        with open(cmds, "w") as f:
            f.write("c\nq\n")
        # The serial file must exist for the log follower from the start.
        open(serial_log, "ab").close()
        out = os.path.join(workdir, "machine.out")
        with open(out, "wb") as mout:
            proc = subprocess.Popen([self.BINARY, "-q", "-f", rc, "-rc", cmds],
                                    stdout=mout, stderr=subprocess.STDOUT,
                                    stdin=subprocess.DEVNULL, cwd=workdir)
        running = Running(proc, out)
        running.host_clock = False
        return running


class BochsCet(BochsVmx):
    """Bochs' tigerlake model: VMX as bochs-vmx, plus CET (CPUID.7.0
    ECX[7] shadow stacks, EDX[20] IBT), which Xen turns on for itself
    ("Enabling Supervisor Shadow Stacks", "Enabling Indirect Branch
    Tracking").  Also PKU, UMIP, FSRM and IA32_ARCH_CAPABILITIES, which
    corei7_skylake_x lacks.  With FSRM the machine defines IA32_MISC_ENABLE
    with fast strings on (see BochsVmx.msrs()), without which the dom0
    kernel does not boot on this model."""
    name = "bochs-cet"
    CPU = "tigerlake"


MACHINES = {m.name: m for m in (QemuSvm, BochsVmx, BochsCet)}


def machine(name, paging=None, **kw):
    try:
        cls = MACHINES[name]
    except KeyError:
        raise HarnessError(f"no machine '{name}' (one of {', '.join(MACHINES)})") from None
    return cls(paging, **kw)
