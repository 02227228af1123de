//! Xen's virtual MC146818 RTC, as `xen/arch/x86/hvm/rtc.c` (Xen 4.17) behaves.
//!
//! The emulator owns no timer and reads no clock: every operation gets a
//! [`Ctx`] carrying what Xen would read at that moment ([`Env`]: `NOW()`, the
//! wall clock and the domain's time offset) and returns what rtc.c would have
//! done to the rest of Xen as a list of [`Request`]s, in the order rtc.c makes
//! those calls (`set_timer`, `stop_timer`, `create_periodic_time`,
//! `destroy_periodic_time`, `hvm_isa_irq_assert`/`deassert`, the time-offset
//! update of `rtc_set_time`).  Timer expiries are operations too.
//!
//! Like Xen 4.17, only CMOS bytes 0x00..0x0D (`RTC_CMOS_SIZE` = 14: the
//! clock, alarm and A..D registers) are emulated here; any access while the
//! index is 0x0E or above is reported [`IoOutcome::Unhandleable`], which Xen
//! forwards to the device model (`handle_rtc_io`).
//!
//! | operation                             | rtc.c                         | Xen calls it from            |
//! |---------------------------------------|-------------------------------|------------------------------|
//! | [`RtcState::portio`]                  | `handle_rtc_io` (after `hvm_portio_accept`) | guest port I/O   |
//! | [`RtcState::update_timer_expired`]    | `rtc_update_timer`            | timer softirq                |
//! | [`RtcState::update_timer2_expired`]   | `rtc_update_timer2`           | timer softirq                |
//! | [`RtcState::alarm_timer_expired`]     | `rtc_alarm_cb`                | timer softirq                |
//! | [`RtcState::periodic_tick`]           | `rtc_pf_callback`             | vpt, after injecting IRQ 8   |
//! | [`RtcState::init`] / [`RtcState::reset`] | `rtc_init` / `rtc_reset`   | domain creation / reset      |
//! | [`RtcState::save`] / [`RtcState::load`]  | `rtc_save` / `rtc_load`    | save/restore                 |
//! | [`RtcState::update_clock`]            | `rtc_update_clock`            | `domain_set_time_offset`     |
//!
//! Xen then makes the [`Request`]s, in order: `set_timer`/`stop_timer` on
//! the named timer, `create_periodic_time(v, &s->pt, delta, period,
//! RTC_IRQ, <periodic_tick>, s, false)`, `destroy_periodic_time`,
//! `hvm_isa_irq_assert(d, RTC_IRQ, NULL)`/`hvm_isa_irq_deassert`, and the
//! time-offset updates of `rtc_set_time`/`rtc_load`.
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
#![deny(clippy::arithmetic_side_effects)]

use core::mem::{offset_of, size_of};
use core::num::Wrapping as W;
use static_assertions::const_assert_eq;

/// Number of CMOS bytes rtc.c emulates (`RTC_CMOS_SIZE`, public save.h).
pub const RTC_CMOS_SIZE: usize = 14;

/// Index port (`RTC_PORT(0)`).
pub const RTC_PORT_INDEX: u32 = 0x70;
/// Data port (`RTC_PORT(1)`).
pub const RTC_PORT_DATA: u32 = 0x71;
/// End of the handler's port range (`register_portio_handler(d,
/// RTC_PORT(0), 2, ...)`).
const RTC_PORT_END: u64 = 0x72;
/// The ISA IRQ the RTC raises (`RTC_IRQ`).
pub const RTC_IRQ: u8 = 8;

// CMOS register indexes (asm/mc146818rtc.h names).
pub const RTC_SECONDS: usize = 0;
pub const RTC_SECONDS_ALARM: usize = 1;
pub const RTC_MINUTES: usize = 2;
pub const RTC_MINUTES_ALARM: usize = 3;
pub const RTC_HOURS: usize = 4;
pub const RTC_HOURS_ALARM: usize = 5;
pub const RTC_DAY_OF_WEEK: usize = 6;
pub const RTC_DAY_OF_MONTH: usize = 7;
pub const RTC_MONTH: usize = 8;
pub const RTC_YEAR: usize = 9;
pub const RTC_REG_A: usize = 10;
pub const RTC_REG_B: usize = 11;
pub const RTC_REG_C: usize = 12;
pub const RTC_REG_D: usize = 13;

/// Alarm bytes with both top bits set match any value.
pub const RTC_ALARM_DONT_CARE: u8 = 0xc0;

// Register A.
pub const RTC_UIP: u8 = 0x80;
pub const RTC_DIV_CTL: u8 = 0x70;
pub const RTC_REF_CLCK_4MHZ: u8 = 0x00;
pub const RTC_REF_CLCK_1MHZ: u8 = 0x10;
pub const RTC_REF_CLCK_32KHZ: u8 = 0x20;
pub const RTC_RATE_SELECT: u8 = 0x0f;
// Register B.
pub const RTC_SET: u8 = 0x80;
pub const RTC_PIE: u8 = 0x40;
pub const RTC_AIE: u8 = 0x20;
pub const RTC_UIE: u8 = 0x10;
pub const RTC_SQWE: u8 = 0x08;
pub const RTC_DM_BINARY: u8 = 0x04;
pub const RTC_24H: u8 = 0x02;
pub const RTC_DST_EN: u8 = 0x01;
// Register C.
pub const RTC_IRQF: u8 = 0x80;
pub const RTC_PF: u8 = 0x40;
pub const RTC_AF: u8 = 0x20;
pub const RTC_UF: u8 = 0x10;
// Register D.
pub const RTC_VRT: u8 = 0x80;

const USEC_PER_SEC: u64 = 1_000_000;
const NS_PER_USEC: u64 = 1_000;
const NS_PER_SEC: u64 = 1_000_000_000;
const SEC_PER_MIN: i32 = 60;
const SEC_PER_HOUR: i32 = 3600;
const MIN_PER_HOUR: i32 = 60;
const HOUR_PER_DAY: i32 = 24;
const EPOCH_YEAR: i32 = 1900;
/// rtc.c raises UIP in the last 244 us of every second.
const UIP_USEC: u64 = 244;

/// Xen's save record `struct hvm_hw_rtc` (HVM save type 11), bit for bit.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct HvmHwRtc {
    /// CMOS bytes 0x00..0x0D.
    pub cmos_data: [u8; RTC_CMOS_SIZE],
    /// Index register for 2-part operations (bit 7, the NMI mask, is dropped).
    pub cmos_index: u8,
    pub pad0: u8,
    /// RTC offset from host time (filled by `rtc_save`).
    pub rtc_offset: i64,
}

const_assert_eq!(size_of::<HvmHwRtc>(), 24);
const_assert_eq!(offset_of!(HvmHwRtc, cmos_data), 0);
const_assert_eq!(offset_of!(HvmHwRtc, cmos_index), 14);
const_assert_eq!(offset_of!(HvmHwRtc, pad0), 15);
const_assert_eq!(offset_of!(HvmHwRtc, rtc_offset), 16);

/// Xen's `struct tm` (xen/time.h), as kept in `RTCState.current_tm`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tm {
    pub tm_sec: i32,
    pub tm_min: i32,
    pub tm_hour: i32,
    pub tm_mday: i32,
    pub tm_mon: i32,
    pub tm_year: i32,
    pub tm_wday: i32,
    pub tm_yday: i32,
    pub tm_isdst: i32,
}

const_assert_eq!(size_of::<Tm>(), 36);

/// The whole RTC state: Xen's `RTCState` without its timers and lock (Xen
/// keeps those), field for field.  Starts all-zero, like Xen's `xzalloc`ed
/// `pl_time`; then [`RtcState::init`].
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RtcState {
    /// Hardware state, exactly the save record.
    pub hw: HvmHwRtc,
    /// The RTC's idea of the current time (`current_tm`).
    pub current_tm: Tm,
    pub pad1: u32,
    /// Deadline of the update timer (`next_update_time`, ns of `NOW()`).
    pub next_update_time: u64,
    /// `NOW()` at init: phase origin of the periodic interrupt.
    pub start_time: i64,
    /// Last time REG_C.PF was brought up to date while PIE is clear.
    pub check_ticks_since: i64,
    /// Periodic interrupt period in ns, 0 if off.
    pub period: i32,
    pub pt_dead_ticks: u8,
    pub pad2: [u8; 3],
    /// 1 while the update timers run (then UIP in REG_A is kept by them).
    pub use_timer: u32,
    pub pad3: u32,
}

const_assert_eq!(size_of::<RtcState>(), 104);
const_assert_eq!(offset_of!(RtcState, hw), 0);
const_assert_eq!(offset_of!(RtcState, current_tm), 24);
const_assert_eq!(offset_of!(RtcState, next_update_time), 64);
const_assert_eq!(offset_of!(RtcState, start_time), 72);
const_assert_eq!(offset_of!(RtcState, check_ticks_since), 80);
const_assert_eq!(offset_of!(RtcState, period), 88);
const_assert_eq!(offset_of!(RtcState, pt_dead_ticks), 92);
const_assert_eq!(offset_of!(RtcState, use_timer), 96);
// Must fit the per-domain state page with plenty to spare.
static_assertions::const_assert!(size_of::<RtcState>() <= 512);

/// What Xen supplies at the moment of a call.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Env {
    /// `NOW()`: Xen system time in ns.
    pub now: i64,
    /// Xen's `wc_sec` (common/time.c): UTC seconds at system time 0.
    pub wc_sec: u64,
    /// `d->time_offset.seconds`; updated in place by `rtc_set_time`.
    pub time_offset: i64,
    /// Xen's `wc_nsec`.
    pub wc_nsec: u32,
    /// `d->arch.hvm.params[HVM_PARAM_VPT_ALIGN] != 0`.
    pub vpt_align: u32,
}

/// The three rtc.c timers Xen owns (`struct RTCState`).
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Timer {
    /// `update_timer`: raises UIP 244 us before the second ends.
    Update = 0,
    /// `update_timer2`: the update cycle ends (UF).
    Update2 = 1,
    /// `alarm_timer`.
    Alarm = 2,
}

/// A call rtc.c makes to the rest of Xen, to be made by Xen in this order.
#[repr(C, u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Request {
    /// `set_timer(timer, expires)`.
    SetTimer { timer: Timer, expires: i64 },
    /// `stop_timer(timer)`.
    StopTimer { timer: Timer },
    /// `create_periodic_time(v, &s->pt, delta, period, RTC_IRQ,
    /// rtc_pf_callback, s, false)`; the callback is [`RtcState::periodic_tick`].
    CreatePeriodic { delta: u64, period: u64 },
    /// `destroy_periodic_time(&s->pt)`.
    DestroyPeriodic,
    /// `hvm_isa_irq_assert(d, RTC_IRQ, NULL)`.
    IrqAssert,
    /// `hvm_isa_irq_deassert(d, RTC_IRQ)`.
    IrqDeassert,
    /// `d->time_offset.seconds += delta; update_domain_wallclock_time(d);
    /// send_timeoffset_req(delta)` (rtc_set_time; `delta` is an unsigned
    /// long, the request is skipped by Xen when it is 0).
    TimeOffsetAdd { delta: u64 },
    /// `d->time_offset.seconds = seconds; update_domain_wallclock_time(d)`
    /// (rtc_load).
    TimeOffsetSet { seconds: i64 },
}

/// Room for the longest request sequence of one operation (a REG_B write
/// makes at most 11).
pub const MAX_REQUESTS: usize = 16;

/// The requests of one operation.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Requests {
    pub len: u32,
    /// Non-zero if a request did not fit (cannot happen; Xen should crash
    /// the domain rather than act on a partial list).
    pub overflow: u32,
    pub list: [Request; MAX_REQUESTS],
}

impl Default for Requests {
    fn default() -> Self {
        Self::new()
    }
}

impl Requests {
    pub const fn new() -> Self {
        Self {
            len: 0,
            overflow: 0,
            list: [Request::DestroyPeriodic; MAX_REQUESTS],
        }
    }

    pub fn clear(&mut self) {
        self.len = 0;
        self.overflow = 0;
    }

    fn push(&mut self, r: Request) {
        match self.list.get_mut(self.len as usize) {
            Some(slot) => {
                *slot = r;
                self.len = self.len.wrapping_add(1);
            }
            None => self.overflow = 1,
        }
    }

    /// The requests made, in order.
    pub fn as_slice(&self) -> &[Request] {
        let n = (self.len as usize).min(MAX_REQUESTS);
        self.list.get(..n).unwrap_or(&[])
    }

    /// The requests made, in order, or [`Bug`] if one did not fit: Xen must
    /// not act on part of the list.
    pub fn checked(&self) -> Result<&[Request], Bug> {
        if self.overflow != 0 {
            return Err(Bug);
        }
        Ok(self.as_slice())
    }
}

/// The emulator cannot give Xen a faithful answer (as `vpic::Bug`): the
/// caller should treat the domain as broken.  Here only a request list that
/// overflowed, which no operation makes ([`MAX_REQUESTS`] has room to spare).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bug;

/// One call's inputs and outputs.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Ctx {
    pub env: Env,
    pub reqs: Requests,
}

impl Ctx {
    pub fn new(env: Env) -> Self {
        Self {
            env,
            reqs: Requests::new(),
        }
    }

    /// Xen's `get_localtime(d)`: local seconds since the epoch.
    fn get_localtime(&self) -> u64 {
        let e = &self.env;
        // (wc_nsec + NOW()) is a signed long, divided as unsigned.
        let ns = (e.wc_nsec as i64).wrapping_add(e.now) as u64;
        e.wc_sec
            .wrapping_add(ns / NS_PER_SEC)
            .wrapping_add(e.time_offset as u64)
    }

    /// Xen's `get_localtime_us(d)`.
    fn get_localtime_us(&self) -> u64 {
        let e = &self.env;
        let secs = e.wc_sec.wrapping_add(e.time_offset as u64);
        let ns = (secs.wrapping_mul(NS_PER_SEC) as i64)
            .wrapping_add(e.wc_nsec as i64)
            .wrapping_add(e.now);
        (ns as u64) / NS_PER_USEC
    }

    fn now(&self) -> i64 {
        self.env.now
    }

    fn req(&mut self, r: Request) {
        self.reqs.push(r);
    }
}

// The call's inputs and outputs are plain C layouts too, so that they can
// live in the state page (Xen writes `env`, reads `reqs`).
const_assert_eq!(size_of::<Env>(), 32);
const_assert_eq!(offset_of!(Env, now), 0);
const_assert_eq!(offset_of!(Env, wc_sec), 8);
const_assert_eq!(offset_of!(Env, time_offset), 16);
const_assert_eq!(offset_of!(Env, wc_nsec), 24);
const_assert_eq!(offset_of!(Env, vpt_align), 28);
// Request: u32 tag, then the 8-aligned payload (at most 16 bytes).
const_assert_eq!(size_of::<Request>(), 24);
const_assert_eq!(size_of::<Requests>(), 8 + 24 * MAX_REQUESTS);
const_assert_eq!(offset_of!(Requests, list), 8);
const_assert_eq!(size_of::<Ctx>(), 32 + 8 + 24 * MAX_REQUESTS);
const STATE_BYTES: usize = size_of::<RtcState>().wrapping_add(size_of::<Ctx>());
static_assertions::const_assert!(STATE_BYTES <= 1024);

/// The register a port selects (port bit 0: `RTC_PORT(0)` or `RTC_PORT(1)`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Port {
    /// 0x70: the CMOS index (bit 7, the NMI mask, is dropped); reads 0xff.
    Index,
    /// 0x71: the CMOS byte the index selects.
    Data,
}

impl Port {
    /// The register `port` selects.
    pub fn of(port: u32) -> Self {
        if port & 1 == 0 {
            Port::Index
        } else {
            Port::Data
        }
    }
}

/// Direction of a port access (`IOREQ_READ`/`IOREQ_WRITE`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dir {
    Read,
    Write,
}

/// Result of a port access, as `handle_rtc_io` returns it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IoOutcome {
    /// `X86EMUL_OKAY`, with `*val` after the call (for writes, the value
    /// written, or all-ones after a wrong-size access).
    Okay(u32),
    /// `X86EMUL_UNHANDLEABLE`: not for this emulator (CMOS index >=
    /// `RTC_CMOS_SIZE`); Xen forwards the access to the device model.
    Unhandleable,
    /// The access is not within ports 0x70..0x71 at all (Xen's
    /// `hvm_portio_accept` would not have chosen the RTC handler).
    NotMine,
}

/// Xen's `gmtime()` (common/time.c) for a 64-bit `unsigned long`.
///
/// Xen walks the calendar a year, then a month, at a time from 1970; this
/// computes the same fields in closed form (the days-to-civil-date
/// arithmetic on a calendar whose years start in March, so that the leap
/// day ends a year): any 400 consecutive years are 146097 days, and within
/// such a cycle the year, the month and the day follow from divisions.
/// The unit tests compare it with Xen's walk over every day of several
/// 400-year cycles and on the pre-1970 path.
pub fn gmtime(t: u64) -> Tm {
    const SECS_PER_DAY: u64 = 86_400;
    const DAYS_PER_400Y: u64 = 146_097;
    /// 0000-03-01 to 1970-01-01, proleptic Gregorian.
    const DAYS_0000_03_01_TO_EPOCH: u64 = 719_468;
    let mut t = t;
    let mut y: i32 = 1970;
    // Times before 1970: move forward by 400-year cycles, as Xen does.
    while t & (1u64 << 39) != 0 {
        y = y.wrapping_sub(400);
        t = t.wrapping_add(DAYS_PER_400Y.wrapping_mul(SECS_PER_DAY));
    }
    t &= (1u64 << 40) - 1;
    // t < 2^40: days < 2^24, so nothing below can overflow.
    let days = t / SECS_PER_DAY;
    let rem = t % SECS_PER_DAY;
    let tm_hour = (rem / 3600) as i32;
    let rem = rem % 3600;
    let tm_min = (rem / 60) as i32;
    let tm_sec = (rem % 60) as i32;
    // January 1, 1970 was a Thursday.
    let tm_wday = (days.wrapping_add(4) % 7) as i32;

    // Days since 0000-03-01; the 400-year cycle ("era") and the day in it.
    let z = days.wrapping_add(DAYS_0000_03_01_TO_EPOCH);
    let era = z / DAYS_PER_400Y;
    let doe = z % DAYS_PER_400Y;
    // The March-based year of the era (0..399): the days less one per 4
    // years, plus one per century, less one per 400 years, are 365 a year.
    let yoe = doe
        .wrapping_sub(doe / 1460)
        .wrapping_add(doe / 36_524)
        .wrapping_sub(doe / (DAYS_PER_400Y - 1))
        / 365;
    // Day of the March-based year (0..365) and its month (0 = March).
    let doy = doe.wrapping_sub(
        yoe.wrapping_mul(365)
            .wrapping_add(yoe / 4)
            .wrapping_sub(yoe / 100),
    );
    let mp = doy.wrapping_mul(5).wrapping_add(2) / 153;
    let mday = doy
        .wrapping_sub(mp.wrapping_mul(153).wrapping_add(2) / 5)
        .wrapping_add(1);
    // January and February belong to the next calendar year.
    let (mon, yday, next) = if mp < 10 {
        // March..December of year yoe (a leap year when yoe is one: the
        // era starts at a multiple of 400).
        let leap = yoe.is_multiple_of(4) && (!yoe.is_multiple_of(100) || yoe == 0);
        (
            mp.wrapping_add(2),
            doy.wrapping_add(59).wrapping_add(u64::from(leap)),
            0,
        )
    } else {
        (mp.wrapping_sub(10), doy.wrapping_sub(306), 1)
    };
    let year = era.wrapping_mul(400).wrapping_add(yoe).wrapping_add(next) as i32;
    Tm {
        tm_sec,
        tm_min,
        tm_hour,
        tm_mday: mday as i32,
        tm_mon: mon as i32,
        // The cycles moved forward for pre-1970 times are taken back.
        tm_year: year
            .wrapping_add(y.wrapping_sub(1970))
            .wrapping_sub(EPOCH_YEAR),
        tm_wday,
        tm_yday: yday as i32,
        tm_isdst: -1,
    }
}

/// Xen's `mktime()` (arch/x86/time.c): Gauss' formula on unsigned ints.
pub fn mktime(year: u32, mon: u32, day: u32, hour: u32, min: u32, sec: u32) -> u64 {
    let mut year = year;
    // 1..12 -> 11,12,1..10: put Feb last since it has a leap day.
    let mut mon = mon.wrapping_sub(2);
    if (mon as i32) <= 0 {
        mon = mon.wrapping_add(12);
        year = year.wrapping_sub(1);
    }
    let days = (year / 4)
        .wrapping_sub(year / 100)
        .wrapping_add(year / 400)
        .wrapping_add(367u32.wrapping_mul(mon) / 12)
        .wrapping_add(day) as u64;
    let days = days
        .wrapping_add((year.wrapping_mul(365)) as u64)
        .wrapping_sub(719_499);
    days.wrapping_mul(24)
        .wrapping_add(hour as u64)
        .wrapping_mul(60)
        .wrapping_add(min as u64)
        .wrapping_mul(60)
        .wrapping_add(sec as u64)
}

impl RtcState {
    /// All-zero state, as Xen allocates it.
    pub const fn new() -> Self {
        Self {
            hw: HvmHwRtc {
                cmos_data: [0; RTC_CMOS_SIZE],
                cmos_index: 0,
                pad0: 0,
                rtc_offset: 0,
            },
            current_tm: Tm {
                tm_sec: 0,
                tm_min: 0,
                tm_hour: 0,
                tm_mday: 0,
                tm_mon: 0,
                tm_year: 0,
                tm_wday: 0,
                tm_yday: 0,
                tm_isdst: 0,
            },
            pad1: 0,
            next_update_time: 0,
            start_time: 0,
            check_ticks_since: 0,
            period: 0,
            pt_dead_ticks: 0,
            pad2: [0; 3],
            use_timer: 0,
            pad3: 0,
        }
    }

    fn reg(&self, i: usize) -> u8 {
        self.hw.cmos_data.get(i).copied().unwrap_or(0)
    }

    fn set_reg(&mut self, i: usize, v: u8) {
        if let Some(r) = self.hw.cmos_data.get_mut(i) {
            *r = v;
        }
    }

    fn reg_b(&self) -> u8 {
        self.reg(RTC_REG_B)
    }

    /// `rtc_update_irq`.  Xen's mode is always `rtc_mode_no_ack` (`mode_is`
    /// ignores the domain), so the strict-mode early return never happens
    /// and the line is pulsed: deassert, then assert.
    fn update_irq(&mut self, cx: &mut Ctx) {
        if self.reg_b() & self.reg(RTC_REG_C) & (RTC_PF | RTC_AF | RTC_UF) == 0 {
            return;
        }
        self.set_reg(RTC_REG_C, self.reg(RTC_REG_C) | RTC_IRQF);
        cx.req(Request::IrqDeassert);
        cx.req(Request::IrqAssert);
    }

    /// `rtc_pf_callback`: Xen's vpt code injected a periodic interrupt.
    /// (The "VM ignores its RTC" shutdown is for strict mode only, which
    /// Xen never uses; `pt_dead_ticks` is therefore left alone.)
    pub fn periodic_tick(&mut self, _cx: &mut Ctx) {
        self.set_reg(RTC_REG_C, self.reg(RTC_REG_C) | RTC_PF | RTC_IRQF);
    }

    /// `check_for_pf_ticks`: with PIE clear, set PF if a period boundary was
    /// crossed since we last looked.
    fn check_for_pf_ticks(&mut self, cx: &Ctx) {
        let period = self.period as i64;
        if period == 0 || self.reg_b() & RTC_PIE != 0 {
            return;
        }
        let now = cx.now();
        // period != 0 here, so checked_div only fails for MIN / -1, which
        // C's idiv would trap on: the state is ours, it cannot hold that.
        let a = now.wrapping_sub(self.start_time).checked_div(period);
        let b = self
            .check_ticks_since
            .wrapping_sub(self.start_time)
            .checked_div(period);
        if a != b {
            self.set_reg(RTC_REG_C, self.reg(RTC_REG_C) | RTC_PF);
        }
        self.check_ticks_since = now;
    }

    /// `rtc_timer_update`: (re)program the periodic interrupt from REG_A.
    fn timer_update(&mut self, cx: &mut Ctx) {
        self.pt_dead_ticks = 0;
        let a = self.reg(RTC_REG_A);
        let mut period_code = (a & RTC_RATE_SELECT) as i32;
        let div = a & RTC_DIV_CTL;
        let running =
            div == RTC_REF_CLCK_32KHZ || div == RTC_REF_CLCK_1MHZ || div == RTC_REF_CLCK_4MHZ;
        if div == RTC_REF_CLCK_32KHZ && period_code != 0 && period_code <= 2 {
            // Rates 1 and 2 mean 128 and 64 Hz with the 32 kHz time base.
            period_code = period_code.wrapping_add(7);
        }
        if running && period_code != 0 {
            // Period in 32 kHz cycles, then ns rounded (DIV_ROUND).
            let cycles = 1u64 << (period_code.wrapping_sub(1) & 31);
            let period = cycles.wrapping_mul(NS_PER_SEC).wrapping_add(32768 / 2) / 32768;
            let period = period as i32;
            if period != self.period {
                let now = cx.now();
                self.period = period;
                let delta: i32 = if cx.env.vpt_align != 0 {
                    0
                } else {
                    let rem = now
                        .wrapping_sub(self.start_time)
                        .checked_rem(period as i64)
                        .unwrap_or(0); // period > 0: never taken
                    (period as i64).wrapping_sub(rem) as i32
                };
                if self.reg_b() & RTC_PIE != 0 {
                    cx.req(Request::CreatePeriodic {
                        delta: delta as i64 as u64,
                        period: period as i64 as u64,
                    });
                } else {
                    self.check_ticks_since = now;
                }
            }
        } else {
            cx.req(Request::DestroyPeriodic);
            self.period = 0;
        }
    }

    /// `check_update_timer`: arm the update-ended machinery unless UF is
    /// pending or the clock is being set.
    fn check_update_timer(&mut self, cx: &mut Ctx) {
        cx.req(Request::StopTimer {
            timer: Timer::Update,
        });
        cx.req(Request::StopTimer {
            timer: Timer::Update2,
        });
        if self.reg(RTC_REG_C) & RTC_UF == 0 && self.reg_b() & RTC_SET == 0 {
            self.use_timer = 1;
            let guest_usec = cx.get_localtime_us() % USEC_PER_SEC;
            if guest_usec >= USEC_PER_SEC - UIP_USEC {
                // In the update cycle now: UIP up, UF at the second's end.
                self.set_reg(RTC_REG_A, self.reg(RTC_REG_A) | RTC_UIP);
                let next = USEC_PER_SEC
                    .wrapping_sub(guest_usec)
                    .wrapping_mul(NS_PER_USEC);
                let expire = (cx.now() as u64).wrapping_add(next);
                cx.req(Request::SetTimer {
                    timer: Timer::Update2,
                    expires: expire as i64,
                });
            } else {
                self.set_reg(RTC_REG_A, self.reg(RTC_REG_A) & !RTC_UIP);
                let next = USEC_PER_SEC
                    .wrapping_sub(guest_usec)
                    .wrapping_sub(UIP_USEC)
                    .wrapping_mul(NS_PER_USEC);
                let expire = (cx.now() as u64).wrapping_add(next);
                self.next_update_time = expire;
                cx.req(Request::SetTimer {
                    timer: Timer::Update,
                    expires: expire as i64,
                });
            }
        } else {
            self.use_timer = 0;
        }
    }

    /// `rtc_update_timer`: 244 us before the second ends, raise UIP.
    pub fn update_timer_expired(&mut self, cx: &mut Ctx) {
        if self.reg_b() & RTC_SET == 0 {
            self.set_reg(RTC_REG_A, self.reg(RTC_REG_A) | RTC_UIP);
            cx.req(Request::SetTimer {
                timer: Timer::Update2,
                expires: self.next_update_time.wrapping_add(244_000) as i64,
            });
        }
    }

    /// `rtc_update_timer2`: the update cycle ended.
    pub fn update_timer2_expired(&mut self, cx: &mut Ctx) {
        if self.reg_b() & RTC_SET == 0 {
            self.set_reg(RTC_REG_C, self.reg(RTC_REG_C) | RTC_UF);
            self.set_reg(RTC_REG_A, self.reg(RTC_REG_A) & !RTC_UIP);
            self.update_irq(cx);
            self.check_update_timer(cx);
        }
    }

    /// `rtc_alarm_cb`.
    pub fn alarm_timer_expired(&mut self, cx: &mut Ctx) {
        if self.reg_b() & RTC_SET == 0 {
            self.set_reg(RTC_REG_C, self.reg(RTC_REG_C) | RTC_AF);
            self.update_irq(cx);
            self.alarm_timer_update(cx);
        }
    }

    fn dont_care(&self, i: usize) -> bool {
        self.reg(i) & RTC_ALARM_DONT_CARE == RTC_ALARM_DONT_CARE
    }

    /// `alarm_timer_update`: arm the alarm timer for the next second that
    /// matches the alarm registers.  The arithmetic is rtc.c's, in `int`,
    /// widened to 64 bits as C does (sign-extending).
    fn alarm_timer_update(&mut self, cx: &mut Ctx) {
        cx.req(Request::StopTimer {
            timer: Timer::Alarm,
        });
        if self.reg(RTC_REG_C) & RTC_AF != 0 || self.reg_b() & RTC_SET != 0 {
            return;
        }
        self.current_tm = gmtime(cx.get_localtime());
        self.copy_date();

        let alarm_sec = W(self.from_bcd(self.reg(RTC_SECONDS_ALARM) as i32));
        let alarm_min = W(self.from_bcd(self.reg(RTC_MINUTES_ALARM) as i32));
        let alarm_hour = W(self.convert_hour(self.reg(RTC_HOURS_ALARM) as i32));
        let cur_sec = W(self.from_bcd(self.reg(RTC_SECONDS) as i32));
        let cur_min = W(self.from_bcd(self.reg(RTC_MINUTES) as i32));
        let cur_hour = W(self.convert_hour(self.reg(RTC_HOURS) as i32));

        let next_update_time = USEC_PER_SEC.wrapping_sub(cx.get_localtime_us() % USEC_PER_SEC);
        let next_update_time = next_update_time
            .wrapping_mul(NS_PER_USEC)
            .wrapping_add(cx.now() as u64);

        let sec_dc = self.dont_care(RTC_SECONDS_ALARM);
        let min_dc = self.dont_care(RTC_MINUTES_ALARM);
        let hour_dc = self.dont_care(RTC_HOURS_ALARM);
        // The seconds to add when the seconds alarm is a real value.
        let plus_sec = if sec_dc { W(0) } else { alarm_sec };

        // All in int as rtc.c computes it (the operands are bytes, so it
        // never actually wraps); converted to uint64_t once at the end.
        let (sec_per_min, min_per_hour) = (W(SEC_PER_MIN), W(MIN_PER_HOUR));
        let (sec_per_hour, hour_per_day) = (W(SEC_PER_HOUR), W(HOUR_PER_DAY));
        let next_alarm_sec: W<i32> = if hour_dc {
            if min_dc {
                if sec_dc {
                    W(1)
                } else if cur_sec < alarm_sec {
                    alarm_sec - cur_sec
                } else {
                    alarm_sec + sec_per_min - cur_sec
                }
            } else if cur_min < alarm_min {
                (alarm_min - cur_min) * sec_per_min - cur_sec + plus_sec
            } else if cur_min == alarm_min {
                if sec_dc {
                    W(1)
                } else if cur_sec < alarm_sec {
                    alarm_sec - cur_sec
                } else {
                    alarm_sec + (alarm_min + min_per_hour - cur_min) * sec_per_min - cur_sec
                }
            } else {
                (alarm_min + min_per_hour - cur_min) * sec_per_min - cur_sec + plus_sec
            }
        } else if cur_hour < alarm_hour {
            let base = (alarm_hour - cur_hour) * sec_per_hour - cur_min * sec_per_min - cur_sec;
            if min_dc {
                base + plus_sec
            } else {
                base + alarm_min * sec_per_min + plus_sec
            }
        } else if cur_hour == alarm_hour {
            if min_dc {
                if sec_dc {
                    W(1)
                } else if cur_sec < alarm_sec {
                    alarm_sec - cur_sec
                } else {
                    alarm_sec + sec_per_min - cur_sec
                }
            } else if cur_min < alarm_min {
                (alarm_min - cur_min) * sec_per_min - cur_sec + plus_sec
            } else if cur_min == alarm_min {
                if sec_dc {
                    W(1)
                } else if cur_sec < alarm_sec {
                    alarm_sec - cur_sec
                } else {
                    (alarm_hour + hour_per_day - cur_hour) * sec_per_hour
                        - cur_min * sec_per_min
                        - cur_sec
                        + alarm_min * sec_per_min
                        + alarm_sec
                }
            } else {
                (alarm_hour + hour_per_day - cur_hour) * sec_per_hour
                    - cur_min * sec_per_min
                    - cur_sec
                    + alarm_min * sec_per_min
                    + plus_sec
            }
        } else {
            let base = (alarm_hour + hour_per_day - cur_hour) * sec_per_hour
                - cur_min * sec_per_min
                - cur_sec;
            if min_dc {
                base + plus_sec
            } else {
                base + alarm_min * sec_per_min + plus_sec
            }
        };
        let next_alarm_sec = next_alarm_sec.0 as i64 as u64;
        let expire = next_alarm_sec
            .wrapping_sub(1)
            .wrapping_mul(NS_PER_SEC)
            .wrapping_add(next_update_time);
        cx.req(Request::SetTimer {
            timer: Timer::Alarm,
            expires: expire as i64,
        });
    }

    // Xen's names (to_bcd/from_bcd) for readers of rtc.c.
    #[allow(clippy::wrong_self_convention)]
    fn to_bcd(&self, a: i32) -> i32 {
        if self.reg_b() & RTC_DM_BINARY != 0 {
            a
        } else {
            (a.wrapping_div(10) << 4) | a.wrapping_rem(10)
        }
    }

    #[allow(clippy::wrong_self_convention)]
    fn from_bcd(&self, a: i32) -> i32 {
        if self.reg_b() & RTC_DM_BINARY != 0 {
            a
        } else {
            (a >> 4).wrapping_mul(10).wrapping_add(a & 0x0f)
        }
    }

    /// `convert_hour`: 12-hour values are 1..12 with bit 7 for PM.
    fn convert_hour(&self, raw: i32) -> i32 {
        let mut hour = self.from_bcd(raw & 0x7f);
        if self.reg_b() & RTC_24H == 0 {
            hour %= 12;
            if raw & 0x80 != 0 {
                hour = hour.wrapping_add(12);
            }
        }
        hour
    }

    /// `rtc_set_time`: the guest set the clock; move the domain's time
    /// offset by the difference between the old and the new time.
    fn set_time(&mut self, cx: &mut Ctx) {
        let tm = self.current_tm;
        let before = mktime(
            tm.tm_year.wrapping_add(EPOCH_YEAR) as u32,
            tm.tm_mon.wrapping_add(1) as u32,
            tm.tm_mday as u32,
            tm.tm_hour as u32,
            tm.tm_min as u32,
            tm.tm_sec as u32,
        );
        let mut tm = tm;
        tm.tm_sec = self.from_bcd(self.reg(RTC_SECONDS) as i32);
        tm.tm_min = self.from_bcd(self.reg(RTC_MINUTES) as i32);
        tm.tm_hour = self.convert_hour(self.reg(RTC_HOURS) as i32);
        tm.tm_wday = self.from_bcd(self.reg(RTC_DAY_OF_WEEK) as i32);
        tm.tm_mday = self.from_bcd(self.reg(RTC_DAY_OF_MONTH) as i32);
        tm.tm_mon = self.from_bcd(self.reg(RTC_MONTH) as i32).wrapping_sub(1);
        tm.tm_year = self.from_bcd(self.reg(RTC_YEAR) as i32).wrapping_add(100);
        self.current_tm = tm;
        let after = mktime(
            tm.tm_year.wrapping_add(EPOCH_YEAR) as u32,
            tm.tm_mon.wrapping_add(1) as u32,
            tm.tm_mday as u32,
            tm.tm_hour as u32,
            tm.tm_min as u32,
            tm.tm_sec as u32,
        );
        let delta = after.wrapping_sub(before);
        cx.env.time_offset = cx.env.time_offset.wrapping_add(delta as i64);
        cx.req(Request::TimeOffsetAdd { delta });
    }

    /// `rtc_copy_date`: current_tm into the clock registers.
    fn copy_date(&mut self) {
        let tm = self.current_tm;
        self.set_reg(RTC_SECONDS, self.to_bcd(tm.tm_sec) as u8);
        self.set_reg(RTC_MINUTES, self.to_bcd(tm.tm_min) as u8);
        if self.reg_b() & RTC_24H != 0 {
            self.set_reg(RTC_HOURS, self.to_bcd(tm.tm_hour) as u8);
        } else {
            let h12 = tm.tm_hour.wrapping_rem(12);
            let h = if h12 != 0 { h12 } else { 12 };
            let mut v = self.to_bcd(h) as u8;
            if tm.tm_hour >= 12 {
                v |= 0x80;
            }
            self.set_reg(RTC_HOURS, v);
        }
        self.set_reg(RTC_DAY_OF_WEEK, self.to_bcd(tm.tm_wday) as u8);
        self.set_reg(RTC_DAY_OF_MONTH, self.to_bcd(tm.tm_mday) as u8);
        self.set_reg(RTC_MONTH, self.to_bcd(tm.tm_mon.wrapping_add(1)) as u8);
        self.set_reg(RTC_YEAR, self.to_bcd(tm.tm_year.wrapping_rem(100)) as u8);
    }

    /// `update_in_progress`: UIP as seen without the update timers.
    fn update_in_progress(&self, cx: &Ctx) -> bool {
        if self.reg_b() & RTC_SET != 0 {
            return false;
        }
        cx.get_localtime_us() % USEC_PER_SEC >= USEC_PER_SEC - UIP_USEC
    }

    /// `rtc_ioport_write`; returns whether the access was handled.
    fn ioport_write(&mut self, cx: &mut Ctx, addr: u32, data: u32) -> bool {
        if Port::of(addr) == Port::Index {
            // Bit 7 is the NMI mask on real hardware: Xen drops it.
            let data = data & 0x7f;
            self.hw.cmos_index = data as u8;
            return (data as usize) < RTC_CMOS_SIZE;
        }
        let index = self.hw.cmos_index as usize;
        if index >= RTC_CMOS_SIZE {
            return false;
        }
        let data = data as u8;
        let orig = self.reg(index);
        match index {
            RTC_SECONDS_ALARM | RTC_MINUTES_ALARM | RTC_HOURS_ALARM => {
                self.set_reg(index, data);
                self.alarm_timer_update(cx);
            }
            RTC_SECONDS | RTC_MINUTES | RTC_HOURS | RTC_DAY_OF_WEEK | RTC_DAY_OF_MONTH
            | RTC_MONTH | RTC_YEAR => {
                if self.reg_b() & RTC_SET != 0 {
                    // In set mode, just write the register.
                    self.set_reg(index, data);
                } else {
                    // Fetch the current time and update just this field.
                    self.current_tm = gmtime(cx.get_localtime());
                    self.copy_date();
                    self.set_reg(index, data);
                    self.set_time(cx);
                }
                self.alarm_timer_update(cx);
            }
            RTC_REG_A => {
                // UIP is read-only.
                self.set_reg(RTC_REG_A, (data & !RTC_UIP) | (orig & RTC_UIP));
                if (data ^ orig) & !RTC_UIP != 0 {
                    self.timer_update(cx);
                }
            }
            RTC_REG_B => {
                if data & RTC_SET != 0 {
                    // Set mode: no update cycle; freeze the registers at
                    // the current time.
                    self.set_reg(RTC_REG_A, self.reg(RTC_REG_A) & !RTC_UIP);
                    if orig & RTC_SET == 0 {
                        self.current_tm = gmtime(cx.get_localtime());
                        self.copy_date();
                    }
                } else if orig & RTC_SET != 0 {
                    // Leaving set mode: the registers become the time.
                    self.set_time(cx);
                }
                self.check_for_pf_ticks(cx);
                self.set_reg(RTC_REG_B, data);
                // An already pending, now enabled, source interrupts at once.
                self.update_irq(cx);
                if (data ^ orig) & RTC_PIE != 0 {
                    cx.req(Request::DestroyPeriodic);
                    self.period = 0;
                    self.timer_update(cx);
                }
                if (data ^ orig) & RTC_SET != 0 {
                    self.check_update_timer(cx);
                }
                if (data ^ orig) & (RTC_24H | RTC_DM_BINARY | RTC_SET) != 0 {
                    self.alarm_timer_update(cx);
                }
            }
            // REG_C and REG_D are read-only.
            _ => {}
        }
        true
    }

    /// `rtc_ioport_read` (only called with an index below RTC_CMOS_SIZE).
    fn ioport_read(&mut self, cx: &mut Ctx, addr: u32) -> u32 {
        if Port::of(addr) == Port::Index {
            return 0xff;
        }
        let index = self.hw.cmos_index as usize;
        match index {
            RTC_SECONDS | RTC_MINUTES | RTC_HOURS | RTC_DAY_OF_WEEK | RTC_DAY_OF_MONTH
            | RTC_MONTH | RTC_YEAR => {
                // Outside set mode the registers follow the clock.
                if self.reg_b() & RTC_SET == 0 {
                    self.current_tm = gmtime(cx.get_localtime());
                    self.copy_date();
                }
                self.reg(index) as u32
            }
            RTC_REG_A => {
                let mut ret = self.reg(index) as u32;
                if self.use_timer == 0 && self.update_in_progress(cx) {
                    ret |= RTC_UIP as u32;
                }
                ret
            }
            RTC_REG_C => {
                // Reading C acknowledges everything and restarts the
                // update and alarm machinery that a pending flag stopped.
                self.check_for_pf_ticks(cx);
                let ret = self.reg(index);
                self.set_reg(RTC_REG_C, 0);
                if ret & RTC_IRQF != 0 {
                    cx.req(Request::IrqDeassert);
                }
                self.check_update_timer(cx);
                self.alarm_timer_update(cx);
                self.pt_dead_ticks = 0;
                ret as u32
            }
            _ => self.reg(index) as u32,
        }
    }

    /// A guest port access, as Xen's intercept code would deliver it to
    /// `handle_rtc_io` (`hvm_portio_accept` checks the range first).
    /// `val` is the value written, or ignored for reads.
    pub fn portio(&mut self, cx: &mut Ctx, dir: Dir, port: u32, bytes: u32, val: u32) -> IoOutcome {
        // hvm_portio_accept: [port, port + bytes) within [0x70, 0x72).
        // (ioreq addresses are 64-bit: no wrap-around.)
        let end = (port as u64).wrapping_add(bytes as u64);
        if port < RTC_PORT_INDEX || end > RTC_PORT_END {
            return IoOutcome::NotMine;
        }
        self.handle_rtc_io(cx, dir, port, bytes, val)
    }

    /// `handle_rtc_io`: the registered port handler for 0x70..0x71.
    pub fn handle_rtc_io(
        &mut self,
        cx: &mut Ctx,
        dir: Dir,
        port: u32,
        bytes: u32,
        val: u32,
    ) -> IoOutcome {
        if bytes != 1 {
            // "HVM_RTC bad access": all-ones, access done.
            return IoOutcome::Okay(!0);
        }
        match dir {
            Dir::Write => {
                if self.ioport_write(cx, port, val & 0xff) {
                    return IoOutcome::Okay(val);
                }
            }
            Dir::Read => {
                if (self.hw.cmos_index as usize) < RTC_CMOS_SIZE {
                    return IoOutcome::Okay(self.ioport_read(cx, port));
                }
            }
        }
        IoOutcome::Unhandleable
    }

    /// `rtc_reset`: stop the periodic interrupt.
    pub fn reset(&mut self, cx: &mut Ctx) {
        cx.req(Request::DestroyPeriodic);
        self.period = 0;
    }

    /// `rtc_init` after Xen's `init_timer`s and handler registration, on a
    /// zeroed state.
    pub fn init(&mut self, cx: &mut Ctx) {
        self.reset(cx);
        self.set_reg(RTC_REG_A, RTC_REF_CLCK_32KHZ | 6); // ~1 kHz
        self.set_reg(RTC_REG_B, RTC_24H);
        self.set_reg(RTC_REG_C, 0);
        self.set_reg(RTC_REG_D, RTC_VRT);
        self.current_tm = gmtime(cx.get_localtime());
        self.start_time = cx.now();
        self.copy_date();
        self.check_update_timer(cx);
    }

    /// `rtc_save`: the save record, with the domain's time offset.
    pub fn save(&mut self, cx: &Ctx) -> HvmHwRtc {
        self.hw.rtc_offset = cx.env.time_offset;
        self.hw
    }

    /// `rtc_load` with a record already zero-extended by Xen;
    /// `time_offset_set` is `d->time_offset.set`.
    pub fn load(&mut self, cx: &mut Ctx, rec: &HvmHwRtc, time_offset_set: bool) {
        self.hw = *rec;
        if !time_offset_set {
            cx.env.time_offset = self.hw.rtc_offset;
            cx.req(Request::TimeOffsetSet {
                seconds: self.hw.rtc_offset,
            });
        }
        self.current_tm = gmtime(cx.get_localtime());
        self.copy_date();
        self.timer_update(cx);
        self.check_update_timer(cx);
        self.alarm_timer_update(cx);
    }

    /// `rtc_update_clock`: the domain's time offset changed.
    pub fn update_clock(&mut self, cx: &Ctx) {
        self.current_tm = gmtime(cx.get_localtime());
    }
}

#[cfg(test)]
mod tests;
