/*
 * triple-fault: a guest Xen must take down — for the harness's own checks
 * of the "crash" expectation and of concurrent guests (a victim next to a
 * bystander).  An empty IDT turns the first exception into a triple fault;
 * Xen logs "Triple fault - invoking HVM shutdown action" and shuts the
 * domain down (on_reboot="destroy" in the harness's config).
 */
#include <xtf.h>

const char test_title[] = "Triple fault (expected to be killed by Xen)";

void test_main(void)
{
    desc_ptr empty = { 0, 0 };

    printk("Loading an empty IDT and faulting\n");
    lidt(&empty);
    asm volatile ("ud2");
    xtf_failure("Fail: survived a triple fault\n");
}
