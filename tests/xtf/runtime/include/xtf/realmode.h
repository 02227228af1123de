#ifndef XTF_REALMODE_H
#define XTF_REALMODE_H

/*
 * Project extension (not in upstream XTF): run a piece of 16-bit code in
 * real mode, or in "unreal" mode (real mode with the data segments' cached
 * limits left at 4G, so 32-bit addresses reach all of memory).
 *
 * The code must live in section ".text.real" (in the first 64K of memory,
 * which real mode sees as segment REALMODE_SEG = 0) and be a near function ending in
 * a 16-bit `ret`.  Data it uses goes in ".data.real"; RM_OFF() gives the
 * offset within REALMODE_SEG.  Interrupts stay masked.  An exception in
 * real mode goes through the real-mode IVT at linear 0, whose entries
 * abort the call and report the vector.
 */
#include <xtf/types.h>

/* The image starts at 4K: real mode uses segment 0, offset = address. */
#define REALMODE_BASE 0
#define REALMODE_SEG  0
#define RM_OFF(p)     ((unsigned long)(p) - REALMODE_BASE)

#define XTF_RM_UNREAL 1u

#ifndef __ASSEMBLY__
/* The real-mode stack (SS = REALMODE_SEG): at @fn's entry SP = rm_stack_top - 2. */
extern char rm_stack[], rm_stack_top[];
#endif

#ifndef __ASSEMBLY__
struct xtf_rm_regs {
    uint32_t eax, ebx, ecx, edx, esi, edi, ebp, eflags;
    uint16_t ds, es, fs, gs;
};

/*
 * Load @regs (DS/ES/FS/GS as real-mode segment values — except with
 * XTF_RM_UNREAL, where they are not loaded at all and keep base 0 and the
 * 4G limit: a real-mode load would reset the cached limit on some CPU
 * models, QEMU's TCG among them; IF and TF in eflags are forced clear),
 * call @fn in real mode with CS = SS = REALMODE_SEG, store
 * the registers it returns with back into @regs.  Returns -1 when @fn
 * returned, or the vector of the exception that aborted it (then @regs
 * holds what the registers were when it faulted, except eflags/segments).
 */
int xtf_realmode_call(void (*fn)(void), struct xtf_rm_regs *regs,
                      unsigned int flags);
#endif

#endif /* XTF_REALMODE_H */
