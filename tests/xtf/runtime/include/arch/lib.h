#ifndef XTF_X86_LIB_H
#define XTF_X86_LIB_H

#include <xtf/types.h>
#include <xtf/compiler.h>
#include <xen/xen.h>

static inline void cpuid_count(uint32_t leaf, uint32_t subleaf, uint32_t *eax,
                               uint32_t *ebx, uint32_t *ecx, uint32_t *edx)
{
    asm volatile ("cpuid" : "=a" (*eax), "=b" (*ebx), "=c" (*ecx), "=d" (*edx)
                  : "0" (leaf), "2" (subleaf));
}

static inline void cpuid(uint32_t leaf, uint32_t *eax, uint32_t *ebx,
                         uint32_t *ecx, uint32_t *edx)
{
    cpuid_count(leaf, 0, eax, ebx, ecx, edx);
}

static inline uint32_t cpuid_eax(uint32_t leaf)
{
    uint32_t a, b, c, d;

    cpuid(leaf, &a, &b, &c, &d);
    return a;
}

static inline uint32_t cpuid_ebx(uint32_t leaf)
{
    uint32_t a, b, c, d;

    cpuid(leaf, &a, &b, &c, &d);
    return b;
}

static inline uint8_t inb(uint16_t port)
{
    uint8_t val;

    asm volatile ("inb %w1, %b0" : "=a" (val) : "Nd" (port));
    return val;
}

static inline uint16_t inw(uint16_t port)
{
    uint16_t val;

    asm volatile ("inw %w1, %w0" : "=a" (val) : "Nd" (port));
    return val;
}

static inline uint32_t inl(uint16_t port)
{
    uint32_t val;

    asm volatile ("inl %w1, %k0" : "=a" (val) : "Nd" (port));
    return val;
}

static inline void outb(uint8_t val, uint16_t port)
{
    asm volatile ("outb %b0, %w1" :: "a" (val), "Nd" (port));
}

static inline void outw(uint16_t val, uint16_t port)
{
    asm volatile ("outw %w0, %w1" :: "a" (val), "Nd" (port));
}

static inline void outl(uint32_t val, uint16_t port)
{
    asm volatile ("outl %k0, %w1" :: "a" (val), "Nd" (port));
}

static inline void rep_outsb(const char *buf, size_t len, uint16_t port)
{
    asm volatile ("rep outsb" : "+S" (buf), "+c" (len) : "d" (port));
}

static inline void rep_insb(char *buf, size_t len, uint16_t port)
{
    asm volatile ("rep insb" : "+D" (buf), "+c" (len) : "d" (port) : "memory");
}

static inline unsigned int read_cs(void)
{
    unsigned int cs;

    asm volatile ("mov %%cs, %0" : "=r" (cs));
    return cs;
}

static inline unsigned int read_ss(void)
{
    unsigned int ss;

    asm volatile ("mov %%ss, %0" : "=r" (ss));
    return ss;
}

static inline unsigned long read_flags(void)
{
    unsigned long flags;

    asm volatile ("pushf; pop %0" : "=rm" (flags));
    return flags;
}

static inline void write_flags(unsigned long flags)
{
    asm volatile ("push %0; popf" :: "irm" (flags) : "cc", "memory");
}

static inline unsigned long read_cr0(void)
{
    unsigned long cr0;

    asm volatile ("mov %%cr0, %0" : "=r" (cr0));
    return cr0;
}

static inline unsigned long read_cr4(void)
{
    unsigned long cr4;

    asm volatile ("mov %%cr4, %0" : "=r" (cr4));
    return cr4;
}

static inline void write_cr0(unsigned long cr0)
{
    asm volatile ("mov %0, %%cr0" :: "r" (cr0) : "memory");
}

static inline uint64_t rdmsr(uint32_t idx)
{
    uint32_t lo, hi;

    asm volatile ("rdmsr" : "=a" (lo), "=d" (hi) : "c" (idx));
    return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t idx, uint64_t val)
{
    asm volatile ("wrmsr" :: "c" (idx), "a" ((uint32_t)val),
                  "d" ((uint32_t)(val >> 32)));
}

typedef struct __packed {
    uint16_t limit;
    uint32_t base;
} desc_ptr;

static inline void lidt(const desc_ptr *p) { asm volatile ("lidt %0" :: "m" (*p)); }
static inline void sidt(desc_ptr *p) { asm volatile ("sidt %0" : "=m" (*p)); }
static inline void lgdt(const desc_ptr *p) { asm volatile ("lgdt %0" :: "m" (*p)); }
static inline void sgdt(desc_ptr *p) { asm volatile ("sgdt %0" : "=m" (*p)); }

#endif /* XTF_X86_LIB_H */
