# expect: endbr-pattern
# endbr64 completed by a relocation: the object holds f3 0f 1e 00 00 00 00,
# Xen's link writes target - . there.  With the text (<4 KiB) at 0 and the
# rodata at 0x1000, target (0xfd) - 0x1003 = 0xfffff0fa: f3 0f 1e fa f0 ff ff.
	.section .hvm_deprivileged.text,"ax",@progbits
	.globl hvm_depriv_entry
hvm_depriv_entry:
	lea table(%rip), %rax
	ret
	.skip 0xfd - (. - hvm_depriv_entry), 0xcc
target:
	ret
	.section .hvm_deprivileged.rodata,"a",@progbits
table:
	.byte 0xf3, 0x0f, 0x1e
	.long target - .
