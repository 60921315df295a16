//! Curation scores of registered works: originality against every earlier work, exact and
//! near-duplicate detection, style category, spam likelihood, and one combined quality score
//! with its components kept.
//!
//! A work's text (title, prompt, description, tags) is embedded once; earlier works are kept
//! as a matrix, so the nearest earlier work is one matrix-vector product. Exact copies are
//! caught by identical image hashes or by MinHash over word 3-shingles (banded LSH, so the
//! lookup does not scan every earlier work).

use std::collections::HashMap;

use tch::{Device, Kind, Tensor};

use crate::{encoder::Encoder, rouge::tokens, Result};

/// A registered work.
#[derive(Debug, Clone, serde::Deserialize, serde::Serialize)]
pub struct Work {
    /// Title.
    pub title: String,
    /// Generation prompt.
    pub prompt: String,
    /// Description.
    #[serde(default)]
    pub description: String,
    /// Tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Content hash of the image, hex, when there is one.
    #[serde(default)]
    pub image_hash: Option<String>,
}

impl Work {
    /// What the work depicts (prompt and description): embedded for similarity. Titles and
    /// tags are left out: they are names, not content, and two copies rarely share them.
    pub fn content(&self) -> String {
        format!("{}. {}", self.prompt, self.description)
    }

    /// All of the work's text: shingled for copy detection and checked for spam.
    pub fn text(&self) -> String {
        format!(
            "{}. {}. {}. {}",
            self.title,
            self.prompt,
            self.description,
            self.tags.join(", ")
        )
    }
}

/// Thresholds and weights.
#[derive(Debug, Clone, Copy)]
pub struct Config {
    /// Cosine to an earlier work at or above which a work is a near duplicate.
    pub near_duplicate_cosine: f32,
    /// Estimated shingle Jaccard at or above which a work is a copy.
    pub copy_jaccard: f32,
    /// Spam likelihood at or above which a work is flagged as spam.
    pub spam_threshold: f32,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            near_duplicate_cosine: 0.72,
            copy_jaccard: 0.6,
            spam_threshold: 0.5,
        }
    }
}

/// Scores of one work, with every component.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Scores {
    /// 1 - max cosine to earlier works (1 when there are none); 0 for exact copies.
    pub originality: f32,
    /// The most similar earlier work and its cosine.
    pub nearest: Option<(u64, f32)>,
    /// The earlier work this one copies (same image, or near-identical text).
    pub copy_of: Option<u64>,
    /// Exact copy or cosine above the near-duplicate threshold.
    pub near_duplicate: bool,
    /// Nearest style prototype.
    pub style: Option<String>,
    /// Cosine to that prototype.
    pub style_similarity: f32,
    /// Spam likelihood in [0, 1].
    pub spam: f32,
    /// The spam rules that fired.
    pub spam_reasons: Vec<String>,
    /// Whether `spam` is at or above the threshold.
    pub is_spam: bool,
    /// How much the work says about itself, in [0, 1] (words of prompt and description).
    pub descriptiveness: f32,
    /// Combined: originality x (1 - spam) x (0.5 + 0.5 descriptiveness).
    pub quality: f32,
}

const SCAM_PHRASES: &[&str] = &[
    "free mint",
    "airdrop",
    "giveaway",
    "click here",
    "dm me",
    "guaranteed",
    "100x",
    "1000x",
    "connect your wallet",
    "connect wallet",
    "claim",
    "whitelist",
    "limited time",
    "limited offer",
    "send 0",
    "seed phrase",
    "make money",
    "buy followers",
    "retweet",
    "not a scam",
    "legit",
    "profit",
    "hurry",
];

const SPAM_PROTOTYPES: &[&str] = &[
    "Free NFT mint giveaway, connect your wallet to claim your airdrop reward now",
    "Send crypto to receive double back, guaranteed profit, limited time offer",
    "Follow, retweet and DM me for whitelist spots, this project will 100x",
];

const NUM_HASHES: usize = 64;
const BANDS: usize = 16;
const ROWS: usize = NUM_HASHES / BANDS;

fn splitmix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

fn fnv(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// MinHash signature of the word 3-shingles of `text`.
pub fn minhash(text: &str) -> [u64; NUM_HASHES] {
    let t = tokens(text);
    let shingles: Vec<u64> = if t.len() < 3 {
        vec![fnv(&t.join(" "))]
    } else {
        t.windows(3).map(|w| fnv(&w.join(" "))).collect()
    };
    let mut sig = [u64::MAX; NUM_HASHES];
    for (i, s) in sig.iter_mut().enumerate() {
        for &h in &shingles {
            *s = (*s).min(splitmix(h ^ splitmix(i as u64)));
        }
    }
    sig
}

/// Estimated Jaccard similarity of two signatures.
pub fn jaccard(a: &[u64; NUM_HASHES], b: &[u64; NUM_HASHES]) -> f32 {
    a.iter().zip(b).filter(|(x, y)| x == y).count() as f32 / NUM_HASHES as f32
}

fn band_keys(sig: &[u64; NUM_HASHES]) -> impl Iterator<Item = (usize, u64)> + '_ {
    (0..BANDS).map(move |b| {
        (
            b,
            sig[b * ROWS..(b + 1) * ROWS]
                .iter()
                .fold(0u64, |h, x| splitmix(h ^ x)),
        )
    })
}

/// Rule-based spam evidence in [0, 1] and the rules that fired.
pub fn spam_rules(work: &Work) -> (f32, Vec<String>) {
    let text = work.text();
    let lower = text.to_lowercase();
    let words: Vec<&str> = text.split_whitespace().collect();
    let n = words.len().max(1) as f32;
    let mut score = 0.0f32;
    let mut reasons = Vec::new();
    let links = words
        .iter()
        .filter(|w| {
            w.contains("http") || w.contains("www.") || w.contains(".ly/") || w.contains("t.me/")
        })
        .count() as f32;
    if links > 0.0 {
        score += (0.3 + 3.0 * links / n).min(0.6);
        reasons.push(format!("{links} link(s)"));
    }
    let scams: Vec<&str> = SCAM_PHRASES
        .iter()
        .copied()
        .filter(|p| lower.contains(p))
        .collect();
    if !scams.is_empty() {
        score += 0.3 * scams.len() as f32;
        reasons.push(format!("scam phrases: {}", scams.join(", ")));
    }
    let toks = tokens(&text);
    if toks.len() >= 6 {
        let unique: std::collections::HashSet<&String> = toks.iter().collect();
        let repetition = 1.0 - unique.len() as f32 / toks.len() as f32;
        if repetition > 0.5 {
            score += repetition;
            reasons.push(format!("repetition {:.0}%", repetition * 100.0));
        }
    }
    let letters: Vec<char> = text.chars().filter(|c| c.is_alphabetic()).collect();
    let caps =
        letters.iter().filter(|c| c.is_uppercase()).count() as f32 / letters.len().max(1) as f32;
    if caps > 0.6 && letters.len() > 20 {
        score += 0.2;
        reasons.push("mostly capitals".into());
    }
    let bangs = text.matches('!').count();
    if bangs >= 3 {
        score += 0.2;
        reasons.push(format!("{bangs} exclamation marks"));
    }
    (score.min(1.0), reasons)
}

/// Scores works in registration order against everything registered before them.
pub struct Curator<'a> {
    encoder: &'a Encoder,
    cfg: Config,
    ids: Vec<u64>,
    /// Earlier works' embeddings, [n, 384], grown in blocks.
    matrix: Tensor,
    rows: i64,
    signatures: Vec<[u64; NUM_HASHES]>,
    buckets: HashMap<(usize, u64), Vec<usize>>,
    images: HashMap<String, u64>,
    styles: Vec<(String, Vec<f32>)>,
    spam_protos: Vec<Vec<f32>>,
}

impl<'a> Curator<'a> {
    /// A curator with governance-defined style prototypes `(name, description)`.
    pub fn new(encoder: &'a Encoder, cfg: Config, styles: &[(&str, &str)]) -> Result<Self> {
        let texts: Vec<&str> = styles.iter().map(|(_, d)| *d).collect();
        let embedded = encoder.embed_all(&texts, 32)?;
        let styles = styles
            .iter()
            .zip(embedded)
            .map(|((n, _), e)| ((*n).to_owned(), e))
            .collect();
        let spam_protos = encoder.embed_all(SPAM_PROTOTYPES, 32)?;
        Ok(Self {
            encoder,
            cfg,
            ids: Vec::new(),
            matrix: Tensor::zeros([1024, crate::encoder::DIM], (Kind::Float, Device::Cpu)),
            rows: 0,
            signatures: Vec::new(),
            buckets: HashMap::new(),
            images: HashMap::new(),
            styles,
            spam_protos,
        })
    }

    /// Number of works registered.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether no work is registered.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Scores `work` against every earlier work without registering it.
    pub fn score(&self, work: &Work) -> Result<Scores> {
        let text = work.text();
        let e = self
            .encoder
            .embed_all(&[work.content().as_str()], 1)?
            .remove(0);
        Ok(self.score_embedded(work, &text, &e))
    }

    fn score_embedded(&self, work: &Work, text: &str, e: &[f32]) -> Scores {
        let nearest = (self.rows > 0).then(|| {
            let q = Tensor::from_slice(e);
            let sims = self.matrix.narrow(0, 0, self.rows).mv(&q);
            let (v, i) = sims.max_dim(0, false);
            (
                self.ids[i.int64_value(&[]) as usize],
                v.double_value(&[]) as f32,
            )
        });
        let sig = minhash(text);
        let mut copy_of = work
            .image_hash
            .as_ref()
            .and_then(|h| self.images.get(h).copied());
        if copy_of.is_none() {
            let mut seen = std::collections::HashSet::new();
            for key in band_keys(&sig) {
                for &row in self.buckets.get(&key).into_iter().flatten() {
                    if seen.insert(row)
                        && jaccard(&sig, &self.signatures[row]) >= self.cfg.copy_jaccard
                    {
                        copy_of = Some(self.ids[row]);
                    }
                }
            }
        }
        let max_cos = nearest.map_or(0.0, |(_, c)| c);
        let originality = if copy_of.is_some() {
            0.0
        } else {
            (1.0 - max_cos).clamp(0.0, 1.0)
        };
        let near_duplicate = copy_of.is_some() || max_cos >= self.cfg.near_duplicate_cosine;
        let (style, style_similarity) = self
            .styles
            .iter()
            .map(|(n, s)| (n, crate::encoder::cosine(e, s)))
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .map_or((None, 0.0), |(n, c)| (Some(n.clone()), c));
        let (rules, mut spam_reasons) = spam_rules(work);
        let proto = self
            .spam_protos
            .iter()
            .map(|p| crate::encoder::cosine(e, p))
            .fold(0.0f32, f32::max);
        let semantic = ((proto - 0.35) / 0.35).clamp(0.0, 1.0);
        if semantic > 0.0 {
            spam_reasons.push(format!("similar to spam ({proto:.2})"));
        }
        let spam = (0.7 * rules + 0.5 * semantic).clamp(0.0, 1.0);
        let words =
            crate::text::word_count(&work.prompt) + crate::text::word_count(&work.description);
        let descriptiveness = (words as f32 / 30.0).min(1.0);
        let quality = originality * (1.0 - spam) * (0.5 + 0.5 * descriptiveness);
        Scores {
            originality,
            nearest,
            copy_of,
            near_duplicate,
            style,
            style_similarity,
            spam,
            spam_reasons,
            is_spam: spam >= self.cfg.spam_threshold,
            descriptiveness,
            quality,
        }
    }

    /// Scores `work` (id `id`) against every earlier work, then registers it.
    pub fn score_and_register(&mut self, id: u64, work: &Work) -> Result<Scores> {
        let text = work.text();
        let e = self
            .encoder
            .embed_all(&[work.content().as_str()], 1)?
            .remove(0);
        let scores = self.score_embedded(work, &text, &e);
        self.register_embedded(id, work, &text, &e);
        Ok(scores)
    }

    /// Registers works without scoring them (e.g. a history loaded from the store), in
    /// batches.
    pub fn register_all(&mut self, works: &[(u64, Work)]) -> Result<()> {
        let texts: Vec<String> = works.iter().map(|(_, w)| w.text()).collect();
        let contents: Vec<String> = works.iter().map(|(_, w)| w.content()).collect();
        let refs: Vec<&str> = contents.iter().map(String::as_str).collect();
        let embedded = self.encoder.embed_all(&refs, 64)?;
        for (((id, w), t), e) in works.iter().zip(&texts).zip(embedded) {
            self.register_embedded(*id, w, t, &e);
        }
        Ok(())
    }

    /// Registers a work whose embedding is already known.
    pub fn register_embedded(&mut self, id: u64, work: &Work, text: &str, e: &[f32]) {
        if self.rows == self.matrix.size()[0] {
            let grown = Tensor::zeros(
                [self.rows * 2, crate::encoder::DIM],
                (Kind::Float, Device::Cpu),
            );
            grown.narrow(0, 0, self.rows).copy_(&self.matrix);
            self.matrix = grown;
        }
        self.matrix.get(self.rows).copy_(&Tensor::from_slice(e));
        let row = self.ids.len();
        self.rows += 1;
        self.ids.push(id);
        let sig = minhash(text);
        for key in band_keys(&sig) {
            self.buckets.entry(key).or_default().push(row);
        }
        self.signatures.push(sig);
        if let Some(h) = &work.image_hash {
            self.images.entry(h.clone()).or_insert(id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(prompt: &str) -> Work {
        Work {
            title: "t".into(),
            prompt: prompt.into(),
            description: String::new(),
            tags: vec![],
            image_hash: None,
        }
    }

    #[test]
    fn minhash_estimates_jaccard() {
        let a = minhash("a red fox under a stormy sky in low poly art style today");
        assert_eq!(jaccard(&a, &a), 1.0);
        let b = minhash("completely different words about a lighthouse and the sea at night");
        assert!(jaccard(&a, &b) < 0.2);
    }

    #[test]
    fn spam_rules_fire_on_links_scams_and_repetition() {
        let (s, r) = spam_rules(&w(
            "FREE MINT!!! connect your wallet at bit.ly/x and claim 100x",
        ));
        assert!(s >= 0.9, "{s} {r:?}");
        let (s, _) = spam_rules(&w("make money fast make money fast make money fast"));
        assert!(s >= 0.5);
        let (s, r) = spam_rules(&w("a watercolour fox at dawn in a misty forest"));
        assert_eq!((s, r.len()), (0.0, 0));
    }
}
