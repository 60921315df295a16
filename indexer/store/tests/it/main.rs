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
    backends_with_urls()
        .await
        .into_iter()
        .map(|(store, name, _)| (store, name))
        .collect()
}

/// [`backends`] with each database's URL, for tests that reach under the store.
async fn backends_with_urls() -> Vec<(Store, Option<String>, String)> {
    let n = NEXT.fetch_add(1, Ordering::SeqCst);
    let name = format!("atelier_store_test_{}_{n}", std::process::id());
    let path = std::env::temp_dir().join(format!("{name}.db"));
    let _ = std::fs::remove_file(&path);
    let sqlite = format!("sqlite://{}", path.display());
    let mut out = vec![(
        Store::open(&sqlite).await.expect("sqlite opens"),
        None,
        sqlite,
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
            let url = format!("{base}/{name}");
            out.push((
                Store::open(&url).await.expect("postgres opens"),
                Some(name),
                url,
            ));
        }
        Err(e) => atelier_store::no_postgres("the PostgreSQL half", &admin, &e),
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

/// Runs `sql` on the database at `url` behind the store's back.
async fn raw(url: &str, sql: &str) {
    if url.starts_with("sqlite") {
        let pool = sqlx::SqlitePool::connect(url).await.unwrap();
        sqlx::query(sql).execute(&pool).await.unwrap();
    } else {
        let pool = sqlx::PgPool::connect(url).await.unwrap();
        sqlx::query(sql).execute(&pool).await.unwrap();
    }
}

/// A stored value that is not what its column holds (an amount that is not a decimal u128,
/// an unknown status or vote support) is an error that names the column and the value,
/// never a default standing in for it.
#[tokio::test]
async fn a_corrupt_stored_value_is_an_error_naming_its_column_and_value() {
    for (store, name, url) in backends_with_urls().await {
        raw(&url, "INSERT INTO members (address, own_weight, votes, updated_at) VALUES ('0x01', 'lots', '5', 1)").await;
        let err = store.member("0x01").await.unwrap_err().to_string();
        assert!(
            err.contains("own_weight") && err.contains("`lots`"),
            "{url}: {err}"
        );

        raw(&url, "INSERT INTO proposals (id, proposer, description, description_hash, block, event_index) VALUES (7, '0x02', 'd', '0x00', 1, 0)").await;
        raw(&url, "INSERT INTO proposal_states (proposal_id, snapshot, vote_end, quorum_bps, actions, status) VALUES (7, 2, 3, 400, '[]', 'approved')").await;
        let err = store.proposal(7).await.unwrap_err().to_string();
        assert!(
            err.contains("status") && err.contains("`approved`"),
            "{url}: {err}"
        );
        raw(
            &url,
            "UPDATE proposal_states SET status = 'queued', for_votes = '-3' WHERE proposal_id = 7",
        )
        .await;
        let err = store.proposal(7).await.unwrap_err().to_string();
        assert!(
            err.contains("for_votes") && err.contains("`-3`"),
            "{url}: {err}"
        );
        raw(
            &url,
            "UPDATE proposal_states SET for_votes = '3', quorum_bps = 20000 WHERE proposal_id = 7",
        )
        .await;
        let err = store.proposal(7).await.unwrap_err().to_string();
        assert!(
            err.contains("quorum_bps") && err.contains("20000"),
            "{url}: {err}"
        );
        raw(
            &url,
            "UPDATE proposal_states SET quorum_bps = 400 WHERE proposal_id = 7",
        )
        .await;
        let p = store
            .proposal(7)
            .await
            .unwrap()
            .expect("the repaired row reads");
        assert_eq!(
            (p.status, p.for_votes, p.quorum_bps),
            (
                atelier_store::ProposalStatus::Queued,
                atelier_types::Amount(3),
                400u16
            ),
            "{url}"
        );

        raw(&url, "INSERT INTO votes (proposal_id, voter, support, weight, block, event_index) VALUES (7, '0x03', 'Maybe', '1', 2, 0)").await;
        let err = store
            .votes(&atelier_store::read::VoteQuery {
                limit: 10,
                ..Default::default()
            })
            .await
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("support") && err.contains("`Maybe`"),
            "{url}: {err}"
        );
        drop(store);
        drop_db(name).await;
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
        time: Some(1_700_000_000_000 + n * 6_000),
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
        // when the range 5..=6 is delivered twice more, then nothing is added and the
        // cursor stays at the head
        for _ in 0..2 {
            assert_eq!(
                store
                    .apply_blocks(&[block(5, 3), block(6, 2)])
                    .await
                    .unwrap(),
                0
            );
        }
        assert_eq!(store.events_from(0, 100).await.unwrap().len(), 6);
        assert_eq!(
            store.cursor().await.unwrap(),
            Some((7, format!("0x{:064x}", 7)))
        );
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
            time: None,
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
                            member_expiring: vec![(100, Amount(40))],
                        },
                    ),
                    ev(
                        2,
                        Event::VotesChanged {
                            account: bob.clone(),
                            previous: Amount(0),
                            new: Amount(40),
                            block: 1,
                            expiring: vec![(100, Amount(40))],
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
                        grace_period: 20,
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
            assert_eq!(store.weight_at(&bob, 5).await.unwrap(), Some(Amount(40)));
            // audit L-1: the contribution stops counting at its expiry block, with no event
            // (the checkpoint's schedule says so, by the token's rule)
            assert_eq!(store.weight_at(&bob, 99).await.unwrap(), Some(Amount(40)));
            assert_eq!(store.weight_at(&bob, 100).await.unwrap(), Some(Amount(0)));
            let member = store.member(&bob).await.unwrap().expect("bob");
            assert_eq!(member.at(99).unwrap(), (Amount(40), Amount(40)));
            assert_eq!(member.at(100).unwrap(), (Amount(0), Amount(0)));
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

    /// Provenance: registrations, consents and a dispute read back as assets, filtered by
    /// holder and dispute, with each holder's consent; a resolution that gives the asset to
    /// a new holder clears the dispute and the consents count anew.
    #[tokio::test]
    async fn assets_read_back_with_holders_consents_and_disputes() {
        use atelier_types::{Asset, AssetKind};
        let (alice, bob, eve) = ("0xa1".to_string(), "0xb0b".to_string(), "0xe5e".to_string());
        let asset = |kind, hash: &str, holders: Vec<String>| Asset {
            kind,
            content_hash: hash.into(),
            license: 1,
            registrant: holders[0].clone(),
            holders,
            consenting: 0,
        };
        for (store, db) in backends().await {
            let b1 = blk(
                1,
                vec![
                    ev(
                        0,
                        Event::AssetRegistered {
                            id: 0,
                            content_hash: "0xd0".into(),
                            asset: asset(
                                AssetKind::Dataset,
                                "0xd0",
                                vec![bob.clone(), alice.clone()],
                            ),
                        },
                    ),
                    ev(
                        1,
                        Event::AssetRegistered {
                            id: 1,
                            content_hash: "0xd1".into(),
                            asset: asset(AssetKind::Model, "0xd1", vec![alice.clone()]),
                        },
                    ),
                    ev(
                        2,
                        Event::ConsentChanged {
                            id: 0,
                            holder: bob.clone(),
                            granted: true,
                            consenting: 1,
                            holders: 2,
                        },
                    ),
                    ev(
                        3,
                        Event::AssetDisputed {
                            id: 1,
                            claimant: eve.clone(),
                            evidence: "0xee".into(),
                        },
                    ),
                ],
            );
            store.apply_blocks(&[b1]).await.unwrap();
            let page =
                |holder: Option<&str>, disputed: Option<bool>| atelier_store::read::AssetQuery {
                    holder: holder.map(str::to_owned),
                    disputed,
                    after: None,
                    limit: 10,
                };
            let ids = |rows: Vec<atelier_store::read::AssetRow>| {
                rows.into_iter().map(|a| a.id).collect::<Vec<_>>()
            };
            assert_eq!(ids(store.assets(&page(None, None)).await.unwrap()), [0, 1]);
            assert_eq!(
                ids(store.assets(&page(Some(&bob), None)).await.unwrap()),
                [0]
            );
            assert_eq!(
                ids(store.assets(&page(Some(&alice), None)).await.unwrap()),
                [0, 1]
            );
            assert_eq!(
                ids(store.assets(&page(None, Some(true))).await.unwrap()),
                [1]
            );
            assert_eq!(
                ids(store.assets(&page(None, Some(false))).await.unwrap()),
                [0]
            );
            let after = atelier_store::read::AssetQuery {
                after: Some(0),
                ..page(None, None)
            };
            assert_eq!(ids(store.assets(&after).await.unwrap()), [1]);
            let d = store.asset(0).await.unwrap().expect("asset 0");
            assert_eq!(
                (d.kind.as_str(), d.holders.clone(), d.consenting),
                ("Dataset", vec![bob.clone(), alice.clone()], 1)
            );
            let consents = store.consents(0).await.unwrap();
            assert_eq!(consents.len(), 1);
            assert_eq!(
                (consents[0].holder.as_str(), consents[0].granted),
                (bob.as_str(), true)
            );
            let m = store.asset(1).await.unwrap().expect("asset 1");
            assert_eq!(
                (m.disputed_by.as_deref(), m.dispute_evidence.as_deref()),
                (Some(eve.as_str()), Some("0xee"))
            );
            assert_eq!(store.asset(9).await.unwrap(), None);
            // governance gives the model to Eve: the dispute is closed, nobody consents yet
            store
                .apply_blocks(&[blk(
                    2,
                    vec![ev(
                        0,
                        Event::DisputeResolved {
                            id: 1,
                            claimant: eve.clone(),
                            holders: Some(vec![eve.clone()]),
                        },
                    )],
                )])
                .await
                .unwrap();
            let m = store.asset(1).await.unwrap().expect("asset 1");
            assert_eq!(
                (m.disputed_by, m.holders, m.consenting),
                (None, vec![eve.clone()], 0)
            );
            assert_eq!(
                ids(store.assets(&page(Some(&eve), None)).await.unwrap()),
                [1]
            );
            drop_db(db).await;
        }
    }

    fn at(contract: &str, i: i64, event: Event) -> RawEvent {
        RawEvent {
            contract: contract.into(),
            ..ev(i, event)
        }
    }

    /// A marketplace's royalties written a batch at a time (rows in multi-row inserts, the
    /// totals once per key with the batch's sums) add up to what they add up to written a
    /// block at a time, and to the events' own sums; a replayed batch changes nothing.
    #[tokio::test]
    async fn royalty_totals_are_the_same_batched_or_block_by_block() {
        use std::collections::BTreeMap;
        const BIG: u128 = 10_u128.pow(30); // near u128's top digits: sums must stay exact
        let (router, creators) = ("0xr1", ["0xc1", "0xc2"]);
        let mut expected: BTreeMap<(&'static str, String), (i64, [u128; 4])> = BTreeMap::new();
        let blocks: Vec<BlockEvents> = (1..=30)
            .map(|n| {
                let events = (0..10)
                    .map(|i| {
                        let k = u128::try_from(n * 10 + i).unwrap();
                        let (work, creator) = ((k % 3) as u64, creators[(k % 5 % 2) as usize]);
                        let amount = BIG + 7 * k;
                        let parts = [
                            amount,
                            amount / 2,
                            amount / 4,
                            amount - amount / 2 - amount / 4,
                        ];
                        for key in [
                            ("work", work.to_string()),
                            ("creator", creator.to_owned()),
                            ("router", router.to_owned()),
                        ] {
                            let (count, sums) = expected.entry(key).or_insert((0, [0; 4]));
                            *count += 1;
                            for (s, p) in sums.iter_mut().zip(parts) {
                                *s += p;
                            }
                        }
                        at(
                            router,
                            i,
                            Event::RoyaltyRouted {
                                work,
                                creator: creator.into(),
                                payer: "0xbe".into(),
                                amount: Amount(parts[0]),
                                to_creator: Amount(parts[1]),
                                to_compute: Amount(parts[2]),
                                to_reserve: Amount(parts[3]),
                            },
                        )
                    })
                    .collect();
                blk(n, events)
            })
            .collect();
        async fn totals(store: &Store) -> BTreeMap<(&'static str, String), (i64, [u128; 4])> {
            let mut got = BTreeMap::new();
            for scope in ["work", "creator", "router"] {
                for t in store.royalty_totals(scope, None, None, 100).await.unwrap() {
                    let n = |a: &Amount| a.0;
                    got.insert(
                        (scope, t.key.clone()),
                        (
                            t.payments,
                            [
                                n(&t.amount),
                                n(&t.to_creator),
                                n(&t.to_compute),
                                n(&t.to_reserve),
                            ],
                        ),
                    );
                }
            }
            got
        }
        for ((one, db1), (batched, db2)) in backends().await.into_iter().zip(backends().await) {
            let backend = one.backend();
            for b in &blocks {
                one.apply_block(b).await.unwrap();
            }
            assert_eq!(
                batched.apply_blocks(&blocks).await.unwrap(),
                300,
                "{backend}"
            );
            assert_eq!(batched.apply_blocks(&blocks).await.unwrap(), 0, "{backend}");
            let (a, b) = (totals(&one).await, totals(&batched).await);
            assert_eq!(a, expected, "{backend}: block by block");
            assert_eq!(b, expected, "{backend}: batched");
            drop_db(db1).await;
            drop_db(db2).await;
        }
    }

    /// Royalties routed and forwarded, a spend approved and paid in two tranches from one
    /// fund, another voided, a steward removed: the funds tables add up exactly (amounts
    /// above u64), replays change nothing, and a reorg rebuilds them from what remains.
    #[tokio::test]
    async fn funds_events_build_balances_spends_and_royalty_totals() {
        use atelier_store::read::{FlowQuery, PayoutQuery, RoyaltyQuery, SpendQuery};
        use atelier_types::{Limits, SpendRequest, Split, WorkMetadata};
        const BIG: u128 = 10_u128.pow(24); // above u64: totals must stay exact
        let (router, fund, steward, artist, payee) = ("0xr0", "0xf0", "0x57", "0xa7", "0xbe");
        for (store, db) in backends().await {
            let request = SpendRequest {
                beneficiary: payee.into(),
                amount: Amount(3 * BIG),
                valid_from: 2,
                expires_at: 50,
                purpose_hash: "0x99".into(),
                tranches: 2,
                tranche_interval: 1,
                datasets: vec![4],
            };
            let b1 = blk(
                1,
                vec![
                    at(
                        fund,
                        0,
                        Event::LimitsChanged {
                            limits: Limits {
                                outflow_cap: Amount(4 * BIG),
                                epoch_blocks: 10,
                            },
                        },
                    ),
                    at(
                        fund,
                        1,
                        Event::StewardChanged {
                            account: steward.into(),
                            steward: true,
                        },
                    ),
                    at(
                        router,
                        2,
                        Event::SplitChanged {
                            split: Split {
                                compute_bps: 2000,
                                reserve_bps: 1000,
                            },
                            moved_this_epoch: 0,
                        },
                    ),
                    at(
                        router,
                        3,
                        Event::WorkRegistered {
                            id: 7,
                            creator: artist.into(),
                            content_hash: "0xc7".into(),
                            creator_bps: 7000,
                            metadata: WorkMetadata {
                                title: "Dawn".into(),
                                prompt: "a fox".into(),
                                description: "d".into(),
                                tags: vec!["fox".into()],
                                image_hash: None,
                            },
                            metadata_hash: "0x77".into(),
                        },
                    ),
                ],
            );
            let routed = |i| {
                at(
                    router,
                    i,
                    Event::RoyaltyRouted {
                        work: 7,
                        creator: artist.into(),
                        payer: payee.into(),
                        amount: Amount(10 * BIG),
                        to_creator: Amount(7 * BIG),
                        to_compute: Amount(2 * BIG),
                        to_reserve: Amount(BIG),
                    },
                )
            };
            let b2 = blk(
                2,
                vec![
                    routed(0),
                    routed(1),
                    at(
                        router,
                        2,
                        Event::Forwarded {
                            fund: fund.into(),
                            amount: Amount(4 * BIG),
                        },
                    ),
                    at(
                        fund,
                        3,
                        Event::Received {
                            from: router.into(),
                            amount: Amount(4 * BIG),
                        },
                    ),
                    at(
                        fund,
                        4,
                        Event::SpendApproved {
                            id: 0,
                            beneficiary: payee.into(),
                            request: request.clone(),
                        },
                    ),
                    at(
                        fund,
                        5,
                        Event::SpendApproved {
                            id: 1,
                            beneficiary: payee.into(),
                            request: SpendRequest {
                                tranches: 1,
                                ..request.clone()
                            },
                        },
                    ),
                ],
            );
            let payout = |i, tranche: u32, paid: u128, epoch: u128| {
                at(
                    fund,
                    i,
                    Event::PayoutMade {
                        id: 0,
                        beneficiary: payee.into(),
                        steward: steward.into(),
                        tranche,
                        amount: Amount(BIG * u128::from(tranche + 1)),
                        paid: Amount(paid),
                        epoch_outflow: Amount(epoch),
                    },
                )
            };
            let b3 = blk(3, vec![payout(0, 0, BIG, BIG)]);
            let b4 = blk(
                4,
                vec![
                    payout(0, 1, 3 * BIG, 3 * BIG),
                    at(
                        fund,
                        1,
                        Event::SpendVoided {
                            id: 1,
                            by: steward.into(),
                            paid: Amount(0),
                        },
                    ),
                    at(
                        fund,
                        2,
                        Event::StewardChanged {
                            account: steward.into(),
                            steward: false,
                        },
                    ),
                    at(
                        router,
                        3,
                        Event::Withdrawn {
                            creator: artist.into(),
                            amount: Amount(14 * BIG),
                        },
                    ),
                ],
            );
            for b in [&b1, &b2, &b3, &b4, &b2, &b4] {
                store.apply_block(b).await.unwrap();
            }
            let backend = store.backend();
            let f = store.fund(fund).await.unwrap().unwrap();
            let paid = 3 * BIG;
            assert_eq!(
                (f.received, f.paid_out),
                (Amount(4 * BIG), Amount(paid)),
                "{backend}"
            );
            assert_eq!(f.balance, Amount(4 * BIG - paid));
            assert!(f.stewards.is_empty(), "the steward was removed");
            // the cap holds over any 10 blocks (the treasury's rolling window: 9 slots of
            // 2 blocks): 3 of 4 paid at blocks 3 and 4 still count at block 10; the first
            // payout (slot 1) leaves at block 20, the second (slot 2) at block 22
            assert_eq!(f.remaining_outflow_at(4).unwrap(), Some(Amount(BIG)));
            assert_eq!(f.remaining_outflow_at(10).unwrap(), Some(Amount(BIG)));
            assert_eq!(f.remaining_outflow_at(19).unwrap(), Some(Amount(BIG)));
            assert_eq!(f.remaining_outflow_at(20).unwrap(), Some(Amount(2 * BIG)));
            assert_eq!(f.remaining_outflow_at(22).unwrap(), Some(Amount(4 * BIG)));
            assert_eq!(
                store.fund_balance_at(fund, 2).await.unwrap(),
                Some(Amount(4 * BIG))
            );
            assert_eq!(
                store.fund_balance_at(fund, 3).await.unwrap(),
                Some(Amount(3 * BIG))
            );
            assert_eq!(store.fund_balance_at(fund, 1).await.unwrap(), None);
            let s0 = store.spend(fund, 0).await.unwrap().unwrap();
            assert_eq!(
                (s0.status.as_str(), s0.tranches_paid, s0.paid),
                ("paid", 2, Amount(3 * BIG))
            );
            let s1 = store.spend(fund, 1).await.unwrap().unwrap();
            assert_eq!(
                (s1.state_at(4), s1.voided_by.as_deref()),
                ("voided", Some(steward))
            );
            let open = |state: &str, head| SpendQuery {
                state: Some((state.into(), head)),
                limit: 10,
                ..Default::default()
            };
            assert_eq!(store.spends(&open("paid", 4)).await.unwrap().len(), 1);
            assert_eq!(store.spends(&open("voided", 4)).await.unwrap().len(), 1);
            assert_eq!(store.spends(&open("open", 4)).await.unwrap().len(), 0);
            let payouts = store
                .payouts(&PayoutQuery {
                    fund: Some(fund.into()),
                    spend_id: Some(0),
                    limit: 10,
                    ..Default::default()
                })
                .await
                .unwrap();
            assert_eq!(
                payouts.iter().map(|p| p.tranche).collect::<Vec<_>>(),
                vec![0, 1]
            );
            // royalties: two payments of 10 for work 7, the creator withdrew 14
            assert_eq!(
                store
                    .royalties(&RoyaltyQuery {
                        work_id: Some(7),
                        limit: 10,
                        ..Default::default()
                    })
                    .await
                    .unwrap()
                    .len(),
                2
            );
            let t = store
                .royalty_totals("creator", Some(artist), None, 10)
                .await
                .unwrap();
            assert_eq!(
                (t[0].payments, t[0].amount, t[0].withdrawn),
                (2, Amount(20 * BIG), Amount(14 * BIG))
            );
            let w = store
                .royalty_totals("work", Some("7"), None, 10)
                .await
                .unwrap();
            assert_eq!(
                (w[0].to_compute, w[0].to_reserve),
                (Amount(4 * BIG), Amount(2 * BIG))
            );
            assert_eq!(
                store.router_split().await.unwrap(),
                Some((router.into(), 2000, 1000, false))
            );
            let flows = store
                .fund_flows(&FlowQuery {
                    contract: Some(router.into()),
                    limit: 10,
                    ..Default::default()
                })
                .await
                .unwrap();
            assert_eq!(
                flows.iter().map(|f| f.kind.as_str()).collect::<Vec<_>>(),
                vec!["forwarded", "withdrawn"]
            );
            // the registered work reached the worker's queue
            assert_eq!(
                store
                    .works_without_score(10)
                    .await
                    .unwrap()
                    .iter()
                    .map(|w| w.id)
                    .collect::<Vec<_>>(),
                vec![7]
            );
            // a reorg back to block 3 undoes block 4 exactly
            store.rollback_to(3, "0x03").await.unwrap();
            let f = store.fund(fund).await.unwrap().unwrap();
            assert_eq!(
                (f.balance, f.stewards.clone()),
                (Amount(3 * BIG), vec![steward.to_string()]),
                "{backend}"
            );
            let s0 = store.spend(fund, 0).await.unwrap().unwrap();
            assert_eq!((s0.state_at(4), s0.tranches_paid), ("payable", 1));
            assert_eq!(s0.state_at(51), "expired");
            let t = store
                .royalty_totals("creator", Some(artist), None, 10)
                .await
                .unwrap();
            assert_eq!((t[0].payments, t[0].withdrawn), (2, Amount(0)));
            drop_db(db).await;
        }
    }
}

/// Several processes opening one new SQLite file at once (the main job starts the indexer,
/// the API and the worker together): every open succeeds, the file is in WAL mode and each
/// migration was applied exactly once.
#[tokio::test(flavor = "multi_thread")]
async fn concurrent_opens_of_a_new_sqlite_file_migrate_it_once() {
    let path = std::env::temp_dir().join(format!(
        "atelier_store_concurrent_{}.db",
        std::process::id()
    ));
    for suffix in ["", "-wal", "-shm", ".migrate-lock"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    let url = format!("sqlite://{}", path.display());
    let opens = (0..8).map(|_| {
        let url = url.clone();
        tokio::spawn(async move { Store::open(&url).await })
    });
    let mut stores = Vec::new();
    for open in opens {
        stores.push(open.await.unwrap().expect("every concurrent open succeeds"));
    }
    drop(stores);
    let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
    let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(mode, "wal");
    let applied: Vec<i64> =
        sqlx::query_scalar("SELECT version FROM _sqlx_migrations ORDER BY version")
            .fetch_all(&pool)
            .await
            .unwrap();
    let expected: Vec<i64> = atelier_store::open::SQLITE_MIGRATIONS
        .iter()
        .map(|m| m.version)
        .collect();
    assert_eq!(applied, expected);
}

/// The same on PostgreSQL: four opens of a fresh database at once all succeed and the
/// migrations are applied once (sqlx's advisory lock).
#[tokio::test(flavor = "multi_thread")]
async fn concurrent_opens_of_a_new_postgres_database_migrate_it_once() {
    let admin = admin_url();
    let pool = match sqlx::PgPool::connect(&admin).await {
        Ok(pool) => pool,
        Err(e) => return atelier_store::no_postgres("this test", &admin, &e),
    };
    let name = format!("atelier_store_concurrent_{}", std::process::id());
    let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .execute(&pool)
        .await;
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&pool)
        .await
        .unwrap();
    let base = admin.rsplit_once('/').map_or(admin.as_str(), |(b, _)| b);
    let url = format!("{base}/{name}");
    let opens: Vec<_> = (0..4)
        .map(|_| {
            let url = url.clone();
            tokio::spawn(async move { Store::open(&url).await })
        })
        .collect();
    for open in opens {
        drop(open.await.unwrap().expect("every concurrent open succeeds"));
    }
    let db = sqlx::PgPool::connect(&url).await.unwrap();
    let applied: i64 = sqlx::query_scalar("SELECT count(*) FROM _sqlx_migrations")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(
        applied as usize,
        atelier_store::open::POSTGRES_MIGRATIONS.iter().count()
    );
    db.close().await;
    drop_db(Some(name)).await;
}

/// A database that is not there is a transient failure (services wait for it), named
/// without its password; a bad URL is not.
#[tokio::test]
async fn an_unreachable_database_is_transient_and_named_without_its_password() {
    let e = Store::open("postgres://atelier:hunter2@127.0.0.1:1/atelier")
        .await
        .err()
        .expect("nothing listens on port 1");
    assert!(e.is_transient(), "{e:?}");
    let text = atelier_store::causes(&e);
    assert!(
        text.starts_with("cannot open PostgreSQL at 127.0.0.1:1/atelier: "),
        "{text}"
    );
    assert!(!text.contains("hunter2"), "{text}");
    assert!(
        text.contains("refused"),
        "the cause, not a pool timeout: {text}"
    );
    let e = Store::open("mysql://x").await.err().unwrap();
    assert!(!e.is_transient());
    let dir = std::env::temp_dir().join(format!("atelier_no_such_dir_{}", std::process::id()));
    let e = Store::open(&format!("sqlite://{}/a.db", dir.display()))
        .await
        .err()
        .expect("no such folder");
    let text = atelier_store::causes(&e);
    assert!(text.contains("cannot open SQLite at"), "{text}");
}
