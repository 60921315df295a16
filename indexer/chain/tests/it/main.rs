//! Decoding real events: the governance scenario runs on the pallet-revive runtime and every
//! event the contracts emitted is decoded from the committed metadata by signature topic.

use atelier_abi::{governor::messages as gm, membership::messages as mm};
use atelier_chain::decode::{ContractEvents, Event};
use atelier_sandbox::{
    account,
    dao::{Dao, DaoConfig, Support},
    Outcome, Sandbox,
};

fn decoder(name: &str) -> ContractEvents {
    ContractEvents::new(name).unwrap()
}

/// A decoded event's domain form as JSON (what the store keeps and the API serves).
fn fields(d: &atelier_chain::decode::Decoded) -> serde_json::Value {
    serde_json::to_value(d.domain.as_ref().expect("a domain event")).unwrap()
}

fn decode_all(
    o: &Outcome,
    membership: &ContractEvents,
    governor: &ContractEvents,
    dao: &Dao,
) -> Vec<Event> {
    o.events
        .iter()
        .map(|e| {
            let d = if e.contract == dao.membership.address {
                membership
            } else {
                governor
            };
            let topics: Vec<[u8; 32]> = e.topics.iter().map(|t| t.0).collect();
            d.decode(&topics, &e.data).expect("decodes")
        })
        .collect()
}

#[test]
fn every_event_of_a_governance_round_decodes_by_signature_topic() {
    let (membership, governor) = (decoder("membership"), decoder("governor"));
    let mut sb = Sandbox::new();
    let dao = Dao::deploy(&mut sb, &account("alice"), DaoConfig::default()).unwrap();
    let bob = account("bob");
    // a contribution attested to activation
    let rec = dao.m(&mut sb, &bob, mm::record_contribution(0u32, [5u8; 32]));
    let events = decode_all(&rec, &membership, &governor, &dao);
    let Event::Decoded(d) = &events[0] else {
        panic!("{events:?}")
    };
    assert_eq!(d.event, "ContributionRecorded");
    assert_eq!(fields(d)["id"], 0);
    assert_eq!(fields(d)["category"], 0);
    assert_eq!(fields(d)["evidence"], format!("0x{}", "05".repeat(32)));
    let bob_addr = sb.address_of(&bob);
    assert_eq!(
        fields(d)["contributor"],
        format!("0x{}", hex::encode(bob_addr.0))
    );
    dao.m(&mut sb, &account("alice"), mm::attest(0u64));
    let act = dao.m(&mut sb, &account("charlie"), mm::attest(0u64));
    let names: Vec<String> = decode_all(&act, &membership, &governor, &dao)
        .into_iter()
        .map(|e| match e {
            Event::Decoded(d) => d.event,
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        names,
        [
            "ContributionAttested",
            "VotesChanged",
            "TotalWeightChanged",
            "ContributionActivated"
        ]
    );
    // a proposal with its full description, and a vote with a reason
    sb.advance(1);
    let action = Dao::action(&dao.membership, mm::set_category(9u32, 5u128));
    let created = dao.g(
        &mut sb,
        &bob,
        gm::propose(
            vec![action],
            "# Add a category\n\nPrompts count.".to_owned(),
        ),
    );
    let Event::Decoded(p) = &decode_all(&created, &membership, &governor, &dao)[0] else {
        panic!()
    };
    assert_eq!(p.event, "ProposalCreated");
    assert_eq!(
        fields(p)["description"],
        "# Add a category\n\nPrompts count."
    );
    assert!(
        fields(p)["actions"].to_string().contains("selector"),
        "{:?}",
        fields(p)["actions"]
    );
    dao.open_voting(&mut sb, 0);
    let vote = dao.vote(&mut sb, &bob, 0, Support::For, Some("yes"));
    let Event::Decoded(v) = &decode_all(&vote, &membership, &governor, &dao)[0] else {
        panic!()
    };
    assert_eq!(v.event, "VoteCast");
    assert_eq!(fields(v)["support"], "For");
    assert_eq!(fields(v)["weight"], "30");
    assert_eq!(fields(v)["reason"], "yes");
    assert_eq!(fields(v)["relayer"], serde_json::Value::Null);
}

#[test]
fn an_unknown_topic_is_reported_not_dropped_and_bad_data_is_an_error() {
    let governor = decoder("governor");
    let topic = [0xAB; 32];
    assert_eq!(
        governor.decode(&[topic], &[1, 2, 3]).unwrap(),
        Event::Unknown {
            contract: "governor".into(),
            topic: Some(topic)
        }
    );
    assert!(governor
        .labels()
        .contains(&atelier_abi::governor::events::VoteCast::LABEL));
    // the VoteCast topic with truncated data
    let vote_topic = atelier_abi::governor::events::VoteCast::SIGNATURE_TOPIC;
    assert!(governor.decode(&[vote_topic], &[0, 0]).is_err());
}

#[test]
fn every_event_of_a_full_round_reads_as_a_domain_event() {
    use atelier_types::{Event as Domain, Support as S};
    let (membership, governor) = (decoder("membership"), decoder("governor"));
    let mut sb = Sandbox::new();
    let dao = Dao::deploy(&mut sb, &account("alice"), DaoConfig::default()).unwrap();
    let mut outcomes = Vec::new();
    for (who, n) in [("bob", 1u8), ("eve", 2)] {
        outcomes.push(
            dao.m(
                &mut sb,
                &account(who),
                mm::record_contribution(1u32, [n; 32]),
            )
            .outcome,
        );
        let id = u64::from(n - 1);
        outcomes.push(dao.m(&mut sb, &account("alice"), mm::attest(id)).outcome);
        outcomes.push(dao.m(&mut sb, &account("charlie"), mm::attest(id)).outcome);
    }
    sb.advance(1);
    let bob_addr = sb.address_of(&account("bob"));
    outcomes.push(
        dao.m(&mut sb, &account("eve"), mm::delegate(bob_addr))
            .outcome,
    );
    sb.advance(1);
    let cap = atelier_sandbox::dao::MembershipSettings {
        member_cap: 777,
        ..dao.config.membership
    };
    outcomes.push(
        dao.g(
            &mut sb,
            &account("bob"),
            gm::propose(
                vec![Dao::action(&dao.membership, mm::set_settings(cap))],
                "x".to_owned(),
            ),
        )
        .outcome,
    );
    outcomes.push(
        dao.g(
            &mut sb,
            &account("dave"),
            gm::attach_summary(0u32, [1u8; 32], [2u8; 32]),
        )
        .outcome,
    );
    dao.open_voting(&mut sb, 0);
    outcomes.push(
        dao.vote(&mut sb, &account("bob"), 0, Support::For, None)
            .outcome,
    );
    dao.close_voting(&mut sb, 0);
    outcomes.push(dao.queue_and_execute(&mut sb, 0).outcome);
    let mut domain = Vec::new();
    for o in &outcomes {
        assert!(o.is_ok(), "{o:?}");
        for e in &o.events {
            let d = if e.contract == dao.membership.address {
                &membership
            } else {
                &governor
            };
            let topics: Vec<[u8; 32]> = e.topics.iter().map(|t| t.0).collect();
            let Event::Decoded(decoded) = d.decode(&topics, &e.data).unwrap() else {
                panic!("unknown event")
            };
            domain.push(decoded.domain.expect("a domain event"));
        }
    }
    assert!(domain.len() >= 15, "{domain:?}");
    assert!(domain
        .iter()
        .any(|e| matches!(e, Domain::VoteCast { support: S::For, weight, .. } if weight.0 == 80)));
    assert!(domain.iter().any(
        |e| matches!(e, Domain::MembershipSettingsChanged { member_cap, .. } if member_cap.0 == 777)
    ));
    assert!(domain
        .iter()
        .any(|e| matches!(e, Domain::ProposalCreated { actions, .. } if actions.len() == 1)));
    assert!(domain
        .iter()
        .any(|e| matches!(e, Domain::DelegateChanged { weight, .. } if weight.0 == 40)));
}

/// Applies the events of each call as a block of its own.
async fn mirror(
    store: &atelier_store::Store,
    sb_block: u32,
    o: &Outcome,
    dao: &Dao,
    decoders: (&ContractEvents, &ContractEvents),
) {
    let events = o
        .events
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let d = if e.contract == dao.membership.address {
                decoders.0
            } else {
                decoders.1
            };
            let topics: Vec<[u8; 32]> = e.topics.iter().map(|t| t.0).collect();
            let (name, event) = match d.decode(&topics, &e.data).unwrap() {
                Event::Decoded(x) => (Some(x.event.clone()), x.domain),
                Event::Unknown { .. } => (None, None),
            };
            atelier_store::RawEvent {
                event_index: i as i64,
                contract: format!("0x{}", hex::encode(e.contract.0)),
                name,
                topics: topics
                    .iter()
                    .map(|t| format!("0x{}", hex::encode(t)))
                    .collect(),
                data: format!("0x{}", hex::encode(&e.data)),
                event,
            }
        })
        .collect();
    // One call per block: the sandbox runs several calls in a block, so the block hash is
    // made unique per call.
    static CALL: std::sync::atomic::AtomicI64 = std::sync::atomic::AtomicI64::new(0);
    let n = CALL.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let b = atelier_store::BlockEvents {
        block: i64::from(sb_block),
        hash: format!("0x{n:064x}"),
        events,
        time: None,
    };
    store.apply_block(&b).await.unwrap();
}

#[tokio::test]
async fn the_stores_derived_tables_match_the_contracts_view() {
    let path = std::env::temp_dir().join(format!("atelier-chain-mirror-{}.db", std::process::id()));
    let _ = std::fs::remove_file(&path);
    let store = atelier_store::Store::open(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    let (membership, governor) = (decoder("membership"), decoder("governor"));
    let decoders = (&membership, &governor);
    let mut sb = Sandbox::new();
    let dao = Dao::deploy(&mut sb, &account("alice"), DaoConfig::default()).unwrap();
    let mut steps: Vec<Outcome> = Vec::new();
    for (who, cat, n) in [("bob", 0u32, 1u8), ("eve", 1, 2), ("dave", 2, 3)] {
        steps.push(
            dao.m(
                &mut sb,
                &account(who),
                mm::record_contribution(cat, [n; 32]),
            )
            .outcome,
        );
        let id = u64::from(n - 1);
        steps.push(dao.m(&mut sb, &account("alice"), mm::attest(id)).outcome);
        steps.push(dao.m(&mut sb, &account("charlie"), mm::attest(id)).outcome);
    }
    for o in steps.drain(..) {
        mirror(&store, sb.block(), &o, &dao, decoders).await;
    }
    sb.advance(1);
    let bob_addr = sb.address_of(&account("bob"));
    let o = dao.m(&mut sb, &account("eve"), mm::delegate(bob_addr));
    mirror(&store, sb.block(), &o, &dao, decoders).await;
    sb.advance(1);
    let action = Dao::action(&dao.membership, mm::set_category(9u32, 5u128));
    let o = dao.g(
        &mut sb,
        &account("bob"),
        gm::propose(vec![action], "# Nine".to_owned()),
    );
    mirror(&store, sb.block(), &o, &dao, decoders).await;
    dao.open_voting(&mut sb, 0);
    for (who, support) in [("bob", Support::For), ("dave", Support::Against)] {
        let o = dao.vote(&mut sb, &account(who), 0, support, None);
        mirror(&store, sb.block(), &o, &dao, decoders).await;
    }
    // then members' weights and the tallies in the store are the contracts' own
    for who in ["bob", "eve", "dave"] {
        let addr = sb.address_of(&account(who));
        let on_chain: u128 = dao.m(&mut sb, &account("alice"), mm::votes(addr)).value();
        let stored = store
            .member_votes(&format!("0x{}", hex::encode(addr.0)))
            .await
            .unwrap();
        assert_eq!(stored, Some(on_chain.to_string()), "{who}");
    }
    let p = dao.proposal(&mut sb, 0);
    let t = store.proposal_tallies(0).await.unwrap().unwrap();
    assert_eq!(
        t,
        (
            p.for_votes.to_string(),
            p.against_votes.to_string(),
            p.abstain_votes.to_string()
        )
    );
    let (members, contributions, proposals, votes) = store.governance_counts().await.unwrap();
    assert_eq!((contributions, proposals, votes), (3, 1, 2));
    assert!(members >= 3);
}
