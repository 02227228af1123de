//! Benchmark workload for tests/bench/22-realmode-bench.sh: runs the same
//! generated instruction stream (BENCH_SEED, BENCH_OPS) through either the
//! Rust emulator (`bench rust`) or Xen's x86_emulate (`bench xen`). The
//! script measures it under callgrind with --toggle-collect on
//! `bench_rust_one` / `x86_emulate_wrapper`, so only emulation (plus the
//! shared fake platform's ops) is counted, not case generation.

use difftest_realmode::{gen_case, xen_emulate, Case, Platform, Rng};
use realmode::{CpuState, Outcome};

#[inline(never)]
#[no_mangle]
pub fn bench_rust_one(cpu: &mut CpuState, p: &mut Platform) -> Outcome {
    realmode::emulate_one(cpu, p)
}

fn main() {
    let which = std::env::args().nth(1).unwrap_or_else(|| "rust".into());
    let seed = std::env::var("BENCH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(22);
    let n: usize = std::env::var("BENCH_OPS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20_000);
    let mut rng = Rng::new(seed);
    let cases: Vec<Case> = (0..n).map(|_| gen_case(&mut rng)).collect();
    let mut done = 0u64;
    let mut calls = 0u64;
    for c in &cases {
        let mut cpu = c.cpu;
        let mut p = c.plat.clone();
        let o = if which == "xen" {
            xen_emulate(&mut cpu, &mut p).outcome
        } else {
            bench_rust_one(&mut cpu, &mut p)
        };
        if matches!(o, Outcome::Okay(_)) {
            done += 1;
        }
        calls += p.calls;
    }
    // Op calls matter in the payload: each is a syscall into Xen.
    println!(
        "{which}: {n} instructions, {done} completed, {calls} op calls ({:.2} per instruction)",
        calls as f64 / n as f64
    );
}
