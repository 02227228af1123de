//! What a request answers.  Every emulator returns what happened as data;
//! the request's module hands it to Xen in the shared page (its
//! `hand_over`) and answers the call with a [`Reply`]:
//!
//! | what happened                      | vpic              | vrtc                                 | realmode                    |
//! |------------------------------------|-------------------|--------------------------------------|-----------------------------|
//! | done, with the value               | `Ok(Io { val })`  | `IoOutcome::Okay(val)`               | `Outcome::Okay(Retire)`     |
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
