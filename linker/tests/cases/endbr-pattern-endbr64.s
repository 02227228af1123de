# expect: endbr-pattern
# What -Z cf-protection=branch would put at every function entry.
	.section .hvm_deprivileged.text,"ax",@progbits
	.globl hvm_depriv_entry
hvm_depriv_entry:
	endbr64
	ret
