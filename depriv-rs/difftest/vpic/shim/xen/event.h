/* Shadows Xen's <xen/event.h> for the host build of vpic.c: everything it
 * needs is in prelude.h (force-included). */
