//! Differential tests of the Rust `vpic` against Xen's own `vpic.c`, built
//! from the pinned source by `build.rs` (see `shim/`).
//!
//! [`run`] drives both with the same random stream of operations (port
//! accesses of every size, edges, interrupt acknowledges, save/load round
//! trips, arbitrary loaded records) and compares the full state and every
//! returned value after every step.  For every edge it also asks the test
//! Xen's hvm_depriv makes before an edge call (`vpic_edge_changes_nothing()`
//! of the patched tree's `asm/hvm/vpic-edge.h`, compiled as Xen compiles
//! it): where it says the edge changes nothing, Xen makes no call, so both
//! vpic.c and the Rust vPIC must leave every byte of both records as it was
//! and have no effect; where it says otherwise, the edge must change
//! something (the test is exact).  Before every edge on IRQs 0..15 it also
//! checks, from the records as they are, the falling-then-rising pair
//! pt_update_irq() makes on that IRQ against Xen's test for it
//! (`vpic_edge_pulse_changes_nothing()`, [`check_pulse`]), leaving both
//! sides as they were.  [`run_edges`] does the same for every edge and
//! every pair from arbitrary records.

use std::fmt::Write as _;
use vpic::{Bug, Dir, Effects, Io, Vpic};

/// What the C side recorded during one operation (`struct shim_fx`).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ShimFx {
    pub kicks: u32,
    pub unmasks: u32,
    pub bug: u32,
    pub bad_target: u32,
    pub neoi: u32,
    pub eoi: [u32; 16],
}

/// One operation of the benchmark stream (`struct shim_bench_op`).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct BenchOp {
    /// 0 PIC write, 1 PIC read, 2 ELCR write, 3 ELCR read, 4 positive
    /// edge, 5 negative edge, 6 ack_pending_irq.
    pub kind: u8,
    pub arg: u8,
    pub port: u16,
    pub val: u32,
}

/// Number of fields `shim_layout` reports.
pub const SHIM_NFIELDS: usize = 15;

extern "C" {
    fn shim_init();
    fn shim_reset();
    fn shim_get_state(out: *mut u8);
    fn shim_set_state(inp: *const u8);
    fn shim_pic_io(dir: i32, port: u32, bytes: u32, val: *mut u32, fx: *mut ShimFx) -> i32;
    fn shim_elcr_io(dir: i32, port: u32, bytes: u32, val: *mut u32, fx: *mut ShimFx) -> i32;
    fn shim_edge(positive: i32, irq: i32, fx: *mut ShimFx);
    fn shim_edge_changes_nothing(positive: i32, irq: u32) -> i32;
    fn shim_pulse_changes_nothing(irq: u32, output: *mut u32, kick: *mut i32) -> i32;
    fn shim_pulse(irq: i32, mid: *mut u8, neg: *mut ShimFx, pos: *mut ShimFx);
    fn shim_ack_pending_irq(accept: i32, fx: *mut ShimFx) -> i32;
    fn shim_intack(idx: u32, fx: *mut ShimFx) -> i32;
    fn shim_highest(idx: u32) -> i32;
    fn shim_save(buf: *mut u8) -> i32;
    fn shim_load(buf: *const u8) -> i32;
    fn shim_layout(out: *mut [u8; 8]) -> usize;
    fn shim_bench(ops: *const BenchOp, n: usize) -> u64;
}

/// Xen's C vPIC: one domain, its state in a C global.  Not thread safe
/// (the C side has globals): [`C_LOCK`] serialises users.
pub struct CVpic(());

/// Serialises every use of the C side within one process.
pub static C_LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// `(value, effects)` of one C operation.
pub type COut = (i64, ShimFx);

impl CVpic {
    /// `vpic_init()` on a zeroed domain.
    pub fn new() -> Self {
        // SAFETY: plain C function on the C side's own globals; callers
        // hold C_LOCK.
        unsafe { shim_init() };
        CVpic(())
    }
    pub fn reset(&mut self) {
        // SAFETY: as above.
        unsafe { shim_reset() }
    }
    pub fn state(&self) -> [u8; 16] {
        let mut b = [0u8; 16];
        // SAFETY: writes exactly 16 bytes into `b`.
        unsafe { shim_get_state(b.as_mut_ptr()) };
        b
    }
    pub fn set_state(&mut self, b: &[u8; 16]) {
        // SAFETY: reads exactly 16 bytes from `b`.
        unsafe { shim_set_state(b.as_ptr()) }
    }
    pub fn pic_io(&mut self, dir: Dir, port: u32, bytes: u32, val: u32) -> (i32, u32, ShimFx) {
        let mut v = val;
        let mut fx = ShimFx::default();
        // SAFETY: valid pointers to locals for the duration of the call.
        let rc = unsafe { shim_pic_io(dir_c(dir), port, bytes, &mut v, &mut fx) };
        (rc, v, fx)
    }
    pub fn elcr_io(&mut self, dir: Dir, port: u32, bytes: u32, val: u32) -> (i32, u32, ShimFx) {
        let mut v = val;
        let mut fx = ShimFx::default();
        // SAFETY: valid pointers to locals for the duration of the call.
        let rc = unsafe { shim_elcr_io(dir_c(dir), port, bytes, &mut v, &mut fx) };
        (rc, v, fx)
    }
    pub fn edge(&mut self, positive: bool, irq: u8) -> ShimFx {
        let mut fx = ShimFx::default();
        // SAFETY: valid pointer to a local.
        unsafe { shim_edge(i32::from(positive), i32::from(irq), &mut fx) };
        fx
    }
    /// Xen's test before an edge call (`vpic_edge_changes_nothing()`), on
    /// the current records: true if Xen would skip the call.
    pub fn edge_changes_nothing(&self, positive: bool, irq: u8) -> bool {
        // SAFETY: reads the C side's records only.
        unsafe { shim_edge_changes_nothing(i32::from(positive), u32::from(irq)) != 0 }
    }
    /// Xen's test for pt_update_irq()'s falling then rising edge
    /// (`vpic_edge_pulse_changes_nothing()`), on the current records:
    /// `Some((output, kick))` if Xen would make no call for either edge,
    /// with the output byte it takes for the one between them and whether
    /// it kicks.
    pub fn pulse_changes_nothing(&self, irq: u8) -> Option<(u32, bool)> {
        let mut output = 0u32;
        let mut kick = 0i32;
        // SAFETY: reads the C side's records only; valid pointers to locals.
        let r = unsafe { shim_pulse_changes_nothing(u32::from(irq), &mut output, &mut kick) };
        (r != 0).then_some((output, kick != 0))
    }
    /// vpic.c's pair: (int_output byte of the IRQ's PIC between the edges,
    /// the falling edge's effects, the rising edge's).
    pub fn pulse(&mut self, irq: u8) -> (u8, ShimFx, ShimFx) {
        let mut mid = 0u8;
        let mut neg = ShimFx::default();
        let mut pos = ShimFx::default();
        // SAFETY: valid pointers to locals.
        unsafe { shim_pulse(i32::from(irq), &mut mid, &mut neg, &mut pos) };
        (mid, neg, pos)
    }
    pub fn ack_pending_irq(&mut self, accept: bool) -> (i32, ShimFx) {
        let mut fx = ShimFx::default();
        // SAFETY: valid pointer to a local.
        let r = unsafe { shim_ack_pending_irq(i32::from(accept), &mut fx) };
        (r, fx)
    }
    pub fn intack(&mut self, idx: usize) -> (i32, ShimFx) {
        let mut fx = ShimFx::default();
        // SAFETY: valid pointer to a local; the index is masked in C.
        let r = unsafe { shim_intack(idx as u32, &mut fx) };
        (r, fx)
    }
    pub fn highest(&self, idx: usize) -> i32 {
        // SAFETY: the index is masked in C.
        unsafe { shim_highest(idx as u32) }
    }
    /// `vpic_save()` through Xen's save handler.
    pub fn save(&self) -> (i32, [u8; 16]) {
        let mut b = [0u8; 16];
        // SAFETY: the handler writes two 8-byte records into `b`.
        let rc = unsafe { shim_save(b.as_mut_ptr()) };
        (rc, b)
    }
    /// `vpic_load()` of instances 0 and 1.
    pub fn load(&mut self, b: &[u8; 16]) -> i32 {
        // SAFETY: the handler reads two 8-byte records from `b`.
        unsafe { shim_load(b.as_ptr()) }
    }
    /// Size of the C struct and the record with each field set to ones.
    pub fn layout() -> (usize, [[u8; 8]; SHIM_NFIELDS]) {
        let mut out = [[0u8; 8]; SHIM_NFIELDS];
        // SAFETY: writes SHIM_NFIELDS records of 8 bytes into `out`.
        let size = unsafe { shim_layout(out.as_mut_ptr()) };
        (size, out)
    }
    /// Runs `ops` through Xen's functions (benchmark; no recorder).
    pub fn bench(&mut self, ops: &[BenchOp]) -> u64 {
        // SAFETY: `ops` is a valid slice of `repr(C)` ops.
        unsafe { shim_bench(ops.as_ptr(), ops.len()) }
    }
}

impl Default for CVpic {
    fn default() -> Self {
        Self::new()
    }
}

fn dir_c(d: Dir) -> i32 {
    match d {
        Dir::Read => 0,
        Dir::Write => 1,
    }
}

/// The same benchmark stream through the Rust vPIC.  Returns the same
/// checksum as `shim_bench` (values read, vectors, kicks, unmasks); the
/// effects are consumed the way Xen would act on them (a test and a counter
/// where the C code calls `vcpu_kick()` & co.), the EOI masks only
/// materialised (`eoi`).
#[inline(never)]
pub fn rust_bench(v: &mut Vpic, ops: &[BenchOp], eoi: &mut u16) -> u64 {
    let mut sum = 0u64;
    let mut acts = 0u64;
    let mut eois = 0u16;
    let mut act = |fx: Effects| {
        if fx.kick {
            acts += 1;
        }
        if fx.may_unmask {
            acts += 1;
        }
        if fx.dpci_eoi != 0 {
            eois ^= fx.dpci_eoi;
        }
    };
    for op in ops {
        let port = u32::from(op.port);
        match op.kind {
            0 => {
                if let Ok(io) = v.pic_io(Dir::Write, port, 1, op.val) {
                    act(io.fx);
                }
            }
            1 => {
                if let Ok(io) = v.pic_io(Dir::Read, port, 1, op.val) {
                    sum += u64::from(io.val);
                    act(io.fx);
                }
            }
            2 => {
                let _ = v.elcr_io(Dir::Write, port, 1, op.val);
            }
            3 => {
                if let Ok(io) = v.elcr_io(Dir::Read, port, 1, op.val) {
                    sum += u64::from(io.val);
                }
            }
            4 => act(v.irq_positive_edge(op.arg)),
            5 => act(v.irq_negative_edge(op.arg)),
            _ => match v.ack_pending_irq(true) {
                Ok(a) => {
                    sum += a.vector.map_or(u64::from(u32::MAX), u64::from);
                    act(a.fx);
                }
                Err(_) => sum += u64::from(u32::MAX),
            },
        }
    }
    *eoi = eois;
    sum + acts
}

/// The seeded generator the streams draw from (shared by the three difftests).
pub use difftest_common::Rng;

/// One operation of a differential stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    PicIo {
        dir: Dir,
        port: u32,
        bytes: u32,
        val: u32,
    },
    ElcrIo {
        dir: Dir,
        port: u32,
        bytes: u32,
        val: u32,
    },
    Edge {
        positive: bool,
        irq: u8,
    },
    AckPending {
        accept: bool,
    },
    Intack {
        idx: usize,
    },
    Highest {
        idx: usize,
    },
    SaveLoad,
    Load {
        rec: [u8; 16],
    },
    Reset,
}

const PIC_PORTS: [u32; 4] = [0x20, 0x21, 0xa0, 0xa1];

/// A command/data byte biased towards meaningful PIC programming.
fn pic_byte(r: &mut Rng, port: u32) -> u8 {
    if port & 1 == 1 {
        // Data port: ICW2-4 and OCW1, mostly sparse masks.
        return match r.below(4) {
            0 => 0,
            1 => 1 << r.below(8),
            2 => !(1u8 << r.below(8)),
            _ => r.byte(),
        };
    }
    match r.below(8) {
        // ICW1 (IC4/SNGL random, upper bits random).
        0 => 0x10 | (r.byte() & 0xef),
        // OCW2, every command.
        1..=3 => ((r.below(8) as u8) << 5) | (r.byte() & 7),
        // OCW3.
        4 | 5 => 0x08 | (r.byte() & 0x67),
        _ => r.byte(),
    }
}

/// Draws the next operation.
pub fn gen_op(r: &mut Rng) -> Op {
    let dir = |r: &mut Rng| {
        if r.below(2) == 0 {
            Dir::Read
        } else {
            Dir::Write
        }
    };
    let k = r.below(1000);
    match k {
        0..=299 => {
            let port = PIC_PORTS[r.below(4) as usize];
            Op::PicIo {
                dir: Dir::Write,
                port,
                bytes: 1,
                val: u32::from(pic_byte(r, port))
                    | if r.chance(5) {
                        r.next_u64() as u32 & !0xff
                    } else {
                        0
                    },
            }
        }
        300..=419 => Op::PicIo {
            dir: Dir::Read,
            port: PIC_PORTS[r.below(4) as usize],
            bytes: 1,
            val: r.next_u64() as u32,
        },
        420..=449 => Op::PicIo {
            dir: dir(r),
            port: PIC_PORTS[r.below(4) as usize],
            bytes: [0, 2, 3, 4][r.below(4) as usize],
            val: r.next_u64() as u32,
        },
        450..=459 => Op::PicIo {
            dir: dir(r),
            port: r.below(0x10000) as u32,
            bytes: if r.chance(90) { 1 } else { r.below(5) as u32 },
            val: r.next_u64() as u32,
        },
        460..=509 => Op::ElcrIo {
            dir: dir(r),
            port: 0x4d0 + r.below(2) as u32,
            bytes: if r.chance(99) {
                1
            } else {
                [0, 2, 4][r.below(3) as usize]
            },
            val: if r.chance(50) {
                u32::from(r.byte())
            } else {
                r.next_u64() as u32
            },
        },
        510..=709 => Op::Edge {
            positive: true,
            irq: if r.chance(2) {
                r.byte()
            } else {
                r.below(16) as u8
            },
        },
        710..=829 => Op::Edge {
            positive: false,
            irq: if r.chance(2) {
                r.byte()
            } else {
                r.below(16) as u8
            },
        },
        830..=929 => Op::AckPending {
            accept: r.chance(90),
        },
        930..=949 => Op::Intack {
            idx: r.below(2) as usize,
        },
        950..=969 => Op::Highest {
            idx: r.below(2) as usize,
        },
        970..=989 => Op::SaveLoad,
        990..=996 => {
            // Any record Xen would load, except that each slot keeps its
            // is_master bit right (Xen's --vpic/vpic++ arithmetic would
            // leave the array otherwise: undefined behaviour in C).
            let mut rec = [0u8; 16];
            for b in rec.iter_mut() {
                *b = r.byte();
            }
            if r.chance(70) {
                // Mostly small int_output values (0/1), as Xen writes.
                rec[7] &= 1;
                rec[15] &= 1;
            }
            rec[5] |= vpic::FLAG_IS_MASTER;
            rec[13] &= !vpic::FLAG_IS_MASTER;
            Op::Load { rec }
        }
        _ => Op::Reset,
    }
}

fn fx_matches(c: &ShimFx, fx: &Effects) -> bool {
    let mut mask: u16 = 0;
    let mut ascending = true;
    let mut last: i64 = -1;
    for &g in c.eoi.iter().take(c.neoi.min(16) as usize) {
        if i64::from(g) <= last || g > 15 {
            ascending = false;
        }
        last = i64::from(g);
        mask |= 1u16.wrapping_shl(g);
    }
    c.kicks == u32::from(fx.kick)
        && c.unmasks == u32::from(fx.may_unmask)
        && c.bad_target == 0
        && c.neoi <= 16
        && ascending
        && mask == fx.dpci_eoi
}

/// What the streams exercised (from the C side's recorder), to show the
/// comparison is not vacuous.
#[derive(Debug, Default, Clone, Copy)]
pub struct Coverage {
    pub kicks: u64,
    pub dpci_eois: u64,
    pub unmasks: u64,
    pub bugs: u64,
    pub vectors: u64,
    /// Edges Xen's shortcut skips (it says: changes nothing).
    pub nop_edges: u64,
    /// Edges on IRQs 0..15 it lets through (they change something).
    pub call_edges: u64,
    /// Falling-then-rising pairs (pt_update_irq()) Xen's pair test skips.
    pub nop_pulses: u64,
    /// Of those, the ones where Xen kicks in place of the rising edge.
    pub nop_pulse_kicks: u64,
    /// Of those, the ones whose output between the edges differs from
    /// the output before (the path pt_update_irq() takes depends on it).
    pub nop_pulse_dips: u64,
    /// Pairs it lets through (they change something).
    pub call_pulses: u64,
}

/// pt_update_irq()'s falling then rising edge on `irq` (0..15) from the
/// current records of both sides, checked against Xen's pair test
/// (`vpic_edge_pulse_changes_nothing()`); both sides are left as they
/// were.  Where the test says "no call", vpic.c and the Rust vPIC must
/// leave all 16 bytes as they were, the output between the edges must be
/// the one the test gives, the falling edge must have no effect and the
/// rising edge none but the kick the test gives (Xen then does that kick
/// itself).  Where it says otherwise, the pair must change a byte (the test
/// is exact).  At every point, vpic.c and the Rust vPIC must agree.
pub fn check_pulse(c: &mut CVpic, v: &Vpic, irq: u8, cov: &mut Coverage) -> Option<String> {
    let mut diff = String::new();
    let before = c.state();
    if v.to_bytes() != before {
        return Some(format!("pulse on IRQ {irq}: sides differ before"));
    }
    let skip = c.pulse_changes_nothing(irq);
    let (cmid, cneg, cpos) = c.pulse(irq);
    let cafter = c.state();
    c.set_state(&before);
    let mut rv = *v;
    let rneg = rv.irq_negative_edge(irq);
    let rmid = rv.to_bytes()[usize::from(irq >> 3) * 8 + 7];
    let rpos = rv.irq_positive_edge(irq);
    let rafter = rv.to_bytes();
    if cneg.bug != 0 || cpos.bug != 0 || !fx_matches(&cneg, &rneg) || !fx_matches(&cpos, &rpos) {
        let _ = write!(
            diff,
            "pulse effects C {cneg:?} {cpos:?} Rust {rneg:?} {rpos:?} "
        );
    }
    if cmid != rmid || cafter != rafter {
        let _ = write!(
            diff,
            "pulse C mid {cmid} {cafter:02x?} Rust mid {rmid} {rafter:02x?} "
        );
    }
    match skip {
        Some((output, kick)) => {
            cov.nop_pulses += 1;
            cov.nop_pulse_kicks += u64::from(kick);
            cov.nop_pulse_dips +=
                u64::from(u32::from(before[usize::from(irq >> 3) * 8 + 7]) != output);
            let pos = ShimFx {
                kicks: u32::from(kick),
                ..ShimFx::default()
            };
            if cafter != before
                || rafter != before
                || u32::from(cmid) != output
                || u32::from(rmid) != output
                || cneg != ShimFx::default()
                || rneg != Effects::default()
                || cpos != pos
                || rpos
                    != (Effects {
                        kick,
                        ..Effects::default()
                    })
            {
                let _ = write!(
                    diff,
                    "pair test skips a pair that changes something or says wrongly \
                     (output {output} kick {kick}): "
                );
            }
        }
        None => {
            cov.call_pulses += 1;
            if cafter == before {
                let _ = write!(diff, "pair test calls for a pair that changes nothing: ");
            }
        }
    }
    if diff.is_empty() {
        None
    } else {
        Some(format!("pulse on IRQ {irq}: {diff}"))
    }
}

fn cover(cov: &mut Coverage, fx: &ShimFx) {
    cov.kicks += u64::from(fx.kicks);
    cov.dpci_eois += u64::from(fx.neoi);
    cov.unmasks += u64::from(fx.unmasks);
    cov.bugs += u64::from(fx.bug);
}

/// Runs one operation on both and returns a description of any difference.
pub fn step(c: &mut CVpic, v: &mut Vpic, op: &Op, cov: &mut Coverage) -> Option<String> {
    let mut diff = String::new();
    match *op {
        Op::PicIo {
            dir,
            port,
            bytes,
            val,
        } => {
            let (rc, cval, cfx) = c.pic_io(dir, port, bytes, val);
            cover(cov, &cfx);
            let r = v.pic_io(dir, port, bytes, val);
            cmp_io(&mut diff, rc, cval, &cfx, r);
        }
        Op::ElcrIo {
            dir,
            port,
            bytes,
            val,
        } => {
            let (rc, cval, cfx) = c.elcr_io(dir, port, bytes, val);
            cover(cov, &cfx);
            let r = v.elcr_io(dir, port, bytes, val);
            cmp_io(&mut diff, rc, cval, &cfx, r);
        }
        Op::Edge { positive, irq } => {
            let before = c.state();
            let skip = c.edge_changes_nothing(positive, irq);
            let cfx = c.edge(positive, irq);
            cover(cov, &cfx);
            let fx = if positive {
                v.irq_positive_edge(irq)
            } else {
                v.irq_negative_edge(irq)
            };
            if cfx.bug != 0 || !fx_matches(&cfx, &fx) {
                let _ = write!(diff, "effects C {cfx:?} Rust {fx:?}");
            }
            // Xen's shortcut: no call exactly where neither side changes
            // a byte nor has an effect.
            let unchanged = c.state() == before
                && v.to_bytes() == before
                && cfx == ShimFx::default()
                && fx == Effects::default();
            if skip {
                cov.nop_edges += 1;
                if !unchanged {
                    let _ = write!(diff, "shortcut skips an edge that changes something: ");
                }
            } else if irq < 16 {
                cov.call_edges += 1;
                if unchanged {
                    let _ = write!(diff, "shortcut calls for an edge that changes nothing: ");
                }
            }
        }
        Op::AckPending { accept } => {
            let (cr, cfx) = c.ack_pending_irq(accept);
            cover(cov, &cfx);
            cov.vectors += u64::from(cr >= 0);
            let r = v
                .ack_pending_irq(accept)
                .map(|a| (a.vector.map(i64::from), a.fx));
            cmp_irq(&mut diff, cr, &cfx, r);
        }
        Op::Intack { idx } => {
            let (cr, cfx) = c.intack(idx);
            cover(cov, &cfx);
            let r = v.intack(idx).map(|a| (a.irq.map(i64::from), a.fx));
            cmp_irq(&mut diff, cr, &cfx, r);
        }
        Op::Highest { idx } => {
            let cr = c.highest(idx);
            let r = v.get_highest_priority_irq(idx).map_or(-1, i32::from);
            if cr != r {
                let _ = write!(diff, "highest C {cr} Rust {r}");
            }
        }
        Op::SaveLoad => {
            let (rc, cb) = c.save();
            let rb = v.to_bytes();
            if rc != 0 || cb != rb {
                let _ = write!(diff, "save C rc {rc} {cb:02x?} Rust {rb:02x?}");
            }
            let rc = c.load(&cb);
            *v = Vpic::from_bytes(cb);
            if rc != 0 {
                let _ = write!(diff, "load rc {rc}");
            }
        }
        Op::Load { rec } => {
            if c.load(&rec) != 0 {
                let _ = write!(diff, "load failed");
            }
            *v = Vpic::from_bytes(rec);
        }
        Op::Reset => {
            c.reset();
            v.reset();
        }
    }
    let cs = c.state();
    let rs = v.to_bytes();
    if cs != rs {
        let _ = write!(diff, " state C {cs:02x?} Rust {rs:02x?}");
    }
    if diff.is_empty() {
        None
    } else {
        Some(diff)
    }
}

fn cmp_io(diff: &mut String, rc: i32, cval: u32, cfx: &ShimFx, r: Result<Io, Bug>) {
    match r {
        Ok(io) => {
            if cfx.bug != 0 || rc != 0 || cval != io.val || !fx_matches(cfx, &io.fx) {
                let _ = write!(
                    diff,
                    "io C rc {rc} val {cval:#x} {cfx:?} Rust val {:#x} {:?}",
                    io.val, io.fx
                );
            }
        }
        Err(Bug) => {
            if cfx.bug == 0 {
                let _ = write!(diff, "io C rc {rc} val {cval:#x} {cfx:?} Rust Bug");
            }
        }
    }
}

type IrqOut = Result<(Option<i64>, Effects), Bug>;

fn cmp_irq(diff: &mut String, cr: i32, cfx: &ShimFx, r: IrqOut) {
    match r {
        Ok((o, fx)) => {
            let rv = o.unwrap_or(-1);
            if cfx.bug != 0 || i64::from(cr) != rv || !fx_matches(cfx, &fx) {
                let _ = write!(diff, "irq C {cr} {cfx:?} Rust {rv} {fx:?}");
            }
        }
        Err(Bug) => {
            if cfx.bug == 0 {
                let _ = write!(diff, "irq C {cr} {cfx:?} Rust Bug");
            }
        }
    }
}

/// Outcome of a differential run.
#[derive(Debug, Default)]
pub struct Report {
    pub ops: u64,
    pub divergences: u64,
    pub coverage: Coverage,
    /// The first few divergences, with the op index and the operations
    /// since the last reset/load (to turn into a regression test).
    pub first: Vec<String>,
}

/// Every edge (IRQs 0..15, both directions) from each of `n` arbitrary
/// records drawn from `seed` (as [`Op::Load`] draws them: mostly 0/1
/// outputs, the `is_master` bits right), through both implementations and
/// Xen's shortcut test (see [`step`]); and, first, the falling-then-rising
/// pair on each IRQ from the record and from the record with both outputs
/// as vpic.c computes them (see [`check_pulse`]).
pub fn run_edges(seed: u64, n: u64) -> Report {
    let _g = C_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let mut c = CVpic::new();
    let mut r = Rng::new(seed);
    let mut rep = Report::default();
    for i in 0..n {
        let mut rec = [0u8; 16];
        for b in rec.iter_mut() {
            *b = r.byte();
        }
        // Sparser IMRs and ISRs now and then, so that more lines are open
        // and fewer blocked by what is in service.
        if r.chance(50) {
            rec[1] &= r.byte();
            rec[9] &= r.byte();
            rec[2] &= r.byte() & r.byte();
            rec[10] &= r.byte() & r.byte();
        }
        if r.chance(80) {
            rec[7] &= 1;
            rec[15] &= 1;
        }
        rec[5] |= vpic::FLAG_IS_MASTER;
        rec[13] &= !vpic::FLAG_IS_MASTER;
        // The pairs also from the record with both outputs as vpic.c
        // computes them (random outputs rarely are), where they fall and
        // rise more often.
        c.load(&rec);
        let mut consistent = rec;
        for idx in 0..2 {
            let init = Vpic::from_bytes(rec).pic[idx].init_state();
            consistent[idx * 8 + 7] = u8::from(init == 0 && c.highest(idx) >= 0);
        }
        for irq in 0..16u8 {
            for from in [rec, consistent] {
                c.load(&from);
                let v = Vpic::from_bytes(from);
                if let Some(d) = check_pulse(&mut c, &v, irq, &mut rep.coverage) {
                    rep.divergences += 1;
                    if rep.first.len() < 10 {
                        rep.first
                            .push(format!("record {i}: from state {from:02x?}: {d}"));
                    }
                }
            }
            for positive in [false, true] {
                let op = Op::Edge { positive, irq };
                c.load(&rec);
                let mut v = Vpic::from_bytes(rec);
                rep.ops += 1;
                if let Some(d) = step(&mut c, &mut v, &op, &mut rep.coverage) {
                    rep.divergences += 1;
                    if rep.first.len() < 10 {
                        rep.first
                            .push(format!("record {i}: {op:?} from state {rec:02x?}: {d}"));
                    }
                }
            }
        }
    }
    rep
}

/// Runs `n` random operations from `seed` on both implementations.
pub fn run(seed: u64, n: u64) -> Report {
    let _g = C_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let mut c = CVpic::new();
    let mut v = Vpic::new();
    let mut r = Rng::new(seed);
    let mut rep = Report::default();
    let mut history: Vec<Op> = Vec::new();
    for i in 0..n {
        let op = gen_op(&mut r);
        if matches!(op, Op::Reset | Op::Load { .. }) {
            history.clear();
        }
        history.push(op);
        if history.len() > 64 {
            history.remove(0);
        }
        let before = v.to_bytes();
        rep.ops += 1;
        // Before every edge on IRQs 0..15: pt_update_irq()'s pair on that
        // IRQ, from here (both sides left as they are).
        let pulse = match op {
            Op::Edge { irq, .. } if irq < 16 => check_pulse(&mut c, &v, irq, &mut rep.coverage),
            _ => None,
        };
        let d = step(&mut c, &mut v, &op, &mut rep.coverage);
        if let Some(d) = match (pulse, d) {
            (Some(p), Some(d)) => Some(p + &d),
            (p, d) => p.or(d),
        } {
            rep.divergences += 1;
            if rep.first.len() < 10 {
                rep.first.push(format!(
                    "op {i}: {op:?} from state {before:02x?}: {d}\n  recent ops: {history:?}"
                ));
            }
            // Resynchronise on C's state and carry on.
            v = Vpic::from_bytes(c.state());
        }
    }
    rep
}
