//! One module per resource, each with its `router()`, DTOs and handlers; each adds its
//! router to [`crate::app`] and its paths to [`crate::openapi::ApiDoc`].

pub mod assets;
pub mod contracts;
pub mod contributions;
pub mod events;
pub mod funds;
pub mod members;
pub mod proposals;
pub mod royalties;
pub mod status;
pub mod votes;
pub mod works;

use crate::{
    error::{ApiError, ApiResult},
    AppState,
};

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

/// Reads a time bound: RFC 3339 (`2026-11-01T12:00:00Z`) or Unix seconds; milliseconds
/// since the Unix epoch.
fn parse_time(text: &str, name: &str) -> ApiResult<i64> {
    let bad = || {
        ApiError::BadRequest(format!(
            "`{name}` is a time: RFC 3339 (2026-11-01T12:00:00Z) or Unix seconds"
        ))
    };
    if let Ok(secs) = text.parse::<i64>() {
        return secs.checked_mul(1000).ok_or_else(bad);
    }
    let t = time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
        .map_err(|_| bad())?;
    i64::try_from(t.unix_timestamp_nanos() / 1_000_000).map_err(|_| bad())
}

/// The block range a list is filtered by: `from_block..=to_block` narrowed by the blocks of
/// `from_time..=to_time` (block time grows with the block number, so a time bound is the
/// first or last block stored with a time inside it). An empty range stays empty.
pub(crate) async fn block_range(
    state: &AppState,
    (from_block, to_block): (Option<u32>, Option<u32>),
    (from_time, to_time): (Option<&str>, Option<&str>),
) -> ApiResult<(Option<i64>, Option<i64>)> {
    let mut from = from_block.map(i64::from);
    let mut to = to_block.map(i64::from);
    if let Some(t) = from_time {
        let ms = parse_time(t, "from_time")?;
        let b = state
            .store()
            .first_block_from(ms)
            .await?
            .unwrap_or(i64::MAX);
        from = Some(from.map_or(b, |f| f.max(b)));
    }
    if let Some(t) = to_time {
        let ms = parse_time(t, "to_time")?;
        let b = state.store().last_block_until(ms).await?.unwrap_or(-1);
        to = Some(to.map_or(b, |x| x.min(b)));
    }
    Ok((from, to))
}
