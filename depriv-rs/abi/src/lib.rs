//! The ABI shared by Xen and the deprivileged payload: request codes,
//! syscall numbers and error codes.  The deprivileged-mode work extends this
//! with the state-page layout and keeps it the single source for both sides.
#![no_std]
#![forbid(unsafe_code)]

/// Requests Xen makes of the payload (first argument of the entry).
pub mod req {
    /// Round trip: the payload answers `arg + 1`.
    pub const ECHO: u64 = 1;
}

/// Syscall numbers (in `%rax` at `syscall`).
pub mod sys {
    /// Leave ring 3: `%rdi` is the request's result.
    pub const RETURN: u64 = 0;
    /// The payload cannot go on (Rust panic): crash the domain.
    pub const ABORT: u64 = 1;
}

/// Results of a request, as seen by Xen.
pub mod err {
    /// The request is not known to this payload.
    pub const ENOSYS: i64 = -38;
}
