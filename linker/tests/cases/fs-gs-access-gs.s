# expect: fs-gs-access
	.section .hvm_deprivileged.text,"ax",@progbits
	.globl hvm_depriv_entry
hvm_depriv_entry:
	mov %gs:8, %rax
