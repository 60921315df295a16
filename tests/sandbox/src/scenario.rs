//! The governance scenario `atelier dev` runs: a DAO and its funds deployed from the
//! committed artifacts, members attested, a delegation, a royalty routed to a creator and the
//! two funds, a proposal (raise the member cap, approve a compute grant) with an anchored
//! summary, a direct vote and a signed ballot relayed by another account, queue and
//! execution, and a steward paying the approved grant. Every step is executed by
//! pallet-revive and printed.

use std::io::Write;

use categories::*;

use crate::{
    account,
    dao::{Dao, DaoConfig, MembershipSettings, ProposalState, Support},
    funds::{Funds, FundsConfig, SpendRequest, UNIT},
    sp_core::H160,
    Sandbox,
};
use atelier_abi::{
    governor::messages as gm, membership::messages as mm, royalty_router::messages as rm,
    treasury::messages as tm,
};

/// Category ids of the membership token (mirrors `atelier_traits::category`).
mod categories {
    pub const DATASET: u32 = 0;
    pub const MODEL: u32 = 1;
    pub const DOCUMENTATION: u32 = 2;
}

/// What the scenario ended with, for tests to check.
#[derive(Debug)]
pub struct Report {
    /// Final state of the proposal.
    pub state: ProposalState,
    /// Membership settings after execution.
    pub settings: MembershipSettings,
    /// For / Against / Abstain.
    pub tallies: (u128, u128, u128),
    /// Royalty parts: creator, Compute Fund, Community Reserve.
    pub royalty: (u128, u128, u128),
    /// What the steward paid the grantee.
    pub paid: u128,
}

fn short(a: H160) -> String {
    let h = hex::encode(a.as_bytes());
    format!("0x{}…{}", &h[..6], &h[36..])
}

/// Runs the scenario on a fresh sandbox, narrating to `out`.
pub fn run(out: &mut dyn Write) -> Result<Report, StepFailed> {
    let mut sb = Sandbox::new();
    let [alice, bob, charlie, dave, eve] = ["alice", "bob", "charlie", "dave", "eve"].map(account);
    let dao = Dao::deploy(&mut sb, &alice, DaoConfig::default())?;
    writeln!(
        out,
        "block {:>3}  deployed membership at {} and governor at {}",
        sb.block(),
        short(dao.membership.address),
        short(dao.governor.address)
    )?;
    writeln!(
        out,
        "           attestors Alice, Bob, Charlie (2 of 3); guardian Ferdie; summariser Dave"
    )?;
    let funds = Funds::deploy(&mut sb, &alice, &dao, &FundsConfig::default())?;
    writeln!(
        out,
        "block {:>3}  deployed the royalty router, the Compute Fund, the Community Reserve and the provenance registry; steward Charlie",
        sb.block()
    )?;

    for (who, name, category, what, n) in [
        (&bob, "Bob", DATASET, "a dataset", 1u8),
        (&eve, "Eve", MODEL, "a fine-tuned model", 2),
        (&dave, "Dave", DOCUMENTATION, "documentation", 3),
        (&charlie, "Charlie", DATASET, "a curated dataset", 4),
    ] {
        let id = dao.contribute(&mut sb, who, category, [n; 32]);
        let addr = sb.address_of(who);
        let weight: u128 = dao.m(&mut sb, &alice, mm::weight_of(addr)).value();
        writeln!(
            out,
            "block {:>3}  {name} contributed {what} (#{id}); attested 2 of 3; weight now {weight}",
            sb.block()
        )?;
    }
    sb.advance(1);
    let bob_addr = sb.address_of(&bob);
    dao.m(&mut sb, &eve, mm::delegate(bob_addr)).result()?;
    let votes: u128 = dao.m(&mut sb, &alice, mm::votes(bob_addr)).value();
    writeln!(
        out,
        "block {:>3}  Eve delegated her weight to Bob; Bob votes with {votes}",
        sb.block()
    )?;
    sb.advance(1);

    let work = funds.register_work(&mut sb, &bob, 1, 7_000);
    let ferdie = account("ferdie");
    let royalty: (u128, u128, u128) = Funds::call(
        &mut sb,
        &ferdie,
        &funds.router,
        rm::route(work),
        1_000 * UNIT,
    )
    .result()?;
    writeln!(
        out,
        "block {:>3}  Bob registered work #{work}; a sale paid a royalty of 1,000: Bob {}, Compute Fund {}, Community Reserve {}",
        sb.block(),
        royalty.0 / UNIT,
        royalty.1 / UNIT,
        royalty.2 / UNIT
    )?;
    Funds::call(&mut sb, &dave, &funds.router, rm::forward(), 0).result()?;
    Funds::call(&mut sb, &bob, &funds.router, rm::withdraw(), 0).result()?;
    writeln!(
        out,
        "block {:>3}  Dave forwarded the funds' shares; Bob withdrew his",
        sb.block()
    )?;

    let grantee = sb.address_of(&account("one"));
    let grant = SpendRequest::single(grantee, 150 * UNIT, sb.block() + 1_000);
    let new_settings = MembershipSettings {
        member_cap: 2_000,
        ..dao.config.membership
    };
    let action = Dao::action(&dao.membership, mm::set_settings(new_settings));
    let id = dao.propose(
        &mut sb,
        &bob,
        vec![action, Funds::approve_action(&funds.compute, &grant)],
        "# Raise the member cap, fund GPU hours\n\nLet long-time contributors count for up to 2,000, and grant 150 from the Compute Fund for the style model's training run.",
    );
    let p = dao.proposal(&mut sb, id);
    writeln!(out, "block {:>3}  Bob proposed #{id}: raise the member cap to 2,000 and grant 150 for GPU hours (snapshot {}, voting until {})", sb.block(), p.snapshot, p.vote_end)?;
    dao.g(&mut sb, &dave, gm::attach_summary(id, [9u8; 32], [7u8; 32]))
        .result()?;
    writeln!(
        out,
        "block {:>3}  Dave anchored an AI summary hash to #{id}",
        sb.block()
    )?;

    dao.open_voting(&mut sb, id);
    let w: u128 = dao
        .vote(
            &mut sb,
            &bob,
            id,
            Support::For,
            Some("compute grants need it"),
        )
        .result()?;
    writeln!(
        out,
        "block {:>3}  Bob voted For with {w} (own + Eve's delegation): \"compute grants need it\"",
        sb.block()
    )?;

    let signed = dao.signed_ballot(&mut sb, "dave", id, Support::For, u32::MAX);
    let w: u128 = dao
        .g(
            &mut sb,
            &charlie,
            gm::cast_vote_by_sig(signed.0, signed.1, signed.2),
        )
        .result()?;
    writeln!(
        out,
        "block {:>3}  Dave signed a ballot offline; Charlie relayed it: For with {w}",
        sb.block()
    )?;
    let w: u128 = dao
        .vote(&mut sb, &charlie, id, Support::Against, None)
        .result()?;
    writeln!(
        out,
        "block {:>3}  Charlie voted Against with {w}",
        sb.block()
    )?;

    dao.close_voting(&mut sb, id);
    let p = dao.proposal(&mut sb, id);
    let state = dao.state(&mut sb, id);
    writeln!(
        out,
        "block {:>3}  voting closed: For {} / Against {} / Abstain {}, quorum {} -> {state:?}",
        sb.block(),
        p.for_votes,
        p.against_votes,
        p.abstain_votes,
        p.quorum.unwrap_or(0)
    )?;
    let executed = dao.queue_and_execute(&mut sb, id);
    executed.result()?;
    let settings: MembershipSettings = dao.m(&mut sb, &alice, mm::settings()).value();
    let state = dao.state(&mut sb, id);
    writeln!(
        out,
        "block {:>3}  queued, timelock passed, executed: member cap is now {} ({state:?})",
        sb.block(),
        settings.member_cap
    )?;
    let before = sb.balance(grantee);
    let paid: u128 =
        Funds::call(&mut sb, &charlie, &funds.compute, tm::payout(0u32), 0).result()?;
    let received = sb.balance(grantee) - before;
    if received != paid {
        return Err(StepFailed(format!(
            "the fund reported paying {paid} but the grantee received {received}"
        )));
    }
    writeln!(
        out,
        "block {:>3}  steward Charlie paid the approved grant: the grantee received {}; the Compute Fund holds {}",
        sb.block(),
        received / UNIT,
        sb.balance(funds.compute.address) / UNIT
    )?;
    Ok(Report {
        state,
        settings,
        tallies: (p.for_votes, p.against_votes, p.abstain_votes),
        royalty,
        paid,
    })
}

/// A scenario step that failed, as a sentence.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct StepFailed(pub String);

impl From<std::io::Error> for StepFailed {
    fn from(e: std::io::Error) -> Self {
        Self(format!("cannot print the scenario: {e}"))
    }
}

/// A contract's refusal fails the step with the error's name.
macro_rules! refusals {
    ($($contract:ident),*) => {$(
        impl From<atelier_abi::$contract::Error> for StepFailed {
            fn from(e: atelier_abi::$contract::Error) -> Self {
                use atelier_abi::ContractError as _;
                Self(format!("{}: {}", atelier_abi::$contract::CONTRACT, e.name()))
            }
        }
    )*};
}
refusals!(membership, governor, royalty_router, treasury, provenance);

impl From<crate::Error> for StepFailed {
    fn from(e: crate::Error) -> Self {
        Self(e.to_string())
    }
}

impl From<String> for StepFailed {
    fn from(e: String) -> Self {
        Self(format!("a contract call failed with {e}"))
    }
}
