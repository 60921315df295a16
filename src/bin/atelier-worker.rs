//! `atelier-worker`: Atelier's worker, the one binary that links libtorch. `atelier work` and
//! `atelier eval` run it (it is installed next to `atelier`); `atelier dev` starts it as the
//! worker service.

use std::{io::Write, process::ExitCode};

use anyhow::Context;
use atelier::{cli::emit, service};
use clap::{Parser, Subcommand};

/// Atelier's worker: proposal summaries and curation scores (libtorch).
#[derive(Parser)]
#[command(name = "atelier-worker", version, about)]
struct Cli {
    #[command(flatten)]
    log: service::LogArgs,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Runs the job loop: summaries for proposals and curation scores for works
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

fn main() -> ExitCode {
    let cli = Cli::parse();
    service::init_logs(cli.log.log_format);
    service::exit_code(run(cli))
}

fn run(cli: Cli) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    match cli.command {
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
