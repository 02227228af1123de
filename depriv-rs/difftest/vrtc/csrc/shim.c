/*
 * Test harness around Xen's rtc.c and common/time.c (compiled unchanged from
 * the pinned tree): a single domain with one vCPU, a settable clock, and a
 * log of every call rtc.c makes to the rest of Xen.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "xen-shim.h"
#include <xen/sched.h>
#include <asm/hvm/vpt.h>
#include <asm/hvm/io.h>
#include <public/hvm/params.h>

/* The layout the Rust emulator uses for the same state (vrtc::RtcState). */
struct rust_rtc_state {
    struct hvm_hw_rtc hw;
    struct tm current_tm;
    uint32_t pad1;
    uint64_t next_update_time;
    int64_t start_time;
    int64_t check_ticks_since;
    int32_t period;
    uint8_t pt_dead_ticks;
    uint8_t pad2[3];
    uint32_t use_timer;
    uint32_t pad3;
};
_Static_assert(sizeof(struct hvm_hw_rtc) == 24, "hvm_hw_rtc size");
_Static_assert(offsetof(struct hvm_hw_rtc, cmos_index) == 14, "cmos_index");
_Static_assert(offsetof(struct hvm_hw_rtc, rtc_offset) == 16, "rtc_offset");
_Static_assert(sizeof(struct tm) == 36, "struct tm");
_Static_assert(sizeof(struct rust_rtc_state) == 104, "RtcState");

enum {
    EV_SET_TIMER, EV_STOP_TIMER, EV_CREATE_PERIODIC, EV_DESTROY_PERIODIC,
    EV_IRQ_ASSERT, EV_IRQ_DEASSERT, EV_TIMEOFFSET_REQ, EV_WALLCLOCK,
    EV_KILL_TIMER, EV_BAD,
};
struct shim_event {
    uint32_t kind;
    uint32_t timer;
    uint64_t a;
    uint64_t b;
};

#define MAX_EVENTS 64
static struct shim_event events[MAX_EVENTS];
static unsigned int nevents;

static struct domain dom;
static struct vcpu vcpu0;
static struct vcpu *vcpus[1] = { &vcpu0 };
static struct pl_time pl;
struct domain *shim_domain;
struct vcpu *shim_current;

static s_time_t now_ns;
static portio_action_t rtc_handler;
static unsigned int rtc_port, rtc_size;
static time_cb *pt_cb;
static void *pt_data;

extern int (*shim_save_RTC)(struct vcpu *, hvm_domain_context_t *);
extern int (*shim_load_RTC)(struct domain *, hvm_domain_context_t *);
void rtc_init(struct domain *d);
void rtc_reset(struct domain *d);
void rtc_update_clock(struct domain *d);

static void record(uint32_t kind, uint32_t timer, uint64_t a, uint64_t b)
{
    if ( nevents < MAX_EVENTS )
        events[nevents++] = (struct shim_event){ kind, timer, a, b };
    else
        events[MAX_EVENTS - 1].kind = EV_BAD;
}

void shim_assert_failed(const char *what, const char *file, int line)
{
    fprintf(stderr, "shim: ASSERT(%s) failed at %s:%d\n", what, file, line);
    abort();
}

void shim_spin_lock(spinlock_t *l)
{
    ASSERT(!l->held);
    l->held = 1;
}

void shim_spin_unlock(spinlock_t *l)
{
    ASSERT(l->held);
    l->held = 0;
}

s_time_t shim_now(void)
{
    return now_ns;
}

static uint32_t timer_id(struct timer *t)
{
    RTCState *s = &pl.vrtc;

    if ( t == &s->update_timer )
        return 0;
    if ( t == &s->update_timer2 )
        return 1;
    if ( t == &s->alarm_timer )
        return 2;
    return 99;
}

void init_timer(struct timer *timer, void (*function)(void *), void *data,
                unsigned int cpu)
{
    timer->function = function;
    timer->data = data;
    timer->status = 1;
}

void set_timer(struct timer *timer, s_time_t expires)
{
    record(EV_SET_TIMER, timer_id(timer), (uint64_t)expires, 0);
}

void stop_timer(struct timer *timer)
{
    record(EV_STOP_TIMER, timer_id(timer), 0, 0);
}

void kill_timer(struct timer *timer)
{
    record(EV_KILL_TIMER, timer_id(timer), 0, 0);
}

void migrate_timer(struct timer *timer, unsigned int new_cpu)
{
}

void create_periodic_time(
    struct vcpu *v, struct periodic_time *pt, uint64_t delta,
    uint64_t period, uint8_t irq, time_cb *cb, void *data, bool level)
{
    if ( v != &vcpu0 || pt != &pl.vrtc.pt || irq != 8 || level ||
         data != &pl.vrtc )
        record(EV_BAD, 0, 0, 0);
    pt_cb = cb;
    pt_data = data;
    record(EV_CREATE_PERIODIC, 0, delta, period);
}

void destroy_periodic_time(struct periodic_time *pt)
{
    if ( pt != &pl.vrtc.pt )
        record(EV_BAD, 0, 0, 0);
    record(EV_DESTROY_PERIODIC, 0, 0, 0);
}

int hvm_isa_irq_assert(struct domain *d, unsigned int isa_irq,
                       int (*get_vector)(const struct domain *d,
                                         unsigned int gsi))
{
    if ( d != &dom || isa_irq != 8 || get_vector )
        record(EV_BAD, 0, 0, 0);
    record(EV_IRQ_ASSERT, 0, 0, 0);
    return 0;
}

void hvm_isa_irq_deassert(struct domain *d, unsigned int isa_irq)
{
    if ( d != &dom || isa_irq != 8 )
        record(EV_BAD, 0, 0, 0);
    record(EV_IRQ_DEASSERT, 0, 0, 0);
}

void send_timeoffset_req(unsigned long timeoff)
{
    record(EV_TIMEOFFSET_REQ, 0, timeoff, 0);
}

uint32_t shim_version_update_begin(struct domain *d, uint32_t v)
{
    /* update_domain_wallclock_time() ran: note the offset it published. */
    record(EV_WALLCLOCK, 0, (uint64_t)d->time_offset.seconds, 0);
    return v + 1;
}

void register_portio_handler(struct domain *d, unsigned int port,
                             unsigned int size, portio_action_t action)
{
    rtc_port = port;
    rtc_size = size;
    rtc_handler = action;
}

/* Host accesses to the physical RTC (hw_rtc_io, hardware domain only). */
unsigned int rtc_guest_read(unsigned int port)
{
    record(EV_BAD, 0, 0, 0);
    return ~0u;
}

void rtc_guest_write(unsigned int port, unsigned int data)
{
    record(EV_BAD, 0, 0, 0);
}

/* ---- The harness API, called from Rust. ---- */

void shim_setup(void)
{
    memset(&dom, 0, sizeof(dom));
    memset(&vcpu0, 0, sizeof(vcpu0));
    memset(&pl, 0, sizeof(pl));
    vcpu0.domain = &dom;
    dom.vcpu = vcpus;
    dom.arch.hvm.pl_time = &pl;
    pl.domain = &dom;
    shim_domain = &dom;
    shim_current = &vcpu0;
    rtc_handler = NULL;
    pt_cb = NULL;
    now_ns = 0;
    nevents = 0;
}

void shim_set_env(int64_t now, uint64_t wc_sec, uint32_t wc_nsec,
                  int64_t time_offset, uint32_t vpt_align)
{
    static uint64_t cur_sec = ~0ull;
    static uint32_t cur_nsec = ~0u;

    now_ns = now;
    dom.time_offset.seconds = time_offset;
    dom.arch.hvm.params[HVM_PARAM_VPT_ALIGN] = vpt_align;
    if ( wc_sec != cur_sec || wc_nsec != cur_nsec )
    {
        unsigned int saved = nevents;

        do_settime(wc_sec, wc_nsec, 0);
        cur_sec = wc_sec;
        cur_nsec = wc_nsec;
        nevents = saved;
    }
}

int64_t shim_time_offset(void)
{
    return dom.time_offset.seconds;
}

void shim_rtc_init(void)
{
    init_timer(&pl.vrtc.update_timer, NULL, NULL, 0);
    rtc_init(&dom);
}

void shim_rtc_reset(void)
{
    rtc_reset(&dom);
}

void shim_rtc_update_clock(void)
{
    rtc_update_clock(&dom);
}

/* 0: X86EMUL_OKAY, 1: X86EMUL_UNHANDLEABLE, 2: not accepted (range). */
int shim_io(int write, unsigned int port, unsigned int bytes, uint32_t *val)
{
    /* hvm_portio_accept() */
    if ( !rtc_handler || port < rtc_port ||
         (uint64_t)port + bytes > (uint64_t)rtc_port + rtc_size )
        return 2;
    return rtc_handler(write ? IOREQ_WRITE : IOREQ_READ, port, bytes, val) ==
           X86EMUL_OKAY ? 0 : 1;
}

/* 0..2: the update, update2 and alarm timers; 3: a periodic tick. */
void shim_fire(int which)
{
    RTCState *s = &pl.vrtc;
    struct timer *t = which == 0 ? &s->update_timer :
                      which == 1 ? &s->update_timer2 : &s->alarm_timer;

    if ( which == 3 )
    {
        if ( pt_cb )
            pt_cb(&vcpu0, pt_data);
        else
            record(EV_BAD, 3, 0, 0);
        return;
    }
    t->function(t->data);
}

int shim_save(struct hvm_hw_rtc *out)
{
    hvm_domain_context_t h = { 0 };
    int rc = shim_save_RTC(&vcpu0, &h);

    memcpy(out, h.buf, sizeof(*out));
    return rc;
}

int shim_load(const struct hvm_hw_rtc *in, int time_offset_set)
{
    hvm_domain_context_t h = { 0 };

    memcpy(h.buf, in, sizeof(*in));
    dom.time_offset.set = time_offset_set;
    return shim_load_RTC(&dom, &h);
}

void shim_get_state(struct rust_rtc_state *out)
{
    const RTCState *s = &pl.vrtc;

    memset(out, 0, sizeof(*out));
    out->hw = s->hw;
    out->current_tm = s->current_tm;
    out->next_update_time = s->next_update_time;
    out->start_time = s->start_time;
    out->check_ticks_since = s->check_ticks_since;
    out->period = s->period;
    out->pt_dead_ticks = s->pt_dead_ticks;
    out->use_timer = s->use_timer;
}

/* Resynchronise after a reported divergence. */
void shim_put_state(const struct rust_rtc_state *in)
{
    RTCState *s = &pl.vrtc;

    s->hw = in->hw;
    s->current_tm = in->current_tm;
    s->next_update_time = in->next_update_time;
    s->start_time = in->start_time;
    s->check_ticks_since = in->check_ticks_since;
    s->period = in->period;
    s->pt_dead_ticks = in->pt_dead_ticks;
    s->use_timer = in->use_timer;
}

unsigned int shim_events(struct shim_event *out, unsigned int max)
{
    unsigned int n = nevents < max ? nevents : max;

    memcpy(out, events, n * sizeof(*out));
    nevents = 0;
    return n;
}

/* For the benchmark: the clock only. */
void shim_set_now(int64_t now)
{
    now_ns = now;
}

/* ---- Benchmark: the same pre-generated stream as rust_bench(). ---- */
struct bench_op {
    uint32_t kind;  /* 0 write, 1 read, 2..4 timer expiry, 5 periodic tick */
    uint32_t port;
    uint32_t val;
    uint32_t dt;    /* ns the clock moves before the op */
};

uint64_t shim_bench(const struct bench_op *ops, size_t n)
{
    uint64_t sum = 0;
    size_t i;

    for ( i = 0; i < n; i++ )
    {
        const struct bench_op *op = &ops[i];
        uint32_t v = op->val;

        now_ns += op->dt;
        nevents = 0;
        switch ( op->kind )
        {
        case 0:
        case 1:
            if ( shim_io(op->kind == 0, op->port, 1, &v) != 0 )
                v = 0xdead;
            break;
        case 5:
            shim_fire(3);
            break;
        default:
            shim_fire(op->kind - 2);
            break;
        }
        sum = sum * 31 + v + nevents;
    }
    return sum;
}
