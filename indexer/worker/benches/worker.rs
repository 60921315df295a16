//! Worker benchmark (a bench binary, not a timed test): `cargo bench -p atelier-worker`.
//!
//! 1. Encoder throughput on the CPU, sentences/s, against Python sentence-transformers on the
//!    same torch, same sentences, same batch size, measured in this run (skipped with a
//!    message when sentence-transformers is not installed in the torch venv).
//! 2. End-to-end summary latency of a 1,000-word proposal (median and p95 of 20 runs).

use std::{io::Write, path::PathBuf, process::Command, time::Instant};

use atelier_worker::{
    curation::{Config as CurationConfig, Curator, Work},
    encoder::{default_model_dir, Encoder},
    summarise::{Config, Summariser},
    text,
};

const BATCH: usize = 32;

fn corpus() -> Vec<String> {
    let dir = std::env::var_os("ATELIER_BENCH_DATA").map_or_else(
        || {
            PathBuf::from(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../../shared/data/aave-aips"
            ))
        },
        PathBuf::from,
    );
    let mut sentences = Vec::new();
    if let Ok(entries) = std::fs::read_dir(&dir) {
        let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        for p in paths {
            if let Ok(md) = std::fs::read_to_string(&p) {
                sentences.extend(
                    text::sentences(text::strip_front_matter(&md))
                        .into_iter()
                        .filter(|s| text::word_count(s) >= 4),
                );
            }
        }
    }
    if sentences.is_empty() {
        // No data folder: a synthetic corpus of varied sentences.
        sentences = (0..1024)
            .map(|i| format!("Proposal {i} moves {} tokens from the compute fund to grantee number {} for dataset curation.", i * 7, i % 13))
            .collect();
    }
    sentences.truncate(1024);
    sentences
}

fn python_baseline(sentences: &[String]) -> Option<f64> {
    let venv = std::env::var_os("VIRTUAL_ENV")?;
    let python = PathBuf::from(venv).join("bin/python");
    let mut file = tempfile_path("sentences.json");
    std::fs::File::create(&file)
        .ok()?
        .write_all(serde_json::to_string(sentences).ok()?.as_bytes())
        .ok()?;
    let script = format!(
        r#"
import json, sys, time
try:
    from sentence_transformers import SentenceTransformer
except ImportError:
    sys.exit(3)
s = json.load(open({file:?}))
m = SentenceTransformer({model:?}, device="cpu")
m.encode(s[:{batch}], batch_size={batch})
t = time.perf_counter()
m.encode(s, batch_size={batch})
print(len(s) / (time.perf_counter() - t))
"#,
        file = file.display().to_string(),
        model = default_model_dir().display().to_string(),
        batch = BATCH
    );
    let out = Command::new(python).args(["-c", &script]).output().ok()?;
    std::fs::remove_file(&mut file).ok();
    if out.status.code() == Some(3) {
        println!(
            "python baseline skipped: sentence-transformers is not installed in the torch venv"
        );
        return None;
    }
    String::from_utf8_lossy(&out.stdout).trim().parse().ok()
}

fn tempfile_path(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("atelier-bench-{}-{name}", std::process::id()))
}

fn main() {
    // `cargo test --benches` runs bench binaries with --bench absent: do nothing then.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let enc = Encoder::load_on(&default_model_dir(), tch::Device::Cpu)
        .expect("model installed by scripts/setup.sh");
    let sentences = corpus();
    let refs: Vec<&str> = sentences.iter().map(String::as_str).collect();
    println!("threads: {} (libtorch intra-op)", tch::get_num_threads());
    enc.embed_all(&refs[..BATCH.min(refs.len())], BATCH)
        .unwrap();
    let t = Instant::now();
    enc.embed_all(&refs, BATCH).unwrap();
    let ours = refs.len() as f64 / t.elapsed().as_secs_f64();
    println!(
        "encoder (tch):                  {ours:8.1} sentences/s  ({} sentences, batch {BATCH})",
        refs.len()
    );
    if let Some(py) = python_baseline(&sentences) {
        println!(
            "sentence-transformers (python): {py:8.1} sentences/s  (same sentences, batch, torch)"
        );
        println!("ratio tch / python:             {:8.2}x", ours / py);
    }

    let mut words: Vec<&str> = Vec::new();
    let mut i = 0;
    while words.len() < 1000 {
        words.extend(refs[i % refs.len()].split_whitespace());
        i += 1;
    }
    let proposal = format!("# A long proposal\n\n{}", words[..1000].join(" "));
    let cands = atelier_worker::summarise::candidates(&proposal);
    let crefs: Vec<&str> = cands.iter().map(String::as_str).collect();
    let t = Instant::now();
    for _ in 0..5 {
        enc.embed_all(&crefs, BATCH).unwrap();
    }
    println!(
        "  of which embedding its {} sentences: {:.0} ms",
        crefs.len(),
        t.elapsed().as_secs_f64() * 200.0
    );
    let s = Summariser::new(&enc, Config::default());
    s.summarise(&proposal).unwrap();
    let mut times: Vec<f64> = (0..20)
        .map(|_| {
            let t = Instant::now();
            s.summarise(&proposal).unwrap();
            t.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    times.sort_by(f64::total_cmp);
    println!(
        "summary of a 1,000-word proposal: median {:.0} ms, p95 {:.0} ms (20 runs)",
        times[10], times[18]
    );

    // Curation: one new work scored against 100,000 earlier works. The history's embeddings
    // are the corpus' real sentence embeddings with small noise (embedding 100k texts here
    // would take minutes and measure the encoder again, not the lookup).
    let base = enc.embed_all(&refs, BATCH).unwrap();
    let styles = [("watercolour", "a watercolour painting")];
    let mut curator = Curator::new(&enc, CurationConfig::default(), &styles).unwrap();
    let mut rng = 0x2545_f491_4f6c_dd1du64;
    let mut noise = || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        (rng % 2000) as f32 / 2000.0 - 0.5
    };
    for i in 0..100_000u64 {
        let b = &base[i as usize % base.len()];
        let mut e: Vec<f32> = b.iter().map(|x| x + 0.02 * noise()).collect();
        let n = e.iter().map(|x| x * x).sum::<f32>().sqrt();
        e.iter_mut().for_each(|x| *x /= n);
        let text = &sentences[i as usize % sentences.len()];
        let w = Work {
            title: format!("work {i}"),
            prompt: text.clone(),
            description: String::new(),
            tags: vec![],
            image_hash: Some(format!("{i:x}")),
        };
        curator.register_embedded(i, &w, &format!("{i} {text}"), &e);
    }
    let new = Work {
        title: "Reverie".into(),
        prompt: "a watercolour fox at dawn in a misty forest".into(),
        description: "soft light".into(),
        tags: vec!["animal".into()],
        image_hash: None,
    };
    curator.score(&new).unwrap();
    let mut times: Vec<f64> = (0..20)
        .map(|_| {
            let t = Instant::now();
            curator.score(&new).unwrap();
            t.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    times.sort_by(f64::total_cmp);
    println!(
        "curation score vs {} earlier works: median {:.1} ms, p95 {:.1} ms (20 runs)",
        curator.len(),
        times[10],
        times[18]
    );
}
