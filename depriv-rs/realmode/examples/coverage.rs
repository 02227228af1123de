//! Prints the full opcode coverage table of the realmode emulator.

#[path = "../tests/common/mod.rs"]
mod common;
#[path = "../tests/coverage_table/mod.rs"]
mod coverage_table;
use coverage_table::{name, summary, table, Cov};

fn main() {
    let t = table();
    for chunk in t.chunks(8) {
        let row: Vec<String> = chunk
            .iter()
            .map(|e| {
                let m = match e.cov {
                    Cov::Yes => "yes",
                    Cov::Partial => "part",
                    Cov::No => "-",
                };
                format!("{:>7} {:<4}", name(e), m)
            })
            .collect();
        println!("{}", row.join(" "));
    }
    let s = summary(&t);
    println!(
        "one-byte map {}/{}, 0x0f map {}/{}, partial {}",
        s.one_byte.0, s.one_byte.1, s.two_byte.0, s.two_byte.1, s.partial
    );
}
