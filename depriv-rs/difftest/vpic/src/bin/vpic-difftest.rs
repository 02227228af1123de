//! Long differential run: `VPIC_SEED` (default: from the clock) and
//! `VPIC_OPS` (default 10^7): that many random operations, then every edge
//! from VPIC_OPS / 32 random records (Xen's edge shortcut, see
//! `run_edges`), and in both Xen's test for pt_update_irq()'s
//! falling-then-rising pair (`check_pulse`).  Prints ops, seed and
//! divergences; exits 1 on any divergence.
fn main() {
    let seed = std::env::var("VPIC_SEED")
        .ok()
        .and_then(|s| {
            let s = s.trim();
            s.strip_prefix("0x")
                .map_or_else(|| s.parse().ok(), |h| u64::from_str_radix(h, 16).ok())
        })
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(1, |d| d.as_nanos() as u64)
        });
    let ops = std::env::var("VPIC_OPS")
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(10_000_000u64);
    let start = std::time::Instant::now();
    let rep = difftest_vpic::run(seed, ops);
    for d in &rep.first {
        println!("DIVERGENCE {d}");
    }
    println!(
        "vpic long differential: seed {seed:#x}, {} ops compared, {} divergences, coverage {:?}, {:.1} s",
        rep.ops,
        rep.divergences,
        rep.coverage,
        start.elapsed().as_secs_f64()
    );
    let start = std::time::Instant::now();
    let edges = difftest_vpic::run_edges(seed, ops / 32);
    for d in &edges.first {
        println!("DIVERGENCE {d}");
    }
    println!(
        "vpic edge shortcut: seed {seed:#x}, {} edges compared, {} divergences, coverage {:?}, {:.1} s",
        edges.ops,
        edges.divergences,
        edges.coverage,
        start.elapsed().as_secs_f64()
    );
    std::process::exit(i32::from(rep.divergences + edges.divergences != 0));
}
