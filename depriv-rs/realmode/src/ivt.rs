//! Delivery of an exception or software interrupt through the real-mode
//! IVT, as Xen's `realmode_deliver_exception()` (hvm/vmx/realmode.c) does
//! for events raised while emulating a real-mode guest: `emulate_one()`
//! reports INT n/INT3/INTO and faults as [`Outcome::Exception`]; the
//! caller then runs this (or injects the event by other means).

use crate::ops::{Fault, Ops};
use crate::state::{eflags, CpuState, Seg, EXC_GP};

/// Xen's TRAP_double_fault.
const EXC_DF: u8 = 8;

/// Result of [`deliver_realmode_event`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Delivery {
    /// CS:IP now point at the handler; `vector` is the one delivered
    /// (it differs from the request after an IVT limit fault).
    Delivered { vector: u8 },
    /// #GP then #DF could not be delivered either (Xen: hvm_triple_fault()).
    TripleFault,
}

/// Deliver `vector` through the IVT at IDTR.base. `insn_len` is the
/// length of a software-interrupt instruction (0 for faults): the pushed
/// return IP is IP + insn_len. An IVT entry beyond IDTR.limit (or
/// unreadable) turns a software interrupt into #GP, #GP into #DF, #DF
/// into a triple fault, anything else into #GP. The 6-byte frame (IP, CS,
/// FLAGS) goes to SS:SP-6 (ESP if SS.B); as in Xen, a failed frame write
/// is ignored. Registers are committed only on success.
pub fn deliver_realmode_event<O: Ops>(
    state: &mut CpuState,
    ops: &mut O,
    vector: u8,
    insn_len: u8,
) -> Result<Delivery, Fault> {
    let idtr = ops.read_segment(Seg::Idtr)?;
    let mut cs = ops.read_segment(Seg::Cs)?;
    let ss = ops.read_segment(Seg::Ss)?;
    let mut vector = vector;
    let mut insn_len = insn_len;
    let mut cs_eip = [0u8; 4];
    // At most: swint -> #GP -> #DF -> triple fault.
    let mut found = false;
    for _ in 0..4 {
        let last_byte = u32::from(vector) * 4 + 3;
        if idtr.limit >= last_byte
            && ops
                .read(Seg::Idtr, u64::from(vector) * 4, &mut cs_eip)
                .is_ok()
        {
            found = true;
            break;
        }
        if insn_len != 0 {
            insn_len = 0;
            vector = EXC_GP;
            continue;
        }
        vector = match vector {
            EXC_DF => return Ok(Delivery::TripleFault),
            EXC_GP => EXC_DF,
            _ => EXC_GP,
        };
    }
    if !found {
        return Ok(Delivery::TripleFault);
    }
    let target = u32::from_le_bytes(cs_eip);
    let mut r = *state;
    let ip = (r.eip.wrapping_add(u32::from(insn_len))) as u16;
    let flags = (r.eflags & !eflags::RF) as u16;
    let mut frame = [0u8; 6];
    for (dst, v) in frame.chunks_exact_mut(2).zip([ip, cs.sel, flags]) {
        dst.copy_from_slice(&v.to_le_bytes());
    }
    let sp = r.reg(4);
    let pstk = if ss.attr & 0x4000 != 0 {
        let n = sp.wrapping_sub(6);
        r.set_reg(4, n);
        n
    } else {
        let n = sp.wrapping_sub(6) & 0xffff;
        r.set_reg(4, (sp & 0xffff_0000) | n);
        n
    };
    // Xen writes the frame with hvm_copy_to_guest_phys() and ignores
    // the result.
    let _ = ops.write(Seg::Ss, u64::from(pstk), &frame);
    cs.sel = (target >> 16) as u16;
    cs.base = u64::from(cs.sel) << 4;
    ops.write_segment(Seg::Cs, &cs)?;
    r.eip = target & 0xffff;
    r.eflags &= !(eflags::TF | eflags::IF | eflags::RF);
    *state = r;
    Ok(Delivery::Delivered { vector })
}
