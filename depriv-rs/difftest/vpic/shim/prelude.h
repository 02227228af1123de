/*
 * Force-included (-include) before Xen's pinned xen/arch/x86/hvm/vpic.c when
 * it is compiled on the host for the differential test.  vpic.c itself is
 * used unchanged; its #includes resolve to the empty headers next to this
 * one, and this file provides what they would have: Xen's public save
 * record (the real header, from the pinned tree), the domain/vCPU fields
 * vpic.c touches, no-op locks and traces, and recorders for the calls it
 * makes into the rest of Xen (vcpu_kick, hvm_dpci_eoi, pt_may_unmask_irq).
 */
#ifndef SHIM_PRELUDE_H
#define SHIM_PRELUDE_H

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include <string.h>
#include <errno.h>
#include <setjmp.h>

/* Xen's public header, exactly as guests and tools see it. */
#include "public/hvm/save.h"

#define cf_check
#define __init
#define XENLOG_WARNING ""
#define gdprintk(lvl, fmt, ...) ((void)0)
#define TRACE_1D(...) ((void)0)
#define TRACE_2D(...) ((void)0)
#define TRACE_3D(...) ((void)0)

/* Release-build Xen: ASSERT() compiles to nothing. */
#define ASSERT(p) ((void)0)
/* BUG_ON(): recorded, and the operation abandoned (longjmp to the shim). */
_Noreturn void shim_bug(void);
#define BUG_ON(p) do { if ( p ) shim_bug(); } while ( 0 )

#define container_of(ptr, type, member) \
    ((type *)((char *)(ptr) - offsetof(type, member)))

typedef struct { int held; } spinlock_t;
#define spin_lock(l) ((void)(l))
#define spin_unlock(l) ((void)(l))
#define spin_is_locked(l) ((void)(l), 1)

struct vcpu;
struct hvm_domain {
    spinlock_t irq_lock;
    struct hvm_hw_vpic vpic[2];
    struct vcpu *i8259_target;
};
struct arch_domain {
    struct hvm_domain hvm;
};
struct domain {
    struct arch_domain arch;
};
struct vcpu {
    struct domain *domain;
};

extern struct vcpu *shim_current;
#define current shim_current
#define has_vpic(d) ((void)(d), 1)

#define X86EMUL_OKAY 0
#define IOREQ_READ 0
#define IOREQ_WRITE 1

void vcpu_kick(struct vcpu *v);
void hvm_dpci_eoi(struct domain *d, unsigned int guest_gsi);
void pt_may_unmask_irq(struct domain *d, void *vlapic_pt);
int vlapic_accept_pic_intr(struct vcpu *v);
/*
 * Identity here: the recorder sees the ISA IRQ, which is what the Rust side
 * returns (Xen applies hvm_isa_irq_to_gsi() to it).
 */
#define hvm_isa_irq_to_gsi(isa_irq) (isa_irq)

/* asm/hvm/vpic-edge.h's (Xen's ffs() takes an unsigned int). */
#define ffs(x) __builtin_ffs((int)(x))

#define __scanbit(val, max) ((val) ? (unsigned int)__builtin_ctz(val) : (max))
#define __clear_bit(nr, addr) (*(addr) &= ~(1u << (nr)))

typedef int (*portio_action_t)(int dir, unsigned int port, unsigned int bytes,
                               uint32_t *val);
#define register_portio_handler(d, port, size, action) \
    ((void)(d), (void)(port), (void)(size), (void)(portio_action_t)(action))

/* Save/restore: one flat buffer of records, no descriptors. */
typedef struct hvm_domain_context {
    uint8_t *data;
    uint32_t cur;
    uint32_t instance;
} hvm_domain_context_t;

#define hvm_save_entry(_x, _inst, _h, _src) ({                  \
    memcpy((_h)->data + (_h)->cur, (_src), sizeof(*(_src)));   \
    (_h)->cur += sizeof(*(_src));                               \
    0; })
#define hvm_load_entry(_x, _h, _dst) ({                         \
    memcpy((_dst), (_h)->data + (_h)->cur, sizeof(*(_dst)));   \
    (_h)->cur += sizeof(*(_dst));                               \
    0; })
#define hvm_load_instance(h) ((h)->instance)

#define HVMSR_PER_DOM 0
#define HVM_REGISTER_SAVE_RESTORE(_x, save_fn, load_fn, _num, _k)            \
    int (*const shim_##_x##_save)(struct vcpu *, hvm_domain_context_t *) =  \
        save_fn;                                                             \
    int (*const shim_##_x##_load)(struct domain *, hvm_domain_context_t *) = \
        load_fn

#endif /* SHIM_PRELUDE_H */
