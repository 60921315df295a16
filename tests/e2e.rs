//! End to end on a real local chain: the project's runtime served by Chopsticks
//! (`scripts/chain.sh`, its own port and state folder), the DAO deployed with subxt from the
//! committed artifacts, then governance and money flows driven through the CLI's library,
//! checking on-chain state after every step.

mod common;

use std::time::Duration;

use atelier::{
    dao::{CallError, DaoClient},
    deploy::{self, DeployConfig},
    wallet::keypair,
};
use atelier_abi::{
    governor::{self, ProposalState, Support},
    membership, provenance, royalty_router, treasury, ContractError, H160, UNIT,
};
use atelier_chain::client::{BackendKind, Chain, ClientError};
use common::{addr, dev, stores, LocalChain};
use subxt_signer::sr25519::Keypair;

async fn with_timeout<T>(f: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(600), f)
        .await
        .expect("the end-to-end flow finished within 10 minutes")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dao_deployed_on_a_local_chain_governs_routes_royalties_and_pays_out() {
    let local = LocalChain::start("flow");
    with_timeout(flow(&local.url)).await;
}

async fn flow(url: &str) {
    let chain = Chain::connect(url, BackendKind::Legacy)
        .await
        .expect("connects");
    // A chain without the pallet the client needs is refused with a sentence. This chain has
    // pallet-revive, so the check is exercised with pallet-contracts, which it lacks.
    let err = Chain::connect_requiring(url, BackendKind::Legacy, "Contracts")
        .await
        .map(|_| ())
        .unwrap_err();
    assert!(matches!(err, ClientError::MissingPallet { .. }), "{err}");
    assert!(err.to_string().contains("no pallet `Contracts`"), "{err}");
    let [alice, bob, eve, ferdie] = ["Alice", "Bob", "Eve", "Ferdie"].map(dev);

    // deploy, and find the deployment again instead of deploying twice
    let deployment = deploy::deploy(&chain, &alice, &DeployConfig::dev(), |s| eprintln!("{s}"))
        .await
        .expect("deploys");
    let file = std::env::temp_dir().join(format!(
        "atelier-e2e-deployment-{}.json",
        std::process::id()
    ));
    deployment.save(&file).unwrap();
    let found = deploy::existing(&chain, &alice, &file).await;
    assert_eq!(found.as_ref(), Some(&deployment));
    let dao = DaoClient::new(chain.clone(), deployment).unwrap();
    let governor = H160(dao.deployment.address("governor"));
    let gov_of = |role: &'static str| {
        let dao = &dao;
        let alice = &alice;
        async move {
            // the four share the message: one builder stands for each contract's own
            let message = match role {
                "membership" => membership::messages::governance(),
                "royalty_router" => royalty_router::messages::governance(),
                _ => treasury::messages::governance(),
            };
            dao.read(alice, role, message).await.unwrap()
        }
    };
    for role in [
        "membership",
        "compute_fund",
        "community_reserve",
        "royalty_router",
    ] {
        assert_eq!(
            gov_of(role).await,
            Some(governor),
            "{role} is governed by the governor"
        );
    }

    // the demo DAO, seeded through the wallet's calls
    let seeded = atelier::seed::seed(&dao, |s| eprintln!("{s}"))
        .await
        .expect("seeds");
    for (id, expected) in [
        (seeded.executed, ProposalState::Executed),
        (seeded.defeated, ProposalState::Defeated),
        (seeded.open, ProposalState::Active),
    ] {
        let state = dao
            .read(&alice, "governor", governor::messages::state(id))
            .await
            .unwrap();
        assert_eq!(state, Ok(expected), "proposal #{id}");
    }
    let bob_votes = dao
        .read(
            &alice,
            "membership",
            membership::messages::votes(addr(&bob)),
        )
        .await
        .unwrap();
    assert_eq!(bob_votes, 40, "Bob's 30 plus Dave's delegated 10");
    let compute = dao.deployment.address("compute_fund");
    let router = dao.deployment.address("royalty_router");
    assert_eq!(
        chain.balance(compute).await.unwrap(),
        200 * UNIT - seeded.paid
    );
    assert_eq!(seeded.paid, 150 * UNIT);
    assert_eq!(
        chain.balance(router).await.unwrap(),
        0,
        "everything forwarded or withdrawn"
    );
    let spend = dao
        .read(&alice, "compute_fund", treasury::messages::spend(0))
        .await
        .unwrap();
    assert_eq!(spend.map(|s| s.paid), Some(150 * UNIT));

    // bad input: each a clear error that changes nothing
    let unknown_work = royalty_router::messages::route(99);
    let ratio = chain.native_to_eth_ratio().unwrap();
    let err = dao
        .send(&ferdie, "royalty_router", unknown_work, UNIT / ratio)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, CallError::Contract { name, .. }
            if name == royalty_router::Error::UnknownWork.name()),
        "{err}"
    );
    assert_eq!(chain.balance(router).await.unwrap(), 0);
    let closed = dao
        .send(
            &eve,
            "governor",
            governor::messages::cast_vote(seeded.defeated, Support::For, None),
            0,
        )
        .await;
    assert!(
        matches!(&closed, Err(CallError::Contract { name, .. })
            if name == governor::Error::VotingNotOpen.name()),
        "{closed:?}"
    );
    dao.send(
        &bob,
        "governor",
        governor::messages::cast_vote(seeded.open, Support::For, None),
        0,
    )
    .await
    .expect("voted");
    let twice = dao
        .send(
            &bob,
            "governor",
            governor::messages::cast_vote(seeded.open, Support::Against, None),
            0,
        )
        .await;
    assert!(
        matches!(&twice, Err(CallError::Contract { name, .. })
            if name == governor::Error::AlreadyVoted.name()),
        "{twice:?}"
    );
    let p = dao
        .read(
            &alice,
            "governor",
            governor::messages::proposal(seeded.open),
        )
        .await
        .unwrap();
    assert_eq!(p.map(|p| (p.for_votes, p.against_votes)), Some((40, 0)));
    // an unknown, unfunded account cannot act
    let nobody = keypair(Some("//Nobody"), None).unwrap();
    let before = dao
        .read(
            &alice,
            "membership",
            membership::messages::contribution_count(),
        )
        .await
        .unwrap();
    let unfunded = dao
        .send(
            &nobody,
            "membership",
            membership::messages::record_contribution(0, [99u8; 32]),
            0,
        )
        .await;
    assert!(
        unfunded.is_err(),
        "an unfunded account's transaction must fail"
    );
    let after = dao
        .read(
            &alice,
            "membership",
            membership::messages::contribution_count(),
        )
        .await
        .unwrap();
    assert_eq!(before, after);
    // a malformed description file, through the CLI
    let chain_args = atelier::cli::ChainArgs {
        url: Some(url.to_owned()),
        deployment: file.clone(),
        json: false,
    };
    let missing = std::env::temp_dir().join("atelier-e2e-no-such-description.md");
    let empty = std::env::temp_dir().join(format!("atelier-e2e-empty-{}.md", std::process::id()));
    std::fs::write(&empty, "  \n").unwrap();
    for (description, expected) in [
        (missing, "cannot read the description file"),
        (empty, "is empty"),
    ] {
        let cmd = atelier::cli::ChainCommand::Propose {
            chain: chain_args.clone(),
            key: atelier::cli::KeyArgs {
                suri: Some("//Charlie".into()),
                key_file: None,
            },
            description,
            grant_to: Some("//One".into()),
            amount: Some("1".into()),
            category: None,
        };
        let err = atelier::cli::run(cmd, &mut Vec::new()).await.unwrap_err();
        assert!(err.to_string().contains(expected), "{err}");
    }
    let count = dao
        .read(&alice, "governor", governor::messages::proposal_count())
        .await
        .unwrap();
    assert_eq!(
        count,
        seeded.open + 1,
        "no proposal was created by the bad input"
    );

    // provenance through the CLI (audit M-2 of #16): Charlie registers a dataset held with
    // Dave, Dave consents, Eve disputes it; Eve cannot register someone else's content
    let key = |suri: &str| atelier::cli::KeyArgs {
        suri: Some(suri.into()),
        key_file: None,
    };
    let data = std::env::temp_dir().join(format!("atelier-e2e-dataset-{}.csv", std::process::id()));
    std::fs::write(&data, "prompt,image\na fox,fox.png\n").unwrap();
    let assets_before = dao
        .read(&alice, "provenance", provenance::messages::asset_count())
        .await
        .unwrap();
    let cli = |cmd| async move {
        let mut out = Vec::new();
        atelier::cli::run(cmd, &mut out)
            .await
            .map(|()| String::from_utf8(out).unwrap())
    };
    let register = |suri: &str, holders: &[&str]| {
        atelier::cli::ChainCommand::Asset(atelier::cli::AssetCommand::Register {
            chain: chain_args.clone(),
            key: key(suri),
            file: data.clone(),
            kind: atelier::cli::AssetKindArg::Dataset,
            license: 3,
            holders: holders.iter().map(|h| (*h).to_owned()).collect(),
        })
    };
    let refused = cli(register("//Eve", &["//Charlie"])).await.unwrap_err();
    assert!(
        refused.to_string().contains("registrant not holder"),
        "{refused}"
    );
    let said = cli(register("//Charlie", &["//Charlie", "//Dave"]))
        .await
        .unwrap();
    let asset = assets_before;
    assert!(
        said.contains(&format!("asset #{asset} registered")),
        "{said}"
    );
    cli(atelier::cli::ChainCommand::Asset(
        atelier::cli::AssetCommand::Consent {
            chain: chain_args.clone(),
            key: key("//Dave"),
            id: asset,
            revoke: false,
        },
    ))
    .await
    .unwrap();
    let said = cli(atelier::cli::ChainCommand::Asset(
        atelier::cli::AssetCommand::Dispute {
            chain: chain_args.clone(),
            key: key("//Eve"),
            id: asset,
            evidence: data.clone(),
        },
    ))
    .await
    .unwrap();
    assert!(said.contains("consent is suspended"), "{said}");
    let _ = std::fs::remove_file(&data);
    let dispute = dao
        .read(
            &alice,
            "provenance",
            provenance::messages::dispute_of(asset),
        )
        .await
        .unwrap()
        .expect("the dispute is open");
    assert_eq!(dispute.claimant, addr(&eve));
    assert_eq!(
        dao.read(&alice, "provenance", provenance::messages::asset_count())
            .await
            .unwrap(),
        assets_before + 1,
        "the refused registration stored nothing"
    );

    // the indexer mirrors the chain into SQLite and PostgreSQL; the store agrees with the
    // contracts' own answers
    let bob_hex = format!("0x{}", hex::encode(addr(&bob).0));
    let p = dao
        .read(
            &alice,
            "governor",
            governor::messages::proposal(seeded.open),
        )
        .await
        .unwrap();
    let open = p.expect("open proposal");
    for db in stores().await {
        let mut ix = atelier::cli::indexer(&chain_args, &db, None)
            .await
            .expect("indexer opens");
        let (_tx, stop) = tokio::sync::watch::channel(false);
        let first = ix.sync_to_head(&stop).await.expect("indexes");
        assert!(first.events > 0, "{db}: {first:?}");
        let (head, _) = chain.head().await.unwrap();
        assert_eq!(first.cursor, head, "{db}");
        let store = ix.store();
        let seen = store
            .chain_head()
            .await
            .unwrap()
            .expect("chain head recorded");
        assert_eq!(
            (seen.block, seen.finality.as_str(), seen.evm_chain_id),
            (head as i64, "finalized", Some(420_420_420)),
            "{db}: the runtime's Revive::ChainId"
        );
        assert_eq!(
            store.member_votes(&bob_hex).await.unwrap().as_deref(),
            Some("40"),
            "{db}"
        );
        // the member's Substrate account, read from pallet-revive's OriginalAccount map:
        // Bob's own public key, so the API can show the SS58 his wallet shows
        let bob_row = store
            .member(&bob_hex)
            .await
            .unwrap()
            .expect("Bob is a member");
        assert_eq!(
            bob_row.account_id,
            Some(format!("0x{}", hex::encode(bob.public_key().0))),
            "{db}"
        );
        // the executed grant's action, read by the indexer as the Compute Fund's message
        let grant = store
            .proposal(i64::from(seeded.executed))
            .await
            .unwrap()
            .expect("the executed proposal is indexed");
        let call = grant.actions[0].call.as_ref().expect("its action decoded");
        assert_eq!(
            (call.contract.as_str(), call.message.as_str()),
            ("treasury", "approve_spend"),
            "{db}"
        );
        assert!(call.args.contains_key("request"), "{db}: {call:?}");
        // events carry their block's time (Timestamp::Now), which time filters read
        let first = store.first_block_from(0).await.unwrap();
        assert!(first.is_some(), "{db}: no event stored with a time");
        let (members, _, proposals, votes) = store.governance_counts().await.unwrap();
        assert_eq!(
            (members, proposals),
            (4, i64::from(seeded.open) + 1),
            "{db}"
        );
        assert!(votes >= 3, "{db}: {votes} votes");
        let tallies = store
            .proposal_tallies(i64::from(seeded.open))
            .await
            .unwrap();
        let expected = (
            open.for_votes.to_string(),
            open.against_votes.to_string(),
            open.abstain_votes.to_string(),
        );
        assert_eq!(tallies, Some(expected), "{db}");
        // the registry as the CLI left it: holders, Dave's consent, Eve's open dispute
        let row = store
            .asset(i64::from(asset))
            .await
            .unwrap()
            .expect("the asset is indexed");
        let hex = |k: &subxt_signer::sr25519::Keypair| format!("0x{}", hex::encode(addr(k).0));
        assert_eq!(
            (row.kind.as_str(), row.license, row.consenting),
            ("Dataset", 3, 1),
            "{db}"
        );
        assert_eq!(row.disputed_by, Some(hex(&eve)), "{db}");
        assert_eq!(row.holders.len(), 2, "{db}");
        funds_match(&dao, &alice, &chain, store, &db).await;
        // a restart resumes from the stored cursor: nothing is stored twice
        let mut again = atelier::cli::indexer(&chain_args, &db, None).await.unwrap();
        let second = again.sync_to_head(&stop).await.unwrap();
        assert_eq!(second.blocks, 0, "{db}: {second:?}");
    }
}

/// The store's funds tables against the contracts' own answers: the Compute Fund's balance,
/// limits, remaining outflow, stewards and every spend; the router's works, split and every
/// creator's withdrawable balance.
async fn funds_match(
    dao: &DaoClient,
    alice: &Keypair,
    chain: &Chain,
    store: &atelier_store::Store,
    db: &str,
) {
    let hex0x = |a: [u8; 20]| format!("0x{}", hex::encode(a));
    let compute = dao.deployment.address("compute_fund");
    let f = store
        .fund(&hex0x(compute))
        .await
        .unwrap()
        .expect("fund indexed");
    assert_eq!(f.role.as_deref(), Some("compute_fund"), "{db}");
    assert_eq!(f.balance.0, chain.balance(compute).await.unwrap(), "{db}");
    let limits = dao
        .read(alice, "compute_fund", treasury::messages::limits())
        .await
        .unwrap();
    assert_eq!(f.outflow_cap.map(|a| a.0), Some(limits.outflow_cap), "{db}");
    let epoch_outflow = dao
        .read(alice, "compute_fund", treasury::messages::epoch_outflow())
        .await
        .unwrap();
    let (head, _) = chain.head().await.unwrap();
    assert_eq!(
        f.remaining_outflow_at(i64::try_from(head).unwrap())
            .unwrap()
            .map(|a| a.0),
        Some(limits.outflow_cap - epoch_outflow),
        "{db}"
    );
    assert!(!f.stewards.is_empty(), "{db}");
    for s in &f.stewards {
        let account = H160::from_slice(&hex::decode(&s[2..]).unwrap());
        let on_chain = dao
            .read(
                alice,
                "compute_fund",
                treasury::messages::is_steward(account),
            )
            .await
            .unwrap();
        assert!(on_chain, "{db}: {s} is a steward");
    }
    let count = dao
        .read(alice, "compute_fund", treasury::messages::spend_count())
        .await
        .unwrap();
    let spends = store
        .spends(&atelier_store::read::SpendQuery {
            fund: Some(hex0x(compute)),
            limit: 1000,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(spends.len(), count as usize, "{db}");
    for s in &spends {
        let id = u32::try_from(s.id).unwrap();
        let on_chain = dao
            .read(alice, "compute_fund", treasury::messages::spend(id))
            .await
            .unwrap()
            .expect("spend on chain");
        assert_eq!(
            (
                s.paid.0,
                s.tranches_paid,
                s.status == atelier_store::SpendStatus::Voided,
                s.amount.0
            ),
            (
                on_chain.paid,
                i64::from(on_chain.tranches_paid),
                on_chain.voided,
                on_chain.request.amount
            ),
            "{db}: spend {}",
            s.id
        );
    }
    let works = dao
        .read(
            alice,
            "royalty_router",
            royalty_router::messages::work_count(),
        )
        .await
        .unwrap();
    assert_eq!(
        store.worker_counts().await.unwrap().works,
        i64::try_from(works).unwrap(),
        "{db}"
    );
    let split = dao
        .read(alice, "royalty_router", royalty_router::messages::split())
        .await
        .unwrap();
    let (_, compute_bps, reserve_bps, _) =
        store.router_split().await.unwrap().expect("split indexed");
    assert_eq!(
        (compute_bps, reserve_bps),
        (i64::from(split.compute_bps), i64::from(split.reserve_bps)),
        "{db}"
    );
    let creators = store
        .royalty_totals("creator", None, None, 1000)
        .await
        .unwrap();
    assert!(!creators.is_empty(), "{db}: royalties were routed");
    for t in creators {
        let account = H160::from_slice(&hex::decode(&t.key[2..]).unwrap());
        let owed = dao
            .read(
                alice,
                "royalty_router",
                royalty_router::messages::balance_of(account),
            )
            .await
            .unwrap();
        let stored = t.to_creator.0 - t.withdrawn.0;
        assert_eq!(stored, owed, "{db}: creator {}", t.key);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_url_is_a_clear_error() {
    let err = Chain::connect("ws://127.0.0.1:9", BackendKind::Legacy)
        .await
        .map(|_| ())
        .unwrap_err();
    assert!(matches!(err, ClientError::Connect { .. }), "{err}");
    assert!(err.to_string().contains("127.0.0.1:9"), "{err}");
}
