//! Long differential run: `VRTC_SEED` (default: from the clock, printed),
//! `VRTC_OPS` (default 10^7) random operations against Xen's rtc.c.
//! Prints the summary and the first divergences; exits 1 on any.

use difftest_vrtc::{extreme_env, run_random, run_random_with};
use std::time::Instant;

fn main() {
    let seed = std::env::var("VRTC_SEED")
        .ok()
        .and_then(|s| {
            let s = s.trim_start_matches("0x");
            u64::from_str_radix(s, 16).ok()
        })
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos() as u64)
                .unwrap_or(1)
        });
    let ops: u64 = std::env::var("VRTC_OPS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(12_000_000);
    let per_run = 20_000u64;
    let runs = ops.div_ceil(per_run);
    let t = Instant::now();
    let sum = run_random(seed, runs, per_run);
    println!(
        "vrtc long difftest seed {seed:#x}: {} domains; {} in {:.1} s",
        runs,
        sum.report(),
        t.elapsed().as_secs_f64()
    );
    println!("{}", sum.coverage());
    for d in &sum.first {
        println!(
            "divergence at step {}: {:?} env {:?}: {}",
            d.step, d.op, d.env, d.what
        );
    }
    // A tenth more with clocks far from the usual (pre-1970, far future).
    let t = Instant::now();
    let ext = run_random_with(seed ^ 0xe7, runs.div_ceil(10), per_run, extreme_env);
    println!(
        "vrtc long difftest, extreme clocks: {} in {:.1} s",
        ext.report(),
        t.elapsed().as_secs_f64()
    );
    for d in &ext.first {
        println!(
            "divergence at step {}: {:?} env {:?}: {}",
            d.step, d.op, d.env, d.what
        );
    }
    if sum.divergences != 0 || ext.divergences != 0 {
        std::process::exit(1);
    }
}
