/*
 * Protected mode -> (un)real mode -> protected mode, for xtf_realmode_call().
 * Everything here lives in the first 64K of the image (.text.real /
 * .data.real) so real mode reaches it with CS = REALMODE_SEG.
 */
#include <arch/segment.h>
#include <xtf/realmode.h>

#define OFF(x) (x)  /* REALMODE_BASE is 0: offsets are linear addresses */

        .section .data.real, "aw", @progbits
        .align  16
        .global rm_buf
rm_buf:                         /* struct xtf_rm_regs */
rm_eax: .long 0
rm_ebx: .long 0
rm_ecx: .long 0
rm_edx: .long 0
rm_esi: .long 0
rm_edi: .long 0
rm_ebp: .long 0
rm_efl: .long 0
rm_ds:  .word 0
rm_es:  .word 0
rm_fs:  .word 0
rm_gs:  .word 0
rm_target:  .word 0
rm_load_segs: .byte 0
        .align 4
        .global rm_result
rm_result:  .long 0
rm_saved_esp: .long 0
rm_saved_idt: .word 0
        .long 0
rm_ivt_ptr: .word 0x3ff
        .long 0
        .align 16
        .global rm_stack, rm_stack_top
rm_stack: .skip 2048
rm_stack_top:

        .section .text.real, "ax", @progbits
        .code32
/* int rm_enter(unsigned int target_offset, unsigned int data_sel) */
        .global rm_enter
rm_enter:
        push    %ebp
        push    %ebx
        push    %esi
        push    %edi
        pushf
        cli
        mov     24(%esp), %eax
        mov     %ax, rm_target
        mov     28(%esp), %ecx
        /* Unreal: keep the 4G data caches, so no segment loads in real mode. */
        cmp     $(GDTE_DS16_UNREAL << 3), %ecx
        setne   rm_load_segs
        mov     %esp, rm_saved_esp
        sidt    rm_saved_idt
        movl    $-1, rm_result

        /* The real-mode IVT: 32 exception vectors, entry i at stub i. */
        xor     %edi, %edi
        mov     $OFF(rm_exc_stubs), %eax
        mov     $32, %ebx
1:      mov     %ax, (%edi)
        movw    $REALMODE_SEG, 2(%edi)
        add     $16, %eax
        add     $4, %edi
        dec     %ebx
        jnz     1b

        /* Data caches: 64K (real) or 4G (unreal) limits, stay in real mode. */
        mov     %ecx, %ds
        mov     %ecx, %es
        mov     %ecx, %fs
        mov     %ecx, %gs
        mov     $(GDTE_DS16_REAL << 3), %eax
        mov     %eax, %ss
        ljmp    $(GDTE_CS16_REAL << 3), $OFF(2f)

        .code16
2:      mov     %cr0, %eax
        and     $~1, %eax
        mov     %eax, %cr0
        ljmp    $REALMODE_SEG, $OFF(3f)
3:      mov     $REALMODE_SEG, %ax
        mov     %ax, %ss
        mov     $OFF(rm_stack_top), %sp
        lidtl   %cs:OFF(rm_ivt_ptr)

        cmpb    $0, %cs:OFF(rm_load_segs)
        je      5f
        mov     %cs:OFF(rm_ds), %ds
        mov     %cs:OFF(rm_es), %es
        mov     %cs:OFF(rm_fs), %fs
        mov     %cs:OFF(rm_gs), %gs
5:      pushl   %cs:OFF(rm_efl)
        andl    $~0x300, (%esp)         /* no IF, no TF */
        popfl
        mov     %cs:OFF(rm_eax), %eax
        mov     %cs:OFF(rm_ebx), %ebx
        mov     %cs:OFF(rm_ecx), %ecx
        mov     %cs:OFF(rm_edx), %edx
        mov     %cs:OFF(rm_esi), %esi
        mov     %cs:OFF(rm_edi), %edi
        mov     %cs:OFF(rm_ebp), %ebp
        call    *%cs:OFF(rm_target)
        pushfl
        popl    %cs:OFF(rm_efl)
        mov     %ds, %cs:OFF(rm_ds)
        mov     %es, %cs:OFF(rm_es)
        mov     %fs, %cs:OFF(rm_fs)
        mov     %gs, %cs:OFF(rm_gs)
rm_save_gprs:
        mov     %eax, %cs:OFF(rm_eax)
        mov     %ebx, %cs:OFF(rm_ebx)
        mov     %ecx, %cs:OFF(rm_ecx)
        mov     %edx, %cs:OFF(rm_edx)
        mov     %esi, %cs:OFF(rm_esi)
        mov     %edi, %cs:OFF(rm_edi)
        mov     %ebp, %cs:OFF(rm_ebp)

        /* Back to protected mode. */
        cli
        lgdtl   %cs:OFF(gdt_ptr)
        mov     %cr0, %eax
        or      $1, %eax
        mov     %eax, %cr0
        ljmpl   $__KERN_CS, $4f

        .code32
4:      mov     $__KERN_DS, %eax
        mov     %eax, %ds
        mov     %eax, %es
        mov     %eax, %fs
        mov     %eax, %gs
        mov     %eax, %ss
        mov     rm_saved_esp, %esp
        lidt    rm_saved_idt
        mov     rm_result, %eax
        popf
        pop     %edi
        pop     %esi
        pop     %ebx
        pop     %ebp
        ret

        /* Real-mode exception stubs, 16 bytes each: record the vector, abort. */
        .code16
        .align  16
rm_exc_stubs:
        .set    vec, 0
        .rept   32
        .align  16
        movw    $vec, %cs:OFF(rm_result)
        jmp     rm_exc_common
        .set    vec, vec + 1
        .endr
rm_exc_common:
        movw    $0, %cs:OFF(rm_result) + 2
        jmp     rm_save_gprs
        .code32
