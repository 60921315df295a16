//! `atelier work`: the job loop. Polls the store for proposals without a summary and works
//! without curation scores, processes them in batches on this (blocking) thread, and writes
//! each result idempotently, so a crash mid-batch loses nothing (unwritten results are
//! recomputed, deterministically, on the next run) and duplicates nothing (writes are keyed
//! by proposal and work id). Items it cannot process are recorded with the reason and the
//! loop goes on.
//!
//! Run it on a dedicated thread: it drives the async store through `handle.block_on`, so
//! torch inference never runs on the async runtime's workers.

use std::time::Duration;

use atelier_store::{CurationScore, Store, Summary};
use tokio::runtime::Handle;

use crate::{
    curation::{self, Curator, Work},
    encoder::Encoder,
    summarise::{self, Summariser},
    Error, Result,
};

/// Largest proposal description or work text the worker accepts, in bytes.
pub const MAX_TEXT_BYTES: usize = 256 * 1024;

/// Options of the loop.
#[derive(Debug, Clone)]
pub struct Options {
    /// Items fetched per batch.
    pub batch: i64,
    /// Pause when there is nothing to do.
    pub poll: Duration,
    /// Stop when there is nothing left to do instead of polling.
    pub once: bool,
    /// Governance-defined style prototypes `(name, description)`.
    pub styles: Vec<(String, String)>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            batch: 32,
            poll: Duration::from_secs(2),
            once: false,
            styles: [
                ("watercolour", "a soft watercolour painting"),
                ("oil", "a classical oil painting on canvas"),
                ("pixel art", "retro pixel art"),
                ("photography", "a photograph"),
                ("3d render", "a 3D render"),
                ("sketch", "a pencil or charcoal sketch"),
                ("anime", "an anime illustration"),
                ("abstract", "abstract generative art"),
            ]
            .iter()
            .map(|(n, d)| ((*n).to_owned(), (*d).to_owned()))
            .collect(),
        }
    }
}

/// What one pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Progress {
    /// Summaries written.
    pub summaries: usize,
    /// Scores written.
    pub scores: usize,
    /// Items recorded as failed.
    pub failures: usize,
}

/// Why a text cannot be processed, or `None` when it can.
pub fn reject(text: &str) -> Option<String> {
    if text.trim().is_empty() {
        return Some("empty text".into());
    }
    if text.len() > MAX_TEXT_BYTES {
        return Some(format!(
            "text too large: {} bytes (limit {MAX_TEXT_BYTES})",
            text.len()
        ));
    }
    if text.contains('\u{FFFD}') {
        return Some("invalid UTF-8 in the stored text (replacement characters)".into());
    }
    let letters: Vec<char> = text.chars().filter(|c| c.is_alphabetic()).collect();
    if letters.is_empty() {
        return Some("no words to read".into());
    }
    let latin = letters.iter().filter(|c| c.is_ascii_alphabetic()).count();
    if latin * 2 < letters.len() {
        return Some("unsupported language: the encoder (all-MiniLM-L6-v2) reads English".into());
    }
    None
}

fn to_curation_work(w: &atelier_store::Work) -> Work {
    Work {
        title: w.title.clone(),
        prompt: w.prompt.clone(),
        description: w.description.clone(),
        tags: w.tags.clone(),
        image_hash: w.image_hash.clone(),
    }
}

/// The loop's state: the encoder and the curation history.
pub struct Worker<'a> {
    encoder: &'a Encoder,
    curator: Curator<'a>,
    opts: Options,
}

impl<'a> Worker<'a> {
    /// Prepares the loop: registers every already-scored work as history.
    pub fn new(
        handle: &Handle,
        store: &Store,
        encoder: &'a Encoder,
        opts: Options,
    ) -> Result<Self> {
        let styles: Vec<(&str, &str)> = opts
            .styles
            .iter()
            .map(|(n, d)| (n.as_str(), d.as_str()))
            .collect();
        let mut curator = Curator::new(encoder, curation::Config::default(), &styles)?;
        let history = handle.block_on(store.scored_works())?;
        let works: Vec<(u64, Work)> = history
            .iter()
            .map(|w| (w.id.unsigned_abs(), to_curation_work(w)))
            .collect();
        curator.register_all(&works)?;
        Ok(Self {
            encoder,
            curator,
            opts,
        })
    }

    /// Processes one batch of each kind; returns what it wrote.
    pub fn pass(&mut self, handle: &Handle, store: &Store) -> Result<Progress> {
        let mut p = Progress::default();
        let proposals = handle.block_on(store.proposals_without_summary(self.opts.batch))?;
        let summariser = Summariser::new(self.encoder, summarise::Config::default());
        for prop in &proposals {
            if let Some(reason) = reject(&prop.description) {
                handle.block_on(store.put_failure("proposal", prop.id, &reason))?;
                p.failures += 1;
                continue;
            }
            let s = summariser.summarise(&prop.description)?;
            let row = Summary {
                proposal_id: prop.id,
                text: s.text,
                hash: s.hash,
                model_id: s.model_id,
            };
            if handle.block_on(store.put_summary(&row))? {
                p.summaries += 1;
            }
        }
        let works = handle.block_on(store.works_without_score(self.opts.batch))?;
        for w in &works {
            let work = to_curation_work(w);
            if let Some(reason) = reject(&work.text()) {
                handle.block_on(store.put_failure("work", w.id, &reason))?;
                p.failures += 1;
                continue;
            }
            let s = self
                .curator
                .score_and_register(w.id.unsigned_abs(), &work)?;
            let row = CurationScore {
                work_id: w.id,
                originality: f64::from(s.originality),
                near_duplicate: s.near_duplicate,
                copy_of: s.copy_of.and_then(|id| i64::try_from(id).ok()),
                nearest: s.nearest.and_then(|(id, _)| i64::try_from(id).ok()),
                nearest_cosine: s.nearest.map(|(_, c)| f64::from(c)),
                style: s.style.clone(),
                spam: f64::from(s.spam),
                is_spam: s.is_spam,
                quality: f64::from(s.quality),
                components: serde_json::to_string(&s).map_err(|e| Error::Data(e.to_string()))?,
                model_id: self.encoder.model_id().to_owned(),
            };
            if handle.block_on(store.put_score(&row))? {
                p.scores += 1;
            }
        }
        Ok(p)
    }

    /// Runs passes until there is nothing left (`once`), or until `stop` says so, reporting
    /// each pass that did something to `report`. `stop` is asked between passes and while
    /// idle, so a stop takes effect within a pass.
    pub fn run(
        &mut self,
        handle: &Handle,
        store: &Store,
        stop: impl Fn() -> bool,
        mut report: impl FnMut(Progress),
    ) -> Result<Progress> {
        let mut total = Progress::default();
        loop {
            if stop() {
                return Ok(total);
            }
            let p = self.pass(handle, store)?;
            total.summaries += p.summaries;
            total.scores += p.scores;
            total.failures += p.failures;
            if p != Progress::default() {
                report(p);
                continue;
            }
            if self.opts.once {
                return Ok(total);
            }
            let idle_until = std::time::Instant::now() + self.opts.poll;
            while std::time::Instant::now() < idle_until && !stop() {
                std::thread::sleep(Duration::from_millis(50).min(self.opts.poll));
            }
        }
    }
}
