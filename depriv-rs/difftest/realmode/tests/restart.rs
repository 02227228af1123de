//! Restartability over the random differential stream: for each case the
//! Rust emulator is run with RETRY injected at every op call in turn.
//! The outcome must be Retry with no register committed (or, where the
//! failed op's result is ignored, exactly the clean outcome), and running
//! the instruction again on the same platform must give exactly the clean
//! run's registers, memory, segments and CRs. Cases that read ports are
//! skipped: their re-run reads the device again (Xen's ioreq layer
//! replays the completed read instead).

use difftest_realmode::{gen_case, Effect, Rng};
use realmode::{emulate_one, Outcome};

#[test]
fn retry_at_every_op_of_random_instructions() {
    let n: u64 = std::env::var("RESTART_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(50_000);
    let mut rng = Rng::new(0x7e57_a127);
    let (mut cases, mut injections, mut retried) = (0u64, 0u64, 0u64);
    let (mut skipped_io, mut skipped_raw) = (0u64, 0u64);
    for _ in 0..n {
        let c = gen_case(&mut rng);
        let mut clean_cpu = c.cpu;
        let mut clean = c.plat.clone();
        let clean_out = emulate_one(&mut clean_cpu, &mut clean);
        if clean.log.iter().any(|e| matches!(e, Effect::In(..))) {
            skipped_io += 1;
            continue;
        }
        if clean.rereads_own_writes() {
            // E.g. ENTER copying frame pointers out of the area it has
            // just pushed to: a re-run reads its own writes (true of
            // x86_emulate's re-execution as well).
            skipped_raw += 1;
            continue;
        }
        cases += 1;
        for k in 0..clean.calls {
            injections += 1;
            let mut cpu = c.cpu;
            let mut p = c.plat.clone();
            p.retry_at = Some(k);
            let out = emulate_one(&mut cpu, &mut p);
            if out == Outcome::Retry {
                retried += 1;
                assert_eq!(
                    cpu,
                    c.cpu,
                    "{:02x?}: registers committed on RETRY at op {k}",
                    &c.insn[..6]
                );
                p.retry_at = None;
                let again = emulate_one(&mut cpu, &mut p);
                assert_eq!(
                    again,
                    clean_out,
                    "{:02x?}: re-run after RETRY at op {k}",
                    &c.insn[..6]
                );
                assert_eq!(
                    cpu,
                    clean_cpu,
                    "{:02x?}: registers after re-run (RETRY at op {k})",
                    &c.insn[..6]
                );
                assert_eq!(
                    p.mem,
                    clean.mem,
                    "{:02x?}: memory after re-run",
                    &c.insn[..6]
                );
                assert_eq!(
                    (p.segs, p.cr),
                    (clean.segs, clean.cr),
                    "{:02x?}: segments/CRs",
                    &c.insn[..6]
                );
            } else {
                // RETRY from an op whose failure x86_emulate ignores, or a
                // rep_* hook (partial progress is its own business).
                assert!(
                    out == clean_out || matches!(out, Outcome::Okay(_)),
                    "{:02x?}: RETRY at op {k} gave {out:?}, clean {clean_out:?}",
                    &c.insn[..6]
                );
            }
        }
    }
    println!(
        "restart: {cases} instructions, RETRY injected at {injections} op calls, {retried} gave Retry and re-ran identically; skipped {skipped_io} reading ports, {skipped_raw} reading their own writes"
    );
    assert!(retried > cases);
}
