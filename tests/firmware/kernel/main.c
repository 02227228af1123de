/*
 * The firmware test kernel: what a standard HVM guest's OS finds after
 * hvmloader, SeaBIOS and GRUB, checked from inside the guest.
 *
 * Prints its lines on port 0xe9 (Xen logs them as "(dN) ...").  Checks:
 *   - it was loaded by a Multiboot loader, with the memory sizes and the
 *     boot device (the first hard disk) filled in;
 *   - hvmloader's ACPI tables are there (RSDP and FADT checksums), and
 *     the FADT names the PM1a control port (used to power off at the end);
 *   - the RTC (MC146818: Xen's vRTC) reads a sane date and time, BCD or
 *     binary as status register B says, a plausible year, and its seconds
 *     advance across about 2 s of PIT time;
 *   - timer interrupts arrive through the 8259 PIC pair (programmed here:
 *     vectors 0x20/0x28, the PIT at 100 Hz on IRQ 0, the RTC's periodic
 *     interrupt at 64 Hz on IRQ 8 through the slave), each on its own
 *     vector, and nothing stays in service after the EOIs;
 *   - no exception.
 * Then "Test result: SUCCESS|FAILURE" (what the harness reads) and, last,
 * "FIRMWARE-TEST RESULT: PASS|FAIL digest=<hex>": the digest covers only
 * deterministic facts (what the firmware set up, what the PICs read back,
 * the RTC's mode, which checks passed), so that runs with the
 * deprivileged mode off and on can be compared; counts and times are
 * printed but not digested.  Then it powers off through ACPI (SLP_TYP 0 =
 * S5 in hvmloader's DSDT, handled by the device model).
 */
#include <stdarg.h>
#include <stdint.h>

struct frame {
    uint32_t edi, esi, ebp, esp, ebx, edx, ecx, eax;
    uint32_t vec, err, eip, cs, eflags;
};

static inline void outb(uint16_t port, uint8_t v)
{
    asm volatile ( "outb %0, %1" :: "a" (v), "Nd" (port) );
}
static inline void outw(uint16_t port, uint16_t v)
{
    asm volatile ( "outw %0, %1" :: "a" (v), "Nd" (port) );
}
static inline uint8_t inb(uint16_t port)
{
    uint8_t v;

    asm volatile ( "inb %1, %0" : "=a" (v) : "Nd" (port) );
    return v;
}

/* ---- output: port 0xe9, one line at a time */

static void putc_e9(char c)
{
    outb(0xe9, c);
}

static void puts_e9(const char *s)
{
    while ( *s )
        putc_e9(*s++);
}

static void put_num(uint32_t v, unsigned int base, int width)
{
    char buf[12];
    int n = 0;

    do {
        buf[n++] = "0123456789abcdef"[v % base];
        v /= base;
    } while ( v );
    while ( n < width )
        buf[n++] = '0';
    while ( n )
        putc_e9(buf[--n]);
}

/* printk: %s %u %x %02x-style zero-padded widths, %c. */
static void printk(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    puts_e9("fw-test: ");
    for ( ; *fmt; fmt++ )
    {
        int width = 0;

        if ( *fmt != '%' )
        {
            putc_e9(*fmt);
            continue;
        }
        fmt++;
        while ( *fmt >= '0' && *fmt <= '9' )
            width = width * 10 + (*fmt++ - '0');
        switch ( *fmt )
        {
        case 's': puts_e9(va_arg(ap, const char *)); break;
        case 'u': put_num(va_arg(ap, uint32_t), 10, width); break;
        case 'x': put_num(va_arg(ap, uint32_t), 16, width); break;
        case 'c': putc_e9(va_arg(ap, int)); break;
        default: putc_e9('?'); break;
        }
    }
    va_end(ap);
}

/* ---- the verdict: checks and the digest of deterministic facts */

static unsigned int passed, failed;
static uint32_t digest = 0x811c9dc5;   /* FNV-1a, 32-bit */

static void fact(uint32_t v)
{
    for ( int i = 0; i < 4; i++ )
    {
        digest ^= (v >> (8 * i)) & 0xff;
        digest *= 0x01000193;
    }
}

static void check(int good, const char *what)
{
    printk("%s %s\n", good ? "ok  " : "FAIL", what);
    if ( good )
        passed++;
    else
        failed++;
    fact(good);
}

/* ---- interrupts */

static volatile uint32_t pit_ticks, rtc_ticks, spurious, other_irq;
static volatile uint32_t exceptions;

#define PIC1 0x20
#define PIC2 0xa0
#define VEC_PIC1 0x20
#define VEC_PIC2 0x28

static uint8_t cmos_read(uint8_t idx)
{
    outb(0x70, idx);
    return inb(0x71);
}

static void cmos_write(uint8_t idx, uint8_t v)
{
    outb(0x70, idx);
    outb(0x71, v);
}

void isr(struct frame *f);
void isr(struct frame *f)
{
    if ( f->vec < 0x20 )
    {
        exceptions++;
        printk("FAIL exception %u err %x at %x:%x eflags %x\n", f->vec, f->err, f->cs, f->eip,
               f->eflags);
        printk("FIRMWARE-TEST RESULT: FAIL digest=00000000\n");
        for ( ;; )
            asm volatile ( "cli; hlt" );
    }
    if ( f->vec == VEC_PIC1 )
    {
        pit_ticks++;
        outb(PIC1, 0x20);
    }
    else if ( f->vec == VEC_PIC2 )
    {
        /* Reading register C acknowledges the RTC's interrupt. */
        if ( cmos_read(0x0c) & 0x40 )
            rtc_ticks++;
        outb(PIC2, 0x20);
        outb(PIC1, 0x20);
    }
    else if ( f->vec == VEC_PIC1 + 7 || f->vec == VEC_PIC2 + 7 || f->vec == 0xff )
    {
        /* A spurious 8259 or local APIC interrupt: no EOI (but the
         * master's for a spurious slave one). */
        spurious++;
        if ( f->vec == VEC_PIC2 + 7 )
            outb(PIC1, 0x20);
    }
    else
    {
        other_irq++;
        if ( f->vec >= VEC_PIC2 && f->vec < VEC_PIC2 + 8 )
            outb(PIC2, 0x20);
        if ( f->vec >= VEC_PIC1 && f->vec < VEC_PIC2 + 8 )
            outb(PIC1, 0x20);
    }
}

/* The 8259 pair: vectors 0x20/0x28, edge triggered, cascade on IRQ 2. */
static void pic_init(void)
{
    outb(PIC1, 0x11);
    outb(PIC2, 0x11);
    outb(PIC1 + 1, VEC_PIC1);
    outb(PIC2 + 1, VEC_PIC2);
    outb(PIC1 + 1, 0x04);
    outb(PIC2 + 1, 0x02);
    outb(PIC1 + 1, 0x01);
    outb(PIC2 + 1, 0x01);
    outb(PIC1 + 1, 0xff);
    outb(PIC2 + 1, 0xff);
}

static uint8_t pic_isr(uint16_t base)
{
    outb(base, 0x0b);
    return inb(base);
}

/*
 * The local APIC in virtual wire mode (LINT0 ExtINT, LINT1 NMI): what the
 * BIOS leaves, set again here so that the 8259's INTR reaches the CPU
 * whatever the firmware did.
 */
static void lapic_virtual_wire(void)
{
    uint32_t lo, hi;
    volatile uint32_t *lapic;

    asm volatile ( "rdmsr" : "=a" (lo), "=d" (hi) : "c" (0x1b) );
    if ( !(lo & (1u << 11)) )
        return;
    lapic = (volatile uint32_t *)(lo & 0xfffff000u);
    lapic[0xf0 / 4] = 0x100 | 0xff;
    lapic[0x350 / 4] = 0x700;
    lapic[0x360 / 4] = 0x400;
}

/* ---- RTC */

struct rtc_time {
    unsigned int sec, min, hour, day, mon, year;
};

static unsigned int bcd(uint8_t v)
{
    return (v >> 4) * 10 + (v & 0xf);
}

static int bcd_ok(uint8_t v)
{
    return (v & 0xf) < 10 && (v >> 4) < 10;
}

/* One consistent reading (no update in progress, two equal reads);
 * returns 0 if the registers are not valid in the mode of register B. */
static int rtc_read(struct rtc_time *t, uint8_t regb)
{
    uint8_t r[2][6];
    static const uint8_t idx[6] = { 0x00, 0x02, 0x04, 0x07, 0x08, 0x09 };
    int n = 0, ok = 1;

    for ( ;; )
    {
        unsigned int spins = 0;

        while ( (cmos_read(0x0a) & 0x80) && ++spins < 10000000 )
            ;
        for ( int i = 0; i < 6; i++ )
            r[n & 1][i] = cmos_read(idx[i]);
        if ( n++ && !__builtin_memcmp(r[0], r[1], 6) )
            break;
    }
    if ( !(regb & 0x04) )
    {
        for ( int i = 0; i < 6; i++ )
            ok &= bcd_ok(i == 2 ? r[0][i] & 0x7f : r[0][i]);
        t->sec = bcd(r[0][0]);
        t->min = bcd(r[0][1]);
        t->hour = bcd(r[0][2] & 0x7f);
        t->day = bcd(r[0][3]);
        t->mon = bcd(r[0][4]);
        t->year = bcd(r[0][5]);
    }
    else
    {
        t->sec = r[0][0];
        t->min = r[0][1];
        t->hour = r[0][2] & 0x7f;
        t->day = r[0][3];
        t->mon = r[0][4];
        t->year = r[0][5];
    }
    /* 12-hour mode: bit 7 of the hour is PM. */
    if ( !(regb & 0x02) )
        t->hour = (t->hour % 12) + ((r[0][2] & 0x80) ? 12 : 0);
    return ok;
}

static int rtc_sane(const struct rtc_time *t)
{
    /* Two-digit year: 2020-2099 (the host's clock, through Xen). */
    return t->sec < 60 && t->min < 60 && t->hour < 24 && t->day >= 1 && t->day <= 31 &&
           t->mon >= 1 && t->mon <= 12 && t->year >= 20 && t->year <= 99;
}

static unsigned int sec_of_day(const struct rtc_time *t)
{
    return (t->hour * 60 + t->min) * 60 + t->sec;
}

/* ---- ACPI: the RSDP in the BIOS area, the FADT's PM1a control port */

static int sum8(const uint8_t *p, unsigned int len)
{
    uint8_t s = 0;

    while ( len-- )
        s += *p++;
    return s;
}

static uint16_t acpi_pm1a_cnt(int *rsdp_ok, int *fadt_ok)
{
    const uint8_t *rsdp = 0;
    const uint32_t *rsdt;

    *rsdp_ok = *fadt_ok = 0;
    for ( uintptr_t a = 0xe0000; a < 0x100000; a += 16 )
        if ( !__builtin_memcmp((const void *)a, "RSD PTR ", 8) && !sum8((const void *)a, 20) )
        {
            rsdp = (const uint8_t *)a;
            break;
        }
    if ( !rsdp )
        return 0;
    *rsdp_ok = 1;
    rsdt = (const uint32_t *)*(const uint32_t *)(rsdp + 16);
    if ( __builtin_memcmp(rsdt, "RSDT", 4) || sum8((const void *)rsdt, rsdt[1]) )
        return 0;
    for ( unsigned int i = 0; i < (rsdt[1] - 36) / 4; i++ )
    {
        const uint8_t *t = (const uint8_t *)rsdt[9 + i];

        if ( !__builtin_memcmp(t, "FACP", 4) && !sum8(t, *(const uint32_t *)(t + 4)) )
        {
            *fadt_ok = 1;
            return *(const uint32_t *)(t + 64);
        }
    }
    return 0;
}

/* ---- the test */

struct mbi {
    uint32_t flags, mem_lower, mem_upper, boot_device;
};

void kmain(uint32_t magic, const struct mbi *mbi);
void kmain(uint32_t magic, const struct mbi *mbi)
{
    struct rtc_time t0, t1;
    uint8_t rega, regb, imr1, imr2, elcr1, elcr2;
    uint32_t cmos_sum = 0;
    int rsdp_ok, fadt_ok, good;
    uint16_t pm1a;
    unsigned int d, spins;

    printk("started (multiboot magic %x)\n", magic);

    /* The loader. */
    good = magic == 0x2badb002 && (mbi->flags & 3) == 3;
    printk("multiboot flags %x mem_lower %u KiB mem_upper %u KiB boot_device %x\n",
           mbi->flags, mbi->mem_lower, mbi->mem_upper, mbi->boot_device);
    check(good && mbi->mem_lower >= 500 && mbi->mem_lower <= 640 && mbi->mem_upper >= 8192,
          "multiboot: loaded by GRUB, memory sizes plausible");
    check(good && (mbi->flags & 2) && (mbi->boot_device >> 24) == 0x80,
          "multiboot: booted from the first hard disk");
    fact(mbi->flags & 3);
    fact(mbi->mem_lower);
    fact(mbi->mem_upper);
    fact(mbi->boot_device);

    /* The firmware's tables and settings. */
    pm1a = acpi_pm1a_cnt(&rsdp_ok, &fadt_ok);
    printk("acpi: rsdp %s, fadt %s, pm1a_cnt %x\n", rsdp_ok ? "ok" : "missing",
           fadt_ok ? "ok" : "missing", pm1a);
    check(rsdp_ok && fadt_ok && pm1a, "acpi: RSDP, RSDT and FADT valid, PM1a control port named");
    fact(pm1a);
    elcr1 = inb(0x4d0);
    elcr2 = inb(0x4d1);
    printk("elcr %02x %02x (as the firmware left it)\n", elcr1, elcr2);
    fact(elcr1 | (elcr2 << 8));
    /* CMOS bytes the device model keeps (0x10-0x31: drives, memory sizes;
     * not the time, not the century at 0x32). */
    for ( uint8_t i = 0x10; i < 0x32; i++ )
        cmos_sum = cmos_sum * 31 + cmos_read(i);
    printk("cmos 0x10-0x31 hash %x\n", cmos_sum);
    fact(cmos_sum);

    /* The RTC as the firmware left it. */
    rega = cmos_read(0x0a);
    regb = cmos_read(0x0b);
    printk("rtc: register A %02x, B %02x (%s, %s)\n", rega, regb,
           regb & 0x04 ? "binary" : "BCD", regb & 0x02 ? "24h" : "12h");
    fact(rega & 0x7f);
    fact(regb & 0x06);
    good = rtc_read(&t0, regb);
    printk("rtc: 20%02u-%02u-%02u %02u:%02u:%02u\n", t0.year, t0.mon, t0.day, t0.hour, t0.min,
           t0.sec);
    check(good && rtc_sane(&t0), "rtc: date and time valid in the mode of register B, year 2020-2099");

    /* The interrupt controllers and the timers. */
    lapic_virtual_wire();
    pic_init();
    /* PIT channel 0: mode 2, 1193182 / 11932 = 100 Hz. */
    outb(0x43, 0x34);
    outb(0x40, 11932 & 0xff);
    outb(0x40, 11932 >> 8);
    /* RTC: 32.768 kHz time base, rate 10 = 64 Hz periodic interrupt. */
    cmos_write(0x0a, 0x2a);
    cmos_write(0x0b, regb | 0x40);
    (void)cmos_read(0x0c);
    outb(PIC1 + 1, 0xfa);   /* IRQ 0 and the cascade */
    outb(PIC2 + 1, 0xfe);   /* IRQ 8 */
    imr1 = inb(PIC1 + 1);
    imr2 = inb(PIC2 + 1);
    check(imr1 == 0xfa && imr2 == 0xfe, "pic: interrupt masks read back as written");
    fact(imr1 | (imr2 << 8));

    printk("waiting for 200 PIT ticks (2 s) with interrupts on\n");
    asm volatile ( "sti" );
    while ( pit_ticks < 200 )
        asm volatile ( "hlt" );
    asm volatile ( "cli" );
    printk("pit ticks %u, rtc periodic interrupts %u, spurious %u, other %u\n", pit_ticks,
           rtc_ticks, spurious, other_irq);
    check(pit_ticks >= 200, "pit: IRQ 0 through the master 8259 on vector 0x20");
    /* 64 Hz for the 2 s: anything over a few proves the path. */
    check(rtc_ticks >= 10, "rtc: periodic IRQ 8 through the slave 8259 on vector 0x28");
    check(other_irq == 0, "pic: no interrupt on a vector not programmed");

    /* The RTC's seconds advanced across the 2 s of PIT time (the PIT's
     * time runs no faster than the host's, which the RTC follows). */
    good = rtc_read(&t1, regb);
    d = (sec_of_day(&t1) + 86400 - sec_of_day(&t0)) % 86400;
    printk("rtc: 20%02u-%02u-%02u %02u:%02u:%02u, %u s later\n", t1.year, t1.mon, t1.day, t1.hour,
           t1.min, t1.sec, d);
    check(good && rtc_sane(&t1) && d >= 1 && d < 3600, "rtc: seconds advance (1 s - 1 h over 2 s)");

    /* Quiesce: the timers off, every interrupt masked, nothing in service. */
    cmos_write(0x0b, regb);
    (void)cmos_read(0x0c);
    outb(0x43, 0x30);       /* channel 0: mode 0, count never loaded */
    outb(PIC1 + 1, 0xff);
    outb(PIC2 + 1, 0xff);
    spins = 0;
    while ( ++spins < 1000 )
        asm volatile ( "pause" );
    check(pic_isr(PIC1) == 0 && pic_isr(PIC2) == 0, "pic: nothing in service after the EOIs");
    check(exceptions == 0, "no exception");

    printk("%u passed, %u failed\n", passed, failed);
    fact(passed);
    fact(failed);
    printk("Test result: %s\n", failed ? "FAILURE" : "SUCCESS");
    puts_e9("FIRMWARE-TEST RESULT: ");
    puts_e9(failed ? "FAIL" : "PASS");
    puts_e9(" digest=");
    put_num(digest, 16, 8);
    putc_e9('\n');

    /* Power off: SLP_TYP 0 (S5 in hvmloader's DSDT) | SLP_EN. */
    if ( pm1a )
        outw(pm1a, 0x2000);
    printk("power off through ACPI did not happen\n");
}
