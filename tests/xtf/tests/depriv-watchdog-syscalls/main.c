/*
 * The payload's next real-mode emulation makes long syscalls for four
 * seconds (the time in Xen does not count against the budget), then loops
 * at ring 3: the watchdog must still stop it within twice the budget of
 * ring-3 time, however its timer fared while Xen ran the syscalls with
 * interrupts on.
 * The emulation: an HPET read in unreal mode (intercepted MMIO, emulated
 * instruction and all).
 */
#include <xtf/realmode.h>

void rm_mmio_read(void);
asm (".pushsection .text.real, \"ax\", @progbits\n"
     ".code16\n"
     "rm_mmio_read: addr32 mov (%esi), %eax; ret\n"
     ".code32\n"
     ".popsection\n");

static void depriv_realmode_mmio(void)
{
    struct xtf_rm_regs r = { .esi = 0xfed00000 };

    xtf_realmode_call(rm_mmio_read, &r, XTF_RM_UNREAL);
}

#define DEPRIV_SCENARIO 20
#define DEPRIV_SCENARIO_NAME "watchdog-syscalls"
#define DEPRIV_SCENARIO_THEN depriv_realmode_mmio()
#include "../depriv-selftest.h"
