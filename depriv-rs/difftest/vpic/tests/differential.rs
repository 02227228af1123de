//! The Rust vPIC against Xen's vpic.c: layout, then a fixed-seed random
//! stream (the slice `make test` runs), and Xen's edge shortcut on every
//! edge from random records.

use difftest_vpic::{run, run_edges, CVpic, C_LOCK, SHIM_NFIELDS};
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
    assert!(rep.coverage.nop_edges > 1000 && rep.coverage.call_edges > 1000);
    // pt_update_irq()'s pairs: both answers, and pairs Xen replaces by a
    // kick, with a different output between the edges.
    assert!(rep.coverage.nop_pulses > 10_000 && rep.coverage.call_pulses > 10_000);
    assert!(rep.coverage.nop_pulse_kicks > 100 && rep.coverage.nop_pulse_dips > 100);
}

/// Xen's test before an edge call (asm/hvm/vpic-edge.h) on every edge from
/// 10,000 random records: it skips exactly the edges after which vpic.c
/// and the Rust vPIC leave both records as they were, with no effect; and
/// its test for pt_update_irq()'s falling-then-rising pair on every IRQ
/// from the same records (`check_pulse`).
#[test]
fn edge_shortcut_every_edge_from_random_records() {
    let seed = 0x5eed_8259_ed6e_0001;
    let n = 10_000;
    let rep = run_edges(seed, n);
    println!(
        "vpic edge shortcut: seed {seed:#x}, {} edges compared, {} divergences, coverage {:?}",
        rep.ops, rep.divergences, rep.coverage
    );
    for d in &rep.first {
        println!("DIVERGENCE {d}");
    }
    assert_eq!(rep.ops, n * 32);
    assert_eq!(rep.divergences, 0, "{:#?}", rep.first);
    // Both answers, often, and edges that raise the output (kicks).
    assert!(rep.coverage.nop_edges > 50_000 && rep.coverage.call_edges > 50_000);
    assert!(rep.coverage.kicks > 1000);
    // The pair on every IRQ from every record: both answers, kicks, dips.
    assert_eq!(rep.coverage.nop_pulses + rep.coverage.call_pulses, n * 32);
    assert!(rep.coverage.nop_pulses > 50_000 && rep.coverage.call_pulses > 50_000);
    assert!(rep.coverage.nop_pulse_kicks > 100 && rep.coverage.nop_pulse_dips > 100);
}

/// Hand-made cases for corners a random stream reaches rarely, each run
/// through Xen's C and the Rust side with every step compared.
#[test]
fn crafted_corners_match_xen() {
    use difftest_vpic::{step, Coverage, Op};
    use vpic::{Dir, Vpic};
    let _g = C_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let w = |port: u32, val: u32| Op::PicIo {
        dir: Dir::Write,
        port,
        bytes: 1,
        val,
    };
    let rd = |port: u32| Op::PicIo {
        dir: Dir::Read,
        port,
        bytes: 1,
        val: 0,
    };
    // Master then slave record: irr, imr, isr, irq_base, init|prio<<4,
    // flags, elcr, int_output.
    let rec = |m: [u8; 8], s: [u8; 8]| {
        let mut r = [0u8; 16];
        r[..8].copy_from_slice(&m);
        r[8..].copy_from_slice(&s);
        r
    };
    let cases: Vec<(&str, [u8; 16], Vec<Op>)> = vec![
        (
            // priority_add is 4 bits in the record: 8..15 rotate modulo 8.
            "priority_add_upper_bit",
            rec([0x81, 0, 0, 0x08, 0xc0, 0x40, 0x04, 0], [0; 8]),
            vec![
                Op::Highest { idx: 0 },
                Op::Edge {
                    positive: true,
                    irq: 5,
                },
                Op::AckPending { accept: true },
                w(0x20, 0x20),
                Op::AckPending { accept: true },
            ],
        ),
        (
            // int_output is a whole byte, compared with 0/1.
            "int_output_byte_not_bool",
            rec(
                [0x10, 0, 0, 0x08, 0, 0x40, 0x04, 2],
                [0, 0, 0, 0x70, 0, 0, 0, 3],
            ),
            vec![
                Op::Edge {
                    positive: true,
                    irq: 4,
                },
                Op::Edge {
                    positive: true,
                    irq: 9,
                },
                Op::AckPending { accept: true },
                Op::AckPending { accept: true },
            ],
        ),
        (
            // INT high with nothing pending: BUG_ON in vpic_intack.
            "intack_bug_on_inconsistent_record",
            rec([0, 0, 0, 0x08, 0, 0x40, 0x04, 1], [0; 8]),
            vec![Op::AckPending { accept: true }],
        ),
        (
            // Master IR2 pending but slave has nothing: BUG_ON after the
            // master's part of the acknowledge.
            "cascade_bug_on_after_master_intack",
            rec([0x04, 0, 0, 0x08, 0, 0x40, 0x04, 1], [0; 8]),
            vec![Op::AckPending { accept: true }],
        ),
        (
            // Poll read on the slave: its own IRQ (0..7), slave line drops,
            // master IR2 cleared.
            "slave_poll",
            rec(
                [0, 0, 0, 0x08, 0, 0x40, 0x04, 0],
                [0, 0, 0, 0x70, 0, 0, 0, 0],
            ),
            vec![
                Op::Edge {
                    positive: true,
                    irq: 13,
                },
                w(0xa0, 0x0c),
                rd(0xa0),
                rd(0xa0),
            ],
        ),
        (
            // Ports outside the registered ranges: bit 7 picks the PIC and
            // any port >= 0x80 reports EOIs as IRQs 8..15.
            "odd_ports",
            rec(
                [0, 0, 0x40, 0x08, 0, 0x40, 0x04, 0],
                [0, 0, 0x20, 0x70, 0, 0, 0, 0],
            ),
            vec![w(0x1a0, 0x65), w(0x120, 0x66), w(0x4a1, 0xff), rd(0x3a1)],
        ),
        (
            // SNGL with IC4 in an odd loaded init_state.
            "init_state_sngl_ic4",
            rec([0, 0, 0, 0, 0x0d, 0x40, 0x04, 0], [0; 8]),
            vec![
                w(0x21, 0x48),
                w(0x21, 0x13),
                Op::Edge {
                    positive: true,
                    irq: 3,
                },
            ],
        ),
        (
            // Special mask mode with everything in service and masked.
            "smm_all_masked_in_service",
            rec([0xff, 0xff, 0xff, 0x08, 0x30, 0x60, 0x04, 0], [0; 8]),
            vec![
                w(0x20, 0x20),
                w(0x21, 0x7f),
                Op::AckPending { accept: true },
                w(0x20, 0xa0),
            ],
        ),
    ];
    let mut c = CVpic::new();
    for (name, state, ops) in cases {
        let mut cov = Coverage::default();
        c.load(&state);
        let mut v = Vpic::from_bytes(state);
        for (i, op) in ops.iter().enumerate() {
            let d = step(&mut c, &mut v, op, &mut cov);
            assert!(d.is_none(), "{name}, op {i} {op:?}: {}", d.unwrap());
        }
        // The BUG_ON cases must really reach Xen's BUG_ON.
        assert_eq!(name.contains("bug_on"), cov.bugs > 0, "{name}: {cov:?}");
    }
}

/// The pair that makes most of a firmware boot's edges: a PIT tick (IRQ 0)
/// or an RTC interrupt (IRQ 8, through the master's IR2) pending while the
/// guest runs with interrupts off, so that pt_update_irq() clears and sets
/// its IRR bit again at every VM entry.  Xen's pair test says "no call",
/// with the output low between the edges (pt_update_irq() then takes the
/// vIOAPIC's path, as upstream does) and a kick; vpic.c and the Rust vPIC
/// agree (`check_pulse`).
#[test]
fn pulse_of_a_pending_tick() {
    use difftest_vpic::{check_pulse, Coverage};
    use vpic::{Dir, Vpic};
    let _g = C_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let mut c = CVpic::new();
    let mut v = Vpic::new();
    // The BIOS's initialisation: vectors 0x08/0x70, cascade on IR2, all
    // unmasked.
    for (port, val) in [
        (0x20, 0x11),
        (0x21, 0x08),
        (0x21, 0x04),
        (0x21, 0x01),
        (0xa0, 0x11),
        (0xa1, 0x70),
        (0xa1, 0x02),
        (0xa1, 0x01),
        (0x21, 0x00),
        (0xa1, 0x00),
    ] {
        c.pic_io(vpic::Dir::Write, port, 1, val);
        v.pic_io(Dir::Write, port, 1, val).expect("port write");
    }
    let base = c.state();
    let mut cov = Coverage::default();
    for irq in [0u8, 8] {
        c.load(&base);
        v = Vpic::from_bytes(base);
        c.edge(true, irq);
        v.irq_positive_edge(irq);
        assert_eq!(c.pulse_changes_nothing(irq), Some((0, true)), "IRQ {irq}");
        assert_eq!(check_pulse(&mut c, &v, irq, &mut cov), None, "IRQ {irq}");
    }
    assert_eq!(
        (cov.nop_pulses, cov.nop_pulse_kicks, cov.nop_pulse_dips),
        (2, 2, 2)
    );
}
