#include "../xen-shim.h"
/* Tracing is not behaviour. */
#define TRACE_0D(e) ((void)0)
#define TRACE_2D(e, a, b) ((void)(a), (void)(b))
