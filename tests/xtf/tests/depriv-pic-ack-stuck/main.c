/*
 * From now on the payload answers every PIC acknowledge with "no vector"
 * and leaves the master's output high.  Xen's interrupt assist
 * acknowledges for as long as the PIC reports an interrupt, so without a
 * check it would keep this CPU asking for ever; Xen must refuse the answer
 * and crash this domain instead.
 * The interrupt: the LAPIC a virtual wire (software-enabled, LINT0 in
 * ExtINT mode: else Xen never offers the PIC's interrupts), the PICs
 * initialised (vectors 0x20/0x28), IRQ 8 unmasked (and the cascade), the
 * RTC's update interrupt on, interrupts enabled; the first update raises
 * IRQ 8 within a second.  No handler is needed: the acknowledge comes
 * before any delivery.
 */
#define DEPRIV_SCENARIO 26
#define DEPRIV_SCENARIO_NAME "pic-ack-stuck"
#define DEPRIV_SCENARIO_THEN                                    \
    do {                                                        \
        volatile uint32_t *lapic_ = (void *)0xfee00000;         \
        unsigned int i_;                                        \
                                                                \
        lapic_[0xf0 / 4] = 0x1ff;                               \
        lapic_[0x350 / 4] = 0x700;                              \
        outb(0x11, 0x20); outb(0x20, 0x21);                     \
        outb(0x04, 0x21); outb(0x01, 0x21);                     \
        outb(0x11, 0xa0); outb(0x28, 0xa1);                     \
        outb(0x02, 0xa1); outb(0x01, 0xa1);                     \
        outb(0xfb, 0x21);               /* IR2: the slave */    \
        outb(0xfe, 0xa1);               /* IRQ 8 */             \
        outb(0x0b, 0x70);                                       \
        outb(0x12, 0x71);               /* 24h, UIE */          \
        sti();                                                  \
        for ( i_ = 0; i_ < 300000; i_++ )                       \
            outb(0x0c, 0x70);                                   \
        cli();                                                  \
    } while ( 0 )
#include "../lib/depriv-selftest.h"
