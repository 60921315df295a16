//! Markdown cleaning and sentence splitting for proposal texts.

/// Words that end with a period without ending a sentence.
const ABBREVIATIONS: &[&str] = &[
    "e.g", "i.e", "etc", "vs", "approx", "incl", "no", "nr", "mr", "mrs", "ms", "dr", "jr", "sr",
    "st", "fig", "al", "u.s", "inc", "ltd", "co", "corp", "v", "ver", "min", "max", "est",
];

/// Removes a leading YAML front matter block (`---` ... `---`).
pub fn strip_front_matter(md: &str) -> &str {
    let Some(rest) = md.strip_prefix("---") else {
        return md;
    };
    match rest.find("\n---") {
        Some(end) => {
            let after = &rest[end + 4..];
            after.strip_prefix('\n').unwrap_or(after)
        }
        None => md,
    }
}

/// Removes markdown sections whose heading (any level) is one of `names`
/// (case-insensitive), up to the next heading of the same or a higher level.
pub fn drop_sections(md: &str, names: &[&str]) -> String {
    let mut out = String::with_capacity(md.len());
    let mut skipping: Option<usize> = None;
    let mut in_code = false;
    for line in md.lines() {
        if line.trim_start().starts_with("```") {
            in_code = !in_code;
        }
        if !in_code {
            if let Some((level, title)) = heading(line) {
                if let Some(l) = skipping {
                    if level <= l {
                        skipping = None;
                    }
                }
                if skipping.is_none() && names.iter().any(|n| title.eq_ignore_ascii_case(n)) {
                    skipping = Some(level);
                }
            }
        }
        if skipping.is_none() {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

fn heading(line: &str) -> Option<(usize, &str)> {
    let t = line.trim_start();
    let level = t.chars().take_while(|c| *c == '#').count();
    if level == 0 || level > 6 {
        return None;
    }
    let rest = &t[level..];
    if !rest.starts_with(' ') && !rest.is_empty() {
        return None;
    }
    Some((
        level,
        rest.trim()
            .trim_end_matches('#')
            .trim()
            .trim_end_matches(':'),
    ))
}

/// Turns markdown into plain text blocks (paragraphs, list items), dropping code blocks,
/// tables, images, HTML, headings and link targets. Each block ends a sentence.
pub fn clean_markdown(md: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current = String::new();
    let mut in_code = false;
    let flush = |current: &mut String, blocks: &mut Vec<String>| {
        let t = current.split_whitespace().collect::<Vec<_>>().join(" ");
        if !t.is_empty() {
            blocks.push(t);
        }
        current.clear();
    };
    for raw in md.lines() {
        let line = raw.trim();
        if line.starts_with("```") || line.starts_with("~~~") {
            in_code = !in_code;
            flush(&mut current, &mut blocks);
            continue;
        }
        if in_code
            || raw.starts_with("    ")
                && current.is_empty()
                && !line.is_empty()
                && !is_list_item(line)
        {
            continue;
        }
        if line.is_empty() || heading(line).is_some() || line.starts_with('|') || is_rule(line) {
            flush(&mut current, &mut blocks);
            continue;
        }
        if let Some(item) = list_item_text(line) {
            flush(&mut current, &mut blocks);
            current.push_str(item);
            current.push(' ');
            continue;
        }
        let line = line.trim_start_matches('>').trim();
        current.push_str(line);
        current.push(' ');
    }
    flush(&mut current, &mut blocks);
    blocks
        .into_iter()
        .map(|b| inline(&b))
        .filter(|b| b.chars().any(char::is_alphabetic))
        .collect()
}

fn is_rule(line: &str) -> bool {
    line.len() >= 3
        && line
            .chars()
            .all(|c| matches!(c, '-' | '*' | '_' | ' ' | '='))
}

fn is_list_item(line: &str) -> bool {
    list_item_text(line).is_some()
}

fn list_item_text(line: &str) -> Option<&str> {
    for m in ["- ", "* ", "+ "] {
        if let Some(r) = line.strip_prefix(m) {
            return Some(r.trim_start_matches("[ ] ").trim_start_matches("[x] "));
        }
    }
    let digits = line.chars().take_while(char::is_ascii_digit).count();
    if digits > 0 && digits < 4 {
        let r = &line[digits..];
        if let Some(r) = r.strip_prefix(". ").or_else(|| r.strip_prefix(") ")) {
            return Some(r);
        }
    }
    None
}

/// Inline cleanup: images and HTML removed, links replaced by their text, code spans and
/// emphasis unwrapped, bare URLs removed.
fn inline(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '!' && chars.get(i + 1) == Some(&'[') {
            // image: skip ![alt](url)
            if let Some(end) = link_end(&chars, i + 1) {
                i = end;
                continue;
            }
        }
        if c == '[' {
            if let Some(close) = find(&chars, i + 1, ']') {
                if chars.get(close + 1) == Some(&'(') {
                    if let Some(paren) = find(&chars, close + 2, ')') {
                        out.extend(&chars[i + 1..close]);
                        i = paren + 1;
                        continue;
                    }
                }
            }
        }
        if c == '<' {
            if let Some(close) = find(&chars, i + 1, '>') {
                if close - i < 200 {
                    i = close + 1;
                    continue;
                }
            }
        }
        if matches!(c, '`' | '*') || (c == '_' && (i + 1 < chars.len() && chars[i + 1] == '_')) {
            i += 1;
            continue;
        }
        out.push(c);
        i += 1;
    }
    out.split_whitespace()
        .filter(|w| {
            !(w.starts_with("http://") || w.starts_with("https://") || w.starts_with("www."))
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn find(chars: &[char], from: usize, target: char) -> Option<usize> {
    (from..chars.len()).find(|&j| chars[j] == target)
}

fn link_end(chars: &[char], open: usize) -> Option<usize> {
    let close = find(chars, open + 1, ']')?;
    if chars.get(close + 1) != Some(&'(') {
        return None;
    }
    find(chars, close + 2, ')').map(|p| p + 1)
}

/// Splits a plain-text block into sentences.
pub fn split_sentences(block: &str) -> Vec<String> {
    let words: Vec<&str> = block.split_whitespace().collect();
    let mut out = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    for (i, w) in words.iter().enumerate() {
        current.push(w);
        let next = words.get(i + 1);
        if ends_sentence(w, next.copied()) {
            out.push(current.join(" "));
            current.clear();
        }
    }
    if !current.is_empty() {
        out.push(current.join(" "));
    }
    out
}

fn ends_sentence(word: &str, next: Option<&str>) -> bool {
    let trimmed = word.trim_end_matches(['"', '\'', ')', ']', '\u{201d}']);
    let Some(last) = trimmed.chars().last() else {
        return false;
    };
    if !matches!(last, '.' | '!' | '?') {
        return false;
    }
    let Some(next) = next else { return true };
    let starts_upper = next
        .trim_start_matches(['"', '\'', '(', '[', '\u{201c}'])
        .chars()
        .next()
        .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit());
    if !starts_upper {
        return false;
    }
    if last == '.' {
        let stem = trimmed.trim_end_matches('.').to_ascii_lowercase();
        let stem = stem.trim_start_matches(['(', '"', '\'']);
        if ABBREVIATIONS.contains(&stem)
            || (stem.len() == 1 && stem.chars().all(char::is_alphabetic))
        {
            return false;
        }
    }
    true
}

/// All sentences of a markdown document, in order.
pub fn sentences(md: &str) -> Vec<String> {
    clean_markdown(md)
        .iter()
        .flat_map(|b| split_sentences(b))
        .collect()
}

/// The document's title: its first level-1 heading, if any.
pub fn title(md: &str) -> Option<String> {
    md.lines().find_map(|l| match heading(l) {
        Some((1, t)) if !t.is_empty() => Some(inline(t)),
        _ => None,
    })
}

/// Number of words.
pub fn word_count(s: &str) -> usize {
    s.split_whitespace().count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn front_matter_and_named_sections_are_removed() {
        let md = "---\ntitle: X\nshortDescription: secret\n---\n# Simple Summary\nhidden text\n## Detail\nstill hidden\n# Motivation\nKept here.\n";
        let body = strip_front_matter(md);
        assert!(!body.contains("shortDescription"));
        let kept = drop_sections(body, &["Simple Summary", "Summary", "Abstract"]);
        assert!(!kept.contains("hidden"), "{kept}");
        assert!(kept.contains("Kept here."));
    }

    #[test]
    fn markdown_is_cleaned_of_code_tables_links_and_images() {
        let md = "Intro with [a link](https://x.y) and ![img](a.png) and `code`.\n\n```solidity\nfunction f() {}\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n- First item\n- Second item **bold**\n\nSee https://example.com for more.";
        let blocks = clean_markdown(md);
        assert_eq!(
            blocks,
            vec![
                "Intro with a link and and code.",
                "First item",
                "Second item bold",
                "See for more."
            ]
        );
    }

    #[test]
    fn sentences_split_on_terminators_but_not_abbreviations_or_decimals() {
        let s = split_sentences(
            "The cap rises to 1.5 M, e.g. for USDC. Then it stops! Does it? yes it does.",
        );
        assert_eq!(
            s,
            vec![
                "The cap rises to 1.5 M, e.g. for USDC.",
                "Then it stops!",
                "Does it? yes it does."
            ]
        );
    }
}
