#!/usr/bin/env python3
"""Build-time check of xen-syms: the deprivileged payload's ring-3 entry
and exit paths carry the same speculation alternatives as Xen's PV ones.

Reads the .altinstructions entries of xen-syms (between
__alt_instructions and __alt_instructions_end; struct alt_instr: s32
orig_offset, s32 repl_offset, u16 cpuid (top bit: polarity), u8 orig_len,
repl_len, pad_len, priv), attributes each to the symbol its original
instruction lies in (a symbol's region runs to the next symbol), and keeps
those whose feature is a speculation control (X86_FEATURE_SC_*,
X86_FEATURE_IBPB_ENTRY_*, X86_SPEC_*).  Then, for each pair below, every
such site of the PV path must have a counterpart in the depriv path (same
feature, at least as many), and the exit paths must hold a VERW, as
restore_all_guest does.  Interrupt returns to ring 3 in depriv mode must go
through hvm_depriv_iret.

usage: spec_alt_sites.py XEN_SYMS CPUFEATURES_H CPUID_AUTOGEN_H
Prints ok/FAIL lines (and info lines listing the sites); exit 1 on a FAIL.
"""
import collections
import re
import struct
import subprocess
import sys

# (PV path, depriv path, what it is)
PAIRS = [
    ("lstar_enter", "hvm_depriv_syscall", "SYSCALL entry"),
    ("cstar_enter", "hvm_depriv_syscall_compat", "compat SYSCALL entry"),
    ("restore_all_guest", "hvm_depriv_enter", "first SYSRET to ring 3"),
    ("restore_all_guest", "hvm_depriv_sysret", "SYSRET after a syscall"),
    ("restore_all_guest", "hvm_depriv_iret", "interrupt/exception return to ring 3"),
]
EXITS = ("restore_all_guest", "hvm_depriv_enter", "hvm_depriv_sysret",
         "hvm_depriv_iret")
# Interrupt and IST returns that must reach ring 3 through hvm_depriv_iret.
IRET_CALLERS = ("ret_from_intr", "handle_ist_exception")
SPEC = re.compile(r"^X86_(FEATURE_SC_|FEATURE_IBPB_ENTRY_|SPEC_)")


def feature_names(cpufeatures_h, autogen_h):
    fscapints = None
    for line in open(autogen_h):
        m = re.match(r"#define FEATURESET_NR_ENTRIES\s+(\d+)", line)
        if m:
            fscapints = int(m.group(1))
    if fscapints is None:
        raise SystemExit(f"FAIL no FEATURESET_NR_ENTRIES in {autogen_h}")
    names = {}
    for line in open(cpufeatures_h):
        m = re.match(r"XEN_CPUFEATURE\((\w+),\s*X86_SYNTH\((\d+)\)\)", line)
        if m:
            names[fscapints * 32 + int(m.group(2))] = "X86_FEATURE_" + m.group(1)
            continue
        m = re.match(r"#define\s+(X86_(?:BUG|SPEC)_\w+)\s+X86_BUG\(\s*(\d+)\)", line)
        if m:
            names[(fscapints + 1) * 32 + int(m.group(2))] = m.group(1)
    return names


def elf(path):
    data = open(path, "rb").read()
    if data[:4] != b"\x7fELF" or data[4] != 2:
        raise SystemExit(f"FAIL {path}: not an ELF64 file")
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3a)
    secs = []
    for i in range(shnum):
        name, typ, flags, addr, off, size, link, info, align, entsize = \
            struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize)
        secs.append(dict(name=name, type=typ, addr=addr, off=off, size=size,
                         link=link, entsize=entsize))
    strtab = secs[shstrndx]

    def cstr(sec, off):
        start = sec["off"] + off
        return data[start:data.index(b"\0", start)].decode()

    for s in secs:
        s["name"] = cstr(strtab, s["name"])
    return data, secs, cstr


def main():
    syms_path, cpufeatures_h, autogen_h = sys.argv[1:4]
    names = feature_names(cpufeatures_h, autogen_h)
    data, secs, cstr = elf(syms_path)

    symtab = next((s for s in secs if s["type"] == 2), None)
    if symtab is None:
        print(f"FAIL {syms_path}: no symbol table")
        return 1

    addrs = {}          # name -> address
    starts = set()
    for i in range(symtab["size"] // 24):
        st_name, st_info, st_other, st_shndx, st_value, st_size = \
            struct.unpack_from("<IBBHQQ", data, symtab["off"] + i * 24)
        if st_shndx == 0 or (st_info & 0xf) not in (0, 2):  # NOTYPE, FUNC
            continue
        name = cstr(secs[symtab["link"]], st_name)
        if not name or name.startswith("."):
            continue
        addrs.setdefault(name, st_value)
        starts.add(st_value)
    starts = sorted(starts)

    # The linker script puts .altinstructions inside .init.data, between
    # __alt_instructions and __alt_instructions_end.
    lo, hi = addrs.get("__alt_instructions"), addrs.get("__alt_instructions_end")
    home = next((s for s in secs if lo is not None and s["type"] == 1 and
                 s["addr"] <= lo < s["addr"] + s["size"]), None)
    if hi is None or home is None or (hi - lo) % 14:
        print(f"FAIL {syms_path}: no __alt_instructions..__alt_instructions_end")
        return 1
    alt = dict(addr=lo, off=home["off"] + lo - home["addr"], size=hi - lo)

    def region(name):
        a = addrs.get(name)
        if a is None:
            return None
        nxt = next((s for s in starts if s > a), a + 1)
        return a, nxt

    sites = collections.defaultdict(collections.Counter)
    wanted = {n: region(n) for p in PAIRS for n in p[:2]}
    for i in range(alt["size"] // 14):
        base = alt["off"] + i * 14
        orig_off, repl_off, cpuid = struct.unpack_from("<iiH", data, base)
        orig = alt["addr"] + i * 14 + orig_off
        feat = names.get(cpuid & 0x7fff, f"feature#{cpuid & 0x7fff}")
        if not SPEC.match(feat):
            continue
        if cpuid & 0x8000:
            feat = "!" + feat
        for n, r in wanted.items():
            if r and r[0] <= orig < r[1]:
                sites[n][feat] += 1

    fails = 0

    def out(good, msg):
        nonlocal fails
        print(("ok   " if good else "FAIL ") + msg)
        fails += not good

    for n, r in wanted.items():
        if r is None:
            print(f"info {n}: no such symbol")
        else:
            listed = ", ".join(f"{f}" + (f" x{c}" if c > 1 else "")
                               for f, c in sorted(sites[n].items())) or "none"
            print(f"info {n} ({r[0]:#x}..{r[1]:#x}): {listed}")

    for pv, dep, what in PAIRS:
        if wanted[pv] is None:
            out(False, f"{what}: PV path {pv} not in xen-syms")
            continue
        if not sites[pv]:
            out(False, f"{what}: PV path {pv} has no speculation alternatives (parser?)")
            continue
        if wanted[dep] is None:
            out(False, f"{what}: {dep} not in xen-syms")
            continue
        missing = sites[pv] - sites[dep]
        out(not missing,
            f"{what}: {dep} carries {pv}'s speculation alternatives"
            + (f" (missing: {', '.join(sorted(missing))})" if missing else
               f" ({', '.join(sorted(sites[pv]))})"))

    def disasm(name):
        r = region(name)
        if r is None:
            return ""
        return subprocess.run(
            ["objdump", "-d", "--no-show-raw-insn",
             f"--start-address={r[0]:#x}", f"--stop-address={r[1]:#x}",
             syms_path], capture_output=True, text=True, check=True).stdout

    for n in EXITS:
        has = re.search(r"\sverw\s", disasm(n)) is not None
        out(has, f"{n}: conditional VERW before the return to ring 3"
            if has else f"{n}: no VERW on the way to ring 3")

    for n in IRET_CALLERS:
        has = "<hvm_depriv_iret>" in disasm(n)
        out(has, f"{n}: depriv-mode returns to ring 3 go through hvm_depriv_iret"
            if has else f"{n}: returns to the depriv payload bypass hvm_depriv_iret")

    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
