/*
 * The MC146818 RTC's registers, CMOS accesses and a consistent read of its
 * clock.  A guest that wants the index register left at some register
 * after every access (e.g. REG_C, so that its IRQ 8 handler needs a single
 * port read) defines CMOS_PARK_INDEX to it before including this.
 */
#ifndef RTC_REGS_H
#define RTC_REGS_H

#include <xtf.h>

#include "cpu.h"

#define RTC_SECONDS 0x00
#define RTC_SECONDS_ALARM 0x01
#define RTC_MINUTES 0x02
#define RTC_MINUTES_ALARM 0x03
#define RTC_HOURS 0x04
#define RTC_HOURS_ALARM 0x05
#define RTC_DAY_OF_WEEK 0x06
#define RTC_DAY_OF_MONTH 0x07
#define RTC_MONTH 0x08
#define RTC_YEAR 0x09
#define RTC_REG_A 0x0a
#define RTC_REG_B 0x0b
#define RTC_REG_C 0x0c
#define RTC_REG_D 0x0d

#define RTC_UIP 0x80
#define RTC_DIV_32K 0x20
#define RTC_SET 0x80
#define RTC_PIE 0x40
#define RTC_AIE 0x20
#define RTC_UIE 0x10
#define RTC_DM_BINARY 0x04
#define RTC_24H 0x02
#define RTC_IRQF 0x80
#define RTC_PF 0x40
#define RTC_AF 0x20
#define RTC_UF 0x10
#define RTC_VRT 0x80

struct rtc_time {
    uint8_t sec, min, hour, dow, mday, mon, year;
};

/* The index is write-only: index/data pairs run with interrupts off. */
static inline uint8_t cmos_read(uint8_t idx)
{
    unsigned long fl = read_flags();
    uint8_t v;

    cli();
    outb(idx, 0x70);
    v = inb(0x71);
#ifdef CMOS_PARK_INDEX
    outb(CMOS_PARK_INDEX, 0x70);
#endif
    write_flags(fl);
    return v;
}

static inline void cmos_write(uint8_t idx, uint8_t val)
{
    unsigned long fl = read_flags();

    cli();
    outb(idx, 0x70);
    outb(val, 0x71);
#ifdef CMOS_PARK_INDEX
    outb(CMOS_PARK_INDEX, 0x70);
#endif
    write_flags(fl);
}

static inline void read_time_once(struct rtc_time *t)
{
    t->sec = cmos_read(RTC_SECONDS);
    t->min = cmos_read(RTC_MINUTES);
    t->hour = cmos_read(RTC_HOURS);
    t->dow = cmos_read(RTC_DAY_OF_WEEK);
    t->mday = cmos_read(RTC_DAY_OF_MONTH);
    t->mon = cmos_read(RTC_MONTH);
    t->year = cmos_read(RTC_YEAR);
}

/*
 * Datasheet: read when UIP is clear; re-read until two reads agree.
 * Returns how many reads of REG_A found UIP set, in the longest run.
 */
static inline unsigned int read_time_uip(struct rtc_time *t)
{
    struct rtc_time a, b;
    unsigned int n, longest = 0;

    do {
        for ( n = 0; cmos_read(RTC_REG_A) & RTC_UIP; n++ )
            ;
        if ( n > longest )
            longest = n;
        read_time_once(&a);
        read_time_once(&b);
    } while ( memcmp(&a, &b, sizeof(a)) );
    *t = a;

    return longest;
}

static inline void read_time(struct rtc_time *t)
{
    read_time_uip(t);
}

#endif /* RTC_REGS_H */
