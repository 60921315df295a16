//! Atelier's HTTP API: the read-only interface developers query, over the indexer's store.
//!
//! [`app`] builds the axum router (one `router()` per resource in [`routes`]) with its
//! middleware: the indexer head on every response (`x-indexer-head`), per-client rate
//! limiting, request time and body limits, CORS, request metrics, and one JSON error shape
//! ([`ApiError`]). The OpenAPI 3.1 document is generated from the handlers ([`openapi`]).
//!
//! It also serves the web app ([`web`], `/app/`), which reads this API and sends its
//! transactions through the member's wallet, never through the server.
//!
//! It must not write: no route changes chain-derived data. It depends on the store and the
//! domain types only, never on the chain client, and it is the only crate that knows HTTP.

pub mod error;
pub mod extract;
pub mod metrics;
mod middleware;
pub mod openapi;
pub mod page;
pub mod ratelimit;
pub mod routes;
pub mod web;

use std::{net::SocketAddr, sync::Arc, time::Duration};

use atelier_store::Store;
use axum::Router;

pub use error::{ApiError, ApiResult};

/// Default address `atelier serve` listens on.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";

/// Settings of the API server (`atelier serve`).
#[derive(Debug, Clone, clap::Args)]
pub struct Config {
    /// Address to listen on.
    #[arg(long, env = "ATELIER_LISTEN", default_value = DEFAULT_LISTEN)]
    pub listen: SocketAddr,
    /// Origins allowed by CORS, comma-separated; `*` allows any.
    #[arg(
        long,
        env = "ATELIER_CORS_ORIGINS",
        value_delimiter = ',',
        default_value = "*"
    )]
    pub cors_origins: Vec<String>,
    /// Requests per second each client (peer IP) may make on average; 0 disables the limit.
    #[arg(long, env = "ATELIER_RATE_LIMIT", default_value_t = 50)]
    pub rate_limit: u32,
    /// Requests a client may make in a burst.
    #[arg(long, env = "ATELIER_RATE_BURST", default_value_t = 100)]
    pub rate_burst: u32,
    /// Longest time to produce a response, in milliseconds.
    #[arg(long, env = "ATELIER_REQUEST_TIMEOUT_MS", default_value_t = 10_000)]
    pub request_timeout_ms: u64,
    /// Largest request body, in bytes (the API is read-only; bodies are not read).
    #[arg(long, env = "ATELIER_BODY_LIMIT", default_value_t = 16 * 1024)]
    pub body_limit: usize,
    /// `/ready` fails when the indexer head has not moved for this many seconds; 0 never.
    #[arg(long, env = "ATELIER_STALL_AFTER_S", default_value_t = 120)]
    pub stall_after_s: u64,
    /// How often the event stream polls the store, in milliseconds.
    #[arg(long, env = "ATELIER_STREAM_POLL_MS", default_value_t = 1000)]
    pub stream_poll_ms: u64,
    /// The chain's JSON-RPC WebSocket URL the web app (`/app/`) sends transactions to;
    /// without it the page only reads.
    #[arg(long, env = "ATELIER_URL")]
    pub chain_url: Option<String>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: DEFAULT_LISTEN.parse().expect("the default address parses"),
            cors_origins: vec!["*".into()],
            rate_limit: 50,
            rate_burst: 100,
            request_timeout_ms: 10_000,
            body_limit: 16 * 1024,
            stall_after_s: 120,
            stream_poll_ms: 1000,
            chain_url: None,
        }
    }
}

/// What every handler shares: the store, the settings, the metrics and the rate limiter.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    config: Config,
    metrics: metrics::Metrics,
    limiter: ratelimit::RateLimiter,
    head_watch: std::sync::Mutex<Option<(i64, std::time::Instant)>>,
}

impl AppState {
    /// State over `store` with `config`.
    pub fn new(store: Store, config: Config) -> Self {
        let limiter = ratelimit::RateLimiter::new(config.rate_limit, config.rate_burst);
        Self {
            inner: Arc::new(Inner {
                store,
                config,
                metrics: metrics::Metrics::default(),
                limiter,
                head_watch: std::sync::Mutex::new(None),
            }),
        }
    }

    /// The store.
    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    /// The settings.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    pub(crate) fn metrics(&self) -> &metrics::Metrics {
        &self.inner.metrics
    }

    pub(crate) fn limiter(&self) -> &ratelimit::RateLimiter {
        &self.inner.limiter
    }

    /// Whether the head has not moved for longer than the stall limit, remembering when it
    /// was first seen at `block`.
    pub(crate) fn stalled(&self, block: i64) -> bool {
        let limit = self.inner.config.stall_after_s;
        let mut watch = self
            .inner
            .head_watch
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        match *watch {
            Some((seen, since)) if seen == block => {
                limit > 0 && since.elapsed() > Duration::from_secs(limit)
            }
            _ => {
                *watch = Some((block, std::time::Instant::now()));
                false
            }
        }
    }
}

/// The API's router with all middleware, ready to serve (or to call with `oneshot`).
pub fn app(state: AppState) -> Router {
    let routes = Router::new()
        .merge(routes::proposals::router())
        .merge(routes::votes::router())
        .merge(routes::members::router())
        .merge(routes::contributions::router())
        .merge(routes::works::router())
        .merge(routes::funds::router())
        .merge(routes::royalties::router())
        .merge(routes::events::router())
        .merge(routes::status::router())
        .merge(routes::contracts::router())
        .merge(routes::assets::router())
        .merge(web::router())
        .merge(openapi::router());
    middleware::wrap(routes, state)
}

/// Serves the API on `config.listen` until `shutdown` resolves, then finishes the requests
/// in flight.
///
/// # Errors
/// When the address cannot be bound or the server fails.
pub async fn serve(
    store: Store,
    config: Config,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(config.listen).await?;
    tracing::info!(
        target: "api::serve",
        addr = %listener.local_addr()?,
        backend = store.backend(),
        "serving the API"
    );
    let app = app(AppState::new(store, config));
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}
