//! The store's test suite, run against SQLite and against a real PostgreSQL
//! (`ATELIER_TEST_PG_URL`, default `postgres://postgres@127.0.0.1:5432/test`; each test
//! gets a database of its own, dropped afterwards).

use std::sync::atomic::{AtomicUsize, Ordering};

use atelier_store::{CurationScore, Proposal, Store, Summary, Work};

static NEXT: AtomicUsize = AtomicUsize::new(0);

fn admin_url() -> String {
    std::env::var("ATELIER_TEST_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

/// A fresh SQLite file and, when the server answers, a fresh PostgreSQL database.
async fn backends() -> Vec<(Store, Option<String>)> {
    let n = NEXT.fetch_add(1, Ordering::SeqCst);
    let name = format!("atelier_store_test_{}_{n}", std::process::id());
    let path = std::env::temp_dir().join(format!("{name}.db"));
    let _ = std::fs::remove_file(&path);
    let mut out = vec![(
        Store::open(&format!("sqlite://{}", path.display()))
            .await
            .expect("sqlite opens"),
        None,
    )];
    let admin = admin_url();
    match sqlx::PgPool::connect(&admin).await {
        Ok(pool) => {
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(&pool)
                .await
                .expect("create database");
            let base = admin
                .rsplit_once('/')
                .map_or(admin.as_str(), |(b, _)| b)
                .to_owned();
            out.push((
                Store::open(&format!("{base}/{name}"))
                    .await
                    .expect("postgres opens"),
                Some(name),
            ));
        }
        Err(e) => eprintln!(
            "skipped the PostgreSQL half: no server at {admin} ({e}); scripts/setup.sh starts one"
        ),
    }
    out
}

async fn drop_db(name: Option<String>) {
    if let Some(name) = name {
        if let Ok(pool) = sqlx::PgPool::connect(&admin_url()).await {
            let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .execute(&pool)
                .await;
        }
    }
}

fn proposal(id: i64) -> Proposal {
    Proposal {
        id,
        proposer: "0xabc".into(),
        description: format!("# Proposal {id}\n\nBody."),
        description_hash: format!("{id:064x}"),
        block: 10 + id,
        event_index: 0,
    }
}

fn work(id: i64) -> Work {
    Work {
        id,
        creator: "0xdef".into(),
        title: format!("Work {id}"),
        prompt: "a fox at dawn".into(),
        description: "watercolour".into(),
        tags: vec!["animal".into(), "nature".into()],
        image_hash: (id % 2 == 0).then(|| format!("{id:064x}")),
        block: 20 + id,
        event_index: 1,
    }
}

fn score(work_id: i64, quality: f64) -> CurationScore {
    CurationScore {
        work_id,
        originality: 0.5,
        near_duplicate: false,
        copy_of: None,
        nearest: Some(1),
        nearest_cosine: Some(0.5),
        style: Some("watercolour".into()),
        spam: 0.0,
        is_spam: false,
        quality,
        components: "{}".into(),
        model_id: "m".into(),
    }
}

#[tokio::test]
async fn writes_are_idempotent_by_natural_key() {
    for (store, db) in backends().await {
        // given a proposal and a work
        assert!(store.put_proposal(&proposal(1)).await.unwrap());
        assert!(store.put_work(&work(2)).await.unwrap());
        // when the same block is delivered again, then nothing changes
        assert!(!store.put_proposal(&proposal(1)).await.unwrap());
        assert!(!store.put_work(&work(2)).await.unwrap());
        let s = Summary {
            proposal_id: 1,
            text: "t".into(),
            hash: "h".into(),
            model_id: "m".into(),
        };
        assert!(store.put_summary(&s).await.unwrap());
        assert!(!store
            .put_summary(&Summary {
                text: "other".into(),
                ..s.clone()
            })
            .await
            .unwrap());
        assert_eq!(store.summary(1).await.unwrap(), Some(s));
        assert!(store.put_score(&score(2, 0.7)).await.unwrap());
        assert!(!store.put_score(&score(2, 0.1)).await.unwrap());
        assert_eq!(store.score(2).await.unwrap().unwrap().quality, 0.7);
        let c = store.worker_counts().await.unwrap();
        assert_eq!(
            (c.proposals, c.summaries, c.works, c.scores, c.failures),
            (1, 1, 1, 1, 0),
            "{}",
            store.backend()
        );
        drop_db(db).await;
    }
}

#[tokio::test]
async fn the_worker_queue_skips_done_and_failed_items_in_id_order() {
    for (store, db) in backends().await {
        for id in [3, 1, 2, 4] {
            store.put_proposal(&proposal(id)).await.unwrap();
            store.put_work(&work(id)).await.unwrap();
        }
        let s = Summary {
            proposal_id: 2,
            text: "t".into(),
            hash: "h".into(),
            model_id: "m".into(),
        };
        store.put_summary(&s).await.unwrap();
        store
            .put_failure("proposal", 3, "empty text")
            .await
            .unwrap();
        let ids: Vec<i64> = store
            .proposals_without_summary(10)
            .await
            .unwrap()
            .iter()
            .map(|p| p.id)
            .collect();
        assert_eq!(ids, vec![1, 4], "{}", store.backend());
        assert_eq!(store.proposals_without_summary(1).await.unwrap().len(), 1);
        assert_eq!(
            store.failure("proposal", 3).await.unwrap().as_deref(),
            Some("empty text")
        );
        store.put_score(&score(1, 0.2)).await.unwrap();
        store.put_score(&score(3, 0.9)).await.unwrap();
        store.put_failure("work", 2, "spam").await.unwrap();
        let todo: Vec<i64> = store
            .works_without_score(10)
            .await
            .unwrap()
            .iter()
            .map(|w| w.id)
            .collect();
        assert_eq!(todo, vec![4]);
        let history = store.scored_works().await.unwrap();
        assert_eq!(history.iter().map(|w| w.id).collect::<Vec<_>>(), vec![1, 3]);
        assert_eq!(
            history[0].tags,
            vec!["animal".to_owned(), "nature".to_owned()]
        );
        assert_eq!(store.top_works(10).await.unwrap(), vec![(3, 0.9), (1, 0.2)]);
        drop_db(db).await;
    }
}

#[tokio::test]
async fn a_wrong_url_is_refused_clearly() {
    let e = Store::open("mysql://x").await.err().unwrap().to_string();
    assert!(e.contains("unsupported database URL"), "{e}");
    assert!(Store::open("postgres://nobody@127.0.0.1:1/none")
        .await
        .is_err());
}

fn block(n: i64, events: usize) -> atelier_store::BlockEvents {
    atelier_store::BlockEvents {
        block: n,
        hash: format!("0x{n:064x}"),
        events: (0..events as i64)
            .map(|i| atelier_store::RawEvent {
                event_index: i,
                contract: "0xc0".into(),
                name: Some("VoteCast".into()),
                topics: vec![format!("0x{i:064x}")],
                data: "0x00".into(),
                event: None,
            })
            .collect(),
    }
}

#[tokio::test]
async fn a_block_and_the_cursor_are_stored_together_and_exactly_once() {
    for (store, db) in backends().await {
        assert_eq!(store.cursor().await.unwrap(), None);
        // given two blocks
        assert_eq!(store.apply_block(&block(5, 3)).await.unwrap(), 3);
        assert_eq!(store.apply_block(&block(6, 2)).await.unwrap(), 2);
        // when block 6 is delivered again, then nothing is duplicated
        assert_eq!(store.apply_block(&block(6, 2)).await.unwrap(), 0);
        assert_eq!(store.events_from(0, 100).await.unwrap().len(), 5);
        assert_eq!(
            store.cursor().await.unwrap(),
            Some((6, format!("0x{:064x}", 6)))
        );
        // a batch that fails half-way (its second event is not 0x-hex) stores nothing and
        // leaves the cursor where it was
        let mut broken = block(7, 2);
        broken.events[1].data = "not hex".into();
        assert!(store.apply_block(&broken).await.is_err());
        assert_eq!(store.events_from(7, 100).await.unwrap().len(), 0);
        assert_eq!(store.cursor().await.unwrap().unwrap().0, 6);
        assert_eq!(store.apply_block(&block(7, 1)).await.unwrap(), 1);
        // events come back in chain order
        let order: Vec<(i64, i64)> = store
            .events_from(0, 100)
            .await
            .unwrap()
            .iter()
            .map(|(b, e)| (*b, e.event_index))
            .collect();
        assert_eq!(order, vec![(5, 0), (5, 1), (5, 2), (6, 0), (6, 1), (7, 0)]);
        // a reorg back to block 5 removes what came after it
        assert_eq!(store.rollback_to(5, "0xfive").await.unwrap(), 3);
        assert_eq!(store.cursor().await.unwrap(), Some((5, "0xfive".into())));
        assert_eq!(store.events_from(6, 100).await.unwrap().len(), 0);
        drop_db(db).await;
    }
}

mod derived {
    use super::*;
    use atelier_store::{BlockEvents, RawEvent};
    use atelier_types::{Amount, Event, Support};

    fn ev(i: i64, event: Event) -> RawEvent {
        RawEvent {
            event_index: i,
            contract: "0xc0".into(),
            name: Some("x".into()),
            topics: vec![],
            data: "0x".into(),
            event: Some(event),
        }
    }

    fn blk(n: i64, events: Vec<RawEvent>) -> BlockEvents {
        BlockEvents {
            block: n,
            hash: format!("0x{n:02x}"),
            events,
        }
    }

    #[tokio::test]
    async fn events_build_the_derived_tables_once_and_a_reorg_rebuilds_them() {
        for (store, db) in backends().await {
            let bob = "0xb0b".to_string();
            let b1 = blk(
                1,
                vec![
                    ev(
                        0,
                        Event::ContributionRecorded {
                            id: 0,
                            contributor: bob.clone(),
                            category: 1,
                            evidence: "0xee".into(),
                        },
                    ),
                    ev(
                        1,
                        Event::ContributionActivated {
                            id: 0,
                            contributor: bob.clone(),
                            weight: Amount(40),
                            expires_at: 100,
                            member_weight: Amount(40),
                        },
                    ),
                    ev(
                        2,
                        Event::VotesChanged {
                            account: bob.clone(),
                            previous: Amount(0),
                            new: Amount(40),
                            block: 1,
                        },
                    ),
                ],
            );
            let b2 = blk(
                2,
                vec![ev(
                    0,
                    Event::ProposalCreated {
                        id: 0,
                        proposer: bob.clone(),
                        actions: vec![],
                        description: "# X".into(),
                        description_hash: "0x01".into(),
                        snapshot: 3,
                        vote_end: 10,
                        quorum_bps: 2000,
                    },
                )],
            );
            let b3 = blk(
                3,
                vec![ev(
                    0,
                    Event::VoteCast {
                        id: 0,
                        voter: bob.clone(),
                        support: Support::For,
                        weight: Amount(40),
                        reason: Some("yes".into()),
                        relayer: None,
                        tallies: (Amount(40), Amount(0), Amount(0)),
                    },
                )],
            );
            for b in [&b1, &b2, &b3, &b3] {
                store.apply_block(b).await.unwrap();
            }
            let g = store.governance_counts().await.unwrap();
            assert_eq!(
                g,
                (1, 1, 1, 1),
                "members, contributions, proposals, votes on {}",
                store.backend()
            );
            assert_eq!(
                store.member_votes(&bob).await.unwrap().as_deref(),
                Some("40")
            );
            assert_eq!(
                store.proposal_tallies(0).await.unwrap(),
                Some(("40".into(), "0".into(), "0".into()))
            );
            // a reorg back to block 2 drops the vote and keeps the rest
            store.rollback_to(2, "0x02").await.unwrap();
            assert_eq!(store.governance_counts().await.unwrap(), (1, 1, 1, 0));
            assert_eq!(
                store.proposal_tallies(0).await.unwrap(),
                Some(("0".into(), "0".into(), "0".into()))
            );
            // the read side sees the same state, and the timeline is rebuilt with the rest
            let timeline = store.proposal_timeline(0).await.unwrap();
            assert_eq!(timeline.len(), 1);
            assert_eq!(
                (timeline[0].block, timeline[0].kind.as_str()),
                (2, "ProposalCreated")
            );
            let p = store.proposal(0).await.unwrap().unwrap();
            assert_eq!(
                (p.status.as_str(), p.snapshot, p.vote_end),
                ("created", 3, 10)
            );
            assert_eq!(store.weight_at(&bob, 0).await.unwrap(), None);
            assert_eq!(
                store.weight_at(&bob, 5).await.unwrap().as_deref(),
                Some("40")
            );
            let page = store
                .proposals(&atelier_store::read::ProposalQuery {
                    proposer: Some(bob.clone()),
                    limit: 10,
                    ..Default::default()
                })
                .await
                .unwrap();
            assert_eq!(page.len(), 1);
            store.ping().await.unwrap();
            // back to block 1 drops the proposal too
            store.rollback_to(1, "0x01").await.unwrap();
            assert!(store.proposal_timeline(0).await.unwrap().is_empty());
            assert_eq!(store.governance_counts().await.unwrap(), (1, 1, 0, 0));
            assert_eq!(
                store.member_votes(&bob).await.unwrap().as_deref(),
                Some("40")
            );
            drop_db(db).await;
        }
    }
}
