//! Grp2 shifts and rotates (ROL/ROR/RCL/RCR/SHL/SHR/SAR) and SHLD/SHRD,
//! with the count masking and flag rules of the Intel SDM (vol. 2B, SAL/
//! SAR/SHL/SHR, RCL/RCR/ROL/ROR, SHLD, SHRD). x86_emulate runs these on the
//! host CPU (emulate_2op_SrcB), so undefined flags follow the host; the
//! differential test masks them.

use super::alu::{mask, sign, szp};
use crate::state::eflags::{ARITH, CF, OF};

fn bits(bytes: u8) -> u32 {
    u32::from(bytes) * 8
}

/// Grp2 operation `kind` (ModRM.reg: 0 ROL 1 ROR 2 RCL 3 RCR 4/6 SHL 5 SHR 7 SAR).
pub(crate) fn grp2(kind: u8, dst: u64, count: u64, bytes: u8, fl: u32) -> (u64, u32) {
    let m = mask(bytes);
    let s = sign(bytes);
    let n = bits(bytes);
    let d = dst & m;
    let cnt = (count & 0x1f) as u32;
    if cnt == 0 {
        return (d, fl);
    }
    let msb = |v: u64| u64::from(v & s != 0);
    match kind & 7 {
        0 | 1 => {
            let c = cnt.checked_rem(n).unwrap_or(0);
            let r = if c == 0 {
                d
            } else if kind & 7 == 0 {
                ((d << c) | (d >> (n - c))) & m
            } else {
                ((d >> c) | (d << (n - c))) & m
            };
            let (cf, of) = if kind & 7 == 0 {
                let cf = r & 1;
                (cf, msb(r) ^ cf)
            } else {
                let cf = msb(r);
                (cf, msb(r) ^ (u64::from(r & (s >> 1) != 0)))
            };
            let mut f = fl & !(CF | OF);
            if cf != 0 {
                f |= CF;
            }
            if of != 0 {
                f |= OF;
            }
            (r, f)
        }
        2 | 3 => {
            let c = if bytes == 4 {
                cnt
            } else {
                cnt.checked_rem(n + 1).unwrap_or(0)
            };
            let mut r = d;
            let mut cf = u64::from(fl & CF != 0);
            let left = kind & 7 == 2;
            for _ in 0..c {
                if left {
                    let out = msb(r);
                    r = ((r << 1) | cf) & m;
                    cf = out;
                } else {
                    let out = r & 1;
                    r = (r >> 1) | (cf * s);
                    cf = out;
                }
            }
            let of = if left {
                msb(r) ^ cf
            } else {
                msb(r) ^ u64::from(r & (s >> 1) != 0)
            };
            let mut f = fl & !(CF | OF);
            if cf != 0 {
                f |= CF;
            }
            if of != 0 {
                f |= OF;
            }
            (r, f)
        }
        5 => {
            let r = (d >> cnt) & m;
            let cf = (d >> (cnt - 1)) & 1;
            let mut f = (fl & !ARITH) | szp(r, bytes);
            if cf != 0 {
                f |= CF;
            }
            if msb(d) != 0 {
                f |= OF;
            }
            (r, f)
        }
        7 => {
            let sx = if d & s != 0 { d | !m } else { d };
            let sh = cnt.min(63);
            let r = ((sx as i64) >> sh) as u64 & m;
            let cf = ((sx as i64) >> (sh - 1)) as u64 & 1;
            let mut f = (fl & !ARITH) | szp(r, bytes);
            if cf != 0 {
                f |= CF;
            }
            (r, f)
        }
        _ => {
            // SHL/SAL (4 and its alias 6).
            let wide = d << cnt;
            let r = wide & m;
            let cf = (d << (cnt - 1)) & s;
            let mut f = (fl & !ARITH) | szp(r, bytes);
            if cf != 0 {
                f |= CF;
            }
            if (msb(r) != 0) != (cf != 0) {
                f |= OF;
            }
            (r, f)
        }
    }
}

/// SHLD (left) / SHRD, computed as x86_emulate does in C: the count is
/// masked to the operand width (so 16-bit counts above 15 wrap), AF is
/// left alone, OF is "MSB changed", CF the last bit shifted out.
pub(crate) fn shxd(left: bool, dst: u64, src: u64, count: u64, bytes: u8, fl: u32) -> (u64, u32) {
    let m = mask(bytes);
    let width = bits(bytes);
    let d = dst & m;
    let v = src & m;
    let shift = (count as u32) & 0xff & (width - 1);
    if shift == 0 {
        return (d, fl);
    }
    let r = if left {
        ((d << shift) & m) | (v >> (width - shift))
    } else {
        (d >> shift) | ((v << (width - shift)) & m)
    };
    let mut f = fl
        & !(OF
            | crate::state::eflags::SF
            | crate::state::eflags::ZF
            | crate::state::eflags::PF
            | CF);
    let cfbit = if left { width - shift } else { shift - 1 };
    if (d >> cfbit) & 1 != 0 {
        f |= CF;
    }
    if ((r ^ d) >> (width - 1)) & 1 != 0 {
        f |= OF;
    }
    f |= szp(r, bytes);
    (r, f)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::eflags::{PF, ZF};

    #[test]
    fn shl_and_rcl() {
        assert_eq!(grp2(4, 0x81, 1, 1, 0), (0x02, CF | OF));
        assert_eq!(grp2(2, 0x80, 1, 1, 0), (0x00, CF | OF));
        assert_eq!(grp2(5, 0x01, 1, 1, 0), (0, CF | ZF | PF));
        // Masked count 0 leaves flags alone.
        assert_eq!(grp2(4, 0x81, 0x20, 1, CF), (0x81, CF));
    }
}
