/*
 * depriv-nmi-dump: Xen dumps the state of a CPU that is running the
 * payload, from an NMI, and survives.  The NMI-driven dumps (fatal_trap()'s
 * NMIs to the other CPUs with "async-show-all", the NMI watchdog, debug
 * keys) run show_execution_state() on whatever frame the NMI interrupted;
 * a payload frame is a ring-3 frame inside Xen whose %rsp and %rbp are the
 * payload's to choose.  Scenario 22 spins in the payload until Xen (another
 * CPU sends NMIs until one lands at ring 3) has dumped that frame; scenario
 * 23 does the same with %rsp and %rbp non-canonical.  Both must come back
 * with their own number.  Needs Xen with hvm_depriv=selftest and two CPUs.
 */
#include <xtf.h>

#include "../lib/depriv-selftest.h"

const char test_title[] = "hvm_depriv: NMI-time state dumps of a CPU in the payload";

#define ST_NMI_DUMP         22
#define ST_NMI_DUMP_WILD_SP 23

void test_main(void)
{
    static const unsigned int scen[] = { ST_NMI_DUMP, ST_NMI_DUMP_WILD_SP };
    unsigned int i, fails = 0;

    if ( !depriv_present() )
        return;

    for ( i = 0; i < ARRAY_SIZE(scen); i++ )
    {
        uint32_t r;

        printk("Scenario %u: Xen dumps this CPU from an NMI while the payload spins\n",
               scen[i]);
        r = depriv_io(DEPRIV_RUN, scen[i]);
        if ( r == scen[i] )
            printk("Scenario %u: payload frame dumped, call returned %u\n",
                   scen[i], r);
        else
        {
            xtf_failure("Fail: scenario %u returned %#x, expected %u\n",
                        scen[i], r, scen[i]);
            fails++;
        }
    }

    if ( !fails )
        xtf_success(NULL);
}
