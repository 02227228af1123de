# expect: tls-section writable-section
	.section .hvm_deprivileged.text,"ax",@progbits
	.globl hvm_depriv_entry
hvm_depriv_entry:
	ret
	.section .hvm_deprivileged.tdata,"awT",@progbits
tlsvar:
	.quad 1
