/*
 * The payload fails the next IRQ edge call: Xen must crash this domain
 * (from inside hvm_isa_irq_assert(), with the domain's irq_lock held).
 * The edge comes from the RTC: update interrupts on (IRQ 8 masked at the
 * PIC, which still sees the edge), REG_C polled; the first update
 * asserts IRQ 8 within a second.
 */
#define DEPRIV_SCENARIO 19
#define DEPRIV_SCENARIO_NAME "pic-bad-edge"
#define DEPRIV_SCENARIO_THEN                                    \
    do {                                                        \
        unsigned int i_;                                        \
                                                                \
        outb(0xff, 0xa1);                                       \
        outb(0x0b, 0x70);                                       \
        outb(0x12, 0x71);               /* 24h, UIE */          \
        for ( i_ = 0; i_ < 2000000; i_++ )                      \
        {                                                       \
            outb(0x0c, 0x70);                                   \
            (void)inb(0x71);                                    \
        }                                                       \
    } while ( 0 )
#include "../lib/depriv-selftest.h"
