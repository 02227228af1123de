#ifndef XTF_X86_REGS_H
#define XTF_X86_REGS_H

#include <xtf/types.h>

#define DECL_REG(n)  union { uint32_t e ## n; unsigned long n; }
#define _DECL_REG(n) union { uint32_t _e ## n; unsigned long _ ## n; }

/*
 * The frame the IDT stubs build (arch/x86/hvm32/entry.S), lowest address
 * first: saved GPRs and data segments, then vector and error code, then what
 * the CPU pushed.  sp/ss are only valid after a privilege change.
 */
struct cpu_regs {
    DECL_REG(bp);
    DECL_REG(bx);
    DECL_REG(ax);
    DECL_REG(cx);
    DECL_REG(dx);
    DECL_REG(si);
    DECL_REG(di);
    uint16_t ds, :16;
    uint16_t es, :16;
    uint32_t entry_vector;
    uint32_t error_code;
    DECL_REG(ip);
    uint16_t cs, _pad1[1];
    DECL_REG(flags);
    _DECL_REG(sp);
    uint16_t _ss, _pad0[1];
};

#endif /* XTF_X86_REGS_H */
