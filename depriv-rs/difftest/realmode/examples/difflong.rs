//! Long differential run (tests/long/22-realmode-long.sh):
//! DIFF_SEED (default 1), DIFF_OPS (default 10^6). Exits non-zero on any
//! divergence, decoder length mismatch or gap (an instruction the Rust
//! side refused where x86_emulate() ran it: fatal to a VMX real-mode
//! guest).

#[path = "../tests/support/mod.rs"]
mod support;

fn main() {
    let seed = std::env::var("DIFF_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    let n = std::env::var("DIFF_OPS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let t = std::time::Instant::now();
    let (st, ls) = support::run_stream(seed, n);
    support::report(&st, &ls);
    if std::env::var("DIFF_GAPS").is_ok() {
        for g in &st.gap_samples {
            println!("GAP {g}");
        }
    }
    println!("seed {seed}: {:.1} s", t.elapsed().as_secs_f64());
    if st.divergences != 0 || ls.mismatches != 0 || st.rust_unhandleable != 0 {
        std::process::exit(1);
    }
}
