//! Operation streams against the vPIC: no input may panic, and no
//! operation may change what is not the guest's to change (`is_master`,
//! the unnamed bit of the flags byte).
//!
//! Input: 16 bytes of initial state (any record, as `vpic_load` accepts),
//! then 4-byte operations `[kind, a, b, c]`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vpic::{Dir, Effects, Vpic};

fuzz_target!(|data: &[u8]| {
    let (init, ops) = data.split_at(data.len().min(16));
    let mut rec = [0u8; 16];
    rec[..init.len()].copy_from_slice(init);
    let mut v = Vpic::from_bytes(rec);
    let fixed = |v: &Vpic| (v.pic[0].flags & 0xc0, v.pic[1].flags & 0xc0);
    let mut before = fixed(&v);
    for op in ops.chunks_exact(4) {
        let (kind, a, b, c) = (op[0], op[1], op[2], op[3]);
        let val = u32::from_le_bytes([b, c, a, kind]);
        let dir = if a & 0x80 != 0 { Dir::Write } else { Dir::Read };
        let bytes = u32::from(a & 7);
        let mut fx = Effects::default();
        match kind % 10 {
            0 => {
                let port = [0x20, 0x21, 0xa0, 0xa1][usize::from(a & 3)];
                let _ = v.pic_io(Dir::Write, port, 1, u32::from(b));
            }
            1 => {
                let port = [0x20, 0x21, 0xa0, 0xa1][usize::from(a & 3)];
                let _ = v.pic_io(Dir::Read, port, 1, 0);
            }
            2 => {
                let _ = v.pic_io(dir, u32::from(u16::from_le_bytes([b, c])), bytes, val);
            }
            3 => {
                let _ = v.elcr_io(dir, 0x4d0 | u32::from(b & 1), bytes, val);
            }
            4 => fx = v.irq_positive_edge(b),
            5 => fx = v.irq_negative_edge(b),
            6 => {
                if let Ok(a) = v.ack_pending_irq(b & 1 != 0) {
                    fx = a.fx;
                }
            }
            7 => {
                if let Ok(a) = v.intack(usize::from(b)) {
                    fx = a.fx;
                }
            }
            8 => {
                let _ = v.get_highest_priority_irq(usize::from(b));
            }
            _ => {
                if b & 1 != 0 {
                    v.reset();
                } else {
                    v = Vpic::from_bytes(v.to_bytes());
                }
            }
        }
        let _ = fx;
        if kind % 10 == 9 {
            before = fixed(&v);
        }
        assert_eq!(fixed(&v), before, "an operation changed is_master/bit 7");
    }
});
