//! Condition codes, CLC/STC/CMC/CLD/STD (inline in exec.rs), CLI/STI,
//! PUSHF/POPF, LAHF/SAHF (exec.rs).

use crate::emu::{gp0, Emu, Next, R};
use crate::ops::Ops;
use crate::state::eflags::{self, CF, OF, PF, SF, ZF};

/// Xen's `test_cc()`: condition `cc` (low nibble of Jcc/SETcc/CMOVcc).
pub(crate) fn test_cc(cc: u8, fl: u32) -> bool {
    let f = |m: u32| fl & m != 0;
    let r = match (cc >> 1) & 7 {
        0 => f(OF),
        1 => f(CF),
        2 => f(ZF),
        3 => f(CF) || f(ZF),
        4 => f(SF),
        5 => f(PF),
        6 => f(SF) != f(OF),
        _ => f(ZF) || (f(SF) != f(OF)),
    };
    r != (cc & 1 != 0)
}

impl<O: Ops> Emu<'_, O> {
    pub(crate) fn cli_sti(&mut self, b: u8) -> R<Next> {
        // In real mode at CPL 0 mode_iopl() always holds; the VIF paths
        // need CPL 3 (refused at entry).
        if !self.iopl_ok()? {
            return Err(gp0());
        }
        if b == 0xfa {
            self.r.eflags &= !eflags::IF;
        } else {
            if self.r.eflags & eflags::IF == 0 {
                self.retire.sti = true;
            }
            self.r.eflags |= eflags::IF;
        }
        Ok(Next::Writeback)
    }

    pub(crate) fn pushf(&mut self) -> R<Next> {
        self.src.val = u64::from(self.r.eflags & !(eflags::VM | eflags::RF));
        self.do_push()
    }

    /// POPF as x86_emulate: at CPL 0 everything in EFLAGS_MODIFIABLE
    /// except VIP/VIF/VM may change; 16-bit POPF keeps the upper half.
    pub(crate) fn popf(&mut self) -> R<Next> {
        let mut mask = eflags::VIP | eflags::VIF | eflags::VM;
        if !self.ring0()? {
            mask |= eflags::IOPL;
            if !self.iopl_ok()? {
                mask |= eflags::IF;
            }
        }
        let ob = self.d.op_bytes;
        let mut v = self.pop(ob)? as u32;
        if ob == 2 {
            v = (v & 0xffff) | (self.r.eflags & 0xffff_0000);
        }
        v &= eflags::MODIFIABLE;
        self.r.eflags &= mask;
        self.r.eflags |= (v & !mask) | eflags::MBS;
        Ok(Next::Writeback)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conditions() {
        assert!(test_cc(0x4, ZF));
        assert!(!test_cc(0x5, ZF));
        assert!(test_cc(0xc, SF));
        assert!(!test_cc(0xc, SF | OF));
        assert!(test_cc(0xf, 0));
    }
}
