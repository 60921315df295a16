//! `atelier`: the command line of Atelier, DAO governance for generative-art communities:
//! the local chain, deployment, wallet commands, the indexer (`index`), the read API
//! (`serve`) and `dev`, the main job (the in-process scenario and weights report, which link the
//! dev runtime, are `atelier-sandbox`'s, a development tool outside the installed binary). The worker
//! is a binary of its own (`src/bin/atelier-worker.rs`, the only one linking libtorch);
//! `atelier work` and `atelier eval` run it in place of this process.

use std::{io::Write, process::ExitCode};

use anyhow::Context;
use atelier::service;
use clap::{Parser, Subcommand};

/// Atelier: DAO governance for generative-art communities.
#[derive(Parser)]
#[command(name = "atelier", version, about)]
struct Cli {
    #[command(flatten)]
    log: service::LogArgs,
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
    /// Runs the worker's job loop (`atelier-worker work`): summaries for proposals and
    /// curation scores for works that have none yet, written to the store (`atelier work
    /// --help` lists its options).
    #[command(disable_help_flag = true)]
    Work {
        /// What `atelier-worker work` takes.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
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
    /// Evaluates the worker (`atelier-worker eval`: `summaries`, `curation`; `atelier eval
    /// --help` lists them).
    #[command(disable_help_flag = true)]
    Eval {
        /// What `atelier-worker eval` takes.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
}

/// Runs the indexer, the API and the worker as child processes of this binary on one
/// store, logging in `log_format`, prints where they are, and stops them (SIGTERM, so each
/// ends on a consistent checkpoint) on Ctrl-C or SIGTERM. The store is opened and migrated
/// here first, waiting for its database if need be, so the three never race to create or
/// migrate it.
fn run_services(
    rt: &tokio::runtime::Runtime,
    log_format: service::LogFormat,
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
    let worker = service::worker_binary()?;
    let mut children = Vec::new();
    for (name, args) in services {
        let exe = if name == "worker" { &worker } else { &me };
        match std::process::Command::new(exe)
            .args(&args)
            .env(service::LOG_FORMAT_ENV, log_format.as_str())
            .spawn()
        {
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

/// Runs `atelier-worker COMMAND ARGS` in place of this process, logging in `log_format`
/// (through `ATELIER_LOG_FORMAT`; a `--log-format` among `args` still wins): the worker
/// (libtorch, the model) is a binary of its own, installed next to this one, so the indexer,
/// the API and the wallet commands neither load libtorch nor pay for it in memory and
/// start-up.
fn forward_to_worker(
    command: &str,
    args: &[String],
    log_format: service::LogFormat,
) -> anyhow::Result<()> {
    use std::os::unix::process::CommandExt;
    let worker = atelier::service::worker_binary()?;
    let err = std::process::Command::new(&worker)
        .arg(command)
        .args(args)
        .env(service::LOG_FORMAT_ENV, log_format.as_str())
        .exec();
    Err(err).with_context(|| format!("cannot run {}", worker.display()))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    service::init_logs(cli.log.log_format);
    service::exit_code(run(cli))
}

fn run(cli: Cli) -> anyhow::Result<()> {
    let log_format = cli.log.log_format;
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
                run_services(&rt, log_format, stop, &url, &deployment, &db, &listen)?;
            }
        }
        Command::Eval { args } => forward_to_worker("eval", &args, log_format)?,
        Command::Work { args } => forward_to_worker("work", &args, log_format)?,
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
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use clap::{CommandFactory, Parser};

    use super::{service::LogFormat, Cli, Command};

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn log_format_is_global_and_checked() {
        let cli = Cli::try_parse_from(["atelier", "--log-format", "json", "serve"]).unwrap();
        assert_eq!(cli.log.log_format, LogFormat::Json);
        let cli = Cli::try_parse_from(["atelier", "serve", "--log-format", "json"]).unwrap();
        assert_eq!(cli.log.log_format, LogFormat::Json);
        // before `work`'s own arguments it is ours; after them it travels to the worker,
        // which takes the same flag
        let cli =
            Cli::try_parse_from(["atelier", "work", "--log-format", "json", "--once"]).unwrap();
        assert_eq!(cli.log.log_format, LogFormat::Json);
        assert!(matches!(cli.command, Command::Work { args } if args == ["--once"]));
        let err = Cli::try_parse_from(["atelier", "--log-format", "yaml", "serve"])
            .err()
            .unwrap();
        assert_eq!(err.kind(), clap::error::ErrorKind::InvalidValue);
        let msg = err.to_string();
        assert!(
            msg.contains("'yaml'") && msg.contains("text, json"),
            "{msg}"
        );
    }
}
