/*
 * Calls one after another with no softirq in between (hvm_depriv=selftest,
 * budget 1 s).  From the scenario on, every RTC call spins for 0.4 s and
 * asks Xen to set the update timer in the past and stop it, which Xen
 * records as an expiry still to run: the next round of the same flush of
 * deferred events runs it again, and every assist point of the exit
 * flushes.  Each call stays within the budget; together they would keep
 * this CPU from its softirqs (the NMI watchdog's tick among them) for as
 * many budgets as there are calls.  The budget bounds the calls between
 * two VM entries together: the third call reaches it and Xen must crash
 * this domain.
 * The guest then reads REG_C: the index write is an RTC call, whose exit
 * then flushes the expiry it re-recorded (the PIC masked: no interrupt is
 * delivered).
 */
#include <xtf.h>

#include "../lib/depriv-selftest.h"

#define ST_RTC_STRETCH  27
#define SPIN_MS         400     /* per call, the budget being 1000 ms */
#define READS           4
#define RTC_REG_C       0x0c

const char test_title[] = "hvm_depriv containment: rtc-stretch";

void test_main(void)
{
    unsigned int khz;
    uint64_t cycles;
    uint32_t r;
    unsigned int i, calls;

    if ( !depriv_present() )
        return;

    khz = xen_tsc_khz();
    if ( !khz )
        return xtf_error("Error: no TSC frequency in Xen's CPUID leaves\n");
    cycles = (uint64_t)khz * SPIN_MS;

    outb(0xff, 0x21);
    outb(0xff, 0xa1);

    printk("Scenario %u (rtc-stretch): %u ms of TSC (%llu cycles) per RTC call: Xen must crash this domain within the budget\n",
           ST_RTC_STRETCH, SPIN_MS, (unsigned long long)cycles);
    r = depriv_io(DEPRIV_RUN, ST_RTC_STRETCH | (uint32_t)(cycles >> 16) << 8);
    if ( r != 0 )
        return xtf_failure("Fail: scenario %u returned %#x, expected 0 (armed)\n",
                           ST_RTC_STRETCH, r);

    /*
     * Each read of REG_C is an RTC call, which now spins and re-records the
     * update timer's expiry: the flushes of the same exit run it again.
     */
    for ( i = 0; i < READS; i++ )
    {
        calls = depriv_io(DEPRIV_COUNTER, DEPRIV_CNT_CALLS);
        outb(RTC_REG_C, 0x70);
        (void)inb(0x71);
        printk("still running after REG_C read %u: %u calls for it\n",
               i + 1, depriv_io(DEPRIV_COUNTER, DEPRIV_CNT_CALLS) - calls);
    }

    xtf_failure("Fail: %u reads of REG_C after the scenario, the domain still runs: watchdog stops %u\n",
                READS, depriv_io(DEPRIV_COUNTER, DEPRIV_CNT_WATCHDOG));
}
