#ifndef SHIM_SCHED_H
#define SHIM_SCHED_H
#include "../xen-shim.h"
#include <xen/time.h>
/* For common/time.c: one domain, its shared info in struct domain. */
extern struct domain *shim_domain;
#define shared_info(d, field) ((d)->shinfo.field)
uint32_t shim_version_update_begin(struct domain *d, uint32_t v);
#define version_update_begin(v) shim_version_update_begin(d, v)
#define version_update_end(v) ((v) + 1)
#define rcu_read_lock(l) ((void)0)
#define rcu_read_unlock(l) ((void)0)
#define domlist_read_lock 0
#define for_each_domain(_d) for ( (_d) = shim_domain; (_d); (_d) = NULL )
#endif
