//! Xen's virtual 8259A PIC pair, as `xen/arch/x86/hvm/vpic.c` (Xen 4.17) behaves.
//!
//! Not "an 8259A": *Xen's* 8259A, quirks included, because a guest must not
//! see a difference when the emulation runs deprivileged.  The state is
//! Xen's own save record, `struct hvm_hw_vpic` (public `save.h`, PIC type 3),
//! two of them (master, slave) exactly as in `d->arch.hvm.vpic[2]`, so a PIC
//! saved by stock Xen loads here and back unchanged.
//!
//! Every operation is a pure function of the state and its inputs and
//! returns what Xen must do afterwards ([`Effects`]): the crate calls
//! nothing.  No operation can panic, whatever the state and inputs (all
//! indexing is through `get`, shifts are masked, arithmetic is wrapping);
//! a condition on which Xen's C would `BUG()` is returned as [`Bug`].
//!
//! What a guest writes is decoded before it is acted on: the port into a
//! [`Port`], a command byte into a [`Command`] (ICW1, [`Ocw2`], [`Ocw3`]),
//! a data byte by where the init sequence stands ([`DataWord`]).
#![no_std]
// The payload rules (docs/design.md, 2.3): every potential panic in code the payload links
// is visible in review.  Its tests are exempt (see the workspace Cargo.toml).
#![cfg_attr(
    not(test),
    warn(
        clippy::indexing_slicing,
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic
    )
)]
#![forbid(unsafe_code)]
// No arithmetic that could panic on overflow in a checked build (the fuzz
// target runs with overflow checks): every operation wraps or is masked.
#![deny(clippy::arithmetic_side_effects)]

use core::mem::{offset_of, size_of};
use static_assertions::{const_assert, const_assert_eq};

/// Index of the master PIC in [`Vpic::pic`] (`d->arch.hvm.vpic[0]`).
pub const MASTER: usize = 0;
/// Index of the slave PIC in [`Vpic::pic`] (`d->arch.hvm.vpic[1]`).
pub const SLAVE: usize = 1;

/// Master command/status port (A0 = 0).
pub const PIC_MASTER_CMD: u32 = 0x20;
/// Master data port (A0 = 1).
pub const PIC_MASTER_DATA: u32 = 0x21;
/// Slave command/status port (A0 = 0).
pub const PIC_SLAVE_CMD: u32 = 0xa0;
/// Slave data port (A0 = 1).
pub const PIC_SLAVE_DATA: u32 = 0xa1;
/// Edge/Level Control Register of the master (IRQ 0-7).
pub const ELCR_MASTER: u32 = 0x4d0;
/// Edge/Level Control Register of the slave (IRQ 8-15).
pub const ELCR_SLAVE: u32 = 0x4d1;

/// Command port write with D4 set: ICW1, starts the init sequence.
pub const ICW1_INIT: u8 = 0x10;
/// ICW1.IC4: ICW4 follows.
pub const ICW1_IC4: u8 = 0x01;
/// ICW1.SNGL: single PIC, no ICW3.
pub const ICW1_SNGL: u8 = 0x02;
/// Command port write with D4 clear and D3 set: OCW3.
pub const OCW3_SELECT: u8 = 0x08;
/// OCW3.RR + RIS: read register command (RIS=1: ISR).
pub const OCW3_RR: u8 = 0x02;
/// OCW3.RIS: read ISR rather than IRR.
pub const OCW3_RIS: u8 = 0x01;
/// OCW3.P: poll command.
pub const OCW3_POLL: u8 = 0x04;
/// OCW3.ESMM: enable the special-mask-mode bit.
pub const OCW3_ESMM: u8 = 0x40;
/// OCW3.SMM: special mask mode (with ESMM).
pub const OCW3_SMM: u8 = 0x20;
/// ICW4.AEOI: automatic end of interrupt.
pub const ICW4_AEOI: u8 = 0x02;
/// ICW4.SFNM: special fully nested mode.
pub const ICW4_SFNM: u8 = 0x10;

/// OCW2 commands (R, SL, EOI in bits 7..5).
pub mod ocw2 {
    /// Rotate in automatic EOI mode (clear).
    pub const ROTATE_AEOI_CLEAR: u8 = 0 << 5;
    /// Non-specific EOI.
    pub const EOI: u8 = 1 << 5;
    /// No operation.
    pub const NOP: u8 = 2 << 5;
    /// Specific EOI (L2..L0 in bits 2..0).
    pub const SPECIFIC_EOI: u8 = 3 << 5;
    /// Rotate in automatic EOI mode (set).
    pub const ROTATE_AEOI_SET: u8 = 4 << 5;
    /// Rotate on non-specific EOI.
    pub const ROTATE_EOI: u8 = 5 << 5;
    /// Set priority (L2..L0 becomes the lowest priority).
    pub const SET_PRIORITY: u8 = 6 << 5;
    /// Rotate on specific EOI.
    pub const ROTATE_SPECIFIC_EOI: u8 = 7 << 5;
}

/// The register of a PIC a port selects, by address line A0 (port bit 0).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Port {
    /// A0 = 0 (0x20, 0xa0): ICW1, OCW2 and OCW3 in; IRR, ISR in out.
    Command,
    /// A0 = 1 (0x21, 0xa1): ICW2..ICW4 during an init sequence, else
    /// OCW1 (the IMR), both ways.
    Data,
}

impl Port {
    /// The register `port` selects.
    pub fn of(port: u32) -> Self {
        if port & 1 == 0 {
            Port::Command
        } else {
            Port::Data
        }
    }
}

/// A byte written to the command register, told apart by D4 and D3.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Command {
    /// D4 = 1: ICW1, which starts an init sequence.
    Icw1 {
        /// ICW1.IC4: an ICW4 follows.
        ic4: bool,
        /// ICW1.SNGL: a single PIC, no ICW3 follows.
        sngl: bool,
    },
    /// D4 = 0, D3 = 1.
    Ocw3(Ocw3),
    /// D4 = 0, D3 = 0.
    Ocw2(Ocw2),
}

impl Command {
    /// Decodes a command-register write.
    pub fn decode(val: u8) -> Self {
        if val & ICW1_INIT != 0 {
            Command::Icw1 {
                ic4: val & ICW1_IC4 != 0,
                sngl: val & ICW1_SNGL != 0,
            }
        } else if val & OCW3_SELECT != 0 {
            Command::Ocw3(Ocw3::decode(val))
        } else {
            Command::Ocw2(Ocw2::decode(val))
        }
    }
}

/// What a read of the command register returns (OCW3 RR/RIS).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReadRegister {
    /// RIS = 0: the interrupt request register.
    Irr,
    /// RIS = 1: the in-service register.
    Isr,
}

/// OCW3: three independent requests, each optional.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ocw3 {
    /// P: the next read is a poll.
    pub poll: bool,
    /// RR set: the register later command-register reads return.
    pub read: Option<ReadRegister>,
    /// ESMM set: special mask mode on (SMM = 1) or off.
    pub special_mask: Option<bool>,
}

impl Ocw3 {
    /// Decodes an OCW3 byte (D4 = 0, D3 = 1).
    pub fn decode(val: u8) -> Self {
        let read = if val & OCW3_RIS != 0 {
            ReadRegister::Isr
        } else {
            ReadRegister::Irr
        };
        Ocw3 {
            poll: val & OCW3_POLL != 0,
            read: (val & OCW3_RR != 0).then_some(read),
            special_mask: (val & OCW3_ESMM != 0).then_some(val & OCW3_SMM != 0),
        }
    }
}

/// OCW2, by R, SL and EOI (bits 7..5; the [`ocw2`] constants): the eight
/// commands, with the rotate variants folded into a flag.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ocw2 {
    /// x00: rotate in automatic EOI mode, set (R = 1) or clear.
    RotateOnAutoEoi {
        /// R: set rather than clear.
        set: bool,
    },
    /// x01: EOI for the highest priority in-service IR.
    NonSpecificEoi {
        /// R: that IR becomes the lowest priority.
        rotate: bool,
    },
    /// 010.
    Nop,
    /// x11: EOI for IR `level` (L2..L0).
    SpecificEoi {
        /// L2..L0.
        level: u8,
        /// R: that IR becomes the lowest priority.
        rotate: bool,
    },
    /// 110: IR `level` (L2..L0) becomes the lowest priority.
    SetPriority {
        /// L2..L0.
        level: u8,
    },
}

impl Ocw2 {
    /// Decodes an OCW2 byte (D4 = 0, D3 = 0).
    pub fn decode(val: u8) -> Self {
        let level = val & 7;
        match val & 0xe0 {
            ocw2::ROTATE_AEOI_CLEAR => Ocw2::RotateOnAutoEoi { set: false },
            ocw2::ROTATE_AEOI_SET => Ocw2::RotateOnAutoEoi { set: true },
            ocw2::EOI => Ocw2::NonSpecificEoi { rotate: false },
            ocw2::ROTATE_EOI => Ocw2::NonSpecificEoi { rotate: true },
            ocw2::SPECIFIC_EOI => Ocw2::SpecificEoi {
                level,
                rotate: false,
            },
            ocw2::ROTATE_SPECIFIC_EOI => Ocw2::SpecificEoi {
                level,
                rotate: true,
            },
            ocw2::SET_PRIORITY => Ocw2::SetPriority { level },
            _ => Ocw2::Nop,
        }
    }
}

/// What a byte written to the data register is: where the init sequence
/// stands (`init_state` bits 1..0).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DataWord {
    /// No init sequence in progress: OCW1, the IMR.
    Ocw1,
    /// ICW2: the vector base.
    Icw2,
    /// ICW3: the cascade wiring.
    Icw3,
    /// ICW4: the mode.
    Icw4,
}

/// Xen's `struct hvm_hw_vpic`, byte for byte (x86-64 SysV bit-field layout,
/// which allocates bit-fields from the least significant bit).
///
/// Bytes 4 and 5 hold the C bit-fields; they are kept as raw bytes (the
/// unnamed bit 7 of byte 5 included) so that any record Xen saved comes
/// back unchanged, and are read and written through the accessors.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct HvmHwVpic {
    /// Interrupt request register.
    pub irr: u8,
    /// Interrupt mask register (OCW1).
    pub imr: u8,
    /// In-service register.
    pub isr: u8,
    /// Line IRx maps to vector `irq_base + x` (ICW2, bits 7..3).
    pub irq_base: u8,
    /// `init_state:4` (bits 3..0) and `priority_add:4` (bits 7..4).
    pub init_prio: u8,
    /// `readsel_isr:1`, `poll:1`, `auto_eoi:1`, `rotate_on_auto_eoi:1`,
    /// `special_fully_nested_mode:1`, `special_mask_mode:1`, `is_master:1`
    /// (bits 0..6; bit 7 unnamed).
    pub flags: u8,
    /// Edge/level trigger selection.
    pub elcr: u8,
    /// Virtual INT output (a full byte in the record, compared as such).
    pub int_output: u8,
}

/// Bit-field positions inside [`HvmHwVpic::init_prio`].
pub const INIT_STATE_SHIFT: u32 = 0;
/// Width of `init_state`.
pub const INIT_STATE_MASK: u8 = 0x0f;
/// `init_state` bits 1..0: the next ICW expected at A0 = 1 (0 = none).
pub const INIT_NEXT_MASK: u8 = 0x03;
/// `init_state` bit 2: ICW1.IC4, an ICW4 will follow.
pub const INIT_IC4: u8 = 1 << 2;
/// `init_state` bit 3: ICW1.SNGL, no ICW3 will follow.
pub const INIT_SNGL: u8 = 1 << 3;
/// Position of `priority_add`.
pub const PRIORITY_ADD_SHIFT: u32 = 4;
/// Width of `priority_add` (4 bits in the record although Xen only ever
/// stores 0..7 in it).
pub const PRIORITY_ADD_MASK: u8 = 0x0f;

/// Bit positions inside [`HvmHwVpic::flags`].
pub const FLAG_READSEL_ISR: u8 = 1 << 0;
/// `poll`.
pub const FLAG_POLL: u8 = 1 << 1;
/// `auto_eoi`.
pub const FLAG_AUTO_EOI: u8 = 1 << 2;
/// `rotate_on_auto_eoi`.
pub const FLAG_ROTATE_ON_AUTO_EOI: u8 = 1 << 3;
/// `special_fully_nested_mode`.
pub const FLAG_SPECIAL_FULLY_NESTED_MODE: u8 = 1 << 4;
/// `special_mask_mode`.
pub const FLAG_SPECIAL_MASK_MODE: u8 = 1 << 5;
/// `is_master`.
pub const FLAG_IS_MASTER: u8 = 1 << 6;

const_assert_eq!(size_of::<HvmHwVpic>(), 8);
const_assert_eq!(core::mem::align_of::<HvmHwVpic>(), 1);
const_assert_eq!(offset_of!(HvmHwVpic, irr), 0);
const_assert_eq!(offset_of!(HvmHwVpic, imr), 1);
const_assert_eq!(offset_of!(HvmHwVpic, isr), 2);
const_assert_eq!(offset_of!(HvmHwVpic, irq_base), 3);
const_assert_eq!(offset_of!(HvmHwVpic, init_prio), 4);
const_assert_eq!(offset_of!(HvmHwVpic, flags), 5);
const_assert_eq!(offset_of!(HvmHwVpic, elcr), 6);
const_assert_eq!(offset_of!(HvmHwVpic, int_output), 7);
// The two 4-bit fields tile byte 4; the seven flags are distinct bits 0..6.
const_assert_eq!(
    (INIT_STATE_MASK << INIT_STATE_SHIFT) | (PRIORITY_ADD_MASK << PRIORITY_ADD_SHIFT),
    0xff
);
const_assert_eq!(
    (INIT_STATE_MASK << INIT_STATE_SHIFT) & (PRIORITY_ADD_MASK << PRIORITY_ADD_SHIFT),
    0
);
const_assert_eq!(
    FLAG_READSEL_ISR
        | FLAG_POLL
        | FLAG_AUTO_EOI
        | FLAG_ROTATE_ON_AUTO_EOI
        | FLAG_SPECIAL_FULLY_NESTED_MODE
        | FLAG_SPECIAL_MASK_MODE
        | FLAG_IS_MASTER,
    0x7f
);
// Each bit-field where the x86-64 SysV ABI puts it (allocated from bit 0 of
// the byte, in declaration order); difftest-vpic checks the same against the
// C compiler's layout of Xen's header.
const_assert!(INIT_STATE_SHIFT == 0 && INIT_STATE_MASK == 0x0f);
const_assert!(PRIORITY_ADD_SHIFT == 4 && PRIORITY_ADD_MASK == 0x0f);
const_assert_eq!(FLAG_READSEL_ISR, 1 << 0);
const_assert_eq!(FLAG_POLL, 1 << 1);
const_assert_eq!(FLAG_AUTO_EOI, 1 << 2);
const_assert_eq!(FLAG_ROTATE_ON_AUTO_EOI, 1 << 3);
const_assert_eq!(FLAG_SPECIAL_FULLY_NESTED_MODE, 1 << 4);
const_assert_eq!(FLAG_SPECIAL_MASK_MODE, 1 << 5);
const_assert_eq!(FLAG_IS_MASTER, 1 << 6);

// ICW1 writes IC4 and SNGL into `init_state` bits 2 and 3 (Xen: `(val &
// 3) << 2`).
const_assert_eq!(INIT_IC4, ICW1_IC4 << 2);
const_assert_eq!(INIT_SNGL, ICW1_SNGL << 2);
const_assert_eq!(INIT_NEXT_MASK & (INIT_IC4 | INIT_SNGL), 0);

/// Xen's `VPIC_PRIO_NONE`: no bit set in the mask.
const PRIO_NONE: u32 = 8;

impl HvmHwVpic {
    /// Size of the save record.
    pub const SIZE: usize = 8;

    /// `init_state`: 0 = no init in progress; bits 1..0 = next ICW at A0=1,
    /// bit 2 = ICW1.IC4, bit 3 = ICW1.SNGL.
    pub fn init_state(&self) -> u8 {
        (self.init_prio >> INIT_STATE_SHIFT) & INIT_STATE_MASK
    }
    /// Stores the low 4 bits of `v`, as a C bit-field assignment does.
    pub fn set_init_state(&mut self, v: u8) {
        self.init_prio = (self.init_prio & !(INIT_STATE_MASK << INIT_STATE_SHIFT))
            | ((v & INIT_STATE_MASK) << INIT_STATE_SHIFT);
    }
    /// `priority_add`: the IR line with the highest priority.
    pub fn priority_add(&self) -> u8 {
        (self.init_prio >> PRIORITY_ADD_SHIFT) & PRIORITY_ADD_MASK
    }
    /// Stores the low 4 bits of `v`.
    pub fn set_priority_add(&mut self, v: u8) {
        self.init_prio = (self.init_prio & !(PRIORITY_ADD_MASK << PRIORITY_ADD_SHIFT))
            | ((v & PRIORITY_ADD_MASK) << PRIORITY_ADD_SHIFT);
    }
    fn flag(&self, f: u8) -> bool {
        self.flags & f != 0
    }
    fn set_flag(&mut self, f: u8, on: bool) {
        if on {
            self.flags |= f;
        } else {
            self.flags &= !f;
        }
    }
    /// `readsel_isr`: reads at A0=0 return ISR rather than IRR.
    pub fn readsel_isr(&self) -> bool {
        self.flag(FLAG_READSEL_ISR)
    }
    /// The register a command-register read returns (`readsel_isr`).
    pub fn read_register(&self) -> ReadRegister {
        if self.readsel_isr() {
            ReadRegister::Isr
        } else {
            ReadRegister::Irr
        }
    }
    /// What the next data-register write is (`init_state` bits 1..0).
    pub fn data_word(&self) -> DataWord {
        match self.init_state() & INIT_NEXT_MASK {
            0 => DataWord::Ocw1,
            1 => DataWord::Icw2,
            2 => DataWord::Icw3,
            _ => DataWord::Icw4,
        }
    }
    /// Sets `readsel_isr`.
    pub fn set_readsel_isr(&mut self, on: bool) {
        self.set_flag(FLAG_READSEL_ISR, on)
    }
    /// `poll`: the next read is a poll (interrupt acknowledge).
    pub fn poll(&self) -> bool {
        self.flag(FLAG_POLL)
    }
    /// Sets `poll`.
    pub fn set_poll(&mut self, on: bool) {
        self.set_flag(FLAG_POLL, on)
    }
    /// `auto_eoi` (ICW4.AEOI).
    pub fn auto_eoi(&self) -> bool {
        self.flag(FLAG_AUTO_EOI)
    }
    /// Sets `auto_eoi`.
    pub fn set_auto_eoi(&mut self, on: bool) {
        self.set_flag(FLAG_AUTO_EOI, on)
    }
    /// `rotate_on_auto_eoi` (OCW2 rotate in AEOI mode).
    pub fn rotate_on_auto_eoi(&self) -> bool {
        self.flag(FLAG_ROTATE_ON_AUTO_EOI)
    }
    /// Sets `rotate_on_auto_eoi`.
    pub fn set_rotate_on_auto_eoi(&mut self, on: bool) {
        self.set_flag(FLAG_ROTATE_ON_AUTO_EOI, on)
    }
    /// `special_fully_nested_mode` (ICW4.SFNM).
    pub fn special_fully_nested_mode(&self) -> bool {
        self.flag(FLAG_SPECIAL_FULLY_NESTED_MODE)
    }
    /// Sets `special_fully_nested_mode`.
    pub fn set_special_fully_nested_mode(&mut self, on: bool) {
        self.set_flag(FLAG_SPECIAL_FULLY_NESTED_MODE, on)
    }
    /// `special_mask_mode` (OCW3.SMM).
    pub fn special_mask_mode(&self) -> bool {
        self.flag(FLAG_SPECIAL_MASK_MODE)
    }
    /// Sets `special_mask_mode`.
    pub fn set_special_mask_mode(&mut self, on: bool) {
        self.set_flag(FLAG_SPECIAL_MASK_MODE, on)
    }
    /// `is_master` (not programmable; set by `vpic_reset`).
    pub fn is_master(&self) -> bool {
        self.flag(FLAG_IS_MASTER)
    }
    /// Sets `is_master`.
    pub fn set_is_master(&mut self, on: bool) {
        self.set_flag(FLAG_IS_MASTER, on)
    }

    /// The record as Xen stores it.
    pub fn to_bytes(&self) -> [u8; 8] {
        [
            self.irr,
            self.imr,
            self.isr,
            self.irq_base,
            self.init_prio,
            self.flags,
            self.elcr,
            self.int_output,
        ]
    }
    /// A record as Xen stores it (every byte pattern is accepted, as
    /// `vpic_load` does).
    pub fn from_bytes(b: [u8; 8]) -> Self {
        let [irr, imr, isr, irq_base, init_prio, flags, elcr, int_output] = b;
        Self {
            irr,
            imr,
            isr,
            irq_base,
            init_prio,
            flags,
            elcr,
            int_output,
        }
    }

    /// Xen's `vpic_elcr_mask()`: the IRs whose trigger mode is programmable
    /// (master: IR0, IR1, IR2 fixed edge/cascade; slave: IR8 and IR13).
    fn elcr_mask(&self) -> u8 {
        if self.is_master() {
            0xf8
        } else {
            0xde
        }
    }

    /// Xen's `vpic_get_priority()`: the highest priority found in `mask`
    /// (0 = highest), [`PRIO_NONE`] if `mask` is empty.  Xen computes
    /// `ffs(mask ROR priority_add)` with an 8-bit `ror`, which rotates by the
    /// count modulo 8 — as `rotate_right` on a `u8` does.
    #[inline]
    fn get_priority(&self, mask: u8) -> u32 {
        if mask == 0 {
            return PRIO_NONE;
        }
        mask.rotate_right(u32::from(self.priority_add()))
            .trailing_zeros()
    }

    /// Whether [`get_highest_priority_irq`](Self::get_highest_priority_irq)
    /// finds an IR, without naming it: whether some unmasked request has a
    /// higher priority than every in-service IR that counts.  Rotated by
    /// `priority_add`, priority order is bit order, and the requests of a
    /// higher priority than the lowest set bit of the in-service mask `cur`
    /// are those in `(cur - 1) & !cur` (all eight when `cur` is 0).
    #[inline]
    fn has_pending_irq(&self) -> bool {
        let pa = u32::from(self.priority_add());
        let req = (self.irr & !self.imr).rotate_right(pa);
        let mut isr = self.isr;
        if self.flags & (FLAG_SPECIAL_FULLY_NESTED_MODE | FLAG_SPECIAL_MASK_MODE) != 0 {
            // As get_highest_priority_irq(); the IR found is only named for
            // the special fully nested exception (with no request at all,
            // the answer is no whatever the mask).
            if self.special_mask_mode() {
                isr &= !self.imr;
            }
            if self.special_fully_nested_mode()
                && self.is_master()
                && req.trailing_zeros().wrapping_add(pa) & 7 == 2
            {
                isr &= !(1 << 2);
            }
        }
        let cur = isr.rotate_right(pa);
        req & cur.wrapping_sub(1) & !cur != 0
    }

    /// Xen's `vpic_get_highest_priority_irq()`: the IR (0..7) this PIC would
    /// raise now, or `None`.
    #[inline]
    pub fn get_highest_priority_irq(&self) -> Option<u8> {
        let priority = self.get_priority(self.irr & !self.imr);
        if priority == PRIO_NONE {
            return None;
        }
        let irq = (priority.wrapping_add(u32::from(self.priority_add())) & 7) as u8;

        // In special fully nested mode the master does not count the
        // slave's in-service IR2 against a new request from the slave; in
        // special mask mode masked in-service IRs do not block lower
        // priorities.
        let mut mask = self.isr;
        if self.special_fully_nested_mode() && self.is_master() && irq == 2 {
            mask &= !(1 << 2);
        }
        if self.special_mask_mode() {
            mask &= !self.imr;
        }
        let cur_priority = self.get_priority(mask);
        if priority < cur_priority {
            Some(irq)
        } else {
            None
        }
    }
}

/// What Xen must do after an operation (the side effects `vpic.c` performs
/// itself, in this order).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Effects {
    /// The master's INT output went low→high: `vcpu_kick()` the domain's
    /// `i8259_target` if it has one (`vpic_update_int_output`).
    pub kick: bool,
    /// ISA IRQs (bit n = IRQ n) whose EOI must be forwarded with
    /// `hvm_dpci_eoi(d, hvm_isa_irq_to_gsi(n))`, in ascending order: the
    /// EOI'd line of an OCW2 EOI, or every pending/in-service line an ICW1
    /// dropped.
    pub dpci_eoi: u16,
    /// An IR was unmasked or an init sequence completed:
    /// `pt_may_unmask_irq(d, NULL)`.
    pub may_unmask: bool,
}

/// A condition on which Xen's `vpic.c` would `BUG()` (only reachable from
/// an inconsistent loaded record, or an impossible access size): the
/// caller should treat the domain as broken.  The state may have been
/// partly updated, exactly as far as Xen got before its `BUG_ON`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bug;

/// Direction of an I/O access (`IOREQ_READ` = 0, `IOREQ_WRITE` = 1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dir {
    /// `IOREQ_READ`.
    Read,
    /// `IOREQ_WRITE`.
    Write,
}

/// Result of [`Vpic::intack`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Intack {
    /// The acknowledged IRQ, `None` if the INT line was low.
    pub irq: Option<u8>,
    /// What Xen must do now.
    pub fx: Effects,
}

/// Result of [`Vpic::ack_pending_irq`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Ack {
    /// The vector to inject, `None` if there is nothing to inject.
    pub vector: Option<u16>,
    /// What Xen must do now.
    pub fx: Effects,
}

/// Result of an intercepted port access.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Io {
    /// The access's data afterwards (`*val` in Xen's intercept handlers):
    /// the value read, or for a write the value unchanged (or `~0` when
    /// the size was rejected).
    pub val: u32,
    /// What Xen must do now.
    pub fx: Effects,
}

/// The domain's PIC pair: `d->arch.hvm.vpic[2]`, two save records and
/// nothing else, so that it can live in a page shared with Xen.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Vpic {
    /// `[MASTER]` and `[SLAVE]`.
    pub pic: [HvmHwVpic; 2],
}

const_assert_eq!(size_of::<Vpic>(), 16);
const_assert_eq!(core::mem::align_of::<Vpic>(), 1);

impl Vpic {
    /// State after `vpic_reset()`.
    pub fn new() -> Self {
        let mut v = Self::default();
        v.reset();
        v
    }

    /// Xen's `vpic_reset()`: everything zero, the master flagged as such
    /// with its IR2 (the cascade input) level triggered.
    pub fn reset(&mut self) {
        let mut master = HvmHwVpic::default();
        master.set_is_master(true);
        master.elcr = 1 << 2;
        self.pic = [master, HvmHwVpic::default()];
    }

    /// Both records as Xen saves them (`vpic_save`: instance 0, then 1).
    pub fn to_bytes(&self) -> [u8; 16] {
        let [m0, m1, m2, m3, m4, m5, m6, m7] = self.pic[0].to_bytes();
        let [s0, s1, s2, s3, s4, s5, s6, s7] = self.pic[1].to_bytes();
        [
            m0, m1, m2, m3, m4, m5, m6, m7, s0, s1, s2, s3, s4, s5, s6, s7,
        ]
    }

    /// Loads both records (`vpic_load` of instances 0 and 1; Xen checks
    /// nothing in them, neither does this).
    pub fn from_bytes(b: [u8; 16]) -> Self {
        let [m0, m1, m2, m3, m4, m5, m6, m7, s0, s1, s2, s3, s4, s5, s6, s7] = b;
        Self {
            pic: [
                HvmHwVpic::from_bytes([m0, m1, m2, m3, m4, m5, m6, m7]),
                HvmHwVpic::from_bytes([s0, s1, s2, s3, s4, s5, s6, s7]),
            ],
        }
    }

    /// Xen's `vpic_update_int_output()`: recompute one PIC's INT line; a
    /// slave's line is the master's IR2, so a change there re-evaluates the
    /// master.  Xen recurses through `--vpic`; a record whose `is_master`
    /// does not match its slot (only from a bad load) stops here instead of
    /// stepping outside the array.  Returns whether the master's line rose
    /// (Xen's `vcpu_kick()`).
    fn update_int_output(&mut self, idx: usize) -> bool {
        let mut idx = idx;
        loop {
            let Some(p) = self.pic.get_mut(idx) else {
                return false;
            };
            let init = p.init_state() != 0;
            // Xen compares the whole int_output byte with 0/1.
            if p.int_output == u8::from(!init && p.has_pending_irq()) {
                return false;
            }
            // Transition L->H or H->L; forced low during initialisation.
            p.int_output = u8::from(!init && p.int_output == 0);
            let high = p.int_output != 0;
            let is_master = p.is_master();
            if is_master {
                // Master INT is wired to the LAPIC (virtual wire): a rising
                // line kicks the vCPU.
                return high;
            }
            let Some(up) = idx.checked_sub(1) else {
                return false;
            };
            let Some(master) = self.pic.get_mut(up) else {
                return false;
            };
            if high {
                master.irr |= 1 << 2;
            } else {
                master.irr &= !(1 << 2);
            }
            idx = up;
        }
    }

    /// Xen's `__vpic_intack()`; returns the kick.
    #[inline]
    fn intack_irq(&mut self, idx: usize, irq: u8) -> bool {
        let Some(p) = self.pic.get_mut(idx) else {
            return false;
        };
        let mask = 1u8 << (irq & 7);
        // Edge triggered: forget the edge.
        if p.elcr & mask == 0 {
            p.irr &= !mask;
        }
        if !p.auto_eoi() {
            p.isr |= mask;
        } else if p.rotate_on_auto_eoi() {
            p.set_priority_add(irq.wrapping_add(1) & 7);
        }
        self.update_int_output(idx)
    }

    /// Xen's `vpic_intack()` on PIC `idx`: acknowledge the highest priority
    /// request, through the cascade for the master's IR2.  Gives the IRQ
    /// (0..15 from the master, 0..7 from a slave), `None` when the INT line
    /// is low.  Xen 4.17 has no spurious IR7/IR15 here: a low line gives -1.
    pub fn intack(&mut self, idx: usize) -> Result<Intack, Bug> {
        let (irq, kick) = self.intack_kick(idx)?;
        Ok(Intack {
            irq,
            fx: Effects {
                kick,
                ..Effects::default()
            },
        })
    }

    /// [`intack`](Self::intack), with the only effect it can have, the
    /// kick, as a value.
    fn intack_kick(&mut self, idx: usize) -> Result<(Option<u8>, bool), Bug> {
        let Some(p) = self.pic.get(idx) else {
            return Err(Bug);
        };
        if p.int_output == 0 {
            return Ok((None, false));
        }
        let irq = p.get_highest_priority_irq().ok_or(Bug)?;
        let kick = self.intack_irq(idx, irq);
        let is_master = self.pic.get(idx).is_some_and(HvmHwVpic::is_master);
        if irq == 2 && is_master {
            let sidx = idx.wrapping_add(1);
            let s = self.pic.get(sidx).ok_or(Bug)?;
            let sirq = s.get_highest_priority_irq().ok_or(Bug)?;
            let kick = self.intack_irq(sidx, sirq) | kick;
            return Ok((Some(sirq.wrapping_add(8)), kick));
        }
        Ok((Some(irq), kick))
    }

    /// Xen's `vpic_ack_pending_irq()`: the vector to inject, if the LAPIC
    /// accepts PIC interrupts (`accept` = `vlapic_accept_pic_intr(v)`,
    /// evaluated by the caller) and the master's INT line is high.
    /// The vector is `irq_base + IR` (an `int` in Xen: up to 262 with a
    /// hand-crafted `irq_base`).
    #[inline]
    pub fn ack_pending_irq(&mut self, accept: bool) -> Result<Ack, Bug> {
        let [master, _] = &self.pic;
        if !accept || master.int_output == 0 {
            return Ok(Ack::default());
        }
        let (irq, kick) = self.intack_kick(MASTER)?;
        let fx = Effects {
            kick,
            ..Effects::default()
        };
        let Some(irq) = irq else {
            return Ok(Ack { vector: None, fx });
        };
        let base = self
            .pic
            .get(usize::from(irq >> 3))
            .map_or(0, |p| p.irq_base);
        Ok(Ack {
            vector: Some(u16::from(base).wrapping_add(u16::from(irq & 7))),
            fx,
        })
    }

    /// Xen's `vpic_ioport_write()` on PIC `idx` (`addr` is the port: A0
    /// selects command/data, `addr >> 7` the ISA IRQ range of the EOIs).
    fn ioport_write(&mut self, idx: usize, addr: u32, val: u8, fx: &mut Effects) {
        let mut unmasked = false;
        // ISA IRQ of a pin of this PIC, for the dpci EOI (Xen uses the port,
        // not is_master).
        let isa = |pin: u8| -> u16 {
            let pin = u16::from(pin & 7);
            if addr >> 7 != 0 {
                pin | 8
            } else {
                pin
            }
        };
        let Some(p) = self.pic.get_mut(idx) else {
            return;
        };

        match Port::of(addr) {
            Port::Command => match Command::decode(val) {
                Command::Icw1 { ic4, sngl } => {
                    // The EOI of every pending or in-service interrupt dropped
                    // here is forwarded, or the dpci logic gets out of sync.
                    let pending = p.isr | (p.irr & !p.elcr);
                    // Clear edge-sensing logic.
                    p.irr &= p.elcr;
                    // No interrupts masked or in service.
                    p.imr = 0;
                    p.isr = 0;
                    // IR7 is lowest priority.
                    p.set_priority_add(0);
                    p.set_rotate_on_auto_eoi(false);
                    p.set_special_mask_mode(false);
                    p.set_readsel_isr(false);
                    p.set_poll(false);
                    if !ic4 {
                        // No ICW4: ICW4 features are cleared.
                        p.set_auto_eoi(false);
                        p.set_special_fully_nested_mode(false);
                    }
                    // ICW2 next; remember IC4 and SNGL.
                    let ic4 = if ic4 { INIT_IC4 } else { 0 };
                    let sngl = if sngl { INIT_SNGL } else { 0 };
                    p.set_init_state(ic4 | sngl | 1);
                    fx.kick |= self.update_int_output(idx);
                    // Pins of the slave port range are ISA IRQs 8..15.
                    fx.dpci_eoi |= u16::from(pending) << if addr >> 7 != 0 { 8 } else { 0 };
                    return;
                }
                Command::Ocw3(ocw3) => {
                    if ocw3.poll {
                        p.set_poll(true);
                    }
                    if let Some(reg) = ocw3.read {
                        p.set_readsel_isr(reg == ReadRegister::Isr);
                    }
                    if let Some(on) = ocw3.special_mask {
                        p.set_special_mask_mode(on);
                    }
                }
                Command::Ocw2(ocw2) => {
                    let (eoi_pin, rotate) = match ocw2 {
                        Ocw2::RotateOnAutoEoi { set } => {
                            p.set_rotate_on_auto_eoi(set);
                            (None, false)
                        }
                        // The highest priority in-service IR; in special mask
                        // mode masked IRs are ignored.
                        Ocw2::NonSpecificEoi { rotate } => {
                            let mut mask = p.isr;
                            if p.special_mask_mode() {
                                mask &= !p.imr;
                            }
                            let priority = p.get_priority(mask);
                            let pin = if priority == PRIO_NONE {
                                None
                            } else {
                                Some((priority.wrapping_add(u32::from(p.priority_add())) & 7) as u8)
                            };
                            (pin, rotate)
                        }
                        Ocw2::SpecificEoi { level, rotate } => (Some(level), rotate),
                        // IR(L) becomes the lowest.
                        Ocw2::SetPriority { level } => {
                            p.set_priority_add(level.wrapping_add(1) & 7);
                            (None, false)
                        }
                        Ocw2::Nop => (None, false),
                    };
                    if let Some(pin) = eoi_pin {
                        p.isr &= !(1u8 << (pin & 7));
                        if rotate {
                            p.set_priority_add(pin.wrapping_add(1) & 7);
                        }
                        fx.kick |= self.update_int_output(idx);
                        fx.dpci_eoi |= 1 << isa(pin);
                        return;
                    }
                }
            },
            Port::Data => match p.data_word() {
                DataWord::Ocw1 => {
                    unmasked = p.imr & !val != 0;
                    p.imr = val;
                }
                DataWord::Icw2 => {
                    p.irq_base = val & 0xf8;
                    p.set_init_state(p.init_state().wrapping_add(1));
                    // SNGL: no ICW3, go on as if it had been written.
                    if p.init_state() & INIT_SNGL != 0 {
                        unmasked = Self::icw3(p);
                    }
                }
                // The cascade wiring is fixed: the value is ignored.
                DataWord::Icw3 => unmasked = Self::icw3(p),
                DataWord::Icw4 => {
                    p.set_special_fully_nested_mode(val & ICW4_SFNM != 0);
                    p.set_auto_eoi(val & ICW4_AEOI != 0);
                    p.set_init_state(0);
                    unmasked = true;
                }
            },
        }

        fx.kick |= self.update_int_output(idx);
        if unmasked {
            fx.may_unmask = true;
        }
    }

    /// The ICW3 step of `vpic_ioport_write()`: returns whether the init
    /// sequence ended (no ICW4), which Xen treats as an unmask.
    fn icw3(p: &mut HvmHwVpic) -> bool {
        p.set_init_state(p.init_state().wrapping_add(1));
        if p.init_state() & INIT_IC4 == 0 {
            p.set_init_state(0);
            return true;
        }
        false
    }

    /// Xen's `vpic_ioport_read()` (returns `uint32_t`: -1 from a poll with
    /// nothing pending is 0xffffffff).
    /// Gives the value read and the kick of a poll.
    fn ioport_read(&mut self, idx: usize, addr: u32) -> Result<(u32, bool), Bug> {
        let Some(p) = self.pic.get_mut(idx) else {
            return Err(Bug);
        };
        if p.poll() {
            p.set_poll(false);
            // Xen returns the IRQ number (not the datasheet's 0x80 | level).
            let (irq, kick) = self.intack_kick(idx)?;
            return Ok((irq.map_or(u32::MAX, u32::from), kick));
        }
        let val = match Port::of(addr) {
            Port::Command => match p.read_register() {
                ReadRegister::Isr => p.isr,
                ReadRegister::Irr => p.irr,
            },
            Port::Data => p.imr,
        };
        Ok((u32::from(val), false))
    }

    /// Xen's `vpic_intercept_pic_io()`: a guest access to 0x20/0x21 or
    /// 0xa0/0xa1 (the PIC is chosen by port bit 7, as Xen does).  Accesses
    /// other than one byte are ignored and give `~0` (XSA-121 class).
    #[inline]
    pub fn pic_io(&mut self, dir: Dir, port: u32, bytes: u32, val: u32) -> Result<Io, Bug> {
        let mut fx = Effects::default();
        if bytes != 1 {
            return Ok(Io { val: !0, fx });
        }
        let idx = usize::from(port & 0x80 != 0);
        let val = match dir {
            Dir::Write => {
                // `(uint8_t)*val`: the PIC has an 8-bit data bus.
                self.ioport_write(idx, port, val as u8, &mut fx);
                val
            }
            Dir::Read => {
                let (val, kick) = self.ioport_read(idx, port)?;
                fx.kick = kick;
                val & 0xff
            }
        };
        Ok(Io { val, fx })
    }

    /// Xen's `vpic_intercept_elcr_io()`: 0x4d0 (master) / 0x4d1 (slave).
    /// Some IRs are always edge triggered and the master's IR2 (cascade)
    /// always level; readers do not see that hard-coded bit.  Xen
    /// `BUG_ON`s any size but 1 (its handlers are registered one byte wide,
    /// so it cannot happen there).
    #[inline]
    pub fn elcr_io(&mut self, dir: Dir, port: u32, bytes: u32, val: u32) -> Result<Io, Bug> {
        if bytes != 1 {
            return Err(Bug);
        }
        let Some(p) = self.pic.get_mut((port & 1) as usize) else {
            return Err(Bug);
        };
        let mask = p.elcr_mask();
        let val = match dir {
            Dir::Write => {
                let mut data = (val as u8) & mask;
                if p.is_master() {
                    data |= 1 << 2;
                }
                p.elcr = data;
                val
            }
            Dir::Read => u32::from(p.elcr & mask),
        };
        Ok(Io {
            val,
            fx: Effects::default(),
        })
    }

    /// Xen's `vpic_irq_positive_edge()` (caller holds the irq lock; `irq`
    /// is an ISA IRQ, 0..15; IRQ 2 is the cascade and ignored).
    #[inline]
    pub fn irq_positive_edge(&mut self, irq: u8) -> Effects {
        self.irq_edge(irq, true)
    }

    /// Xen's `vpic_irq_negative_edge()`.
    #[inline]
    pub fn irq_negative_edge(&mut self, irq: u8) -> Effects {
        self.irq_edge(irq, false)
    }

    #[inline]
    fn irq_edge(&mut self, irq: u8, positive: bool) -> Effects {
        let mut fx = Effects::default();
        let idx = usize::from(irq & 8 != 0);
        let mask = 1u8 << (irq & 7);
        if irq == 2 {
            return fx;
        }
        let Some(p) = self.pic.get_mut(idx) else {
            return fx;
        };
        if positive {
            p.irr |= mask;
        } else {
            p.irr &= !mask;
        }
        if p.imr & mask == 0 {
            fx.kick |= self.update_int_output(idx);
        }
        fx
    }

    /// Xen's `vpic_get_highest_priority_irq()` on PIC `idx`.
    pub fn get_highest_priority_irq(&self, idx: usize) -> Option<u8> {
        self.pic
            .get(idx)
            .and_then(HvmHwVpic::get_highest_priority_irq)
    }
}

#[cfg(test)]
mod tests;
