//! The findings of the contract audit (issue #16) replayed on the runtime, each test named
//! after its finding; every one failed on the contracts before the fix.

use atelier_abi::{
    governor, governor::messages as gm, membership, membership::messages as mm, provenance,
    provenance::messages as pm, royalty_router::messages as rm, treasury, treasury::messages as tm,
};
use atelier_sandbox::{
    account,
    dao::{
        Ballot, ContributionStatus, Dao, DaoConfig, GovernorSettings, MembershipSettings,
        ProposalState, Support,
    },
    funds::{metadata, AssetKind, Funds, OptimisticState, UNIT},
    Sandbox,
};

use super::{addr, dao_with_members, open_proposal, pass, voted_for};
use crate::funds::{call, dao_with_funds, dao_with_grant_track, fund_with, spend_to};

/// A harmless action: a new contribution category on the membership token.
fn harmless(dao: &Dao, category: u32) -> governor::Action {
    Dao::action(&dao.membership, mm::set_category(category, 5u128))
}

fn grace(dao: &Dao, grace_period: u32) -> governor::Action {
    let settings = GovernorSettings {
        grace_period,
        ..dao.config.governor
    };
    Dao::action(&dao.governor, gm::set_settings(settings))
}

fn queue(sb: &mut Sandbox, dao: &Dao, id: u32) -> u32 {
    dao.g(sb, &account("eve"), gm::queue(id))
        .result()
        .expect("queued")
}

fn execute(sb: &mut Sandbox, dao: &Dao, id: u32) -> Result<(), governor::Error> {
    dao.g(sb, &account("eve"), gm::execute(id)).result()
}

#[test]
fn m1_and_l3_a_proposals_deadlines_are_its_own_and_a_succeeded_proposal_lapses() {
    let (mut sb, dao) = dao_with_members(DaoConfig::default());
    let voters = ["bob", "eve", "charlie"];
    // given a proposal queued under the 20-block grace period and left to expire
    let expired = voted_for(&mut sb, &dao, "bob", vec![harmless(&dao, 9)], &voters);
    let eta = queue(&mut sb, &dao, expired);
    let now = sb.block();
    sb.advance(eta + 20 + 1 - now);
    assert_eq!(dao.state(&mut sb, expired), ProposalState::Expired);
    // and one that succeeded and was never queued (L-3)
    let unqueued = voted_for(&mut sb, &dao, "charlie", vec![harmless(&dao, 10)], &voters);
    let end = dao.proposal(&mut sb, unqueued).vote_end;
    // when governance raises the grace period to 400 blocks
    pass(&mut sb, &dao, vec![grace(&dao, 400)]);
    // then the expired proposal stays expired (M-1: no revival) and cannot execute
    assert_eq!(dao.state(&mut sb, expired), ProposalState::Expired);
    assert_eq!(
        execute(&mut sb, &dao, expired),
        Err(governor::Error::NotQueued)
    );
    // and the unqueued one lapsed 20 blocks after its vote ended, whatever the setting now
    assert!(sb.block() > end + 20);
    assert_eq!(dao.state(&mut sb, unqueued), ProposalState::Expired);
    assert_eq!(
        dao.g(&mut sb, &account("eve"), gm::queue(unqueued))
            .result(),
        Err(governor::Error::NotSucceeded)
    );

    // given a proposal made and queued under the 400-block grace period
    let long = voted_for(&mut sb, &dao, "eve", vec![harmless(&dao, 11)], &voters);
    assert_eq!(dao.proposal(&mut sb, long).grace_period, 400);
    queue(&mut sb, &dao, long);
    // when governance lowers the grace period to its minimum (10 blocks)
    pass(&mut sb, &dao, vec![grace(&dao, 10)]);
    let eta = dao.proposal(&mut sb, long).eta.expect("queued");
    assert!(sb.block() > eta + 10, "past the new, shorter grace period");
    // then the queued proposal keeps its own deadline and executes (M-1: no kill)
    assert_eq!(dao.state(&mut sb, long), ProposalState::Queued);
    assert_eq!(execute(&mut sb, &dao, long), Ok(()));
}

#[test]
fn l7_a_target_delisted_after_proposing_is_not_called_at_execution() {
    let (mut sb, dao) = dao_with_members(DaoConfig::default());
    let voters = ["bob", "eve", "charlie"];
    // given a queued proposal calling the membership token
    let call_it = dao.propose(&mut sb, &account("bob"), vec![harmless(&dao, 9)], "x");
    // and, voted in the same window, one delisting the membership token
    let delist = Dao::action(
        &dao.governor,
        gm::set_allowlisted(dao.membership.address, false),
    );
    let delisting = dao.propose(&mut sb, &account("eve"), vec![delist], "delist");
    dao.open_voting(&mut sb, delisting);
    for id in [call_it, delisting] {
        for who in voters {
            dao.vote(&mut sb, &account(who), id, Support::For, None)
                .result()
                .expect("counted");
        }
    }
    dao.close_voting(&mut sb, delisting);
    dao.close_voting(&mut sb, call_it);
    let eta = queue(&mut sb, &dao, call_it).max(queue(&mut sb, &dao, delisting));
    let now = sb.block();
    sb.advance(eta - now);
    // when the delisting executes first
    assert_eq!(execute(&mut sb, &dao, delisting), Ok(()));
    // then the other is refused by name, calls nothing, and stays queued
    let category: u128 = dao
        .m(&mut sb, &account("alice"), mm::category_multiplier(9u32))
        .value();
    assert_eq!(
        execute(&mut sb, &dao, call_it),
        Err(governor::Error::TargetDelisted(0))
    );
    assert_eq!(
        dao.m(&mut sb, &account("alice"), mm::category_multiplier(9u32))
            .value(),
        category
    );
    assert_eq!(dao.state(&mut sb, call_it), ProposalState::Queued);
}

#[test]
fn l2_the_guardian_cannot_cancel_a_proposal_that_burns_it() {
    let (mut sb, dao) = dao_with_members(DaoConfig::default());
    let ferdie = account("ferdie"); // the guardian
    let burn = Dao::action(&dao.governor, gm::burn_guardian());
    let id = dao.propose(&mut sb, &account("bob"), vec![burn], "retire the guardian");
    // when the guardian tries to cancel it, pending and then active
    let refused = dao.g(&mut sb, &ferdie, gm::cancel(id));
    assert_eq!(refused.result(), Err(governor::Error::GuardianRoleAtStake));
    assert!(refused.events.is_empty());
    dao.open_voting(&mut sb, id);
    assert_eq!(
        dao.g(&mut sb, &ferdie, gm::cancel(id)).result(),
        Err(governor::Error::GuardianRoleAtStake)
    );
    // then governance decides: the proposal passes and the role is burned
    for who in ["bob", "eve", "charlie"] {
        dao.vote(&mut sb, &account(who), id, Support::For, None)
            .result()
            .expect("counted");
    }
    dao.close_voting(&mut sb, id);
    dao.queue_and_execute(&mut sb, id)
        .result()
        .expect("executed");
    assert!(dao
        .g(&mut sb, &account("alice"), gm::guardian_burned())
        .value());
    // and the guardian keeps its power over other proposals until then (checked earlier
    // by `proposer_cancels_while_pending_guardian_until_execution` in the unit tests)
}

#[test]
fn l6_ballots_for_different_proposals_do_not_wait_on_each_other_and_expire() {
    let (mut sb, dao) = dao_with_members(DaoConfig::default());
    let first = open_proposal(&mut sb, &dao);
    let second = dao.propose(&mut sb, &account("eve"), vec![harmless(&dao, 12)], "y");
    dao.open_voting(&mut sb, second);
    let deadline = sb.block() + 3;
    let (b1, key, s1) = dao.signed_ballot(&mut sb, "dave", first, Support::For, deadline);
    let (b2, _, s2) = dao.signed_ballot(&mut sb, "dave", second, Support::Against, deadline);
    let relay = |sb: &mut Sandbox, b: Ballot, s: [u8; 64]| {
        dao.g(sb, &account("ferdie"), gm::cast_vote_by_sig(b, key, s))
            .result()
    };
    // when the relayer holds the first ballot back and relays the second
    assert_eq!(relay(&mut sb, b2, s2), Ok(10));
    // then the first still counts
    assert_eq!(relay(&mut sb, b1, s1), Ok(10));
    // and a ballot relayed after its deadline is refused by name, counting nothing
    let third = dao.propose(&mut sb, &account("charlie"), vec![harmless(&dao, 13)], "z");
    dao.open_voting(&mut sb, third);
    let deadline = sb.block();
    let (b3, _, s3) = dao.signed_ballot(&mut sb, "dave", third, Support::For, deadline);
    sb.advance(1);
    assert_eq!(relay(&mut sb, b3, s3), Err(governor::Error::BallotExpired));
    let dave = addr(&mut sb, "dave");
    assert_eq!(
        dao.g(&mut sb, &account("alice"), gm::receipt(third, dave))
            .value(),
        None
    );
    assert_eq!(
        dao.g(&mut sb, &account("alice"), gm::nonce(dave, third))
            .value(),
        0
    );
}

#[test]
fn i_an_objection_the_broken_membership_token_cannot_weigh_fails_the_grant_closed() {
    let (mut sb, dao, _) = dao_with_grant_track();
    let expires = sb.block() + 1_000;
    let grant = spend_to(&mut sb, "one", 200 * UNIT, expires);
    let id: u32 = call(
        &mut sb,
        "eve",
        &dao.governor,
        gm::propose_grant(grant, "GPU hours".to_owned()),
    )
    .result()
    .expect("proposed");
    dao.open_voting(&mut sb, id);
    // given the membership token broken during the challenge period (its code replaced by
    // code without `weight_at`, as a bad upgrade would)
    let other = atelier_abi::erc20_baseline::CODE.to_vec();
    let hash = sb.upload(&account("ferdie"), other).unwrap();
    let original = sb.code_hash(dao.membership.address).unwrap();
    sb.set_code(dao.membership.address, hash).unwrap();
    // when Charlie objects
    let objection = dao.vote(&mut sb, &account("charlie"), id, Support::Against, None);
    // then nothing is counted but the grant goes to a full vote
    assert_eq!(objection.result(), Ok(0));
    assert!(objection
        .events
        .iter()
        .any(|e| e.name == governor::events::ProposalEscalated::LABEL));
    let state: Option<OptimisticState> =
        call(&mut sb, "alice", &dao.governor, gm::optimistic_state(id)).value();
    assert!(state.expect("optimistic").escalated);
    // and once the token is repaired, the grant needs votes like any proposal: with none
    // it is defeated instead of passing unchallenged
    let repaired = sb
        .upload(&account("ferdie"), atelier_abi::membership::CODE.to_vec())
        .unwrap();
    assert_eq!(repaired, original);
    sb.set_code(dao.membership.address, original).unwrap();
    dao.close_voting(&mut sb, id);
    assert_eq!(dao.state(&mut sb, id), ProposalState::Defeated);
}

#[test]
fn l5_a_steward_cannot_pay_the_cap_twice_across_an_epoch_boundary() {
    // given a fund capped at 1,000 units per 100 blocks and two approved 1,000-unit spends
    let (mut sb, dao, funds) = dao_with_funds(DaoConfig::default());
    fund_with(&mut sb, &funds.compute, 5_000 * UNIT);
    let expires = sb.block() + 1_000;
    let first = spend_to(&mut sb, "one", 1_000 * UNIT, expires);
    let second = spend_to(&mut sb, "two", 1_000 * UNIT, expires);
    pass(
        &mut sb,
        &dao,
        vec![
            Funds::approve_action(&funds.compute, &first),
            Funds::approve_action(&funds.compute, &second),
        ],
    );
    // when the steward pays the first in the last block of a 100-block epoch
    let now = sb.block();
    sb.advance(100 - now % 100 - 1);
    assert_eq!(
        call(&mut sb, "charlie", &funds.compute, tm::payout(0u32)).result(),
        Ok(1_000 * UNIT)
    );
    // then the second is refused in the first block of the next one, and later on
    let paid_at = sb.block();
    for offset in [1, 50, 99] {
        let now = sb.block();
        sb.advance(paid_at + offset - now);
        let refused = call(&mut sb, "charlie", &funds.compute, tm::payout(1u32));
        assert_eq!(
            refused.result(),
            Err(treasury::Error::OutflowCapReached),
            "at block {}",
            sb.block()
        );
    }
    // and paid once no span of 100 blocks holds both (at most 9 x ceil(100 / 8) blocks on)
    sb.advance(9 * 13);
    assert_eq!(
        call(&mut sb, "charlie", &funds.compute, tm::payout(1u32)).result(),
        Ok(1_000 * UNIT)
    );
}

#[test]
fn l4_attestations_count_only_from_current_attestors_and_a_lowered_threshold_can_activate() {
    let (mut sb, dao) = dao_with_members(DaoConfig::default());
    let (alice, bob, charlie) = (account("alice"), account("bob"), account("charlie"));
    // given Ferdie's contribution attested by Alice (attestors Alice, Bob, Charlie; k = 2)
    let first: u64 = dao
        .m(
            &mut sb,
            &account("ferdie"),
            mm::record_contribution(1, [7; 32]),
        )
        .result()
        .expect("recorded");
    dao.m(&mut sb, &alice, mm::attest(first))
        .result()
        .expect("attested");
    // when governance removes Alice and Bob attests
    let alice_addr = addr(&mut sb, "alice");
    pass(
        &mut sb,
        &dao,
        vec![Dao::action(
            &dao.membership,
            mm::remove_attestor(alice_addr),
        )],
    );
    dao.m(&mut sb, &bob, mm::attest(first))
        .result()
        .expect("attested");
    // then Alice's attestation no longer counts: still pending with one
    let c = dao
        .m(&mut sb, &bob, mm::contribution(first))
        .value()
        .expect("known");
    assert_eq!((c.status, c.attestations), (ContributionStatus::Pending, 1));
    assert_eq!(
        dao.m(&mut sb, &bob, mm::activate_contribution(first))
            .result(),
        Err(membership::Error::NotEnoughAttestations)
    );
    // and Charlie's completes it
    dao.m(&mut sb, &charlie, mm::attest(first))
        .result()
        .expect("attested");
    let c = dao
        .m(&mut sb, &bob, mm::contribution(first))
        .value()
        .expect("known");
    assert_eq!(c.status, ContributionStatus::Active);

    // given Charlie's own contribution, which only Bob can attest now (k = 2)
    let second: u64 = dao
        .m(&mut sb, &charlie, mm::record_contribution(1, [8; 32]))
        .result()
        .expect("recorded");
    dao.m(&mut sb, &bob, mm::attest(second))
        .result()
        .expect("attested");
    // when governance lowers the threshold to 1
    let lower = MembershipSettings {
        threshold: 1,
        ..dao.config.membership
    };
    pass(
        &mut sb,
        &dao,
        vec![Dao::action(&dao.membership, mm::set_settings(lower))],
    );
    // then anyone activates it
    dao.m(
        &mut sb,
        &account("ferdie"),
        mm::activate_contribution(second),
    )
    .result()
    .expect("activated");
    let c = dao
        .m(&mut sb, &bob, mm::contribution(second))
        .value()
        .expect("known");
    assert_eq!(c.status, ContributionStatus::Active);
}

#[test]
fn m2_a_front_run_registration_pays_nothing_once_disputed_and_governance_returns_it() {
    let (mut sb, dao, funds) = dao_with_funds(DaoConfig::default());
    fund_with(&mut sb, &funds.compute, 1_000 * UNIT);
    // given Eve registered Alice's dataset as hers and consented to its use
    let eve = addr(&mut sb, "eve");
    let id: u32 = call(
        &mut sb,
        "eve",
        &funds.provenance,
        pm::register(AssetKind::Dataset, [77u8; 32], 1u32, vec![eve]),
    )
    .result()
    .expect("registered");
    assert!(call(&mut sb, "eve", &funds.provenance, pm::grant_consent(id)).is_ok());
    // and a training spend naming it, approved by governance
    let expires = sb.block() + 1_000;
    let mut training = spend_to(&mut sb, "one", 100 * UNIT, expires);
    training.datasets = vec![id];
    pass(
        &mut sb,
        &dao,
        vec![Funds::approve_action(&funds.compute, &training)],
    );
    // when Alice disputes the registration
    let disputed = call(
        &mut sb,
        "alice",
        &funds.provenance,
        pm::dispute(id, [1u8; 32]),
    );
    assert!(disputed.is_ok(), "{disputed:?}");
    // then nothing is paid under it
    let refused = call(&mut sb, "charlie", &funds.compute, tm::payout(0u32));
    assert_eq!(refused.result(), Err(treasury::Error::ConsentMissing(id)));
    assert_eq!(sb.balance(funds.compute.address), 1_000 * UNIT);
    // when governance gives the dataset to Alice
    let alice = addr(&mut sb, "alice");
    pass(
        &mut sb,
        &dao,
        vec![Dao::action(
            &funds.provenance,
            pm::resolve_dispute(id, Some(vec![alice])),
        )],
    );
    // then Eve's consent no longer counts: only Alice's does
    let still = call(&mut sb, "charlie", &funds.compute, tm::payout(0u32));
    assert_eq!(still.result(), Err(treasury::Error::ConsentMissing(id)));
    assert_eq!(
        call(&mut sb, "eve", &funds.provenance, pm::grant_consent(id)).result(),
        Err(provenance::Error::NotHolder)
    );
    assert!(call(&mut sb, "alice", &funds.provenance, pm::grant_consent(id)).is_ok());
    assert_eq!(
        call(&mut sb, "charlie", &funds.compute, tm::payout(0u32)).result(),
        Ok(100 * UNIT)
    );

    // and a work Eve registered first is given to Alice: the next royalty is Alice's
    let work: u64 = call(
        &mut sb,
        "eve",
        &funds.router,
        rm::register_work([78u8; 32], metadata(1), 7_000),
    )
    .result()
    .expect("registered");
    pass(
        &mut sb,
        &dao,
        vec![Dao::action(&funds.router, rm::reassign_work(work, alice))],
    );
    let routed = Funds::call(
        &mut sb,
        &account("ferdie"),
        &funds.router,
        rm::route(work),
        10 * UNIT,
    );
    assert!(routed.is_ok(), "{routed:?}");
    let credited: u128 = call(&mut sb, "bob", &funds.router, rm::balance_of(alice)).value();
    assert_eq!(credited, 7 * UNIT);
    assert_eq!(
        call(&mut sb, "bob", &funds.router, rm::balance_of(eve)).value(),
        0
    );
}

#[test]
fn l1_a_contribution_expired_before_the_snapshot_neither_votes_nor_counts_in_quorum() {
    // given members whose contributions (bob 30, eve 40, dave 10, charlie 30) expire after
    // 200 blocks, and Bob's model recorded 60 blocks later
    let config = DaoConfig {
        membership: MembershipSettings {
            expiry_blocks: 200,
            ..DaoConfig::default().membership
        },
        ..DaoConfig::default()
    };
    let (mut sb, dao) = dao_with_members(config);
    let (bob, eve) = (account("bob"), account("eve"));
    let eve_addr = addr(&mut sb, "eve");
    let anyone = account("alice");
    let first = dao.m(&mut sb, &anyone, mm::contribution(0u64)).value();
    let expires_at = first.expect("contribution 0").expires_at;
    sb.advance(60);
    dao.contribute(&mut sb, &bob, 1, [40; 32]);
    // when the first contributions' expiry block passes and no keeper runs
    let now = sb.block();
    sb.advance(expires_at + 1 - now);
    assert_eq!(
        dao.m(&mut sb, &anyone, mm::contribution(0u64))
            .value()
            .map(|c| c.status),
        Some(ContributionStatus::Active),
        "nobody called expire_contribution"
    );
    // then the token reads them out from their expiry block on
    assert_eq!(dao.weight_at(&mut sb, &eve, expires_at - 1), Some(40));
    assert_eq!(dao.weight_at(&mut sb, &eve, expires_at), Some(0));
    assert_eq!(dao.weight_at(&mut sb, &bob, expires_at), Some(40));
    assert_eq!(
        dao.m(&mut sb, &anyone, mm::total_weight_at(expires_at))
            .value(),
        Some(40)
    );
    assert_eq!(dao.m(&mut sb, &anyone, mm::weight_of(eve_addr)).value(), 0);
    // and a proposal snapshotted after it gives Eve no vote, and its quorum is 20% of the
    // 40 still counting, not of the 150 recorded
    let id = open_proposal(&mut sb, &dao);
    assert_eq!(
        dao.vote(&mut sb, &eve, id, Support::For, None).result(),
        Err(governor::Error::NoVotingWeight)
    );
    assert_eq!(
        dao.vote(&mut sb, &bob, id, Support::For, None).result(),
        Ok(40)
    );
    assert_eq!(dao.proposal(&mut sb, id).quorum, Some(8));
}
