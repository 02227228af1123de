# expect: missing-entry
	.section .hvm_deprivileged.text,"ax",@progbits
other:
	ret
