//! The indexer's reliability on a real local chain, modelled on the open indexer benchmark's
//! checks: an `atelier index` process SIGKILLed at three points and restarted, and once more
//! while its batch's transaction is open on PostgreSQL (mid-commit); a restart after the
//! chain advanced while the indexer was down; the RPC connection dropped and restored under
//! a following indexer; the same block range delivered twice; the database restarted
//! mid-backfill and at the head; a reorg under best-block mode. Each ends compared with a
//! fresh full re-index of the same chain: the same events at the same (block, index), no
//! gaps, no duplicates.

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
use atelier_chain::client::{BackendKind, Chain};
use atelier_sandbox::dao::Support;
use common::{dev, LocalChain};
use tokio::net::{TcpListener, TcpStream};

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
                "cast_vote",
                (id, Support::Abstain, Option::<String>::None),
                0,
            )
            .await;
    }
}

/// A TCP proxy to `target` whose connections can be cut and refused for a while.
struct Proxy {
    port: u16,
    cut: Arc<AtomicBool>,
}

impl Proxy {
    async fn start(target: u16) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let cut = Arc::new(AtomicBool::new(false));
        let flag = cut.clone();
        tokio::spawn(async move {
            loop {
                let Ok((mut inbound, _)) = listener.accept().await else {
                    return;
                };
                if flag.load(Ordering::SeqCst) {
                    continue; // refused: dropped at once
                }
                let flag = flag.clone();
                tokio::spawn(async move {
                    let Ok(mut outbound) = TcpStream::connect(("127.0.0.1", target)).await else {
                        return;
                    };
                    let copy = tokio::io::copy_bidirectional(&mut inbound, &mut outbound);
                    let watch = async {
                        while !flag.load(Ordering::SeqCst) {
                            tokio::time::sleep(Duration::from_millis(20)).await;
                        }
                    };
                    tokio::select! {
                        _ = copy => {}
                        _ = watch => {}
                    }
                });
            }
        });
        Self { port, cut }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn indexing_survives_kills_restarts_and_dropped_connections() {
    tokio::time::timeout(Duration::from_secs(900), reliability())
        .await
        .expect("finished within 15 minutes");
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

    // 1. SIGKILL at three points of a run, restarting each time, then once to the head
    let killed = sqlite("killed");
    for delay_ms in [150u64, 600, 1_500] {
        let mut child = index_process(&url, &file, &killed, false);
        tokio::time::sleep(Duration::from_millis(delay_ms)).await;
        child.kill().unwrap(); // SIGKILL
        let _ = child.wait();
    }
    index_once(&url, &file, &killed);
    let reference = sqlite("reference-1");
    index_once(&url, &file, &reference);
    let expected = dump(&reference).await;
    assert!(!expected.events.is_empty());
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
    let port: u16 = url.rsplit(':').next().unwrap().parse().unwrap();
    let proxy = Proxy::start(port).await;
    let proxied = format!("ws://127.0.0.1:{}", proxy.port);
    let mut follower = index_process(&proxied, &file, &killed, false);
    tokio::time::sleep(Duration::from_secs(3)).await;
    proxy.cut.store(true, Ordering::SeqCst);
    // the chain moves on while the indexer cannot reach it
    let proposal = dao
        .send(
            &dev("Bob"),
            "membership",
            "record_contribution",
            (0u32, [77u8; 32]),
            0,
        )
        .await;
    assert!(proposal.is_ok(), "{proposal:?}");
    chain.dev_new_blocks(2).await.unwrap();
    tokio::time::sleep(Duration::from_secs(2)).await;
    proxy.cut.store(false, Ordering::SeqCst);
    let (head, _) = chain.head().await.unwrap();
    // wait for the follower to reach the head again
    let store = atelier_store::Store::open(&killed).await.unwrap();
    let mut caught_up = false;
    for _ in 0..300 {
        if let Some((block, _)) = store.cursor().await.unwrap() {
            if block as u64 >= head {
                caught_up = true;
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let _ = Command::new("kill")
        .args(["-TERM", &follower.id().to_string()])
        .status();
    let status = follower.wait().unwrap();
    assert!(
        caught_up,
        "the follower did not reach block {head} after the connection came back"
    );
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

    // 4. the database restarts mid-backfill and again at the head
    match postgres_for_restart().await {
        None => eprintln!(
            "skipped the database-restart check: no local PostgreSQL cluster this test may restart (pg_ctlcluster and the service at 127.0.0.1:5432)"
        ),
        Some(db) => {
            let mut follower = index_process(&url, &file, &db, false);
            tokio::time::sleep(Duration::from_millis(1_500)).await;
            restart_postgres().await;
            let (head, _) = chain.head().await.unwrap();
            assert!(wait_for_cursor(&db, head).await, "caught up after a restart mid-backfill");
            restart_postgres().await;
            let more = dao
                .send(&dev("Dave"), "membership", "record_contribution", (2u32, [78u8; 32]), 0)
                .await;
            assert!(more.is_ok(), "{more:?}");
            let (head, _) = chain.head().await.unwrap();
            assert!(wait_for_cursor(&db, head).await, "caught up after a restart at the head");
            let _ = Command::new("kill").args(["-TERM", &follower.id().to_string()]).status();
            assert!(follower.wait().unwrap().success());
            let reference = sqlite("reference-4");
            index_once(&url, &file, &reference);
            assert_eq!(dump(&db).await, dump(&reference).await, "after database restarts");
        }
    }

    // 5. following the best block, a reorg orphans a stored block: it is rolled back
    best_block_reorg(&chain, &dao, &url, &file).await;
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
            "record_contribution",
            (1u32, [79u8; 32]),
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
    let Ok(pool) = sqlx::PgPool::connect(&admin).await else {
        eprintln!(
            "skipped the mid-commit SIGKILL: no PostgreSQL at {admin}; scripts/setup.sh starts one"
        );
        return;
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
        &atelier_sandbox::artifact::artifacts_dir(),
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

/// Waits (up to 60 s) until the store's cursor reaches `head`.
async fn wait_for_cursor(db: &str, head: u64) -> bool {
    for _ in 0..600 {
        if let Ok(store) = atelier_store::Store::open(db).await {
            if let Ok(Some((block, _))) = store.cursor().await {
                if block as u64 >= head {
                    return true;
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

const PG: &str = "postgres://postgres@127.0.0.1:5432/test";

fn cluster_version() -> Option<String> {
    let entry = std::fs::read_dir("/etc/postgresql").ok()?.next()?.ok()?;
    entry.file_name().to_str().map(str::to_owned)
}

/// A fresh database on the local PostgreSQL cluster, when this machine runs one that
/// `pg_ctlcluster` can restart (the project's machines and CI do).
async fn postgres_for_restart() -> Option<String> {
    cluster_version()?;
    Command::new("pg_ctlcluster").arg("--help").output().ok()?;
    let pool = sqlx::PgPool::connect(PG).await.ok()?;
    let name = format!("atelier_rel_{}", std::process::id());
    let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name}"))
        .execute(&pool)
        .await;
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&pool)
        .await
        .ok()?;
    pool.close().await;
    Some(format!("postgres://postgres@127.0.0.1:5432/{name}"))
}

/// Restarts the local PostgreSQL cluster and waits until it answers again.
async fn restart_postgres() {
    let version = cluster_version().expect("a cluster");
    let status = Command::new("pg_ctlcluster")
        .args(["--skip-systemctl-redirect", &version, "main", "restart"])
        .status()
        .unwrap();
    assert!(status.success(), "pg_ctlcluster restart failed: {status}");
    for _ in 0..300 {
        if sqlx::PgPool::connect(PG).await.is_ok() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("PostgreSQL did not come back within 30 s");
}
