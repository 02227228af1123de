/*
 * Host shim for compiling Xen 4.17's rtc.c and common/time.c unchanged in a
 * test binary.  Force-included before each of them; the headers next to this
 * one shadow the Xen headers those files include.  Everything here is
 * written for the test: timers, periodic timers, IRQ lines and time-offset
 * requests are recorded (shim.c), not acted on.
 */
#ifndef XEN_SHIM_H
#define XEN_SHIM_H

#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>

/* Keep the host C library's names free. */
#define gmtime xen_gmtime
#define mktime xen_mktime

#define BITS_PER_LONG 64
#define cf_check
#define DIV_ROUND(n, d) (((n) + (d) / 2) / (d))
#define unlikely(x) (x)
#define likely(x) (x)
#define ENODEV 19
#define EINVAL 22

typedef int64_t s_time_t;
typedef uint64_t u64;
typedef uint32_t u32;

void shim_assert_failed(const char *what, const char *file, int line);
#define ASSERT(p) \
    do { if ( !(p) ) shim_assert_failed(#p, __FILE__, __LINE__); } while ( 0 )
#define BUG_ON(p) ASSERT(!(p))

#define container_of(ptr, type, member) \
    ((type *)((char *)(ptr) - offsetof(type, member)))

#define XENLOG_WARNING ""
#define gdprintk(lvl, fmt, ...) ((void)0)

#define smp_processor_id() 0
#define smp_wmb() ((void)0)

/* The pieces of struct domain / struct vcpu the two files use. */
struct pl_time;
struct vcpu;
struct shim_shared_info {
    uint32_t wc_version;
    uint32_t wc_sec;
    uint32_t wc_nsec;
    uint32_t wc_sec_hi;
};
struct domain {
    struct {
        int64_t seconds;
        bool set;
    } time_offset;
    struct {
        struct {
            struct pl_time *pl_time;
            uint64_t params[64];
        } hvm;
    } arch;
    struct vcpu **vcpu;
    struct shim_shared_info shinfo;
};
struct vcpu {
    int vcpu_id;
    unsigned int processor;
    struct domain *domain;
};

#define has_vrtc(d) ((void)(d), 1)
#define is_hardware_domain(d) ((void)(d), 0)
#define is_hvm_domain(d) ((void)(d), 1)

/* Timers (xen/timer.h): recorded. */
struct timer {
    void (*function)(void *);
    void *data;
    int status;
};
#define TIMER_STATUS_invalid 0
void init_timer(struct timer *timer, void (*function)(void *), void *data,
                unsigned int cpu);
void set_timer(struct timer *timer, s_time_t expires);
void stop_timer(struct timer *timer);
void kill_timer(struct timer *timer);
void migrate_timer(struct timer *timer, unsigned int new_cpu);

/* Clock (xen/time.h). */
s_time_t shim_now(void);
#define NOW() ((s_time_t)shim_now())
#define SECONDS(_s) ((s_time_t)((_s) * 1000000000ULL))

/* asm/div64.h */
#define do_div(n, base) ({                      \
    uint32_t __base = (base);                   \
    uint32_t __rem = ((uint64_t)(n)) % __base;  \
    (n) = ((uint64_t)(n)) / __base;             \
    __rem;                                      \
})

/* HVM save/restore (asm/hvm/save.h): one RTC record, by hand. */
typedef struct hvm_domain_context {
    unsigned char buf[64];
    unsigned int size;
} hvm_domain_context_t;
#define hvm_save_entry(_x, _inst, _h, _src) \
    ({ memcpy((_h)->buf, (_src), sizeof(*(_src))); \
       (_h)->size = sizeof(*(_src)); 0; })
#define hvm_load_entry_zeroextend(_x, _h, _dst) \
    ({ memcpy((_dst), (_h)->buf, sizeof(*(_dst))); 0; })
#define HVM_REGISTER_SAVE_RESTORE(_x, _save, _load, _num, _k) \
    int (*shim_save_##_x)(struct vcpu *, hvm_domain_context_t *) = _save; \
    int (*shim_load_##_x)(struct domain *, hvm_domain_context_t *) = _load;
void *memcpy(void *dst, const void *src, size_t n);

/* Port I/O registration (asm/hvm/io.h). */
typedef int (*portio_action_t)(int dir, unsigned int port, unsigned int bytes,
                               uint32_t *val);
void register_portio_handler(struct domain *d, unsigned int port,
                             unsigned int size, portio_action_t action);
#define IOREQ_READ 1
#define IOREQ_WRITE 0
#define X86EMUL_OKAY 0
#define X86EMUL_UNHANDLEABLE 1

#endif /* XEN_SHIM_H */
