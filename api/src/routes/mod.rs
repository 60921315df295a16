//! One module per resource, each with its `router()`, DTOs and handlers; each adds its
//! router to [`crate::app`] and its paths to [`crate::openapi::ApiDoc`].

pub mod contributions;
pub mod events;
pub mod funds;
pub mod members;
pub mod proposals;
pub mod royalties;
pub mod status;
pub mod votes;
pub mod works;

use crate::{error::ApiResult, AppState};

/// The indexer head block (0 before anything is indexed).
pub(crate) async fn head_block(state: &AppState) -> ApiResult<i64> {
    Ok(state.store().cursor().await?.map_or(0, |(b, _)| b))
}

/// A (block, event index) position in the chain.
#[derive(Debug, Clone, Copy, serde::Serialize, utoipa::ToSchema)]
pub struct Position {
    /// Block number.
    pub block: i64,
    /// Index of the event in the block.
    pub event_index: i64,
}
