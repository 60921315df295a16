//! What every long-running command (`index`, `serve`, `work`, `dev`) shares: logs on
//! stderr, a stop signal (Ctrl-C or SIGTERM), and waiting for a database or a chain that is
//! not there yet, or has gone away, while the command starts.
//!
//! Operators start services in any order (containers, systemd units): a service whose
//! database or chain does not answer yet says what it waits for and why, retries with
//! backoff, and stops cleanly when told to. A mistake that waiting cannot fix (a bad URL, a
//! missing database, a failed migration) ends the command with the cause at once.

use std::{future::Future, time::Duration};

use atelier_chain::client::{BackendKind, Chain, ClientError};
use atelier_store::Store;
use tokio::sync::watch;

/// The first pause before retrying.
pub const FIRST_BACKOFF: Duration = Duration::from_millis(250);
/// The longest pause between retries.
pub const MAX_BACKOFF: Duration = Duration::from_secs(5);

/// The environment variable of `--log-format`; `atelier` sets it for the processes it
/// starts (`atelier dev`'s services, the worker binary behind `atelier work`), so they log
/// in the same format.
pub const LOG_FORMAT_ENV: &str = "ATELIER_LOG_FORMAT";

/// How logs are written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// One human-readable line per event.
    #[default]
    Text,
    /// One JSON object per line (`timestamp`, `level`, `target`, `fields`), for log
    /// collectors.
    Json,
}

impl LogFormat {
    /// The name `--log-format` takes.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Text => "text",
            Self::Json => "json",
        }
    }
}

/// The logging options every binary takes.
#[derive(Debug, Clone, Copy, clap::Args)]
pub struct LogArgs {
    /// Log format on stderr (`RUST_LOG` sets the filter).
    #[arg(long, global = true, env = LOG_FORMAT_ENV, value_enum, default_value_t)]
    pub log_format: LogFormat,
}

/// Logs to stderr in `format`: `RUST_LOG` when set, otherwise Atelier's own messages at
/// `info` and everyone else's at `warn`.
pub fn init_logs(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| {
        tracing_subscriber::EnvFilter::new(
            "warn,atelier=info,service=info,indexer=info,api=info,worker=info",
        )
    });
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Text => logs.try_init(),
        LogFormat::Json => logs.json().try_init(),
    };
}

/// A receiver that turns `true` on the first Ctrl-C or SIGTERM. Call inside a Tokio
/// runtime.
pub fn stop_signal() -> watch::Receiver<bool> {
    let (tx, rx) = watch::channel(false);
    tokio::spawn(async move {
        let ctrl_c = tokio::signal::ctrl_c();
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            match signal(SignalKind::terminate()) {
                Ok(mut term) => {
                    tokio::select! {
                        _ = ctrl_c => {}
                        _ = term.recv() => {}
                    }
                }
                Err(_) => {
                    let _ = ctrl_c.await;
                }
            }
        }
        #[cfg(not(unix))]
        let _ = ctrl_c.await;
        tracing::info!(target: "service", "stopping");
        let _ = tx.send(true);
    });
    rx
}

/// Resolves when `stop` turns `true` (at once if it already has, never if its sender is gone
/// without stopping).
pub async fn stopped(stop: &mut watch::Receiver<bool>) {
    if stop.wait_for(|s| *s).await.is_err() {
        std::future::pending::<()>().await;
    }
}

/// The pause after `pause`: doubled, at most [`MAX_BACKOFF`].
pub fn next_backoff(pause: Duration) -> Duration {
    (pause * 2).min(MAX_BACKOFF)
}

/// Calls `attempt` until it succeeds, a failure that is not `transient` (returned), or
/// `stop` (`Ok(None)`). Each transient failure is logged as
/// "waiting for {what}: {cause}; retrying in N s", with backoff from [`FIRST_BACKOFF`] to
/// [`MAX_BACKOFF`].
///
/// # Errors
/// The first failure that is not transient.
pub async fn wait_for<T, E, F, Fut>(
    what: &str,
    stop: &mut watch::Receiver<bool>,
    transient: impl Fn(&E) -> bool,
    cause: impl Fn(&E) -> String,
    mut attempt: F,
) -> Result<Option<T>, E>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, E>>,
{
    let mut pause = FIRST_BACKOFF;
    let mut waited = false;
    loop {
        if *stop.borrow() {
            return Ok(None);
        }
        let outcome = tokio::select! {
            r = attempt() => r,
            _ = stopped(stop) => return Ok(None),
        };
        match outcome {
            Ok(v) => {
                if waited {
                    tracing::info!(target: "service", "{what} answers");
                }
                return Ok(Some(v));
            }
            Err(e) if transient(&e) => {
                tracing::warn!(
                    target: "service",
                    "waiting for {what}: {}; retrying in {} s",
                    cause(&e),
                    seconds(pause)
                );
                waited = true;
                tokio::select! {
                    _ = tokio::time::sleep(pause) => {}
                    _ = stopped(stop) => return Ok(None),
                }
                pause = next_backoff(pause);
            }
            Err(e) => return Err(e),
        }
    }
}

/// `0.25`, `2`, `5`: seconds without trailing zeros.
fn seconds(d: Duration) -> String {
    let s = format!("{:.2}", d.as_secs_f64());
    s.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// Opens (and migrates) the store at `db`, waiting while the database is not there yet;
/// `None` when stopped first.
///
/// # Errors
/// When the store fails for a reason waiting will not fix.
pub async fn open_store(
    db: &str,
    stop: &mut watch::Receiver<bool>,
) -> Result<Option<Store>, atelier_store::Error> {
    let what = atelier_store::describe(db);
    let store = wait_for(
        &what,
        stop,
        atelier_store::Error::is_transient,
        store_cause,
        || Store::open(db),
    )
    .await?;
    if store.is_some() {
        tracing::info!(target: "service", "{what}: open and migrated");
    }
    Ok(store)
}

/// Why a store failed, without repeating which store it is.
pub fn store_cause(e: &atelier_store::Error) -> String {
    match e {
        atelier_store::Error::Open { source, .. } => atelier_store::causes(source.as_ref()),
        other => atelier_store::causes(other),
    }
}

/// Connects to the chain at `url`, waiting while nothing answers there; `None` when
/// stopped first.
///
/// # Errors
/// When the URL is malformed or the chain cannot run Atelier's contracts.
pub async fn connect_chain(
    url: &str,
    stop: &mut watch::Receiver<bool>,
) -> Result<Option<Chain>, ClientError> {
    wait_for(
        &format!("the chain at {url}"),
        stop,
        ClientError::is_transient,
        |e| match e {
            ClientError::Connect { reason, .. } => reason.clone(),
            other => atelier_store::causes(other),
        },
        || Chain::connect(url, BackendKind::Legacy),
    )
    .await
}

/// A command's exit status: failure prints the whole chain of causes on one line (no empty
/// "Caused by:").
pub fn exit_code(result: anyhow::Result<()>) -> std::process::ExitCode {
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("Error: {}", atelier_store::causes(e.as_ref()));
            std::process::ExitCode::FAILURE
        }
    }
}

/// The worker binary, `atelier-worker`, next to this one (cargo builds and installs both).
///
/// # Errors
/// When it is not there.
pub fn worker_binary() -> anyhow::Result<std::path::PathBuf> {
    let me = std::env::current_exe()?;
    let worker = me.with_file_name(format!("atelier-worker{}", std::env::consts::EXE_SUFFIX));
    if worker.is_file() {
        Ok(worker)
    } else {
        anyhow::bail!(
            "the worker binary {} is missing; build it with `cargo build --bin atelier-worker` \
             (scripts/atelier builds both)",
            worker.display()
        )
    }
}

/// This process's peak resident memory so far (`VmHWM`), MiB; 0 where `/proc` has none.
pub fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let mut d = FIRST_BACKOFF;
        let mut seen = vec![seconds(d)];
        for _ in 0..6 {
            d = next_backoff(d);
            seen.push(seconds(d));
        }
        assert_eq!(seen, ["0.25", "0.5", "1", "2", "4", "5", "5"]);
    }

    #[tokio::test(start_paused = true)]
    async fn waits_through_transient_failures_and_stops_on_the_others() {
        let (_tx, mut stop) = watch::channel(false);
        let mut calls = 0;
        let got = wait_for(
            "x",
            &mut stop,
            |e: &&str| *e == "refused",
            |e| e.to_string(),
            || {
                calls += 1;
                let r = if calls < 4 { Err("refused") } else { Ok(calls) };
                async move { r }
            },
        )
        .await;
        assert_eq!(got, Ok(Some(4)));
        let mut calls = 0;
        let got: Result<Option<()>, &str> = wait_for(
            "x",
            &mut stop,
            |e: &&str| *e == "refused",
            |e| e.to_string(),
            || {
                calls += 1;
                let r = if calls < 2 {
                    Err("refused")
                } else {
                    Err("bad url")
                };
                async move { r }
            },
        )
        .await;
        assert_eq!(got, Err("bad url"));
        assert_eq!(calls, 2);
    }

    #[tokio::test(start_paused = true)]
    async fn a_stop_ends_the_wait() {
        let (tx, mut stop) = watch::channel(false);
        let waiting = tokio::spawn(async move {
            wait_for(
                "x",
                &mut stop,
                |_: &&str| true,
                |e| e.to_string(),
                || async { Err::<(), _>("refused") },
            )
            .await
        });
        tokio::time::sleep(Duration::from_secs(3)).await;
        tx.send(true).unwrap();
        assert_eq!(waiting.await.unwrap(), Ok(None));
    }
}
