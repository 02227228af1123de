# expect: endbr-pattern
# endbr64 inside an immediate: b8 f3 0f 1e fa.
	.section .hvm_deprivileged.text,"ax",@progbits
	.globl hvm_depriv_entry
hvm_depriv_entry:
	mov $0xfa1e0ff3, %eax
	ret
