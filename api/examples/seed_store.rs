//! Writes the API tests' DAO history into a store, for serving it by hand or fuzzing it
//! (`scripts/api-fuzz.sh`): `cargo run -p atelier-api --example seed_store -- sqlite://x.db`.

#[path = "../tests/it/seed.rs"]
#[allow(dead_code)] // the tests use helpers the seeding itself does not
mod seed;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let url = std::env::args()
        .nth(1)
        .ok_or("usage: seed_store <database URL>")?;
    let store = atelier_store::Store::open(&url).await?;
    seed::seed(&store).await;
    println!("seeded {url}");
    Ok(())
}
