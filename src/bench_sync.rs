//! `atelier bench-sync`: the indexer as users run it, end to end from a real chain.
//!
//! 1. Builds a history on the chain: after a stretch of empty blocks (built before the DAO
//!    was deployed, `scripts/chain.sh new-blocks`: a chain's quiet years before an app
//!    arrives), a dense stretch of routed royalties, many per block
//!    (`royalty_router.route_batch` calls of up to `MAX_BATCH` royalties each, several per
//!    extrinsic with `Utility::batch_all`, one block per extrinsic).
//! 2. The ceiling, per stretch: `atelier index --once --no-store` as a child process, the
//!    indexer's own connection set-up and fetch pipeline (ranged hashes, one storage read
//!    per block, `concurrency` in flight, `System.Events` decoded) with no contract decoding
//!    and no store, timed from spawn to exit as the indexer is.
//! 3. Per store: `atelier index --once` (this binary, as a child process) from block 0 into
//!    the fresh store, first to the end of the empty stretch (`--to-block`), then on to the
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
use serde::Serialize;

use crate::{cli::ChainArgs, dao::DaoClient, wallet};

/// What to build and measure.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Stores to index into (each must be empty).
    pub dbs: Vec<String>,
    /// Royalties routed in the dense stretch (one contract event each).
    pub royalties: u64,
    /// Royalties per `route_batch` call (at most `royalty_router::MAX_BATCH`).
    pub per_call: usize,
    /// `route_batch` calls per extrinsic (halved while the chain finds one too heavy).
    pub per_batch: usize,
    /// The last block of the empty stretch, blocks 1..=empty_to, built before the DAO was
    /// deployed (`scripts/chain.sh new-blocks`); 0 for none.
    pub empty_to: u64,
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
    /// The empty stretch: blocks 0..=empty_to.
    pub empty_to: u64,
    /// The dense stretch (the DAO's deployment, its seed and the routed royalties):
    /// empty_to+1..=head.
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
    dense_history(dao, plan).await?;
    let build_seconds = started.elapsed().as_secs_f64();
    let (head, _) = chain.head().await?;
    let empty_to = plan.empty_to;
    eprintln!(
        "history: blocks 0..={empty_to} empty, {}..={head} dense (built in {build_seconds:.0} s)",
        empty_to + 1
    );
    let stretches = if empty_to > 0 {
        vec![("empty", 0, empty_to), ("dense", empty_to + 1, head)]
    } else {
        vec![("dense", 0, head)]
    };
    let mut runs = Vec::new();
    let mut ceilings = Vec::new();
    for &(name, from, to) in &stretches {
        let run = ceiling(args, plan, name, from, to)?;
        if name == "empty" && run.events > 0 {
            bail!(
                "--empty-to {to}: blocks up to {to} hold {} contract events; build the empty \
                 blocks before deploying the DAO (scripts/chain.sh new-blocks)",
                run.events
            );
        }
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
        empty_to,
        head,
        build_seconds,
        runs,
    })
}

/// Routes `plan.royalties` royalties of work #0 (the seed registers it): `plan.per_call` of
/// them in each `royalty_router.route_batch` call, `plan.per_batch` calls in each extrinsic;
/// returns the last block of the dense stretch.
async fn dense_history(dao: &DaoClient, plan: &Plan) -> Result<u64> {
    use atelier_abi::royalty_router::messages::route_batch;
    let chain = &dao.chain;
    let alice = wallet::dev("Alice");
    let router = dao.deployment.address("royalty_router");
    // A royalty of one unit: the contract sees it in its 18-decimal units, the extrinsic
    // sends it in native units.
    let royalty = atelier_abi::UNIT;
    let unit = royalty / chain.native_to_eth_ratio()?;
    let per_call = plan.per_call.max(1);
    let call = |n: usize| {
        let royalties = vec![(0u64, royalty); n];
        (unit * n as u128, route_batch(royalties).input)
    };
    let (value, input) = call(per_call);
    let dry_run = chain
        .dry_run_call(&alice, router, value, input.clone())
        .await?;
    if dry_run.reverted {
        bail!(
            "royalty_router.route_batch of {per_call} royalties of work 0 reverts on this chain \
             ({}); deploy and seed it first (`atelier dev --no-services`)",
            crate::dao::refusal("royalty_router", &route_batch(Vec::new()), &dry_run.data)
        );
    }
    let mut per_batch = plan.per_batch.max(1);
    let mut done = 0u64;
    let mut last = chain.head().await?.0;
    let started = Instant::now();
    while done < plan.royalties {
        let left = plan.royalties - done;
        let full = usize::try_from(left / per_call as u64).unwrap_or(usize::MAX);
        let mut calls = vec![(router, value, input.clone()); per_batch.min(full)];
        if calls.len() < per_batch && full < per_batch && !left.is_multiple_of(per_call as u64) {
            // the last, shorter call
            let (v, i) = call(usize::try_from(left % per_call as u64).unwrap_or(0));
            calls.push((router, v, i));
        }
        let n: u64 = calls
            .iter()
            .map(|(_, v, _)| u64::try_from(v / unit).unwrap_or(0))
            .sum();
        match chain.call_batch(&alice, &calls, dry_run.clone()).await {
            Ok(included) => {
                if included.events.len() as u64 != n {
                    bail!(
                        "{} route_batch calls of {n} royalties emitted {} contract events",
                        calls.len(),
                        included.events.len()
                    );
                }
                done += n;
                last = included.block_number;
                eprintln!(
                    "dense history: {done} / {} royalties routed (block {last}, {:.0} s)",
                    plan.royalties,
                    started.elapsed().as_secs_f64()
                );
            }
            Err(err) if per_batch > 1 => {
                per_batch /= 2;
                eprintln!(
                    "an extrinsic of {} calls was refused ({err}); trying {per_batch}",
                    calls.len()
                );
            }
            Err(err) => return Err(err.into()),
        }
    }
    Ok(last)
}

/// Fetch + decode of blocks `from..=to` with nothing stored, the ceiling: `atelier index
/// --once --no-store` as a child process, timed as the indexer is (spawn to exit, the same
/// connection set-up and fetch pipeline, no contract decoding and no store).
fn ceiling(args: &ChainArgs, plan: &Plan, stretch: &str, from: u64, to: u64) -> Result<Run> {
    let mut run = child(
        args,
        plan,
        &[
            "--no-store".into(),
            "--start-block".into(),
            from.to_string(),
            "--to-block".into(),
            to.to_string(),
        ],
    )?;
    if run.blocks != to - from + 1 {
        bail!(
            "the ceiling read {} blocks of {}",
            run.blocks,
            to - from + 1
        );
    }
    run.what = "ceiling".into();
    run.stretch = stretch.into();
    run.of_ceiling = 1.0;
    Ok(run)
}

/// `atelier index --once --to-block TO` into `db` (from block 0, then from its cursor), as
/// a child process.
fn index_once(args: &ChainArgs, db: &str, plan: &Plan, to: u64) -> Result<Run> {
    child(
        args,
        plan,
        &[
            "--db".into(),
            db.into(),
            "--start-block".into(),
            "0".into(),
            "--to-block".into(),
            to.to_string(),
        ],
    )
    .with_context(|| format!("`atelier index --once` into {db}"))
}

/// `atelier index --once --json ARGS` as a child process: wall time from spawn to exit, what
/// it stored (or read), its peak RSS and the chain server's CPU time meanwhile.
fn child(args: &ChainArgs, plan: &Plan, extra: &[String]) -> Result<Run> {
    let exe = std::env::current_exe().context("cannot find the atelier binary")?;
    let url = args
        .url
        .clone()
        .context("bench-sync needs the chain's --url")?;
    let cpu = chain_cpu_s(plan.chain_pid);
    let started = Instant::now();
    let mut child = Command::new(exe)
        .args(["index", "--once", "--json", "--url", &url])
        .arg("--deployment")
        .arg(Path::new(&args.deployment))
        .args(extra)
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
        bail!(
            "`atelier index --once {}` failed ({status})",
            extra.join(" ")
        );
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
