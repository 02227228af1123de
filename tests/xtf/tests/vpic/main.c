/*
 * vpic: the 8259A pair as Xen emulates it (xen/arch/x86/hvm/vpic.c), checked
 * against the 8259A datasheet where Xen follows it and against Xen's code
 * where it deliberately does not (noted at each check).
 *
 * Interrupt sources available to a guest: PIT channel 0 (IRQ0, one-shot in
 * mode 0) and the RTC periodic interrupt (IRQ8, on the slave's IR0, cascaded
 * to master IR2).  IRQs are latched with IF=0 and then taken either by poll
 * mode (OCW3 P) or by real delivery through the IDT via the LAPIC's LINT0 in
 * ExtINT mode (virtual wire, as a BIOS sets it up).
 */
#include <xtf.h>

#include "../lib/irq.h"

#include "../lib/guest-check.h"
#include "../lib/pic-regs.h"

const char test_title[] = "vPIC (8259A) emulation";


#define OCW3_SMM_SET  0x68
#define OCW3_SMM_CLR  0x48
#define OCW2_NS_EOI   0x20
#define OCW2_ROT_NS_EOI 0xa0
#define OCW2_ROT_AEOI_SET 0x80
#define OCW2_ROT_AEOI_CLR 0x00

#define VEC_M 0x30
#define VEC_S 0x38


static uint8_t poll(uint16_t pic) { outb(OCW3_POLL, pic); return inb(pic); }

/* Cascade, edge, with ICW4 (8086 mode, optionally AEOI). */
static void pic_init(uint8_t base_m, uint8_t base_s, bool aeoi)
{
    outb(0x11, PIC_M); outb(base_m, PIC_M + 1); outb(0x04, PIC_M + 1);
    outb(aeoi ? 0x03 : 0x01, PIC_M + 1);
    outb(0x11, PIC_S); outb(base_s, PIC_S + 1); outb(0x02, PIC_S + 1);
    outb(aeoi ? 0x03 : 0x01, PIC_S + 1);
}

static uint64_t tsc_per_ms;

static uint8_t read_imr(uint16_t pic) { return inb(pic + 1); }

/* The state behind a source that never latched (diagnostic only). */
static void dump_pics(const char *what, uint64_t t0)
{
    printk("  %s: after %u ms: master IRR %02x ISR %02x IMR %02x, "
           "slave IRR %02x ISR %02x IMR %02x\n", what,
           /* 32-bit guest: no 64-bit division. */
           (uint32_t)((rdtsc() - t0) >> 10) / (uint32_t)(tsc_per_ms >> 10),
           read_irr(PIC_M), read_isr(PIC_M), read_imr(PIC_M),
           read_irr(PIC_S), read_isr(PIC_S), read_imr(PIC_S));
}

/*
 * Wait up to 2 s (by Xen's TSC rate) for @irr_bits in @pic's IRR.  The
 * bound only keeps a lost IRQ from hanging the test; on a busy host a
 * timer can be late, so the sources below re-arm and wait again (twice)
 * before they give up.  Every expiry prints the PIC state: a late timer
 * and a lost edge look different there.
 */
static bool wait_for_what(uint16_t pic, uint8_t irr_bits, const char *what)
{
    uint64_t t0 = rdtsc(), end = t0 + 2000 * tsc_per_ms;

    while ( (read_irr(pic) & irr_bits) != irr_bits )
        if ( rdtsc() > end )
        {
            dump_pics(what, t0);
            return false;
        }
    return true;
}

#define wait_for(pic, bits) wait_for_what(pic, bits, __func__)

#define ARM_TRIES 3

/* Report a source that latched only after being re-armed. */
static bool armed(const char *what, unsigned int tries, bool ok)
{
    if ( ok && tries )
        printk("  note: %s latched after %u re-arm(s)\n", what, tries);
    return ok;
}

/*
 * Xen's periodic-timer code (vpt.c pt_update_irq()) re-asserts a timer's
 * IRQ on every VM entry until the vector is delivered through the IDT, and
 * only the earliest pending timer at a time.  Polled INTAs do not count as
 * delivery, so each source is stopped once its edge is latched in the IRR:
 * the latched edge stays, and nothing re-raises it behind the test's back.
 */

/*
 * IRQ0: one PIT one-shot, ~0.1 ms, then the PIT is stopped.  Mode 4: Xen's
 * pit_load_count() starts a timer for modes 1-5 only (mode 0, "interrupt on
 * terminal count" in the datasheet, starts none: that is how it is stopped).
 */
static bool raise_irq0(void)
{
    unsigned int i;
    bool ok = false;

    for ( i = 0; i < ARM_TRIES && !ok; i++ )
    {
        outb(0x38, 0x43);           /* ch0, lo/hi, mode 4, binary */
        outb(120, 0x40);
        outb(0, 0x40);
        ok = wait_for(PIC_M, 0x01);
        outb(0x30, 0x43);           /* mode 0: destroys the timer */
        outb(0xff, 0x40);
        outb(0xff, 0x40);
    }
    return armed("IRQ0", i - 1, ok);
}

/* IRQ8: RTC periodic at 1024 Hz until latched, then stopped. */
static bool raise_irq8(void)
{
    unsigned int i;
    bool ok = false;

    for ( i = 0; i < ARM_TRIES && !ok; i++ )
    {
        outb(0x0a, 0x70); outb(0x26, 0x71);     /* 32kHz, rate 6 */
        outb(0x0b, 0x70); outb(0x42, 0x71);     /* PIE, 24h */
        outb(0x0c, 0x70); (void)inb(0x71);
        ok = wait_for(PIC_S, 0x01);
        outb(0x0b, 0x70); outb(0x02, 0x71);
        outb(0x0a, 0x70); outb(0x20, 0x71);     /* rate 0: no periodic timer */
        outb(0x0c, 0x70); (void)inb(0x71);
    }
    return armed("IRQ8", i - 1, ok);
}

/* Latch IRQ0 on master IR0 and IRQ8 on slave IR0 (=> master IR2), IF=0. */
static bool latch_irq0_irq8(void)
{
    return raise_irq8() && raise_irq0() && wait_for(PIC_M, 0x05);
}

static void test_init_sequences(void)
{
    section = "init";

    /* Cascade with ICW4: after ICW1 the IMR is clear; OCW1 round-trips. */
    pic_init(0x20, 0x28, false);
    CHECK(inb(PIC_M + 1) == 0, "master IMR after ICW1 = %02x, want 00", inb(PIC_M + 1));
    CHECK(inb(PIC_S + 1) == 0, "slave IMR after ICW1 = %02x, want 00", inb(PIC_S + 1));

    /* Single mode (SNGL=1) with ICW4: no ICW3, so the 3rd data write is OCW1. */
    outb(0x13, PIC_M); outb(0x40, PIC_M + 1); outb(0x01, PIC_M + 1);
    outb(0x5a, PIC_M + 1);
    CHECK(inb(PIC_M + 1) == 0x5a, "single+ICW4: IMR %02x, want 5a (ICW3 must be skipped)", inb(PIC_M + 1));

    /* Cascade without ICW4: ICW2, ICW3, then OCW1. */
    outb(0x10, PIC_M); outb(0x40, PIC_M + 1); outb(0x04, PIC_M + 1);
    outb(0xa5, PIC_M + 1);
    CHECK(inb(PIC_M + 1) == 0xa5, "cascade, no ICW4: IMR %02x, want a5", inb(PIC_M + 1));

    /* Single without ICW4: ICW2 only, then OCW1. */
    outb(0x12, PIC_M); outb(0x40, PIC_M + 1);
    outb(0x3c, PIC_M + 1);
    CHECK(inb(PIC_M + 1) == 0x3c, "single, no ICW4: IMR %02x, want 3c", inb(PIC_M + 1));

    /* Mid-sequence, a data write is an ICW, not the IMR. */
    outb(0x11, PIC_M); outb(0x20, PIC_M + 1);
    CHECK(inb(PIC_M + 1) == 0, "IMR during init %02x, want 00", inb(PIC_M + 1));
    outb(0x04, PIC_M + 1); outb(0x01, PIC_M + 1);
    CHECK(inb(PIC_M + 1) == 0, "IMR after ICW4 %02x, want 00 (ICWs are not OCW1)", inb(PIC_M + 1));

    pic_init(0x20, 0x28, false);
}

static void test_imr_elcr(void)
{
    unsigned int v, bad = 0;

    section = "IMR";
    for ( v = 0; v < 256; v++ )
    {
        outb(v, PIC_M + 1);
        outb(v ^ 0xff, PIC_S + 1);
        if ( inb(PIC_M + 1) != v || inb(PIC_S + 1) != (v ^ 0xff) )
            bad++;
    }
    CHECK(bad == 0, "%u of 256 IMR values did not read back", bad);

    section = "ELCR";
    /* Xen: IRQ0-2 are always edge, IRQ8 and IRQ13 too (vpic_elcr_mask). */
    outb(0xff, ELCR_M); outb(0xff, ELCR_S);
    CHECK(inb(ELCR_M) == 0xf8, "ELCR0 after ff = %02x, want f8", inb(ELCR_M));
    CHECK(inb(ELCR_S) == 0xde, "ELCR1 after ff = %02x, want de", inb(ELCR_S));
    outb(0xa8, ELCR_M); outb(0x40, ELCR_S);
    CHECK(inb(ELCR_M) == 0xa8, "ELCR0 = %02x, want a8", inb(ELCR_M));
    CHECK(inb(ELCR_S) == 0x40, "ELCR1 = %02x, want 40", inb(ELCR_S));
    outb(0x21, ELCR_S);         /* IRQ8 and IRQ13 bits are not writable */
    CHECK(inb(ELCR_S) == 0x00, "ELCR1 after 21 = %02x, want 00", inb(ELCR_S));
    outb(0, ELCR_M); outb(0, ELCR_S);
    CHECK(inb(ELCR_M) == 0 && inb(ELCR_S) == 0, "ELCR not cleared");
}

static void test_wrong_size(void)
{
    section = "access size";
    outb(0x5a, PIC_M + 1);
    /* vpic_intercept_pic_io: any access that is not 1 byte reads all-ones. */
    CHECK(inw(PIC_M) == 0xffff, "inw(0x20) = %04x, want ffff", inw(PIC_M));
    CHECK(inl(PIC_M) == 0xffffffff, "inl(0x20) = %08x, want ffffffff", inl(PIC_M));
    CHECK(inw(PIC_S) == 0xffff, "inw(0xa0) = %04x, want ffff", inw(PIC_S));
    /* ...and writes of other sizes are dropped. */
    outw(0x1234, PIC_M);
    outw(0x00, PIC_M + 1);      /* spans 0x21-0x22: not the PIC's, dropped */
    CHECK(inb(PIC_M + 1) == 0x5a, "IMR %02x after word writes, want 5a", inb(PIC_M + 1));
    /* A word at 0x4d0 covers both ELCRs: no 1-byte handler takes it. */
    CHECK(inw(ELCR_M) == 0xffff, "inw(0x4d0) = %04x, want ffff", inw(ELCR_M));
    outb(0, PIC_M + 1);
}

static void test_poll_eoi_priority(void)
{
    uint8_t v;

    section = "poll/EOI";
    pic_init(0x20, 0x28, false);
    outb(0xfa, PIC_M + 1);      /* IR0, IR2 unmasked */
    outb(0xfe, PIC_S + 1);      /* IR0 (IRQ8) unmasked */

    /*
     * Poll with nothing pending: Xen's vpic_intack() returns -1, read as
     * 0xff.  (The 8259A datasheet's poll word would have bit 7 clear.)
     */
    v = poll(PIC_M);
    CHECK(v == 0xff, "poll, nothing pending = %02x, want ff (Xen)", v);

    if ( !latch_irq0_irq8() )
    {
        xtf_error("Error: IRQ0/IRQ8 never latched in IRR (m %02x s %02x)\n",
                  read_irr(PIC_M), read_irr(PIC_S));
        return;
    }
    CHECK((read_irr(PIC_M) & 0x05) == 0x05, "master IRR %02x, want bits 0,2", read_irr(PIC_M));

    /* Highest priority first: IR0.  Xen's poll word is the IRQ number. */
    v = poll(PIC_M);
    CHECK(v == 0, "poll 1 = %02x, want 00 (IRQ0)", v);
    CHECK(read_isr(PIC_M) == 0x01, "ISR %02x after poll, want 01", read_isr(PIC_M));
    CHECK(!(read_irr(PIC_M) & 0x01), "edge IRR bit 0 not cleared by INTA");

    /* IR0 in service blocks the lower-priority IR2. */
    v = poll(PIC_M);
    CHECK(v == 0xff, "poll with IR0 in service = %02x, want ff", v);

    /* Special mask mode: masking IR0 lets IR2 through despite ISR0. */
    outb(OCW3_SMM_SET, PIC_M);
    outb(0xfb, PIC_M + 1);      /* mask IR0 */
    v = poll(PIC_M);
    /* Through the cascade Xen acks the slave too and returns 8 + slave IRQ. */
    CHECK(v == 8, "SMM poll = %02x, want 08 (IRQ8 via IR2)", v);
    CHECK(read_isr(PIC_M) == 0x05, "ISR %02x, want 05 (IR0 and IR2)", read_isr(PIC_M));
    CHECK(read_isr(PIC_S) == 0x01, "slave ISR %02x, want 01", read_isr(PIC_S));
    outb(OCW3_SMM_CLR, PIC_M);
    outb(0xfa, PIC_M + 1);

    /* Non-specific EOI clears the highest-priority ISR bit (IR0). */
    outb(OCW2_NS_EOI, PIC_M);
    CHECK(read_isr(PIC_M) == 0x04, "ISR %02x after NS EOI, want 04", read_isr(PIC_M));
    /* Specific EOI: slave IR0, master IR2. */
    outb(OCW2_SP_EOI | 0, PIC_S);
    CHECK(read_isr(PIC_S) == 0x00, "slave ISR %02x after SEOI, want 00", read_isr(PIC_S));
    outb(OCW2_SP_EOI | 2, PIC_M);
    CHECK(read_isr(PIC_M) == 0x00, "ISR %02x after SEOI 2, want 00", read_isr(PIC_M));
    /* The poll bit is one-shot: the next read is the IRR again. */
    CHECK(inb(PIC_M) == read_irr(PIC_M), "poll mode did not end after one read");

    section = "rotation";
    /* Set priority: IR0 lowest => IR1 highest, so IR2 (IRQ8) before IR0. */
    if ( !latch_irq0_irq8() )
    {
        xtf_error("Error: IRQs not latched for rotation\n");
        return;
    }
    outb(OCW2_SET_PRIO | 0, PIC_M);
    v = poll(PIC_M);
    CHECK(v == 8, "poll after set-priority(0) = %02x, want 08", v);
    v = poll(PIC_M);
    CHECK(v == 0xff, "IR2 in service must block IR0 (now lowest): %02x", v);
    /* Rotate on non-specific EOI: IR2 becomes lowest, IR3 highest; IR0 now beats nothing in service. */
    outb(OCW2_NS_EOI, PIC_S);
    outb(OCW2_ROT_NS_EOI, PIC_M);
    CHECK(read_isr(PIC_M) == 0, "ISR %02x after rotate-EOI, want 00", read_isr(PIC_M));
    v = poll(PIC_M);
    CHECK(v == 0, "poll after rotate = %02x, want 00", v);
    outb(OCW2_NS_EOI, PIC_M);
    outb(OCW2_SET_PRIO | 7, PIC_M);     /* back to IR0 highest */

    section = "AEOI";
    pic_init(0x20, 0x28, true);
    outb(0xfa, PIC_M + 1); outb(0xfe, PIC_S + 1);
    if ( !latch_irq0_irq8() )
    {
        xtf_error("Error: IRQs not latched for AEOI\n");
        return;
    }
    outb(OCW2_ROT_AEOI_SET, PIC_M);
    v = poll(PIC_M);
    CHECK(v == 0, "AEOI poll 1 = %02x, want 00", v);
    CHECK(read_isr(PIC_M) == 0, "AEOI: ISR %02x, want 00", read_isr(PIC_M));
    /* Rotate-in-AEOI made IR0 lowest; IR2 next regardless. */
    if ( !raise_irq0() || !wait_for(PIC_M, 0x05) )
        xtf_error("Error: IRQ0 not re-latched\n");
    v = poll(PIC_M);
    CHECK(v == 8, "AEOI+rotate: poll = %02x, want 08 (IR0 now lowest)", v);
    CHECK(read_isr(PIC_M) == 0 && read_isr(PIC_S) == 0, "AEOI: ISRs %02x/%02x", read_isr(PIC_M), read_isr(PIC_S));
    v = poll(PIC_M);
    CHECK(v == 0, "AEOI: then IR0 = %02x", v);
    outb(OCW2_ROT_AEOI_CLR, PIC_M);

    /* ICW1 without IC4 clears AEOI: the next INTA sets ISR again. */
    outb(0x10, PIC_M); outb(0x20, PIC_M + 1); outb(0x04, PIC_M + 1);
    outb(0xfe, PIC_M + 1);
    if ( !raise_irq0() )
        xtf_error("Error: IRQ0 not latched after re-init\n");
    v = poll(PIC_M);
    CHECK(v == 0 && read_isr(PIC_M) == 0x01, "no-ICW4 re-init kept AEOI: poll %02x ISR %02x", v, read_isr(PIC_M));
    outb(OCW2_NS_EOI, PIC_M);

    /*
     * Cascade: an IRQ latched in the slave's IRR while the slave masks it
     * does not reach master IR2; unmasking it on the slave raises IR2.
     * (Xen's vpt keeps the RTC's timer running while masked: it is the one
     * source vpt.c does not suspend, so the slave's IRR still latches.)
     */
    section = "cascade masking";
    pic_init(0x20, 0x28, false);
    outb(0xfb, PIC_M + 1);
    outb(0xff, PIC_S + 1);
    if ( raise_irq8() )
    {
        CHECK(!(read_irr(PIC_M) & 0x04), "masked slave IRQ8 raised master IR2 (IRR %02x)",
              read_irr(PIC_M));
        outb(0xfe, PIC_S + 1);
        CHECK(read_irr(PIC_M) & 0x04, "unmasking slave IR0 did not raise IR2 (IRR %02x)",
              read_irr(PIC_M));
        v = poll(PIC_M);
        CHECK(v == 8, "cascade poll = %02x, want 08", v);
        outb(OCW2_NS_EOI, PIC_S);
        outb(OCW2_NS_EOI, PIC_M);
        /* OCW3 read-ISR selection sticks across reads until changed. */
        outb(OCW3_READ_ISR, PIC_M);
        CHECK(inb(PIC_M) == 0 && inb(PIC_M) == 0, "ISR after EOIs not 0");
    }
    else
        xtf_error("Error: IRQ8 not latched with the slave masked\n");

    section = "ICW1 clears edges";
    outb(0xfe, PIC_M + 1);
    if ( !raise_irq0() )
        xtf_error("Error: IRQ0 not latched before ICW1\n");
    pic_init(0x20, 0x28, false);
    CHECK(!(read_irr(PIC_M) & 1), "ICW1 kept edge IRR %02x", read_irr(PIC_M));
}

/* --- real delivery through the IDT --- */

static void eoi_master(unsigned int vector) { outb(OCW2_NS_EOI, PIC_M); }
static void eoi_slave(unsigned int vector) { outb(OCW2_NS_EOI, PIC_S); outb(OCW2_NS_EOI, PIC_M); }

static void clear_log(void)
{
    unsigned int v;

    irq_log_len = 0;
    for ( v = 32; v < 256; v++ )
        irq_count[v] = 0;
}

static void take_irqs(void)
{
    sti();
    mdelay(5);
    cli();
}

static unsigned int stray(void)
{
    unsigned int v, n = 0;

    for ( v = 32; v < 256; v++ )
        if ( v != VEC_M && v != VEC_S )
            n += irq_count[v];
    return n;
}

static void test_delivery(void)
{
    volatile uint32_t *lapic = (volatile uint32_t *)0xfee00000;

    section = "delivery";

    /* ICW2's low 3 bits are ignored: 0x33 gives base 0x30. */
    pic_init(VEC_M | 3, VEC_S, false);
    outb(0xfa, PIC_M + 1); outb(0xfe, PIC_S + 1);
    irq_set_handler(VEC_M, eoi_master);
    irq_set_handler(VEC_S, eoi_slave);

    clear_log();
    if ( !latch_irq0_irq8() )
    {
        xtf_error("Error: IRQs not latched for delivery\n");
        return;
    }
    take_irqs();
    CHECK(irq_log_len == 2 && irq_log[0] == VEC_M && irq_log[1] == VEC_S,
          "default priority: %u vectors [%02x %02x], want [30 38]",
          irq_log_len, irq_log[0], irq_log[1]);
    CHECK(read_isr(PIC_M) == 0 && read_isr(PIC_S) == 0, "ISR left %02x/%02x",
          read_isr(PIC_M), read_isr(PIC_S));

    /* IR0 lowest: IRQ8 first. */
    outb(OCW2_SET_PRIO | 0, PIC_M);
    clear_log();
    if ( latch_irq0_irq8() )
    {
        take_irqs();
        CHECK(irq_log_len == 2 && irq_log[0] == VEC_S && irq_log[1] == VEC_M,
              "rotated priority: %u vectors [%02x %02x], want [38 30]",
              irq_log_len, irq_log[0], irq_log[1]);
    }
    outb(OCW2_SET_PRIO | 7, PIC_M);

    /* A masked IRR bit is not delivered, and no spurious IRQ7 replaces it. */
    clear_log();
    if ( !raise_irq0() )
        xtf_error("Error: IRQ0 not latched for the mask test\n");
    outb(0xff, PIC_M + 1);
    take_irqs();
    CHECK(irq_log_len == 0, "masked IRQ0: %u interrupts (first vector %02x), want 0",
          irq_log_len, irq_log[0]);
    CHECK(irq_count[VEC_M + 7] == 0, "spurious IRQ7 delivered");
    outb(0xfa, PIC_M + 1);      /* unmasking delivers the latched IRQ0 */
    take_irqs();
    CHECK(irq_log_len == 1 && irq_log[0] == VEC_M,
          "after unmask: %u interrupts, first %02x, want one 30", irq_log_len, irq_log[0]);

    /* AEOI: delivered, handler does no EOI, ISR stays empty. */
    pic_init(VEC_M, VEC_S, true);
    outb(0xfa, PIC_M + 1); outb(0xfe, PIC_S + 1);
    irq_set_handler(VEC_M, NULL);
    irq_set_handler(VEC_S, NULL);
    clear_log();
    if ( latch_irq0_irq8() )
    {
        take_irqs();
        CHECK(irq_log_len == 2 && irq_log[0] == VEC_M && irq_log[1] == VEC_S,
              "AEOI delivery: %u vectors [%02x %02x]", irq_log_len, irq_log[0], irq_log[1]);
        CHECK(read_isr(PIC_M) == 0 && read_isr(PIC_S) == 0, "AEOI ISR %02x/%02x",
              read_isr(PIC_M), read_isr(PIC_S));
    }
    CHECK(stray() == 0, "%u interrupts on unexpected vectors", stray());

    outb(0xff, PIC_M + 1); outb(0xff, PIC_S + 1);
    lapic[0x350 / 4] = 0x10700;
}

void test_main(void)
{
    volatile uint32_t *lapic = (volatile uint32_t *)0xfee00000;
    uint64_t t0 = rdtsc();

    /* TSC rate for the timeouts: 10 ms of udelay() (Xen's TSC kHz leaf). */
    udelay(10000);
    tsc_per_ms = (rdtsc() - t0) / 10;

    /*
     * Virtual wire: LAPIC software-enabled, LINT0 in ExtINT mode.  Without
     * it vlapic_accept_pic_intr() is false and Xen's periodic-timer code
     * (pt_irq_masked()) treats the PIT's IRQ0 as masked: it never reaches
     * the PIC's IRR, even for polling.
     */
    lapic[0xf0 / 4] = 0x1ff;
    lapic[0x350 / 4] = 0x700;

    test_init_sequences();
    test_imr_elcr();
    test_wrong_size();
    test_poll_eoi_priority();
    test_delivery();

    printk("%u checks, %u failed\n", nr_checks, nr_fail);
    if ( !nr_fail )
        xtf_success(NULL);
}
