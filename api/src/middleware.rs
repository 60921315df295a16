//! The middleware around every route, innermost first: the indexer head header, the body
//! limit, the JSON error normaliser, the time limit, the rate limit, metrics and logging,
//! then CORS.

use std::time::{Duration, Instant};

use axum::{
    extract::{ConnectInfo, MatchedPath, Request, State},
    http::{header, HeaderName, HeaderValue, Method, StatusCode},
    middleware::{from_fn, from_fn_with_state, Next},
    response::{IntoResponse, Response},
    Router,
};
use tower_http::{
    cors::{AllowOrigin, Any, CorsLayer},
    limit::RequestBodyLimitLayer,
};

use crate::{
    error::{ApiError, InternalCause},
    AppState,
};

/// The header carrying the indexer head a response was served at: `<block>:<hash>`, or
/// `none` before anything is indexed.
pub const INDEXER_HEAD: HeaderName = HeaderName::from_static("x-indexer-head");

/// Wraps `routes` in the API's middleware and gives them their state.
pub(crate) fn wrap(routes: Router<AppState>, state: AppState) -> Router {
    let config = state.config().clone();
    routes
        .fallback(|| async { ApiError::NotFound("route".into()) })
        .layer(from_fn_with_state(state.clone(), indexer_head))
        .layer(RequestBodyLimitLayer::new(config.body_limit))
        .layer(from_fn(normalise_errors))
        .layer(from_fn_with_state(state.clone(), time_limit))
        .layer(from_fn_with_state(state.clone(), rate_limit))
        .layer(from_fn_with_state(state.clone(), observe))
        .layer(cors(&config.cors_origins))
        .with_state(state)
}

fn cors(origins: &[String]) -> CorsLayer {
    let layer = CorsLayer::new()
        .allow_methods([Method::GET, Method::HEAD, Method::OPTIONS])
        .allow_headers([HeaderName::from_static("last-event-id"), header::ACCEPT])
        .expose_headers([
            INDEXER_HEAD,
            header::RETRY_AFTER,
            HeaderName::from_static("ratelimit-limit"),
            HeaderName::from_static("ratelimit-remaining"),
            HeaderName::from_static("ratelimit-reset"),
        ]);
    if origins.iter().any(|o| o == "*") {
        layer.allow_origin(Any)
    } else {
        let list: Vec<HeaderValue> = origins
            .iter()
            .filter_map(|o| HeaderValue::from_str(o.trim()).ok())
            .collect();
        layer.allow_origin(AllowOrigin::list(list))
    }
}

async fn indexer_head(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let head = state.store().cursor().await;
    let mut res = next.run(req).await;
    let value = match head {
        Ok(Some((block, hash))) => HeaderValue::from_str(&format!("{block}:{hash}")).ok(),
        Ok(None) => Some(HeaderValue::from_static("none")),
        Err(_) => None,
    };
    if let Some(v) = value {
        res.headers_mut().insert(INDEXER_HEAD, v);
    }
    res
}

/// Gives error responses that have no JSON body (axum's 405, tower-http's 413, ...) the
/// API's error shape, keeping their headers (`Allow`, ...).
async fn normalise_errors(req: Request, next: Next) -> Response {
    let res = next.run(req).await;
    let status = res.status();
    let is_json = res
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if status.as_u16() < 400 || is_json {
        return res;
    }
    let (parts, _) = res.into_parts();
    let mut out = ApiError::from_status(status).into_response();
    *out.status_mut() = status;
    for (name, value) in &parts.headers {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            out.headers_mut().insert(name.clone(), value.clone());
        }
    }
    out
}

async fn time_limit(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let limit = Duration::from_millis(state.config().request_timeout_ms);
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(res) => res,
        Err(_) => ApiError::Timeout.into_response(),
    }
}

async fn rate_limit(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let limiter = state.limiter();
    if !limiter.enabled() {
        return next.run(req).await;
    }
    let peer = req
        .extensions()
        .get::<ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip());
    let d = limiter.check(peer, Instant::now());
    let mut res = if d.allowed {
        next.run(req).await
    } else {
        ApiError::RateLimited {
            retry_after: d.retry_after_s,
        }
        .into_response()
    };
    let h = res.headers_mut();
    h.insert("ratelimit-limit", HeaderValue::from(d.limit));
    h.insert("ratelimit-remaining", HeaderValue::from(d.remaining));
    h.insert("ratelimit-reset", HeaderValue::from(d.reset_s));
    res
}

/// Records metrics and logs each request; internal errors are logged here with their cause,
/// which never reaches the client.
async fn observe(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = req.method().clone();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", MatchedPath::as_str)
        .to_owned();
    let mut res = next.run(req).await;
    let took = start.elapsed();
    let status = res.status();
    state
        .metrics()
        .record(method.as_str(), &route, status.as_u16(), took);
    if let Some(InternalCause(cause)) = res.extensions_mut().remove::<InternalCause>() {
        tracing::error!(target: "api::http", %method, route, status = status.as_u16(), %cause, "internal error");
    } else if status == StatusCode::SERVICE_UNAVAILABLE || status.is_server_error() {
        tracing::warn!(target: "api::http", %method, route, status = status.as_u16(), "request failed");
    } else {
        tracing::debug!(target: "api::http", %method, route, status = status.as_u16(), took_ms = took.as_secs_f64() * 1e3, "request");
    }
    res
}
