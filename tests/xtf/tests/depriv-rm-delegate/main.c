/*
 * A victim (hvm_depriv=selftest hvm_fep=1): scenario 29 arms the next
 * real-mode emulation to read a byte of guest memory and then hand the
 * instruction to Xen's x86_emulate() (HVM_DEPRIV_RM_DELEGATE), which would
 * make its accesses again.  The instruction is an FWAIT in real mode, one
 * Xen lets the payload delegate; after an access it must not: Xen refuses
 * and crashes this domain.  Coming back at all is a failure.
 */
#include <xtf.h>
#include "../lib/realmode.h"

#include "../lib/depriv-selftest.h"

#define ST_RM_DELEGATE_AFTER_ACCESS 29

const char test_title[] = "hvm_depriv containment: rm-delegate (a delegation after an access)";

void rmd_fwait(void);
asm (".pushsection .text.real, \"ax\", @progbits\n"
     ".code16\n"
     ".global rmd_fwait\n"
     "rmd_fwait: " _ASM_XEN_FEP "fwait\n"
     "ret\n"
     ".code32\n"
     ".popsection\n");

void test_main(void)
{
    struct xtf_rm_regs r = { 0 };
    uint32_t ret;
    int rc;

    if ( !depriv_present() )
        return;

    ret = depriv_io(DEPRIV_RUN, ST_RM_DELEGATE_AFTER_ACCESS);
    if ( ret != 0 )
    {
        xtf_failure("Fail: scenario %u returned %#x, expected 0 (armed)\n",
                    ST_RM_DELEGATE_AFTER_ACCESS, ret);
        return;
    }

    printk("Scenario %u armed: Xen must crash this domain at the FWAIT\n",
           ST_RM_DELEGATE_AFTER_ACCESS);
    r.eflags = X86_EFLAGS_MBS;
    rc = xtf_realmode_call(rmd_fwait, &r, 0);

    xtf_failure("Fail: the delegated FWAIT came back (rc %d): Xen ran it\n", rc);
}
