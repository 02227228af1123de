//! Armed misbehaviour for the self-test scenarios (docs/design.md, 10.1: the containment
//! matrix): a scenario request arms a [`Trap`], and the next call of the
//! request it names misbehaves once.  Each trap is 8 bytes at the end of the
//! state page's scratch area, which only the payload writes (the guest
//! cannot reach the state page, and Xen runs the scenarios only when booted
//! with hvm_depriv=selftest).  All of them are here, so that the slots are
//! seen to be distinct; the requests that check them (`pic`, `rtc`,
//! `realmode`) and the request that arms them (`selftest`) both build on
//! this module and on nothing of each other.

/// A magic value in 8 bytes of the state page's scratch area.
pub struct Trap {
    slot: u64,
    magic: u64,
}

impl Trap {
    pub const fn new(slot: u64, magic: u64) -> Self {
        Self { slot, magic }
    }

    /// The scenario's request: arm it.
    pub fn arm(&self) -> i64 {
        // SAFETY: inside the state page, mapped read-write for the call.
        unsafe { (self.slot as *mut u64).write_volatile(self.magic) };
        0
    }

    /// In the armed request: whether to misbehave now, and from now on
    /// (a payload turned against Xen would not stop at once).
    pub fn armed(&self) -> bool {
        // SAFETY: as in `arm`.
        unsafe { (self.slot as *const u64).read_volatile() == self.magic }
    }

    /// In the armed request: whether to misbehave now (once).
    pub fn take(&self) -> bool {
        let p = self.slot as *mut u64;
        // SAFETY: as in `arm`.
        unsafe {
            let armed = p.read_volatile() == self.magic;
            if armed {
                p.write_volatile(0);
            }
            armed
        }
    }
}

/// HVM_DEPRIV_ST_RTC_BAD_REQUEST: the next RTC call returns a request list
/// Xen must refuse (and crash the domain for).  The last 8 bytes of the
/// scratch area.
pub const RTC_BAD_REQUEST: Trap = Trap::new(abi::STATE_SCRATCH + 256 - 8, 0x7274_635f_6261_6421);

/// HVM_DEPRIV_ST_PIC_BAD_EDGE: the next edge call fails as one with an IRQ
/// out of range would, which Xen must answer by crashing the domain.  The
/// 8 bytes of the scratch area before the RTC's trap.
pub const PIC_BAD_EDGE: Trap = Trap::new(abi::STATE_SCRATCH + 256 - 16, 0x7069_635f_6564_6721);

/// HVM_DEPRIV_ST_RM_STRAY: the next REALMODE call first reaches for guest
/// state its instruction cannot touch (a payload turned against the guest
/// would), then emulates the instruction as usual.  Xen must refuse every
/// one of these (tests/xtf/tests/depriv-rm-tie).
pub const RM_STRAY: Trap = Trap::new(abi::STATE_SCRATCH + 256 - 24, 0x726d_5f73_7472_6179);

/// HVM_DEPRIV_ST_RM_DELEGATE_AFTER_ACCESS: the next REALMODE call reads a
/// byte of guest memory, then hands the instruction to Xen's x86_emulate()
/// whatever it is, which would make its accesses again: Xen must refuse
/// the delegation (and crash the domain).  The 80th last bytes of the
/// scratch area.
pub const RM_DELEGATE_AFTER_ACCESS: Trap =
    Trap::new(abi::STATE_SCRATCH + 256 - 80, 0x726d_5f64_656c_6721);

/// HVM_DEPRIV_ST_RTC_SHORT_PERIOD: the next RTC call asks Xen for a
/// periodic timer of 1 us, below the shortest period an RTC rate makes
/// (30.5 us; 122 us with the 32 kHz time base): Xen must refuse it.  The
/// 32nd last bytes of the scratch area.
pub const RTC_SHORT_PERIOD: Trap = Trap::new(abi::STATE_SCRATCH + 256 - 32, 0x7274_635f_3175_7321);

/// HVM_DEPRIV_ST_WATCHDOG_SYSCALLS: the next REALMODE call makes syscalls
/// for ever (reads of guest memory, which the instruction being emulated
/// may make: Xen runs them at ring 0 with interrupts on), with next to no
/// time at ring 3 between them.  The budget bounds the whole call, so the
/// watchdog must stop it: after a syscall, as the watchdog's timer fires
/// while Xen runs one, returning to ring 0.
pub const RM_SYSCALL_SPIN: Trap = Trap::new(abi::STATE_SCRATCH + 256 - 40, 0x7379_735f_7370_696e);

/// HVM_DEPRIV_ST_PIC_ACK_STUCK: every PIC acknowledge from now on finds no
/// vector and leaves the master's output high.  Xen's interrupt assist
/// acknowledges for as long as the PIC reports an interrupt, so Xen must
/// refuse that answer (and crash the domain) rather than ask again.  The
/// 48th last bytes of the scratch area.
pub const PIC_ACK_STUCK: Trap = Trap::new(abi::STATE_SCRATCH + 256 - 48, 0x7069_635f_6163_6b21);

/// HVM_DEPRIV_ST_RTC_STRETCH: every RTC call from now on spins for the
/// guest's number of TSC cycles (each call within the budget) and asks Xen
/// to set its update timer in the past and stop it, which Xen records as
/// an expiry to run: the next round of the same deferred-event flush runs
/// it again.  One call after another, with no softirq in between, for as
/// long as Xen lets them: the budget must bound them together.  The 56th
/// last bytes of the scratch area; the cycles in the 72nd last (the 64th
/// last is HVM_DEPRIV_ST_NMI_DUMP_FLAG's).
pub const RTC_STRETCH: Trap = Trap::new(abi::STATE_SCRATCH + 256 - 56, 0x7274_635f_7374_7221);
const RTC_STRETCH_CYCLES: u64 = abi::STATE_SCRATCH + 256 - 72;

/// Arm [`RTC_STRETCH`] with `cycles` per call.
pub fn rtc_stretch_arm(cycles: u64) -> i64 {
    // SAFETY: inside the state page, mapped read-write for the call.
    unsafe { (RTC_STRETCH_CYCLES as *mut u64).write_volatile(cycles) };
    RTC_STRETCH.arm()
}

/// The cycles each call spins for while [`RTC_STRETCH`] is armed.
pub fn rtc_stretch_cycles() -> u64 {
    // SAFETY: as in `Trap::arm`.
    unsafe { (RTC_STRETCH_CYCLES as *const u64).read_volatile() }
}
