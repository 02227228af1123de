/*
 * The payload answers an RTC access with a periodic timer of 1 us, below
 * the shortest period an RTC rate makes (30.5 us; 122 us with the 32 kHz
 * time base): Xen must refuse it and crash this domain.
 */
#define DEPRIV_SCENARIO 21
#define DEPRIV_SCENARIO_NAME "rtc-short-period"
#define DEPRIV_SCENARIO_THEN do { outb(0x0a, 0x70); (void)inb(0x71); } while ( 0 )
#include "../lib/depriv-selftest.h"
