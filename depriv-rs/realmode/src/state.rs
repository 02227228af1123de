//! Architectural state the emulator works on, shaped after Xen's
//! `struct cpu_user_regs` / `struct segment_register` /
//! `struct x86_event` (xen/arch/x86/x86_emulate/x86_emulate.h).

/// EFLAGS bits (Intel SDM vol. 1, 3.4.3).
pub mod eflags {
    pub const CF: u32 = 1 << 0;
    /// Bit 1 always reads as one ("must be set", Xen's X86_EFLAGS_MBS).
    pub const MBS: u32 = 1 << 1;
    pub const PF: u32 = 1 << 2;
    pub const AF: u32 = 1 << 4;
    pub const ZF: u32 = 1 << 6;
    pub const SF: u32 = 1 << 7;
    pub const TF: u32 = 1 << 8;
    pub const IF: u32 = 1 << 9;
    pub const DF: u32 = 1 << 10;
    pub const OF: u32 = 1 << 11;
    pub const IOPL: u32 = 3 << 12;
    pub const NT: u32 = 1 << 14;
    pub const RF: u32 = 1 << 16;
    pub const VM: u32 = 1 << 17;
    pub const AC: u32 = 1 << 18;
    pub const VIF: u32 = 1 << 19;
    pub const VIP: u32 = 1 << 20;
    pub const ID: u32 = 1 << 21;
    /// The six arithmetic status flags (Xen's EFLAGS_MASK).
    pub const ARITH: u32 = CF | PF | AF | ZF | SF | OF;
    /// What POPF/IRET may change (Xen's EFLAGS_MODIFIABLE).
    pub const MODIFIABLE: u32 = ID | AC | RF | NT | IOPL | DF | IF | TF | ARITH;
}

/// General purpose register numbers, in ModRM encoding order.
pub mod gpr {
    pub const EAX: usize = 0;
    pub const ECX: usize = 1;
    pub const EDX: usize = 2;
    pub const EBX: usize = 3;
    pub const ESP: usize = 4;
    pub const EBP: usize = 5;
    pub const ESI: usize = 6;
    pub const EDI: usize = 7;
}

/// The guest registers x86_emulate() keeps in `ctxt->regs` (only the
/// 32-bit halves exist in real mode), plus the context fields the caller
/// fills in (`ctxt->addr_size`, `ctxt->sp_size`: 16 or 32, from the
/// cached CS.D and SS.B bits, as `hvm_emulate_init_per_insn()` does).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct CpuState {
    /// EAX, ECX, EDX, EBX, ESP, EBP, ESI, EDI.
    pub gpr: [u32; 8],
    pub eip: u32,
    pub eflags: u32,
    /// Default address and operand size in bits (16 or 32).
    pub addr_size: u8,
    /// Stack pointer width in bits (16 or 32).
    pub sp_size: u8,
}

impl CpuState {
    pub fn reg(&self, n: usize) -> u32 {
        self.gpr.get(n & 7).copied().unwrap_or(0)
    }
    pub fn set_reg(&mut self, n: usize, v: u32) {
        if let Some(r) = self.gpr.get_mut(n & 7) {
            *r = v;
        }
    }
}

/// Xen's `enum x86_segment`, same order and values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Seg {
    Es = 0,
    Cs = 1,
    Ss = 2,
    Ds = 3,
    Fs = 4,
    Gs = 5,
    Tr = 6,
    Ldtr = 7,
    Gdtr = 8,
    Idtr = 9,
}

impl Seg {
    /// The user segment with this 3-bit number (ModRM reg / opcode bits).
    pub fn user(n: u8) -> Option<Seg> {
        match n {
            0 => Some(Seg::Es),
            1 => Some(Seg::Cs),
            2 => Some(Seg::Ss),
            3 => Some(Seg::Ds),
            4 => Some(Seg::Fs),
            5 => Some(Seg::Gs),
            _ => None,
        }
    }
}

/// Xen's `struct segment_register`: the hidden (cached) part of a segment
/// register. In real mode the emulator only changes `sel` and `base` on a
/// load; limit and attributes stay what the cache held ("unreal" mode).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct SegReg {
    pub sel: u16,
    /// Packed attributes as Xen stores them: type:4 s:1 dpl:2 p:1 avl:1 l:1 db:1 g:1.
    pub attr: u16,
    pub limit: u32,
    pub base: u64,
}

impl SegReg {
    pub fn dpl(&self) -> u8 {
        ((self.attr >> 5) & 3) as u8
    }
}

/// Xen's X86_EVENTTYPE_*.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventType {
    HwException,
    SwInterrupt,
    PriSwException,
    SwException,
}

/// An exception or software interrupt the caller must deliver
/// (x86_emulate records it in `ctxt->event` and returns X86EMUL_EXCEPTION).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Event {
    pub vector: u8,
    pub kind: EventType,
    /// None is Xen's X86_EVENT_NO_EC.
    pub error_code: Option<u32>,
    /// Instruction length, for software events (the return address).
    pub insn_len: u8,
}

impl Event {
    pub const fn hw(vector: u8, error_code: Option<u32>) -> Event {
        Event {
            vector,
            kind: EventType::HwException,
            error_code,
            insn_len: 0,
        }
    }
}

pub const EXC_DE: u8 = 0;
pub const EXC_DB: u8 = 1;
pub const EXC_BP: u8 = 3;
pub const EXC_OF: u8 = 4;
pub const EXC_BR: u8 = 5;
pub const EXC_UD: u8 = 6;
pub const EXC_SS: u8 = 12;
pub const EXC_GP: u8 = 13;

/// Xen's `ctxt->retire`: side effects of a completed instruction the
/// caller must act on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Retire {
    pub hlt: bool,
    pub mov_ss: bool,
    pub sti: bool,
    pub singlestep: bool,
    pub unblock_nmi: bool,
}

/// Result of [`crate::emulate_one`]: Xen's X86EMUL_* return codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// X86EMUL_OKAY: the instruction completed, the state is committed.
    Okay(Retire),
    /// X86EMUL_RETRY: nothing committed; run the instruction again later.
    Retry,
    /// X86EMUL_EXCEPTION: deliver `Event`. Registers are committed only
    /// where Xen commits them (a REP string instruction stopped part way).
    Exception(Event),
    /// X86EMUL_UNHANDLEABLE: not emulated; nothing committed.
    Unhandleable,
    /// X86EMUL_UNRECOGNIZED (= X86EMUL_UNIMPLEMENTED): x86_emulate() does
    /// not know or implement the instruction; nothing committed. Xen's VMX
    /// real mode raises #UD for it (vmx_realmode_emulate_one()).
    Unrecognized,
    /// Not this emulator's: an instruction x86_emulate() runs on state this
    /// crate has no access to (the FPU/SIMD register file through
    /// `get_fpu()`, XCR0, PKRU, VMFUNC), see [`crate::delegated`]. Nothing
    /// committed; the caller runs x86_emulate() for it.
    Delegate,
}
