/* shim: rtc.c needs nothing from asm/io.h (mc146818rtc.h includes it). */
#include "../xen-shim.h"
