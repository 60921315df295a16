//! `/events` and `/events/stream`: the stored contract events in chain order, as a list and
//! as a Server-Sent Events stream that polls the store and resumes from `Last-Event-ID`.

use std::{collections::VecDeque, convert::Infallible, time::Duration};

use atelier_store::read::{EventQuery, StoredEvent};
use axum::{
    extract::State,
    http::HeaderMap,
    response::sse::{Event, KeepAlive, Sse},
    routing::get,
    Json, Router,
};
use futures_util::Stream;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::{
    error::{ApiError, ApiResult},
    extract::{address, event_kind, ApiQuery},
    page, AppState,
};

const TAG: &str = "events";
/// Events read from the store per poll of the stream.
const STREAM_BATCH: i64 = 200;

/// The event routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/events", get(list))
        .route("/events/stream", get(stream))
}

/// A stored contract event.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EventDto {
    /// `<block>:<event index>`: the stream's event id (pass as `Last-Event-ID` to resume).
    pub id: String,
    /// Block number.
    pub block: i64,
    /// Block hash.
    pub block_hash: String,
    /// Index of the event in its block.
    pub event_index: i64,
    /// Emitting contract, H160 hex.
    pub contract: String,
    /// Event label; `null` when its topic is not in the metadata.
    pub kind: Option<String>,
    /// Topics, 0x-hex.
    pub topics: Vec<String>,
    /// SCALE data, 0x-hex.
    pub data: String,
    /// The decoded domain event (`kind` tag and fields), when it decoded.
    pub decoded: Option<serde_json::Value>,
}

page::page_type!(EventPage, EventDto, "events");

fn dto(e: StoredEvent) -> EventDto {
    EventDto {
        id: format!("{}:{}", e.block, e.event.event_index),
        block: e.block,
        block_hash: e.block_hash,
        event_index: e.event.event_index,
        contract: e.event.contract,
        kind: e.event.name,
        topics: e.event.topics,
        data: e.event.data,
        decoded: e.event.event.and_then(|ev| serde_json::to_value(ev).ok()),
    }
}

/// Filters of `/events`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Only events with this label (`VoteCast`, `ProposalCreated`, ...).
    #[param(pattern = "^[A-Za-z0-9_]{1,64}$")]
    pub kind: Option<String>,
    /// Only this contract's events (H160 hex or SS58).
    #[param(pattern = "^(0x[0-9a-fA-F]{40}|[1-9A-HJ-NP-Za-km-z]{47,50})$")]
    pub contract: Option<String>,
    /// Only items at or after this block.
    pub from_block: Option<u32>,
    /// Only items at or before this block.
    pub to_block: Option<u32>,
    /// Only items at or after this time: RFC 3339 (`2026-11-01T12:00:00Z`) or Unix seconds.
    pub from_time: Option<String>,
    /// Only items at or before this time: RFC 3339 or Unix seconds.
    pub to_time: Option<String>,
    /// The `next_cursor` of the previous page (opaque; empty means the first page).
    #[param(pattern = "^[0-9a-f]*$")]
    pub cursor: Option<String>,
    /// Items per page (1..=1000, default 50).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<u32>,
}

/// Filters of `/events/stream`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StreamParams {
    /// Only events with this label.
    #[param(pattern = "^[A-Za-z0-9_]{1,64}$")]
    pub kind: Option<String>,
    /// Only this contract's events (H160 hex or SS58).
    #[param(pattern = "^(0x[0-9a-fA-F]{40}|[1-9A-HJ-NP-Za-km-z]{47,50})$")]
    pub contract: Option<String>,
    /// Start after this event id (`<block>:<index>`); `Last-Event-ID` takes precedence.
    /// Without either, the stream starts at the indexer head (only new events).
    pub after: Option<String>,
}

/// Lists stored events in chain order.
#[utoipa::path(get, path = "/events", tag = "events", params(ListParams),
    responses((status = 200, description = "A page of events", body = EventPage)))]
pub(crate) async fn list(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<ListParams>,
) -> ApiResult<Json<EventPage>> {
    let limit = page::limit(q.limit)?;
    let (from_block, to_block) = super::block_range(
        &state,
        (q.from_block, q.to_block),
        (q.from_time.as_deref(), q.to_time.as_deref()),
    )
    .await?;
    let rows = state
        .store()
        .events(&EventQuery {
            name: q.kind.as_deref().map(event_kind).transpose()?,
            contract: q.contract.as_deref().map(address).transpose()?,
            from_block,
            to_block,
            after: page::decode_pos(TAG, q.cursor.as_deref())?,
            limit: limit + 1,
        })
        .await?;
    let (rows, next_cursor) = page::split(rows, limit, |e| {
        page::encode_pos(TAG, e.block, e.event.event_index)
    });
    Ok(Json(EventPage {
        items: rows.into_iter().map(dto).collect(),
        next_cursor,
    }))
}

/// Reads a stream event id, `<block>:<index>`.
fn event_id(s: &str) -> ApiResult<(i64, i64)> {
    s.split_once(':')
        .and_then(|(b, i)| Some((b.trim().parse().ok()?, i.trim().parse().ok()?)))
        .ok_or_else(|| ApiError::BadRequest(format!("`{s}` is not an event id (<block>:<index>)")))
}

struct Poll {
    state: AppState,
    query: EventQuery,
    buffer: VecDeque<StoredEvent>,
    first: bool,
    /// Block of the last event sent: a head below it means a reorg removed it.
    sent_block: Option<i64>,
}

/// New stored events as Server-Sent Events (`id: <block>:<index>`, `event: <kind>`, `data:
/// <event JSON>`), resumable with `Last-Event-ID`. When a reorg removes events already sent,
/// an `event: reorg` with `{"head": <block>}` comes first and the stream goes on from there.
#[utoipa::path(get, path = "/events/stream", tag = "events",
    params(StreamParams, ("Last-Event-ID" = Option<String>, Header, description = "Resume after this event id")),
    responses((status = 200, description = "An endless stream of events", content_type = "text/event-stream", body = String)))]
pub(crate) async fn stream(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<StreamParams>,
) -> ApiResult<Sse<impl Stream<Item = Result<Event, Infallible>>>> {
    let resume = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .or(q.after);
    let after = match resume {
        Some(id) => Some(event_id(&id)?),
        // Only what comes after the current head.
        None => state.store().cursor().await?.map(|(b, _)| (b, i64::MAX)),
    };
    let query = EventQuery {
        name: q.kind.as_deref().map(event_kind).transpose()?,
        contract: q.contract.as_deref().map(address).transpose()?,
        from_block: None,
        to_block: None,
        after,
        limit: STREAM_BATCH,
    };
    let poll = Poll {
        state,
        query,
        buffer: VecDeque::new(),
        first: true,
        sent_block: None,
    };
    let events = futures_util::stream::unfold(poll, |mut p| async move {
        loop {
            if let Some(e) = p.buffer.pop_front() {
                p.query.after = Some((e.block, e.event.event_index));
                p.sent_block = Some(e.block);
                let kind = e.event.name.clone().unwrap_or_else(|| "Unknown".into());
                let d = dto(e);
                let ev = Event::default()
                    .id(d.id.clone())
                    .event(kind)
                    .json_data(&d)
                    .unwrap_or_else(|_| Event::default().comment("unserialisable event"));
                return Some((Ok(ev), p));
            }
            if !p.first {
                let every = Duration::from_millis(p.state.config().stream_poll_ms.max(10));
                tokio::time::sleep(every).await;
            }
            p.first = false;
            if let (Some(sent), Ok(Some((head, _)))) =
                (p.sent_block, p.state.store().cursor().await)
            {
                if head < sent {
                    // A reorg removed events already sent: say so, and go on from the head.
                    p.sent_block = None;
                    p.query.after = Some((head, i64::MAX));
                    let ev = Event::default()
                        .event("reorg")
                        .data(format!("{{\"head\":{head}}}"));
                    return Some((Ok(ev), p));
                }
            }
            match p.state.store().events(&p.query).await {
                Ok(rows) => p.buffer.extend(rows),
                Err(e) => {
                    tracing::warn!(target: "api::stream", err = %e, "polling events failed");
                }
            }
        }
    });
    Ok(Sse::new(events).keep_alive(KeepAlive::default()))
}
