//! The ring-3 payload: the entry stub, the request dispatcher and the panic
//! handler.  Each request's module (`pic`, `rtc`, `realmode`, `selftest`)
//! sits below the dispatcher and builds only on `reply`, `trap` and `arch`
//! (the syscall wrappers), which build on nothing of the payload's.
//!
//! Xen enters at `hvm_depriv_entry` with `sysret`: `%rdi` holds the request
//! code, `%rsi`, `%rdx`, `%r10` its arguments, `%rsp` the top of this vCPU's
//! depriv stack (16-byte aligned).  The payload leaves only through
//! `syscall`.  Nothing here may reach a panic path of `core` (docs/design.md, 2.3: the payload rules): the
//! checker in `linker/` rejects the object if it does.
//!
//! What a request answers, and how the emulators' outcomes map to it:
//! [`reply`].
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

use reply::Reply;

#[cfg(target_arch = "x86_64")]
mod arch;
#[cfg(target_arch = "x86_64")]
mod pic;
#[cfg(target_arch = "x86_64")]
mod realmode;
mod reply;
#[cfg(target_arch = "x86_64")]
mod rtc;
#[cfg(target_arch = "x86_64")]
mod selftest;
#[cfg(target_arch = "x86_64")]
mod trap;

// The entry: call the dispatcher (its fourth argument comes in %r10, as
// %rcx holds the SYSRET address), hand its result to Xen.  `syscall` does
// not return here for RETURN; `ud2` makes sure a broken Xen side cannot run
// off the end.
#[cfg(target_arch = "x86_64")]
core::arch::global_asm!(
    ".pushsection .text.hvm_depriv_entry,\"ax\",@progbits",
    ".globl hvm_depriv_entry",
    ".type hvm_depriv_entry,@function",
    "hvm_depriv_entry:",
    "mov rcx, r10",
    "call {dispatch}",
    "mov rdi, rax",
    "mov eax, {ret}",
    "syscall",
    "ud2",
    ".size hvm_depriv_entry, . - hvm_depriv_entry",
    ".popsection",
    dispatch = sym hvm_depriv_dispatch,
    ret = const abi::sys::RETURN,
);

/// The request dispatcher, called by the entry stub; its result goes back to
/// Xen in the RETURN syscall.
#[no_mangle]
pub extern "C" fn hvm_depriv_dispatch(req: u64, arg0: u64, arg1: u64, arg2: u64) -> i64 {
    let reply: Reply = match req {
        abi::req::ECHO => Ok(arg0.wrapping_add(1) as i64),
        #[cfg(target_arch = "x86_64")]
        abi::req::PIC_IO => pic::io(arg0, arg1, arg2),
        #[cfg(target_arch = "x86_64")]
        abi::req::PIC_ACK => pic::ack(arg0),
        #[cfg(target_arch = "x86_64")]
        abi::req::PIC_EDGE => pic::edge(arg0, arg1),
        #[cfg(target_arch = "x86_64")]
        abi::req::RTC_IO => rtc::io(arg0, arg1, arg2),
        #[cfg(target_arch = "x86_64")]
        abi::req::RTC_EVENT => rtc::event(arg0),
        #[cfg(target_arch = "x86_64")]
        abi::req::REALMODE => realmode::run(),
        #[cfg(target_arch = "x86_64")]
        abi::req::SELFTEST => selftest::run(arg0, arg1),
        _ => return abi::err::ENOSYS,
    };
    reply.unwrap_or(abi::err::EINVAL)
}

#[cfg(target_arch = "x86_64")]
#[panic_handler]
fn panic(_info: &core::panic::PanicInfo<'_>) -> ! {
    arch::abort()
}
