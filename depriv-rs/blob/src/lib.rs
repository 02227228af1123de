//! The ring-3 payload: entry point, syscall wrappers, panic handler, and
//! the request dispatcher.
//!
//! Xen enters at `hvm_depriv_entry` with `sysret`: `%rdi` holds the request
//! code, `%rsi`, `%rdx`, `%r10` its arguments, `%rsp` the top of this vCPU's
//! depriv stack (16-byte aligned).  The payload leaves only through
//! `syscall`.  Nothing here may reach a panic path of `core` (README: the payload rules): the
//! checker in `linker/` rejects the object if it does.
//!
//! Outcomes: every emulator returns what happened as data; the request's
//! module hands it to Xen in the shared page (its `hand_over`) and answers
//! the call with a [`Reply`]:
//!
//! | what happened                      | vpic              | vrtc                                 | realmode                    |
//! |------------------------------------|-------------------|--------------------------------------|-----------------------------|
//! | done, with the value               | `Ok(Io { val })`  | `IoOutcome::Okay(val)`               | `Outcome::Done(Retire)`     |
//! | what Xen must do now               | `Effects`         | `Request`s, in order                 | `Retire` (and the ops, as syscalls, during the call) |
//! | not for this emulator: Xen goes on | -                 | `IoOutcome::Unhandleable`, `NotMine` | `Outcome::Unhandleable`     |
//! | an event to inject                 | -                 | -                                    | `Outcome::Exception(Event)` |
//! | run it again later                 | -                 | -                                    | `Outcome::Retry`            |
//! | state Xen cannot act on            | `Err(Bug)`        | `Err(Bug)` (`Requests::checked`)     | -                           |
//!
//! A `Bug` (or an argument out of range) becomes [`Refused`], which the
//! dispatcher turns into `HVM_DEPRIV_EINVAL`: Xen crashes the domain.  The
//! "what Xen must do" types stay three because they are three things: a
//! fixed set of idempotent PIC side effects, an ordered list of rtc.c's
//! calls with arguments, and x86_emulate's `ctxt->retire`.
#![no_std]

#[cfg(target_arch = "x86_64")]
mod arch;
#[cfg(target_arch = "x86_64")]
mod pic;
#[cfg(target_arch = "x86_64")]
mod realmode;
#[cfg(target_arch = "x86_64")]
mod rtc;
#[cfg(target_arch = "x86_64")]
mod selftest;
#[cfg(target_arch = "x86_64")]
mod trap;

/// Why the payload refuses a request: an emulator found its state
/// inconsistent (`vpic::Bug`, `vrtc::Bug`), or an argument is out of range.
/// Xen answers every refusal the same way, by crashing the domain; the
/// call returns `HVM_DEPRIV_EINVAL`.
pub struct Refused;

/// A request's answer: the value the call returns to Xen (the effects for
/// Xen to carry out are in the shared page), or a refusal.
pub type Reply = Result<i64, Refused>;

impl From<vpic::Bug> for Refused {
    fn from(_: vpic::Bug) -> Self {
        Refused
    }
}

impl From<vrtc::Bug> for Refused {
    fn from(_: vrtc::Bug) -> Self {
        Refused
    }
}

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
        abi::req::SELFTEST => selftest::run(arg0),
        _ => return abi::err::ENOSYS,
    };
    reply.unwrap_or(abi::err::EINVAL)
}

#[cfg(target_arch = "x86_64")]
#[panic_handler]
fn panic(_info: &core::panic::PanicInfo<'_>) -> ! {
    arch::abort()
}
