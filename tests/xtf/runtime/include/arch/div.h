#ifndef XTF_X86_DIV_H
#define XTF_X86_DIV_H

#include <xtf/types.h>

/*
 * Upstream XTF's divmod64(): divide *dividend in place by a 32-bit divisor
 * and return the remainder, without libgcc (which XTF does not link).  Two
 * 32-bit divl: the high half first, its remainder as the upper half of the
 * second dividend (so the second quotient fits in 32 bits).
 */
static inline uint32_t divmod64(uint64_t *dividend, uint32_t divisor)
{
    uint32_t hi = *dividend >> 32, lo = *dividend, rem = 0, qhi = 0;

    if ( hi )
    {
        qhi = hi / divisor;
        rem = hi % divisor;
    }
    asm ("divl %[d]" : "+a" (lo), "+d" (rem) : [d] "rm" (divisor));
    *dividend = ((uint64_t)qhi << 32) | lo;

    return rem;
}

#endif /* XTF_X86_DIV_H */
