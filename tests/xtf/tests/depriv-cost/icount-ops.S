/*
 * The framed operations of depriv-cost's instruction-count mode (see
 * icount.c): each function runs one operation between an IC_START and an
 * IC_STOP marker (icount.h), so that a window holds exactly the
 * operation's guest instruction(s) and whatever Xen executes for them.
 * Protected-mode functions take their argument in EAX (XTF builds C with
 * -mregparm=3).
 */
#include "icount.h"
#include "../lib/realmode.h"

#define PM_FN(name)                     \
        .text;                          \
        .global name;                   \
        .type name, @function;          \
        .align 16;                      \
name:

        .code32
/* An empty window: what the framing alone costs (nothing). */
PM_FN(ic_empty)
        IC_MARK(IC_START | IC_OP_EMPTY)
        IC_MARK(IC_STOP)
        ret

/* PIC mask write: EAX = the master's current IMR, written back. */
PM_FN(ic_pic_mask)
        IC_MARK(IC_START | IC_OP_PIC_MASK)
        outb    %al, $0x21
        IC_MARK(IC_STOP)
        ret

/* Non-specific EOI to the master (OCW2 0x20), nothing in service. */
PM_FN(ic_pic_eoi)
        mov     $0x20, %al
        IC_MARK(IC_START | IC_OP_PIC_EOI)
        outb    %al, $0x20
        IC_MARK(IC_STOP)
        ret

/* RTC index write + data read: EAX = the register index. */
PM_FN(ic_rtc)
        IC_MARK(IC_START | IC_OP_RTC)
        outb    %al, $0x70
        inb     $0x71, %al
        IC_MARK(IC_STOP)
        ret

/*
 * One RTC periodic tick, taken while the guest runs: EAX = the address of
 * the interrupt count the IRQ8 handler increments; interrupts enabled.
 * The window opens, the guest spins until the count moves, the window
 * closes.  The spin is taken back off the count: each pass is the
 * IC_UNCOUNT marker (never counted) and the two instructions it takes
 * back, and QEMU takes an interrupt only between translation blocks, i.e.
 * at the loop's head, so no pass is cut short.  What stays in the window:
 * the timer's expiry in Xen, the interrupt's delivery, the guest's handler
 * (lib/irq-stubs.S, the handler's REG_C read) and its IRET.
 */
PM_FN(ic_rtc_tick)
        mov     (%eax), %edx
        IC_MARK(IC_START | IC_OP_RTC_TICK)
1:      IC_MARK(IC_UNCOUNT | 2)
        cmp     (%eax), %edx
        je      1b
        IC_MARK(IC_STOP)
        ret

/*
 * Real (unreal) mode, through xtf_realmode_call() with XTF_RM_UNREAL:
 * ECX = the number of windows (>= 1).
 */
        .section .text.real, "ax", @progbits
        .code16
/* One 32-bit MMIO load Xen intercepts and emulates: ESI = the HPET. */
        .global ic_rm_mmio
ic_rm_mmio:
1:      IC_MARK16(IC_START | IC_OP_RM_MMIO)
        addr32 mov (%esi), %edx
        IC_MARK16(IC_STOP)
        dec     %ecx
        jnz     1b
        ret

/*
 * One string I/O instruction: `rep insb` of 4 bytes from port 0x61 (the
 * PIT's port B, emulated by Xen itself in both modes) to ES:DI; EBX = the
 * number of windows, ESI = the buffer's offset (ES has base 0).
 */
        .global ic_rm_string
ic_rm_string:
        mov     $0x61, %dx
1:      mov     $4, %ecx
        mov     %si, %di
        IC_MARK16(IC_START | IC_OP_RM_STRING)
        rep insb
        IC_MARK16(IC_STOP)
        dec     %ebx
        jnz     1b
        ret

        .global ic_rm_buf
ic_rm_buf:
        .fill   16, 1, 0
        .code32
