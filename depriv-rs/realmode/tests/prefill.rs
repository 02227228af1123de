//! `Prefilled` answers exactly as the platform would: random sequences of
//! ops against a model of Xen's side of the real-mode syscalls (its
//! `insn_buf[]` prefetch cache as `hvmemul_insn_fetch()` keeps it, its
//! segment cache, CR0, the syscalls' own checks, and the EINVAL for every
//! op once one raised an exception), run once directly and once through a
//! `Prefilled` built from the model's state as Xen's `rm_prefill()` builds
//! it.  Guest memory changes between the ops (another vCPU rewriting the
//! code), so a prefetched byte may differ from memory: the prefetch wins,
//! as in Xen.  Every answer and the final state must be the same.

use realmode::{Event, Fault, OpResult, Ops, Prefill, Prefilled, Seg, SegReg, PREFILL_INSN_MAX};
use std::cell::RefCell;
use std::rc::Rc;

/// Guest memory: 512 bytes at linear 0 (offsets wrap), #PF at 0x1f0-0x1ff.
const MEM: usize = 512;
const PF_AT: u64 = 0x1f0;

/// Guest memory, shared with the test, which changes it behind the
/// emulation's back (another vCPU rewriting the code).
type Mem = Rc<RefCell<Vec<u8>>>;

#[derive(Debug, PartialEq, Eq)]
struct XenModel {
    mem: Mem,
    insn_buf: [u8; 16],
    insn_buf_eip: u64,
    insn_buf_bytes: usize,
    segs: [SegReg; 10],
    cr: [u64; 5],
    /// An op raised an exception: every RM_* syscall is EINVAL now.
    event_pending: bool,
    /// Syscalls made.
    calls: u32,
}

impl Clone for XenModel {
    /// A copy with memory of its own.
    fn clone(&self) -> Self {
        XenModel {
            mem: Rc::new(RefCell::new(self.mem.borrow().clone())),
            ..*self
        }
    }
}

fn pf() -> Fault {
    Fault::Exception(Event::hw(14, Some(0)))
}

impl XenModel {
    /// The start of a syscall: counted; refused (EINVAL: the payload's
    /// Unhandleable) once an op raised an exception.
    fn enter(&mut self) -> OpResult<()> {
        self.calls += 1;
        if self.event_pending {
            return Err(Fault::Unhandleable);
        }
        Ok(())
    }

    fn access(&mut self, offset: u64, len: usize) -> OpResult<usize> {
        if (PF_AT..PF_AT + 16).contains(&(offset % MEM as u64)) {
            self.event_pending = true;
            return Err(pf());
        }
        let _ = len;
        Ok(offset as usize % MEM)
    }

    fn mem_read(&mut self, offset: u64, buf: &mut [u8]) -> OpResult<()> {
        let at = self.access(offset, buf.len())?;
        let mem = self.mem.borrow();
        for (i, b) in buf.iter_mut().enumerate() {
            *b = mem[(at + i) % MEM];
        }
        Ok(())
    }

    /// What Xen's rm_prefill() hands the payload.
    fn prefill(&self, segs_known: u8, cr0_known: bool) -> Prefill {
        let mut p = Prefill {
            insn_eip: self.insn_buf_eip,
            insn_bytes: self.insn_buf_bytes as u8,
            cr0: cr0_known.then_some(self.cr[0]),
            ..Prefill::default()
        };
        p.insn[..self.insn_buf_bytes].copy_from_slice(&self.insn_buf[..self.insn_buf_bytes]);
        for (i, s) in p.segs.iter_mut().enumerate() {
            if segs_known & (1 << i) != 0 {
                *s = Some(self.segs[i]);
            }
        }
        p
    }
}

impl Ops for XenModel {
    /// hvm_depriv_sys_rm_insn_fetch() and hvmemul_insn_fetch().
    fn insn_fetch(&mut self, offset: u64, buf: &mut [u8]) -> OpResult<()> {
        self.enter()?;
        let bytes = buf.len();
        if bytes > 15 {
            return Err(Fault::Unhandleable);
        }
        let insn_off = usize::from(offset.wrapping_sub(self.insn_buf_eip) as u8);
        if bytes != 0 && insn_off + bytes > 16 {
            return Err(Fault::Unhandleable);
        }
        if bytes == 0 || insn_off + bytes > self.insn_buf_bytes {
            self.mem_read(offset, buf)?;
            if bytes != 0 {
                self.insn_buf[insn_off..insn_off + bytes].copy_from_slice(buf);
                self.insn_buf_bytes = insn_off + bytes;
            }
            return Ok(());
        }
        buf.copy_from_slice(&self.insn_buf[insn_off..insn_off + bytes]);
        Ok(())
    }
    fn read(&mut self, _seg: Seg, offset: u64, buf: &mut [u8]) -> OpResult<()> {
        self.enter()?;
        self.mem_read(offset, buf)
    }
    fn write(&mut self, _seg: Seg, offset: u64, data: &[u8]) -> OpResult<()> {
        self.enter()?;
        let at = self.access(offset, data.len())?;
        let mut mem = self.mem.borrow_mut();
        for (i, b) in data.iter().enumerate() {
            mem[(at + i) % MEM] = *b;
        }
        Ok(())
    }
    fn read_io(&mut self, port: u16, _bytes: u8) -> OpResult<u32> {
        self.enter()?;
        if port == 0xe8 {
            self.event_pending = true;
            return Err(Fault::Exception(Event::hw(13, Some(0))));
        }
        Ok(u32::from(port) * 3)
    }
    fn write_io(&mut self, _port: u16, _bytes: u8, _val: u32) -> OpResult<()> {
        self.enter()
    }
    fn read_segment(&mut self, seg: Seg) -> OpResult<SegReg> {
        self.enter()?;
        Ok(self.segs[seg as usize])
    }
    fn write_segment(&mut self, seg: Seg, reg: &SegReg) -> OpResult<()> {
        self.enter()?;
        // The syscall's check of a real-mode load.
        if (seg as usize) < 6 && reg.base != u64::from(reg.sel) << 4 {
            return Err(Fault::Unhandleable);
        }
        self.segs[seg as usize] = *reg;
        Ok(())
    }
    fn read_cr(&mut self, reg: u8) -> OpResult<u64> {
        self.enter()?;
        self.cr
            .get(usize::from(reg))
            .copied()
            .ok_or(Fault::Unhandleable)
    }
    fn write_cr(&mut self, reg: u8, val: u64) -> OpResult<()> {
        self.enter()?;
        if reg != 0 {
            return Err(Fault::Unhandleable);
        }
        self.cr[0] = val;
        Ok(())
    }
}

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const SEGS: [Seg; 10] = [
    Seg::Es,
    Seg::Cs,
    Seg::Ss,
    Seg::Ds,
    Seg::Fs,
    Seg::Gs,
    Seg::Tr,
    Seg::Ldtr,
    Seg::Gdtr,
    Seg::Idtr,
];

#[derive(Debug, PartialEq, Eq)]
enum Answer {
    Bytes(OpResult<Vec<u8>>),
    Seg(OpResult<SegReg>),
    Val(OpResult<u64>),
    Done(OpResult<()>),
}

/// One random op on `o` (and perhaps a change of guest memory by someone
/// else, on `m`, before it).
fn step<O: Ops>(r: &mut Rng, eip: u64, o: &mut O) -> Answer {
    match r.below(10) {
        0..=3 => {
            // Mostly inside the prefetch, sometimes across or beyond it,
            // sometimes wrapping the u8 offset, sometimes zero-length or
            // too long.
            let off = match r.below(8) {
                0 => eip.wrapping_add(r.below(300)),
                1 => eip.wrapping_sub(r.below(4)),
                2 => eip.wrapping_add(256 + r.below(8)),
                _ => eip.wrapping_add(r.below(14)),
            };
            let len = match r.below(10) {
                0 => 0,
                1 => 16 + r.below(2) as usize,
                _ => 1 + r.below(4) as usize,
            };
            let mut buf = vec![0u8; len];
            Answer::Bytes(o.insn_fetch(off, &mut buf).map(|()| buf))
        }
        4 => Answer::Seg(o.read_segment(SEGS[r.below(10) as usize])),
        5 => {
            let sel = r.next() as u16;
            let base = if r.below(4) == 0 {
                r.next()
            } else {
                u64::from(sel) << 4
            };
            let reg = SegReg {
                sel,
                attr: 0x93,
                limit: 0xffff,
                base,
            };
            Answer::Done(o.write_segment(SEGS[r.below(10) as usize], &reg))
        }
        6 => Answer::Val(o.read_cr(if r.below(4) == 0 { 4 } else { 0 })),
        7 => Answer::Done(o.write_cr(if r.below(4) == 0 { 3 } else { 0 }, r.next())),
        8 => {
            // Guest memory: the code, or the #PF window.
            let off = if r.below(8) == 0 {
                PF_AT + r.below(16)
            } else {
                eip.wrapping_add(r.below(20))
            };
            if r.below(2) == 0 {
                let mut buf = vec![0u8; 1 + r.below(4) as usize];
                Answer::Bytes(o.read(Seg::Ds, off, &mut buf).map(|()| buf))
            } else {
                let data = vec![r.next() as u8; 1 + r.below(4) as usize];
                Answer::Done(o.write(Seg::Ds, off, &data))
            }
        }
        _ => {
            let port = if r.below(6) == 0 { 0xe8 } else { 0x61 };
            Answer::Val(o.read_io(port, 1).map(u64::from))
        }
    }
}

#[test]
fn prefilled_answers_as_the_platform() {
    let mut r = Rng(0x5eed_0018);
    let (mut served, mut saved) = (0u64, 0u64);
    for case in 0..20_000 {
        let eip = match r.below(4) {
            0 => 0xfff8 + r.below(8),
            _ => r.below(0x1_0000),
        };
        let mut mem: Vec<u8> = (0..MEM).map(|_| r.next() as u8).collect();
        // Xen's prefetch: up to 16 bytes from CS:EIP, some of which
        // memory may no longer hold.
        let nr = if r.below(4) == 0 {
            r.below(17) as usize
        } else {
            PREFILL_INSN_MAX
        };
        let mut insn_buf = [0u8; 16];
        for (i, b) in insn_buf.iter_mut().enumerate().take(nr) {
            *b = mem[(eip as usize + i) % MEM];
        }
        if r.below(3) == 0 {
            mem[(eip as usize + r.below(16) as usize) % MEM] ^= 0xff;
        }
        let mut segs = [SegReg::default(); 10];
        for s in segs.iter_mut() {
            let sel = r.next() as u16;
            *s = SegReg {
                sel,
                attr: 0x93,
                limit: 0xffff,
                base: u64::from(sel) << 4,
            };
        }
        let m = XenModel {
            mem: Rc::new(RefCell::new(mem)),
            insn_buf,
            insn_buf_eip: eip,
            insn_buf_bytes: nr,
            segs,
            cr: [0x10, 0, 0, 0, 0],
            event_pending: false,
            calls: 0,
        };
        let pre = m.prefill(r.next() as u8, r.below(4) != 0);
        let mut direct = m.clone();
        let mut via = m.clone();
        let (direct_mem, via_mem) = (direct.mem.clone(), via.mem.clone());
        let mut ops = Prefilled::new(&mut via, pre);
        for n in 0..1 + r.below(12) {
            if r.below(6) == 0 {
                // Another vCPU rewrites the code.
                let at = (eip as usize + r.below(20) as usize) % MEM;
                let v = r.next() as u8;
                direct_mem.borrow_mut()[at] = v;
                via_mem.borrow_mut()[at] = v;
            }
            let s = r.next();
            let a = step(&mut Rng(s), eip, &mut direct);
            let b = step(&mut Rng(s), eip, &mut ops);
            assert_eq!(a, b, "case {case} op {n}: direct vs prefilled");
        }
        let sv = ops.served();
        served += u64::from(sv.insn_fetch + sv.read_segment + sv.read_cr);
        saved += u64::from(direct.calls - via.calls);
        direct.calls = via.calls;
        assert_eq!(direct, via, "case {case}: final state");
    }
    assert!(served > 10_000, "the prefill answered too little: {served}");
    assert_eq!(
        served, saved,
        "each answer from the prefill is one syscall fewer"
    );
}
