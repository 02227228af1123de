/*
 * hvm32 start-up: IDT, exception dispatch with fix-ups, hypercall page,
 * forced-emulation probe, then test_main().
 */
#include <xtf.h>

bool xtf_has_fep;
bool test_needs_fep __weak;

struct __packed idt_gate {
    uint16_t off_lo, sel;
    uint8_t zero, type;
    uint16_t off_hi;
};

static struct idt_gate idt[256] __aligned(16);
extern const char idt_stubs[];


uint8_t hypercall_page[4096] __aligned(4096);

static void set_gate(unsigned int vec, unsigned long addr, unsigned int sel,
                     unsigned int dpl)
{
    idt[vec].off_lo = addr & 0xffff;
    idt[vec].off_hi = addr >> 16;
    idt[vec].sel = sel;
    idt[vec].zero = 0;
    idt[vec].type = 0x8e | ((dpl & 3) << 5); /* present 32-bit interrupt gate */
}

int xtf_set_idte(unsigned int vector, const struct xtf_idte *idte)
{
    if ( vector > 255 )
        return -1;
    set_gate(vector, idte->addr, idte->cs, idte->dpl);
    return 0;
}

bool __weak do_unhandled_exception(struct cpu_regs *regs)
{
    (void)regs;
    return false;
}

void do_exception(struct cpu_regs *regs)
{
    unsigned int vec = regs->entry_vector;

    const struct extable_entry *ex;

    /* External interrupts are the test's (xtf_set_idte()); none expected here. */
    if ( vec >= 32 )
        panic("Unexpected interrupt: vec %u at %04x:%08lx\n", vec, regs->cs, regs->ip);

    ex = search_extable(regs->ip);

    if ( ex )
    {
        if ( ex->handler )
        {
            if ( ex->handler(regs, ex) )
                return;
        }
        else
        {
            regs->ip = ex->fixup;
            return;
        }
    }

    if ( do_unhandled_exception(regs) )
        return;

    panic("Unhandled exception: vec %u at %04x:%08lx, ec %04x, eax %08lx, "
          "flags %08lx\n", vec, regs->cs, regs->ip, regs->error_code,
          regs->ax, regs->flags);
}

const struct extable_entry *search_extable(unsigned long addr)
{
    extern const struct extable_entry __start_ex_table[], __stop_ex_table[];
    const struct extable_entry *e;

    for ( e = __start_ex_table; e < __stop_ex_table; e++ )
        if ( e->fault == addr )
            return e;
    return NULL;
}

bool ex_record_fault_eax(struct cpu_regs *regs, const struct extable_entry *ex)
{
    regs->ax = EXINFO(regs->entry_vector, regs->error_code);
    regs->ip = ex->fixup;
    return true;
}

bool ex_record_fault_edi(struct cpu_regs *regs, const struct extable_entry *ex)
{
    regs->di = EXINFO(regs->entry_vector, regs->error_code);
    regs->ip = ex->fixup;
    return true;
}

/* Xen's CPUID leaves: signature "XenVMMXenVMM" at some 0x40000x00. */
static uint32_t xen_cpuid_base(void)
{
    uint32_t base, a, b, c, d;

    for ( base = 0x40000000; base < 0x40010000; base += 0x100 )
    {
        cpuid(base, &a, &b, &c, &d);
        if ( b == 0x566e6558 && c == 0x65584d4d && d == 0x4d4d566e &&
             a - base >= 2 )
            return base;
    }
    return 0;
}

static void init_hypercalls(void)
{
    uint32_t base = xen_cpuid_base(), a, b, c, d;

    if ( !base )
        panic("Not running under Xen (no Xen CPUID leaves)\n");
    /* Leaf base+2: EBX is the MSR to write the hypercall page's address to. */
    cpuid(base + 2, &a, &b, &c, &d);
    wrmsr(b, (unsigned long)hypercall_page);
    if ( hypercall_page[0] == 0 )
        panic("Xen did not fill the hypercall page\n");
}

static long hypercall2(unsigned int op, unsigned long a1, unsigned long a2)
{
    long ret;
    unsigned long b = a1, c = a2;

    asm volatile ("call *%[fn]"
                  : "=a" (ret), "+b" (b), "+c" (c)
                  : [fn] "r" (hypercall_page + op * 32)
                  : "memory");
    return ret;
}

long hypercall_sched_op(unsigned int cmd, void *arg)
{
    return hypercall2(__HYPERVISOR_sched_op, cmd, (unsigned long)arg);
}

long hypercall_xen_version(unsigned int cmd, void *arg)
{
    return hypercall2(__HYPERVISOR_xen_version, cmd, (unsigned long)arg);
}

long hypercall_hvm_op(unsigned int cmd, void *arg)
{
    return hypercall2(__HYPERVISOR_hvm_op, cmd, (unsigned long)arg);
}

long hypercall_memory_op(unsigned int cmd, void *arg)
{
    return hypercall2(__HYPERVISOR_memory_op, cmd, (unsigned long)arg);
}

long hypercall_event_channel_op(unsigned int cmd, void *arg)
{
    return hypercall2(__HYPERVISOR_event_channel_op, cmd, (unsigned long)arg);
}

void hypercall_shutdown(unsigned int reason)
{
    struct { uint32_t reason; } arg = { reason };

    hypercall_sched_op(SCHEDOP_shutdown, &arg);
}

static bool probe_fep(void)
{
    exinfo_t fault;

    asm volatile ("1: " _ASM_XEN_FEP " nop; 2:"
                  _ASM_EXTABLE_HANDLER(1b, 2b, %c[rec])
                  : "=a" (fault) : "0" (0), [rec] "i" (ex_record_fault_eax));
    return fault == 0;
}

void xtf_main(void)
{
    desc_ptr p = { sizeof(idt) - 1, (unsigned long)idt };
    unsigned int v;

    for ( v = 0; v < 256; v++ )
        set_gate(v, (unsigned long)idt_stubs + v * 16, __KERN_CS, 0);
    lidt(&p);

    init_hypercalls();

    printk("--- Xen Test Framework ---\n");
    printk("Environment: HVM 32bit (No paging)\n");
    printk("%s\n", test_title);

    xtf_has_fep = probe_fep();
    if ( test_needs_fep && !xtf_has_fep )
    {
        xtf_skip("FEP support not detected (boot Xen with hvm_fep=1)\n");
        xtf_exit();
    }

    test_main();
    xtf_exit();
}
