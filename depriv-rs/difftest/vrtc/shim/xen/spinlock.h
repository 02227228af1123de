#ifndef SHIM_SPINLOCK_H
#define SHIM_SPINLOCK_H
#include "../xen-shim.h"
/* One CPU: a lock is a flag, checked so that rtc.c's ASSERTs mean something. */
typedef struct { int held; } spinlock_t;
void shim_spin_lock(spinlock_t *l);
void shim_spin_unlock(spinlock_t *l);
#define DEFINE_SPINLOCK(l) spinlock_t l = { 0 }
#define spin_lock_init(l) ((l)->held = 0)
#define spin_lock(l) shim_spin_lock(l)
#define spin_unlock(l) shim_spin_unlock(l)
#define spin_is_locked(l) ((l)->held)
#define spin_barrier(l) ((void)(l))
#endif
