//! Helpers shared by the end-to-end tests: a local chain per test, dev keys, stores.
#![allow(dead_code)] // each test binary uses a different subset

pub mod pg;

use std::{
    io::BufRead,
    path::PathBuf,
    process::{Child, Command, ExitStatus, Stdio},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use atelier_abi::H160;
use atelier_chain::client::Chain;
use subxt_signer::sr25519::Keypair;

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
        Err(e) => atelier_store::no_postgres("the PostgreSQL half", &admin, &e),
    }
    out
}

/// A TCP port nothing listens on right now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Polls `check` every 50 ms until it returns `Some`, panicking with `what` after `limit`.
/// Tests wait for an observable state with it, never for a fixed time.
pub async fn wait_until<T, F, Fut>(what: &str, limit: Duration, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = Instant::now() + limit;
    loop {
        if let Some(v) = check().await {
            return v;
        }
        assert!(
            Instant::now() < deadline,
            "waited {limit:?} for {what} in vain"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// An `atelier` child process whose stdout and stderr lines are kept (and echoed to the
/// test's output, prefixed with `name`), so a test can wait for what it says.
pub struct Spawned {
    pub child: Child,
    lines: Arc<Mutex<Vec<String>>>,
}

impl Spawned {
    /// Starts `atelier ARGS` in `dir` (the current folder when `None`).
    pub fn start(name: &str, args: &[&str], dir: Option<&std::path::Path>) -> Self {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_atelier"));
        cmd.args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .env_remove("RUST_LOG");
        if let Some(dir) = dir {
            cmd.current_dir(dir);
        }
        let mut child = cmd.spawn().expect("atelier starts");
        let lines = Arc::new(Mutex::new(Vec::new()));
        let pipes: [Box<dyn std::io::Read + Send>; 2] = [
            Box::new(child.stdout.take().unwrap()),
            Box::new(child.stderr.take().unwrap()),
        ];
        for pipe in pipes {
            let lines = lines.clone();
            let name = name.to_owned();
            std::thread::spawn(move || {
                for line in std::io::BufReader::new(pipe).lines().map_while(Result::ok) {
                    eprintln!("[{name}] {line}");
                    lines.lock().unwrap().push(line);
                }
            });
        }
        Self { child, lines }
    }

    /// Lines said so far that contain `text`.
    pub fn count(&self, text: &str) -> usize {
        self.lines
            .lock()
            .unwrap()
            .iter()
            .filter(|l| l.contains(text))
            .count()
    }

    /// The position of the first line containing `text` among the lines said so far.
    pub fn first(&self, text: &str) -> Option<usize> {
        self.lines
            .lock()
            .unwrap()
            .iter()
            .position(|l| l.contains(text))
    }

    /// The first line said so far that contains `text`.
    pub fn line(&self, text: &str) -> Option<String> {
        self.lines
            .lock()
            .unwrap()
            .iter()
            .find(|l| l.contains(text))
            .cloned()
    }

    /// Whether it said `text`.
    pub fn said(&self, text: &str) -> bool {
        self.count(text) > 0
    }

    /// Waits until it says `text` (panics after `limit`, or when it exits first).
    pub async fn wait_for_line(&mut self, text: &str, limit: Duration) {
        let deadline = Instant::now() + limit;
        while !self.said(text) {
            if let Some(status) = self.child.try_wait().unwrap() {
                // its last lines may still be on their way
                tokio::time::sleep(Duration::from_millis(200)).await;
                assert!(self.said(text), "exited ({status}) without saying `{text}`");
                return;
            }
            assert!(
                Instant::now() < deadline,
                "did not say `{text}` within {limit:?}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Panics when the process has exited.
    pub fn assert_running(&mut self) {
        if let Some(status) = self.child.try_wait().unwrap() {
            panic!("the process exited: {status}");
        }
    }

    /// SIGTERM, then waits for it to exit.
    pub fn terminate(&mut self) -> ExitStatus {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        self.child.wait().unwrap()
    }
}

impl Drop for Spawned {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
