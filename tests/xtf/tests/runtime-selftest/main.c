/*
 * runtime-selftest: the runtime itself — console, exception fix-ups, FEP probe,
 * real and unreal mode round trips.  A bystander in the steps.
 */
#include <xtf.h>
#include "../lib/realmode.h"

const char test_title[] = "Runtime self-test";

void rm_add(void);
void rm_fault(void);
void rm_unreal_read(void);
asm (".pushsection .text.real, \"ax\", @progbits\n"
     ".code16\n"
     "rm_add: add %bx, %ax; mov %ds, %cx; ret\n"
     "rm_fault: ud2; ret\n"
     "rm_unreal_read: addr32 mov (%esi), %eax; ret\n"
     ".code32\n"
     ".popsection\n");

/* Guest RAM at 2M: beyond any 64K limit, reachable only in unreal mode. */
#define HIGH_ADDR 0x200000

void test_main(void)
{
    exinfo_t fault;
    struct xtf_rm_regs r;
    int rc;

    /* A #UD covered by a fix-up records its exinfo. */
    asm volatile ("1: ud2; 2:"
                  _ASM_EXTABLE_HANDLER(1b, 2b, %c[rec])
                  : "=a" (fault) : "0" (0), [rec] "i" (ex_record_fault_eax));
    if ( fault != EXINFO_SYM(UD, 0) )
        xtf_failure("Fail: ud2 gave exinfo %08x, expected %08x\n",
                    fault, EXINFO_SYM(UD, 0));

    /* A #DE likewise. */
    asm volatile ("xor %%edx, %%edx; 1: divl %[zero]; 2:"
                  _ASM_EXTABLE_HANDLER(1b, 2b, %c[rec])
                  : "=a" (fault) : "0" (0), [zero] "r" (0), [rec] "i" (ex_record_fault_eax)
                  : "edx");
    if ( fault != EXINFO_SYM(DE, 0) )
        xtf_failure("Fail: div by 0 gave exinfo %08x\n", fault);

    printk("FEP %s\n", xtf_has_fep ? "available" : "not available");

    memset(&r, 0, sizeof(r));
    r.eax = 0x1234; r.ebx = 0x1111; r.ds = 0x2345;
    rc = xtf_realmode_call(rm_add, &r, 0);
    if ( rc != -1 || (r.eax & 0xffff) != 0x2345 || (r.ecx & 0xffff) != 0x2345 )
        xtf_failure("Fail: real mode add: rc %d eax %08x ecx %08x\n", rc, r.eax, r.ecx);

    memset(&r, 0, sizeof(r));
    rc = xtf_realmode_call(rm_fault, &r, 0);
    if ( rc != X86_EXC_UD )
        xtf_failure("Fail: real-mode ud2 gave %d, expected %d\n", rc, X86_EXC_UD);

    *(volatile uint32_t *)HIGH_ADDR = 0xfeedc0de;
    memset(&r, 0, sizeof(r));
    r.esi = HIGH_ADDR;
    rc = xtf_realmode_call(rm_unreal_read, &r, XTF_RM_UNREAL);
    if ( rc != -1 || r.eax != 0xfeedc0de )
        xtf_failure("Fail: unreal read: rc %d eax %08x\n", rc, r.eax);

    /*
     * Without unreal mode the same access is beyond DS's 64K limit and must
     * #GP on hardware; QEMU's TCG does not check segment limits, so this is
     * only reported, not asserted (the realmode test checks Xen's emulator
     * enforces it, through FEP).
     */
    memset(&r, 0, sizeof(r));
    r.esi = HIGH_ADDR;
    rc = xtf_realmode_call(rm_unreal_read, &r, 0);
    printk("Real mode, offset beyond the 64K limit: %s\n",
           rc == X86_EXC_GP ? "#GP (limit enforced)" :
           rc == -1 ? "no fault (limit not enforced: TCG)" : "other fault");

    xtf_success(NULL);
}
