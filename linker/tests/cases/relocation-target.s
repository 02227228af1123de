# expect: relocation-target
	.section .hvm_deprivileged.text,"ax",@progbits
	.globl hvm_depriv_entry
hvm_depriv_entry:
	lea elsewhere(%rip), %rax
	.globl elsewhere
	.set elsewhere, 0x40001000
