/*
 * The payload's next real-mode emulation makes syscalls (guest memory
 * reads) for ever, with next to no time at ring 3 between them: the budget
 * bounds the whole call, so the watchdog must stop it within twice the
 * budget, although its timer fires while Xen runs a syscall with
 * interrupts on (returning to ring 0, where nothing re-arms it).
 * The emulation: an HPET read in unreal mode (intercepted MMIO, emulated
 * instruction and all).
 */
#include "../lib/realmode.h"

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
#include "../lib/depriv-selftest.h"
