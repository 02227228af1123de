/* Shadows Xen's <xen/bitops.h>: ffs() is in prelude.h (force-included). */
