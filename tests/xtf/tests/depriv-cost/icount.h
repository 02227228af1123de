/*
 * Markers for the instruction-counting bench (tests/bench/icount, a QEMU
 * TCG plugin): a NOP with a memory operand, `nopl IC_MAGIC+X(%eax)`
 * (0f 1f 80 + disp32; in 16-bit code with the addr32 and data16
 * prefixes), whose displacement the plugin decodes when it translates the
 * instruction.  A NOP never exits to Xen and reads no memory, so a marker
 * adds nothing to what it frames, and the plugin counts no marker itself.
 *   IC_START | op   open a window for operation @op (0..0xfff)
 *   IC_STOP         close it: the plugin writes the instructions counted
 *                   since IC_START, by address range
 *   IC_UNCOUNT | n  take n instructions back off the "other" count: a
 *                   spin loop's body (see ic_rtc_tick in icount-ops.S)
 */
#ifndef DEPRIV_COST_ICOUNT_H
#define DEPRIV_COST_ICOUNT_H

#define IC_MAGIC    0x49430000 /* "IC" */
#define IC_START    0x1000
#define IC_STOP     0x2000
#define IC_UNCOUNT  0x3000

/* Operation numbers (the bench script has the same list). */
#define IC_OP_EMPTY      0
#define IC_OP_PIC_MASK   1
#define IC_OP_PIC_EOI    2
#define IC_OP_RTC        3
#define IC_OP_RTC_TICK   4
#define IC_OP_RM_MMIO    5
#define IC_OP_RM_STRING  6

#ifdef __ASSEMBLY__
#define IC_MARK(x)   nopl (IC_MAGIC + (x))(%eax)
#define IC_MARK16(x) addr32 nopl (IC_MAGIC + (x))(%eax)
#endif

#endif /* DEPRIV_COST_ICOUNT_H */
