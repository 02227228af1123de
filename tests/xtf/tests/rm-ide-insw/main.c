/*
 * rm-ide-insw: a real-mode string read from the device model, the way
 * SeaBIOS reads a disk sector (its ATA PIO path, the instruction every
 * firmware boot from an IDE disk goes through).
 *
 * Needs the real device model (qemu-xen: the run-xen.sh options
 * --real-dm NAME --guest-disk NAME:DISK) and a disk whose first sector
 * ends in 55 aa (build/firmware/disk.img).  In protected mode the guest
 * issues READ SECTORS (LBA 0, 1 sector) to the primary IDE channel and
 * waits for DRQ; then, in real mode, it reads the sector with SeaBIOS's
 * own instruction, `addr32 rep insw (%dx), %es:(%edi)` (67 f3 6d) with
 * ECX = 0x100, DX = 0x1f0, EDI = 0: 256 words from the IDE data port, an
 * I/O port Xen does not emulate, so each repetition batch is an ioreq to
 * the device model that completes later and the instruction is resumed
 * where it left off.  Checks: the call returns (no exception), ECX is 0 and
 * EDI 0x200 afterwards, the sector ends in 55 aa, its first bytes are the
 * same as a second read of it in protected mode, and DRQ is clear (the
 * device saw exactly 256 reads).  Before it, two simpler real-mode reads
 * from the device model: an IN from the status port, one INSW (no REP).
 * After it, a second case reads sector 1 with a
 * 16-bit `rep insw` (f3 6d), compared with a protected-mode read of it.
 * (One sector per instruction, as SeaBIOS does: the device model serves
 * the next sector of a multi-sector command only after its own read of
 * it completes, so a guest waits for DRQ between sectors.)
 */
#include <xtf.h>
#include "../lib/realmode.h"

const char test_title[] = "Real-mode rep insw from the IDE data port (real device model)";

#define IDE_DATA    0x1f0
#define IDE_COUNT   0x1f2
#define IDE_LBA0    0x1f3
#define IDE_LBA1    0x1f4
#define IDE_LBA2    0x1f5
#define IDE_DEVICE  0x1f6
#define IDE_CMD     0x1f7       /* write: command; read: status */
#define IDE_CTRL    0x3f6
#define ST_BSY      0x80
#define ST_DRQ      0x08
#define ST_ERR      0x01
#define CMD_READ    0x20

/* The sector buffer, in reach of real mode (1 KiB, 16-byte aligned). */
extern uint8_t rm_sect[1024];
asm (".pushsection .text.real, \"ax\", @progbits\n"
     ".align 16\n"
     ".global rm_sect\n"
     "rm_sect: .skip 1024\n"
     ".popsection\n");

/*
 * SeaBIOS's instruction (f000:a75f in its 1.16.2 image), a 16-bit one, and
 * the simpler real-mode reads from the device model first: one IN from the
 * status port, one INSW.
 */
void rm_insw_a32(void), rm_insw_a16(void), rm_in_status(void), rm_insw_one(void);
asm (".pushsection .text.real, \"ax\", @progbits\n"
     ".code16\n"
     "rm_insw_a32: addr32 rep insw (%dx), %es:(%edi); ret\n"
     "rm_insw_a16: rep insw (%dx), %es:(%di); ret\n"
     "rm_in_status: inb %dx, %al; ret\n"
     "rm_insw_one: insw (%dx), %es:(%di); ret\n"
     ".code32\n"
     ".popsection\n");

static bool wait_status(uint8_t want, uint8_t mask, const char *what)
{
    uint8_t st = 0;

    for ( unsigned long i = 0; i < 100000000ul; i++ )
    {
        st = inb(IDE_CMD);
        if ( (st & (ST_BSY | mask)) == want )
            return true;
        if ( !(st & ST_BSY) && (st & ST_ERR) )
            break;
    }
    xtf_failure("Fail: %s: IDE status %02x\n", what, st);
    return false;
}

static bool read_cmd(unsigned int lba, unsigned int count)
{
    if ( !wait_status(0, 0, "not busy before the command") )
        return false;
    outb(0x02, IDE_CTRL);               /* nIEN: no IRQ 14 */
    outb(0xe0 | ((lba >> 24) & 0xf), IDE_DEVICE);
    outb(count, IDE_COUNT);
    outb(lba, IDE_LBA0);
    outb(lba >> 8, IDE_LBA1);
    outb(lba >> 16, IDE_LBA2);
    outb(CMD_READ, IDE_CMD);
    return wait_status(ST_DRQ, ST_DRQ, "DRQ after READ SECTORS");
}

static void check_sector0(const uint8_t *s, const char *what)
{
    if ( s[510] != 0x55 || s[511] != 0xaa )
        xtf_failure("Fail: %s: sector 0 ends in %02x %02x, want 55 aa\n", what, s[510], s[511]);
}

void test_main(void)
{
    struct xtf_rm_regs r;
    static uint16_t pm[2][256];
    int rc;

    if ( inb(IDE_CMD) == 0xff )
    {
        xtf_skip("Skip: no IDE controller (needs the real device model and a disk)\n");
        return;
    }

    /* Reference: sectors 0 and 1 read in protected mode (inw one word at a time). */
    if ( !read_cmd(0, 1) )
        return;
    for ( unsigned int i = 0; i < 256; i++ )
        pm[0][i] = inw(IDE_DATA);
    check_sector0((const uint8_t *)pm[0], "protected-mode read");
    if ( !read_cmd(1, 1) )
        return;
    for ( unsigned int i = 0; i < 256; i++ )
        pm[1][i] = inw(IDE_DATA);

    /* 0a. One IN from the device model in real mode: the status port. */
    memset(&r, 0, sizeof(r));
    r.edx = IDE_CMD;
    printk("in from the status port (real mode)\n");
    rc = xtf_realmode_call(rm_in_status, &r, 0);
    printk("in from the status port: rc %d AL %02x\n", rc, r.eax & 0xff);
    if ( rc != -1 || (r.eax & (ST_BSY | ST_DRQ)) )
        xtf_failure("Fail: real-mode in from 0x1f7: rc %d status %02x\n", rc, r.eax & 0xff);

    /* 0b. One INSW (no REP) from the data port in real mode. */
    if ( !read_cmd(0, 1) )
        return;
    memset(rm_sect, 0, sizeof(rm_sect));
    memset(&r, 0, sizeof(r));
    r.edx = IDE_DATA;
    r.es = (unsigned long)rm_sect >> 4;
    printk("insw, one word (real mode)\n");
    rc = xtf_realmode_call(rm_insw_one, &r, 0);
    printk("insw: rc %d DI %x word %04x\n", rc, r.edi & 0xffff, *(uint16_t *)rm_sect);
    if ( rc != -1 || (r.edi & 0xffff) != 2 || *(uint16_t *)rm_sect != pm[0][0] )
        xtf_failure("Fail: real-mode insw: rc %d DI %x word %04x, want -1 2 %04x\n",
                    rc, r.edi & 0xffff, *(uint16_t *)rm_sect, pm[0][0]);
    /* The rest of the sector, in protected mode: the command is done. */
    for ( unsigned int i = 1; i < 256; i++ )
        (void)inw(IDE_DATA);

    /* 1. SeaBIOS's real-mode addr32 rep insw, sector 0. */
    if ( !read_cmd(0, 1) )
        return;
    memset(rm_sect, 0, sizeof(rm_sect));
    memset(&r, 0, sizeof(r));
    r.ecx = 0x100;
    r.edx = IDE_DATA;
    r.edi = 0;
    r.es = (unsigned long)rm_sect >> 4;
    r.ds = 0x0055;              /* not ES: an instruction must not mix them up */
    printk("addr32 rep insw: DS %04x ES %04x EDI 0 ECX 100 DX 1f0\n", r.ds, r.es);
    rc = xtf_realmode_call(rm_insw_a32, &r, 0);
    printk("addr32 rep insw: returned rc %d ECX %x EDI %x DS %04x ES %04x\n",
           rc, r.ecx, r.edi, r.ds, r.es);
    if ( rc != -1 || r.ecx != 0 || r.edi != 0x200 || r.ds != 0x0055 ||
         r.es != (unsigned long)rm_sect >> 4 )
        xtf_failure("Fail: addr32 rep insw: rc %d ECX %x EDI %x DS %04x ES %04x, want -1 0 200 0055 %04lx\n",
                    rc, r.ecx, r.edi, r.ds, r.es, (unsigned long)rm_sect >> 4);
    check_sector0(rm_sect, "real-mode addr32 rep insw");
    if ( memcmp(rm_sect, pm[0], 512) )
        xtf_failure("Fail: addr32 rep insw: sector 0 differs from the protected-mode read\n");
    if ( inb(IDE_CMD) & ST_DRQ )
        xtf_failure("Fail: addr32 rep insw: DRQ still set after 256 words\n");

    /* 2. A 16-bit rep insw, sector 1. */
    if ( !read_cmd(1, 1) )
        return;
    memset(rm_sect, 0, sizeof(rm_sect));
    memset(&r, 0, sizeof(r));
    r.ecx = 0x100;
    r.edx = IDE_DATA;
    r.es = (unsigned long)rm_sect >> 4;
    rc = xtf_realmode_call(rm_insw_a16, &r, 0);
    printk("rep insw: returned rc %d ECX %x EDI %x\n", rc, r.ecx, r.edi);
    if ( rc != -1 || (r.ecx & 0xffff) != 0 || (r.edi & 0xffff) != 0x200 )
        xtf_failure("Fail: rep insw: rc %d CX %x DI %x, want -1 0 200\n",
                    rc, r.ecx & 0xffff, r.edi & 0xffff);
    if ( memcmp(rm_sect, pm[1], 512) )
        xtf_failure("Fail: rep insw: sector 1 differs from the protected-mode read\n");
    if ( inb(IDE_CMD) & ST_DRQ )
        xtf_failure("Fail: rep insw: DRQ still set after 256 words\n");

    xtf_success(NULL);
}
