/*
 * CPU helpers the hvm-depriv guests use beyond XTF's API: TSC, interrupt
 * flag, halting, and a TSC-based delay.  Header-only but for the delay
 * (delay.c); everything here builds against upstream XTF's <xtf.h> and
 * against the project's own runtime (tests/xtf/runtime) alike.
 */
#ifndef DEPRIV_LIB_CPU_H
#define DEPRIV_LIB_CPU_H

#include <xtf.h>

static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;

    asm volatile ("rdtsc" : "=a" (lo), "=d" (hi));
    return ((uint64_t)hi << 32) | lo;
}

static inline void cli(void) { asm volatile ("cli" ::: "memory"); }
static inline void sti(void) { asm volatile ("sti" ::: "memory"); }
static inline void hlt(void) { asm volatile ("hlt" ::: "memory"); }

/* sti; hlt: wait for one interrupt with no window for it to be missed. */
static inline void sti_hlt(void) { asm volatile ("sti; hlt" ::: "memory"); }

/* Let pending interrupts in for one instruction boundary, then mask again. */
static inline void irq_window(void)
{
    asm volatile ("sti; nop; nop; cli" ::: "memory");
}

/*
 * Busy-wait on the TSC, at the rate Xen reports in its CPUID leaf
 * 0x40000x03 (guest TSC kHz).  A host that does not run the vCPU makes the
 * wait longer, never shorter.
 */
void udelay(unsigned int usecs);
void mdelay(unsigned int msecs);

/* TSC kHz from Xen's CPUID leaves (0 when not under Xen). */
unsigned int xen_tsc_khz(void);

#endif /* DEPRIV_LIB_CPU_H */
