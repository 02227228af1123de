//! Fixed-seed differential slice: the Rust realmode emulator against Xen's
//! x86_emulate() on >= 10^5 random real-mode instructions. Fails on any
//! divergence, decoder length mismatch or gap (refused where x86_emulate()
//! ran the instruction). DIFF_SEED / DIFF_OPS override.

mod support;

#[test]
fn realmode_vs_xen_x86_emulate() {
    let seed = std::env::var("DIFF_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5eed_0006);
    let n = std::env::var("DIFF_OPS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000);
    let (st, ls) = support::run_stream(seed, n);
    support::report(&st, &ls);
    assert!(st.total >= n);
    assert!(st.compared > n / 2, "too few instructions compared");
    assert_eq!(st.divergences, 0, "divergences from Xen's x86_emulate");
    // The payload's prefill (Xen's answers in the real-mode page) ran in
    // most cases and answered each kind of op it holds.
    assert!(
        st.prefilled > n / 2,
        "too few instructions run with a prefill"
    );
    assert!(
        st.served_fetches > 0 && st.served_segments > 0 && st.served_cr0 > 0,
        "the prefill answered no fetch, segment or CR0 read"
    );
    assert!(st.prefilled_calls < st.plain_calls);
    assert_eq!(ls.mismatches, 0, "decoder length mismatches vs iced-x86");
    assert_eq!(
        st.rust_unhandleable, 0,
        "gaps: refused where x86_emulate() ran the instruction"
    );
}
