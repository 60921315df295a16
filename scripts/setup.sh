#!/usr/bin/env bash
# Installs what Atelier needs on a Debian 12 machine. Idempotent: each step checks first and
# says what it does; a machine that has everything finishes in about a second.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

sudo_() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

apt_packages=(rustc-web cargo-web rust-web-src rust-web-llvm lld-22)
missing=()
for p in "${apt_packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    say "installing Debian packages: ${missing[*]}"
    sudo_ apt-get update -qq
    sudo_ env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
else
    echo "ok: Debian packages (${apt_packages[*]})"
fi

if ! command -v rustup >/dev/null; then
    echo "error: rustup is missing; this project expects the machine's rustup toolchain (cargo, rustc)" >&2
    exit 1
fi
if ! rustup toolchain list | grep -q '^debian-web'; then
    say "linking Debian's rustc 1.96 (with rust-src) as the rustup toolchain 'debian-web'"
    rustup toolchain link debian-web /usr
else
    echo "ok: rustup toolchain debian-web"
fi

want_cc="6.0.0-beta.2"
if ! cargo contract --version 2>/dev/null | grep -q "$want_cc"; then
    say "installing cargo-contract $want_cc (about 8 minutes on 2 cores)"
    cargo install cargo-contract --version "$want_cc" --locked -j "$CARGO_BUILD_JOBS"
else
    echo "ok: cargo-contract $want_cc"
fi
