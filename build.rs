//! The `atelier` binary links libtorch through the worker; tch gives downstream binaries no
//! rpath, so it gets one here (libtorch comes from the PyPI torch wheel, see scripts/setup.sh).
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
        }
    }
}
