/*
 * Entry from libxl: 32-bit flat protected mode, paging off.  Load a GDT
 * with the selectors the Linux 32-bit boot protocol wants (__BOOT_CS 0x10,
 * __BOOT_DS 0x18, both flat 4 GiB), a stack, let loader_main() prepare
 * boot_params, then enter the kernel at code32_start with %esi pointing at
 * boot_params, %ebp/%edi/%ebx zero and interrupts off
 * (Documentation/x86/boot.rst, "32-bit Boot Protocol").
 */
#define BOOT_CS 0x10
#define BOOT_DS 0x18

        .section .text.head, "ax", @progbits
        .code32
        .global _start
_start:
        cli
        cld
        lgdt    gdt_desc
        ljmp    $BOOT_CS, $1f
1:      mov     $BOOT_DS, %eax
        mov     %eax, %ds
        mov     %eax, %es
        mov     %eax, %fs
        mov     %eax, %gs
        mov     %eax, %ss
        mov     $stack_top, %esp
        call    loader_main             /* boot_params address, 0 on error */
        test    %eax, %eax
        jz      2f
        mov     %eax, %esi
        mov     kernel_entry, %ecx
        xor     %ebp, %ebp
        xor     %edi, %edi
        xor     %ebx, %ebx
        jmp     *%ecx
2:      cli
        hlt
        jmp     2b

        .section .rodata
        .align  16
gdt:
        .quad   0
        .quad   0
        .quad   0x00cf9a000000ffff      /* 0x10: 32-bit code, flat, DPL0 */
        .quad   0x00cf92000000ffff      /* 0x18: 32-bit data, flat, DPL0 */
gdt_end:
gdt_desc:
        .word   gdt_end - gdt - 1
        .long   gdt

        .section .bss
        .align  16
        .skip   16384
stack_top:

        .section .note.GNU-stack, "", @progbits
