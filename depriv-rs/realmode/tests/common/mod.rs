//! A mock platform for the realmode crate's tests: sparse 4 GiB memory,
//! segment registers, CR0/2/3/4, port I/O, a log of every side effect, and
//! fault injection at the n-th op call (to prove restartability).
#![allow(dead_code)]

pub mod units;

use realmode::{CpuState, Event, Fault, OpResult, Ops, Seg, SegReg};
use std::collections::BTreeMap;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Effect {
    Write(u32, Vec<u8>),
    Out(u16, u8, u32),
    In(u16, u8),
    SegWrite(Seg, SegReg),
    CrWrite(u8, u64),
    MsrWrite(u32, u64),
}

#[derive(Clone, Debug)]
pub struct Mock {
    pub mem: BTreeMap<u32, u8>,
    pub segs: [SegReg; 10],
    pub cr: [u64; 5],
    pub log: Vec<Effect>,
    /// Number of op calls so far.
    pub calls: usize,
    /// Inject this fault at op call number `.0`.
    pub inject: Option<(usize, Fault)>,
    /// Value read from any port: port * 0x01010101 ^ 0x5a.
    pub io_seed: u32,
    /// The guest's CPUID features (an Intel-like CPU with all of them).
    pub features: u32,
}

pub fn real_seg(sel: u16) -> SegReg {
    // Present, writable data segment, limit 64 KiB, as after reset.
    SegReg {
        sel,
        attr: 0x93,
        limit: 0xffff,
        base: u64::from(sel) << 4,
    }
}

impl Mock {
    pub fn new() -> Mock {
        let mut segs = [SegReg::default(); 10];
        for (i, s) in segs.iter_mut().enumerate().take(6) {
            *s = real_seg(0x1000 + (i as u16) * 0x100);
        }
        segs[Seg::Cs as usize].attr = 0x9b;
        segs[Seg::Idtr as usize] = SegReg {
            sel: 0,
            attr: 0,
            limit: 0x3ff,
            base: 0,
        };
        segs[Seg::Gdtr as usize] = SegReg {
            sel: 0,
            attr: 0,
            limit: 0xffff,
            base: 0x2_0000,
        };
        Mock {
            mem: BTreeMap::new(),
            segs,
            cr: [0x10, 0, 0, 0, 0],
            log: Vec::new(),
            calls: 0,
            inject: None,
            io_seed: 0x5a,
            features: realmode::features::ALL
                & !(realmode::features::CR8_LEGACY | realmode::features::AMD_LIKE),
        }
    }

    /// Default content of never-written memory: a hash of the address.
    pub fn byte(&self, lin: u32) -> u8 {
        match self.mem.get(&lin) {
            Some(b) => *b,
            None => (lin.wrapping_mul(0x9e37_79b1) >> 24) as u8,
        }
    }

    pub fn lin(&self, seg: Seg, off: u64) -> u32 {
        (off as u32).wrapping_add(self.segs[seg as usize].base as u32)
    }

    pub fn poke(&mut self, lin: u32, bytes: &[u8]) {
        for (i, b) in bytes.iter().enumerate() {
            self.mem.insert(lin.wrapping_add(i as u32), *b);
        }
    }

    pub fn peek(&self, lin: u32, n: usize) -> Vec<u8> {
        (0..n)
            .map(|i| self.byte(lin.wrapping_add(i as u32)))
            .collect()
    }

    /// Place code at CS:ip.
    pub fn code(&mut self, ip: u32, bytes: &[u8]) {
        let l = self.lin(Seg::Cs, u64::from(ip));
        self.poke(l, bytes);
    }

    fn tick(&mut self) -> OpResult<()> {
        let n = self.calls;
        self.calls += 1;
        match self.inject {
            Some((at, f)) if at == n => Err(f),
            _ => Ok(()),
        }
    }
}

impl Default for Mock {
    fn default() -> Self {
        Mock::new()
    }
}

impl Ops for Mock {
    fn features(&self) -> u32 {
        self.features
    }
    fn insn_fetch(&mut self, offset: u64, buf: &mut [u8]) -> OpResult<()> {
        self.tick()?;
        let l = self.lin(Seg::Cs, offset);
        for (i, b) in buf.iter_mut().enumerate() {
            *b = self.byte(l.wrapping_add(i as u32));
        }
        Ok(())
    }
    fn read(&mut self, seg: Seg, offset: u64, buf: &mut [u8]) -> OpResult<()> {
        self.tick()?;
        let l = self.lin(seg, offset);
        for (i, b) in buf.iter_mut().enumerate() {
            *b = self.byte(l.wrapping_add(i as u32));
        }
        Ok(())
    }
    fn write(&mut self, seg: Seg, offset: u64, data: &[u8]) -> OpResult<()> {
        self.tick()?;
        let l = self.lin(seg, offset);
        self.poke(l, data);
        self.log.push(Effect::Write(l, data.to_vec()));
        Ok(())
    }
    fn cmpxchg(&mut self, seg: Seg, offset: u64, old: &[u8], new: &[u8]) -> OpResult<()> {
        self.tick()?;
        let l = self.lin(seg, offset);
        if self.peek(l, old.len()) != old {
            return Err(Fault::Retry);
        }
        self.poke(l, new);
        self.log.push(Effect::Write(l, new.to_vec()));
        Ok(())
    }
    fn read_io(&mut self, port: u16, bytes: u8) -> OpResult<u32> {
        self.tick()?;
        self.log.push(Effect::In(port, bytes));
        let v = u32::from(port).wrapping_mul(0x0101_0101) ^ self.io_seed;
        Ok(match bytes {
            1 => v & 0xff,
            2 => v & 0xffff,
            _ => v,
        })
    }
    fn write_io(&mut self, port: u16, bytes: u8, val: u32) -> OpResult<()> {
        self.tick()?;
        let v = match bytes {
            1 => val & 0xff,
            2 => val & 0xffff,
            _ => val,
        };
        self.log.push(Effect::Out(port, bytes, v));
        Ok(())
    }
    fn read_segment(&mut self, seg: Seg) -> OpResult<SegReg> {
        self.tick()?;
        Ok(self.segs[seg as usize])
    }
    fn write_segment(&mut self, seg: Seg, reg: &SegReg) -> OpResult<()> {
        self.tick()?;
        self.segs[seg as usize] = *reg;
        self.log.push(Effect::SegWrite(seg, *reg));
        Ok(())
    }
    fn read_cr(&mut self, reg: u8) -> OpResult<u64> {
        self.tick()?;
        match reg {
            0 | 2 | 3 | 4 => Ok(self.cr[usize::from(reg)]),
            _ => Err(Fault::Exception(Event::hw(6, None))),
        }
    }
    fn write_cr(&mut self, reg: u8, val: u64) -> OpResult<()> {
        self.tick()?;
        match reg {
            0 | 2 | 3 | 4 => {
                self.cr[usize::from(reg)] = val;
                self.log.push(Effect::CrWrite(reg, val));
                Ok(())
            }
            _ => Err(Fault::Exception(Event::hw(6, None))),
        }
    }
    fn read_msr(&mut self, msr: u32) -> OpResult<u64> {
        self.tick()?;
        match msr {
            0x10 => Ok(0x0000_0001_2345_6789),
            0x1d9 => Ok(0),
            _ => Err(Fault::Exception(Event::hw(13, Some(0)))),
        }
    }
    fn write_msr(&mut self, msr: u32, val: u64) -> OpResult<()> {
        self.tick()?;
        self.log.push(Effect::MsrWrite(msr, val));
        Ok(())
    }
    fn cpuid(&mut self, leaf: u32, subleaf: u32) -> OpResult<[u32; 4]> {
        self.tick()?;
        Ok([leaf ^ 0x1111, subleaf ^ 0x2222, 0x3333, 0x4444])
    }
}

pub fn cpu16() -> CpuState {
    CpuState {
        gpr: [
            0x1234_0001,
            0x0000_0003,
            0x0000_0040,
            0x0000_0200,
            0x0000_0f00,
            0x0000_0e00,
            0x0000_0100,
            0x0000_0300,
        ],
        eip: 0x100,
        eflags: 0x2,
        addr_size: 16,
        sp_size: 16,
    }
}
