# expect: endbr-pattern
# Xen's seal poison 66 0f 1f 01 across an instruction boundary:
# b0 66 (mov $0x66, %al), then 0f 1f 01 (nopl (%rcx)).
	.section .hvm_deprivileged.text,"ax",@progbits
	.globl hvm_depriv_entry
hvm_depriv_entry:
	mov $0x66, %al
	nopl (%rcx)
	ret
