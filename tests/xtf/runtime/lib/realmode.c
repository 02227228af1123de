#include <xtf.h>
#include <xtf/realmode.h>

extern struct xtf_rm_regs rm_buf;
int rm_enter(unsigned int target, unsigned int data_sel);

int xtf_realmode_call(void (*fn)(void), struct xtf_rm_regs *regs,
                      unsigned int flags)
{
    unsigned long addr = (unsigned long)fn;
    int ret;

    if ( addr >= REALMODE_BASE + 0x10000 )
        panic("xtf_realmode_call: %p is outside the real-mode segment\n", fn);

    memcpy(&rm_buf, regs, sizeof(rm_buf));
    ret = rm_enter(addr - REALMODE_BASE,
                   (flags & XTF_RM_UNREAL) ? GDTE_DS16_UNREAL << 3
                                           : GDTE_DS16_REAL << 3);
    memcpy(regs, &rm_buf, sizeof(rm_buf));
    return ret;
}
