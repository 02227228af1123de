#!/usr/bin/env python3
"""Verify the deprivileged payload object before Xen links it (README: how the build fits together).

The payload runs at ring 3 at a user alias address, not where Xen links it,
with the guest's FPU state possibly live and with nothing writable but the
state page and its stack.  So the object must have:

  missing-entry        a global hvm_depriv_entry in .hvm_deprivileged.text
  undefined-symbol     no undefined symbols
  foreign-section      only .hvm_deprivileged.* allocated sections
  writable-section     no writable allocated section (.data: state lives
                       in the per-domain state page)
  zero-fill-section    no NOBITS allocated section (.bss)
  tls-section          no thread-local sections
  absolute-relocation  no relocation that depends on the link address
  got-relocation       no GOT/PLT-table based relocation
  relocation-target    PC-relative relocations only to what the object
                       itself defines
  fpu-simd-instruction no SSE/AVX/x87/MMX instruction or register
  fs-gs-access         no %fs/%gs-relative access, no segment base access
  undecodable          no bytes objdump cannot decode in the text
  panic-path           no core::panicking / core::fmt code linked in
  size-budget          text + rodata within the budget
  endbr-pattern        no ENDBR64/ENDBR32 bytes (f3 0f 1e fa/fb) and no seal
                       poison (66 0f 1f 01) anywhere in an allocated section,
                       instruction or not: the payload sits in Xen's RX text
                       region, where Xen's IBT check (check-endbr.sh, .text
                       only) does not look, so such bytes would be a ring-0
                       indirect-branch landing pad; the payload runs at
                       ring 3 without IBT and needs none.  The bytes checked
                       are those Xen's link leaves: PC-relative relocations
                       are applied for its layout (text, then rodata at the
                       next page, gaps filled with int3)

On success it prints one summary line; on failure one line per violation,
each naming the rule and the offending symbol/instruction/section, and
exits 1.  Uses binutils' readelf and objdump.
"""

import argparse
import re
import subprocess
import sys

ENTRY = "hvm_depriv_entry"
PREFIX = ".hvm_deprivileged."
DEFAULT_BUDGET = 256 * 1024
# Xen's xen.lds.S: .hvm_deprivileged.text at a page boundary, then the
# rodata at the next one, the gap filled with 0xcc.
PAGE_SIZE = 4096
XEN_FILL = 0xcc

# x86-64 relocation types (psABI).  PC-relative ones are position independent
# as long as their target moves with the payload.
PC_RELATIVE = {"R_X86_64_PC32", "R_X86_64_PLT32", "R_X86_64_PC64", "R_X86_64_PC16", "R_X86_64_PC8"}
GOT_BASED = re.compile(r"GOT|PLTOFF|TLSGD|TLSLD|GOTPC|TLSDESC")
TLS_BASED = re.compile(r"TPOFF|DTPOFF|DTPMOD")

X87_OR_SIMD_MNEMONIC = re.compile(
    r"^(f[a-z0-9]+|emms|femms|ldmxcsr|stmxcsr|vldmxcsr|vstmxcsr|xsave\w*|xrstor\w*|"
    r"fxsave\w*|fxrstor\w*|frstor|fsave|fnsave|wait)$"
)
SIMD_REGISTER = re.compile(r"%(x|y|z)mm\d+|%mm\d\b|%st\b|%st\(\d\)|%k[0-7]\b")
SEGMENT_BASE_MNEMONIC = {"rdfsbase", "wrfsbase", "rdgsbase", "wrgsbase", "swapgs", "fs", "gs"}
FS_GS_OPERAND = re.compile(r"%[fg]s\b")
PANIC_SYMBOL = re.compile(r"panicking|core::fmt|4core3fmt|panic_fmt|panic_bounds_check|rust_begin_unwind")
# What Xen's tools/check-endbr.sh rejects in .text unless it is an endbr64
# instruction Xen put there: endbr64, endbr32, and the poison ("nopw (%rcx)")
# Xen seals unused endbr64s with.
ENDBR_PATTERN = re.compile(rb"\xf3\x0f\x1e[\xfa\xfb]|\x66\x0f\x1f\x01")
ENDBR_NAME = {b"\xf3\x0f\x1e\xfa": "endbr64", b"\xf3\x0f\x1e\xfb": "endbr32", b"\x66\x0f\x1f\x01": "seal poison"}
PC_RELATIVE_WIDTH = {"R_X86_64_PC32": 4, "R_X86_64_PLT32": 4, "R_X86_64_PC64": 8, "R_X86_64_PC16": 2, "R_X86_64_PC8": 1}


def run(*argv):
    try:
        return subprocess.run(argv, check=True, capture_output=True, text=True).stdout
    except FileNotFoundError:
        sys.exit(f"check-payload: {argv[0]} not found (install binutils)")
    except subprocess.CalledProcessError as e:
        sys.exit(f"check-payload: {' '.join(argv)} failed: {e.stderr.strip()}")


def sections(path):
    """[(index, name, type, size, flags, file offset)] from readelf -S -W."""
    out = []
    row = re.compile(r"^\s*\[\s*(\d+)\]\s+(\S+)\s+(\S+)\s+[0-9a-f]+\s+([0-9a-f]+)\s+([0-9a-f]+)\s+[0-9a-f]+\s+(\S*)\s+\d+\s+\d+\s+\d+$")
    for line in run("readelf", "-S", "-W", path).splitlines():
        m = row.match(line)
        if m and m.group(1) != "0":
            idx, name, typ, off, size, flags = m.groups()
            # A flags column may be empty: then the regex shifted; normalise.
            if flags.isdigit():
                flags = ""
            out.append((int(idx), name, typ, int(size, 16), flags, int(off, 16)))
    return out


def symbols(path):
    """[(name, type, bind, ndx, index, value)] from readelf -s -W (all symbol tables)."""
    out = []
    row = re.compile(r"^\s*(\d+):\s+([0-9a-f]+)\s+\d+\s+(\S+)\s+(\S+)\s+\S+\s+(\S+)\s*(.*)$")
    for line in run("readelf", "-s", "-W", path).splitlines():
        m = row.match(line)
        if m:
            num, value, typ, bind, ndx, name = m.groups()
            out.append((name.strip(), typ, bind, ndx, int(num), int(value, 16)))
    return out


def relocations(path):
    """[(section, type, symbol, offset, symbol index, addend)] from readelf -r -W."""
    out = []
    current = None
    for line in run("readelf", "-r", "-W", path).splitlines():
        m = re.match(r"^Relocation section '\.rela?(.*)' at offset", line)
        if m:
            current = m.group(1)
            continue
        m = re.match(r"^([0-9a-f]+)\s+([0-9a-f]+)\s+(R_X86_64_\w+)\s*(?:[0-9a-f]+\s+)?(.*)$", line)
        if m and current is not None:
            sym = m.group(4).strip()
            a = re.search(r"\s([+-])\s*([0-9a-f]+)$", sym)
            addend = (-1 if a.group(1) == "-" else 1) * int(a.group(2), 16) if a else 0
            sym = re.sub(r"\s*[+-]\s*[0-9a-f]+$", "", sym)
            out.append((current, m.group(3), sym, int(m.group(1), 16), int(m.group(2), 16) >> 32, addend))
    return out


def instructions(path, text_sections):
    """[(section, function, mnemonic, operands, raw line)] from objdump -d."""
    out = []
    for sec in text_sections:
        func = "?"
        for line in run("objdump", "-d", "-w", "--no-show-raw-insn", "-j", sec, path).splitlines():
            m = re.match(r"^[0-9a-f]+ <(.+)>:$", line)
            if m:
                func = m.group(1)
                continue
            m = re.match(r"^\s*[0-9a-f]+:\s+(.*)$", line)
            if not m:
                continue
            insn = m.group(1).split("#")[0].strip()
            if not insn:
                continue
            parts = insn.split(None, 1)
            # Skip prefixes objdump prints as separate words.
            while parts and parts[0] in ("rep", "repz", "repnz", "repe", "repne", "lock", "data16",
                                         "addr32", "notrack", "bnd", "cs", "ds", "ss", "es", "rex",
                                         "rex.W", "rex.R", "rex.B", "rex.X") and len(parts) > 1:
                parts = parts[1].split(None, 1)
            mnemonic = parts[0] if parts else ""
            operands = parts[1] if len(parts) > 1 else ""
            out.append((sec, func, mnemonic, operands, insn))
    return out


def linked_image(path, alloc, syms, relocs):
    """The allocated sections' bytes as Xen's link leaves them.

    Returns (image, bases, relocated): the sections laid out as xen.lds.S
    does (text first, each section at a page boundary, gaps XEN_FILL), with
    every PC-relative relocation to a payload symbol applied (value S + A - P
    there; the object holds 0 in its place).  Other relocations are rejected
    by their own rules and keep their placeholder.  relocated: the image
    offsets of relocated bytes."""
    order = [s for s in alloc if "X" in s[4]] + [s for s in alloc if "X" not in s[4]]
    bases, end = {}, 0
    for idx, _, _, size, _, _ in order:
        bases[idx] = -(-end // PAGE_SIZE) * PAGE_SIZE
        end = bases[idx] + size
    image = bytearray([XEN_FILL]) * end
    with open(path, "rb") as f:
        data = f.read()
    for idx, _, typ, size, _, off in order:
        image[bases[idx]:bases[idx] + size] = bytes(size) if typ == "NOBITS" else data[off:off + size]
    by_name = {s[1]: s[0] for s in alloc}
    sym_at = {num: (ndx, value) for _, _, _, ndx, num, value in syms}
    relocated = set()
    for sec, typ, _, offset, symidx, addend in relocs:
        width = PC_RELATIVE_WIDTH.get(typ)
        ndx, value = sym_at.get(symidx, ("UND", 0))
        if sec not in by_name or width is None or not ndx.isdigit() or int(ndx) not in bases:
            continue
        where = bases[by_name[sec]] + offset
        v = bases[int(ndx)] + value + addend - where
        image[where:where + width] = (v & ((1 << (8 * width)) - 1)).to_bytes(width, "little")
        relocated.update(range(where, where + width))
    return image, bases, relocated


def endbr_patterns(path, alloc, syms, relocs):
    """endbr-pattern violations: one per occurrence, naming section+offset and
    the nearest symbol at or before it."""
    errors = []
    image, bases, relocated = linked_image(path, alloc, syms, relocs)
    for m in ENDBR_PATTERN.finditer(image):
        at = m.start()
        idx, name, size = next((s[0], s[1], s[3]) for s in alloc
                               if s[0] in bases and bases[s[0]] <= at < bases[s[0]] + s[3])
        off = at - bases[idx]
        near = [(value, sym) for sym, typ, _, ndx, _, value in syms
                if sym and typ != "SECTION" and ndx == str(idx) and value <= off]
        where = f"{name}+{off:#x}"
        if near:
            value, sym = max(near)
            where += f" ({sym}+{off - value:#x})"
        notes = []
        if relocated.intersection(range(at, m.end())):
            notes.append("with bytes a relocation writes")
        if off + 4 > size:
            notes.append("runs into the next section")
        note = f" ({', '.join(notes)})" if notes else ""
        errors.append(f"endbr-pattern: {ENDBR_NAME[m.group()]} bytes {m.group().hex(' ')} "
                      f"at {where}{note}")
    return errors


def check(path, budget):
    errors = []
    secs = sections(path)
    alloc = [s for s in secs if "A" in s[4]]
    text = [s for s in alloc if "X" in s[4]]

    for _, name, typ, _, flags, _ in alloc:
        if not name.startswith(PREFIX):
            errors.append(f"foreign-section: section {name} is not {PREFIX}*")
        if "W" in flags:
            errors.append(f"writable-section: section {name} is writable")
        if typ == "NOBITS":
            errors.append(f"zero-fill-section: section {name} is zero-fill (NOBITS)")
        if "T" in flags:
            errors.append(f"tls-section: section {name} is thread-local")

    syms = symbols(path)
    defined = set()
    entry_ok = False
    for name, typ, bind, ndx, _, _ in syms:
        if not name:
            continue
        if ndx == "UND":
            errors.append(f"undefined-symbol: symbol {name} is undefined")
            continue
        if ndx != "ABS":
            defined.add(name)
        if PANIC_SYMBOL.search(name):
            errors.append(f"panic-path: symbol {name} is a core panic/fmt path")
        if name == ENTRY and bind == "GLOBAL" and typ in ("FUNC", "NOTYPE"):
            entry_ok = True
    if not entry_ok:
        errors.append(f"missing-entry: no global {ENTRY} symbol")
    sec_names = {s[1] for s in secs}

    relocs = relocations(path)
    nrelocs = 0
    for sec, typ, sym, _, _, _ in relocs:
        nrelocs += 1
        where = f"in {sec} against {sym or '(none)'}"
        if TLS_BASED.search(typ):
            errors.append(f"absolute-relocation: {typ} {where} (thread-local)")
        elif GOT_BASED.search(typ):
            errors.append(f"got-relocation: {typ} {where}")
        elif typ not in PC_RELATIVE:
            errors.append(f"absolute-relocation: {typ} {where}")
        elif sym and sym not in defined and sym not in sec_names:
            errors.append(f"relocation-target: {typ} {where}: target not defined in the payload")

    for sec, func, mnemonic, operands, raw in instructions(path, [s[1] for s in text]):
        at = f"in {func} ({sec}): {raw}"
        if mnemonic == "(bad)":
            errors.append(f"undecodable: {at}")
        elif X87_OR_SIMD_MNEMONIC.match(mnemonic) or SIMD_REGISTER.search(operands) or mnemonic.startswith("v"):
            errors.append(f"fpu-simd-instruction: {at}")
        if mnemonic in SEGMENT_BASE_MNEMONIC or FS_GS_OPERAND.search(operands):
            errors.append(f"fs-gs-access: {at}")

    errors += endbr_patterns(path, alloc, syms, relocs)

    text_bytes = sum(s[3] for s in text)
    rodata_bytes = sum(s[3] for s in alloc if "X" not in s[4])
    if text_bytes + rodata_bytes > budget:
        errors.append(f"size-budget: {text_bytes + rodata_bytes} bytes exceed the budget of {budget}")

    nsyms = sum(1 for s in syms if s[0])
    return errors, text_bytes, rodata_bytes, nsyms, nrelocs


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("object")
    ap.add_argument("--budget", type=int, default=DEFAULT_BUDGET,
                    help=f"maximum text+rodata bytes (default {DEFAULT_BUDGET})")
    args = ap.parse_args()
    errors, text, rodata, nsyms, nrelocs = check(args.object, args.budget)
    if errors:
        for e in errors:
            print(f"check-payload: {args.object}: {e}", file=sys.stderr)
        print(f"check-payload: {args.object}: REJECTED ({len(errors)} violation(s))", file=sys.stderr)
        return 1
    print(f"payload: OK text={text} rodata={rodata} total={text + rodata}/{args.budget} bytes "
          f"symbols={nsyms} relocations={nrelocs} ({args.object})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
