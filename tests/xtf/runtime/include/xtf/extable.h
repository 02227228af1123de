#ifndef XTF_EXTABLE_H
#define XTF_EXTABLE_H

#include <xtf/types.h>
#include <xtf/compiler.h>

/*
 * Exception table: an instruction that may fault is tagged with where to
 * resume (and optionally a handler deciding that).  Entries are three
 * 32-bit words: fault address, fixup address, handler (0 = none).
 */
#ifdef __ASSEMBLY__
#define _ASM_EXTABLE_HANDLER(fault, fixup, handler) \
    .pushsection .ex_table, "a";                    \
    .long fault, fixup, handler;                    \
    .popsection
#else
#define _ASM_EXTABLE_HANDLER(fault, fixup, handler)             \
    ".pushsection .ex_table, \"a\";\n"                          \
    ".long " STR(fault) ", " STR(fixup) ", " STR(handler) ";\n" \
    ".popsection;\n"
#endif

#define _ASM_EXTABLE(fault, fixup) _ASM_EXTABLE_HANDLER(fault, fixup, 0)

/* A trap at @loc is fine: resume right there (after the trap). */
#define _ASM_TRAP_OK(loc) _ASM_EXTABLE(loc, loc)

#ifndef __ASSEMBLY__
struct cpu_regs;

struct extable_entry
{
    unsigned long fault;
    unsigned long fixup;
    /* If set, it must move regs->ip past the fault and return true. */
    bool (*handler)(struct cpu_regs *regs, const struct extable_entry *ex);
};

const struct extable_entry *search_extable(unsigned long addr);
#endif

#endif /* XTF_EXTABLE_H */
