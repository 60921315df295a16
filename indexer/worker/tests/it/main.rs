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

#[test]
fn curation_flags_near_duplicates_and_spam_on_the_labelled_set() {
    // given 24 earlier works and 210 labelled cases (paraphrases, near and exact copies,
    // distinct works, spam)
    let enc = encoder();
    let path = std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/curation.json"
    ));
    // when every case is scored against the earlier works
    let r = atelier_worker::curation_eval::evaluate(&enc, Default::default(), path).unwrap();
    // then the flags meet the goals: near duplicates precision >= 0.95 at recall >= 0.9
    assert!(r.cases >= 200);
    assert!(
        r.near_duplicate.precision >= 0.95 && r.near_duplicate.recall >= 0.9,
        "{}",
        r.render()
    );
    assert!(
        r.spam.precision >= 0.9 && r.spam.recall >= 0.9,
        "{}",
        r.render()
    );
}

#[test]
fn curation_scores_keep_their_components_and_register_history() {
    use atelier_worker::curation::{Curator, Work};
    let enc = encoder();
    let mut c = Curator::new(
        &enc,
        Default::default(),
        &[
            ("watercolour", "a soft watercolour painting"),
            ("pixel art", "retro pixel art"),
        ],
    )
    .unwrap();
    let work = |prompt: &str, image: Option<&str>| Work {
        title: "t".into(),
        prompt: prompt.into(),
        description: String::new(),
        tags: vec!["nature".into()],
        image_hash: image.map(str::to_owned),
    };
    let first = c
        .score_and_register(
            1,
            &work(
                "a watercolour painting of a fox at dawn in a misty forest",
                Some("aa"),
            ),
        )
        .unwrap();
    assert_eq!(first.originality, 1.0);
    assert_eq!(first.nearest, None);
    assert_eq!(first.style.as_deref(), Some("watercolour"));
    // the same image under another prompt is an exact copy
    let copy = c
        .score_and_register(2, &work("pixel art lighthouse", Some("aa")))
        .unwrap();
    assert_eq!(
        (copy.copy_of, copy.originality, copy.near_duplicate),
        (Some(1), 0.0, true)
    );
    // spam gets a high spam score, low quality, and its reasons
    let spam = c
        .score(&work(
            "FREE MINT!!! connect your wallet at bit.ly/x to claim 100x",
            None,
        ))
        .unwrap();
    assert!(
        spam.is_spam && spam.quality < 0.2 && !spam.spam_reasons.is_empty(),
        "{spam:?}"
    );
    assert_eq!(c.len(), 2);
    // quality combines the components as documented
    let q = first.originality * (1.0 - first.spam) * (0.5 + 0.5 * first.descriptiveness);
    assert!((first.quality - q).abs() < 1e-6);
}

#[test]
fn on_the_aave_proposals_the_summariser_beats_every_baseline_on_rouge_2_and_rouge_l() {
    let dir = std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/aave-aips"
    ));
    if !dir.is_dir() {
        eprintln!(
            "skipped: the evaluation data {} is not present on this machine",
            dir.display()
        );
        return;
    }
    let cases = eval::load(dir).unwrap();
    let report = eval::evaluate(&encoder(), Config::default(), &cases, |_, _| {}).unwrap();
    let (ours, baselines) = report.systems.split_first().unwrap();
    for b in baselines {
        assert!(
            ours.rouge2.mean > b.rouge2.mean && ours.rouge_l.mean > b.rouge_l.mean,
            "{} does not beat {}:\n{}",
            ours.system,
            b.system,
            report.render()
        );
    }
}

mod job_loop {
    use super::encoder;
    use atelier_store::{Proposal, Store, Work};
    use atelier_worker::jobs::{Options, Progress, Worker};

    fn proposal(id: i64, description: &str) -> Proposal {
        Proposal {
            id,
            proposer: "0x01".into(),
            description: description.into(),
            description_hash: format!("{id:064x}"),
            block: id,
            event_index: 0,
        }
    }

    fn work(id: i64, prompt: &str, image: Option<&str>) -> Work {
        Work {
            id,
            creator: "0x02".into(),
            title: format!("Work {id}"),
            prompt: prompt.into(),
            description: String::new(),
            tags: vec!["art".into()],
            image_hash: image.map(str::to_owned),
            block: id,
            event_index: 1,
        }
    }

    async fn seeded(url: &str) -> Store {
        let store = Store::open(url).await.unwrap();
        for p in [
            proposal(1, "# Fund the dataset\n\nThe Compute Fund pays 2,000 tokens to curate a dataset of watercolour paintings. Curators are paid per reviewed image."),
            proposal(2, "   "),
            proposal(3, "# 提案\n\n社区基金将资助中文文档的翻译工作。"),
            proposal(4, &format!("# Huge\n\n{}", "word ".repeat(60_000))),
        ] {
            store.put_proposal(&p).await.unwrap();
        }
        for w in [
            work(1, "a watercolour fox at dawn in a misty forest", Some("aa")),
            work(2, "a watercolour fox at dawn in a misty forest", None),
            work(
                3,
                "FREE MINT!!! connect your wallet at bit.ly/x and claim 100x",
                None,
            ),
            work(
                4,
                "a neon cyberpunk city street in the rain at night",
                Some("bb"),
            ),
        ] {
            store.put_work(&w).await.unwrap();
        }
        store
    }

    fn run_loop(store: &Store, batch: i64) -> Progress {
        let rt = tokio::runtime::Handle::current();
        let enc = encoder();
        let opts = Options {
            batch,
            once: true,
            ..Options::default()
        };
        let mut worker = Worker::new(&rt, store, &enc, opts).unwrap();
        worker.run(&rt, store, || false, |_| {}).unwrap()
    }

    async fn check(url: &str) {
        // given proposals and works, some of them bad input
        let store = seeded(url).await;
        // when the loop runs in small batches on a blocking thread
        let store = std::sync::Arc::new(store);
        let s2 = store.clone();
        let first = tokio::task::spawn_blocking(move || run_loop(&s2, 2))
            .await
            .unwrap();
        // then every good item has a result and every bad one an explained failure
        assert_eq!(
            first,
            Progress {
                summaries: 1,
                scores: 4,
                failures: 3
            },
            "{url}"
        );
        let summary = store.summary(1).await.unwrap().unwrap();
        assert!(
            summary.text.contains("Compute Fund") && summary.model_id.contains("all-MiniLM-L6-v2")
        );
        for (id, why) in [(2, "empty"), (3, "unsupported language"), (4, "too large")] {
            let reason = store
                .failure("proposal", id)
                .await
                .unwrap()
                .unwrap_or_default();
            assert!(reason.contains(why), "proposal {id}: {reason}");
        }
        let copy = store.score(2).await.unwrap().unwrap();
        assert!(copy.near_duplicate && copy.nearest == Some(1), "{copy:?}");
        assert!(store.score(3).await.unwrap().unwrap().is_spam);
        let top = store.top_works(1).await.unwrap();
        assert!(top[0].0 == 1 || top[0].0 == 4, "{top:?}");
        // and running again changes nothing
        let s3 = store.clone();
        let again = tokio::task::spawn_blocking(move || run_loop(&s3, 2))
            .await
            .unwrap();
        assert_eq!(again, Progress::default());
        let c = store.worker_counts().await.unwrap();
        assert_eq!((c.summaries, c.scores, c.failures), (1, 4, 3));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_worker_stopped_mid_batch_resumes_without_losing_or_duplicating_results() {
        // given a store, and a worker that stops (as a crash would) after its first item
        let path =
            std::env::temp_dir().join(format!("atelier-worker-crash-{}.db", std::process::id()));
        let _ = std::fs::remove_file(&path);
        let store = std::sync::Arc::new(seeded(&format!("sqlite://{}", path.display())).await);
        let s = store.clone();
        let partial = tokio::task::spawn_blocking(move || {
            let rt = tokio::runtime::Handle::current();
            let enc = encoder();
            let opts = Options {
                batch: 1,
                once: true,
                ..Options::default()
            };
            let mut worker = Worker::new(&rt, &s, &enc, opts).unwrap();
            worker.pass(&rt, &s).unwrap()
        })
        .await
        .unwrap();
        assert_eq!(
            partial,
            Progress {
                summaries: 1,
                scores: 1,
                failures: 0
            }
        );
        // when a new worker starts, it rebuilds the history from the store and finishes
        let s = store.clone();
        let rest = tokio::task::spawn_blocking(move || run_loop(&s, 2))
            .await
            .unwrap();
        // then everything is done exactly once, and the copy of the first work is still
        // recognised although that work was scored before the stop
        assert_eq!(
            rest,
            Progress {
                summaries: 0,
                scores: 3,
                failures: 3
            }
        );
        let c = store.worker_counts().await.unwrap();
        assert_eq!((c.summaries, c.scores, c.failures), (1, 4, 3));
        let copy = store.score(2).await.unwrap().unwrap();
        assert_eq!(copy.nearest, Some(1));
        assert!(copy.near_duplicate);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_job_loop_writes_results_once_and_records_bad_input_on_sqlite() {
        let path =
            std::env::temp_dir().join(format!("atelier-worker-jobs-{}.db", std::process::id()));
        let _ = std::fs::remove_file(&path);
        check(&format!("sqlite://{}", path.display())).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_job_loop_writes_results_once_and_records_bad_input_on_postgres() {
        let admin = std::env::var("ATELIER_TEST_PG_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
        let pool = match sqlx::PgPool::connect(&admin).await {
            Ok(pool) => pool,
            Err(e) => return atelier_store::no_postgres("this test", &admin, &e),
        };
        let name = format!("atelier_worker_jobs_{}", std::process::id());
        let exec = |sql: String| {
            let pool = pool.clone();
            async move { sqlx::query(&sql).execute(&pool).await.map(|_| ()) }
        };
        exec(format!("DROP DATABASE IF EXISTS {name}"))
            .await
            .unwrap();
        exec(format!("CREATE DATABASE {name}")).await.unwrap();
        let base = admin
            .rsplit_once('/')
            .map_or(admin.as_str(), |(b, _)| b)
            .to_owned();
        check(&format!("{base}/{name}")).await;
        let _ = exec(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await;
    }
}
