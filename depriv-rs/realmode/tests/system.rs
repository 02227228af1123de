//! Unit tests of system instructions: LGDT/SIDT, SMSW/LMSW/CLTS, MOV to/from CR0,
//! CPUID, HLT, RDTSC, RDMSR/WRMSR, and x87 (not emulated).
//! Each case runs through the two properties of tests/common/units.rs.

mod common;
use common::units::{self, done, nop, Case};
use common::Effect;
use realmode::{Outcome, Retire, Seg};

fn cases() -> Vec<Case> {
    vec![
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
            check: |o, _, _| assert!(matches!(o, Outcome::Okay(Retire { hlt: true, .. }))),
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
            name: "x87 is delegated to Xen's x86_emulate()",
            code: &[0xd9, 0xc0],
            setup: nop,
            reads: 0,
            writes: 0,
            check: |o, c, _| {
                assert_eq!(o, Outcome::Delegate);
                assert_eq!(c.eip, 0x100);
            },
        },
        Case {
            name: "an opcode x86_emulate() does not implement is unrecognized",
            code: &[0x0f, 0x0c],
            setup: nop,
            reads: 0,
            writes: 0,
            check: |o, c, _| {
                assert_eq!(o, Outcome::Unrecognized);
                assert_eq!(c.eip, 0x100);
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
