#ifndef XTF_TRAPS_H
#define XTF_TRAPS_H

#include <xtf/extable.h>
#include <arch/regs.h>

/* Called for a fault no fixup covers; a test may override it (weak). */
bool do_unhandled_exception(struct cpu_regs *regs);

/*
 * Project extension (not in upstream XTF): C-level interrupt handlers for
 * vectors 32-255.  The runtime's IDT stub saves the frame, counts the
 * vector in xtf_irq_count[] and calls the handler, if any, with interrupts
 * still disabled; the handler EOIs its device.  Vectors without a handler
 * are only counted, so a test sees stray or spurious interrupts.
 */
typedef void (*xtf_irq_handler_t)(struct cpu_regs *regs);
void xtf_set_irq_handler(unsigned int vector, xtf_irq_handler_t fn);
extern volatile unsigned int xtf_irq_count[256];
/* Vector of the most recent interrupts, oldest first (ring of 64). */
extern volatile uint8_t xtf_irq_log[64];
extern volatile unsigned int xtf_irq_log_len;

#endif /* XTF_TRAPS_H */
