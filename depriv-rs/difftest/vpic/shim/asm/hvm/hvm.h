/* Shadows Xen's <asm/hvm/hvm.h> for the host build of vpic.c: everything it
 * needs is in prelude.h (force-included). */
