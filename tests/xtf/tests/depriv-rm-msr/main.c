/*
 * Real-mode WRMSR and RDMSR of the SYSCALL MSRs and the KernelGS base,
 * emulated by the payload (hvm_depriv=selftest hvm_fep=1): the payload's
 * MSR syscalls reach the guest's MSR intercepts while its call runs.  On
 * VMX the CPU itself holds those MSRs during a call (Xen's STAR and SFMASK,
 * the payload's LSTAR and a KernelGS base pointing at Xen's per-CPU call
 * context): a write that reached the CPU would send the payload's next
 * SYSCALL to a guest-chosen address at ring 0, and a read that came from
 * the CPU would hand the guest a Xen address.  Each value must be written
 * by an emulated WRMSR, read back by an emulated RDMSR and by a protected-
 * mode RDMSR, and the domain must survive.
 */
#include <xtf.h>
#include "../lib/realmode.h"

#include "../lib/depriv-selftest.h"

#define DEPRIV_CNT_REALMODE 10

const char test_title[] = "hvm_depriv: real-mode WRMSR/RDMSR of the SYSCALL MSRs";

void rmm_wrmsr(void);
void rmm_rdmsr(void);
asm (".pushsection .text.real, \"ax\", @progbits\n"
     ".code16\n"
     ".global rmm_wrmsr, rmm_rdmsr\n"
     "rmm_wrmsr: " _ASM_XEN_FEP "wrmsr\n"
     "ret\n"
     "rmm_rdmsr: " _ASM_XEN_FEP "rdmsr\n"
     "ret\n"
     ".code32\n"
     ".popsection\n");

static unsigned int fails;

static void check(bool ok, const char *what, uint32_t msr)
{
    if ( ok )
        printk("ok   MSR %#x: %s\n", msr, what);
    else
    {
        xtf_failure("Fail: MSR %#x: %s\n", msr, what);
        fails++;
    }
}

/* Distinct from what the guest reads back if a Xen value leaked. */
static const struct { uint32_t msr; uint64_t val; } vals[] = {
    { MSR_STAR,           0x0013000800001234ull }, /* junk selectors */
    { MSR_LSTAR,          0xffff82d040000000ull }, /* Xen's text */
    { MSR_SFMASK,         0 },                     /* keep IF, TF, AC */
    { MSR_KERNEL_GS_BASE, 0x0000000000005000ull }, /* guest memory */
};

void test_main(void)
{
    uint32_t rm_calls;
    unsigned int i;

    if ( !depriv_present() )
        return;

    rm_calls = depriv_io(DEPRIV_COUNTER, DEPRIV_CNT_REALMODE);

    for ( i = 0; i < ARRAY_SIZE(vals); i++ )
    {
        struct xtf_rm_regs r = { 0 };
        uint64_t pm;
        int rc;

        r.ecx = vals[i].msr;
        r.eax = (uint32_t)vals[i].val;
        r.edx = vals[i].val >> 32;
        r.eflags = X86_EFLAGS_MBS;
        rc = xtf_realmode_call(rmm_wrmsr, &r, 0);
        check(rc == -1, "emulated WRMSR completed", vals[i].msr);

        memset(&r, 0, sizeof(r));
        r.ecx = vals[i].msr;
        r.eflags = X86_EFLAGS_MBS;
        rc = xtf_realmode_call(rmm_rdmsr, &r, 0);
        printk("     MSR %#x: wrote %#llx, emulated RDMSR rc %d -> %#llx\n",
               vals[i].msr, (unsigned long long)vals[i].val, rc,
               ((unsigned long long)r.edx << 32) | r.eax);
        check(rc == -1 &&
              (((uint64_t)r.edx << 32) | r.eax) == vals[i].val,
              "emulated RDMSR reads what was written", vals[i].msr);

        pm = depriv_rdmsr(vals[i].msr);
        check(pm == vals[i].val, "protected-mode RDMSR reads it too",
              vals[i].msr);
    }

    /* A payload SYSCALL after each write: the ECHO still comes back. */
    check(depriv_io(DEPRIV_ECHO, 41) == 42, "calls still return", 0);
    rm_calls = depriv_io(DEPRIV_COUNTER, DEPRIV_CNT_REALMODE) - rm_calls;
    printk("     real-mode calls: %u\n", rm_calls);
    check(rm_calls >= 2 * ARRAY_SIZE(vals),
          "every WRMSR/RDMSR ran in the payload", 0);

    if ( !fails )
        xtf_success(NULL);
}
