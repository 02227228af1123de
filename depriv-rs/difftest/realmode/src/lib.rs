//! Differential testing of `realmode` against Xen's own `x86_emulate()`
//! built from the pinned source (see build.rs and csrc/glue.c).
//!
//! Both emulators run the same instruction from the same real-mode CPU
//! state, each against its own copy of one fake platform ([`Platform`]):
//! sparse 4 GiB memory with RETRY / UNHANDLEABLE / #PF windows, ports with
//! RETRY / UNHANDLEABLE / #GP ranges, segment registers, CRs, CPUID.
//! Xen's ops are thin C wrappers calling back into the same Rust
//! platform code, so platform behaviour is identical by construction.
//! Afterwards outcome, event, retire flags, registers, defined flags,
//! memory writes, port I/O and segment/CR state are compared.

use realmode::{
    CpuState, Event, EventType, Fault, OpResult, Ops, Outcome, Prefill, Prefilled, Retire, Seg,
    SegReg,
};
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// A cheap multiplicative hasher for the sparse memory map, so that the
/// fake platform costs little next to the emulators in benchmarks.
#[derive(Default, Clone, Copy)]
pub struct AddrHasher(u64);

impl Hasher for AddrHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    fn write_u32(&mut self, v: u32) {
        self.0 = u64::from(v).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

pub type Mem = HashMap<u32, u8, BuildHasherDefault<AddrHasher>>;
use std::ffi::c_void;
use std::sync::Mutex;

// ---------------------------------------------------------------- platform

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Effect {
    Write(u32, Vec<u8>),
    In(u16, u8, u32),
    Out(u16, u8, u32),
    SegWrite(u8, SegReg),
    CrWrite(u8, u64),
    MsrWrite(u32, u64),
}

/// Linear windows with special behaviour (by the first byte accessed).
pub const RETRY_WINDOW: u32 = 0x000a_0000;
pub const UNHANDLEABLE_WINDOW: u32 = 0x000b_0000;
pub const PF_WINDOW: u32 = 0x000c_0000;
pub const WINDOW_SIZE: u32 = 0x1000;

#[derive(Clone, Debug)]
pub struct Platform {
    pub mem: Mem,
    pub segs: [SegReg; 10],
    pub cr: [u64; 5],
    pub io_seq: u32,
    pub log: Vec<Effect>,
    /// Number of op calls (for benchmarks/statistics).
    pub calls: u64,
    /// The rep_* fast paths answer Unhandleable (x86_emulate then does
    /// one iteration per call).
    pub no_rep_ops: bool,
    /// IA32_DEBUGCTL (bit 1, BTF, makes TF trap on branches only).
    pub debugctl: u64,
    /// The guest's CPUID features ([`realmode::features`]), as Xen's CPU
    /// policy in the glue has them: the host's (x86_cpu_policy_fill_native).
    pub features: u32,
    /// Answer RETRY at op call number n (restartability tests).
    pub retry_at: Option<u64>,
    /// Every memory access: (op call index, is_write, linear, length),
    /// for the restartability test.
    pub accesses: Vec<(u64, bool, u32, u32)>,
}

fn hash32(x: u32) -> u32 {
    let mut v = x.wrapping_mul(0x9e37_79b1) ^ 0x5bd1_e995;
    v ^= v >> 15;
    v = v.wrapping_mul(0x2c1b_3c6d);
    v ^ (v >> 12)
}

fn pf() -> Fault {
    Fault::Exception(Event::hw(14, Some(2)))
}

impl Platform {
    pub fn byte(&self, lin: u32) -> u8 {
        match self.mem.get(&lin) {
            Some(b) => *b,
            None => hash32(lin) as u8,
        }
    }

    fn inject(&mut self) -> OpResult<()> {
        if self.retry_at == Some(self.calls - 1) {
            return Err(Fault::Retry);
        }
        Ok(())
    }

    /// Could a re-run after a partial run read bytes the partial run
    /// wrote? True if some write that is not the instruction's last op
    /// call overlaps some read of the instruction.
    pub fn rereads_own_writes(&self) -> bool {
        let last = self.calls.saturating_sub(1);
        let ov =
            |a: u32, la: u32, b: u32, lb: u32| a.wrapping_sub(b) < lb || b.wrapping_sub(a) < la;
        self.accesses.iter().any(|&(cw, w, a, la)| {
            w && cw < last
                && self
                    .accesses
                    .iter()
                    .any(|&(_, r, b, lb)| !r && ov(a, la, b, lb))
        })
    }

    pub fn lin(&self, seg: Seg, off: u64) -> u32 {
        (off as u32).wrapping_add(self.segs[seg as usize].base as u32)
    }

    fn window(lin: u32) -> Result<(), Fault> {
        match lin & !(WINDOW_SIZE - 1) {
            RETRY_WINDOW => Err(Fault::Retry),
            UNHANDLEABLE_WINDOW => Err(Fault::Unhandleable),
            PF_WINDOW => Err(pf()),
            _ => Ok(()),
        }
    }

    fn rd(&mut self, lin: u32, buf: &mut [u8]) -> OpResult<()> {
        Self::window(lin)?;
        self.accesses
            .push((self.calls.saturating_sub(1), false, lin, buf.len() as u32));
        for (i, b) in buf.iter_mut().enumerate() {
            *b = self.byte(lin.wrapping_add(i as u32));
        }
        Ok(())
    }

    fn wr(&mut self, lin: u32, data: &[u8]) -> OpResult<()> {
        Self::window(lin)?;
        self.accesses
            .push((self.calls.saturating_sub(1), true, lin, data.len() as u32));
        for (i, b) in data.iter().enumerate() {
            self.mem.insert(lin.wrapping_add(i as u32), *b);
        }
        self.log.push(Effect::Write(lin, data.to_vec()));
        Ok(())
    }

    fn io_fault(port: u16) -> Result<(), Fault> {
        match port {
            0xe0..=0xe3 => Err(Fault::Retry),
            0xe4..=0xe7 => Err(Fault::Unhandleable),
            0xe8 => Err(Fault::Exception(Event::hw(13, Some(0)))),
            _ => Ok(()),
        }
    }

    fn io_in(&mut self, port: u16, bytes: u8) -> OpResult<u32> {
        Self::io_fault(port)?;
        self.io_seq = self.io_seq.wrapping_add(1);
        let v = hash32(u32::from(port) ^ (self.io_seq << 16));
        let v = match bytes {
            1 => v & 0xff,
            2 => v & 0xffff,
            _ => v,
        };
        self.log.push(Effect::In(port, bytes, v));
        Ok(v)
    }

    fn io_out(&mut self, port: u16, bytes: u8, val: u32) -> OpResult<()> {
        Self::io_fault(port)?;
        let v = match bytes {
            1 => val & 0xff,
            2 => val & 0xffff,
            _ => val,
        };
        self.log.push(Effect::Out(port, bytes, v));
        Ok(())
    }

    /// Shared loop of the rep_* fast paths: at most 4096 iterations (as
    /// hvmemul_virtual_to_linear() clips), stopping early (with the
    /// count done) at the first faulting iteration, or failing if the
    /// first one faults.
    fn rep<F: FnMut(&mut Self, u64) -> OpResult<()>>(
        &mut self,
        reps: &mut u64,
        mut f: F,
    ) -> OpResult<()> {
        let n = (*reps).min(realmode::MAX_REPS);
        for i in 0..n {
            if let Err(e) = f(self, i) {
                if i == 0 {
                    // As hvmemul_linear_to_phys(): nothing done.
                    *reps = 0;
                    return Err(e);
                }
                *reps = i;
                return Ok(());
            }
        }
        *reps = n;
        Ok(())
    }
}

fn step(i: u64, bpr: u8, df: bool) -> u32 {
    let d = (i as u32).wrapping_mul(u32::from(bpr));
    if df {
        d.wrapping_neg()
    } else {
        d
    }
}

/// The host's CPUID as [`realmode::features`] bits: what the glue's CPU
/// policy (x86_cpu_policy_fill_native()) gives x86_emulate().
pub fn host_features() -> u32 {
    use realmode::features as f;
    use std::arch::x86_64::__cpuid_count;
    static FEATURES: std::sync::OnceLock<u32> = std::sync::OnceLock::new();
    *FEATURES.get_or_init(|| {
        // SAFETY: CPUID is available on every x86-64 CPU.
        let (l1, l7, e1, e8) = unsafe {
            let max = __cpuid_count(0, 0).eax;
            let emax = __cpuid_count(0x8000_0000, 0).eax;
            (
                __cpuid_count(1, 0),
                if max >= 7 {
                    __cpuid_count(7, 0)
                } else {
                    std::mem::zeroed()
                },
                __cpuid_count(0x8000_0001, 0),
                if emax >= 0x8000_0008 {
                    __cpuid_count(0x8000_0008, 0)
                } else {
                    std::mem::zeroed()
                },
            )
        };
        let bit = |v: u32, n: u32, feat: u32| if v & (1 << n) != 0 { feat } else { 0 };
        bit(l7.ebx, 3, f::BMI1)
            | bit(e1.ecx, 5, f::LZCNT)
            | bit(l7.ebx, 11, f::RTM)
            | bit(l7.ebx, 4, f::HLE)
            | bit(l7.ebx, 20, f::SMAP)
            | bit(l7.edx, 14, f::SERIALIZE)
            | bit(l7.edx, 16, f::TSXLDTRK)
            | bit(e8.ebx, 0, f::CLZERO)
            | bit(l1.edx, 11, f::SEP)
            | bit(e1.ecx, 4, f::CR8_LEGACY)
            | bit(l1.edx, 15, f::CMOV)
            | bit(l1.edx, 26, f::SSE2)
            | bit(l1.edx, 25, f::MMXEXT)
            | bit(e1.edx, 22, f::MMXEXT)
            | bit(l1.ecx, 23, f::POPCNT)
            | bit(l7.ecx, 22, f::RDPID)
            | bit(l1.ecx, 30, f::RDRAND)
            | bit(l7.ebx, 18, f::RDSEED)
            | bit(l1.edx, 8, f::CX8)
            | if is_amd_like() { f::AMD_LIKE } else { 0 }
    })
}

/// The host's vendor is AMD or Hygon.
fn is_amd_like() -> bool {
    // SAFETY: CPUID is available on every x86-64 CPU.
    let v = std::arch::x86_64::__cpuid_count(0, 0);
    matches!(
        (v.ebx, v.edx, v.ecx),
        (0x6874_7541, 0x6974_6e65, 0x444d_4163) | (0x6f67_7948, 0x6e65_476e, 0x656e_6975)
    )
}

impl Ops for Platform {
    fn features(&self) -> u32 {
        self.features
    }
    #[inline(never)]
    fn insn_fetch(&mut self, offset: u64, buf: &mut [u8]) -> OpResult<()> {
        self.calls += 1;
        self.inject()?;
        let l = self.lin(Seg::Cs, offset);
        self.rd(l, buf)
    }
    #[inline(never)]
    fn read(&mut self, seg: Seg, offset: u64, buf: &mut [u8]) -> OpResult<()> {
        self.calls += 1;
        self.inject()?;
        let l = self.lin(seg, offset);
        self.rd(l, buf)
    }
    #[inline(never)]
    fn write(&mut self, seg: Seg, offset: u64, data: &[u8]) -> OpResult<()> {
        self.calls += 1;
        self.inject()?;
        let l = self.lin(seg, offset);
        self.wr(l, data)
    }
    #[inline(never)]
    fn cmpxchg(&mut self, seg: Seg, offset: u64, old: &[u8], new: &[u8]) -> OpResult<()> {
        self.calls += 1;
        self.inject()?;
        let l = self.lin(seg, offset);
        let mut cur = vec![0u8; old.len()];
        self.rd(l, &mut cur)?;
        if cur != old {
            return Err(Fault::Retry);
        }
        self.wr(l, new)
    }
    #[inline(never)]
    fn rep_ins(
        &mut self,
        port: u16,
        seg: Seg,
        offset: u64,
        bytes: u8,
        reps: &mut u64,
        df: bool,
    ) -> OpResult<()> {
        self.calls += 1;
        self.inject()?;
        if self.no_rep_ops {
            return Err(Fault::Unhandleable);
        }
        let base = self.lin(seg, offset);
        self.rep(reps, |p, i| {
            let l = base.wrapping_add(step(i, bytes, df));
            Platform::window(l)?;
            let v = p.io_in(port, bytes)?;
            p.wr(l, &v.to_le_bytes()[..usize::from(bytes)])
        })
    }
    #[inline(never)]
    fn rep_outs(
        &mut self,
        seg: Seg,
        offset: u64,
        port: u16,
        bytes: u8,
        reps: &mut u64,
        df: bool,
    ) -> OpResult<()> {
        self.calls += 1;
        self.inject()?;
        if self.no_rep_ops {
            return Err(Fault::Unhandleable);
        }
        let base = self.lin(seg, offset);
        self.rep(reps, |p, i| {
            let l = base.wrapping_add(step(i, bytes, df));
            let mut b = [0u8; 4];
            p.rd(l, &mut b[..usize::from(bytes)])?;
            Platform::io_fault(port)?;
            p.io_out(port, bytes, u32::from_le_bytes(b))
        })
    }
    #[inline(never)]
    fn rep_movs(
        &mut self,
        src_seg: Seg,
        src_offset: u64,
        dst_seg: Seg,
        dst_offset: u64,
        bytes: u8,
        reps: &mut u64,
        df: bool,
    ) -> OpResult<()> {
        self.calls += 1;
        self.inject()?;
        if self.no_rep_ops {
            return Err(Fault::Unhandleable);
        }
        let s = self.lin(src_seg, src_offset);
        let d = self.lin(dst_seg, dst_offset);
        self.rep(reps, |p, i| {
            let mut b = [0u8; 4];
            let st = step(i, bytes, df);
            p.rd(s.wrapping_add(st), &mut b[..usize::from(bytes)])?;
            p.wr(d.wrapping_add(st), &b[..usize::from(bytes)])
        })
    }
    #[inline(never)]
    fn rep_stos(
        &mut self,
        val: u64,
        seg: Seg,
        offset: u64,
        bytes: u8,
        reps: &mut u64,
        df: bool,
    ) -> OpResult<()> {
        self.calls += 1;
        self.inject()?;
        if self.no_rep_ops {
            return Err(Fault::Unhandleable);
        }
        let d = self.lin(seg, offset);
        self.rep(reps, |p, i| {
            let l = d.wrapping_add(step(i, bytes, df));
            p.wr(l, &val.to_le_bytes()[..usize::from(bytes)])
        })
    }
    #[inline(never)]
    fn read_io(&mut self, port: u16, bytes: u8) -> OpResult<u32> {
        self.calls += 1;
        self.inject()?;
        self.io_in(port, bytes)
    }
    #[inline(never)]
    fn write_io(&mut self, port: u16, bytes: u8, val: u32) -> OpResult<()> {
        self.calls += 1;
        self.inject()?;
        self.io_out(port, bytes, val)
    }
    #[inline(never)]
    fn read_segment(&mut self, seg: Seg) -> OpResult<SegReg> {
        self.calls += 1;
        self.inject()?;
        Ok(self.segs[seg as usize])
    }
    #[inline(never)]
    fn write_segment(&mut self, seg: Seg, reg: &SegReg) -> OpResult<()> {
        self.calls += 1;
        self.inject()?;
        self.segs[seg as usize] = *reg;
        self.log.push(Effect::SegWrite(seg as u8, *reg));
        Ok(())
    }
    #[inline(never)]
    fn read_cr(&mut self, reg: u8) -> OpResult<u64> {
        self.calls += 1;
        self.inject()?;
        match reg {
            0 | 2 | 3 | 4 => Ok(self.cr[usize::from(reg)]),
            _ => Err(Fault::Unhandleable),
        }
    }
    #[inline(never)]
    fn write_cr(&mut self, reg: u8, val: u64) -> OpResult<()> {
        self.calls += 1;
        self.inject()?;
        match reg {
            0 | 2 | 3 | 4 => {
                self.cr[usize::from(reg)] = val;
                self.log.push(Effect::CrWrite(reg, val));
                Ok(())
            }
            _ => Err(Fault::Unhandleable),
        }
    }
    #[inline(never)]
    fn read_msr(&mut self, msr: u32) -> OpResult<u64> {
        self.calls += 1;
        self.inject()?;
        match msr {
            0x10 => Ok(0x0000_1234_5678_9abc ^ u64::from(self.io_seq)),
            0x1d9 => Ok(self.debugctl),
            0x1b | 0x8b | 0xfe | 0x277 | 0xc000_0080 => {
                Ok(u64::from(hash32(msr)) << 8 | u64::from(msr))
            }
            _ => Err(Fault::Exception(Event::hw(13, Some(0)))),
        }
    }
    #[inline(never)]
    fn write_msr(&mut self, msr: u32, val: u64) -> OpResult<()> {
        self.calls += 1;
        self.inject()?;
        match msr {
            0x1b | 0x8b | 0x277 => {
                self.log.push(Effect::MsrWrite(msr, val));
                Ok(())
            }
            _ => Err(Fault::Exception(Event::hw(13, Some(0)))),
        }
    }
    #[inline(never)]
    fn cpuid(&mut self, leaf: u32, subleaf: u32) -> OpResult<[u32; 4]> {
        self.calls += 1;
        self.inject()?;
        Ok([
            hash32(leaf),
            hash32(subleaf ^ 0x1234),
            hash32(leaf ^ subleaf),
            leaf.wrapping_add(7),
        ])
    }
}

// ------------------------------------------------------------- C bindings

#[repr(C)]
pub struct DtExc {
    vector: i32,
    ec: i32,
}

#[repr(C)]
pub struct DtSeg {
    sel: u16,
    attr: u16,
    limit: u32,
    base: u64,
}

#[repr(C)]
#[derive(Default)]
struct DtRegs {
    gpr: [u32; 8],
    eip: u32,
    eflags: u32,
    addr_size: u32,
    sp_size: u32,
}

#[repr(C)]
#[derive(Default)]
struct DtResult {
    rc: i32,
    ev_pending: i32,
    ev_vector: i32,
    ev_type: i32,
    ev_ec: i32,
    ev_len: i32,
    retire: u8,
    upper_dirty: u8,
    fpu: u8,
}

extern "C" {
    fn dt_emulate(r: *mut DtRegs, plat: *mut c_void, res: *mut DtResult) -> i32;
}

fn seg_of(n: u32) -> Seg {
    match n {
        0 => Seg::Es,
        1 => Seg::Cs,
        2 => Seg::Ss,
        3 => Seg::Ds,
        4 => Seg::Fs,
        5 => Seg::Gs,
        6 => Seg::Tr,
        7 => Seg::Ldtr,
        8 => Seg::Gdtr,
        _ => Seg::Idtr,
    }
}

/// Convert an op result for C, filling the exception record.
fn rc(r: OpResult<()>, e: *mut DtExc) -> i32 {
    match r {
        Ok(()) => 0,
        Err(Fault::Retry) => 1,
        Err(Fault::Exception(ev)) => {
            // SAFETY: `e` points at a live `struct dt_exc` on the C
            // caller's stack (csrc/glue.c passes &e for every call).
            unsafe {
                (*e).vector = i32::from(ev.vector);
                (*e).ec = ev.error_code.map_or(-1, |c| c as i32);
            }
            2
        }
        Err(Fault::Unhandleable | Fault::Unrecognized) => 3,
    }
}

/// # Safety
/// `p` is the `*mut Platform` given to `dt_emulate()`; the C glue passes
/// it back unchanged while `xen_emulate()` holds the only reference.
unsafe fn plat<'a>(p: *mut c_void) -> &'a mut Platform {
    // SAFETY: see the function contract.
    unsafe { &mut *(p as *mut Platform) }
}

/// # Safety
/// `buf` is valid for `bytes` bytes (x86_emulate's own buffers).
unsafe fn slice_mut<'a>(buf: *mut u8, bytes: u32) -> &'a mut [u8] {
    if bytes == 0 || buf.is_null() {
        return &mut [];
    }
    // SAFETY: see the function contract.
    unsafe { std::slice::from_raw_parts_mut(buf, bytes as usize) }
}

#[no_mangle]
extern "C" fn dt_insn_fetch(
    p: *mut c_void,
    off: u64,
    buf: *mut u8,
    bytes: u32,
    e: *mut DtExc,
) -> i32 {
    // SAFETY: pointers come from glue.c as documented on plat()/slice_mut().
    let (pl, b) = unsafe { (plat(p), slice_mut(buf, bytes)) };
    rc(pl.insn_fetch(off, b), e)
}

#[no_mangle]
extern "C" fn dt_read(
    p: *mut c_void,
    seg: u32,
    off: u64,
    buf: *mut u8,
    bytes: u32,
    e: *mut DtExc,
) -> i32 {
    // SAFETY: as above.
    let (pl, b) = unsafe { (plat(p), slice_mut(buf, bytes)) };
    rc(pl.read(seg_of(seg), off, b), e)
}

#[no_mangle]
extern "C" fn dt_write(
    p: *mut c_void,
    seg: u32,
    off: u64,
    buf: *mut u8,
    bytes: u32,
    e: *mut DtExc,
) -> i32 {
    // SAFETY: as above.
    let (pl, b) = unsafe { (plat(p), slice_mut(buf, bytes)) };
    rc(pl.write(seg_of(seg), off, b), e)
}

#[no_mangle]
extern "C" fn dt_cmpxchg(
    p: *mut c_void,
    seg: u32,
    off: u64,
    old: *mut u8,
    new: *mut u8,
    bytes: u32,
    e: *mut DtExc,
) -> i32 {
    // SAFETY: as above (both buffers are `bytes` long).
    let (pl, o, n) = unsafe { (plat(p), slice_mut(old, bytes), slice_mut(new, bytes)) };
    rc(pl.cmpxchg(seg_of(seg), off, o, n), e)
}

#[no_mangle]
extern "C" fn dt_rep_ins(
    p: *mut c_void,
    port: u16,
    seg: u32,
    off: u64,
    bpr: u32,
    reps: *mut u64,
    df: i32,
    e: *mut DtExc,
) -> i32 {
    // SAFETY: as above; `reps` points at x86_emulate's nr_reps.
    let (pl, r) = unsafe { (plat(p), &mut *reps) };
    rc(pl.rep_ins(port, seg_of(seg), off, bpr as u8, r, df != 0), e)
}

#[no_mangle]
extern "C" fn dt_rep_outs(
    p: *mut c_void,
    seg: u32,
    off: u64,
    port: u16,
    bpr: u32,
    reps: *mut u64,
    df: i32,
    e: *mut DtExc,
) -> i32 {
    // SAFETY: as above.
    let (pl, r) = unsafe { (plat(p), &mut *reps) };
    rc(
        pl.rep_outs(seg_of(seg), off, port, bpr as u8, r, df != 0),
        e,
    )
}

#[no_mangle]
#[allow(clippy::too_many_arguments)]
extern "C" fn dt_rep_movs(
    p: *mut c_void,
    sseg: u32,
    soff: u64,
    dseg: u32,
    doff: u64,
    bpr: u32,
    reps: *mut u64,
    df: i32,
    e: *mut DtExc,
) -> i32 {
    // SAFETY: as above.
    let (pl, r) = unsafe { (plat(p), &mut *reps) };
    rc(
        pl.rep_movs(
            seg_of(sseg),
            soff,
            seg_of(dseg),
            doff,
            bpr as u8,
            r,
            df != 0,
        ),
        e,
    )
}

#[no_mangle]
extern "C" fn dt_rep_stos(
    p: *mut c_void,
    val: u64,
    seg: u32,
    off: u64,
    bpr: u32,
    reps: *mut u64,
    df: i32,
    e: *mut DtExc,
) -> i32 {
    // SAFETY: as above.
    let (pl, r) = unsafe { (plat(p), &mut *reps) };
    rc(pl.rep_stos(val, seg_of(seg), off, bpr as u8, r, df != 0), e)
}

#[no_mangle]
extern "C" fn dt_read_io(
    p: *mut c_void,
    port: u32,
    bytes: u32,
    val: *mut u32,
    e: *mut DtExc,
) -> i32 {
    // SAFETY: as above; `val` points at a local in glue.c.
    let pl = unsafe { plat(p) };
    let r = pl.read_io(port as u16, bytes as u8).map(|v| {
        // SAFETY: as above.
        unsafe { *val = v };
    });
    rc(r, e)
}

#[no_mangle]
extern "C" fn dt_write_io(p: *mut c_void, port: u32, bytes: u32, val: u32, e: *mut DtExc) -> i32 {
    // SAFETY: as above.
    let pl = unsafe { plat(p) };
    rc(pl.write_io(port as u16, bytes as u8, val), e)
}

#[no_mangle]
extern "C" fn dt_read_segment(p: *mut c_void, seg: u32, s: *mut DtSeg, e: *mut DtExc) -> i32 {
    // SAFETY: as above; `s` points at a local in glue.c.
    let pl = unsafe { plat(p) };
    let r = pl.read_segment(seg_of(seg)).map(|v| {
        // SAFETY: as above.
        unsafe {
            *s = DtSeg {
                sel: v.sel,
                attr: v.attr,
                limit: v.limit,
                base: v.base,
            };
        }
    });
    rc(r, e)
}

#[no_mangle]
extern "C" fn dt_write_segment(p: *mut c_void, seg: u32, s: *const DtSeg, e: *mut DtExc) -> i32 {
    // SAFETY: as above.
    let (pl, s) = unsafe { (plat(p), &*s) };
    let v = SegReg {
        sel: s.sel,
        attr: s.attr,
        limit: s.limit,
        base: s.base,
    };
    rc(pl.write_segment(seg_of(seg), &v), e)
}

#[no_mangle]
extern "C" fn dt_read_cr(p: *mut c_void, reg: u32, val: *mut u64, e: *mut DtExc) -> i32 {
    // SAFETY: as above.
    let pl = unsafe { plat(p) };
    let r = pl.read_cr(reg as u8).map(|v| {
        // SAFETY: as above.
        unsafe { *val = v };
    });
    rc(r, e)
}

#[no_mangle]
extern "C" fn dt_write_cr(p: *mut c_void, reg: u32, val: u64, e: *mut DtExc) -> i32 {
    // SAFETY: as above.
    let pl = unsafe { plat(p) };
    rc(pl.write_cr(reg as u8, val), e)
}

#[no_mangle]
extern "C" fn dt_read_msr(p: *mut c_void, msr: u32, val: *mut u64, e: *mut DtExc) -> i32 {
    // SAFETY: as above; `val` points at a local in glue.c.
    let pl = unsafe { plat(p) };
    let r = pl.read_msr(msr).map(|v| {
        // SAFETY: as above.
        unsafe { *val = v };
    });
    rc(r, e)
}

#[no_mangle]
extern "C" fn dt_write_msr(p: *mut c_void, msr: u32, val: u64, e: *mut DtExc) -> i32 {
    // SAFETY: as above.
    let pl = unsafe { plat(p) };
    rc(pl.write_msr(msr, val), e)
}

#[no_mangle]
extern "C" fn dt_cpuid(p: *mut c_void, leaf: u32, sub: u32, out: *mut u32, e: *mut DtExc) -> i32 {
    // SAFETY: as above; `out` is a uint32_t[4] in glue.c.
    let pl = unsafe { plat(p) };
    let r = pl.cpuid(leaf, sub).map(|v| {
        // SAFETY: as above.
        unsafe { std::ptr::copy_nonoverlapping(v.as_ptr(), out, 4) };
    });
    rc(r, e)
}

/// x86_emulate is not re-entrant across threads (global cpu policy).
static XEN_LOCK: Mutex<()> = Mutex::new(());

/// What Xen's x86_emulate() did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct XenRun {
    pub outcome: Outcome,
    pub upper_dirty: bool,
    /// x86_emulate() asked for the FPU (get_fpu(), which the harness
    /// refuses: with Xen's hvmemul_get_fpu() it would have gone on).
    pub fpu: bool,
}

/// Run Xen's x86_emulate() on `cpu` against `plat`.
pub fn xen_emulate(cpu: &mut CpuState, plat: &mut Platform) -> XenRun {
    let _g = XEN_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let mut r = DtRegs {
        gpr: cpu.gpr,
        eip: cpu.eip,
        eflags: cpu.eflags,
        addr_size: u32::from(cpu.addr_size),
        sp_size: u32::from(cpu.sp_size),
    };
    let mut res = DtResult::default();
    // SAFETY: r/res are live locals, plat is exclusively borrowed for the
    // duration of the call and only used through the dt_* callbacks.
    unsafe { dt_emulate(&mut r, plat as *mut Platform as *mut c_void, &mut res) };
    cpu.gpr = r.gpr;
    cpu.eip = r.eip;
    cpu.eflags = r.eflags;
    let outcome = match res.rc {
        0 => Outcome::Okay(Retire {
            hlt: res.retire & 1 != 0,
            mov_ss: res.retire & 2 != 0,
            sti: res.retire & 4 != 0,
            unblock_nmi: res.retire & 8 != 0,
            singlestep: res.retire & 16 != 0,
        }),
        2 => Outcome::Exception(Event {
            vector: res.ev_vector as u8,
            kind: match res.ev_type {
                4 => EventType::SwInterrupt,
                5 => EventType::PriSwException,
                6 => EventType::SwException,
                _ => EventType::HwException,
            },
            error_code: if res.ev_ec == -1 {
                None
            } else {
                Some(res.ev_ec as u32)
            },
            insn_len: res.ev_len as u8,
        }),
        3 => Outcome::Retry,
        5 => Outcome::Unrecognized,
        _ => Outcome::Unhandleable,
    };
    XenRun {
        outcome,
        upper_dirty: res.upper_dirty != 0,
        fpu: res.fpu != 0,
    }
}

// -------------------------------------------------------------- generator

/// The seeded generator the streams draw from (shared by the three difftests).
pub use difftest_common::Rng;

/// Opcodes the generator favours (the integer set valid in real mode);
/// anything else still appears through fully random bytes.
const ONE_BYTE: &[u8] = &[
    0x63, 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e,
    0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f,
    0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x27, 0x28, 0x29, 0x2a, 0x2b, 0x2c, 0x2d, 0x2f, 0x30, 0x31,
    0x32, 0x33, 0x34, 0x35, 0x37, 0x38, 0x39, 0x3a, 0x3b, 0x3c, 0x3d, 0x3f, 0x40, 0x43, 0x47, 0x48,
    0x4c, 0x4f, 0x50, 0x53, 0x55, 0x57, 0x58, 0x5b, 0x5c, 0x5f, 0x60, 0x61, 0x62, 0x68, 0x69, 0x6a,
    0x6b, 0x6c, 0x6d, 0x6e, 0x6f, 0x70, 0x72, 0x74, 0x75, 0x77, 0x7c, 0x7e, 0x7f, 0x80, 0x81, 0x82,
    0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0x8b, 0x8c, 0x8d, 0x8e, 0x8f, 0x90, 0x91, 0x93,
    0x97, 0x98, 0x99, 0x9a, 0x9c, 0x9d, 0x9e, 0x9f, 0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7,
    0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf, 0xb0, 0xb4, 0xb7, 0xb8, 0xbc, 0xbf, 0xc0, 0xc1,
    0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7, 0xc8, 0xc9, 0xca, 0xcb, 0xcc, 0xcd, 0xce, 0xcf, 0xd0, 0xd1,
    0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xe0, 0xe1, 0xe2, 0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9,
    0xea, 0xeb, 0xec, 0xed, 0xee, 0xef, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8, 0xf9, 0xfa, 0xfb, 0xfc, 0xfd,
    0xfe, 0xff,
];
const TWO_BYTE: &[u8] = &[
    0x00, 0x01, 0x06, 0x20, 0x22, 0x40, 0x44, 0x47, 0x4f, 0x80, 0x84, 0x8c, 0x8f, 0x90, 0x92, 0x94,
    0x9f, 0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa8, 0xa9, 0xab, 0xac, 0xad, 0xaf, 0xb2, 0xb3, 0xb4,
    0xb5, 0xb6, 0xb7, 0xba, 0xbb, 0xbc, 0xbd, 0xbe, 0xbf, 0x02, 0x03, 0x0b, 0x0d, 0x18, 0x1c, 0x1f,
    0xb0, 0xb1, 0xb9, 0xc0, 0xc1, 0xc8, 0xcb, 0xcf, 0xff, 0x30, 0x31, 0x32,
];
const PREFIXES: &[u8] = &[
    0x66, 0x67, 0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65, 0xf2, 0xf3, 0xf0, 0x66, 0x66, 0xf3,
];

/// One generated test case.
#[derive(Clone, Debug)]
pub struct Case {
    pub cpu: CpuState,
    pub plat: Platform,
    pub insn: Vec<u8>,
}

fn rand_reg(r: &mut Rng) -> u32 {
    match r.below(6) {
        0 => r.below(0x20) as u32,
        1 => 0xffff - r.below(0x20) as u32,
        2 => 0xffff_ffff - r.below(0x20) as u32,
        3 => r.below(0x1_0000) as u32,
        4 => (r.below(0x1000) as u32) << 4,
        _ => r.next_u64() as u32,
    }
}

/// A random real-mode CPU state and platform with the instruction at CS:IP.
pub fn gen_case(r: &mut Rng) -> Case {
    let mut segs = [SegReg::default(); 10];
    let unreal = r.chance(15);
    for (i, s) in segs.iter_mut().enumerate().take(6) {
        let sel = match r.below(4) {
            0 => 0,
            1 => 0xa000 + r.below(0x300) as u16,
            _ => r.next_u64() as u16,
        };
        *s = SegReg {
            sel,
            attr: if i == 1 { 0x9b } else { 0x93 },
            limit: if unreal && r.chance(60) {
                0xffff_ffff
            } else {
                0xffff
            },
            base: u64::from(sel) << 4,
        };
        if unreal && r.chance(30) {
            // Base left over from protected mode.
            s.base = u64::from(r.next_u64() as u32);
        }
    }
    let code32 = r.chance(10);
    if code32 {
        segs[1].attr |= 0x4000;
    }
    let stack32 = r.chance(10);
    if stack32 {
        segs[2].attr |= 0x4000;
    }
    segs[9] = SegReg {
        sel: 0,
        attr: 0,
        limit: 0x3ff,
        base: if r.chance(80) { 0 } else { r.below(0x10_0000) },
    };
    segs[8] = SegReg {
        sel: 0,
        attr: 0,
        limit: r.below(0x1_0000) as u32,
        base: r.next_u64() & 0xffff_ffff,
    };
    let mut gpr = [0u32; 8];
    for g in gpr.iter_mut() {
        *g = rand_reg(r);
    }
    if r.chance(10) {
        gpr[1] = r.pick(&[0x10, 0x1b, 0x8b, 0xfe, 0x1d9, 0x277, 0xc000_0080, 0x3a]);
    }
    let eip = match r.below(8) {
        0 => 0xfff0 + r.below(0x10) as u32,
        1 if code32 => r.next_u64() as u32,
        _ => r.below(0xfff0) as u32,
    };
    // Any flags but VM; TF rarely.
    let mut eflags = (r.next_u64() as u32) & realmode::eflags::MODIFIABLE & !realmode::eflags::TF;
    if r.chance(3) {
        eflags |= realmode::eflags::TF;
    }
    eflags |= realmode::eflags::MBS;
    let cpu = CpuState {
        gpr,
        eip,
        eflags,
        addr_size: if code32 { 32 } else { 16 },
        sp_size: if stack32 { 32 } else { 16 },
    };
    let cr0 = 0x10 | (r.next_u64() & 0x6005_002e);
    let mut plat = Platform {
        mem: Mem::default(),
        segs,
        cr: [
            cr0,
            r.next_u64() & 0xffff_ffff,
            r.next_u64() & 0xffff_f000,
            r.next_u64() & 0x3f_ffff,
            0,
        ],
        io_seq: 0,
        log: Vec::new(),
        calls: 0,
        no_rep_ops: r.chance(30),
        features: host_features(),
        retry_at: None,
        debugctl: if r.chance(50) { 2 } else { 0 },
        accesses: Vec::new(),
    };
    // Instruction bytes.
    let mut insn = Vec::new();
    let np = match r.below(10) {
        0..=5 => 0,
        6 | 7 => 1,
        8 => 2,
        _ => 3,
    };
    for _ in 0..np {
        let p = r.pick(PREFIXES);
        if p == 0xf0 && !r.chance(20) {
            continue;
        }
        insn.push(p);
    }
    match r.below(100) {
        0..=79 => insn.push(r.pick(ONE_BYTE)),
        80..=92 => {
            insn.push(0x0f);
            insn.push(r.pick(TWO_BYTE));
        }
        // The whole two-byte map (the bytes after it are random: 0f 38 /
        // 0f 3a get a random third byte).
        93..=95 => {
            insn.push(0x0f);
            insn.push(r.next_u64() as u8);
        }
        _ => insn.push(r.next_u64() as u8),
    }
    // ModRM: favour register and simple memory forms.
    let modrm = r.next_u64() as u8;
    insn.push(modrm);
    while insn.len() < 16 {
        insn.push(r.next_u64() as u8);
    }
    let l = plat.lin(Seg::Cs, u64::from(eip));
    for (i, b) in insn.iter().enumerate() {
        plat.mem.insert(l.wrapping_add(i as u32), *b);
    }
    Case { cpu, plat, insn }
}

// ------------------------------------------------------------- comparison

/// Per-stream statistics.
#[derive(Debug, Default, Clone)]
pub struct Stats {
    pub total: u64,
    pub compared: u64,
    pub rust_unhandleable: u64,
    pub both_unhandleable: u64,
    pub done: u64,
    pub exceptions: u64,
    pub retries: u64,
    /// Both emulators: X86EMUL_UNRECOGNIZED (#UD in VMX real mode).
    pub unrecognized: u64,
    pub divergences: u64,
    /// Opcodes (0x0000-0x00ff, 0x0f00-0x0fff) Rust emulated to completion.
    pub covered: std::collections::BTreeSet<u16>,
    /// Opcodes where Rust said Unhandleable but Xen did something (or
    /// would have: it asked for the FPU, which only the harness refuses).
    pub gaps: std::collections::BTreeMap<u16, u64>,
    /// Of the gaps: those where Xen asked for the FPU.
    pub fpu_gaps: u64,
    /// Instructions Rust delegated to Xen's x86_emulate() (per opcode).
    pub delegated: std::collections::BTreeMap<u16, u64>,
    pub first_divergences: Vec<String>,
    /// A few sample instructions per gap opcode.
    pub gap_samples: Vec<String>,
    /// Cases the Rust emulator ran with a [`case_prefill`] (as in the
    /// payload), and the op calls it made, against the same case's run
    /// without one.
    pub prefilled: u64,
    pub prefilled_calls: u64,
    pub plain_calls: u64,
    /// Answers the prefill gave in place of the platform.
    pub served_fetches: u64,
    pub served_segments: u64,
    pub served_cr0: u64,
}

/// What Xen would put in the real-mode page for this case
/// (`hvm_depriv_rm.pre_*`): the instruction bytes from CS:EIP as
/// `hvm_emulate_init_per_insn()` prefetches them (16, in some cases fewer,
/// never a byte whose fetch would fault), and the segment registers ES..GS
/// and CR0, each in most cases.  Drawn from the case itself, so the
/// generator's stream is unchanged; one case in eight has none (the plain
/// platform).
pub fn case_prefill(c: &Case) -> Option<Prefill> {
    let w = |i: usize| c.insn.get(i).copied().unwrap_or(0);
    let h = hash32(c.cpu.eip ^ u32::from_le_bytes([w(0), w(1), w(2), w(3)]) ^ c.cpu.gpr[0]);
    if h & 7 == 0 {
        return None;
    }
    let want = if h & 0x30 == 0 {
        (h >> 8) as usize % (realmode::PREFILL_INSN_MAX + 1)
    } else {
        realmode::PREFILL_INSN_MAX
    };
    let mut pre = Prefill {
        insn_eip: u64::from(c.cpu.eip),
        ..Prefill::default()
    };
    let mut n = 0;
    while n < want {
        let lin = c.plat.lin(Seg::Cs, u64::from(c.cpu.eip) + n as u64);
        if Platform::window(lin).is_err() {
            break;
        }
        pre.insn[n] = c.plat.byte(lin);
        n += 1;
    }
    pre.insn_bytes = n as u8;
    for (i, s) in pre.segs.iter_mut().enumerate() {
        if (h >> (12 + 2 * i)) & 3 != 0 {
            *s = Some(c.plat.segs[i]);
        }
    }
    if (h >> 24) & 3 != 0 {
        pre.cr0 = Some(c.plat.cr[0]);
    }
    Some(pre)
}

/// Opcode key of the instruction bytes (prefixes skipped).
pub fn opcode_key(insn: &[u8]) -> u16 {
    let mut i = 0;
    while let Some(b) = insn.get(i) {
        if !matches!(
            b,
            0x66 | 0x67 | 0x26 | 0x2e | 0x36 | 0x3e | 0x64 | 0x65 | 0xf0 | 0xf2 | 0xf3
        ) {
            break;
        }
        i += 1;
    }
    match (insn.get(i), insn.get(i + 1)) {
        (Some(0x0f), Some(b)) => 0x0f00 | u16::from(*b),
        (Some(b), _) => u16::from(*b),
        _ => 0xffff,
    }
}

fn ev_eq(a: &Outcome, b: &Outcome) -> bool {
    a == b
}

/// Run one case through both emulators and compare. `undefined` is the
/// mask of EFLAGS bits the instruction leaves architecturally undefined.
pub fn compare_case(c: &Case, undefined: u32, st: &mut Stats) -> Option<String> {
    let mut rcpu = c.cpu;
    let mut rplat = c.plat.clone();
    let pre = case_prefill(c);
    let ro = match pre {
        // As the payload runs it: with what Xen put in the page.
        Some(p) => {
            let mut ops = Prefilled::new(&mut rplat, p);
            let ro = realmode::emulate_one(&mut rcpu, &mut ops);
            let served = ops.served();
            st.prefilled += 1;
            st.served_fetches += u64::from(served.insn_fetch);
            st.served_segments += u64::from(served.read_segment);
            st.served_cr0 += u64::from(served.read_cr);
            ro
        }
        None => realmode::emulate_one(&mut rcpu, &mut rplat),
    };
    if pre.is_some() {
        // The prefill may only save op calls: the same run without it.
        let mut pcpu = c.cpu;
        let mut pplat = c.plat.clone();
        let po = realmode::emulate_one(&mut pcpu, &mut pplat);
        st.prefilled_calls += rplat.calls;
        st.plain_calls += pplat.calls;
        if po != ro
            || pcpu != rcpu
            || pplat.log != rplat.log
            || pplat.segs != rplat.segs
            || pplat.cr != rplat.cr
        {
            st.total += 1;
            st.divergences += 1;
            let msg = format!(
                "insn {:02x?} addr{} eip {:x}: with the prefill {ro:?} {rcpu:x?} {:x?}, without {po:?} {pcpu:x?} {:x?}",
                &c.insn[..8],
                c.cpu.addr_size,
                c.cpu.eip,
                rplat.log,
                pplat.log
            );
            if st.first_divergences.len() < 20 {
                st.first_divergences.push(msg.clone());
            }
            return Some(msg);
        }
    }
    let mut xcpu = c.cpu;
    let mut xplat = c.plat.clone();
    let xr = xen_emulate(&mut xcpu, &mut xplat);
    let xo = xr.outcome;
    st.total += 1;
    let key = opcode_key(&c.insn);
    if ro == Outcome::Delegate {
        // Xen runs x86_emulate() itself: whatever it does is the answer.
        *st.delegated.entry(key).or_default() += 1;
        if rcpu != c.cpu || !rplat.log.is_empty() {
            st.divergences += 1;
            return Some(format!(
                "rust changed state before delegating: {:x?}",
                c.insn
            ));
        }
        return None;
    }
    if ro == Outcome::Unhandleable {
        if xo == Outcome::Unhandleable && !xr.fpu {
            st.both_unhandleable += 1;
            if std::env::var_os("DIFF_BOTH").is_some() {
                println!("BOTH {:02x?} addr{}", &c.insn[..6], c.cpu.addr_size);
            }
        } else {
            st.rust_unhandleable += 1;
            if xr.fpu {
                st.fpu_gaps += 1;
            }
            let n = st.gaps.entry(key).or_default();
            *n += 1;
            if *n <= 2 && st.gap_samples.len() < 60 {
                st.gap_samples.push(format!(
                    "{:02x?} addr{} -> xen {xo:?}{}",
                    &c.insn[..6],
                    c.cpu.addr_size,
                    if xr.fpu { " (asked for the FPU)" } else { "" }
                ));
            }
        }
        if rcpu != c.cpu {
            return Some(format!(
                "rust changed registers on Unhandleable: {:x?}",
                c.insn
            ));
        }
        return None;
    }
    st.compared += 1;
    match ro {
        Outcome::Okay(_) => {
            st.done += 1;
            st.covered.insert(key);
        }
        Outcome::Exception(_) => st.exceptions += 1,
        Outcome::Retry => st.retries += 1,
        Outcome::Unrecognized => st.unrecognized += 1,
        Outcome::Unhandleable | Outcome::Delegate => {}
    }
    let mut why = Vec::new();
    if !ev_eq(&ro, &xo) {
        why.push(format!("outcome rust {ro:?} xen {xo:?}"));
    }
    if xr.upper_dirty {
        why.push("xen set upper register halves".into());
    }
    if rcpu.gpr != xcpu.gpr {
        why.push(format!("gpr rust {:08x?} xen {:08x?}", rcpu.gpr, xcpu.gpr));
    }
    if rcpu.eip != xcpu.eip {
        why.push(format!("eip rust {:x} xen {:x}", rcpu.eip, xcpu.eip));
    }
    if (rcpu.eflags ^ xcpu.eflags) & !undefined != 0 {
        why.push(format!(
            "eflags rust {:08x} xen {:08x} (undefined mask {:x})",
            rcpu.eflags, xcpu.eflags, undefined
        ));
    }
    if rplat.log != xplat.log {
        why.push(format!(
            "side effects rust {:x?} xen {:x?}",
            rplat.log, xplat.log
        ));
    }
    if rplat.segs != xplat.segs || rplat.cr != xplat.cr {
        why.push("segment/CR state differs".into());
    }
    if why.is_empty() {
        return None;
    }
    st.divergences += 1;
    let msg = format!(
        "insn {:02x?} addr{} sp{} eip {:x} eflags {:08x} gpr {:08x?}: {}",
        &c.insn[..8],
        c.cpu.addr_size,
        c.cpu.sp_size,
        c.cpu.eip,
        c.cpu.eflags,
        c.cpu.gpr,
        why.join("; ")
    );
    if st.first_divergences.len() < 20 {
        st.first_divergences.push(msg.clone());
    }
    Some(msg)
}
