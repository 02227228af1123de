/* shim: Xen's RTCState (asm/hvm/vpt.h) with recorded periodic timers. */
#ifndef SHIM_VPT_H
#define SHIM_VPT_H
#include "../../xen-shim.h"
#include <xen/time.h>
#include <xen/spinlock.h>
/* struct hvm_hw_rtc, cut from the pinned public/arch-x86/hvm/save.h. */
#include "hvm_hw_rtc.h"

typedef void time_cb(struct vcpu *v, void *opaque);
#define PTSRC_isa 1
struct periodic_time {
    int source;
};

typedef struct RTCState {
    struct hvm_hw_rtc hw;
    struct tm current_tm;
    struct timer update_timer;
    struct timer update_timer2;
    uint64_t next_update_time;
    struct timer alarm_timer;
    struct periodic_time pt;
    s_time_t start_time;
    s_time_t check_ticks_since;
    int period;
    uint8_t pt_dead_ticks;
    uint32_t use_timer;
    spinlock_t lock;
} RTCState;

struct pl_time {
    struct RTCState vrtc;
    struct domain *domain;
};

#define pt_global_vcpu_target(d) ((d)->vcpu[0])

void create_periodic_time(
    struct vcpu *v, struct periodic_time *pt, uint64_t delta,
    uint64_t period, uint8_t irq, time_cb *cb, void *data, bool level);
void destroy_periodic_time(struct periodic_time *pt);
#endif
