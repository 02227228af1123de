//! Prints the opcode coverage summary (the full table:
//! `cargo run -p realmode --example coverage`).

mod common;
mod coverage_table;
use coverage_table::{name, summary, table, Cov};

#[test]
fn coverage_table_summary() {
    let t = table();
    let s = summary(&t);
    println!(
        "realmode coverage: one-byte map {}/{} entries, 0x0f map {}/{} entries ({} partial: register or memory form only)",
        s.one_byte.0, s.one_byte.1, s.two_byte.0, s.two_byte.1, s.partial
    );
    let missing_one: Vec<String> = t
        .iter()
        .filter(|e| e.op < 0x100 && e.cov == Cov::No)
        .map(name)
        .collect();
    println!(
        "one-byte entries not implemented: {}",
        missing_one.join(" ")
    );
    // The integer set must stay covered: everything in the one-byte map
    // except x87 (FWAIT, d8-df escapes), the policy-dependent RTM forms
    // (c6/7, c7/7) and invalid Grp rows.
    for e in &t {
        if e.op < 0x100 && e.op != 0x9b && !(0xd8..=0xdf).contains(&e.op) && e.reg.is_none() {
            assert_ne!(e.cov, Cov::No, "one-byte opcode {} regressed", name(e));
        }
    }
}
