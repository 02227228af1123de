/*
 * External interrupts for the hvm-depriv guests, which XTF's API leaves to
 * each test: irq_init() points IDT vectors 32-255 at stubs (irq-stubs.S)
 * that count each interrupt per vector, log the most recent vectors, and
 * call the C handler registered for the vector, if any, with interrupts
 * still disabled; the handler EOIs its device.  Vectors without a handler
 * are only counted, so a test sees stray or spurious interrupts.
 * irq_set_handler() calls irq_init() on first use.
 */
#ifndef DEPRIV_LIB_IRQ_H
#define DEPRIV_LIB_IRQ_H

#include <xtf.h>

typedef void (*irq_handler_t)(unsigned int vector);

void irq_init(void);
void irq_set_handler(unsigned int vector, irq_handler_t fn);

extern volatile unsigned int irq_count[256];
/* Vectors of the most recent interrupts, oldest first (ring of 64). */
extern volatile uint8_t irq_log[64];
extern volatile unsigned int irq_log_len;

#endif /* DEPRIV_LIB_IRQ_H */
