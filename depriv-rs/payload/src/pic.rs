//! HVM_DEPRIV_REQ_PIC_IO: a guest access to the PIC or ELCR ports,
//! HVM_DEPRIV_REQ_PIC_ACK: an interrupt acknowledge, and
//! HVM_DEPRIV_REQ_PIC_EDGE: an edge on an ISA IRQ line, run by
//! the `vpic` emulator on the domain's PIC records in the state page.

use abi::{hvm_depriv_pic_out, hvm_depriv_state_page};
use vpic::{Dir, Vpic};

use crate::reply::{Refused, Reply};
use crate::trap;

const _: () = assert!(core::mem::size_of::<Vpic>() == 16);

fn pics() -> &'static mut Vpic {
    let state = abi::va::STATE as *mut hvm_depriv_state_page;
    // SAFETY: the state page is mapped read-write for this domain at
    // HVM_DEPRIV_VA_STATE for the whole call, and Xen holds the domain's
    // PIC lock around it, so nothing else uses these bytes meanwhile.
    // `Vpic` is 16 bytes of plain `u8` fields (alignment 1, any bit pattern
    // valid), exactly the `vpic` array it overlays.
    unsafe { &mut *(core::ptr::addr_of_mut!((*state).vpic) as *mut Vpic) }
}

/// Hand the operation's outcome to Xen: `val` and the effects for it to
/// carry out, in the state page.
fn hand_over(val: u32, fx: &vpic::Effects) {
    let state = abi::va::STATE as *mut hvm_depriv_state_page;
    let out = hvm_depriv_pic_out {
        val,
        dpci_eoi: fx.dpci_eoi,
        kick: u8::from(fx.kick),
        may_unmask: u8::from(fx.may_unmask),
    };
    // SAFETY: as in `pics`; a plain store of a plain struct.
    unsafe { core::ptr::addr_of_mut!((*state).pic_out).write_volatile(out) };
}

/// HVM_DEPRIV_REQ_PIC_ACK: `accept` is vlapic_accept_pic_intr().
pub fn ack(accept: u64) -> Reply {
    if accept != 0 && trap::PIC_ACK_STUCK.armed() {
        // No vector, and the output left high: what no 8259 does.
        pics().pic[0].int_output = 1;
        hand_over(0, &vpic::Effects::default());
        return Ok(i64::from(abi::HVM_DEPRIV_PIC_NO_VECTOR));
    }
    let a = pics().ack_pending_irq(accept != 0)?;
    hand_over(0, &a.fx);
    Ok(match a.vector {
        Some(v) => i64::from(v),
        None => i64::from(abi::HVM_DEPRIV_PIC_NO_VECTOR),
    })
}

/// HVM_DEPRIV_REQ_PIC_EDGE: `irq` 0..15, `positive` 1 or 0.
pub fn edge(irq: u64, positive: u64) -> Reply {
    if irq > 15 || positive > 1 || trap::PIC_BAD_EDGE.take() {
        return Err(Refused);
    }
    let pics = pics();
    let fx = if positive != 0 {
        pics.irq_positive_edge(irq as u8)
    } else {
        pics.irq_negative_edge(irq as u8)
    };
    hand_over(0, &fx);
    Ok(0)
}

/// `port`, `size_dir` (bytes | IO_WRITE), `val`: see the ABI header.
pub fn io(port: u64, size_dir: u64, val: u64) -> Reply {
    let dir = if size_dir & abi::req::IO_WRITE != 0 {
        Dir::Write
    } else {
        Dir::Read
    };
    let bytes = (size_dir & 0xff) as u32;
    let (port, val) = (port as u32, val as u32);

    let pics = pics();

    let io = match port {
        vpic::ELCR_MASTER | vpic::ELCR_SLAVE => pics.elcr_io(dir, port, bytes, val),
        _ => pics.pic_io(dir, port, bytes, val),
    }?;
    hand_over(io.val, &io.fx);
    Ok(0)
}
