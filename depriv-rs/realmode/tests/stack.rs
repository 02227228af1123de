//! Unit tests of the stack: PUSH/POP (registers, segment registers, immediates),
//! PUSHA/POPA, PUSHF/POPF, ENTER/LEAVE.
//! Each case runs through the two properties of tests/common/units.rs.

mod common;
use common::units::{self, done, nop, Case};
use realmode::Seg;

fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "push/pop: push ax",
            code: &[0x50],
            setup: nop,
            reads: 0,
            writes: 0,
            check: |o, c, m| {
                done(o);
                assert_eq!(c.gpr[4], 0xefe);
                assert_eq!(m.peek(m.lin(Seg::Ss, 0xefe), 2), vec![0x01, 0x00]);
            },
        },
        Case {
            name: "pop bx",
            code: &[0x5b],
            setup: |_, m| {
                let l = m.lin(Seg::Ss, 0xf00);
                m.poke(l, &[0x34, 0x12]);
            },
            reads: 0,
            writes: 0,
            check: |o, c, _| {
                done(o);
                assert_eq!(c.gpr[3], 0x1234);
                assert_eq!(c.gpr[4], 0xf02);
            },
        },
        Case {
            name: "pusha",
            code: &[0x60],
            setup: nop,
            reads: 0,
            writes: 0,
            check: |o, c, m| {
                done(o);
                assert_eq!(c.gpr[4], 0xf00 - 16);
                assert_eq!(m.peek(m.lin(Seg::Ss, 0xf00 - 10), 2), vec![0x00, 0x0f]);
            },
        },
        Case {
            name: "popa skips sp",
            code: &[0x61],
            setup: |_, m| {
                let l = m.lin(Seg::Ss, 0xf00);
                m.poke(l, &[7, 0, 6, 0, 5, 0, 4, 0, 3, 0, 2, 0, 1, 0, 0, 0]);
            },
            reads: 0,
            writes: 0,
            check: |o, c, _| {
                done(o);
                assert_eq!(&c.gpr[..4], &[0x1234_0000, 1, 2, 3]);
                assert_eq!(&c.gpr[4..], &[0xf10, 5, 6, 7]);
            },
        },
        Case {
            name: "pushf/popf round trip 16-bit keeps upper EFLAGS",
            code: &[0x9d],
            setup: |_, m| {
                let l = m.lin(Seg::Ss, 0xf00);
                m.poke(l, &[0xd5, 0x08]);
            },
            reads: !0,
            writes: 0xffff,
            check: |o, c, _| {
                done(o);
                assert_eq!(c.eflags & 0xffff, 0x08d7);
            },
        },
        Case {
            name: "enter 4,1 / leave",
            code: &[0xc8, 0x04, 0x00, 0x01],
            setup: nop,
            reads: 0,
            writes: 0,
            check: |o, c, _| {
                done(o);
                assert_eq!((c.gpr[5], c.gpr[4]), (0xefe, 0xefc - 4));
            },
        },
        Case {
            name: "pop ds",
            code: &[0x1f],
            setup: |_, m| {
                let l = m.lin(Seg::Ss, 0xf00);
                m.poke(l, &[0x00, 0x30]);
            },
            reads: 0,
            writes: 0,
            check: |o, c, m| {
                done(o);
                assert_eq!(m.segs[Seg::Ds as usize].base, 0x30000);
                assert_eq!(c.gpr[4], 0xf02);
            },
        },
        Case {
            name: "push imm8 sign-extended",
            code: &[0x6a, 0xfe],
            setup: nop,
            reads: 0,
            writes: 0,
            check: |o, _, m| {
                done(o);
                assert_eq!(m.peek(m.lin(Seg::Ss, 0xefe), 2), vec![0xfe, 0xff]);
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
