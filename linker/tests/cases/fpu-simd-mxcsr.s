# expect: fpu-simd-instruction
	.section .hvm_deprivileged.text,"ax",@progbits
	.globl hvm_depriv_entry
hvm_depriv_entry:
	stmxcsr (%rdi)
