/*
 * Protected mode -> (un)real mode -> protected mode, for xtf_realmode_call()
 * (see realmode.h).  Everything here, data included, lives in .text.real,
 * in reach of real mode's CS = REALMODE_SEG (xtf_realmode_call() checks it).
 * Real-mode accesses use 32-bit displacements (addr32): an offset from
 * REALMODE_BASE does not assemble into a 16-bit field, and stays < 64K.  The switch runs
 * on its own GDT and restores the caller's GDT, IDT and segment registers.
 */
#include "realmode.h"

#define OFF(x) ((x) - REALMODE_BASE)

/* The switch's own GDT selectors. */
#define RM_CS32         0x08
#define RM_DS32         0x10
#define RM_CS16         0x18
#define RM_DS16_REAL    0x20
#define RM_DS16_UNREAL  0x28

        .section .text.real, "ax", @progbits
        .align  16
rm_gdt:
        .quad   0
        .quad   0x00cf9b000000ffff      /* 32-bit code, flat */
        .quad   0x00cf93000000ffff      /* 32-bit data, flat */
        /* 16-bit code, base REALMODE_BASE, limit 64K */
        .word   0xffff, REALMODE_BASE & 0xffff
        .byte   (REALMODE_BASE >> 16) & 0xff, 0x9b, 0x00, REALMODE_BASE >> 24
        .quad   0x000093000000ffff      /* 16-bit data, base 0, 64K */
        .quad   0x008f93000000ffff      /* 16-bit data, base 0, 4G (unreal) */
rm_gdt_end:
rm_gdt_ptr:
        .word   rm_gdt_end - rm_gdt - 1
        .long   rm_gdt

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
rm_result:  .long 0
rm_saved_esp: .long 0
rm_saved_cs: .long 0
rm_saved_gdt: .word 0
        .long 0
rm_saved_idt: .word 0
        .long 0
rm_ivt_ptr: .word 0x3ff
        .long 0
        .align 16
        .global rm_stack, rm_stack_top
rm_stack: .skip 2048
rm_stack_top:
        .global __rm_data_end
__rm_data_end:

        .section .text.real, "ax", @progbits
        .code32
/* int rm_enter(unsigned int target_offset, unsigned int unreal), regparm(0) */
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
        mov     $RM_DS16_REAL, %edx
        test    %ecx, %ecx
        setz    rm_load_segs
        jz      0f
        /* Unreal: keep the 4G data caches, so no segment loads in real mode. */
        mov     $RM_DS16_UNREAL, %edx
0:      push    %ds
        push    %es
        push    %fs
        push    %gs
        push    %ss
        xor     %eax, %eax
        mov     %cs, %ax
        mov     %eax, rm_saved_cs
        mov     %esp, rm_saved_esp
        sgdt    rm_saved_gdt
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

        lgdt    rm_gdt_ptr
        ljmp    $RM_CS32, $2f
2:
        /* Data caches: 64K (real) or 4G (unreal) limits, stay in real mode. */
        mov     %edx, %ds
        mov     %edx, %es
        mov     %edx, %fs
        mov     %edx, %gs
        mov     $RM_DS16_REAL, %eax
        mov     %eax, %ss
        ljmp    $RM_CS16, $OFF(3f)

        .code16
3:      mov     %cr0, %eax
        and     $~1, %eax
        mov     %eax, %cr0
        ljmpl   $REALMODE_SEG, $OFF(4f)
4:      mov     $REALMODE_SEG, %ax
        mov     %ax, %ss
        mov     $OFF(rm_stack_top), %esp
        addr32 lidtl   %cs:OFF(rm_ivt_ptr)

        addr32 cmpb    $0, %cs:OFF(rm_load_segs)
        je      5f
        addr32 mov     %cs:OFF(rm_ds), %ds
        addr32 mov     %cs:OFF(rm_es), %es
        addr32 mov     %cs:OFF(rm_fs), %fs
        addr32 mov     %cs:OFF(rm_gs), %gs
5:      addr32 pushl %cs:OFF(rm_efl)
        andl    $~0x300, (%esp)         /* no IF, no TF */
        popfl
        addr32 mov     %cs:OFF(rm_eax), %eax
        addr32 mov     %cs:OFF(rm_ebx), %ebx
        addr32 mov     %cs:OFF(rm_ecx), %ecx
        addr32 mov     %cs:OFF(rm_edx), %edx
        addr32 mov     %cs:OFF(rm_esi), %esi
        addr32 mov     %cs:OFF(rm_edi), %edi
        addr32 mov     %cs:OFF(rm_ebp), %ebp
        addr32 call    *%cs:OFF(rm_target)
        pushfl
        addr32 popl    %cs:OFF(rm_efl)
        addr32 mov     %ds, %cs:OFF(rm_ds)
        addr32 mov     %es, %cs:OFF(rm_es)
        addr32 mov     %fs, %cs:OFF(rm_fs)
        addr32 mov     %gs, %cs:OFF(rm_gs)
rm_save_gprs:
        addr32 mov     %eax, %cs:OFF(rm_eax)
        addr32 mov     %ebx, %cs:OFF(rm_ebx)
        addr32 mov     %ecx, %cs:OFF(rm_ecx)
        addr32 mov     %edx, %cs:OFF(rm_edx)
        addr32 mov     %esi, %cs:OFF(rm_esi)
        addr32 mov     %edi, %cs:OFF(rm_edi)
        addr32 mov     %ebp, %cs:OFF(rm_ebp)

        /* Back to protected mode, on the switch's GDT first. */
        cli
        addr32 lgdtl   %cs:OFF(rm_gdt_ptr)
        mov     %cr0, %eax
        or      $1, %eax
        mov     %eax, %cr0
        ljmpl   $RM_CS32, $6f

        .code32
6:      mov     $RM_DS32, %eax
        mov     %eax, %ds
        mov     %eax, %es
        mov     %eax, %ss
        mov     rm_saved_esp, %esp
        /* Then the caller's GDT, IDT, segments and CS. */
        lgdt    rm_saved_gdt
        lidt    rm_saved_idt
        pop     %ss
        pop     %gs
        pop     %fs
        pop     %es
        pop     %ds
        pushl   rm_saved_cs
        pushl   $7f
        lret
7:      mov     rm_result, %eax
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
        addr32 movw    $vec, %cs:OFF(rm_result)
        jmp     rm_exc_common
        .set    vec, vec + 1
        .endr
rm_exc_common:
        addr32 movw    $0, %cs:OFF(rm_result) + 2
        jmp     rm_save_gprs
        .code32
