/*
 * The hvm_depriv self-test port (Xen booted with hvm_depriv=selftest):
 *   OUT dword 0xde00   latch an argument
 *   IN  dword 0xde04   REQ_ECHO(argument): the payload returns argument + 1
 *   IN  dword 0xde08   REQ_SELFTEST(argument): run a misbehaviour scenario
 *   IN  dword 0xde0c   this vCPU's depriv counter number <argument>
 * Scenario and counter numbers: depriv-rs/abi/include/hvm-depriv-abi.h.
 */
#ifndef DEPRIV_SELFTEST_H
#define DEPRIV_SELFTEST_H

#include <xtf.h>

#define DEPRIV_PORT         0xde00
#define DEPRIV_ECHO         0x4
#define DEPRIV_RUN          0x8
#define DEPRIV_COUNTER      0xc

#define DEPRIV_CNT_CALLS          0
#define DEPRIV_CNT_SYSCALLS       1
#define DEPRIV_CNT_SYSCALL_ERRORS 2
#define DEPRIV_CNT_FAULTS         3
#define DEPRIV_CNT_WATCHDOG       4
#define DEPRIV_CNT_ABORTS         5
#define DEPRIV_CNT_MAPS           6 /* monitor tables given the mappings */

static inline uint32_t depriv_io(unsigned int reg, uint32_t arg)
{
    outl(arg, DEPRIV_PORT);
    return inl(DEPRIV_PORT + reg);
}

/* Skip (not fail) when Xen was not booted with hvm_depriv=selftest. */
static inline bool depriv_present(void)
{
    uint32_t r = depriv_io(DEPRIV_ECHO, 41);

    if ( r == 42 )
        return true;
    if ( r == ~0u )
        xtf_skip("Skip: no hvm_depriv self-test port (boot Xen with hvm_depriv=selftest)\n");
    else
        xtf_failure("Fail: ECHO(41) returned %#x, expected 42\n", r);
    return false;
}

#ifdef DEPRIV_SCENARIO
/*
 * A victim: run one misbehaviour scenario in the payload.  Xen must contain
 * it and crash this domain; coming back at all is a failure.
 */
const char test_title[] = "hvm_depriv containment: " DEPRIV_SCENARIO_NAME;

void test_main(void)
{
    uint32_t r;

    if ( !depriv_present() )
        return;

    printk("Scenario %u (%s): Xen must crash this domain now\n",
           DEPRIV_SCENARIO, DEPRIV_SCENARIO_NAME);
    r = depriv_io(DEPRIV_RUN, DEPRIV_SCENARIO);
    xtf_failure("Fail: scenario %u came back with %#x: domain not crashed\n",
                DEPRIV_SCENARIO, r);
}
#endif

#endif /* DEPRIV_SELFTEST_H */
