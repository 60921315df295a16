//! The main job's start-up path, as a newcomer runs it: `atelier dev` in a folder with no
//! `atelier.db`, against a local chain. It deploys and seeds the DAO, opens and migrates the
//! new store once, then starts the indexer, the API and the worker on it at the same moment
//! (the race that once failed on a fresh machine); the API must then serve the seeded head
//! and the worker's summaries, and SIGTERM must stop everything cleanly.

mod common;

use std::{process::Command, time::Duration};

use common::{free_port, wait_until, LocalChain, Spawned};

fn get(url: &str) -> Option<serde_json::Value> {
    let out = Command::new("curl").args(["-fsS", url]).output().ok()?;
    out.status
        .success()
        .then(|| serde_json::from_slice(&out.stdout).ok())
        .flatten()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_main_job_starts_on_a_machine_without_a_store() {
    tokio::time::timeout(Duration::from_secs(1_200), main_job())
        .await
        .expect("finished within 20 minutes");
}

async fn main_job() {
    let local = LocalChain::start("dev");
    let dir = std::env::temp_dir().join(format!("atelier-dev-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    assert!(!dir.join("atelier.db").exists());
    let listen = format!("127.0.0.1:{}", free_port());
    let mut dev = Spawned::start(
        "dev",
        &["dev", "--url", &local.url, "--listen", &listen],
        Some(&dir),
    );
    dev.wait_for_line("indexer     following", Duration::from_secs(900))
        .await;
    let migrated = dev
        .first("open and migrated")
        .expect("the store was opened");
    let started = dev.first("indexer     following").unwrap();
    assert!(
        migrated < started,
        "the store is opened and migrated before the services start"
    );

    let chain = atelier_chain::client::Chain::connect(
        &local.url,
        atelier_chain::client::BackendKind::Legacy,
    )
    .await
    .unwrap();
    let (head, _) = chain.head().await.unwrap();
    let status = format!("http://{listen}/status");
    wait_until(
        "the API serving the seeded head",
        Duration::from_secs(300),
        || {
            let status = status.clone();
            async move {
                let body = get(&status)?;
                body["head"]["number"]
                    .as_u64()
                    .filter(|b| *b >= head)
                    .map(|_| ())
            }
        },
    )
    .await;
    // the worker wrote a summary for every seeded proposal
    let proposals = format!("http://{listen}/proposals");
    let ids: Vec<u64> = get(&proposals).expect("GET /proposals")["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|p| p["id"].as_u64())
        .collect();
    assert!(ids.len() >= 3, "the seeded proposals are listed: {ids:?}");
    for id in ids {
        let url = format!("http://{listen}/proposals/{id}");
        wait_until(
            &format!("the worker's summary of #{id}"),
            Duration::from_secs(300),
            || {
                let url = url.clone();
                async move {
                    let body = get(&url)?;
                    body["summary"]["text"]
                        .as_str()
                        .map(|t| assert!(!t.is_empty()))
                }
            },
        )
        .await;
    }
    assert!(
        !dev.said("Caused by") && !dev.said("stopped unexpectedly"),
        "no service failed"
    );

    let status = dev.terminate();
    assert!(
        status.success(),
        "SIGTERM stops the main job cleanly: {status}"
    );
    assert!(
        std::net::TcpListener::bind(&listen).is_ok(),
        "the API's port is free again"
    );
    let db = format!("sqlite://{}", dir.join("atelier.db").display());
    let pool = sqlx::SqlitePool::connect(&db).await.unwrap();
    let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(mode, "wal", "the store is in WAL mode");
    pool.close().await;
    let _ = std::fs::remove_dir_all(&dir);
}
