#ifndef XTF_X86_EXTABLE_H
#define XTF_X86_EXTABLE_H

#include <xtf/extable.h>
#include <arch/regs.h>

/*
 * Fixup handlers recording the fault's exinfo_t in %eax / %edi and resuming
 * at the fixup address.  Use:
 *   asm volatile ("1: insn; 2:" _ASM_EXTABLE_HANDLER(1b, 2b, %c[rec])
 *                 : "=a" (fault) : "0" (0), [rec] "p" (ex_record_fault_eax));
 */
bool ex_record_fault_eax(struct cpu_regs *regs, const struct extable_entry *ex);
bool ex_record_fault_edi(struct cpu_regs *regs, const struct extable_entry *ex);

#endif /* XTF_X86_EXTABLE_H */
