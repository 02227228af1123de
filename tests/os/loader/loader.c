/*
 * A minimal Linux loader for an HVM guest started by libxl without
 * hvmloader (firmware_override): no BIOS, no ACPI, no real mode.  It boots
 * the bzImage it carries through the 32-bit boot protocol
 * (Documentation/x86/boot.rst):
 *
 *  - the protected-mode kernel is already at code32_start (1 MiB), placed
 *    there by libxl's ELF loader (loader.lds);
 *  - the "zero page" (struct boot_params) is built in low memory: the
 *    bzImage's setup header, an e820 map made of the guest's memory map as
 *    Xen reports it (XENMEM_memory_map, set by libxl) plus the low 640 KiB,
 *    the command line, the initramfs moved to the top of the RAM below
 *    4 GiB, type_of_loader 0xff;
 *  - the local APIC is put in virtual wire mode (what a BIOS does);
 *  - head.S enters the kernel with %esi = the zero page.
 *
 * Everything it says goes to port 0xe9, which a debug Xen prints as
 * "(dN) ..." lines; on an error it prints "Test result: ERROR" (the
 * harness's result line) and halts.
 */
#include <stdint.h>
#include <stddef.h>

/* From the linker script and blobs.S. */
extern uint8_t kernel_start[], kernel_end[];
extern const uint8_t setup_start[], setup_end[];
extern const uint8_t initrd_start[], initrd_end[];
extern const char cmdline[];

/* Read by head.S: where to enter the kernel. */
uint32_t kernel_entry;

/* Low-memory placement of what the kernel reads before it has copied it. */
#define BOOT_PARAMS_ADDR   0x10000u     /* struct boot_params, 4 KiB */
#define CMDLINE_ADDR       0x11000u     /* command line, up to 2 KiB */
#define LOW_RAM_END        0x9f000u     /* hvm_info_table page at 0x9f000 */
#define ONE_MIB            0x100000u

/* struct boot_params offsets (Documentation/x86/zero-page.rst). */
#define BP_E820_ENTRIES    0x1e8        /* u8 */
#define BP_SENTINEL        0x1ef        /* u8: must stay 0 */
#define BP_HDR             0x1f1        /* struct setup_header */
#define BP_E820_TABLE      0x2d0        /* 128 x struct boot_e820_entry */
#define E820_MAX           128

/* Setup header fields (offsets in the bzImage and in boot_params alike). */
#define HDR_SETUP_SECTS    0x1f1        /* u8 */
#define HDR_BOOT_FLAG      0x1fe        /* u16: 0xaa55 */
#define HDR_JUMP           0x200        /* u16: jmp short; its disp8 bounds the header */
#define HDR_MAGIC          0x202        /* "HdrS" */
#define HDR_VERSION        0x206        /* u16 */
#define HDR_TYPE_OF_LOADER 0x210        /* u8 */
#define HDR_LOADFLAGS      0x211        /* u8 */
#define HDR_CODE32_START   0x214        /* u32 */
#define HDR_RAMDISK_IMAGE  0x218        /* u32 */
#define HDR_RAMDISK_SIZE   0x21c        /* u32 */
#define HDR_CMD_LINE_PTR   0x228        /* u32 */
#define HDR_INITRD_MAX     0x22c        /* u32 */
#define HDR_CMDLINE_SIZE   0x238        /* u32 */
#define HDR_PREF_ADDRESS   0x258        /* u64 */
#define HDR_INIT_SIZE      0x260        /* u32 */

#define LOADFLAG_LOADED_HIGH 0x01
#define LOADER_TYPE_UNDEFINED 0xff      /* no registered boot loader ID */

#define E820_RAM           1
#define E820_RESERVED      2

struct e820_entry {
    uint64_t addr;
    uint64_t size;
    uint32_t type;
} __attribute__((packed));

/* Xen interface (xen/include/public): hypercall numbers and XENMEM_memory_map. */
#define HYPERVISOR_memory_op 12
#define XENMEM_memory_map    9

struct xen_memory_map32 {               /* a 32-bit guest's (compat) layout */
    uint32_t nr_entries;
    uint32_t buffer;                    /* guest handle: struct e820_entry[] */
};

static uint8_t hypercall_page[4096] __attribute__((aligned(4096)));
static struct e820_entry xen_map[E820_MAX];

/* ---- output on port 0xe9 ---- */

static void outb(uint16_t port, uint8_t v)
{
    asm volatile ( "outb %0, %1" :: "a" (v), "Nd" (port) );
}

static void puts_e9(const char *s)
{
    while ( *s )
        outb(0xe9, *s++);
}

static void puthex(uint64_t v)
{
    char buf[19];
    int i = 18;

    buf[i] = '\0';
    do {
        buf[--i] = "0123456789abcdef"[v & 0xf];
        v >>= 4;
    } while ( v && i > 2 );
    buf[--i] = 'x';
    buf[--i] = '0';
    puts_e9(buf + i);
}

static void fail(const char *why)
{
    puts_e9("linux-hvm loader: ");
    puts_e9(why);
    puts_e9("\nTest result: ERROR\n");
}

/* ---- small helpers (freestanding) ---- */

static void copy(void *dst, const void *src, size_t n)
{
    uint8_t *d = dst;
    const uint8_t *s = src;

    if ( d < s )
        while ( n-- )
            *d++ = *s++;
    else
        while ( n-- )
            d[n] = s[n];
}

static void zero(void *dst, size_t n)
{
    uint8_t *d = dst;

    while ( n-- )
        *d++ = 0;
}

static size_t length(const char *s)
{
    size_t n = 0;

    while ( s[n] )
        n++;
    return n;
}

static uint16_t rd16(const uint8_t *p, unsigned int off)
{
    return p[off] | (p[off + 1] << 8);
}

static uint32_t rd32(const uint8_t *p, unsigned int off)
{
    return rd16(p, off) | ((uint32_t)rd16(p, off + 2) << 16);
}

static void wr32(uint8_t *p, unsigned int off, uint32_t v)
{
    p[off] = v;
    p[off + 1] = v >> 8;
    p[off + 2] = v >> 16;
    p[off + 3] = v >> 24;
}

/* ---- Xen ---- */

static void cpuid(uint32_t leaf, uint32_t *a, uint32_t *b, uint32_t *c, uint32_t *d)
{
    asm volatile ( "cpuid" : "=a" (*a), "=b" (*b), "=c" (*c), "=d" (*d)
                   : "0" (leaf), "2" (0) );
}

/*
 * Find Xen's CPUID leaves ("XenVMMXenVMM", at 0x40000000 or, with Viridian,
 * 0x40000100) and have Xen fill the hypercall page: leaf base + 2 names the
 * MSR to write the page's address to.
 */
static int init_hypercalls(void)
{
    uint32_t base, a, b, c, d;

    for ( base = 0x40000000u; base < 0x40010000u; base += 0x100 )
    {
        cpuid(base, &a, &b, &c, &d);
        if ( b == 0x566e6558 /* "XenV" */ && c == 0x65584d4d /* "MMXe" */ &&
             d == 0x4d4d566e /* "nVMM" */ && a >= base + 2 )
        {
            cpuid(base + 2, &a, &b, &c, &d);
            asm volatile ( "wrmsr" :: "c" (b), "a" ((uint32_t)hypercall_page),
                           "d" (0) : "memory" );
            return hypercall_page[0] != 0;
        }
    }
    return 0;
}

static long hypercall2(unsigned int op, uint32_t a1, uint32_t a2)
{
    long rc;

    asm volatile ( "call *%[fn]"
                   : "=a" (rc), "+b" (a1), "+c" (a2)
                   : [fn] "r" (hypercall_page + op * 32)
                   : "memory" );
    return rc;
}

/* ---- interrupt routing ---- */

#define MSR_APIC_BASE      0x1b
#define APIC_BASE_ENABLE   (1u << 11)
#define APIC_SVR           0xf0
#define APIC_LVT0          0x350
#define APIC_LVT1          0x360
#define APIC_SVR_ENABLE    0x100
#define APIC_DM_EXTINT     0x700
#define APIC_DM_NMI        0x400

/*
 * Virtual wire mode, as a BIOS leaves the machine (MP spec 1.4, 3.6.2.2):
 * the local APIC software-enabled with LINT0 in ExtINT mode, so that the
 * 8259's INTR reaches the CPU, and LINT1 as NMI.  Without it Xen does not
 * deliver PIC interrupts at all (vlapic_accept_pic_intr() wants LVT0 or
 * IOAPIC pin 0 in ExtINT mode, and an APIC that is not globally disabled),
 * and a kernel booted with "nolapic" never sets up the local APIC itself.
 */
static int setup_virtual_wire(void)
{
    uint32_t lo, hi;
    volatile uint32_t *lapic;

    asm volatile ( "rdmsr" : "=a" (lo), "=d" (hi) : "c" (MSR_APIC_BASE) );
    if ( !(lo & APIC_BASE_ENABLE) )
        return 0;
    lapic = (volatile uint32_t *)(lo & 0xfffff000u);
    lapic[APIC_SVR / 4] = APIC_SVR_ENABLE | 0xff;
    lapic[APIC_LVT0 / 4] = APIC_DM_EXTINT;
    lapic[APIC_LVT1 / 4] = APIC_DM_NMI;
    return lapic[APIC_LVT0 / 4] == APIC_DM_EXTINT;
}

/* ---- the zero page ---- */

static unsigned int add_e820(uint8_t *bp, unsigned int n, uint64_t addr,
                             uint64_t size, uint32_t type)
{
    struct e820_entry *t = (struct e820_entry *)(bp + BP_E820_TABLE);

    if ( n < E820_MAX && size )
    {
        t[n].addr = addr;
        t[n].size = size;
        t[n].type = type;
        n++;
    }
    return n;
}

uint32_t loader_main(void)
{
    uint8_t *bp = (uint8_t *)BOOT_PARAMS_ADDR;
    struct xen_memory_map32 map = { E820_MAX, (uint32_t)xen_map };
    unsigned int i, n = 0, hdr_end;
    uint32_t initrd_size = initrd_end - initrd_start, initrd_addr = 0;
    uint32_t initrd_max, avoid_end;
    size_t cmdlen = length(cmdline);
    long rc;

    puts_e9("linux-hvm loader: kernel ");
    puthex(kernel_end - kernel_start);
    puts_e9(" bytes, initramfs ");
    puthex(initrd_size);
    puts_e9(" bytes\n");

    /* The bzImage's setup header (boot.rst: "The Real-Mode Kernel Header"). */
    if ( setup_end - setup_start < 0x400 ||
         rd16(setup_start, HDR_BOOT_FLAG) != 0xaa55 ||
         rd32(setup_start, HDR_MAGIC) != 0x53726448 /* "HdrS" */ )
    {
        fail("no Linux setup header in the bzImage");
        return 0;
    }
    if ( rd16(setup_start, HDR_VERSION) < 0x20a )
    {
        fail("boot protocol older than 2.10");
        return 0;
    }
    if ( !(setup_start[HDR_LOADFLAGS] & LOADFLAG_LOADED_HIGH) ||
         rd32(setup_start, HDR_CODE32_START) != (uint32_t)kernel_start )
    {
        fail("kernel does not run at 1 MiB (code32_start)");
        return 0;
    }
    if ( cmdlen >= rd32(setup_start, HDR_CMDLINE_SIZE) || cmdlen >= 2048 )
    {
        fail("command line too long");
        return 0;
    }

    if ( !init_hypercalls() )
    {
        fail("no Xen hypercall page");
        return 0;
    }
    rc = hypercall2(HYPERVISOR_memory_op, XENMEM_memory_map, (uint32_t)&map);
    if ( rc )
    {
        fail("XENMEM_memory_map failed");
        return 0;
    }

    if ( !setup_virtual_wire() )
    {
        fail("could not put the local APIC in virtual wire mode");
        return 0;
    }

    zero(bp, 4096);
    /* Header: from 0x1f1 to the end the jump at 0x200 skips over. */
    hdr_end = 0x202 + setup_start[HDR_JUMP + 1];
    copy(bp + BP_HDR, setup_start + BP_HDR, hdr_end - BP_HDR);
    bp[HDR_TYPE_OF_LOADER] = LOADER_TYPE_UNDEFINED;

    /*
     * Memory map: with a device model libxl reports RAM from 1 MiB only
     * (below is hvmloader's business); the low 636 KiB are RAM too, the
     * hvm_info_table page and the legacy hole up to 1 MiB are not.
     */
    n = add_e820(bp, n, 0, LOW_RAM_END, E820_RAM);
    n = add_e820(bp, n, LOW_RAM_END, ONE_MIB - LOW_RAM_END, E820_RESERVED);
    puts_e9("linux-hvm loader: Xen memory map:\n");
    for ( i = 0; i < map.nr_entries; i++ )
    {
        uint64_t s = xen_map[i].addr, e = s + xen_map[i].size;

        puts_e9("  ");
        puthex(s);
        puts_e9(" - ");
        puthex(e);
        puts_e9(" type ");
        puthex(xen_map[i].type);
        puts_e9("\n");
        if ( s < ONE_MIB )
            s = ONE_MIB;
        if ( e <= s )
            continue;
        n = add_e820(bp, n, s, e - s, xen_map[i].type);
    }
    bp[BP_E820_ENTRIES] = n;

    /*
     * The initramfs goes to the top of the highest RAM range below the
     * kernel's limit (what boot loaders do), clear of the area the
     * decompressor uses: pref_address .. + init_size (boot.rst: init_size).
     */
    initrd_max = rd32(setup_start, HDR_INITRD_MAX);
    avoid_end = rd32(setup_start, HDR_PREF_ADDRESS) + rd32(setup_start, HDR_INIT_SIZE);
    for ( i = 0; i < n; i++ )
    {
        struct e820_entry *e = (struct e820_entry *)(bp + BP_E820_TABLE) + i;
        uint64_t top = e->addr + e->size, a;

        if ( e->type != E820_RAM )
            continue;
        if ( top > (uint64_t)initrd_max + 1 )
            top = (uint64_t)initrd_max + 1;
        if ( top < initrd_size )
            continue;
        a = (top - initrd_size) & ~0xfffull;
        if ( a >= e->addr && a >= avoid_end && a > initrd_addr )
            initrd_addr = a;
    }
    if ( !initrd_addr )
    {
        fail("no RAM for the initramfs above the decompressor's area");
        return 0;
    }
    copy((void *)initrd_addr, initrd_start, initrd_size);
    wr32(bp, HDR_RAMDISK_IMAGE, initrd_addr);
    wr32(bp, HDR_RAMDISK_SIZE, initrd_size);

    copy((void *)CMDLINE_ADDR, cmdline, cmdlen + 1);
    wr32(bp, HDR_CMD_LINE_PTR, CMDLINE_ADDR);

    kernel_entry = rd32(bp, HDR_CODE32_START);
    puts_e9("linux-hvm loader: initramfs at ");
    puthex(initrd_addr);
    puts_e9(", boot_params at ");
    puthex(BOOT_PARAMS_ADDR);
    puts_e9(", entering the kernel at ");
    puthex(kernel_entry);
    puts_e9("\nlinux-hvm loader: command line: ");
    puts_e9(cmdline);
    puts_e9("\n");
    return BOOT_PARAMS_ADDR;
}
