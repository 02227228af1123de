#ifndef XTF_LIB_H
#define XTF_LIB_H

#include <xtf/types.h>
#include <xtf/compiler.h>

#define ARRAY_SIZE(a)    (sizeof(a) / sizeof(*(a)))
#define ACCESS_ONCE(x)   (*(volatile __typeof__(x) *)&(x))
#define ROUNDUP(x, a)    (((x) + (a) - 1) & ~((a) - 1))
#define IS_DEFINED(x)    0

#define min(a, b) ({ __typeof__(a) _a = (a); __typeof__(b) _b = (b); _a < _b ? _a : _b; })
#define max(a, b) ({ __typeof__(a) _a = (a); __typeof__(b) _b = (b); _a > _b ? _a : _b; })

#define BUILD_BUG_ON(cond) ((void)sizeof(struct { char: -!!(cond); }))

void __noreturn panic(const char *fmt, ...) __printf(1, 2);

#define ASSERT(cond)                                                    \
    do {                                                                \
        if ( !(cond) )                                                  \
            panic("ASSERT(%s) failed at %s:%d\n", #cond, __FILE__, __LINE__); \
    } while ( 0 )

#endif /* XTF_LIB_H */
