#!/usr/bin/env python3
"""Instructions per emulated operation, counted: the Xen path of each
operation with hvm_depriv=0 and =1, in one bench run.

Xen boots under QEMU (TCG, one CPU, HAP) twice, with hvm_depriv=0 and with
hvm_depriv=1, each time with the TCG plugin tests/bench/icount loaded
(built by tests/bench/icount/build.sh against the installed QEMU's plugin
header).  The guest is tests/xtf/tests/depriv-cost in its
instruction-count mode (icount.c there; a copy of the image with
cost_cfg.icount = ICOUNT_REPS): it runs each operation ICOUNT_REPS times,
each time alone between two marker NOPs the plugin recognises by their
bytes.  The plugin counts every instruction the machine executes inside a
window, by its virtual address: Xen's text (_stext.._etext of xen-syms),
the payload's text (where it runs: its ring-3 alias at
HVM_DEPRIV_VA_BASE, and its bytes in Xen's image), the rest of Xen's
range (per-CPU stubs), and everything else (the guest's own instructions:
the operation itself, the RTC interrupt handler); depriv calls are the
executions of the payload's entry point, syscalls the SYSCALLs executed
in the payload, less one per call (its return).

A window holds exactly one operation, so its counts are the operation's
cost; they are identical from window to window (and boot to boot) except
where something else lands in the window (a Xen timer softirq, dom0 being
scheduled): the figure per operation is the most frequent window
(the mode of the (xen, payload, stubs, other) tuple, over the windows
after the first ICOUNT_WARM of each operation), with how many windows
had exactly it and the range of the totals.

Writes build/bench/xen-icount.{txt,json,png,md}: the report leads with one
table (instructions off/on, ratio and goal, calls and syscalls per
operation, modelled cycles off/on for both vendors; also as Markdown in
the .md), the chart is drawn by xen-icount-chart.py.  Checks: both boots pass; every operation has
its windows in both; the plugin saw no unmatched marker; the empty
window costs no Xen instruction; no depriv call with hvm_depriv=0; the
chart was drawn; the calls and syscalls the plugin counted over the whole
run equal Xen's own per-vCPU counters (the only HVM vCPU's summary line);
each operation but the tick has more than half its windows exactly
alike.  The goals (<= 1.10x for PIC/RTC, <= 1.0x for real mode) are
reported, not checked.  About 1 minute here (two boots of ~27 s).

The plugin also records where in Xen the instructions of four windows
per operation ran (from window ICOUNT_PROFILE on): the report lists, for
a window with the figure's counts, the functions with the most
instructions with hvm_depriv=1 and those depriv=1 adds most to.

Below the table, modelled cycles per operation for SVM and VMX
(tests/bench/costmodel.py: the counts at an assumed IPC plus the heavy
instructions each op executes at published or assumed costs); checks: the
model's VMLOAD/VMSAVE/SYSRET/LGDT/SWAPGS counts equal the executions in
each profiled window, and the model's own self-checks.

Knobs: ICOUNT_FLAVOUR (release), ICOUNT_PAGING (hap), ICOUNT_REPS (64),
ICOUNT_WARM (2), ICOUNT_PROFILE (10), ICOUNT_GUEST_TIMEOUT (600), ICOUNT_REPORT_ONLY=1 (the
report from the last run's files).
"""
import bisect
import collections
import json
import os
import re
import statistics
import struct
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts"))
from hvmharness import BUILD, TOP, Checks, HarnessError, boot  # noqa: E402
from hvmharness.log import vcpu_counters  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import costmodel  # noqa: E402

# Operation numbers: tests/xtf/tests/depriv-cost/icount.h.
OPS = [
    (0, "empty", "empty window (the markers alone)"),
    (1, "pic-mask", "PIC mask write (`out 0x21`)"),
    (2, "pic-eoi", "PIC EOI (`out 0x20`)"),
    (3, "rtc", "RTC index + data read"),
    (4, "rtc-tick", "RTC periodic tick (to handler's REG_C read)"),
    (5, "rm-mmio", "real-mode MMIO load (HPET)"),
    (6, "rm-string", "real-mode `rep insb` x4 (port 0x61)"),
]
CLASSES = ("xen", "payload", "xen_other", "other")
HVM_DEPRIV_VA_BASE_RE = re.compile(r"#define\s+HVM_DEPRIV_VA_BASE\s+(0x[0-9a-fA-F]+)")
TARGETS = {"pic-mask": 1.10, "pic-eoi": 1.10, "rtc": 1.10, "rtc-tick": 1.10,
           "rm-mmio": 1.0, "rm-string": 1.0}


def symbols(xen_syms):
    want = {"_stext", "_etext", "__hvm_depriv_start", "__hvm_depriv_rodata_start",
            "hvm_depriv_entry"}
    got = {}
    for line in subprocess.run(["nm", xen_syms], check=True, capture_output=True,
                               text=True).stdout.splitlines():
        f = line.split()
        if len(f) == 3 and f[2] in want:
            got[f[2]] = int(f[0], 16)
    missing = want - set(got)
    if missing:
        raise ValueError(f"{xen_syms}: no {', '.join(sorted(missing))}")
    return got


def plugin_arg(lib, out, syms, va_base, profile):
    text = syms["__hvm_depriv_rodata_start"] - syms["__hvm_depriv_start"]
    entry = va_base + syms["hvm_depriv_entry"] - syms["__hvm_depriv_start"]
    return (f"{lib},out={out},xen={syms['_stext']:x}-{syms['_etext']:x},"
            # Xen's half of the 64-bit address space (PV guests cannot map there).
            f"hyp=ffff800000000000-ffff880000000000,"
            f"payload={va_base:x}-{va_base + text:x},"
            f"payload2={syms['__hvm_depriv_start']:x}-{syms['__hvm_depriv_rodata_start']:x},"
            f"entry={entry:x},profile={profile}")


def make_image(src, dst, reps):
    """depriv-cost with cost_cfg.icount = reps (after ops, iters, rm_iters,
    chunk, baseline: the sixth word after the magic)."""
    data = bytearray(open(src, "rb").read())
    magic = b"DEPRIV-COST-CFG\0"
    at = data.find(magic)
    if at < 0 or data.find(magic, at + 1) >= 0:
        raise ValueError(f"{src}: parameter block not found exactly once")
    at += len(magic) + 20
    data[at:at + 4] = struct.pack("<I", reps)
    with open(dst, "wb") as f:
        f.write(data)


def read_windows(path):
    """({op: [window dict]}, the T line as a dict or None, {(op, n): {va: count}})."""
    wins = collections.defaultdict(list)
    total = None
    prof = {}
    for line in open(path, errors="replace"):
        if line.startswith("P "):
            f = line.split()
            op, n = int(f[1][3:]), int(f[2][2:])
            # A VA can have several slots (one per translation block holding
            # it: a block retranslated, or one starting mid-way after a helper
            # ended the previous one): their counts add up.
            counts = collections.Counter()
            for va, c in (x.split(":") for x in f[3:]):
                counts[int(va, 16)] += int(c)
            prof[(op, n)] = dict(counts)
            continue
        kv = {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)\b", line)}
        if line.startswith("W "):
            wins[kv["op"]].append(kv)
        elif line.startswith("T "):
            total = kv
    return wins, total, prof


class Symbols:
    """Xen's functions by address (nm -n xen-syms); payload addresses (its
    ring-3 alias) as offsets in the payload, whose code is one LTO'd
    function and its entry stub."""

    def __init__(self, xen_syms, va_base, depriv_start, depriv_text):
        self.addrs, self.names = [], []
        for line in subprocess.run(["nm", "-n", xen_syms], check=True, capture_output=True,
                                   text=True).stdout.splitlines():
            f = line.split()
            if len(f) == 3 and f[1] in "tTwW":
                self.addrs.append(int(f[0], 16))
                self.names.append(f[2])
        self.va_base, self.depriv_start, self.depriv_text = va_base, depriv_start, depriv_text

    def name(self, va):
        if self.va_base <= va < self.va_base + self.depriv_text:
            va = self.depriv_start + va - self.va_base
            prefix = "payload:"
        else:
            prefix = ""
        i = bisect.bisect_right(self.addrs, va) - 1
        return prefix + (self.names[i] if i >= 0 else hex(va))


def profile_window(windows, prof, op, fig):
    """{va: executions} of a profiled window of @op whose counts are the
    figure's, or None."""
    if not fig:
        return None
    for w in windows:
        if (op, w["n"]) in prof and all(w[c] == fig[c] for c in CLASSES):
            return prof[(op, w["n"])]
    return None


def profile_of(windows, prof, op, fig, syms):
    """{function: instructions} of a profiled window of @op whose counts are
    the figure's, or None."""
    raw = profile_window(windows, prof, op, fig)
    if raw is None or syms is None:
        return None
    by_fn = collections.Counter()
    for va, c in raw.items():
        by_fn[syms.name(va)] += c
    return dict(by_fn)


def summarise(windows, warm):
    """The figure for one operation's windows: the most frequent tuple."""
    ws = windows[warm:] if len(windows) > warm else windows
    if not ws:
        return None
    key = lambda w: tuple(w[c] for c in CLASSES + ("calls", "syscalls"))  # noqa: E731
    tally = collections.Counter(key(w) for w in ws)
    mode, n = max(tally.items(), key=lambda kv: (kv[1], -sum(kv[0][:4])))
    totals = [sum(w[c] for c in CLASSES) for w in ws]
    fig = dict(zip(CLASSES + ("calls", "syscalls"), mode))
    # Each call ends with a SYSCALL, its return to Xen, which Xen does not
    # count as a syscall (a request): the plugin counts every SYSCALL.
    fig["syscalls"] -= fig["calls"]
    fig["total"] = sum(mode[:4])
    fig.update({"windows": len(ws), "same": n, "min_total": min(totals),
                "median_total": statistics.median(totals), "max_total": max(totals),
                "distinct": len(tally)})
    return fig


def summary_cells(rows, cost):
    """The cells of the one table `make bench` leads with, per operation (but
    the empty window): its name and description, the instructions counted
    with hvm_depriv=0 and =1, their ratio, the goal and whether it is met
    (or by how much it is missed), calls and syscalls per operation, and the
    cost model's cycles off/on and their ratio (middle of the bracket) for
    each modelled vendor."""
    def n(v):
        return "-" if v is None else f"{v:,.0f}".replace(",", " ")

    def mid(v):
        return None if v is None else (v[0] + v[1]) / 2

    for r in rows:
        if r["op"] == "empty":
            continue
        a, b = r["depriv0"] or {}, r["depriv1"] or {}
        goal, ratio = TARGETS.get(r["op"]), r["ratio"]
        verdict = ("-" if goal is None or ratio is None else
                   "met" if ratio <= goal else f"missed by {ratio - goal:.2f}")
        cells = {"op": r["op"], "what": r["what"], "off": n(a.get("total")),
                 "on": n(b.get("total")), "ratio": "-" if ratio is None else f"{ratio:.3f}",
                 "goal": "-" if goal is None else f"{goal:.2f}", "verdict": verdict,
                 "calls": n(b.get("calls")), "syscalls": n(b.get("syscalls")), "cycles": []}
        m = cost.get(r["op"]) or {}
        for p in costmodel.MODELLED:
            x = m.get(p)
            off, on = mid(x and x["off"]), mid(x and x["on"])
            cells["cycles"].append((n(off), n(on),
                                    "-" if not off or on is None else f"{on / off:.2f}"))
        yield cells


def summary_table(rows, cost, flavour, paging):
    """summary_cells() as the report's first lines."""
    lines = [f"Cost per operation ({flavour} Xen, {paging}): instructions counted (QEMU TCG "
             "plugin), modelled cycles (costmodel.py, middle of the bracket)"]
    hdr = (f"{'op':<10} {'instr off':>9} {'instr on':>9} {'ratio':>6} {'goal':>5} "
           f"{'':<15} {'calls/op':>8} {'sysc/op':>7}")
    for p in costmodel.MODELLED:
        hdr += f"  {p.upper() + ' off':>8} {p.upper() + ' on':>8} {'ratio':>5}"
    lines += [hdr, "-" * len(hdr)]
    for c in summary_cells(rows, cost):
        s = (f"{c['op']:<10} {c['off']:>9} {c['on']:>9} {c['ratio']:>6} {c['goal']:>5} "
             f"{c['verdict']:<15} {c['calls']:>8} {c['syscalls']:>7}")
        for off, on, rat in c["cycles"]:
            s += f"  {off:>8} {on:>8} {rat:>5}"
        lines.append(s)
    lines.append("")
    return lines


def summary_markdown(rows, cost):
    """summary_cells() as Markdown (build/bench/xen-icount.md, for the README)."""
    hdr = "| op | instructions off | on | ratio on/off | goal | calls/op | syscalls/op |"
    for p in costmodel.MODELLED:
        hdr += f" {p.upper()} cycles off | on | ratio |"
    out = [hdr, "|---" * hdr.count(" |") + "|"]
    for c in summary_cells(rows, cost):
        s = (f"| {c['what']} | {c['off']} | {c['on']} | {c['ratio']} | "
             f"≤ {c['goal']}: {c['verdict']} | {c['calls']} | {c['syscalls']} |")
        for off, on, rat in c["cycles"]:
            s += f" {off} | {on} | {rat} |"
        out.append(s)
    return "\n".join(out) + "\n"


def make_report(work, out, flavour, paging, reps, warm):
    checks = []
    runs = {}
    try:
        sym = json.load(open(f"{work}/symbols.json"))
        syms = Symbols(sym["xen_syms"], sym["va_base"], sym["depriv_start"], sym["depriv_text"])
    except (OSError, ValueError, KeyError, subprocess.CalledProcessError):
        syms = None
    # The cost model's events: entries of a few functions; its check: the
    # executions of some heavy instructions (objdump's addresses).
    func_addr, insn_addrs = None, None
    if syms is not None:
        func_addr = {nm: a for a, nm in zip(syms.addrs, syms.names)
                     if nm in costmodel.EVENT_FUNCS.values()}
        try:
            insn_addrs = costmodel.insn_addrs(sym["xen_syms"], (
                sym["depriv_start"], sym["depriv_start"] + sym["depriv_text"]))
        except (OSError, subprocess.CalledProcessError):
            insn_addrs = None
    for dp in (0, 1):
        try:
            rec = json.load(open(f"{work}/depriv{dp}.json"))
            wins, total, prof = read_windows(f"{work}/icount-depriv{dp}.txt")
        except (OSError, ValueError):
            rec, wins, total, prof = None, {}, None, {}
        runs[dp] = (rec, wins, total, prof)
        if total is None:
            checks.append((False, f"hvm_depriv={dp}: the plugin's summary line"))
            continue
        checks.append((total.get("nested", 1) == 0 and total.get("stray", 1) == 0
                       and not total.get("open"),
                       f"hvm_depriv={dp}: every marker matched (markers={total.get('markers')}, "
                       f"nested={total.get('nested')}, stray={total.get('stray')})"))
        if rec:
            g = rec["guests"][0] if rec.get("guests") else {}
            log = open(rec["log"], errors="replace").read() if rec.get("log") else ""
            c = vcpu_counters(log, g.get("domid"))
            if dp == 0:
                checks.append((c is None and total["calls"] == 0,
                               f"hvm_depriv=0: no depriv call (plugin: {total['calls']})"))
            else:
                # Every call returns with a SYSCALL, which Xen does not count.
                good = c is not None and c["calls"] == total["calls"] and \
                    c["syscalls"] == total["syscalls"] - total["calls"]
                checks.append((good, "hvm_depriv=1: calls/syscalls the plugin counted over the run "
                               f"{total['calls']}/{total['syscalls'] - total['calls']} (SYSCALLs less "
                               "the calls' returns), Xen's vCPU counters "
                               + (f"{c['calls']}/{c['syscalls']}" if c else "missing")))
    rows = []
    for num, op, what in OPS:
        row = {"op": op, "what": what}
        for dp in (0, 1):
            row[f"depriv{dp}"] = summarise(runs[dp][1].get(num, []), warm)
            row[f"profile{dp}"] = profile_of(runs[dp][1].get(num, []), runs[dp][3], num,
                                             row[f"depriv{dp}"], syms)
            raw = profile_window(runs[dp][1].get(num, []), runs[dp][3], num, row[f"depriv{dp}"])
            if row[f"depriv{dp}"]:
                exact = raw is not None
                if not exact:
                    # No profiled window had exactly the figure's counts: the
                    # events of the profiled window nearest to it in total.
                    near = [w for w in runs[dp][1].get(num, []) if (num, w["n"]) in runs[dp][3]
                            and w["calls"] == row[f"depriv{dp}"]["calls"]]
                    if near:
                        w = min(near, key=lambda w: abs(sum(w[c] for c in CLASSES)
                                                        - row[f"depriv{dp}"]["total"]))
                        raw = runs[dp][3][(num, w["n"])]
                row[f"events{dp}"] = costmodel.events(op, row[f"depriv{dp}"], raw, func_addr)
                row[f"events{dp}"]["exact_window"] = exact
                if exact and insn_addrs is not None and op != "empty":
                    checks += costmodel.check_measured(op, dp, row[f"events{dp}"], raw,
                                                       insn_addrs)
            checks.append((row[f"depriv{dp}"] is not None
                           and row[f"depriv{dp}"]["windows"] >= reps - warm,
                           f"{op}: windows with hvm_depriv={dp}"))
        a, b = row["depriv0"], row["depriv1"]
        if op != "rtc-tick":
            # Deterministic: most windows are exactly alike (what differs is
            # something else landing in a window: a timer, dom0).
            for dp, f in ((0, a), (1, b)):
                if f:
                    checks.append((f["same"] * 2 > f["windows"],
                                   f"{op}: hvm_depriv={dp}: {f['same']} of {f['windows']} windows "
                                   "exactly alike"))
        row["ratio"] = b["total"] / a["total"] if a and b and a["total"] else None
        row["ratio_hyp"] = ((b["xen"] + b["payload"] + b["xen_other"])
                            / (a["xen"] + a["payload"] + a["xen_other"])
                            if a and b and a["xen"] else None)
        if op == "empty":
            checks.append((a is not None and b is not None and a["xen"] == 0 and b["xen"] == 0
                           and a["payload"] == 0 and b["payload"] == 0,
                           "the empty window costs no Xen or payload instruction"))
        rows.append(row)

    def n(v):
        return "-" if v is None else f"{v:,}".replace(",", " ")

    def r3(v):
        return "-" if v is None else f"{v:.3f}"

    cost = costmodel.model(rows)
    lines = summary_table(rows, cost, flavour, paging)
    lines += [f"xen-icount: {flavour} Xen, {paging}, QEMU TCG (1 CPU) with the icount plugin; "
             f"instructions per operation, the most frequent of {reps - warm} windows "
             f"(first {warm} dropped)"]
    hdr = (f"{'op':<10} {'off: xen':>9} {'total':>7}  {'on: xen':>8} {'payload':>8} "
           f"{'total':>7}  {'ratio':>6} {'calls/op':>8} {'syscalls/op':>11}  {'same off/on':>11}")
    lines += [hdr, "-" * len(hdr)]
    for r in rows:
        a, b = r["depriv0"] or {}, r["depriv1"] or {}
        lines.append(f"{r['op']:<10} {n(a.get('xen')):>9} {n(a.get('total')):>7}  "
                     f"{n(b.get('xen')):>8} {n(b.get('payload')):>8} {n(b.get('total')):>7}  "
                     f"{r3(r['ratio']):>6} {n(b.get('calls')):>8} {n(b.get('syscalls')):>11}  "
                     f"{a.get('same', 0):>4}/{b.get('same', 0):<4}")
    lines.append("")
    lines.append("xen: Xen's text (_stext.._etext); payload: the payload's text (ring 3); total: every")
    lines.append("instruction in the window, i.e. also Xen's per-CPU stubs and the guest's own (the")
    lines.append("operation, the RTC handler); ratio: total on/off; calls, syscalls: depriv calls and")
    lines.append("payload SYSCALLs in the window; same: windows with exactly these counts.")
    lines.append("")
    lines += costmodel.table(rows, cost)
    checks += costmodel.selfcheck()
    lines.append("")
    for r in rows:
        for dp in (0, 1):
            f = r[f"depriv{dp}"]
            if f:
                lines.append(f"{r['op']:<10} depriv={dp}: xen {f['xen']} payload {f['payload']} "
                             f"stubs {f['xen_other']} guest {f['other']}; totals over "
                             f"{f['windows']} windows min {f['min_total']} median "
                             f"{f['median_total']:g} max {f['max_total']} ({f['distinct']} distinct)")
    lines.append("")
    lines.append("Where the instructions of hvm_depriv=1 go (one window with the counts above), by")
    lines.append("function, beside the same function with hvm_depriv=0; the payload is one LTO'd")
    lines.append("function (payload:hvm_depriv_dispatch) and its entry stub:")
    for r in rows:
        p1, p0 = r.get("profile1"), r.get("profile0") or {}
        if not p1 or r["op"] == "empty":
            continue
        top = sorted(p1.items(), key=lambda kv: -kv[1])[:12]
        lines.append(f"  {r['op']}: " + ", ".join(f"{fn} {c}/{p0.get(fn, 0)}" for fn, c in top))
        more = sorted(((fn, c - p0.get(fn, 0)) for fn, c in p1.items()), key=lambda kv: -kv[1])[:8]
        lines.append(f"  {r['op']} (most added by depriv=1): "
                     + ", ".join(f"{fn} +{d}" for fn, d in more if d > 0))
    lines.append("")
    for r in rows:
        if r["op"] in TARGETS and r["ratio"] is not None:
            t = TARGETS[r["op"]]
            lines.append(f"target on/off <= {t:.2f}x, {r['op']:<9}: {r['ratio']:.3f} "
                         + ("met" if r["ratio"] <= t else "MISSED")
                         + f" (Xen + payload + stubs only: {r['ratio_hyp']:.3f})")
    report = "\n".join(lines) + "\n"
    open(f"{out}/xen-icount.txt", "w").write(report)
    open(f"{out}/xen-icount.md", "w").write(summary_markdown(rows, cost))
    json.dump({"flavour": flavour, "paging": paging, "reps": reps, "warm": warm,
               "boots": {f"depriv{dp}": {"seconds": (runs[dp][0] or {}).get("seconds"),
                                         "log": (runs[dp][0] or {}).get("log"),
                                         "plugin_total": runs[dp][2]} for dp in (0, 1)},
               "ops": rows, "costmodel": cost, "targets": TARGETS},
              open(f"{out}/xen-icount.json", "w"), indent=1)
    sys.stdout.write(report)
    return checks


def main():
    env = os.environ.get
    flavour = env("ICOUNT_FLAVOUR", "release")
    paging = env("ICOUNT_PAGING", "hap")
    reps = int(env("ICOUNT_REPS", "64"))
    warm = int(env("ICOUNT_WARM", "2"))
    profile = int(env("ICOUNT_PROFILE", "10"))
    timeout = int(env("ICOUNT_GUEST_TIMEOUT", "600"))
    report_only = env("ICOUNT_REPORT_ONLY", "0") == "1"
    out = os.path.join(BUILD, "bench")
    work = os.path.join(out, "xen-icount")
    os.makedirs(work, exist_ok=True)
    checks = Checks()
    start = time.time()
    os.chdir(TOP)
    for f in ("txt", "json", "png", "md"):
        if os.path.exists(f"{out}/xen-icount.{f}"):
            os.unlink(f"{out}/xen-icount.{f}")

    if not report_only:
        xen_syms = os.path.join(BUILD, f"xen-{flavour}", "xen-syms")
        if not os.path.isfile(xen_syms):
            checks.fail(f"{xen_syms} not found (make xen-{flavour})")
            checks.finish()
        with open(f"{work}/build.log", "w") as blog:
            ok = subprocess.call(["nice", "make", "-s", "-C", "tests/xtf", "TESTS=depriv-cost"],
                                 stdout=blog, stderr=subprocess.STDOUT) == 0
            lib = subprocess.run(["bash", "tests/bench/icount/build.sh"], stdout=subprocess.PIPE,
                                 stderr=blog, text=True)
        if not ok or lib.returncode:
            print(open(f"{work}/build.log").read())
            checks.fail("building the depriv-cost guest and the icount plugin")
            checks.finish()
        lib = lib.stdout.strip().splitlines()[-1]
        try:
            syms = symbols(xen_syms)
            va_base = int(HVM_DEPRIV_VA_BASE_RE.search(
                open("depriv-rs/abi/include/hvm-depriv-abi.h").read()).group(1), 16)
            image = f"{work}/icount.elf"
            make_image(os.path.join(BUILD, "xtf/depriv-cost/test-hvm32-depriv-cost"), image, reps)
            with open(f"{work}/symbols.json", "w") as f:
                json.dump({"xen_syms": xen_syms, "va_base": va_base,
                           "depriv_start": syms["__hvm_depriv_start"],
                           "depriv_text": syms["__hvm_depriv_rodata_start"]
                           - syms["__hvm_depriv_start"]}, f)
        except (OSError, ValueError, subprocess.CalledProcessError) as e:
            print(e)
            checks.fail("the guest image and Xen's symbols")
            checks.finish()
        checks.ok(f"plugin {os.path.relpath(lib, TOP)}, guest image with {reps} windows per operation")

        for dp in (0, 1):
            opts = f"hvm_depriv={dp}" + (" hvm_depriv_budget=1000000" if dp else "")
            counts = f"{work}/icount-depriv{dp}.txt"
            if os.path.exists(counts):
                os.unlink(counts)
            print(f"xen-icount: booting {flavour} Xen ({paging}) with {opts}", flush=True)
            t0 = time.time()
            runout = f"{work}/run-depriv{dp}.out"
            try:
                with open(runout, "w") as f:
                    res = boot(["icount"], flavour=flavour, paging=paging, xen_opts=[opts],
                               guest_timeout=timeout, label=f"xen-icount-depriv{dp}",
                               images={"icount": image}, out=f,
                               qemu_plugin=plugin_arg(lib, counts, syms, va_base, profile))
                with open(f"{work}/depriv{dp}.json", "w") as f:
                    json.dump(res.as_dict(), f, indent=1)
            except HarnessError as e:
                res = None
                print(f"run-xen: {e}")
            checks.check(res and res.ok, f"boot with {opts}: " +
                         (f"guest passed ({time.time() - t0:.0f} s)" if res and res.ok
                          else f"failed (see {runout})"))

    try:
        report = make_report(work, out, flavour, paging, reps, warm)
    except Exception as e:  # noqa: BLE001 - a broken report is a failed check
        report = []
        checks.fail(f"the report ({type(e).__name__}: {e})")
    for good, what in report:
        checks.check(good, what)
    if report:
        png = f"{out}/xen-icount.png"
        checks.check(subprocess.call([sys.executable, "tests/bench/xen-icount-chart.py",
                                      f"{out}/xen-icount.json", png]) == 0,
                     f"the chart {os.path.relpath(png, TOP)}")
    print(f"xen-icount: {time.time() - start:.0f} s")
    checks.finish()


if __name__ == "__main__":
    main()
