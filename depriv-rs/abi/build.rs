//! Generate the Rust view of `include/hvm-depriv-abi.h`, the single source
//! of the ABI shared with Xen (docs/design.md, 3.1: one ABI header).
use std::{env, path::PathBuf};

fn main() {
    let header = "include/hvm-depriv-abi.h";
    println!("cargo:rerun-if-changed={header}");
    let out = PathBuf::from(env::var("OUT_DIR").expect("OUT_DIR")).join("abi.rs");
    bindgen::Builder::default()
        .header(header)
        .use_core()
        .ctypes_prefix("core::ffi")
        .layout_tests(false)
        .derive_default(true)
        // Only the ABI's own items, not what <stdint.h> brings along.
        .allowlist_item("(HVM_DEPRIV|hvm_depriv)_.*")
        // Constants as signed integers (negative error codes); lib.rs casts.
        .default_macro_constant_type(bindgen::MacroTypeVariation::Signed)
        .generate()
        .expect(
            "bindgen failed on hvm-depriv-abi.h (is libclang-dev installed? run scripts/setup.sh)",
        )
        .write_to_file(&out)
        .expect("writing abi.rs");
}
