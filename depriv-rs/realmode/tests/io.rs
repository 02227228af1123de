//! Unit tests of port I/O: IN/OUT (immediate and DX ports), REP INS.
//! Each case runs through the two properties of tests/common/units.rs.

mod common;
use common::units::{self, done, nop, Case};
use common::Effect;
use realmode::eflags::*;
use realmode::Seg;

fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "out dx,al / in al,imm8",
            code: &[0xee],
            setup: nop,
            reads: 0,
            writes: 0,
            check: |o, _, m| {
                done(o);
                assert_eq!(m.log, vec![Effect::Out(0x40, 1, 0x01)]);
            },
        },
        Case {
            name: "in ax,dx",
            code: &[0xed],
            setup: nop,
            reads: 0,
            writes: 0,
            check: |o, c, _| {
                done(o);
                assert_eq!(c.gpr[0], 0x1234_0000 | ((0x40 * 0x0101) ^ 0x5a));
            },
        },
        Case {
            name: "rep insb one iteration",
            code: &[0xf3, 0x6c],
            setup: nop,
            reads: DF | TF,
            writes: 0,
            check: |o, c, m| {
                done(o);
                assert_eq!((c.gpr[1], c.gpr[7]), (2, 0x301));
                assert_eq!(m.peek(m.lin(Seg::Es, 0x300), 1), vec![0x40 ^ 0x5a]);
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
