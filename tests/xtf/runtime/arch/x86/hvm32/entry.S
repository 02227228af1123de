/*
 * IDT stubs: one 16-byte stub per vector pushes a zero error code when the
 * CPU does not, then the vector, and joins handle_exception, which builds a
 * struct cpu_regs and calls do_exception(regs).  The handler may change any
 * field (ip for fixups, ax for ex_record_fault_eax).
 */
#include <arch/segment.h>

        .text
        .code32
        .align  16
        .global idt_stubs
idt_stubs:
        .set    vec, 0
        .rept   256
        .align  16
        .if     (vec == 8) || ((vec >= 10) && (vec <= 14)) || (vec == 17) || (vec == 21) || (vec == 29) || (vec == 30)
        .else
        pushl   $0
        .endif
        pushl   $vec
        jmp     handle_exception
        .set    vec, vec + 1
        .endr

handle_exception:
        push    %es
        push    %ds
        push    %edi
        push    %esi
        push    %edx
        push    %ecx
        push    %eax
        push    %ebx
        push    %ebp
        mov     $__KERN_DS, %eax
        mov     %eax, %ds
        mov     %eax, %es
        cld
        mov     %esp, %eax
        push    %eax
        call    do_exception
        add     $4, %esp
        pop     %ebp
        pop     %ebx
        pop     %eax
        pop     %ecx
        pop     %edx
        pop     %esi
        pop     %edi
        pop     %ds
        pop     %es
        add     $8, %esp        /* vector, error code */
        iret
