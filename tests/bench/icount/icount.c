/*
 * icount: a QEMU TCG plugin counting the instructions the emulated machine
 * executes, by address range, inside windows its guest opens and closes
 * with marker instructions.  Built by tests/bench/icount/build.sh against
 * the plugin header of the installed QEMU's source (never kept in the
 * repository); loaded with
 *   -plugin libicount.so,out=FILE,xen=A-B,hyp=A-B,payload=A-B[,payload2=A-B],entry=A
 * (addresses in hex, ranges half-open) by tests/bench/40-xen-icount.py.
 *
 * Classes, by the instruction's virtual address (QEMU's pc: CS base + IP):
 *   payload    the payload's text where it runs (payload=: its ring-3
 *              alias; payload2=: the same bytes in Xen's image)
 *   xen        Xen's text (_stext.._etext of xen-syms)
 *   xen_other  the rest of Xen's virtual range (hyp=: the per-CPU stubs
 *              the syscall entry goes through, ...)
 *   other      everything else: the guest being measured, dom0
 * plus two events: calls, executions of the payload's entry point
 * (entry=); syscalls, SYSCALL instructions executed in the payload.
 *
 * Every instruction but a marker gets an inline add to its class's
 * counter (exact: the add runs before the instruction, so an instruction
 * that exits to the hypervisor mid-block, like an intercepted OUT, is
 * counted, and those after it are not).  A marker is
 *   [66|67 prefixes] 0f 1f 80 <disp32>   (nopl disp32(%eax))
 * with disp32 = 0x4943xyyy ("IC"): x = 1 start a window for operation yyy,
 * x = 2 end it, x = 3 take yyy instructions back off "other" (a spin loop
 * the window must not count).  It gets a callback instead of a count.  At
 * the end of a window the plugin appends one line to the out= file:
 *   W op=OP n=N vcpu=V xen=.. xen_other=.. payload=.. other=.. calls=.. syscalls=..
 * (n: the window's number among those of OP).  Counters are global: the
 * bench runs the machine with one CPU (one vCPU thread).
 *
 * profile=N adds, for the windows N..N+PROFILE_WINDOWS-1 of each
 * operation, where in Xen and the payload the window's instructions ran:
 *   P op=OP n=N VA:COUNT VA:COUNT ...
 * (each Xen/payload instruction gets a counter slot of its own at
 * translation, read at the window's two ends).
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <qemu-plugin.h>

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

enum { C_XEN, C_XEN_OTHER, C_PAYLOAD, C_OTHER, C_CALLS, C_SYSCALLS, C_NR };
static const char *const class_name[C_NR] = {
    "xen", "xen_other", "payload", "other", "calls", "syscalls",
};

#define IC_MAGIC    0x49430000u
#define IC_START    0x1
#define IC_STOP     0x2
#define IC_UNCOUNT  0x3
#define MAX_OPS     4096
#define PROFILE_WINDOWS 4
#define SLOT_CHUNK  65536
#define MAX_CHUNKS  1024

struct range { uint64_t lo, hi; };

static struct range r_xen, r_hyp, r_payload, r_payload2;
static uint64_t entry_va = UINT64_MAX;
static FILE *out;

static uint64_t cnt[C_NR];
static uint64_t at_start[C_NR];
static bool open_window;
static unsigned int cur_op, open_vcpu;
static unsigned int windows[MAX_OPS];
static uint64_t n_markers, n_nested, n_stray;

/* profile=: per-instruction counters of Xen's and the payload's code. */
struct slot { uint64_t va, count; };
static long profile_from = -1;
static struct slot *chunks[MAX_CHUNKS];  /* never moved: inline ops point in */
static size_t n_slots;
static bool prof_open;                  /* the open window is profiled */
static uint64_t *snap;                  /* counts at the window's start */
static size_t snap_n, snap_cap;

static struct slot *slot_at(size_t i)
{
    return &chunks[i / SLOT_CHUNK][i % SLOT_CHUNK];
}

static struct slot *new_slot(uint64_t va)
{
    size_t c = n_slots / SLOT_CHUNK;

    if ( c >= MAX_CHUNKS )
        return NULL;
    if ( !chunks[c] && !(chunks[c] = calloc(SLOT_CHUNK, sizeof(struct slot))) )
        return NULL;
    slot_at(n_slots)->va = va;
    return slot_at(n_slots++);
}

static bool profiling(unsigned int op)
{
    return profile_from >= 0 && windows[op] >= profile_from &&
           windows[op] < profile_from + PROFILE_WINDOWS;
}

static void profile_start(void)
{
    size_t i;

    if ( n_slots > snap_cap )
    {
        uint64_t *p = realloc(snap, n_slots * 2 * sizeof(*snap));

        if ( !p )
        {
            snap_n = 0;
            return;
        }
        snap = p;
        snap_cap = n_slots * 2;
    }
    for ( i = 0; i < n_slots; i++ )
        snap[i] = slot_at(i)->count;
    snap_n = n_slots;
}

static void profile_stop(unsigned int op, unsigned int n)
{
    size_t i;

    fprintf(out, "P op=%u n=%u", op, n);
    for ( i = 0; i < n_slots; i++ )
    {
        uint64_t d = slot_at(i)->count - (i < snap_n ? snap[i] : 0);

        if ( d )
            fprintf(out, " %" PRIx64 ":%" PRIu64, slot_at(i)->va, d);
    }
    fprintf(out, "\n");
}

static bool in(const struct range *r, uint64_t va)
{
    return va >= r->lo && va < r->hi;
}

static int classify(uint64_t va)
{
    if ( in(&r_payload, va) || in(&r_payload2, va) )
        return C_PAYLOAD;
    if ( in(&r_xen, va) )
        return C_XEN;
    if ( in(&r_hyp, va) )
        return C_XEN_OTHER;
    return C_OTHER;
}

/* A marker's disp32 (0x4943xyyy), or 0. */
static uint32_t marker(const uint8_t *b, size_t len)
{
    size_t i = 0;
    uint32_t disp;

    while ( i < len && (b[i] == 0x66 || b[i] == 0x67) )
        i++;
    if ( len - i != 7 || b[i] != 0x0f || b[i + 1] != 0x1f || b[i + 2] != 0x80 )
        return 0;
    disp = b[i + 3] | (b[i + 4] << 8) | (b[i + 5] << 16) | ((uint32_t)b[i + 6] << 24);
    return (disp & 0xffff0000u) == IC_MAGIC ? disp : 0;
}

static void on_marker(unsigned int vcpu, void *udata)
{
    uint32_t m = (uint32_t)(uintptr_t)udata;
    unsigned int cmd = (m >> 12) & 0xf, arg = m & 0xfff;
    int c;

    n_markers++;
    switch ( cmd )
    {
    case IC_START:
        if ( open_window )
            n_nested++;
        memcpy(at_start, cnt, sizeof(cnt));
        open_window = true;
        cur_op = arg;
        open_vcpu = vcpu;
        prof_open = profiling(cur_op);
        if ( prof_open )
            profile_start();
        break;
    case IC_STOP:
        if ( !open_window )
        {
            n_stray++;
            break;
        }
        open_window = false;
        fprintf(out, "W op=%u n=%u vcpu=%u", cur_op, windows[cur_op]++, vcpu);
        for ( c = 0; c < C_NR; c++ )
            fprintf(out, " %s=%" PRIu64, class_name[c], cnt[c] - at_start[c]);
        fprintf(out, "%s\n", vcpu != open_vcpu ? " vcpu_changed=1" : "");
        if ( prof_open )
            profile_stop(cur_op, windows[cur_op] - 1);
        break;
    case IC_UNCOUNT:
        cnt[C_OTHER] -= arg;
        break;
    default:
        n_stray++;
    }
}

/* The payload's entry point: a call; SYSCALL there: a syscall. */
static void on_special(unsigned int vcpu, void *udata)
{
    uintptr_t what = (uintptr_t)udata;

    cnt[C_PAYLOAD]++;
    if ( what & 1 )
        cnt[C_CALLS]++;
    if ( what & 2 )
        cnt[C_SYSCALLS]++;
}

static void on_tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
    size_t n = qemu_plugin_tb_n_insns(tb), i;

    for ( i = 0; i < n; i++ )
    {
        struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
        uint64_t va = qemu_plugin_insn_vaddr(insn);
        const uint8_t *b = qemu_plugin_insn_data(insn);
        size_t len = qemu_plugin_insn_size(insn);
        uint32_t m = marker(b, len);
        int c;

        if ( m )
        {
            qemu_plugin_register_vcpu_insn_exec_cb(insn, on_marker, QEMU_PLUGIN_CB_NO_REGS,
                                                   (void *)(uintptr_t)m);
            continue;
        }
        c = classify(va);
        if ( profile_from >= 0 && (c == C_XEN || c == C_PAYLOAD) )
        {
            struct slot *sl = new_slot(va);

            if ( sl )
                qemu_plugin_register_vcpu_insn_exec_inline(insn, QEMU_PLUGIN_INLINE_ADD_U64,
                                                           &sl->count, 1);
        }
        if ( c == C_PAYLOAD && (va == entry_va || (len == 2 && b[0] == 0x0f && b[1] == 0x05)) )
        {
            uintptr_t what = (va == entry_va ? 1 : 0) |
                             (len == 2 && b[0] == 0x0f && b[1] == 0x05 ? 2 : 0);

            qemu_plugin_register_vcpu_insn_exec_cb(insn, on_special, QEMU_PLUGIN_CB_NO_REGS,
                                                   (void *)what);
            continue;
        }
        qemu_plugin_register_vcpu_insn_exec_inline(insn, QEMU_PLUGIN_INLINE_ADD_U64,
                                                   &cnt[c], 1);
    }
}

static void on_atexit(qemu_plugin_id_t id, void *p)
{
    int c;

    fprintf(out, "T markers=%" PRIu64 " nested=%" PRIu64 " stray=%" PRIu64 "%s",
            n_markers, n_nested, n_stray, open_window ? " open=1" : "");
    for ( c = 0; c < C_NR; c++ )
        fprintf(out, " %s=%" PRIu64, class_name[c], cnt[c]);
    fprintf(out, "\n");
    fclose(out);
}

static bool parse_range(const char *v, struct range *r)
{
    char *end;

    r->lo = strtoull(v, &end, 16);
    if ( *end != '-' )
        return false;
    r->hi = strtoull(end + 1, &end, 16);
    return !*end && r->lo <= r->hi;
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info,
                                           int argc, char **argv)
{
    const char *path = NULL;
    int i;

    for ( i = 0; i < argc; i++ )
    {
        char *v = strchr(argv[i], '=');
        bool ok = v != NULL;

        if ( ok )
        {
            size_t k = v++ - argv[i];

            if ( !strncmp(argv[i], "out", k) && k == 3 )
                path = v;
            else if ( !strncmp(argv[i], "xen", k) && k == 3 )
                ok = parse_range(v, &r_xen);
            else if ( !strncmp(argv[i], "hyp", k) && k == 3 )
                ok = parse_range(v, &r_hyp);
            else if ( !strncmp(argv[i], "payload", k) && k == 7 )
                ok = parse_range(v, &r_payload);
            else if ( !strncmp(argv[i], "payload2", k) && k == 8 )
                ok = parse_range(v, &r_payload2);
            else if ( !strncmp(argv[i], "entry", k) && k == 5 )
                entry_va = strtoull(v, NULL, 16);
            else if ( !strncmp(argv[i], "profile", k) && k == 7 )
                profile_from = strtol(v, NULL, 10);
            else
                ok = false;
        }
        if ( !ok )
        {
            fprintf(stderr, "icount: bad argument '%s'\n", argv[i]);
            return -1;
        }
    }
    if ( !path || !(out = fopen(path, "w")) )
    {
        fprintf(stderr, "icount: out=FILE missing or not writable\n");
        return -1;
    }
    setvbuf(out, NULL, _IOLBF, 0);
    fprintf(out, "I xen=%" PRIx64 "-%" PRIx64 " hyp=%" PRIx64 "-%" PRIx64
            " payload=%" PRIx64 "-%" PRIx64 " payload2=%" PRIx64 "-%" PRIx64
            " entry=%" PRIx64 " vcpus=%d\n",
            r_xen.lo, r_xen.hi, r_hyp.lo, r_hyp.hi, r_payload.lo, r_payload.hi,
            r_payload2.lo, r_payload2.hi, entry_va,
            info->system_emulation ? info->system.smp_vcpus : 1);
    qemu_plugin_register_vcpu_tb_trans_cb(id, on_tb_trans);
    qemu_plugin_register_atexit_cb(id, on_atexit, NULL);
    return 0;
}
