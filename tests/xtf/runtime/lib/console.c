/*
 * Console: printk() formats into a line buffer and writes it to port 0xE9,
 * which Xen's hvm_print_line() collects per line and prints on its own
 * console as "(dN) text" (guest_loglvl=all).
 */
#include <xtf.h>

#define XEN_HVM_DEBUGCONS_IOPORT 0xe9

static void put_str(const char *s, size_t len)
{
    rep_outsb(s, len, XEN_HVM_DEBUGCONS_IOPORT);
}

/* 64-bit unsigned division by a small base without libgcc's __udivdi3. */
static unsigned int divmod64(uint64_t *n, unsigned int base)
{
    uint64_t q = 0, r = 0;
    int i;

    for ( i = 63; i >= 0; i-- )
    {
        r = (r << 1) | ((*n >> i) & 1);
        if ( r >= base )
        {
            r -= base;
            q |= 1ull << i;
        }
    }
    *n = q;
    return r;
}

struct out {
    char *buf;
    size_t size, len;
};

static void emit(struct out *o, char c)
{
    if ( o->len + 1 < o->size )
        o->buf[o->len] = c;
    o->len++;
}

static void emit_num(struct out *o, uint64_t v, unsigned int base, bool upper,
                     bool neg, bool alt, int width, char pad)
{
    char tmp[24];
    int n = 0, prefix = 0;
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";

    do {
        tmp[n++] = digits[divmod64(&v, base)];
    } while ( v );

    if ( neg )
        prefix = 1;
    else if ( alt && base == 16 )
        prefix = 2;

    if ( pad == '0' )
    {
        if ( neg )
            emit(o, '-');
        else if ( prefix == 2 )
        {
            emit(o, '0');
            emit(o, 'x');
        }
        for ( ; width > n + prefix; width-- )
            emit(o, '0');
    }
    else
    {
        for ( ; width > n + prefix; width-- )
            emit(o, ' ');
        if ( neg )
            emit(o, '-');
        else if ( prefix == 2 )
        {
            emit(o, '0');
            emit(o, 'x');
        }
    }
    while ( n )
        emit(o, tmp[--n]);
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list args)
{
    struct out o = { buf, size, 0 };

    for ( ; *fmt; fmt++ )
    {
        bool alt = false, left = false;
        char pad = ' ';
        int width = 0, lng = 0;

        if ( *fmt != '%' )
        {
            emit(&o, *fmt);
            continue;
        }
        fmt++;
        for ( ;; fmt++ )
        {
            if ( *fmt == '#' )
                alt = true;
            else if ( *fmt == '0' )
                pad = '0';
            else if ( *fmt == '-' )
                left = true;
            else
                break;
        }
        while ( *fmt >= '0' && *fmt <= '9' )
            width = width * 10 + (*fmt++ - '0');
        for ( ;; fmt++ )
        {
            if ( *fmt == 'l' )
                lng++;
            else if ( *fmt == 'h' || *fmt == 'z' )
                ;
            else
                break;
        }

        switch ( *fmt )
        {
        case 'd': case 'i':
        {
            int64_t v = lng >= 2 ? va_arg(args, long long) : va_arg(args, long);

            emit_num(&o, v < 0 ? -(uint64_t)v : (uint64_t)v, 10, false, v < 0,
                     false, width, pad);
            break;
        }
        case 'u': case 'x': case 'X': case 'o':
        {
            uint64_t v = lng >= 2 ? va_arg(args, unsigned long long)
                                  : va_arg(args, unsigned long);

            emit_num(&o, v, *fmt == 'u' ? 10 : *fmt == 'o' ? 8 : 16,
                     *fmt == 'X', false, alt, width, pad);
            break;
        }
        case 'p':
            emit_num(&o, (unsigned long)va_arg(args, void *), 16, false, false,
                     true, 10, '0');
            break;
        case 'c':
            emit(&o, (char)va_arg(args, int));
            break;
        case 's':
        {
            const char *s = va_arg(args, const char *);
            int n;

            if ( !s )
                s = "(null)";
            n = strlen(s);
            if ( !left )
                for ( ; width > n; width-- )
                    emit(&o, ' ');
            while ( *s )
                emit(&o, *s++);
            for ( ; width > n; width-- )
                emit(&o, ' ');
            break;
        }
        case '%':
            emit(&o, '%');
            break;
        case '\0':
            fmt--;
            break;
        default:
            emit(&o, '%');
            emit(&o, *fmt);
            break;
        }
    }

    if ( o.size )
        o.buf[o.len < o.size ? o.len : o.size - 1] = '\0';
    return o.len;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list args;
    int rc;

    va_start(args, fmt);
    rc = vsnprintf(buf, size, fmt, args);
    va_end(args);
    return rc;
}

void vprintk(const char *fmt, va_list args)
{
    char buf[256];
    int n = vsnprintf(buf, sizeof(buf), fmt, args);

    put_str(buf, n < (int)sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

void printk(const char *fmt, ...)
{
    va_list args;

    va_start(args, fmt);
    vprintk(fmt, args);
    va_end(args);
}
