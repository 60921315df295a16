//! Worker tests with the real pretrained model (installed by `scripts/setup.sh`).

use atelier_worker::{
    encoder::{cosine, default_model_dir, Encoder},
    eval,
    summarise::{Config, Summariser},
};

fn encoder() -> Encoder {
    Encoder::load_on(&default_model_dir(), tch::Device::Cpu)
        .expect("model installed by scripts/setup.sh")
}

#[derive(serde::Deserialize)]
struct Fixture {
    generator: String,
    sentences: Vec<String>,
    embeddings: Vec<Vec<f32>>,
}

#[test]
fn embeddings_match_sentence_transformers_on_every_sentence() {
    // given reference embeddings written by sentence-transformers on the same torch
    let fx: Fixture =
        serde_json::from_str(include_str!("../fixtures/parity.json")).expect("fixture parses");
    let enc = encoder();
    // when our encoder embeds the same sentences, all in one padded batch and one by one
    let refs: Vec<&str> = fx.sentences.iter().map(String::as_str).collect();
    let batched = enc.embed_all(&refs, refs.len()).unwrap();
    let single = enc.embed_all(&refs, 1).unwrap();
    // then every sentence agrees to cosine >= 0.999 either way
    for (i, s) in fx.sentences.iter().enumerate() {
        let (b, o) = (
            cosine(&batched[i], &fx.embeddings[i]),
            cosine(&single[i], &fx.embeddings[i]),
        );
        assert!(
            b >= 0.999 && o >= 0.999,
            "sentence {i} {s:?}: batched {b}, single {o} ({})",
            fx.generator
        );
        let norm: f32 = batched[i].iter().map(|x| x * x).sum::<f32>().sqrt();
        assert!((norm - 1.0).abs() < 1e-4, "embeddings are unit vectors");
    }
}

#[test]
fn model_id_names_the_model_and_its_weights() {
    let enc = encoder();
    assert!(enc
        .model_id()
        .starts_with("sentence-transformers/all-MiniLM-L6-v2@sha256:53aa5117"));
}

#[test]
fn summaries_are_short_neutral_hashed_and_deterministic() {
    let enc = encoder();
    let s = Summariser::new(&enc, Config::default());
    let md = "# Fund the watercolour dataset\n\nThis proposal pays 2,000 tokens from the Compute Fund to curate a dataset of 40,000 captioned watercolour paintings. The dataset will be released under CC-BY for model training. We believe this is amazing and everyone should vote for it! Curators are paid per reviewed image. The work takes three months.\n\n```\ncode block that must not appear\n```\n\n| table | row |\n|---|---|\n";
    let a = s.summarise(md).unwrap();
    let b = s.summarise(md).unwrap();
    assert_eq!(a, b);
    assert!(
        !a.text.is_empty() && a.text.split_whitespace().count() <= 60,
        "{}",
        a.text
    );
    assert!(
        !a.text.contains("vote for") && !a.text.contains("code block") && !a.text.contains('|'),
        "{}",
        a.text
    );
    assert_eq!(a.hash, atelier_worker::summarise::hash(&a.text));
    assert_eq!(a.model_id, enc.model_id());
    // an empty proposal gives an empty summary, not an error
    assert_eq!(s.summarise("").unwrap().text, "");
}

#[test]
fn evaluation_reports_rouge_for_the_summariser_and_three_baselines() {
    let dir = std::env::temp_dir().join(format!("atelier-eval-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (i, (title, short, body)) in [
        ("Raise caps", "Raise the WETH supply cap", "The WETH supply cap is raised to 10,000. Demand has exceeded the cap for weeks."),
        ("Fund docs", "Fund the documentation guild for six months", "The documentation guild receives 500 tokens a month. It writes guides for new members."),
    ]
    .iter()
    .enumerate()
    {
        let md = format!("---\ntitle: {title}\nshortDescription: {short}\n---\n\n## Simple Summary\n\n{short}.\n\n## Motivation\n\n{body}\n");
        std::fs::write(dir.join(format!("{i}.md")), md).unwrap();
    }
    let cases = eval::load(&dir).unwrap();
    assert_eq!(cases.len(), 2);
    let enc = encoder();
    let mut seen = 0;
    let report = eval::evaluate(&enc, Config::default(), &cases, |done, _| seen = done).unwrap();
    assert_eq!(seen, 2);
    assert_eq!(report.systems.len(), 4);
    for s in &report.systems {
        assert!(
            s.rouge1.mean > 0.0 && s.rouge1.low <= s.rouge1.mean && s.rouge1.mean <= s.rouge1.high,
            "{s:?}"
        );
    }
    assert!(report.render().contains("TextRank"));
    std::fs::remove_dir_all(&dir).ok();
}
