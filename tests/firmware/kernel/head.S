/*
 * Entry of the firmware test kernel: a Multiboot (v1) kernel that GRUB
 * loads at 1 MiB and enters in 32-bit flat protected mode, paging off,
 * EAX = the Multiboot magic, EBX = the Multiboot information.
 *
 * Sets up its own GDT and IDT (exceptions: report and stop; the 8259's
 * vectors 0x20-0x2f; the local APIC's spurious vector 0xff) and calls
 * kmain(magic, mbi).
 */
#define MB_MAGIC 0x1badb002
#define MB_FLAGS 0x00000003   /* modules page aligned, memory information */

    .section .multiboot, "a"
    .balign 4
    .long MB_MAGIC
    .long MB_FLAGS
    .long -(MB_MAGIC + MB_FLAGS)

    .text
    .code32
    .globl _start
_start:
    cli
    cld
    mov $stack_top, %esp
    mov %eax, %esi
    mov %ebx, %edi
    lgdt gdt_desc
    ljmp $0x08, $1f
1:  mov $0x10, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %ss
    mov %ax, %fs
    mov %ax, %gs
    call idt_setup
    lidt idt_desc
    push %edi
    push %esi
    call kmain
2:  cli
    hlt
    jmp 2b

/* idt_setup: a 32-bit interrupt gate for each of the 256 vectors, each to its stub. */
idt_setup:
    xor %ecx, %ecx
1:  mov stub_table(,%ecx,4), %eax
    mov %ax, idt(,%ecx,8)
    movw $0x08, idt+2(,%ecx,8)
    movw $0x8e00, idt+4(,%ecx,8)
    shr $16, %eax
    mov %ax, idt+6(,%ecx,8)
    inc %ecx
    cmp $256, %ecx
    jne 1b
    ret

/* Every stub pushes its vector (and a 0 where the CPU pushes no error code). */
    .altmacro
    .macro stub v
    .balign 16
stub_\v:
    .if ((\v == 8) || ((\v >= 10) && (\v <= 14)) || (\v == 17) || (\v == 21))
    .else
    push $0
    .endif
    push $\v
    jmp common
    .endm

    .set i, 0
    .rept 256
    stub %i
    .set i, i + 1
    .endr

    .macro stubaddr v
    .long stub_\v
    .endm
    .section .rodata
    .balign 4
stub_table:
    .set i, 0
    .rept 256
    stubaddr %i
    .set i, i + 1
    .endr

    .text
common:
    pusha
    mov %esp, %eax
    push %eax
    call isr                 /* isr(struct frame *) */
    add $4, %esp
    popa
    add $8, %esp
    iret

    .data
    .balign 8
gdt:
    .quad 0
    .quad 0x00cf9b000000ffff    /* 0x08: code, flat 4 GiB */
    .quad 0x00cf93000000ffff    /* 0x10: data, flat 4 GiB */
gdt_end:
gdt_desc:
    .word gdt_end - gdt - 1
    .long gdt
idt_desc:
    .word 256 * 8 - 1
    .long idt

    .bss
    .balign 16
idt:
    .skip 256 * 8
    .balign 16
    .skip 16384
stack_top:
    .section .note.GNU-stack, "", @progbits
