//! Unit tests of data movement: MOV forms (32-bit addressing, moffs, segment
//! registers), XCHG, XLAT, LEA, LES, MOVZX/MOVSX, SETcc, CMOVcc, BSWAP.
//! Each case runs through the two properties of tests/common/units.rs.

mod common;
use common::units::{self, done, nop, Case};
use common::{cpu16, Effect, Mock};
use realmode::eflags::*;
use realmode::{emulate_one, Outcome, Retire, Seg};

fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "mov ax,moffs with es override",
            code: &[0x26, 0xa1, 0x34, 0x12],
            setup: |_, m| {
                let l = m.lin(Seg::Es, 0x1234);
                m.poke(l, &[0xcd, 0xab]);
            },
            reads: 0,
            writes: 0,
            check: |o, c, _| {
                done(o);
                assert_eq!(c.gpr[0], 0x1234_abcd);
            },
        },
        Case {
            name: "mov [eax+ecx*4+8],edx (32-bit addressing, 67 66)",
            code: &[0x67, 0x66, 0x89, 0x54, 0x88, 0x08],
            setup: |c, _| {
                c.gpr[0] = 0x10;
                c.gpr[1] = 2;
                c.gpr[2] = 0xdead_beef;
            },
            reads: 0,
            writes: 0,
            check: |o, _, m| {
                done(o);
                assert_eq!(
                    m.log,
                    vec![Effect::Write(
                        m.lin(Seg::Ds, 0x20),
                        vec![0xef, 0xbe, 0xad, 0xde]
                    )]
                );
            },
        },
        Case {
            name: "mov ds,ax keeps cached limit (unreal mode)",
            code: &[0x8e, 0xd8],
            setup: |c, m| {
                c.gpr[0] = 0x2345;
                m.segs[Seg::Ds as usize].limit = 0xffff_ffff;
            },
            reads: 0,
            writes: 0,
            check: |o, _, m| {
                done(o);
                let ds = m.segs[Seg::Ds as usize];
                assert_eq!((ds.sel, ds.base, ds.limit), (0x2345, 0x23450, 0xffff_ffff));
            },
        },
        Case {
            name: "mov ss,ax sets retire.mov_ss",
            code: &[0x8e, 0xd0],
            setup: nop,
            reads: 0,
            writes: 0,
            check: |o, _, _| {
                assert!(matches!(o, Outcome::Okay(Retire { mov_ss: true, .. })));
            },
        },
        Case {
            name: "mov cs,ax is #UD",
            code: &[0x8e, 0xc8],
            setup: nop,
            reads: 0,
            writes: 0,
            check: |o, c, _| {
                assert!(matches!(o, Outcome::Exception(e) if e.vector == 6));
                assert_eq!(c.eip, 0x100);
            },
        },
        Case {
            name: "lock mov is #UD",
            code: &[0xf0, 0x89, 0x07],
            setup: nop,
            reads: 0,
            writes: 0,
            check: |o, _, _| assert!(matches!(o, Outcome::Exception(e) if e.vector == 6)),
        },
        Case {
            name: "setc / cmovz / movzx / movsx",
            code: &[0x66, 0x0f, 0xbe, 0xc3],
            setup: |c, _| c.gpr[3] = 0x80,
            reads: 0,
            writes: 0,
            check: |o, c, _| {
                done(o);
                assert_eq!(c.gpr[0], 0xffff_ff80);
            },
        },
        Case {
            name: "xchg [bx],al uses cmpxchg",
            code: &[0x86, 0x07],
            setup: |_, m| {
                let l = m.lin(Seg::Ds, 0x200);
                m.poke(l, &[0x99]);
            },
            reads: 0,
            writes: 0,
            check: |o, c, m| {
                done(o);
                assert_eq!(c.gpr[0] & 0xff, 0x99);
                assert_eq!(m.peek(m.lin(Seg::Ds, 0x200), 1), vec![0x01]);
            },
        },
        Case {
            name: "xlat",
            code: &[0xd7],
            setup: |_, m| {
                let l = m.lin(Seg::Ds, 0x201);
                m.poke(l, &[0x77]);
            },
            reads: 0,
            writes: 0,
            check: |o, c, _| {
                done(o);
                assert_eq!(c.gpr[0] & 0xff, 0x77);
            },
        },
        Case {
            name: "lea eax,[bx+si+0x10]",
            code: &[0x66, 0x8d, 0x40, 0x10],
            setup: nop,
            reads: 0,
            writes: 0,
            check: |o, c, _| {
                done(o);
                assert_eq!(c.gpr[0], 0x310);
            },
        },
        Case {
            name: "les di,[0x300]",
            code: &[0xc4, 0x3e, 0x00, 0x03],
            setup: |_, m| {
                let l = m.lin(Seg::Ds, 0x300);
                m.poke(l, &[0x11, 0x22, 0x33, 0x44]);
            },
            reads: 0,
            writes: 0,
            check: |o, c, m| {
                done(o);
                assert_eq!(c.gpr[7], 0x2211);
                assert_eq!(m.segs[Seg::Es as usize].base, 0x44330);
            },
        },
        Case {
            name: "bswap eax",
            code: &[0x66, 0x0f, 0xc8],
            setup: |c, _| c.gpr[0] = 0x1122_3344,
            reads: 0,
            writes: 0,
            check: |o, c, _| {
                done(o);
                assert_eq!(c.gpr[0], 0x4433_2211);
            },
        },
        Case {
            name: "setc [bx] writes one byte",
            code: &[0x0f, 0x92, 0x07],
            setup: nop,
            reads: CF,
            writes: 0,
            check: |o, _, m| {
                done(o);
                assert_eq!(m.peek(m.lin(Seg::Ds, 0x200), 1), vec![0]);
            },
        },
        Case {
            name: "cmovz ax,bx not taken keeps ax",
            code: &[0x0f, 0x44, 0xc3],
            setup: nop,
            reads: ZF,
            writes: 0,
            check: |o, c, _| {
                done(o);
                assert_eq!(c.gpr[0], 0x1234_0001);
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
fn protected_mode_segment_load_is_unhandleable() {
    let mut cpu = cpu16();
    let mut m = Mock::new();
    m.cr[0] = 0x11;
    // A segment load depends on the mode: not ours with CR0.PE=1.
    m.code(0x100, &[0x8e, 0xd8]);
    let before = cpu;
    assert_eq!(emulate_one(&mut cpu, &mut m), Outcome::Unhandleable);
    assert_eq!(cpu, before);
}
