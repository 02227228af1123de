#ifndef XTF_X86_SEGMENT_H
#define XTF_X86_SEGMENT_H

/* GDT layout of the hvm32 runtime (arch/x86/hvm32/head.S). */
#define GDTE_CS32_DPL0  1
#define GDTE_DS32_DPL0  2
#define NR_GDT_ENTRIES  3

#define __KERN_CS (GDTE_CS32_DPL0 << 3)
#define __KERN_DS (GDTE_DS32_DPL0 << 3)
#define __USER_DS __KERN_DS

#endif /* XTF_X86_SEGMENT_H */
