#include "../../xen-shim.h"
/* Only the index rtc.c reads (value of public/hvm/params.h). */
#define HVM_PARAM_VPT_ALIGN 16
