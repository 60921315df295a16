//! The `atelier` binary links libtorch through the worker; tch gives downstream binaries no
//! rpath, so it gets one here, to the folder the worker's build script found.
fn main() {
    println!("cargo:rerun-if-env-changed=DEP_ATELIER_TORCH_LIBDIR");
    if let Ok(dir) = std::env::var("DEP_ATELIER_TORCH_LIBDIR") {
        println!("cargo:rustc-link-arg=-Wl,-rpath,{dir}");
    }
}
