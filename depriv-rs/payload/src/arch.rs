//! The payload's primitives: `syscall` wrappers, the `mem*` routines the
//! compiler may call, and the entry stub's address.  Everything is position
//! independent: the payload runs at a user alias address, not where Xen
//! links it.

use core::arch::{asm, global_asm};

// memcpy/memmove/memset/memcmp/bcmp: LLVM may emit calls to these even for
// plain loops.  `rep movsb`/`rep stosb` keep them free of SSE; memmove copies
// backwards with DF set when the regions overlap that way.
global_asm!(
    ".pushsection .text.hvm_depriv_mem,\"ax\",@progbits",
    ".globl memcpy",
    ".hidden memcpy",
    ".type memcpy,@function",
    "memcpy:",
    "mov rax, rdi",
    "mov rcx, rdx",
    "rep movsb",
    "ret",
    ".globl memmove",
    ".hidden memmove",
    ".type memmove,@function",
    "memmove:",
    "mov rax, rdi",
    "mov rcx, rdx",
    "cmp rdi, rsi",
    "jbe 2f",
    "lea rsi, [rsi + rdx - 1]",
    "lea rdi, [rdi + rdx - 1]",
    "std",
    "rep movsb",
    "cld",
    "ret",
    "2:",
    "rep movsb",
    "ret",
    ".globl memset",
    ".hidden memset",
    ".type memset,@function",
    "memset:",
    "mov r8, rdi",
    "mov eax, esi",
    "mov rcx, rdx",
    "rep stosb",
    "mov rax, r8",
    "ret",
    ".globl memcmp",
    ".hidden memcmp",
    ".type memcmp,@function",
    ".globl bcmp",
    ".hidden bcmp",
    ".type bcmp,@function",
    "memcmp:",
    "bcmp:",
    "xor eax, eax",
    "test rdx, rdx",
    "jz 4f",
    "3:",
    "movzx eax, byte ptr [rdi]",
    "movzx ecx, byte ptr [rsi]",
    "sub eax, ecx",
    "jnz 4f",
    "inc rdi",
    "inc rsi",
    "dec rdx",
    "jnz 3b",
    "4:",
    "ret",
    ".popsection",
);

/// Issue a syscall with up to four arguments (System V syscall registers,
/// `%r10` for the fourth).  Per the ABI header, Xen returns the result in
/// `%rax` and zeroes the argument registers and `%r8`/`%r9` (so that nothing
/// of its own comes back); `syscall` itself clobbers `%rcx` and `%r11`.
#[inline(always)]
pub fn syscall4(nr: u64, a0: u64, a1: u64, a2: u64, a3: u64) -> i64 {
    let ret: i64;
    // SAFETY: `syscall` transfers to Xen's depriv syscall entry, which
    // validates every argument and returns here with only the registers
    // declared below changed; no memory of ours is written behind the
    // compiler's back except what a callback is documented to write.
    unsafe {
        asm!(
            "syscall",
            inlateout("rax") nr as i64 => ret,
            inlateout("rdi") a0 => _,
            inlateout("rsi") a1 => _,
            inlateout("rdx") a2 => _,
            inlateout("r10") a3 => _,
            lateout("r8") _,
            lateout("r9") _,
            lateout("rcx") _,
            lateout("r11") _,
            options(nostack),
        );
    }
    ret
}

/// Ask Xen to crash the domain: the payload cannot go on.
pub fn abort() -> ! {
    syscall4(abi::sys::ABORT, 0, 0, 0, 0);
    // SAFETY: `ud2` only raises #UD, which Xen's containment turns into a
    // domain crash should ABORT ever return.
    unsafe { asm!("ud2", options(noreturn, nomem, nostack)) }
}

/// The address of the entry stub above: payload text, for the self-tests to
/// aim at (a `lea`, so no GOT entry and no code of its own).
pub fn entry_address() -> u64 {
    let a: u64;
    // SAFETY: computes an address; reads and writes nothing.
    unsafe {
        asm!(
            "lea {a}, [rip + hvm_depriv_entry]",
            a = out(reg) a,
            options(pure, nomem, nostack, preserves_flags),
        );
    }
    a
}
