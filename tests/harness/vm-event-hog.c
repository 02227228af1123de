/*
 * vm-event-hog DOMID: make DOMID's vm_event monitor ring fill up and stay
 * full.  Enables the monitor ring (xc_monitor_enable) and asynchronous
 * monitoring of CR0 writes (onchangeonly off, no mask: every write that
 * changes CR0 makes an event), then exits without ever consuming a request or sending a
 * response: the ring stays enabled in Xen, and after its 8 slots are used
 * the guest's vCPUs that write CR0 must wait for one that never comes.
 *
 * Used by the harness (a plan line "monitor NAME", see tests/harness/init)
 * to check that a guest vCPU waiting for a full ring from inside the
 * deprivileged real-mode emulator neither hangs nor crashes Xen.
 * Built against Debian's libxenctrl by scripts/build-dom0.sh.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <xenctrl.h>
#include <xen/vm_event.h>

int main(int argc, char **argv)
{
    xc_interface *xch;
    uint32_t domid, port;
    void *ring;
    char *end;

    if ( argc != 2 || !*argv[1] ||
         (domid = strtoul(argv[1], &end, 0), *end) )
    {
        fprintf(stderr, "usage: %s DOMID\n", argv[0]);
        return 2;
    }

    xch = xc_interface_open(NULL, NULL, 0);
    if ( !xch )
    {
        perror("xc_interface_open");
        return 1;
    }

    ring = xc_monitor_enable(xch, domid, &port);
    if ( !ring )
    {
        perror("xc_monitor_enable");
        return 1;
    }

    /* Enable, asynchronous (sync false), no mask, onchangeonly false. */
    if ( xc_monitor_write_ctrlreg(xch, domid, VM_EVENT_X86_CR0, true, false,
                                  0, false) )
    {
        perror("xc_monitor_write_ctrlreg");
        return 1;
    }

    printf("vm-event-hog: d%u: monitor ring enabled (port %u), CR0 writes monitored, never consumed\n",
           domid, port);

    /* The mapping goes with the process; Xen keeps the ring enabled. */
    xc_interface_close(xch);

    return 0;
}
