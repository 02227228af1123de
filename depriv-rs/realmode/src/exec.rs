//! The driver: x86_emulate()'s decode, operand fetch, opcode dispatch,
//! writeback and commit, on the execution core in `emu` and the
//! instruction families in `insn/`.

use crate::decode::{decode, desc::*, Decoded};
use crate::emu::{
    gp0, ud, unhandleable, unrecognized, Emu, Loc, Next, Operand, Stop, DEBUGCTLMSR_BTF,
    MSR_IA32_DEBUGCTLMSR, MSR_IA32_TSC, R,
};
use crate::insn::alu::{alu2, AluOp};
use crate::ops::{features, Fault, Ops};
use crate::state::{eflags, CpuState, Outcome, Retire, Seg};

/// Length of the instruction at CS:EIP as this crate decodes it (for
/// cross-checking the decoder); faults as `emulate_one` would report them.
pub fn insn_length<O: Ops>(state: &CpuState, ops: &mut O) -> Result<u8, Fault> {
    let mut d = Decoded::NONE;
    decode(state, ops, &mut d)?;
    if d.desc & DELEGATE != 0 {
        return Err(Fault::Unhandleable);
    }
    Ok(d.ip.wrapping_sub(u64::from(state.eip)) as u8)
}

/// Run one instruction: decode, fetch operands, execute, write back,
/// commit — the shape of x86_emulate().
pub fn emulate_one<O: Ops>(state: &mut CpuState, ops: &mut O) -> Outcome {
    if state.eflags & eflags::VM != 0 || (state.addr_size != 16 && state.addr_size != 32) {
        return Outcome::Unhandleable;
    }
    // x86_emulate's first op: `singlestep = TF && !is_branch_step()`.
    let tf = state.eflags & eflags::TF != 0;
    let branch_step = tf
        && match ops.read_msr(MSR_IA32_DEBUGCTLMSR) {
            Ok(v) => v & DEBUGCTLMSR_BTF != 0,
            Err(_) => false,
        };
    // No up-front CR0 read (in the payload every op is a syscall): like
    // x86_emulate, the mode-dependent instructions (segment loads, far
    // branches, IRET, ARPL/LAR/LSL/Grp6) read CR0 where Xen's
    // in_realmode()/in_protmode() do, and are Unhandleable with CR0.PE=1;
    // the rest behaves as x86_emulate does in any mode.
    // x86_emulate() first checks mode_vif(), which reads SS (get_cpl());
    // CPL 3 in real mode needs the VME/PVI machinery we don't have.
    match ops.read_segment(Seg::Ss) {
        Ok(ss) if ss.dpl() != 0 => return Outcome::Unhandleable,
        _ => {}
    }
    let mut emu = Emu {
        ops,
        r: *state,
        ip: 0,
        d: Decoded::NONE,
        src: Operand::NONE,
        dst: Operand::NONE,
        retire: Retire::default(),
        singlestep: tf && !branch_step,
    };
    // Decoded in place, into the emulator's own copy.
    if let Err(f) = decode(state, emu.ops, &mut emu.d) {
        return fault_outcome(f);
    }
    // Delegated by the opcode, or (Grp7, Grp15) by the ModRM byte: before
    // any operand work.
    if emu.d.desc & (DELEGATE | DELEGATE_MODRM) != 0 {
        return Outcome::Delegate;
    }
    emu.ip = emu.d.ip;
    let res = emu.run();
    let commit = |emu: &mut Emu<'_, O>, state: &mut CpuState| {
        emu.r.eip = emu.ip as u32;
        emu.r.eflags &= !eflags::RF;
        *state = emu.r;
    };
    match res {
        Ok(()) => {
            if emu.singlestep && !emu.retire.mov_ss {
                emu.retire.singlestep = true;
                emu.retire.sti = false;
            }
            commit(&mut emu, state);
            Outcome::Okay(emu.retire)
        }
        Err(Stop::CommitException(ev)) => {
            commit(&mut emu, state);
            Outcome::Exception(ev)
        }
        Err(Stop::Abort(f)) => fault_outcome(f),
        Err(Stop::Delegate) => Outcome::Delegate,
    }
}

fn fault_outcome(f: Fault) -> Outcome {
    match f {
        Fault::Retry => Outcome::Retry,
        Fault::Exception(e) => Outcome::Exception(e),
        Fault::Unhandleable => Outcome::Unhandleable,
        Fault::Unrecognized => Outcome::Unrecognized,
    }
}

impl<O: Ops> Emu<'_, O> {
    // Called once per instruction, from emulate_one only.
    #[inline(always)]
    fn run(&mut self) -> R<()> {
        self.fetch_operands()?;
        match self.execute()? {
            Next::Writeback => self.writeback(),
            Next::Complete => Ok(()),
        }
    }

    /// x86_emulate's source/destination operand set-up, including the
    /// LOCK-prefix #UD rules and the read of RMW memory destinations.
    fn fetch_operands(&mut self) -> R<()> {
        let d = self.d.desc;
        let byte = d & BYTE_OP != 0;
        let ea_loc = if self.d.is_mem {
            Loc::Mem(self.d.ea)
        } else {
            Self::reg_loc(self.d.modrm_rm, byte)
        };
        match d & SRC_MASK {
            SRC_REG => {
                let bytes = if byte { 1 } else { self.d.op_bytes };
                let loc = Self::reg_loc(self.d.modrm_reg, byte);
                let val = self.loc_read(loc, bytes)?;
                self.src = Operand {
                    loc,
                    bytes,
                    val,
                    orig: val,
                };
            }
            SRC_MEM | SRC_MEM16 => {
                let bytes = if d & SRC_MASK == SRC_MEM16 {
                    2
                } else if byte {
                    1
                } else {
                    self.d.op_bytes
                };
                let val = self.loc_read(ea_loc, bytes)?;
                self.src = Operand {
                    loc: ea_loc,
                    bytes,
                    val,
                    orig: val,
                };
            }
            SRC_IMM | SRC_IMMBYTE | SRC_IMM16 => {
                let bytes = match d & SRC_MASK {
                    SRC_IMM if !byte => self.d.op_bytes,
                    SRC_IMM16 => 2,
                    _ => 1,
                };
                self.src = Operand {
                    loc: Loc::Imm,
                    bytes,
                    val: self.d.imm1,
                    orig: self.d.imm1,
                };
            }
            _ => {}
        }
        match d & DST_MASK {
            DST_NONE => {
                // The only implicit-operand instruction LOCK may prefix:
                // CMPXCHG8B (0f c7 /1 with a memory operand).
                if self.d.lock
                    && !(self.d.opcode == 0x1c7 && self.d.modrm_reg == 1 && self.d.is_mem)
                {
                    return Err(ud());
                }
            }
            DST_REG => {
                if self.d.lock {
                    return Err(ud());
                }
                let bytes = if byte { 1 } else { self.d.op_bytes };
                let loc = Self::reg_loc(self.d.modrm_reg, byte);
                let val = self.loc_read(loc, bytes)?;
                self.dst = Operand {
                    loc,
                    bytes,
                    val,
                    orig: val,
                };
            }
            _ => {
                let mut ea = ea_loc;
                if d & DST_MASK == DST_BITBASE {
                    let ob = self.d.op_bytes;
                    if let Loc::Mem(mut m) = ea {
                        let sv: i64 = if ob == 2 {
                            i64::from(self.src.val as u16 as i16)
                        } else {
                            i64::from(self.src.val as u32 as i32)
                        };
                        let obm = !(u64::from(ob) - 1);
                        if sv < 0 {
                            let nv = (sv.wrapping_neg() as u64).wrapping_sub(1);
                            m.off = m
                                .off
                                .wrapping_sub(u64::from(ob).wrapping_add((nv >> 3) & obm));
                        } else {
                            m.off = m.off.wrapping_add(((sv as u64) >> 3) & obm);
                        }
                        m.off = self.truncate_ea(m.off);
                        ea = Loc::Mem(m);
                        self.src.val = sv as u64;
                    }
                    self.src.val &= u64::from(ob) * 8 - 1;
                    self.d.desc = (d & !DST_MASK) | DST_MEM;
                }
                let bytes = if byte { 1 } else { self.d.op_bytes };
                match ea {
                    Loc::Mem(_) => {
                        if self.d.desc & MOV != 0 {
                            if self.d.lock {
                                return Err(ud());
                            }
                            self.dst = Operand {
                                loc: ea,
                                bytes,
                                val: 0,
                                orig: 0,
                            };
                        } else {
                            let val = self.loc_read(ea, bytes)?;
                            self.dst = Operand {
                                loc: ea,
                                bytes,
                                val,
                                orig: val,
                            };
                        }
                    }
                    _ => {
                        if self.d.lock {
                            return Err(ud());
                        }
                        let val = self.loc_read(ea, bytes)?;
                        self.dst = Operand {
                            loc: ea,
                            bytes,
                            val,
                            orig: val,
                        };
                    }
                }
            }
        }
        Ok(())
    }

    /// x86_emulate's `writeback:` block.
    fn writeback(&mut self) -> R<()> {
        match self.dst.loc {
            Loc::Reg { n, hi } => {
                let (b, v) = (self.dst.bytes, self.dst.val);
                self.reg_set(n, hi, b, v);
            }
            Loc::Mem(m) => {
                let bytes = self.dst.bytes;
                if self.d.desc & MOV == 0 && self.dst.orig == self.dst.val {
                    // Nothing changed: x86_emulate skips the write.
                } else if self.d.lock {
                    let old = self.dst.orig.to_le_bytes();
                    let new = self.dst.val.to_le_bytes();
                    let n = usize::from(bytes.min(8));
                    let (o, nw) = match (old.get(..n), new.get(..n)) {
                        (Some(o), Some(nw)) => (o, nw),
                        _ => return Err(unhandleable()),
                    };
                    self.ops.cmpxchg(m.seg, m.off, o, nw)?;
                } else {
                    // x86_emulate truncates the offset to the *address*
                    // size here, also for pushes through a 32-bit SS
                    // from 16-bit code (PUSHA/ENTER/far CALL write
                    // directly and do not).
                    let off = self.truncate_ea(m.off);
                    self.write(m.seg, off, bytes, self.dst.val)?;
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn execute(&mut self) -> R<Next> {
        let op = self.d.opcode;
        if op >= 0x100 {
            return self.execute_0f((op & 0xff) as u8);
        }
        let b = op as u8;
        match b {
            0x00..=0x3f if b & 7 < 6 => {
                let aop = AluOp::from_index(b >> 3);
                match (aop, b & 7) {
                    // cmp r/m,reg: flags of r/m - reg (operands swapped).
                    (AluOp::Cmp, 0 | 1) => {
                        let (_, fl) = alu2(
                            AluOp::Cmp,
                            self.src.val,
                            self.dst.val,
                            self.src.bytes,
                            self.r.eflags,
                        );
                        self.r.eflags = fl;
                        self.dst.loc = Loc::None;
                    }
                    _ => self.alu(aop),
                }
                Ok(Next::Writeback)
            }
            0x06 | 0x0e | 0x16 | 0x1e | 0x07 | 0x17 | 0x1f => self.push_pop_sreg(b),
            0x27 | 0x2f | 0x37 | 0x3f => self.bcd(b),
            0x40..=0x4f => self.incdec_reg(b),
            0x50..=0x57 => {
                let v = self.reg_get(b & 7, false, self.d.op_bytes);
                self.src.val = v;
                self.do_push()
            }
            0x58..=0x5f => {
                let ob = self.d.op_bytes;
                let v = self.pop(ob)?;
                self.dst = Operand {
                    loc: Loc::Reg {
                        n: b & 7,
                        hi: false,
                    },
                    bytes: ob,
                    val: v,
                    orig: v,
                };
                Ok(Next::Writeback)
            }
            0x60 => self.pusha(),
            0x61 => self.popa(),
            0x62 => self.bound(),
            0x63 => {
                // ARPL is #UD outside protected mode.
                self.require_realmode()?;
                Err(ud())
            }
            0x68 | 0x6a => self.do_push(),
            0x69 | 0x6b => self.imul_imm(),
            0x6c..=0x6f => self.ins_outs(b),
            0x70..=0x7f => {
                if crate::insn::flagsops::test_cc(b, self.r.eflags) {
                    self.jmp_rel(self.src.val)?;
                }
                Ok(Next::Writeback)
            }
            0x80..=0x83 => {
                let aop = AluOp::from_index(self.d.modrm_reg);
                if aop == AluOp::Cmp {
                    let (_, fl) = alu2(
                        AluOp::Cmp,
                        self.src.val,
                        self.d.imm1,
                        self.src.bytes,
                        self.r.eflags,
                    );
                    self.r.eflags = fl;
                    self.dst.loc = Loc::None;
                } else {
                    self.alu(aop);
                }
                Ok(Next::Writeback)
            }
            0x84 | 0x85 | 0xa8 | 0xa9 => {
                self.alu(AluOp::Test);
                Ok(Next::Writeback)
            }
            0x86 | 0x87 => self.xchg(),
            0x88..=0x8b | 0xa0..=0xa3 => {
                self.dst.val = self.src.val;
                Ok(Next::Writeback)
            }
            0xc6 | 0xc7 => {
                if self.d.modrm == 0xf8 && self.ops.features() & features::RTM != 0 {
                    // XBEGIN aborts at once, XABORT is a NOP (no
                    // transaction is ever active); XBEGIN's target is not
                    // truncated to 16 bits.
                    if b & 1 != 0 {
                        self.d.op_bytes = 4;
                        self.jmp_rel(self.src.val)?;
                        self.r.set_reg(0, 0);
                    }
                    self.dst.loc = Loc::None;
                    return Ok(Next::Writeback);
                }
                if self.d.modrm_reg != 0 {
                    return Err(ud());
                }
                self.dst.val = self.src.val;
                Ok(Next::Writeback)
            }
            0x8c => self.mov_from_sreg(),
            0x8d => {
                if !self.d.is_mem {
                    return Err(ud());
                }
                self.dst.val = self.d.ea.off;
                Ok(Next::Writeback)
            }
            0x8e => self.mov_to_sreg(),
            0x8f => self.pop_rm(),
            0x90 => {
                // NOP / PAUSE.
                Ok(Next::Writeback)
            }
            0x91..=0x97 => {
                let ob = self.d.op_bytes;
                let loc = Loc::Reg {
                    n: b & 7,
                    hi: false,
                };
                let v = self.reg_get(b & 7, false, ob);
                self.dst = Operand {
                    loc,
                    bytes: ob,
                    val: v,
                    orig: v,
                };
                self.xchg()
            }
            0x98 => {
                let ax = self.r.reg(0);
                let v = if self.d.op_bytes == 2 {
                    (ax & 0xffff_0000) | u32::from(ax as u8 as i8 as i16 as u16)
                } else {
                    ax as u16 as i16 as i32 as u32
                };
                self.r.set_reg(0, v);
                Ok(Next::Writeback)
            }
            0x99 => {
                let ax = self.r.reg(0);
                if self.d.op_bytes == 2 {
                    let dx = if (ax as u16 as i16) < 0 { 0xffff } else { 0 };
                    self.reg_set(2, false, 2, dx);
                } else {
                    let dx = if (ax as i32) < 0 { 0xffff_ffff } else { 0 };
                    self.r.set_reg(2, dx);
                }
                Ok(Next::Writeback)
            }
            0x9a => self.far_call(self.d.imm1, self.d.imm2 as u16),
            0x9c => self.pushf(),
            0x9d => self.popf(),
            0x9e => {
                let ah = (self.r.reg(0) >> 8) & 0xff;
                self.r.eflags = (self.r.eflags & !0xff) | (ah & eflags::ARITH) | eflags::MBS;
                Ok(Next::Writeback)
            }
            0x9f => {
                let v = (self.r.eflags & eflags::ARITH) | eflags::MBS;
                self.reg_set(0, true, 1, u64::from(v));
                Ok(Next::Writeback)
            }
            0xa4..=0xa7 | 0xaa..=0xaf => self.string(b),
            0xb0..=0xb7 => {
                self.dst.loc = Self::reg_loc(b & 7, true);
                self.dst.val = self.src.val;
                Ok(Next::Writeback)
            }
            0xb8..=0xbf => {
                self.dst.loc = Loc::Reg {
                    n: b & 7,
                    hi: false,
                };
                self.dst.val = self.src.val;
                Ok(Next::Writeback)
            }
            0xc0 | 0xc1 | 0xd0..=0xd3 => self.grp2(b),
            0xc2 | 0xc3 => self.ret_near(),
            0xc4 | 0xc5 => self.les(if b == 0xc4 { Seg::Es } else { Seg::Ds }),
            0xc8 => self.enter(),
            0xc9 => self.leave(),
            0xca | 0xcb => self.ret_far(),
            0xcc..=0xce | 0xf1 => self.swint(b),
            0xcf => self.iret(),
            0xd4 | 0xd5 => self.aam_aad(b),
            0xd6 => {
                let v = if self.r.eflags & eflags::CF != 0 {
                    0xff
                } else {
                    0
                };
                self.reg_set(0, false, 1, v);
                Ok(Next::Writeback)
            }
            0xd7 => {
                let off = self.truncate_ea(
                    u64::from(self.r.reg(3)).wrapping_add(u64::from(self.r.reg(0) & 0xff)),
                );
                let al = self.read(self.d.ea.seg, off, 1)?;
                self.reg_set(0, false, 1, al);
                Ok(Next::Writeback)
            }
            0xe0..=0xe2 => self.loop_insn(b),
            0xe3 => {
                if self.loop_count() == 0 {
                    self.jmp_rel(self.src.val)?;
                }
                Ok(Next::Writeback)
            }
            0xe4..=0xe7 | 0xec..=0xef => self.in_out(b),
            0xe8 => {
                let rel = self.src.val;
                self.src.val = self.ip;
                self.jmp_rel(rel)?;
                self.do_push()
            }
            0xe9 | 0xeb => {
                self.jmp_rel(self.src.val)?;
                Ok(Next::Writeback)
            }
            0xea => self.far_jmp(self.d.imm1, self.d.imm2 as u16),
            0xf4 => {
                if !self.ring0()? {
                    return Err(gp0());
                }
                self.retire.hlt = true;
                Ok(Next::Writeback)
            }
            0xf5 => {
                self.r.eflags ^= eflags::CF;
                Ok(Next::Writeback)
            }
            0xf6 | 0xf7 => self.grp3(),
            0xf8 => {
                self.r.eflags &= !eflags::CF;
                Ok(Next::Writeback)
            }
            0xf9 => {
                self.r.eflags |= eflags::CF;
                Ok(Next::Writeback)
            }
            0xfa | 0xfb => self.cli_sti(b),
            0xfc => {
                self.r.eflags &= !eflags::DF;
                Ok(Next::Writeback)
            }
            0xfd => {
                self.r.eflags |= eflags::DF;
                Ok(Next::Writeback)
            }
            0xfe | 0xff => self.grp4_5(b),
            // FWAIT, x87: the FPU's (operands fetched, LOCK refused).
            0x9b | 0xd8..=0xdf => Err(Stop::Delegate),
            _ => Err(unhandleable()),
        }
    }

    fn execute_0f(&mut self, b: u8) -> R<Next> {
        match b {
            0x00 => {
                // Grp6 (SLDT/STR/LLDT/LTR/VERR/VERW) is #UD outside
                // protected mode (x86_emulate: !in_protmode()).
                self.require_realmode()?;
                Err(ud())
            }
            0x01 => self.grp7(),
            0x02 | 0x03 => {
                // LAR/LSL are #UD outside protected mode (after the
                // selector operand was read).
                self.require_realmode()?;
                Err(ud())
            }
            0x06 => self.clts(),
            0x30 => {
                if !self.ring0()? {
                    return Err(gp0());
                }
                let v = (u64::from(self.r.reg(2)) << 32) | u64::from(self.r.reg(0));
                self.ops.write_msr(self.r.reg(1), v)?;
                Ok(Next::Writeback)
            }
            0x31 | 0x32 => {
                // RDTSC (CR4.TSD only matters outside ring 0) / RDMSR.
                if !self.ring0()? {
                    if b == 0x32 {
                        return Err(gp0());
                    }
                    return Err(unhandleable());
                }
                let msr = if b == 0x31 {
                    MSR_IA32_TSC
                } else {
                    self.r.reg(1)
                };
                let v = self.ops.read_msr(msr)?;
                self.r.set_reg(2, (v >> 32) as u32);
                self.r.set_reg(0, v as u32);
                Ok(Next::Writeback)
            }
            0x0b | 0xb9 | 0xff => Err(ud()),
            // x86_decode_twobyte() folds a 66/F2/F3 prefix into the
            // opcode of 0f 18 (SIMD space): no NOP any more, x86_emulate()
            // does not implement it.
            0x18 if self.d.has_simd_prefix(self.def_op_bytes()) => Err(unrecognized()),
            // PREFETCH / hint NOPs: no memory access.
            0x0d | 0x18..=0x1f => Ok(Next::Writeback),
            0xae => {
                if crate::delegated(0x000f_00ae, self.d.modrm) {
                    return Err(Stop::Delegate);
                }
                self.fence()
            }
            0x34 | 0x35 => self.sysenter_sysexit(b),
            0x05 | 0x07 => self.syscall_sysret(),
            // Nothing x86_emulate() implements (GETSEC, RSM included).
            0x21 | 0x23 => {
                // MOV from/to DRn: HVM has no read_dr/write_dr hooks.
                if !self.ring0()? {
                    return Err(gp0());
                }
                Err(unhandleable())
            }
            0xc7 => self.grp9(),
            0x04
            | 0x0a
            | 0x0c
            | 0x24..=0x27
            | 0x33
            | 0x36
            | 0x37
            | 0x39
            | 0x3b..=0x3f
            | 0xa6
            | 0xa7
            | 0xaa => Err(unrecognized()),
            0xb8 => {
                // POPCNT with F3 (the last of F2/F3); JMPE (none, 66) and
                // F2 are not implemented.
                if self.d.rep != crate::decode::Rep::Repe {
                    return Err(unrecognized());
                }
                if self.ops.features() & features::POPCNT == 0 {
                    return Err(ud());
                }
                let v = self.src.val & crate::insn::alu::mask(self.src.bytes);
                self.dst.val = u64::from(v.count_ones());
                self.r.eflags &= !eflags::ARITH;
                if v == 0 {
                    self.r.eflags |= eflags::ZF;
                }
                Ok(Next::Writeback)
            }
            0xc3 => {
                // MOVNTI (any 66/F2/F3 makes it another, unimplemented,
                // opcode).
                if self.d.has_simd_prefix(self.def_op_bytes()) {
                    return Err(unrecognized());
                }
                if self.ops.features() & features::SSE2 == 0 {
                    return Err(ud());
                }
                self.dst.val = self.src.val;
                Ok(Next::Writeback)
            }
            0xb0 | 0xb1 => self.cmpxchg_insn(),
            0xc0 | 0xc1 => {
                // XADD: the register gets the old destination, then ADD.
                if let Loc::Reg { n, hi } = self.src.loc {
                    let (bytes, v) = (self.dst.bytes, self.dst.val);
                    self.reg_set(n, hi, bytes, v);
                }
                self.alu(AluOp::Add);
                Ok(Next::Writeback)
            }
            0xc8..=0xcf => {
                let ob = self.d.op_bytes;
                let v = if ob == 2 {
                    // Undefined; x86_emulate writes zero.
                    0
                } else {
                    u64::from(self.r.reg(usize::from(b & 7)).swap_bytes())
                };
                self.dst = Operand {
                    loc: Loc::Reg {
                        n: b & 7,
                        hi: false,
                    },
                    bytes: ob,
                    val: v,
                    orig: 0,
                };
                Ok(Next::Writeback)
            }
            0x20 | 0x22 => self.mov_cr(b),
            0x40..=0x4f => {
                if self.ops.features() & features::CMOV == 0 {
                    return Err(ud());
                }
                if crate::insn::flagsops::test_cc(b, self.r.eflags) {
                    self.dst.val = self.src.val;
                }
                Ok(Next::Writeback)
            }
            0x80..=0x8f => {
                if crate::insn::flagsops::test_cc(b, self.r.eflags) {
                    self.jmp_rel(self.src.val)?;
                }
                Ok(Next::Writeback)
            }
            0x90..=0x9f => {
                self.dst.val = u64::from(crate::insn::flagsops::test_cc(b, self.r.eflags));
                Ok(Next::Writeback)
            }
            0xa0 | 0xa8 | 0xa1 | 0xa9 => self.push_pop_sreg_0f(b),
            0xa2 => self.cpuid(),
            0xa3 | 0xab | 0xb3 | 0xbb | 0xba => self.bt_family(b),
            0xa4 | 0xa5 | 0xac | 0xad => self.shld_shrd(b),
            0xaf => self.imul_0f_af(),
            0xb2 | 0xb4 | 0xb5 => self.les(match b {
                0xb2 => Seg::Ss,
                0xb4 => Seg::Fs,
                _ => Seg::Gs,
            }),
            0xb6 | 0xb7 | 0xbe | 0xbf => self.movzx_movsx(b),
            0xbc | 0xbd => self.bsf_bsr(b),
            _ => Err(unhandleable()),
        }
    }
}
