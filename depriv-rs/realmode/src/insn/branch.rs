//! RET/RETF, far CALL/JMP, LOOP, Grp5 branches, INT n/INT3/INTO/INT1,
//! IRET (x86_emulate.c cases 0x9a, 0xc2-0xcf, 0xe0-0xea, 0xff).

use crate::emu::{gp0, ud, Emu, Loc, Next, Stop, R};
use crate::insn::alu::incdec;
use crate::ops::{Fault, Ops};
use crate::state::{eflags, Event, EventType, Seg, SegReg, EXC_BP, EXC_DB, EXC_OF};

impl<O: Ops> Emu<'_, O> {
    /// `load_seg(seg, sel, .., &sreg)`: compute the new register without
    /// writing it (the caller commits it).
    pub(crate) fn load_seg_keep(&mut self, seg: Seg, sel: u16) -> R<SegReg> {
        self.require_realmode()?;
        self.realmode_seg(seg, sel)
    }

    pub(crate) fn ret_near(&mut self) -> R<Next> {
        let ob = self.d.op_bytes;
        let off = self.sp_post_inc(u64::from(ob).wrapping_add(self.src.val));
        let target = self.read(Seg::Ss, off, ob)?;
        self.jmp_abs(target)?;
        Ok(Next::Writeback)
    }

    pub(crate) fn ret_far(&mut self) -> R<Next> {
        let ob = self.d.op_bytes;
        let ip = self.pop(ob)?;
        let off = self.sp_post_inc(u64::from(ob).wrapping_add(self.src.val));
        let sel = self.read(Seg::Ss, off, ob)?;
        let cs = self.load_seg_keep(Seg::Cs, sel as u16)?;
        self.commit_far_branch(&cs, ip)?;
        Ok(Next::Writeback)
    }

    pub(crate) fn far_call(&mut self, ip: u64, sel: u16) -> R<Next> {
        let ob = self.d.op_bytes;
        let old = self.ops.read_segment(Seg::Cs)?;
        let cs = self.load_seg_keep(Seg::Cs, sel)?;
        if ip > u64::from(cs.limit) {
            return Err(gp0());
        }
        self.push(ob, u64::from(old.sel))?;
        let ret = self.ip;
        self.push(ob, ret)?;
        self.ops.write_segment(Seg::Cs, &cs)?;
        self.ip = ip;
        self.singlestep = self.r.eflags & eflags::TF != 0;
        Ok(Next::Writeback)
    }

    pub(crate) fn far_jmp(&mut self, ip: u64, sel: u16) -> R<Next> {
        let cs = self.load_seg_keep(Seg::Cs, sel)?;
        self.commit_far_branch(&cs, ip)?;
        Ok(Next::Writeback)
    }

    pub(crate) fn loop_insn(&mut self, b: u8) -> R<Next> {
        let count = self.loop_count();
        let zf = self.r.eflags & eflags::ZF != 0;
        let do_jmp = match b {
            0xe0 => !zf,
            0xe1 => zf,
            _ => true,
        };
        if count != 1 && do_jmp {
            self.jmp_rel(self.src.val)?;
        }
        self.put_loop_count(count.wrapping_sub(1));
        Ok(Next::Writeback)
    }

    pub(crate) fn grp4_5(&mut self, b: u8) -> R<Next> {
        let reg = self.d.modrm_reg;
        if b == 0xfe && reg >= 2 {
            return Err(ud());
        }
        match reg {
            0 | 1 => {
                let (v, f) = incdec(reg == 1, self.dst.val, self.dst.bytes, self.r.eflags);
                self.dst.val = v;
                self.r.eflags = f;
                Ok(Next::Writeback)
            }
            2 => {
                let ret = self.ip;
                let target = self.src.val;
                self.ops.insn_fetch(target, &mut [])?;
                self.ip = target;
                self.src.val = ret;
                self.do_push()
            }
            4 => {
                let target = self.src.val;
                self.ops.insn_fetch(target, &mut [])?;
                self.ip = target;
                self.dst.loc = Loc::None;
                Ok(Next::Writeback)
            }
            3 | 5 => {
                let m = match self.src.loc {
                    Loc::Mem(m) => m,
                    _ => return Err(ud()),
                };
                let off = self.truncate_ea(m.off.wrapping_add(u64::from(self.d.op_bytes)));
                let sel = self.read(m.seg, off, 2)? as u16;
                let ip = self.src.val;
                if reg == 3 {
                    self.far_call(ip, sel)
                } else {
                    self.far_jmp(ip, sel)
                }
            }
            6 => self.do_push(),
            _ => Err(ud()),
        }
    }

    /// INT3/INT n/INTO/INT1: x86_emulate only records a software event
    /// (with the instruction length) for the caller to deliver; see
    /// [`crate::deliver_realmode_event`] for the IVT delivery.
    pub(crate) fn swint(&mut self, b: u8) -> R<Next> {
        let (vector, kind) = match b {
            0xcc => (EXC_BP, EventType::SwException),
            0xcd => (self.d.imm1 as u8, EventType::SwInterrupt),
            0xce => {
                if self.r.eflags & eflags::OF == 0 {
                    return Ok(Next::Writeback);
                }
                (EXC_OF, EventType::SwException)
            }
            _ => (EXC_DB, EventType::PriSwException),
        };
        let len = self.ip.wrapping_sub(self.start_ip()) as u8;
        Err(Stop::Abort(Fault::Exception(Event {
            vector,
            kind,
            error_code: None,
            insn_len: len,
        })))
    }

    /// IRET in real mode (x86_emulate case 0xcf).
    pub(crate) fn iret(&mut self) -> R<Next> {
        self.require_realmode()?;
        self.retire.unblock_nmi = true;
        let ob = self.d.op_bytes;
        let eip = self.pop(ob)?;
        let sel = self.pop(ob)?;
        let fl = self.pop(ob)?;
        let mut fl = fl as u32;
        if ob == 2 {
            fl = (fl & 0xffff) | (self.r.eflags & 0xffff_0000);
        }
        fl &= eflags::MODIFIABLE;
        let mask = eflags::VIP | eflags::VIF | eflags::VM;
        self.r.eflags &= mask;
        self.r.eflags |= (fl & !mask) | eflags::MBS;
        let cs = self.load_seg_keep(Seg::Cs, sel as u16)?;
        self.commit_far_branch(&cs, eip & 0xffff_ffff)?;
        Ok(Next::Writeback)
    }
}
