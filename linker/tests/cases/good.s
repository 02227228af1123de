# expect: OK
	.section .hvm_deprivileged.text,"ax",@progbits
	.globl hvm_depriv_entry
hvm_depriv_entry:
	call helper
	lea table(%rip), %rax
	syscall
helper:
	ret
	.section .hvm_deprivileged.rodata,"a",@progbits
table:
	.long helper - table
