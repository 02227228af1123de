/*
 * rm-vm-event: real-mode CR0 writes against a vm_event ring nobody drains.
 *
 * Run with dom0's vm-event-hog on this guest (run-xen.py --monitor: the
 * monitor ring reports every CR0 write that changes CR0, asynchronously,
 * and is never consumed), hvm_fep=1 and at least 10 vCPUs.  The BSP starts
 * the APs (INIT-SIPI-SIPI) in real mode, where each toggles CR0.TS once
 * through forced emulation: with hvm_depriv=1 that write is emulated by the
 * payload, and Xen's CR0 write (hvm_set_cr0() -> the monitor) runs in a
 * SYS_RM_WRITE_CR syscall inside the depriv call.
 *
 * The ring has 8 slots.  An AP whose event goes in is paused by Xen (fewer
 * free slots than vCPUs; the next event put while the ring still has room
 * unpauses it); from the 9th AP on the ring is full, and the guest's own
 * vCPU waits for a slot (vm_event_claim_slot()): it must not do so inside
 * the depriv call (a debug Xen asserts; a release one would sleep holding
 * the call's per-CPU state), but after it, then retry the instruction.
 * Either way those APs never finish their write.  The BSP, in protected
 * mode and making no CR0 write, checks that at least 9 APs started and at
 * most 8 finished, and passes: Xen must still be up, and the domain's
 * destruction must release the waiting vCPUs.
 */
#include <xtf.h>

#include "../lib/cpu.h"
#include "../lib/realmode.h"

const char test_title[] = "Real-mode CR0 writes against a full vm_event ring";

bool test_needs_fep = true;

/* 8 events fill the ring: the 9th AP must find it full. */
#define RING_SLOTS 8
#define MIN_APS (RING_SLOTS + 1)

extern char ap_entry[];
extern volatile uint16_t ap_started, ap_done;

/*
 * An AP starts at CS = page << 8, IP = 0, in real mode: DS = 0 reaches
 * the counters (the image's real-mode part is in the first 64K).
 */
asm (".pushsection .text.real, \"ax\", @progbits\n"
     ".code16\n"
     ".balign 4096\n"
     ".global ap_entry\n"
     "ap_entry:\n"
     "    cli\n"
     "    xor %ax, %ax\n"
     "    mov %ax, %ds\n"
     "    lock incw ap_started\n"
     "    mov %cr0, %eax\n"
     "    xor $8, %eax\n"                /* CR0.TS: the write changes CR0 */
     "    " _ASM_XEN_FEP " mov %eax, %cr0\n"
     "    lock incw ap_done\n"
     "1:  hlt\n"
     "    jmp 1b\n"
     ".code32\n"
     ".popsection\n"
     /* In .text.real: .data.real may land beyond the first 64K. */
     ".pushsection .text.real, \"ax\", @progbits\n"
     ".balign 4\n"
     ".global ap_started, ap_done\n"
     "ap_started: .word 0\n"
     "ap_done: .word 0\n"
     ".popsection\n");

#define APIC_BASE   0xfee00000UL
#define APIC_SVR    0xf0
#define APIC_ICR    0x300
#define APIC_ICR2   0x310
#define ICR_ALL_BUT_SELF (3u << 18)
#define ICR_ASSERT  (1u << 14)
#define ICR_INIT    (5u << 8)
#define ICR_SIPI    (6u << 8)

static uint32_t lapic_read(unsigned int reg)
{
    return *(volatile uint32_t *)(APIC_BASE + reg);
}

static void lapic_write(unsigned int reg, uint32_t val)
{
    *(volatile uint32_t *)(APIC_BASE + reg) = val;
}

static void ipi_all_but_self(uint32_t icr)
{
    lapic_write(APIC_ICR2, 0);
    lapic_write(APIC_ICR, ICR_ALL_BUT_SELF | ICR_ASSERT | icr);
}

void test_main(void)
{
    unsigned long page = (unsigned long)ap_entry >> 12;
    unsigned int started, done, last, stable, ms;

    if ( (unsigned long)ap_entry & 0xfff || page > 0xff )
    {
        xtf_error("Error: AP entry %p not a page below 1M\n", ap_entry);
        return;
    }

    lapic_write(APIC_SVR, lapic_read(APIC_SVR) | 0x100); /* software enable */
    ipi_all_but_self(ICR_INIT);
    mdelay(10);
    ipi_all_but_self(ICR_SIPI | page);
    mdelay(1);
    ipi_all_but_self(ICR_SIPI | page);

    /*
     * Every AP increments ap_started right before its write: wait until
     * the count has stayed put for 3 s (each AP then made its write, or is
     * stuck in it), 120 s at most.
     */
    for ( ms = 0, last = 0, stable = 0; ms < 120000 && stable < 3000;
          ms += 10 )
    {
        mdelay(10);
        started = ap_started;
        if ( started != last || started < MIN_APS )
            stable = 0;
        else
            stable += 10;
        last = started;
    }
    /* And a little longer for the last one's write to reach Xen. */
    mdelay(2000);

    started = ap_started;
    done = ap_done;
    printk("APs started: %u, CR0 writes completed: %u\n", started, done);

    if ( started < MIN_APS )
        xtf_failure("Fail: only %u APs started (at least %u needed: vcpus >= %u)\n",
                    started, MIN_APS, MIN_APS + 1);
    else if ( done > RING_SLOTS )
        xtf_failure("Fail: %u CR0 writes completed: the monitor ring is not there or was consumed\n",
                    done);
    else
        xtf_success(NULL);
}
