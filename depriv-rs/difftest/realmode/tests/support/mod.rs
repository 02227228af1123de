//! iced-x86 as an independent decoder: instruction length cross-check
//! and the architecturally undefined EFLAGS of each instruction.
#![allow(dead_code)]

use difftest_realmode::{compare_case, gen_case, Case, Platform, Rng, Stats};
use iced_x86::{Decoder, DecoderOptions, Instruction, Mnemonic, OpKind, Register, RflagsBits};

/// Map iced's RflagsBits to EFLAGS bits.
pub fn iced_to_eflags(f: u32) -> u32 {
    let mut e = 0;
    for (i, b) in [
        (RflagsBits::OF, 1u32 << 11),
        (RflagsBits::SF, 1 << 7),
        (RflagsBits::ZF, 1 << 6),
        (RflagsBits::AF, 1 << 4),
        (RflagsBits::CF, 1 << 0),
        (RflagsBits::PF, 1 << 2),
    ] {
        if f & i != 0 {
            e |= b;
        }
    }
    e
}

pub struct Decoded {
    pub len: Option<usize>,
    pub undefined: u32,
}

pub fn iced(c: &Case) -> Decoded {
    let bits = if c.cpu.addr_size == 32 { 32 } else { 16 };
    let mut d = Decoder::with_ip(bits, &c.insn, u64::from(c.cpu.eip), DecoderOptions::NONE);
    let i = d.decode();
    if i.is_invalid() {
        return Decoded {
            len: None,
            undefined: 0,
        };
    }
    Decoded {
        len: Some(i.len()),
        undefined: iced_to_eflags(i.rflags_undefined()) | count_dependent_of(&i, c),
    }
}

/// OF of a rotate or shift whose masked count is neither 0 nor 1: the SDM
/// leaves it undefined ("The OF flag is defined only for the 1-bit
/// rotates"; likewise for shifts), and iced cannot tell from the encoding
/// (the count is an immediate or CL).  Xen's x86_emulate() executes the
/// host's own instruction for these, so its OF is the host CPU's choice
/// (AMD and Intel differ): only the defined cases are an oracle.
fn count_dependent_of(i: &Instruction, c: &Case) -> u32 {
    const OF: u32 = 1 << 11;
    let rotate_or_shift = matches!(
        i.mnemonic(),
        Mnemonic::Rol
            | Mnemonic::Ror
            | Mnemonic::Rcl
            | Mnemonic::Rcr
            | Mnemonic::Shl
            | Mnemonic::Sal
            | Mnemonic::Shr
            | Mnemonic::Sar
    );
    if !rotate_or_shift || i.op_count() < 2 {
        return 0;
    }
    let count = match i.op1_kind() {
        OpKind::Immediate8 => u32::from(i.immediate8()),
        OpKind::Register if i.op1_register() == Register::CL => {
            c.cpu.gpr[realmode::gpr::ECX] & 0xff
        }
        _ => return 0,
    } & 0x1f;
    if count > 1 {
        OF
    } else {
        0
    }
}

#[derive(Default, Debug)]
pub struct LenStats {
    pub checked: u64,
    pub mismatches: u64,
    pub skipped_vex: u64,
    pub first: Vec<String>,
}

/// Run `n` generated instructions from `seed` through both emulators,
/// cross-checking lengths with iced-x86.
pub fn run_stream(seed: u64, n: u64) -> (Stats, LenStats) {
    let mut rng = Rng::new(seed);
    let mut st = Stats::default();
    let mut ls = LenStats::default();
    for _ in 0..n {
        let c = gen_case(&mut rng);
        let dec = iced(&c);
        // Decoder cross-check: where our decoder accepts the bytes and
        // iced finds a valid instruction, the lengths must agree.
        let mut p: Platform = c.plat.clone();
        // iced decodes C4/C5 (mod=3) and 8F (reg!=0) as VEX/XOP in 16/32-
        // bit code; in real mode they are LES/LDS/POP (x86_decode():
        // "modrm_mod != 3 || in_realmode()"), so lengths differ by design.
        let key = difftest_realmode::opcode_key(&c.insn);
        let np = c
            .insn
            .iter()
            .take_while(|b| {
                matches!(
                    b,
                    0x66 | 0x67 | 0x26 | 0x2e | 0x36 | 0x3e | 0x64 | 0x65 | 0xf0 | 0xf2 | 0xf3
                )
            })
            .count();
        let modrm = c.insn.get(np + 1).copied().unwrap_or(0);
        // ... and 62 (mod=3) as EVEX, where real mode has BOUND.
        let vex_like = (matches!(key, 0xc4 | 0xc5 | 0x62) && modrm >= 0xc0)
            || (key == 0x8f && modrm & 0x38 != 0);
        if vex_like {
            ls.skipped_vex += 1;
        } else if let (Ok(len), Some(il)) = (realmode::insn_length(&c.cpu, &mut p), dec.len) {
            ls.checked += 1;
            if usize::from(len) != il {
                ls.mismatches += 1;
                if ls.first.len() < 10 {
                    ls.first.push(format!(
                        "{:02x?} addr{}: rust {} iced {}",
                        &c.insn[..8],
                        c.cpu.addr_size,
                        len,
                        il
                    ));
                }
            }
        }
        // DIFF_STRICT_FLAGS=1 compares undefined flags too (to measure
        // how often only they differ).
        let mask = if std::env::var_os("DIFF_STRICT_FLAGS").is_some() {
            0
        } else {
            dec.undefined
        };
        compare_case(&c, mask, &mut st);
    }
    (st, ls)
}

pub fn report(st: &Stats, ls: &LenStats) {
    println!(
        "realmode difftest: {} instructions, {} compared (done {}, exception {}, retry {}, unrecognized {}), rust-unhandleable {} (xen handled; {} of them asked for the FPU), delegated {}, both-unhandleable {}, divergences {}",
        st.total, st.compared, st.done, st.exceptions, st.retries, st.unrecognized, st.rust_unhandleable, st.fpu_gaps,
        st.delegated.values().sum::<u64>(), st.both_unhandleable, st.divergences
    );
    println!("opcodes emulated to completion: {}", st.covered.len());
    println!(
        "prefill (as Xen's in the real-mode page): {} instructions, op calls {} with it against {} without; served {} fetches, {} segment reads, {} CR0 reads",
        st.prefilled, st.prefilled_calls, st.plain_calls, st.served_fetches, st.served_segments, st.served_cr0
    );
    println!(
        "decoder cross-check vs iced-x86: {} lengths compared, {} mismatches ({} C4/C5/62 mod=3, 8F /1-7 skipped: VEX/EVEX/XOP to iced)",
        ls.checked, ls.mismatches, ls.skipped_vex
    );
    let mut gaps: Vec<_> = st.gaps.iter().collect();
    gaps.sort_by(|a, b| b.1.cmp(a.1));
    let g: Vec<String> = gaps
        .iter()
        .take(30)
        .map(|(k, n)| format!("{k:04x}:{n}"))
        .collect();
    println!(
        "gaps (opcode:count, Xen handled, Rust unhandleable): {}",
        g.join(" ")
    );
    let dl: Vec<String> = st
        .delegated
        .iter()
        .map(|(k, n)| format!("{k:04x}:{n}"))
        .collect();
    println!("delegated to x86_emulate (opcode:count): {}", dl.join(" "));
    for d in &st.first_divergences {
        println!("DIVERGENCE {d}");
    }
    for d in &ls.first {
        println!("LENGTH {d}");
    }
}
