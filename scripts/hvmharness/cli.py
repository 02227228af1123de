"""Boot a built Xen on an emulated machine with the harness dom0 and run HVM test guests.

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
    reboot    SUCCESS, then the guest's own triple fault (an OS rebooting
              with no firmware to reboot into)
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

Machines: --machine qemu-svm (QEMU TCG, AMD SVM; default), bochs-vmx
(Bochs, Intel VMX) or bochs-cet (Bochs' tigerlake model: VMX, and CET for
Xen); see tests/harness/README.md, e.g.
    run-xen.sh --machine bochs-vmx --xen-opt "hvm_depriv=0 hvm_fep=1" 'vpic+realmode' vrtc
    run-xen.sh --machine bochs-cet --xen-opt hvm_depriv=0 vpic

The serial log is kept (default build/results/guests/LABEL.log); a table and
"N passed, N failed" are printed; the exit status is 0 only if every guest
met its expectation and the boot ended cleanly.  --json FILE writes the
per-guest results.  The same from Python: hvmharness.boot() (scripts/hvmharness).
"""
import argparse
import json
import sys

from . import HarnessError
from .machine import MACHINES
from .run import boot


def parse_args(argv):
    ap = argparse.ArgumentParser(prog="run-xen.sh", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("specs", nargs="+", metavar="SPEC")
    ap.add_argument("--machine", choices=sorted(MACHINES), default="qemu-svm",
                    help="the emulated machine (default qemu-svm: QEMU TCG, AMD SVM; "
                    "bochs-vmx: Bochs, Intel VMX with EPT/VPID/unrestricted guest; "
                    "bochs-cet: the same on Bochs' tigerlake model, with CET)")
    ap.add_argument("--flavour", default="debug", help="build/xen-FLAVOUR/xen (default debug)")
    ap.add_argument("--xen", help="explicit hypervisor image (overrides --flavour)")
    ap.add_argument("--paging", choices=sorted({p for m in MACHINES.values() for p in m.paging}),
                    help="guest paging (default: shadow on qemu-svm, hap on bochs-vmx/bochs-cet)")
    ap.add_argument("--cpu", help="the machine's CPU model (QEMU -cpu, overriding the one --paging "
                    "picks; Bochs cpu: model=, default corei7_skylake_x, bochs-cet tigerlake; "
                    "tigerlake and corei7_icelake_u get IA32_MISC_ENABLE fast strings on)")
    ap.add_argument("--xen-opt", action="append", default=[], metavar="OPT",
                    help="extra Xen command-line option (repeatable; space-separated allowed)")
    ap.add_argument("--guest-timeout", type=int, default=90, help="seconds per batch of guests, "
                    "by dom0's clock (under Bochs, emulated time)")
    ap.add_argument("--boot-timeout", type=int, help="wall seconds for the whole machine run "
                    "(default qemu-svm: 180 + guest timeout x batches; bochs-vmx, bochs-cet: "
                    "900 + (4 x guest timeout + 90 x guests) per batch)")
    ap.add_argument("--mem", type=int, default=1024, help="machine memory in MiB")
    ap.add_argument("--smp", type=int, default=1, help="machine CPUs, i.e. Xen's pCPUs (default 1; "
                    "dom0 keeps one vCPU)")
    ap.add_argument("--guest-mem", type=int, default=32, help="guest memory in MiB")
    ap.add_argument("--cfg", action="append", default=[], metavar="NAME:LINE",
                    help="extra xl config line for guest NAME")
    ap.add_argument("--image", action="append", default=[], metavar="TEST=PATH")
    ap.add_argument("--monitor", action="append", default=[], metavar="NAME",
                    help="guest NAME gets a vm_event monitor ring with CR0-write events "
                    "that dom0 never consumes (see above)")
    ap.add_argument("--real-dm", action="append", default=[], metavar="NAME",
                    help="guest NAME gets the real device model (libxl's qemu-xen: Debian's "
                    "qemu-system-xen) instead of the stand-in")
    ap.add_argument("--firmware", action="append", default=[], metavar="NAME",
                    help="guest NAME is a standard HVM guest: real device model, hvmloader, "
                    "SeaBIOS, booting from its TEST image, a raw disk (--image TEST=PATH; "
                    "default build/firmware/TEST.img, see tests/firmware)")
    ap.add_argument("--guest-disk", action="append", default=[], metavar="NAME:PATH",
                    help="raw disk image for guest NAME (with --real-dm): its first IDE disk")
    ap.add_argument("--disk", metavar="PATH", help="raw disk image for dom0 (virtio-blk, "
                    "/dev/vda there): where @save-disk/@restore-disk keep save files (qemu-svm only)")
    ap.add_argument("--label", help="name of the log (default derived from the guests)")
    ap.add_argument("--log", help="serial log path")
    ap.add_argument("--json", help="write per-guest results here")
    ap.add_argument("--qemu-plugin", metavar="LIB.so[,KEY=VALUE...]",
                    help="load a TCG plugin into QEMU (-plugin; qemu-svm only), "
                    "e.g. tests/bench/icount's instruction counter")
    ap.add_argument("--quiet", action="store_true", help="no live progress lines")
    ap.add_argument("--show-guest-output", action="store_true",
                    help="print every (dN) line of the guests live")
    return ap.parse_args(argv)


def main(argv=None):
    a = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        res = boot(a.specs, flavour=a.flavour, xen=a.xen, paging=a.paging, machine=a.machine,
                   cpu=a.cpu, xen_opts=a.xen_opt, guest_timeout=a.guest_timeout,
                   boot_timeout=a.boot_timeout, mem=a.mem, smp=a.smp, guest_mem=a.guest_mem,
                   cfg=a.cfg, images=dict(i.split("=", 1) for i in a.image),
                   monitor=a.monitor, real_dm=a.real_dm, firmware=a.firmware,
                   guest_disks=a.guest_disk, disk=a.disk, label=a.label, log=a.log, quiet=a.quiet,
                   show_guest_output=a.show_guest_output, qemu_plugin=a.qemu_plugin)
    except HarnessError as e:
        print(f"run-xen: error: {e}", file=sys.stderr)
        return 2
    if a.json:
        with open(a.json, "w") as f:
            json.dump(res.as_dict(), f, indent=1)
    return 0 if res.ok else 1
