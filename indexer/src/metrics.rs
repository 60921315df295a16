//! The indexer's Prometheus metrics (`atelier index --metrics ADDR`), in a
//! `prometheus-client` registry: head, cursor and lag, blocks, events and failures recovered
//! in this run, and the event rate. [`Metrics::observe`] sets them from a [`Progress`]; the
//! caller encodes [`Metrics::registry`] (`atelier_api::metrics` serves it).

use std::{
    sync::{atomic::AtomicU64, Mutex, PoisonError},
    time::Duration,
};

use prometheus_client::{
    metrics::{counter::Counter, gauge::Gauge},
    registry::Registry,
};

use crate::Progress;

/// The indexer's metrics.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    head: Gauge,
    cursor: Gauge,
    lag: Gauge,
    blocks: Counter,
    events: Counter,
    errors: Counter,
    events_per_second: Gauge<f64, AtomicU64>,
    /// Serialises [`Metrics::observe`]: counters only go up, by the difference to the
    /// progress last observed.
    observing: Mutex<()>,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut m = Self {
            registry: Registry::default(),
            head: Gauge::default(),
            cursor: Gauge::default(),
            lag: Gauge::default(),
            blocks: Counter::default(),
            events: Counter::default(),
            errors: Counter::default(),
            events_per_second: Gauge::default(),
            observing: Mutex::new(()),
        };
        for (name, help, gauge) in [
            ("atelier_indexer_head", "Finalized head last seen", &m.head),
            ("atelier_indexer_cursor", "Last block stored", &m.cursor),
            (
                "atelier_indexer_lag_blocks",
                "Finalized blocks not stored yet",
                &m.lag,
            ),
        ] {
            m.registry.register(name, help, gauge.clone());
        }
        // Counters are registered without `_total`: the encoder appends it.
        for (name, help, counter) in [
            (
                "atelier_indexer_blocks",
                "Blocks stored in this run",
                &m.blocks,
            ),
            (
                "atelier_indexer_events",
                "Contract events stored in this run",
                &m.events,
            ),
            (
                "atelier_indexer_errors",
                "Chain and store failures recovered from in this run",
                &m.errors,
            ),
        ] {
            m.registry.register(name, help, counter.clone());
        }
        m.registry.register(
            "atelier_indexer_events_per_second",
            "Contract events stored per second over this run",
            m.events_per_second.clone(),
        );
        m
    }
}

impl Metrics {
    /// Sets the metrics from `p`, the run's progress `elapsed` after it started.
    pub fn observe(&self, p: &Progress, elapsed: Duration) {
        let _one_at_a_time = self
            .observing
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let gauge = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
        self.head.set(gauge(p.head));
        self.cursor.set(gauge(p.cursor));
        self.lag.set(gauge(p.head.saturating_sub(p.cursor)));
        for (counter, total) in [
            (&self.blocks, p.blocks),
            (&self.events, p.events),
            (&self.errors, p.errors),
        ] {
            counter.inc_by(total.saturating_sub(counter.get()));
        }
        let secs = elapsed.as_secs_f64().max(1e-3);
        self.events_per_second.set(p.events as f64 / secs);
    }

    /// The registry to encode.
    pub fn registry(&self) -> &Registry {
        &self.registry
    }
}

#[cfg(test)]
mod tests {
    use prometheus_client::encoding::text::encode;

    use super::*;

    fn text(m: &Metrics) -> String {
        let mut out = String::new();
        encode(&mut out, m.registry()).unwrap();
        out
    }

    #[test]
    fn metrics_report_lag_and_rates() {
        let m = Metrics::default();
        let mut p = Progress {
            cursor: 90,
            head: 100,
            blocks: 50,
            events: 200,
            errors: 1,
        };
        m.observe(&p, Duration::from_secs(4));
        let t = text(&m);
        assert!(t.contains("atelier_indexer_head 100\n"), "{t}");
        assert!(t.contains("atelier_indexer_lag_blocks 10\n"), "{t}");
        assert!(
            t.contains("atelier_indexer_events_per_second 50.0\n"),
            "{t}"
        );
        assert!(t.contains("# TYPE atelier_indexer_errors counter\n"), "{t}");
        assert!(t.contains("atelier_indexer_errors_total 1\n"), "{t}");
        assert!(t.ends_with("# EOF\n"), "{t}");
        // a later observation moves the counters to the new totals, not by them
        p.blocks = 60;
        p.cursor = 100;
        m.observe(&p, Duration::from_secs(4));
        m.observe(&p, Duration::from_secs(8));
        let t = text(&m);
        assert!(t.contains("atelier_indexer_blocks_total 60\n"), "{t}");
        assert!(t.contains("atelier_indexer_events_total 200\n"), "{t}");
        assert!(t.contains("atelier_indexer_lag_blocks 0\n"), "{t}");
        assert!(
            t.contains("atelier_indexer_events_per_second 25.0\n"),
            "{t}"
        );
    }
}
