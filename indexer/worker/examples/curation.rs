//! Development driver: `cargo run -p atelier-worker --example curation`.
fn main() {
    let enc = atelier_worker::encoder::Encoder::load(&atelier_worker::encoder::default_model_dir())
        .unwrap();
    let cos: f32 = std::env::var("COS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(atelier_worker::curation::Config::default().near_duplicate_cosine);
    let cfg = atelier_worker::curation::Config {
        near_duplicate_cosine: cos,
        ..Default::default()
    };
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/curation.json");
    let r = atelier_worker::curation_eval::evaluate(&enc, cfg, std::path::Path::new(path)).unwrap();
    print!("{}", r.render());
}
