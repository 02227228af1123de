/*
 * The hvm_depriv self-test port (Xen booted with hvm_depriv=selftest):
 *   OUT dword 0xde00   latch an argument
 *   IN  dword 0xde04   REQ_ECHO(argument): the payload returns argument + 1
 *   IN  dword 0xde08   REQ_SELFTEST(argument): run a misbehaviour scenario
 *   IN  dword 0xde0c   this vCPU's depriv counter number <argument>
 * Scenario and counter numbers: depriv-rs/abi/include/hvm-depriv-abi.h.
 */
#ifndef DEPRIV_SELFTEST_H
#define DEPRIV_SELFTEST_H

#include <xtf.h>

#include "cpu.h"

#define DEPRIV_PORT         0xde00
#define DEPRIV_ECHO         0x4
#define DEPRIV_RUN          0x8
#define DEPRIV_COUNTER      0xc

#define DEPRIV_CNT_CALLS          0
#define DEPRIV_CNT_SYSCALLS       1
#define DEPRIV_CNT_SYSCALL_ERRORS 2
#define DEPRIV_CNT_FAULTS         3
#define DEPRIV_CNT_WATCHDOG       4
#define DEPRIV_CNT_ABORTS         5
#define DEPRIV_CNT_MAPS           6 /* monitor tables given the mappings */

/*
 * Hostile SYSCALL state (the first hazard of the SVM design): on SVM the CPU still
 * holds these guest values when Xen handles an exit.  Were a depriv call
 * to run with them, the payload's SYSCALL would enter ring 0 at a
 * guest-chosen address.  Set before every depriv path; they must read back
 * unchanged afterwards.
 */
#define MSR_STAR            0xc0000081
#define MSR_LSTAR           0xc0000082
#define MSR_CSTAR           0xc0000083
#define MSR_SFMASK          0xc0000084
#define MSR_KERNEL_GS_BASE  0xc0000102

static const struct { uint32_t msr; uint64_t val; } depriv_hostile[] = {
    { MSR_STAR,           0x0013000800000000ull }, /* junk selectors */
    { MSR_LSTAR,          0xffff82d040000000ull }, /* Xen's text */
    { MSR_CSTAR,          0x0000000000001000ull },
    { MSR_SFMASK,         0 },                     /* keep IF, TF, AC */
    { MSR_KERNEL_GS_BASE, 0xffff82d040200000ull },
};

static inline void depriv_wrmsr(uint32_t msr, uint64_t val)
{
    asm volatile ("wrmsr" :: "c" (msr), "a" ((uint32_t)val),
                  "d" ((uint32_t)(val >> 32)));
}

static inline uint64_t depriv_rdmsr(uint32_t msr)
{
    uint32_t lo, hi;

    asm volatile ("rdmsr" : "=a" (lo), "=d" (hi) : "c" (msr));
    return ((uint64_t)hi << 32) | lo;
}

static inline void depriv_set_hostile_msrs(void)
{
    unsigned int i;

    for ( i = 0; i < ARRAY_SIZE(depriv_hostile); i++ )
        depriv_wrmsr(depriv_hostile[i].msr, depriv_hostile[i].val);
}

/* Returns the number of MSRs that did not read back (each reported). */
static inline unsigned int depriv_check_hostile_msrs(void)
{
    unsigned int i, bad = 0;

    for ( i = 0; i < ARRAY_SIZE(depriv_hostile); i++ )
    {
        uint64_t v = depriv_rdmsr(depriv_hostile[i].msr);

        if ( v != depriv_hostile[i].val )
        {
            xtf_failure("Fail: MSR %#x reads %#llx, the guest wrote %#llx\n",
                        depriv_hostile[i].msr, (unsigned long long)v,
                        (unsigned long long)depriv_hostile[i].val);
            bad++;
        }
    }
    return bad;
}

/*
 * A junk task register too: on SVM the guest's TR also stays loaded after
 * #VMEXIT, and an interrupt or exception taken at ring 3 would switch to
 * the rsp0 of whatever TSS TR names.  This one is all 0xa5.  The GDT is
 * copied with one more entry, a 32-bit available TSS descriptor, and TR
 * loaded from it; nothing in these guests needs a real TSS.
 */
static uint64_t depriv_gdt[16] __attribute__((aligned(16)));
static uint8_t depriv_junk_tss[0x68] __attribute__((aligned(16)));

static inline unsigned int depriv_set_junk_tr(void)
{
    struct __attribute__((packed)) { uint16_t limit; uint32_t base; } g;
    unsigned int n, sel;
    uint32_t base = (uintptr_t)depriv_junk_tss, limit = sizeof(depriv_junk_tss) - 1;

    asm volatile ("sgdt %0" : "=m" (g));
    n = (g.limit + 1u) / 8;
    if ( n >= ARRAY_SIZE(depriv_gdt) )
        return 0;
    memset(depriv_junk_tss, 0xa5, sizeof(depriv_junk_tss));
    memcpy(depriv_gdt, (const void *)(uintptr_t)g.base, n * 8);
    depriv_gdt[n] = (limit & 0xffff) | ((uint64_t)(base & 0xffffff) << 16) |
                    (0x89ull << 40) | ((uint64_t)((limit >> 16) & 0xf) << 48) |
                    ((uint64_t)(base >> 24) << 56);
    g.limit = (n + 1) * 8 - 1;
    g.base = (uintptr_t)depriv_gdt;
    sel = n * 8;
    asm volatile ("lgdt %0; ltr %w1" :: "m" (g), "r" (sel) : "memory");
    return sel;
}

static inline unsigned int depriv_str(void)
{
    uint16_t sel;

    asm volatile ("str %0" : "=r" (sel));
    return sel;
}

static inline uint32_t depriv_io(unsigned int reg, uint32_t arg)
{
    outl(arg, DEPRIV_PORT);
    return inl(DEPRIV_PORT + reg);
}

/* Skip (not fail) when Xen was not booted with hvm_depriv=selftest. */
static inline bool depriv_present(void)
{
    uint32_t r = depriv_io(DEPRIV_ECHO, 41);

    if ( r == 42 )
        return true;
    if ( r == ~0u )
        xtf_skip("Skip: no hvm_depriv self-test port (boot Xen with hvm_depriv=selftest)\n");
    else
        xtf_failure("Fail: ECHO(41) returned %#x, expected 42\n", r);
    return false;
}

#ifdef DEPRIV_SCENARIO
/*
 * A victim: run one misbehaviour scenario in the payload.  Xen must contain
 * it and crash this domain; coming back at all is a failure.
 */
const char test_title[] = "hvm_depriv containment: " DEPRIV_SCENARIO_NAME;

void test_main(void)
{
    uint32_t r;

    if ( !depriv_present() )
        return;

    depriv_set_hostile_msrs();
    printk("Scenario %u (%s), hostile SYSCALL MSRs and junk TR %#x set: Xen must crash this domain now\n",
           DEPRIV_SCENARIO, DEPRIV_SCENARIO_NAME, depriv_set_junk_tr());
    r = depriv_io(DEPRIV_RUN, DEPRIV_SCENARIO);
#ifdef DEPRIV_SCENARIO_THEN
    /* The scenario armed something: the next emulated access trips on it. */
    if ( r == 0 )
        DEPRIV_SCENARIO_THEN;
#endif
    xtf_failure("Fail: scenario %u came back with %#x: domain not crashed\n",
                DEPRIV_SCENARIO, r);
}
#endif

#endif /* DEPRIV_SELFTEST_H */
