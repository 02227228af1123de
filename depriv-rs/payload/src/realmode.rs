//! HVM_DEPRIV_REQ_REALMODE: one instruction of a vCPU in real mode, run by
//! the `realmode` emulator on the registers Xen put in the vCPU's real-mode
//! page (`struct hvm_depriv_rm` at `HVM_DEPRIV_VA_RM`).
//! Every access to guest state goes through Xen's own emulation ops for the
//! instruction (the `HVM_DEPRIV_SYS_RM_*` syscalls), so MMIO, ioreq retries
//! and exceptions raised by the ops keep Xen's semantics.

use abi::{hvm_depriv_rm, hvm_depriv_rm_rep, hvm_depriv_seg};
use realmode::{
    CpuState, Event, EventType, Fault, OpResult, Ops, Outcome, Prefill, Prefilled, Retire, Seg,
    SegReg,
};

use crate::arch::syscall4;
use crate::reply::Reply;
use crate::trap;

const X86_CR4_TSD: u64 = 1 << 2;
const MSR_STAR: u32 = 0xc000_0081;
const PIC_MASTER_IMR: u16 = 0x21;
const PIC_SLAVE_IMR: u16 = 0xa1;

/// Seven reaches, whatever the results: read and write CR4 (TSD flipped),
/// read and write MSR_STAR, read and write the master PIC's mask register
/// (IRQ 2 unmasked), and read the slave's (the test's instruction writes
/// it).
fn stray(ops: &mut XenOps) {
    let cr4 = ops.read_cr(4).unwrap_or(0);
    let _ = ops.write_cr(4, cr4 ^ X86_CR4_TSD);
    let star = ops.read_msr(MSR_STAR).unwrap_or(0);
    let _ = ops.write_msr(MSR_STAR, star ^ 0x1000);
    let _ = ops.read_io(PIC_MASTER_IMR, 1);
    let _ = ops.write_io(PIC_MASTER_IMR, 1, 0xfb);
    let _ = ops.read_io(PIC_SLAVE_IMR, 1);
}

const RM_OKAY: i64 = abi::HVM_DEPRIV_RM_OKAY as i64;
const RM_EXCEPTION: i64 = abi::HVM_DEPRIV_RM_EXCEPTION as i64;
const RM_RETRY: i64 = abi::HVM_DEPRIV_RM_RETRY as i64;
const RM_CMPXCHG_FAILED: i64 = abi::HVM_DEPRIV_RM_CMPXCHG_FAILED as i64;
const DATA_MAX: usize = abi::HVM_DEPRIV_RM_DATA_MAX as usize;
const NO_EC: u32 = abi::HVM_DEPRIV_RM_NO_EC as u32;

fn rm() -> *mut hvm_depriv_rm {
    // The vCPU's own page, mapped read-write at HVM_DEPRIV_VA_RM.
    abi::va::RM as *mut hvm_depriv_rm
}

/// Ring-3 addresses of the syscall buffers in the real-mode page.
fn data_ptr() -> *mut [u8; 2 * DATA_MAX] {
    // SAFETY: an address computation inside the mapped real-mode page.
    unsafe { core::ptr::addr_of_mut!((*rm()).data) }
}
fn val_ptr() -> *mut u64 {
    // SAFETY: an address computation inside the mapped real-mode page.
    unsafe { core::ptr::addr_of_mut!((*rm()).val) }
}
fn seg_ptr() -> *mut hvm_depriv_seg {
    // SAFETY: an address computation inside the mapped real-mode page.
    unsafe { core::ptr::addr_of_mut!((*rm()).seg) }
}
fn rep_ptr() -> *mut hvm_depriv_rm_rep {
    // SAFETY: an address computation inside the mapped real-mode page.
    unsafe { core::ptr::addr_of_mut!((*rm()).rep) }
}
fn cpuid_ptr() -> *mut [u32; 4] {
    // SAFETY: an address computation inside the mapped real-mode page.
    unsafe { core::ptr::addr_of_mut!((*rm()).cpuid) }
}

// The real-mode page is written by Xen during syscalls: every access below
// is volatile, and the `syscall` asm is not `nomem`, so nothing is cached
// across one.  SAFETY (all of them): the pointers come from the functions
// above (inside the mapped real-mode page, properly aligned), and the page
// is this vCPU's alone, so no other vCPU's emulation uses it.
fn get<T: Copy>(p: *const T) -> T {
    // SAFETY: see above.
    unsafe { p.read_volatile() }
}
fn put<T>(p: *mut T, v: T) {
    // SAFETY: see above.
    unsafe { p.write_volatile(v) }
}

/// The event Xen recorded for an op that raised an exception (Xen copies
/// `ctxt->event` into the real-mode page for us).
fn op_event() -> Event {
    let r = rm();
    // SAFETY: see get().
    let (vector, ty, len, ec) = unsafe {
        (
            core::ptr::addr_of!((*r).ev_vector).read_volatile(),
            core::ptr::addr_of!((*r).ev_type).read_volatile(),
            core::ptr::addr_of!((*r).ev_insn_len).read_volatile(),
            core::ptr::addr_of!((*r).ev_error_code).read_volatile(),
        )
    };
    let kind = match i64::from(ty) {
        t if t == abi::HVM_DEPRIV_RM_EV_SW_INTERRUPT as i64 => EventType::SwInterrupt,
        t if t == abi::HVM_DEPRIV_RM_EV_PRI_SW_EXCEPTION as i64 => EventType::PriSwException,
        t if t == abi::HVM_DEPRIV_RM_EV_SW_EXCEPTION as i64 => EventType::SwException,
        _ => EventType::HwException,
    };
    Event {
        vector,
        kind,
        error_code: if ec == NO_EC { None } else { Some(ec) },
        insn_len: len,
    }
}

/// An op's X86EMUL_* code (or a refused syscall) as the emulator's result.
fn op_result(rc: i64) -> OpResult<()> {
    match rc {
        RM_OKAY => Ok(()),
        RM_RETRY | RM_CMPXCHG_FAILED => Err(Fault::Retry),
        RM_EXCEPTION => Err(Fault::Exception(op_event())),
        _ => Err(Fault::Unhandleable),
    }
}

fn copy_in(src: &[u8], at: usize) -> OpResult<()> {
    let d = data_ptr() as *mut u8;
    for (i, b) in src.iter().enumerate() {
        let i = i.checked_add(at).filter(|&i| i < 2 * DATA_MAX);
        let Some(i) = i else {
            return Err(Fault::Unhandleable);
        };
        // SAFETY: see get(); i < the buffer's length.
        unsafe { d.add(i).write_volatile(*b) };
    }
    Ok(())
}

fn copy_out(dst: &mut [u8]) {
    let d = data_ptr() as *const u8;
    for (i, b) in dst.iter_mut().enumerate().take(2 * DATA_MAX) {
        // SAFETY: see get(); i < the buffer's length.
        *b = unsafe { d.add(i).read_volatile() };
    }
}

fn seg_in(s: &SegReg) {
    put(
        seg_ptr(),
        hvm_depriv_seg {
            sel: s.sel,
            attr: s.attr,
            limit: s.limit,
            base: s.base,
        },
    );
}

/// Xen's emulation ops for the instruction being emulated, via syscalls.
struct XenOps;

impl XenOps {
    #[allow(clippy::too_many_arguments)]
    fn rep(
        nr: u64,
        seg: Seg,
        offset: u64,
        dst_seg: Seg,
        dst_offset: u64,
        port: u16,
        val: u64,
        bytes: u8,
        reps: &mut u64,
    ) -> OpResult<()> {
        put(
            rep_ptr(),
            hvm_depriv_rm_rep {
                offset,
                dst_offset,
                val,
                reps: *reps,
                port,
                seg: seg as u8,
                dst_seg: dst_seg as u8,
                bytes,
                pad: [0; 3],
            },
        );
        let rc = syscall4(nr, rep_ptr() as u64, 0, 0, 0);
        // SAFETY: see get().
        *reps = unsafe { core::ptr::addr_of!((*rep_ptr()).reps).read_volatile() };
        op_result(rc)
    }
}

// The prefill is the ABI's: ES..GS by Xen's enum x86_segment, insn_buf[].
const _: () = {
    assert!(realmode::PREFILL_SEGS == abi::HVM_DEPRIV_RM_PRE_NR_SEGS as usize);
    assert!(realmode::PREFILL_INSN_MAX == abi::HVM_DEPRIV_RM_PRE_INSN_MAX as usize);
    assert!(abi::HVM_DEPRIV_RM_PRE_SEGS == (1 << abi::HVM_DEPRIV_RM_PRE_NR_SEGS) - 1);
};

/// What Xen put in the real-mode page before the call: the instruction
/// bytes it prefetched, ES..GS and CR0, where it had them (`pre_valid`).
fn prefill() -> Prefill {
    let r = rm();
    // SAFETY (each): see get().  Field by field and byte by byte: a
    // volatile read of a whole array would be a memcpy call, which the
    // payload has none of.
    let (valid, insn_bytes, insn_eip, cr0) = unsafe {
        (
            core::ptr::addr_of!((*r).pre_valid).read_volatile(),
            core::ptr::addr_of!((*r).pre_insn_bytes).read_volatile(),
            core::ptr::addr_of!((*r).pre_insn_eip).read_volatile(),
            core::ptr::addr_of!((*r).pre_cr0).read_volatile(),
        )
    };
    let mut pre = Prefill {
        insn_eip,
        insn: [0; realmode::PREFILL_INSN_MAX],
        insn_bytes,
        segs: [None; realmode::PREFILL_SEGS],
        cr0: if valid & abi::HVM_DEPRIV_RM_PRE_CR0 as u32 != 0 {
            Some(cr0)
        } else {
            None
        },
    };
    // SAFETY: see get().
    let insn = unsafe { core::ptr::addr_of!((*r).pre_insn) } as *const u8;
    for (i, b) in pre.insn.iter_mut().enumerate() {
        // SAFETY: see get(); i < the array's length.
        *b = unsafe { insn.add(i).read_volatile() };
    }
    // SAFETY: see get().
    let segs = unsafe { core::ptr::addr_of!((*r).pre_seg) } as *const hvm_depriv_seg;
    for (i, dst) in pre.segs.iter_mut().enumerate() {
        if valid & (1 << i) != 0 {
            // SAFETY: see get(); i < the array's length.
            let s = unsafe { &*segs.add(i) };
            // SAFETY (each): see get().
            *dst = Some(unsafe {
                SegReg {
                    sel: core::ptr::addr_of!(s.sel).read_volatile(),
                    attr: core::ptr::addr_of!(s.attr).read_volatile(),
                    limit: core::ptr::addr_of!(s.limit).read_volatile(),
                    base: core::ptr::addr_of!(s.base).read_volatile(),
                }
            });
        }
    }
    pre
}

// The feature bits are the ABI's, passed through unchanged.
const _: () = {
    use realmode::features as f;
    assert!(f::BMI1 == abi::HVM_DEPRIV_RM_F_BMI1 as u32);
    assert!(f::LZCNT == abi::HVM_DEPRIV_RM_F_LZCNT as u32);
    assert!(f::RTM == abi::HVM_DEPRIV_RM_F_RTM as u32);
    assert!(f::HLE == abi::HVM_DEPRIV_RM_F_HLE as u32);
    assert!(f::SMAP == abi::HVM_DEPRIV_RM_F_SMAP as u32);
    assert!(f::SERIALIZE == abi::HVM_DEPRIV_RM_F_SERIALIZE as u32);
    assert!(f::TSXLDTRK == abi::HVM_DEPRIV_RM_F_TSXLDTRK as u32);
    assert!(f::CLZERO == abi::HVM_DEPRIV_RM_F_CLZERO as u32);
    assert!(f::SEP == abi::HVM_DEPRIV_RM_F_SEP as u32);
    assert!(f::CR8_LEGACY == abi::HVM_DEPRIV_RM_F_CR8_LEGACY as u32);
    assert!(f::CMOV == abi::HVM_DEPRIV_RM_F_CMOV as u32);
    assert!(f::SSE2 == abi::HVM_DEPRIV_RM_F_SSE2 as u32);
    assert!(f::MMXEXT == abi::HVM_DEPRIV_RM_F_MMXEXT as u32);
    assert!(f::POPCNT == abi::HVM_DEPRIV_RM_F_POPCNT as u32);
    assert!(f::AMD_LIKE == abi::HVM_DEPRIV_RM_F_AMD_LIKE as u32);
    assert!(f::RDPID == abi::HVM_DEPRIV_RM_F_RDPID as u32);
    assert!(f::RDRAND == abi::HVM_DEPRIV_RM_F_RDRAND as u32);
    assert!(f::RDSEED == abi::HVM_DEPRIV_RM_F_RDSEED as u32);
    assert!(f::CX8 == abi::HVM_DEPRIV_RM_F_CX8 as u32);
    assert!(f::ALL == (1 << 19) - 1);
};

impl Ops for XenOps {
    fn features(&self) -> u32 {
        // SAFETY: see get().
        let f = unsafe { core::ptr::addr_of!((*rm()).features).read_volatile() };
        f & realmode::features::ALL
    }
    fn insn_fetch(&mut self, offset: u64, buf: &mut [u8]) -> OpResult<()> {
        let rc = syscall4(
            abi::sys::RM_INSN_FETCH,
            offset,
            data_ptr() as u64,
            buf.len() as u64,
            0,
        );
        op_result(rc)?;
        copy_out(buf);
        Ok(())
    }

    fn read(&mut self, seg: Seg, offset: u64, buf: &mut [u8]) -> OpResult<()> {
        let rc = syscall4(
            abi::sys::RM_READ,
            seg as u64,
            offset,
            data_ptr() as u64,
            buf.len() as u64,
        );
        op_result(rc)?;
        copy_out(buf);
        Ok(())
    }

    fn write(&mut self, seg: Seg, offset: u64, data: &[u8]) -> OpResult<()> {
        copy_in(data, 0)?;
        let rc = syscall4(
            abi::sys::RM_WRITE,
            seg as u64,
            offset,
            data_ptr() as u64,
            data.len() as u64,
        );
        op_result(rc)
    }

    fn cmpxchg(&mut self, seg: Seg, offset: u64, old: &[u8], new: &[u8]) -> OpResult<()> {
        if old.len() != new.len() {
            return Err(Fault::Unhandleable);
        }
        copy_in(old, 0)?;
        copy_in(new, old.len())?;
        let rc = syscall4(
            abi::sys::RM_CMPXCHG,
            seg as u64,
            offset,
            data_ptr() as u64,
            old.len() as u64,
        );
        op_result(rc)
    }

    fn rep_ins(
        &mut self,
        port: u16,
        seg: Seg,
        offset: u64,
        bytes: u8,
        reps: &mut u64,
        _df: bool,
    ) -> OpResult<()> {
        // DF: Xen's op reads it from the guest's registers, as ours.
        let nr = abi::sys::RM_REP_INS;
        Self::rep(nr, seg, offset, Seg::Es, 0, port, 0, bytes, reps)
    }

    fn rep_outs(
        &mut self,
        seg: Seg,
        offset: u64,
        port: u16,
        bytes: u8,
        reps: &mut u64,
        _df: bool,
    ) -> OpResult<()> {
        let nr = abi::sys::RM_REP_OUTS;
        Self::rep(nr, seg, offset, Seg::Es, 0, port, 0, bytes, reps)
    }

    fn rep_movs(
        &mut self,
        src_seg: Seg,
        src_offset: u64,
        dst_seg: Seg,
        dst_offset: u64,
        bytes: u8,
        reps: &mut u64,
        _df: bool,
    ) -> OpResult<()> {
        let nr = abi::sys::RM_REP_MOVS;
        Self::rep(
            nr, src_seg, src_offset, dst_seg, dst_offset, 0, 0, bytes, reps,
        )
    }

    fn rep_stos(
        &mut self,
        val: u64,
        seg: Seg,
        offset: u64,
        bytes: u8,
        reps: &mut u64,
        _df: bool,
    ) -> OpResult<()> {
        let nr = abi::sys::RM_REP_STOS;
        Self::rep(nr, seg, offset, Seg::Es, 0, 0, val, bytes, reps)
    }

    fn read_io(&mut self, port: u16, bytes: u8) -> OpResult<u32> {
        let rc = syscall4(
            abi::sys::RM_READ_IO,
            u64::from(port),
            u64::from(bytes),
            val_ptr() as u64,
            0,
        );
        op_result(rc)?;
        Ok(get(val_ptr()) as u32)
    }

    fn write_io(&mut self, port: u16, bytes: u8, val: u32) -> OpResult<()> {
        let rc = syscall4(
            abi::sys::RM_WRITE_IO,
            u64::from(port),
            u64::from(bytes),
            u64::from(val),
            0,
        );
        op_result(rc)
    }

    fn read_segment(&mut self, seg: Seg) -> OpResult<SegReg> {
        let rc = syscall4(
            abi::sys::RM_READ_SEGMENT,
            seg as u64,
            seg_ptr() as u64,
            0,
            0,
        );
        op_result(rc)?;
        let s = get(seg_ptr());
        Ok(SegReg {
            sel: s.sel,
            attr: s.attr,
            limit: s.limit,
            base: s.base,
        })
    }

    fn write_segment(&mut self, seg: Seg, reg: &SegReg) -> OpResult<()> {
        seg_in(reg);
        let rc = syscall4(
            abi::sys::RM_WRITE_SEGMENT,
            seg as u64,
            seg_ptr() as u64,
            0,
            0,
        );
        op_result(rc)
    }

    fn read_cr(&mut self, reg: u8) -> OpResult<u64> {
        let rc = syscall4(abi::sys::RM_READ_CR, u64::from(reg), val_ptr() as u64, 0, 0);
        op_result(rc)?;
        Ok(get(val_ptr()))
    }

    fn write_cr(&mut self, reg: u8, val: u64) -> OpResult<()> {
        op_result(syscall4(abi::sys::RM_WRITE_CR, u64::from(reg), val, 0, 0))
    }

    fn read_msr(&mut self, msr: u32) -> OpResult<u64> {
        let rc = syscall4(
            abi::sys::RM_READ_MSR,
            u64::from(msr),
            val_ptr() as u64,
            0,
            0,
        );
        op_result(rc)?;
        Ok(get(val_ptr()))
    }

    fn write_msr(&mut self, msr: u32, val: u64) -> OpResult<()> {
        op_result(syscall4(abi::sys::RM_WRITE_MSR, u64::from(msr), val, 0, 0))
    }

    fn cpuid(&mut self, leaf: u32, subleaf: u32) -> OpResult<[u32; 4]> {
        let rc = syscall4(
            abi::sys::RM_CPUID,
            u64::from(leaf),
            u64::from(subleaf),
            cpuid_ptr() as u64,
            0,
        );
        op_result(rc)?;
        Ok(get(cpuid_ptr()))
    }
}

fn retire_bits(r: &Retire) -> u8 {
    let mut b = 0i64;
    for (set, bit) in [
        (r.hlt, abi::HVM_DEPRIV_RM_RETIRE_HLT),
        (r.mov_ss, abi::HVM_DEPRIV_RM_RETIRE_MOV_SS),
        (r.sti, abi::HVM_DEPRIV_RM_RETIRE_STI),
        (r.singlestep, abi::HVM_DEPRIV_RM_RETIRE_SINGLESTEP),
        (r.unblock_nmi, abi::HVM_DEPRIV_RM_RETIRE_UNBLOCK_NMI),
    ] {
        if set {
            b |= bit as i64;
        }
    }
    b as u8
}

fn put_event(r: *mut hvm_depriv_rm, ev: &Event) {
    let ty = match ev.kind {
        EventType::HwException => abi::HVM_DEPRIV_RM_EV_HW_EXCEPTION,
        EventType::SwInterrupt => abi::HVM_DEPRIV_RM_EV_SW_INTERRUPT,
        EventType::PriSwException => abi::HVM_DEPRIV_RM_EV_PRI_SW_EXCEPTION,
        EventType::SwException => abi::HVM_DEPRIV_RM_EV_SW_EXCEPTION,
    };
    // SAFETY (each): see get().
    unsafe {
        core::ptr::addr_of_mut!((*r).ev_vector).write_volatile(ev.vector);
        core::ptr::addr_of_mut!((*r).ev_type).write_volatile(ty as u8);
        core::ptr::addr_of_mut!((*r).ev_insn_len).write_volatile(ev.insn_len);
        core::ptr::addr_of_mut!((*r).ev_error_code).write_volatile(ev.error_code.unwrap_or(NO_EC));
    }
}

/// HVM_DEPRIV_ST_WATCHDOG_SYSCALLS, armed: never returns.  32-byte reads
/// of DS:0 (guest RAM in the test) into the real-mode page, one after the
/// other: no guest state changes.
fn syscall_spin() -> ! {
    loop {
        let _ = syscall4(
            abi::sys::RM_READ,
            Seg::Ds as u64,
            0,
            data_ptr() as u64,
            DATA_MAX as u64,
        );
    }
}

/// Emulate one instruction; the outcome goes to the real-mode page, and the
/// call itself always answers 0 (Xen reads the X86EMUL_* code there).
pub fn run() -> Reply {
    if trap::RM_SYSCALL_SPIN.take() {
        syscall_spin();
    }
    let r = rm();
    // SAFETY (each): see get().
    let mut cpu = unsafe {
        CpuState {
            gpr: core::ptr::addr_of!((*r).gpr).read_volatile(),
            eip: core::ptr::addr_of!((*r).eip).read_volatile(),
            eflags: core::ptr::addr_of!((*r).eflags).read_volatile(),
            addr_size: core::ptr::addr_of!((*r).addr_size).read_volatile(),
            sp_size: core::ptr::addr_of!((*r).sp_size).read_volatile(),
        }
    };

    if trap::RM_STRAY.take() {
        stray(&mut XenOps);
    }
    if trap::RM_DELEGATE_AFTER_ACCESS.take() {
        let mut byte = [0u8; 1];
        let _ = XenOps.read(Seg::Ds, 0, &mut byte);
        hand_over(&cpu, abi::HVM_DEPRIV_RM_DELEGATE as u8, 0);
        return Ok(0);
    }

    // Xen's answers it put in the page serve where they may; the rest are
    // syscalls.
    let mut xen = XenOps;
    let mut ops = Prefilled::new(&mut xen, prefill());
    let (rc, retire) = match realmode::emulate_one(&mut cpu, &mut ops) {
        Outcome::Okay(retire) => (abi::HVM_DEPRIV_RM_OKAY, retire_bits(&retire)),
        Outcome::Retry => (abi::HVM_DEPRIV_RM_RETRY, 0),
        Outcome::Exception(ev) => {
            put_event(r, &ev);
            (abi::HVM_DEPRIV_RM_EXCEPTION, 0)
        }
        Outcome::Unhandleable => (abi::HVM_DEPRIV_RM_UNHANDLEABLE, 0),
        Outcome::Unrecognized => (abi::HVM_DEPRIV_RM_UNRECOGNIZED, 0),
        Outcome::Delegate => (abi::HVM_DEPRIV_RM_DELEGATE, 0),
    };

    hand_over(&cpu, rc as u8, retire);
    Ok(0)
}

/// Hand the instruction's outcome to Xen in the real-mode page: the
/// registers, the X86EMUL_* code and the retire flags (an exception's event
/// is already there, from `put_event`).
fn hand_over(cpu: &CpuState, rc: u8, retire: u8) {
    let r = rm();
    // SAFETY (each): see get().
    unsafe {
        core::ptr::addr_of_mut!((*r).gpr).write_volatile(cpu.gpr);
        core::ptr::addr_of_mut!((*r).eip).write_volatile(cpu.eip);
        core::ptr::addr_of_mut!((*r).eflags).write_volatile(cpu.eflags);
        core::ptr::addr_of_mut!((*r).retire).write_volatile(retire);
        core::ptr::addr_of_mut!((*r).rc).write_volatile(rc);
    }
}
