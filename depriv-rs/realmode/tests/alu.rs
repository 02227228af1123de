//! Unit tests of integer arithmetic and logic: ADD/ADC/SUB/CMP/AND, INC/NEG/NOT,
//! MUL/DIV/IDIV/IMUL, the BCD adjusts, XADD and CMPXCHG.
//! Each case runs through the two properties of tests/common/units.rs.

mod common;
use common::units::{self, done, Case};
use realmode::eflags::*;
use realmode::{Outcome, Seg};

fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "add r/m16,r16 (01 d8: add ax,bx)",
            code: &[0x01, 0xd8],
            setup: |c, _| {
                c.gpr[0] = 0xffff_ffff;
                c.gpr[3] = 1;
            },
            reads: 0,
            writes: ARITH,
            check: |o, c, _| {
                done(o);
                assert_eq!(c.gpr[0], 0xffff_0000);
                assert_eq!(c.eflags & ARITH, CF | ZF | PF | AF);
                assert_eq!(c.eip, 0x102);
            },
        },
        Case {
            name: "adc al,imm8 reads CF",
            code: &[0x14, 0x01],
            setup: |c, _| c.gpr[0] = 0x7f,
            reads: CF,
            writes: ARITH,
            check: |o, c, _| {
                done(o);
                assert_eq!(c.gpr[0] & 0xff, 0x80);
                assert_eq!(c.eflags & (OF | SF), OF | SF);
            },
        },
        Case {
            name: "sub [bx+si],cl memory RMW",
            code: &[0x28, 0x08],
            setup: |c, m| {
                c.gpr[1] = 5;
                let l = m.lin(Seg::Ds, 0x300);
                m.poke(l, &[3]);
            },
            reads: 0,
            writes: ARITH,
            check: |o, c, m| {
                done(o);
                assert_eq!(m.peek(m.lin(Seg::Ds, 0x300), 1), vec![0xfe]);
                assert_eq!(c.eflags & (CF | SF), CF | SF);
            },
        },
        Case {
            name: "cmp r/m,reg does not write",
            code: &[0x39, 0x1c],
            setup: |c, m| {
                c.gpr[3] = 0x10;
                let l = m.lin(Seg::Ds, 0x100);
                m.poke(l, &[0x10, 0]);
            },
            reads: 0,
            writes: ARITH,
            check: |o, c, m| {
                done(o);
                assert!(m.log.is_empty());
                assert_eq!(c.eflags & ZF, ZF);
            },
        },
        Case {
            name: "and eax,imm32 with 0x66",
            code: &[0x66, 0x25, 0x0f, 0x00, 0x00, 0x80],
            setup: |c, _| c.gpr[0] = 0xffff_ffff,
            reads: 0,
            writes: ARITH,
            check: |o, c, _| {
                done(o);
                assert_eq!(c.gpr[0], 0x8000_000f);
                assert_eq!(c.eflags & (SF | CF | OF), SF);
            },
        },
        Case {
            name: "inc word [di] keeps CF",
            code: &[0xff, 0x05],
            setup: |_, m| {
                let l = m.lin(Seg::Ds, 0x300);
                m.poke(l, &[0xff, 0x7f]);
            },
            reads: 0,
            writes: ARITH & !CF,
            check: |o, c, m| {
                done(o);
                assert_eq!(m.peek(m.lin(Seg::Ds, 0x300), 2), vec![0, 0x80]);
                assert_eq!(c.eflags & OF, OF);
            },
        },
        Case {
            name: "neg bl",
            code: &[0xf6, 0xdb],
            setup: |c, _| c.gpr[3] = 0x80,
            reads: 0,
            writes: ARITH,
            check: |o, c, _| {
                done(o);
                assert_eq!(c.gpr[3] & 0xff, 0x80);
                assert_eq!(c.eflags & (CF | OF), CF | OF);
            },
        },
        Case {
            name: "not word [bp+2] uses SS",
            code: &[0xf7, 0x56, 0x02],
            setup: |_, m| {
                let l = m.lin(Seg::Ss, 0xe02);
                m.poke(l, &[0x0f, 0xf0]);
            },
            reads: 0,
            writes: 0,
            check: |o, _, m| {
                done(o);
                assert_eq!(m.peek(m.lin(Seg::Ss, 0xe02), 2), vec![0xf0, 0x0f]);
            },
        },
        Case {
            name: "mul bl",
            code: &[0xf6, 0xe3],
            setup: |c, _| {
                c.gpr[0] = 0x80;
                c.gpr[3] = 4;
            },
            reads: 0,
            writes: CF | OF,
            check: |o, c, _| {
                done(o);
                assert_eq!(c.gpr[0] & 0xffff, 0x200);
                assert_eq!(c.eflags & (CF | OF), CF | OF);
            },
        },
        Case {
            name: "div bl by zero is #DE",
            code: &[0xf6, 0xf3],
            setup: |c, _| c.gpr[3] = 0,
            reads: 0,
            writes: 0,
            check: |o, _, _| assert!(matches!(o, Outcome::Exception(e) if e.vector == 0)),
        },
        Case {
            name: "idiv cx",
            code: &[0xf7, 0xf9],
            setup: |c, _| {
                c.gpr[0] = 0xfff9; // -7
                c.gpr[2] = 0xffff;
                c.gpr[1] = 2;
            },
            reads: 0,
            writes: 0,
            check: |o, c, _| {
                done(o);
                assert_eq!((c.gpr[0] & 0xffff, c.gpr[2] & 0xffff), (0xfffd, 0xffff));
            },
        },
        Case {
            name: "imul r16,r/m16,imm8",
            code: &[0x6b, 0xc3, 0xfd],
            setup: |c, _| c.gpr[3] = 5,
            reads: 0,
            writes: CF | OF,
            check: |o, c, _| {
                done(o);
                assert_eq!(c.gpr[0] & 0xffff, 0xfff1);
                assert_eq!(c.gpr[2], 0x40);
            },
        },
        Case {
            name: "daa",
            code: &[0x27],
            setup: |c, _| c.gpr[0] = 0x0f,
            reads: CF | AF,
            writes: CF | AF | SF | ZF | PF,
            check: |o, _, _| done(o),
        },
        Case {
            name: "aam_matches_xen_4_17_order",
            code: &[0xd4, 0x0a],
            setup: |c, _| c.gpr[0] = 0x0000_002f, // AL = 47
            reads: 0,
            writes: SF | ZF | PF,
            check: |o, c, _| {
                done(o);
                // Hardware: AH=4, AL=7. Xen 4.17 computes AH from the new AL.
                assert_eq!(c.gpr[0] & 0xffff, 0x0007);
            },
        },
        Case {
            name: "cmpxchg [bx],cx succeeds via the cmpxchg hook",
            code: &[0x0f, 0xb1, 0x0f],
            setup: |c, m| {
                c.gpr[0] = 0x5555;
                c.gpr[1] = 0x7777;
                let l = m.lin(Seg::Ds, 0x200);
                m.poke(l, &[0x55, 0x55]);
            },
            reads: 0,
            writes: ARITH,
            check: |o, c, m| {
                done(o);
                assert_eq!(m.peek(m.lin(Seg::Ds, 0x200), 2), vec![0x77, 0x77]);
                assert_eq!(c.eflags & (ZF | PF | CF), ZF | PF);
            },
        },
        Case {
            name: "cmpxchg mismatch loads eAX",
            code: &[0x0f, 0xb0, 0x0f],
            setup: |c, m| {
                c.gpr[0] = 0x12;
                let l = m.lin(Seg::Ds, 0x200);
                m.poke(l, &[0x34]);
            },
            reads: 0,
            writes: ARITH,
            check: |o, c, m| {
                done(o);
                assert_eq!(c.gpr[0] & 0xff, 0x34);
                assert!(m.log.is_empty());
            },
        },
        Case {
            name: "xadd ax,bx",
            code: &[0x0f, 0xc1, 0xd8],
            setup: |c, _| {
                c.gpr[0] = 5;
                c.gpr[3] = 7;
            },
            reads: 0,
            writes: ARITH,
            check: |o, c, _| {
                done(o);
                assert_eq!((c.gpr[0] & 0xffff, c.gpr[3]), (12, 5));
            },
        },
        Case {
            name: "das / aas",
            code: &[0x3f],
            setup: |c, _| c.gpr[0] = 0x010f,
            reads: AF,
            writes: CF | AF,
            check: |o, c, _| {
                done(o);
                assert_eq!(c.gpr[0] & 0xffff, 0x0009);
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
