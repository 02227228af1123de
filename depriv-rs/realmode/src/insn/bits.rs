//! Shifts/rotates dispatch, SHLD/SHRD, BT/BTS/BTR/BTC, BSF/BSR,
//! MOVZX/MOVSX, XCHG, INC/DEC reg, BOUND, LDS/LES/LFS/LGS/LSS and MOV
//! to/from segment registers.

use crate::emu::{exc, ud, Emu, Loc, Next, Operand, R};
use crate::insn::alu::incdec;
use crate::insn::shift::{grp2, shxd};
use crate::ops::Ops;
use crate::state::{eflags, Seg, EXC_BR};

impl<O: Ops> Emu<'_, O> {
    pub(crate) fn grp2(&mut self, b: u8) -> R<Next> {
        let count = match b {
            0xd0 | 0xd1 => 1,
            0xd2 | 0xd3 => u64::from(self.r.reg(1) & 0xff),
            _ => self.src.val,
        };
        if self.d.lock {
            return Err(ud());
        }
        let (v, f) = grp2(
            self.d.modrm_reg,
            self.dst.val,
            count,
            self.dst.bytes,
            self.r.eflags,
        );
        self.dst.val = v;
        self.r.eflags = f;
        Ok(Next::Writeback)
    }

    pub(crate) fn shld_shrd(&mut self, b: u8) -> R<Next> {
        if self.d.lock {
            return Err(ud());
        }
        let bytes = self.dst.bytes;
        let (count, src) = if b & 1 != 0 {
            (u64::from(self.r.reg(1) & 0xff), self.src.val)
        } else {
            (
                self.src.val & 0xff,
                self.reg_get(self.d.modrm_reg, false, bytes),
            )
        };
        let (v, f) = shxd(b & 8 == 0, self.dst.val, src, count, bytes, self.r.eflags);
        self.dst.val = v;
        self.r.eflags = f;
        Ok(Next::Writeback)
    }

    /// BT/BTS/BTR/BTC (0x0f 0xa3/0xab/0xb3/0xbb, Grp8 0x0f 0xba /4-/7).
    /// CF gets the bit; OF/SF/AF/PF are undefined and left unchanged.
    pub(crate) fn bt_family(&mut self, b: u8) -> R<Next> {
        let which = if b == 0xba {
            match self.d.modrm_reg {
                4 => 0,
                5 => 1,
                6 => 2,
                7 => 3,
                _ => return Err(ud()),
            }
        } else {
            (b >> 3) & 3
        };
        if which == 0 && self.d.lock {
            return Err(ud());
        }
        let bit = self.src.val & (u64::from(self.dst.bytes) * 8 - 1);
        let m = 1u64 << bit;
        if self.dst.val & m != 0 {
            self.r.eflags |= eflags::CF;
        } else {
            self.r.eflags &= !eflags::CF;
        }
        match which {
            0 => self.dst.loc = Loc::None,
            1 => self.dst.val |= m,
            2 => self.dst.val &= !m,
            _ => self.dst.val ^= m,
        }
        Ok(Next::Writeback)
    }

    /// BSF/BSR: only ZF changes (x86_emulate clears/sets just ZF); with a
    /// zero source the destination is left alone. With F3 (the last of
    /// F2/F3) they are TZCNT/LZCNT if the guest has BMI1/ABM: CF for a zero
    /// source (the destination then is the operand width), ZF for a zero
    /// result, the other flags left as they are.
    pub(crate) fn bsf_bsr(&mut self, b: u8) -> R<Next> {
        let v = self.src.val & crate::insn::alu::mask(self.src.bytes);
        self.r.eflags &= !eflags::ZF;
        let feature = if b == 0xbc {
            crate::ops::features::BMI1
        } else {
            crate::ops::features::LZCNT
        };
        if self.d.rep == crate::decode::Rep::Repe && self.ops.features() & feature != 0 {
            let width = u64::from(self.d.op_bytes) * 8;
            self.r.eflags &= !eflags::CF;
            if v == 0 {
                self.r.eflags |= eflags::CF;
                self.dst.val = width;
            } else {
                self.dst.val = if b == 0xbc {
                    u64::from(v.trailing_zeros())
                } else {
                    width - 1 - u64::from(63 - v.leading_zeros())
                };
                if self.dst.val == 0 {
                    self.r.eflags |= eflags::ZF;
                }
            }
            return Ok(Next::Writeback);
        }
        if v == 0 {
            self.r.eflags |= eflags::ZF;
            self.dst.loc = Loc::None;
        } else if b == 0xbc {
            self.dst.val = u64::from(v.trailing_zeros());
        } else {
            self.dst.val = u64::from(63 - v.leading_zeros());
        }
        Ok(Next::Writeback)
    }

    pub(crate) fn movzx_movsx(&mut self, b: u8) -> R<Next> {
        let v = self.src.val;
        self.dst.val = match b {
            0xb6 => v & 0xff,
            0xb7 => v & 0xffff,
            0xbe => v as u8 as i8 as i64 as u64,
            _ => v as u16 as i16 as i64 as u64,
        };
        if b == 0xb6 || b == 0xbe {
            // DstReg was decoded as a byte register: recompute it.
            self.dst.loc = Loc::Reg {
                n: self.d.modrm_reg,
                hi: false,
            };
            self.dst.bytes = self.d.op_bytes;
        }
        Ok(Next::Writeback)
    }

    /// XCHG: implicitly LOCKed; the register gets the old destination,
    /// memory is written back (through cmpxchg) only if it changes.
    pub(crate) fn xchg(&mut self) -> R<Next> {
        self.d.lock = true;
        if let Loc::Reg { n, hi } = self.src.loc {
            let (bytes, v) = (self.dst.bytes, self.dst.val);
            self.reg_set(n, hi, bytes, v);
        }
        self.dst.val = self.src.val;
        Ok(Next::Writeback)
    }

    pub(crate) fn incdec_reg(&mut self, b: u8) -> R<Next> {
        let ob = self.d.op_bytes;
        let n = b & 7;
        let v = self.reg_get(n, false, ob);
        let (r, f) = incdec(b & 8 != 0, v, ob, self.r.eflags);
        self.r.eflags = f;
        self.dst = Operand {
            loc: Loc::Reg { n, hi: false },
            bytes: ob,
            val: r,
            orig: v,
        };
        Ok(Next::Writeback)
    }

    pub(crate) fn bound(&mut self) -> R<Next> {
        let m = match self.src.loc {
            Loc::Mem(m) => m,
            _ => return Err(ud()),
        };
        let ob = self.d.op_bytes;
        let off = self.truncate_ea(m.off.wrapping_add(u64::from(ob)));
        let ub = self.read(m.seg, off, ob)?;
        let sx = |v: u64| -> i64 {
            if ob == 2 {
                i64::from(v as u16 as i16)
            } else {
                i64::from(v as u32 as i32)
            }
        };
        let (lb, ub, idx) = (sx(self.src.val), sx(ub), sx(self.dst.val));
        if idx < lb || idx > ub {
            return Err(exc(EXC_BR, None));
        }
        self.dst.loc = Loc::None;
        Ok(Next::Writeback)
    }

    /// LES/LDS/LSS/LFS/LGS: offset to the register, selector (the word
    /// after it) into the segment register.
    pub(crate) fn les(&mut self, seg: Seg) -> R<Next> {
        let m = match self.src.loc {
            Loc::Mem(m) => m,
            _ => return Err(ud()),
        };
        let off = self.truncate_ea(m.off.wrapping_add(u64::from(self.src.bytes)));
        let sel = self.read(m.seg, off, 2)?;
        self.load_seg(seg, sel as u16)?;
        self.dst.val = self.src.val;
        Ok(Next::Writeback)
    }

    pub(crate) fn mov_from_sreg(&mut self) -> R<Next> {
        let seg = Seg::user(self.d.modrm_reg).ok_or_else(ud)?;
        let s = self.ops.read_segment(seg)?;
        self.dst.val = u64::from(s.sel);
        if matches!(self.dst.loc, Loc::Mem(_)) {
            self.dst.bytes = 2;
        }
        Ok(Next::Writeback)
    }

    pub(crate) fn mov_to_sreg(&mut self) -> R<Next> {
        let seg = match Seg::user(self.d.modrm_reg) {
            Some(Seg::Cs) | None => return Err(ud()),
            Some(s) => s,
        };
        self.load_seg(seg, self.src.val as u16)?;
        if seg == Seg::Ss {
            self.retire.mov_ss = true;
        }
        self.dst.loc = Loc::None;
        Ok(Next::Writeback)
    }

    /// CMPXCHG as x86_emulate: on a match the memory form goes through
    /// the cmpxchg hook (no plain write), ZF|PF set and the other status
    /// flags clear; on a mismatch EAX gets the destination and the flags
    /// are those of CMP eAX,dest; memory is not written.
    pub(crate) fn cmpxchg_insn(&mut self) -> R<Next> {
        let bytes = self.dst.bytes;
        let m = crate::insn::alu::mask(bytes);
        let ax = u64::from(self.r.reg(0));
        self.r.eflags &= !eflags::ARITH;
        let mut ok = false;
        if (self.dst.val ^ ax) & m == 0 {
            match self.dst.loc {
                Loc::Mem(mem) => {
                    let old = ax.to_le_bytes();
                    let new = self.src.val.to_le_bytes();
                    let n = usize::from(bytes.min(8));
                    let (o, nw) = match (old.get(..n), new.get(..n)) {
                        (Some(o), Some(nw)) => (o, nw),
                        _ => return Err(crate::emu::unhandleable()),
                    };
                    self.ops.cmpxchg(mem.seg, mem.off, o, nw)?;
                    self.dst.loc = Loc::None;
                }
                _ => self.dst.val = self.src.val,
            }
            self.r.eflags |= eflags::ZF | eflags::PF;
            ok = true;
        }
        if !ok {
            let (_, f) = crate::insn::alu::alu2(
                crate::insn::alu::AluOp::Cmp,
                ax,
                self.dst.val,
                bytes,
                self.r.eflags,
            );
            self.r.eflags = f;
            self.dst.loc = Loc::Reg { n: 0, hi: false };
        }
        Ok(Next::Writeback)
    }
}
