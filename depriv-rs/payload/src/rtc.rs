//! HVM_DEPRIV_REQ_RTC_IO / HVM_DEPRIV_REQ_RTC_EVENT: the `vrtc` emulator on
//! the domain's RTC state in the state page.  Xen samples its clocks into
//! `rtc_env` before the call and makes the calls left in `rtc_out` after it.

use crate::reply::{Refused, Reply};
use crate::trap;
use abi::{hvm_depriv_rtc_req, hvm_depriv_rtc_state, hvm_depriv_state_page};
use core::mem::{align_of, offset_of, size_of};
use vrtc::{Ctx, Dir, Env, IoOutcome, Request, RtcState, Timer};

// The state page's RTC record is vrtc's RtcState, field for field.
const _: () = assert!(size_of::<RtcState>() == size_of::<hvm_depriv_rtc_state>());
const _: () = assert!(align_of::<RtcState>() == align_of::<hvm_depriv_rtc_state>());
const _: () =
    assert!(offset_of!(RtcState, current_tm) == offset_of!(hvm_depriv_rtc_state, current_tm));
const _: () = assert!(
    offset_of!(RtcState, next_update_time) == offset_of!(hvm_depriv_rtc_state, next_update_time)
);
const _: () =
    assert!(offset_of!(RtcState, start_time) == offset_of!(hvm_depriv_rtc_state, start_time));
const _: () = assert!(
    offset_of!(RtcState, check_ticks_since) == offset_of!(hvm_depriv_rtc_state, check_ticks_since)
);
const _: () = assert!(offset_of!(RtcState, period) == offset_of!(hvm_depriv_rtc_state, period));
const _: () =
    assert!(offset_of!(RtcState, pt_dead_ticks) == offset_of!(hvm_depriv_rtc_state, pt_dead_ticks));
const _: () =
    assert!(offset_of!(RtcState, use_timer) == offset_of!(hvm_depriv_rtc_state, use_timer));
const _: () = assert!(vrtc::MAX_REQUESTS == abi::HVM_DEPRIV_RTC_MAX_REQS as usize);

fn state() -> *mut hvm_depriv_state_page {
    abi::va::STATE as *mut hvm_depriv_state_page
}

/// An op Xen's rtc.c does not know.
const BAD_REQUEST_OP: u32 = 0xbad;

/// The RTC record, in the state page.
fn rtc() -> &'static mut RtcState {
    // SAFETY: the state page is mapped read-write for this domain at
    // HVM_DEPRIV_VA_STATE for the whole call and Xen holds the RTC lock
    // around it.  `RtcState` has the layout of `rtc` (asserted above) and
    // is made of plain integers only: any bit pattern is valid.
    unsafe { &mut *(core::ptr::addr_of_mut!((*state()).rtc) as *mut RtcState) }
}

/// The clocks Xen sampled for this call.
fn env() -> Env {
    // SAFETY: as above; a plain read of a plain struct.
    let e = unsafe { core::ptr::addr_of!((*state()).rtc_env).read_volatile() };
    Env {
        now: e.now,
        wc_sec: e.wc_sec,
        time_offset: e.time_offset,
        wc_nsec: e.wc_nsec,
        vpt_align: e.vpt_align,
    }
}

fn timer_code(t: Timer) -> u32 {
    match t {
        Timer::Update => abi::HVM_DEPRIV_RTC_TIMER_UPDATE as u32,
        Timer::Update2 => abi::HVM_DEPRIV_RTC_TIMER_UPDATE2 as u32,
        Timer::Alarm => abi::HVM_DEPRIV_RTC_TIMER_ALARM as u32,
    }
}

fn encode(r: &Request) -> hvm_depriv_rtc_req {
    let (op, timer, arg0, arg1) = match *r {
        Request::SetTimer { timer, expires } => (
            abi::HVM_DEPRIV_RTC_SET_TIMER,
            timer_code(timer),
            expires as u64,
            0,
        ),
        Request::StopTimer { timer } => (abi::HVM_DEPRIV_RTC_STOP_TIMER, timer_code(timer), 0, 0),
        Request::CreatePeriodic { delta, period } => {
            (abi::HVM_DEPRIV_RTC_CREATE_PERIODIC, 0, delta, period)
        }
        Request::DestroyPeriodic => (abi::HVM_DEPRIV_RTC_DESTROY_PERIODIC, 0, 0, 0),
        Request::IrqAssert => (abi::HVM_DEPRIV_RTC_IRQ_ASSERT, 0, 0, 0),
        Request::IrqDeassert => (abi::HVM_DEPRIV_RTC_IRQ_DEASSERT, 0, 0, 0),
        Request::TimeOffsetAdd { delta } => (abi::HVM_DEPRIV_RTC_TIME_OFFSET_ADD, 0, delta, 0),
        // Only rtc_load makes it, and Xen runs that itself: an operation
        // here never does.  Encoded as an op Xen refuses.
        Request::TimeOffsetSet { .. } => (0, 0, 0, 0),
    };
    hvm_depriv_rtc_req {
        op: op as u32,
        timer,
        arg0,
        arg1,
    }
}

/// Hand the operation's outcome to Xen: `val` and the requests for it to
/// carry out, in the state page, one request at a time (no large copies:
/// the payload links no memcpy); a request list that overflowed is refused
/// as a whole (Xen must not act on part of it).
fn hand_over(cx: &Ctx, val: u32) -> Result<(), Refused> {
    let reqs = cx.reqs.checked()?;
    // SAFETY: a place computation within the state page (see `rtc`).
    let out = unsafe { core::ptr::addr_of_mut!((*state()).rtc_out) };
    let mut nr = 0u32;
    for r in reqs {
        // `nr` stays below HVM_DEPRIV_RTC_MAX_REQS since `as_slice` holds
        // at most vrtc::MAX_REQUESTS (asserted equal) entries.
        put_req(out, nr as usize, encode(r));
        nr = nr.wrapping_add(1);
    }
    if trap::RTC_BAD_REQUEST.take() {
        put_req(out, 0, req(BAD_REQUEST_OP, 0, 0, 0));
        nr = 1;
    }
    if trap::RTC_STRETCH.armed() {
        spin(trap::rtc_stretch_cycles());
        let timer = abi::HVM_DEPRIV_RTC_TIMER_UPDATE as u32;
        put_req(
            out,
            0,
            req(abi::HVM_DEPRIV_RTC_SET_TIMER as u32, timer, 1, 0),
        );
        put_req(
            out,
            1,
            req(abi::HVM_DEPRIV_RTC_STOP_TIMER as u32, timer, 0, 0),
        );
        nr = 2;
    }
    if trap::RTC_SHORT_PERIOD.take() {
        put_req(
            out,
            0,
            req(abi::HVM_DEPRIV_RTC_CREATE_PERIODIC as u32, 0, 0, 1000),
        );
        nr = 1;
    }
    // SAFETY: the state page is ours for the call (see `rtc`).
    unsafe {
        core::ptr::addr_of_mut!((*out).val).write_volatile(val);
        core::ptr::addr_of_mut!((*out).nr).write_volatile(nr);
    }
    Ok(())
}

fn req(op: u32, timer: u32, arg0: u64, arg1: u64) -> hvm_depriv_rtc_req {
    hvm_depriv_rtc_req {
        op,
        timer,
        arg0,
        arg1,
    }
}

/// Request `i` of the list Xen carries out (one at a time: no memcpy);
/// an index beyond the array is not written.
fn put_req(out: *mut abi::hvm_depriv_rtc_out, i: usize, r: hvm_depriv_rtc_req) {
    if i >= abi::HVM_DEPRIV_RTC_MAX_REQS as usize {
        return;
    }
    // SAFETY: the state page is ours for the call (see `rtc`); `i` is
    // within the request array.
    unsafe {
        core::ptr::addr_of_mut!((*out).req)
            .cast::<hvm_depriv_rtc_req>()
            .add(i)
            .write_volatile(r);
    }
}

/// A guest access to 0x70/0x71: `port`, `size_dir` (bytes | IO_WRITE), `val`.
pub fn io(port: u64, size_dir: u64, val: u64) -> Reply {
    let dir = if size_dir & abi::req::IO_WRITE != 0 {
        Dir::Write
    } else {
        Dir::Read
    };
    let mut cx = Ctx::new(env());
    match rtc().handle_rtc_io(
        &mut cx,
        dir,
        port as u32,
        (size_dir & 0xff) as u32,
        val as u32,
    ) {
        IoOutcome::Okay(v) => {
            hand_over(&cx, v)?;
            Ok(0)
        }
        IoOutcome::Unhandleable | IoOutcome::NotMine => {
            hand_over(&cx, !0)?;
            Ok(abi::HVM_DEPRIV_RTC_NOT_MINE as i64)
        }
    }
}

/// Something that happened to the RTC outside port I/O.
pub fn event(ev: u64) -> Reply {
    let mut cx = Ctx::new(env());
    let rtc = rtc();
    match ev {
        e if e == abi::HVM_DEPRIV_RTC_EV_UPDATE as u64 => rtc.update_timer_expired(&mut cx),
        e if e == abi::HVM_DEPRIV_RTC_EV_UPDATE2 as u64 => rtc.update_timer2_expired(&mut cx),
        e if e == abi::HVM_DEPRIV_RTC_EV_ALARM as u64 => rtc.alarm_timer_expired(&mut cx),
        e if e == abi::HVM_DEPRIV_RTC_EV_PERIODIC as u64 => rtc.periodic_tick(&mut cx),
        e if e == abi::HVM_DEPRIV_RTC_EV_CLOCK as u64 => rtc.update_clock(&cx),
        _ => return Err(Refused),
    }
    hand_over(&cx, 0)?;
    Ok(0)
}

/// Spin for `cycles` of the TSC (HVM_DEPRIV_ST_RTC_STRETCH).
fn spin(cycles: u64) {
    let start = tsc();
    while tsc().wrapping_sub(start) < cycles {
        core::hint::spin_loop();
    }
}

fn tsc() -> u64 {
    let (lo, hi): (u32, u32);
    // SAFETY: RDTSC reads the time stamp counter; Xen leaves CR4.TSD clear.
    unsafe {
        core::arch::asm!("rdtsc", out("eax") lo, out("edx") hi, options(nomem, nostack));
    }
    (u64::from(hi) << 32) | u64::from(lo)
}
