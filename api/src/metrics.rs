//! Prometheus metrics through `prometheus-client`: the API's request metrics (counts by
//! method, route and status, and a latency histogram by route) and the one place that turns
//! a registry into an HTTP answer, for the API and for the indexer (`atelier index
//! --metrics`) alike. Routes are the matched templates (`/proposals/{id}`), so the label set
//! stays small whatever clients ask for.
//!
//! The text is the OpenMetrics exposition `prometheus_client::encoding::text` writes: counters
//! are registered without their `_total` suffix (the encoder adds it to the sample) and the
//! text ends with `# EOF`. Prometheus reads it with either content type; [`response`] and
//! [`serve`] send [`CONTENT_TYPE`].

use std::time::Duration;

use axum::{
    http::header,
    response::{IntoResponse, Response},
    routing::get,
    Router,
};
use prometheus_client::{
    encoding::{
        text::{encode_eof, encode_registry},
        EncodeLabelSet,
    },
    metrics::{counter::Counter, family::Family, gauge::Gauge, histogram::Histogram},
    registry::Registry,
};

/// The content type of the text [`encode`] writes.
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

/// `registry` in the OpenMetrics text format, ending with `# EOF`.
pub fn encode(registry: &Registry) -> String {
    let mut out = String::new();
    // Writing to a String cannot fail; a metric that failed to encode would only cut the
    // text short, which a scrape reports.
    let _ = encode_registry(&mut out, registry);
    let _ = encode_eof(&mut out);
    out
}

/// A scrape's answer: `body` (what [`encode`] wrote) with [`CONTENT_TYPE`].
pub fn response(body: String) -> Response {
    ([(header::CONTENT_TYPE, CONTENT_TYPE)], body).into_response()
}

/// A router answering `GET /metrics` with what `render` returns (the text of [`encode`]).
pub fn router<F>(render: F) -> Router
where
    F: Fn() -> String + Clone + Send + Sync + 'static,
{
    Router::new().route(
        "/metrics",
        get(move || {
            let body = render();
            async move { response(body) }
        }),
    )
}

/// Serves [`router`]`(render)` on `listener` until the listener fails.
///
/// # Errors
/// When accepting connections fails.
pub async fn serve<F>(listener: tokio::net::TcpListener, render: F) -> std::io::Result<()>
where
    F: Fn() -> String + Clone + Send + Sync + 'static,
{
    axum::serve(listener, router(render)).await
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: String,
    route: String,
    status: u16,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: String,
}

fn latency_histogram() -> Histogram {
    Histogram::new(BUCKETS.into_iter())
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PoolLabels {
    state: &'static str,
}

/// The API's metrics: requests, and at each scrape the store's pool and the indexer head.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RouteLabels, Histogram, fn() -> Histogram>,
    pool: Family<PoolLabels, Gauge>,
    /// No labels; empty while nothing is indexed.
    head: Family<Vec<(String, String)>, Gauge>,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::default();
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "atelier_api_requests",
            "Requests answered, by method, route and status",
            requests.clone(),
        );
        let latency = Family::<RouteLabels, Histogram, fn() -> Histogram>::new_with_constructor(
            latency_histogram,
        );
        registry.register(
            "atelier_api_request_duration_seconds",
            "Time to answer, by route",
            latency.clone(),
        );
        let pool = Family::<PoolLabels, Gauge>::default();
        registry.register(
            "atelier_store_pool_connections",
            "Store connections by state",
            pool.clone(),
        );
        let head = Family::<Vec<(String, String)>, Gauge>::default();
        registry.register(
            "atelier_indexer_head_block",
            "The last fully indexed block",
            head.clone(),
        );
        Self {
            registry,
            requests,
            latency,
            pool,
            head,
        }
    }
}

impl Metrics {
    /// Records one answered request.
    pub fn record(&self, method: &str, route: &str, status: u16, took: Duration) {
        self.requests
            .get_or_create(&RequestLabels {
                method: method.to_owned(),
                route: route.to_owned(),
                status,
            })
            .inc();
        self.latency
            .get_or_create(&RouteLabels {
                route: route.to_owned(),
            })
            .observe(took.as_secs_f64());
    }

    /// The metrics in the OpenMetrics text format, with the store's `pool` as it is now and
    /// the indexer `head` (the store's cursor; left out while nothing is indexed).
    pub fn render(&self, pool: atelier_store::read::PoolStats, head: Option<i64>) -> String {
        let busy = (pool.size as usize).saturating_sub(pool.idle);
        for (state, n) in [
            ("idle", pool.idle as i64),
            ("busy", busy as i64),
            ("max", i64::from(pool.max)),
        ] {
            self.pool.get_or_create(&PoolLabels { state }).set(n);
        }
        match head {
            Some(block) => {
                self.head.get_or_create(&Vec::new()).set(block);
            }
            None => self.head.clear(),
        }
        encode(&self.registry)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_counted_by_route_and_latency_is_bucketed() {
        let m = Metrics::default();
        m.record("GET", "/proposals/{id}", 200, Duration::from_millis(3));
        m.record("GET", "/proposals/{id}", 200, Duration::from_millis(30));
        m.record("GET", "/proposals/{id}", 404, Duration::from_millis(1));
        let pool = atelier_store::read::PoolStats {
            size: 3,
            idle: 1,
            max: 8,
        };
        let text = m.render(pool, None);
        assert!(
            !text
                .lines()
                .any(|l| l.starts_with("atelier_indexer_head_block")),
            "no head sample while nothing is indexed: {text}"
        );
        for line in [
            "# TYPE atelier_api_requests counter",
            r#"atelier_api_requests_total{method="GET",route="/proposals/{id}",status="200"} 2"#,
            r#"atelier_api_requests_total{method="GET",route="/proposals/{id}",status="404"} 1"#,
            "# TYPE atelier_api_request_duration_seconds histogram",
            r#"atelier_api_request_duration_seconds_bucket{le="0.005",route="/proposals/{id}"} 2"#,
            r#"atelier_api_request_duration_seconds_count{route="/proposals/{id}"} 3"#,
            r#"atelier_store_pool_connections{state="busy"} 2"#,
            r#"atelier_store_pool_connections{state="max"} 8"#,
        ] {
            assert!(text.lines().any(|l| l == line), "{line} not in\n{text}");
        }
        assert!(text.ends_with("# EOF\n"), "{text}");
        let text = m.render(pool, Some(42));
        assert!(
            text.lines().any(|l| l == "atelier_indexer_head_block{} 42"),
            "{text}"
        );
    }

    #[tokio::test]
    async fn the_router_answers_scrapes_at_metrics() {
        use axum::{body::Body, http::Request};
        use http_body_util::BodyExt;
        use tower::ServiceExt;

        let m = std::sync::Arc::new(Metrics::default());
        m.record("GET", "/status", 200, Duration::from_millis(2));
        let app = router(move || encode(&m.registry));
        let res = app
            .clone()
            .oneshot(Request::get("/metrics").body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers()[header::CONTENT_TYPE], CONTENT_TYPE);
        let body = res.into_body().collect().await.unwrap().to_bytes();
        let text = std::str::from_utf8(&body).unwrap();
        assert!(
            text.contains(r#"route="/status",status="200"} 1"#),
            "{text}"
        );
        assert!(text.ends_with("# EOF\n"), "{text}");
        let res = app
            .oneshot(Request::get("/other").body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(res.status(), 404);
        assert_eq!(encode(&Registry::default()), "# EOF\n");
    }
}
