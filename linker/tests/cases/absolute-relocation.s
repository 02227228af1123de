# expect: absolute-relocation
	.section .hvm_deprivileged.text,"ax",@progbits
	.globl hvm_depriv_entry
hvm_depriv_entry:
	movabs $target, %rax
target:
	ret
