//! DAA/DAS/AAA/AAS/AAM/AAD, written after x86_emulate's C code for them
//! (the results must be Xen's, quirks included: see `aam_aad`).

use crate::emu::{exc, Emu, Next, R};
use crate::insn::alu::parity;
use crate::ops::Ops;
use crate::state::eflags::{AF, CF, PF, SF, ZF};
use crate::state::EXC_DE;

impl<O: Ops> Emu<'_, O> {
    pub(crate) fn bcd(&mut self, b: u8) -> R<Next> {
        let ax = self.r.reg(0);
        let mut al = ax as u8;
        let fl = self.r.eflags;
        match b {
            0x27 | 0x2f => {
                let old = al;
                let mut nf = fl & !(CF | AF | SF | ZF | PF);
                if (old & 0x0f) > 9 || fl & AF != 0 {
                    nf |= AF;
                    if b == 0x2f && (old < 6 || fl & CF != 0) {
                        nf |= CF;
                    }
                    al = if b == 0x27 {
                        al.wrapping_add(6)
                    } else {
                        al.wrapping_sub(6)
                    };
                }
                if old > 0x99 || fl & CF != 0 {
                    al = if b == 0x27 {
                        al.wrapping_add(0x60)
                    } else {
                        al.wrapping_sub(0x60)
                    };
                    nf |= CF;
                }
                if al == 0 {
                    nf |= ZF;
                }
                if al & 0x80 != 0 {
                    nf |= SF;
                }
                nf |= parity(u64::from(al));
                self.r.eflags = nf;
                self.reg_set(0, false, 1, u64::from(al));
            }
            _ => {
                let mut ah = (ax >> 8) as u8;
                let mut nf = fl & !CF;
                if al > 9 || nf & AF != 0 {
                    al = if b == 0x37 {
                        al.wrapping_add(6)
                    } else {
                        al.wrapping_sub(6)
                    };
                    ah = if b == 0x37 {
                        ah.wrapping_add(1)
                    } else {
                        ah.wrapping_sub(1)
                    };
                    nf |= CF | AF;
                }
                al &= 0x0f;
                self.r.eflags = nf;
                self.reg_set(0, false, 2, u64::from(al) | (u64::from(ah) << 8));
            }
        }
        Ok(Next::Writeback)
    }

    /// AAM/AAD. Xen 4.17's AAM computes `al = al % n; ah = al / n;` in
    /// that order, so AH ends up (AL mod n) / n (always 0), not AL / n as
    /// on hardware. Guest-visible behaviour must be Xen's (upstream's emulators are the reference),
    /// so this emulator does the same; regression test
    /// `aam_matches_xen_4_17_order`.
    pub(crate) fn aam_aad(&mut self, b: u8) -> R<Next> {
        let n = self.src.val as u8;
        let ax = self.r.reg(0);
        let al = ax as u8;
        let ah = (ax >> 8) as u8;
        let (nal, nah) = if b & 1 != 0 {
            (al.wrapping_add(ah.wrapping_mul(n)), 0u8)
        } else {
            if n == 0 {
                return Err(exc(EXC_DE, None));
            }
            // n != 0 here; checked ops keep any panic path out of the payload.
            let nal = al.checked_rem(n).unwrap_or(0);
            (nal, nal.checked_div(n).unwrap_or(0))
        };
        self.reg_set(0, false, 2, u64::from(nal) | (u64::from(nah) << 8));
        let mut f = self.r.eflags & !(SF | ZF | PF);
        if nal == 0 {
            f |= ZF;
        }
        if nal & 0x80 != 0 {
            f |= SF;
        }
        f |= parity(u64::from(nal));
        self.r.eflags = f;
        Ok(Next::Writeback)
    }
}
