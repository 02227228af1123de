#ifndef XTF_COMPILER_H
#define XTF_COMPILER_H

#define __noreturn       __attribute__((__noreturn__))
#define __packed         __attribute__((__packed__))
#define __aligned(x)     __attribute__((__aligned__(x)))
#define __used           __attribute__((__used__))
#define __weak           __attribute__((__weak__))
#define __section(s)     __attribute__((__section__(s)))
#define __printf(f, v)   __attribute__((__format__(__printf__, f, v)))
#define __maybe_unused   __attribute__((__unused__))
#define unreachable()    __builtin_unreachable()
#define barrier()        __asm__ volatile ("" ::: "memory")
#define likely(x)        __builtin_expect(!!(x), 1)
#define unlikely(x)      __builtin_expect(!!(x), 0)

#define STR_(x) #x
#define STR(x)  STR_(x)

#define _u(v) ((unsigned long)(v))
#define _p(v) ((void *)(unsigned long)(v))

#endif /* XTF_COMPILER_H */
