#ifndef XTF_XEN_XEN_H
#define XTF_XEN_XEN_H

/*
 * Xen's forced emulation prefix: with hvm_fep=1 on a CONFIG_HVM_FEP Xen,
 * "ud2; .ascii \"xen\"" before an instruction makes Xen's #UD intercept
 * (hvm_ud_intercept()) skip the prefix and run the instruction through its
 * x86 emulator instead of the CPU.
 */
#ifdef __ASSEMBLY__
#define _ASM_XEN_FEP ud2a; .ascii "xen";
#else
#define _ASM_XEN_FEP "ud2a; .ascii \"xen\";"
#endif

#define __HYPERVISOR_memory_op        12
#define __HYPERVISOR_set_timer_op     15
#define __HYPERVISOR_xen_version 17
#define __HYPERVISOR_sched_op    29
#define __HYPERVISOR_event_channel_op 32
#define __HYPERVISOR_hvm_op      34

#define DOMID_SELF 0x7ff0

#endif /* XTF_XEN_XEN_H */
