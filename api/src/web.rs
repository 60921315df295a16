//! The web app members and stewards use (`api/web`, bundled into `api/web/dist` by
//! `scripts/web.sh`): served at `/app/` from the bytes compiled into the binary, with
//! `/app/config.json` telling the page which chain to send transactions to. Everything else
//! the page reads comes from this API.

use axum::{
    extract::State,
    http::header,
    response::{IntoResponse, Redirect, Response},
    routing::get,
    Json, Router,
};
use serde::Serialize;

use crate::AppState;

const INDEX: &str = include_str!("../web/dist/index.html");
const APP_JS: &str = include_str!("../web/dist/app.js");
const CHAIN_JS: &str = include_str!("../web/dist/chain.js");
const STYLE: &str = include_str!("../web/dist/style.css");

/// The web app's routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(|| async { Redirect::temporary("/app/") }))
        .route("/app", get(|| async { Redirect::permanent("/app/") }))
        .route(
            "/app/",
            get(|| async { asset("text/html; charset=utf-8", INDEX) }),
        )
        .route(
            "/app/app.js",
            get(|| async { asset("text/javascript; charset=utf-8", APP_JS) }),
        )
        .route(
            "/app/chain.js",
            get(|| async { asset("text/javascript; charset=utf-8", CHAIN_JS) }),
        )
        .route(
            "/app/style.css",
            get(|| async { asset("text/css; charset=utf-8", STYLE) }),
        )
        .route("/app/config.json", get(config))
}

fn asset(content_type: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        body,
    )
        .into_response()
}

/// What the page needs besides the API.
#[derive(Debug, Serialize)]
struct PageConfig {
    /// The chain's JSON-RPC WebSocket URL (`atelier serve --chain-url`); `null` when the
    /// server was not given one (the page then reads only).
    chain_url: Option<String>,
}

async fn config(State(state): State<AppState>) -> Json<PageConfig> {
    Json(PageConfig {
        chain_url: state.config().chain_url.clone(),
    })
}
