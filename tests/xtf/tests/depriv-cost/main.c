/*
 * depriv-cost: the in-guest cost of the operations hvm_depriv moves to ring
 * 3, in TSC ticks per operation, for tests/bench/30-depriv-cost.sh (which
 * boots Xen with hvm_depriv=0 and =1 and compares):
 *   pic-mask  OUT to 0x21 writing the master's current IMR back;
 *   pic-eoi   OUT 0x20 to 0x20, a non-specific EOI with nothing in service;
 *   rtc       OUT 0x0a to 0x70, IN from 0x71 (one operation: both);
 *   rm-mmio   in (unreal) real mode, one 32-bit load from the HPET's
 *             capability register, which Xen intercepts and emulates
 *             (instruction and all) — no forced emulation needed.
 *
 * Each operation runs in chunks of a timed loop (loops.S); the same loop
 * without the operation is timed the same way and its cost subtracted.
 * Under QEMU's TCG dom0 shares the only CPU with this guest, and whenever
 * it runs the TSC runs on: around each chunk the guest asks Xen for its
 * runstate (VCPUOP_get_runstate_info) and takes the time it spent
 * runnable-but-descheduled or offline ("steal") off that chunk.  (Time the
 * host takes QEMU off its CPU stays in: nobody inside can see it.)
 * Chunks of the empty loop, of a reference operation (a port read Xen
 * emulates the same way with or without hvm_depriv: a yardstick of how fast
 * QEMU runs at the time) and of the operation alternate.
 * Printed per operation, one line:
 *   COST op=NAME iters=N chunks=C ops_total=T cycles=MEAN median=MED q1=Q1
 *        ref=REF ref_median=REFMED raw=RAW steal_pct=P empty=EMPTY
 * in TSC ticks per operation (one decimal): MEAN is the mean over all N
 * iterations less steal, less the empty loop's mean (EMPTY, also less
 * steal); MED/Q1 are the median/first quartile of the per-chunk figures
 * (each chunk less its steal, less the median/first-quartile empty chunk;
 * a chunk's steal is read just outside its timed loop, so a preemption
 * right at its end is taken off a chunk that did not see it: a few chunks
 * read as 0, which these statistics ignore); REF/REFMED the same as MEAN
 * and MED for the reference; RAW is MEAN with the steal left in (both
 * loops); P is the share of the operation loop's ticks that was steal; T
 * the number of operations done (timed and one warm-up chunk).
 * With the hvm_depriv self-test port (Xen booted with hvm_depriv=selftest)
 * the line also gets this vCPU's depriv calls and syscalls during the
 * operation's loop.
 *
 * Which operations run and how often: cost_cfg below, which the bench
 * script patches in copies of this image (no rebuild), so that one guest
 * instance runs one operation and Xen's per-vCPU counters at destruction
 * can be attributed to it: against a "baseline" instance, identical except
 * that the empty loop runs where the operation's would (its lines say
 * COST-BASELINE), the difference is the ops_total operations of the COST
 * line (the timed ones and one warm-up chunk's).
 *
 * With cost_cfg.icount set the guest times nothing: it runs the
 * instruction-count mode of icount.c instead (tests/bench/40-xen-icount.py).
 */
#include <xtf.h>

#include "../lib/div64.h"
#include "../lib/realmode.h"

const char test_title[] = "hvm_depriv: in-guest cost of PIC, RTC and real-mode MMIO operations";

#define OP_PIC_MASK  (1u << 0)
#define OP_PIC_EOI   (1u << 1)
#define OP_RTC       (1u << 2)
#define OP_RM_MMIO   (1u << 3)
#define OP_ALL       (OP_PIC_MASK | OP_PIC_EOI | OP_RTC | OP_RM_MMIO)

#ifndef DEPRIV_COST_OPS
#define DEPRIV_COST_OPS OP_ALL
#endif
#ifndef DEPRIV_COST_ITERS
#define DEPRIV_COST_ITERS 100000
#endif
#ifndef DEPRIV_COST_RM_ITERS
#define DEPRIV_COST_RM_ITERS 100000
#endif
#ifndef DEPRIV_COST_CHUNK
#define DEPRIV_COST_CHUNK 100
#endif
#define MAX_CHUNKS 4096

/*
 * The run's parameters, found in the ELF image by the magic string and
 * patched there (little-endian words right after it), see the bench script.
 */
struct cost_cfg {
    char magic[16];
    uint32_t ops;       /* OP_* */
    uint32_t iters;     /* per protected-mode operation */
    uint32_t rm_iters;  /* for rm-mmio */
    uint32_t chunk;     /* iterations per timed chunk */
    uint32_t baseline;  /* 1: the empty loop in place of each operation */
    uint32_t icount;    /* N > 0: the instruction-count mode, N windows per op */
};

static const volatile struct cost_cfg cost_cfg __used = {
    "DEPRIV-COST-CFG", DEPRIV_COST_OPS, DEPRIV_COST_ITERS,
    DEPRIV_COST_RM_ITERS, DEPRIV_COST_CHUNK, 0, 0,
};

/*
 * The loops (loops.S) take their arguments on the stack: regparm(0), as
 * XTF builds 32-bit C with -mregparm=3.
 */
typedef uint64_t __attribute__((regparm(0))) cost_loop_fn(uint32_t n, uint32_t arg);

void icount_main(uint32_t reps, uint8_t imr_m);         /* icount.c */

cost_loop_fn cost_loop_empty;
cost_loop_fn cost_loop_pic_mask;
cost_loop_fn cost_loop_pic_eoi;
cost_loop_fn cost_loop_rtc;
cost_loop_fn cost_loop_ref;
void cost_rm_empty(void);
void cost_rm_mmio(void);
void cost_rm_read(void);

#define HPET_BASE 0xfed00000u

/* The hvm_depriv self-test port (see ../lib/depriv-selftest.h), if present. */
#define DEPRIV_PORT         0xde00
#define DEPRIV_ECHO         0x4
#define DEPRIV_COUNTER      0xc
#define DEPRIV_CNT_CALLS    0
#define DEPRIV_CNT_SYSCALLS 1

static bool have_counters;

static uint32_t depriv_counter(unsigned int n)
{
    outl(n, DEPRIV_PORT);
    return inl(DEPRIV_PORT + DEPRIV_COUNTER);
}

struct op {
    const char *name;
    uint32_t bit;
    cost_loop_fn *loop;                             /* protected mode */
    void (*rm_loop)(void);                          /* real mode */
    uint32_t arg;
};

static uint64_t chunk_ticks[MAX_CHUNKS], empty_ticks[MAX_CHUNKS], ref_ticks[MAX_CHUNKS];

/* Steal accounting: Xen's runstate for this vCPU (public/vcpu.h, compat layout). */
#define __HYPERVISOR_vcpu_op     24
#define VCPUOP_get_runstate_info 4
#define RUNSTATE_runnable        1
#define RUNSTATE_offline         3

struct vcpu_runstate_info {
    int state;
    uint64_t state_entry_time;
    uint64_t time[4];               /* ns in each RUNSTATE_* */
} __packed;

static bool have_runstate;
static uint32_t tsc_khz;

static long vcpu_op(unsigned int cmd, unsigned int vcpu, void *arg)
{
    long ret;
    unsigned long b = cmd, c = vcpu, d = (unsigned long)arg;

    asm volatile ("call *%[fn]"
                  : "=a" (ret), "+b" (b), "+c" (c), "+d" (d)
                  : [fn] "r" (hypercall_page + __HYPERVISOR_vcpu_op * 32)
                  : "memory");
    return ret;
}

/* Nanoseconds this vCPU has not been running while it wanted to. */
static uint64_t steal_ns(void)
{
    struct vcpu_runstate_info rs;

    if ( !have_runstate || vcpu_op(VCPUOP_get_runstate_info, 0, &rs) )
        return 0;
    return rs.time[RUNSTATE_runnable] + rs.time[RUNSTATE_offline];
}

/* Of the last run_chunk(): raw ticks and steal ticks. */
static uint64_t last_raw, last_steal;

enum chunk_kind { CHUNK_OP, CHUNK_EMPTY, CHUNK_REF };

/* Run one chunk of @n iterations; returns its ticks less steal. */
static uint64_t run_chunk(const struct op *op, enum chunk_kind kind, uint32_t n)
{
    struct xtf_rm_regs r = { 0 };
    uint64_t s0 = steal_ns(), ticks, steal;
    bool empty = kind == CHUNK_EMPTY;
    int rc;

    if ( kind == CHUNK_REF )
        ticks = cost_loop_ref(n, 0);
    else if ( !op->rm_loop )
        ticks = empty ? cost_loop_empty(n, op->arg) : op->loop(n, op->arg);
    else
    {
        r.ecx = n;
        r.ebx = r.esi = op->arg;
        rc = xtf_realmode_call(empty ? cost_rm_empty : op->rm_loop, &r,
                               XTF_RM_UNREAL);
        if ( rc != -1 )
            panic("%s: real-mode loop aborted by exception %d\n", op->name, rc);
        ticks = ((uint64_t)r.edx << 32) | r.eax;
    }

    steal = udiv64_32((steal_ns() - s0) * tsc_khz, 1000000);
    if ( steal > ticks )
        steal = ticks;
    last_raw = ticks;
    last_steal = steal;
    return ticks - steal;
}

static void sort(uint64_t *a, unsigned int n)
{
    unsigned int i, j;

    for ( i = 1; i < n; i++ )
    {
        uint64_t v = a[i];

        for ( j = i; j > 0 && a[j - 1] > v; j-- )
            a[j] = a[j - 1];
        a[j] = v;
    }
}

/* Tenths of a tick per iteration, signed (a difference may go negative). */
static int64_t per_iter10(int64_t ticks, uint32_t iters)
{
    return ticks >= 0 ? (int64_t)udiv64_32(ticks * 10 + iters / 2, iters)
                      : -(int64_t)udiv64_32(-ticks * 10 + iters / 2, iters);
}

static const char *fmt10(char *buf, int64_t v)
{
    uint64_t a = v < 0 ? -v : v;

    snprintf(buf, 32, "%s%llu.%llu", v < 0 ? "-" : "",
             (unsigned long long)udiv64_32(a, 10), (unsigned long long)umod64_32(a, 10));
    return buf;
}

static void measure(const struct op *op, uint32_t iters, uint32_t chunk,
                    bool baseline)
{
    uint32_t nchunks, i, calls0 = 0, sys0 = 0, calls = 0, sys = 0;
    uint64_t total = 0, etotal = 0, rtotal = 0, raw = 0, eraw = 0, steal = 0;
    int64_t mean10, med10, q1_10, empty10, raw10, ref10, refmed10;
    enum chunk_kind kind = baseline ? CHUNK_EMPTY : CHUNK_OP;
    unsigned int steal_pct;
    char b[7][32];

    if ( chunk == 0 || chunk > iters )
        chunk = iters;
    nchunks = iters / chunk;
    if ( nchunks > MAX_CHUNKS )
    {
        nchunks = MAX_CHUNKS;
        chunk = iters / nchunks;
    }
    iters = nchunks * chunk;

    /* Warm up (caches, TLBs, Xen's first-use paths): one chunk of each. */
    run_chunk(op, CHUNK_EMPTY, chunk);
    run_chunk(op, CHUNK_REF, chunk);
    run_chunk(op, kind, chunk);

    /*
     * Empty, reference and operation chunks alternate, so that all see the
     * same conditions: QEMU's speed on a loaded host varies over seconds,
     * and between the boots the bench compares.  The reference (a port
     * read Xen emulates the same way with or without hvm_depriv) gives the
     * bench a yardstick of QEMU's speed measured alongside the operation.
     */
    if ( have_counters )
    {
        calls0 = depriv_counter(DEPRIV_CNT_CALLS);
        sys0 = depriv_counter(DEPRIV_CNT_SYSCALLS);
    }
    for ( i = 0; i < nchunks; i++ )
    {
        empty_ticks[i] = run_chunk(op, CHUNK_EMPTY, chunk);
        etotal += empty_ticks[i];
        eraw += last_raw;
        ref_ticks[i] = run_chunk(op, CHUNK_REF, chunk);
        rtotal += ref_ticks[i];
        chunk_ticks[i] = run_chunk(op, kind, chunk);
        total += chunk_ticks[i];
        raw += last_raw;
        steal += last_steal;
    }
    if ( have_counters )
    {
        calls = depriv_counter(DEPRIV_CNT_CALLS) - calls0;
        sys = depriv_counter(DEPRIV_CNT_SYSCALLS) - sys0;
    }
    empty10 = per_iter10(etotal, iters);
    raw10 = per_iter10(raw, iters) - per_iter10(eraw, iters);
    steal_pct = raw ? udiv64(steal * 100, raw) : 0;

    sort(chunk_ticks, nchunks);
    sort(empty_ticks, nchunks);
    sort(ref_ticks, nchunks);
    mean10 = per_iter10(total, iters) - empty10;
    ref10 = per_iter10(rtotal, iters) - empty10;
    refmed10 = per_iter10(ref_ticks[nchunks / 2], chunk) -
               per_iter10(empty_ticks[nchunks / 2], chunk);
    med10 = per_iter10(chunk_ticks[nchunks / 2], chunk) -
            per_iter10(empty_ticks[nchunks / 2], chunk);
    q1_10 = per_iter10(chunk_ticks[nchunks / 4], chunk) -
            per_iter10(empty_ticks[nchunks / 4], chunk);

    printk("%s op=%s iters=%u chunks=%u ops_total=%u cycles=%s median=%s q1=%s "
           "ref=%s ref_median=%s raw=%s steal_pct=%u empty=%s",
           baseline ? "COST-BASELINE" : "COST", op->name, iters, nchunks,
           baseline ? 0 : iters + chunk,
           fmt10(b[0], mean10), fmt10(b[1], med10), fmt10(b[2], q1_10),
           fmt10(b[3], ref10), fmt10(b[4], refmed10), fmt10(b[5], raw10),
           steal_pct, fmt10(b[6], empty10));
    if ( have_counters )
        printk(" depriv_calls=%u depriv_syscalls=%u", calls, sys);
    printk("\n");
}

void test_main(void)
{
    struct cost_cfg cfg;
    uint32_t base, a, b, c, d, vtsc = 0;
    uint8_t imr_m, imr_s, v;
    unsigned int i;
    struct xtf_rm_regs r = { 0 };
    int rc;

    cfg.ops = cost_cfg.ops;
    cfg.iters = cost_cfg.iters;
    cfg.rm_iters = cost_cfg.rm_iters;
    cfg.chunk = cost_cfg.chunk;
    cfg.baseline = cost_cfg.baseline;
    cfg.icount = cost_cfg.icount;

    /* Xen's time leaf (base + 3): vTSC flag and the guest TSC rate. */
    for ( base = 0x40000000; base < 0x40010000; base += 0x100 )
    {
        cpuid(base, &a, &b, &c, &d);
        if ( b == 0x566e6558 && c == 0x65584d4d && d == 0x4d4d566e )
        {
            cpuid_count(base + 3, 0, &a, &b, &c, &d);
            vtsc = a & 1;
            tsc_khz = c;
            break;
        }
    }
    if ( tsc_khz )
    {
        struct vcpu_runstate_info rs;

        have_runstate = vcpu_op(VCPUOP_get_runstate_info, 0, &rs) == 0;
    }

    /* Everything masked, interrupts off: nothing fires behind the loops. */
    imr_m = inb(0x21);
    imr_s = inb(0xa1);
    outl(41, DEPRIV_PORT);
    have_counters = inl(DEPRIV_PORT + DEPRIV_ECHO) == 42;

    printk("COST-INFO ops=%#x iters=%u rm_iters=%u chunk=%u baseline=%u tsc_khz=%u "
           "vtsc=%u steal_accounting=%s imr=%02x/%02x depriv_counters=%s\n",
           cfg.ops, cfg.iters, cfg.rm_iters, cfg.chunk, cfg.baseline, tsc_khz, vtsc,
           have_runstate ? "yes" : "no", imr_m, imr_s,
           have_counters ? "yes" : "no");

    if ( cfg.icount )
    {
        icount_main(cfg.icount, imr_m);
        xtf_success(NULL);
        return;
    }

    if ( cfg.ops & ~OP_ALL )
    {
        xtf_error("Error: unknown operations %#x\n", cfg.ops & ~OP_ALL);
        return;
    }

    {
        const struct op ops[] = {
            { "pic-mask", OP_PIC_MASK, cost_loop_pic_mask, NULL, imr_m },
            { "pic-eoi",  OP_PIC_EOI,  cost_loop_pic_eoi,  NULL, 0x20 },
            { "rtc",      OP_RTC,      cost_loop_rtc,      NULL, 0x0a },
            { "rm-mmio",  OP_RM_MMIO,  NULL, cost_rm_mmio, HPET_BASE },
        };

        for ( i = 0; i < ARRAY_SIZE(ops); i++ )
            if ( cfg.ops & ops[i].bit )
                measure(&ops[i], ops[i].rm_loop ? cfg.rm_iters : cfg.iters,
                        cfg.chunk, cfg.baseline);
    }

    /*
     * The operations changed nothing, and read what they should (checked
     * in baseline instances too: they must differ only by the loops).
     */
    if ( inb(0x21) != imr_m || inb(0xa1) != imr_s )
        xtf_failure("Fail: IMRs %02x/%02x after the loops, were %02x/%02x\n",
                    inb(0x21), inb(0xa1), imr_m, imr_s);
    if ( cfg.ops & OP_RTC )
    {
        outb(0x0a, 0x70);
        v = inb(0x71);
        if ( (v & 0x7f) == 0x7f )
            xtf_failure("Fail: RTC register A reads %02x\n", v);
    }
    if ( cfg.ops & OP_RM_MMIO )
    {
        uint32_t caps = *(volatile uint32_t *)HPET_BASE;

        r.esi = HPET_BASE;
        rc = xtf_realmode_call(cost_rm_read, &r, XTF_RM_UNREAL);
        if ( rc != -1 || r.eax != caps || caps == ~0u )
            xtf_failure("Fail: HPET capabilities %08x in real mode (rc %d), %08x in protected mode\n",
                        r.eax, rc, caps);
    }

    xtf_success(NULL);
}
