/* The 8259A pair and the ELCR, as guests program them. */
#ifndef PIC_REGS_H
#define PIC_REGS_H

#include <xtf.h>

#include "cpu.h"

#define PIC_M 0x20
#define PIC_S 0xa0
#define ELCR_M 0x4d0
#define ELCR_S 0x4d1

#define OCW3_READ_IRR 0x0a
#define OCW3_READ_ISR 0x0b
#define OCW3_POLL     0x0c
#define OCW2_SP_EOI   0x60
#define OCW2_SET_PRIO 0xc0

static inline uint8_t read_irr(uint16_t pic)
{
    outb(OCW3_READ_IRR, pic);
    return inb(pic);
}

static inline uint8_t read_isr(uint16_t pic)
{
    outb(OCW3_READ_ISR, pic);
    return inb(pic);
}

#endif /* PIC_REGS_H */
