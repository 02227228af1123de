#ifndef XTF_X86_SEGMENT_H
#define XTF_X86_SEGMENT_H

/*
 * GDT layout of the hvm32 runtime (arch/x86/hvm32/head.S).  The 16-bit
 * entries serve the real-mode switch (<xtf/realmode.h>).
 */
#define GDTE_CS32_DPL0  1
#define GDTE_DS32_DPL0  2
#define GDTE_CS16_REAL  3   /* base REALMODE_BASE, limit 64K, 16-bit */
#define GDTE_DS16_REAL  4   /* base 0, limit 64K: real-mode data caches */
#define GDTE_DS16_UNREAL 5  /* base 0, limit 4G: "unreal" data caches */
#define NR_GDT_ENTRIES  6

#define __KERN_CS (GDTE_CS32_DPL0 << 3)
#define __KERN_DS (GDTE_DS32_DPL0 << 3)
#define __USER_DS __KERN_DS

#endif /* XTF_X86_SEGMENT_H */
