/*
 * The round-trip check of the deprivileged mode (depriv-echo, the bystander
 * of the containment tests, and depriv-roundtrip, its 10^6-call, timed
 * variant); the includer defines ROUNDS and, to time, DEPRIV_TIMING.
 * Calls into the ring-3 payload through the self-test port, each result
 * checked, every GPR the guest can pin checked unchanged around each call;
 * refused syscalls and a valid LOG must not crash anything; the counters
 * must account for it all.
 * With DEPRIV_LONG_MODE, half of the round trips run after the guest
 * enabled 4-level paging: under shadow paging Xen then builds the vCPU a
 * new monitor table, which must get the ring-3 mappings too (docs/design.md, 3.3 and
 * 6.7: every monitor table made).  (Not under HAP here: there a 32-bit
 * guest's EFER.LME write hangs QEMU's TCG, with or without hvm_depriv.)
 * All of it with hostile SYSCALL MSRs loaded, which must read back intact.
 */
#include "depriv-selftest.h"
#include "div64.h"

static uint32_t counter(unsigned int n)
{
    return depriv_io(DEPRIV_COUNTER, n);
}

#ifdef DEPRIV_LONG_MODE
/*
 * 4-level paging in IA-32e compatibility mode (this 32-bit code keeps
 * running; no interrupt or exception may arrive meanwhile, the IDT being
 * 32-bit), identity-mapping the first 1G with 2M pages.  Under shadow
 * paging this makes Xen build a new (4-level) monitor table for the vCPU.
 */
static uint64_t lm_pml4[512] __attribute__((aligned(4096)));
static uint64_t lm_pdpt[512] __attribute__((aligned(4096)));
static uint64_t lm_pd[512] __attribute__((aligned(4096)));

#ifndef MSR_EFER
#define MSR_EFER 0xc0000080
#endif
#ifndef EFER_LME
#define EFER_LME (1u << 8)
#endif

static void set_long_mode(bool on)
{
    unsigned long cr;
    uint32_t lo, hi;
    unsigned int i;

    asm volatile ("mov %%cr0, %0" : "=r" (cr));
    if ( !on )
        asm volatile ("mov %0, %%cr0" :: "r" (cr & ~0x80000000ul) : "memory");

    for ( i = 0; i < 512; i++ )
        lm_pd[i] = ((uint64_t)i << 21) | 0x83; /* P, RW, PS */
    lm_pdpt[0] = (uintptr_t)lm_pd | 3;
    lm_pml4[0] = (uintptr_t)lm_pdpt | 3;

    asm volatile ("rdmsr" : "=a" (lo), "=d" (hi) : "c" (MSR_EFER));
    lo = on ? lo | EFER_LME : lo & ~EFER_LME;
    asm volatile ("wrmsr" :: "a" (lo), "d" (hi), "c" (MSR_EFER));

    if ( on )
    {
        asm volatile ("mov %%cr4, %0" : "=r" (cr));
        asm volatile ("mov %0, %%cr4" :: "r" (cr | 0x20)); /* PAE */
        asm volatile ("mov %0, %%cr3" :: "r" (lm_pml4) : "memory");
        asm volatile ("mov %%cr0, %0" : "=r" (cr));
        asm volatile ("mov %0, %%cr0" :: "r" (cr | 0x80000000ul) : "memory");
    }
}
#endif

#ifdef DEPRIV_TIMING
/*
 * In-guest cost: the checked loop above (per iteration: an intercepted OUT
 * that Xen handles without a depriv call, latching the argument, and an IN
 * whose ECHO goes through ring 3) against ROUNDS of the plain OUT alone.
 * Under QEMU's TCG these are emulated-TSC ticks, dominated by the VM exits
 * themselves.
 */
static void depriv_timing(uint64_t loop_ticks)
{
    uint64_t t0, t1, plain, echo;
    uint32_t i;

    t0 = rdtsc();
    for ( i = 0; i < ROUNDS; i++ )
        outl(i, DEPRIV_PORT);
    t1 = rdtsc();

    plain = udiv64_32(t1 - t0, ROUNDS);
    echo = udiv64_32(loop_ticks, ROUNDS) - plain;
    printk("Cost over %u iterations: plain intercepted OUT %llu ticks, "
           "ECHO round trip (IN through ring 3) %llu ticks, ratio %llu.%02llu\n",
           ROUNDS, (unsigned long long)plain, (unsigned long long)echo,
           (unsigned long long)udiv64(echo, plain),
           (unsigned long long)umod64_32(udiv64(echo * 100, plain), 100));
}
#endif

void test_main(void)
{
    uint32_t x = 0x12345678, calls0, errors0, faults0, r;
    unsigned int i, bad = 0, tr;
    uint64_t loop_ticks = rdtsc();

    if ( !depriv_present() )
        return;

    depriv_set_hostile_msrs();
    tr = depriv_set_junk_tr();
    if ( !tr )
        xtf_failure("Fail: no room for a junk TSS in the GDT\n");
    calls0 = counter(DEPRIV_CNT_CALLS);
    errors0 = counter(DEPRIV_CNT_SYSCALL_ERRORS);
    faults0 = counter(DEPRIV_CNT_FAULTS);

    for ( i = 0; i < ROUNDS; i++ )
    {
#ifdef DEPRIV_LONG_MODE
        if ( i == ROUNDS / 2 )
        {
            uint32_t maps = counter(DEPRIV_CNT_MAPS), maps_lm;

            asm volatile ("cli");
            set_long_mode(true);
            maps_lm = counter(DEPRIV_CNT_MAPS);
            printk("4-level paging on: monitor tables mapped %u before, %u after\n",
                   maps, maps_lm);
        }
#endif

        uint32_t b = 0xb0b0b0b0 ^ i, c = 0xc0c0c0c0 ^ x, s = 0x5151515 + i,
            di = ~x, d = DEPRIV_PORT + DEPRIV_ECHO;
        const uint32_t b0 = b, c0 = c, s0 = s, di0 = di;

        x ^= x << 13; x ^= x >> 17; x ^= x << 5;
        outl(x, DEPRIV_PORT);
        asm volatile ("inl %%dx, %%eax"
                      : "=a" (r), "+b" (b), "+c" (c), "+S" (s), "+D" (di),
                        "+d" (d));
        if ( r != x + 1 || b != b0 || c != c0 || s != s0 || di != di0 ||
             d != DEPRIV_PORT + DEPRIV_ECHO )
        {
            if ( bad++ < 5 )
                xtf_failure("Fail: round %u: ECHO(%#x) = %#x, ebx %#x/%#x ecx %#x/%#x esi %#x/%#x edi %#x/%#x edx %#x\n",
                            i, x, r, b, b0, c, c0, s, s0, di, di0, d);
        }
    }
    loop_ticks = rdtsc() - loop_ticks;
#ifdef DEPRIV_LONG_MODE
    set_long_mode(false);
#endif
    printk("%u ECHO round trips, %u wrong\n", ROUNDS, bad);

    /* Refused syscalls: an error code back, counted, no crash. */
    r = depriv_io(DEPRIV_RUN, 9 /* BAD_SYSCALL */);
    if ( r != (uint32_t)-38 )
        xtf_failure("Fail: unknown syscall gave %#x, expected ENOSYS\n", r);
    r = depriv_io(DEPRIV_RUN, 10 /* BAD_POINTER */);
    if ( r != (uint32_t)-14 )
        xtf_failure("Fail: LOG outside the state page gave %#x, expected EFAULT\n", r);
    r = depriv_io(DEPRIV_RUN, 18 /* RM_OUTSIDE */);
    if ( r != (uint32_t)-38 )
        xtf_failure("Fail: a real-mode op outside real-mode emulation gave %#x, expected ENOSYS\n", r);
    r = depriv_io(DEPRIV_RUN, 13 /* LOG */);
    if ( r != 0 )
        xtf_failure("Fail: a valid LOG gave %#x\n", r);

    if ( depriv_check_hostile_msrs() == 0 )
        printk("Hostile SYSCALL MSRs read back unchanged after all calls\n");
    if ( depriv_str() != tr )
        xtf_failure("Fail: TR reads %#x, the guest loaded %#x\n", depriv_str(), tr);
    else
        printk("Junk TR %#x still loaded after all calls\n", tr);

    r = counter(DEPRIV_CNT_CALLS) - calls0;
    if ( r < ROUNDS + 4 )
        xtf_failure("Fail: %u depriv calls counted, expected >= %u\n",
                    r, ROUNDS + 4);
    r = counter(DEPRIV_CNT_SYSCALL_ERRORS) - errors0;
    if ( r != 3 )
        xtf_failure("Fail: %u refused syscalls counted, expected 3\n", r);
    r = counter(DEPRIV_CNT_FAULTS) - faults0;
    if ( r != 0 )
        xtf_failure("Fail: %u faults counted, expected 0\n", r);
    r = counter(DEPRIV_CNT_WATCHDOG);
    if ( r != 0 )
        xtf_failure("Fail: %u watchdog aborts counted, expected 0\n", r);

#ifdef DEPRIV_TIMING
    depriv_timing(loop_ticks);
#endif

    xtf_success(NULL);
}
