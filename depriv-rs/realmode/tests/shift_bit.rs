//! Unit tests of shifts, rotates and bit instructions: RCL/SHL/SAR/ROR/RCR,
//! SHLD/SHRD, BTS, BSF.
//! Each case runs through the two properties of tests/common/units.rs.

mod common;
use common::units::{self, done, Case};
use realmode::eflags::*;
use realmode::Seg;

fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "rcl al,1 reads CF",
            code: &[0xd0, 0xd0],
            setup: |c, _| c.gpr[0] = 0x80,
            reads: CF,
            writes: CF | OF,
            check: |o, c, _| {
                done(o);
                assert_eq!(c.gpr[0] & 0xff, 0);
                assert_eq!(c.eflags & CF, CF);
            },
        },
        Case {
            name: "shl ax,cl",
            code: &[0xd3, 0xe0],
            setup: |c, _| {
                c.gpr[0] = 0x8001;
                c.gpr[1] = 1;
            },
            reads: 0,
            writes: ARITH,
            check: |o, c, _| {
                done(o);
                assert_eq!(c.gpr[0] & 0xffff, 2);
                assert_eq!(c.eflags & (CF | OF), CF | OF);
            },
        },
        Case {
            name: "shld ax,bx,4",
            code: &[0x0f, 0xa4, 0xd8, 0x04],
            setup: |c, _| {
                c.gpr[0] = 0x1234;
                c.gpr[3] = 0xabcd;
            },
            reads: 0,
            writes: CF | ZF | SF | PF | OF,
            check: |o, c, _| {
                done(o);
                assert_eq!(c.gpr[0] & 0xffff, 0x234a);
            },
        },
        Case {
            name: "bts word [0x300],bx with bit offset beyond the word",
            code: &[0x0f, 0xab, 0x1e, 0x00, 0x03],
            setup: |c, m| {
                c.gpr[3] = 17;
                let l = m.lin(Seg::Ds, 0x300);
                m.poke(l, &[0, 0, 0, 0]);
            },
            reads: 0,
            writes: CF,
            check: |o, _, m| {
                done(o);
                assert_eq!(m.peek(m.lin(Seg::Ds, 0x302), 2), vec![2, 0]);
            },
        },
        Case {
            name: "bsf ax,bx with zero source leaves ax",
            code: &[0x0f, 0xbc, 0xc3],
            setup: |c, _| c.gpr[3] = 0,
            reads: 0,
            writes: ZF,
            check: |o, c, _| {
                done(o);
                assert_eq!(c.gpr[0], 0x1234_0001);
                assert_eq!(c.eflags & ZF, ZF);
            },
        },
        Case {
            name: "sar/ror/rcr/shrd",
            code: &[0x0f, 0xac, 0xd8, 0x04],
            setup: |c, _| {
                c.gpr[0] = 0x1234;
                c.gpr[3] = 0xabcd;
            },
            reads: 0,
            writes: CF | ZF | SF | PF | OF,
            check: |o, c, _| {
                done(o);
                assert_eq!(c.gpr[0] & 0xffff, 0xd123);
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
