//! Benchmark stream for callgrind: the same pre-generated operations through
//! Xen's rtc.c (`shim_bench`) and the Rust vRTC (`rust_bench`), one after
//! the other in one process, from the same initial state.  Compare the
//! inclusive instruction counts of the two functions
//! (tests/bench/21-vrtc-bench.sh does).  `VRTC_BENCH_OPS` (default 200000).
use difftest_vrtc::{rust_bench, BenchOp, CModel, Rng};
use vrtc::{Ctx, Env, RtcState};

fn main() {
    let n: usize = std::env::var("VRTC_BENCH_OPS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(200_000);
    let mut r = Rng::new(0x146818);
    // What guests do: read the clock (index, then data), poll UIP in
    // register A, acknowledge in register C from the interrupt handler;
    // Xen delivers periodic ticks and update/alarm expiries; now and then
    // the guest reprograms register B or the alarm.
    let mut ops = Vec::with_capacity(n);
    // PIE on first, so that Xen has a periodic timer (and rtc.c's callback)
    // before the first tick.
    ops.push(BenchOp {
        kind: 0,
        port: 0x70,
        val: 0x0b,
        dt: 0,
    });
    ops.push(BenchOp {
        kind: 0,
        port: 0x71,
        val: 0x42,
        dt: 0,
    });
    while ops.len() < n {
        let dt = r.below(2_000_000) as u32;
        let index = |i: u32| BenchOp {
            kind: 0,
            port: 0x70,
            val: i,
            dt,
        };
        let read = BenchOp {
            kind: 1,
            port: 0x71,
            val: 0,
            dt: 0,
        };
        let write = |v: u32| BenchOp {
            kind: 0,
            port: 0x71,
            val: v,
            dt: 0,
        };
        match r.below(100) {
            0..=39 => {
                ops.push(index([0, 2, 4, 6, 7, 8, 9][r.below(7) as usize]));
                ops.push(read);
            }
            40..=54 => {
                ops.push(index(0x0a));
                ops.push(read);
            }
            55..=69 => {
                ops.push(index(0x0c));
                ops.push(read);
            }
            70..=79 => ops.push(BenchOp {
                kind: 5,
                dt,
                ..Default::default()
            }),
            80..=89 => ops.push(BenchOp {
                kind: 2 + r.below(3) as u32,
                dt,
                ..Default::default()
            }),
            90..=94 => {
                ops.push(index(0x0b));
                ops.push(write(
                    0x02 | [0x00, 0x40, 0x20, 0x10, 0x50][r.below(5) as usize],
                ));
            }
            _ => {
                ops.push(index([1, 3, 5][r.below(3) as usize]));
                ops.push(write(if r.chance(50) {
                    0xc0
                } else {
                    r.below(0x24) as u32
                }));
            }
        }
    }
    ops.truncate(n);

    let env = Env {
        now: 1_000_000_000_000,
        wc_sec: 1_750_000_000,
        time_offset: 0,
        wc_nsec: 250_000_000,
        vpt_align: 0,
    };
    let mut c = CModel::new();
    c.set_env(&env);
    c.init();
    c.events();
    let csum = c.bench(&ops);

    let mut rtc = RtcState::new();
    let mut cx = Ctx::new(env);
    rtc.init(&mut cx);
    let rsum = rust_bench(&mut rtc, &mut cx, &ops);
    let same = c.state() == rtc;
    println!(
        "vrtc bench: {n} ops, checksum C {csum:#x} Rust {rsum:#x}, final state {}",
        if same { "equal" } else { "DIFFERENT" }
    );
    if csum != rsum || !same {
        std::process::exit(1);
    }
}
