/*
 * The payload's real-mode syscalls reach only what the instruction Xen is
 * emulating can touch (hvm_depriv=selftest).  Scenario 25 arms the next
 * real-mode emulation to reach first for what its instruction cannot: read
 * and write CR4 (TSD flipped), read and write MSR_STAR, read and write the
 * master PIC's mask register (port 0x21) and read the slave's (port 0xa1,
 * which the instruction only writes).  The instruction is an OUTSB to port
 * 0xa1 in real mode (string I/O: Xen emulates it, in the payload).  Xen must
 * refuse all seven reaches, counting them as refused syscalls, leave CR4,
 * STAR and the master mask as they were, and still let the OUTSB write
 * the slave mask.
 */
#include <xtf.h>
#include "../lib/realmode.h"

#include "../lib/depriv-selftest.h"

#define ST_RM_STRAY   25
#define STRAY_REACHES 7

const char test_title[] = "hvm_depriv: real-mode syscalls tied to the instruction";

extern uint8_t rmt_byte[];
void rmt_outsb(void);
asm (".pushsection .text.real, \"ax\", @progbits\n" /* data too: in reach of real mode */
     ".global rmt_byte\n"
     "rmt_byte: .byte 0\n"
     ".popsection\n"
     ".pushsection .text.real, \"ax\", @progbits\n"
     ".code16\n"
     ".global rmt_outsb\n"
     "rmt_outsb: outsb\n"
     "ret\n"
     ".code32\n"
     ".popsection\n");

#define STAR_VAL   0x0013000800005678ull
#define SLAVE_MASK 0x7f

static unsigned int fails;

static void check(bool ok, const char *what)
{
    if ( ok )
        printk("ok   %s\n", what);
    else
    {
        xtf_failure("Fail: %s\n", what);
        fails++;
    }
}

void test_main(void)
{
    struct xtf_rm_regs r = { 0 };
    unsigned long cr4 = read_cr4(), cr4_after;
    uint64_t star_after;
    uint32_t errs, errs_after, ret;
    uint8_t master, slave;
    int rc;

    if ( !depriv_present() )
        return;

    outb(0xff, 0x21);
    outb(0xff, 0xa1);
    depriv_wrmsr(MSR_STAR, STAR_VAL);
    rmt_byte[0] = SLAVE_MASK;

    errs = depriv_io(DEPRIV_COUNTER, DEPRIV_CNT_SYSCALL_ERRORS);
    ret = depriv_io(DEPRIV_RUN, ST_RM_STRAY);
    if ( ret != 0 )
    {
        xtf_failure("Fail: scenario %u returned %#x, expected 0 (armed)\n",
                    ST_RM_STRAY, ret);
        return;
    }

    /* outsb: DS:SI -> port DX, in real mode. */
    r.ds = r.es = REALMODE_SEG;
    r.esi = RM_OFF(rmt_byte);
    r.edx = 0xa1;
    r.eflags = X86_EFLAGS_MBS;
    rc = xtf_realmode_call(rmt_outsb, &r, 0);

    errs_after = depriv_io(DEPRIV_COUNTER, DEPRIV_CNT_SYSCALL_ERRORS);
    cr4_after = read_cr4();
    star_after = depriv_rdmsr(MSR_STAR);
    master = inb(0x21);
    slave = inb(0xa1);
    outb(0xff, 0xa1);

    printk("outsb: rc %d, si %#x; refused syscalls %u -> %u; CR4 %#lx -> %#lx; "
           "STAR %#llx -> %#llx; masks %02x %02x\n",
           rc, r.esi, errs, errs_after, cr4, cr4_after,
           STAR_VAL, (unsigned long long)star_after, master, slave);

    check(rc == -1 && r.esi == RM_OFF(rmt_byte) + 1,
          "the emulated OUTSB completed");
    check(slave == SLAVE_MASK,
          "the OUTSB's own port (0xa1, write) reached: slave mask written");
    check(errs_after - errs == STRAY_REACHES,
          "Xen refused the payload's 7 reaches beyond the instruction (counted)");
    check(cr4_after == cr4, "CR4 unchanged (no CR4 read/write for an OUTSB)");
    check(star_after == STAR_VAL, "MSR_STAR unchanged (no MSR access for an OUTSB)");
    check(master == 0xff, "master PIC mask unchanged (port 0x21 is not the OUTSB's)");

    if ( !fails )
        xtf_success(NULL);
}
