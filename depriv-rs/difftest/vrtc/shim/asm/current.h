#include "../xen-shim.h"
extern struct vcpu *shim_current;
#define current shim_current
