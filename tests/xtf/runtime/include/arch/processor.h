#ifndef XTF_X86_PROCESSOR_H
#define XTF_X86_PROCESSOR_H

/* Exception vectors (Intel SDM vol. 3 table 6-1). */
#define X86_EXC_DE  0
#define X86_EXC_DB  1
#define X86_EXC_NMI 2
#define X86_EXC_BP  3
#define X86_EXC_OF  4
#define X86_EXC_BR  5
#define X86_EXC_UD  6
#define X86_EXC_NM  7
#define X86_EXC_DF  8
#define X86_EXC_TS  10
#define X86_EXC_NP  11
#define X86_EXC_SS  12
#define X86_EXC_GP  13
#define X86_EXC_PF  14
#define X86_EXC_MF  16
#define X86_EXC_AC  17
#define X86_EXC_MC  18
#define X86_EXC_XM  19

/* Exceptions which push an error code. */
#define X86_EXC_HAVE_EC ((1u << X86_EXC_DF) | (1u << X86_EXC_TS) |      \
                         (1u << X86_EXC_NP) | (1u << X86_EXC_SS) |      \
                         (1u << X86_EXC_GP) | (1u << X86_EXC_PF) |      \
                         (1u << X86_EXC_AC) | (1u << 21) | (1u << 29) | \
                         (1u << 30))

#define X86_EFLAGS_CF   0x00000001
#define X86_EFLAGS_MBS  0x00000002
#define X86_EFLAGS_PF   0x00000004
#define X86_EFLAGS_AF   0x00000010
#define X86_EFLAGS_ZF   0x00000040
#define X86_EFLAGS_SF   0x00000080
#define X86_EFLAGS_TF   0x00000100
#define X86_EFLAGS_IF   0x00000200
#define X86_EFLAGS_DF   0x00000400
#define X86_EFLAGS_OF   0x00000800
#define X86_EFLAGS_IOPL 0x00003000
#define X86_EFLAGS_NT   0x00004000
#define X86_EFLAGS_RF   0x00010000
#define X86_EFLAGS_VM   0x00020000
#define X86_EFLAGS_AC   0x00040000
#define X86_EFLAGS_ID   0x00200000

#define X86_CR0_PE 0x00000001
#define X86_CR0_MP 0x00000002
#define X86_CR0_EM 0x00000004
#define X86_CR0_TS 0x00000008
#define X86_CR0_ET 0x00000010
#define X86_CR0_NE 0x00000020
#define X86_CR0_WP 0x00010000
#define X86_CR0_AM 0x00040000
#define X86_CR0_PG 0x80000000

#define X86_CR4_PSE 0x00000010
#define X86_CR4_PAE 0x00000020

#endif /* XTF_X86_PROCESSOR_H */
