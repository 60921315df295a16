//! Development driver: `cargo run -p atelier-worker --example eval -- <dir>`.
fn main() {
    let dir = std::env::args().nth(1).expect("data dir");
    let enc = atelier_worker::encoder::Encoder::load(&atelier_worker::encoder::default_model_dir())
        .unwrap();
    let cases = atelier_worker::eval::load(std::path::Path::new(&dir)).unwrap();
    let t = std::time::Instant::now();
    let env = |k: &str, d: f32| {
        std::env::var(k)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(d)
    };
    let d = atelier_worker::summarise::Config::default();
    let cfg = atelier_worker::summarise::Config {
        max_sentences: env("S", d.max_sentences as f32) as usize,
        max_words: env("W", d.max_words as f32) as usize,
        lambda: env("LAMBDA", d.lambda),
        lead: env("LEAD", d.lead),
        min_gain: env("GAIN", d.min_gain),
        title: env("TITLE", d.title),
        ..d
    };
    let r = atelier_worker::eval::evaluate(&enc, cfg, &cases, |_, _| {}).unwrap();
    print!("{}", r.render());
    eprintln!("{:?}", t.elapsed());
}
