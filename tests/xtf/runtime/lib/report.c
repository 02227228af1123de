#include <xtf.h>

enum test_status {
    STATUS_RUNNING,
    STATUS_SUCCESS,
    STATUS_SKIP,
    STATUS_ERROR,
    STATUS_FAILURE,
};

static const char *const status_name[] = {
    [STATUS_RUNNING] = "RUNNING",
    [STATUS_SUCCESS] = "SUCCESS",
    [STATUS_SKIP]    = "SKIP",
    [STATUS_ERROR]   = "ERROR",
    [STATUS_FAILURE] = "FAILURE",
};

static enum test_status status;
static bool warnings;

static void set_status(enum test_status s)
{
    if ( s > status )
        status = s;
}

#define REPORT(name, st)                        \
void name(const char *fmt, ...)                 \
{                                               \
    set_status(st);                             \
    if ( fmt )                                  \
    {                                           \
        va_list args;                           \
        va_start(args, fmt);                    \
        vprintk(fmt, args);                     \
        va_end(args);                           \
    }                                           \
}

REPORT(xtf_success, STATUS_SUCCESS)
REPORT(xtf_skip, STATUS_SKIP)
REPORT(xtf_error, STATUS_ERROR)
REPORT(xtf_failure, STATUS_FAILURE)

void xtf_warning(const char *fmt, ...)
{
    warnings = true;
    if ( fmt )
    {
        va_list args;

        va_start(args, fmt);
        vprintk(fmt, args);
        va_end(args);
    }
}

bool xtf_status_reported(void)
{
    return status != STATUS_RUNNING;
}

void xtf_report_status(void)
{
    if ( status == STATUS_RUNNING )
    {
        printk("Test did not report a status\n");
        status = STATUS_ERROR;
    }
    if ( warnings )
        printk("Test had warnings\n");
    printk("Test result: %s\n", status_name[status]);
}

void xtf_exit(void)
{
    xtf_report_status();
    hypercall_shutdown(SHUTDOWN_poweroff);
    for ( ;; )
        asm volatile ("cli; hlt");
}

void panic(const char *fmt, ...)
{
    va_list args;

    asm volatile ("cli" ::: "memory");
    printk("******************************\n");
    printk("PANIC: ");
    va_start(args, fmt);
    vprintk(fmt, args);
    va_end(args);
    printk("******************************\n");
    status = STATUS_RUNNING;
    set_status(STATUS_ERROR);
    printk("Test result: ERROR\n");
    hypercall_shutdown(SHUTDOWN_crash);
    for ( ;; )
        asm volatile ("cli; hlt");
}
