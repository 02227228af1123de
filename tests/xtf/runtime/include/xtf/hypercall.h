#ifndef XTF_HYPERCALL_H
#define XTF_HYPERCALL_H

#include <xtf/types.h>

/* Hypercall page, filled by Xen once its MSR is written (lib/hypercall.c). */
extern uint8_t hypercall_page[4096];

long hypercall_sched_op(unsigned int cmd, void *arg);
long hypercall_xen_version(unsigned int cmd, void *arg);
long hypercall_hvm_op(unsigned int cmd, void *arg);
long hypercall_memory_op(unsigned int cmd, void *arg);
long hypercall_event_channel_op(unsigned int cmd, void *arg);
/* @timeout: Xen system time in ns (absolute), 0 to cancel. */
void hypercall_shutdown(unsigned int reason);

#define SCHEDOP_yield     0
#define SCHEDOP_shutdown  2
#define SHUTDOWN_poweroff 0
#define SHUTDOWN_reboot   1
#define SHUTDOWN_suspend  2
#define SHUTDOWN_crash    3

#endif /* XTF_HYPERCALL_H */
