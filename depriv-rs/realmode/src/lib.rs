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
mod state;

pub use emu::MAX_REPS;
pub use exec::{emulate_one, insn_length};
pub use ivt::{deliver_realmode_event, Delivery};
pub use ops::{Fault, OpResult, Ops};
pub use state::{
    eflags, gpr, CpuState, Event, EventType, Outcome, Retire, Seg, SegReg, EXC_BP, EXC_BR, EXC_DB,
    EXC_DE, EXC_GP, EXC_OF, EXC_SS, EXC_UD,
};
