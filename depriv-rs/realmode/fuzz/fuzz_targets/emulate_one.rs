//! Fuzz `emulate_one` (and the IVT delivery): any CPU state, segment
//! cache, instruction bytes and platform answers (including RETRY,
//! exceptions and Unhandleable from any op, and rep_* hooks reporting
//! arbitrary counts) must never panic, and nothing may be committed
//! unless the instruction completed (or a REP stopped on an exception).
#![no_main]

use libfuzzer_sys::fuzz_target;
use realmode::{emulate_one, CpuState, Event, Fault, OpResult, Ops, Outcome, Seg, SegReg};

struct Plat<'a> {
    data: &'a [u8],
    pos: usize,
    segs: [SegReg; 10],
    calls: u32,
    features: u32,
}

impl Plat<'_> {
    fn byte(&mut self) -> u8 {
        if self.data.is_empty() {
            return 0;
        }
        let b = self.data[self.pos % self.data.len()];
        self.pos = self.pos.wrapping_add(1);
        b
    }
    /// Decide the outcome of an op from the input stream.
    fn answer(&mut self) -> OpResult<()> {
        self.calls += 1;
        match self.byte() {
            0xf0 => Err(Fault::Retry),
            0xf1 => Err(Fault::Unhandleable),
            0xf2 => Err(Fault::Exception(Event::hw(14, Some(2)))),
            _ => Ok(()),
        }
    }
    fn fill(&mut self, buf: &mut [u8]) -> OpResult<()> {
        self.answer()?;
        for b in buf.iter_mut() {
            *b = self.byte();
        }
        Ok(())
    }
    fn reps(&mut self, reps: &mut u64) -> OpResult<()> {
        self.answer()?;
        // Report any count, even more than asked: the emulator must clamp.
        *reps = u64::from(self.byte()) * 37;
        Ok(())
    }
}

impl Ops for Plat<'_> {
    fn features(&self) -> u32 {
        self.features
    }
    fn insn_fetch(&mut self, _o: u64, buf: &mut [u8]) -> OpResult<()> {
        self.fill(buf)
    }
    fn read(&mut self, _s: Seg, _o: u64, buf: &mut [u8]) -> OpResult<()> {
        self.fill(buf)
    }
    fn write(&mut self, _s: Seg, _o: u64, _d: &[u8]) -> OpResult<()> {
        self.answer()
    }
    fn cmpxchg(&mut self, _s: Seg, _o: u64, _old: &[u8], _new: &[u8]) -> OpResult<()> {
        self.answer()
    }
    fn rep_ins(
        &mut self,
        _p: u16,
        _s: Seg,
        _o: u64,
        _b: u8,
        reps: &mut u64,
        _df: bool,
    ) -> OpResult<()> {
        self.reps(reps)
    }
    fn rep_outs(
        &mut self,
        _s: Seg,
        _o: u64,
        _p: u16,
        _b: u8,
        reps: &mut u64,
        _df: bool,
    ) -> OpResult<()> {
        self.reps(reps)
    }
    fn rep_movs(
        &mut self,
        _a: Seg,
        _b: u64,
        _c: Seg,
        _d: u64,
        _e: u8,
        reps: &mut u64,
        _df: bool,
    ) -> OpResult<()> {
        self.reps(reps)
    }
    fn rep_stos(
        &mut self,
        _v: u64,
        _s: Seg,
        _o: u64,
        _b: u8,
        reps: &mut u64,
        _df: bool,
    ) -> OpResult<()> {
        self.reps(reps)
    }
    fn read_io(&mut self, _p: u16, _b: u8) -> OpResult<u32> {
        let mut v = [0u8; 4];
        self.fill(&mut v)?;
        Ok(u32::from_le_bytes(v))
    }
    fn write_io(&mut self, _p: u16, _b: u8, _v: u32) -> OpResult<()> {
        self.answer()
    }
    fn read_segment(&mut self, seg: Seg) -> OpResult<SegReg> {
        self.answer()?;
        Ok(self.segs[seg as usize])
    }
    fn write_segment(&mut self, seg: Seg, reg: &SegReg) -> OpResult<()> {
        self.answer()?;
        self.segs[seg as usize] = *reg;
        Ok(())
    }
    fn read_cr(&mut self, _r: u8) -> OpResult<u64> {
        let mut v = [0u8; 4];
        self.fill(&mut v)?;
        // Mostly real mode.
        Ok(u64::from(u32::from_le_bytes(v) & !1))
    }
    fn write_cr(&mut self, _r: u8, _v: u64) -> OpResult<()> {
        self.answer()
    }
    fn cpuid(&mut self, _l: u32, _s: u32) -> OpResult<[u32; 4]> {
        self.answer()?;
        Ok([1, 2, 3, 4])
    }
}

fn u32_at(d: &[u8], i: usize) -> u32 {
    let mut b = [0u8; 4];
    for (k, x) in b.iter_mut().enumerate() {
        *x = d.get(i + k).copied().unwrap_or(0);
    }
    u32::from_le_bytes(b)
}

fuzz_target!(|data: &[u8]| {
    if data.len() < 48 {
        return;
    }
    let mut gpr = [0u32; 8];
    for (i, g) in gpr.iter_mut().enumerate() {
        *g = u32_at(data, i * 4);
    }
    let flags = data[36];
    let cpu = CpuState {
        gpr,
        eip: u32_at(data, 32),
        eflags: (u32_at(data, 37) & realmode::eflags::MODIFIABLE) | realmode::eflags::MBS,
        addr_size: if flags & 1 != 0 { 32 } else { 16 },
        sp_size: if flags & 2 != 0 { 32 } else { 16 },
    };
    let mut segs = [SegReg::default(); 10];
    for (i, s) in segs.iter_mut().enumerate() {
        let v = u32_at(data, 41 + (i % 4));
        *s = SegReg {
            sel: v as u16,
            attr: (v >> 16) as u16 & 0x9fff,
            limit: v.rotate_left(7),
            base: u64::from(v),
        };
    }
    // Keep SS at DPL 0 most of the time so the emulator runs.
    if flags & 4 == 0 {
        segs[Seg::Ss as usize].attr &= !0x60;
    }
    let mut p = Plat {
        data: &data[45..],
        pos: 0,
        segs,
        calls: 0,
        // Any guest features.
        features: u32_at(data, 41) & realmode::features::ALL,
    };
    let mut st = cpu;
    let out = emulate_one(&mut st, &mut p);
    match out {
        Outcome::Okay(_) | Outcome::Exception(_) => {}
        Outcome::Retry | Outcome::Unhandleable | Outcome::Unrecognized | Outcome::Delegate => {
            assert_eq!(st, cpu, "state committed on {out:?}")
        }
    }
    if let Outcome::Exception(e) = out {
        let mut st2 = st;
        let _ = realmode::deliver_realmode_event(&mut st2, &mut p, e.vector, e.insn_len);
    }
    // Bounded work: no REP loop inside the emulator; the longest
    // instruction is ENTER with nesting level 31 (~64 stack accesses).
    assert!(p.calls < 128, "{} op calls", p.calls);
});
