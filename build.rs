//! Link options of the `otp` binary only (dependencies are unaffected).

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    if os == "linux" && env == "musl" {
        // Relative relocations packed as bitmaps (DT_RELR, applied by musl's static-PIE
        // start-up) instead of one 24-byte record each: `otp code` is mostly
        // start-up, and the table is read and applied on every run. docs/PERFORMANCE.md.
        println!("cargo:rustc-link-arg-bins=-Wl,-z,pack-relative-relocs");
    }
}
