//! `atelier serve` without the rest of the CLI, for benchmarking the API in a release build
//! (`scripts/api-bench.sh`): the same store (`atelier_store::Store::open`, which migrates),
//! the same settings (`atelier_api::Config`, same flags, same defaults) and the same entry
//! point (`atelier_api::serve`, hence the same router and middleware) as `atelier serve`;
//! only the log subscriber is left out (requests are logged at debug, which `atelier serve`
//! does not print by default).
//!
//! `cargo build --release -p atelier-api --example serve_bench`, then
//! `serve_bench --db postgres://... --listen 127.0.0.1:8080 --rate-limit 0`.

use clap::Parser;

/// The flags of `atelier serve`.
#[derive(Debug, Parser)]
struct Args {
    /// The store: sqlite://PATH or postgres://...
    #[arg(long, env = "ATELIER_DB", default_value = "sqlite://atelier.db")]
    db: String,
    #[command(flatten)]
    api: atelier_api::Config,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    let store = atelier_store::Store::open(&args.db).await?;
    atelier_api::serve(store, args.api, async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await?;
    Ok(())
}
