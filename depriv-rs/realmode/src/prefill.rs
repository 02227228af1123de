//! What the platform already knows when the instruction starts, served
//! without asking it: the instruction bytes it prefetched, the segment
//! registers ES..GS and CR0.  In the payload every op is a syscall into
//! Xen, and Xen puts these values in the real-mode page with the request;
//! [`Prefilled`] answers `insn_fetch`, `read_segment` and `read_cr(0)` from
//! them for as long as they are what the platform's op would answer, and
//! calls the platform's op otherwise.
//!
//! Exactly the platform's answers, by these rules (Xen's ops, see
//! `hvmemul_insn_fetch()`, `hvmemul_read_segment()`, `hvmemul_read_cr()`
//! and the syscall dispatcher in Xen's depriv.c):
//!  - a fetch of `len` (1 to 15) bytes at `offset` is a hit in Xen's
//!    prefetch buffer if `(offset - insn_eip) as u8` plus `len` is at most
//!    `insn_bytes`; only a fetch of bytes outside it changes the buffer
//!    (extends it, possibly rewriting bytes in it): after a fetch that went
//!    to the platform, every fetch goes there; zero-length fetches
//!    (branch-target checks) always do;
//!  - a segment register is what the platform last answered or was last
//!    given: after a `write_segment` of it, its reads go to the platform;
//!  - CR0 changes only through `write_cr`: after one, reads go to the
//!    platform;
//!  - once an op raised an exception, Xen refuses every further op
//!    (EINVAL): from then on everything goes to the platform.

use crate::ops::{Fault, OpResult, Ops};
use crate::state::{Seg, SegReg};

/// The segments a [`Prefill`] can hold: Xen's `x86_seg_es` ..
/// `x86_seg_gs`.
pub const PREFILL_SEGS: usize = 6;
/// Bytes of a [`Prefill`]'s instruction buffer (Xen's `insn_buf[]`).
pub const PREFILL_INSN_MAX: usize = 16;
/// Xen's MAX_INST_LEN: the longest fetch the syscall accepts.
const MAX_FETCH: usize = 15;

/// The values the platform put aside for the instruction.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Prefill {
    /// The CS offset of `insn[0]` (Xen's `insn_buf_eip`).
    pub insn_eip: u64,
    /// The prefetched bytes (Xen's `insn_buf[]`).
    pub insn: [u8; PREFILL_INSN_MAX],
    /// How many of `insn` are valid (Xen's `insn_buf_bytes`; 0: none).
    pub insn_bytes: u8,
    /// ES, CS, SS, DS, FS, GS, where known.
    pub segs: [Option<SegReg>; PREFILL_SEGS],
    /// CR0, where known.
    pub cr0: Option<u64>,
}

/// Served from the prefill rather than the platform, by kind.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Served {
    pub insn_fetch: u32,
    pub read_segment: u32,
    pub read_cr: u32,
}

/// An [`Ops`] that answers from a [`Prefill`] where it may (see the module
/// documentation) and passes everything else to `inner`.
pub struct Prefilled<'a, O: Ops> {
    inner: &'a mut O,
    pre: Prefill,
    /// An op raised an exception: no more answers from the prefill.
    stale: bool,
    served: Served,
}

impl<'a, O: Ops> Prefilled<'a, O> {
    pub fn new(inner: &'a mut O, pre: Prefill) -> Self {
        let mut pre = pre;
        if usize::from(pre.insn_bytes) > PREFILL_INSN_MAX {
            pre.insn_bytes = 0;
        }
        Prefilled {
            inner,
            pre,
            stale: false,
            served: Served::default(),
        }
    }

    /// What was served without the platform.
    pub fn served(&self) -> Served {
        self.served
    }

    /// Pass an op's result through, noting an exception.
    fn note<T>(&mut self, r: OpResult<T>) -> OpResult<T> {
        if matches!(r, Err(Fault::Exception(_))) {
            self.stale = true;
        }
        r
    }

    /// The prefetched bytes a fetch of `len` bytes at `offset` would get,
    /// from the first on in the low bits (a shift, not a slice copy: the
    /// payload links no library call a variable-length copy would be).
    fn prefetched(&self, offset: u64, len: usize) -> Option<u128> {
        if self.stale || len == 0 || len > MAX_FETCH {
            return None;
        }
        let at = usize::from(offset.wrapping_sub(self.pre.insn_eip) as u8);
        if at + len > usize::from(self.pre.insn_bytes) {
            return None;
        }
        // at + len <= insn_bytes <= 16 and len >= 1: at < 16.
        Some(u128::from_le_bytes(self.pre.insn).wrapping_shr(8 * at as u32))
    }
}

impl<O: Ops> Ops for Prefilled<'_, O> {
    fn insn_fetch(&mut self, offset: u64, buf: &mut [u8]) -> OpResult<()> {
        if let Some(mut v) = self.prefetched(offset, buf.len()) {
            for d in buf.iter_mut() {
                *d = v as u8;
                v >>= 8;
            }
            self.served.insn_fetch += 1;
            return Ok(());
        }
        if !buf.is_empty() {
            // Xen's buffer may change (grow, bytes rewritten): not ours.
            self.pre.insn_bytes = 0;
        }
        let r = self.inner.insn_fetch(offset, buf);
        self.note(r)
    }
    fn read(&mut self, seg: Seg, offset: u64, buf: &mut [u8]) -> OpResult<()> {
        let r = self.inner.read(seg, offset, buf);
        self.note(r)
    }
    fn write(&mut self, seg: Seg, offset: u64, data: &[u8]) -> OpResult<()> {
        let r = self.inner.write(seg, offset, data);
        self.note(r)
    }
    fn cmpxchg(&mut self, seg: Seg, offset: u64, old: &[u8], new: &[u8]) -> OpResult<()> {
        let r = self.inner.cmpxchg(seg, offset, old, new);
        self.note(r)
    }
    fn rep_ins(
        &mut self,
        port: u16,
        seg: Seg,
        offset: u64,
        bytes: u8,
        reps: &mut u64,
        df: bool,
    ) -> OpResult<()> {
        let r = self.inner.rep_ins(port, seg, offset, bytes, reps, df);
        self.note(r)
    }
    fn rep_outs(
        &mut self,
        seg: Seg,
        offset: u64,
        port: u16,
        bytes: u8,
        reps: &mut u64,
        df: bool,
    ) -> OpResult<()> {
        let r = self.inner.rep_outs(seg, offset, port, bytes, reps, df);
        self.note(r)
    }
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
        let r = self
            .inner
            .rep_movs(src_seg, src_offset, dst_seg, dst_offset, bytes, reps, df);
        self.note(r)
    }
    fn rep_stos(
        &mut self,
        val: u64,
        seg: Seg,
        offset: u64,
        bytes: u8,
        reps: &mut u64,
        df: bool,
    ) -> OpResult<()> {
        let r = self.inner.rep_stos(val, seg, offset, bytes, reps, df);
        self.note(r)
    }
    fn read_io(&mut self, port: u16, bytes: u8) -> OpResult<u32> {
        let r = self.inner.read_io(port, bytes);
        self.note(r)
    }
    fn write_io(&mut self, port: u16, bytes: u8, val: u32) -> OpResult<()> {
        let r = self.inner.write_io(port, bytes, val);
        self.note(r)
    }
    fn read_segment(&mut self, seg: Seg) -> OpResult<SegReg> {
        if !self.stale {
            if let Some(Some(s)) = self.pre.segs.get(seg as usize) {
                self.served.read_segment += 1;
                return Ok(*s);
            }
        }
        let r = self.inner.read_segment(seg);
        self.note(r)
    }
    fn write_segment(&mut self, seg: Seg, reg: &SegReg) -> OpResult<()> {
        if let Some(s) = self.pre.segs.get_mut(seg as usize) {
            *s = None;
        }
        let r = self.inner.write_segment(seg, reg);
        self.note(r)
    }
    fn read_cr(&mut self, reg: u8) -> OpResult<u64> {
        if reg == 0 && !self.stale {
            if let Some(v) = self.pre.cr0 {
                self.served.read_cr += 1;
                return Ok(v);
            }
        }
        let r = self.inner.read_cr(reg);
        self.note(r)
    }
    fn write_cr(&mut self, reg: u8, val: u64) -> OpResult<()> {
        self.pre.cr0 = None;
        let r = self.inner.write_cr(reg, val);
        self.note(r)
    }
    fn read_msr(&mut self, msr: u32) -> OpResult<u64> {
        let r = self.inner.read_msr(msr);
        self.note(r)
    }
    fn write_msr(&mut self, msr: u32, val: u64) -> OpResult<()> {
        let r = self.inner.write_msr(msr, val);
        self.note(r)
    }
    fn features(&self) -> u32 {
        self.inner.features()
    }
    fn cpuid(&mut self, leaf: u32, subleaf: u32) -> OpResult<[u32; 4]> {
        let r = self.inner.cpuid(leaf, subleaf);
        self.note(r)
    }
}
