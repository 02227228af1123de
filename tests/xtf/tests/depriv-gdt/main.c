/*
 * While a deprivileged call runs, ring 3 must find no descriptor below
 * Xen's reserved GDT entries.  Xen's default GDT, loaded while an HVM vCPU
 * is current, has its base 56K below the CPU's reserved GDT page, so those
 * selectors would take descriptors from whatever memory lies there: bits
 * of it readable with LAR/LSL, segments or call gates loadable from it.
 * Self-test scenario 24 has the payload try LAR on all 7168 of them.
 */
#include <xtf.h>

#include "../lib/depriv-selftest.h"

const char test_title[] = "hvm_depriv: no descriptor below Xen's reserved GDT entries at ring 3";

#define DEPRIV_ST_GDT_SCAN 24

void test_main(void)
{
    uint32_t found;

    if ( !depriv_present() )
        return;

    found = depriv_io(DEPRIV_RUN, DEPRIV_ST_GDT_SCAN);
    if ( found )
        xtf_failure("Fail: %u of the 7168 selectors below 0xe000 name a descriptor at ring 3\n",
                    found);
    else
        printk("ring 3: LAR accepts none of the 7168 selectors below 0xe000\n");

    xtf_success(NULL);
}
