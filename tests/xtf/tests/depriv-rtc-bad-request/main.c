/*
 * The payload answers an RTC access with a request Xen's rtc.c does not
 * know: Xen must refuse the whole list and crash this domain.
 */
#define DEPRIV_SCENARIO 17
#define DEPRIV_SCENARIO_NAME "rtc-bad-request"
#define DEPRIV_SCENARIO_THEN do { outb(0x0a, 0x70); (void)inb(0x71); } while ( 0 )
#include "../lib/depriv-selftest.h"
