//! The platform hooks, mirroring Xen's `struct x86_emulate_ops`
//! (xen/arch/x86/x86_emulate/x86_emulate.h). The emulator never touches
//! memory, ports or hidden state except through these.

use crate::state::{Event, Seg, SegReg};

/// Why an operation did not complete (the non-OKAY X86EMUL_* codes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// X86EMUL_RETRY: the access went to a device model; re-run later.
    Retry,
    /// X86EMUL_EXCEPTION with the event the op raised.
    Exception(Event),
    /// X86EMUL_UNHANDLEABLE.
    Unhandleable,
    /// X86EMUL_UNRECOGNIZED (= X86EMUL_UNIMPLEMENTED in Xen 4.17): an
    /// instruction x86_emulate() does not know or implement. Never an
    /// op's answer; VMX real mode turns it into #UD for the guest.
    Unrecognized,
}

pub type OpResult<T> = Result<T, Fault>;

/// The guest's CPUID features x86_emulate() consults for the instructions
/// this crate emulates (`vcpu_has_*()` of the domain's CPU policy; for
/// SERIALIZE Xen's `host_and_vcpu_must_have()`: host and guest). The
/// values are the ABI's HVM_DEPRIV_RM_F_*.
pub mod features {
    /// BMI1: F3 0F BC is TZCNT.
    pub const BMI1: u32 = 1 << 0;
    /// ABM: F3 0F BD is LZCNT.
    pub const LZCNT: u32 = 1 << 1;
    /// RTM: XBEGIN/XABORT/XEND/XTEST.
    pub const RTM: u32 = 1 << 2;
    /// HLE: XTEST.
    pub const HLE: u32 = 1 << 3;
    /// SMAP: CLAC/STAC.
    pub const SMAP: u32 = 1 << 4;
    /// SERIALIZE (host and guest).
    pub const SERIALIZE: u32 = 1 << 5;
    /// TSXLDTRK: XSUSLDTRK/XRESLDTRK.
    pub const TSXLDTRK: u32 = 1 << 6;
    /// CLZERO (delegated: not used by this crate).
    pub const CLZERO: u32 = 1 << 7;
    /// SEP: SYSENTER/SYSEXIT.
    pub const SEP: u32 = 1 << 8;
    /// CR8_LEGACY (AMD's AltMovCr8): LOCK MOV CR0 is MOV CR8.
    pub const CR8_LEGACY: u32 = 1 << 9;
    /// CMOV: CMOVcc.
    pub const CMOV: u32 = 1 << 10;
    /// SSE2: MOVNTI, LFENCE, MFENCE.
    pub const SSE2: u32 = 1 << 11;
    /// MMXEXT or SSE: SFENCE.
    pub const MMXEXT: u32 = 1 << 12;
    /// POPCNT (host and guest).
    pub const POPCNT: u32 = 1 << 13;
    /// An AMD or Hygon CPU policy (x86_emulate's `amd_like()`).
    pub const AMD_LIKE: u32 = 1 << 14;
    /// RDPID.
    pub const RDPID: u32 = 1 << 15;
    /// RDRAND (host and guest; delegated: not used by this crate).
    pub const RDRAND: u32 = 1 << 16;
    /// RDSEED (host and guest; delegated: not used by this crate).
    pub const RDSEED: u32 = 1 << 17;
    /// CX8: CMPXCHG8B.
    pub const CX8: u32 = 1 << 18;
    /// All of the above.
    pub const ALL: u32 = (1 << 19) - 1;
}

/// Xen's `struct x86_emulate_ops`, restricted to the hooks real-mode
/// integer instructions use. Offsets are segment-relative as in Xen; the
/// platform turns them into linear addresses (in real mode Xen's
/// `hvm_virtual_to_linear_addr()` does no limit check at all).
pub trait Ops {
    /// `insn_fetch`: read instruction bytes at CS:offset. A zero-length
    /// fetch is a branch-target check (Xen's `jmp_rel()`).
    fn insn_fetch(&mut self, offset: u64, buf: &mut [u8]) -> OpResult<()>;
    fn read(&mut self, seg: Seg, offset: u64, buf: &mut [u8]) -> OpResult<()>;
    fn write(&mut self, seg: Seg, offset: u64, data: &[u8]) -> OpResult<()>;
    /// `cmpxchg`, used for LOCKed read-modify-write (and XCHG with memory).
    /// A failed compare is reported as `Fault::Retry` (Xen maps
    /// X86EMUL_CMPXCHG_FAILED to X86EMUL_RETRY).
    fn cmpxchg(&mut self, seg: Seg, offset: u64, old: &[u8], new: &[u8]) -> OpResult<()> {
        let _ = (seg, offset, old, new);
        Err(Fault::Unhandleable)
    }
    /// Optional batched string I/O; `reps` in: wanted (at most
    /// [`crate::MAX_REPS`]), out: done. `df` is EFLAGS.DF (Xen's
    /// hvmemul_rep_* read it from `ctxt->regs`). Answering Unhandleable
    /// makes the emulator do one iteration per call, as x86_emulate does.
    #[allow(clippy::too_many_arguments)]
    fn rep_ins(
        &mut self,
        port: u16,
        seg: Seg,
        offset: u64,
        bytes: u8,
        reps: &mut u64,
        df: bool,
    ) -> OpResult<()> {
        let _ = (port, seg, offset, bytes, reps, df);
        Err(Fault::Unhandleable)
    }
    #[allow(clippy::too_many_arguments)]
    fn rep_outs(
        &mut self,
        seg: Seg,
        offset: u64,
        port: u16,
        bytes: u8,
        reps: &mut u64,
        df: bool,
    ) -> OpResult<()> {
        let _ = (seg, offset, port, bytes, reps, df);
        Err(Fault::Unhandleable)
    }
    #[allow(clippy::too_many_arguments)]
    fn rep_movs(
        &mut self,
        src_seg: Seg,
        src_offset: u64,
        dst_seg: Seg,
        dst_offset: u64,
        bytes: u8,
        reps: &mut u64,
        df: bool,
    ) -> OpResult<()> {
        let _ = (src_seg, src_offset, dst_seg, dst_offset, bytes, reps, df);
        Err(Fault::Unhandleable)
    }
    fn rep_stos(
        &mut self,
        val: u64,
        seg: Seg,
        offset: u64,
        bytes: u8,
        reps: &mut u64,
        df: bool,
    ) -> OpResult<()> {
        let _ = (val, seg, offset, bytes, reps, df);
        Err(Fault::Unhandleable)
    }
    fn read_io(&mut self, port: u16, bytes: u8) -> OpResult<u32>;
    fn write_io(&mut self, port: u16, bytes: u8, val: u32) -> OpResult<()>;
    fn read_segment(&mut self, seg: Seg) -> OpResult<SegReg>;
    fn write_segment(&mut self, seg: Seg, reg: &SegReg) -> OpResult<()>;
    fn read_cr(&mut self, reg: u8) -> OpResult<u64>;
    fn write_cr(&mut self, reg: u8, val: u64) -> OpResult<()>;
    /// `read_msr`: RDMSR/RDTSC, and DEBUGCTL.BTF for single-stepping.
    fn read_msr(&mut self, msr: u32) -> OpResult<u64> {
        let _ = msr;
        Err(Fault::Unhandleable)
    }
    /// `write_msr`: WRMSR.
    fn write_msr(&mut self, msr: u32, val: u64) -> OpResult<()> {
        let _ = (msr, val);
        Err(Fault::Unhandleable)
    }
    /// The guest's [`features`] (Xen's `ctxt->cpu_policy`, which x86_emulate
    /// reads directly, no op). None by default.
    fn features(&self) -> u32 {
        0
    }
    /// CPUID leaf/subleaf → [eax, ebx, ecx, edx].
    fn cpuid(&mut self, leaf: u32, subleaf: u32) -> OpResult<[u32; 4]> {
        let _ = (leaf, subleaf);
        Err(Fault::Unhandleable)
    }
}
