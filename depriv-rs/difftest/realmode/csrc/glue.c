/*
 * Glue between Xen's x86_emulate() (built from the pinned source) and the
 * Rust differential harness: every x86_emulate_ops hook forwards to a Rust
 * callback on the shared fake platform, so both emulators see exactly the
 * same memory, ports and segment state.
 */
#include "x86-emulate.h"

/* Rust callbacks: return 0 OKAY, 1 RETRY, 2 EXCEPTION, 3 UNHANDLEABLE. */
struct dt_exc { int vector; int ec; };
struct dt_seg { uint16_t sel, attr; uint32_t limit; uint64_t base; };

extern int dt_insn_fetch(void *p, unsigned long off, void *buf, unsigned int bytes, struct dt_exc *e);
extern int dt_read(void *p, unsigned int seg, unsigned long off, void *buf, unsigned int bytes, struct dt_exc *e);
extern int dt_write(void *p, unsigned int seg, unsigned long off, const void *buf, unsigned int bytes, struct dt_exc *e);
extern int dt_cmpxchg(void *p, unsigned int seg, unsigned long off, const void *old, const void *new_, unsigned int bytes, struct dt_exc *e);
extern int dt_rep_ins(void *p, uint16_t port, unsigned int seg, unsigned long off, unsigned int bpr, unsigned long *reps, int df, struct dt_exc *e);
extern int dt_rep_outs(void *p, unsigned int seg, unsigned long off, uint16_t port, unsigned int bpr, unsigned long *reps, int df, struct dt_exc *e);
extern int dt_rep_movs(void *p, unsigned int sseg, unsigned long soff, unsigned int dseg, unsigned long doff, unsigned int bpr, unsigned long *reps, int df, struct dt_exc *e);
extern int dt_rep_stos(void *p, uint64_t val, unsigned int seg, unsigned long off, unsigned int bpr, unsigned long *reps, int df, struct dt_exc *e);
extern int dt_read_io(void *p, unsigned int port, unsigned int bytes, uint32_t *val, struct dt_exc *e);
extern int dt_write_io(void *p, unsigned int port, unsigned int bytes, uint32_t val, struct dt_exc *e);
extern int dt_read_segment(void *p, unsigned int seg, struct dt_seg *s, struct dt_exc *e);
extern int dt_write_segment(void *p, unsigned int seg, const struct dt_seg *s, struct dt_exc *e);
extern int dt_read_cr(void *p, unsigned int reg, uint64_t *val, struct dt_exc *e);
extern int dt_write_cr(void *p, unsigned int reg, uint64_t val, struct dt_exc *e);
extern int dt_read_msr(void *p, uint32_t msr, uint64_t *val, struct dt_exc *e);
extern int dt_write_msr(void *p, uint32_t msr, uint64_t val, struct dt_exc *e);
extern int dt_cpuid(void *p, uint32_t leaf, uint32_t sub, uint32_t out[4], struct dt_exc *e);

static int map(int rc, const struct dt_exc *e, struct x86_emulate_ctxt *ctxt)
{
    switch ( rc )
    {
    case 0: return X86EMUL_OKAY;
    case 1: return X86EMUL_RETRY;
    case 2:
        x86_emul_hw_exception(e->vector, e->ec, ctxt);
        return X86EMUL_EXCEPTION;
    default: return X86EMUL_UNHANDLEABLE;
    }
}

#define P (ctxt->data)
#define DF (!!(ctxt->regs->eflags & X86_EFLAGS_DF))

static int g_insn_fetch(unsigned long off, void *buf, unsigned int bytes,
                        struct x86_emulate_ctxt *ctxt)
{
    struct dt_exc e;
    return map(dt_insn_fetch(P, off, buf, bytes, &e), &e, ctxt);
}

static int g_read(enum x86_segment seg, unsigned long off, void *buf,
                  unsigned int bytes, struct x86_emulate_ctxt *ctxt)
{
    struct dt_exc e;
    return map(dt_read(P, seg, off, buf, bytes, &e), &e, ctxt);
}

static int g_write(enum x86_segment seg, unsigned long off, void *buf,
                   unsigned int bytes, struct x86_emulate_ctxt *ctxt)
{
    struct dt_exc e;
    return map(dt_write(P, seg, off, buf, bytes, &e), &e, ctxt);
}

static int g_cmpxchg(enum x86_segment seg, unsigned long off, void *old,
                     void *new_, unsigned int bytes, bool lock,
                     struct x86_emulate_ctxt *ctxt)
{
    struct dt_exc e;
    return map(dt_cmpxchg(P, seg, off, old, new_, bytes, &e), &e, ctxt);
}

static int g_rep_ins(uint16_t port, enum x86_segment seg, unsigned long off,
                     unsigned int bpr, unsigned long *reps,
                     struct x86_emulate_ctxt *ctxt)
{
    struct dt_exc e;
    return map(dt_rep_ins(P, port, seg, off, bpr, reps, DF, &e), &e, ctxt);
}

static int g_rep_outs(enum x86_segment seg, unsigned long off, uint16_t port,
                      unsigned int bpr, unsigned long *reps,
                      struct x86_emulate_ctxt *ctxt)
{
    struct dt_exc e;
    return map(dt_rep_outs(P, seg, off, port, bpr, reps, DF, &e), &e, ctxt);
}

static int g_rep_movs(enum x86_segment sseg, unsigned long soff,
                      enum x86_segment dseg, unsigned long doff,
                      unsigned int bpr, unsigned long *reps,
                      struct x86_emulate_ctxt *ctxt)
{
    struct dt_exc e;
    return map(dt_rep_movs(P, sseg, soff, dseg, doff, bpr, reps, DF, &e), &e, ctxt);
}

static int g_rep_stos(void *val, enum x86_segment seg, unsigned long off,
                      unsigned int bpr, unsigned long *reps,
                      struct x86_emulate_ctxt *ctxt)
{
    struct dt_exc e;
    uint64_t v = 0;
    memcpy(&v, val, bpr <= 8 ? bpr : 8);
    return map(dt_rep_stos(P, v, seg, off, bpr, reps, DF, &e), &e, ctxt);
}

static int g_read_io(unsigned int port, unsigned int bytes, unsigned long *val,
                     struct x86_emulate_ctxt *ctxt)
{
    struct dt_exc e;
    uint32_t v = 0;
    int rc = map(dt_read_io(P, port, bytes, &v, &e), &e, ctxt);
    *val = v;
    return rc;
}

static int g_write_io(unsigned int port, unsigned int bytes, unsigned long val,
                      struct x86_emulate_ctxt *ctxt)
{
    struct dt_exc e;
    return map(dt_write_io(P, port, bytes, val, &e), &e, ctxt);
}

static int g_read_segment(enum x86_segment seg, struct segment_register *reg,
                          struct x86_emulate_ctxt *ctxt)
{
    struct dt_exc e;
    struct dt_seg s = { 0 };
    int rc = map(dt_read_segment(P, seg, &s, &e), &e, ctxt);
    if ( rc == X86EMUL_OKAY )
    {
        memset(reg, 0, sizeof(*reg));
        reg->sel = s.sel;
        reg->attr = s.attr;
        reg->limit = s.limit;
        reg->base = s.base;
    }
    return rc;
}

static int g_write_segment(enum x86_segment seg,
                           const struct segment_register *reg,
                           struct x86_emulate_ctxt *ctxt)
{
    struct dt_exc e;
    struct dt_seg s = { reg->sel, reg->attr, reg->limit, reg->base };
    return map(dt_write_segment(P, seg, &s, &e), &e, ctxt);
}

static int g_read_cr(unsigned int reg, unsigned long *val,
                     struct x86_emulate_ctxt *ctxt)
{
    struct dt_exc e;
    uint64_t v = 0;
    int rc = map(dt_read_cr(P, reg, &v, &e), &e, ctxt);
    *val = v;
    return rc;
}

static int g_write_cr(unsigned int reg, unsigned long val,
                      struct x86_emulate_ctxt *ctxt)
{
    struct dt_exc e;
    return map(dt_write_cr(P, reg, val, &e), &e, ctxt);
}

static int g_read_msr(unsigned int reg, uint64_t *val,
                      struct x86_emulate_ctxt *ctxt)
{
    struct dt_exc e;
    uint64_t v = 0;
    int rc = map(dt_read_msr(P, reg, &v, &e), &e, ctxt);
    *val = v;
    return rc;
}

static int g_write_msr(unsigned int reg, uint64_t val,
                       struct x86_emulate_ctxt *ctxt)
{
    struct dt_exc e;
    return map(dt_write_msr(P, reg, val, &e), &e, ctxt);
}

static int g_cpuid(uint32_t leaf, uint32_t subleaf, struct cpuid_leaf *res,
                   struct x86_emulate_ctxt *ctxt)
{
    struct dt_exc e;
    uint32_t o[4] = { 0 };
    int rc = map(dt_cpuid(P, leaf, subleaf, o, &e), &e, ctxt);
    res->a = o[0]; res->b = o[1]; res->c = o[2]; res->d = o[3];
    return rc;
}

/*
 * The FPU/SIMD paths are not part of the real-mode integer set: refuse
 * them (x86_emulate then returns UNHANDLEABLE) and never run a stub.
 * x86_emulate calls put_fpu unconditionally once get_fpu was tried.
 */
static int fpu_asked; /* get_fpu was called (under the Rust-side lock) */

static int g_get_fpu(enum x86_emulate_fpu_type type,
                     struct x86_emulate_ctxt *ctxt)
{
    fpu_asked = 1;
    return X86EMUL_UNHANDLEABLE;
}

static void g_put_fpu(struct x86_emulate_ctxt *ctxt,
                      enum x86_emulate_fpu_type backout,
                      const struct x86_emul_fpu_aux *aux)
{
}

static const struct x86_emulate_ops dt_ops = {
    .get_fpu = g_get_fpu,
    .put_fpu = g_put_fpu,
    .read = g_read,
    .insn_fetch = g_insn_fetch,
    .write = g_write,
    .cmpxchg = g_cmpxchg,
    .rep_ins = g_rep_ins,
    .rep_outs = g_rep_outs,
    .rep_movs = g_rep_movs,
    .rep_stos = g_rep_stos,
    .read_segment = g_read_segment,
    .write_segment = g_write_segment,
    .read_io = g_read_io,
    .write_io = g_write_io,
    .read_cr = g_read_cr,
    .write_cr = g_write_cr,
    .read_msr = g_read_msr,
    .write_msr = g_write_msr,
    .cpuid = g_cpuid,
};

struct dt_regs {
    uint32_t gpr[8];
    uint32_t eip, eflags;
    uint32_t addr_size, sp_size;
};

struct dt_result {
    int rc;            /* X86EMUL_* */
    int ev_pending, ev_vector, ev_type, ev_ec, ev_len;
    uint8_t retire;
    uint8_t upper_dirty; /* some register's upper 32 bits became non-zero */
    uint8_t fpu;       /* x86_emulate asked for the FPU (get_fpu) */
};

int dt_emulate(struct dt_regs *r, void *plat, struct dt_result *res)
{
    static bool inited;
    struct cpu_user_regs regs;
    struct x86_emulate_ctxt ctxt;
    int rc;

    if ( !inited )
    {
        x86_cpu_policy_fill_native(&cp);
        inited = true;
    }

    memset(&regs, 0, sizeof(regs));
    regs.rax = r->gpr[0]; regs.rcx = r->gpr[1];
    regs.rdx = r->gpr[2]; regs.rbx = r->gpr[3];
    regs.rsp = r->gpr[4]; regs.rbp = r->gpr[5];
    regs.rsi = r->gpr[6]; regs.rdi = r->gpr[7];
    regs.rip = r->eip;
    regs.rflags = r->eflags;

    memset(&ctxt, 0, sizeof(ctxt));
    ctxt.cpu_policy = &cp;
    ctxt.regs = &regs;
    ctxt.addr_size = r->addr_size;
    ctxt.sp_size = r->sp_size;
    ctxt.lma = false;
    ctxt.data = plat;

    fpu_asked = 0;
    rc = x86_emulate(&ctxt, &dt_ops);

    res->rc = rc;
    res->ev_pending = ctxt.event_pending;
    res->ev_vector = ctxt.event.vector;
    res->ev_type = ctxt.event.type;
    res->ev_ec = ctxt.event.error_code;
    res->ev_len = ctxt.event.insn_len;
    res->retire = ctxt.retire.raw;
    res->fpu = fpu_asked;
    res->upper_dirty =
        ((regs.rax | regs.rcx | regs.rdx | regs.rbx | regs.rsp | regs.rbp |
          regs.rsi | regs.rdi | regs.rip | regs.rflags) >> 32) != 0;

    r->gpr[0] = regs.rax; r->gpr[1] = regs.rcx;
    r->gpr[2] = regs.rdx; r->gpr[3] = regs.rbx;
    r->gpr[4] = regs.rsp; r->gpr[5] = regs.rbp;
    r->gpr[6] = regs.rsi; r->gpr[7] = regs.rdi;
    r->eip = regs.rip;
    r->eflags = regs.rflags;
    return rc;
}
