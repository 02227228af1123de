# expect: absolute-relocation
	.section .hvm_deprivileged.text,"ax",@progbits
	.globl hvm_depriv_entry
hvm_depriv_entry:
	ret
case0:
	ret
	.section .hvm_deprivileged.rodata,"a",@progbits
jt:
	.quad case0
