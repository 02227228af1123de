//! Xen's virtual 8259A PIC pair, as `xen/arch/x86/hvm/vpic.c` behaves.
#![no_std]
#![forbid(unsafe_code)]
