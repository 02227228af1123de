/*
 * depriv-count: nothing stays at ring 0 by accident.  Makes a known number
 * of PIC, ELCR and RTC port accesses and reads this vCPU's hvm_depriv
 * counters through the self-test port (Xen booted with hvm_depriv=selftest)
 * before and after: the payload must have run exactly that many PIC/ELCR
 * accesses and exactly that many RTC accesses, one depriv call each (the
 * common path makes no syscall); every call is accounted for (accesses,
 * RTC events, PIC edges and acknowledges).  Then IRQ 8 edges: with the
 * RTC's update interrupt enabled (IRQ 8 masked at the PIC), each update
 * asserts the line and each REG_C read that finds IRQF deasserts it, and
 * those edges must have run in the payload too.
 */
#include <xtf.h>

#include "../lib/depriv-selftest.h"

const char test_title[] = "hvm_depriv: every PIC/RTC access runs in the payload";

/* Counter numbers after those of depriv-selftest.h (asm/hvm/depriv.h). */
#define DEPRIV_CNT_PIC_IO     7
#define DEPRIV_CNT_RTC_IO     8
#define DEPRIV_CNT_RTC_EVENTS 9
#define DEPRIV_CNT_PIC_ACK    11
#define DEPRIV_CNT_PIC_EDGE   12

#define N 2000

static uint32_t counter(unsigned int nr)
{
    outl(nr, DEPRIV_PORT);
    return inl(DEPRIV_PORT + DEPRIV_COUNTER);
}

void test_main(void)
{
    uint32_t calls0, pic0, rtc0, sys0, ev0, calls1, pic1, rtc1, sys1, ev1;
    uint32_t edge0, ack0, edge1, ack1;
    uint32_t pic_n = 0, rtc_n = 0, want_calls, seen = 0, tries;
    unsigned int i, fails = 0;
    uint8_t mask, elcr;

    if ( counter(DEPRIV_CNT_CALLS) == ~0u )
    {
        xtf_skip("Skip: no hvm_depriv self-test port (boot Xen with hvm_depriv=selftest)\n");
        return;
    }

    calls0 = counter(DEPRIV_CNT_CALLS);
    sys0 = counter(DEPRIV_CNT_SYSCALLS);
    pic0 = counter(DEPRIV_CNT_PIC_IO);
    rtc0 = counter(DEPRIV_CNT_RTC_IO);
    ev0 = counter(DEPRIV_CNT_RTC_EVENTS);
    edge0 = counter(DEPRIV_CNT_PIC_EDGE);
    ack0 = counter(DEPRIV_CNT_PIC_ACK);

    for ( i = 0; i < N; i++ )
    {
        mask = inb(0x21);                 /* master IMR */
        outb(mask, 0x21);
        outb(0x0a, 0x20);                 /* OCW3: read IRR next */
        (void)inb(0x20);
        elcr = inb(0x4d0);
        (void)elcr;
        pic_n += 5;

        outb(0x0a, 0x70);                 /* REG_A */
        (void)inb(0x71);
        outb(0x00, 0x70);                 /* seconds */
        (void)inb(0x71);
        rtc_n += 4;
    }

    /* Read the calls counter last: the counter reads are not depriv calls. */
    pic1 = counter(DEPRIV_CNT_PIC_IO);
    rtc1 = counter(DEPRIV_CNT_RTC_IO);
    ev1 = counter(DEPRIV_CNT_RTC_EVENTS);
    edge1 = counter(DEPRIV_CNT_PIC_EDGE);
    ack1 = counter(DEPRIV_CNT_PIC_ACK);
    sys1 = counter(DEPRIV_CNT_SYSCALLS);
    calls1 = counter(DEPRIV_CNT_CALLS);

    printk("accesses: PIC/ELCR %u, RTC %u; counted: pic-io +%u, rtc-io +%u, rtc-events +%u, calls +%u, syscalls +%u\n",
           pic_n, rtc_n, pic1 - pic0, rtc1 - rtc0, ev1 - ev0,
           calls1 - calls0, sys1 - sys0);

    if ( pic1 - pic0 != pic_n )
    {
        xtf_failure("Fail: %u PIC/ELCR accesses, %u run by the payload\n",
                    pic_n, pic1 - pic0);
        fails++;
    }
    if ( rtc1 - rtc0 != rtc_n )
    {
        xtf_failure("Fail: %u RTC accesses, %u run by the payload\n",
                    rtc_n, rtc1 - rtc0);
        fails++;
    }
    want_calls = pic_n + rtc_n + (ev1 - ev0) + (edge1 - edge0) + (ack1 - ack0);
    if ( calls1 - calls0 != want_calls )
    {
        xtf_failure("Fail: %u depriv calls, want %u (one per access, RTC event, PIC edge and acknowledge)\n",
                    calls1 - calls0, want_calls);
        fails++;
    }
    if ( sys1 != sys0 )
    {
        xtf_failure("Fail: %u syscalls in the PIC/RTC common path, want 0\n",
                    sys1 - sys0);
        fails++;
    }

    /*
     * IRQ 8 edges.  IRQ 8 masked at the slave PIC (the edges still reach
     * the PIC's IRR), interrupts off; UIE on; REG_C polled until two update
     * flags came with IRQF, each an assert (positive edge) followed by the
     * deassert of the read that found it (negative edge).
     */
    outb(0xff, 0xa1);
    outb(0x0c, 0x70);
    (void)inb(0x71);
    edge0 = counter(DEPRIV_CNT_PIC_EDGE);
    outb(0x0b, 0x70);
    outb(0x12, 0x71);                     /* 24h, UIE */
    for ( tries = 0; seen < 2 && tries < 2000000; tries++ )
    {
        outb(0x0c, 0x70);
        if ( (inb(0x71) & 0x90) == 0x90 )   /* IRQF + UF */
            seen++;
    }
    outb(0x0b, 0x70);
    outb(0x02, 0x71);
    outb(0x0c, 0x70);
    (void)inb(0x71);
    edge1 = counter(DEPRIV_CNT_PIC_EDGE);
    printk("IRQ 8: %u update interrupts raised and read, pic-edge +%u\n",
           seen, edge1 - edge0);
    if ( seen < 2 )
    {
        xtf_failure("Fail: only %u update-ended flags with IRQF in %u REG_C reads\n",
                    seen, tries);
        fails++;
    }
    else if ( edge1 - edge0 < 2 * seen )
    {
        xtf_failure("Fail: %u IRQ 8 asserts and deasserts, %u edges run by the payload\n",
                    2 * seen, edge1 - edge0);
        fails++;
    }

    if ( !fails )
        xtf_success(NULL);
}
