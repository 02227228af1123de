#ifndef XTF_X86_IDT_H
#define XTF_X86_IDT_H

/* First vector free for tests. */
#define X86_VEC_AVAIL 0x21

#ifndef __ASSEMBLY__
struct xtf_idte
{
    unsigned long addr;
    unsigned int cs, dpl;
};

/* Point IDT entry @vector at a raw handler (an interrupt gate). */
int xtf_set_idte(unsigned int vector, const struct xtf_idte *idte);
#endif

#endif /* XTF_X86_IDT_H */
