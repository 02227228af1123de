/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hvm-depriv ABI: what Xen and the ring-3 payload share.
 *
 * This header is the single source of truth.  Xen includes it as
 * asm/hvm/depriv-abi.h (a byte-identical copy carried by the patch series,
 * checked by the project's tests); the Rust `abi` crate is generated from it
 * with bindgen.  Only plain constants and fixed-layout structs belong here,
 * and no C-only syntax in constants: assembly includes it too.
 */
#ifndef HVM_DEPRIV_ABI_H
#define HVM_DEPRIV_ABI_H

#ifndef __ASSEMBLY__
#ifdef __XEN__
#include <xen/types.h>
#else
#include <stdint.h>
#endif
#endif

#define HVM_DEPRIV_ABI_VERSION          4

/*
 * The ring-3 address space, in the lower half (L4 slot 0) of each HVM
 * vCPU's monitor table.  Everything lies within one 2M region (one L1).
 */
#define HVM_DEPRIV_VA_BASE              0x40000000 /* text, then rodata */
#define HVM_DEPRIV_VA_MAX_PAYLOAD       0x00100000 /* 1M of text+rodata */
#define HVM_DEPRIV_VA_STATE             0x40100000 /* domain's state page */
#define HVM_DEPRIV_VA_RM                0x40101000 /* vCPU's real-mode page */
#define HVM_DEPRIV_VA_GUARD             0x4017f000 /* never mapped */
#define HVM_DEPRIV_VA_STACK             0x40180000 /* lowest stack page */
#define HVM_DEPRIV_STACK_PAGES          2
#define HVM_DEPRIV_VA_STACK_TOP \
    (HVM_DEPRIV_VA_STACK + HVM_DEPRIV_STACK_PAGES * 0x1000)

/* Requests: the entry point's first argument (%rdi). */
#define HVM_DEPRIV_REQ_ECHO             1   /* returns arg0 + 1 */
#define HVM_DEPRIV_REQ_SELFTEST         2   /* arg0 = HVM_DEPRIV_ST_* */
/*
 * A guest access to a PIC port (0x20/0x21/0xa0/0xa1) or ELCR (0x4d0/0x4d1):
 * arg0 = port, arg1 = bytes | HVM_DEPRIV_IO_WRITE if a write, arg2 = the
 * value written.  Works on state_page.vpic; the results are in
 * state_page.pic_out.  Returns 0, or HVM_DEPRIV_EINVAL where Xen's vpic.c
 * would BUG() (the domain is then crashed).
 */
#define HVM_DEPRIV_REQ_PIC_IO           3
#define HVM_DEPRIV_IO_WRITE             0x100
/*
 * Interrupt acknowledge (vpic_ack_pending_irq()): arg0 = 1 if the vCPU's
 * LAPIC accepts PIC interrupts.  Works on state_page.vpic, effects in
 * state_page.pic_out; returns the vector to inject (0..262: irq_base + IR),
 * HVM_DEPRIV_PIC_NO_VECTOR, or HVM_DEPRIV_EINVAL where vpic.c would BUG().
 */
#define HVM_DEPRIV_REQ_PIC_ACK          7
#define HVM_DEPRIV_PIC_NO_VECTOR        0xffff
/*
 * An edge on an ISA IRQ line (vpic_irq_positive_edge()/_negative_edge()):
 * arg0 = the IRQ (0..15), arg1 = 1 for a positive edge, 0 for a negative
 * one.  Works on state_page.vpic, effects (a kick) in state_page.pic_out;
 * returns 0, or HVM_DEPRIV_EINVAL for an IRQ out of range.
 */
#define HVM_DEPRIV_REQ_PIC_EDGE         8
/*
 * The vRTC (MC146818, ports 0x70/0x71), on state_page.rtc with the time in
 * state_page.rtc_env; what rtc.c would have called afterwards is left in
 * state_page.rtc_out.
 * RTC_IO: a guest access, arguments as for PIC_IO; returns 0 (the data in
 * rtc_out.val) or HVM_DEPRIV_RTC_NOT_MINE (CMOS beyond the clock: Xen
 * forwards the access to the device model).
 * RTC_EVENT: arg0 = HVM_DEPRIV_RTC_EV_*, something that happened to the
 * RTC outside port I/O; returns 0.
 */
#define HVM_DEPRIV_REQ_RTC_IO           4
#define HVM_DEPRIV_REQ_RTC_EVENT        5
#define HVM_DEPRIV_RTC_NOT_MINE         1
#define HVM_DEPRIV_RTC_EV_UPDATE        0   /* update_timer expired */
#define HVM_DEPRIV_RTC_EV_UPDATE2       1   /* update_timer2 expired */
#define HVM_DEPRIV_RTC_EV_ALARM         2   /* alarm_timer expired */
#define HVM_DEPRIV_RTC_EV_PERIODIC      3   /* vpt injected a periodic IRQ 8 */
#define HVM_DEPRIV_RTC_EV_CLOCK         4   /* domain's time offset changed */
#define HVM_DEPRIV_RTC_EV_NR            5
/*
 * rtc_out.req[].op: the calls rtc.c makes, to be made in order.  Times are
 * in nanoseconds, SET_TIMER's expiry in NOW()'s time base.
 */
#define HVM_DEPRIV_RTC_SET_TIMER        1   /* timer, arg0 = expiry */
#define HVM_DEPRIV_RTC_STOP_TIMER       2   /* timer */
#define HVM_DEPRIV_RTC_CREATE_PERIODIC  3   /* arg0 = delta, arg1 = period */
#define HVM_DEPRIV_RTC_DESTROY_PERIODIC 4
#define HVM_DEPRIV_RTC_IRQ_ASSERT       5   /* IRQ 8 */
#define HVM_DEPRIV_RTC_IRQ_DEASSERT     6
#define HVM_DEPRIV_RTC_TIME_OFFSET_ADD  7   /* arg0 = seconds (rtc_set_time) */
/* rtc_out.req[].timer */
#define HVM_DEPRIV_RTC_TIMER_UPDATE     0
#define HVM_DEPRIV_RTC_TIMER_UPDATE2    1
#define HVM_DEPRIV_RTC_TIMER_ALARM      2
#define HVM_DEPRIV_RTC_MAX_REQS         16
/*
 * One instruction of a vCPU in real mode (CR0.PE=0), where Xen's HVM
 * emulation would run x86_emulate(): no arguments.  The payload emulates it
 * on the registers in the vCPU's real-mode page (struct hvm_depriv_rm at
 * HVM_DEPRIV_VA_RM), reaching guest memory, ports, segment and control
 * registers, MSRs and CPUID only through the HVM_DEPRIV_SYS_RM_* syscalls
 * (Xen's emulation ops for this instruction; valid only during this
 * request), and leaves the outcome in that page.  Returns 0, or a
 * negative error (the domain is then crashed).  What those syscalls would
 * return at the start of nearly every instruction, and Xen already holds,
 * it puts in the page before the call (hvm_depriv_rm.pre_*): the payload
 * may use it instead, until a syscall may have changed it.
 */
#define HVM_DEPRIV_REQ_REALMODE         6
/* hvm_depriv_rm.rc: Xen's X86EMUL_* codes, as the ops return them. */
#define HVM_DEPRIV_RM_OKAY              0
#define HVM_DEPRIV_RM_UNHANDLEABLE      1
#define HVM_DEPRIV_RM_EXCEPTION         2
#define HVM_DEPRIV_RM_RETRY             3
/* X86EMUL_UNRECOGNIZED: no such instruction. */
#define HVM_DEPRIV_RM_UNRECOGNIZED      5
#define HVM_DEPRIV_RM_CMPXCHG_FAILED    7   /* from SYS_RM_CMPXCHG only */
/*
 * Not an X86EMUL_* code: the instruction is one the payload leaves to
 * x86_emulate() (state it cannot reach at ring 3: the FPU/SIMD registers,
 * XCR0, PKRU, VMFUNC, the cache and TLB hooks).  Xen runs x86_emulate()
 * for it after checking from its own decoding that it is one of those.
 */
#define HVM_DEPRIV_RM_DELEGATE          0x40
/*
 * hvm_depriv_rm.features: the guest's CPUID features x86_emulate() looks at
 * for the instructions the payload emulates (the domain's CPU policy; where
 * x86_emulate() requires it, the host's as well).
 */
#define HVM_DEPRIV_RM_F_BMI1            (1u << 0)   /* TZCNT */
#define HVM_DEPRIV_RM_F_LZCNT           (1u << 1)   /* LZCNT (ABM) */
#define HVM_DEPRIV_RM_F_RTM             (1u << 2)
#define HVM_DEPRIV_RM_F_HLE             (1u << 3)
#define HVM_DEPRIV_RM_F_SMAP            (1u << 4)   /* CLAC, STAC */
#define HVM_DEPRIV_RM_F_SERIALIZE       (1u << 5)   /* host and guest */
#define HVM_DEPRIV_RM_F_TSXLDTRK        (1u << 6)
#define HVM_DEPRIV_RM_F_CLZERO          (1u << 7)
#define HVM_DEPRIV_RM_F_SEP             (1u << 8)   /* SYSENTER, SYSEXIT */
#define HVM_DEPRIV_RM_F_CR8_LEGACY      (1u << 9)   /* LOCK MOV CR0 = CR8 */
#define HVM_DEPRIV_RM_F_CMOV            (1u << 10)
#define HVM_DEPRIV_RM_F_SSE2            (1u << 11)  /* MOVNTI, L/MFENCE */
#define HVM_DEPRIV_RM_F_MMXEXT          (1u << 12)  /* MMXEXT or SSE: SFENCE */
#define HVM_DEPRIV_RM_F_POPCNT          (1u << 13)  /* host and guest */
#define HVM_DEPRIV_RM_F_AMD_LIKE        (1u << 14)  /* AMD or Hygon policy */
#define HVM_DEPRIV_RM_F_RDPID           (1u << 15)
#define HVM_DEPRIV_RM_F_RDRAND          (1u << 16)  /* host and guest */
#define HVM_DEPRIV_RM_F_RDSEED          (1u << 17)  /* host and guest */
#define HVM_DEPRIV_RM_F_CX8             (1u << 18)  /* CMPXCHG8B */
/*
 * hvm_depriv_rm.pre_valid: which of the values Xen filled in before the
 * call are there (bit n: pre_seg[n], n being Xen's enum x86_segment, ES to
 * GS; and CR0).  The instruction bytes are there if pre_insn_bytes != 0.
 */
#define HVM_DEPRIV_RM_PRE_SEGS          0x3f
#define HVM_DEPRIV_RM_PRE_CR0           0x40
#define HVM_DEPRIV_RM_PRE_NR_SEGS       6
#define HVM_DEPRIV_RM_PRE_INSN_MAX      16
/* hvm_depriv_rm.retire: Xen's ctxt->retire flags. */
#define HVM_DEPRIV_RM_RETIRE_HLT        0x01
#define HVM_DEPRIV_RM_RETIRE_MOV_SS     0x02
#define HVM_DEPRIV_RM_RETIRE_STI        0x04
#define HVM_DEPRIV_RM_RETIRE_SINGLESTEP 0x08
#define HVM_DEPRIV_RM_RETIRE_UNBLOCK_NMI 0x10
/* hvm_depriv_rm.ev_type: Xen's X86_EVENTTYPE_* (software events only). */
#define HVM_DEPRIV_RM_EV_HW_EXCEPTION   3
#define HVM_DEPRIV_RM_EV_SW_INTERRUPT   4
#define HVM_DEPRIV_RM_EV_PRI_SW_EXCEPTION 5
#define HVM_DEPRIV_RM_EV_SW_EXCEPTION   6
#define HVM_DEPRIV_RM_NO_EC             0xffffffff /* ev_error_code: none */

/*
 * Self-test scenarios (only with the hvm_depriv=selftest boot option).  The
 * self-test port's RUN makes an HVM_DEPRIV_REQ_SELFTEST call with arg0 = the
 * scenario (the low byte of the latched argument) and arg1 = the bits above
 * it.
 */
#define HVM_DEPRIV_ST_WILD_READ         1   /* read a Xen address */
#define HVM_DEPRIV_ST_WILD_WRITE        2   /* write a Xen address */
#define HVM_DEPRIV_ST_WRITE_TEXT        3   /* write the payload's own text */
#define HVM_DEPRIV_ST_EXEC_STATE        4   /* execute from the state page */
#define HVM_DEPRIV_ST_UD2               5   /* #UD */
#define HVM_DEPRIV_ST_DIV_ZERO          6   /* #DE */
#define HVM_DEPRIV_ST_STACK_OVERFLOW    7   /* recursion into the guard page */
#define HVM_DEPRIV_ST_INFINITE_LOOP     8   /* the watchdog's job */
#define HVM_DEPRIV_ST_BAD_SYSCALL       9   /* one unknown syscall number */
/* LOG with a pointer outside the state page. */
#define HVM_DEPRIV_ST_BAD_POINTER       10
#define HVM_DEPRIV_ST_SYSCALL_STORM     11  /* unknown syscalls in a loop */
#define HVM_DEPRIV_ST_PANIC             12  /* panic handler's path: ABORT */
#define HVM_DEPRIV_ST_LOG               13  /* a valid LOG: must not crash */
#define HVM_DEPRIV_ST_INT80             14  /* int $0x80: a DPL3 gate for PV */
#define HVM_DEPRIV_ST_PRIV_INSN         15  /* cli at ring 3: #GP */
#define HVM_DEPRIV_ST_SINGLE_STEP       16  /* TF set: #DB from ring 3 */
/* The next RTC call returns a request Xen refuses. */
#define HVM_DEPRIV_ST_RTC_BAD_REQUEST   17
/* A real-mode op outside a REALMODE request. */
#define HVM_DEPRIV_ST_RM_OUTSIDE        18
/* The next PIC edge call fails (EINVAL). */
#define HVM_DEPRIV_ST_PIC_BAD_EDGE      19
/* The next REALMODE call makes syscalls until the watchdog stops it. */
#define HVM_DEPRIV_ST_WATCHDOG_SYSCALLS 20
/* The next RTC call asks for a 1 us periodic timer. */
#define HVM_DEPRIV_ST_RTC_SHORT_PERIOD  21
/* Spin until Xen, by NMI, dumped this frame. */
#define HVM_DEPRIV_ST_NMI_DUMP          22
/* The same with %rsp/%rbp non-canonical. */
#define HVM_DEPRIV_ST_NMI_DUMP_WILD_SP  23
/* Count the selectors below 0xe000 that LAR accepts at ring 3. */
#define HVM_DEPRIV_ST_GDT_SCAN          24
/*
 * The next REALMODE call tries ports, control registers and MSRs its
 * instruction does not touch.
 */
#define HVM_DEPRIV_ST_RM_STRAY          25
/*
 * Every PIC acknowledge from now on finds no vector and leaves the output
 * high.
 */
#define HVM_DEPRIV_ST_PIC_ACK_STUCK     26
/*
 * Every RTC call from now on spins (arg1 << 16 TSC cycles) and re-records
 * its timer's expiry.
 */
#define HVM_DEPRIV_ST_RTC_STRETCH       27
/*
 * SYSENTER at ring 3: #UD (AMD, long mode) or #GP (Intel: Xen's SYSENTER_CS
 * is 0 in a call).
 */
#define HVM_DEPRIV_ST_SYSENTER          28
/* The next REALMODE call reads guest memory, then delegates. */
#define HVM_DEPRIV_ST_RM_DELEGATE_AFTER_ACCESS 29
#define HVM_DEPRIV_ST_MAX               29
/*
 * Scenarios 22 and 23: the byte of state_page.scratch Xen sets once it
 * has dumped the payload's frame from an NMI; the payload returns the
 * scenario number then.
 */
#define HVM_DEPRIV_ST_NMI_DUMP_FLAG     192

/*
 * Syscalls: %rax at `syscall`; arguments in %rdi, %rsi, %rdx, %r10.  The
 * result comes back in %rax; %rdi, %rsi, %rdx, %r8, %r9 and %r10 come back
 * zeroed and %rcx/%r11 clobbered (SYSCALL/SYSRET); the other registers are
 * preserved.
 */
#define HVM_DEPRIV_SYS_RETURN           0   /* leave ring 3; %rdi = result */
#define HVM_DEPRIV_SYS_ABORT            1   /* give up: crash the domain */
/* %rdi = a pointer into the state page, %rsi = the length. */
#define HVM_DEPRIV_SYS_LOG              2
/*
 * Real-mode emulation ops (only during HVM_DEPRIV_REQ_REALMODE): Xen runs
 * the op of its own x86_emulate_ops for the instruction being emulated and
 * returns its X86EMUL_* code (>= 0), or a negative error for a bad
 * argument.  "seg" is Xen's enum x86_segment; pointers (p) lie in the
 * vCPU's real-mode page (HVM_DEPRIV_VA_RM); data lengths are at most
 * HVM_DEPRIV_RM_DATA_MAX.  Ports, control registers, MSRs, CPUID and
 * GDTR/IDTR writes are limited to what the instruction being emulated (as
 * Xen decodes it) can reach; anything else is HVM_DEPRIV_EPERM.  Xen may
 * sleep in none of them: an op that would have to wait (a full vm_event
 * ring) returns HVM_DEPRIV_RM_RETRY, and Xen waits after the request,
 * before the instruction is emulated again.
 */
#define HVM_DEPRIV_SYS_RM_INSN_FETCH    3   /* offset, p, bytes (<= 15) */
#define HVM_DEPRIV_SYS_RM_READ          4   /* seg, offset, p, bytes */
#define HVM_DEPRIV_SYS_RM_WRITE         5   /* seg, offset, p, bytes */
/* seg, offset, p = old then new, bytes */
#define HVM_DEPRIV_SYS_RM_CMPXCHG       6
#define HVM_DEPRIV_SYS_RM_READ_IO       7   /* port, bytes, p = u64 result */
#define HVM_DEPRIV_SYS_RM_WRITE_IO      8   /* port, bytes, value */
#define HVM_DEPRIV_SYS_RM_REP_INS       9   /* p = struct hvm_depriv_rm_rep */
#define HVM_DEPRIV_SYS_RM_REP_OUTS      10  /* p = struct hvm_depriv_rm_rep */
#define HVM_DEPRIV_SYS_RM_REP_MOVS      11  /* p = struct hvm_depriv_rm_rep */
#define HVM_DEPRIV_SYS_RM_REP_STOS      12  /* p = struct hvm_depriv_rm_rep */
/* seg, p = struct hvm_depriv_seg */
#define HVM_DEPRIV_SYS_RM_READ_SEGMENT  13
/* seg, p = struct hvm_depriv_seg */
#define HVM_DEPRIV_SYS_RM_WRITE_SEGMENT 14
#define HVM_DEPRIV_SYS_RM_READ_CR       15  /* reg, p = u64 result */
#define HVM_DEPRIV_SYS_RM_WRITE_CR      16  /* reg, value */
#define HVM_DEPRIV_SYS_RM_READ_MSR      17  /* msr, p = u64 result */
#define HVM_DEPRIV_SYS_RM_WRITE_MSR     18  /* msr, value */
/* leaf, subleaf, p = u32[4] result */
#define HVM_DEPRIV_SYS_RM_CPUID         19
#define HVM_DEPRIV_SYS_NR               20

/* Error codes: results of syscalls and of requests (negative). */
#define HVM_DEPRIV_EPERM                (-1)   /* beyond the insn's reach */
#define HVM_DEPRIV_EFAULT               (-14)  /* pointer outside the page */
#define HVM_DEPRIV_EINVAL               (-22)  /* argument out of range */
#define HVM_DEPRIV_ENOSYS               (-38)  /* unknown syscall or request */
#define HVM_DEPRIV_ECRASHED             (-1000) /* contained: domain crashed */

/* Bounds. */
#define HVM_DEPRIV_LOG_MAX              128 /* bytes per LOG */
/*
 * Syscall errors tolerated in one call before the payload counts as
 * compromised.
 */
#define HVM_DEPRIV_MAX_ERRORS_PER_CALL  8
/* Bytes per real-mode READ/WRITE/CMPXCHG (each of old and new) syscall. */
#define HVM_DEPRIV_RM_DATA_MAX          32
/* Repetitions per real-mode REP_* syscall (x86_emulate's batch limit). */
#define HVM_DEPRIV_RM_MAX_REPS          4096

#ifndef __ASSEMBLY__
/* What Xen must do after HVM_DEPRIV_REQ_PIC_IO (as vpic.c does it). */
struct hvm_depriv_pic_out {
    uint32_t val;                 /* the access's data afterwards (*val) */
    uint16_t dpci_eoi;            /* ISA IRQs to hvm_dpci_eoi(), ascending */
    uint8_t kick;                 /* master INT rose: kick i8259_target */
    uint8_t may_unmask;           /* pt_may_unmask_irq(d, NULL) */
};

/* Xen's RTCState (asm/hvm/vpt.h) without its timers and lock. */
struct hvm_depriv_rtc_state {
    uint8_t hw[24];               /* struct hvm_hw_rtc (public save.h) */
    int32_t current_tm[9];        /* struct tm */
    uint32_t pad1;
    uint64_t next_update_time;
    int64_t start_time;
    int64_t check_ticks_since;
    int32_t period;
    uint8_t pt_dead_ticks;
    uint8_t pad2[3];
    uint32_t use_timer;
    uint32_t pad3;
};

/* What the vRTC reads of Xen's clocks, sampled once per call. */
struct hvm_depriv_rtc_env {
    int64_t now;                  /* NOW() */
    uint64_t wc_sec;              /* the wall clock at system time 0 */
    int64_t time_offset;          /* d->time_offset.seconds */
    uint32_t wc_nsec;
    uint32_t vpt_align;           /* HVM_PARAM_VPT_ALIGN != 0 */
};

struct hvm_depriv_rtc_req {
    uint32_t op;                  /* HVM_DEPRIV_RTC_SET_TIMER... */
    uint32_t timer;               /* HVM_DEPRIV_RTC_TIMER_* */
    uint64_t arg0, arg1;
};

/* What Xen must do after an RTC request (as rtc.c does it). */
struct hvm_depriv_rtc_out {
    uint32_t val;                 /* RTC_IO: the access's data afterwards */
    uint32_t nr;                  /* entries of req[] used */
    struct hvm_depriv_rtc_req req[HVM_DEPRIV_RTC_MAX_REQS];
};

/* Xen's struct segment_register. */
struct hvm_depriv_seg {
    uint16_t sel;
    uint16_t attr;
    uint32_t limit;
    uint64_t base;
};

/* The arguments of the real-mode REP_* syscalls (Xen's rep_* ops). */
struct hvm_depriv_rm_rep {
    uint64_t offset;              /* source (OUTS, MOVS) or destination */
    uint64_t dst_offset;          /* MOVS: destination offset in ES */
    uint64_t val;                 /* STOS: the value stored */
    uint64_t reps;                /* in: wanted; out: done */
    uint16_t port;                /* INS, OUTS */
    uint8_t seg;                  /* segment of offset */
    uint8_t dst_seg;              /* MOVS */
    uint8_t bytes;                /* per repetition: 1, 2, 4 (8: MOVS/STOS) */
    uint8_t pad[3];
};

/*
 * HVM_DEPRIV_REQ_REALMODE, in the page of its own each vCPU has, mapped
 * user RW at HVM_DEPRIV_VA_RM (only the vCPU's own calls see it: real-mode
 * emulations of different vCPUs run at the same time).  Xen fills regs in;
 * on OKAY (and on EXCEPTION from a REP string instruction stopped part
 * way) the payload leaves the instruction's registers there, and in every
 * case rc, retire and, on EXCEPTION, the event it raised itself (an op's
 * exception Xen has already recorded).  The buffers are for the syscalls'
 * arguments and results.
 *
 * The pre_* fields are what the syscalls would answer when the call
 * starts, filled in by Xen from what it holds already: RM_INSN_FETCH of
 * bytes inside the instruction bytes it prefetched and decoded
 * (pre_insn[i] is at CS:pre_insn_eip + i; a fetch of 1 to 15 bytes at
 * offset o is inside them if (uint8_t)(o - pre_insn_eip) + bytes <=
 * pre_insn_bytes), RM_READ_SEGMENT of ES..GS and RM_READ_CR of CR0 (those
 * pre_valid marks).  They stay what the syscalls answer until a syscall
 * may change them: an RM_INSN_FETCH of bytes outside them (the
 * instruction bytes), an RM_WRITE_SEGMENT (that segment), an RM_WRITE_CR
 * (CR0), and any syscall that returned RM_EXCEPTION (after which every
 * RM_* syscall is EINVAL).  Xen never reads them back.
 */
struct hvm_depriv_rm {
    /* EAX, ECX, EDX, EBX, ESP, EBP, ESI, EDI (the low 32 bits). */
    uint32_t gpr[8];
    uint32_t eip;
    uint32_t eflags;
    uint8_t addr_size;            /* 16 or 32 (ctxt->addr_size) */
    uint8_t sp_size;              /* 16 or 32 (ctxt->sp_size) */
    uint8_t retire;               /* HVM_DEPRIV_RM_RETIRE_* */
    uint8_t rc;                   /* HVM_DEPRIV_RM_* */
    uint8_t ev_vector;
    uint8_t ev_type;              /* HVM_DEPRIV_RM_EV_* */
    uint8_t ev_insn_len;          /* software events */
    uint8_t pad;
    uint32_t ev_error_code;       /* or HVM_DEPRIV_RM_NO_EC */
    uint32_t features;            /* HVM_DEPRIV_RM_F_*, from Xen */
    /* Filled in by Xen before the call (see above). */
    uint32_t pre_valid;           /* HVM_DEPRIV_RM_PRE_* */
    uint8_t pre_insn_bytes;       /* bytes in pre_insn[] (insn_buf_bytes) */
    uint8_t pad2[3];
    uint64_t pre_insn_eip;        /* insn_buf_eip */
    uint8_t pre_insn[HVM_DEPRIV_RM_PRE_INSN_MAX]; /* insn_buf[] */
    uint64_t pre_cr0;
    struct hvm_depriv_seg pre_seg[HVM_DEPRIV_RM_PRE_NR_SEGS]; /* ES..GS */
    /* Syscall buffers. */
    uint32_t cpuid[4];
    uint64_t val;
    struct hvm_depriv_seg seg;
    struct hvm_depriv_rm_rep rep;
    uint8_t data[2 * HVM_DEPRIV_RM_DATA_MAX];
};

/*
 * The per-domain state page, mapped user RW at HVM_DEPRIV_VA_STATE.  Xen
 * writes abi_version at domain creation; everything else belongs to the
 * payload.
 */
struct hvm_depriv_state_page {
    uint32_t abi_version;
    uint32_t pad;
    /* Xen's struct hvm_hw_vpic[2] (public save.h), master then slave. */
    uint8_t vpic[2][8];
    struct hvm_depriv_pic_out pic_out;
    struct hvm_depriv_rtc_state rtc;
    struct hvm_depriv_rtc_env rtc_env;
    struct hvm_depriv_rtc_out rtc_out;
    uint8_t scratch[256];         /* e.g. LOG buffers */
};
#endif

#endif /* HVM_DEPRIV_ABI_H */
