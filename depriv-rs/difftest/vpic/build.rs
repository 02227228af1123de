//! Compiles Xen's own `xen/arch/x86/hvm/vpic.c`, unchanged, from the pinned
//! source tree, with the shim headers in `shim/` standing in for the rest of
//! Xen, and hvm_depriv's edge shortcut, `asm/hvm/vpic-edge.h`, from the
//! patched tree (`make patch`).  The sources are read from the build tree at
//! build time, never copied.
use std::path::PathBuf;

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default());
    let xen = std::env::var_os("XEN_PRISTINE_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| manifest.join("../../../build/xen-pristine"));
    let vpic_c = xen.join("xen/arch/x86/hvm/vpic.c");
    println!("cargo:rerun-if-env-changed=XEN_PRISTINE_DIR");
    println!("cargo:rerun-if-changed={}", vpic_c.display());
    println!("cargo:rerun-if-changed=shim");
    if !vpic_c.is_file() {
        eprintln!(
            "pinned Xen source not found at {}: run `make fetch`",
            xen.display()
        );
        std::process::exit(1);
    }
    // The test of the shortcut Xen applies before an edge call, exactly as
    // Xen compiles it: from the tree the series is applied to.
    let src = std::env::var_os("XEN_SRC_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| manifest.join("../../../build/xen-src"));
    let edge_h = src.join("xen/arch/x86/include/asm/hvm/vpic-edge.h");
    println!("cargo:rerun-if-env-changed=XEN_SRC_DIR");
    println!("cargo:rerun-if-changed={}", edge_h.display());
    if !edge_h.is_file() {
        eprintln!(
            "patched Xen source not found at {}: run `make patch`",
            src.display()
        );
        std::process::exit(1);
    }
    let shim = manifest.join("shim");
    cc::Build::new()
        .file(shim.join("wrap.c"))
        // Shim first: <xen/...> and <asm/...> resolve to it; Xen's include
        // dir only serves the public headers.
        .include(&shim)
        .include(xen.join("xen/include"))
        .flag("-include")
        .flag(shim.join("prelude.h").to_string_lossy().as_ref())
        .define("__XEN_TOOLS__", None)
        .define("VPIC_C", Some(format!("\"{}\"", vpic_c.display()).as_str()))
        .define(
            "VPIC_EDGE_H",
            Some(format!("\"{}\"", edge_h.display()).as_str()),
        )
        .opt_level(2)
        .flag("-fno-strict-aliasing")
        .warnings(false)
        .compile("xenvpic");
}
