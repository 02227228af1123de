# expect: endbr-pattern
# endbr32 inside a displacement: 8b 88 f3 0f 1e fb (0xfb1e0ff3).
	.section .hvm_deprivileged.text,"ax",@progbits
	.globl hvm_depriv_entry
hvm_depriv_entry:
	mov -0x4e1f00d(%rax), %ecx
	ret
