//! Grp3 (TEST/NOT/NEG/MUL/IMUL/DIV/IDIV) and the IMUL forms 0x69/0x6b/
//! 0x0f 0xaf. MUL/IMUL/DIV/IDIV follow x86_emulate's C code: MUL/IMUL
//! only touch CF/OF (SF/ZF/AF/PF are architecturally undefined and Xen
//! leaves them alone), DIV/IDIV leave all flags alone; #DE on a zero
//! divisor or a quotient that does not fit.

use crate::emu::{exc, Emu, Loc, Next, R};
use crate::insn::alu::{alu2, neg, AluOp};
use crate::ops::Ops;
use crate::state::{eflags, EXC_DE};

fn sx(v: u64, bytes: u8) -> i64 {
    match bytes {
        1 => i64::from(v as u8 as i8),
        2 => i64::from(v as u16 as i16),
        _ => i64::from(v as u32 as i32),
    }
}

impl<O: Ops> Emu<'_, O> {
    pub(crate) fn grp3(&mut self) -> R<Next> {
        let of_cf = eflags::OF | eflags::CF;
        if self.d.modrm_reg >= 4 {
            // DstEax: MUL/IMUL/DIV/IDIV write AL/AX/EAX (and AH/DX/EDX).
            self.dst.loc = Loc::Reg { n: 0, hi: false };
        }
        match self.d.modrm_reg {
            0 | 1 => {
                let bytes = self.src.bytes;
                let (_, fl) = alu2(AluOp::Test, self.d.imm1, self.src.val, bytes, self.r.eflags);
                self.r.eflags = fl;
                self.dst.loc = Loc::None;
            }
            2 => self.dst.val = !self.dst.val,
            3 => {
                let (v, f) = neg(self.dst.val, self.dst.bytes, self.r.eflags);
                self.dst.val = v;
                self.r.eflags = f;
            }
            4 => {
                self.r.eflags &= !of_cf;
                let ax = u64::from(self.r.reg(0));
                let s = self.src.val;
                match self.dst.bytes {
                    1 => {
                        let v = (ax & 0xff) * (s & 0xff);
                        if v & 0xff != v & 0xffff {
                            self.r.eflags |= of_cf;
                        }
                        self.dst.val = v;
                        self.dst.bytes = 2;
                    }
                    2 => {
                        let v = (ax & 0xffff) * (s & 0xffff);
                        if v & 0xffff != v & 0xffff_ffff {
                            self.r.eflags |= of_cf;
                        }
                        self.reg_set(2, false, 2, v >> 16);
                        self.dst.val = v;
                    }
                    _ => {
                        let v = (ax & 0xffff_ffff) * (s & 0xffff_ffff);
                        if v >> 32 != 0 {
                            self.r.eflags |= of_cf;
                        }
                        self.r.set_reg(2, (v >> 32) as u32);
                        self.dst.val = v;
                    }
                }
            }
            5 => {
                self.dst.val = u64::from(self.r.reg(0));
                self.imul(true);
            }
            6 => self.div(false)?,
            _ => self.div(true)?,
        }
        Ok(Next::Writeback)
    }

    /// x86_emulate's `imul:` label; `wide` writes the high half to DX
    /// (the one-operand form).
    fn imul(&mut self, wide: bool) {
        let of_cf = eflags::OF | eflags::CF;
        self.r.eflags &= !of_cf;
        let bytes = self.dst.bytes;
        let p = sx(self.src.val, bytes).wrapping_mul(sx(self.dst.val, bytes));
        let fits = p == sx(p as u64, bytes);
        if !fits {
            self.r.eflags |= of_cf;
        }
        match bytes {
            1 => {
                self.dst.val = p as u64;
                self.dst.bytes = 2;
            }
            2 => {
                self.dst.val = p as u64;
                if wide {
                    self.reg_set(2, false, 2, (p as u64) >> 16);
                }
            }
            _ => {
                self.dst.val = p as u64;
                if wide {
                    self.r.set_reg(2, ((p as u64) >> 32) as u32);
                }
            }
        }
    }

    pub(crate) fn imul_imm(&mut self) -> R<Next> {
        // dst = r/m, src = imm; result to the ModRM.reg register.
        let rm = match (self.d.is_mem, self.d.ea) {
            (true, m) => self.read(m.seg, m.off, self.d.op_bytes)?,
            (false, _) => self.reg_get(self.d.modrm_rm, false, self.d.op_bytes),
        };
        self.dst.val = rm;
        self.imul(false);
        Ok(Next::Writeback)
    }

    /// 0x0f 0xaf: host `imul r, r/m` in x86_emulate; CF/OF defined, the
    /// others undefined (we clear SF/ZF/AF/PF per their result as modern
    /// Intel parts do not; the differential test masks them).
    pub(crate) fn imul_0f_af(&mut self) -> R<Next> {
        let bytes = self.dst.bytes;
        let p = sx(self.src.val, bytes).wrapping_mul(sx(self.dst.val, bytes));
        let of_cf = eflags::OF | eflags::CF;
        self.r.eflags &= !of_cf;
        if p != sx(p as u64, bytes) {
            self.r.eflags |= of_cf;
        }
        self.dst.val = p as u64;
        Ok(Next::Writeback)
    }

    fn div(&mut self, signed: bool) -> R<()> {
        let ax = u64::from(self.r.reg(0));
        let dx = u64::from(self.r.reg(2));
        let bytes = self.src.bytes;
        let de = || exc(EXC_DE, None);
        if !signed {
            let (num, v): (u64, u64) = match bytes {
                1 => (ax & 0xffff, self.src.val & 0xff),
                2 => (((dx & 0xffff) << 16) | (ax & 0xffff), self.src.val & 0xffff),
                _ => (
                    ((dx & 0xffff_ffff) << 32) | (ax & 0xffff_ffff),
                    self.src.val & 0xffff_ffff,
                ),
            };
            let q = num.checked_div(v).ok_or_else(de)?;
            let r = num.checked_rem(v).ok_or_else(de)?;
            let lim = crate::insn::alu::mask(bytes);
            if q > lim {
                return Err(de());
            }
            self.set_div_result(bytes, q, r);
        } else {
            let (num, v): (i64, i64) = match bytes {
                1 => (i64::from(ax as u16 as i16), sx(self.src.val, 1)),
                2 => (
                    i64::from((((dx & 0xffff) << 16) | (ax & 0xffff)) as u32 as i32),
                    sx(self.src.val, 2),
                ),
                _ => (
                    (((dx & 0xffff_ffff) << 32) | (ax & 0xffff_ffff)) as i64,
                    sx(self.src.val, 4),
                ),
            };
            let q = num.checked_div(v).ok_or_else(de)?;
            let r = num.checked_rem(v).ok_or_else(de)?;
            if q != sx(q as u64, bytes) {
                return Err(de());
            }
            self.set_div_result(bytes, q as u64, r as u64);
        }
        Ok(())
    }

    fn set_div_result(&mut self, bytes: u8, q: u64, r: u64) {
        match bytes {
            1 => {
                self.dst.val = q & 0xff;
                self.reg_set(0, true, 1, r);
            }
            2 => {
                self.dst.val = q & 0xffff;
                self.reg_set(2, false, 2, r);
            }
            _ => {
                self.dst.val = q & 0xffff_ffff;
                self.r.set_reg(2, r as u32);
            }
        }
    }
}
