/* Shadows Xen's <asm/hvm/io.h> for the host build of vpic.c: everything it
 * needs is in prelude.h (force-included). */
