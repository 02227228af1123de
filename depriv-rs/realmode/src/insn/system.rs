//! System instructions valid in real mode: Grp7 (SGDT/SIDT/LGDT/LIDT/
//! SMSW/LMSW), CLTS, MOV to/from CRn, CPUID. The real→protected switch
//! after a CR0.PE write is the caller's business, as in Xen.

use crate::emu::{gp0, unhandleable, Emu, Loc, Next, R};
use crate::ops::Ops;
use crate::state::{Seg, SegReg};

impl<O: Ops> Emu<'_, O> {
    pub(crate) fn grp7(&mut self) -> R<Next> {
        let reg = self.d.modrm_reg;
        let seg = if reg & 1 != 0 { Seg::Idtr } else { Seg::Gdtr };
        let mem = self.d.is_mem;
        let ea = self.d.ea;
        match (reg, mem) {
            (0 | 1, true) => {
                let s = self.ops.read_segment(seg)?;
                let mut base = s.base;
                let mut ob = self.op_bytes;
                if ob == 2 {
                    base &= 0xff_ffff;
                    ob = 4;
                }
                self.write(ea.seg, ea.off, 2, u64::from(s.limit))?;
                let off = self.truncate_ea(ea.off.wrapping_add(2));
                self.write(ea.seg, off, ob, base)?;
                Ok(Next::Writeback)
            }
            (2 | 3, true) => {
                if !self.ring0()? {
                    return Err(gp0());
                }
                let limit = self.read(ea.seg, ea.off, 2)?;
                let off = self.truncate_ea(ea.off.wrapping_add(2));
                let mut base = self.read(ea.seg, off, 4)?;
                if self.op_bytes == 2 {
                    base &= 0xff_ffff;
                }
                let s = SegReg {
                    sel: 0,
                    attr: 0,
                    limit: limit as u32,
                    base,
                };
                self.ops.write_segment(seg, &s)?;
                Ok(Next::Writeback)
            }
            (4, _) => {
                let (loc, bytes) = if mem {
                    self.desc |= crate::decode::desc::MOV;
                    (Loc::Mem(ea), 2)
                } else {
                    (
                        Loc::Reg {
                            n: self.d.modrm_rm,
                            hi: false,
                        },
                        self.op_bytes,
                    )
                };
                let v = self.ops.read_cr(0)?;
                self.dst = crate::emu::Operand {
                    loc,
                    bytes,
                    val: v,
                    orig: 0,
                };
                Ok(Next::Writeback)
            }
            (6, _) => {
                if !self.ring0()? {
                    return Err(gp0());
                }
                let cr0 = self.ops.read_cr(0)?;
                let w = if mem {
                    self.read(ea.seg, ea.off, 2)?
                } else {
                    u64::from(self.r.reg(usize::from(self.d.modrm_rm)))
                };
                let cr0 = (cr0 & !0xe) | (w & 0xf);
                self.ops.write_cr(0, cr0)?;
                Ok(Next::Writeback)
            }
            _ => Err(unhandleable()),
        }
    }

    pub(crate) fn clts(&mut self) -> R<Next> {
        if !self.ring0()? {
            return Err(gp0());
        }
        let v = self.ops.read_cr(0)?;
        self.ops.write_cr(0, v & !8)?;
        Ok(Next::Writeback)
    }

    pub(crate) fn mov_cr(&mut self, b: u8) -> R<Next> {
        if !self.ring0()? {
            return Err(gp0());
        }
        let cr = self.d.modrm_reg;
        if b & 2 != 0 {
            self.ops.write_cr(cr, self.src.val)?;
        } else {
            self.dst.val = self.ops.read_cr(cr)?;
        }
        Ok(Next::Writeback)
    }

    pub(crate) fn cpuid(&mut self) -> R<Next> {
        let v = self.ops.cpuid(self.r.reg(0), self.r.reg(1))?;
        for (i, n) in [0usize, 3, 1, 2].into_iter().enumerate() {
            if let Some(x) = v.get(i) {
                self.r.set_reg(n, *x);
            }
        }
        Ok(Next::Writeback)
    }
}
