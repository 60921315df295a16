//! `atelier eval curation`: precision and recall of the near-duplicate and spam flags on a
//! labelled set (`tests/fixtures/curation.json`, written by `scripts/worker-curation-set.py`).

use std::path::Path;

use crate::{
    curation::{Config, Curator, Work},
    encoder::Encoder,
    Error, Result,
};

#[derive(serde::Deserialize)]
struct Original {
    id: u64,
    #[serde(flatten)]
    work: Work,
}

#[derive(serde::Deserialize)]
struct Case {
    kind: String,
    work: Work,
    near_duplicate: bool,
    spam: bool,
}

#[derive(serde::Deserialize)]
struct Set {
    originals: Vec<Original>,
    cases: Vec<Case>,
}

/// Precision and recall of one flag.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct Pr {
    /// Flagged and labelled / flagged.
    pub precision: f64,
    /// Flagged and labelled / labelled.
    pub recall: f64,
    /// True positives.
    pub tp: usize,
    /// False positives.
    pub fp: usize,
    /// False negatives.
    pub fn_: usize,
}

fn pr(pairs: &[(bool, bool)]) -> Pr {
    let tp = pairs.iter().filter(|(p, l)| *p && *l).count();
    let fp = pairs.iter().filter(|(p, l)| *p && !*l).count();
    let fn_ = pairs.iter().filter(|(p, l)| !*p && *l).count();
    let div = |a: usize, b: usize| if b == 0 { 1.0 } else { a as f64 / b as f64 };
    Pr {
        precision: div(tp, tp + fp),
        recall: div(tp, tp + fn_),
        tp,
        fp,
        fn_,
    }
}

/// The evaluation result.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Report {
    /// Cases scored.
    pub cases: usize,
    /// Near-duplicate flag.
    pub near_duplicate: Pr,
    /// Spam flag.
    pub spam: Pr,
    /// Cases whose flags disagree with their labels: kind and prompt.
    pub mistakes: Vec<String>,
}

/// Scores every case against the originals.
pub fn evaluate(encoder: &Encoder, cfg: Config, path: &Path) -> Result<Report> {
    let raw = std::fs::read_to_string(path)
        .map_err(|e| Error::Data(format!("{}: {e}", path.display())))?;
    let set: Set =
        serde_json::from_str(&raw).map_err(|e| Error::Data(format!("{}: {e}", path.display())))?;
    let styles = [
        ("watercolour", "a soft watercolour painting"),
        ("oil", "a classical oil painting on canvas"),
        ("pixel art", "retro pixel art"),
        ("woodblock", "a Japanese ukiyo-e woodblock print"),
        ("sketch", "a charcoal or pencil sketch"),
        ("cyberpunk", "a neon cyberpunk 3D render"),
        ("art nouveau", "an Art Nouveau poster illustration"),
        ("low-poly", "a low-poly 3D model"),
    ];
    let mut curator = Curator::new(encoder, cfg, &styles)?;
    let originals: Vec<(u64, Work)> = set.originals.into_iter().map(|o| (o.id, o.work)).collect();
    curator.register_all(&originals)?;
    let mut dup = Vec::new();
    let mut spam = Vec::new();
    let mut mistakes = Vec::new();
    for c in &set.cases {
        let s = curator.score(&c.work)?;
        dup.push((s.near_duplicate, c.near_duplicate));
        spam.push((s.is_spam, c.spam));
        if std::env::var_os("ATELIER_CURATION_TRACE").is_some() {
            eprintln!("{:<11} {:.3}", c.kind, s.nearest.map_or(0.0, |n| n.1));
        }
        if s.near_duplicate != c.near_duplicate || s.is_spam != c.spam {
            mistakes.push(format!(
                "{} (dup {} / spam {:.2}, nearest {:.3}): {}",
                c.kind,
                s.near_duplicate,
                s.spam,
                s.nearest.map_or(0.0, |n| n.1),
                c.work.prompt
            ));
        }
    }
    Ok(Report {
        cases: set.cases.len(),
        near_duplicate: pr(&dup),
        spam: pr(&spam),
        mistakes,
    })
}

impl Report {
    /// Plain text.
    pub fn render(&self) -> String {
        let line = |name: &str, p: &Pr| {
            format!(
                "{name:<15} precision {:.3}  recall {:.3}  (tp {}, fp {}, fn {})\n",
                p.precision, p.recall, p.tp, p.fp, p.fn_
            )
        };
        let mut s = format!("{} labelled cases\n", self.cases);
        s.push_str(&line("near-duplicate", &self.near_duplicate));
        s.push_str(&line("spam", &self.spam));
        for m in &self.mistakes {
            s.push_str(&format!("  mistake: {m}\n"));
        }
        s
    }
}
