//! The DAO history the API tests (and `examples/seed_store.rs`, which the fuzz script
//! serves) run on, written through the store's public API as the indexer and the worker
//! write it.

use atelier_store::{BlockEvents, ContractRow, CurationScore, RawEvent, Store, Summary, Work};
use atelier_types::{
    Action, Amount, Asset, AssetKind, DecodedCall, Event, GovernorSettings, Limits, SpendRequest,
    Split, StoredAction, Support,
};

pub fn acct(byte: &str) -> String {
    format!("0x{}", byte.repeat(20))
}

pub fn alice() -> String {
    acct("a1")
}
/// alice's Substrate account id, 0x-hex: her H160 followed by twelve 0xEE bytes.
pub fn alice_account_id() -> String {
    format!("{}{}", alice(), "ee".repeat(12))
}

pub fn bob() -> String {
    acct("b0")
}
pub fn carol() -> String {
    acct("c4")
}
pub fn membership() -> String {
    acct("e1")
}
pub fn governor() -> String {
    acct("e2")
}
pub fn router() -> String {
    acct("e3")
}
pub fn compute() -> String {
    acct("e4")
}
pub fn registry() -> String {
    acct("e7")
}

pub fn ev(i: i64, contract: &str, event: Event) -> RawEvent {
    let name = serde_json::to_value(&event).unwrap()["kind"]
        .as_str()
        .unwrap()
        .to_owned();
    RawEvent {
        event_index: i,
        contract: contract.to_owned(),
        name: Some(name),
        topics: vec![format!("0x{i:064x}")],
        data: "0x00".into(),
        event: Some(event),
    }
}

/// When block 0 of the seeded history was made (2026-11-01T00:00:00Z), in milliseconds;
/// a block follows every 6 seconds.
pub const GENESIS_MS: i64 = 1_793_491_200_000;

pub fn block(n: i64, events: Vec<RawEvent>) -> BlockEvents {
    BlockEvents {
        block: n,
        hash: format!("0x{n:064x}"),
        events,
        time: Some(GENESIS_MS + n * 6_000),
    }
}

pub fn weight(account: &str, previous: u128, new: u128, at: u32) -> Event {
    Event::VotesChanged {
        account: account.to_owned(),
        previous: Amount(previous),
        new: Amount(new),
        block: at,
        expiring: vec![],
    }
}

pub fn propose(id: u32, proposer: &str, snapshot: u32, vote_end: u32) -> Event {
    Event::ProposalCreated {
        id,
        proposer: proposer.to_owned(),
        actions: vec![StoredAction {
            action: Action {
                target: governor(),
                selector: "0x12345678".into(),
                input: "0x2a".into(),
                value: Amount(0),
            },
            code_hash: format!("0x{}", "cd".repeat(32)),
            // as the indexer reads it from the target's metadata
            call: Some(DecodedCall {
                contract: "governor".into(),
                message: "set_quorum".into(),
                args: serde_json::json!({ "quorum_bps": 42 })
                    .as_object()
                    .cloned()
                    .unwrap_or_default(),
            }),
        }],
        description: format!("# Proposal {id}\n\nFund the GPU cluster for round {id}."),
        description_hash: format!("0x{id:064x}"),
        snapshot,
        vote_end,
        quorum_bps: 1000,
        // the governor's grace period when proposed (the settings at block 1)
        grace_period: 3,
    }
}

pub fn vote(id: u32, voter: &str, support: Support, w: u128, tallies: (u128, u128, u128)) -> Event {
    Event::VoteCast {
        id,
        voter: voter.to_owned(),
        support,
        weight: Amount(w),
        reason: Some(format!("{support:?} from {}", &voter[..6])),
        relayer: (support == Support::Against).then(alice),
        tallies: (Amount(tallies.0), Amount(tallies.1), Amount(tallies.2)),
    }
}

/// A small DAO history, head at block 30:
/// - alice (60 + 40 weight), bob (50), carol (30, delegated to alice at block 5);
/// - proposal 0 by alice: voted For by alice and bob, queued, executed, summary anchored;
/// - proposal 1 by bob: voted, still active at the head; proposal 2: pending;
/// - proposal 3: ended without votes (defeated); proposal 4: canceled;
/// - proposal 5: passed and queued long ago, past its grace period (expired);
/// - four works with scores, one of them spam.
pub async fn seed(store: &Store) {
    let (m, g) = (membership(), governor());
    let (a, b, c) = (alice(), bob(), carol());
    let contribution = |id: u64, who: &str, category: u32| Event::ContributionRecorded {
        id,
        contributor: who.to_owned(),
        category,
        evidence: format!("0x{id:064x}"),
    };
    let attest = |id: u64, attestor: &str, n: u32| Event::ContributionAttested {
        id,
        attestor: attestor.to_owned(),
        attestations: n,
        threshold: 2,
    };
    let activate = |id: u64, who: &str, w: u128, total: u128| Event::ContributionActivated {
        id,
        contributor: who.to_owned(),
        weight: Amount(w),
        expires_at: 1000,
        member_weight: Amount(total),
        member_expiring: vec![],
    };
    let blocks = vec![
        block(
            1,
            vec![
                ev(
                    0,
                    &g,
                    Event::GovernorSettingsChanged {
                        settings: GovernorSettings {
                            voting_delay: 1,
                            voting_period: 5,
                            timelock_delay: 2,
                            grace_period: 3,
                            quorum_bps: 1000,
                            proposal_threshold: Amount(10),
                            late_quorum_extension: 0,
                        },
                    },
                ),
                ev(1, &m, contribution(0, &a, 1)),
                ev(2, &m, contribution(1, &b, 2)),
                ev(3, &m, contribution(2, &c, 1)),
                ev(4, &m, contribution(3, &a, 3)),
            ],
        ),
        block(
            2,
            vec![
                ev(0, &m, attest(0, &b, 1)),
                ev(1, &m, attest(0, &c, 2)),
                ev(2, &m, activate(0, &a, 60, 60)),
                ev(3, &m, weight(&a, 0, 60, 2)),
                ev(4, &m, attest(1, &a, 1)),
                ev(5, &m, attest(1, &c, 2)),
                ev(6, &m, activate(1, &b, 50, 50)),
                ev(7, &m, weight(&b, 0, 50, 2)),
                ev(8, &m, attest(2, &a, 1)),
                ev(9, &m, attest(2, &b, 2)),
                ev(10, &m, activate(2, &c, 30, 30)),
                ev(11, &m, weight(&c, 0, 30, 2)),
                ev(
                    12,
                    &m,
                    Event::TotalWeightChanged {
                        previous: Amount(0),
                        new: Amount(140),
                        block: 2,
                        expiring: vec![],
                    },
                ),
            ],
        ),
        block(
            3,
            vec![
                ev(0, &m, attest(3, &b, 1)),
                ev(1, &m, attest(3, &c, 2)),
                ev(2, &m, activate(3, &a, 40, 100)),
                ev(3, &m, weight(&a, 60, 100, 3)),
                ev(
                    4,
                    &m,
                    Event::TotalWeightChanged {
                        previous: Amount(140),
                        new: Amount(180),
                        block: 3,
                        expiring: vec![],
                    },
                ),
            ],
        ),
        block(
            5,
            vec![
                ev(
                    0,
                    &m,
                    Event::DelegateChanged {
                        delegator: c.clone(),
                        from_delegate: c.clone(),
                        to_delegate: a.clone(),
                        weight: Amount(30),
                    },
                ),
                ev(1, &m, weight(&c, 30, 0, 5)),
                ev(2, &m, weight(&a, 100, 130, 5)),
                ev(3, &g, propose(0, &a, 6, 11)),
                ev(4, &g, propose(5, &b, 6, 8)),
            ],
        ),
        block(
            7,
            vec![
                ev(0, &g, vote(0, &a, Support::For, 130, (130, 0, 0))),
                ev(1, &g, vote(0, &b, Support::Against, 50, (130, 50, 0))),
                ev(2, &g, vote(5, &b, Support::For, 50, (50, 0, 0))),
            ],
        ),
        block(
            9,
            vec![
                ev(0, &g, Event::ProposalQueued { id: 5, eta: 11 }),
                ev(
                    1,
                    &g,
                    Event::SummaryAttached {
                        id: 0,
                        summariser: g.clone(),
                        summary_hash: format!("0x{}", "5a".repeat(32)),
                        model_id: format!("0x{}", "3d".repeat(32)),
                    },
                ),
            ],
        ),
        block(
            12,
            vec![
                ev(0, &g, Event::ProposalQueued { id: 0, eta: 14 }),
                ev(1, &g, propose(3, &c, 13, 18)),
            ],
        ),
        block(
            14,
            vec![
                ev(0, &g, Event::ProposalExecuted { id: 0 }),
                ev(1, &g, propose(4, &b, 15, 20)),
            ],
        ),
        block(
            15,
            vec![ev(
                0,
                &g,
                Event::ProposalCanceled {
                    id: 4,
                    by: b.clone(),
                },
            )],
        ),
        block(
            24,
            vec![
                ev(0, &g, propose(1, &b, 25, 40)),
                ev(1, &g, propose(2, &a, 35, 45)),
            ],
        ),
        block(
            26,
            vec![ev(0, &g, vote(1, &b, Support::Abstain, 50, (0, 0, 50)))],
        ),
        block(
            27,
            vec![
                ev(
                    0,
                    &compute(),
                    Event::LimitsChanged {
                        limits: Limits {
                            outflow_cap: Amount(500),
                            epoch_blocks: 100,
                        },
                    },
                ),
                ev(
                    1,
                    &compute(),
                    Event::StewardChanged {
                        account: c.clone(),
                        steward: true,
                    },
                ),
                ev(
                    2,
                    &router(),
                    Event::SplitChanged {
                        split: Split {
                            compute_bps: 2000,
                            reserve_bps: 1000,
                        },
                        moved_this_epoch: 0,
                    },
                ),
            ],
        ),
        block(28, {
            let routed = |i| {
                ev(
                    i,
                    &router(),
                    Event::RoyaltyRouted {
                        work: 2,
                        creator: a.clone(),
                        payer: b.clone(),
                        amount: Amount(1000),
                        to_creator: Amount(700),
                        to_compute: Amount(200),
                        to_reserve: Amount(100),
                    },
                )
            };
            let spend = |id: u32, who: &str, amount: u128, expires_at: u32, tranches: u32| {
                Event::SpendApproved {
                    id,
                    beneficiary: who.to_owned(),
                    request: SpendRequest {
                        beneficiary: who.to_owned(),
                        amount: Amount(amount),
                        valid_from: 28,
                        expires_at,
                        purpose_hash: format!("0x{id:064x}"),
                        tranches,
                        tranche_interval: 1,
                        datasets: vec![],
                    },
                }
            };
            vec![
                routed(0),
                routed(1),
                ev(
                    2,
                    &router(),
                    Event::Forwarded {
                        fund: compute(),
                        amount: Amount(400),
                    },
                ),
                ev(
                    3,
                    &compute(),
                    Event::Received {
                        from: router(),
                        amount: Amount(400),
                    },
                ),
                ev(4, &compute(), spend(0, &b, 300, 200, 2)),
                ev(5, &compute(), spend(1, &a, 50, 29, 1)),
            ]
        }),
        block(
            29,
            vec![ev(
                0,
                &compute(),
                Event::PayoutMade {
                    id: 0,
                    beneficiary: b.clone(),
                    steward: c.clone(),
                    tranche: 0,
                    amount: Amount(150),
                    paid: Amount(150),
                    epoch_outflow: Amount(150),
                },
            )],
        ),
        // The provenance registry: a dataset Alice and Bob hold, Bob consenting, that Carol
        // disputes (so `/assets/{id}` has something to serve when the fuzz run serves this
        // store).
        block(
            30,
            vec![
                ev(
                    0,
                    &registry(),
                    Event::AssetRegistered {
                        id: 0,
                        content_hash: format!("0x{}", "da".repeat(32)),
                        asset: Asset {
                            kind: AssetKind::Dataset,
                            content_hash: format!("0x{}", "da".repeat(32)),
                            license: 1,
                            registrant: b.clone(),
                            holders: vec![b.clone(), a.clone()],
                            consenting: 0,
                        },
                    },
                ),
                ev(
                    1,
                    &registry(),
                    Event::ConsentChanged {
                        id: 0,
                        holder: b.clone(),
                        granted: true,
                        consenting: 1,
                        holders: 2,
                    },
                ),
                ev(
                    2,
                    &registry(),
                    Event::AssetDisputed {
                        id: 0,
                        claimant: c.clone(),
                        evidence: format!("0x{}", "ee".repeat(32)),
                    },
                ),
            ],
        ),
    ];
    store
        .put_contracts(&[
            ContractRow {
                address: compute(),
                role: "compute_fund".into(),
                artifact: "treasury".into(),
                block: 1,
            },
            ContractRow {
                address: router(),
                role: "royalty_router".into(),
                artifact: "royalty_router".into(),
                block: 1,
            },
        ])
        .await
        .unwrap();
    for b in &blocks {
        store.apply_block(b).await.unwrap();
    }
    // alice's account, as the indexer records it: an Ethereum-derived id (her H160 and
    // twelve 0xEE bytes), so that its SS58 text maps back to her address
    store
        .put_accounts(&[(alice(), alice_account_id(), 1)])
        .await
        .unwrap();
    store
        .put_summary(&Summary {
            proposal_id: 0,
            text: "Funds the GPU cluster for round 0.".into(),
            hash: format!("0x{}", "5a".repeat(32)),
            model_id: "all-MiniLM-L6-v2@3d3d".into(),
        })
        .await
        .unwrap();
    for (id, quality, spam) in [
        (1, 0.42, false),
        (2, 0.91, false),
        (3, 0.42, false),
        (4, 0.99, true),
    ] {
        store
            .put_work(&Work {
                id,
                creator: if id % 2 == 0 { alice() } else { bob() },
                title: format!("Work {id}"),
                prompt: "a fox at dawn".into(),
                description: "watercolour".into(),
                tags: vec!["animal".into()],
                image_hash: None,
                block: 20 + id,
                event_index: 0,
            })
            .await
            .unwrap();
        store
            .put_score(&CurationScore {
                work_id: id,
                originality: 0.5,
                near_duplicate: false,
                copy_of: None,
                nearest: (id > 1).then_some(1),
                nearest_cosine: (id > 1).then_some(0.5),
                style: Some("watercolour".into()),
                spam: if spam { 0.9 } else { 0.1 },
                is_spam: spam,
                quality,
                components: r#"{"descriptiveness":0.8}"#.into(),
                model_id: "m".into(),
            })
            .await
            .unwrap();
    }
}
