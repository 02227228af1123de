#ifndef XTF_TRAPS_H
#define XTF_TRAPS_H

#include <xtf/extable.h>
#include <arch/regs.h>

/* Called for a fault no fixup covers; a test may override it (weak). */
bool do_unhandled_exception(struct cpu_regs *regs);

#endif /* XTF_TRAPS_H */
