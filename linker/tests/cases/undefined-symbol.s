# expect: undefined-symbol relocation-target
	.section .hvm_deprivileged.text,"ax",@progbits
	.globl hvm_depriv_entry
hvm_depriv_entry:
	call xen_private_function
