/*
 * rtc-uie: wait for N RTC update interrupts through /dev/rtc0, as a program
 * using the RTC does (rtc(4): RTC_UIE_ON, then each read() blocks until the
 * next interrupt).  The rtc-cmos driver makes them with the chip's alarm
 * (alarm registers + REG_B AIE), an IRQ 8 through the slave 8259 and the
 * cascade (or none, for an alarm due before it was programmed: see init).  No libc (the guest initramfs has only busybox): raw
 * x86-64 Linux system calls.  Exit status: 0 after N interrupts, 1 open
 * failed, 2 RTC_UIE_ON failed, 3 read failed.
 *
 *   rtc-uie [N]     (default 3; bound it with `timeout`)
 */
#define SYS_read   0
#define SYS_open   2
#define SYS_ioctl 16
#define SYS_exit  60
#define O_RDONLY   0
#define RTC_UIE_ON  0x7003              /* _IO('p', 0x03) */
#define RTC_UIE_OFF 0x7004              /* _IO('p', 0x04) */

static long sys3(long nr, long a, long b, long c)
{
    long rc;

    asm volatile ( "syscall"
                   : "=a" (rc)
                   : "0" (nr), "D" (a), "S" (b), "d" (c)
                   : "rcx", "r11", "memory" );
    return rc;
}

static int run(int argc, char **argv)
{
    unsigned long data;
    long fd, n = 3, i;

    if ( argc > 1 )
    {
        const char *p = argv[1];

        for ( n = 0; *p >= '0' && *p <= '9'; p++ )
            n = n * 10 + (*p - '0');
    }
    fd = sys3(SYS_open, (long)"/dev/rtc0", O_RDONLY, 0);
    if ( fd < 0 )
        return 1;
    if ( sys3(SYS_ioctl, fd, RTC_UIE_ON, 0) < 0 )
        return 2;
    for ( i = 0; i < n; i++ )
        if ( sys3(SYS_read, fd, (long)&data, sizeof(data)) != sizeof(data) )
            return 3;
    sys3(SYS_ioctl, fd, RTC_UIE_OFF, 0);
    return 0;
}

/* Entry: the initial stack holds argc, then the argv pointers. */
void __attribute__((used)) start_c(long *sp)
{
    sys3(SYS_exit, run((int)sp[0], (char **)(sp + 1)), 0, 0);
    for ( ;; )
        ;
}

asm ( ".globl _start\n"
      "_start:\n"
      "    mov %rsp, %rdi\n"
      "    and $-16, %rsp\n"
      "    call start_c\n" );
