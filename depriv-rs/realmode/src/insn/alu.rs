//! ADD/OR/ADC/SBB/AND/SUB/XOR/CMP/TEST, INC/DEC/NEG/NOT: results and the
//! six status flags exactly as the CPU computes them (x86_emulate runs
//! these on the host CPU via emulate_2op_SrcV()/emulate_1op()).

use crate::state::eflags::{AF, ARITH, CF, OF, PF, SF, ZF};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum AluOp {
    Add,
    Or,
    Adc,
    Sbb,
    And,
    Sub,
    Xor,
    Cmp,
    Test,
}

impl AluOp {
    /// Operation selected by ModRM.reg in Grp1 and by bits 5:3 of 0x00-0x3d.
    pub(crate) fn from_index(n: u8) -> AluOp {
        match n & 7 {
            0 => AluOp::Add,
            1 => AluOp::Or,
            2 => AluOp::Adc,
            3 => AluOp::Sbb,
            4 => AluOp::And,
            5 => AluOp::Sub,
            6 => AluOp::Xor,
            _ => AluOp::Cmp,
        }
    }
}

pub(crate) fn mask(bytes: u8) -> u64 {
    match bytes {
        1 => 0xff,
        2 => 0xffff,
        4 => 0xffff_ffff,
        _ => u64::MAX,
    }
}

pub(crate) fn sign(bytes: u8) -> u64 {
    match bytes {
        1 => 0x80,
        2 => 0x8000,
        4 => 0x8000_0000,
        _ => 1 << 63,
    }
}

/// PF: even parity of the low byte (SDM vol. 1, 3.4.3.1).
pub(crate) fn parity(v: u64) -> u32 {
    if (v as u8).count_ones().is_multiple_of(2) {
        PF
    } else {
        0
    }
}

/// SF, ZF and PF of a result.
pub(crate) fn szp(res: u64, bytes: u8) -> u32 {
    let r = res & mask(bytes);
    let mut f = parity(r);
    if r == 0 {
        f |= ZF;
    }
    if r & sign(bytes) != 0 {
        f |= SF;
    }
    f
}

/// `dst op src` on `bytes`-wide operands; returns the (masked) result and
/// the new EFLAGS (only the arithmetic flags change).
pub(crate) fn alu2(op: AluOp, dst: u64, src: u64, bytes: u8, fl: u32) -> (u64, u32) {
    let m = mask(bytes);
    let s = sign(bytes);
    let (d, v) = (dst & m, src & m);
    let cin = u64::from(fl & CF != 0);
    let mut f = 0u32;
    let r = match op {
        AluOp::Add | AluOp::Adc => {
            let c = if op == AluOp::Adc { cin } else { 0 };
            let wide = d.wrapping_add(v).wrapping_add(c);
            let r = wide & m;
            if wide > m || (bytes == 8 && (r < d || (c == 1 && r == d))) {
                f |= CF;
            }
            if (d ^ r) & (v ^ r) & s != 0 {
                f |= OF;
            }
            if (d ^ v ^ r) & 0x10 != 0 {
                f |= AF;
            }
            r
        }
        AluOp::Sub | AluOp::Sbb | AluOp::Cmp => {
            let c = if op == AluOp::Sbb { cin } else { 0 };
            let r = d.wrapping_sub(v).wrapping_sub(c) & m;
            if u128::from(d) < u128::from(v) + u128::from(c) {
                f |= CF;
            }
            if (d ^ v) & (d ^ r) & s != 0 {
                f |= OF;
            }
            if (d ^ v ^ r) & 0x10 != 0 {
                f |= AF;
            }
            r
        }
        AluOp::Or => d | v,
        AluOp::And | AluOp::Test => d & v,
        AluOp::Xor => d ^ v,
    };
    f |= szp(r, bytes);
    (r, (fl & !ARITH) | f)
}

/// INC/DEC: like ADD/SUB 1 but CF is preserved.
pub(crate) fn incdec(dec: bool, dst: u64, bytes: u8, fl: u32) -> (u64, u32) {
    let op = if dec { AluOp::Sub } else { AluOp::Add };
    let (r, f) = alu2(op, dst, 1, bytes, fl);
    (r, (f & !CF) | (fl & CF))
}

/// NEG: 0 - dst; CF set unless the operand was zero.
pub(crate) fn neg(dst: u64, bytes: u8, fl: u32) -> (u64, u32) {
    alu2(AluOp::Sub, 0, dst, bytes, fl)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn add_flags_8bit() {
        assert_eq!(alu2(AluOp::Add, 0xff, 1, 1, 0), (0, CF | ZF | PF | AF));
        assert_eq!(alu2(AluOp::Add, 0x7f, 1, 1, 0), (0x80, OF | SF | AF));
        assert_eq!(alu2(AluOp::Adc, 0xff, 0, 1, CF), (0, CF | ZF | PF | AF));
    }

    #[test]
    fn sub_flags_16bit() {
        assert_eq!(alu2(AluOp::Sub, 0, 1, 2, 0), (0xffff, CF | SF | PF | AF));
        assert_eq!(alu2(AluOp::Sub, 0x8000, 1, 2, 0), (0x7fff, OF | PF | AF));
        assert_eq!(alu2(AluOp::Sbb, 5, 5, 2, CF), (0xffff, CF | SF | PF | AF));
    }

    #[test]
    fn inc_keeps_cf_neg_sets_it() {
        assert_eq!(incdec(false, 0xffff_ffff, 4, CF).1 & CF, CF);
        assert_eq!(neg(0, 2, CF).1 & CF, 0);
        assert_eq!(neg(1, 2, 0), (0xffff, CF | SF | PF | AF));
    }
}
