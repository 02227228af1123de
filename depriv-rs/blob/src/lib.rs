//! The ring-3 payload: entry point, syscall wrappers, panic handler, and
//! the request dispatcher.
//!
//! Xen enters at `hvm_depriv_entry` with `sysret`: `%rdi` holds the request
//! code, `%rsi`, `%rdx`, `%r10` its arguments, `%rsp` the top of this vCPU's
//! depriv stack (16-byte aligned).  The payload leaves only through
//! `syscall`.  Nothing here may reach a panic path of `core` (README: the payload rules): the
//! checker in `linker/` rejects the object if it does.
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

/// The request dispatcher, called by the entry stub; its result goes back to
/// Xen in the RETURN syscall.
#[no_mangle]
pub extern "C" fn hvm_depriv_dispatch(req: u64, arg0: u64, arg1: u64, arg2: u64) -> i64 {
    match req {
        abi::req::ECHO => arg0.wrapping_add(1) as i64,
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
        _ => abi::err::ENOSYS,
    }
}

#[cfg(target_arch = "x86_64")]
#[panic_handler]
fn panic(_info: &core::panic::PanicInfo<'_>) -> ! {
    arch::abort()
}
