//! `/works/top`: registered works ranked by curation quality (not recency).

use axum::{extract::State, routing::get, Json, Router};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::Position;
use crate::{error::ApiResult, extract::ApiQuery, page, AppState};

const TAG: &str = "works";

/// The work routes.
pub fn router() -> Router<AppState> {
    Router::new().route("/works/top", get(top))
}

/// Curation scores of a work.
#[derive(Debug, Serialize, ToSchema)]
pub struct CurationDto {
    /// Combined quality: originality x (1 - spam) x (0.5 + 0.5 descriptiveness).
    pub quality: f64,
    /// 1 - the largest cosine similarity to any earlier work.
    pub originality: f64,
    /// Near-duplicate of an earlier work.
    pub near_duplicate: bool,
    /// The work it copies.
    pub copy_of: Option<i64>,
    /// The most similar earlier work.
    pub nearest: Option<i64>,
    /// Its cosine similarity.
    pub nearest_cosine: Option<f64>,
    /// Nearest style prototype.
    pub style: Option<String>,
    /// Spam likelihood.
    pub spam: f64,
    /// Flagged as spam.
    pub is_spam: bool,
    /// Every component and reason, as the scorer wrote them.
    pub components: serde_json::Value,
    /// Model id of the scorer.
    pub model_id: String,
}

/// A work with its curation scores.
#[derive(Debug, Serialize, ToSchema)]
pub struct WorkDto {
    /// Work id.
    pub id: i64,
    /// Creator, H160 hex.
    pub creator: String,
    /// Title.
    pub title: String,
    /// Generation prompt.
    pub prompt: String,
    /// Description.
    pub description: String,
    /// Tags.
    pub tags: Vec<String>,
    /// Image content hash.
    pub image_hash: Option<String>,
    /// Where it was registered.
    pub position: Position,
    /// Curation scores.
    pub curation: CurationDto,
}

page::page_type!(WorkPage, WorkDto, "works");

/// Parameters of `/works/top`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TopParams {
    /// Include works flagged as spam (default false).
    pub include_spam: Option<bool>,
    /// The `next_cursor` of the previous page (opaque; empty means the first page).
    #[param(pattern = "^[0-9a-f]*$")]
    pub cursor: Option<String>,
    /// Items per page (1..=1000, default 50).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<u32>,
}

/// Scored works, best curation quality first (ties by id).
#[utoipa::path(get, path = "/works/top", tag = "works", params(TopParams),
    responses((status = 200, description = "A page of works", body = WorkPage)))]
pub(crate) async fn top(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<TopParams>,
) -> ApiResult<Json<WorkPage>> {
    let limit = page::limit(q.limit)?;
    let after = page::decode_score(TAG, q.cursor.as_deref())?;
    let rows = state
        .store()
        .ranked_works(after, q.include_spam.unwrap_or(false), limit + 1)
        .await?;
    let (rows, next_cursor) = page::split(rows, limit, |(w, s)| {
        page::encode_score(TAG, s.quality, w.id)
    });
    let items = rows
        .into_iter()
        .map(|(w, s)| WorkDto {
            id: w.id,
            creator: w.creator,
            title: w.title,
            prompt: w.prompt,
            description: w.description,
            tags: w.tags,
            image_hash: w.image_hash,
            position: Position {
                block: w.block,
                event_index: w.event_index,
            },
            curation: CurationDto {
                quality: s.quality,
                originality: s.originality,
                near_duplicate: s.near_duplicate,
                copy_of: s.copy_of,
                nearest: s.nearest,
                nearest_cosine: s.nearest_cosine,
                style: s.style,
                spam: s.spam,
                is_spam: s.is_spam,
                components: serde_json::from_str(&s.components)
                    .unwrap_or(serde_json::Value::String(s.components)),
                model_id: s.model_id,
            },
        })
        .collect();
    Ok(Json(WorkPage { items, next_cursor }))
}
