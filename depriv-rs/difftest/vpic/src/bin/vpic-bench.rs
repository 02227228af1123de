//! Benchmark stream for callgrind: the same pre-generated operations through
//! Xen's vpic.c (`shim_bench`) and the Rust vPIC (`rust_bench`), one after
//! the other in one process.  Compare the inclusive instruction counts of
//! the two functions (tests/bench/20-vpic-bench.sh does).
//! `VPIC_BENCH_OPS` (default 200000), `VPIC_BENCH_SEED`.
use difftest_vpic::{rust_bench, BenchOp, CVpic, Rng, C_LOCK};

fn main() {
    let n: usize = std::env::var("VPIC_BENCH_OPS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(200_000);
    let seed: u64 = std::env::var("VPIC_BENCH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x8259);
    let mut r = Rng::new(seed);
    // A guest-like mix: programming and EOIs, IRR/ISR reads, edges,
    // acknowledges, occasional ELCR accesses and re-initialisation.
    let ops: Vec<BenchOp> = (0..n)
        .map(|_| {
            let k = r.below(100);
            let port = [0x20u16, 0x21, 0xa0, 0xa1][r.below(4) as usize];
            match k {
                0..=19 => {
                    let val = if port & 1 == 1 {
                        u32::from(r.byte() & r.byte())
                    } else {
                        match r.below(20) {
                            0 => 0x11,
                            1..=11 => 0x20,
                            12..=15 => 0x60 | r.below(8) as u32,
                            _ => 0x08 | r.below(8) as u32 | 2,
                        }
                    };
                    BenchOp {
                        kind: 0,
                        arg: 0,
                        port,
                        val,
                    }
                }
                20..=34 => BenchOp {
                    kind: 1,
                    arg: 0,
                    port,
                    val: 0,
                },
                35..=37 => BenchOp {
                    kind: 2,
                    arg: 0,
                    port: 0x4d0 | r.below(2) as u16,
                    val: u32::from(r.byte()),
                },
                38..=39 => BenchOp {
                    kind: 3,
                    arg: 0,
                    port: 0x4d0 | r.below(2) as u16,
                    val: 0,
                },
                40..=64 => BenchOp {
                    kind: 4,
                    arg: r.below(16) as u8,
                    port: 0,
                    val: 0,
                },
                65..=79 => BenchOp {
                    kind: 5,
                    arg: r.below(16) as u8,
                    port: 0,
                    val: 0,
                },
                _ => BenchOp {
                    kind: 6,
                    arg: 0,
                    port: 0,
                    val: 0,
                },
            }
        })
        .collect();

    let _g = C_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let mut c = CVpic::new();
    let csum = c.bench(&ops);
    let mut v = vpic::Vpic::new();
    let mut eoi = 0;
    let rsum = rust_bench(&mut v, &ops, &mut eoi);
    println!(
        "vpic bench: {n} ops, seed {seed:#x}, checksum C {csum:#x} Rust {rsum:#x}, final state {}",
        if c.state() == v.to_bytes() {
            "equal"
        } else {
            "DIFFERENT"
        }
    );
    if csum != rsum || c.state() != v.to_bytes() {
        std::process::exit(1);
    }
}
