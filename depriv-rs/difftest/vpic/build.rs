//! Compiles Xen's own `xen/arch/x86/hvm/vpic.c`, unchanged, from the pinned
//! source tree, with the shim headers in `shim/` standing in for the rest of
//! Xen.  The source is read from the build tree at build time, never copied.
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
        .opt_level(2)
        .flag("-fno-strict-aliasing")
        .warnings(false)
        .compile("xenvpic");
}
