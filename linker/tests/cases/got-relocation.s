# expect: got-relocation undefined-symbol
	.section .hvm_deprivileged.text,"ax",@progbits
	.globl hvm_depriv_entry
hvm_depriv_entry:
	mov target@GOTPCREL(%rip), %rax
	.globl target
target:
	ret
