# expect: zero-fill-section writable-section
	.section .hvm_deprivileged.text,"ax",@progbits
	.globl hvm_depriv_entry
hvm_depriv_entry:
	ret
	.section .hvm_deprivileged.bss,"aw",@nobits
scratch:
	.skip 64
