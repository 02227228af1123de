/* Real-mode calls for the hvm-depriv guests (see realmode.h). */
#include "realmode.h"

extern struct xtf_rm_regs rm_buf;
extern char __rm_data_end[];
int __attribute__((regparm(0))) rm_enter(unsigned int target, unsigned int unreal);

static bool in_reach(unsigned long addr)
{
    /* Unsigned: below REALMODE_BASE wraps around to a large offset. */
    return addr - REALMODE_BASE < 0x10000;
}

int xtf_realmode_call(void (*fn)(void), struct xtf_rm_regs *regs,
                      unsigned int flags)
{
    unsigned long addr = (unsigned long)fn;
    int ret;

    if ( !in_reach(addr) || !in_reach((unsigned long)rm_stack_top) ||
         !in_reach((unsigned long)__rm_data_end) )
        panic("xtf_realmode_call: %p, the stack %p or the switch's data %p\n"
              "is outside the real-mode segment %04x\n",
              fn, rm_stack_top, __rm_data_end, REALMODE_SEG);

    memcpy(&rm_buf, regs, sizeof(rm_buf));
    ret = rm_enter(RM_OFF(addr), flags & XTF_RM_UNREAL);
    memcpy(regs, &rm_buf, sizeof(rm_buf));

    return ret;
}
