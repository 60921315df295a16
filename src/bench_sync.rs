//! `atelier bench-sync`: the indexer as users run it, end to end from a real chain.
//!
//! 1. Builds a history on the chain: a dense stretch of `royalty_router.route` calls, many per
//!    block (`Utility::batch_all` of `Revive::call`s, so the chain builds one block per
//!    batch), then a stretch of empty blocks (`dev_newBlock`).
//! 2. The ceiling, per stretch: the blocks fetched and their events decoded in this process
//!    (ranged hashes, one storage read per block, `concurrency` in flight), no store.
//! 3. Per store: `atelier index --once` (this binary, as a child process) from block 0 into
//!    the fresh store, first to the end of the dense stretch (`--to-block`), then on to the
//!    head; wall time from spawn to exit, the child's peak RSS (its VmHWM, which it prints
//!    with its result), and the chain
//!    server's CPU time over each run (`/proc/PID/stat` of `--chain-pid`).
//!
//! Everything is measured in the same run on the same blocks.

use std::{
    io::Read,
    path::Path,
    process::{Command, Stdio},
    time::Instant,
};

use anyhow::{bail, Context, Result};
use atelier_chain::client::Chain;
use serde::Serialize;

use crate::{cli::ChainArgs, dao::DaoClient, wallet};

/// What to build and measure.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Stores to index into (each must be empty).
    pub dbs: Vec<String>,
    /// Route calls in the dense stretch (one contract event each).
    pub calls: u64,
    /// Route calls per extrinsic (halved while the chain finds a batch too heavy).
    pub per_batch: usize,
    /// Empty blocks after the dense stretch.
    pub empty_blocks: u32,
    /// Process id of the chain server, for its CPU time.
    pub chain_pid: Option<u32>,
    /// Blocks in flight, for the ceiling and the indexer.
    pub concurrency: usize,
}

/// One measured run over one stretch.
#[derive(Debug, Clone, Serialize)]
pub struct Run {
    /// `ceiling` (fetch + decode, no store) or the store's backend.
    pub what: String,
    /// `dense` or `empty`.
    pub stretch: String,
    /// Blocks read.
    pub blocks: u64,
    /// Contract events read (ceiling) or stored (indexer).
    pub events: u64,
    /// Wall time, seconds.
    pub seconds: f64,
    /// Contract events per second.
    pub events_per_s: f64,
    /// Blocks per second.
    pub blocks_per_s: f64,
    /// This run's share of the ceiling's rate on the same stretch (events/s on the dense
    /// stretch, blocks/s on the empty one).
    pub of_ceiling: f64,
    /// Peak resident memory of the indexer process, MiB (the ceiling: this process so far).
    pub peak_rss_mib: f64,
    /// CPU seconds the chain server spent during the run.
    pub chain_cpu_s: Option<f64>,
}

/// The history built and the runs measured.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The dense stretch: blocks 0..=dense_end.
    pub dense_end: u64,
    /// The empty stretch: dense_end+1..=head.
    pub head: u64,
    /// Seconds the chain took to build the history.
    pub build_seconds: f64,
    /// Every run.
    pub runs: Vec<Run>,
}

fn chain_cpu_s(pid: Option<u32>) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{}/stat", pid?)).ok()?;
    // Fields after the command name (which may hold spaces, closed by the last ')').
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    // utime + stime in USER_HZ ticks, which Linux fixes at 100 per second for /proc.
    Some(ticks / 100.0)
}

/// Builds the history, then measures the ceiling and each store.
///
/// # Errors
/// When the chain refuses the history, a store is not empty, or an indexer run fails.
pub async fn run(args: &ChainArgs, dao: &DaoClient, plan: &Plan) -> Result<Report> {
    let chain = &dao.chain;
    for db in &plan.dbs {
        let store = atelier_store::Store::open(db)
            .await
            .with_context(|| format!("cannot open {db}"))?;
        if store.cursor().await?.is_some() {
            bail!("{db} already holds an index; bench-sync needs empty stores");
        }
        store.close().await;
    }
    let started = Instant::now();
    let dense_end = dense_history(dao, plan).await?;
    empty_blocks(chain, plan.empty_blocks).await?;
    let build_seconds = started.elapsed().as_secs_f64();
    let (head, _) = chain.head().await?;
    eprintln!(
        "history: blocks 0..={dense_end} dense, {}..={head} empty, built in {build_seconds:.0} s",
        dense_end + 1
    );

    let stretches = [("dense", 0, dense_end), ("empty", dense_end + 1, head)];
    let mut runs = Vec::new();
    let mut ceilings = Vec::new();
    for (name, from, to) in stretches {
        let run = ceiling(chain, plan, name, from, to).await?;
        eprintln!(
            "ceiling, {name}: {} blocks, {} events in {:.2} s",
            run.blocks, run.events, run.seconds
        );
        ceilings.push(run.clone());
        runs.push(run);
    }
    for db in &plan.dbs {
        let backend = if db.starts_with("postgres") {
            "postgres"
        } else {
            "sqlite"
        };
        for (i, (name, _, to)) in stretches.iter().enumerate() {
            let mut run = index_once(args, db, plan, *to)?;
            run.what = backend.to_owned();
            run.stretch = (*name).to_owned();
            let c = &ceilings[i];
            if run.events != c.events || run.blocks != c.blocks {
                bail!(
                    "{backend}, {name} stretch: the indexer stored {} blocks / {} events where the chain has {} / {}",
                    run.blocks,
                    run.events,
                    c.blocks,
                    c.events
                );
            }
            run.of_ceiling = if *name == "dense" {
                run.events_per_s / c.events_per_s.max(1e-9)
            } else {
                run.blocks_per_s / c.blocks_per_s.max(1e-9)
            };
            eprintln!(
                "{backend}, {name}: {} blocks, {} events in {:.2} s ({:.0}% of the ceiling), peak RSS {:.0} MiB",
                run.blocks,
                run.events,
                run.seconds,
                run.of_ceiling * 100.0,
                run.peak_rss_mib
            );
            runs.push(run);
        }
    }
    Ok(Report {
        dense_end,
        head,
        build_seconds,
        runs,
    })
}

/// Routes `plan.calls` royalties of work #0 (the seed registers it) in batches; returns the
/// last block of the dense stretch.
async fn dense_history(dao: &DaoClient, plan: &Plan) -> Result<u64> {
    let chain = &dao.chain;
    let alice = wallet::dev("Alice");
    let router = dao.deployment.address("royalty_router");
    let input = dao.input("royalty_router", "route", 0u64)?;
    let value = atelier_sandbox::funds::UNIT / u128::from(atelier_sandbox::NATIVE_TO_ETH_RATIO);
    let dry_run = chain
        .dry_run_call(&alice, router, value, input.clone())
        .await?;
    if dry_run.reverted {
        bail!("royalty_router.route(0) reverts on this chain: deploy and seed it first (`atelier dev --no-services`)");
    }
    let mut per_batch = plan.per_batch.max(1);
    let mut done = 0u64;
    let mut last = chain.head().await?.0;
    let started = Instant::now();
    while done < plan.calls {
        let n = per_batch.min(usize::try_from(plan.calls - done).unwrap_or(usize::MAX));
        let calls = vec![(router, value, input.clone()); n];
        match chain.call_batch(&alice, &calls, dry_run.clone()).await {
            Ok(included) => {
                if included.events.len() != n {
                    bail!(
                        "a batch of {n} route calls emitted {} contract events",
                        included.events.len()
                    );
                }
                done += n as u64;
                last = included.block_number;
                eprintln!(
                    "dense history: {done} / {} route calls (block {last}, {:.0} s)",
                    plan.calls,
                    started.elapsed().as_secs_f64()
                );
            }
            Err(err) if per_batch > 1 => {
                per_batch /= 2;
                eprintln!("a batch of {n} calls was refused ({err}); trying {per_batch}");
            }
            Err(err) => return Err(err.into()),
        }
    }
    Ok(last)
}

async fn empty_blocks(chain: &Chain, count: u32) -> Result<()> {
    let started = Instant::now();
    let mut built = 0;
    while built < count {
        let n = (count - built).min(25); // Chopsticks builds ~4 per second: short requests
        chain.dev_new_blocks(n).await?;
        built += n;
        eprintln!(
            "empty blocks: {built} / {count} ({:.0} s)",
            started.elapsed().as_secs_f64()
        );
    }
    Ok(())
}

/// Fetch + decode of blocks `from..=to` with nothing stored: the ceiling.
async fn ceiling(chain: &Chain, plan: &Plan, stretch: &str, from: u64, to: u64) -> Result<Run> {
    let cpu = chain_cpu_s(plan.chain_pid);
    let started = Instant::now();
    let (mut blocks, _fetching) =
        atelier_indexer::fetch_blocks(chain.clone(), from..=to, plan.concurrency);
    let (mut n, mut events) = (0u64, 0u64);
    while let Some(block) = blocks.recv().await {
        events += block?.emitted.len() as u64;
        n += 1;
    }
    let seconds = started.elapsed().as_secs_f64();
    if n != to - from + 1 {
        bail!("the ceiling read {n} blocks of {}", to - from + 1);
    }
    Ok(Run {
        what: "ceiling".into(),
        stretch: stretch.into(),
        blocks: n,
        events,
        seconds,
        events_per_s: events as f64 / seconds,
        blocks_per_s: n as f64 / seconds,
        of_ceiling: 1.0,
        peak_rss_mib: crate::service::peak_rss_mib(),
        chain_cpu_s: cpu.zip(chain_cpu_s(plan.chain_pid)).map(|(a, b)| b - a),
    })
}

/// `atelier index --once --to-block TO` into `db`, as a child process.
fn index_once(args: &ChainArgs, db: &str, plan: &Plan, to: u64) -> Result<Run> {
    let exe = std::env::current_exe().context("cannot find the atelier binary")?;
    let url = args
        .url
        .clone()
        .context("bench-sync needs the chain's --url")?;
    let cpu = chain_cpu_s(plan.chain_pid);
    let started = Instant::now();
    let mut child = Command::new(exe)
        .args(["index", "--once", "--json", "--url", &url, "--db", db])
        .arg("--deployment")
        .arg(Path::new(&args.deployment))
        .args(["--start-block", "0", "--to-block", &to.to_string()])
        .args(["--concurrency", &plan.concurrency.to_string()])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .context("cannot start `atelier index`")?;
    let mut out = String::new();
    child
        .stdout
        .take()
        .context("no stdout")?
        .read_to_string(&mut out)?;
    let status = child.wait()?;
    let seconds = started.elapsed().as_secs_f64();
    let chain_cpu = cpu.zip(chain_cpu_s(plan.chain_pid)).map(|(a, b)| b - a);
    if !status.success() {
        bail!("`atelier index --once` into {db} failed ({status})");
    }
    let result: serde_json::Value = serde_json::from_str(out.trim())
        .with_context(|| format!("the indexer printed `{}`", out.trim()))?;
    let blocks = result["blocks"].as_u64().unwrap_or(0);
    let events = result["events"].as_u64().unwrap_or(0);
    Ok(Run {
        what: String::new(),
        stretch: String::new(),
        blocks,
        events,
        seconds,
        events_per_s: events as f64 / seconds,
        blocks_per_s: blocks as f64 / seconds,
        of_ceiling: 0.0,
        // what the indexer read of itself (VmHWM) as it finished
        peak_rss_mib: result["peak_rss_mib"].as_f64().unwrap_or(f64::NAN),
        chain_cpu_s: chain_cpu,
    })
}
