/*
 * Host harness around Xen's pinned vpic.c (included unchanged below): one
 * domain with one vCPU, and entry points for the Rust differential test
 * that run one operation and report everything vpic.c did.
 */
#include VPIC_C
/* hvm_depriv's test before an edge call (Xen's patched tree). */
#include VPIC_EDGE_H

struct shim_fx {
    uint32_t kicks;      /* vcpu_kick(i8259_target) calls */
    uint32_t unmasks;    /* pt_may_unmask_irq() calls */
    uint32_t bug;        /* a BUG_ON() fired */
    uint32_t bad_target; /* a call for a domain/vCPU other than ours */
    uint32_t neoi;       /* hvm_dpci_eoi() calls, ISA IRQs in eoi[] */
    uint32_t eoi[16];
};

static struct domain shim_dom;
static struct vcpu shim_vcpu = { .domain = &shim_dom };
struct vcpu *shim_current = &shim_vcpu;
static int shim_accept = 1;
static struct shim_fx fx;
static jmp_buf shim_jb;

void shim_bug(void)
{
    fx.bug++;
    longjmp(shim_jb, 1);
}

void vcpu_kick(struct vcpu *v)
{
    if ( v != &shim_vcpu )
        fx.bad_target++;
    fx.kicks++;
}

void hvm_dpci_eoi(struct domain *d, unsigned int guest_gsi)
{
    if ( d != &shim_dom )
        fx.bad_target++;
    if ( fx.neoi < 16 )
        fx.eoi[fx.neoi] = guest_gsi;
    fx.neoi++;
}

void pt_may_unmask_irq(struct domain *d, void *vlapic_pt)
{
    if ( d != &shim_dom || vlapic_pt != NULL )
        fx.bad_target++;
    fx.unmasks++;
}

int vlapic_accept_pic_intr(struct vcpu *v)
{
    if ( v != &shim_vcpu )
        fx.bad_target++;
    return shim_accept;
}

/* Run STMT with the recorder cleared and BUG_ON() caught. */
#define RUN(out, stmt) do {                     \
    memset(&fx, 0, sizeof(fx));                 \
    if ( setjmp(shim_jb) == 0 )                 \
    {                                           \
        stmt;                                   \
    }                                           \
    *(out) = fx;                                \
} while ( 0 )

void shim_init(void)
{
    memset(&shim_dom, 0, sizeof(shim_dom));
    shim_dom.arch.hvm.i8259_target = &shim_vcpu;
    vpic_init(&shim_dom);
}

void shim_reset(void)
{
    vpic_reset(&shim_dom);
}

void shim_get_state(uint8_t out[16])
{
    memcpy(out, shim_dom.arch.hvm.vpic, 16);
}

void shim_set_state(const uint8_t in[16])
{
    memcpy(shim_dom.arch.hvm.vpic, in, 16);
}

int shim_pic_io(int dir, unsigned int port, unsigned int bytes, uint32_t *val,
                struct shim_fx *out)
{
    volatile int rc = -1;
    volatile uint32_t v = *val;

    RUN(out, ({ uint32_t t = v; rc = vpic_intercept_pic_io(dir, port, bytes, &t); v = t; }));
    *val = v;
    return rc;
}

int shim_elcr_io(int dir, unsigned int port, unsigned int bytes, uint32_t *val,
                 struct shim_fx *out)
{
    volatile int rc = -1;
    volatile uint32_t v = *val;

    RUN(out, ({ uint32_t t = v; rc = vpic_intercept_elcr_io(dir, port, bytes, &t); v = t; }));
    *val = v;
    return rc;
}

/* Whether Xen would skip the call for this edge on the current records. */
int shim_edge_changes_nothing(int positive, unsigned int irq)
{
    return vpic_edge_changes_nothing(shim_dom.arch.hvm.vpic, irq, positive);
}

void shim_edge(int positive, int irq, struct shim_fx *out)
{
    RUN(out, ({ if ( positive ) vpic_irq_positive_edge(&shim_dom, irq);
                else vpic_irq_negative_edge(&shim_dom, irq); }));
}

/*
 * Xen's test for pt_update_irq()'s falling then rising edge on the current
 * records: whether the pair leaves them as they are; then *output is the
 * int_output byte of vpic[irq >> 3] between the edges and *kick whether the
 * pair kicks (unset otherwise).
 */
int shim_pulse_changes_nothing(unsigned int irq, unsigned int *output,
                               int *kick)
{
    bool k = false;
    int r = vpic_edge_pulse_changes_nothing(shim_dom.arch.hvm.vpic, irq,
                                            output, &k);

    *kick = k;
    return r;
}

/*
 * vpic.c's pair: the falling edge (effects in *neg), the int_output byte
 * of vpic[irq >> 3] then (*mid), the rising edge (effects in *pos).
 */
void shim_pulse(int irq, uint8_t *mid, struct shim_fx *neg,
                struct shim_fx *pos)
{
    RUN(neg, vpic_irq_negative_edge(&shim_dom, irq));
    *mid = shim_dom.arch.hvm.vpic[(irq >> 3) & 1].int_output;
    RUN(pos, vpic_irq_positive_edge(&shim_dom, irq));
}

int shim_ack_pending_irq(int accept, struct shim_fx *out)
{
    volatile int r = -1000;

    shim_accept = accept;
    RUN(out, r = vpic_ack_pending_irq(&shim_vcpu));
    return r;
}

int shim_intack(unsigned int idx, struct shim_fx *out)
{
    volatile int r = -1000;

    RUN(out, r = vpic_intack(&shim_dom.arch.hvm.vpic[idx & 1]));
    return r;
}

int shim_highest(unsigned int idx)
{
    return vpic_get_highest_priority_irq(&shim_dom.arch.hvm.vpic[idx & 1]);
}

int shim_save(uint8_t buf[16])
{
    hvm_domain_context_t h = { .data = buf };

    return shim_PIC_save(&shim_vcpu, &h) | (h.cur != 16);
}

int shim_load(const uint8_t buf[16])
{
    hvm_domain_context_t h = { .data = (uint8_t *)buf };
    int rc = 0;

    for ( h.instance = 0; h.instance < 2; h.instance++ )
        rc |= shim_PIC_load(&shim_dom, &h);
    return rc | (h.cur != 16);
}

/*
 * Layout of Xen's struct hvm_hw_vpic as this compiler lays it out: size,
 * and for each field (in declaration order) the record with only that
 * field set to all ones.
 */
#define SHIM_NFIELDS 15
size_t shim_layout(uint8_t out[SHIM_NFIELDS][8])
{
    struct hvm_hw_vpic p;
    unsigned int i = 0;

#define ONES(f) do {                                    \
    memset(&p, 0, sizeof(p));                           \
    p.f = ~0;                                           \
    memcpy(out[i++], &p, sizeof(p));                    \
} while ( 0 )
    ONES(irr);
    ONES(imr);
    ONES(isr);
    ONES(irq_base);
    ONES(init_state);
    ONES(priority_add);
    ONES(readsel_isr);
    ONES(poll);
    ONES(auto_eoi);
    ONES(rotate_on_auto_eoi);
    ONES(special_fully_nested_mode);
    ONES(special_mask_mode);
    ONES(is_master);
    ONES(elcr);
    ONES(int_output);
#undef ONES
    return sizeof(p);
}

/*
 * Benchmark: the same pre-generated stream the Rust side runs, through
 * Xen's functions directly (no recorder reset, one setjmp for the whole
 * stream).  The stream never loads a record, so no BUG_ON() should fire.
 */
struct shim_bench_op {
    uint8_t kind;
    uint8_t arg;
    uint16_t port;
    uint32_t val;
};

uint64_t shim_bench(const struct shim_bench_op *ops, size_t n)
{
    uint64_t sum = 0;
    size_t i;

    memset(&fx, 0, sizeof(fx));
    if ( setjmp(shim_jb) != 0 )
        return ~(uint64_t)0; /* a BUG_ON() fired: not a valid stream */

    for ( i = 0; i < n; i++ )
    {
        const struct shim_bench_op *op = &ops[i];
        uint32_t v = op->val;

        switch ( op->kind )
        {
        case 0:
            vpic_intercept_pic_io(IOREQ_WRITE, op->port, 1, &v);
            break;
        case 1:
            vpic_intercept_pic_io(IOREQ_READ, op->port, 1, &v);
            sum += v;
            break;
        case 2:
            vpic_intercept_elcr_io(IOREQ_WRITE, op->port, 1, &v);
            break;
        case 3:
            vpic_intercept_elcr_io(IOREQ_READ, op->port, 1, &v);
            sum += v;
            break;
        case 4:
            vpic_irq_positive_edge(&shim_dom, op->arg);
            break;
        case 5:
            vpic_irq_negative_edge(&shim_dom, op->arg);
            break;
        default:
            sum += (uint32_t)vpic_ack_pending_irq(&shim_vcpu);
            break;
        }
    }
    return sum + fx.kicks + fx.unmasks;
}
