//! Behaviour of the 8259A as documented in Intel's 8259A datasheet
//! (order no. 231468), as Xen's `vpic.c` implements it; where Xen departs
//! from the datasheet the test says so and follows Xen.

use super::*;

fn out(v: &mut Vpic, port: u32, val: u8) -> Effects {
    v.pic_io(Dir::Write, port, 1, u32::from(val)).unwrap().fx
}

fn inb(v: &mut Vpic, port: u32) -> u8 {
    v.pic_io(Dir::Read, port, 1, 0).unwrap().val as u8
}

/// The usual PC/AT programming: cascade, ICW4 present (8086 mode), vectors
/// 0x08 and 0x70, slave on master IR2.
fn pc_init(v: &mut Vpic, icw4: u8) {
    for (cmd, data, base, icw3) in [(0x20, 0x21, 0x08, 0x04), (0xa0, 0xa1, 0x70, 0x02)] {
        out(v, cmd, ICW1_INIT | ICW1_IC4);
        out(v, data, base);
        out(v, data, icw3);
        out(v, data, icw4 | 0x01);
    }
}

/// Acknowledge like the LAPIC does (`vpic_ack_pending_irq`).
fn inta(v: &mut Vpic) -> Option<u16> {
    v.ack_pending_irq(true).unwrap().vector
}

#[test]
fn reset_state_matches_vpic_reset() {
    let v = Vpic::new();
    assert_eq!(
        v.to_bytes(),
        [0, 0, 0, 0, 0, 0x40, 0x04, 0, 0, 0, 0, 0, 0, 0, 0, 0]
    );
    assert!(v.pic[MASTER].is_master());
    assert!(!v.pic[SLAVE].is_master());
}

#[test]
fn init_with_icw3_and_icw4() {
    let mut v = Vpic::new();
    out(&mut v, 0x20, ICW1_INIT | ICW1_IC4);
    assert_eq!(v.pic[MASTER].init_state(), 0b0101);
    // ICW2: vector base, low 3 bits are not part of it.
    out(&mut v, 0x21, 0x0f);
    assert_eq!(v.pic[MASTER].irq_base, 0x08);
    assert_eq!(v.pic[MASTER].init_state() & 3, 2);
    // ICW3 then ICW4 with AEOI and SFNM.
    out(&mut v, 0x21, 0x04);
    assert_eq!(v.pic[MASTER].init_state() & 3, 3);
    let fx = out(&mut v, 0x21, ICW4_AEOI | ICW4_SFNM | 1);
    assert_eq!(v.pic[MASTER].init_state(), 0);
    assert!(v.pic[MASTER].auto_eoi());
    assert!(v.pic[MASTER].special_fully_nested_mode());
    // Xen treats the end of an init sequence as a possible unmask.
    assert!(fx.may_unmask);
    // After init, a data write is OCW1 again.
    out(&mut v, 0x21, 0xfb);
    assert_eq!(v.pic[MASTER].imr, 0xfb);
}

#[test]
fn init_single_without_icw3_or_icw4() {
    let mut v = Vpic::new();
    // ICW4 features set by a previous init survive an ICW1 with IC4, ...
    pc_init(&mut v, ICW4_AEOI);
    out(&mut v, 0x20, ICW1_INIT | ICW1_SNGL);
    // ... but an ICW1 without IC4 clears them.
    assert!(!v.pic[MASTER].auto_eoi());
    assert_eq!(v.pic[MASTER].init_state(), 0b1001);
    // SNGL and no IC4: ICW2 ends the sequence.
    let fx = out(&mut v, 0x21, 0x20);
    assert_eq!(v.pic[MASTER].init_state(), 0);
    assert_eq!(v.pic[MASTER].irq_base, 0x20);
    assert!(fx.may_unmask);
    out(&mut v, 0x21, 0x55);
    assert_eq!(v.pic[MASTER].imr, 0x55);
}

#[test]
fn init_single_with_icw4() {
    let mut v = Vpic::new();
    out(&mut v, 0x20, ICW1_INIT | ICW1_SNGL | ICW1_IC4);
    out(&mut v, 0x21, 0x40);
    // ICW3 skipped: the next data write is ICW4.
    assert_eq!(v.pic[MASTER].init_state() & 3, 3);
    out(&mut v, 0x21, ICW4_AEOI | 1);
    assert_eq!(v.pic[MASTER].init_state(), 0);
    assert!(v.pic[MASTER].auto_eoi());
}

#[test]
fn icw1_clears_masks_isr_edges_and_forwards_eois() {
    let mut v = Vpic::new();
    pc_init(&mut v, 0);
    v.irq_positive_edge(1);
    v.irq_positive_edge(4);
    assert_eq!(inta(&mut v), Some(0x09));
    out(&mut v, 0x21, 0x80);
    let fx = out(&mut v, 0x20, ICW1_INIT | ICW1_IC4);
    let m = &v.pic[MASTER];
    // IR4 was an edge request: forgotten.
    assert_eq!((m.irr, m.imr, m.isr), (0, 0, 0));
    // IR1 was in service and IR4 pending (edge): both EOIs forwarded.
    assert_eq!(fx.dpci_eoi, (1 << 1) | (1 << 4));
    // The INT line is forced low during initialisation.
    assert_eq!(m.int_output, 0);
}

#[test]
fn fully_nested_priority_and_non_specific_eoi() {
    let mut v = Vpic::new();
    pc_init(&mut v, 0);
    let fx = v.irq_positive_edge(5);
    assert!(fx.kick, "INT rising kicks the vCPU");
    v.irq_positive_edge(3);
    // IR3 beats IR5.
    assert_eq!(inta(&mut v), Some(0x0b));
    // IR5 is blocked by IR3 in service; IR1 is not.
    assert_eq!(v.pic[MASTER].int_output, 0);
    v.irq_positive_edge(1);
    assert_eq!(v.pic[MASTER].int_output, 1);
    assert_eq!(inta(&mut v), Some(0x09));
    assert_eq!(v.pic[MASTER].isr, 0b1010);
    // Non-specific EOI clears the highest priority ISR bit (IR1).
    let fx = out(&mut v, 0x20, ocw2::EOI);
    assert_eq!(v.pic[MASTER].isr, 0b1000);
    assert_eq!(fx.dpci_eoi, 1 << 1);
    out(&mut v, 0x20, ocw2::EOI);
    assert_eq!(inta(&mut v), Some(0x0d));
}

#[test]
fn ocw1_mask_blocks_and_unmask_reports() {
    let mut v = Vpic::new();
    pc_init(&mut v, 0);
    out(&mut v, 0x21, 1 << 6);
    let fx = v.irq_positive_edge(6);
    assert!(!fx.kick);
    assert_eq!(v.pic[MASTER].int_output, 0);
    let fx = out(&mut v, 0x21, 0);
    assert!(fx.may_unmask && fx.kick);
    assert_eq!(inb(&mut v, 0x21), 0);
    // Masking more is not an unmask.
    assert!(!out(&mut v, 0x21, 0xff).may_unmask);
}

#[test]
fn aeoi_does_not_set_isr() {
    let mut v = Vpic::new();
    pc_init(&mut v, ICW4_AEOI);
    v.irq_positive_edge(0);
    assert_eq!(inta(&mut v), Some(0x08));
    assert_eq!(v.pic[MASTER].isr, 0);
    // Edge triggered: the request is forgotten.
    assert_eq!(v.pic[MASTER].irr & 1, 0);
}

#[test]
fn rotate_on_aeoi() {
    let mut v = Vpic::new();
    pc_init(&mut v, ICW4_AEOI);
    out(&mut v, 0x20, ocw2::ROTATE_AEOI_SET);
    assert!(v.pic[MASTER].rotate_on_auto_eoi());
    v.irq_positive_edge(3);
    assert_eq!(inta(&mut v), Some(0x0b));
    // IR3 becomes lowest: IR4 is now highest priority.
    assert_eq!(v.pic[MASTER].priority_add(), 4);
    v.irq_positive_edge(0);
    v.irq_positive_edge(4);
    assert_eq!(inta(&mut v), Some(0x0c));
    out(&mut v, 0x20, ocw2::ROTATE_AEOI_CLEAR);
    assert!(!v.pic[MASTER].rotate_on_auto_eoi());
}

#[test]
fn rotate_on_non_specific_eoi() {
    let mut v = Vpic::new();
    pc_init(&mut v, 0);
    v.irq_positive_edge(6);
    assert_eq!(inta(&mut v), Some(0x0e));
    out(&mut v, 0x20, ocw2::ROTATE_EOI);
    // IR6 just serviced becomes lowest priority: IR7 highest.
    assert_eq!(v.pic[MASTER].priority_add(), 7);
    v.irq_positive_edge(0);
    v.irq_positive_edge(7);
    assert_eq!(inta(&mut v), Some(0x0f));
}

#[test]
fn specific_rotation_set_priority() {
    let mut v = Vpic::new();
    pc_init(&mut v, 0);
    // Set priority: IR4 lowest, so IR5 highest.
    out(&mut v, 0x20, ocw2::SET_PRIORITY | 4);
    assert_eq!(v.pic[MASTER].priority_add(), 5);
    v.irq_positive_edge(4);
    v.irq_positive_edge(5);
    v.irq_positive_edge(1);
    assert_eq!(inta(&mut v), Some(0x0d));
    out(&mut v, 0x20, ocw2::EOI);
    assert_eq!(inta(&mut v), Some(0x09));
}

#[test]
fn specific_eoi_and_rotate_on_specific_eoi() {
    let mut v = Vpic::new();
    pc_init(&mut v, 0);
    v.irq_positive_edge(3);
    assert_eq!(inta(&mut v), Some(0x0b));
    v.irq_positive_edge(1);
    assert_eq!(inta(&mut v), Some(0x09));
    // Specific EOI of the lower priority IR3.
    let fx = out(&mut v, 0x20, ocw2::SPECIFIC_EOI | 3);
    assert_eq!(v.pic[MASTER].isr, 0b10);
    assert_eq!(fx.dpci_eoi, 1 << 3);
    let fx = out(&mut v, 0x20, ocw2::ROTATE_SPECIFIC_EOI | 1);
    assert_eq!(v.pic[MASTER].isr, 0);
    assert_eq!(v.pic[MASTER].priority_add(), 2);
    assert_eq!(fx.dpci_eoi, 1 << 1);
    // A specific EOI on the slave forwards the slave's ISA IRQ.
    assert_eq!(out(&mut v, 0xa0, ocw2::SPECIFIC_EOI | 4).dpci_eoi, 1 << 12);
}

#[test]
fn nop_and_empty_eoi_do_nothing() {
    let mut v = Vpic::new();
    pc_init(&mut v, 0);
    let before = v;
    assert_eq!(out(&mut v, 0x20, ocw2::NOP), Effects::default());
    assert_eq!(out(&mut v, 0x20, ocw2::EOI), Effects::default());
    assert_eq!(v, before);
}

#[test]
fn special_mask_mode() {
    let mut v = Vpic::new();
    pc_init(&mut v, 0);
    v.irq_positive_edge(2 + 1);
    assert_eq!(inta(&mut v), Some(0x0b));
    // IR3 in service blocks IR5 ...
    v.irq_positive_edge(5);
    assert_eq!(v.pic[MASTER].int_output, 0);
    // ... until IR3 is masked in special mask mode.
    out(&mut v, 0x21, 1 << 3);
    out(&mut v, 0x20, OCW3_SELECT | OCW3_ESMM | OCW3_SMM);
    assert!(v.pic[MASTER].special_mask_mode());
    assert_eq!(v.pic[MASTER].int_output, 1);
    assert_eq!(inta(&mut v), Some(0x0d));
    // A non-specific EOI ignores the masked in-service IR3.
    out(&mut v, 0x20, ocw2::EOI);
    assert_eq!(v.pic[MASTER].isr, 1 << 3);
    out(&mut v, 0x20, OCW3_SELECT | OCW3_ESMM);
    assert!(!v.pic[MASTER].special_mask_mode());
    // ESMM clear: SMM bit ignored.
    out(&mut v, 0x20, OCW3_SELECT | OCW3_SMM);
    assert!(!v.pic[MASTER].special_mask_mode());
}

#[test]
fn read_irr_and_isr_via_ocw3() {
    let mut v = Vpic::new();
    pc_init(&mut v, 0);
    v.irq_positive_edge(4);
    v.irq_positive_edge(6);
    // IRR by default after init.
    assert_eq!(inb(&mut v, 0x20), 0x50 | (v.pic[MASTER].irr & 4));
    assert_eq!(inta(&mut v), Some(0x0c));
    out(&mut v, 0x20, OCW3_SELECT | OCW3_RR | OCW3_RIS);
    assert_eq!(inb(&mut v, 0x20), 0x10);
    out(&mut v, 0x20, OCW3_SELECT | OCW3_RR);
    assert_eq!(inb(&mut v, 0x20), 0x40);
    // Data port reads IMR.
    out(&mut v, 0x21, 0xa5);
    assert_eq!(inb(&mut v, 0x21), 0xa5);
}

#[test]
fn poll_mode_acknowledges() {
    let mut v = Vpic::new();
    pc_init(&mut v, 0);
    v.irq_positive_edge(5);
    out(&mut v, 0x20, OCW3_SELECT | OCW3_POLL);
    assert!(v.pic[MASTER].poll());
    // Xen returns the IRQ number itself (the datasheet's 0x80 | level
    // is not what Xen's guests see).
    assert_eq!(inb(&mut v, 0x20), 5);
    assert!(!v.pic[MASTER].poll());
    assert_eq!(v.pic[MASTER].isr, 1 << 5);
    // Poll with nothing pending: -1 truncated to a byte.
    out(&mut v, 0x21, OCW3_SELECT | OCW3_POLL);
    out(&mut v, 0x20, OCW3_SELECT | OCW3_POLL);
    assert_eq!(inb(&mut v, 0x21), 0xff);
}

#[test]
fn poll_through_cascade() {
    let mut v = Vpic::new();
    pc_init(&mut v, 0);
    v.irq_positive_edge(11);
    out(&mut v, 0x20, OCW3_SELECT | OCW3_POLL);
    // Master poll through IR2 yields the slave's IRQ + 8.
    assert_eq!(inb(&mut v, 0x20), 11);
    assert_eq!(v.pic[SLAVE].isr, 1 << 3);
    assert_eq!(v.pic[MASTER].isr, 1 << 2);
}

#[test]
fn level_vs_edge_via_elcr() {
    let mut v = Vpic::new();
    pc_init(&mut v, 0);
    // IR0..2 of the master are never level; IR2 reads back as edge.
    v.elcr_io(Dir::Write, 0x4d0, 1, 0xff).unwrap();
    assert_eq!(v.pic[MASTER].elcr, 0xfc);
    assert_eq!(v.elcr_io(Dir::Read, 0x4d0, 1, 0).unwrap().val, 0xf8);
    v.elcr_io(Dir::Write, 0x4d1, 1, 0xff).unwrap();
    assert_eq!(v.elcr_io(Dir::Read, 0x4d1, 1, 0).unwrap().val, 0xde);
    // Level: IRR stays set through INTA, so after EOI it fires again.
    v.irq_positive_edge(5);
    assert_eq!(inta(&mut v), Some(0x0d));
    assert_eq!(v.pic[MASTER].irr & (1 << 5), 1 << 5);
    out(&mut v, 0x20, ocw2::EOI);
    assert_eq!(inta(&mut v), Some(0x0d));
    out(&mut v, 0x20, ocw2::EOI);
    // Until the line drops.
    v.irq_negative_edge(5);
    assert_eq!(inta(&mut v), None);
    // Edge IR1: IRR cleared by INTA.
    v.irq_positive_edge(1);
    assert_eq!(inta(&mut v), Some(0x09));
    assert_eq!(v.pic[MASTER].irr & 2, 0);
}

#[test]
fn no_spurious_irq7_when_request_withdrawn() {
    // The datasheet answers an INTA with no request by IR7 (spurious).  Xen
    // 4.17's vpic_intack() returns -1 instead, and vpic_ack_pending_irq()
    // injects nothing; a withdrawn request drops INT before any INTA.
    let mut v = Vpic::new();
    pc_init(&mut v, 0);
    v.irq_positive_edge(4);
    assert_eq!(v.pic[MASTER].int_output, 1);
    v.irq_negative_edge(4);
    assert_eq!(v.pic[MASTER].int_output, 0);
    assert_eq!(inta(&mut v), None);
    assert_eq!(v.pic[MASTER].isr, 0);
    // Same on the slave (no spurious IRQ15).
    v.irq_positive_edge(13);
    v.irq_negative_edge(13);
    assert_eq!(inta(&mut v), None);
    assert_eq!(v.pic[SLAVE].isr, 0);
    // And the LAPIC refusing PIC interrupts leaves everything as is.
    v.irq_positive_edge(4);
    let before = v;
    assert_eq!(v.ack_pending_irq(false), Ok(Ack::default()));
    assert_eq!(v, before);
}

#[test]
fn slave_cascade_through_ir2() {
    let mut v = Vpic::new();
    pc_init(&mut v, 0);
    let fx = v.irq_positive_edge(14);
    // Slave INT asserts master IR2, which raises the master's INT.
    assert_eq!(v.pic[SLAVE].int_output, 1);
    assert_eq!(v.pic[MASTER].irr & 4, 4);
    assert!(fx.kick);
    assert_eq!(inta(&mut v), Some(0x76));
    assert_eq!(v.pic[MASTER].isr, 1 << 2);
    assert_eq!(v.pic[SLAVE].isr, 1 << 6);
    // Slave line dropped: master IR2 request cleared.
    assert_eq!(v.pic[SLAVE].int_output, 0);
    assert_eq!(v.pic[MASTER].irr & 4, 0);
    // Masking the slave's IR blocks the cascade.
    out(&mut v, 0xa1, 1 << 1);
    v.irq_positive_edge(9);
    assert_eq!(v.pic[MASTER].irr & 4, 0);
    // The cascade IRQ itself cannot be raised from outside.
    let before = v;
    v.irq_positive_edge(2);
    assert_eq!(v, before);
}

#[test]
fn special_fully_nested_mode_lets_higher_slave_irq_through() {
    let mut v = Vpic::new();
    pc_init(&mut v, ICW4_SFNM);
    v.irq_positive_edge(12);
    assert_eq!(inta(&mut v), Some(0x74));
    // Master IR2 in service; a higher priority slave IR (IR9) reaches the
    // CPU only in special fully nested mode.
    v.irq_positive_edge(9);
    assert_eq!(v.pic[MASTER].int_output, 1);
    assert_eq!(inta(&mut v), Some(0x71));

    let mut v = Vpic::new();
    pc_init(&mut v, 0);
    v.irq_positive_edge(12);
    assert_eq!(inta(&mut v), Some(0x74));
    v.irq_positive_edge(9);
    assert_eq!(v.pic[MASTER].int_output, 0);
}

#[test]
fn wrong_size_pic_access_returns_all_ones() {
    let mut v = Vpic::new();
    pc_init(&mut v, 0);
    let before = v;
    for bytes in [0, 2, 4] {
        for dir in [Dir::Read, Dir::Write] {
            let io = v.pic_io(dir, 0x20, bytes, 0x12).unwrap();
            assert_eq!(io.val, 0xffff_ffff);
            assert_eq!(io.fx, Effects::default());
        }
    }
    assert_eq!(v, before);
    // ELCR: Xen BUG_ON()s; here it is reported and nothing changes.
    assert_eq!(v.elcr_io(Dir::Read, 0x4d0, 2, 0), Err(Bug));
    assert_eq!(v, before);
}

#[test]
fn inconsistent_int_output_is_reported_not_panicking() {
    // A loaded record claiming INT high with nothing pending: Xen BUG_ON()s
    // in vpic_intack().
    let mut v = Vpic::new();
    v.pic[MASTER].int_output = 1;
    assert_eq!(v.ack_pending_irq(true), Err(Bug));
}

#[test]
fn round_trip_bytes() {
    let mut v = Vpic::new();
    pc_init(&mut v, ICW4_AEOI);
    v.irq_positive_edge(9);
    let b = v.to_bytes();
    assert_eq!(Vpic::from_bytes(b), v);
    // Any record, the unnamed bit 7 of byte 5 included, survives.
    let raw: [u8; 16] = core::array::from_fn(|i| (i as u8).wrapping_mul(37) ^ 0xa5);
    assert_eq!(Vpic::from_bytes(raw).to_bytes(), raw);
}

#[test]
fn bitfield_accessors_touch_only_their_bits() {
    let mut p = HvmHwVpic::default();
    p.set_init_state(0xff);
    assert_eq!(p.init_prio, 0x0f);
    p.set_priority_add(0xff);
    assert_eq!(p.init_prio, 0xff);
    p.set_init_state(0);
    assert_eq!(p.init_prio, 0xf0);
    p.flags = 0x80;
    p.set_is_master(true);
    p.set_poll(true);
    assert_eq!(p.flags, 0xc2);
    p.set_poll(false);
    assert_eq!(p.flags, 0xc0);
}

// Quirks of Xen's code on records it loads without checking (pinned against
// Xen's C in difftest-vpic's crafted_corners_match_xen).

#[test]
fn loaded_priority_add_above_7_rotates_modulo_8() {
    let mut v = Vpic::new();
    v.pic[MASTER].irr = 0x81;
    v.pic[MASTER].irq_base = 0x08;
    v.pic[MASTER].set_priority_add(0xc);
    // Rotation by 12 = by 4: IR4 highest ... IR3 lowest, so IR7 beats IR0.
    assert_eq!(v.get_highest_priority_irq(MASTER), Some(7));
    v.irq_positive_edge(5);
    assert_eq!(inta(&mut v), Some(0x0d));
}

#[test]
fn loaded_int_output_is_compared_as_a_byte() {
    let mut v = Vpic::new();
    v.pic[MASTER].irq_base = 0x08;
    v.pic[MASTER].int_output = 2;
    // 2 is neither "low" nor "high" for vpic_update_int_output(): the
    // next update toggles it to low although IR4 is pending.
    let fx = v.irq_positive_edge(4);
    assert_eq!(v.pic[MASTER].int_output, 0);
    assert!(!fx.kick);
    assert_eq!(inta(&mut v), None);
}

/// Every command byte decodes to the datasheet's command: D4 = 1 is ICW1,
/// else D3 = 1 is OCW3, else OCW2 by R/SL/EOI; the data register's meaning
/// follows `init_state`.
#[test]
fn command_decoding() {
    for val in 0..=255u8 {
        let cmd = Command::decode(val);
        if val & 0x10 != 0 {
            assert_eq!(
                cmd,
                Command::Icw1 {
                    ic4: val & 1 != 0,
                    sngl: val & 2 != 0
                }
            );
        } else if val & 0x08 != 0 {
            let Command::Ocw3(o) = cmd else {
                panic!("{val:#x}: {cmd:?}");
            };
            assert_eq!(o.poll, val & 0x04 != 0);
            assert_eq!(o.read.is_some(), val & 0x02 != 0);
            assert_eq!(o.read == Some(ReadRegister::Isr), val & 0x03 == 0x03);
            assert_eq!(o.special_mask, (val & 0x40 != 0).then_some(val & 0x20 != 0));
        } else {
            let (level, rotate) = (val & 7, val & 0x80 != 0);
            let want = match (val >> 5) & 3 {
                0 => Ocw2::RotateOnAutoEoi { set: rotate },
                1 => Ocw2::NonSpecificEoi { rotate },
                3 => Ocw2::SpecificEoi { level, rotate },
                _ if rotate => Ocw2::SetPriority { level },
                _ => Ocw2::Nop,
            };
            assert_eq!(cmd, Command::Ocw2(want), "{val:#x}");
        }
    }
    let mut p = HvmHwVpic::default();
    for (state, word) in [
        (0, DataWord::Ocw1),
        (1, DataWord::Icw2),
        (2, DataWord::Icw3),
        (3, DataWord::Icw4),
    ] {
        for high in [0, INIT_IC4, INIT_SNGL, INIT_IC4 | INIT_SNGL] {
            p.set_init_state(state | high);
            assert_eq!(p.data_word(), word);
        }
    }
    assert_eq!(Port::of(PIC_MASTER_CMD), Port::Command);
    assert_eq!(Port::of(PIC_SLAVE_DATA), Port::Data);
}

/// The shortcut the INT line update takes agrees with naming the IR, on
/// every combination of the fields it reads: IRR and ISR exhaustively,
/// with IMRs that mask nothing, everything, one IR or a pseudo-random set,
/// every 4-bit `priority_add`, and the three mode flags involved.
#[test]
fn has_pending_irq_is_highest_priority_irq_found() {
    let check = |irr: u8, isr: u8, imr: u8, flags: u8, pa: u8| {
        let mut p = HvmHwVpic {
            irr,
            imr,
            isr,
            flags,
            ..HvmHwVpic::default()
        };
        p.set_priority_add(pa);
        assert_eq!(
            p.has_pending_irq(),
            p.get_highest_priority_irq().is_some(),
            "{p:?}"
        );
    };
    let mut seed = 0x8259_u32;
    for irr in 0..=255u8 {
        for isr in 0..=255u8 {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            let imrs = [0, 0xff, 1 << (seed & 7), (seed >> 8) as u8];
            let pa = (seed >> 16) as u8 & 0x0f;
            let flags = (seed >> 20) as u8
                & (FLAG_SPECIAL_FULLY_NESTED_MODE | FLAG_IS_MASTER | FLAG_SPECIAL_MASK_MODE);
            for imr in imrs {
                check(irr, isr, imr, flags, pa);
            }
        }
    }
    for pa in 0..16 {
        for flags in 0..8u8 {
            let flags = ((flags & 1) * FLAG_SPECIAL_FULLY_NESTED_MODE)
                | (((flags >> 1) & 1) * FLAG_IS_MASTER)
                | (((flags >> 2) & 1) * FLAG_SPECIAL_MASK_MODE);
            for irr in 0..=255u8 {
                for isr in [0, 1 << 2, 0xff, irr, !irr] {
                    check(irr, isr, isr.rotate_left(3), flags, pa);
                }
            }
        }
    }
}
