//! The `atelier-worker` binary links libtorch through the worker crate; tch gives downstream
//! binaries no rpath, so it gets one here, to the folder the worker's build script found.
//! (`atelier` gets the rpath too, unused: it does not link libtorch.)
fn main() {
    println!("cargo:rerun-if-env-changed=DEP_ATELIER_TORCH_LIBDIR");
    if let Ok(dir) = std::env::var("DEP_ATELIER_TORCH_LIBDIR") {
        println!("cargo:rustc-link-arg-bins=-Wl,-rpath,{dir}");
    }
}
