/*
 * The images the loader carries, from build/os (paths passed by the
 * Makefile): the bzImage's real-mode setup sectors (only its setup header
 * is used), its protected-mode part (linked at 1 MiB, see loader.lds), the
 * initramfs and the kernel command line.
 */
        .section .rodata
        .global setup_start, setup_end
setup_start:
        .incbin SETUP_BIN
setup_end:
        .global cmdline
cmdline:
        .incbin CMDLINE_TXT
        .byte   0

        .section .kernel, "a", @progbits
        .incbin KERNEL_BIN

        .section .initrd, "a", @progbits
        .incbin INITRD_BIN

        .section .note.GNU-stack, "", @progbits
