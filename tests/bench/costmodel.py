#!/usr/bin/env python3
"""A hardware cost model beside the instruction counter (40-xen-icount).

QEMU TCG counts instructions, not cycles: every instruction is one.  On
hardware a few instructions of a depriv call cost far more than the rest
(VMLOAD/VMSAVE, serialising WRMSRs, SYSCALL/SYSRET, speculation barriers).
This module estimates cycles per operation, per vendor, for hvm_depriv=0
and =1:

    cycles = instructions counted / IPC  +  sum(heavy count x cycles each)

- instructions counted: the op's whole window (Xen, payload, stubs, guest)
  from 40-xen-icount, at IPC = 1 (an assumption, see IPC below);
- heavy counts: what the code executes per event (read from the mode's code:
  hvm/depriv/entry.S and depriv.c, svm_depriv_load(), vmx_depriv_load/put(),
  the SPEC_CTRL_*_DEPRIV macros and Xen 4.17's spec-ctrl defaults), times
  the events the plugin saw in the op's window: VM exits (entries of the
  vendor's exit handler), outermost calls (entries of svm_depriv_load),
  calls and SYSCALLs (the plugin's own counts), clock reads (entries of
  get_s_time) and timer writes (entries of reprogram_timer), in each mode;
- cycles each: FIGURES, per microarchitecture, low/high, with the source of
  each figure and whether it is a published measurement or a bracket we
  assume.

Both modes pay the op's VM exits (the round trip is in both columns, so the
ratio is not inflated by leaving it out); only =1 pays the call's heavy
instructions.  The VMX columns reuse the SVM run's instruction and event
counts (QEMU TCG has no VMX): the call structure (calls, syscalls, exits)
does not depend on the vendor, the heavy instructions do.

`python3 tests/bench/costmodel.py` runs the self-checks and prints the
figures.  40-xen-icount.py calls events(), model() and check_measured().
"""
import collections
import re
import subprocess

# Instructions per cycle for everything but the heavy instructions.  An
# assumption: Xen's exit path and the payload are short, branchy, warm code
# (each window repeats the same path 64 times); kernel-path IPC on recent
# cores is typically around 1.  The heavy instructions' own cost is added
# separately, so this term is only the ordinary instructions.
IPC = 1.0

SRC = {
    "lkml-roth": ("https://lkml.iu.edu/hypermail/linux/kernel/2012.2/00527.html",
                  "KVM/SVM VMLOAD rework (Dec 2020, AMD EPYC): TSC deltas around VMRUN, "
                  "pre-vmrun to post-vmrun +1344..+1376 cycles for a guest round trip "
                  "(VMRUN, the guest's exiting instruction, #VMEXIT); and a WRGSBASE-based "
                  "variant 'saves ~20-30 cycles vs. vmload'"),
    "xen-f64b761": ("http://xenbits.xensource.com (xen.git commit f64b7618e119, "
                    "mirrored at dgit.raspbian.org)",
                    "svm: Avoid VMSAVE/VMLOAD/VMSAVE/VMLOAD sequence on every "
                    "vmexit/vmentry: ~650 cycles saved per null hypercall on an AMD "
                    "Athlon X2 (K8), i.e. ~160 per VMLOAD/VMSAVE on that part"),
    "dfly-8ed0657": ("https://gitweb.dragonflybsd.org/dragonfly.git/commit/"
                     "8ed0657196b63163619ab4783b55acf8c1dc13c3",
                     "DragonFly spectre mitigations part 1 (2018, Skylake): null system "
                     "call 103 ns without mitigations, 360 ns with the page-table switch, "
                     "848 ns with IBPB/IBRS MSR writes on every kernel entry as well"),
    "sdm-serial": ("Intel SDM vol. 3A, 'Serializing Instructions'; AMD APM vol. 3 "
                   "(WRMSR: 'a serializing instruction')",
                   "WRMSR, LGDT are serializing (architectural, not a cycle count)"),
    "msr-rule": ("https://newsletter.onedfrk.com/archive/aece7dc2-81ea-4c8b-bbbc-545aee8df781",
                 "rule of thumb: WRMSR ~100-300 cycles (serialising), two per syscall "
                 "for IA32_SPEC_CTRL ~100 each (not a measurement; low authority)"),
    "agner": ("https://www.agner.org/optimize/instruction_tables.pdf",
              "Agner Fog's instruction tables: RDTSC, SWAPGS, WR/RDFSBASE, LFENCE, POPF "
              "are listed per microarchitecture; the values here are not checked "
              "against them (brackets)"),
    "assume": ("assumption", "no published figure found for this part; a bracket"),
}

# name: (what, {uarch: (low, high)}, source keys, "measured"/"assumption")
FIGURES = {
    "vm_roundtrip": ("VM exit + VM entry in hardware (no handler)",
                     {"zen3/4": (1000, 1400), "spr": (800, 1500)},
                     ("lkml-roth",), "measured (AMD); assumption (Intel)"),
    "vmload": ("VMLOAD", {"zen3/4": (100, 250)}, ("xen-f64b761", "lkml-roth"),
               "assumption (from a K8 measurement and an EPYC comparison)"),
    "vmsave": ("VMSAVE", {"zen3/4": (100, 250)}, ("xen-f64b761",),
               "assumption (from a K8 measurement)"),
    "wrmsr": ("WRMSR, serialising (STAR, LSTAR, SFMASK, SYSENTER_CS, PL0_SSP)",
              {"zen3/4": (100, 300), "spr": (100, 300)}, ("sdm-serial", "msr-rule"),
              "assumption"),
    "wrmsr_spec_ctrl": ("WRMSR MSR_SPEC_CTRL", {"zen3/4": (100, 300), "spr": (100, 300)},
                        ("msr-rule", "dfly-8ed0657"), "assumption"),
    "ibpb": ("IBPB (WRMSR MSR_PRED_CMD)", {"zen3/4": (1000, 5000), "spr": (1000, 5000)},
             ("dfly-8ed0657",), "assumption (order of magnitude from Skylake)"),
    "syscall": ("SYSCALL", {"zen3/4": (30, 80), "spr": (30, 80)}, ("dfly-8ed0657", "assume"),
                "assumption (a whole null syscall is ~350 cycles on Skylake)"),
    "sysret": ("SYSRET", {"zen3/4": (30, 80), "spr": (30, 80)}, ("dfly-8ed0657", "assume"),
               "assumption"),
    "swapgs": ("SWAPGS", {"zen3/4": (10, 40), "spr": (10, 40)}, ("agner",), "assumption"),
    "lgdt": ("LGDT (serialising)", {"zen3/4": (50, 200), "spr": (50, 200)},
             ("sdm-serial",), "assumption"),
    "verw": ("VERW with buffer clearing (MD_CLEAR / VERW_CLEAR)",
             {"zen3/4": (100, 500), "spr": (100, 500)}, ("assume",), "assumption"),
    "lfence": ("LFENCE", {"zen3/4": (5, 30), "spr": (5, 30)}, ("agner",), "assumption"),
    "rdtsc": ("RDTSC (a clock read, NOW())", {"zen3/4": (20, 45), "spr": (20, 45)},
              ("agner",), "assumption"),
    "timer_write": ("timer reprogram (TSC-deadline WRMSR or LAPIC TMICT)",
                    {"zen3/4": (50, 300), "spr": (50, 300)}, ("assume",), "assumption"),
    "rdpkru": ("RDPKRU", {"zen3/4": (1, 30), "spr": (1, 30)}, ("assume",), "assumption"),
    "fsgsbase": ("RDGSBASE/WRGSBASE/WRFSBASE", {"spr": (5, 30)}, ("agner",), "assumption"),
    "mov_sreg": ("data selector load (mov to DS/ES/FS/GS)", {"spr": (10, 30)},
                 ("agner",), "assumption"),
    "ssbsy": ("SETSSBSY / CLRSSBSY (locked token update)",
              {"zen3/4": (20, 60), "spr": (20, 60)}, ("assume",), "assumption"),
    "shstk_misc": ("RDSSP / WRSS / INCSSP", {"zen3/4": (1, 20), "spr": (1, 20)},
                   ("assume",), "assumption"),
}

# What Xen 4.17 turns on for the payload's ring transitions (the PV choices,
# spec_ctrl.c; the boot line `hvm_depriv: ring-3 transitions: ...` says which
# apply on a given machine).  "qemu" is the bench's own machine (QEMU TCG,
# AMD model, smep=hvm, no CET), for the check against the executed
# instructions.
PROFILES = {
    "svm": {
        "label": "SVM, Zen 3/4", "uarch": "zen3/4", "vendor": "svm",
        # IBPB-entry: BTC (<= Zen 2) or SRSO with IBPB_BRTYPE microcode (Zen 3/4).
        # RSB: off (CET-SS on => no PV32, Xen uses SMEP, the RSB is full width).
        # MSR_SPEC_CTRL: Intel only (IBRSB).  LFENCE-entry: kept (IBPB without
        # the MSR write).  VERW: VERW_CLEAR (TSA microcode, Zen 3/4).  CET-SS on.
        "ibpb_entry": True, "rsb": False, "sc_msr": False, "lfence_entry": True,
        "verw": True, "cet": True, "pke": True,
        "why": "Xen 4.17 defaults on Zen 3/4 with SRSO and TSA microcode, CET-SS on",
    },
    "vmx": {
        "label": "VMX, Sapphire Rapids", "uarch": "spr", "vendor": "vmx",
        # MSR_SPEC_CTRL written at entry and exit (IBRSB); no IBPB-entry (AMD
        # only); BHB: BHI_DIS_S in MSR_SPEC_CTRL, no sequence; LFENCE-entry
        # dropped (the WRMSR serialises); VERW: not MDS/RFDS affected; RSB off
        # (CET-SS on).  CET-SS on.
        "ibpb_entry": False, "rsb": False, "sc_msr": True, "lfence_entry": False,
        "verw": False, "cet": True, "pke": True,
        "why": "Xen 4.17 defaults on Sapphire Rapids (eIBRS, BHI_DIS_S), CET-SS on",
    },
    "qemu": {
        "label": "the bench's QEMU SVM", "uarch": None, "vendor": "svm",
        "ibpb_entry": False, "rsb": True, "sc_msr": False, "lfence_entry": False,
        "verw": False, "cet": False, "pke": False,
        "why": "boot line: IBPB-entry no, RSB yes, MSR_SPEC_CTRL no, LFENCE-entry no, "
               "VERW no; CET off",
    },
}
MODELLED = ("svm", "vmx")

# Functions whose first instruction's executions count the events.
EVENT_FUNCS = {
    "exits_svm": "svm_vmexit_handler", "exits_vmx": "vmx_vmexit_handler",
    "outer_svm": "svm_depriv_load", "outer_vmx": "vmx_depriv_load",
    "clock": "get_s_time", "timer": "reprogram_timer",
}
# VM exits per op when no profile is at hand (the guest's exiting
# instructions; the tick: the timer interrupt's exit and the REG_C read).
DEFAULT_EXITS = {"empty": 0, "pic-mask": 1, "pic-eoi": 1, "rtc": 2, "rtc-tick": 2,
                 "rm-mmio": 1, "rm-string": 1}


def events(op, fig, prof_va=None, func_addr=None):
    """The events of one op's window in one mode: fig is its figure (the
    plugin's counts: calls, syscalls = requests, SYSCALLs less the calls'
    returns); prof_va {va: executions} of a window with exactly those counts,
    func_addr {name: address}."""
    ev = {"calls": fig.get("calls", 0), "syscalls": fig.get("syscalls", 0),
          "instructions": fig.get("total", 0), "measured": False}
    if prof_va is not None and func_addr:
        def at(name):
            a = func_addr.get(name)
            return prof_va.get(a, 0) if a is not None else 0
        ev["exits"] = at(EVENT_FUNCS["exits_svm"]) + at(EVENT_FUNCS["exits_vmx"])
        ev["outer"] = at(EVENT_FUNCS["outer_svm"]) + at(EVENT_FUNCS["outer_vmx"])
        ev["clock"] = at(EVENT_FUNCS["clock"])
        ev["timer"] = at(EVENT_FUNCS["timer"])
        ev["measured"] = True
    else:
        ev["exits"] = DEFAULT_EXITS.get(op, 1)
        ev["outer"] = ev["calls"]
        ev["clock"] = 0
        ev["timer"] = 0
    # An exit that made an outermost call VMSAVEs the guest's state once
    # (svm_sync_vmcb: needs_vmsave -> needs_vmload) and VMLOADs it before
    # VMRUN; the windows here have at most one such exit per outer call.
    ev["exits_with_calls"] = min(ev["exits"], ev["outer"])
    return ev


def heavy(ev, prof):
    """Counter {figure name: executions} for one op in one mode."""
    p = PROFILES[prof]
    c = collections.Counter()
    c["vm_roundtrip"] = ev["exits"]
    c["rdtsc"] = ev["clock"]
    c["timer_write"] = ev["timer"]
    calls, outer = ev["calls"], ev["outer"]
    entries = calls + ev["syscalls"]        # SYSCALLs into Xen (RETURN included)
    exits3 = calls + ev["syscalls"]         # SYSRETs to ring 3 (enter + each request)
    if not calls:
        return c
    # Per outermost call.
    if p["vendor"] == "svm":
        c["vmsave"] += ev["exits_with_calls"]
        c["vmload"] += outer + ev["exits_with_calls"]
    else:
        # vmx_depriv_load/put: STAR, LSTAR, SFMASK, SYSENTER_CS there and back;
        # KernelGS through SWAPGS pairs (read_gs_shadow, write_gs_shadow x2);
        # DS, ES, FS, GS loads; FS/GS bases.
        c["wrmsr"] += 8 * outer
        c["swapgs"] += 6 * outer
        c["fsgsbase"] += 3 * outer + 2 * outer
        c["mov_sreg"] += 4 * outer
    c["lgdt"] += 2 * outer                  # the call GDT, Xen's back
    if p["pke"]:
        c["rdpkru"] += 2 * outer            # PKRU is 0 for the bench's guest: no WRPKRU
    # Per call (outermost or nested).
    if p["cet"]:
        c["wrmsr"] += 2 * calls             # MSR_PL0_SSP to T and back
        c["shstk_misc"] += 3 * calls        # RDSSP + WRSS at enter, INCSSP + RDSSP + WRSS
        c["shstk_misc"] += 3 * calls        # at RETURN
    # Per SYSCALL from ring 3 (hvm_depriv_syscall, SPEC_CTRL_ENTRY_FROM_DEPRIV).
    c["syscall"] += entries
    c["swapgs"] += 2 * entries
    if p["cet"]:
        c["ssbsy"] += entries               # SETSSBSY
    if p["ibpb_entry"]:
        c["ibpb"] += entries
    if p["sc_msr"]:
        c["wrmsr_spec_ctrl"] += entries
    if p["lfence_entry"]:
        c["lfence"] += entries
    c["lfence"] += entries                  # the entry's own lfence
    # Per way back to ring 3 (SPEC_CTRL_EXIT_TO_DEPRIV, COND_VERW, SYSRET).
    c["sysret"] += exits3
    if p["sc_msr"]:
        c["wrmsr_spec_ctrl"] += exits3
    if p["verw"]:
        c["verw"] += exits3
    if p["cet"]:
        c["ssbsy"] += ev["syscalls"]        # CLRSSBSY before a request's SYSRET
    if p["rsb"]:
        c["rsb_loop"] += entries            # not a figure: its instructions are counted
    return c


def cycles(ev, prof):
    """(low, high, {figure: (count, low, high)}) cycles for one op, one mode."""
    uarch = PROFILES[prof]["uarch"]
    base = ev["instructions"] / IPC
    lo = hi = base
    parts = {}
    for name, n in heavy(ev, prof).items():
        if name not in FIGURES or not n:
            continue
        fl, fh = FIGURES[name][1][uarch]
        lo += n * fl
        hi += n * fh
        parts[name] = (n, n * fl, n * fh)
    return lo, hi, parts


def model(rows):
    """{op: {prof: {off: (lo, hi), on: (lo, hi), ratio: (lo, hi), heavy_on: ...}}}
    from rows with 'events0' and 'events1'."""
    out = {}
    for r in rows:
        e0, e1 = r.get("events0"), r.get("events1")
        if not e0 or not e1 or r["op"] == "empty":
            continue
        out[r["op"]] = {}
        for prof in MODELLED:
            off, on = cycles(e0, prof), cycles(e1, prof)
            out[r["op"]][prof] = {
                "off": off[:2], "on": on[:2],
                "ratio": (on[0] / off[0], on[1] / off[1]) if off[0] else None,
                "heavy_off": off[2], "heavy_on": on[2]}
    return out


def table(rows, res):
    """The report's lines."""
    def mid(v):
        return (v[0] + v[1]) / 2

    def n(v):
        return f"{mid(v):,.0f}".replace(",", " ")
    lines = ["Modelled cycles per operation (tests/bench/costmodel.py): the instructions counted "
             f"at IPC {IPC:g},",
             "plus each heavy instruction at its published or assumed cost; cycles are the "
             "middle of the",
             "low/high bracket, the ratio on/off is given as low..high."]
    hdr = f"{'op':<10}"
    for p in MODELLED:
        hdr += f"  {p + ' off':>9} {p + ' on':>9} {'ratio':>11}"
    lines += [hdr, "-" * len(hdr)]
    for r in rows:
        m = res.get(r["op"])
        if not m:
            continue
        s = f"{r['op']:<10}"
        for p in MODELLED:
            x = m[p]
            rat = f"{x['ratio'][0]:.2f}..{x['ratio'][1]:.2f}" if x["ratio"] else "-"
            s += f"  {n(x['off']):>9} {n(x['on']):>9} {rat:>11}"
        lines.append(s)
    lines.append("")
    for p in MODELLED:
        lines.append(f"{PROFILES[p]['label']} ({PROFILES[p]['why']}): heavy instructions per op "
                     "with hvm_depriv=1, count (mid cycles); share of the op's modelled cycles:")
        for r in rows:
            m = res.get(r["op"])
            if not m:
                continue
            on = m[p]["heavy_on"]
            tot = mid(m[p]["on"])
            heavy_c = sum((v[1] + v[2]) / 2 for v in on.values())
            parts = sorted(on.items(), key=lambda kv: -(kv[1][1] + kv[1][2]))
            lines.append(f"  {r['op']:<10} {heavy_c / tot:4.0%}: " + ", ".join(
                f"{k} {v[0]} ({(v[1] + v[2]) / 2:,.0f})".replace(",", " ") for k, v in parts))
    ev = [r for r in rows if r.get("events1")]
    if ev and not all(r["events1"]["measured"] for r in ev):
        lines.append("(events: no profile for some ops; VM exits assumed, clock reads and "
                     "timer writes not counted)")
    return lines


def sources():
    lines = []
    for k, (url, what) in SRC.items():
        lines.append(f"  [{k}] {url}: {what}")
    return lines


def figure_lines():
    lines = []
    for name, (what, per, src, kind) in FIGURES.items():
        vals = ", ".join(f"{u} {lo}-{hi}" for u, (lo, hi) in per.items())
        lines.append(f"  {name:<16} {what}: {vals} cycles [{', '.join(src)}] ({kind})")
    return lines


# The check against what ran: objdump's addresses of some heavy instructions
# in xen-syms, their executions in a profiled window, against heavy() for
# the bench's own configuration.
CHECKED = {"vmload": "vmload", "vmsave": "vmsave", "sysret": "sysretq", "lgdt": "lgdt",
           "swapgs": "swapgs"}
INSN_RE = re.compile(r"^\s*([0-9a-f]+):\s+(\S+)")


def insn_addrs(xen_syms, payload_range=None):
    """{mnemonic: [va]} of the checked mnemonics in xen-syms' text (the
    payload, which has no privileged instructions, left out)."""
    want = set(CHECKED.values())
    got = collections.defaultdict(list)
    out = subprocess.run(["objdump", "-d", "--no-show-raw-insn", xen_syms], check=True,
                         capture_output=True, text=True).stdout
    for line in out.splitlines():
        m = INSN_RE.match(line)
        if m and m.group(2) in want:
            va = int(m.group(1), 16)
            if payload_range and payload_range[0] <= va < payload_range[1]:
                continue
            got[m.group(2)].append(va)
    return got


def check_measured(op, dp, ev, prof_va, addrs):
    """[(ok, text)]: the executions of each checked instruction in the
    profiled window equal what heavy() derives for the bench's machine."""
    want = heavy(ev, "qemu")
    checks = []
    for name, mnem in CHECKED.items():
        seen = sum(prof_va.get(va, 0) for va in addrs.get(mnem, ()))
        checks.append((seen == want.get(name, 0),
                       f"cost model: {op}: hvm_depriv={dp}: {mnem} executed {seen}, "
                       f"modelled {want.get(name, 0)}"))
    return checks


def selfcheck():
    """Unit checks on the counting rules; returns [(ok, text)]."""
    res = []
    # pic-mask: one exit, one outermost call, no request.
    e = events("pic-mask", {"calls": 1, "syscalls": 0, "total": 1841})
    h = heavy(e, "svm")
    res.append((h["syscall"] == 1 and h["sysret"] == 1 and h["vmload"] == 2 and
                h["vmsave"] == 1 and h["ibpb"] == 1 and h["verw"] == 1 and h["wrmsr"] == 2,
                f"pic-mask on SVM Zen 3/4: {dict(h)}"))
    h = heavy(e, "vmx")
    res.append((h["wrmsr"] == 10 and h["wrmsr_spec_ctrl"] == 2 and h["swapgs"] == 8 and
                not h["vmload"] and not h["ibpb"],
                f"pic-mask on VMX SPR: {dict(h)}"))
    # A real-mode op: SYSCALLs = calls + requests = SYSRETs.
    e = events("rm-mmio", {"calls": 1, "syscalls": 6, "total": 10476})
    for p in PROFILES:
        h = heavy(e, p)
        res.append((h["syscall"] == 7 and h["sysret"] == 7 and
                    h["ssbsy"] == (13 if PROFILES[p]["cet"] else 0),
                    f"rm-mmio on {p}: SYSCALL {h['syscall']}, SYSRET {h['sysret']}, "
                    f"SETSSBSY+CLRSSBSY {h['ssbsy']}"))
    # hvm_depriv=0: only the exit (and whatever clock/timer work is measured).
    e = events("rtc", {"calls": 0, "syscalls": 0, "total": 2532})
    h = heavy(e, "svm")
    res.append((set(k for k, v in h.items() if v) == {"vm_roundtrip"} and
                h["vm_roundtrip"] == 2, f"rtc off: {dict(h)}"))
    # Five outermost calls in two exits (the tick): one VMSAVE per exit.
    e = events("rtc-tick", {"calls": 5, "syscalls": 0, "total": 11854},
               {1: 2, 2: 5, 3: 12, 4: 1},
               {"svm_vmexit_handler": 1, "svm_depriv_load": 2, "get_s_time": 3,
                "reprogram_timer": 4})
    h = heavy(e, "svm")
    res.append((h["vmsave"] == 2 and h["vmload"] == 7 and h["rdtsc"] == 12 and
                h["timer_write"] == 1, f"rtc-tick on SVM: {dict(h)}"))
    # Every figure has both modelled parts where heavy() can ask for it.
    for p in MODELLED:
        u = PROFILES[p]["uarch"]
        e = events("rm-mmio", {"calls": 1, "syscalls": 6, "total": 1})
        missing = [k for k in heavy(e, p) if k in FIGURES and u not in FIGURES[k][1]]
        res.append((not missing, f"figures for {p} ({u}): missing {missing or 'none'}"))
    # The ratio never falls below 1 with depriv's heavy work on top of the same counts.
    rows = [{"op": "pic-mask",
             "events0": events("pic-mask", {"calls": 0, "syscalls": 0, "total": 1140}),
             "events1": events("pic-mask", {"calls": 1, "syscalls": 0, "total": 1841})}]
    m = model(rows)["pic-mask"]
    res.append((all(m[p]["ratio"][0] > 1 for p in MODELLED),
                "pic-mask ratios " + ", ".join(f"{p} {m[p]['ratio'][0]:.2f}..{m[p]['ratio'][1]:.2f}"
                                              for p in MODELLED)))
    return res


if __name__ == "__main__":
    bad = 0
    for ok, what in selfcheck():
        print(("ok   " if ok else "FAIL ") + what)
        bad += not ok
    print("figures:")
    print("\n".join(figure_lines()))
    print("sources:")
    print("\n".join(sources()))
    raise SystemExit(1 if bad else 0)
