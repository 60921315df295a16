//! Seeds a believable demo DAO on a freshly deployed chain, through the same calls the CLI
//! wallet makes: members with attested contributions and a delegation, a work with a royalty
//! routed and forwarded to the funds, a dataset registered with its holder's consent and a
//! model whose registration is disputed, a grant proposal voted through and executed (its
//! grant paid by a steward, its bounty left for one to pay), one proposal defeated and one
//! left open for voting.

use atelier_abi::{
    common::SpendRequest,
    governor::{self, Action, Support},
    membership, provenance, royalty_router, treasury, Message, H160, UNIT,
};
use atelier_chain::client::Chain;
use subxt_signer::sr25519::Keypair;

use crate::{
    dao::{CallError, DaoClient},
    wallet::dev,
};

/// What the seeding left on chain, for the caller to print or check.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Seeded {
    /// Proposal executed (a Compute Fund grant).
    pub executed: u32,
    /// Proposal defeated (no quorum).
    pub defeated: u32,
    /// Proposal still open for voting.
    pub open: u32,
    /// The royalty routed (contract units).
    pub royalty: u128,
    /// What the steward paid the grantee (contract units).
    pub paid: u128,
}

fn addr(k: &Keypair) -> H160 {
    H160(Chain::address_of(k))
}

/// A proposal action calling `message` of the deployment's `role`.
///
/// # Errors
/// `Usage` when the deployment has no `role`.
pub fn action<R>(dao: &DaoClient, role: &str, message: Message<R>) -> Result<Action, CallError> {
    if !dao.deployment.contracts.contains_key(role) {
        return Err(CallError::Usage(format!(
            "no contract `{role}` in the deployment"
        )));
    }
    Ok(Action::calling(
        H160(dao.deployment.address(role)),
        &message,
    ))
}

/// Seeds the demo DAO on a dev chain (it builds blocks with `dev_newBlock` to move through
/// voting periods), reporting each step to `progress`.
///
/// # Errors
/// The first call that fails, as a sentence.
pub async fn seed(dao: &DaoClient, mut progress: impl FnMut(&str)) -> Result<Seeded, CallError> {
    let [alice, bob, charlie, dave, eve, ferdie, one] =
        ["Alice", "Bob", "Charlie", "Dave", "Eve", "Ferdie", "One"].map(dev);
    let chain = &dao.chain;
    for (member, name, category, what, n, attestors) in [
        (&bob, "Bob", 0u32, "a dataset", 1u8, [&alice, &charlie]),
        (&eve, "Eve", 1, "a fine-tuned model", 2, [&alice, &bob]),
        (&dave, "Dave", 2, "documentation", 3, [&alice, &bob]),
        (&charlie, "Charlie", 3, "curation work", 4, [&alice, &bob]),
    ] {
        let (id, _) = dao
            .send(
                member,
                "membership",
                membership::messages::record_contribution(category, [n; 32]),
                0,
            )
            .await?;
        for a in attestors {
            dao.send(a, "membership", membership::messages::attest(id), 0)
                .await?;
        }
        progress(&format!(
            "{name} contributed {what} (#{id}), attested 2 of 3"
        ));
    }
    dao.send(
        &dave,
        "membership",
        membership::messages::delegate(addr(&bob)),
        0,
    )
    .await?;
    progress("Dave delegated his weight to Bob");

    let router = "royalty_router";
    dao.send(
        &bob,
        router,
        royalty_router::messages::register_work(
            [7u8; 32],
            royalty_router::WorkMetadata::sample(1),
            7_000,
        ),
        0,
    )
    .await?;
    let royalty = 1_000 * UNIT;
    let native = royalty / chain.native_to_eth_ratio()?;
    dao.send(&ferdie, router, royalty_router::messages::route(0), native)
        .await?;
    dao.send(&dave, router, royalty_router::messages::forward(), 0)
        .await?;
    dao.send(&bob, router, royalty_router::messages::withdraw(), 0)
        .await?;
    progress("Bob registered work #0; a sale paid a royalty of 1,000 units, split and forwarded");

    let registry = "provenance";
    let (dataset, _) = dao
        .send(
            &bob,
            registry,
            provenance::messages::register(
                provenance::AssetKind::Dataset,
                [0xda; 32],
                1,
                vec![addr(&bob)],
            ),
            0,
        )
        .await?;
    dao.send(
        &bob,
        registry,
        provenance::messages::grant_consent(dataset),
        0,
    )
    .await?;
    let (model, _) = dao
        .send(
            &eve,
            registry,
            provenance::messages::register(
                provenance::AssetKind::Model,
                [0xe0; 32],
                1,
                vec![addr(&eve)],
            ),
            0,
        )
        .await?;
    dao.send(
        &ferdie,
        registry,
        provenance::messages::dispute(model, [0xfe; 32]),
        0,
    )
    .await?;
    progress(&format!(
        "Bob registered his dataset (asset #{dataset}) and consented to its use; Eve registered \
         her model (asset #{model}), which Ferdie disputes"
    ));

    chain.dev_new_blocks(1).await?;
    let (now, _) = chain.head().await?;
    let expires = u32::try_from(now)
        .unwrap_or(u32::MAX)
        .saturating_add(10_000);
    let grant = SpendRequest::single(addr(&one), 150 * UNIT, expires);
    let approve = action(
        dao,
        "compute_fund",
        treasury::messages::approve_spend(grant),
    )?;
    // A second spend, approved by the same proposal and left for a steward to pay (what the
    // web app's steward page shows).
    let bounty = SpendRequest::single(addr(&ferdie), 40 * UNIT, expires);
    let approve_bounty = action(
        dao,
        "compute_fund",
        treasury::messages::approve_spend(bounty),
    )?;
    let (executed, _) = dao
        .send(
            &bob,
            "governor",
            governor::messages::propose(vec![approve, approve_bounty], "# GPU hours for the style model\n\nGrant 150 units from the Compute Fund for one training run, and a 40-unit bounty for curating its dataset.".to_owned()),
            0,
        )
        .await?;
    let category = action(dao, "membership", membership::messages::set_category(9, 15))?;
    let (defeated, _) = dao
        .send(
            &eve,
            "governor",
            governor::messages::propose(
                vec![category],
                "# A category for prompt engineering\n\nCount prompt libraries as contributions."
                    .to_owned(),
            ),
            0,
        )
        .await?;
    progress(&format!(
        "Bob proposed #{executed} (a grant), Eve proposed #{defeated} (a new category)"
    ));
    chain.dev_new_blocks(2).await?;
    for (voter, support, reason) in [
        (
            &bob,
            Support::For,
            "compute grants are what the fund is for",
        ),
        (&charlie, Support::For, "the model card is thorough"),
    ] {
        dao.send(
            voter,
            "governor",
            governor::messages::cast_vote(executed, support, Some(reason.to_owned())),
            0,
        )
        .await?;
    }
    progress(&format!("Bob (with Dave's delegation) and Charlie voted For #{executed}; nobody voted on #{defeated}"));
    chain.dev_new_blocks(11).await?;
    dao.send(&eve, "governor", governor::messages::queue(executed), 0)
        .await?;
    chain.dev_new_blocks(1).await?;
    dao.send(&eve, "governor", governor::messages::execute(executed), 0)
        .await?;
    progress(&format!(
        "#{executed} queued and executed: the grant is approved in the Compute Fund"
    ));
    let (paid, _) = dao
        .send(&charlie, "compute_fund", treasury::messages::payout(0), 0)
        .await?;
    progress("steward Charlie paid the grant; the dataset bounty (spend #1) awaits a steward");

    let open_action = action(dao, "membership", membership::messages::set_category(10, 5))?;
    let (open, _) = dao
        .send(
            &charlie,
            "governor",
            governor::messages::propose(
                vec![open_action],
                "# A category for translations\n\nCount translated documentation.".to_owned(),
            ),
            0,
        )
        .await?;
    chain.dev_new_blocks(2).await?;
    progress(&format!("Charlie proposed #{open}; voting is open"));
    Ok(Seeded {
        executed,
        defeated,
        open,
        royalty,
        paid,
    })
}
