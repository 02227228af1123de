/*
 * depriv-cost's instruction-count mode (cost_cfg.icount = N, set by
 * tests/bench/40-xen-icount.py in a copy of the image): each operation runs
 * N times, each time alone between two markers (icount.h, icount-ops.S) that
 * the QEMU plugin tests/bench/icount watches; the plugin counts what the
 * whole machine executes in each window, by address range (Xen's text,
 * the payload, the rest).  Nothing is timed here: the counts are the
 * result, and they are the same whatever the host's load.
 *   empty      an empty window (the framing alone)
 *   pic-mask   OUT to 0x21 writing the master's current IMR back
 *   pic-eoi    OUT 0x20 to 0x20, a non-specific EOI with nothing in service
 *   rtc        OUT 0x0a to 0x70, IN from 0x71
 *   rtc-tick   one RTC periodic interrupt (1024 Hz, PICs in AEOI mode, LAPIC
 *              in virtual wire mode) taken while the guest spins, its
 *              handler reading REG_C (the index is parked there)
 *   rm-mmio    in unreal mode, one 32-bit load from the HPET's capability
 *              register
 *   rm-string  in unreal mode, `rep insb` of 4 bytes from port 0x61
 */
#include <xtf.h>

#include "../lib/irq.h"
#include "../lib/realmode.h"
#include "icount.h"

void ic_empty(void);
void ic_pic_mask(uint32_t imr);
void ic_pic_eoi(void);
void ic_rtc(uint32_t index);
void ic_rtc_tick(volatile unsigned int *count);
void ic_rm_mmio(void);
void ic_rm_string(void);
extern char ic_rm_buf[];

void icount_main(uint32_t reps, uint8_t imr_m);

#define HPET_BASE 0xfed00000u
#define VEC_M     0x30
#define VEC_S     0x38

static volatile unsigned int n_tick, n_noflag;

/* One port read per interrupt: the index is parked at REG_C, AEOI. */
static void rtc_irq(unsigned int vector)
{
    if ( !(inb(0x71) & 0x80) )
        n_noflag++;
    n_tick++;
}

static void rtc_tick_windows(uint32_t reps)
{
    volatile uint32_t *lapic = (volatile uint32_t *)0xfee00000;
    unsigned int i;
    uint8_t b;

    lapic[0xf0 / 4] = 0x1ff;
    lapic[0x350 / 4] = 0x700;           /* LINT0 ExtINT: virtual wire */
    /* ICW4 = 03: 8086 mode, AEOI. */
    outb(0x11, 0x20); outb(VEC_M, 0x21); outb(0x04, 0x21); outb(0x03, 0x21);
    outb(0x11, 0xa0); outb(VEC_S, 0xa1); outb(0x02, 0xa1); outb(0x03, 0xa1);
    outb(0xfb, 0x21);                   /* IR2 (cascade) only */
    outb(0xfe, 0xa1);                   /* IRQ8 only */
    irq_set_handler(VEC_S, rtc_irq);

    outb(0x0a, 0x70);
    /*
     * 32.768 kHz base, 1024 Hz periodic: a short wait, so that few of Xen's
     * own timer interrupts (credit2's 10 ms slice timer...) land in a
     * window, yet long beside one tick's path (~15000 instructions).
     */
    outb(0x26, 0x71);
    outb(0x0b, 0x70);
    b = inb(0x71);
    outb(0x0b, 0x70);
    outb((b & ~0x70) | 0x40, 0x71);     /* PIE only */
    outb(0x0c, 0x70);
    inb(0x71);                          /* index parked at REG_C */

    asm volatile ("sti");
    /* Two unframed ticks first: the path warm, the period running. */
    for ( i = 0; i < 2; i++ )
    {
        unsigned int n = n_tick;

        while ( n_tick == n )
            asm volatile ("pause");
    }
    for ( i = 0; i < reps; i++ )
        ic_rtc_tick(&n_tick);
    asm volatile ("cli");

    outb(0x0b, 0x70);
    outb(b & ~0x70, 0x71);
    outb(0x0c, 0x70);
    inb(0x71);
    outb(0xff, 0xa1);
    outb(0xff, 0x21);
    if ( n_noflag )
        xtf_failure("Fail: %u RTC interrupts without IRQF\n", n_noflag);
}

void icount_main(uint32_t reps, uint8_t imr_m)
{
    struct xtf_rm_regs r = { 0 };
    unsigned int i;
    int rc;

    printk("ICOUNT reps=%u\n", reps);
    for ( i = 0; i < reps; i++ )
        ic_empty();
    for ( i = 0; i < reps; i++ )
        ic_pic_mask(imr_m);
    for ( i = 0; i < reps; i++ )
        ic_pic_eoi();
    for ( i = 0; i < reps; i++ )
        ic_rtc(0x0a);
    rtc_tick_windows(reps);

    r.ecx = reps;
    r.esi = HPET_BASE;
    rc = xtf_realmode_call(ic_rm_mmio, &r, XTF_RM_UNREAL);
    if ( rc != -1 )
        xtf_failure("Fail: rm-mmio aborted by exception %d\n", rc);

    if ( RM_OFF(ic_rm_buf) + 4 > 0x10000 )
        panic("ic_rm_buf out of real mode's reach\n");
    memset(&r, 0, sizeof(r));
    r.ebx = reps;
    r.esi = RM_OFF(ic_rm_buf);
    rc = xtf_realmode_call(ic_rm_string, &r, XTF_RM_UNREAL);
    if ( rc != -1 )
        xtf_failure("Fail: rm-string aborted by exception %d\n", rc);

    printk("ICOUNT done ticks=%u\n", n_tick);
}
