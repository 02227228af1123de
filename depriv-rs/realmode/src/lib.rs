//! Real-mode x86 instruction emulation, as Xen's `x86_emulate()` behaves
//! for a vCPU with CR0.PE=0.
//!
//! [`emulate_one`] runs one instruction against a platform given as
//! [`Ops`] (Xen's `struct x86_emulate_ops`). Registers and flags are
//! committed only when the instruction completes, so an instruction whose
//! op answered [`Fault::Retry`] can simply be run again. Anything this
//! crate does not implement is [`Outcome::Unhandleable`], never a guess.
//!
//! Segment limits: in real mode Xen's `hvm_virtual_to_linear_addr()` does
//! no limit check (it adds the cached base and wraps at 4 GiB), and
//! x86_emulate itself checks only far-branch targets against the CS limit
//! (#GP(0)); this crate does exactly that. Limits/attributes of segment
//! registers are never changed by loads ("unreal" mode keeps working).
#![no_std]
// The payload rules (docs/design.md, 2.3): every potential panic in code the payload links
// is visible in review.  Its tests are exempt (see the workspace Cargo.toml).
#![cfg_attr(
    not(test),
    warn(
        clippy::indexing_slicing,
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic
    )
)]
#![forbid(unsafe_code)]

mod decode;
mod emu;
mod exec;
mod insn;
mod ivt;
mod ops;
mod prefill;
mod state;

/// The instructions this crate leaves to Xen's own x86_emulate()
/// ([`Outcome::Delegate`]): those x86_emulate() runs on state the payload
/// has no access to at ring 3, and Xen's realmode.c accepts a delegation
/// for exactly these (its `rm_delegable()`, from its own decoding):
///  - the FPU/SIMD register file (x86_emulate's `get_fpu()`): FWAIT, x87
///    (d8-df), MMX/SSE (0f 0e, 0f 0f, 0f 10-17, 0f 28-2f, 0f 50-7f,
///    0f c2, 0f c4-c6, 0f d0-fe, 0f 38 00-ef, 0f 3a), FXSAVE/FXRSTOR/
///    LDMXCSR/STMXCSR (0f ae /0-/3);
///  - XCR0 (XGETBV, XSETBV: 0f 01 d0/d1), PKRU (RDPKRU, WRPKRU: 0f 01
///    ee/ef), and VMFUNC (0f 01 d4: Xen's altp2m);
///  - the cache and TLB hooks (x86_emulate's `cache_op`, `tlb_op`): INVD,
///    WBINVD (0f 08, 0f 09), INVLPG (0f 01 /7 memory), and the rest of
///    Grp15 (0f ae: all but the register forms of /5-/7, the fences);
///  - not (yet) emulated here, where an answer of UNHANDLEABLE would crash
///    a VMX real-mode guest x86_emulate() runs: CMPXCHG8B (an 8-byte
///    cmpxchg the payload's syscall does not carry), RDRAND/RDSEED (the
///    host's random numbers) (0f c7 /1 memory, /6, /7 register), CLZERO
///    (0f 01 fc), AMD's SYSCALL/SYSRET with EFER.SCE (0f 05, 0f 07), and
///    the integer instructions of 0f 38 f0-ff (MOVBE, CRC32, ADCX/ADOX,
///    MOVDIRI, MOVDIR64B/ENQCMD through `blk`).
///
/// `opcode` is Xen's `X86EMUL_OPC()` encoding without prefix bits (b,
/// 0x000f_0000 | b, 0x0f38_0000 | b, 0x0f3a_0000 | b); `modrm` matters for
/// 0f 01 and 0f ae only.
pub const fn delegated(opcode: u32, modrm: u8) -> bool {
    match opcode {
        0x9b | 0xd8..=0xdf => true,
        0x000f_0001 => {
            matches!(modrm, 0xd0 | 0xd1 | 0xd4 | 0xee | 0xef | 0xfc)
                || (modrm < 0xc0 && (modrm >> 3) & 7 == 7)
        }
        0x000f_00c7 => {
            let reg = (modrm >> 3) & 7;
            if modrm < 0xc0 {
                reg == 1
            } else {
                reg >= 6
            }
        }
        0x000f_00ae => modrm < 0xc0 || (modrm >> 3) & 7 < 5,
        0x000f_0005
        | 0x000f_0007
        | 0x000f_0008
        | 0x000f_0009
        | 0x000f_000e
        | 0x000f_000f
        | 0x000f_0010..=0x000f_0017
        | 0x000f_0028..=0x000f_002f
        | 0x000f_0050..=0x000f_007f
        | 0x000f_00c2
        | 0x000f_00c4..=0x000f_00c6
        | 0x000f_00d0..=0x000f_00fe => true,
        0x0f38_0000..=0x0f38_00ff => true,
        0x0f3a_0000..=0x0f3a_00ff => true,
        _ => false,
    }
}

pub use emu::MAX_REPS;
pub use exec::{emulate_one, insn_length};
pub use ivt::{deliver_realmode_event, Delivery};
pub use ops::{features, Fault, OpResult, Ops};
pub use prefill::{Prefill, Prefilled, Served, PREFILL_INSN_MAX, PREFILL_SEGS};
pub use state::{
    eflags, gpr, CpuState, Event, EventType, Outcome, Retire, Seg, SegReg, EXC_BP, EXC_BR, EXC_DB,
    EXC_DE, EXC_GP, EXC_OF, EXC_SS, EXC_UD,
};
