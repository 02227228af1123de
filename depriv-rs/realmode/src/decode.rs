//! Instruction decoding for 16/32-bit code: prefixes, opcode, ModRM/SIB,
//! displacement and immediates, in the order Xen's `x86_decode()` fetches
//! them (each field is its own `insn_fetch`, so a fault on a later byte is
//! reported exactly as Xen reports it).

use crate::ops::{Fault, Ops};
use crate::state::{CpuState, Event, Seg, EXC_GP};

/// Operand descriptor bits, the same vocabulary as x86_emulate.c's
/// opcode tables (ByteOp, Dst*, Src*, ModRM, Mov).
pub(crate) mod desc {
    pub const BYTE_OP: u16 = 1 << 0;
    pub const DST_NONE: u16 = 0 << 1;
    pub const DST_BITBASE: u16 = 1 << 1;
    pub const DST_REG: u16 = 2 << 1;
    pub const DST_MEM: u16 = 3 << 1;
    pub const DST_MASK: u16 = 3 << 1;
    pub const SRC_NONE: u16 = 0 << 3;
    pub const SRC_REG: u16 = 1 << 3;
    pub const SRC_MEM: u16 = 2 << 3;
    pub const SRC_MEM16: u16 = 3 << 3;
    pub const SRC_IMM: u16 = 4 << 3;
    pub const SRC_IMMBYTE: u16 = 5 << 3;
    pub const SRC_IMM16: u16 = 6 << 3;
    pub const SRC_MASK: u16 = 7 << 3;
    pub const MODRM: u16 = 1 << 6;
    pub const MOV: u16 = 1 << 7;
    /// Opcode not known to the decoder at all.
    pub const UNKNOWN: u16 = 1 << 8;
    /// Delegated to Xen's x86_emulate() (see [`crate::delegated`]) as soon
    /// as the opcode is known.
    pub const DELEGATE: u16 = 1 << 9;
    /// Delegated by its ModRM byte (Grp7, Grp15): the instruction is
    /// decoded in full, then delegated before any operand work (whose
    /// order x86_emulate() varies per prefix: F3 0f ae reads its operand
    /// before the LOCK check).
    pub const DELEGATE_MODRM: u16 = 1 << 10;
    /// Table entries only: decode() adjusts this opcode's operands (see
    /// `has_fixup()`); never in a Decoded's `desc`.
    pub const FIXUP: u16 = 1 << 11;
    pub const IMPLICIT: u16 = DST_NONE | SRC_NONE;
}
use desc::*;

/// The operand forms of the ALU rows (00-05, 08-0d, ..., 38-3d) by the
/// opcode's low three bits.
const fn alu_row(low: u8) -> u16 {
    match low {
        0 => BYTE_OP | DST_MEM | SRC_REG | MODRM,
        1 => DST_MEM | SRC_REG | MODRM,
        2 => BYTE_OP | DST_REG | SRC_MEM | MODRM,
        3 => DST_REG | SRC_MEM | MODRM,
        4 => BYTE_OP | DST_REG | SRC_IMM,
        _ => DST_REG | SRC_IMM,
    }
}

/// A 256-entry table of a descriptor function, built at compile time, so
/// that decoding an opcode is one load (as x86_emulate's tables are).
macro_rules! desc_table {
    ($f:ident) => {{
        let mut t = [0u16; 256];
        let mut rest: &mut [u16] = &mut t;
        let mut b = 0u8;
        while let [entry, tail @ ..] = rest {
            *entry = $f(b);
            b = b.wrapping_add(1);
            rest = tail;
        }
        t
    }};
}

static ONEBYTE: [u16; 256] = desc_table!(onebyte_entry);
static TWOBYTE: [u16; 256] = desc_table!(twobyte_entry);

/// The opcodes whose operands decode() adjusts beyond the table (its two
/// `match opcode` blocks: x86_decode()'s early adjustments and those of
/// x86_decode_onebyte()/x86_decode_twobyte()); the others skip them.
const fn has_fixup(opcode: u16) -> bool {
    matches!(
        opcode,
        0x80..=0x83
            | 0x9a
            | 0xea
            | 0xa0..=0xa3
            | 0xc8
            | 0xf6
            | 0xf7
            | 0xff
            | 0x100
            | 0x101
            | 0x1ae
            | 0x120..=0x123
    )
}

const fn onebyte_entry(b: u8) -> u16 {
    onebyte_desc_of(b) | if has_fixup(b as u16) { FIXUP } else { 0 }
}

const fn twobyte_entry(b: u8) -> u16 {
    twobyte_desc_or_delegate(b)
        | if has_fixup(0x100 | b as u16) {
            FIXUP
        } else {
            0
        }
}

/// [`twobyte_desc_of`], or DELEGATE for the opcodes delegated as such (0f
/// 01 and 0f ae go by their ModRM byte, SYSCALL/SYSRET after their checks).
const fn twobyte_desc_or_delegate(b: u8) -> u16 {
    if !matches!(b, 0x01 | 0x05 | 0x07 | 0xae) && crate::delegated(0x000f_0000 | b as u32, 0) {
        DELEGATE
    } else {
        twobyte_desc_of(b)
    }
}

/// One-byte opcode descriptor (from the table built from
/// [`onebyte_desc_of`]), with FIXUP.
pub(crate) fn onebyte_desc(b: u8) -> u16 {
    ONEBYTE.get(usize::from(b)).copied().unwrap_or(UNKNOWN)
}

/// Two-byte (0x0f xx) opcode descriptor (from the table built from
/// [`twobyte_desc_or_delegate`]), with FIXUP.
pub(crate) fn twobyte_desc(b: u8) -> u16 {
    TWOBYTE.get(usize::from(b)).copied().unwrap_or(UNKNOWN)
}

/// One-byte opcode descriptors (operand forms from the Intel SDM opcode
/// map, vol. 2 appendix A; same classification as x86_emulate's table).
const fn onebyte_desc_of(b: u8) -> u16 {
    match b {
        0x00..=0x3f => match b & 7 {
            0..=5 => {
                // cmp (0x38/0x39) is DstReg|SrcMem in Xen: it never writes.
                if b == 0x38 {
                    BYTE_OP | DST_REG | SRC_MEM | MODRM
                } else if b == 0x39 {
                    DST_REG | SRC_MEM | MODRM
                } else {
                    alu_row(b & 7)
                }
            }
            6 => match b {
                0x06 | 0x0e | 0x16 | 0x1e => IMPLICIT | MOV,
                0x26 | 0x2e | 0x36 | 0x3e => UNKNOWN, // prefixes, never reached
                _ => UNKNOWN,
            },
            _ => match b {
                0x07 | 0x17 | 0x1f => IMPLICIT | MOV,
                0x27 | 0x2f | 0x37 | 0x3f => IMPLICIT,
                _ => UNKNOWN, // 0x0f handled by the caller
            },
        },
        0x40..=0x4f => IMPLICIT,
        0x50..=0x5f => IMPLICIT | MOV,
        0x60 | 0x61 => IMPLICIT,
        0x62 => DST_REG | SRC_MEM | MODRM,
        0x63 => DST_REG | SRC_NONE | MODRM | MOV,
        0x68 => SRC_IMM | MOV,
        0x69 => DST_REG | SRC_IMM | MODRM | MOV,
        0x6a => SRC_IMMBYTE | MOV,
        0x6b => DST_REG | SRC_IMMBYTE | MODRM | MOV,
        0x6c..=0x6f => IMPLICIT | MOV,
        0x70..=0x7f => SRC_IMMBYTE,
        0x80 => BYTE_OP | DST_MEM | SRC_IMM | MODRM,
        0x81 => DST_MEM | SRC_IMM | MODRM,
        0x82 => BYTE_OP | DST_MEM | SRC_IMM | MODRM,
        0x83 => DST_MEM | SRC_IMMBYTE | MODRM,
        0x84 => BYTE_OP | DST_REG | SRC_MEM | MODRM,
        0x85 => DST_REG | SRC_MEM | MODRM,
        0x86 => BYTE_OP | DST_MEM | SRC_REG | MODRM,
        0x87 => DST_MEM | SRC_REG | MODRM,
        0x88 => BYTE_OP | DST_MEM | SRC_REG | MODRM | MOV,
        0x89 => DST_MEM | SRC_REG | MODRM | MOV,
        0x8a => BYTE_OP | DST_REG | SRC_MEM | MODRM | MOV,
        0x8b => DST_REG | SRC_MEM | MODRM | MOV,
        0x8c => DST_MEM | SRC_REG | MODRM | MOV,
        0x8d => DST_REG | SRC_NONE | MODRM,
        0x8e => DST_REG | SRC_MEM16 | MODRM | MOV,
        0x8f => DST_MEM | SRC_NONE | MODRM | MOV,
        0x90..=0x97 => SRC_REG,
        0x98..=0x9b => IMPLICIT,
        0x9c | 0x9d => IMPLICIT | MOV,
        0x9e | 0x9f => IMPLICIT,
        0xa0 => BYTE_OP | DST_REG | SRC_MEM | MOV,
        0xa1 => DST_REG | SRC_MEM | MOV,
        0xa2 => BYTE_OP | DST_MEM | SRC_REG | MOV,
        0xa3 => DST_MEM | SRC_REG | MOV,
        0xa4 => BYTE_OP | IMPLICIT | MOV,
        0xa5 => IMPLICIT | MOV,
        0xa6 => BYTE_OP | IMPLICIT,
        0xa7 => IMPLICIT,
        0xa8 => BYTE_OP | DST_REG | SRC_IMM,
        0xa9 => DST_REG | SRC_IMM,
        0xaa => BYTE_OP | SRC_REG | MOV,
        0xab => SRC_REG | MOV,
        0xac => BYTE_OP | DST_REG | MOV,
        0xad => DST_REG | MOV,
        0xae => BYTE_OP | SRC_REG,
        0xaf => SRC_REG,
        0xb0..=0xb7 => BYTE_OP | DST_REG | SRC_IMM | MOV,
        0xb8..=0xbf => DST_REG | SRC_IMM | MOV,
        0xc0 => BYTE_OP | DST_MEM | SRC_IMM | MODRM,
        0xc1 => DST_MEM | SRC_IMMBYTE | MODRM,
        0xc2 => SRC_IMM16,
        0xc3 => IMPLICIT,
        0xc4 | 0xc5 => DST_REG | SRC_MEM | MODRM | MOV,
        0xc6 => BYTE_OP | DST_MEM | SRC_IMM | MODRM | MOV,
        0xc7 => DST_MEM | SRC_IMM | MODRM | MOV,
        0xc8 => SRC_IMM16,
        0xc9 => IMPLICIT,
        0xca => SRC_IMM16,
        0xcb | 0xcc => IMPLICIT,
        0xcd => SRC_IMMBYTE,
        0xce | 0xcf => IMPLICIT,
        0xd0 => BYTE_OP | DST_MEM | SRC_NONE | MODRM,
        0xd1 => DST_MEM | SRC_NONE | MODRM,
        0xd2 => BYTE_OP | DST_MEM | SRC_NONE | MODRM,
        0xd3 => DST_MEM | SRC_NONE | MODRM,
        0xd4 | 0xd5 => SRC_IMMBYTE,
        0xd6 | 0xd7 => IMPLICIT,
        // x87: x86_emulate()'s operand forms (only FIADD & co. at 0xde read
        // a memory source before get_fpu()); then delegated.
        0xde => SRC_MEM16 | MODRM,
        0xd8..=0xdf => IMPLICIT | MODRM,
        0xe0..=0xe3 => SRC_IMMBYTE,
        0xe4 | 0xe5 => DST_REG | SRC_IMMBYTE,
        0xe6 | 0xe7 => SRC_IMMBYTE,
        0xe8 => SRC_IMM | MOV,
        0xe9 => SRC_IMM,
        0xea => IMPLICIT,
        0xeb => SRC_IMMBYTE,
        0xec | 0xed => DST_REG,
        0xee | 0xef => IMPLICIT,
        0xf1 => IMPLICIT,
        0xf4 | 0xf5 => IMPLICIT,
        0xf6 => BYTE_OP | MODRM,
        0xf7 => MODRM,
        0xf8..=0xfd => IMPLICIT,
        0xfe => BYTE_OP | DST_MEM | SRC_NONE | MODRM,
        0xff => DST_MEM | SRC_NONE | MODRM,
        _ => UNKNOWN,
    }
}

/// Two-byte (0x0f xx) opcode descriptors for the integer instructions
/// this emulator knows.
const fn twobyte_desc_of(b: u8) -> u16 {
    match b {
        0x00 => MODRM,
        0x01 => IMPLICIT | MODRM,
        0x02 | 0x03 => DST_REG | SRC_MEM16 | MODRM,
        0x06 => IMPLICIT,
        0x0b => IMPLICIT,
        0x0d => IMPLICIT | MODRM,
        0xae => IMPLICIT | MODRM,
        // Nothing x86_emulate() implements (its table: no operands).
        0x04 | 0x0a | 0x0c | 0x24..=0x27 | 0x36 | 0x39 | 0x3b..=0x3f => IMPLICIT,
        // SYSCALL, SYSRET, RDPMC, SYSENTER, SYSEXIT, GETSEC, RSM.
        0x05 | 0x07 | 0x33..=0x35 | 0x37 | 0xaa => IMPLICIT,
        // Grp9 (CMPXCHG8B, RDRAND, RDSEED, RDPID)
        0xc7 => IMPLICIT | MODRM,
        0xa6 | 0xa7 => MODRM,
        // JMPE / POPCNT
        0xb8 => DST_REG | SRC_MEM | MODRM,
        // MOVNTI
        0xc3 => DST_MEM | SRC_REG | MODRM | MOV,
        0x18..=0x1f => IMPLICIT | MODRM,
        0x20 | 0x21 => DST_MEM | SRC_NONE | MODRM,
        0x22 | 0x23 => SRC_MEM | MODRM,
        0x30..=0x32 => IMPLICIT,
        0x40..=0x4f => DST_REG | SRC_MEM | MODRM | MOV,
        0x80..=0x8f => SRC_IMM,
        0x90..=0x9f => BYTE_OP | DST_MEM | SRC_NONE | MODRM | MOV,
        0xa0 | 0xa1 => IMPLICIT | MOV,
        0xa2 => IMPLICIT,
        0xa3 => DST_BITBASE | SRC_REG | MODRM,
        0xa4 => DST_MEM | SRC_IMMBYTE | MODRM,
        0xa5 => DST_MEM | SRC_REG | MODRM,
        0xa8 | 0xa9 => IMPLICIT | MOV,
        0xab => DST_BITBASE | SRC_REG | MODRM,
        0xac => DST_MEM | SRC_IMMBYTE | MODRM,
        0xad => DST_MEM | SRC_REG | MODRM,
        0xaf => DST_REG | SRC_MEM | MODRM,
        0xb0 => BYTE_OP | DST_MEM | SRC_REG | MODRM,
        0xb1 => DST_MEM | SRC_REG | MODRM,
        0xb2 => DST_REG | SRC_MEM | MODRM | MOV,
        0xb3 => DST_BITBASE | SRC_REG | MODRM,
        0xb4 | 0xb5 => DST_REG | SRC_MEM | MODRM | MOV,
        0xb6 => BYTE_OP | DST_REG | SRC_MEM | MODRM | MOV,
        0xb7 => DST_REG | SRC_MEM16 | MODRM | MOV,
        0xba => DST_BITBASE | SRC_IMMBYTE | MODRM,
        0xbb => DST_BITBASE | SRC_REG | MODRM,
        0xbc | 0xbd => DST_REG | SRC_MEM | MODRM,
        0xbe => BYTE_OP | DST_REG | SRC_MEM | MODRM | MOV,
        0xbf => DST_REG | SRC_MEM16 | MODRM | MOV,
        0xc0 => BYTE_OP | DST_MEM | SRC_REG | MODRM,
        0xc1 => DST_MEM | SRC_REG | MODRM,
        0xb9 | 0xff => MODRM,
        0xc8..=0xcf => IMPLICIT,
        _ => UNKNOWN,
    }
}

/// REP prefix in effect (the last of F2/F3 wins, as in Xen's vex.pfx).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Rep {
    None,
    Repe,
    Repne,
}

/// A decoded memory operand: segment and truncated offset.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Mem {
    pub seg: Seg,
    pub off: u64,
}

#[derive(Clone, Copy, Debug)]
pub(crate) struct Decoded {
    /// Opcode: 0x00-0xff one-byte, 0x100 | b for 0x0f b.
    pub opcode: u16,
    pub desc: u16,
    pub op_bytes: u8,
    pub ad_bytes: u8,
    pub lock: bool,
    pub rep: Rep,
    pub modrm: u8,
    pub modrm_mod: u8,
    pub modrm_reg: u8,
    pub modrm_rm: u8,
    /// Effective address; `is_mem` false means the ModRM r/m is a register.
    pub ea: Mem,
    pub is_mem: bool,
    pub imm1: u64,
    pub imm2: u64,
    /// Offset of the next instruction (Xen's state->ip), untruncated.
    pub ip: u64,
}

impl Decoded {
    /// Nothing decoded yet.
    pub const NONE: Decoded = Decoded::bare(0, UNKNOWN, false, Rep::None, 2, 2);

    /// An instruction delegated to Xen as soon as its opcode was read.
    fn delegated(opcode: u16, lock: bool, rep: Rep, op_bytes: u8, ad_bytes: u8, ip: u64) -> Self {
        Decoded {
            ip,
            ..Self::bare(opcode, DELEGATE, lock, rep, op_bytes, ad_bytes)
        }
    }

    /// The opcode and its prefixes, before any ModRM, operand or immediate.
    const fn bare(
        opcode: u16,
        desc: u16,
        lock: bool,
        rep: Rep,
        op_bytes: u8,
        ad_bytes: u8,
    ) -> Self {
        Decoded {
            opcode,
            desc,
            op_bytes,
            ad_bytes,
            lock,
            rep,
            modrm: 0,
            modrm_mod: 0xff,
            modrm_reg: 0,
            modrm_rm: 0,
            ea: Mem {
                seg: Seg::Ds,
                off: 0,
            },
            is_mem: false,
            imm1: 0,
            imm2: 0,
            ip: 0,
        }
    }

    /// The instruction's prefix as Xen's `vex.pfx` has it in legacy
    /// encoding: the last of F2/F3, else 66, else none.
    pub fn has_simd_prefix(&self, def_op_bytes: u8) -> bool {
        self.rep != Rep::None || self.op_bytes != def_op_bytes
    }
}

/// Xen's MAX_INST_LEN.
pub(crate) const MAX_INST_LEN: u64 = 15;

pub(crate) struct Fetcher {
    pub start: u64,
    pub ip: u64,
}

impl Fetcher {
    /// Xen's `insn_fetch_bytes()`: the length check comes before the fetch.
    pub fn bytes<O: Ops>(&mut self, ops: &mut O, n: usize) -> Result<u64, Fault> {
        let at = self.ip;
        self.ip = self.ip.wrapping_add(n as u64);
        if (self.ip.wrapping_sub(self.start) & 0xff) > MAX_INST_LEN {
            return Err(Fault::Exception(Event::hw(EXC_GP, Some(0))));
        }
        let mut buf = [0u8; 4];
        let b = buf.get_mut(..n.min(4)).ok_or(Fault::Unhandleable)?;
        ops.insn_fetch(at, b)?;
        Ok(u64::from(u32::from_le_bytes(buf)))
    }
    pub fn u8<O: Ops>(&mut self, ops: &mut O) -> Result<u8, Fault> {
        Ok(self.bytes(ops, 1)? as u8)
    }
    pub fn i8<O: Ops>(&mut self, ops: &mut O) -> Result<u64, Fault> {
        Ok(self.bytes(ops, 1)? as u8 as i8 as i64 as u64)
    }
    pub fn i16<O: Ops>(&mut self, ops: &mut O) -> Result<u64, Fault> {
        Ok(self.bytes(ops, 2)? as u16 as i16 as i64 as u64)
    }
    pub fn i32<O: Ops>(&mut self, ops: &mut O) -> Result<u64, Fault> {
        Ok(self.bytes(ops, 4)? as u32 as i32 as i64 as u64)
    }
}

pub(crate) fn truncate(v: u64, bytes: u8) -> u64 {
    match bytes {
        1 => v & 0xff,
        2 => v & 0xffff,
        4 => v & 0xffff_ffff,
        _ => v,
    }
}

/// Decode one instruction (Xen's `x86_decode()` + `x86_decode_onebyte()`
/// / `x86_decode_twobyte()` restricted to real mode).
///
/// The result goes to `dec` (in place: the emulator's own copy), valid
/// only when Ok is returned.
pub(crate) fn decode<O: Ops>(regs: &CpuState, ops: &mut O, dec: &mut Decoded) -> Result<(), Fault> {
    let start = u64::from(regs.eip);
    let mut f = Fetcher { start, ip: start };
    let def = if regs.addr_size == 32 { 4u8 } else { 2u8 };
    let mut op_bytes = def;
    let mut ad_bytes = def;
    let mut override_seg: Option<Seg> = None;
    let mut lock = false;
    let mut rep = Rep::None;

    let mut b;
    loop {
        b = f.u8(ops)?;
        match b {
            0x66 => op_bytes = def ^ 6,
            0x67 => ad_bytes = def ^ 6,
            0x2e => override_seg = Some(Seg::Cs),
            0x3e => override_seg = Some(Seg::Ds),
            0x26 => override_seg = Some(Seg::Es),
            0x64 => override_seg = Some(Seg::Fs),
            0x65 => override_seg = Some(Seg::Gs),
            0x36 => override_seg = Some(Seg::Ss),
            0xf0 => lock = true,
            0xf2 => rep = Rep::Repne,
            0xf3 => rep = Rep::Repe,
            _ => break,
        }
    }

    let (opcode, mut d) = if b == 0x0f {
        let b2 = f.u8(ops)?;
        if b2 == 0x38 || b2 == 0x3a {
            let b3 = f.u8(ops)?;
            // All of them are delegated (crate::delegated()).
            let xop = if b2 == 0x38 { 0x0f38_0000 } else { 0x0f3a_0000 };
            if crate::delegated(xop | u32::from(b3), 0) {
                *dec = Decoded::delegated(u16::from(b3), lock, rep, op_bytes, ad_bytes, f.ip);
                return Ok(());
            }
            return Err(Fault::Unhandleable);
        }
        // SIMD/FPU state (0f 01 and 0f ae: by their ModRM byte, later;
        // SYSCALL/SYSRET after their checks).
        let d2 = twobyte_desc(b2);
        if d2 & DELEGATE != 0 {
            *dec = Decoded::delegated(0x100 | u16::from(b2), lock, rep, op_bytes, ad_bytes, f.ip);
            return Ok(());
        }
        (0x100 | u16::from(b2), d2)
    } else {
        (u16::from(b), onebyte_desc(b))
    };
    if d & UNKNOWN != 0 {
        return Err(Fault::Unhandleable);
    }
    let fixup = d & FIXUP != 0;
    d &= !FIXUP;

    *dec = Decoded::bare(opcode, d, lock, rep, op_bytes, ad_bytes);

    if d & MODRM != 0 {
        let modrm = f.u8(ops)?;
        dec.modrm = modrm;
        dec.modrm_mod = modrm >> 6;
        dec.modrm_reg = (modrm >> 3) & 7;
        dec.modrm_rm = modrm & 7;
        d &= !MODRM;

        // Early operand adjustments (x86_decode()).
        match opcode {
            _ if !fixup => {}
            0xf6 | 0xf7 => {
                d |= match dec.modrm_reg {
                    0 | 1 => DST_MEM | SRC_IMM,
                    2 | 3 => DST_MEM,
                    _ => DST_REG | SRC_MEM,
                };
            }
            // MOV to/from CRn/DRn ignore Mod: always register form.
            0x120..=0x123 => dec.modrm_mod = 3,
            _ => {}
        }

        if dec.modrm_mod == 3 {
            dec.is_mem = false;
        } else if ad_bytes == 2 {
            dec.is_mem = true;
            let bx = u64::from(regs.reg(3) & 0xffff);
            let bp = u64::from(regs.reg(5) & 0xffff);
            let si = u64::from(regs.reg(6) & 0xffff);
            let di = u64::from(regs.reg(7) & 0xffff);
            let mut off = match dec.modrm_rm {
                0 => bx.wrapping_add(si),
                1 => bx.wrapping_add(di),
                2 => {
                    dec.ea.seg = Seg::Ss;
                    bp.wrapping_add(si)
                }
                3 => {
                    dec.ea.seg = Seg::Ss;
                    bp.wrapping_add(di)
                }
                4 => si,
                5 => di,
                6 => {
                    if dec.modrm_mod == 0 {
                        0
                    } else {
                        dec.ea.seg = Seg::Ss;
                        bp
                    }
                }
                _ => bx,
            };
            match dec.modrm_mod {
                0 => {
                    if dec.modrm_rm == 6 {
                        off = f.i16(ops)?;
                    }
                }
                1 => off = off.wrapping_add(f.i8(ops)?),
                _ => off = off.wrapping_add(f.i16(ops)?),
            }
            dec.ea.off = off;
        } else {
            dec.is_mem = true;
            let mut off: u64 = 0;
            if dec.modrm_rm == 4 {
                let sib = f.u8(ops)?;
                let base = sib & 7;
                let index = (sib >> 3) & 7;
                let scale = (sib >> 6) & 3;
                if index != 4 {
                    off = u64::from(regs.reg(usize::from(index))) << scale;
                }
                if dec.modrm_mod == 0 && base == 5 {
                    off = off.wrapping_add(f.i32(ops)?);
                } else if base == 4 {
                    dec.ea.seg = Seg::Ss;
                    off = off.wrapping_add(u64::from(regs.reg(4)));
                    // POP r/m computes its EA after the increment.
                    if opcode == 0x8f {
                        off = off.wrapping_add(u64::from(op_bytes));
                    }
                } else if base == 5 {
                    dec.ea.seg = Seg::Ss;
                    off = off.wrapping_add(u64::from(regs.reg(5)));
                } else {
                    off = off.wrapping_add(u64::from(regs.reg(usize::from(base))));
                }
            } else {
                off = u64::from(regs.reg(usize::from(dec.modrm_rm)));
                if dec.modrm_rm == 5 && dec.modrm_mod != 0 {
                    dec.ea.seg = Seg::Ss;
                }
            }
            match dec.modrm_mod {
                0 => {
                    if dec.modrm_rm == 5 {
                        off = f.i32(ops)?;
                    }
                }
                1 => off = off.wrapping_add(f.i8(ops)?),
                _ => off = off.wrapping_add(f.i32(ops)?),
            }
            dec.ea.off = off;
        }
    }

    if let Some(s) = override_seg {
        dec.ea.seg = s;
    }

    // Immediate operand (sign-extended as necessary).
    match d & SRC_MASK {
        SRC_IMM => {
            dec.imm1 = if d & BYTE_OP != 0 {
                f.i8(ops)?
            } else if op_bytes == 2 {
                f.i16(ops)?
            } else {
                f.i32(ops)?
            };
        }
        SRC_IMMBYTE => dec.imm1 = f.i8(ops)?,
        SRC_IMM16 => dec.imm1 = f.bytes(ops, 2)? & 0xffff,
        _ => {}
    }

    // x86_decode_onebyte() / x86_decode_twobyte() adjustments.
    match opcode {
        _ if !fixup => {}
        0x80..=0x83 if dec.modrm_reg == 7 => d = (d & BYTE_OP) | DST_NONE | SRC_MEM,
        0x9a | 0xea => {
            dec.imm1 = f.bytes(ops, usize::from(op_bytes))?;
            dec.imm2 = f.bytes(ops, 2)? & 0xffff;
        }
        0xa0..=0xa3 => {
            dec.is_mem = true;
            dec.ea.off = f.bytes(ops, usize::from(ad_bytes))?;
        }
        0xc8 => dec.imm2 = u64::from(f.u8(ops)?),
        0xf6 | 0xf7 if dec.modrm_reg & 6 == 0 => d = (d & BYTE_OP) | DST_NONE | SRC_MEM,
        0xff if (2..=6).contains(&dec.modrm_reg) => d = DST_NONE | SRC_MEM | MOV,
        0x100 => match dec.modrm_reg & 6 {
            0 => d |= DST_MEM | SRC_NONE | MOV,
            2 | 4 => d |= SRC_MEM16,
            _ => {}
        },
        0x101 | 0x1ae if crate::delegated(0x000f_0000 | u32::from(opcode & 0xff), dec.modrm) => {
            d |= DELEGATE_MODRM;
        }
        0x120 | 0x122 => {
            // LOCK MOV CRn means CR8 on CPUs with AltMovCr8 (AMD's
            // cr8_legacy), #UD elsewhere: depends on the guest's CPU
            // policy, which we don't know.
            if lock {
                if ops.features() & crate::ops::features::CR8_LEGACY != 0 {
                    return Err(Fault::Unhandleable);
                }
                return Err(Fault::Exception(Event::hw(crate::state::EXC_UD, None)));
            }
            dec.op_bytes = 4;
        }
        0x121 | 0x123 => {
            if lock {
                return Err(Fault::Exception(Event::hw(crate::state::EXC_UD, None)));
            }
            dec.op_bytes = 4;
        }
        _ => {}
    }

    if dec.is_mem {
        dec.ea.off = truncate(dec.ea.off, ad_bytes);
    }
    dec.desc = d;
    dec.ip = f.ip;
    Ok(())
}
