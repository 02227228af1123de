//! Unit tests from the MC146818 datasheet and rtc.c's comments, with a
//! fake clock (the `Env` given to each call).
#![allow(clippy::arithmetic_side_effects)]

use super::*;

const NS: i64 = 1_000_000_000;
/// 2024-02-29 00:00:00 UTC, a Thursday.
const LEAP_DAY_2024: u64 = 1_709_164_800;

/// A fake platform: the clock and what Xen would have done with requests.
struct Bench {
    rtc: RtcState,
    env: Env,
    last: [Request; MAX_REQUESTS],
    nlast: usize,
}

impl Bench {
    fn new(wc_sec: u64) -> Self {
        let env = Env {
            now: 5 * NS,
            wc_sec,
            time_offset: 0,
            wc_nsec: 0,
            vpt_align: 0,
        };
        let mut b = Bench {
            rtc: RtcState::new(),
            env,
            last: [Request::DestroyPeriodic; MAX_REQUESTS],
            nlast: 0,
        };
        b.op(|r, cx| r.init(cx));
        b
    }

    fn op(&mut self, f: impl FnOnce(&mut RtcState, &mut Ctx)) {
        let mut cx = Ctx::new(self.env);
        f(&mut self.rtc, &mut cx);
        assert_eq!(cx.reqs.overflow, 0);
        self.env = cx.env;
        self.nlast = cx.reqs.as_slice().len();
        self.last[..self.nlast].copy_from_slice(cx.reqs.as_slice());
    }

    fn reqs(&self) -> &[Request] {
        &self.last[..self.nlast]
    }

    fn io(&mut self, dir: Dir, port: u32, bytes: u32, val: u32) -> IoOutcome {
        let mut out = IoOutcome::NotMine;
        self.op(|r, cx| out = r.portio(cx, dir, port, bytes, val));
        out
    }

    fn write(&mut self, index: u8, val: u8) {
        assert_eq!(
            self.io(Dir::Write, 0x70, 1, index as u32),
            IoOutcome::Okay(index as u32)
        );
        assert_eq!(
            self.io(Dir::Write, 0x71, 1, val as u32),
            IoOutcome::Okay(val as u32)
        );
    }

    fn read(&mut self, index: u8) -> u8 {
        self.io(Dir::Write, 0x70, 1, index as u32);
        match self.io(Dir::Read, 0x71, 1, 0) {
            IoOutcome::Okay(v) => {
                assert!(v <= 0xff);
                v as u8
            }
            o => panic!("read of {index:#x}: {o:?}"),
        }
    }

    fn advance(&mut self, ns: i64) {
        self.env.now += ns;
    }

    /// The deadline of the last SetTimer for `t` in the last operation.
    fn deadline(&self, t: Timer) -> Option<i64> {
        self.reqs().iter().rev().find_map(|r| match *r {
            Request::SetTimer { timer, expires } if timer == t => Some(expires),
            _ => None,
        })
    }

    /// Set the clock as a guest does: SET, write the registers, clear SET.
    fn set_clock(&mut self, b_mode: u8, regs: &[(usize, u8)]) {
        self.write(RTC_REG_B as u8, RTC_SET | b_mode);
        for &(i, v) in regs {
            self.write(i as u8, v);
        }
        self.write(RTC_REG_B as u8, b_mode);
    }
}

#[test]
fn gmtime_and_mktime_agree_on_known_dates() {
    let t = gmtime(0);
    assert_eq!(
        (t.tm_year, t.tm_mon, t.tm_mday, t.tm_wday, t.tm_hour),
        (70, 0, 1, 4, 0)
    );
    let t = gmtime(LEAP_DAY_2024 + 23 * 3600 + 59 * 60 + 59);
    assert_eq!(
        (t.tm_year, t.tm_mon, t.tm_mday, t.tm_wday, t.tm_yday),
        (124, 1, 29, 4, 59)
    );
    assert_eq!((t.tm_hour, t.tm_min, t.tm_sec), (23, 59, 59));
    assert_eq!(mktime(2024, 2, 29, 0, 0, 0), LEAP_DAY_2024);
    assert_eq!(mktime(2024, 3, 1, 0, 0, 0), LEAP_DAY_2024 + 86_400);
    // 2100 is not a leap year, 2000 was.
    let t = gmtime(mktime(2100, 3, 1, 0, 0, 0) - 1);
    assert_eq!((t.tm_mon, t.tm_mday), (1, 28));
    let t = gmtime(mktime(2000, 3, 1, 0, 0, 0) - 1);
    assert_eq!((t.tm_mon, t.tm_mday), (1, 29));
    // Round trip over many years (exercises the 400-year skip).
    for i in 0..2000u64 {
        let s = i * 7_777_777_777 % (1u64 << 38);
        let t = gmtime(s);
        let back = mktime(
            (t.tm_year + 1900) as u32,
            (t.tm_mon + 1) as u32,
            t.tm_mday as u32,
            t.tm_hour as u32,
            t.tm_min as u32,
            t.tm_sec as u32,
        );
        assert_eq!(back, s, "{t:?}");
    }
}

#[test]
fn init_matches_rtc_init() {
    let b = Bench::new(LEAP_DAY_2024);
    let r = &b.rtc.hw.cmos_data;
    assert_eq!(r[RTC_REG_A], RTC_REF_CLCK_32KHZ | 6);
    assert_eq!(r[RTC_REG_B], RTC_24H);
    assert_eq!(r[RTC_REG_C], 0);
    assert_eq!(r[RTC_REG_D], RTC_VRT);
    // 5 s after wc: 2024-02-29 00:00:05, BCD 24h.
    assert_eq!(
        &r[..10],
        &[0x05, 0, 0x00, 0, 0x00, 0, 0x04, 0x29, 0x02, 0x24]
    );
    assert_eq!(b.rtc.start_time, 5 * NS);
    assert_eq!(b.rtc.use_timer, 1);
    // rtc_reset's destroy, then check_update_timer: UIP in 1 s - 244 us.
    assert_eq!(
        b.reqs(),
        &[
            Request::DestroyPeriodic,
            Request::StopTimer {
                timer: Timer::Update
            },
            Request::StopTimer {
                timer: Timer::Update2
            },
            Request::SetTimer {
                timer: Timer::Update,
                expires: 6 * NS - 244_000
            },
        ]
    );
}

#[test]
fn leap_day_to_march_first_in_bcd_12_hour_mode() {
    let mut b = Bench::new(LEAP_DAY_2024 - 86_400 * 3);
    // 2024-02-29 11:59:59 PM, Thursday (day 5 counting Sunday = 1).
    b.set_clock(
        0,
        &[
            (RTC_SECONDS, 0x59),
            (RTC_MINUTES, 0x59),
            (RTC_HOURS, 0x80 | 0x11),
            (RTC_DAY_OF_WEEK, 0x05),
            (RTC_DAY_OF_MONTH, 0x29),
            (RTC_MONTH, 0x02),
            (RTC_YEAR, 0x24),
        ],
    );
    // Leaving SET moved the offset by exactly the distance to that time.
    assert_eq!(b.env.time_offset, 3 * 86_400 + 23 * 3600 + 59 * 60 + 59 - 5,);
    assert!(b
        .reqs()
        .iter()
        .any(|r| matches!(r, Request::TimeOffsetAdd { .. })));
    assert_eq!(b.read(RTC_HOURS as u8), 0x91);
    assert_eq!(b.read(RTC_SECONDS as u8), 0x59);
    b.advance(NS);
    assert_eq!(b.read(RTC_SECONDS as u8), 0x00);
    assert_eq!(b.read(RTC_MINUTES as u8), 0x00);
    // Midnight is 12 AM: 0x12 without the PM bit.
    assert_eq!(b.read(RTC_HOURS as u8), 0x12);
    assert_eq!(b.read(RTC_DAY_OF_MONTH as u8), 0x01);
    assert_eq!(b.read(RTC_MONTH as u8), 0x03);
    assert_eq!(b.read(RTC_YEAR as u8), 0x24);
    // The day of week comes from the clock (tm_wday, Sunday = 0): Friday.
    assert_eq!(b.read(RTC_DAY_OF_WEEK as u8), 0x05);
    // Noon is 12 PM.
    b.advance(12 * 3600 * NS);
    assert_eq!(b.read(RTC_HOURS as u8), 0x92);
    b.advance(3600 * NS);
    assert_eq!(b.read(RTC_HOURS as u8), 0x81);
}

#[test]
fn binary_24_hour_mode_and_writes_outside_set_mode() {
    let mut b = Bench::new(LEAP_DAY_2024);
    b.write(RTC_REG_B as u8, RTC_24H | RTC_DM_BINARY);
    b.advance(13 * 3600 * NS);
    assert_eq!(b.read(RTC_HOURS as u8), 13);
    assert_eq!(b.read(RTC_DAY_OF_MONTH as u8), 29);
    // Writing one field outside SET moves the offset for that field only.
    let before = b.env.time_offset;
    b.write(RTC_MINUTES as u8, 30);
    assert_eq!(b.env.time_offset - before, 30 * 60);
    assert_eq!(b.read(RTC_MINUTES as u8), 30);
    assert_eq!(b.read(RTC_HOURS as u8), 13);
}

#[test]
fn alarm_fires_and_is_rearmed() {
    let mut b = Bench::new(LEAP_DAY_2024);
    // Now 00:00:05.000; alarm at 00:00:10 (BCD 24h).
    b.write(RTC_REG_B as u8, RTC_24H | RTC_AIE);
    b.write(RTC_HOURS_ALARM as u8, 0x00);
    b.write(RTC_MINUTES_ALARM as u8, 0x00);
    b.write(RTC_SECONDS_ALARM as u8, 0x10);
    let now = b.env.now;
    // The alarm second starts 5 s from now: next_update_time (the next
    // second boundary, 1 s away) + 4 s.
    assert_eq!(b.deadline(Timer::Alarm), Some(now + 5 * NS));
    b.env.now = now + 5 * NS;
    b.op(|r, cx| r.alarm_timer_expired(cx));
    assert_eq!(b.rtc.hw.cmos_data[RTC_REG_C], RTC_IRQF | RTC_AF);
    assert_eq!(&b.reqs()[..2], &[Request::IrqDeassert, Request::IrqAssert]);
    // AF pending: alarm_timer_update stops the timer and does not re-arm.
    assert_eq!(
        &b.reqs()[2..],
        &[Request::StopTimer {
            timer: Timer::Alarm
        }]
    );
    // Reading C acknowledges, lowers the line and re-arms for tomorrow.
    assert_eq!(b.read(RTC_REG_C as u8), RTC_IRQF | RTC_AF);
    assert_eq!(b.reqs()[0], Request::IrqDeassert);
    assert_eq!(b.deadline(Timer::Alarm), Some(b.env.now + 86_400 * NS));
    assert_eq!(b.read(RTC_REG_C as u8), 0);
}

#[test]
fn alarm_dont_care_fields() {
    let mut b = Bench::new(LEAP_DAY_2024);
    b.advance(NS / 2);
    // All don't-care: every second, at the next second boundary.
    b.write(RTC_HOURS_ALARM as u8, 0xc0);
    b.write(RTC_MINUTES_ALARM as u8, 0xc0);
    b.write(RTC_SECONDS_ALARM as u8, 0xff);
    assert_eq!(b.deadline(Timer::Alarm), Some(6 * NS));
    // Seconds = 0 in any hour and minute: once a minute.
    b.write(RTC_SECONDS_ALARM as u8, 0x00);
    assert_eq!(b.deadline(Timer::Alarm), Some(60 * NS));
    // Any second of minute 2 of any hour: from 00:02:00.
    b.write(RTC_SECONDS_ALARM as u8, 0xc0);
    b.write(RTC_MINUTES_ALARM as u8, 0x02);
    assert_eq!(b.deadline(Timer::Alarm), Some(120 * NS));
    // Alarm is not raised in REG_C without the timer firing, and the
    // interrupt needs AIE.
    b.env.now = 120 * NS;
    b.op(|r, cx| r.alarm_timer_expired(cx));
    assert_eq!(b.rtc.hw.cmos_data[RTC_REG_C], RTC_AF);
    assert!(!b.reqs().contains(&Request::IrqAssert));
    // Enabling AIE with AF pending raises the interrupt at once.
    b.write(RTC_REG_B as u8, RTC_24H | RTC_AIE);
    assert!(b.reqs().contains(&Request::IrqAssert));
}

#[test]
fn periodic_rates_from_register_a() {
    let mut b = Bench::new(LEAP_DAY_2024);
    b.write(RTC_REG_B as u8, RTC_24H | RTC_PIE);
    // Rate 6 with the 32 kHz base: 1024 Hz, 976562.5 ns rounded.
    assert!(b.reqs().contains(&Request::CreatePeriodic {
        // init's start_time is now: a whole period to the first tick.
        delta: 976_563,
        period: 976_563
    }));
    assert_eq!(b.rtc.period, 976_563);
    // Rate 15: 2 Hz.
    b.write(RTC_REG_A as u8, RTC_REF_CLCK_32KHZ | 15);
    assert!(matches!(
        b.reqs(),
        [Request::CreatePeriodic {
            period: 500_000_000,
            ..
        }]
    ));
    // Rates 1 and 2 are 256 and 128 Hz with the 32 kHz base...
    b.write(RTC_REG_A as u8, RTC_REF_CLCK_32KHZ | 1);
    assert_eq!(b.rtc.period, 3_906_250);
    // ...but 32768 Hz (30517.6 ns) with the 1 MHz base.
    b.write(RTC_REG_A as u8, RTC_REF_CLCK_1MHZ | 1);
    assert_eq!(b.rtc.period, 30_518);
    // Rate 0 or a divider in reset: off.
    b.write(RTC_REG_A as u8, RTC_REF_CLCK_32KHZ);
    assert_eq!(b.reqs(), &[Request::DestroyPeriodic]);
    assert_eq!(b.rtc.period, 0);
    b.write(RTC_REG_A as u8, 0x60 | 6);
    assert_eq!(b.reqs(), &[Request::DestroyPeriodic]);
    // With HVM_PARAM_VPT_ALIGN the first tick is not phase-shifted.
    b.env.vpt_align = 1;
    b.write(RTC_REG_A as u8, RTC_REF_CLCK_32KHZ | 6);
    assert_eq!(
        b.reqs(),
        &[Request::CreatePeriodic {
            delta: 0,
            period: 976_563
        }]
    );
    // A tick from Xen's vpt sets PF and IRQF.
    b.op(|r, cx| r.periodic_tick(cx));
    assert_eq!(b.rtc.hw.cmos_data[RTC_REG_C], RTC_PF | RTC_IRQF);
    // Clearing PIE stops the timer.
    b.write(RTC_REG_B as u8, RTC_24H);
    assert!(b.reqs().contains(&Request::DestroyPeriodic));
}

#[test]
fn periodic_flag_without_pie_is_polled() {
    let mut b = Bench::new(LEAP_DAY_2024);
    // Rate 15 (500 ms) with PIE off: no timer, PF from check_for_pf_ticks.
    b.write(RTC_REG_A as u8, RTC_REF_CLCK_32KHZ | 15);
    assert!(b.reqs().is_empty());
    assert_eq!(b.read(RTC_REG_C as u8), 0);
    b.advance(NS / 4);
    assert_eq!(b.read(RTC_REG_C as u8), 0);
    b.advance(NS / 2);
    assert_eq!(b.read(RTC_REG_C as u8), RTC_PF);
    assert_eq!(b.read(RTC_REG_C as u8), 0);
}

#[test]
fn update_cycle_uip_window_and_update_ended_interrupt() {
    let mut b = Bench::new(LEAP_DAY_2024);
    let t1 = b.deadline(Timer::Update).unwrap();
    assert_eq!(t1, 6 * NS - 244_000);
    b.write(RTC_REG_B as u8, RTC_24H | RTC_UIE);
    assert_eq!(b.read(RTC_REG_A as u8) & RTC_UIP, 0);
    // update_timer: UIP up, update_timer2 at the second's end.
    b.env.now = t1;
    b.op(|r, cx| r.update_timer_expired(cx));
    assert_eq!(
        b.reqs(),
        &[Request::SetTimer {
            timer: Timer::Update2,
            expires: 6 * NS
        }]
    );
    assert_eq!(b.read(RTC_REG_A as u8) & RTC_UIP, RTC_UIP);
    // UIP is read-only: a write of A keeps it.
    b.write(RTC_REG_A as u8, RTC_REF_CLCK_32KHZ | 6);
    assert_eq!(b.read(RTC_REG_A as u8), RTC_UIP | RTC_REF_CLCK_32KHZ | 6);
    b.env.now = 6 * NS;
    b.op(|r, cx| r.update_timer2_expired(cx));
    assert_eq!(b.rtc.hw.cmos_data[RTC_REG_C], RTC_IRQF | RTC_UF);
    assert_eq!(b.rtc.hw.cmos_data[RTC_REG_A] & RTC_UIP, 0);
    assert_eq!(&b.reqs()[..2], &[Request::IrqDeassert, Request::IrqAssert]);
    // UF pending: the update timers stop (use_timer 0), UIP is computed
    // from the clock on reads of A.
    assert_eq!(b.rtc.use_timer, 0);
    assert_eq!(b.deadline(Timer::Update), None);
    b.env.now = 7 * NS - 100_000;
    assert_eq!(b.read(RTC_REG_A as u8) & RTC_UIP, RTC_UIP);
    b.env.now = 7 * NS - 300_000;
    assert_eq!(b.read(RTC_REG_A as u8) & RTC_UIP, 0);
    // Reading C re-arms; inside the UIP window it goes for update_timer2.
    b.env.now = 7 * NS - 100_000;
    assert_eq!(b.read(RTC_REG_C as u8), RTC_IRQF | RTC_UF);
    assert_eq!(b.deadline(Timer::Update2), Some(7 * NS));
    assert_eq!(b.rtc.hw.cmos_data[RTC_REG_A] & RTC_UIP, RTC_UIP);
}

#[test]
fn set_mode_stops_updates() {
    let mut b = Bench::new(LEAP_DAY_2024);
    b.write(RTC_REG_B as u8, RTC_24H | RTC_SET);
    assert_eq!(b.rtc.use_timer, 0);
    assert_eq!(b.deadline(Timer::Update), None);
    // Registers are frozen while SET.
    b.advance(10 * NS);
    assert_eq!(b.read(RTC_SECONDS as u8), 0x05);
    // No UIP in set mode.
    b.env.now = 16 * NS - 1000;
    assert_eq!(b.read(RTC_REG_A as u8) & RTC_UIP, 0);
    // Timer callbacks do nothing in set mode.
    b.op(|r, cx| r.update_timer2_expired(cx));
    assert!(b.reqs().is_empty());
    // Leaving SET without changing anything: rtc_set_time compares the
    // registers with current_tm, both frozen at SET entry, so the offset
    // does not move and the registers catch up with the clock.
    b.write(RTC_REG_B as u8, RTC_24H);
    assert_eq!(b.env.time_offset, 0);
    assert_eq!(b.read(RTC_SECONDS as u8), 0x15);
}

#[test]
fn index_port_nmi_bit_and_unemulated_cmos_bytes() {
    let mut b = Bench::new(LEAP_DAY_2024);
    // The NMI-mask bit is dropped.
    assert_eq!(
        b.io(Dir::Write, 0x70, 1, 0x80 | RTC_REG_D as u32),
        IoOutcome::Okay(0x8d)
    );
    assert_eq!(b.rtc.hw.cmos_index, RTC_REG_D as u8);
    assert_eq!(b.io(Dir::Read, 0x71, 1, 0), IoOutcome::Okay(RTC_VRT as u32));
    // Reading the index port gives 0xff (index below 14).
    assert_eq!(b.io(Dir::Read, 0x70, 1, 0), IoOutcome::Okay(0xff));
    let data = b.rtc.hw.cmos_data;
    // Index 0x0E..0x7F: rtc.c stores the index but hands every access to
    // the device model.
    assert_eq!(b.io(Dir::Write, 0x70, 1, 0x0e), IoOutcome::Unhandleable);
    assert_eq!(b.rtc.hw.cmos_index, 0x0e);
    assert_eq!(b.io(Dir::Read, 0x71, 1, 0), IoOutcome::Unhandleable);
    assert_eq!(b.io(Dir::Write, 0x71, 1, 0x55), IoOutcome::Unhandleable);
    assert_eq!(b.io(Dir::Read, 0x70, 1, 0), IoOutcome::Unhandleable);
    assert_eq!(b.io(Dir::Write, 0x70, 1, 0xff), IoOutcome::Unhandleable);
    assert_eq!(b.rtc.hw.cmos_index, 0x7f);
    // None of those touched the emulated bytes.
    assert_eq!(b.rtc.hw.cmos_data, data);
    // Back below 14: handled again.
    assert_eq!(b.io(Dir::Write, 0x70, 1, 0x0d), IoOutcome::Okay(0x0d));
}

#[test]
fn wrong_size_accesses() {
    let mut b = Bench::new(LEAP_DAY_2024);
    let before = b.rtc;
    // A 2-byte access at 0x70 reaches handle_rtc_io: all-ones, no effect.
    assert_eq!(b.io(Dir::Read, 0x70, 2, 0), IoOutcome::Okay(!0));
    assert_eq!(b.io(Dir::Write, 0x70, 2, 0x0b0b), IoOutcome::Okay(!0));
    assert_eq!(b.rtc, before);
    assert!(b.reqs().is_empty());
    // Accesses not wholly within 0x70..0x71 are not the RTC's.
    assert_eq!(b.io(Dir::Read, 0x71, 2, 0), IoOutcome::NotMine);
    assert_eq!(b.io(Dir::Read, 0x70, 4, 0), IoOutcome::NotMine);
    assert_eq!(b.io(Dir::Read, 0x6f, 1, 0), IoOutcome::NotMine);
    assert_eq!(b.io(Dir::Read, 0x72, 1, 0), IoOutcome::NotMine);
    // The same even with the index >= 14.
    b.io(Dir::Write, 0x70, 1, 0x20);
    assert_eq!(b.io(Dir::Read, 0x70, 2, 0), IoOutcome::Okay(!0));
}

#[test]
fn registers_c_and_d_are_read_only() {
    let mut b = Bench::new(LEAP_DAY_2024);
    b.write(RTC_REG_C as u8, 0xff);
    b.write(RTC_REG_D as u8, 0x00);
    assert!(b.reqs().is_empty());
    assert_eq!(b.read(RTC_REG_D as u8), RTC_VRT);
    assert_eq!(b.read(RTC_REG_C as u8), 0);
}

#[test]
fn save_and_load_round_trip() {
    let mut b = Bench::new(LEAP_DAY_2024);
    b.set_clock(
        RTC_24H,
        &[
            (RTC_YEAR, 0x30),
            (RTC_MONTH, 0x12),
            (RTC_DAY_OF_MONTH, 0x31),
        ],
    );
    b.write(RTC_REG_B as u8, RTC_24H | RTC_PIE);
    let mut rec = HvmHwRtc::default();
    b.op(|r, cx| rec = r.save(cx));
    assert_eq!(rec.rtc_offset, b.env.time_offset);
    // A fresh domain restores it: same clock, periodic timer re-created.
    let mut c = Bench::new(LEAP_DAY_2024);
    c.env.now = b.env.now;
    c.op(|r, cx| r.load(cx, &rec, false));
    assert_eq!(c.env.time_offset, rec.rtc_offset);
    assert_eq!(
        c.reqs()[0],
        Request::TimeOffsetSet {
            seconds: rec.rtc_offset
        }
    );
    assert!(c
        .reqs()
        .iter()
        .any(|r| matches!(r, Request::CreatePeriodic { .. })));
    assert_eq!(c.read(RTC_YEAR as u8), 0x30);
    assert_eq!(c.read(RTC_MONTH as u8), 0x12);
    assert_eq!(c.read(RTC_DAY_OF_MONTH as u8), 0x31);
}

#[test]
fn hostile_records_and_clocks_do_not_panic() {
    // Every byte value in every register, odd clocks: no panic (the
    // fuzz target does this at scale).
    let mut seed = 0x1234_5678_9abc_def0u64;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for _ in 0..3000 {
        let mut rec = HvmHwRtc::default();
        for c in rec.cmos_data.iter_mut() {
            *c = next() as u8;
        }
        rec.cmos_index = next() as u8;
        rec.rtc_offset = next() as i64;
        let env = Env {
            now: next() as i64,
            wc_sec: next(),
            time_offset: next() as i64,
            wc_nsec: next() as u32,
            vpt_align: next() as u32 & 1,
        };
        let mut r = RtcState::new();
        let mut cx = Ctx::new(env);
        r.load(&mut cx, &rec, next() & 1 == 0);
        for _ in 0..8 {
            cx.reqs.clear();
            cx.env.now = next() as i64;
            let v = next();
            let port = 0x70 + (v as u32 & 1);
            let dir = if v & 2 == 0 { Dir::Read } else { Dir::Write };
            r.portio(&mut cx, dir, port, 1, (v >> 8) as u32);
            r.update_timer_expired(&mut cx);
            r.update_timer2_expired(&mut cx);
            r.alarm_timer_expired(&mut cx);
            r.periodic_tick(&mut cx);
            assert_eq!(cx.reqs.overflow, 0);
        }
    }
}

/// A request list that overflowed is a [`Bug`] as a whole; one that fits is
/// handed over in order.
#[test]
fn requests_checked() {
    let mut r = Requests::new();
    assert_eq!(r.checked(), Ok(&[][..]));
    for _ in 0..MAX_REQUESTS {
        r.push(Request::IrqAssert);
    }
    assert_eq!(r.checked().map(<[Request]>::len), Ok(MAX_REQUESTS));
    r.push(Request::IrqDeassert);
    assert_eq!(r.checked(), Err(Bug));
    r.clear();
    assert_eq!(r.checked(), Ok(&[][..]));
}

fn is_leap(y: i32) -> bool {
    y.wrapping_rem(4) == 0 && (y.wrapping_rem(100) != 0 || y.wrapping_rem(400) == 0)
}

/// Xen's `gmtime()` as Xen computes it, a year and a month at a time (with
/// whole 400-year cycles skipped first, which the literal walk below checks).
fn gmtime_walk(t: u64) -> Tm {
    const SECS_PER_DAY: u64 = 86_400;
    const DAYS_PER_400Y: i64 = 365 * 303 + 366 * 97;
    let mut t = t;
    let mut y: i32 = 1970;
    // Times before 1970: move forward by 400-year cycles, as Xen does.
    while t & (1u64 << 39) != 0 {
        y = y.wrapping_sub(400);
        t = t.wrapping_add((DAYS_PER_400Y as u64).wrapping_mul(SECS_PER_DAY));
    }
    t &= (1u64 << 40) - 1;
    let mut days = (t / SECS_PER_DAY) as i64;
    let mut rem = (t % SECS_PER_DAY) as i64;
    let tm_hour = (rem / 3600) as i32;
    rem %= 3600;
    let tm_min = (rem / 60) as i32;
    let tm_sec = (rem % 60) as i32;
    // January 1, 1970 was a Thursday; days is never negative here.
    let tm_wday = (days.wrapping_add(4) % 7) as i32;
    // Xen walks year by year; whole 400-year cycles (always 146097 days)
    // give the same result faster.
    while days >= DAYS_PER_400Y {
        y = y.wrapping_add(400);
        days = days.wrapping_sub(DAYS_PER_400Y);
    }
    loop {
        let len = if is_leap(y) { 366 } else { 365 };
        if days < len {
            break;
        }
        y = y.wrapping_add(1);
        days = days.wrapping_sub(len);
    }
    let tm_yday = days as i32;
    let feb = if is_leap(y) { 29 } else { 28 };
    let mon_len = [31, feb, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    let mut mon = 0i32;
    for len in mon_len {
        if days < len {
            break;
        }
        days = days.wrapping_sub(len);
        mon = mon.wrapping_add(1);
    }
    Tm {
        tm_sec,
        tm_min,
        tm_hour,
        tm_mday: days.wrapping_add(1) as i32,
        tm_mon: mon,
        tm_year: y.wrapping_sub(EPOCH_YEAR),
        tm_wday,
        tm_yday,
        tm_isdst: -1,
    }
}

/// common/time.c's `gmtime()` line for line (`__isleap`, the year walk in
/// both directions, `__mon_lengths`).
fn gmtime_xen(t: u64) -> Tm {
    const MON_LENGTHS: [[i64; 12]; 2] = [
        [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31],
        [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31],
    ];
    let mut t = t;
    let mut y: i32 = 1970;
    while t & (1u64 << 39) != 0 {
        y -= 400;
        t = t.wrapping_add((365 * 303 + 366 * 97) * 86_400);
    }
    t &= (1u64 << 40) - 1;
    let mut days = (t / 86_400) as i64;
    let mut rem = (t % 86_400) as i64;
    let tm_hour = (rem / 3600) as i32;
    rem %= 3600;
    let tm_min = (rem / 60) as i32;
    let tm_sec = (rem % 60) as i32;
    let mut tm_wday = ((4 + days) % 7) as i32;
    if tm_wday < 0 {
        tm_wday += 7;
    }
    loop {
        rem = if is_leap(y) { 366 } else { 365 };
        if days < rem {
            break;
        }
        y += 1;
        days -= rem;
    }
    while days < 0 {
        y -= 1;
        days += if is_leap(y) { 366 } else { 365 };
    }
    let tm_year = y - 1900;
    let tm_yday = days as i32;
    let ip = MON_LENGTHS[usize::from(is_leap(y))];
    let mut m = 0;
    while days >= ip[m] {
        days -= ip[m];
        m += 1;
    }
    Tm {
        tm_sec,
        tm_min,
        tm_hour,
        tm_mday: days as i32 + 1,
        tm_mon: m as i32,
        tm_year,
        tm_wday,
        tm_yday,
        tm_isdst: -1,
    }
}

/// The closed-form gmtime() gives Xen's fields: on every day of three
/// 400-year cycles from 1970 (each at a different second of the day), on
/// the last days before 2^40 s, on pre-1970 times (bit 39 set) and on
/// pseudo-random 64-bit times; the reference walk itself is checked
/// against a line-for-line port of Xen's loop on a sample.
#[test]
fn gmtime_closed_form_is_xens_walk() {
    const DAY: u64 = 86_400;
    let top = ((1u64 << 40) - 1) / DAY;
    let mut x = 0x1468_1800_u64;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let days = (0..3 * 146_097).chain(top - 2 * 146_097..=top);
    for d in days {
        let t = d * DAY + (d.wrapping_mul(7919) % DAY);
        assert_eq!(gmtime(t), gmtime_walk(t), "t {t:#x}");
    }
    for _ in 0..200_000 {
        let r = next();
        for t in [r, r | (1 << 39), r & ((1 << 40) - 1), r % (200 * 366 * DAY)] {
            assert_eq!(gmtime(t), gmtime_walk(t), "t {t:#x}");
        }
    }
    for _ in 0..2_000 {
        let r = next();
        for t in [r % (1 << 33), (r % (1 << 33)) | (1 << 39), r] {
            assert_eq!(gmtime_walk(t), gmtime_xen(t), "t {t:#x}");
        }
    }
}
