//! System instructions valid in real mode: Grp7 (SGDT/SIDT/LGDT/LIDT/
//! SMSW/LMSW), CLTS, MOV to/from CRn, CPUID. The real→protected switch
//! after a CR0.PE write is the caller's business, as in Xen.

use crate::decode::Rep;
use crate::emu::{gp0, ud, unhandleable, unrecognized, Emu, Loc, Next, Stop, MSR_IA32_TSC, R};
use crate::ops::{features, Ops};
use crate::state::{eflags, Seg, SegReg};

const MSR_EFER: u32 = 0xc000_0080;
const EFER_SVME: u64 = 1 << 12;
const EFER_SCE: u64 = 1 << 0;
const MSR_TSC_AUX: u32 = 0xc000_0103;

/// Xen's `vex.pfx` of a legacy-encoded instruction.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Pfx {
    None,
    P66,
    F3,
    F2,
}

impl<O: Ops> Emu<'_, O> {
    fn pfx(&self) -> Pfx {
        match self.d.rep {
            Rep::Repe => Pfx::F3,
            Rep::Repne => Pfx::F2,
            Rep::None if self.d.op_bytes != self.def_op_bytes() => Pfx::P66,
            Rep::None => Pfx::None,
        }
    }

    /// x86_emulate's `in_protmode()`: CR0.PE. x86_emulate() takes a failing
    /// read for protected mode (Xen's read_cr(0) never fails); here the
    /// failure stops the instruction, as in `require_realmode()`, so that a
    /// RETRY re-runs it.
    fn in_protmode(&mut self) -> R<bool> {
        Ok(self.ops.read_cr(0)? & 1 != 0)
    }

    /// Grp7 with a register operand (ModRM mod 3): x86_emulate()'s switch
    /// on the whole ModRM byte. SMSW and LMSW are the caller's.
    fn grp7_reg(&mut self) -> R<Next> {
        let f = self.ops.features();
        let pfx = self.pfx();
        match self.d.modrm {
            0xca | 0xcb => {
                // CLAC / STAC
                if f & features::SMAP == 0 || pfx != Pfx::None || !self.ring0()? {
                    return Err(ud());
                }
                self.r.eflags &= !eflags::AC;
                if self.d.modrm == 0xcb {
                    self.r.eflags |= eflags::AC;
                }
                Ok(Next::Writeback)
            }
            0xd5 => {
                // XEND: never in a transaction.
                if pfx != Pfx::None || f & features::RTM == 0 {
                    return Err(ud());
                }
                Err(gp0())
            }
            0xd6 => {
                // XTEST: never in a transaction.
                if pfx != Pfx::None || f & (features::RTM | features::HLE) == 0 {
                    return Err(ud());
                }
                self.r.eflags |= eflags::ZF;
                Ok(Next::Writeback)
            }
            0xdf => {
                // INVLPGA: #UD without EFER.SVME or outside protected mode.
                let efer = self.ops.read_msr(MSR_EFER)?;
                if efer & EFER_SVME == 0 || !self.in_protmode()? {
                    return Err(ud());
                }
                Err(unhandleable())
            }
            0xe8 => match pfx {
                // SERIALIZE (Xen executes it), XSUSLDTRK (never in a
                // transaction).
                Pfx::None if f & features::SERIALIZE != 0 => Ok(Next::Writeback),
                Pfx::F2 if f & features::TSXLDTRK != 0 => Ok(Next::Writeback),
                Pfx::None | Pfx::F2 => Err(ud()),
                _ => Err(unrecognized()),
            },
            0xe9 => match pfx {
                // XRESLDTRK
                Pfx::F2 if f & features::TSXLDTRK != 0 => Ok(Next::Writeback),
                Pfx::F2 => Err(ud()),
                _ => Err(unrecognized()),
            },
            // SWAPGS: 64-bit mode only.
            0xf8 => Err(ud()),
            0xf9 => {
                // RDTSCP: TSC_AUX (the op raises #GP without RDTSCP/RDPID
                // in the guest's policy), then as RDTSC.
                let aux = self.ops.read_msr(MSR_TSC_AUX)?;
                self.r.set_reg(1, aux as u32);
                if !self.ring0()? {
                    // CR4.TSD matters; Xen does not let us read CR4.
                    return Err(unhandleable());
                }
                let v = self.ops.read_msr(MSR_IA32_TSC)?;
                self.r.set_reg(2, (v >> 32) as u32);
                self.r.set_reg(0, v as u32);
                Ok(Next::Writeback)
            }
            _ => Err(unrecognized()),
        }
    }

    /// SYSENTER / SYSEXIT: #UD without SEP, else #GP(0) outside protected
    /// mode (SYSEXIT checks CPL 0 first); protected mode is not ours.
    pub(crate) fn sysenter_sysexit(&mut self, b: u8) -> R<Next> {
        if self.ops.features() & features::SEP == 0 {
            return Err(ud());
        }
        if b == 0x35 && !self.ring0()? {
            return Err(gp0());
        }
        if !self.in_protmode()? {
            return Err(gp0());
        }
        Err(unhandleable())
    }

    /// SYSCALL / SYSRET: EFER.SCE, then #UD outside 64-bit mode on Intel.
    /// On AMD x86_emulate() goes on (STAR, flat CS/SS even from real
    /// mode): delegated.
    pub(crate) fn syscall_sysret(&mut self) -> R<Next> {
        let efer = self.ops.read_msr(MSR_EFER)?;
        if efer & EFER_SCE == 0 || self.ops.features() & features::AMD_LIKE == 0 {
            return Err(ud());
        }
        Err(Stop::Delegate)
    }

    /// LFENCE / MFENCE / SFENCE (Grp15 register forms /5-/7): nothing to
    /// do but the checks. F3 is another group (#UD outside 64-bit mode),
    /// F2 nothing x86_emulate() implements.
    pub(crate) fn fence(&mut self) -> R<Next> {
        match self.pfx() {
            Pfx::F2 => return Err(unrecognized()),
            Pfx::F3 | Pfx::P66 => return Err(ud()),
            Pfx::None => {}
        }
        let need = if self.d.modrm_reg == 7 {
            features::MMXEXT
        } else {
            features::SSE2
        };
        if self.ops.features() & need == 0 {
            return Err(ud());
        }
        Ok(Next::Writeback)
    }

    /// Grp9: RDPID is emulated; CMPXCHG8B (an 8-byte cmpxchg, which the
    /// payload's syscall does not take) is delegated once its #UD checks
    /// passed, RDRAND/RDSEED (a random number from the host; x86_emulate()
    /// without assembler support for them does not implement them) always.
    pub(crate) fn grp9(&mut self) -> R<Next> {
        let f = self.ops.features();
        if self.d.is_mem {
            if self.d.modrm_reg != 1 || f & features::CX8 == 0 {
                return Err(ud());
            }
            return Err(Stop::Delegate);
        }
        match self.d.modrm_reg {
            7 if self.d.rep == Rep::Repe => {
                if f & features::RDPID == 0 {
                    return Err(ud());
                }
                let aux = self.ops.read_msr(MSR_TSC_AUX)?;
                self.r.set_reg(usize::from(self.d.modrm_rm), aux as u32);
                Ok(Next::Writeback)
            }
            6 | 7 => Err(Stop::Delegate),
            _ => Err(unrecognized()),
        }
    }

    pub(crate) fn grp7(&mut self) -> R<Next> {
        // XGETBV, XSETBV, VMFUNC, RDPKRU, WRPKRU, INVLPG.
        if crate::delegated(0x000f_0001, self.d.modrm) {
            return Err(Stop::Delegate);
        }
        let reg = self.d.modrm_reg;
        if !self.d.is_mem && !matches!(reg, 4 | 6) {
            return self.grp7_reg();
        }
        let seg = if reg & 1 != 0 { Seg::Idtr } else { Seg::Gdtr };
        let mem = self.d.is_mem;
        let ea = self.d.ea;
        match (reg, mem) {
            (0 | 1, true) => {
                let s = self.ops.read_segment(seg)?;
                let mut base = s.base;
                let mut ob = self.d.op_bytes;
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
                if self.d.op_bytes == 2 {
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
                    self.d.desc |= crate::decode::desc::MOV;
                    (Loc::Mem(ea), 2)
                } else {
                    (
                        Loc::Reg {
                            n: self.d.modrm_rm,
                            hi: false,
                        },
                        self.d.op_bytes,
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
            // Nothing at /5 with a memory operand.
            (5, true) => Err(unrecognized()),
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
