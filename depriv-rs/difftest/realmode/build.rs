//! Builds Xen's own x86_emulate() for the host, the way Xen's userspace
//! harnesses do (tools/tests/x86_emulator, tools/fuzz/x86_instruction_
//! emulator): tools/tests/x86_emulator/x86-emulate.c #includes
//! x86_emulate/x86_emulate.c; xen/lib/x86/cpuid.c provides
//! x86_cpu_policy_fill_native(). The tools/include/xen symlink farm and
//! cpuid-autogen.h that Xen's tools build generates are recreated in
//! OUT_DIR. Nothing from Xen is copied into this crate.

use std::path::{Path, PathBuf};
use std::process::Command;

fn symlink(src: &Path, dst: &Path) {
    let _ = std::fs::remove_file(dst);
    if let Err(e) = std::os::unix::fs::symlink(src, dst) {
        panic!("symlink {} -> {}: {e}", dst.display(), src.display());
    }
}

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default());
    let xen = std::env::var("XEN_PRISTINE_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| manifest.join("../../../build/xen-pristine"));
    let emul = xen.join("xen/arch/x86/x86_emulate/x86_emulate.c");
    if !emul.exists() {
        panic!(
            "pinned Xen source not found at {}: run `make fetch`",
            xen.display()
        );
    }
    println!("cargo:rerun-if-env-changed=XEN_PRISTINE_DIR");
    println!("cargo:rerun-if-changed=csrc/glue.c");
    println!("cargo:rerun-if-changed={}", emul.display());

    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap_or_default());
    // tools/include/xen as tools/include/Makefile lays it out.
    let inc = out.join("inc");
    let _ = std::fs::remove_dir_all(&inc);
    let xinc = inc.join("xen");
    std::fs::create_dir_all(xinc.join("lib/x86")).unwrap_or_default();
    let public = xen.join("xen/include/public");
    for e in std::fs::read_dir(&public).into_iter().flatten().flatten() {
        symlink(&e.path(), &xinc.join(e.file_name()));
    }
    symlink(&xen.join("xen/arch/x86/include/asm"), &xinc.join("asm"));
    symlink(
        &xen.join("xen/include/xen/lib/x86/cpu-policy.h"),
        &xinc.join("lib/x86/cpu-policy.h"),
    );
    let status = Command::new("python3")
        .arg(xen.join("xen/tools/gen-cpuid.py"))
        .arg("-i")
        .arg(public.join("arch-x86/cpufeatureset.h"))
        .arg("-o")
        .arg(xinc.join("lib/x86/cpuid-autogen.h"))
        .status();
    match status {
        Ok(s) if s.success() => {}
        other => panic!("gen-cpuid.py failed: {other:?}"),
    }
    // x86-emulate.c does #include "x86_emulate/x86_emulate.c".
    let quote = out.join("quote");
    std::fs::create_dir_all(&quote).unwrap_or_default();
    symlink(
        &xen.join("xen/arch/x86/x86_emulate"),
        &quote.join("x86_emulate"),
    );

    let mut b = cc::Build::new();
    b.include(&inc)
        .include(xen.join("tools/include"))
        .include(xen.join("tools/tests/x86_emulator"))
        .flag(format!("-iquote{}", quote.display()))
        .flag(format!("-iquote{}", xen.join("xen/lib/x86").display()))
        .define("__XEN_TOOLS__", None)
        .flag("-fno-strict-aliasing")
        .flag("-std=gnu11")
        .warnings(false)
        .opt_level(2)
        .file(xen.join("tools/tests/x86_emulator/x86-emulate.c"))
        .file(xen.join("xen/lib/x86/cpuid.c"))
        .file(manifest.join("csrc/glue.c"));
    b.compile("xen_x86_emulate");
}
