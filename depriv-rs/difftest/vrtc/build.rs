//! Compiles Xen's own rtc.c and common/time.c (and mktime() cut from
//! arch/x86/time.c) from the pinned, unmodified source tree, with the shim
//! headers in `shim/`.  Nothing of Xen is copied into this repository.

use std::env;
use std::fs;
use std::path::{Path, PathBuf};

fn cut<'a>(text: &'a str, start: &str, end: &str, what: &str) -> &'a str {
    let s = text
        .find(start)
        .unwrap_or_else(|| panic!("{what}: start marker {start:?} not found"));
    let e = text[s..]
        .find(end)
        .unwrap_or_else(|| panic!("{what}: end marker {end:?} not found"));
    &text[s..s + e + end.len()]
}

fn main() {
    let manifest = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap());
    let xen = env::var_os("XEN_PRISTINE_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| manifest.join("../../../build/xen-pristine"));
    let rtc_c = xen.join("xen/arch/x86/hvm/rtc.c");
    if !rtc_c.exists() {
        panic!(
            "pinned Xen source not found at {}: run `make fetch`",
            xen.display()
        );
    }
    let out = PathBuf::from(env::var("OUT_DIR").unwrap());
    let gen = out.join("gen");
    fs::create_dir_all(gen.join("asm")).unwrap();

    let read = |p: &Path| {
        println!("cargo:rerun-if-changed={}", p.display());
        fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
    };

    // struct hvm_hw_rtc, exactly as the public header declares it.
    let save_h = read(&xen.join("xen/include/public/arch-x86/hvm/save.h"));
    let rec = cut(&save_h, "#define RTC_CMOS_SIZE", "};", "struct hvm_hw_rtc");
    fs::write(
        gen.join("hvm_hw_rtc.h"),
        format!("/* cut from the pinned save.h */\n#ifndef GEN_HVM_HW_RTC_H\n#define GEN_HVM_HW_RTC_H\n{rec}\n#endif\n"),
    )
    .unwrap();
    // The register constants: the real header, alone.
    fs::copy(
        xen.join("xen/arch/x86/include/asm/mc146818rtc.h"),
        gen.join("asm/mc146818rtc.h"),
    )
    .unwrap();
    // mktime() from arch/x86/time.c (the rest of that file is hardware).
    let time_x86 = read(&xen.join("xen/arch/x86/time.c"));
    let mk = cut(&time_x86, "unsigned long\nmktime (", "\n}\n", "mktime");
    fs::write(
        gen.join("xen_mktime.c"),
        format!("/* cut from the pinned arch/x86/time.c */\n#include <xen/time.h>\n{mk}"),
    )
    .unwrap();

    let shim = manifest.join("shim");
    let mut b = cc::Build::new();
    b.file(&rtc_c)
        .file(xen.join("xen/common/time.c"))
        .file(gen.join("xen_mktime.c"))
        .file(manifest.join("csrc/shim.c"))
        .include(&shim)
        .include(&gen)
        .flag("-std=gnu99")
        .flag("-fno-strict-aliasing")
        .flag("-include")
        .flag(shim.join("xen-shim.h").to_str().unwrap())
        .opt_level(2)
        .warnings(false)
        .extra_warnings(false)
        .flag_if_supported("-Wno-unused-parameter")
        .flag_if_supported("-Wno-unused-function")
        .flag("-Werror=implicit-function-declaration");
    b.compile("xenrtc");
    for f in ["csrc/shim.c", "shim", "build.rs"] {
        println!("cargo:rerun-if-changed={f}");
    }
    println!("cargo:rerun-if-env-changed=XEN_PRISTINE_DIR");
    println!("cargo:rerun-if-changed={}", rtc_c.display());
}
