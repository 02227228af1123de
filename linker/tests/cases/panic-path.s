# expect: panic-path
	.section .hvm_deprivileged.text,"ax",@progbits
	.globl hvm_depriv_entry
hvm_depriv_entry:
	call _ZN4core9panicking18panic_bounds_check17h0123456789abcdefE
_ZN4core9panicking18panic_bounds_check17h0123456789abcdefE:
	ud2
