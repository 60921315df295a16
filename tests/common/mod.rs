//! Helpers shared by the end-to-end tests: a local chain per test, dev keys, stores.
#![allow(dead_code)] // each test binary uses a different subset

use std::{path::PathBuf, process::Command};

use atelier_chain::client::Chain;
use atelier_sandbox::sp_core::H160;
use subxt_signer::sr25519::Keypair;

/// Native units per contract unit (pallet-revive's NATIVE_TO_ETH_RATIO).
pub const RATIO: u128 = atelier_sandbox::NATIVE_TO_ETH_RATIO as u128;

/// A chain started for one test and stopped when dropped.
pub struct LocalChain {
    pub dir: PathBuf,
    pub url: String,
}

fn script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scripts/chain.sh")
}

impl LocalChain {
    pub fn start(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("atelier-e2e-{name}-{}", std::process::id()));
        let out = Command::new(script())
            .args(["start", "--dir"])
            .arg(&dir)
            .output()
            .expect("scripts/chain.sh runs");
        assert!(
            out.status.success(),
            "the local chain did not start: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let url = String::from_utf8(out.stdout).unwrap().trim().to_owned();
        Self { dir, url }
    }
}

impl Drop for LocalChain {
    fn drop(&mut self) {
        let _ = Command::new(script())
            .args(["stop", "--dir"])
            .arg(&self.dir)
            .output();
    }
}

pub fn dev(name: &str) -> Keypair {
    atelier::wallet::dev(name)
}

pub fn addr(k: &Keypair) -> H160 {
    H160(Chain::address_of(k))
}

/// A fresh SQLite file and, when the server answers, a fresh PostgreSQL database
/// (`ATELIER_TEST_PG_URL`, default the local service's `test` database).
pub async fn stores() -> Vec<String> {
    let name = format!("atelier_e2e_{}", std::process::id());
    let path = std::env::temp_dir().join(format!("{name}.db"));
    let _ = std::fs::remove_file(&path);
    let mut out = vec![format!("sqlite://{}", path.display())];
    let admin = std::env::var("ATELIER_TEST_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    match sqlx::PgPool::connect(&admin).await {
        Ok(pool) => {
            let drop = format!("DROP DATABASE IF EXISTS {name}");
            let _ = sqlx::query(&drop).execute(&pool).await;
            let create = format!("CREATE DATABASE {name}");
            sqlx::query(&create).execute(&pool).await.unwrap();
            let base = admin.rsplit_once('/').map_or(admin.as_str(), |(b, _)| b);
            out.push(format!("{base}/{name}"));
        }
        Err(e) => eprintln!(
            "skipped the PostgreSQL half: no server at {admin} ({e}); scripts/setup.sh starts one"
        ),
    }
    out
}
