//! End to end on a real local chain: the project's runtime served by Chopsticks
//! (`scripts/chain.sh`, its own port and state folder), the DAO deployed with subxt from the
//! committed artifacts, then governance and money flows driven through the CLI's library,
//! checking on-chain state after every step.

use std::{path::PathBuf, process::Command, time::Duration};

use atelier::{
    dao::{CallError, DaoClient},
    deploy::{self, DeployConfig},
    wallet::keypair,
};
use atelier_chain::client::{BackendKind, Chain, ClientError};
use atelier_sandbox::{
    dao::{ProposalState, Support},
    funds::{SpendRequest, UNIT},
    sp_core::H160,
};
use subxt_signer::sr25519::Keypair;

/// Native units per contract unit (pallet-revive's NATIVE_TO_ETH_RATIO).
const RATIO: u128 = atelier_sandbox::NATIVE_TO_ETH_RATIO as u128;

/// A chain started for one test and stopped when dropped.
struct LocalChain {
    dir: PathBuf,
    url: String,
}

fn script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scripts/chain.sh")
}

impl LocalChain {
    fn start(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("atelier-e2e-{name}-{}", std::process::id()));
        let out = Command::new(script())
            .args(["start", "--dir"])
            .arg(&dir)
            .output()
            .expect("scripts/chain.sh runs");
        assert!(
            out.status.success(),
            "the local chain did not start: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let url = String::from_utf8(out.stdout).unwrap().trim().to_owned();
        Self { dir, url }
    }
}

impl Drop for LocalChain {
    fn drop(&mut self) {
        let _ = Command::new(script()).args(["stop", "--dir"]).arg(&self.dir).output();
    }
}

fn dev(name: &str) -> Keypair {
    keypair(Some(&format!("//{name}")), None).unwrap()
}

fn addr(k: &Keypair) -> H160 {
    H160(Chain::address_of(k))
}

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
    let chain = Chain::connect(url, BackendKind::Legacy).await.expect("connects");
    let [alice, bob, charlie, dave, eve, ferdie] =
        ["Alice", "Bob", "Charlie", "Dave", "Eve", "Ferdie"].map(dev);

    // deploy, and find the deployment again instead of deploying twice
    let deployment = deploy::deploy(&chain, &alice, &DeployConfig::dev(), |s| eprintln!("{s}"))
        .await
        .expect("deploys");
    let file = std::env::temp_dir().join(format!("atelier-e2e-deployment-{}.json", std::process::id()));
    deployment.save(&file).unwrap();
    let found = deploy::existing(&chain, &alice, &file).await;
    assert_eq!(found.as_ref(), Some(&deployment));
    let dao = DaoClient::new(chain.clone(), deployment).unwrap();
    let governor = H160(dao.deployment.address("governor"));
    let gov_of = |role: &'static str| {
        let dao = &dao;
        let alice = &alice;
        async move { dao.read::<Option<H160>>(alice, role, "governance", ()).await.unwrap() }
    };
    for role in ["membership", "compute_fund", "community_reserve", "royalty_router"] {
        assert_eq!(gov_of(role).await, Some(governor), "{role} is governed by the governor");
    }

    // members: Bob (dataset 30) and Eve (model 40), each attested by two attestors
    for (member, category, evidence, attestors) in [
        (&bob, 0u32, [1u8; 32], [&alice, &charlie]),
        (&eve, 1, [2; 32], [&alice, &bob]),
    ] {
        let (id, included): (u64, _) = dao
            .send_for(member, "membership", "record_contribution", (category, evidence), 0)
            .await
            .expect("recorded");
        assert!(!included.events.is_empty(), "ContributionRecorded emitted");
        for a in attestors {
            dao.send(a, "membership", "attest", id, 0).await.expect("attested");
        }
    }
    let bob_weight: u128 = dao.read(&alice, "membership", "weight_of", addr(&bob)).await.unwrap();
    assert_eq!(bob_weight, 30);

    // a royalty: Bob registers a work, Ferdie pays 1,000 units, anyone forwards
    let metadata = atelier_sandbox::funds::metadata(1);
    dao.send(&bob, "royalty_router", "register_work", ([9u8; 32], metadata, 7_000u32), 0)
        .await
        .expect("work registered");
    let compute = dao.deployment.address("compute_fund");
    dao.send(&ferdie, "royalty_router", "route", 0u64, 1_000 * UNIT / RATIO)
        .await
        .expect("royalty routed");
    dao.send(&dave, "royalty_router", "forward", (), 0).await.expect("forwarded");
    assert_eq!(chain.balance(compute).await.unwrap(), 200 * UNIT);
    // an unknown work is refused with a sentence, and nothing is taken
    let err = dao
        .send(&ferdie, "royalty_router", "route", 99u64, UNIT / RATIO)
        .await
        .unwrap_err();
    assert!(matches!(&err, CallError::Contract { name, .. } if name == "UnknownWork"), "{err}");

    // a proposal approving a grant from the Compute Fund, voted through and executed
    let grantee = dev("One");
    chain.dev_new_blocks(1).await.unwrap();
    let (now, _) = chain.head().await.unwrap();
    let request = SpendRequest::single(addr(&grantee), 150 * UNIT, now as u32 + 1_000);
    let artifact = atelier_sandbox::Artifact::load("treasury").unwrap();
    let action = atelier_sandbox::dao::Action {
        target: H160(compute),
        selector: artifact.entry("approve_spend").unwrap().selector,
        input: codec::Encode::encode(&request),
        value: 0,
    };
    dao.send(&bob, "governor", "propose", (vec![action], "Grant GPU hours".to_owned()), 0)
        .await
        .expect("proposed");
    let id = 0u32;
    // voting opens after the snapshot
    let early = dao.send(&eve, "governor", "cast_vote", (id, Support::For, Option::<String>::None), 0).await;
    assert!(matches!(&early, Err(CallError::Contract { name, .. }) if name == "VotingNotOpen"), "{early:?}");
    chain.dev_new_blocks(2).await.unwrap();
    for voter in [&bob, &eve] {
        dao.send(voter, "governor", "cast_vote", (id, Support::For, Some("compute matters".to_owned())), 0)
            .await
            .expect("voted");
    }
    let twice = dao.send(&bob, "governor", "cast_vote", (id, Support::For, Option::<String>::None), 0).await;
    assert!(matches!(&twice, Err(CallError::Contract { name, .. }) if name == "AlreadyVoted"), "{twice:?}");
    chain.dev_new_blocks(11).await.unwrap();
    let state: Result<ProposalState, CallError> = read_result(&dao, &alice, "state", id).await;
    assert_eq!(state.unwrap(), ProposalState::Succeeded);
    dao.send(&eve, "governor", "queue", id, 0).await.expect("queued");
    chain.dev_new_blocks(1).await.unwrap();
    dao.send(&eve, "governor", "execute", id, 0).await.expect("executed");

    // the steward pays the approved grant; the grantee's balance changes by exactly that
    let before = chain.balance(Chain::address_of(&grantee)).await.unwrap();
    dao.send(&charlie, "compute_fund", "payout", 0u32, 0).await.expect("paid");
    let after = chain.balance(Chain::address_of(&grantee)).await.unwrap();
    assert_eq!(after - before, 150 * UNIT);
    assert_eq!(chain.balance(compute).await.unwrap(), 50 * UNIT);
}

/// Reads a message returning `Result<T, Error>`.
async fn read_result<T: codec::Decode>(
    dao: &DaoClient,
    reader: &Keypair,
    label: &str,
    id: u32,
) -> Result<T, CallError> {
    let r: Result<T, u8> = dao.read(reader, "governor", label, id).await?;
    r.map_err(|e| CallError::Usage(format!("error {e}")))
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
