//! Request metrics in Prometheus' text format: counts by method, route and status, and a
//! latency histogram by route. Routes are the matched templates (`/proposals/{id}`), so the
//! label set stays small whatever clients ask for.

use std::{collections::BTreeMap, fmt::Write, sync::Mutex, time::Duration};

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

#[derive(Debug, Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    sum: f64,
    count: u64,
}

#[derive(Debug, Default)]
struct Inner {
    requests: BTreeMap<(String, String, u16), u64>,
    latency: BTreeMap<String, Histogram>,
}

/// The API's request metrics.
#[derive(Debug, Default)]
pub struct Metrics {
    inner: Mutex<Inner>,
}

impl Metrics {
    /// Records one answered request.
    pub fn record(&self, method: &str, route: &str, status: u16, took: Duration) {
        let mut m = self
            .inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *m.requests
            .entry((method.to_owned(), route.to_owned(), status))
            .or_default() += 1;
        let h = m.latency.entry(route.to_owned()).or_default();
        let s = took.as_secs_f64();
        for (bound, count) in BUCKETS.iter().zip(h.counts.iter_mut()) {
            if s <= *bound {
                *count += 1;
            }
        }
        h.sum += s;
        h.count += 1;
    }

    /// The metrics in Prometheus' text exposition format, followed by `extra` lines.
    pub fn render(&self, extra: &str) -> String {
        let m = self
            .inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut out = String::new();
        out.push_str(
            "# HELP atelier_api_requests_total Requests answered, by method, route and status.\n",
        );
        out.push_str("# TYPE atelier_api_requests_total counter\n");
        for ((method, route, status), n) in &m.requests {
            let _ = writeln!(
                out,
                "atelier_api_requests_total{{method=\"{method}\",route=\"{route}\",status=\"{status}\"}} {n}"
            );
        }
        out.push_str("# HELP atelier_api_request_duration_seconds Time to answer, by route.\n");
        out.push_str("# TYPE atelier_api_request_duration_seconds histogram\n");
        for (route, h) in &m.latency {
            for (bound, count) in BUCKETS.iter().zip(h.counts.iter()) {
                let _ = writeln!(
                    out,
                    "atelier_api_request_duration_seconds_bucket{{route=\"{route}\",le=\"{bound}\"}} {count}"
                );
            }
            let _ = writeln!(
                out,
                "atelier_api_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {}",
                h.count
            );
            let _ = writeln!(
                out,
                "atelier_api_request_duration_seconds_sum{{route=\"{route}\"}} {}",
                h.sum
            );
            let _ = writeln!(
                out,
                "atelier_api_request_duration_seconds_count{{route=\"{route}\"}} {}",
                h.count
            );
        }
        out.push_str(extra);
        out
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
        let text = m.render("");
        assert!(text.contains(
            "atelier_api_requests_total{method=\"GET\",route=\"/proposals/{id}\",status=\"200\"} 2"
        ));
        assert!(text.contains(
            "atelier_api_request_duration_seconds_bucket{route=\"/proposals/{id}\",le=\"0.005\"} 2"
        ));
        assert!(text
            .contains("atelier_api_request_duration_seconds_count{route=\"/proposals/{id}\"} 3"));
    }
}
