# expect: OK
# Bytes one off each pattern are fine: f3 0f 1e fc, 66 0f 1f 02, and
# f3 0f 1e followed by a relocation that does not complete endbr64.
	.section .hvm_deprivileged.text,"ax",@progbits
	.globl hvm_depriv_entry
hvm_depriv_entry:
	lea table(%rip), %rax
	ret
	.section .hvm_deprivileged.rodata,"a",@progbits
table:
	.long 0xfc1e0ff3, 0x021f0f66
	.byte 0xf3, 0x0f, 0x1e
	.long hvm_depriv_entry - .
