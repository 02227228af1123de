/*
 * Real mode for the hvm-depriv guests, which XTF's environments do not
 * offer: run a piece of 16-bit code in real mode, or in "unreal" mode (real
 * mode with the data segments' cached limits left at 4G, so 32-bit
 * addresses reach all of memory), from the hvm32 environment (32-bit
 * protected mode, paging off).
 *
 * Real mode reaches the first 64K of memory (REALMODE_SEG = 0): the
 * real-mode code lives in section ".text.real", and so does the data it
 * addresses (a ".data.real" section may be placed beyond 64K by XTF's linker
 * script; the images are writable throughout).  XTF links hvm32 images at
 * 1M, so a test using real mode links at 4K instead: its Makefile adds
 * `LDFLAGS_hvm32 += -Ttext=0x1000` (the project's own runtime links there
 * anyway).  The 16-bit offsets then fail to link when out of reach, and
 * xtf_realmode_call() panics otherwise.  Real-mode code is a near function
 * ending in a 16-bit `ret`; RM_OFF() gives an address's offset within
 * REALMODE_SEG.  Interrupts stay masked.  An exception in real mode goes
 * through a real-mode IVT at linear 0 whose entries abort the call and
 * report the vector.  The switch uses its own GDT (realmode-switch.S) and restores
 * the caller's GDT, IDT and segment registers on the way back.
 */
#ifndef DEPRIV_LIB_REALMODE_H
#define DEPRIV_LIB_REALMODE_H

#define REALMODE_SEG  0
#define REALMODE_BASE 0
#define RM_OFF(p)     ((unsigned long)(p) - REALMODE_BASE)

#define XTF_RM_UNREAL 1u

#ifndef __ASSEMBLY__
#include <xtf.h>

/* The real-mode stack (SS = REALMODE_SEG): at @fn's entry SP = rm_stack_top - 2. */
extern char rm_stack[], rm_stack_top[];

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

#endif /* DEPRIV_LIB_REALMODE_H */
