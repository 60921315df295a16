//! `atelier eval summaries`: ROUGE of the summariser against human one-line descriptions,
//! next to baselines computed in the same run, with bootstrap 95% intervals.
//!
//! Input is a folder of proposals in the format of the Aave AIPs (markdown with YAML front
//! matter). The reference is the front matter's `shortDescription`; it, the rest of the
//! front matter, and the Summary / Simple Summary / Abstract sections are removed from the
//! text before any system sees it. The front matter's `title` is kept as the proposal's
//! first heading, as Atelier proposals carry their title in the description.

use std::path::Path;

use rand::{rngs::SmallRng, Rng, SeedableRng};

use crate::{
    encoder::Encoder,
    rouge,
    summarise::{self, Config, Summariser},
    text, Error, Result,
};

/// Sections that restate the reference and are removed from the input.
pub const REFERENCE_SECTIONS: &[&str] = &["Summary", "Simple Summary", "Abstract", "TL;DR", "TLDR"];

/// One proposal prepared for evaluation.
#[derive(Debug, Clone)]
pub struct Case {
    /// File name.
    pub name: String,
    /// The text systems see.
    pub input: String,
    /// The human reference.
    pub reference: String,
}

/// Reads a front matter field (single-line value, quotes removed).
fn field<'a>(front: &'a str, key: &str) -> Option<&'a str> {
    front.lines().find_map(|l| {
        let v = l.strip_prefix(key)?.strip_prefix(':')?.trim();
        Some(v.trim_matches(|c| c == '"' || c == '\''))
    })
}

/// Prepares one proposal file; `None` when it has no `shortDescription`.
pub fn prepare(name: &str, md: &str) -> Option<Case> {
    let body = text::strip_front_matter(md);
    let front = &md[..md.len() - body.len()];
    let reference = field(front, "shortDescription")?.to_owned();
    if reference.is_empty() {
        return None;
    }
    let title = field(front, "title").unwrap_or_default();
    let input = format!(
        "# {title}\n\n{}",
        text::drop_sections(body, REFERENCE_SECTIONS)
    );
    Some(Case {
        name: name.to_owned(),
        input,
        reference,
    })
}

/// Loads every `*.md` with a reference from `dir`, sorted by name.
pub fn load(dir: &Path) -> Result<Vec<Case>> {
    let read = |e: std::io::Error| Error::Data(format!("{}: {e}", dir.display()));
    let mut cases = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(read)? {
        let path = entry.map_err(read)?.path();
        if path.extension().and_then(|e| e.to_str()) != Some("md") {
            continue;
        }
        let md = std::fs::read_to_string(&path).map_err(read)?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if let Some(c) = prepare(&name, &md) {
            cases.push(c);
        }
    }
    cases.sort_by(|a, b| a.name.cmp(&b.name));
    if cases.is_empty() {
        return Err(Error::Data(format!(
            "no proposals with a shortDescription in {}",
            dir.display()
        )));
    }
    Ok(cases)
}

/// Mean F1 and its bootstrap 95% interval.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct Estimate {
    /// Mean over proposals.
    pub mean: f64,
    /// 2.5th percentile of bootstrap means.
    pub low: f64,
    /// 97.5th percentile of bootstrap means.
    pub high: f64,
}

/// Bootstrap (resampling proposals with replacement, `rounds` times, fixed seed).
pub fn bootstrap(values: &[f64], rounds: usize, seed: u64) -> Estimate {
    let n = values.len();
    let mean = values.iter().sum::<f64>() / n.max(1) as f64;
    if n == 0 {
        return Estimate {
            mean: 0.0,
            low: 0.0,
            high: 0.0,
        };
    }
    let mut rng = SmallRng::seed_from_u64(seed);
    let mut means: Vec<f64> = (0..rounds)
        .map(|_| (0..n).map(|_| values[rng.gen_range(0..n)]).sum::<f64>() / n as f64)
        .collect();
    means.sort_by(f64::total_cmp);
    let at = |q: f64| means[((q * (rounds - 1) as f64).round() as usize).min(rounds - 1)];
    Estimate {
        mean,
        low: at(0.025),
        high: at(0.975),
    }
}

/// Scores of one system.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SystemScores {
    /// System name.
    pub system: String,
    /// ROUGE-1 F1.
    pub rouge1: Estimate,
    /// ROUGE-2 F1.
    pub rouge2: Estimate,
    /// ROUGE-L F1.
    pub rouge_l: Estimate,
    /// Mean words per summary.
    pub mean_words: f64,
}

/// The evaluation's result.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Report {
    /// Number of proposals.
    pub proposals: usize,
    /// One row per system, the summariser first.
    pub systems: Vec<SystemScores>,
}

fn score(system: &str, outputs: &[String], cases: &[Case]) -> SystemScores {
    let per = |f: &dyn Fn(&str, &str) -> f64| -> Vec<f64> {
        outputs
            .iter()
            .zip(cases)
            .map(|(o, c)| f(o, &c.reference))
            .collect()
    };
    let r1 = per(&|o, r| rouge::rouge_n(o, r, 1).f1);
    let r2 = per(&|o, r| rouge::rouge_n(o, r, 2).f1);
    let rl = per(&|o, r| rouge::rouge_l(o, r).f1);
    let words = outputs
        .iter()
        .map(|o| text::word_count(o) as f64)
        .sum::<f64>()
        / outputs.len().max(1) as f64;
    SystemScores {
        system: system.to_owned(),
        rouge1: bootstrap(&r1, 1000, 1),
        rouge2: bootstrap(&r2, 1000, 2),
        rouge_l: bootstrap(&rl, 1000, 3),
        mean_words: words,
    }
}

/// Runs the summariser and the baselines over `cases`, calling `progress` after each
/// proposal the summariser finishes.
pub fn evaluate(
    encoder: &Encoder,
    cfg: Config,
    cases: &[Case],
    mut progress: impl FnMut(usize, usize),
) -> Result<Report> {
    let summariser = Summariser::new(encoder, cfg);
    let mut ours = Vec::with_capacity(cases.len());
    for (i, c) in cases.iter().enumerate() {
        ours.push(summariser.summarise(&c.input)?.text);
        progress(i + 1, cases.len());
    }
    let lead1: Vec<String> = cases
        .iter()
        .map(|c| summarise::first_sentence(&c.input))
        .collect();
    let lead3: Vec<String> = cases
        .iter()
        .map(|c| summarise::first_three(&c.input))
        .collect();
    let tr: Vec<String> = cases
        .iter()
        .map(|c| summarise::textrank(&c.input, &cfg))
        .collect();
    Ok(Report {
        proposals: cases.len(),
        systems: vec![
            score("atelier (MiniLM centroid + MMR)", &ours, cases),
            score("first sentence", &lead1, cases),
            score("first three sentences", &lead3, cases),
            score("TextRank (TF-IDF)", &tr, cases),
        ],
    })
}

impl Report {
    /// A plain-text table of F1 x 100 with 95% intervals.
    pub fn render(&self) -> String {
        let cell = |e: &Estimate| {
            format!(
                "{:5.2} [{:5.2}, {:5.2}]",
                e.mean * 100.0,
                e.low * 100.0,
                e.high * 100.0
            )
        };
        let mut s = format!(
            "ROUGE F1 x 100 over {} proposals (mean [95% bootstrap interval])\n{:<34} {:<21} {:<21} {:<21} {:>6}\n",
            self.proposals, "system", "ROUGE-1", "ROUGE-2", "ROUGE-L", "words"
        );
        for r in &self.systems {
            s.push_str(&format!(
                "{:<34} {:<21} {:<21} {:<21} {:>6.1}\n",
                r.system,
                cell(&r.rouge1),
                cell(&r.rouge2),
                cell(&r.rouge_l),
                r.mean_words
            ));
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_and_summary_sections_never_reach_the_input() {
        let md = "---\ntitle: Raise caps\nshortDescription: \"Raise the WETH cap\"\n---\n\n## Simple Summary\n\nRaise the WETH cap now.\n\n## Motivation\n\nDemand is high.\n";
        let c = prepare("x.md", md).unwrap();
        assert_eq!(c.reference, "Raise the WETH cap");
        assert!(
            !c.input.contains("shortDescription") && !c.input.contains("cap now"),
            "{}",
            c.input
        );
        assert!(c.input.starts_with("# Raise caps") && c.input.contains("Demand is high."));
        assert!(prepare("y.md", "---\ntitle: t\n---\nbody").is_none());
    }

    #[test]
    fn bootstrap_interval_brackets_the_mean() {
        let v: Vec<f64> = (0..50).map(|i| f64::from(i) / 50.0).collect();
        let e = bootstrap(&v, 500, 7);
        assert!(e.low < e.mean && e.mean < e.high, "{e:?}");
        let same = bootstrap(&[0.3; 10], 100, 7);
        assert!((same.low - 0.3).abs() < 1e-12 && (same.high - 0.3).abs() < 1e-12);
    }
}
