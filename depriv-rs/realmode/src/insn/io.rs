//! IN/OUT and INS/OUTS (x86_emulate.c 0x6c-0x6f, 0xe4-0xe7, 0xec-0xef).

use crate::decode::Mem;
use crate::emu::{unhandleable, Emu, Loc, Next, Operand, MAX_REPS, R};
use crate::insn::string::Reps;
use crate::ops::{Fault, Ops};
use crate::state::{eflags, Seg};

impl<O: Ops> Emu<'_, O> {
    /// `ioport_access_check()`: at CPL <= IOPL (always so in real mode at
    /// CPL 0) the access is allowed. The TSS bitmap walk is protected-mode
    /// only; we do not emulate it.
    fn io_check(&mut self) -> R<()> {
        if self.r.eflags & eflags::VM == 0 && self.iopl_ok()? {
            return Ok(());
        }
        Err(unhandleable())
    }

    pub(crate) fn in_out(&mut self, b: u8) -> R<Next> {
        let port = if b < 0xe8 {
            (self.src.val & 0xff) as u16
        } else {
            self.r.reg(2) as u16
        };
        let bytes = if b & 1 == 0 { 1 } else { self.d.op_bytes };
        self.io_check()?;
        if b & 2 != 0 {
            let v = self.r.reg(0);
            self.ops.write_io(port, bytes, v)?;
        } else {
            let v = self.ops.read_io(port, bytes)?;
            self.dst = Operand {
                loc: Loc::Reg { n: 0, hi: false },
                bytes,
                val: u64::from(v),
                orig: 0,
            };
        }
        Ok(Next::Writeback)
    }

    pub(crate) fn ins_outs(&mut self, b: u8) -> R<Next> {
        let port = self.r.reg(2) as u16;
        let bytes = if b & 1 == 0 { 1 } else { self.d.op_bytes };
        let bpr = u64::from(bytes);
        self.io_check()?;
        let mut nr = match self.get_rep_prefix() {
            Reps::Skip => return Ok(Next::Complete),
            Reps::Do(n) => n.min(MAX_REPS),
        };
        let outs = b & 2 != 0;
        let idx = if outs { 6 } else { 7 };
        let off = self.truncate_ea_and_reps(u64::from(self.r.reg(idx)), &mut nr, bpr);
        let seg = if outs { self.d.ea.seg } else { Seg::Es };
        let mut rc: Result<(), Fault> = Err(Fault::Unhandleable);
        let mut val = 0u64;
        if nr == 1 {
            rc = if outs {
                self.read(seg, off, bytes)
                    .map(|v| val = v)
                    .map_err(|s| match s {
                        crate::emu::Stop::Abort(f) => f,
                        crate::emu::Stop::CommitException(e) => Fault::Exception(e),
                        // A memory read never delegates.
                        crate::emu::Stop::Delegate => Fault::Unhandleable,
                    })
            } else {
                self.ops.read_io(port, bytes).map(|v| val = u64::from(v))
            };
            if rc != Err(Fault::Unhandleable) {
                nr = 0;
            }
        }
        if nr > 1 || rc == Err(Fault::Unhandleable) {
            let want = nr;
            let df = self.r.eflags & eflags::DF != 0;
            rc = if outs {
                self.ops.rep_outs(seg, off, port, bytes, &mut nr, df)
            } else {
                self.ops.rep_ins(port, seg, off, bytes, &mut nr, df)
            };
            nr = nr.min(want);
        }
        if nr >= 1 && rc == Err(Fault::Unhandleable) {
            if outs {
                val = self.read(seg, off, bytes)?;
            } else {
                val = u64::from(self.ops.read_io(port, bytes)?);
            }
            nr = 0;
            rc = Ok(());
        }
        if nr == 0 && rc.is_ok() {
            if outs {
                self.ops.write_io(port, bytes, val as u32)?;
            } else {
                self.dst = Operand {
                    loc: Loc::Mem(Mem { seg, off }),
                    bytes,
                    val,
                    orig: 0,
                };
            }
            nr = 1;
        }
        self.reg_adjust(idx, nr.wrapping_mul(bpr));
        self.put_rep_prefix(nr);
        self.rep_rc(rc)?;
        Ok(Next::Writeback)
    }
}
