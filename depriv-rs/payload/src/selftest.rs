//! Self-test scenarios for the containment proof (docs/design.md, 10.1: the containment matrix): each one
//! misbehaves at ring 3 in a way Xen must contain.  Xen passes these
//! requests only when booted with `hvm_depriv=selftest`; the code is
//! harmless by construction — running it is what shows that.

use core::arch::asm;
use core::ptr;

use crate::arch::{abort, entry_address, syscall4};
use crate::reply::{Refused, Reply};
use crate::trap;

/// An address in Xen's own image (XEN_VIRT_START): mapped, supervisor only.
const XEN_ADDRESS: u64 = 0xffff_82d0_4000_0000;

/// HVM_DEPRIV_REQ_SELFTEST: run one scenario (`param`: the guest's
/// parameter for it, if it takes one).  Most never come back (Xen contains
/// them); the others answer with their result; an unknown one is refused.
pub fn run(scenario: u64, param: u64) -> Reply {
    let Ok(s) = i32::try_from(scenario) else {
        return Err(Refused);
    };
    Ok(match s {
        abi::HVM_DEPRIV_ST_RTC_BAD_REQUEST => trap::RTC_BAD_REQUEST.arm(),
        abi::HVM_DEPRIV_ST_PIC_BAD_EDGE => trap::PIC_BAD_EDGE.arm(),
        abi::HVM_DEPRIV_ST_PIC_ACK_STUCK => trap::PIC_ACK_STUCK.arm(),
        abi::HVM_DEPRIV_ST_RTC_STRETCH => trap::rtc_stretch_arm(param << 16),
        abi::HVM_DEPRIV_ST_RM_STRAY => trap::RM_STRAY.arm(),
        abi::HVM_DEPRIV_ST_RM_DELEGATE_AFTER_ACCESS => trap::RM_DELEGATE_AFTER_ACCESS.arm(),
        abi::HVM_DEPRIV_ST_WATCHDOG_SYSCALLS => trap::RM_SYSCALL_SPIN.arm(),
        abi::HVM_DEPRIV_ST_RTC_SHORT_PERIOD => trap::RTC_SHORT_PERIOD.arm(),
        abi::HVM_DEPRIV_ST_GDT_SCAN => gdt_scan(),
        abi::HVM_DEPRIV_ST_WILD_READ => {
            // SAFETY: deliberately faults (#PF: supervisor page); Xen
            // contains it.  Nothing is read.
            unsafe { ptr::read_volatile(XEN_ADDRESS as *const u64) as i64 }
        }
        abi::HVM_DEPRIV_ST_WILD_WRITE => {
            // SAFETY: deliberately faults (#PF); nothing is written.
            unsafe { ptr::write_volatile(XEN_ADDRESS as *mut u64, 0x5a5a) };
            0
        }
        abi::HVM_DEPRIV_ST_WRITE_TEXT => {
            let text = entry_address() as *mut u8;
            // SAFETY: deliberately faults (#PF: the text is mapped read-only).
            unsafe { ptr::write_volatile(text, 0xcc) };
            0
        }
        abi::HVM_DEPRIV_ST_EXEC_STATE => {
            let code = abi::STATE_SCRATCH as *mut u8;
            // SAFETY: the state page is ours and writable; executing it
            // deliberately faults (#PF: NX).
            unsafe {
                ptr::write_volatile(code, 0xc3); // ret
                let f: extern "C" fn() = core::mem::transmute(code);
                f();
            }
            0
        }
        abi::HVM_DEPRIV_ST_UD2 => {
            // SAFETY: deliberately raises #UD.
            unsafe { asm!("ud2", options(noreturn, nomem, nostack)) }
        }
        abi::HVM_DEPRIV_ST_DIV_ZERO => {
            // SAFETY: deliberately raises #DE (a Rust `/` would panic instead).
            unsafe {
                asm!("xor ecx, ecx", "div ecx", out("eax") _, out("edx") _, out("ecx") _,
                     options(nomem, nostack));
            }
            0
        }
        abi::HVM_DEPRIV_ST_STACK_OVERFLOW => {
            // SAFETY: unbounded recursion: the pushes reach the unmapped
            // guard page below the stack (#PF), which Xen contains.
            unsafe { asm!("2:", "call 2b", options(noreturn)) }
        }
        abi::HVM_DEPRIV_ST_INFINITE_LOOP => {
            // SAFETY: spins until Xen's watchdog aborts the call.
            unsafe { asm!("2:", "jmp 2b", options(noreturn, nomem, nostack)) }
        }
        abi::HVM_DEPRIV_ST_BAD_SYSCALL => syscall4(0x7fff_0001, 0, 0, 0, 0),
        abi::HVM_DEPRIV_ST_BAD_POINTER => syscall4(abi::sys::LOG, XEN_ADDRESS, 16, 0, 0),
        abi::HVM_DEPRIV_ST_SYSCALL_STORM => {
            let mut last = 0;
            for i in 0..100_000u64 {
                last = syscall4(abi::sys::NR + i, 0, 0, 0, 0);
            }
            last
        }
        // A real `panic!()` cannot be linked (the checker rejects any core
        // panic path); this runs what the panic handler runs.
        abi::HVM_DEPRIV_ST_PANIC => abort(),
        abi::HVM_DEPRIV_ST_LOG => {
            const MSG: &[u8] = b"selftest: hello from ring 3";
            let buf = abi::STATE_SCRATCH as *mut u8;
            for (i, b) in MSG.iter().enumerate() {
                // SAFETY: the scratch area of our state page (256 bytes).
                unsafe { ptr::write_volatile(buf.wrapping_add(i), *b) };
            }
            syscall4(abi::sys::LOG, buf as u64, MSG.len() as u64, 0, 0)
        }
        abi::HVM_DEPRIV_ST_INT80 => {
            // SAFETY: the DPL3 gate Xen keeps for PV guests; Xen contains it.
            unsafe { asm!("int 0x80", options(nomem, nostack)) };
            0
        }
        abi::HVM_DEPRIV_ST_SYSENTER => {
            // SAFETY: #UD on AMD in long mode; on Intel #GP, as Xen sets
            // SYSENTER_CS to 0 for a call.  Xen contains either.
            unsafe { asm!("sysenter", options(nomem, nostack)) };
            0
        }
        abi::HVM_DEPRIV_ST_PRIV_INSN => {
            // SAFETY: `cli` at ring 3 raises #GP.
            unsafe { asm!("cli", options(nomem, nostack)) };
            0
        }
        abi::HVM_DEPRIV_ST_SINGLE_STEP => {
            // SAFETY: sets TF: the next instruction raises #DB at ring 3.
            unsafe {
                asm!(
                    "pushfq",
                    "or qword ptr [rsp], 0x100",
                    "popfq",
                    "nop",
                    options(nomem)
                );
            }
            0
        }
        // A well-formed real-mode op (READ_CR 0 into the real-mode page) is
        // still refused outside a REALMODE request.
        abi::HVM_DEPRIV_ST_RM_OUTSIDE => syscall4(abi::sys::RM_READ_CR, 0, abi::va::RM, 0, 0),
        // Spin at ring 3 until Xen has dumped this frame from an NMI (it
        // sets the flag); Xen must survive the dump.
        abi::HVM_DEPRIV_ST_NMI_DUMP => {
            let flag = (abi::STATE_SCRATCH + abi::HVM_DEPRIV_ST_NMI_DUMP_FLAG as u64) as *const u8;
            // SAFETY: a byte of our state page's scratch area.
            while unsafe { ptr::read_volatile(flag) } == 0 {
                core::hint::spin_loop();
            }
            i64::from(s)
        }
        // The same with %rsp and %rbp at a non-canonical address (6 pages
        // into a 32K-aligned block, where Xen's show_stack() takes a stack
        // to dump all the way up to the block's end): a dump that followed
        // them at ring 0 would take an unhandled #GP.  Nothing here uses the
        // stack; interrupts and NMIs switch to Xen's.
        abi::HVM_DEPRIV_ST_NMI_DUMP_WILD_SP => {
            let flag = abi::STATE_SCRATCH + abi::HVM_DEPRIV_ST_NMI_DUMP_FLAG as u64;
            // SAFETY: %rsp and %rbp are restored before the block ends and
            // are not used in between; the flag is in our state page.
            unsafe {
                asm!(
                    "mov r12, rsp",
                    "mov r13, rbp",
                    "mov rsp, {wild}",
                    "mov rbp, {wild}",
                    "2:",
                    "pause",
                    "cmp byte ptr [{flag}], 0",
                    "je 2b",
                    "mov rsp, r12",
                    "mov rbp, r13",
                    wild = in(reg) 0x8000_0000_dead_6f00u64,
                    flag = in(reg) flag,
                    out("r12") _,
                    out("r13") _,
                );
            }
            i64::from(s)
        }
        _ => return Err(Refused),
    })
}

/// HVM_DEPRIV_ST_GDT_SCAN: how many selectors below Xen's reserved GDT
/// entries (0x0000-0xdfff, table indicator 0, RPL 3) name a descriptor
/// LAR accepts at ring 3.  It never faults; a descriptor there would be
/// memory the payload could read bits of, load segments from, or call
/// through (a gate).  Xen runs calls on a GDT with none: 0.
fn gdt_scan() -> i64 {
    let mut found: i64 = 0;
    let mut sel: u32 = 3;
    while sel < 0xe000 {
        let ok: u8;
        // SAFETY: LAR only reads the descriptor's access rights (ZF set
        // if it may); no memory operand, no stack.
        unsafe {
            asm!(
                "lar {t:e}, {s:e}",
                "setz {ok}",
                s = in(reg) sel,
                t = out(reg) _,
                ok = out(reg_byte) ok,
                options(nomem, nostack),
            );
        }
        found = found.wrapping_add(i64::from(ok));
        sel = sel.wrapping_add(8);
    }
    found
}
