//! Xen's virtual MC146818 RTC, as `xen/arch/x86/hvm/rtc.c` behaves.
#![no_std]
#![forbid(unsafe_code)]
