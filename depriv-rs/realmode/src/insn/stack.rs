//! PUSH/POP of segment registers, PUSHA/POPA, POP r/m, ENTER/LEAVE
//! (x86_emulate.c cases 0x06.., 0x60/0x61, 0x8f, 0xc8/0xc9).

use crate::emu::{ud, Emu, Loc, Next, Operand, R};
use crate::ops::Ops;
use crate::state::Seg;

impl<O: Ops> Emu<'_, O> {
    pub(crate) fn push_pop_sreg(&mut self, b: u8) -> R<Next> {
        let seg = Seg::user((b >> 3) & 7).ok_or_else(ud)?;
        if b & 1 == 0 {
            let s = self.ops.read_segment(seg)?;
            self.src.val = u64::from(s.sel);
            self.do_push()
        } else {
            let ob = self.d.op_bytes;
            let v = self.pop(ob)?;
            self.load_seg(seg, v as u16)?;
            if seg == Seg::Ss {
                self.retire.mov_ss = true;
            }
            Ok(Next::Writeback)
        }
    }

    pub(crate) fn push_pop_sreg_0f(&mut self, b: u8) -> R<Next> {
        // 0x0f 0xa0/0xa1: FS, 0xa8/0xa9: GS; same paths as the one-byte forms.
        self.push_pop_sreg(b)
    }

    pub(crate) fn pusha(&mut self) -> R<Next> {
        let ob = self.d.op_bytes;
        let esp = self.r.reg(4);
        for i in 0..8u8 {
            let v = if i == 4 {
                esp
            } else {
                self.r.reg(usize::from(i))
            };
            let off = self.sp_pre_dec(u64::from(ob));
            self.write(Seg::Ss, off, ob, u64::from(v))?;
        }
        Ok(Next::Writeback)
    }

    pub(crate) fn popa(&mut self) -> R<Next> {
        let ob = self.d.op_bytes;
        for i in 0..8u8 {
            let n = 7 - i;
            let v = self.pop(ob)?;
            if n == 4 {
                continue;
            }
            self.reg_set(n, false, ob, v);
        }
        Ok(Next::Writeback)
    }

    pub(crate) fn pop_rm(&mut self) -> R<Next> {
        if self.d.modrm_reg != 0 {
            return Err(ud());
        }
        let b = self.dst.bytes;
        self.dst.val = self.pop(b)?;
        Ok(Next::Writeback)
    }

    pub(crate) fn enter(&mut self) -> R<Next> {
        let ob = self.d.op_bytes;
        let spb: u8 = if self.r.sp_size == 32 { 4 } else { 2 };
        let bp = u64::from(self.r.reg(5));
        let off = self.sp_pre_dec(u64::from(ob));
        self.write(Seg::Ss, off, ob, bp)?;
        let frame = u64::from(self.r.reg(4));
        let n = (self.d.imm2 & 31) as u32;
        if n != 0 {
            for i in 1..n {
                let ebp =
                    crate::decode::truncate(bp.wrapping_sub(u64::from(i) * u64::from(ob)), spb);
                let t = self.read(Seg::Ss, ebp, ob)?;
                let off = self.sp_pre_dec(u64::from(ob));
                self.write(Seg::Ss, off, ob, t)?;
            }
            let off = self.sp_pre_dec(u64::from(ob));
            self.write(Seg::Ss, off, ob, frame)?;
        }
        self.sp_pre_dec(self.src.val);
        self.dst = Operand {
            loc: Loc::Reg { n: 5, hi: false },
            bytes: ob,
            val: frame,
            orig: bp,
        };
        Ok(Next::Writeback)
    }

    pub(crate) fn leave(&mut self) -> R<Next> {
        let ob = self.d.op_bytes;
        let bp = self.r.reg(5);
        if ob == 2 {
            self.reg_set(4, false, 2, u64::from(bp));
        } else {
            self.r.set_reg(4, bp);
        }
        let v = self.pop(ob)?;
        self.dst = Operand {
            loc: Loc::Reg { n: 5, hi: false },
            bytes: ob,
            val: v,
            orig: 0,
        };
        Ok(Next::Writeback)
    }
}
