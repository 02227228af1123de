# expect: size-budget
	.section .hvm_deprivileged.text,"ax",@progbits
	.globl hvm_depriv_entry
hvm_depriv_entry:
	ret
	.skip 300000, 0x90
