//! The web app in a real browser against the local stack: a chain (Chopsticks serving the
//! project's runtime), the DAO deployed and seeded, `atelier index` following it into SQLite
//! and `atelier serve` serving the API and the page. `api/web/tests/e2e.mjs` then drives
//! Debian's headless Chromium with Playwright (playwright-core): a member connects a wallet
//! (the standard injected-extension interface, backed by the dev keyring) and votes, a
//! non-steward is refused a payout, a steward pays an approved spend; each step waits until
//! the indexer's live stream reports it, and saves a screenshot. Afterwards the chain itself
//! is asked whether the vote and the payout happened.

mod common;

use std::{
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::Duration,
};

use atelier::{
    dao::DaoClient,
    deploy::{self, DeployConfig},
};
use atelier_abi::{governor, membership, treasury};
use atelier_chain::client::{BackendKind, Chain};
use common::{dev, LocalChain};

const CHROMIUM: &str = "/usr/bin/chromium";

struct Service(Child);

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn spawn(args: &[&str], log: &Path) -> Service {
    let out = std::fs::File::create(log).unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_atelier"))
        .args(args)
        .stdout(out.try_clone().unwrap())
        .stderr(out)
        .spawn()
        .expect("atelier starts");
    Service(child)
}

#[tokio::test(flavor = "multi_thread")]
async fn members_vote_and_stewards_pay_out_in_a_real_browser() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let web = root.join("api/web");
    assert!(
        Path::new(CHROMIUM).exists(),
        "{CHROMIUM} is missing: scripts/setup.sh installs Debian's chromium"
    );
    assert!(
        web.join("node_modules/playwright-core").exists(),
        "api/web/node_modules is missing: scripts/setup.sh installs it (npm ci)"
    );
    tokio::time::timeout(Duration::from_secs(900), run(&root, &web))
        .await
        .expect("the browser test finished within 15 minutes");
}

async fn run(root: &Path, web: &Path) {
    let local = LocalChain::start("web");
    let chain = Chain::connect(&local.url, BackendKind::Legacy)
        .await
        .unwrap();
    let alice = dev("Alice");
    let deployment = deploy::deploy(&chain, &alice, &DeployConfig::dev(), |_| {})
        .await
        .unwrap();
    let work = std::env::temp_dir().join(format!("atelier-web-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).unwrap();
    let file = work.join("deployment.json");
    deployment.save(&file).unwrap();
    let dao = DaoClient::new(chain.clone(), deployment).unwrap();
    let seeded = atelier::seed::seed(&dao, |s| eprintln!("{s}"))
        .await
        .unwrap();

    let db = format!("sqlite://{}", work.join("store.db").display());
    let dep = file.display().to_string();
    let _indexer = spawn(
        &[
            "index",
            "--url",
            &local.url,
            "--deployment",
            &dep,
            "--db",
            &db,
        ],
        &work.join("index.log"),
    );
    let port = common::free_port();
    let listen = format!("127.0.0.1:{port}");
    let _api = spawn(
        &[
            "serve",
            "--db",
            &db,
            "--listen",
            &listen,
            "--chain-url",
            &local.url,
            "--rate-limit",
            "0",
            "--stream-poll-ms",
            "200",
        ],
        &work.join("serve.log"),
    );
    // the API answers and the indexer reached the seeded head
    let (head, _) = chain.head().await.unwrap();
    let status = format!("http://{listen}/status");
    let mut ready = false;
    for _ in 0..600 {
        if let Ok(out) = Command::new("curl").args(["-fsS", &status]).output() {
            let body: serde_json::Value =
                serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null);
            if body["head"]["number"].as_u64().is_some_and(|b| b >= head) {
                ready = true;
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(ready, "the stack did not index block {head} within 60 s");

    let shots = root.join("target/web-screenshots");
    let node = Command::new("node")
        .arg(web.join("tests/e2e.mjs"))
        .env("ATELIER_WEB_URL", format!("http://{listen}/app/"))
        .env("ATELIER_CHAIN_URL", &local.url)
        .env("ATELIER_PROPOSAL", seeded.open.to_string())
        .env("ATELIER_SPEND", "1")
        .env("ATELIER_SHOTS", &shots)
        .env("ATELIER_CHROMIUM", CHROMIUM)
        .stdout(Stdio::inherit())
        .stderr(Stdio::inherit())
        .status()
        .expect("node runs");
    if !node.success() {
        for log in ["index.log", "serve.log"] {
            let text = std::fs::read_to_string(work.join(log)).unwrap_or_default();
            let tail: Vec<&str> = text.lines().rev().take(20).collect();
            eprintln!(
                "--- last lines of {log}:\n{}",
                tail.into_iter().rev().collect::<Vec<_>>().join("\n")
            );
        }
    }
    assert!(node.success(), "the browser steps failed: {node}");
    eprintln!("screenshots in {}", shots.display());

    // what the page did is on chain: Eve's For vote counted, the bounty paid to Ferdie
    let p = dao
        .read(
            &alice,
            "governor",
            governor::messages::proposal(seeded.open),
        )
        .await
        .unwrap();
    let eve_weight = dao
        .read(
            &alice,
            "membership",
            membership::messages::votes(common::addr(&dev("Eve"))),
        )
        .await
        .unwrap();
    assert_eq!(p.expect("the open proposal").for_votes, eve_weight);
    let spend = dao
        .read(&alice, "compute_fund", treasury::messages::spend(1))
        .await
        .unwrap();
    let spend = spend.expect("the bounty spend");
    assert_eq!(
        spend.paid, spend.request.amount,
        "the steward's payout landed"
    );
    let _ = std::fs::remove_dir_all(&work);
}
