//! Any sequence of guest port accesses, timer expiries, clock jumps and
//! restore records must never panic (cargo fuzz builds with overflow
//! checks on, so an arithmetic overflow counts too), and no operation may
//! make more requests than the list holds.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vrtc::{Ctx, Dir, Env, HvmHwRtc, RtcState};

struct Input<'a>(&'a [u8]);

impl Input<'_> {
    fn bytes<const N: usize>(&mut self) -> [u8; N] {
        let mut out = [0u8; N];
        let n = N.min(self.0.len());
        out[..n].copy_from_slice(&self.0[..n]);
        self.0 = &self.0[n..];
        out
    }
    fn u8(&mut self) -> u8 {
        self.bytes::<1>()[0]
    }
    fn u32(&mut self) -> u32 {
        u32::from_le_bytes(self.bytes())
    }
    fn u64(&mut self) -> u64 {
        u64::from_le_bytes(self.bytes())
    }
    fn record(&mut self) -> HvmHwRtc {
        let b: [u8; 24] = self.bytes();
        let mut r = HvmHwRtc::default();
        r.cmos_data.copy_from_slice(&b[..14]);
        r.cmos_index = b[14];
        r.pad0 = b[15];
        r.rtc_offset = i64::from_le_bytes(b[16..].try_into().unwrap());
        r
    }
}

fuzz_target!(|data: &[u8]| {
    let mut inp = Input(data);
    let env = Env {
        now: inp.u64() as i64,
        wc_sec: inp.u64(),
        time_offset: inp.u64() as i64,
        wc_nsec: inp.u32(),
        vpt_align: inp.u8() as u32 & 1,
    };
    let mut rtc = RtcState::new();
    let mut cx = Ctx::new(env);
    rtc.init(&mut cx);
    while !inp.0.is_empty() {
        cx.reqs.clear();
        let op = inp.u8();
        match op % 12 {
            0..=4 => {
                let dir = if op & 0x10 != 0 {
                    Dir::Write
                } else {
                    Dir::Read
                };
                let port = 0x6e + (inp.u8() as u32 % 6);
                let bytes = [1, 1, 1, 2, 4, 1, 1, 3][(op >> 5) as usize];
                rtc.portio(&mut cx, dir, port, bytes, inp.u32());
            }
            5 => rtc.update_timer_expired(&mut cx),
            6 => rtc.update_timer2_expired(&mut cx),
            7 => rtc.alarm_timer_expired(&mut cx),
            8 => rtc.periodic_tick(&mut cx),
            9 => {
                // The clock moves (small steps mostly, any value sometimes).
                let v = inp.u32() as i64;
                cx.env.now = if op & 0x80 != 0 {
                    inp.u64() as i64
                } else {
                    cx.env.now.wrapping_add(v * 1000)
                };
                if op & 0x40 != 0 {
                    cx.env.wc_sec = inp.u64();
                    cx.env.wc_nsec = inp.u32();
                    cx.env.time_offset = inp.u64() as i64;
                    rtc.update_clock(&cx);
                }
            }
            10 => {
                let rec = inp.record();
                rtc.load(&mut cx, &rec, op & 0x80 != 0);
            }
            _ => {
                if op & 0x80 != 0 {
                    rtc.reset(&mut cx);
                } else {
                    let _ = rtc.save(&cx);
                }
            }
        }
        assert_eq!(cx.reqs.overflow, 0, "request list overflow");
    }
});
