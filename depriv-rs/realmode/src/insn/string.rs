//! MOVS/CMPS/STOS/LODS/SCAS (x86_emulate.c 0xa4-0xaf) and the REP
//! machinery shared with INS/OUTS (get_rep_prefix(), put_rep_prefix(),
//! truncate_ea_and_reps()).

use crate::decode::{Mem, Rep};
use crate::emu::{Emu, Loc, Next, Operand, Stop, MAX_REPS, R};
use crate::insn::alu::{alu2, AluOp};
use crate::ops::{Fault, Ops};
use crate::state::{eflags, Seg};

/// Result of `get_rep_prefix()`.
pub(crate) enum Reps {
    /// Count register is zero: skip the instruction (`goto complete_insn`).
    Skip,
    Do(u64),
}

impl<O: Ops> Emu<'_, O> {
    pub(crate) fn get_rep_prefix(&mut self) -> Reps {
        let mut max = 1;
        if self.rep_prefix() {
            max = self.loop_count();
        }
        if max == 0 {
            return Reps::Skip;
        }
        // Single-stepping: one iteration per call, unless TF only traps
        // branches (DEBUGCTL.BTF).
        if max > 1 && self.r.eflags & eflags::TF != 0 && !self.is_branch_step() {
            max = 1;
        }
        Reps::Do(max)
    }

    /// `__put_rep_prefix()`: count down, and point IP back at the
    /// instruction while iterations remain. Returns the Stop to use if the
    /// iteration ended in an exception (registers get committed).
    pub(crate) fn put_rep_prefix(&mut self, done: u64) {
        if self.rep_prefix() {
            let ecx = self.loop_count().wrapping_sub(done);
            if ecx != 0 {
                self.ip = self.start_ip();
            }
            self.put_loop_count(ecx);
        }
    }

    /// After put_rep_prefix(): x86_emulate's `if ( rc != X86EMUL_OKAY )
    /// goto done;` with the EXCEPTION case committing (complete_insn).
    pub(crate) fn rep_rc(&self, rc: Result<(), Fault>) -> R<()> {
        match rc {
            Ok(()) => Ok(()),
            Err(Fault::Exception(e)) if self.rep_prefix() => Err(Stop::CommitException(e)),
            Err(f) => Err(Stop::Abort(f)),
        }
    }

    /// `truncate_ea_and_reps()`: clip so the index register at most wraps.
    pub(crate) fn truncate_ea_and_reps(&self, ea: u64, reps: &mut u64, bpr: u64) -> u64 {
        let ea = self.truncate_ea(ea);
        let todo = if self.r.eflags & eflags::DF == 0 {
            self.truncate_ea(ea.wrapping_neg())
                .checked_div(bpr)
                .unwrap_or(0)
        } else if self.truncate_ea(ea.wrapping_add(bpr - 1)) < ea {
            1
        } else {
            ea.checked_div(bpr).unwrap_or(0).wrapping_add(1)
        };
        if todo == 0 {
            *reps = 1;
        } else if todo < *reps {
            *reps = todo;
        }
        ea
    }

    fn elem_bytes(&self) -> u8 {
        if self.d.desc & crate::decode::desc::BYTE_OP != 0 {
            1
        } else {
            self.d.op_bytes
        }
    }

    pub(crate) fn string(&mut self, b: u8) -> R<Next> {
        match b {
            0xa4 | 0xa5 => self.movs(),
            0xa6 | 0xa7 | 0xae | 0xaf => self.cmps_scas(b),
            0xaa | 0xab => self.stos(),
            _ => self.lods(),
        }
    }

    fn movs(&mut self) -> R<Next> {
        let mut nr = match self.get_rep_prefix() {
            Reps::Skip => return Ok(Next::Complete),
            Reps::Do(n) => n.min(MAX_REPS),
        };
        let bytes = self.elem_bytes();
        let bpr = u64::from(bytes);
        let di = self.truncate_ea_and_reps(u64::from(self.r.reg(7)), &mut nr, bpr);
        let si = self.truncate_ea_and_reps(u64::from(self.r.reg(6)), &mut nr, bpr);
        let sseg = self.d.ea.seg;
        let mut rc: Result<(), Fault> = Err(Fault::Unhandleable);
        let mut single = nr == 1;
        if !single {
            let want = nr;
            let df = self.r.eflags & eflags::DF != 0;
            rc = self.ops.rep_movs(sseg, si, Seg::Es, di, bytes, &mut nr, df);
            nr = nr.min(want);
            single = rc == Err(Fault::Unhandleable);
        }
        if single {
            let v = self.read(sseg, si, bytes)?;
            self.dst = Operand {
                loc: Loc::Mem(Mem {
                    seg: Seg::Es,
                    off: di,
                }),
                bytes,
                val: v,
                orig: 0,
            };
            nr = 1;
            rc = Ok(());
        }
        self.reg_adjust(6, nr.wrapping_mul(bpr));
        self.reg_adjust(7, nr.wrapping_mul(bpr));
        self.put_rep_prefix(nr);
        self.rep_rc(rc)?;
        Ok(Next::Writeback)
    }

    fn stos(&mut self) -> R<Next> {
        let mut nr = match self.get_rep_prefix() {
            Reps::Skip => return Ok(Next::Complete),
            Reps::Do(n) => n.min(MAX_REPS),
        };
        let bytes = self.src.bytes;
        let di = self.truncate_ea(u64::from(self.r.reg(7)));
        let mut rc: Result<(), Fault> = Err(Fault::Unhandleable);
        let mut single = nr == 1;
        if !single {
            let want = nr;
            let df = self.r.eflags & eflags::DF != 0;
            rc = self
                .ops
                .rep_stos(self.src.val, Seg::Es, di, bytes, &mut nr, df);
            nr = nr.min(want);
            single = rc == Err(Fault::Unhandleable);
        }
        if single {
            self.dst = Operand {
                loc: Loc::Mem(Mem {
                    seg: Seg::Es,
                    off: di,
                }),
                bytes,
                val: self.src.val,
                orig: 0,
            };
            nr = 1;
            rc = Ok(());
        }
        self.reg_adjust(7, nr.wrapping_mul(u64::from(bytes)));
        self.put_rep_prefix(nr);
        self.rep_rc(rc)?;
        Ok(Next::Writeback)
    }

    fn lods(&mut self) -> R<Next> {
        if let Reps::Skip = self.get_rep_prefix() {
            return Ok(Next::Complete);
        }
        let bytes = self.dst.bytes;
        let si = self.truncate_ea(u64::from(self.r.reg(6)));
        self.dst.val = self.read(self.d.ea.seg, si, bytes)?;
        self.reg_adjust(6, u64::from(bytes));
        self.put_rep_prefix(1);
        Ok(Next::Writeback)
    }

    fn cmps_scas(&mut self, b: u8) -> R<Next> {
        let next_ip = self.ip;
        if let Reps::Skip = self.get_rep_prefix() {
            return Ok(Next::Complete);
        }
        let (lhs, rhs, bytes) = if b <= 0xa7 {
            let bytes = self.elem_bytes();
            let si = self.truncate_ea(u64::from(self.r.reg(6)));
            let a = self.read(self.d.ea.seg, si, bytes)?;
            let di = self.truncate_ea(u64::from(self.r.reg(7)));
            let c = self.read(Seg::Es, di, bytes)?;
            self.reg_adjust(6, u64::from(bytes));
            self.reg_adjust(7, u64::from(bytes));
            (a, c, bytes)
        } else {
            let bytes = self.src.bytes;
            let di = self.truncate_ea(u64::from(self.r.reg(7)));
            let c = self.read(Seg::Es, di, bytes)?;
            self.reg_adjust(7, u64::from(bytes));
            (self.src.val, c, bytes)
        };
        self.put_rep_prefix(1);
        let (_, fl) = alu2(AluOp::Cmp, lhs, rhs, bytes, self.r.eflags);
        self.r.eflags = fl;
        let zf = fl & eflags::ZF != 0;
        if (self.d.rep == Rep::Repe && !zf) || (self.d.rep == Rep::Repne && zf) {
            self.ip = next_ip;
        }
        self.dst.loc = Loc::None;
        Ok(Next::Writeback)
    }
}
