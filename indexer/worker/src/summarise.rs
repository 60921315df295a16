//! Extractive, neutral proposal summaries, and the baselines they are measured against.
//!
//! The summariser embeds every sentence, scores it by cosine to the document centroid
//! (plus a small lead prior: proposals state their point early), penalises advocacy
//! ("we believe", "vote for", exclamations), and picks sentences with maximal marginal
//! relevance until the sentence or word budget is used, then restores document order.

use blake2::{digest::consts::U32, Blake2b, Digest};

use crate::{
    encoder::{cosine, Encoder},
    text, Result,
};

/// Budget and weights of the summariser.
#[derive(Debug, Clone, Copy)]
pub struct Config {
    /// Most sentences in a summary.
    pub max_sentences: usize,
    /// Most words in a summary.
    pub max_words: usize,
    /// MMR trade-off between relevance (1.0) and novelty (0.0).
    pub lambda: f32,
    /// Weight of the lead prior.
    pub lead: f32,
    /// Penalty for an advocacy phrase.
    pub advocacy_penalty: f32,
    /// A further sentence is added only if its MMR score is at least this fraction of the
    /// first sentence's: summaries stay at one sentence unless more carry as much.
    pub min_gain: f32,
    /// Weight of the similarity to the proposal's title (its first `#` heading).
    pub title: f32,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            max_sentences: 3,
            max_words: 60,
            lambda: 0.7,
            lead: 0.25,
            advocacy_penalty: 0.3,
            min_gain: 0.9,
            title: 1.0,
        }
    }
}

/// A summary, ready to be anchored on chain.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Summary {
    /// The summary text.
    pub text: String,
    /// blake2b-256 of the text, hex.
    pub hash: String,
    /// Name and weights sha256 of the encoder.
    pub model_id: String,
}

/// Phrases that argue rather than state.
const ADVOCACY: &[&str] = &[
    "we believe",
    "we think",
    "we feel",
    "vote for",
    "vote yes",
    "vote in favor",
    "vote in favour",
    "we urge",
    "we encourage",
    "strongly",
    "in our opinion",
    "we are excited",
    "excited to",
    "thrilled",
    "please support",
    "should support",
    "we hope",
    "huge",
    "amazing",
    "incredible",
];

/// How much a sentence argues instead of stating (0 = plain statement).
pub fn advocacy(sentence: &str) -> f32 {
    let lower = sentence.to_lowercase();
    let hits = ADVOCACY.iter().filter(|p| lower.contains(*p)).count() as f32;
    hits + if sentence.trim_end().ends_with('!') {
        1.0
    } else {
        0.0
    }
}

/// blake2b-256 of `text`, hex.
pub fn hash(text: &str) -> String {
    hex::encode(Blake2b::<U32>::digest(text.as_bytes()))
}

/// Candidate sentences of a markdown document: cleaned, split, without fragments (under four
/// words) unless it has nothing else.
pub fn candidates(markdown: &str) -> Vec<String> {
    let all = text::sentences(markdown);
    let long: Vec<String> = all
        .iter()
        .filter(|s| text::word_count(s) >= 4)
        .cloned()
        .collect();
    // A short proposal ("Count translated documentation.") is summarised by what it has,
    // then by its title, rather than left without a summary.
    if !long.is_empty() {
        long
    } else if !all.is_empty() {
        all
    } else {
        text::title(markdown).into_iter().collect()
    }
}

/// Picks sentence indices in document order under the budget by greedy MMR over
/// `relevance` and pairwise `similarity`.
fn select(
    sentences: &[String],
    relevance: &[f32],
    similarity: impl Fn(usize, usize) -> f32,
    cfg: &Config,
) -> Vec<usize> {
    let mut chosen: Vec<usize> = Vec::new();
    let mut words = 0;
    let mut first_gain = None;
    while chosen.len() < cfg.max_sentences {
        let best = (0..sentences.len())
            .filter(|i| !chosen.contains(i))
            .filter(|&i| {
                words + text::word_count(&sentences[i]) <= cfg.max_words || chosen.is_empty()
            })
            .map(|i| {
                let redundancy = chosen
                    .iter()
                    .map(|&j| similarity(i, j))
                    .fold(0.0f32, f32::max);
                (
                    i,
                    cfg.lambda * relevance[i] - (1.0 - cfg.lambda) * redundancy,
                )
            })
            .max_by(|a, b| a.1.total_cmp(&b.1));
        let Some((i, gain)) = best else { break };
        match first_gain {
            None => first_gain = Some(gain),
            Some(first) if gain < cfg.min_gain * first => break,
            Some(_) => {}
        }
        words += text::word_count(&sentences[i]);
        chosen.push(i);
    }
    chosen.sort_unstable();
    chosen
}

/// Joins selected sentences, truncating to `max_words` when a single first sentence is longer.
fn join(sentences: &[String], chosen: &[usize], max_words: usize) -> String {
    let all: Vec<&str> = chosen
        .iter()
        .flat_map(|&i| sentences[i].split_whitespace())
        .collect();
    if all.len() <= max_words {
        all.join(" ")
    } else {
        format!("{}…", all[..max_words].join(" "))
    }
}

/// The embedding summariser.
pub struct Summariser<'a> {
    encoder: &'a Encoder,
    cfg: Config,
}

impl<'a> Summariser<'a> {
    /// A summariser over `encoder`.
    pub fn new(encoder: &'a Encoder, cfg: Config) -> Self {
        Self { encoder, cfg }
    }

    /// Summarises a markdown proposal. A proposal without any text (not even a title) gives
    /// an empty text.
    pub fn summarise(&self, markdown: &str) -> Result<Summary> {
        let sentences = candidates(markdown);
        let text = if sentences.is_empty() {
            String::new()
        } else {
            let refs: Vec<&str> = sentences.iter().map(String::as_str).collect();
            let emb = self.encoder.embed_all(&refs, 32)?;
            let dim = emb[0].len();
            let mut centroid = vec![0f32; dim];
            for e in &emb {
                for (c, x) in centroid.iter_mut().zip(e) {
                    *c += x;
                }
            }
            let n = sentences.len() as f32;
            let title = match text::title(markdown) {
                Some(t) => self.encoder.embed_all(&[t.as_str()], 1)?.pop(),
                None => None,
            };
            let relevance: Vec<f32> = emb
                .iter()
                .enumerate()
                .map(|(i, e)| {
                    let lead = self.cfg.lead * (1.0 - (i as f32 / n.max(1.0))).powi(4);
                    let about = title
                        .as_ref()
                        .map_or(0.0, |t| self.cfg.title * cosine(e, t));
                    cosine(e, &centroid) + about + lead
                        - self.cfg.advocacy_penalty * advocacy(&sentences[i])
                })
                .collect();
            let chosen = select(
                &sentences,
                &relevance,
                |i, j| cosine(&emb[i], &emb[j]),
                &self.cfg,
            );
            join(&sentences, &chosen, self.cfg.max_words)
        };
        Ok(Summary {
            hash: hash(&text),
            model_id: self.encoder.model_id().to_owned(),
            text,
        })
    }
}

/// Baseline: the first sentence.
pub fn first_sentence(markdown: &str) -> String {
    candidates(markdown).into_iter().next().unwrap_or_default()
}

/// Baseline: the first three sentences.
pub fn first_three(markdown: &str) -> String {
    candidates(markdown)
        .into_iter()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Baseline: TextRank (PageRank over a TF-IDF cosine sentence graph), same budget as the
/// summariser.
pub fn textrank(markdown: &str, cfg: &Config) -> String {
    let sentences = candidates(markdown);
    if sentences.is_empty() {
        return String::new();
    }
    let vectors = tfidf(&sentences);
    let n = sentences.len();
    let sim = |i: usize, j: usize| sparse_cosine(&vectors[i], &vectors[j]);
    let weights: Vec<Vec<f32>> = (0..n)
        .map(|i| {
            (0..n)
                .map(|j| if i == j { 0.0 } else { sim(i, j) })
                .collect()
        })
        .collect();
    let out_sum: Vec<f32> = weights.iter().map(|r| r.iter().sum()).collect();
    let mut rank = vec![1.0f32 / n as f32; n];
    for _ in 0..50 {
        let next: Vec<f32> = (0..n)
            .map(|i| {
                let inflow: f32 = (0..n)
                    .filter(|&j| out_sum[j] > 0.0)
                    .map(|j| weights[j][i] / out_sum[j] * rank[j])
                    .sum();
                0.15 / n as f32 + 0.85 * inflow
            })
            .collect();
        rank = next;
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| rank[b].total_cmp(&rank[a]));
    let mut chosen = Vec::new();
    let mut words = 0;
    for i in order {
        let w = text::word_count(&sentences[i]);
        if chosen.len() < cfg.max_sentences && (words + w <= cfg.max_words || chosen.is_empty()) {
            chosen.push(i);
            words += w;
        }
    }
    chosen.sort_unstable();
    join(&sentences, &chosen, cfg.max_words)
}

type Sparse = std::collections::HashMap<String, f32>;

fn tfidf(sentences: &[String]) -> Vec<Sparse> {
    let docs: Vec<Vec<String>> = sentences.iter().map(|s| crate::rouge::tokens(s)).collect();
    let mut df: std::collections::HashMap<&str, f32> = std::collections::HashMap::new();
    for d in &docs {
        let mut seen: Vec<&str> = d.iter().map(String::as_str).collect();
        seen.sort_unstable();
        seen.dedup();
        for t in seen {
            *df.entry(t).or_default() += 1.0;
        }
    }
    let n = docs.len() as f32;
    docs.iter()
        .map(|d| {
            let mut v = Sparse::new();
            for t in d {
                *v.entry(t.clone()).or_default() += 1.0;
            }
            for (t, x) in v.iter_mut() {
                *x *= ((1.0 + n) / (1.0 + df[t.as_str()])).ln() + 1.0;
            }
            v
        })
        .collect()
}

fn sparse_cosine(a: &Sparse, b: &Sparse) -> f32 {
    let dot: f32 = a.iter().filter_map(|(t, x)| b.get(t).map(|y| x * y)).sum();
    let na: f32 = a.values().map(|x| x * x).sum::<f32>().sqrt();
    let nb: f32 = b.values().map(|x| x * x).sum::<f32>().sqrt();
    if na == 0.0 || nb == 0.0 {
        0.0
    } else {
        dot / (na * nb)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_proposals_still_have_candidates() {
        let long = "# T\n\nGrant the fund one hundred units. Yes.";
        assert_eq!(candidates(long), ["Grant the fund one hundred units."]);
        let short = "# A category for translations\n\nCount translated documentation.";
        assert_eq!(candidates(short), ["Count translated documentation."]);
        assert_eq!(
            candidates("# A category for translations"),
            ["A category for translations"]
        );
        assert!(candidates("").is_empty());
    }

    #[test]
    fn advocacy_is_detected() {
        assert!(advocacy("We believe everyone should vote for this!") >= 3.0);
        assert_eq!(
            advocacy("The proposal raises the supply cap of WETH to 10,000."),
            0.0
        );
    }

    #[test]
    fn hash_is_blake2b_256() {
        // blake2b-256 of the empty string
        assert_eq!(
            hash(""),
            "0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8"
        );
    }

    #[test]
    fn selection_respects_budget_and_document_order() {
        let s: Vec<String> = ["a b c d", "e f g h", "i j k l", "m n o p"]
            .iter()
            .map(|x| x.to_string())
            .collect();
        let rel = [0.1, 0.9, 0.2, 0.8];
        let cfg = Config {
            max_sentences: 2,
            max_words: 60,
            min_gain: 0.0,
            ..Config::default()
        };
        assert_eq!(select(&s, &rel, |_, _| 0.0, &cfg), vec![1, 3]);
        let tight = Config {
            max_words: 5,
            ..cfg
        };
        assert_eq!(select(&s, &rel, |_, _| 0.0, &tight), vec![1]);
    }

    #[test]
    fn baselines_take_leading_sentences() {
        let md = "# Title\n\nFirst point is here. Second point is here. Third point is here. Fourth point is here.";
        assert_eq!(first_sentence(md), "First point is here.");
        assert_eq!(
            first_three(md),
            "First point is here. Second point is here. Third point is here."
        );
        let tr = textrank(md, &Config::default());
        assert!(!tr.is_empty() && text::word_count(&tr) <= 60);
    }
}
