/* External-interrupt dispatch for the hvm-depriv guests (see irq.h). */
#include "irq.h"

volatile unsigned int irq_count[256];
volatile uint8_t irq_log[64];
volatile unsigned int irq_log_len;

static irq_handler_t irq_handlers[256];

/* 16-byte stubs for vectors 32..255, in irq-stubs.S. */
extern const char irq_stubs[];

/* Called by the stubs with the vector (regparm(0): the stub pushes it). */
void __attribute__((regparm(0), used)) irq_dispatch(unsigned int vector);
void __attribute__((regparm(0), used)) irq_dispatch(unsigned int vector)
{
    vector &= 0xff;
    irq_count[vector]++;
    irq_log[irq_log_len++ % ARRAY_SIZE(irq_log)] = vector;
    if ( irq_handlers[vector] )
        irq_handlers[vector](vector);
}

void irq_init(void)
{
    static bool done;
    unsigned int v;

    if ( done )
        return;
    for ( v = 32; v < 256; v++ )
    {
        struct xtf_idte idte = {
            .addr = (unsigned long)irq_stubs + (v - 32) * 16,
            .cs = __KERN_CS,
            .dpl = 0,
        };

        xtf_set_idte(v, &idte);
    }
    done = true;
}

void irq_set_handler(unsigned int vector, irq_handler_t fn)
{
    irq_init();
    if ( vector >= 32 && vector < 256 )
        irq_handlers[vector] = fn;
}
