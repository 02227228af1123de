# expect: endbr-pattern
# endbr64 in a constant (unaligned): rodata is in Xen's RX region too.
	.section .hvm_deprivileged.text,"ax",@progbits
	.globl hvm_depriv_entry
hvm_depriv_entry:
	lea table(%rip), %rax
	ret
	.section .hvm_deprivileged.rodata,"a",@progbits
table:
	.byte 1
	.long 0xfa1e0ff3
