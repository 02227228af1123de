/*
 * A protection key left in PKRU must not restrict a depriv call
 * (hvm_depriv=selftest; the CPU must offer PKU).  Nothing switches PKRU at
 * VM exit, and the payload's pages are user pages of key 0: with this
 * guest's PKRU = 3 (access and write disable for key 0) still loaded, the
 * payload's first stack write used to fault, and Xen crashed the domain at
 * its next call.  Each PIC and RTC access here is a call; PKRU must read
 * back as the guest left it.
 */
#include <xtf.h>

#include "../lib/depriv-selftest.h"

const char test_title[] = "hvm_depriv: a guest's PKRU does not restrict calls";

#define CR4_PKE (1u << 22)

static inline void wrpkru(uint32_t v)
{
    asm volatile (".byte 0x0f, 0x01, 0xef" :: "a" (v), "c" (0), "d" (0));
}

static inline uint32_t rdpkru(void)
{
    uint32_t v;

    asm volatile (".byte 0x0f, 0x01, 0xee" : "=a" (v) : "c" (0) : "edx");
    return v;
}

void test_main(void)
{
    uint32_t a, b, c, d, calls, pkru, i;
    uint8_t mask = 0;

    if ( !depriv_present() )
        return;

    cpuid_count(7, 0, &a, &b, &c, &d);
    if ( !(c & (1u << 3)) )
    {
        xtf_skip("Skip: no PKU in this guest's CPUID\n");
        return;
    }

    asm volatile ("mov %0, %%cr4" :: "r" (read_cr4() | CR4_PKE));
    calls = depriv_io(DEPRIV_COUNTER, DEPRIV_CNT_CALLS);
    wrpkru(3);
    for ( i = 0; i < 8; i++ )
    {
        mask = inb(0x21);           /* PIC: a call */
        outb(0x0a, 0x70);
        (void)inb(0x71);            /* RTC: two calls */
    }
    pkru = rdpkru();
    wrpkru(0);
    calls = depriv_io(DEPRIV_COUNTER, DEPRIV_CNT_CALLS) - calls;

    printk("PKRU 3 across %u calls: reads back %#x, PIC mask %02x\n",
           calls, pkru, mask);
    if ( pkru != 3 )
        xtf_failure("Fail: PKRU %#x after the calls, the guest wrote 3\n", pkru);
    else if ( calls < 24 )
        xtf_failure("Fail: only %u calls made\n", calls);
    else
        xtf_success(NULL);
}
