//! `/status`, `/health`, `/ready` and `/metrics`: how the indexer and the API are doing.

use axum::{extract::State, response::Response, routing::get, Json, Router};
use serde::Serialize;
use utoipa::ToSchema;

use crate::{
    error::{ApiError, ApiResult},
    AppState,
};

/// The status routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/status", get(status))
        .route("/health", get(health))
        .route("/ready", get(ready))
        .route("/metrics", get(metrics))
}

/// A block.
#[derive(Debug, Serialize, ToSchema)]
pub struct BlockRef {
    /// Block number.
    pub number: i64,
    /// Block hash, 0x-hex.
    pub hash: String,
}

/// Counts of the derived tables.
#[derive(Debug, Serialize, ToSchema)]
pub struct Counts {
    /// Members.
    pub members: i64,
    /// Contributions.
    pub contributions: i64,
    /// Proposals.
    pub proposals: i64,
    /// Votes.
    pub votes: i64,
}

/// The indexer's position.
#[derive(Debug, Serialize, ToSchema)]
pub struct StatusDto {
    /// The last block whose events are all stored; `null` before anything is indexed.
    pub head: Option<BlockRef>,
    /// The chain head the indexer last saw; `null` before it ran.
    pub chain_head: Option<BlockRef>,
    /// Whether it follows `finalized` blocks or the `best` block (`atelier index --best`).
    pub follows: Option<String>,
    /// The chain's finalized head (the chain head when following finalized blocks).
    pub finalized: Option<BlockRef>,
    /// Blocks the store is behind the chain head; `null` before the indexer ran.
    pub lag_blocks: Option<i64>,
    /// The chain's CAIP-2 ids; `null` before the indexer ran.
    pub chain: Option<ChainIds>,
    /// The store's backend (`sqlite` or `postgres`).
    pub backend: String,
    /// Counts of the derived tables.
    pub counts: Counts,
}

/// CAIP-2 chain ids: how other chains' tools name this one.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChainIds {
    /// `polkadot:<first 16 bytes of the genesis hash, hex>`.
    pub caip2: String,
    /// `eip155:<pallet-revive chain id>`: the namespace of the chain's H160 accounts and
    /// contracts (CAIP-10 `eip155:<id>:0x...`).
    pub eip155: Option<String>,
}

/// The CAIP-2 ids of the chain the indexer follows.
pub(crate) fn chain_ids(head: &atelier_store::ChainHead) -> ChainIds {
    let genesis = head.genesis.trim_start_matches("0x");
    ChainIds {
        caip2: format!("polkadot:{}", &genesis[..genesis.len().min(32)]),
        eip155: head.evm_chain_id.map(|id| format!("eip155:{id}")),
    }
}

/// Liveness or readiness.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// `ok` or `ready`.
    pub status: String,
}

/// Where the indexer is.
#[utoipa::path(get, path = "/status", tag = "status",
    responses((status = 200, description = "The indexer's position", body = StatusDto)))]
pub(crate) async fn status(State(state): State<AppState>) -> ApiResult<Json<StatusDto>> {
    let store = state.store();
    let head = store.cursor().await?;
    let chain = store.chain_head().await?;
    let (members, contributions, proposals, votes) = store.governance_counts().await?;
    let lag_blocks = chain
        .as_ref()
        .map(|c| (c.block - head.as_ref().map_or(0, |h| h.0)).max(0));
    Ok(Json(StatusDto {
        head: head.map(|(number, hash)| BlockRef { number, hash }),
        finalized: chain
            .as_ref()
            .filter(|c| c.finality == "finalized")
            .map(|c| BlockRef {
                number: c.block,
                hash: c.hash.clone(),
            }),
        follows: chain.as_ref().map(|c| c.finality.clone()),
        chain_head: chain.as_ref().map(|c| BlockRef {
            number: c.block,
            hash: c.hash.clone(),
        }),
        chain: chain.as_ref().map(chain_ids),
        lag_blocks,
        backend: store.backend().into(),
        counts: Counts {
            members,
            contributions,
            proposals,
            votes,
        },
    }))
}

/// The process answers.
#[utoipa::path(get, path = "/health", tag = "status",
    responses((status = 200, description = "Alive", body = Health)))]
pub(crate) async fn health() -> Json<Health> {
    Json(Health {
        status: "ok".into(),
    })
}

/// The store answers, something is indexed and the head moves.
#[utoipa::path(get, path = "/ready", tag = "status",
    responses((status = 200, description = "Ready", body = Health),
              (status = 503, description = "Not ready", body = crate::error::ErrorBody)))]
pub(crate) async fn ready(State(state): State<AppState>) -> ApiResult<Json<Health>> {
    let store = state.store();
    if store.ping().await.is_err() {
        return Err(ApiError::Unavailable("the store does not answer".into()));
    }
    let Some((block, _)) = store.cursor().await? else {
        return Err(ApiError::Unavailable("nothing is indexed yet".into()));
    };
    if state.stalled(block) {
        return Err(ApiError::Unavailable(format!(
            "the indexer head has not moved from block {block} for over {} s",
            state.config().stall_after_s
        )));
    }
    Ok(Json(Health {
        status: "ready".into(),
    }))
}

/// Prometheus metrics: requests by route and status, latency, store pool, indexer head.
#[utoipa::path(get, path = "/metrics", tag = "status",
    responses((status = 200, description = "Prometheus text format", content_type = "application/openmetrics-text", body = String)))]
pub(crate) async fn metrics(State(state): State<AppState>) -> Response {
    let head = state
        .store()
        .cursor()
        .await
        .ok()
        .flatten()
        .map(|(block, _)| block);
    crate::metrics::response(state.metrics().render(state.store().pool_stats(), head))
}
