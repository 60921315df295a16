//! `atelier`: the command line of Atelier, DAO governance for generative-art communities.
//!
//! For now it runs the governance scenario and the weights report on the project's
//! pallet-revive runtime, in-process, from the committed contract artifacts. The local chain,
//! deployment, wallet commands and indexer join it as their issues land; `atelier work` runs
//! the worker and `atelier serve` the read API.

use std::{io::Write, process::ExitCode};

use anyhow::Context;
use atelier::service;
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
/// checkpoint) on Ctrl-C or SIGTERM. The store is opened and migrated here first, waiting
/// for its database if need be, so the three never race to create or migrate it.
fn run_services(
    rt: &tokio::runtime::Runtime,
    mut stop: tokio::sync::watch::Receiver<bool>,
    url: &str,
    deployment: &std::path::Path,
    db: &str,
    listen: &str,
) -> anyhow::Result<()> {
    let Some(store) = rt.block_on(service::open_store(db, &mut stop))? else {
        return Ok(());
    };
    rt.block_on(store.close());
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
        match std::process::Command::new(&me).args(&args).spawn() {
            Ok(child) => children.push((name, child)),
            Err(e) => {
                stop_all(&mut children);
                return Err(e).with_context(|| format!("cannot start the {name}"));
            }
        }
    }
    println!(
        "indexer     following {url} into {db}\nAPI         http://{listen}  (docs http://{listen}/docs, OpenAPI http://{listen}/openapi.json)\nweb app     http://{listen}/app/  (vote and pay out through a Polkadot browser wallet)\nworker      summaries and curation scores into {db}\nCtrl-C stops them (the chain keeps running: atelier chain stop)"
    );
    let _ = std::io::stdout().flush();
    while !*stop.borrow() {
        let mut stopped = None;
        for (name, child) in &mut children {
            if let Some(status) = child.try_wait()? {
                stopped = Some((*name, status));
            }
        }
        if let Some((name, status)) = stopped {
            tracing::error!(target: "service", "the {name} stopped ({status}); stopping the others");
            stop_all(&mut children);
            anyhow::bail!("the {name} stopped unexpectedly ({status})");
        }
        rt.block_on(async {
            tokio::select! {
                _ = tokio::time::sleep(std::time::Duration::from_millis(200)) => {}
                _ = service::stopped(&mut stop) => {}
            }
        });
    }
    stop_all(&mut children);
    Ok(())
}

/// SIGTERM to each child still running, then waits for them.
fn stop_all(children: &mut [(&str, std::process::Child)]) {
    for (_, c) in children.iter_mut() {
        if matches!(c.try_wait(), Ok(None)) {
            let _ = std::process::Command::new("kill")
                .args(["-TERM", &c.id().to_string()])
                .status();
        }
    }
    for (_, c) in children.iter_mut() {
        let _ = c.wait();
    }
}

/// The worker's job loop on a dedicated thread (the encoder lives there; inference never
/// runs on the async runtime's workers) until it is done (`once`) or stopped. A store that
/// goes away (a restart, a full disk) pauses the loop, which resumes from what is stored:
/// every write is idempotent, so nothing is lost or done twice.
fn work(
    rt: &tokio::runtime::Runtime,
    store: &atelier_store::Store,
    model: &std::path::Path,
    batch: i64,
    once: bool,
    stop: tokio::sync::watch::Receiver<bool>,
) -> anyhow::Result<atelier_worker::jobs::Progress> {
    use atelier_worker::{encoder::Encoder, jobs};
    let handle = rt.handle().clone();
    std::thread::scope(|scope| {
        scope
            .spawn(move || -> anyhow::Result<jobs::Progress> {
                let enc = Encoder::load(model).context("loading the encoder")?;
                tracing::info!(
                    target: "worker",
                    "{} store, {} on {:?}",
                    store.backend(),
                    enc.model_id(),
                    enc.device()
                );
                let mut stop = stop;
                let flag = stop.clone();
                let stopped = move || *flag.borrow();
                let mut total = jobs::Progress::default();
                let mut pause = service::FIRST_BACKOFF;
                loop {
                    let opts = jobs::Options {
                        batch,
                        once,
                        ..Default::default()
                    };
                    let pass = jobs::Worker::new(&handle, store, &enc, opts).and_then(|mut w| {
                        w.run(&handle, store, &stopped, |p| {
                            total.summaries += p.summaries;
                            total.scores += p.scores;
                            total.failures += p.failures;
                            let c = handle.block_on(store.worker_counts());
                            tracing::info!(
                                target: "worker",
                                "+{} summaries, +{} scores, +{} failures; totals {:?}",
                                p.summaries,
                                p.scores,
                                p.failures,
                                c.ok()
                            );
                        })
                    });
                    match pass {
                        Ok(_) => return Ok(total),
                        Err(e) if e.is_transient() => {
                            tracing::warn!(
                                target: "worker",
                                "store failed: {}; retrying in {:?}",
                                atelier_store::causes(&e),
                                pause
                            );
                            let stopped_now = handle.block_on(async {
                                tokio::select! {
                                    _ = tokio::time::sleep(pause) => false,
                                    _ = service::stopped(&mut stop) => true,
                                }
                            });
                            if stopped_now {
                                return Ok(total);
                            }
                            pause = service::next_backoff(pause);
                        }
                        Err(e) => return Err(e).context("the worker failed"),
                    }
                }
            })
            .join()
            .map_err(|_| anyhow::anyhow!("the worker thread panicked"))?
    })
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

fn main() -> ExitCode {
    let cli = Cli::parse();
    service::init_logs();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // The whole chain of causes on one line; no empty "Caused by:".
            let _ = writeln!(
                std::io::stderr(),
                "Error: {}",
                atelier_store::causes(e.as_ref())
            );
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    match cli.command {
        Command::Dev {
            chain,
            db,
            listen,
            no_services,
        } => {
            let rt = tokio::runtime::Runtime::new()?;
            let mut stop = rt.block_on(async { service::stop_signal() });
            let deployment = chain.deployment.clone();
            let Some(url) = rt.block_on(atelier::cli::dev(chain, &mut stop, &mut out))? else {
                return Ok(());
            };
            if !no_services {
                out.flush()?;
                drop(out);
                run_services(&rt, stop, &url, &deployment, &db, &listen)?;
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
            use atelier_worker::encoder;
            let rt = tokio::runtime::Runtime::new()?;
            let mut stop = rt.block_on(async { service::stop_signal() });
            let Some(store) = rt.block_on(service::open_store(&db, &mut stop))? else {
                return Ok(());
            };
            let dir = model.unwrap_or_else(encoder::default_model_dir);
            let total = work(&rt, &store, &dir, batch, once, stop)?;
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
            let rt = tokio::runtime::Runtime::new()?;
            rt.block_on(async {
                let mut stop = service::stop_signal();
                let Some(store) = service::open_store(&db, &mut stop).await? else {
                    return Ok(());
                };
                atelier_api::serve(store, api, async move { service::stopped(&mut stop).await })
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
