/*
 * 64-bit division for the hvm-depriv guests: XTF links without libgcc, so a
 * 32-bit guest cannot write a / b on 64-bit values.  Built on XTF's
 * divmod64() (<arch/div.h>).
 */
#ifndef DEPRIV_LIB_DIV64_H
#define DEPRIV_LIB_DIV64_H

#include <xtf.h>
#include <arch/div.h>

static inline uint64_t udiv64_32(uint64_t n, uint32_t d)
{
    divmod64(&n, d);
    return n;
}

static inline uint32_t umod64_32(uint64_t n, uint32_t d)
{
    return divmod64(&n, d);
}

/*
 * n / d for a 64-bit divisor: both are shifted right until d fits in 32
 * bits, so the quotient can be one off when d >= 2^32 (then d has 32
 * significant bits: a relative error below 2^-31).
 */
static inline uint64_t udiv64(uint64_t n, uint64_t d)
{
    while ( d >> 32 )
    {
        d >>= 1;
        n >>= 1;
    }

    return udiv64_32(n, d);
}

#endif /* DEPRIV_LIB_DIV64_H */
