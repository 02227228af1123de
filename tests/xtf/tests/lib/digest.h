/*
 * A digest of what a guest observed, printed as one line "DIGEST <hex>"
 * (16 hex digits) that the test steps compare across Xen configurations
 * (hvm_depriv=0/1, unrestricted_guest=1/0): the same guest must see the
 * same results whoever emulates its instructions and devices.  Only
 * deterministic results go in (no times, dates or counts of timer ticks).
 * FNV-1a, 64 bits: collisions do not matter here, a changed byte does.
 */
#ifndef DEPRIV_LIB_DIGEST_H
#define DEPRIV_LIB_DIGEST_H

#include <xtf.h>

struct digest {
    uint64_t h;
    unsigned int items;
};

static inline void digest_init(struct digest *d)
{
    d->h = 0xcbf29ce484222325ull;
    d->items = 0;
}

static inline void digest_bytes(struct digest *d, const void *p, size_t len)
{
    const uint8_t *b = p;
    size_t i;

    for ( i = 0; i < len; i++ )
    {
        d->h ^= b[i];
        d->h *= 0x100000001b3ull;
    }
    d->items++;
}

static inline void digest_u32(struct digest *d, uint32_t v)
{
    digest_bytes(d, &v, sizeof(v));
}

static inline void digest_print(const struct digest *d)
{
    printk("DIGEST %08x%08x\n", (unsigned int)(d->h >> 32), (unsigned int)d->h);
    printk("  (%u items)\n", d->items);
}

#endif /* DEPRIV_LIB_DIGEST_H */
