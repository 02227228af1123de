/*
 * hvm32 entry: libxl starts the image like hvmloader, in 32-bit flat
 * protected mode, paging off, interrupts off.  Load our own GDT, a stack,
 * and run xtf_main().
 */
#include <arch/segment.h>
#include <arch/processor.h>

        .section .text.head, "ax", @progbits
        .code32
        .global _elf_start
_elf_start:
        cli
        lgdt    gdt_ptr
        ljmp    $__KERN_CS, $1f
1:      mov     $__KERN_DS, %eax
        mov     %eax, %ds
        mov     %eax, %es
        mov     %eax, %fs
        mov     %eax, %gs
        mov     %eax, %ss
        mov     $boot_stack + 8192, %esp
        push    $X86_EFLAGS_MBS
        popf
        call    xtf_main
2:      cli
        hlt
        jmp     2b

        .section .data.real, "aw", @progbits
        .align  16
        .global gdt
gdt:
        .quad   0
        .quad   0x00cf9b000000ffff      /* 1: 32-bit code, flat, DPL0 */
        .quad   0x00cf93000000ffff      /* 2: 32-bit data, flat, DPL0 */
gdt_end:
        .global gdt_ptr
gdt_ptr:
        .word   gdt_end - gdt - 1
        .long   gdt

        .section .bss, "aw", @nobits
        .align  4096
        .global boot_stack
boot_stack:
        .skip   8192
