//! libtorch comes from the PyPI `torch` wheel (LIBTORCH_USE_PYTORCH=1); tch gives the
//! binaries that link it no rpath, so this crate's tests and benches get one here.
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-env-changed=VIRTUAL_ENV");
    let python = if std::env::var_os("VIRTUAL_ENV").is_some() {
        "python"
    } else {
        "python3"
    };
    let out = Command::new(python)
        .args([
            "-c",
            "import torch,os;print(os.path.join(os.path.dirname(torch.__file__),'lib'))",
        ])
        .output();
    if let Ok(out) = out {
        if out.status.success() {
            let dir = String::from_utf8_lossy(&out.stdout).trim().to_owned();
            println!("cargo:rustc-link-arg=-Wl,-rpath,{dir}");
            // Read by the build scripts of packages that depend on this one.
            println!("cargo:libdir={dir}");
        }
    }
}
