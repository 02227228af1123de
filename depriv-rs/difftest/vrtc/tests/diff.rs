//! The fixed-seed differential slice: the Rust vrtc against Xen's rtc.c.
#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]

use difftest_vrtc::*;

#[test]
fn random_streams_match_xen_rtc_c() {
    let seed = 0x5eed_0000_0005_0001;
    let sum = run_random(seed, 40, 3_000);
    println!("vrtc difftest (seed {seed:#x}): {}", sum.report());
    for d in &sum.first {
        println!(
            "divergence at step {}: {:?} env {:?}: {}",
            d.step, d.op, d.env, d.what
        );
    }
    assert!(sum.steps >= 100_000, "slice too small: {}", sum.steps);
    assert_eq!(sum.divergences, 0);
}
