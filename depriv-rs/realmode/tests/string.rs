//! Unit tests of string instructions and their REP forms: MOVS, STOS, CMPS, LODS, SCAS.
//! Each case runs through the two properties of tests/common/units.rs.

mod common;
use common::units::{self, done, nop, Case};
use realmode::eflags::*;
use realmode::Seg;

fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "rep movsb one iteration per call without rep_movs",
            code: &[0xf3, 0xa4],
            setup: |_, m| {
                let l = m.lin(Seg::Ds, 0x100);
                m.poke(l, &[0x42]);
            },
            reads: DF | TF,
            writes: 0,
            check: |o, c, m| {
                done(o);
                assert_eq!(c.gpr[1], 2);
                assert_eq!(c.eip, 0x100, "IP stays on the REP instruction");
                assert_eq!(m.peek(m.lin(Seg::Es, 0x300), 1), vec![0x42]);
            },
        },
        Case {
            name: "rep stosw with cx=0 skips",
            code: &[0xf3, 0xab],
            setup: |c, _| c.gpr[1] = 0,
            reads: DF | TF,
            writes: 0,
            check: |o, c, m| {
                done(o);
                assert_eq!(c.eip, 0x102);
                assert!(m.log.is_empty());
            },
        },
        Case {
            name: "repe cmpsb stops on mismatch",
            code: &[0xf3, 0xa6],
            setup: |_, m| {
                let (a, b) = (m.lin(Seg::Ds, 0x100), m.lin(Seg::Es, 0x300));
                m.poke(a, &[1]);
                m.poke(b, &[2]);
            },
            reads: DF | TF,
            writes: ARITH,
            check: |o, c, _| {
                done(o);
                assert_eq!(c.eip, 0x102);
                assert_eq!(c.gpr[1], 2);
            },
        },
        Case {
            name: "lodsb / scasb",
            code: &[0xac],
            setup: nop,
            reads: DF,
            writes: 0,
            check: |o, c, m| {
                done(o);
                assert_eq!(c.gpr[0] & 0xff, u32::from(m.byte(m.lin(Seg::Ds, 0x100))));
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
