//! Differential tests of `vrtc` against Xen's own `rtc.c`.
//!
//! build.rs compiles the pinned, unmodified `xen/arch/x86/hvm/rtc.c` and
//! `xen/common/time.c` with the shim headers in `shim/` and the harness in
//! `csrc/shim.c`: one domain, a settable clock, and a log of every call
//! rtc.c makes to the rest of Xen (timers, periodic timer, IRQ 8, time
//! offset).  [`Pair`] drives that C model and the Rust emulator with the
//! same operations, plays Xen's part for both (a fake clock; timers fire
//! when the clock passes their deadline) and compares, after every step,
//! the returned value, the whole state and the sequence of requests.

use std::sync::{Mutex, MutexGuard};
use vrtc::{Ctx, Dir, Env, HvmHwRtc, IoOutcome, Request, RtcState, Timer};

pub mod ffi {
    use vrtc::{HvmHwRtc, RtcState};

    pub const EV_SET_TIMER: u32 = 0;
    pub const EV_STOP_TIMER: u32 = 1;
    pub const EV_CREATE_PERIODIC: u32 = 2;
    pub const EV_DESTROY_PERIODIC: u32 = 3;
    pub const EV_IRQ_ASSERT: u32 = 4;
    pub const EV_IRQ_DEASSERT: u32 = 5;
    pub const EV_TIMEOFFSET_REQ: u32 = 6;
    pub const EV_WALLCLOCK: u32 = 7;

    /// `struct shim_event` of csrc/shim.c.
    #[repr(C)]
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
    pub struct ShimEvent {
        pub kind: u32,
        pub timer: u32,
        pub a: u64,
        pub b: u64,
    }

    extern "C" {
        pub fn shim_setup();
        pub fn shim_set_env(now: i64, wc_sec: u64, wc_nsec: u32, time_offset: i64, vpt_align: u32);
        pub fn shim_set_now(now: i64);
        pub fn shim_time_offset() -> i64;
        pub fn shim_rtc_init();
        pub fn shim_rtc_reset();
        pub fn shim_rtc_update_clock();
        pub fn shim_io(write: i32, port: u32, bytes: u32, val: *mut u32) -> i32;
        pub fn shim_fire(which: i32);
        pub fn shim_save(out: *mut HvmHwRtc) -> i32;
        pub fn shim_load(rec: *const HvmHwRtc, time_offset_set: i32) -> i32;
        pub fn shim_get_state(out: *mut RtcState);
        pub fn shim_put_state(state: *const RtcState);
        pub fn shim_events(out: *mut ShimEvent, max: u32) -> u32;
        pub fn shim_bench(ops: *const super::BenchOp, n: usize) -> u64;
    }
}

use ffi::ShimEvent;

/// The C model lives in C globals: one user at a time.
static C_MODEL: Mutex<()> = Mutex::new(());

/// Exclusive use of Xen's rtc.c in this process.
pub struct CModel {
    _guard: MutexGuard<'static, ()>,
}

impl CModel {
    pub fn new() -> Self {
        let guard = C_MODEL.lock().unwrap_or_else(|e| e.into_inner());
        // SAFETY: single-threaded use of the C globals, held by the guard.
        unsafe { ffi::shim_setup() };
        CModel { _guard: guard }
    }

    pub fn set_env(&mut self, e: &Env) {
        // SAFETY: plain values; exclusive access via the guard.
        unsafe { ffi::shim_set_env(e.now, e.wc_sec, e.wc_nsec, e.time_offset, e.vpt_align) }
    }

    pub fn set_now(&mut self, now: i64) {
        // SAFETY: plain value; exclusive access via the guard.
        unsafe { ffi::shim_set_now(now) }
    }

    pub fn time_offset(&self) -> i64 {
        // SAFETY: reads a C global; exclusive access via the guard.
        unsafe { ffi::shim_time_offset() }
    }

    pub fn init(&mut self) {
        // SAFETY: exclusive access via the guard.
        unsafe { ffi::shim_rtc_init() }
    }

    pub fn reset(&mut self) {
        // SAFETY: exclusive access via the guard.
        unsafe { ffi::shim_rtc_reset() }
    }

    pub fn update_clock(&mut self) {
        // SAFETY: exclusive access via the guard.
        unsafe { ffi::shim_rtc_update_clock() }
    }

    /// Returns 0 (OKAY), 1 (UNHANDLEABLE) or 2 (not accepted) and `*val`.
    pub fn io(&mut self, write: bool, port: u32, bytes: u32, val: u32) -> IoOutcome {
        let mut v = val;
        // SAFETY: `v` is a valid u32 for the call's duration.
        let rc = unsafe { ffi::shim_io(write as i32, port, bytes, &mut v) };
        match rc {
            0 => IoOutcome::Okay(v),
            1 => IoOutcome::Unhandleable,
            _ => IoOutcome::NotMine,
        }
    }

    pub fn fire(&mut self, which: i32) {
        // SAFETY: exclusive access via the guard.
        unsafe { ffi::shim_fire(which) }
    }

    pub fn save(&mut self) -> HvmHwRtc {
        let mut r = HvmHwRtc::default();
        // SAFETY: `r` has the layout of struct hvm_hw_rtc (asserted on
        // both sides).
        unsafe { ffi::shim_save(&mut r) };
        r
    }

    pub fn load(&mut self, rec: &HvmHwRtc, time_offset_set: bool) {
        // SAFETY: as for save.
        unsafe { ffi::shim_load(rec, time_offset_set as i32) };
    }

    pub fn state(&self) -> RtcState {
        let mut s = RtcState::new();
        // SAFETY: RtcState has the layout of struct rust_rtc_state in
        // shim.c (104 bytes, asserted on both sides).
        unsafe { ffi::shim_get_state(&mut s) };
        s
    }

    pub fn put_state(&mut self, s: &RtcState) {
        // SAFETY: as for state.
        unsafe { ffi::shim_put_state(s) }
    }

    pub fn events(&mut self) -> Vec<ShimEvent> {
        let mut v = [ShimEvent::default(); 64];
        // SAFETY: `v` has room for 64 events.
        let n = unsafe { ffi::shim_events(v.as_mut_ptr(), 64) };
        v[..n as usize].to_vec()
    }
}

impl Default for CModel {
    fn default() -> Self {
        Self::new()
    }
}

/// The C events the Rust requests stand for.  `offset` is the domain's
/// time offset before the operation.
pub fn requests_as_events(reqs: &[Request], offset: i64) -> Vec<ShimEvent> {
    use ffi::*;
    let mut off = offset;
    let mut out = Vec::new();
    let ev = |kind, timer, a, b| ShimEvent { kind, timer, a, b };
    for r in reqs {
        match *r {
            Request::SetTimer { timer, expires } => {
                out.push(ev(EV_SET_TIMER, timer as u32, expires as u64, 0))
            }
            Request::StopTimer { timer } => out.push(ev(EV_STOP_TIMER, timer as u32, 0, 0)),
            Request::CreatePeriodic { delta, period } => {
                out.push(ev(EV_CREATE_PERIODIC, 0, delta, period))
            }
            Request::DestroyPeriodic => out.push(ev(EV_DESTROY_PERIODIC, 0, 0, 0)),
            Request::IrqAssert => out.push(ev(EV_IRQ_ASSERT, 0, 0, 0)),
            Request::IrqDeassert => out.push(ev(EV_IRQ_DEASSERT, 0, 0, 0)),
            Request::TimeOffsetAdd { delta } => {
                off = off.wrapping_add(delta as i64);
                out.push(ev(EV_WALLCLOCK, 0, off as u64, 0));
                out.push(ev(EV_TIMEOFFSET_REQ, 0, delta, 0));
            }
            Request::TimeOffsetSet { seconds } => {
                off = seconds;
                out.push(ev(EV_WALLCLOCK, 0, off as u64, 0));
            }
        }
    }
    out
}

/// Xen's timers as the fake platform keeps them.
#[derive(Clone, Copy, Debug, Default)]
pub struct Timers {
    pub deadline: [Option<i64>; 3],
    /// Next periodic tick and the period.
    pub periodic: Option<(i64, i64)>,
}

impl Timers {
    /// Apply the C model's calls (the reference) at time `now`.
    pub fn apply(&mut self, events: &[ShimEvent], now: i64) {
        use ffi::*;
        for e in events {
            match e.kind {
                EV_SET_TIMER => self.deadline[e.timer as usize % 3] = Some(e.a as i64),
                EV_STOP_TIMER => self.deadline[e.timer as usize % 3] = None,
                EV_CREATE_PERIODIC => {
                    // Xen's vpt: first tick after `delta`, then every
                    // period (at least 100 us, like create_periodic_time).
                    let period = (e.b as i64).max(100_000);
                    self.periodic = Some((now.wrapping_add(e.a as i64), period));
                }
                EV_DESTROY_PERIODIC => self.periodic = None,
                _ => {}
            }
        }
    }
}

/// The seeded generator the streams draw from (shared by the three difftests).
pub use difftest_common::Rng;

/// One primitive operation, applied to both models.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Init,
    Reset,
    Io {
        write: bool,
        port: u32,
        bytes: u32,
        val: u32,
    },
    /// A timer expiry (0 update, 1 update2, 2 alarm) or a periodic tick (3).
    Fire(i32),
    UpdateClock,
    Save,
    Load {
        rec: HvmHwRtc,
        time_offset_set: bool,
    },
}

/// A divergence between Xen's rtc.c and the Rust emulator.
#[derive(Clone, Debug)]
pub struct Divergence {
    pub step: u64,
    pub op: Op,
    pub env: Env,
    pub what: String,
}

/// Both models, the fake platform and the statistics.
pub struct Pair {
    pub c: CModel,
    pub rust: RtcState,
    pub env: Env,
    pub timers: Timers,
    pub steps: u64,
    pub divergences: Vec<Divergence>,
    pub total_divergences: u64,
    /// Steps per kind: io, fire, other.
    pub counts: [u64; 3],
    /// Coverage: C events by kind, outcomes (okay, unhandleable, not
    /// mine), expiries by timer (update, update2, alarm, periodic).
    pub ev_counts: [u64; 8],
    pub outcomes: [u64; 3],
    pub fires: [u64; 4],
}

const MAX_KEPT_DIVERGENCES: usize = 20;

impl Pair {
    pub fn new(env: Env) -> Self {
        let mut p = Pair {
            c: CModel::new(),
            rust: RtcState::new(),
            env,
            timers: Timers::default(),
            steps: 0,
            divergences: Vec::new(),
            total_divergences: 0,
            counts: [0; 3],
            ev_counts: [0; 8],
            outcomes: [0; 3],
            fires: [0; 4],
        };
        p.step(Op::Init);
        p
    }

    /// Apply `op` to both, compare, update the platform.  Returns the
    /// (common, or C's on divergence) outcome of a port access.
    pub fn step(&mut self, op: Op) -> IoOutcome {
        self.steps += 1;
        self.c.set_env(&self.env);
        let mut cx = Ctx::new(self.env);
        let mut r_out = IoOutcome::NotMine;
        let mut c_out = IoOutcome::NotMine;
        let mut r_rec = None;
        let mut c_rec = None;
        match op {
            Op::Init => {
                self.rust = RtcState::new();
                self.rust.init(&mut cx);
                self.c.init();
                self.counts[2] += 1;
            }
            Op::Reset => {
                self.rust.reset(&mut cx);
                self.c.reset();
                self.counts[2] += 1;
            }
            Op::Io {
                write,
                port,
                bytes,
                val,
            } => {
                let dir = if write { Dir::Write } else { Dir::Read };
                r_out = self.rust.portio(&mut cx, dir, port, bytes, val);
                c_out = self.c.io(write, port, bytes, val);
                self.counts[0] += 1;
            }
            Op::Fire(which) => {
                match which {
                    0 => self.rust.update_timer_expired(&mut cx),
                    1 => self.rust.update_timer2_expired(&mut cx),
                    2 => self.rust.alarm_timer_expired(&mut cx),
                    _ => self.rust.periodic_tick(&mut cx),
                }
                self.c.fire(which);
                self.counts[1] += 1;
                self.fires[(which & 3) as usize] += 1;
            }
            Op::UpdateClock => {
                self.rust.update_clock(&cx);
                self.c.update_clock();
                self.counts[2] += 1;
            }
            Op::Save => {
                r_rec = Some(self.rust.save(&cx));
                c_rec = Some(self.c.save());
                self.counts[2] += 1;
            }
            Op::Load {
                rec,
                time_offset_set,
            } => {
                self.rust.load(&mut cx, &rec, time_offset_set);
                self.c.load(&rec, time_offset_set);
                self.counts[2] += 1;
            }
        }
        let c_events = self.c.events();
        for e in &c_events {
            self.ev_counts[(e.kind & 7) as usize] += 1;
        }
        if matches!(op, Op::Io { .. }) {
            self.outcomes[match c_out {
                IoOutcome::Okay(_) => 0,
                IoOutcome::Unhandleable => 1,
                IoOutcome::NotMine => 2,
            }] += 1;
        }
        let r_events = requests_as_events(cx.reqs.as_slice(), self.env.time_offset);
        let c_state = self.c.state();
        let c_offset = self.c.time_offset();

        let mut what = String::new();
        if r_out != c_out {
            what += &format!("outcome: rust {r_out:?} C {c_out:?}; ");
        }
        if r_rec != c_rec {
            what += &format!("save record: rust {r_rec:?} C {c_rec:?}; ");
        }
        if cx.reqs.overflow != 0 || r_events != c_events {
            what += &format!("requests: rust {:?} C {:?}; ", cx.reqs.as_slice(), c_events);
        }
        if self.rust != c_state {
            what += &format!("state: rust {:?} C {:?}; ", self.rust, c_state);
        }
        if cx.env.time_offset != c_offset {
            what += &format!("time offset: rust {} C {}; ", cx.env.time_offset, c_offset);
        }
        if !what.is_empty() {
            self.total_divergences += 1;
            if self.divergences.len() < MAX_KEPT_DIVERGENCES {
                self.divergences.push(Divergence {
                    step: self.steps,
                    op,
                    env: self.env,
                    what,
                });
            }
            // Go on from Xen's state.
            self.rust = c_state;
        }
        self.env.time_offset = c_offset;
        self.timers.apply(&c_events, self.env.now);
        c_out
    }

    /// Move the clock forward by `ns`, firing what Xen would fire on the
    /// way (earliest deadline first; `jitter` ns of timer latency at most).
    pub fn advance(&mut self, ns: i64, rng: &mut Rng, max_jitter: u64) {
        let target = self.env.now.saturating_add(ns.max(0));
        let mut fired = 0;
        let mut ticks = 0;
        loop {
            let mut best: Option<(i64, i32)> = None;
            for (i, d) in self.timers.deadline.iter().enumerate() {
                if let Some(d) = *d {
                    if best.is_none_or(|(b, _)| d < b) {
                        best = Some((d, i as i32));
                    }
                }
            }
            if let Some((next, _)) = self.timers.periodic {
                if best.is_none_or(|(b, _)| next < b) {
                    best = Some((next, 3));
                }
            }
            let Some((deadline, which)) = best else { break };
            if deadline > target || fired >= 64 {
                break;
            }
            // Sometimes the softirq is late: the guest runs first, with
            // the timer overdue (it fires at a later advance).
            if rng.chance(3) {
                break;
            }
            if which == 3 && ticks >= 3 {
                // Xen's default vpt mode delivers one interrupt for many
                // missed ticks: skip the rest of this advance.
                let (next, period) = self.timers.periodic.unwrap();
                let behind = (target - next) / period + 1;
                self.timers.periodic =
                    Some((next.saturating_add(behind.saturating_mul(period)), period));
                continue;
            }
            if which == 3 {
                ticks += 1;
            }
            fired += 1;
            let at = deadline.saturating_add(rng.below(max_jitter + 1) as i64);
            self.env.now = self.env.now.max(at.min(target));
            if which == 3 {
                let (next, period) = self.timers.periodic.unwrap();
                let mut n = next.saturating_add(period);
                if n <= self.env.now {
                    // Missed ticks are dropped, one tick delivered.
                    let behind = (self.env.now - next) / period + 1;
                    n = next.saturating_add(behind.saturating_mul(period));
                }
                self.timers.periodic = Some((n, period));
            } else {
                self.timers.deadline[which as usize] = None;
            }
            self.step(Op::Fire(which));
        }
        self.env.now = target;
    }

    /// Summary line.
    pub fn report(&self) -> String {
        format!(
            "{} steps ({} port accesses, {} timer/periodic expiries, {} other), {} divergences",
            self.steps, self.counts[0], self.counts[1], self.counts[2], self.total_divergences
        )
    }
}

/// A value for the data port that is plausible for `index` in the current
/// mode (register B), or any byte.
fn data_value(rng: &mut Rng, index: u8, reg_b: u8) -> u32 {
    let bin = reg_b & vrtc::RTC_DM_BINARY != 0;
    let enc = |v: u64| -> u32 {
        if bin {
            v as u32
        } else {
            (((v / 10) << 4) | (v % 10)) as u32
        }
    };
    if rng.chance(15) {
        return rng.below(256) as u32;
    }
    match index as usize {
        vrtc::RTC_SECONDS | vrtc::RTC_MINUTES => enc(rng.below(60)),
        vrtc::RTC_SECONDS_ALARM | vrtc::RTC_MINUTES_ALARM => {
            if rng.chance(35) {
                0xc0 | rng.below(64) as u32
            } else {
                enc(rng.below(60))
            }
        }
        vrtc::RTC_HOURS | vrtc::RTC_HOURS_ALARM => {
            if index as usize == vrtc::RTC_HOURS_ALARM && rng.chance(35) {
                0xc0 | rng.below(64) as u32
            } else if reg_b & vrtc::RTC_24H != 0 {
                enc(rng.below(24))
            } else {
                enc(rng.below(12) + 1) | if rng.chance(50) { 0x80 } else { 0 }
            }
        }
        vrtc::RTC_DAY_OF_WEEK => enc(rng.below(7) + 1),
        vrtc::RTC_DAY_OF_MONTH => enc(rng.below(31) + 1),
        vrtc::RTC_MONTH => enc(rng.below(12) + 1),
        vrtc::RTC_YEAR => enc(rng.below(100)),
        vrtc::RTC_REG_A => {
            let div = if rng.chance(80) {
                0x20
            } else {
                (rng.below(8) as u32) << 4
            };
            div | rng.below(16) as u32 | if rng.chance(10) { 0x80 } else { 0 }
        }
        vrtc::RTC_REG_B => {
            // SET comes and goes; the mode bits change less often.
            let mut v = reg_b as u32;
            if rng.chance(30) {
                v ^= vrtc::RTC_SET as u32;
            }
            for bit in [0x40u32, 0x20, 0x10, 0x08, 0x01] {
                if rng.chance(25) {
                    v ^= bit;
                }
            }
            for bit in [0x04u32, 0x02] {
                if rng.chance(8) {
                    v ^= bit;
                }
            }
            v
        }
        _ => rng.below(256) as u32,
    }
}

/// One random operation of the stream (advances and rare platform events
/// included).
pub fn random_step(p: &mut Pair, rng: &mut Rng) {
    let roll = rng.below(1000);
    let index = p.rust.hw.cmos_index;
    let reg_b = p.rust.hw.cmos_data[vrtc::RTC_REG_B];
    match roll {
        // Index port writes.
        0..=219 => {
            let val = if rng.chance(88) {
                rng.below(14) as u32 | if rng.chance(10) { 0x80 } else { 0 }
            } else {
                rng.below(256) as u32
            };
            p.step(Op::Io {
                write: true,
                port: 0x70,
                bytes: 1,
                val,
            });
        }
        // Data port writes.
        220..=449 => {
            let val = data_value(rng, index, reg_b) | if rng.chance(5) { 0xff00 } else { 0 };
            p.step(Op::Io {
                write: true,
                port: 0x71,
                bytes: 1,
                val,
            });
        }
        // Data port reads.
        450..=679 => {
            p.step(Op::Io {
                write: false,
                port: 0x71,
                bytes: 1,
                val: 0,
            });
        }
        // Odd accesses: index reads, wrong sizes, neighbouring ports.
        680..=719 => {
            let port = [0x70, 0x71, 0x6f, 0x72][rng.below(4) as usize];
            let bytes = [1, 2, 4, 2][rng.below(4) as usize];
            p.step(Op::Io {
                write: rng.chance(50),
                port,
                bytes,
                val: rng.next_u64() as u32,
            });
        }
        // Clock advances.
        720..=989 => {
            let ns = match rng.below(20) {
                0..=5 => rng.below(300_000) as i64,
                6..=15 => rng.below(1_200_000_000) as i64,
                16 => rng.below(200_000_000_000) as i64,
                17 => rng.below(3 * 86_400) as i64 * 1_000_000_000,
                _ => {
                    // Up to just around the next update-timer deadline: the
                    // edges of the UIP window.
                    let d = p.timers.deadline.iter().flatten().min().copied();
                    match d {
                        Some(d) => (d - p.env.now).max(0) + rng.below(600_000) as i64 - 300_000,
                        None => rng.below(1_000_000) as i64,
                    }
                }
            };
            p.advance(ns, rng, 30_000);
        }
        // The toolstack moves the domain's clock (domain_set_time_offset).
        990..=992 => {
            p.env.time_offset = p
                .env
                .time_offset
                .wrapping_add(rng.below(200_000) as i64 - 100_000);
            p.step(Op::UpdateClock);
        }
        // dom0 sets the wall clock (do_settime).
        993 => {
            p.env.wc_sec = p
                .env
                .wc_sec
                .wrapping_add(rng.below(100_000))
                .wrapping_sub(50_000);
            p.env.wc_nsec = rng.below(1_000_000_000) as u32;
            p.step(Op::UpdateClock);
        }
        // Save, and restore (the record as saved, or mangled).
        994..=996 => {
            p.step(Op::Save);
            let mut rec = p.rust.hw;
            rec.rtc_offset = p.env.time_offset;
            if rng.chance(50) {
                let i = rng.below(24) as usize;
                let mut bytes = [0u8; 24];
                bytes[..14].copy_from_slice(&rec.cmos_data);
                bytes[14] = rec.cmos_index;
                bytes[15] = rec.pad0;
                bytes[16..].copy_from_slice(&rec.rtc_offset.to_le_bytes());
                bytes[i] = rng.below(256) as u8;
                if i >= 16 {
                    // Keep the offset within a few years.
                    bytes[16..].copy_from_slice(
                        &(rec.rtc_offset + rng.below(200_000_000) as i64 - 100_000_000)
                            .to_le_bytes(),
                    );
                }
                rec.cmos_data.copy_from_slice(&bytes[..14]);
                rec.cmos_index = bytes[14];
                rec.pad0 = bytes[15];
                rec.rtc_offset = i64::from_le_bytes(bytes[16..].try_into().unwrap());
            }
            p.step(Op::Load {
                rec,
                time_offset_set: rng.chance(30),
            });
        }
        997 => {
            p.step(Op::Reset);
        }
        998 => {
            p.env.vpt_align ^= 1;
            p.step(Op::Io {
                write: true,
                port: 0x71,
                bytes: 1,
                val: data_value(rng, index, reg_b),
            });
        }
        _ => {
            // A periodic tick out of Xen's schedule (vpt may deliver late).
            if p.timers.periodic.is_some() {
                p.step(Op::Fire(3));
            }
        }
    }
}

/// A fresh domain at a random date in 2000..2100, random clock phase.
pub fn random_env(rng: &mut Rng) -> Env {
    Env {
        now: rng.below(1u64 << 42) as i64,
        wc_sec: 946_684_800 + rng.below(100 * 365 * 86_400),
        time_offset: rng.below(20_000_000) as i64 - 10_000_000,
        wc_nsec: rng.below(1_000_000_000) as u32,
        vpt_align: (rng.below(4) == 0) as u32,
    }
}

/// Run `runs` domains of `steps_per_run` random operations each from
/// `seed`; returns the pairs' summed statistics.
pub fn run_random(seed: u64, runs: u64, ops_per_run: u64) -> Summary {
    run_random_with(seed, runs, ops_per_run, random_env)
}

/// A domain whose clocks are far from the usual: any wall clock
/// `do_settime()` can set (`SECONDS(secs)` must fit 64 bits: < 2^34 s),
/// offsets of +-2^34 s (before 1970 too), system time up to 2^61 ns.
pub fn extreme_env(rng: &mut Rng) -> Env {
    Env {
        now: rng.below(1u64 << 61) as i64,
        wc_sec: rng.below(1u64 << 34),
        time_offset: rng.below(1u64 << 35) as i64 - (1i64 << 34),
        wc_nsec: rng.below(1_000_000_000) as u32,
        vpt_align: (rng.below(2) == 0) as u32,
    }
}

/// As [`run_random`], with domains made by `make_env`.
pub fn run_random_with(
    seed: u64,
    runs: u64,
    ops_per_run: u64,
    make_env: fn(&mut Rng) -> Env,
) -> Summary {
    let mut sum = Summary::default();
    let mut rng = Rng::new(seed);
    for _ in 0..runs {
        let env = make_env(&mut rng);
        let mut p = Pair::new(env);
        for _ in 0..ops_per_run {
            random_step(&mut p, &mut rng);
        }
        sum.ops += ops_per_run;
        sum.steps += p.steps;
        for (a, b) in sum.counts.iter_mut().zip(p.counts) {
            *a += b;
        }
        sum.divergences += p.total_divergences;
        for (a, b) in sum.ev_counts.iter_mut().zip(p.ev_counts) {
            *a += b;
        }
        for (a, b) in sum.outcomes.iter_mut().zip(p.outcomes) {
            *a += b;
        }
        for (a, b) in sum.fires.iter_mut().zip(p.fires) {
            *a += b;
        }
        for d in p.divergences {
            if sum.first.len() < MAX_KEPT_DIVERGENCES {
                sum.first.push(d);
            }
        }
    }
    sum
}

#[derive(Debug, Default)]
pub struct Summary {
    /// Random operations drawn (an advance counts once).
    pub ops: u64,
    /// Compared steps (each timer expiry on the way counts).
    pub steps: u64,
    pub counts: [u64; 3],
    pub ev_counts: [u64; 8],
    pub outcomes: [u64; 3],
    pub fires: [u64; 4],
    pub divergences: u64,
    pub first: Vec<Divergence>,
}

impl Summary {
    pub fn report(&self) -> String {
        format!(
            "{} random ops, {} compared steps ({} port accesses, {} timer/periodic expiries, {} other), {} divergences",
            self.ops, self.steps, self.counts[0], self.counts[1], self.counts[2], self.divergences
        )
    }

    /// What the stream exercised.
    pub fn coverage(&self) -> String {
        let e = &self.ev_counts;
        format!(
            "coverage: set_timer {} stop_timer {} create_periodic {} destroy_periodic {} irq_assert {} irq_deassert {} time_offset_req {} wallclock {}; io okay {} unhandleable {} not-mine {}; expiries update {} update2 {} alarm {} periodic {}",
            e[0], e[1], e[2], e[3], e[4], e[5], e[6], e[7],
            self.outcomes[0], self.outcomes[1], self.outcomes[2],
            self.fires[0], self.fires[1], self.fires[2], self.fires[3]
        )
    }
}

/// One operation of the benchmark stream (`struct bench_op` in shim.c).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct BenchOp {
    /// 0 write, 1 read, 2..4 update/update2/alarm expiry, 5 periodic tick.
    pub kind: u32,
    pub port: u32,
    pub val: u32,
    /// Nanoseconds the clock moves before the operation.
    pub dt: u32,
}

impl CModel {
    /// Run the stream through rtc.c (`shim_bench`); returns its checksum.
    pub fn bench(&mut self, ops: &[BenchOp]) -> u64 {
        // SAFETY: `ops` is a valid slice of repr(C) BenchOp.
        unsafe { ffi::shim_bench(ops.as_ptr(), ops.len()) }
    }
}

/// The same stream through the Rust emulator, with the same checksum.
#[inline(never)]
pub fn rust_bench(rtc: &mut RtcState, cx: &mut Ctx, ops: &[BenchOp]) -> u64 {
    let mut sum = 0u64;
    for op in ops {
        cx.env.now = cx.env.now.wrapping_add(op.dt as i64);
        cx.reqs.clear();
        let mut v = op.val;
        match op.kind {
            0 | 1 => {
                let dir = if op.kind == 0 { Dir::Write } else { Dir::Read };
                v = match rtc.portio(cx, dir, op.port, 1, op.val) {
                    IoOutcome::Okay(x) => x,
                    _ => 0xdead,
                };
            }
            2 => rtc.update_timer_expired(cx),
            3 => rtc.update_timer2_expired(cx),
            4 => rtc.alarm_timer_expired(cx),
            _ => rtc.periodic_tick(cx),
        }
        sum = sum
            .wrapping_mul(31)
            .wrapping_add(v as u64)
            .wrapping_add(cx.reqs.len as u64);
    }
    sum
}

/// Used by tests: `Timer` as the C harness numbers it.
pub fn timer_index(t: Timer) -> i32 {
    t as i32
}
