//! The indexer's reliability on a real local chain, modelled on the open indexer benchmark's
//! checks: the chain not answering yet when `atelier index` starts; the process SIGKILLed at
//! three observed points (migrated, first block stored, half-way) and restarted, and once
//! more while its batch's transaction is open on PostgreSQL (mid-commit); a restart after the
//! chain advanced while the indexer was down; the RPC connection dropped and restored under
//! a following indexer; the same block range delivered twice; on a throwaway PostgreSQL
//! cluster, the database down when the indexer starts, restarted mid-backfill, at the head
//! and in the middle of a migration; a reorg under best-block mode. Each ends compared with
//! a fresh full re-index of the same chain: the same events at the same (block, index), no
//! gaps, no duplicates.
//!
//! Faults are injected when the state they target is observed (a log line, the cursor, a
//! lock wait in `pg_stat_activity`), never after a fixed sleep, so the suite means the same
//! on a slow machine as on a fast one.

mod common;

use std::{
    path::Path,
    process::{Child, Command},
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    },
    time::Duration,
};

use atelier::{
    dao::DaoClient,
    deploy::{self, DeployConfig},
};
use atelier_abi::{governor, membership};
use atelier_chain::client::{BackendKind, Chain};
use common::{dev, pg::TempPostgres, wait_until, LocalChain, Spawned};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpListener, TcpStream},
};

/// What a store holds, as comparable values: every stored event and the derived counts.
#[derive(Debug, PartialEq, Eq)]
struct Dump {
    events: Vec<(i64, i64, String, Option<String>, String)>,
    counts: (i64, i64, i64, i64),
}

async fn dump(db: &str) -> Dump {
    let store = atelier_store::Store::open(db).await.unwrap();
    let events = store
        .events_from(0, 1_000_000)
        .await
        .unwrap()
        .into_iter()
        .map(|(block, e)| (block, e.event_index, e.contract, e.name, e.data))
        .collect();
    Dump {
        events,
        counts: store.governance_counts().await.unwrap(),
    }
}

fn sqlite(name: &str) -> String {
    let path = std::env::temp_dir().join(format!("atelier-rel-{name}-{}.db", std::process::id()));
    let _ = std::fs::remove_file(&path);
    format!("sqlite://{}", path.display())
}

fn index_process(url: &str, deployment: &Path, db: &str, once: bool) -> Child {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_atelier"));
    cmd.args(["index", "--url", url, "--db", db, "--deployment"])
        .arg(deployment);
    if once {
        cmd.arg("--once");
    }
    cmd.spawn().expect("atelier index starts")
}

/// `atelier index` following the chain, with its output kept; `extra` adds flags.
fn follower(name: &str, url: &str, deployment: &Path, db: &str, extra: &[&str]) -> Spawned {
    let dep = deployment.display().to_string();
    let mut args = vec!["index", "--url", url, "--db", db, "--deployment", &dep];
    args.extend_from_slice(extra);
    Spawned::start(name, &args, None)
}

/// The store's cursor, when the store opens and has one.
async fn cursor_of(db: &str) -> Option<u64> {
    let store = atelier_store::Store::open(db).await.ok()?;
    let cursor = store.cursor().await.ok()?;
    store.close().await;
    cursor.map(|(b, _)| b as u64)
}

/// Waits (up to `limit`) until the store's cursor reaches `block`.
async fn wait_for_cursor(what: &str, db: &str, block: u64, limit: Duration) -> u64 {
    wait_until(what, limit, || async move {
        cursor_of(db).await.filter(|c| *c >= block)
    })
    .await
}

/// Indexes to the head in a child process and waits for it.
fn index_once(url: &str, deployment: &Path, db: &str) {
    let status = index_process(url, deployment, db, true).wait().unwrap();
    assert!(status.success(), "atelier index --once failed: {status}");
}

async fn some_votes(dao: &DaoClient, ids: std::ops::Range<u32>) {
    for id in ids {
        let _ = dao
            .send(
                &dev("Eve"),
                "governor",
                governor::messages::cast_vote(id, governor::Support::Abstain, None),
                0,
            )
            .await;
    }
}

/// A TCP proxy to `target` whose connections can be cut and refused for a while, and which
/// can hold each chunk for `delay` (a slow link, so that a backfill lasts long enough to
/// be caught half-way on any machine).
struct Proxy {
    port: u16,
    cut: Arc<AtomicBool>,
}

impl Proxy {
    async fn start(target: u16, delay: Duration) -> Self {
        Self::start_on(
            TcpListener::bind("127.0.0.1:0").await.unwrap(),
            target,
            delay,
        )
    }

    fn start_on(listener: TcpListener, target: u16, delay: Duration) -> Self {
        let port = listener.local_addr().unwrap().port();
        let cut = Arc::new(AtomicBool::new(false));
        let flag = cut.clone();
        tokio::spawn(async move {
            loop {
                let Ok((inbound, _)) = listener.accept().await else {
                    return;
                };
                if flag.load(Ordering::SeqCst) {
                    continue; // refused: dropped at once
                }
                let flag = flag.clone();
                tokio::spawn(async move {
                    let Ok(outbound) = TcpStream::connect(("127.0.0.1", target)).await else {
                        return;
                    };
                    let (ri, wi) = inbound.into_split();
                    let (ro, wo) = outbound.into_split();
                    let watch = async {
                        while !flag.load(Ordering::SeqCst) {
                            tokio::time::sleep(Duration::from_millis(20)).await;
                        }
                    };
                    tokio::select! {
                        _ = pump(ri, wo, delay) => {}
                        _ = pump(ro, wi, delay) => {}
                        _ = watch => {}
                    }
                });
            }
        });
        Self { port, cut }
    }
}

/// Copies `from` to `to`, holding each chunk for `delay`.
async fn pump(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    delay: Duration,
) {
    let mut buf = vec![0u8; 64 * 1024];
    while let Ok(n) = from.read(&mut buf).await {
        if n == 0 {
            return;
        }
        if !delay.is_zero() {
            tokio::time::sleep(delay).await;
        }
        if to.write_all(&buf[..n]).await.is_err() {
            return;
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn indexing_survives_kills_restarts_and_dropped_connections() {
    tokio::time::timeout(Duration::from_secs(1_500), reliability())
        .await
        .expect("finished within 25 minutes");
}

async fn reliability() {
    let local = LocalChain::start("reliability");
    let chain = Chain::connect(&local.url, BackendKind::Legacy)
        .await
        .unwrap();
    let deployment = deploy::deploy(&chain, &dev("Alice"), &DeployConfig::dev(), |_| {})
        .await
        .unwrap();
    let file = std::env::temp_dir().join(format!(
        "atelier-rel-deployment-{}.json",
        std::process::id()
    ));
    deployment.save(&file).unwrap();
    let dao = DaoClient::new(chain.clone(), deployment).unwrap();
    let seeded = atelier::seed::seed(&dao, |_| {}).await.unwrap();
    let url = local.url.clone();

    let port: u16 = url.rsplit(':').next().unwrap().parse().unwrap();
    let deployment = atelier_indexer::Deployment::load(&file).unwrap();
    let first = deployment
        .contracts
        .values()
        .map(|c| c.block)
        .min()
        .unwrap();
    let reference = sqlite("reference-1");
    index_once(&url, &file, &reference);
    let expected = dump(&reference).await;
    assert!(!expected.events.is_empty());
    // the benchmark's ceiling (`--no-store`) reads the same blocks and contract events the
    // indexer stored
    let to = cursor_of(&reference)
        .await
        .expect("the reference has a cursor");
    let out = Command::new(env!("CARGO_BIN_EXE_atelier"))
        .args(["index", "--once", "--no-store", "--json", "--url", &url])
        .arg("--deployment")
        .arg(&file)
        .args([
            "--start-block",
            &first.to_string(),
            "--to-block",
            &to.to_string(),
        ])
        .output()
        .expect("atelier index --no-store runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let read: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(read["blocks"].as_u64(), Some(to - first + 1), "{read}");
    assert_eq!(
        read["events"].as_u64(),
        Some(expected.events.len() as u64),
        "{read}"
    );

    // 0. the chain does not answer yet when the indexer starts: it waits, then indexes
    let not_yet = sqlite("not-yet");
    let spare = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let late = format!("ws://127.0.0.1:{}", spare.local_addr().unwrap().port());
    let addr = spare.local_addr().unwrap();
    drop(spare);
    let mut waiting = follower("index, chain late", &late, &file, &not_yet, &[]);
    waiting
        .wait_for_line(
            &format!("waiting for the chain at {late}"),
            Duration::from_secs(60),
        )
        .await;
    let _late_chain = Proxy::start_on(TcpListener::bind(addr).await.unwrap(), port, Duration::ZERO);
    let (head, _) = chain.head().await.unwrap();
    wait_for_cursor(
        "the late-started chain indexed",
        &not_yet,
        head,
        Duration::from_secs(300),
    )
    .await;
    assert!(waiting.terminate().success(), "SIGTERM ends it cleanly");
    assert_eq!(
        dump(&not_yet).await,
        expected,
        "after the chain came up late"
    );

    // 1. SIGKILL at three observed points of a run (a slow link and one block per
    // transaction make the backfill long enough to be caught half-way), then once to the head
    let killed = sqlite("killed");
    let slow = Proxy::start(port, Duration::from_millis(20)).await;
    let slow_url = format!("ws://127.0.0.1:{}", slow.port);
    let (head, _) = chain.head().await.unwrap();
    let one_by_one = ["--batch-blocks", "1", "--concurrency", "1"];
    let mut run = follower("index, kill 1", &slow_url, &file, &killed, &one_by_one);
    run.wait_for_line("open and migrated", Duration::from_secs(120))
        .await;
    run.child.kill().unwrap(); // SIGKILL, migrated and nothing indexed yet
    let _ = run.child.wait();
    let mut run = follower("index, kill 2", &slow_url, &file, &killed, &one_by_one);
    let at = wait_for_cursor(
        "the first block stored",
        &killed,
        first,
        Duration::from_secs(300),
    )
    .await;
    run.child.kill().unwrap(); // SIGKILL after its first committed block
    let _ = run.child.wait();
    eprintln!("killed after block {at} was stored");
    let half = first + (head - first) / 2;
    let mut run = follower("index, kill 3", &slow_url, &file, &killed, &one_by_one);
    let at = wait_for_cursor("half-way", &killed, half, Duration::from_secs(300)).await;
    run.child.kill().unwrap(); // SIGKILL half-way
    let _ = run.child.wait();
    eprintln!("killed at block {at} of {head}");
    drop(slow);
    index_once(&url, &file, &killed);
    assert_eq!(dump(&killed).await, expected, "after three SIGKILLs");

    // 1b. SIGKILL mid-commit: while the backfill's transaction is open on PostgreSQL
    kill_mid_commit(&url, &file, &expected).await;

    // 2. the chain advances while the indexer is down
    some_votes(&dao, seeded.open..seeded.open + 1).await;
    chain.dev_new_blocks(3).await.unwrap();
    index_once(&url, &file, &killed);
    let reference = sqlite("reference-2");
    index_once(&url, &file, &reference);
    let expected = dump(&reference).await;
    assert_eq!(
        dump(&killed).await,
        expected,
        "after the chain advanced while down"
    );

    // 3. the connection drops and comes back under a following indexer
    let proxy = Proxy::start(port, Duration::ZERO).await;
    let proxied = format!("ws://127.0.0.1:{}", proxy.port);
    let json_logs = ["--log-format", "json"];
    let mut run = follower("index, dropped link", &proxied, &file, &killed, &json_logs);
    // connected through the proxy, store open, following (the store is at the head already)
    run.wait_for_line("following", Duration::from_secs(120))
        .await;
    let (head, _) = chain.head().await.unwrap();
    wait_for_cursor(
        "the follower at the head",
        &killed,
        head,
        Duration::from_secs(120),
    )
    .await;
    proxy.cut.store(true, Ordering::SeqCst);
    run.wait_for_line("chain failed", Duration::from_secs(60))
        .await;
    // the reconnect is in the follower's output, as a structured log record
    let record = log_record(&run.line("chain failed").unwrap());
    assert_eq!(
        (record["level"].as_str(), record["target"].as_str()),
        (Some("WARN"), Some("indexer::sync")),
        "{record}"
    );
    assert_eq!(
        record["fields"]["message"].as_str(),
        Some("chain failed; reconnecting"),
        "{record}"
    );
    assert!(record["fields"]["backoff_ms"].is_u64(), "{record}");
    // the chain moves on while the indexer cannot reach it
    let recorded = dao
        .send(
            &dev("Bob"),
            "membership",
            membership::messages::record_contribution(0, [77u8; 32]),
            0,
        )
        .await;
    assert!(recorded.is_ok(), "{recorded:?}");
    chain.dev_new_blocks(2).await.unwrap();
    proxy.cut.store(false, Ordering::SeqCst);
    let (head, _) = chain.head().await.unwrap();
    wait_for_cursor(
        "the follower back at the head",
        &killed,
        head,
        Duration::from_secs(120),
    )
    .await;
    run.assert_running();
    let status = run.terminate();
    assert!(
        status.success(),
        "SIGTERM ends the follower cleanly: {status}"
    );
    let reference = sqlite("reference-3");
    index_once(&url, &file, &reference);
    assert_eq!(
        dump(&killed).await,
        dump(&reference).await,
        "after a dropped connection"
    );

    // 3b. the same block range delivered twice to a store at the head: nothing is stored
    // twice and the cursor stays where it was
    delivered_twice(&chain, &file, &killed, &reference).await;

    // 3c. events the indexer cannot decode are stored raw and said in its output
    undecodable_events(&url, &file, &reference).await;

    // 4. the database: down when the indexer starts, restarted mid-backfill, at the head and
    // in the middle of a migration (a throwaway cluster; the shared service is left alone)
    match TempPostgres::start("reliability") {
        Err(why) => eprintln!("skipped the database faults: no throwaway PostgreSQL cluster here ({why}); scripts/setup.sh installs the server"),
        Ok(pg) => database_faults(&pg, &chain, &dao, &url, &file, port).await,
    }

    // 5. following the best block, a reorg orphans a stored block: it is rolled back
    best_block_reorg(&chain, &dao, &url, &file).await;
}

/// A JSON log line as a value (`--log-format json`).
fn log_record(line: &str) -> serde_json::Value {
    serde_json::from_str(line).unwrap_or_else(|e| panic!("not a JSON log record ({e}): {line}"))
}

/// A deployment file that gives the royalty router the provenance registry's metadata (a
/// stale or wrong file): the router's events have topics that metadata lacks. The indexer
/// stores every one of them raw, unnamed and undecoded, at the same places as a correct
/// index, and says so in its output, once per event, as a structured warning.
async fn undecodable_events(url: &str, file: &Path, reference: &str) {
    let mut wrong: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
    wrong["contracts"]["royalty_router"]["artifact"] = "provenance".into();
    let router = wrong["contracts"]["royalty_router"]["address"]
        .as_str()
        .unwrap()
        .to_lowercase();
    let wrong_file = file.with_extension("wrong.json");
    std::fs::write(&wrong_file, wrong.to_string()).unwrap();
    let db = sqlite("undecodable");
    let out = Command::new(env!("CARGO_BIN_EXE_atelier"))
        .args([
            "index",
            "--once",
            "--log-format",
            "json",
            "--url",
            url,
            "--db",
            &db,
        ])
        .arg("--deployment")
        .arg(&wrong_file)
        .env_remove("RUST_LOG")
        .output()
        .expect("atelier index runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let warnings: Vec<serde_json::Value> = stderr
        .lines()
        .filter(|l| l.contains("unknown event topic"))
        .map(log_record)
        .collect();
    let expected = dump(reference).await;
    // The router's events whose signature the provenance registry also declares (both
    // emit `GovernanceSet { governance }`) decode under the wrong metadata too; the others
    // cannot.
    let shared: std::collections::BTreeSet<(i64, i64)> = atelier_store::Store::open(reference)
        .await
        .unwrap()
        .events_from(0, 1_000_000)
        .await
        .unwrap()
        .into_iter()
        .filter(|(_, e)| e.contract.to_lowercase() == router)
        .filter(|(_, e)| {
            e.topics
                .first()
                .and_then(|t| hex::decode(t.trim_start_matches("0x")).ok())
                .and_then(|b| <[u8; 32]>::try_from(b).ok())
                .and_then(|t| atelier_abi::provenance::events::Event::label_of(&t))
                .is_some()
        })
        .map(|(block, e)| (block, e.event_index))
        .collect();
    let from_router = expected
        .events
        .iter()
        .filter(|e| e.2.to_lowercase() == router && !shared.contains(&(e.0, e.1)))
        .count();
    assert!(from_router > 0, "the seeded chain has router events");
    assert_eq!(
        warnings.len(),
        from_router,
        "one warning per event:\n{stderr}"
    );
    for w in &warnings {
        assert_eq!(
            (w["level"].as_str(), w["target"].as_str()),
            (Some("WARN"), Some("indexer::decode")),
            "{w}"
        );
        assert_eq!(
            (
                w["fields"]["role"].as_str(),
                w["fields"]["metadata"].as_str()
            ),
            (Some("royalty_router"), Some("provenance")),
            "{w}"
        );
        assert!(
            w["fields"]["topic"].as_str().is_some_and(|t| t.len() == 66),
            "{w}"
        );
        assert!(w["fields"]["block"].is_u64(), "{w}");
    }
    let stored = dump(&db).await;
    assert_eq!(
        stored.events.len(),
        expected.events.len(),
        "nothing dropped"
    );
    for (got, want) in stored.events.iter().zip(&expected.events) {
        assert_eq!(
            (got.0, got.1, &got.2, &got.4),
            (want.0, want.1, &want.2, &want.4)
        );
        if got.2.to_lowercase() == router && !shared.contains(&(got.0, got.1)) {
            assert_eq!(got.3, None, "stored unnamed: {got:?}");
        }
    }
    let _ = std::fs::remove_file(wrong_file);
}

/// An indexer following the best block stores a block with a contribution; the chain is
/// rewound below it (`dev_setHead`) and grows a fork without it; the next round rolls the
/// orphaned block back, indexes the fork, and ends equal to a fresh full re-index.
async fn best_block_reorg(chain: &Chain, dao: &DaoClient, url: &str, file: &Path) {
    let db = sqlite("best");
    let args = atelier::cli::ChainArgs {
        url: Some(url.to_owned()),
        deployment: file.to_owned(),
        json: false,
    };
    let options = atelier_indexer::Options {
        follow: atelier_indexer::Follow::Best,
        ..atelier_indexer::Options::default()
    };
    let mut ix = atelier::cli::indexer_with(&args, &db, options)
        .await
        .unwrap();
    let (_tx, stop) = tokio::sync::watch::channel(false);
    ix.sync_to_head(&stop).await.unwrap();
    let (before, _) = chain.head().await.unwrap();
    let recorded = dao
        .send(
            &dev("Ferdie"),
            "membership",
            membership::messages::record_contribution(1, [79u8; 32]),
            0,
        )
        .await;
    assert!(recorded.is_ok(), "{recorded:?}");
    let (orphan, orphan_hash) = chain.head().await.unwrap();
    assert!(orphan > before);
    ix.sync_to_head(&stop).await.unwrap();
    let stored = |d: &Dump, block: u64| d.events.iter().filter(|e| e.0 == block as i64).count();
    let with_orphan = dump(&db).await;
    assert!(
        stored(&with_orphan, orphan) > 0,
        "the contribution's block is stored"
    );
    let contributions = with_orphan.counts.1;

    chain.dev_set_head(before).await.unwrap();
    chain.dev_new_blocks(2).await.unwrap();
    let (head, _) = chain.head().await.unwrap();
    assert_eq!(head, before + 2);
    let replaced = chain.block_hash(orphan).await.unwrap().unwrap();
    assert_ne!(
        replaced, orphan_hash,
        "block {orphan} was replaced by the fork"
    );
    ix.sync_to_head(&stop).await.unwrap();
    let after = dump(&db).await;
    assert_eq!(
        stored(&after, orphan),
        0,
        "the orphaned block's events are gone"
    );
    assert_eq!(
        after.counts.1,
        contributions - 1,
        "and what was derived from them"
    );
    let cursor = atelier_store::Store::open(&db)
        .await
        .unwrap()
        .cursor()
        .await
        .unwrap();
    assert_eq!(cursor.map(|c| c.0), Some(head as i64));
    let reference = sqlite("reference-5");
    index_once(url, file, &reference);
    assert_eq!(
        after,
        dump(&reference).await,
        "after a reorg under the best-block follower"
    );
}

/// SIGKILLs `atelier index` while the transaction of its first batch is open on
/// PostgreSQL: seen in `pg_stat_activity` with a transaction id (it has written rows) and a
/// statement of the batch. The store must then hold nothing of that batch (no event, no
/// cursor: the kill landed before the commit and the server rolled it back), and a restart
/// must end with the fresh re-index's rows. A try whose transaction commits before the
/// test sees it is repeated on a fresh database.
async fn kill_mid_commit(url: &str, file: &Path, expected: &Dump) {
    let admin = std::env::var("ATELIER_TEST_PG_URL").unwrap_or_else(|_| PG.into());
    let pool = match sqlx::PgPool::connect(&admin).await {
        Ok(pool) => pool,
        Err(e) => return atelier_store::no_postgres("the mid-commit SIGKILL", &admin, &e),
    };
    let base = admin
        .rsplit_once('/')
        .map_or(admin.as_str(), |(b, _)| b)
        .to_owned();
    let name = format!("atelier_rel_commit_{}", std::process::id());
    let db = format!("{base}/{name}");
    for attempt in 1..=20 {
        let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .execute(&pool)
            .await;
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&pool)
            .await
            .unwrap();
        // migrated here, so that the indexer's first writing transactions are its own
        drop(atelier_store::Store::open(&db).await.unwrap());
        let mut child = index_process(url, file, &db, true);
        let open_batch = "SELECT count(*) FROM pg_stat_activity WHERE datname = $1 \
                          AND backend_xid IS NOT NULL AND state IN ('active', 'idle in transaction') \
                          AND (query ILIKE '%raw_events%' OR query ILIKE '%members%' OR query ILIKE '%votes%' \
                               OR query ILIKE '%checkpoints%' OR query ILIKE '%proposal%' OR query ILIKE '%contributions%')";
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        let mut seen = false;
        while std::time::Instant::now() < deadline {
            let n: i64 = sqlx::query_scalar(open_batch)
                .bind(&name)
                .fetch_one(&pool)
                .await
                .unwrap();
            if n > 0 {
                child.kill().unwrap(); // SIGKILL
                seen = true;
                break;
            }
            if child.try_wait().unwrap().is_some() {
                break; // finished before the test saw its transaction
            }
        }
        let _ = child.kill();
        let _ = child.wait();
        let store = atelier_store::Store::open(&db).await.unwrap();
        let events = store.events_from(0, 1_000_000).await.unwrap().len();
        let cursor = store.cursor().await.unwrap();
        drop(store);
        if !seen || events > 0 || cursor.is_some() {
            eprintln!("mid-commit kill, try {attempt}: the batch committed first ({events} events, cursor {cursor:?}); again");
            continue;
        }
        eprintln!("mid-commit kill, try {attempt}: killed with the batch's transaction open; nothing of it was kept");
        index_once(url, file, &db);
        assert_eq!(&dump(&db).await, expected, "after a SIGKILL mid-commit");
        let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .execute(&pool)
            .await;
        return;
    }
    panic!("no SIGKILL landed inside the batch's transaction in 20 tries");
}

/// Delivers the indexed history again, twice, through the indexer's own batching into a
/// store already at the head: it must equal the fresh re-index `reference` afterwards and
/// keep its cursor.
async fn delivered_twice(chain: &Chain, file: &Path, db: &str, reference: &str) {
    let store = atelier_store::Store::open(db).await.unwrap();
    let cursor = store.cursor().await.unwrap().expect("an indexed store");
    let deployment = atelier_indexer::Deployment::load(file).unwrap();
    let first = deployment
        .contracts
        .values()
        .map(|c| c.block)
        .min()
        .unwrap();
    let mut indexer = atelier_indexer::Indexer::new(
        chain.clone(),
        store,
        &deployment,
        atelier_indexer::Options::default(),
    )
    .unwrap();
    let mut blocks = Vec::new();
    for n in first..=u64::try_from(cursor.0).unwrap() {
        blocks.push(indexer.to_store(chain.block_events(n).await.unwrap()));
    }
    assert!(blocks.iter().any(|b| !b.events.is_empty()));
    for _ in 0..2 {
        indexer.store_blocks(blocks.clone()).await.unwrap();
    }
    assert_eq!(indexer.store().cursor().await.unwrap(), Some(cursor));
    assert_eq!(
        dump(db).await,
        dump(reference).await,
        "after the same blocks were delivered twice"
    );
}

const PG: &str = "postgres://postgres@127.0.0.1:5432/test";

/// The database's faults on a throwaway cluster: down when the indexer starts (it waits and
/// says for what), restarted while it backfills one block per transaction and again at the
/// head (it resumes from its cursor), and restarted while a migration waits for a lock the
/// test holds (the interrupted migration rolled back and ran again). Each ends equal to a
/// fresh re-index.
async fn database_faults(
    pg: &TempPostgres,
    chain: &Chain,
    dao: &DaoClient,
    url: &str,
    file: &Path,
    port: u16,
) {
    let db = pg.create_db("atelier_rel").await;
    pg.stop_server();
    let slow = Proxy::start(port, Duration::from_millis(20)).await;
    let slow_url = format!("ws://127.0.0.1:{}", slow.port);
    let one_by_one = ["--batch-blocks", "1", "--concurrency", "1"];
    let mut run = follower("index, database faults", &slow_url, file, &db, &one_by_one);
    let waiting = format!(
        "waiting for PostgreSQL at 127.0.0.1:{}/atelier_rel",
        pg.port
    );
    run.wait_for_line(&waiting, Duration::from_secs(60)).await;
    assert!(
        !run.said("postgres://"),
        "the log names the database without its URL"
    );
    assert!(run.said("refused"), "and says why it waits");
    pg.start_server().unwrap();
    let (head, _) = chain.head().await.unwrap();
    // mid-backfill: after its first block, before the head
    let at = wait_until(
        "the first block in PostgreSQL",
        Duration::from_secs(300),
        || async { cursor_of(&db).await },
    )
    .await;
    pg.restart_server();
    eprintln!("restarted PostgreSQL with the cursor at block {at} of {head}");
    wait_for_cursor(
        "caught up after a restart mid-backfill",
        &db,
        head,
        Duration::from_secs(300),
    )
    .await;
    // at the head
    pg.restart_server();
    let more = dao
        .send(
            &dev("Dave"),
            "membership",
            membership::messages::record_contribution(2, [78u8; 32]),
            0,
        )
        .await;
    assert!(more.is_ok(), "{more:?}");
    let (head, _) = chain.head().await.unwrap();
    wait_for_cursor(
        "caught up after a restart at the head",
        &db,
        head,
        Duration::from_secs(300),
    )
    .await;
    run.assert_running();
    assert!(run.terminate().success(), "SIGTERM ends it cleanly");
    drop(slow);
    let reference = sqlite("reference-4");
    index_once(url, file, &reference);
    let expected = dump(&reference).await;
    assert_eq!(dump(&db).await, expected, "after database restarts");

    // a restart in the middle of a migration: the earlier migrations applied, the next one
    // (it alters raw_events) blocked on the test's lock, the server restarted under it
    let db = pg.create_db("atelier_rel_migrating").await;
    let all = &atelier_store::open::POSTGRES_MIGRATIONS;
    let blocked = all
        .iter()
        .position(|m| m.sql.contains("ALTER TABLE raw_events"))
        .expect("a migration that alters raw_events");
    {
        use sqlx::migrate::Migrate;
        let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&db)
            .await
            .unwrap();
        conn.ensure_migrations_table().await.unwrap();
        for m in all.iter().take(blocked) {
            conn.apply(m).await.unwrap();
        }
    }
    let holder = sqlx::PgPool::connect(&db).await.unwrap();
    let mut lock = holder.begin().await.unwrap();
    sqlx::query("LOCK TABLE raw_events IN ACCESS EXCLUSIVE MODE")
        .execute(&mut *lock)
        .await
        .unwrap();
    let mut run = follower("index, migration", url, file, &db, &["--once"]);
    let watcher = sqlx::PgPool::connect(&pg.url("postgres")).await.unwrap();
    wait_until(
        "the migration waiting for the test's lock",
        Duration::from_secs(120),
        || async {
            let n: i64 = sqlx::query_scalar(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = 'atelier_rel_migrating' \
             AND wait_event_type = 'Lock' AND query ILIKE '%ALTER TABLE raw_events%'",
            )
            .fetch_one(&watcher)
            .await
            .ok()?;
            (n > 0).then_some(())
        },
    )
    .await;
    watcher.close().await;
    pg.restart_server(); // ends the test's lock with its connection, mid-migration
    drop(lock);
    let status = tokio::task::spawn_blocking(move || {
        let status = run.child.wait().unwrap();
        (status, run.said("waiting for PostgreSQL"))
    })
    .await
    .unwrap();
    assert!(
        status.0.success(),
        "index --once finished after the restart: {}",
        status.0
    );
    assert!(status.1, "it said it waited for the database");
    let store = atelier_store::Store::open(&db).await.unwrap();
    store.close().await;
    let pool = sqlx::PgPool::connect(&db).await.unwrap();
    let applied: i64 = sqlx::query_scalar("SELECT count(*) FROM _sqlx_migrations WHERE success")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(
        applied as usize,
        all.iter().count(),
        "every migration applied once"
    );
    pool.close().await;
    drop(holder);
    assert_eq!(
        dump(&db).await,
        expected,
        "after a restart during a migration"
    );
}
