//! Unit tests of flag instructions: CLI/STI/CLC/STC/CMC/CLD/STD, LAHF/SAHF.
//! Each case runs through the two properties of tests/common/units.rs.

mod common;
use common::units::{self, done, nop, Case};
use realmode::eflags::*;
use realmode::{Outcome, Retire};

fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "cli/sti/clc/stc/cmc/cld/std",
            code: &[0xf5],
            setup: nop,
            reads: CF,
            writes: CF,
            check: |o, c, _| {
                done(o);
                assert_eq!(c.eflags & CF, CF);
            },
        },
        Case {
            name: "sti sets retire.sti",
            code: &[0xfb],
            setup: nop,
            reads: IF,
            writes: IF,
            check: |o, c, _| {
                assert!(matches!(o, Outcome::Okay(Retire { sti: true, .. })));
                assert_eq!(c.eflags & IF, IF);
            },
        },
        Case {
            name: "lahf/sahf",
            code: &[0x9f],
            setup: nop,
            reads: ARITH,
            writes: 0,
            check: |o, c, _| {
                done(o);
                assert_eq!((c.gpr[0] >> 8) & 0xff, 0x02);
            },
        },
    ]
}

#[test]
fn flags_all_zero_and_all_one() {
    units::flags_all_zero_and_all_one(&cases());
}

#[test]
fn retry_injected_at_every_op() {
    units::retry_injected_at_every_op(&cases());
}
