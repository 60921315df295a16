//! `atelier`: the command line of Atelier, DAO governance for generative-art communities.
//!
//! For now it runs the governance scenario and the weights report on the project's
//! pallet-revive runtime, in-process, from the committed contract artifacts. The local chain,
//! deployment, wallet commands and indexer join it as their issues land; `atelier work` runs
//! the worker and `atelier serve` the read API.

use std::io::Write;

use anyhow::Context;
use clap::{Parser, Subcommand};

/// Atelier: DAO governance for generative-art communities.
#[derive(Parser)]
#[command(name = "atelier", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// The main job: starts the local chain (unless --url), deploys the DAO (or finds the
    /// deployment), seeds a demo DAO (members, royalties, a grant executed and paid, a
    /// defeated and an open proposal) and prints where everything is.
    Dev {
        #[command(flatten)]
        chain: atelier::cli::ChainArgs,
        /// The store the indexer, the API and the worker share.
        #[arg(long, env = "ATELIER_DB", default_value = "sqlite://atelier.db")]
        db: String,
        /// Where the API listens.
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: String,
        /// Return after seeding instead of running the indexer, the API and the worker.
        #[arg(long)]
        no_services: bool,
    },
    /// Runs the governance scenario in-process on the pallet-revive runtime (no chain) and
    /// prints every step: contributions attested, delegation, a royalty routed, a proposal
    /// with an anchored summary, a direct vote and a relayed signed ballot, execution and a
    /// steward's payout.
    Scenario,
    /// Prints ref_time and proof_size of each contract message next to an ERC-20 transfer
    /// measured on the same runtime in the same run.
    Weights {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Runs the worker's job loop: summaries for proposals and curation scores for works
    /// that have none yet, written to the store. Bad items are recorded with the reason.
    Work {
        /// The store: sqlite://PATH (default, embedded) or postgres://...
        #[arg(long, env = "ATELIER_DB", default_value = "sqlite://atelier.db")]
        db: String,
        /// Folder of the all-MiniLM-L6-v2 model.
        #[arg(long, env = "ATELIER_MODEL_DIR")]
        model: Option<std::path::PathBuf>,
        /// Items per batch.
        #[arg(long, default_value_t = 32)]
        batch: i64,
        /// Stop when nothing is left instead of polling.
        #[arg(long)]
        once: bool,
    },
    /// Serves the read API (REST + Server-Sent Events, OpenAPI at /openapi.json, docs at
    /// /docs) over the store.
    Serve {
        /// The store: sqlite://PATH (default, embedded) or postgres://...
        #[arg(long, env = "ATELIER_DB", default_value = "sqlite://atelier.db")]
        db: String,
        #[command(flatten)]
        api: atelier_api::Config,
    },
    #[command(flatten)]
    Chain(atelier::cli::ChainCommand),
    /// Evaluates the worker.
    Eval {
        #[command(subcommand)]
        what: Eval,
    },
}

#[derive(Subcommand)]
enum Eval {
    /// ROUGE-1/2/L F1 of the proposal summariser against each proposal's human one-line
    /// description, next to baselines (first sentence, first three, TextRank) computed in
    /// the same run, with bootstrap 95% intervals.
    Summaries {
        /// Folder of proposals (markdown with YAML front matter and a `shortDescription`).
        #[arg(long, default_value = "../shared/data/aave-aips")]
        data: std::path::PathBuf,
        /// Folder of the all-MiniLM-L6-v2 model.
        #[arg(long, env = "ATELIER_MODEL_DIR")]
        model: Option<std::path::PathBuf>,
        /// Most words in a summary.
        #[arg(long, default_value_t = 60)]
        max_words: usize,
        /// Most sentences in a summary.
        #[arg(long, default_value_t = 3)]
        max_sentences: usize,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Precision and recall of the curation scorer's near-duplicate and spam flags on a
    /// labelled set.
    Curation {
        /// The labelled set (written by scripts/worker-curation-set.py).
        #[arg(long, default_value = "indexer/worker/tests/fixtures/curation.json")]
        data: std::path::PathBuf,
        /// Folder of the all-MiniLM-L6-v2 model.
        #[arg(long, env = "ATELIER_MODEL_DIR")]
        model: Option<std::path::PathBuf>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

/// Runs the indexer, the API and the worker as child processes of this binary on one
/// store, prints where they are, and stops them (SIGTERM, so each ends on a consistent
/// checkpoint) on Ctrl-C.
fn run_services(
    url: &str,
    deployment: &std::path::Path,
    db: &str,
    listen: &str,
) -> anyhow::Result<()> {
    let me = std::env::current_exe().context("cannot find the atelier binary")?;
    let dep = deployment.display().to_string();
    let services: [(&str, Vec<&str>); 3] = [
        (
            "indexer",
            vec!["index", "--url", url, "--deployment", &dep, "--db", db],
        ),
        (
            "API",
            vec!["serve", "--db", db, "--listen", listen, "--chain-url", url],
        ),
        ("worker", vec!["work", "--db", db]),
    ];
    let mut children = Vec::new();
    for (name, args) in services {
        let child = std::process::Command::new(&me)
            .args(&args)
            .spawn()
            .with_context(|| format!("cannot start the {name}"))?;
        children.push((name, child));
    }
    println!(
        "indexer     following {url} into {db}\nAPI         http://{listen}  (docs http://{listen}/docs, OpenAPI http://{listen}/openapi.json)\nweb app     http://{listen}/app/  (vote and pay out through a Polkadot browser wallet)\nworker      summaries and curation scores into {db}\nCtrl-C stops them (the chain keeps running: atelier chain stop)"
    );
    let (tx, rx) = std::sync::mpsc::channel();
    let rt = tokio::runtime::Runtime::new()?;
    rt.spawn(async move {
        let _ = tokio::signal::ctrl_c().await;
        let _ = tx.send(());
    });
    loop {
        if rx
            .recv_timeout(std::time::Duration::from_millis(500))
            .is_ok()
        {
            break;
        }
        let mut stopped = None;
        for (name, child) in &mut children {
            if let Some(status) = child.try_wait()? {
                stopped = Some((*name, status));
            }
        }
        if let Some((name, status)) = stopped {
            eprintln!("the {name} stopped ({status}); stopping the others");
            stop_all(&mut children);
            anyhow::bail!("the {name} stopped unexpectedly");
        }
    }
    stop_all(&mut children);
    Ok(())
}

/// SIGTERM to each child, then waits for them.
fn stop_all(children: &mut [(&str, std::process::Child)]) {
    for (_, c) in children.iter() {
        let _ = std::process::Command::new("kill")
            .args(["-TERM", &c.id().to_string()])
            .status();
    }
    for (_, c) in children.iter_mut() {
        let _ = c.wait();
    }
}

/// Writes `report` as pretty JSON when `json`, otherwise its rendered text.
fn emit(
    out: &mut impl Write,
    json: bool,
    report: &impl serde::Serialize,
    text: String,
) -> anyhow::Result<()> {
    if json {
        serde_json::to_writer_pretty(&mut *out, report)?;
        writeln!(out)?;
    } else {
        write!(out, "{text}")?;
    }
    Ok(())
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let mut out = std::io::stdout().lock();
    match cli.command {
        Command::Dev {
            chain,
            db,
            listen,
            no_services,
        } => {
            let rt = tokio::runtime::Runtime::new()?;
            let deployment = chain.deployment.clone();
            let url = rt.block_on(atelier::cli::dev(chain, &mut out))?;
            if !no_services {
                out.flush()?;
                drop(out);
                run_services(&url, &deployment, &db, &listen)?;
            }
        }
        Command::Scenario => {
            writeln!(
                out,
                "Atelier governance scenario on the pallet-revive dev runtime (in-process)"
            )?;
            let report = atelier_sandbox::scenario::run(&mut out).context("the scenario failed")?;
            writeln!(
                out,
                "done: proposal {:?}, member cap {}",
                report.state, report.settings.member_cap
            )?;
        }
        Command::Weights { json } => {
            let report = atelier_sandbox::weights::measure().context("measuring weights failed")?;
            emit(&mut out, json, &report, report.render())?;
        }
        Command::Eval {
            what:
                Eval::Summaries {
                    data,
                    model,
                    max_words,
                    max_sentences,
                    json,
                },
        } => {
            use atelier_worker::{encoder, eval, summarise};
            let dir = model.unwrap_or_else(encoder::default_model_dir);
            let enc = encoder::Encoder::load(&dir).context("loading the encoder")?;
            let cases = eval::load(&data).with_context(|| format!("reading {}", data.display()))?;
            let cfg = summarise::Config {
                max_words,
                max_sentences,
                ..Default::default()
            };
            eprintln!(
                "summarising {} proposals on {:?} with {}",
                cases.len(),
                enc.device(),
                enc.model_id()
            );
            let report = eval::evaluate(&enc, cfg, &cases, |done, total| {
                if done % 10 == 0 || done == total {
                    eprintln!("  {done}/{total}");
                }
            })?;
            emit(&mut out, json, &report, report.render())?;
        }
        Command::Work {
            db,
            model,
            batch,
            once,
        } => {
            use atelier_worker::{encoder, jobs};
            let rt = tokio::runtime::Runtime::new()?;
            let store = rt
                .block_on(atelier_store::Store::open(&db))
                .with_context(|| format!("opening {db}"))?;
            let handle = rt.handle().clone();
            // Inference runs on this dedicated thread; the runtime only drives the store.
            let total = std::thread::scope(|scope| {
                scope
                    .spawn(|| -> anyhow::Result<jobs::Progress> {
                        let dir = model.unwrap_or_else(encoder::default_model_dir);
                        let enc = encoder::Encoder::load(&dir).context("loading the encoder")?;
                        eprintln!(
                            "worker: {} store, {} on {:?}",
                            store.backend(),
                            enc.model_id(),
                            enc.device()
                        );
                        let opts = jobs::Options {
                            batch,
                            once,
                            ..Default::default()
                        };
                        let mut worker = jobs::Worker::new(&handle, &store, &enc, opts)?;
                        let total = worker.run(&handle, &store, |p| {
                            let c = handle.block_on(store.worker_counts());
                            eprintln!(
                                "worker: +{} summaries, +{} scores, +{} failures; totals {:?}",
                                p.summaries,
                                p.scores,
                                p.failures,
                                c.ok()
                            );
                        })?;
                        Ok(total)
                    })
                    .join()
                    .map_err(|_| anyhow::anyhow!("the worker thread panicked"))
            })??;
            writeln!(
                out,
                "done: {} summaries, {} scores, {} failures written",
                total.summaries, total.scores, total.failures
            )?;
        }
        Command::Chain(cmd) => {
            let rt = tokio::runtime::Runtime::new()?;
            rt.block_on(atelier::cli::run(cmd, &mut out))?;
        }
        Command::Serve { db, api } => {
            tracing_subscriber::fmt()
                .with_env_filter(
                    tracing_subscriber::EnvFilter::try_from_default_env()
                        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
                )
                .with_writer(std::io::stderr)
                .init();
            let rt = tokio::runtime::Runtime::new()?;
            rt.block_on(async {
                let store = atelier_store::Store::open(&db)
                    .await
                    .with_context(|| format!("opening {db}"))?;
                atelier_api::serve(store, api)
                    .await
                    .context("serving the API")
            })?;
        }
        Command::Eval {
            what: Eval::Curation { data, model, json },
        } => {
            use atelier_worker::{curation_eval, encoder};
            let enc = encoder::Encoder::load(&model.unwrap_or_else(encoder::default_model_dir))
                .context("loading the encoder")?;
            let report = curation_eval::evaluate(&enc, Default::default(), &data)?;
            emit(&mut out, json, &report, report.render())?;
        }
    }
    Ok(())
}
