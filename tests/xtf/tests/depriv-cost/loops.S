/*
 * The timed loops of depriv-cost (see main.c).  Every loop has the same
 * shape: a fenced TSC read, N iterations of
 *     mov  <arg>, %eax     (reload the operand)
 *     <the operation>      (nothing, for the empty loop)
 *     dec  %ecx
 *     jnz  1b
 * and a fenced TSC read; the ticks come back in EDX:EAX.  The empty loop
 * differs from the others only by the operation, so subtracting its cost
 * leaves the operation's.
 *
 * LFENCE before RDTSC keeps earlier instructions from completing after
 * the read, LFENCE after it keeps later ones from starting before it (AMD:
 * LFENCE is dispatch serialising, which Xen sets up; under QEMU's TCG
 * everything is in order anyway).
 */
#include "../lib/realmode.h"

#define TSC_START(lo, hi)  lfence; rdtsc; lfence; mov %eax, lo; mov %edx, hi
#define TSC_STOP(lo, hi)   lfence; rdtsc; sub lo, %eax; sbb hi, %edx

/*
 * uint64_t NAME(uint32_t n, uint32_t arg): protected mode, n >= 1,
 * EBX = arg, ECX = count, EDI:ESI = start.
 */
#define PM_LOOP(name, op...)                                    \
        .text;                                                  \
        .global name;                                           \
        .type name, @function;                                  \
        .align 16;                                              \
name:   push    %ebx;                                           \
        push    %esi;                                           \
        push    %edi;                                           \
        mov     16(%esp), %ecx;                                 \
        mov     20(%esp), %ebx;                                 \
        TSC_START(%esi, %edi);                                  \
        .align 16;                                              \
1:      mov     %ebx, %eax;                                     \
        op;                                                     \
        dec     %ecx;                                           \
        jnz     1b;                                             \
        TSC_STOP(%esi, %edi);                                   \
        pop     %edi;                                           \
        pop     %esi;                                           \
        pop     %ebx;                                           \
        ret;                                                    \
        .size name, . - name

        .code32
PM_LOOP(cost_loop_empty, )
/* a) PIC mask write: arg = the master's current IMR, written back. */
PM_LOOP(cost_loop_pic_mask, outb %al, $0x21)
/* b) Non-specific EOI to the master: arg = 0x20 (OCW2). */
PM_LOOP(cost_loop_pic_eoi, outb %al, $0x20)
/* c) RTC index + data read: arg = the register index. */
PM_LOOP(cost_loop_rtc, outb %al, $0x70; inb $0x71, %al)
/*
 * The reference: a port read Xen handles itself whatever hvm_depriv says
 * (the PIT's speaker port, xen/arch/x86/hvm/pit.c), to measure how fast
 * this run of QEMU is at the time (see main.c).
 */
PM_LOOP(cost_loop_ref, inb $0x61, %al)

/*
 * Real (unreal) mode, called through xtf_realmode_call() with
 * XTF_RM_UNREAL (DS base 0, limit 4G): ECX = n >= 1, EBX = ESI = the
 * address loaded from; ticks back in EDX:EAX, EDI:EBP = start.
 */
#define RM_LOOP(name, op...)                                    \
        .global name;                                           \
        .type name, @function;                                  \
        .align 16;                                              \
name:   TSC_START(%edi, %ebp);                                  \
        .align 16;                                              \
1:      mov     %ebx, %esi;                                     \
        op;                                                     \
        dec     %ecx;                                           \
        jnz     1b;                                             \
        TSC_STOP(%edi, %ebp);                                   \
        ret;                                                    \
        .size name, . - name

        .section .text.real, "ax", @progbits
        .code16
RM_LOOP(cost_rm_empty, )
/* d) One MMIO load Xen intercepts and emulates (ESI: the HPET). */
RM_LOOP(cost_rm_mmio, addr32 mov (%esi), %edx)
/* The same load once, its value in EAX (the check in main.c). */
        .global cost_rm_read
cost_rm_read:
        addr32 mov (%esi), %eax
        ret
        .code32
