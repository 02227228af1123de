/* TSC-based delays for the hvm-depriv guests (see cpu.h). */
#include "cpu.h"

unsigned int xen_tsc_khz(void)
{
    static unsigned int khz;
    uint32_t base, a, b, c, d;

    if ( khz )
        return khz;
    for ( base = 0x40000000; base < 0x40010000; base += 0x100 )
    {
        cpuid_count(base, 0, &a, &b, &c, &d);
        /* "XenVMMXenVMM", with leaf base+3 present. */
        if ( b == 0x566e6558 && c == 0x65584d4d && d == 0x4d4d566e &&
             a - base >= 3 )
        {
            cpuid_count(base + 3, 0, &a, &b, &c, &d);
            khz = c;
            break;
        }
    }

    return khz;
}

void udelay(unsigned int usecs)
{
    uint32_t khz = xen_tsc_khz();
    /* usecs x kHz / 1000, without a 64-bit division. */
    uint64_t end = rdtsc() + (uint64_t)(usecs / 1000) * khz +
                   (uint64_t)(usecs % 1000) * (khz / 1000);

    while ( (int64_t)(rdtsc() - end) < 0 )
        asm volatile ("pause");
}

void mdelay(unsigned int msecs)
{
    while ( msecs-- )
        udelay(1000);
}
