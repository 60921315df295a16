//! ROUGE-N and ROUGE-L F1 (Lin, 2004), as in ROUGE-1.5.5 without stemming or stopword
//! removal: text is lower-cased and split into runs of ASCII letters and digits; ROUGE-N
//! counts clipped n-gram overlaps; ROUGE-L uses the longest common subsequence of the two
//! token sequences (summary treated as one sequence, like `rouge-score`'s `rougeL`), with
//! beta = 1.

use std::collections::HashMap;

/// Precision, recall and F1 of one comparison.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Score {
    /// Matched / candidate units.
    pub precision: f64,
    /// Matched / reference units.
    pub recall: f64,
    /// Harmonic mean (0 when both are 0).
    pub f1: f64,
}

impl Score {
    fn new(matched: f64, candidate: f64, reference: f64) -> Self {
        let precision = if candidate > 0.0 {
            matched / candidate
        } else {
            0.0
        };
        let recall = if reference > 0.0 {
            matched / reference
        } else {
            0.0
        };
        let f1 = if precision + recall > 0.0 {
            2.0 * precision * recall / (precision + recall)
        } else {
            0.0
        };
        Self {
            precision,
            recall,
            f1,
        }
    }
}

/// ROUGE tokens: lower-cased runs of ASCII letters and digits.
pub fn tokens(text: &str) -> Vec<String> {
    text.to_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect()
}

fn ngrams(tokens: &[String], n: usize) -> HashMap<&[String], usize> {
    let mut m = HashMap::new();
    if n > 0 && tokens.len() >= n {
        for w in tokens.windows(n) {
            *m.entry(w).or_insert(0) += 1;
        }
    }
    m
}

/// ROUGE-N of `candidate` against `reference`.
pub fn rouge_n(candidate: &str, reference: &str, n: usize) -> Score {
    let (c, r) = (tokens(candidate), tokens(reference));
    let (cn, rn) = (ngrams(&c, n), ngrams(&r, n));
    let matched: usize = rn
        .iter()
        .map(|(g, &count)| count.min(*cn.get(g).unwrap_or(&0)))
        .sum();
    Score::new(
        matched as f64,
        cn.values().sum::<usize>() as f64,
        rn.values().sum::<usize>() as f64,
    )
}

/// Length of the longest common subsequence.
pub fn lcs(a: &[String], b: &[String]) -> usize {
    let mut prev = vec![0usize; b.len() + 1];
    let mut cur = vec![0usize; b.len() + 1];
    for x in a {
        for (j, y) in b.iter().enumerate() {
            cur[j + 1] = if x == y {
                prev[j] + 1
            } else {
                cur[j].max(prev[j + 1])
            };
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// ROUGE-L of `candidate` against `reference`.
pub fn rouge_l(candidate: &str, reference: &str) -> Score {
    let (c, r) = (tokens(candidate), tokens(reference));
    Score::new(lcs(&c, &r) as f64, c.len() as f64, r.len() as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    // Lin (2004), section 3.1: reference S1 "police killed the gunman", candidates
    // S2 "police kill the gunman" and S3 "the gunman kill police".
    #[test]
    fn rouge_l_matches_the_papers_example() {
        let s2 = rouge_l("police kill the gunman", "police killed the gunman");
        let s3 = rouge_l("the gunman kill police", "police killed the gunman");
        assert!(close(s2.f1, 0.75), "{s2:?}");
        assert!(close(s3.f1, 0.5), "{s3:?}");
    }

    #[test]
    fn rouge_2_counts_clipped_bigrams() {
        // bigrams: ref {police killed, killed the, the gunman}; S2 shares only "the gunman"
        let s = rouge_n("police kill the gunman", "police killed the gunman", 2);
        assert!(
            close(s.recall, 1.0 / 3.0) && close(s.precision, 1.0 / 3.0),
            "{s:?}"
        );
        // clipping: "the the the" against "the cat" matches one "the"
        let c = rouge_n("the the the", "the cat", 1);
        assert!(
            close(c.precision, 1.0 / 3.0) && close(c.recall, 0.5),
            "{c:?}"
        );
    }

    #[test]
    fn rouge_1_of_identical_and_disjoint_texts() {
        assert!(close(rouge_n("A cat sat.", "a CAT sat", 1).f1, 1.0));
        assert!(close(rouge_n("dogs bark", "cats purr", 1).f1, 0.0));
        assert!(close(rouge_n("", "cats purr", 1).f1, 0.0));
    }

    #[test]
    fn lcs_is_a_subsequence_not_a_substring() {
        let a = tokens("a b c d e");
        let b = tokens("a x c y e");
        assert_eq!(lcs(&a, &b), 3);
    }
}
