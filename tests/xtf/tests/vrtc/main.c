/*
 * vrtc: the MC146818 RTC as Xen emulates it (xen/arch/x86/hvm/rtc.c),
 * against the datasheet where Xen follows it and against Xen's code where
 * it does not (noted at each check).
 *
 * Interrupts (IRQ8) are taken for real: LAPIC in virtual wire mode, PIC
 * vectors 0x30/0x38, a handler that reads register C (clearing it, as an
 * OS must: Xen stops the periodic timer after 10 unacknowledged ticks) and
 * EOIs.  The CMOS index register is write-only, so the main code keeps
 * interrupts off around every index/data pair and opens them only in
 * explicit wait windows.
 *
 * Time intervals are measured on the RTC itself (its seconds register and
 * update-ended interrupts, from Xen's clock), not on the TSC: under TCG the
 * TSC rate Xen reports varied from 5 to 17 GHz between boots, so the TSC
 * only bounds the waits (generously) and sizes the host's stalls, on a rate
 * calibrated against the RTC's seconds (calibrate_tsc()).
 *
 * The host may not run the vCPU for a second or more (a loaded machine,
 * nested TCG): each check that observes a rate over a window either counts
 * what such a stall can hide (the polled periodic flags) or retries the
 * window (a wrong emulation fails every window, a stall does not recur at
 * the same place), and waits have backstops of many seconds.
 */
#include <xtf.h>

#include "../lib/div64.h"

#include "../lib/irq.h"

#include "../lib/guest-check.h"
/*
 * The index is parked at REG_C after every access, so the IRQ8 handler can
 * read REG_C with a single port read (one VM exit per interrupt, which lets
 * TCG keep up with the faster rates).
 */
#define CMOS_PARK_INDEX 0x0c
#include "../lib/rtc-regs.h"

const char test_title[] = "vRTC (MC146818) emulation";

#define VEC_M 0x30
#define VEC_S 0x38

/* Interrupt bookkeeping, written by the IRQ8 handler. */
static volatile unsigned int n_irq, n_pf, n_af, n_uf, n_noflag;

static volatile uint8_t sec_at_af;

/* One port read per interrupt: index parked at REG_C, PICs in AEOI mode. */
static void rtc_irq(unsigned int vector)
{
    uint8_t c = inb(0x71);

    n_irq++;
    if ( !(c & RTC_IRQF) )
        n_noflag++;
    if ( c & RTC_PF )
        n_pf++;
    if ( c & RTC_AF )
    {
        n_af++;
        outb(RTC_SECONDS, 0x70);
        sec_at_af = inb(0x71);
        outb(RTC_REG_C, 0x70);
    }
    if ( c & RTC_UF )
        n_uf++;
}

static void reset_counts(void)
{
    n_irq = n_pf = n_af = n_uf = n_noflag = 0;
}

static uint64_t tsc_per_ms;

/*
 * TSC ticks per RTC second, a lower bound: the seconds register is polled
 * over two of its changes, each change bracketed by TSC reads (from before
 * the read that did not see it to after the one that did), and the shortest
 * possible interval is taken.  Retried while the bracket is wider than 1/16
 * of it (the host stalled the vCPU at an edge); a low value only sizes the
 * polled window's stall allowance generously (see there).
 */
static uint64_t tsc_per_rtc_s;

/*
 * Spin for @ms of RTC time, on the TSC rate per RTC second (a lower bound
 * within 1/16, see calibrate_tsc(); the CPUID rate was up to 12x too high).
 */
static void tsc_wait_ms(unsigned int ms)
{
    uint64_t end = rdtsc() + (uint64_t)ms * udiv64_32(tsc_per_rtc_s, 1000);

    while ( rdtsc() < end )
        asm volatile ("pause");
}

static bool rtc_edge(uint64_t *before, uint64_t *after, uint64_t end)
{
    /* Before the first read: the change may come right after it. */
    uint64_t prev = rdtsc(), b;
    uint8_t sec = cmos_read(RTC_SECONDS), s2;

    do {
        b = rdtsc();
        s2 = cmos_read(RTC_SECONDS);
        *after = rdtsc();
        *before = prev;
        prev = b;
    } while ( s2 == sec && *after < end );

    return s2 != sec;
}

static void calibrate_tsc(void)
{
    uint64_t best = 0, best_spread = ~0ull;
    unsigned int try;

    for ( try = 0; try < 5; try++ )
    {
        uint64_t end = rdtsc() + 10000 * tsc_per_ms, b0, a0, b1, a1, b2, a2, lo, hi;

        if ( !rtc_edge(&b0, &a0, end) || !rtc_edge(&b1, &a1, end) || !rtc_edge(&b2, &a2, end) )
            break;
        lo = (b2 - a0) / 2;
        hi = (a2 - b0) / 2;
        if ( hi - lo < best_spread )
        {
            best_spread = hi - lo;
            best = lo;
        }
        if ( (hi - lo) * 16 <= hi )
            break;
    }
    /* The RTC did not run: keep the CPUID rate (the checks on it fail anyway). */
    tsc_per_rtc_s = best ?: tsc_per_ms * 1000;
}

/* Take interrupts until @cond or @ms of TSC time (a generous backstop). */
#define WAIT_UNTIL(cond, ms)                                    \
    ({                                                          \
        uint64_t _end = rdtsc() + (uint64_t)(ms) * tsc_per_ms;  \
        while ( !(cond) && rdtsc() < _end )                     \
            sti_hlt_or_spin();                                  \
        cli();                                                  \
        (cond);                                                 \
    })

static void sti_hlt_or_spin(void)
{
    unsigned int i;

    /*
     * hlt would also do, but a spin keeps the loop checking the deadline.
     * A window of a few instructions was too short on some hosts: under
     * TCG an interrupt pending for the vCPU could miss many of them in a
     * row (update interrupts seen once in 30 s, Xen's C and the payload
     * alike); this one spans many translation blocks.
     */
    sti();
    for ( i = 0; i < 256; i++ )
        asm volatile ("pause" ::: "memory");
    cli();
}

/*
 * Take interrupts while the RTC's seconds register advances by @secs,
 * counting the periodic interrupts (n_pf) from its first change to the
 * @secs-th after that; false if that does not happen within @ms of TSC time
 * (a backstop).  The register is read with interrupts off (the handler
 * parks the index at REG_C), between short windows with them on.
 */
static bool rtc_seconds_window(unsigned int secs, unsigned int *pf, unsigned int ms)
{
    uint64_t end = rdtsc() + (uint64_t)ms * tsc_per_ms;
    uint8_t sec = cmos_read(RTC_SECONDS), s2;
    unsigned int changes = 0, pf0 = 0;

    while ( changes <= secs && rdtsc() < end )
    {
        sti_hlt_or_spin();
        s2 = cmos_read(RTC_SECONDS);
        if ( s2 == sec )
            continue;
        sec = s2;
        if ( changes++ == 0 )
            pf0 = n_pf;
    }
    *pf = n_pf - pf0;

    return changes > secs;
}

static bool bcd_ok(uint8_t v) { return (v & 0xf) <= 9 && (v >> 4) <= 9; }
static unsigned int bcd(uint8_t v) { return (v >> 4) * 10 + (v & 0xf); }
static uint8_t to_bcd(unsigned int v) { return ((v / 10) << 4) | (v % 10); }

/* Day of week, 0 = Sunday (Sakamoto's method), for 2000 + yy. */
static unsigned int day_of_week(unsigned int y, unsigned int m, unsigned int d)
{
    static const uint8_t t[] = { 0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4 };

    if ( m < 3 )
        y--;
    return (y + y / 4 - y / 100 + y / 400 + t[m - 1] + d) % 7;
}

static unsigned int secs_of_day(const struct rtc_time *t)
{
    return bcd(t->hour) * 3600 + bcd(t->min) * 60 + bcd(t->sec);
}

/*
 * Why the periodic-rate check polls PF against the seconds register rather
 * than counting between update-ended flags: Xen's UF is not a reliable
 * 1 Hz tick under TCG.  A REG_C read that lands between a second boundary
 * and Xen's late-running update_timer2 makes check_update_timer() stop that
 * timer and re-arm for the next second, so that second's UF is never set
 * (seen here: 5 RTC seconds with 4 UFs).  The seconds register is computed
 * from Xen's clock at every read and cannot skip.
 */
static void test_time(void)
{
    struct rtc_time t, u, bin, t12;
    unsigned int h24, late;
    uint64_t t0;

    section = "time";
    CHECK(cmos_read(RTC_REG_B) == RTC_24H, "REG_B at boot %02x, want 02 (rtc_init)", cmos_read(RTC_REG_B));
    CHECK((cmos_read(RTC_REG_A) & 0x7f) == (RTC_DIV_32K | 6), "REG_A at boot %02x, want 26",
          cmos_read(RTC_REG_A));
    read_time(&t);
    printk("RTC: 20%02x-%02x-%02x %02x:%02x:%02x dow %x\n",
           t.year, t.mon, t.mday, t.hour, t.min, t.sec, t.dow);
    CHECK(bcd_ok(t.sec) && bcd_ok(t.min) && bcd_ok(t.hour) && bcd_ok(t.dow) &&
          bcd_ok(t.mday) && bcd_ok(t.mon) && bcd_ok(t.year), "not BCD");
    CHECK(bcd(t.sec) < 60 && bcd(t.min) < 60 && bcd(t.hour) < 24, "time out of range");
    CHECK(bcd(t.mon) >= 1 && bcd(t.mon) <= 12 && bcd(t.mday) >= 1 && bcd(t.mday) <= 31,
          "date out of range");
    /* Xen stores gmtime()'s tm_wday, 0-6 with Sunday 0 (datasheet: 1-7). */
    CHECK(bcd(t.dow) == day_of_week(2000 + bcd(t.year), bcd(t.mon), bcd(t.mday)),
          "day of week %x does not match the date (want %u)", t.dow,
          day_of_week(2000 + bcd(t.year), bcd(t.mon), bcd(t.mday)));

    section = "binary mode";
    read_time(&t);
    cmos_write(RTC_REG_B, RTC_24H | RTC_DM_BINARY);
    read_time(&bin);
    cmos_write(RTC_REG_B, RTC_24H);
    read_time(&u);
    CHECK(bin.min == bcd(t.min) || bin.min == bcd(u.min), "binary min %u vs BCD %02x/%02x", bin.min, t.min, u.min);
    CHECK(bin.hour == bcd(t.hour) || bin.hour == bcd(u.hour), "binary hour %u vs BCD %02x", bin.hour, t.hour);
    CHECK(bin.mday == bcd(t.mday) && bin.mon == bcd(t.mon) && bin.year == bcd(t.year),
          "binary date %u-%u-%u vs BCD %02x-%02x-%02x", bin.year, bin.mon, bin.mday, t.year, t.mon, t.mday);
    CHECK(bin.sec < 60, "binary seconds %u", bin.sec);

    section = "12h mode";
    read_time(&t);
    cmos_write(RTC_REG_B, 0);
    read_time(&t12);
    cmos_write(RTC_REG_B, RTC_24H);
    h24 = bcd(t.hour);
    {
        uint8_t want = to_bcd((h24 % 12) ? h24 % 12 : 12) | (h24 >= 12 ? 0x80 : 0);

        CHECK(t12.hour == want || t.min != t12.min, "12h hour %02x for 24h %02x, want %02x",
              t12.hour, t.hour, want);
    }

    /* Setting the clock: SET freezes it, the written time then runs on. */
    section = "SET";
    cmos_write(RTC_REG_B, RTC_24H | RTC_SET);
    CHECK(!(cmos_read(RTC_REG_A) & RTC_UIP), "UIP with SET");
    cmos_write(RTC_SECONDS, 0x30); cmos_write(RTC_MINUTES, 0x45);
    cmos_write(RTC_HOURS, 0x13); cmos_write(RTC_DAY_OF_MONTH, 0x15);
    cmos_write(RTC_MONTH, 0x06); cmos_write(RTC_YEAR, 0x23);
    cmos_write(RTC_DAY_OF_WEEK, 0x04);
    tsc_wait_ms(300);
    CHECK(cmos_read(RTC_SECONDS) == 0x30 && cmos_read(RTC_HOURS) == 0x13,
          "SET did not freeze: %02x:%02x", cmos_read(RTC_HOURS), cmos_read(RTC_SECONDS));
    t0 = rdtsc();
    cmos_write(RTC_REG_B, RTC_24H);
    read_time(&t);
    /*
     * The clock runs from :30 once SET is cleared; by the read it is at most
     * as many seconds later as the TSC says went by (a stalled vCPU reads it
     * late), +1 for the phase of the first tick, and at least :33 is allowed.
     */
    late = udiv64(rdtsc() - t0, tsc_per_rtc_s) + 1;
    late = late < 3 ? 3 : late;
    CHECK(t.year == 0x23 && t.mon == 0x06 && t.mday == 0x15 && t.hour == 0x13 &&
          t.min == 0x45 && bcd(t.sec) >= 30 && bcd(t.sec) <= 30 + late,
          "after SET: 20%02x-%02x-%02x %02x:%02x:%02x, want 2023-06-15 13:45:30..%u",
          t.year, t.mon, t.mday, t.hour, t.min, t.sec, 30 + late);
    /* 2023-06-15 is a Thursday: Xen recomputes nothing, it keeps tm_wday from the write. */
    CHECK(t.dow == 0x04, "day of week %02x after SET, want 04", t.dow);

    /* Outside SET, writing one field moves the clock by that field only. */
    section = "field write";
    cmos_write(RTC_MINUTES, 0x10);
    read_time(&t);
    CHECK(t.min == 0x10 && t.hour == 0x13 && t.mday == 0x15, "after minute write %02x:%02x day %02x",
          t.hour, t.min, t.mday);
}

static void test_registers(void)
{
    unsigned int i, bad = 0;

    section = "registers";
    /* Index port is write-only: Xen reads it as ff. */
    CHECK(inb(0x70) == 0xff, "inb(0x70) = %02x, want ff", inb(0x70));
    /* Bit 7 of the index is the NMI mask, not part of the index. */
    outb(0x80 | RTC_REG_D, 0x70);
    CHECK(inb(0x71) == RTC_VRT, "index 8d did not select REG_D (%02x)", inb(0x71));
    /* REG_D: VRT, read-only. */
    cmos_write(RTC_REG_D, 0x00);
    CHECK(cmos_read(RTC_REG_D) == RTC_VRT, "REG_D %02x, want 80", cmos_read(RTC_REG_D));
    /* REG_A: UIP is read-only; the rest is plain storage. */
    cmos_write(RTC_REG_A, RTC_UIP | RTC_DIV_32K | 6);
    {
        uint8_t a = cmos_read(RTC_REG_A);

        CHECK((a & 0x7f) == 0x26, "REG_A %02x, want 26", a);
    }
    /* Alarm registers are plain storage. */
    for ( i = 0; i < 256; i++ )
    {
        cmos_write(RTC_SECONDS_ALARM, i);
        cmos_write(RTC_MINUTES_ALARM, i ^ 0x5a);
        if ( cmos_read(RTC_SECONDS_ALARM) != i || cmos_read(RTC_MINUTES_ALARM) != (i ^ 0x5a) )
            bad++;
    }
    CHECK(bad == 0, "%u alarm values did not read back", bad);
    cmos_write(RTC_SECONDS_ALARM, 0); cmos_write(RTC_MINUTES_ALARM, 0);

    /* Wrong access size: handle_rtc_io() reads all-ones. */
    CHECK(inw(0x70) == 0xffff, "inw(0x70) = %04x", inw(0x70));
    CHECK(inl(0x70) == 0xffffffff, "inl(0x70) = %08x", inl(0x70));

    /*
     * CMOS RAM 0x0e-0x7f: Xen 4.17 emulates only indexes < RTC_CMOS_SIZE
     * (14); the rest goes to the device model.  The harness's stand-in
     * device model answers nothing: reads are all-ones, writes are lost.
     * (With a real QEMU these bytes would round-trip: a qemu-dm property,
     * not Xen's.)
     */
    section = "CMOS RAM";
    bad = 0;
    for ( i = 0x0e; i < 0x80; i++ )
    {
        cmos_write(i, i ^ 0xa5);
        if ( cmos_read(i) != 0xff )
            bad++;
    }
    CHECK(bad == 0, "%u bytes of 0x0e-0x7f did not read ff (Xen forwards them)", bad);
    /* After an out-of-range index, the in-range registers still work. */
    CHECK(cmos_read(RTC_REG_D) == RTC_VRT, "REG_D after CMOS RAM accesses");

    /* REG_C: PF is set with PIE off when a period has passed (check_for_pf_ticks). */
    section = "REG_C";
    (void)cmos_read(RTC_REG_C);
    cmos_write(RTC_REG_A, RTC_DIV_32K | 15);      /* 2 Hz */
    tsc_wait_ms(1200);
    {
        uint8_t c = cmos_read(RTC_REG_C);

        CHECK(c & RTC_PF, "REG_C %02x: no PF after 1.2 s at 2 Hz, PIE off", c);
        CHECK(!(c & RTC_IRQF), "REG_C %02x: IRQF with no interrupt enabled", c);
        /*
         * Read again at once: cleared, unless a 500 ms period boundary fell
         * between the two reads (a stalled vCPU under TCG), which sets PF
         * anew; three tries tell that from a REG_C that never clears.
         */
        for ( i = 0; i < 3; i++ )
        {
            c = cmos_read(RTC_REG_C);
            if ( !(c & (RTC_PF | RTC_IRQF)) )
                break;
        }
        CHECK(!(c & (RTC_PF | RTC_IRQF)), "REG_C %02x: not cleared by reading (3 tries)", c);
    }
    cmos_write(RTC_REG_A, RTC_DIV_32K | 6);
}

/*
 * UIP.  Xen sets it for the last 244 us of each RTC second, either from
 * its update timers (when it runs them) or, when REG_C holds an unread UF,
 * computed at read time from the guest clock (update_in_progress()).  The
 * timer path is at the mercy of timer latency under TCG, where both timers
 * can fire back to back; the read-time path is deterministic, so it is the
 * one asserted: UIE off, UF left unread, REG_A polled for up to 10 s.
 */
static void test_uip(void)
{
    unsigned int n = 0, uip = 0, secs = 0;
    uint8_t sec, s2;
    uint64_t end;

    section = "UIP";
    cmos_write(RTC_REG_B, RTC_24H);
    (void)cmos_read(RTC_REG_C);
    end = rdtsc() + 5000 * tsc_per_ms;
    while ( !(cmos_read(RTC_REG_C) & RTC_UF) && rdtsc() < end )
        ;
    /*
     * The window is 244 us of each RTC second and one read under nested
     * TCG takes 100 us to over 1 ms (more on a loaded host), so a read lands
     * in it with some probability per second, not surely: the poll runs
     * until UIP is seen or 60 RTC seconds have passed (counted on the
     * seconds register, read every 64 polls), with a TSC backstop.  A UIP
     * that is never reported still fails; a slow host only makes the poll
     * longer.
     */
    sec = cmos_read(RTC_SECONDS);
    end = rdtsc() + 120000 * tsc_per_ms;
    outb(RTC_REG_A, 0x70);
    while ( !uip && secs < 60 && rdtsc() < end )
    {
        n++;
        if ( inb(0x71) & RTC_UIP )
            uip++;
        else if ( !(n & 63) )
        {
            s2 = cmos_read(RTC_SECONDS);
            if ( s2 != sec )
            {
                secs += (bcd(s2) + 60 - bcd(sec)) % 60;
                sec = s2;
            }
            outb(RTC_REG_A, 0x70);
        }
    }
    CHECK(uip > 0, "UIP never seen in %u reads over %u RTC seconds", n, secs);
    printk("UIP: seen after %u reads of REG_A, %u RTC seconds\n", n, secs);

    /* With SET, Xen clears UIP and reports none. */
    cmos_write(RTC_REG_B, RTC_24H | RTC_SET);
    end = rdtsc() + 1200 * tsc_per_ms;
    n = uip = 0;
    outb(RTC_REG_A, 0x70);
    while ( rdtsc() < end )
    {
        n++;
        if ( inb(0x71) & RTC_UIP )
            uip++;
    }
    cmos_write(RTC_REG_B, RTC_24H);
    CHECK(uip == 0, "UIP set in %u of %u reads with SET", uip, n);
}

static void enable_rtc_irq(void)
{
    volatile uint32_t *lapic = (volatile uint32_t *)0xfee00000;

    lapic[0xf0 / 4] = 0x1ff;
    lapic[0x350 / 4] = 0x700;           /* LINT0 ExtINT: virtual wire */
    /* ICW4 = 03: 8086 mode, AEOI. */
    outb(0x11, 0x20); outb(VEC_M, 0x21); outb(0x04, 0x21); outb(0x03, 0x21);
    outb(0x11, 0xa0); outb(VEC_S, 0xa1); outb(0x02, 0xa1); outb(0x03, 0xa1);
    outb(0xfb, 0x21);                   /* IR2 (cascade) only */
    outb(0xfe, 0xa1);                   /* IRQ8 only */
    irq_set_handler(VEC_S, rtc_irq);
}

/* One polled window of the periodic-flag check (see test_update_and_periodic). */
struct polled_window {
    unsigned int got, edges, reads, merged;
};

/*
 * Poll REG_C then the seconds register, PIE off, rate from @reg_a, counting
 * PF from the first change of the seconds register to the third (2 RTC
 * seconds).  merged: the period boundaries the host's stalls may have hidden,
 * floor(gap / period) summed over the gaps between two REG_C reads of the
 * window and over the two ends (from the read before an edge to the read
 * that saw it), each gap bounded from above by TSC reads around the port
 * reads.  Returns true when the window was seen (3 edges within 30 s).
 */
static bool polled_pf_window(uint8_t reg_a, unsigned int hz, struct polled_window *w)
{
    uint64_t end = rdtsc() + 30000 * tsc_per_ms, prev, t0, t1, t2;
    uint64_t period = udiv64(tsc_per_rtc_s, hz);
    uint8_t sec;

    w->got = w->edges = w->reads = w->merged = 0;
    if ( !period )
        period = 1;
    cmos_write(RTC_REG_B, RTC_24H);
    cmos_write(RTC_REG_A, reg_a);
    sec = cmos_read(RTC_SECONDS);
    (void)cmos_read(RTC_REG_C);
    prev = rdtsc();
    while ( w->edges < 3 && (t0 = rdtsc()) < end )
    {
        uint8_t c = cmos_read(RTC_REG_C), s2;

        t1 = rdtsc();
        s2 = cmos_read(RTC_SECONDS);
        t2 = rdtsc();
        if ( w->edges >= 1 )
        {
            w->reads++;
            if ( c & RTC_PF )
                w->got++;
            w->merged += udiv64(t1 - prev, period);
        }
        if ( s2 != sec )
        {
            sec = s2;
            w->edges++;
            if ( w->edges == 1 )
                w->merged += udiv64(t2 - prev, period);
            else if ( w->edges == 3 )
                w->merged += udiv64(t2 - t0, period);
        }
        prev = t0;
    }

    return w->edges == 3;
}

static void test_update_and_periodic(void)
{
    static const struct { uint8_t a; unsigned int hz; } rates[] = {
        { RTC_DIV_32K | 15, 2 },
        { RTC_DIV_32K | 13, 8 },
        /* Other dividers use the rate as is. */
        { 0x00 | 12, 16 },
        { RTC_DIV_32K | 10, 64 },
        /* With the 32 kHz divider, rates 1 and 2 alias 8 and 9 (rtc_timer_update). */
        { RTC_DIV_32K | 2, 128 },
    };
    unsigned int i, d, try;
    struct rtc_time t0, t1;
    bool ok;

    section = "update IRQ";
    /*
     * Up to 3 windows: one in which the host kept the vCPU off long enough
     * for update interrupts to merge (see the clock-advance check below) is
     * measured again.
     */
    for ( try = 0; try < 3; try++ )
    {
        read_time(&t0);
        (void)cmos_read(RTC_REG_C);
        reset_counts();
        cmos_write(RTC_REG_B, RTC_24H | RTC_UIE);
        ok = WAIT_UNTIL(n_uf >= 4, 20000);
        cmos_write(RTC_REG_B, RTC_24H);
        read_time(&t1);
        d = (secs_of_day(&t1) + 86400 - secs_of_day(&t0)) % 86400;
        if ( !ok || d <= 6 )
            break;
        printk("update IRQ: 4 interrupts over %u s, host stall: window %u retried\n", d, try + 1);
    }
    CHECK(ok, "%u update interrupts", n_uf);
    /*
     * Every interrupt had UF (and IRQF) set.  PF may ride along: the
     * datasheet sets PF at the periodic rate whatever PIE says, and Xen
     * does so on REG_C reads (check_for_pf_ticks()).
     */
    CHECK(n_uf == n_irq && n_af == 0 && n_noflag == 0,
          "update: irq %u uf %u af %u noflag %u", n_irq, n_uf, n_af, n_noflag);
    /*
     * The first UF may be stale (set before UIE, delivered at once), the
     * others are a second apart: the clock ran 3-4 s, and up to 2 s more if
     * a UF was lost (see wait_second_edge()) — not fewer.  More than 6 is a
     * host stall (merged update interrupts) in each of 3 windows.
     */
    CHECK(d >= 2 && d <= 6, "clock advanced %u s over 4 update interrupts, want 2-6", d);

    /*
     * Periodic rates, two ways, both timed by the RTC's seconds register.
     *
     * (1) Polled, PIE off: the datasheet sets PF at the periodic rate
     * whatever PIE says, and Xen does it on each REG_C read when a period
     * boundary has passed (check_for_pf_ticks()).  Reading REG_C faster
     * than the rate, the PF count over 2 RTC seconds is exactly
     * 2 x rate, +-1 for where the boundaries fall (the window is two edges
     * of the seconds register, see above).  No interrupt timing
     * in it: this is the rate-decoding check (dividers, 32 kHz aliasing).
     * The upper bound is exact: PF cannot be set more often than the
     * boundaries pass (+2: a read at each end of the window may report a
     * boundary just outside it, one flag each however long the read took).  The lower bound depends on how often the host lets
     * the vCPU read: one read reports at most one flag, so a read that comes
     * k periods after the previous one (the host's scheduler, nested TCG:
     * one poll round is 2 VM exits, and at 128 Hz 35 flags of 256 were seen
     * on a loaded host, with Xen's C as with the payload) hides up to k
     * boundaries.  Each gap is measured on the TSC and the hidden boundaries
     * are added back: got + merged + 1 >= 2 x rate is exact for any host
     * speed, and on a responsive host (merged small) still tells every rate
     * from its neighbours (a factor of 2 apart).  A window where stalls hid
     * more than a quarter of the boundaries is retried (up to 4 windows, the
     * one with the fewest merged asserted).  The TSC only sizes the gaps:
     * its rate is Xen's (CPUID 0x40000x03), and an over-estimated gap only
     * widens the lower bound by that poll.
     */
    for ( i = 0; i < ARRAY_SIZE(rates); i++ )
    {
        unsigned int want = 2 * rates[i].hz, try;
        struct polled_window w = { 0 };

        section = "periodic, polled";
        /*
         * Retry a window in which the host held the vCPU for more than a
         * quarter of the boundaries (too few reads to resolve the rate);
         * the best of 4 is asserted, on the exact bounds below.
         */
        for ( try = 0; try < 4; try++ )
        {
            struct polled_window t;

            if ( !polled_pf_window(rates[i].a, rates[i].hz, &t) )
            {
                w = t;
                break;
            }
            if ( try == 0 || t.merged < w.merged )
                w = t;
            if ( w.merged * 4 <= want )
                break;
        }
        printk("REG_A %02x polled: %u PF flags in 2 RTC seconds (want %u; %u reads, "
               "up to %u boundaries merged by stalls; %u tries)\n",
               rates[i].a, w.got, want, w.reads, w.merged, try + (try < 4));
        CHECK(w.edges == 3 && w.got <= want + 2 && w.got + w.merged + 1 >= want,
              "REG_A %02x: %u PF flags in 2 s (%u edges, %u merged), want %u-1-merged..%u+2",
              rates[i].a, w.got, w.edges, w.merged, want, want);
    }

    /*
     * (2) Interrupts, PIE on: IRQ8 per tick, counted over two RTC seconds
     * of the seconds register (once between update-ended interrupts, with
     * UIE on too: on an Intel host under TCG most of those never came with
     * PIE on, with Xen's own C as with the payload).  Measured under TCG: from 0.75x to 1.72x of the rate on
     * a loaded host, shadow and HAP alike, also with the window's length
     * taken from the seconds register.  A log of every interrupt's REG_C and
     * TSC (16 Hz) shows why: the vCPU gets no time for up to ~1.4 s, then
     * Xen's missed-tick accounting (vpt.c, libxl's default timer mode
     * no_delay_for_missed_ticks) delivers the whole backlog back to back
     * (35 PF interrupts within a few ms right after a UF), so ticks due
     * before a window are taken inside it, and ticks due inside it after
     * it (seen: 15 interrupts at 8 Hz in a window of 4 RTC seconds, load 6
     * on 2 host CPUs).  So this asserts the order of magnitude only:
     * [rate/4, 2 x rate + 3] per second — interrupts do arrive, at the
     * programmed rate within a factor the host's scheduling explains; the
     * exact rate is the polled check above.
     */
    for ( i = 0; i < ARRAY_SIZE(rates); i++ )
    {
        unsigned int got, want, secs;

        /*
         * 64 Hz and up: not asserted by interrupt under TCG (measured in
         * shadow mode on a loaded host: anywhere from 0 to 1.3x the rate);
         * the polled check covers the rate decoding.
         */
        if ( rates[i].hz > 16 )
            continue;
        section = "periodic, IRQ";
        secs = 2;
        want = secs * rates[i].hz;
        /*
         * The window: two RTC seconds, from one change of the seconds
         * register to the next but one, polled between interrupts.  Not
         * update-ended interrupts: with PIE on too, on some hosts under
         * TCG (seen on an Intel host, hvm_depriv=0 as =1, Xen's own C) most
         * of them never come, which is not what this checks.  A window out
         * of bounds is retried (up to 3): a host stall's backlog lands in
         * one window, a wrong rate is in all of them.
         */
        for ( try = 0; try < 3; try++ )
        {
            cmos_write(RTC_REG_A, rates[i].a);
            (void)cmos_read(RTC_REG_C);
            reset_counts();
            cmos_write(RTC_REG_B, RTC_24H | RTC_PIE);
            ok = rtc_seconds_window(2, &got, 30000);
            cmos_write(RTC_REG_B, RTC_24H);
            if ( !ok || (got * 4 >= want && got <= 2 * want + 3) )
                break;
            printk("REG_A %02x IRQ: %u periodic interrupts in %u RTC seconds, window %u retried\n",
                   rates[i].a, got, secs, try + 1);
        }
        if ( !ok )
        {
            CHECK(false, "REG_A %02x: the seconds register did not advance by 2", rates[i].a);
            continue;
        }
        printk("REG_A %02x IRQ: %u periodic interrupts in %u RTC seconds (want %u)\n",
               rates[i].a, got, secs, want);
        CHECK(got * 4 >= want && got <= 2 * want + 3,
              "REG_A %02x: %u periodic IRQs in %u RTC seconds, want %u/4..2x%u+3", rates[i].a, got, secs,
              want, want);
    }

    /* Rate 0 and the divider-reset settings produce no periodic interrupt. */
    section = "periodic off";
    {
    unsigned int got;
    bool ok;

    cmos_write(RTC_REG_A, RTC_DIV_32K | 0);
    (void)cmos_read(RTC_REG_C);
    reset_counts();
    cmos_write(RTC_REG_B, RTC_24H | RTC_PIE);
    ok = rtc_seconds_window(3, &got, 20000);
    cmos_write(RTC_REG_B, RTC_24H);
    CHECK(ok && got == 0, "rate 0: %u periodic interrupts over 3 RTC seconds (window %s)", got,
          ok ? "seen" : "not seen");
    cmos_write(RTC_REG_A, 0x70 | 10);
    (void)cmos_read(RTC_REG_C);
    reset_counts();
    cmos_write(RTC_REG_B, RTC_24H | RTC_PIE);
    ok = rtc_seconds_window(3, &got, 20000);
    cmos_write(RTC_REG_B, RTC_24H);
    CHECK(ok && got == 0, "divider 7 (reset): %u periodic interrupts over 3 RTC seconds (window %s)",
          got, ok ? "seen" : "not seen");
    }
    cmos_write(RTC_REG_A, RTC_DIV_32K | 6);
    (void)cmos_read(RTC_REG_C);
}

static void test_alarm(void)
{
    struct rtc_time t;
    uint8_t alarm;
    unsigned int try, late = 0;
    bool ok;

    section = "alarm";
    /*
     * The handler reads the seconds when it runs, which can be 2 s after
     * Xen raised the alarm: the vCPU gets no time for up to ~1.4 s under
     * nested TCG on a loaded host (see "periodic, IRQ"; measured: raised at
     * :22, handled at :24 with three QEMUs on two host CPUs).  Early is
     * never right; later than 2 s is retried (up to 3 alarms): a host stall
     * does not recur at the same place, an alarm that matches the wrong
     * second does.
     */
    for ( try = 0; try < 3; try++ )
    {
        read_time(&t);
        alarm = to_bcd((bcd(t.sec) + 3) % 60);
        cmos_write(RTC_SECONDS_ALARM, alarm);
        cmos_write(RTC_MINUTES_ALARM, 0xc0);    /* don't care */
        cmos_write(RTC_HOURS_ALARM, 0xc0);      /* don't care */
        (void)cmos_read(RTC_REG_C);
        reset_counts();
        cmos_write(RTC_REG_B, RTC_24H | RTC_AIE);
        ok = WAIT_UNTIL(n_af >= 1, 20000);
        cmos_write(RTC_REG_B, RTC_24H);
        if ( !ok )
            break;
        late = (bcd(sec_at_af) + 60 - bcd(alarm)) % 60;
        if ( late <= 2 || late >= 30 )
            break;
        printk("alarm at :%02x handled at :%02x, window %u retried\n", alarm, sec_at_af, try + 1);
    }
    CHECK(ok, "no alarm interrupt within 20 s (alarm at :%02x, now :%02x)", alarm, t.sec);
    if ( n_af )
        CHECK(late <= 2,
              "alarm at :%02x fired at :%02x (want :%02x to 2 s later)", alarm, sec_at_af, alarm);
    /* One interrupt, for the alarm (UF/PF may be set in REG_C without their enables). */
    CHECK(n_irq == 1 && n_af == 1, "alarm: %u interrupts, %u with AF", n_irq, n_af);

    /* Alarm fully specified (hour and minute too), 2 s ahead. */
    read_time(&t);
    if ( bcd(t.sec) < 55 )
    {
        cmos_write(RTC_HOURS_ALARM, t.hour);
        cmos_write(RTC_MINUTES_ALARM, t.min);
        cmos_write(RTC_SECONDS_ALARM, to_bcd(bcd(t.sec) + 2));
        (void)cmos_read(RTC_REG_C);
        reset_counts();
        cmos_write(RTC_REG_B, RTC_24H | RTC_AIE);
        CHECK(WAIT_UNTIL(n_af >= 1, 20000), "no alarm for %02x:%02x:%02x", t.hour, t.min,
              to_bcd(bcd(t.sec) + 2));
        cmos_write(RTC_REG_B, RTC_24H);
    }
}

void test_main(void)
{
    uint64_t t0 = rdtsc();

    udelay(10000);
    tsc_per_ms = udiv64_32(rdtsc() - t0, 10);
    calibrate_tsc();
    /*
     * The backstops use the faster of the two rates, so they last at least
     * as long as asked in RTC time too (under TCG the two differed by 2x to
     * 12x: 4.7, 6.8, 27 GHz from Xen for 2.3 GHz per RTC second).
     */
    if ( udiv64_32(tsc_per_rtc_s, 1000) > tsc_per_ms )
        tsc_per_ms = udiv64_32(tsc_per_rtc_s, 1000);
    printk("TSC: %u kHz from Xen, %u kHz per RTC second (backstop timeouts, and the polled\n"
           "periodic check's stall allowance)\n", (unsigned int)tsc_per_ms,
           (unsigned int)udiv64_32(tsc_per_rtc_s, 1000));

    test_time();
    test_registers();
    test_uip();
    enable_rtc_irq();
    test_update_and_periodic();
    test_alarm();

    printk("%u checks, %u failed\n", nr_checks, nr_fail);
    if ( !nr_fail )
        xtf_success(NULL);
}
