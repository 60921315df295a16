//! `atelier bench-index`: the indexer's throughput and head latency, measured in one run.
//!
//! Throughput replays recorded blocks: every block of the chain is fetched once
//! (`Chain::block_events`) and kept in memory, then decoded and stored again and again with
//! shifted block numbers and hashes, in the indexer's backfill batches, until the requested
//! number of contract events has been written; the baseline, measured in the same run on the same blocks, is decoding alone
//! (no store), so the ratio shows what the store costs. Replayed blocks repeat the same
//! contract events, so derived tables see upserts of known rows after the first pass.
//!
//! Head latency: with a follower running, transactions are submitted one by one; for each,
//! the time from the transaction's finalized inclusion (when the client returns) to its
//! block being the store's cursor.

use std::time::{Duration, Instant};

use anyhow::Result;
use atelier_chain::client::BlockEvents as ChainBlock;
use serde::Serialize;

use crate::{
    cli::{indexer, ChainArgs},
    dao::DaoClient,
    deploy::Deployment,
    wallet,
};

/// One backend's figures.
#[derive(Debug, Clone, Serialize)]
pub struct Figures {
    /// Store URL scheme (`sqlite`, `postgres`).
    pub backend: String,
    /// Contract events stored.
    pub events: u64,
    /// Blocks stored.
    pub blocks: u64,
    /// Decoded and stored events per second.
    pub events_per_s: f64,
    /// Baseline: decoded (not stored) events per second, same blocks, same run.
    pub decode_only_events_per_s: f64,
    /// Head latency samples, milliseconds: median (measured on the first store only;
    /// `None` on the others).
    pub head_latency_median_ms: Option<f64>,
    /// Head latency, largest sample.
    pub head_latency_max_ms: Option<f64>,
    /// Peak resident memory of this process so far (VmHWM), MiB.
    pub peak_rss_mib: f64,
}

/// Runs the benchmark on each store in `dbs` (fresh databases: the replay writes shifted
/// blocks far above the chain's head).
///
/// # Errors
/// When the chain, the deployment or a store fails.
pub async fn run(
    args: &ChainArgs,
    dbs: &[String],
    events: u64,
    samples: usize,
) -> Result<Vec<Figures>> {
    let mut out = Vec::new();
    for db in dbs {
        let mut ix = indexer(args, db, Some(0)).await?;
        let (head, _) = ix.chain().head().await?;
        eprintln!("  recording blocks 1..={head} of the chain");
        let mut recorded: Vec<ChainBlock> = Vec::new();
        for n in 1..=head {
            recorded.push(ix.chain().block_events(n).await?);
        }
        let per_pass: u64 = recorded
            .iter()
            .map(|b| ix.to_store(b.clone()).events.len() as u64)
            .sum();
        anyhow::ensure!(per_pass > 0, "the chain has no events of the deployed contracts; run `atelier dev` (it seeds some) first");
        let passes = events.div_ceil(per_pass);

        // baseline: decoding alone
        let started = Instant::now();
        let mut decoded = 0u64;
        for _ in 0..passes {
            for b in &recorded {
                decoded += ix.to_store(b.clone()).events.len() as u64;
            }
        }
        let decode_rate = decoded as f64 / started.elapsed().as_secs_f64();

        // decoding and storing, block numbers shifted per pass
        let shift_base = head + 1_000_000;
        let started = Instant::now();
        let (mut stored, mut blocks) = (0u64, 0u64);
        for pass in 0..passes {
            let replayed: Vec<_> = recorded
                .iter()
                .map(|b| {
                    let mut b = b.clone();
                    b.number += shift_base + pass * (head + 1);
                    b.hash[..8].copy_from_slice(&b.number.to_be_bytes());
                    ix.to_store(b)
                })
                .collect();
            stored += replayed.iter().map(|b| b.events.len() as u64).sum::<u64>();
            blocks += replayed.len() as u64;
            ix.store_blocks(replayed).await?;
            if pass % 100 == 0 {
                eprintln!("  {db}: {stored} events stored");
            }
        }
        let store_rate = stored as f64 / started.elapsed().as_secs_f64();
        out.push(Figures {
            backend: db.split(':').next().unwrap_or("?").to_owned(),
            events: stored,
            blocks,
            events_per_s: store_rate,
            decode_only_events_per_s: decode_rate,
            head_latency_median_ms: None,
            head_latency_max_ms: None,
            peak_rss_mib: crate::service::peak_rss_mib(),
        });
    }
    // head latency on a fresh follower of the first store kind, on its own database file
    if let Some(first) = out.first_mut() {
        let latency_db = if first.backend == "sqlite" {
            let path = std::env::temp_dir()
                .join(format!("atelier-bench-latency-{}.db", std::process::id()));
            let _ = std::fs::remove_file(&path);
            format!("sqlite://{}", path.display())
        } else {
            dbs[0].clone()
        };
        let samples_ms = head_latency(args, &latency_db, samples).await?;
        let mut sorted = samples_ms.clone();
        sorted.sort_by(f64::total_cmp);
        first.head_latency_median_ms = sorted.get(sorted.len() / 2).copied();
        first.head_latency_max_ms = sorted.last().copied();
    }
    Ok(out)
}

async fn head_latency(args: &ChainArgs, db: &str, samples: usize) -> Result<Vec<f64>> {
    let mut ix = indexer(args, db, None).await?;
    // A second connection to the same store watches the cursor the follower writes.
    let store = atelier_store::Store::open(db).await?;
    let chain = ix.chain().clone();
    let (stop_tx, stop) = tokio::sync::watch::channel(false);
    let follower = tokio::spawn(async move { ix.run(stop, |_| {}).await });
    let deployment = Deployment::load(&args.deployment)?;
    let dao = DaoClient::new(chain, deployment)?;
    let bob = wallet::keypair(Some("//Bob"), None)?;
    // wait for the backfill
    let (head, _) = dao.chain.head().await?;
    wait_for(&store, head, Duration::from_secs(120)).await?;
    let mut out = Vec::new();
    for i in 0..samples {
        let mut evidence = [0u8; 32];
        evidence[..8].copy_from_slice(&(i as u64 + 1_000).to_be_bytes());
        evidence[8] = 0xbe;
        // unique per run: the head at the start differs between runs on one chain
        evidence[9..17].copy_from_slice(&head.to_be_bytes());
        let record = atelier_abi::membership::messages::record_contribution(2, evidence);
        let (_, included) = dao.send(&bob, "membership", record, 0).await?;
        let t = Instant::now();
        wait_for(&store, included.block_number, Duration::from_secs(30)).await?;
        out.push(t.elapsed().as_secs_f64() * 1_000.0);
    }
    let _ = stop_tx.send(true);
    let _ = follower.await;
    Ok(out)
}

async fn wait_for(store: &atelier_store::Store, block: u64, limit: Duration) -> Result<()> {
    let started = Instant::now();
    loop {
        if let Some((b, _)) = store.cursor().await? {
            if b as u64 >= block {
                return Ok(());
            }
        }
        anyhow::ensure!(
            started.elapsed() < limit,
            "the follower did not reach block {block} within {limit:?}"
        );
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
}
