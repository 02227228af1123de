//! Unit tests of control transfer: Jcc, JMP/CALL/RET near and far (direct and
//! indirect), IRET, INT n and delivery through the IVT, LOOP/LOOPZ/JCXZ, BOUND.
//! Each case runs through the two properties of tests/common/units.rs.

mod common;
use common::units::{self, done, nop, Case};
use common::{cpu16, Mock};
use realmode::eflags::*;
use realmode::{emulate_one, EventType, Outcome, Seg};

fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "jcc taken (jz) and not taken",
            code: &[0x74, 0x10],
            setup: nop,
            reads: ZF,
            writes: 0,
            check: |o, c, _| {
                done(o);
                assert_eq!(c.eip, 0x102);
            },
        },
        Case {
            name: "jmp short backwards wraps at 64K",
            code: &[0xeb, 0x80],
            setup: |c, _| c.eip = 0x10,
            reads: 0,
            writes: 0,
            check: |o, c, _| {
                done(o);
                assert_eq!(c.eip, 0xff92);
            },
        },
        Case {
            name: "call near rel16",
            code: &[0xe8, 0x00, 0x10],
            setup: nop,
            reads: 0,
            writes: 0,
            check: |o, c, m| {
                done(o);
                assert_eq!(c.eip, 0x1103);
                assert_eq!(m.peek(m.lin(Seg::Ss, 0xefe), 2), vec![0x03, 0x01]);
            },
        },
        Case {
            name: "ret imm16",
            code: &[0xc2, 0x04, 0x00],
            setup: |_, m| {
                let l = m.lin(Seg::Ss, 0xf00);
                m.poke(l, &[0x00, 0x20]);
            },
            reads: 0,
            writes: 0,
            check: |o, c, _| {
                done(o);
                assert_eq!((c.eip, c.gpr[4]), (0x2000, 0xf06));
            },
        },
        Case {
            name: "jmp far ptr16:16",
            code: &[0xea, 0x78, 0x56, 0x00, 0xf0],
            setup: nop,
            reads: 0,
            writes: 0,
            check: |o, c, m| {
                done(o);
                assert_eq!(c.eip, 0x5678);
                let cs = m.segs[Seg::Cs as usize];
                assert_eq!((cs.sel, cs.base), (0xf000, 0xf0000));
            },
        },
        Case {
            name: "jmp far beyond CS limit is #GP(0)",
            code: &[0x66, 0xea, 0x00, 0x00, 0x01, 0x00, 0x00, 0xf0],
            setup: nop,
            reads: 0,
            writes: 0,
            check: |o, _, _| {
                assert!(
                    matches!(o, Outcome::Exception(e) if e.vector == 13 && e.error_code == Some(0))
                )
            },
        },
        Case {
            name: "call far + retf",
            code: &[0x9a, 0x34, 0x12, 0x00, 0x20],
            setup: nop,
            reads: 0,
            writes: 0,
            check: |o, c, m| {
                done(o);
                assert_eq!(c.eip, 0x1234);
                assert_eq!(
                    m.peek(m.lin(Seg::Ss, 0xefc), 4),
                    vec![0x05, 0x01, 0x00, 0x11]
                );
            },
        },
        Case {
            name: "iret 16-bit",
            code: &[0xcf],
            setup: |_, m| {
                let l = m.lin(Seg::Ss, 0xf00);
                m.poke(l, &[0x00, 0x30, 0x00, 0x40, 0x01, 0x02]);
            },
            reads: !0,
            writes: 0xffff,
            check: |o, c, m| {
                done(o);
                assert_eq!(c.eip, 0x3000);
                assert_eq!(m.segs[Seg::Cs as usize].base, 0x40000);
                assert_eq!(c.eflags & 0xffff, 0x0203);
            },
        },
        Case {
            name: "int 0x10 is a software event with length",
            code: &[0xcd, 0x10],
            setup: nop,
            reads: 0,
            writes: 0,
            check: |o, c, _| {
                assert!(
                    matches!(o, Outcome::Exception(e) if e.vector == 0x10 && e.kind == EventType::SwInterrupt && e.insn_len == 2)
                );
                assert_eq!(c.eip, 0x100);
            },
        },
        Case {
            name: "loop",
            code: &[0xe2, 0x10],
            setup: nop,
            reads: 0,
            writes: 0,
            check: |o, c, _| {
                done(o);
                assert_eq!((c.gpr[1], c.eip), (2, 0x112));
            },
        },
        Case {
            name: "bound in range",
            code: &[0x62, 0x06, 0x00, 0x03],
            setup: |c, m| {
                c.gpr[0] = 5;
                let l = m.lin(Seg::Ds, 0x300);
                m.poke(l, &[0, 0, 10, 0]);
            },
            reads: 0,
            writes: 0,
            check: |o, _, _| done(o),
        },
        Case {
            name: "bound out of range is #BR",
            code: &[0x62, 0x06, 0x00, 0x03],
            setup: |c, m| {
                c.gpr[0] = 11;
                let l = m.lin(Seg::Ds, 0x300);
                m.poke(l, &[0, 0, 10, 0]);
            },
            reads: 0,
            writes: 0,
            check: |o, _, _| assert!(matches!(o, Outcome::Exception(e) if e.vector == 5)),
        },
        Case {
            name: "jcxz not taken",
            code: &[0xe3, 0x10],
            setup: nop,
            reads: 0,
            writes: 0,
            check: |o, c, _| {
                done(o);
                assert_eq!(c.eip, 0x102);
            },
        },
        Case {
            name: "loopz with ZF clear falls through",
            code: &[0xe1, 0x10],
            setup: nop,
            reads: ZF,
            writes: 0,
            check: |o, c, _| {
                done(o);
                assert_eq!((c.gpr[1], c.eip), (2, 0x102));
            },
        },
        Case {
            name: "retf",
            code: &[0xcb],
            setup: |_, m| {
                let l = m.lin(Seg::Ss, 0xf00);
                m.poke(l, &[0x00, 0x01, 0x00, 0x50]);
            },
            reads: 0,
            writes: 0,
            check: |o, c, m| {
                done(o);
                assert_eq!((c.eip, m.segs[Seg::Cs as usize].base), (0x100, 0x50000));
            },
        },
        Case {
            name: "call word [bx] (near indirect)",
            code: &[0xff, 0x17],
            setup: |_, m| {
                let l = m.lin(Seg::Ds, 0x200);
                m.poke(l, &[0x00, 0x40]);
            },
            reads: 0,
            writes: 0,
            check: |o, c, m| {
                done(o);
                assert_eq!(c.eip, 0x4000);
                assert_eq!(m.peek(m.lin(Seg::Ss, 0xefe), 2), vec![0x02, 0x01]);
            },
        },
        Case {
            name: "jmp far [bx] (indirect)",
            code: &[0xff, 0x2f],
            setup: |_, m| {
                let l = m.lin(Seg::Ds, 0x200);
                m.poke(l, &[0x10, 0x00, 0x00, 0x70]);
            },
            reads: 0,
            writes: 0,
            check: |o, c, m| {
                done(o);
                assert_eq!((c.eip, m.segs[Seg::Cs as usize].sel), (0x10, 0x7000));
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

#[test]
fn int_n_through_the_ivt() {
    use realmode::{deliver_realmode_event, Delivery};
    let mut cpu = cpu16();
    cpu.eflags = MBS | IF | TF | CF;
    let mut m = Mock::new();
    m.code(0x100, &[0xcd, 0x10]);
    m.poke(0x40, &[0x34, 0x12, 0x00, 0xc0]); // IVT[0x10] = c000:1234
    let ev = match emulate_one(&mut cpu, &mut m) {
        Outcome::Exception(e) => e,
        o => panic!("{o:?}"),
    };
    assert_eq!(cpu.eip, 0x100, "INT n does not commit");
    let d = deliver_realmode_event(&mut cpu, &mut m, ev.vector, ev.insn_len).unwrap();
    assert_eq!(d, Delivery::Delivered { vector: 0x10 });
    assert_eq!(cpu.eip, 0x1234);
    assert_eq!(cpu.eflags, MBS | CF);
    assert_eq!(cpu.gpr[4], 0xefa);
    let ss = m.lin(Seg::Ss, 0xefa);
    assert_eq!(m.peek(ss, 6), vec![0x02, 0x01, 0x00, 0x11, 0x03, 0x03]);
    assert_eq!(m.segs[Seg::Cs as usize].base, 0xc0000);
    // IRET returns to the instruction after INT.
    m.code(0x1234, &[0xcf]);
    let o = emulate_one(&mut cpu, &mut m);
    assert!(matches!(o, Outcome::Okay(_)), "{o:?}");
    assert_eq!(
        (cpu.eip, cpu.gpr[4], cpu.eflags),
        (0x102, 0xf00, MBS | IF | TF | CF)
    );
    assert_eq!(m.segs[Seg::Cs as usize].sel, 0x1100);
}

#[test]
fn ivt_limit_escalates_to_gp_df_and_triple_fault() {
    use realmode::{deliver_realmode_event, Delivery};
    let mut m = Mock::new();
    m.segs[Seg::Idtr as usize].limit = 4 * 13 + 3; // #GP is the last entry
    let mut cpu = cpu16();
    // Software INT beyond the limit becomes #GP, pushing the INT's own IP.
    let d = deliver_realmode_event(&mut cpu, &mut m, 0x21, 2).unwrap();
    assert_eq!(d, Delivery::Delivered { vector: 13 });
    assert_eq!(m.peek(m.lin(Seg::Ss, 0xefa), 2), vec![0x00, 0x01]);
    m.segs[Seg::Idtr as usize].limit = 4 * 8 + 3;
    let mut cpu = cpu16();
    assert_eq!(
        deliver_realmode_event(&mut cpu, &mut m, 13, 0).unwrap(),
        Delivery::Delivered { vector: 8 }
    );
    m.segs[Seg::Idtr as usize].limit = 3;
    let mut cpu = cpu16();
    let before = cpu;
    assert_eq!(
        deliver_realmode_event(&mut cpu, &mut m, 14, 0).unwrap(),
        Delivery::TripleFault
    );
    assert_eq!(cpu, before);
}
