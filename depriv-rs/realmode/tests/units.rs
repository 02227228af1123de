//! Per-family unit tests against the mock platform. Every case is run
//! (1) with EFLAGS all-zero and all-one inputs: results may differ only
//! through flags the instruction reads, flags it does not write come out
//! as they went in; and (2) with RETRY injected at every op call: the
//! outcome is then Retry with nothing committed, and re-running the
//! instruction gives exactly the clean run's result.
#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]

mod common;
use common::{cpu16, Effect, Mock};
use realmode::eflags::*;
use realmode::{emulate_one, CpuState, EventType, Fault, Outcome, Retire, Seg};

const ALL_ONES: u32 = (MODIFIABLE | MBS) & !(TF | RF);

struct Case {
    name: &'static str,
    code: &'static [u8],
    setup: fn(&mut CpuState, &mut Mock),
    /// Flags the instruction reads and writes.
    reads: u32,
    writes: u32,
    check: fn(Outcome, &CpuState, &Mock),
}

fn nop(_: &mut CpuState, _: &mut Mock) {}

fn run(c: &Case, flags: u32, inject: Option<(usize, Fault)>) -> (Outcome, CpuState, Mock) {
    let mut cpu = cpu16();
    let mut m = Mock::new();
    (c.setup)(&mut cpu, &mut m);
    cpu.eflags = flags | MBS;
    let ip = cpu.eip;
    m.code(ip, c.code);
    m.inject = inject;
    let out = emulate_one(&mut cpu, &mut m);
    (out, cpu, m)
}

fn done(o: Outcome) {
    assert!(matches!(o, Outcome::Done(_)), "outcome {o:?}");
}

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
                assert!(matches!(o, Outcome::Done(Retire { mov_ss: true, .. })));
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
                assert!(matches!(o, Outcome::Done(Retire { sti: true, .. })));
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
            name: "lgdt / sidt",
            code: &[0x0f, 0x01, 0x16, 0x00, 0x03],
            setup: |_, m| {
                let l = m.lin(Seg::Ds, 0x300);
                m.poke(l, &[0xff, 0x00, 0x00, 0x10, 0x02, 0xff]);
            },
            reads: 0,
            writes: 0,
            check: |o, _, m| {
                done(o);
                let g = m.segs[Seg::Gdtr as usize];
                assert_eq!((g.limit, g.base), (0xff, 0x021000));
            },
        },
        Case {
            name: "smsw ax / lmsw / clts / mov eax,cr0",
            code: &[0x0f, 0x20, 0xc0],
            setup: |_, m| m.cr[0] = 0x6000_0010,
            reads: 0,
            writes: 0,
            check: |o, c, _| {
                done(o);
                assert_eq!(c.gpr[0], 0x6000_0010);
            },
        },
        Case {
            name: "mov cr0,eax sets PE through write_cr",
            code: &[0x0f, 0x22, 0xc0],
            setup: |c, _| c.gpr[0] = 0x11,
            reads: 0,
            writes: 0,
            check: |o, _, m| {
                done(o);
                assert_eq!(m.cr[0], 0x11);
            },
        },
        Case {
            name: "cpuid",
            code: &[0x0f, 0xa2],
            setup: nop,
            reads: 0,
            writes: 0,
            check: |o, c, _| {
                done(o);
                assert_eq!(c.gpr[0], 0x1234_0001 ^ 0x1111);
                assert_eq!(c.gpr[3], 0x3 ^ 0x2222);
            },
        },
        Case {
            name: "hlt",
            code: &[0xf4],
            setup: nop,
            reads: 0,
            writes: 0,
            check: |o, _, _| assert!(matches!(o, Outcome::Done(Retire { hlt: true, .. }))),
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
        Case {
            name: "sidt [0x300] (16-bit: base masked to 24 bits)",
            code: &[0x0f, 0x01, 0x0e, 0x00, 0x03],
            setup: |_, m| m.segs[Seg::Idtr as usize].base = 0x1234_5678,
            reads: 0,
            writes: 0,
            check: |o, _, m| {
                done(o);
                assert_eq!(
                    m.peek(m.lin(Seg::Ds, 0x300), 6),
                    vec![0xff, 0x03, 0x78, 0x56, 0x34, 0x00]
                );
            },
        },
        Case {
            name: "lmsw ax sets PE but cannot clear it",
            code: &[0x0f, 0x01, 0xf0],
            setup: |c, m| {
                c.gpr[0] = 0x1;
                m.cr[0] = 0x10;
            },
            reads: 0,
            writes: 0,
            check: |o, _, m| {
                done(o);
                assert_eq!(m.cr[0], 0x11);
            },
        },
        Case {
            name: "clts",
            code: &[0x0f, 0x06],
            setup: |_, m| m.cr[0] = 0x18,
            reads: 0,
            writes: 0,
            check: |o, _, m| {
                done(o);
                assert_eq!(m.cr[0], 0x10);
            },
        },
        Case {
            name: "smsw [bx] writes a word",
            code: &[0x0f, 0x01, 0x27],
            setup: |_, m| m.cr[0] = 0x6001_0033,
            reads: 0,
            writes: 0,
            check: |o, _, m| {
                done(o);
                assert_eq!(m.peek(m.lin(Seg::Ds, 0x200), 2), vec![0x33, 0x00]);
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
        Case {
            name: "rdtsc",
            code: &[0x0f, 0x31],
            setup: nop,
            reads: 0,
            writes: 0,
            check: |o, c, _| {
                done(o);
                assert_eq!((c.gpr[0], c.gpr[2]), (0x2345_6789, 1));
            },
        },
        Case {
            name: "wrmsr",
            code: &[0x0f, 0x30],
            setup: |c, _| c.gpr[1] = 0x277,
            reads: 0,
            writes: 0,
            check: |o, _, m| {
                done(o);
                assert_eq!(m.log, vec![Effect::MsrWrite(0x277, 0x40_1234_0001)]);
            },
        },
        Case {
            name: "rdmsr of an unknown MSR faults (#GP from the op)",
            code: &[0x0f, 0x32],
            setup: |c, _| c.gpr[1] = 0x3a,
            reads: 0,
            writes: 0,
            check: |o, c, _| {
                assert!(matches!(o, Outcome::Exception(e) if e.vector == 13));
                assert_eq!(c.eip, 0x100);
            },
        },
        Case {
            name: "x87 is unhandleable",
            code: &[0xd9, 0xc0],
            setup: nop,
            reads: 0,
            writes: 0,
            check: |o, c, _| {
                assert_eq!(o, Outcome::Unhandleable);
                assert_eq!(c.eip, 0x100);
            },
        },
    ]
}

/// The instruction's results may depend on input flags only through `reads`.
#[test]
fn flags_all_zero_and_all_one() {
    for c in cases() {
        let (o0, c0, m0) = run(&c, 0, None);
        (c.check)(o0, &c0, &m0);
        let (o1, c1, m1) = run(&c, ALL_ONES, None);
        if c.reads & ALL_ONES == 0 {
            // Instructions reading no flag: identical results.
            assert_eq!(c0.gpr, c1.gpr, "{}: registers depend on flags", c.name);
            assert_eq!(c0.eip, c1.eip, "{}", c.name);
            assert_eq!(m0.log, m1.log, "{}: side effects depend on flags", c.name);
            assert_eq!(
                std::mem::discriminant(&o0),
                std::mem::discriminant(&o1),
                "{}",
                c.name
            );
            if matches!(o1, Outcome::Done(_)) {
                assert_eq!(
                    c0.eflags & c.writes,
                    c1.eflags & c.writes,
                    "{}: written flags",
                    c.name
                );
            }
        }
        if let (Outcome::Done(_), Outcome::Done(_)) = (o0, o1) {
            // Flags the instruction does not write pass through.
            assert_eq!(
                c0.eflags & !c.writes & !RF,
                MBS & !c.writes,
                "{}: zero flags not preserved",
                c.name
            );
            assert_eq!(
                c1.eflags & !c.writes & !RF,
                ALL_ONES & !c.writes,
                "{}: ones not preserved",
                c.name
            );
        }
    }
}

/// RETRY (and an exception) injected at every op call of every case.
#[test]
fn retry_injected_at_every_op() {
    let mut injected = 0;
    for c in cases() {
        for flags in [0, ALL_ONES] {
            let (o_ref, c_ref, m_ref) = run(&c, flags, None);
            let calls = m_ref.calls;
            for at in 0..calls {
                let (o, cpu, mut m) = run(&c, flags, Some((at, Fault::Retry)));
                injected += 1;
                match o {
                    Outcome::Retry => {
                        let mut fresh = cpu16();
                        let mut tmp = Mock::new();
                        (c.setup)(&mut fresh, &mut tmp);
                        fresh.eflags = flags | MBS;
                        assert_eq!(
                            cpu, fresh,
                            "{}: state committed on RETRY at op {at}",
                            c.name
                        );
                        // Re-run the instruction: same result as a clean run.
                        m.inject = None;
                        let mut again = cpu;
                        let o2 = emulate_one(&mut again, &mut m);
                        assert_eq!(o2, o_ref, "{}: re-run after RETRY at op {at}", c.name);
                        assert_eq!(
                            again, c_ref,
                            "{}: state after re-run (RETRY at {at})",
                            c.name
                        );
                        assert_eq!(m.mem, m_ref.mem, "{}: memory after re-run", c.name);
                        assert_eq!(m.segs, m_ref.segs, "{}: segments after re-run", c.name);
                    }
                    // A fault on an op whose failure Xen ignores (the
                    // initial SS read of mode_vif()) changes nothing.
                    other => {
                        assert_eq!(other, o_ref, "{}: RETRY at op {at} gave {other:?}", c.name);
                        assert_eq!(cpu, c_ref, "{}", c.name);
                    }
                }
            }
            // An exception from the last op aborts without committing.
            if calls > 0 {
                let ev = realmode::Event::hw(14, Some(2));
                let (o, cpu, _) = run(&c, flags, Some((calls - 1, Fault::Exception(ev))));
                if o == Outcome::Exception(ev) {
                    assert_eq!(
                        cpu.gpr,
                        {
                            let mut f = cpu16();
                            (c.setup)(&mut f, &mut Mock::new());
                            f.gpr
                        },
                        "{}: registers committed on #PF",
                        c.name
                    );
                }
            }
        }
    }
    println!("retry injected at {injected} op calls");
    assert!(injected > 200);
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
    assert!(matches!(o, Outcome::Done(_)), "{o:?}");
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
