//! Empirical coverage table: every one-byte and 0x0f two-byte opcode
//! (each ModRM.reg row for group opcodes, register and memory forms) is
//! run through `emulate_one` on the mock platform; an entry counts as
//! implemented when the emulator does anything but answer Unhandleable.
#![allow(dead_code)]

use super::common::{cpu16, Mock};
use realmode::{emulate_one, Outcome};

pub const PREFIXES: &[u8] = &[
    0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65, 0x66, 0x67, 0xf0, 0xf2, 0xf3,
];

/// Opcodes whose ModRM.reg selects the instruction.
pub fn is_group(op: u16) -> bool {
    matches!(
        op,
        0x80..=0x83 | 0x8f | 0xc0 | 0xc1 | 0xc6 | 0xc7 | 0xd0..=0xd3 | 0xf6 | 0xf7 | 0xfe | 0xff
            | 0x0f00 | 0x0f01 | 0x0f18 | 0x0fba
    )
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Cov {
    Yes,
    Partial,
    No,
}

pub struct Entry {
    pub op: u16,
    pub reg: Option<u8>,
    pub cov: Cov,
}

fn try_bytes(code: &[u8]) -> bool {
    let mut cpu = cpu16();
    let mut m = Mock::new();
    let mut c = code.to_vec();
    c.resize(15, 0);
    m.code(cpu.eip, &c);
    emulate_one(&mut cpu, &mut m) != Outcome::Unhandleable
}

fn classify(op: u16, reg: u8) -> Cov {
    let mut base = Vec::new();
    if op >= 0x100 {
        base.push(0x0f);
    }
    base.push(op as u8);
    // Register form and a [bx] memory form.
    let mut hits = 0;
    for modrm in [0xc0 | (reg << 3), reg << 3 | 7] {
        let mut c = base.clone();
        c.push(modrm);
        if try_bytes(&c) {
            hits += 1;
        }
    }
    match hits {
        2 => Cov::Yes,
        1 => Cov::Partial,
        _ => Cov::No,
    }
}

pub fn table() -> Vec<Entry> {
    let mut v = Vec::new();
    let ops = (0u16..0x100)
        .filter(|b| *b != 0x0f && !PREFIXES.contains(&(*b as u8)))
        .chain(0x0f00..=0x0fff);
    for op in ops {
        let key = if op >= 0x0f00 {
            0x100 | (op & 0xff)
        } else {
            op
        };
        if is_group(op) {
            for reg in 0..8 {
                v.push(Entry {
                    op,
                    reg: Some(reg),
                    cov: classify(key, reg),
                });
            }
        } else {
            let c = classify(key, 0);
            // Register/memory-form split only matters for ModRM opcodes;
            // count anything handled as implemented.
            let cov = if c == Cov::No { Cov::No } else { Cov::Yes };
            v.push(Entry { op, reg: None, cov });
        }
    }
    v
}

pub struct Summary {
    pub one_byte: (usize, usize),
    pub two_byte: (usize, usize),
    pub partial: usize,
}

pub fn summary(t: &[Entry]) -> Summary {
    let count = |two: bool| {
        let rows: Vec<_> = t.iter().filter(|e| (e.op >= 0x0f00) == two).collect();
        (rows.iter().filter(|e| e.cov != Cov::No).count(), rows.len())
    };
    Summary {
        one_byte: count(false),
        two_byte: count(true),
        partial: t.iter().filter(|e| e.cov == Cov::Partial).count(),
    }
}

pub fn name(e: &Entry) -> String {
    match e.reg {
        Some(r) => format!("{:0w$x}/{r}", e.op, w = if e.op >= 0x0f00 { 4 } else { 2 }),
        None => format!("{:0w$x}", e.op, w = if e.op >= 0x0f00 { 4 } else { 2 }),
    }
}
