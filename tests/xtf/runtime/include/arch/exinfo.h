#ifndef XTF_X86_EXINFO_H
#define XTF_X86_EXINFO_H

#include <arch/processor.h>

/*
 * An exception packed in 32 bits: error code in bits 0-15, vector in bits
 * 16-23, bit 31 set so that #DE (vector 0, code 0) differs from "none".
 */
typedef unsigned int exinfo_t;

#define EXINFO_EXPECTED (1u << 31)
#define EXINFO_AVAIL1   (1u << 25)
#define EXINFO_AVAIL0   (1u << 24)

#define EXINFO(vec, ec) (EXINFO_EXPECTED | (((vec) & 0xff) << 16) | ((ec) & 0xffff))
#define EXINFO_SYM(exc, ec) EXINFO(X86_EXC_ ## exc, ec)

#ifndef __ASSEMBLY__
static inline unsigned int exinfo_vec(exinfo_t info)
{
    return (info >> 16) & 0xff;
}

static inline unsigned int exinfo_ec(exinfo_t info)
{
    return info & 0xffff;
}
#endif

#endif /* XTF_X86_EXINFO_H */
