/*
 * rm-firmware: what a PC firmware does in real mode, as one workload: it
 * programs the PIC pair (ICW1-4, masks; ELCR read), the PIT (channel 0 at
 * about 100 Hz, read-back status), takes PIT interrupts through its own IVT
 * entry with STI/HLT (EOI, IRET), programs and reads the RTC (registers
 * A-D, the time with the UIP handshake, CMOS bytes), does string I/O to
 * ports every configuration has (rep outsb/insb on the CMOS index and data
 * ports, forwards and backwards, POST codes to port 0x80, the master IMR),
 * far calls and returns into a second code segment (CS 0x0100, with stack
 * parameters, through a far pointer, a far jump there and back), segment
 * loads (MOV, LES/LGS, PUSH/POP, a stack in another segment), software
 * interrupts into a service routine in that segment (CF returned in the
 * stacked flags, IF cleared in the handler and restored by IRET) and
 * exceptions through the IVT (INT3, #DE).
 *
 * The LAPIC is put in virtual-wire mode first (in protected mode, as
 * SeaBIOS does).  On SVM real mode runs natively and Xen emulates the devices; on VMX with
 * unrestricted_guest=0 vmx_realmode() emulates every instruction.  Each
 * result is checked against what the hardware gives, and everything
 * deterministic (not the time, nor the PIT's counts or the number of ticks
 * taken) goes into one "DIGEST <hex>" line (tests/lib/digest.h), which the
 * steps compare across configurations (hvm_depriv=0/1; unrestricted_guest=1/0).
 * Needs no hvm_fep.
 */
#include <xtf.h>
#include "../lib/realmode.h"
#include "../lib/digest.h"
#include "../lib/guest-check.h"

const char test_title[] = "Real-mode firmware workload: PIC, PIT, IRQ0, RTC, string I/O, far calls, IVT";

/*
 * The second segment: CS/DS 0x0100 = linear 0x1000, where the image starts,
 * so that every real-mode symbol X is at offset X - 0x1000 in it.
 */
#define SEG2      0x0100
#define SEG2_BASE 0x1000
#define TICKS     5

/* Results, written by the real-mode code (DS = 0 or %cs:), in reach of it. */
extern uint8_t rmf_pic_res[8], rmf_pit_res[2], rmf_irq_res[2], rmf_isr_seen[2],
    rmf_rtc_res[8], rmf_time[8], rmf_cmos[8], rmf_inbuf[24];
extern uint16_t rmf_ticks[1], rmf_isr_flags[1], rmf_str_res[8], rmf_far_res[12],
    rmf_int_res[8];
extern uint8_t rmf_time_idx[], rmf_cmos_idx[], rmf_idx_seq[], rmf_post[], rmf_imr_seq[];
extern uint16_t rmf_fardata[4];

asm (".pushsection .text.real, \"ax\", @progbits\n"
     ".align 16\n"
     "rmf_pic_res:   .skip 8\n"
     "rmf_pit_res:   .skip 2\n"
     "rmf_irq_res:   .skip 2\n"
     "rmf_isr_seen:  .skip 2\n"
     "rmf_ticks:     .skip 2\n"
     "rmf_isr_flags: .skip 2\n"
     "rmf_rtc_res:   .skip 8\n"
     "rmf_time:      .skip 8\n"
     "rmf_cmos:      .skip 8\n"
     "rmf_inbuf:     .skip 24\n"
     "rmf_str_res:   .skip 16\n"
     "rmf_far_res:   .skip 24\n"
     "rmf_int_res:   .skip 16\n"
     /* seconds, minutes, hours, day of week, day, month, year */
     "rmf_time_idx:  .byte 0x00, 0x02, 0x04, 0x06, 0x07, 0x08, 0x09, 0\n"
     /* CMOS bytes beyond the clock (diagnostics, floppy, disk, extended memory, century, last) */
     "rmf_cmos_idx:  .byte 0x0e, 0x0f, 0x10, 0x12, 0x17, 0x30, 0x32, 0x7f\n"
     /* CMOS indices written by rep outsb: the last, register D, is read after it */
     "rmf_idx_seq:   .byte 0x0e, 0x0b, 0x8a, 0x0d\n"
     "rmf_post:      .byte 0x01, 0x02, 0x10, 0x11, 0x20, 0x55, 0xaa, 0x00\n"
     "rmf_imr_seq:   .byte 0xff, 0xfd, 0xfb\n"
     ".align 2\n"
     "rmf_fardata:   .word 0xbeef, 0xcafe, 0x1234, 0x5678\n"
     /* far pointers (offset, segment) */
     "rmf_farptr:    .word rmf_fardata + 2 - 0x1000, 0x0100\n"
     "rmf_farptr2:   .word rmf_farfn2 - 0x1000, 0x0100\n"
     ".popsection\n");

void rmf_pic(void), rmf_pit(void), rmf_irq0(void), rmf_rtc(void), rmf_str(void),
    rmf_far(void), rmf_int(void), rmf_int3(void), rmf_div0(void);

asm (".pushsection .text.real, \"ax\", @progbits\n"
     ".code16\n"
     /* The PIC pair as a BIOS sets it up: vectors 08h and 70h, cascade on IR2. */
     "rmf_pic:\n"
     "  mov $0x11, %al\n"               /* ICW1: edge, cascade, ICW4 follows */
     "  out %al, $0x20\n"
     "  out %al, $0xa0\n"
     "  mov $0x08, %al\n"               /* ICW2 */
     "  out %al, $0x21\n"
     "  mov $0x70, %al\n"
     "  out %al, $0xa1\n"
     "  mov $0x04, %al\n"               /* ICW3: slave on IR2, slave ID 2 */
     "  out %al, $0x21\n"
     "  mov $0x02, %al\n"
     "  out %al, $0xa1\n"
     "  mov $0x01, %al\n"               /* ICW4: 8086 mode */
     "  out %al, $0x21\n"
     "  out %al, $0xa1\n"
     "  mov $0xfb, %al\n"               /* OCW1: only the cascade unmasked */
     "  out %al, $0x21\n"
     "  mov $0xff, %al\n"
     "  out %al, $0xa1\n"
     "  in $0x21, %al\n"
     "  mov %al, rmf_pic_res + 0\n"
     "  in $0xa1, %al\n"
     "  mov %al, rmf_pic_res + 1\n"
     "  mov $0x0b, %al\n"               /* OCW3: read ISR */
     "  out %al, $0x20\n"
     "  in $0x20, %al\n"
     "  mov %al, rmf_pic_res + 2\n"
     "  mov $0x0b, %al\n"
     "  out %al, $0xa0\n"
     "  in $0xa0, %al\n"
     "  mov %al, rmf_pic_res + 3\n"
     "  mov $0x0a, %al\n"               /* OCW3: back to IRR */
     "  out %al, $0x20\n"
     "  out %al, $0xa0\n"
     "  mov $0x4d0, %dx\n"              /* ELCR */
     "  in %dx, %al\n"
     "  mov %al, rmf_pic_res + 4\n"
     "  inc %dx\n"
     "  in %dx, %al\n"
     "  mov %al, rmf_pic_res + 5\n"
     "  ret\n"
     /* PIT channel 0: mode 2, lo/hi, 11932 (100 Hz); read-back of its status. */
     "rmf_pit:\n"
     "  mov $0x34, %al\n"
     "  out %al, $0x43\n"
     "  mov $0x9c, %al\n"
     "  out %al, $0x40\n"
     "  mov $0x2e, %al\n"
     "  out %al, $0x40\n"
     "  mov $0xe2, %al\n"               /* read-back: status only, channel 0 */
     "  out %al, $0x43\n"
     "  in $0x40, %al\n"
     "  mov %al, rmf_pit_res + 0\n"
     "  ret\n"
     /* IRQ0 through IVT entry 08h with STI/HLT, TICKS times. */
     "rmf_irq0:\n"
     "  movw $rmf_isr0, 0x20\n"
     "  movw $0, 0x22\n"
     "  movw $0, rmf_ticks\n"
     "  in $0x21, %al\n"
     "  and $0xfe, %al\n"
     "  out %al, $0x21\n"
     "  sti\n"
     "1: hlt\n"
     "  cmpw $" STR(TICKS) ", rmf_ticks\n"
     "  jb 1b\n"
     "  cli\n"
     "  in $0x21, %al\n"
     "  or $0x01, %al\n"
     "  out %al, $0x21\n"
     "  mov $0x0b, %al\n"
     "  out %al, $0x20\n"
     "  in $0x20, %al\n"
     "  mov %al, rmf_irq_res + 0\n"     /* ISR after the last EOI: 0 */
     "  mov $0x0a, %al\n"
     "  out %al, $0x20\n"
     "  ret\n"
     "rmf_isr0:\n"
     "  push %ax\n"
     "  pushf\n"
     "  pop %ax\n"
     "  mov %ax, %cs:rmf_isr_flags\n"
     "  mov $0x0b, %al\n"
     "  out %al, $0x20\n"
     "  in $0x20, %al\n"
     "  mov %al, %cs:rmf_isr_seen\n"    /* IR0 in service */
     "  mov $0x0a, %al\n"
     "  out %al, $0x20\n"
     "  mov $0x20, %al\n"               /* non-specific EOI */
     "  out %al, $0x20\n"
     "  incw %cs:rmf_ticks\n"
     "  pop %ax\n"
     "  iret\n"
     /* The RTC: registers A-D, the time (UIP handshake), CMOS bytes. */
     "rmf_rtc:\n"
     "  cld\n"
     "  mov $0x0a, %al\n"
     "  out %al, $0x70\n"
     "  mov $0x26, %al\n"               /* 32.768 kHz, 1024 Hz rate */
     "  out %al, $0x71\n"
     "  in $0x71, %al\n"
     "  mov %al, rmf_rtc_res + 0\n"
     "  mov $0x0b, %al\n"
     "  out %al, $0x70\n"
     "  in $0x71, %al\n"
     "  mov %al, rmf_rtc_res + 1\n"
     "  mov $0x02, %al\n"               /* 24 hours, BCD, no interrupts */
     "  out %al, $0x71\n"
     "  in $0x71, %al\n"
     "  mov %al, rmf_rtc_res + 2\n"
     "  mov $0x0c, %al\n"
     "  out %al, $0x70\n"
     "  in $0x71, %al\n"
     "  mov %al, rmf_rtc_res + 3\n"
     "  mov $0x8d, %al\n"               /* register D, NMI disabled */
     "  out %al, $0x70\n"
     "  in $0x71, %al\n"
     "  mov %al, rmf_rtc_res + 4\n"
     "  xor %bp, %bp\n"                 /* tries */
     "2: inc %bp\n"
     "  jz 9f\n"
     "  mov $0x0a, %al\n"
     "  out %al, $0x70\n"
     "  in $0x71, %al\n"
     "  test $0x80, %al\n"              /* update in progress: wait */
     "  jnz 2b\n"
     "  mov $rmf_time_idx, %si\n"
     "  mov $rmf_time, %di\n"
     "  mov $7, %cx\n"
     "3: lodsb\n"
     "  out %al, $0x70\n"
     "  in $0x71, %al\n"
     "  stosb\n"
     "  loop 3b\n"
     "  mov $0x0a, %al\n"               /* an update began meanwhile: again */
     "  out %al, $0x70\n"
     "  in $0x71, %al\n"
     "  test $0x80, %al\n"
     "  jnz 2b\n"
     "  xor %al, %al\n"
     "  out %al, $0x70\n"
     "  in $0x71, %al\n"
     "  cmp rmf_time, %al\n"
     "  jne 2b\n"
     "9: mov %bp, rmf_rtc_res + 6\n"
     "  mov $rmf_cmos_idx, %si\n"
     "  mov $rmf_cmos, %di\n"
     "  mov $8, %cx\n"
     "4: lodsb\n"
     "  out %al, $0x70\n"
     "  in $0x71, %al\n"
     "  stosb\n"
     "  loop 4b\n"
     "  ret\n"
     /* String I/O. */
     "rmf_str:\n"
     "  cld\n"
     "  mov $rmf_idx_seq, %si\n"        /* CMOS indices, the last is D */
     "  mov $4, %cx\n"
     "  mov $0x70, %dx\n"
     "  rep outsb\n"
     "  in $0x71, %al\n"
     "  mov %al, rmf_str_res + 0\n"
     "  mov %si, rmf_str_res + 2\n"
     "  mov $0x0d, %al\n"               /* register D, 8 times forwards */
     "  out %al, $0x70\n"
     "  mov $rmf_inbuf, %di\n"
     "  mov $8, %cx\n"
     "  mov $0x71, %dx\n"
     "  rep insb\n"
     "  mov $0x0b, %al\n"               /* register B, 4 times backwards */
     "  out %al, $0x70\n"
     "  mov $rmf_inbuf + 15, %di\n"
     "  mov $4, %cx\n"
     "  std\n"
     "  rep insb\n"
     "  cld\n"
     "  mov %di, rmf_str_res + 4\n"
     "  mov $rmf_post, %si\n"           /* POST codes */
     "  mov $8, %cx\n"
     "  mov $0x80, %dx\n"
     "  rep outsb\n"
     "  mov %si, rmf_str_res + 6\n"
     "  mov %cx, rmf_str_res + 8\n"
     "  mov $rmf_imr_seq, %si\n"        /* the master IMR: the last byte stays */
     "  mov $3, %cx\n"
     "  mov $0x21, %dx\n"
     "  rep outsb\n"
     "  in $0x21, %al\n"
     "  mov %al, rmf_str_res + 10\n"
     "  mov $rmf_inbuf + 16, %di\n"
     "  mov $4, %cx\n"
     "  rep insb\n"
     "  ret\n"
     /* Segment loads, far calls and returns into segment 0100h. */
     "rmf_far:\n"
     "  mov $0x0100, %ax\n"
     "  mov %ax, %ds\n"
     "  mov rmf_fardata - 0x1000, %bx\n"
     "  xor %ax, %ax\n"
     "  mov %ax, %ds\n"
     "  mov %bx, rmf_far_res + 0\n"     /* beef */
     "  les rmf_farptr, %di\n"
     "  mov %es:(%di), %ax\n"
     "  mov %ax, rmf_far_res + 2\n"     /* cafe */
     "  mov %es, %ax\n"
     "  mov %ax, rmf_far_res + 4\n"     /* 0100 */
     "  push %es\n"
     "  pop %fs\n"
     "  mov %fs:2(%di), %ax\n"
     "  mov %ax, rmf_far_res + 6\n"     /* 1234 */
     "  lgs rmf_farptr, %si\n"
     "  mov %gs:4(%si), %ax\n"
     "  mov %ax, rmf_far_res + 8\n"     /* 5678 */
     "  push $0x1111\n"
     "  push $0x2222\n"
     "  lcall $0x0100, $rmf_farfn - 0x1000\n"
     "  mov %ax, rmf_far_res + 10\n"    /* 3333 */
     "  mov %dx, rmf_far_res + 12\n"    /* 0100 */
     "  mov %sp, rmf_far_res + 14\n"    /* as at entry: lret $4 took the parameters */
     "  xor %dx, %dx\n"
     "  lcall *rmf_farptr2\n"
     "  mov %dx, rmf_far_res + 16\n"    /* 0100 */
     "  ljmp $0x0100, $rmf_farjmp - 0x1000\n"
     "rmf_farback:\n"
     "  mov %ax, rmf_far_res + 18\n"    /* 0100 */
     "  mov %sp, %bx\n"                 /* the same stack through SS = 0100h */
     "  mov $0x0100, %ax\n"
     "  mov %ax, %ss\n"
     "  sub $0x1000, %sp\n"
     "  push $0x5a5a\n"
     "  mov %bx, %si\n"
     "  mov -2(%si), %cx\n"             /* DS = 0: the same word */
     "  pop %dx\n"
     "  xor %ax, %ax\n"
     "  mov %ax, %ss\n"
     "  mov %bx, %sp\n"
     "  mov %cx, rmf_far_res + 20\n"    /* 5a5a */
     "  mov %dx, rmf_far_res + 22\n"    /* 5a5a */
     "  ret\n"
     /* Run with CS = 0100h. */
     "rmf_farfn:\n"
     "  push %bp\n"
     "  mov %sp, %bp\n"
     "  mov 6(%bp), %ax\n"
     "  add 8(%bp), %ax\n"
     "  mov %cs, %dx\n"
     "  pop %bp\n"
     "  lret $4\n"
     "rmf_farfn2:\n"
     "  mov %cs, %dx\n"
     "  lret\n"
     "rmf_farjmp:\n"
     "  mov %cs, %ax\n"
     "  ljmp $0, $rmf_farback\n"
     /* INT 61h into a service routine in segment 0100h. */
     "rmf_int:\n"
     "  movw $rmf_svc - 0x1000, 0x61 * 4\n"
     "  movw $0x0100, 0x61 * 4 + 2\n"
     "  mov $0x0100, %ax\n"             /* AH = 1: BX + CX, CF clear */
     "  mov $0x1234, %bx\n"
     "  mov $0x1111, %cx\n"
     "  stc\n"
     "  int $0x61\n"
     "  mov %ax, rmf_int_res + 0\n"     /* 2345 */
     "  sbb %ax, %ax\n"
     "  mov %ax, rmf_int_res + 2\n"     /* 0: CF clear */
     "  mov %dx, rmf_int_res + 4\n"     /* 0100 */
     "  mov %di, rmf_int_res + 6\n"     /* IF/TF in the handler: 0 */
     "  mov $0x0200, %ax\n"             /* AH = 2: unknown, CF set */
     "  clc\n"
     "  int $0x61\n"
     "  mov %ax, rmf_int_res + 8\n"     /* ffff */
     "  sbb %ax, %ax\n"
     "  mov %ax, rmf_int_res + 10\n"    /* ffff: CF set */
     "  mov $0x0100, %ax\n"             /* IF set before: clear in the handler, set after */
     "  sti\n"
     "  int $0x61\n"
     "  pushf\n"
     "  pop %bx\n"
     "  cli\n"
     "  and $0x0200, %bx\n"
     "  mov %bx, rmf_int_res + 12\n"    /* 0200 */
     "  mov %di, rmf_int_res + 14\n"    /* 0 */
     "  ret\n"
     "rmf_svc:\n"
     "  push %bp\n"
     "  mov %sp, %bp\n"
     "  pushf\n"
     "  pop %di\n"
     "  and $0x0300, %di\n"
     "  mov %cs, %dx\n"
     "  cmp $1, %ah\n"
     "  jne 5f\n"
     "  mov %bx, %ax\n"
     "  add %cx, %ax\n"
     "  andw $0xfffe, 6(%bp)\n"
     "  pop %bp\n"
     "  iret\n"
     "5: mov $0xffff, %ax\n"
     "  orw $1, 6(%bp)\n"
     "  pop %bp\n"
     "  iret\n"
     /* Exceptions through the IVT (the switch's entries: the call ends with the vector). */
     "rmf_int3: mov $0x3333, %ax; int3; ret\n"
     "rmf_div0: mov $0x0100, %ax; xor %cl, %cl; div %cl; ret\n"
     ".code32\n"
     ".popsection\n");

static struct digest dg;

static int call(void (*fn)(void), struct xtf_rm_regs *r)
{
    memset(r, 0, sizeof(*r));
    r->eflags = X86_EFLAGS_MBS;
    return xtf_realmode_call(fn, r, 0);
}

static bool bcd_ok(uint8_t v, uint8_t max)
{
    return (v & 0x0f) <= 9 && (v >> 4) <= 9 && v <= max;
}

static void test_pic_pit_irq0(void)
{
    struct xtf_rm_regs r;
    int rc;

    section = "PIC";
    rc = call(rmf_pic, &r);
    CHECK(rc == -1, "rc %d", rc);
    CHECK(rmf_pic_res[0] == 0xfb && rmf_pic_res[1] == 0xff, "IMR %02x %02x, want fb ff",
          rmf_pic_res[0], rmf_pic_res[1]);
    CHECK(rmf_pic_res[2] == 0 && rmf_pic_res[3] == 0, "ISR %02x %02x after init",
          rmf_pic_res[2], rmf_pic_res[3]);
    digest_bytes(&dg, rmf_pic_res, 6);
    printk("  PIC: IMR %02x %02x, ISR %02x %02x, ELCR %02x %02x\n", rmf_pic_res[0],
           rmf_pic_res[1], rmf_pic_res[2], rmf_pic_res[3], rmf_pic_res[4], rmf_pic_res[5]);

    section = "PIT";
    rc = call(rmf_pit, &r);
    CHECK(rc == -1, "rc %d", rc);
    /* Status: output (bit 7) and null count (bit 6) vary; lo/hi, mode 2, binary. */
    CHECK((rmf_pit_res[0] & 0x3f) == 0x34, "read-back status %02x, want 34 in bits 0-5",
          rmf_pit_res[0]);
    digest_u32(&dg, rmf_pit_res[0] & 0x3f);

    section = "IRQ0";
    rc = call(rmf_irq0, &r);
    CHECK(rc == -1, "rc %d", rc);
    CHECK(rmf_ticks[0] >= TICKS, "%u ticks", rmf_ticks[0]);
    CHECK(rmf_isr_seen[0] == 0x01, "ISR in the handler %02x, want 01", rmf_isr_seen[0]);
    CHECK(!(rmf_isr_flags[0] & 0x300), "IF/TF set in the handler: flags %04x",
          rmf_isr_flags[0]);
    CHECK(rmf_irq_res[0] == 0, "ISR after the EOIs %02x", rmf_irq_res[0]);
    /* Not the number of ticks: a late tick may come in before the CLI. */
    digest_u32(&dg, rmf_isr_seen[0]);
    digest_u32(&dg, rmf_isr_flags[0] & 0x300);
    digest_u32(&dg, rmf_irq_res[0]);
    printk("  IRQ0: %u ticks through IVT 08h, ISR %02x in the handler\n", rmf_ticks[0],
           rmf_isr_seen[0]);
}

static void test_rtc(void)
{
    struct xtf_rm_regs r;
    unsigned int i;
    int rc;

    section = "RTC";
    rc = call(rmf_rtc, &r);
    CHECK(rc == -1, "rc %d", rc);
    CHECK((rmf_rtc_res[0] & 0x7f) == 0x26, "register A %02x, want 26 (UIP aside)",
          rmf_rtc_res[0]);
    CHECK(rmf_rtc_res[2] == 0x02, "register B %02x after writing 02", rmf_rtc_res[2]);
    CHECK(!(rmf_rtc_res[3] & 0x0f), "register C %02x: low bits set", rmf_rtc_res[3]);
    CHECK(rmf_rtc_res[4] == 0x80, "register D %02x, want 80 (VRT)", rmf_rtc_res[4]);
    CHECK(rmf_rtc_res[6] | rmf_rtc_res[7], "UIP never cleared");
    /*
     * The day of week is Xen's tm_wday, Sunday = 0 (rtc_copy_date()), not
     * the MC146818's 1-7: the vrtc guest checks it against the date.
     */
    CHECK(bcd_ok(rmf_time[0], 0x59) && bcd_ok(rmf_time[1], 0x59) &&
          bcd_ok(rmf_time[2], 0x23) && bcd_ok(rmf_time[3], 0x06) &&
          bcd_ok(rmf_time[4], 0x31) && rmf_time[4] && bcd_ok(rmf_time[5], 0x12) &&
          rmf_time[5] && bcd_ok(rmf_time[6], 0x99),
          "time not BCD in range: %02x:%02x:%02x dow %02x %02x.%02x.%02x", rmf_time[2],
          rmf_time[1], rmf_time[0], rmf_time[3], rmf_time[4], rmf_time[5], rmf_time[6]);
    /* Not the time, nor register C's flags (they follow the clock). */
    digest_u32(&dg, rmf_rtc_res[0] & 0x7f);
    digest_bytes(&dg, &rmf_rtc_res[1], 2);
    digest_u32(&dg, rmf_rtc_res[3] & 0x0f);
    digest_u32(&dg, rmf_rtc_res[4]);
    digest_bytes(&dg, rmf_cmos, 8);
    printk("  RTC: A %02x B %02x->%02x D %02x, time %02x:%02x:%02x, CMOS",
           rmf_rtc_res[0], rmf_rtc_res[1], rmf_rtc_res[2], rmf_rtc_res[4], rmf_time[2],
           rmf_time[1], rmf_time[0]);
    for ( i = 0; i < 8; i++ )
        printk(" %02x", rmf_cmos[i]);
    printk("\n");
}

static void test_string_io(void)
{
    struct xtf_rm_regs r;
    unsigned int i;
    int rc;

    section = "string I/O";
    rc = call(rmf_str, &r);
    CHECK(rc == -1, "rc %d", rc);
    CHECK((uint8_t)rmf_str_res[0] == 0x80, "rep outsb to 70h, then 71h: %02x, want register D 80",
          rmf_str_res[0] & 0xff);
    CHECK(rmf_str_res[1] == (uint16_t)(unsigned long)(rmf_idx_seq + 4), "SI %04x after rep outsb",
          rmf_str_res[1]);
    for ( i = 0; i < 8; i++ )
        CHECK(rmf_inbuf[i] == 0x80, "rep insb from register D: byte %u %02x", i, rmf_inbuf[i]);
    for ( i = 12; i < 16; i++ )
        CHECK(rmf_inbuf[i] == 0x02, "std; rep insb from register B: byte %u %02x", i,
              rmf_inbuf[i]);
    CHECK(rmf_inbuf[8] == 0 && rmf_inbuf[11] == 0, "std; rep insb wrote below its 4 bytes");
    CHECK(rmf_str_res[2] == (uint16_t)(unsigned long)(rmf_inbuf + 11), "DI %04x after std; rep insb",
          rmf_str_res[2]);
    CHECK(rmf_str_res[3] == (uint16_t)(unsigned long)(rmf_post + 8) && rmf_str_res[4] == 0,
          "POST codes: SI %04x CX %04x", rmf_str_res[3], rmf_str_res[4]);
    CHECK((uint8_t)rmf_str_res[5] == 0xfb, "rep outsb to the IMR, then IMR %02x, want fb",
          rmf_str_res[5] & 0xff);
    for ( i = 16; i < 20; i++ )
        CHECK(rmf_inbuf[i] == 0xfb, "rep insb from the IMR: byte %u %02x", i, rmf_inbuf[i]);
    digest_bytes(&dg, rmf_str_res, 12);
    digest_bytes(&dg, rmf_inbuf, 20);
}

static void test_far(void)
{
    static const uint16_t want[12] = {
        0xbeef, 0xcafe, SEG2, 0x1234, 0x5678, 0x3333, SEG2, 0, SEG2, SEG2, 0x5a5a, 0x5a5a,
    };
    struct xtf_rm_regs r;
    unsigned int i;
    int rc;

    section = "far calls";
    rc = call(rmf_far, &r);
    CHECK(rc == -1, "rc %d", rc);
    for ( i = 0; i < 12; i++ )
    {
        uint16_t w = i == 7 ? (uint16_t)((unsigned long)rm_stack_top - 2) : want[i];

        CHECK(rmf_far_res[i] == w, "result %u: %04x, want %04x", i, rmf_far_res[i], w);
    }
    CHECK(r.es == SEG2 && r.fs == SEG2 && r.gs == SEG2, "ES FS GS %04x %04x %04x, want %04x",
          r.es, r.fs, r.gs, SEG2);
    digest_bytes(&dg, rmf_far_res, sizeof(rmf_far_res));
    digest_bytes(&dg, &r.ds, 4 * sizeof(uint16_t));
}

static void test_int(void)
{
    static const uint16_t want[8] = { 0x2345, 0, SEG2, 0, 0xffff, 0xffff, 0x0200, 0 };
    struct xtf_rm_regs r;
    unsigned int i;
    int rc;

    section = "INT 61h";
    rc = call(rmf_int, &r);
    CHECK(rc == -1, "rc %d", rc);
    for ( i = 0; i < 8; i++ )
        CHECK(rmf_int_res[i] == want[i], "result %u: %04x, want %04x", i, rmf_int_res[i],
              want[i]);
    digest_bytes(&dg, rmf_int_res, sizeof(rmf_int_res));

    section = "exceptions";
    rc = call(rmf_int3, &r);
    CHECK(rc == X86_EXC_BP && (r.eax & 0xffff) == 0x3333, "int3: rc %d ax %04x", rc,
          r.eax & 0xffff);
    digest_u32(&dg, rc);
    digest_u32(&dg, r.eax);
    rc = call(rmf_div0, &r);
    CHECK(rc == X86_EXC_DE && (r.eax & 0xffff) == 0x0100, "div by 0: rc %d ax %04x", rc,
          r.eax & 0xffff);
    digest_u32(&dg, rc);
    digest_u32(&dg, r.eax);
}

void test_main(void)
{
    volatile uint32_t *lapic = (volatile uint32_t *)0xfee00000;

    /*
     * Virtual wire, as SeaBIOS sets it up (in 32-bit mode) before it takes
     * the PIT's interrupts in real mode: LAPIC software-enabled, LINT0
     * ExtINT, LINT1 NMI.  Without it Xen does not deliver the PIC's
     * interrupts (vlapic_accept_pic_intr()).
     */
    lapic[0xf0 / 4] = 0x1ff;
    lapic[0x350 / 4] = 0x700;
    lapic[0x360 / 4] = 0x400;

    digest_init(&dg);
    test_pic_pit_irq0();
    test_rtc();
    test_string_io();
    test_far();
    test_int();

    /* Leave the PICs masked. */
    outb(0xff, 0x21);
    outb(0xff, 0xa1);

    printk("%u checks, %u failed\n", nr_checks, nr_fail);
    digest_print(&dg);
    if ( !nr_fail )
        xtf_success(NULL);
}
