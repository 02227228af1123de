/*
 * IDT stubs for vectors 32..255 (see irq.h), 16 bytes each: push the
 * vector, join the common path, which saves the caller-clobbered registers
 * and the data segments, calls irq_dispatch(vector) and irets.  32-bit
 * protected mode (the hvm32 environment).
 */
#include <arch/segment.h>

        .text
        .code32
        .align  16
        .global irq_stubs
irq_stubs:
        .set    vec, 32
        .rept   256 - 32
        .align  16
        pushl   $vec
        jmp     irq_common
        .set    vec, vec + 1
        .endr

irq_common:
        push    %eax
        push    %ecx
        push    %edx
        push    %ds
        push    %es
        mov     $__KERN_DS, %eax
        mov     %eax, %ds
        mov     %eax, %es
        cld
        pushl   20(%esp)                /* the vector */
        call    irq_dispatch
        add     $4, %esp
        pop     %es
        pop     %ds
        pop     %edx
        pop     %ecx
        pop     %eax
        add     $4, %esp                /* the vector */
        iret
