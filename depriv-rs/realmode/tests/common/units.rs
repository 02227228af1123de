//! What the per-family unit tests (tests/{alu,shift_bit,mov,stack,control,
//! string,io,flags,system}.rs) share: a case table runs against the mock
//! platform through two properties. Every case is run
//! (1) with EFLAGS all-zero and all-one inputs: results may differ only
//! through flags the instruction reads, flags it does not write come out
//! as they went in; and (2) with RETRY injected at every op call: the
//! outcome is then Retry with nothing committed, and re-running the
//! instruction gives exactly the clean run's result.

use super::{cpu16, Mock};
use realmode::eflags::*;
use realmode::{emulate_one, CpuState, Fault, Outcome};

pub const ALL_ONES: u32 = (MODIFIABLE | MBS) & !(TF | RF);

pub struct Case {
    pub name: &'static str,
    pub code: &'static [u8],
    pub setup: fn(&mut CpuState, &mut Mock),
    /// Flags the instruction reads and writes.
    pub reads: u32,
    pub writes: u32,
    pub check: fn(Outcome, &CpuState, &Mock),
}

pub fn nop(_: &mut CpuState, _: &mut Mock) {}

pub fn run(c: &Case, flags: u32, inject: Option<(usize, Fault)>) -> (Outcome, CpuState, Mock) {
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

pub fn done(o: Outcome) {
    assert!(matches!(o, Outcome::Okay(_)), "outcome {o:?}");
}

/// The instruction's results may depend on input flags only through `reads`.
pub fn flags_all_zero_and_all_one(cases: &[Case]) {
    for c in cases {
        let (o0, c0, m0) = run(c, 0, None);
        (c.check)(o0, &c0, &m0);
        let (o1, c1, m1) = run(c, ALL_ONES, None);
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
            if matches!(o1, Outcome::Okay(_)) {
                assert_eq!(
                    c0.eflags & c.writes,
                    c1.eflags & c.writes,
                    "{}: written flags",
                    c.name
                );
            }
        }
        if let (Outcome::Okay(_), Outcome::Okay(_)) = (o0, o1) {
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
pub fn retry_injected_at_every_op(cases: &[Case]) {
    let mut injected = 0;
    for c in cases {
        for flags in [0, ALL_ONES] {
            let (o_ref, c_ref, m_ref) = run(c, flags, None);
            let calls = m_ref.calls;
            for at in 0..calls {
                let (o, cpu, mut m) = run(c, flags, Some((at, Fault::Retry)));
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
                let (o, cpu, _) = run(c, flags, Some((calls - 1, Fault::Exception(ev))));
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
    // Every case makes op calls (its code fetch at least), with each flags
    // input: fewer injections would mean the mock no longer counts them.
    assert!(
        injected >= 2 * cases.len(),
        "RETRY injected at only {injected} op calls for {} cases",
        cases.len()
    );
}
