//! Real-mode x86 instruction emulation, as Xen's `x86_emulate()` behaves
//! for a vCPU with CR0.PE=0.
#![no_std]
#![forbid(unsafe_code)]
