//! Per-client rate limiting: a token bucket per peer IP.
//!
//! Each client may make `burst` requests at once and `rate` per second on average. Answers
//! carry `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset` (seconds until the
//! bucket is full again); a refused request gets 429 with `Retry-After`.

use std::{
    collections::HashMap,
    net::IpAddr,
    sync::Mutex,
    time::{Duration, Instant},
};

/// Buckets kept before idle ones are dropped.
const MAX_CLIENTS: usize = 10_000;

/// What the limiter decided for one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    /// Whether the request may go on.
    pub allowed: bool,
    /// The burst size.
    pub limit: u32,
    /// Requests left now.
    pub remaining: u32,
    /// Seconds until the bucket is full.
    pub reset_s: u64,
    /// Seconds until the next request is allowed (when refused).
    pub retry_after_s: u64,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

/// Token buckets keyed by client address (`None`: no peer address known, one shared bucket).
#[derive(Debug)]
pub struct RateLimiter {
    rate: f64,
    burst: f64,
    buckets: Mutex<HashMap<Option<IpAddr>, Bucket>>,
}

impl RateLimiter {
    /// `rate` requests per second (0: unlimited), bursts of `burst`.
    pub fn new(rate: u32, burst: u32) -> Self {
        Self {
            rate: f64::from(rate),
            burst: f64::from(burst.max(1)),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Whether limiting is on.
    pub fn enabled(&self) -> bool {
        self.rate > 0.0
    }

    /// Takes a token for `client` at `now`.
    pub fn check(&self, client: Option<IpAddr>, now: Instant) -> Decision {
        let mut buckets = self
            .buckets
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if buckets.len() >= MAX_CLIENTS && !buckets.contains_key(&client) {
            // Drop the buckets that have refilled: they hold no state worth keeping.
            let full = Duration::from_secs_f64(self.burst / self.rate);
            buckets.retain(|_, b| now.saturating_duration_since(b.at) < full);
        }
        let b = buckets.entry(client).or_insert(Bucket {
            tokens: self.burst,
            at: now,
        });
        let elapsed = now.saturating_duration_since(b.at).as_secs_f64();
        b.tokens = (b.tokens + elapsed * self.rate).min(self.burst);
        b.at = now;
        let allowed = b.tokens >= 1.0;
        if allowed {
            b.tokens -= 1.0;
        }
        let secs = |x: f64| x.max(0.0).ceil() as u64;
        Decision {
            allowed,
            limit: self.burst as u32,
            remaining: b.tokens.floor() as u32,
            reset_s: secs((self.burst - b.tokens) / self.rate),
            retry_after_s: if allowed {
                0
            } else {
                secs((1.0 - b.tokens) / self.rate).max(1)
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_allows_its_burst_then_refills_at_the_rate() {
        let l = RateLimiter::new(2, 3);
        let t0 = Instant::now();
        let ip = Some("10.0.0.1".parse().unwrap());
        for left in [2, 1, 0] {
            let d = l.check(ip, t0);
            assert!(d.allowed);
            assert_eq!(d.remaining, left);
        }
        let refused = l.check(ip, t0);
        assert!(!refused.allowed);
        assert_eq!(refused.retry_after_s, 1);
        // another client has its own bucket
        assert!(l.check(Some("10.0.0.2".parse().unwrap()), t0).allowed);
        // half a second later one token is back
        assert!(l.check(ip, t0 + Duration::from_millis(500)).allowed);
        assert!(!l.check(ip, t0 + Duration::from_millis(500)).allowed);
    }
}
