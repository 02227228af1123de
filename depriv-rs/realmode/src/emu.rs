//! The execution core: x86_emulate()'s shadow-register discipline.
//! Registers live in a local copy (`r`) and are committed only when the
//! instruction completes (Xen's `complete_insn`); every memory, port and
//! segment access goes through [`Ops`] in the order x86_emulate makes it.
//!
//! This module is what every instruction family (`insn/`) builds on: the
//! emulator state [`Emu`], its operands, the ways an instruction stops, and
//! the register, memory, stack and segment helpers.  The driver that
//! decodes, dispatches and commits (`exec`) sits on top of both.

use crate::decode::{desc::*, truncate, Decoded, Mem, Rep};
use crate::insn::alu::{alu2, AluOp};
use crate::ops::{Fault, Ops};
use crate::state::{eflags, CpuState, Event, Retire, Seg, SegReg, EXC_GP, EXC_UD};

pub(crate) const MSR_IA32_TSC: u32 = 0x10;
pub(crate) const MSR_IA32_DEBUGCTLMSR: u32 = 0x1d9;
pub(crate) const DEBUGCTLMSR_BTF: u64 = 1 << 1;

/// Xen clips a REP batch to this many iterations per emulation
/// (`hvmemul_virtual_to_linear()`: max_reps = 4096).
pub const MAX_REPS: u64 = 4096;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Loc {
    None,
    /// GPR `n`; `hi` selects AH/CH/DH/BH for byte operands.
    Reg {
        n: u8,
        hi: bool,
    },
    Mem(Mem),
    Imm,
}

#[derive(Clone, Copy, Debug)]
pub(crate) struct Operand {
    pub loc: Loc,
    pub bytes: u8,
    pub val: u64,
    pub orig: u64,
}

impl Operand {
    pub(crate) const NONE: Operand = Operand {
        loc: Loc::None,
        bytes: 0,
        val: 0,
        orig: 0,
    };
}

/// How an instruction left x86_emulate's switch.
pub(crate) enum Stop {
    /// `goto done` with rc != OKAY: nothing committed.
    Abort(Fault),
    /// `goto complete_insn` with X86EMUL_EXCEPTION (a REP string op that
    /// stopped part way): registers committed, event raised.
    CommitException(Event),
    /// Not this emulator's ([`crate::delegated`]): nothing committed.
    Delegate,
}

impl From<Fault> for Stop {
    fn from(f: Fault) -> Stop {
        Stop::Abort(f)
    }
}

pub(crate) type R<T> = Result<T, Stop>;

/// What to do after the opcode handler: Xen's `break` (writeback) or
/// `goto complete_insn`.
pub(crate) enum Next {
    Writeback,
    Complete,
}

pub(crate) fn exc(vector: u8, ec: Option<u32>) -> Stop {
    Stop::Abort(Fault::Exception(Event::hw(vector, ec)))
}
pub(crate) fn ud() -> Stop {
    exc(EXC_UD, None)
}
pub(crate) fn gp0() -> Stop {
    exc(EXC_GP, Some(0))
}
pub(crate) fn unhandleable() -> Stop {
    Stop::Abort(Fault::Unhandleable)
}
/// x86_emulate's `goto unimplemented_insn` / `unrecognized_insn`.
pub(crate) fn unrecognized() -> Stop {
    Stop::Abort(Fault::Unrecognized)
}

pub(crate) struct Emu<'a, O: Ops> {
    pub ops: &'a mut O,
    /// Shadow registers (Xen's `_regs`). `r.eip` stays the instruction's
    /// own address until the commit (the new one is `ip`), and `addr_size`
    /// never changes: see [`Emu::start_ip`] and [`Emu::def_op_bytes`].
    pub r: CpuState,
    /// Instruction pointer, not yet truncated (Xen's `_regs.r(ip)`).
    pub ip: u64,
    /// The decoded instruction. Its `desc`, `op_bytes` and `lock` are
    /// the working copies x86_emulate's state has (an instruction may
    /// adjust them as it runs).
    pub d: Decoded,
    pub src: Operand,
    pub dst: Operand,
    pub retire: Retire,
    pub singlestep: bool,
}

impl<O: Ops> Emu<'_, O> {
    /// Offset of the instruction being emulated (Xen's `ctxt->regs->r(ip)`).
    pub fn start_ip(&self) -> u64 {
        u64::from(self.r.eip)
    }

    /// The default operand size in bytes (from CS.D).
    pub fn def_op_bytes(&self) -> u8 {
        self.r.addr_size / 8
    }

    // ---- registers -------------------------------------------------

    pub fn reg_get(&self, n: u8, hi: bool, bytes: u8) -> u64 {
        let v = u64::from(self.r.reg(usize::from(n)));
        if hi {
            (v >> 8) & 0xff
        } else {
            truncate(v, bytes)
        }
    }

    /// Write a GPR as x86_emulate's writeback does (32-bit writes replace
    /// the whole register, narrower ones merge).
    pub fn reg_set(&mut self, n: u8, hi: bool, bytes: u8, val: u64) {
        let n = usize::from(n);
        let old = self.r.reg(n);
        let v = val as u32;
        let new = match (bytes, hi) {
            (1, true) => (old & !0xff00) | ((v & 0xff) << 8),
            (1, false) => (old & !0xff) | (v & 0xff),
            (2, _) => (old & !0xffff) | (v & 0xffff),
            _ => v,
        };
        self.r.set_reg(n, new);
    }

    /// Register operand for ModRM-encoded register `n` (Xen's
    /// `_decode_gpr()` with legacy byte registers AH..BH for 4..7).
    pub fn reg_loc(n: u8, byte: bool) -> Loc {
        if byte && n >= 4 {
            Loc::Reg { n: n & 3, hi: true }
        } else {
            Loc::Reg {
                n: n & 7,
                hi: false,
            }
        }
    }

    pub fn loc_read(&mut self, loc: Loc, bytes: u8) -> R<u64> {
        match loc {
            Loc::Reg { n, hi } => Ok(self.reg_get(n, hi, bytes)),
            Loc::Mem(m) => self.read(m.seg, m.off, bytes),
            _ => Ok(0),
        }
    }

    // ---- memory ----------------------------------------------------

    /// Xen's `read_ulong()`.
    pub fn read(&mut self, seg: Seg, off: u64, bytes: u8) -> R<u64> {
        let mut buf = [0u8; 8];
        let b = buf
            .get_mut(..usize::from(bytes.min(8)))
            .ok_or_else(unhandleable)?;
        self.ops.read(seg, off, b)?;
        Ok(u64::from_le_bytes(buf))
    }

    pub fn write(&mut self, seg: Seg, off: u64, bytes: u8, val: u64) -> R<()> {
        let buf = val.to_le_bytes();
        let b = buf
            .get(..usize::from(bytes.min(8)))
            .ok_or_else(unhandleable)?;
        self.ops.write(seg, off, b)?;
        Ok(())
    }

    pub fn truncate_ea(&self, v: u64) -> u64 {
        truncate(v, self.d.ad_bytes)
    }

    // ---- stack (Xen's sp_pre_dec()/sp_post_inc()) ------------------

    fn sp_bytes(&self) -> u8 {
        if self.r.sp_size == 32 {
            4
        } else {
            2
        }
    }

    /// `_register_address_increment()` on a 32-bit register.
    pub fn reg_add(&mut self, n: usize, inc: i64, width: u8) {
        let old = u64::from(self.r.reg(n));
        let new = if width >= 4 {
            old.wrapping_add(inc as u64)
        } else {
            let m = crate::insn::alu::mask(width);
            (old & !m) | (old.wrapping_add(inc as u64) & m)
        };
        self.r.set_reg(n, new as u32);
    }

    pub fn sp_pre_dec(&mut self, dec: u64) -> u64 {
        let w = self.sp_bytes();
        self.reg_add(4, (dec as i64).wrapping_neg(), w);
        truncate(u64::from(self.r.reg(4)), w)
    }

    pub fn sp_post_inc(&mut self, inc: u64) -> u64 {
        let w = self.sp_bytes();
        let sp = truncate(u64::from(self.r.reg(4)), w);
        self.reg_add(4, inc as i64, w);
        sp
    }

    pub fn push(&mut self, bytes: u8, val: u64) -> R<()> {
        let off = self.sp_pre_dec(u64::from(bytes));
        self.write(Seg::Ss, off, bytes, val)
    }

    pub fn pop(&mut self, bytes: u8) -> R<u64> {
        let off = self.sp_post_inc(u64::from(bytes));
        self.read(Seg::Ss, off, bytes)
    }

    /// `register_address_adjust()`: move SI/DI by `adj` bytes in the
    /// direction EFLAGS.DF says, in the address size.
    pub fn reg_adjust(&mut self, n: usize, adj: u64) {
        let inc = if self.r.eflags & eflags::DF != 0 {
            (adj as i64).wrapping_neg()
        } else {
            adj as i64
        };
        // Xen's _inc is an int: the adjustment is truncated to 32 bits.
        let inc = i64::from(inc as i32);
        self.reg_add(n, inc, self.d.ad_bytes);
    }

    // ---- branches --------------------------------------------------

    /// Xen's `jmp_rel()`: target truncated to the operand size, checked
    /// with a zero-length fetch, then committed to IP.
    pub fn jmp_rel(&mut self, rel: u64) -> R<()> {
        let rel = i64::from(rel as i32);
        let mut ip = self.ip.wrapping_add(rel as u64);
        ip = if self.d.op_bytes == 2 {
            ip & 0xffff
        } else {
            ip & 0xffff_ffff
        };
        self.ops.insn_fetch(ip, &mut [])?;
        self.ip = ip;
        self.singlestep = self.r.eflags & eflags::TF != 0;
        Ok(())
    }

    /// Near absolute branch (RET, JMP/CALL r/m): check target, set IP.
    pub fn jmp_abs(&mut self, target: u64) -> R<()> {
        self.ops.insn_fetch(target, &mut [])?;
        self.ip = target;
        Ok(())
    }

    // ---- segments ---------------------------------------------------

    /// `realmode_load_seg()`: keep the cached limit/attributes, set
    /// selector and base = selector << 4.
    pub fn realmode_seg(&mut self, seg: Seg, sel: u16) -> R<SegReg> {
        let mut s = self.ops.read_segment(seg)?;
        s.sel = sel;
        s.base = u64::from(sel) << 4;
        Ok(s)
    }

    /// `load_seg()` with no caller-provided register: load and write back.
    pub fn load_seg(&mut self, seg: Seg, sel: u16) -> R<()> {
        self.require_realmode()?;
        let s = self.realmode_seg(seg, sel)?;
        self.ops.write_segment(seg, &s)?;
        Ok(())
    }

    /// `commit_far_branch()`: #GP(0) beyond the CS limit, else set IP and
    /// write CS.
    pub fn commit_far_branch(&mut self, cs: &SegReg, ip: u64) -> R<()> {
        if ip > u64::from(cs.limit) {
            return Err(gp0());
        }
        self.ip = ip;
        self.singlestep = self.r.eflags & eflags::TF != 0;
        self.ops.write_segment(Seg::Cs, cs)?;
        Ok(())
    }

    /// x86_emulate's `in_realmode()`; protected mode is not ours.
    pub fn require_realmode(&mut self) -> R<()> {
        let cr0 = self.ops.read_cr(0)?;
        if cr0 & 1 != 0 {
            return Err(unhandleable());
        }
        Ok(())
    }

    /// `get_cpl()`: SS.DPL outside vm86.
    pub fn cpl(&mut self) -> R<u8> {
        if self.r.eflags & eflags::VM != 0 {
            return Ok(3);
        }
        Ok(self.ops.read_segment(Seg::Ss)?.dpl())
    }

    /// `is_branch_step()`: DEBUGCTL.BTF makes TF trap on branches only.
    /// A failing read counts as BTF clear (x86_emulate squashes it).
    pub fn is_branch_step(&mut self) -> bool {
        match self.ops.read_msr(MSR_IA32_DEBUGCTLMSR) {
            Ok(v) => v & DEBUGCTLMSR_BTF != 0,
            Err(_) => false,
        }
    }

    /// `mode_ring0()`.
    pub fn ring0(&mut self) -> R<bool> {
        Ok(self.cpl()? == 0)
    }

    /// `mode_iopl()`: CPL <= IOPL.
    pub fn iopl_ok(&mut self) -> R<bool> {
        let iopl = ((self.r.eflags & eflags::IOPL) >> 12) as u8;
        Ok(self.cpl()? <= iopl)
    }

    // ---- the common ALU path ---------------------------------------

    pub fn alu(&mut self, op: AluOp) {
        let (res, fl) = alu2(
            op,
            self.dst.val,
            self.src.val,
            self.dst.bytes,
            self.r.eflags,
        );
        self.r.eflags = fl;
        if matches!(op, AluOp::Cmp | AluOp::Test) {
            self.dst.loc = Loc::None;
        } else {
            self.dst.val = res;
        }
    }

    /// Xen's `get_loop_count()`.
    pub fn loop_count(&self) -> u64 {
        truncate(u64::from(self.r.reg(1)), self.d.ad_bytes)
    }

    pub fn put_loop_count(&mut self, count: u64) {
        let b = self.d.ad_bytes;
        self.reg_set(1, false, if b == 2 { 2 } else { 4 }, count);
    }

    pub fn rep_prefix(&self) -> bool {
        self.d.rep != Rep::None
    }

    /// Shared tail of the push family (Xen's `push:` label).
    pub fn do_push(&mut self) -> R<Next> {
        let ob = self.d.op_bytes;
        let off = self.sp_pre_dec(u64::from(ob));
        self.dst = Operand {
            loc: Loc::Mem(Mem { seg: Seg::Ss, off }),
            bytes: ob,
            val: self.src.val,
            orig: 0,
        };
        self.d.desc |= MOV;
        Ok(Next::Writeback)
    }
}
