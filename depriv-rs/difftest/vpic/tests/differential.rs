//! The Rust vPIC against Xen's vpic.c: layout, then a fixed-seed random
//! stream (the slice `make test` runs).
#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]

use difftest_vpic::{run, CVpic, C_LOCK, SHIM_NFIELDS};
use vpic::HvmHwVpic;

/// Xen's struct hvm_hw_vpic, as the C compiler lays out the real public
/// header, is the Rust record: same size, each field in the same bits.
#[test]
fn layout_matches_xen_header() {
    let _g = C_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let (size, c) = CVpic::layout();
    assert_eq!(size, HvmHwVpic::SIZE);
    assert_eq!(size, core::mem::size_of::<HvmHwVpic>());
    let ones = |f: &dyn Fn(&mut HvmHwVpic)| {
        let mut p = HvmHwVpic::default();
        f(&mut p);
        p.to_bytes()
    };
    let rust: [[u8; 8]; SHIM_NFIELDS] = [
        ones(&|p| p.irr = 0xff),
        ones(&|p| p.imr = 0xff),
        ones(&|p| p.isr = 0xff),
        ones(&|p| p.irq_base = 0xff),
        ones(&|p| p.set_init_state(0xff)),
        ones(&|p| p.set_priority_add(0xff)),
        ones(&|p| p.set_readsel_isr(true)),
        ones(&|p| p.set_poll(true)),
        ones(&|p| p.set_auto_eoi(true)),
        ones(&|p| p.set_rotate_on_auto_eoi(true)),
        ones(&|p| p.set_special_fully_nested_mode(true)),
        ones(&|p| p.set_special_mask_mode(true)),
        ones(&|p| p.set_is_master(true)),
        ones(&|p| p.elcr = 0xff),
        ones(&|p| p.int_output = 0xff),
    ];
    for (i, (c, r)) in c.iter().zip(rust.iter()).enumerate() {
        assert_eq!(c, r, "field {i} of struct hvm_hw_vpic");
    }
}

/// vpic_reset() and Vpic::new() agree.
#[test]
fn reset_state_matches() {
    let _g = C_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let c = CVpic::new();
    assert_eq!(c.state(), vpic::Vpic::new().to_bytes());
}

/// Fixed seed, 200,000 operations, zero divergences.
#[test]
fn random_stream_fixed_seed() {
    let seed = 0x5eed_8259_a000_0001;
    let n = 200_000;
    let rep = run(seed, n);
    println!(
        "vpic differential: seed {seed:#x}, {} ops compared, {} divergences, coverage {:?}",
        rep.ops, rep.divergences, rep.coverage
    );
    for d in &rep.first {
        println!("DIVERGENCE {d}");
    }
    assert_eq!(rep.ops, n);
    assert_eq!(rep.divergences, 0, "{:#?}", rep.first);
    // The stream must reach the interesting paths.
    assert!(rep.coverage.kicks > 1000 && rep.coverage.vectors > 1000);
    assert!(rep.coverage.dpci_eois > 1000 && rep.coverage.unmasks > 1000);
    assert!(rep.coverage.bugs > 0);
}
