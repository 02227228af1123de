# expect: foreign-section
	.section .hvm_deprivileged.text,"ax",@progbits
	.globl hvm_depriv_entry
hvm_depriv_entry:
	ret
	.section .text.stray,"ax",@progbits
	ret
