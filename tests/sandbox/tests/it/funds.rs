//! Runtime tests of the money side: royalty router -> funds -> governance-approved spends
//! -> steward payouts, the optimistic grant track, consent-gated training spends, and the
//! historic governance attacks replayed against the treasuries.

use atelier_abi::{
    governor, governor::messages as gm, membership::messages as mm, provenance::messages as pm,
    royalty_router, royalty_router::messages as rm, treasury, treasury::messages as tm,
};
use atelier_sandbox::{
    account,
    dao::{Dao, DaoConfig, GovernorSettings, ProposalState, Support},
    funds::{
        AssetKind, Funds, FundsConfig, OptimisticSettings, OptimisticState, Spend, SpendRequest,
        SpendState, Split, UNIT,
    },
    sp_core::H160,
    Called, Contract, Message, Sandbox, NATIVE_TO_ETH_RATIO,
};

use super::{addr, dao_with_members, pass, raw, voted_for, DATASET};

/// The members' DAO (Bob 30, Eve 40, Dave 10, Charlie 30) with funds deployed and wired.
pub(super) fn dao_with_funds(config: DaoConfig) -> (Sandbox, Dao, Funds) {
    let (mut sb, dao) = dao_with_members(config);
    let funds = Funds::deploy(&mut sb, &account("alice"), &dao, &FundsConfig::default())
        .expect("funds deploy");
    (sb, dao, funds)
}

/// The members' DAO with funds, 1,000 units in the Compute Fund, and the optimistic grant
/// track enabled by governance: grants up to 500 units, 30 blocks of challenge, 20% of the
/// weight escalates.
pub(super) fn dao_with_grant_track() -> (Sandbox, Dao, Funds) {
    let (mut sb, dao, funds) = dao_with_funds(DaoConfig::default());
    fund_with(&mut sb, &funds.compute, 1_000 * UNIT);
    let track = OptimisticSettings {
        compute_fund: Some(funds.compute.address),
        max_amount: 500 * UNIT,
        challenge_period: 30,
        objection_bps: 2_000,
    };
    pass(
        &mut sb,
        &dao,
        vec![Dao::action(&dao.governor, gm::set_optimistic(track))],
    );
    (sb, dao, funds)
}

pub(super) fn call<R>(sb: &mut Sandbox, who: &str, c: &Contract, message: Message<R>) -> Called<R> {
    Funds::call(sb, &account(who), c, message, 0)
}

/// A one-tranche spend to `who` of `amount`, payable from now until `expires_at`.
pub(super) fn spend_to(sb: &mut Sandbox, who: &str, amount: u128, expires_at: u32) -> SpendRequest {
    SpendRequest::single(addr(sb, who), amount, expires_at)
}

/// Ferdie deposits `amount` straight into `fund`.
pub(super) fn fund_with(sb: &mut Sandbox, fund: &Contract, amount: u128) {
    let o = Funds::call(sb, &account("ferdie"), fund, tm::deposit(), amount);
    assert!(o.is_ok(), "{o:?}");
}

/// Change of a caller's balance, given the storage deposit it paid (native units).
fn paid_deposit(o: &atelier_sandbox::Outcome) -> i128 {
    o.storage_deposit * i128::from(NATIVE_TO_ETH_RATIO)
}

#[test]
fn royalties_reach_the_funds_and_a_steward_pays_an_approved_spend() {
    // given a DAO with funds and a work Bob registered, claiming 70%
    let (mut sb, dao, funds) = dao_with_funds(DaoConfig::default());
    let work = funds.register_work(&mut sb, &account("bob"), 1, 7_000);
    let bob = addr(&mut sb, "bob");

    // when a buyer pays a royalty of 1,000 units
    let routed = Funds::call(
        &mut sb,
        &account("ferdie"),
        &funds.router,
        rm::route(work),
        1_000 * UNIT,
    );
    // then it is split 700 / 200 / 100 and held by the router until paid out
    assert_eq!(routed.result(), Ok((700 * UNIT, 200 * UNIT, 100 * UNIT)));
    assert!(routed
        .events
        .iter()
        .any(|e| e.name == royalty_router::events::RoyaltyRouted::LABEL));
    assert_eq!(sb.balance(funds.router.address), 1_000 * UNIT);
    assert_eq!(
        call(&mut sb, "alice", &funds.router, rm::balance_of(bob)).value(),
        700 * UNIT
    );

    // when anyone forwards the accruals, each fund's deposit runs and records it
    let forwarded = call(&mut sb, "dave", &funds.router, rm::forward());
    assert_eq!(forwarded.result(), Ok((200 * UNIT, 100 * UNIT)));
    let received = forwarded
        .events
        .iter()
        .filter(|e| e.contract != funds.router.address);
    assert_eq!(received.count(), 2, "{:?}", forwarded.events);
    assert_eq!(sb.balance(funds.compute.address), 200 * UNIT);
    assert_eq!(sb.balance(funds.reserve.address), 100 * UNIT);

    // when Bob withdraws, his balance grows by his share (less any storage deposit)
    let before = sb.balance(bob) as i128;
    let withdrawn = call(&mut sb, "bob", &funds.router, rm::withdraw());
    assert_eq!(withdrawn.result(), Ok(700 * UNIT));
    assert_eq!(
        sb.balance(bob) as i128 - before,
        (700 * UNIT) as i128 - paid_deposit(&withdrawn)
    );
    assert_eq!(sb.balance(funds.router.address), 0);

    // when governance approves a spend of 150 units to One and a steward pays it
    let one = addr(&mut sb, "one");
    let expires = sb.block() + 500;
    let request = spend_to(&mut sb, "one", 150 * UNIT, expires);
    pass(
        &mut sb,
        &dao,
        vec![Funds::approve_action(&funds.compute, &request)],
    );
    let spend: Spend = call(&mut sb, "alice", &funds.compute, tm::spend(0u32))
        .value()
        .expect("approved by the executed proposal");
    assert_eq!(spend.request, request);
    let one_before = sb.balance(one);
    // a non-steward cannot trigger it
    assert_eq!(
        call(&mut sb, "bob", &funds.compute, tm::payout(0u32)).result(),
        Err(treasury::Error::NotSteward)
    );
    let paid = call(&mut sb, "charlie", &funds.compute, tm::payout(0u32));
    assert_eq!(paid.result(), Ok(150 * UNIT));
    // then the beneficiary's balance changes by exactly the spend
    assert_eq!(sb.balance(one) - one_before, 150 * UNIT);
    assert_eq!(sb.balance(funds.compute.address), 50 * UNIT);
    assert_eq!(
        funds.spend_state(&mut sb, &funds.compute, 0),
        SpendState::Paid
    );
}

#[test]
fn spends_expire_are_voided_capped_and_released_in_tranches() {
    let (mut sb, dao, funds) = dao_with_funds(DaoConfig::default());
    fund_with(&mut sb, &funds.compute, 5_000 * UNIT);
    let start = sb.block();
    // given four spends approved in one proposal
    let expiring = spend_to(&mut sb, "one", 100 * UNIT, start + 60);
    let voided = spend_to(&mut sb, "one", 100 * UNIT, start + 1_000);
    let mut payroll = spend_to(&mut sb, "two", 900 * UNIT, start + 1_000);
    payroll.valid_from = start + 200;
    payroll.tranches = 3;
    payroll.tranche_interval = 10;
    let big = spend_to(&mut sb, "one", 800 * UNIT, start + 1_000);
    let actions = [&expiring, &voided, &payroll, &big]
        .map(|r| Funds::approve_action(&funds.compute, r))
        .to_vec();
    pass(&mut sb, &dao, actions);
    let approved_at = sb.block();
    assert!(approved_at < start + 60);

    // expiry: nobody paid the first before block start + 60
    let now = sb.block();
    sb.advance(start + 61 - now);
    assert_eq!(
        funds.spend_state(&mut sb, &funds.compute, 0),
        SpendState::Expired
    );
    assert_eq!(
        call(&mut sb, "charlie", &funds.compute, tm::payout(0u32)).result(),
        Err(treasury::Error::Expired)
    );

    // void: the guardian (Ferdie) voids the second; a steward can no longer pay it
    let v = call(&mut sb, "ferdie", &funds.compute, tm::void_spend(1u32));
    assert!(v.is_ok(), "{v:?}");
    assert!(v
        .events
        .iter()
        .any(|e| e.name == treasury::events::SpendVoided::LABEL));
    assert_eq!(
        call(&mut sb, "charlie", &funds.compute, tm::payout(1u32)).result(),
        Err(treasury::Error::Voided)
    );
    assert_eq!(
        call(&mut sb, "eve", &funds.compute, tm::void_spend(2u32)).result(),
        Err(treasury::Error::NotAllowedToVoid)
    );

    // tranche timing and the cap, from the payroll's first block
    let now = sb.block();
    assert_eq!(
        call(&mut sb, "charlie", &funds.compute, tm::payout(2u32)).result(),
        Err(treasury::Error::NotYetValid)
    );
    sb.advance(start + 200 - now);
    let pay =
        |sb: &mut Sandbox, id: u32| call(sb, "charlie", &funds.compute, tm::payout(id)).result();
    assert_eq!(pay(&mut sb, 2), Ok(300 * UNIT));
    assert_eq!(pay(&mut sb, 2), Err(treasury::Error::TrancheNotDue));
    // 300 + 800 > 1,000 per 100 blocks
    assert_eq!(pay(&mut sb, 3), Err(treasury::Error::OutflowCapReached));
    sb.advance(10);
    assert_eq!(pay(&mut sb, 2), Ok(300 * UNIT));
    sb.advance(10);
    assert_eq!(pay(&mut sb, 2), Ok(300 * UNIT));
    assert_eq!(pay(&mut sb, 2), Err(treasury::Error::AlreadyPaid));
    // 100 blocks after the last tranche there is still none for the big one: the window
    // holds every payout for at least 100 blocks (and at most 9 x ceil(100 / 8) = 117)
    sb.advance(100);
    assert_eq!(pay(&mut sb, 3), Err(treasury::Error::OutflowCapReached));
    // once every tranche has left it, there is
    sb.advance(17);
    assert_eq!(pay(&mut sb, 3), Ok(800 * UNIT));
    assert_eq!(sb.balance(funds.compute.address), 3_300 * UNIT);
}

#[test]
fn an_unchallenged_grant_passes_and_an_objected_one_goes_to_a_full_vote() {
    // given the optimistic track enabled by governance: grants up to 500 units, 30 blocks
    // of challenge, 20% of the weight (22 of 110) escalates
    let (mut sb, dao, funds) = dao_with_grant_track();
    let expires = sb.block() + 1_000;
    let grant = spend_to(&mut sb, "one", 200 * UNIT, expires);
    let too_big = spend_to(&mut sb, "one", 501 * UNIT, expires);
    assert_eq!(
        call(
            &mut sb,
            "eve",
            &dao.governor,
            gm::propose_grant(too_big, "too big".to_owned())
        )
        .result(),
        Err(governor::Error::GrantTooLarge)
    );

    // when Eve proposes a grant nobody objects to
    let quiet: u32 = call(
        &mut sb,
        "eve",
        &dao.governor,
        gm::propose_grant(grant.clone(), "GPU hours for the style model".to_owned()),
    )
    .result()
    .expect("proposed");
    dao.close_voting(&mut sb, quiet);
    // then it passes without a vote, and execution approves the spend in the Compute Fund
    assert_eq!(dao.state(&mut sb, quiet), ProposalState::Succeeded);
    assert_eq!(dao.proposal(&mut sb, quiet).for_votes, 0);
    dao.queue_and_execute(&mut sb, quiet)
        .result()
        .expect("executed");
    let spend: Option<Spend> = call(&mut sb, "alice", &funds.compute, tm::spend(0u32)).value();
    assert_eq!(spend.expect("approved").request, grant);
    assert_eq!(
        call(&mut sb, "charlie", &funds.compute, tm::payout(0u32)).result(),
        Ok(200 * UNIT)
    );

    // when Bob proposes another and Charlie (30 of 110) objects
    let contested: u32 = call(
        &mut sb,
        "bob",
        &dao.governor,
        gm::propose_grant(grant, "more GPU hours".to_owned()),
    )
    .result()
    .expect("proposed");
    dao.open_voting(&mut sb, contested);
    let objection = dao.vote(
        &mut sb,
        &account("charlie"),
        contested,
        Support::Against,
        Some("no plan"),
    );
    assert!(objection.is_ok(), "{objection:?}");
    assert!(objection
        .events
        .iter()
        .any(|e| e.name == governor::events::ProposalEscalated::LABEL));
    let state: Option<OptimisticState> = call(
        &mut sb,
        "alice",
        &dao.governor,
        gm::optimistic_state(contested),
    )
    .value();
    assert!(state.expect("optimistic").escalated);
    // then it is a full vote: Dave also votes against, nobody for, and it is defeated
    dao.vote(&mut sb, &account("dave"), contested, Support::Against, None)
        .result()
        .unwrap();
    dao.close_voting(&mut sb, contested);
    assert_eq!(dao.state(&mut sb, contested), ProposalState::Defeated);
}

#[test]
fn a_training_spend_is_blocked_while_a_rights_holder_revokes_consent() {
    let (mut sb, dao, funds) = dao_with_funds(DaoConfig::default());
    fund_with(&mut sb, &funds.compute, 1_000 * UNIT);
    // given a dataset held by Bob and Dave, both consenting
    let holders = vec![addr(&mut sb, "bob"), addr(&mut sb, "dave")];
    let id: u32 = call(
        &mut sb,
        "bob",
        &funds.provenance,
        pm::register(AssetKind::Dataset, [42u8; 32], 3u32, holders),
    )
    .result()
    .expect("registered");
    for who in ["bob", "dave"] {
        assert!(call(&mut sb, who, &funds.provenance, pm::grant_consent(id)).is_ok());
    }
    // and a training spend naming it, approved by governance
    let expires = sb.block() + 1_000;
    let mut training = spend_to(&mut sb, "one", 100 * UNIT, expires);
    training.datasets = vec![id];
    pass(
        &mut sb,
        &dao,
        vec![Funds::approve_action(&funds.compute, &training)],
    );
    // when Dave revokes consent, the payout fails and nothing moves
    assert!(call(&mut sb, "dave", &funds.provenance, pm::revoke_consent(id)).is_ok());
    let blocked = call(&mut sb, "charlie", &funds.compute, tm::payout(0u32));
    assert!(matches!(
        blocked.result(),
        Err(treasury::Error::ConsentMissing(_))
    ));
    assert_eq!(sb.balance(funds.compute.address), 1_000 * UNIT);
    // when Dave consents again, it pays
    assert!(call(&mut sb, "dave", &funds.provenance, pm::grant_consent(id)).is_ok());
    assert_eq!(
        call(&mut sb, "charlie", &funds.compute, tm::payout(0u32)).result(),
        Ok(100 * UNIT)
    );
}

#[test]
fn value_sent_without_a_known_work_or_message_stays_with_the_sender() {
    let (mut sb, _dao, funds) = dao_with_funds(DaoConfig::default());
    let ferdie = addr(&mut sb, "ferdie");
    let before = sb.balance(ferdie);
    // an unknown work: the call reverts with a clear error and the value is refunded
    let unknown = Funds::call(
        &mut sb,
        &account("ferdie"),
        &funds.router,
        rm::route(99u64),
        10 * UNIT,
    );
    assert_eq!(unknown.result(), Err(royalty_router::Error::UnknownWork));
    // a plain transfer (no input) and an unknown selector both revert
    for input in [vec![], vec![0xde, 0xad, 0xbe, 0xef]] {
        let o = sb.call_input(
            &account("ferdie"),
            &funds.router,
            "fallback",
            input,
            10 * UNIT,
        );
        assert!(o.reverted, "{o:?}");
    }
    assert_eq!(sb.balance(ferdie), before);
    assert_eq!(sb.balance(funds.router.address), 0);
    // value meant for the DAO goes through `donate`, to the Community Reserve
    let d = Funds::call(
        &mut sb,
        &account("ferdie"),
        &funds.router,
        rm::donate(),
        10 * UNIT,
    );
    assert!(d.is_ok(), "{d:?}");
    assert_eq!(
        call(&mut sb, "alice", &funds.router, rm::accrued()).value(),
        (0, 10 * UNIT)
    );
}

#[test]
fn a_batch_of_royalties_is_routed_whole_or_refunded_whole() {
    // given two registered works
    let (mut sb, _dao, funds) = dao_with_funds(DaoConfig::default());
    let fog = funds.register_work(&mut sb, &account("bob"), 1, 7_000);
    let sea = funds.register_work(&mut sb, &account("bob"), 2, 5_000);
    let ferdie = addr(&mut sb, "ferdie");
    let before = sb.balance(ferdie);
    let batch = |sb: &mut Sandbox, royalties: Vec<(u64, u128)>, value: u128| {
        Funds::call(
            sb,
            &account("ferdie"),
            &funds.router,
            rm::route_batch(royalties),
            value,
        )
    };
    // when one royalty of the batch names an unknown work, or the value is not the sum,
    // or the batch is empty: the whole call reverts with a named error, nothing is credited
    // and the value stays with the payer
    for (royalties, value, error) in [
        (
            vec![(fog, 10 * UNIT), (99, 5 * UNIT)],
            15 * UNIT,
            royalty_router::Error::UnknownWork,
        ),
        (
            vec![(fog, 10 * UNIT), (sea, 0)],
            10 * UNIT,
            royalty_router::Error::ZeroValue,
        ),
        (
            vec![(fog, 10 * UNIT)],
            11 * UNIT,
            royalty_router::Error::BatchValueMismatch,
        ),
        (vec![], UNIT, royalty_router::Error::BatchSize),
    ] {
        let o = batch(&mut sb, royalties, value);
        assert_eq!(o.result(), Err(error), "{:?}", o.outcome);
        assert!(o.events.is_empty(), "{o:?}");
    }
    assert_eq!(sb.balance(ferdie), before);
    assert_eq!(sb.balance(funds.router.address), 0);
    assert_eq!(
        call(&mut sb, "alice", &funds.router, rm::accrued()).value(),
        (0, 0)
    );
    // when the batch is well formed, every royalty is split and emitted, in order
    let o = batch(
        &mut sb,
        vec![(fog, 10 * UNIT), (sea, 20 * UNIT), (fog, 30 * UNIT)],
        60 * UNIT,
    );
    assert_eq!(o.result(), Ok(3));
    let routed: Vec<_> = o
        .events
        .iter()
        .filter(|e| e.name == royalty_router::events::RoyaltyRouted::LABEL)
        .collect();
    assert_eq!(routed.len(), 3, "{o:?}");
    assert_eq!(sb.balance(funds.router.address), 60 * UNIT);
    // creator: 7 + 10 + 21; compute 20% of 60; reserve the rest
    let bob = addr(&mut sb, "bob");
    assert_eq!(
        call(&mut sb, "alice", &funds.router, rm::balance_of(bob)).value(),
        38 * UNIT
    );
    assert_eq!(
        call(&mut sb, "alice", &funds.router, rm::accrued()).value(),
        (12 * UNIT, 10 * UNIT)
    );
}

#[test]
fn the_split_changes_only_by_proposal_within_its_rate_and_can_be_frozen() {
    let (mut sb, dao, funds) = dao_with_funds(DaoConfig::default());
    let next = Split {
        compute_bps: 2_300,
        reserve_bps: 1_200,
    };
    assert_eq!(
        call(&mut sb, "bob", &funds.router, rm::set_split(next)).result(),
        Err(royalty_router::Error::NotGovernance)
    );
    pass(
        &mut sb,
        &dao,
        vec![Dao::action(&funds.router, rm::set_split(next))],
    );
    assert_eq!(
        call(&mut sb, "alice", &funds.router, rm::split()).value(),
        next
    );
    // a second move in the same epoch exceeds the 5% budget: execution fails as a whole
    let again = Split {
        compute_bps: 2_400,
        reserve_bps: 1_200,
    };
    let id = voted_for(
        &mut sb,
        &dao,
        "bob",
        vec![Dao::action(&funds.router, rm::set_split(again))],
        &["bob", "eve", "charlie"],
    );
    let failed = dao.queue_and_execute(&mut sb, id);
    assert!(matches!(
        failed.result(),
        Err(governor::Error::ActionFailed(_))
    ));
    pass(
        &mut sb,
        &dao,
        vec![Dao::action(&funds.router, rm::freeze_split())],
    );
    assert!(call(&mut sb, "alice", &funds.router, rm::frozen()).value());
}

// The historic attacks, replayed against the treasuries.

#[test]
fn beanstalk_flash_acquired_weight_cannot_propose_or_vote_a_treasury_drain() {
    let (mut sb, dao, funds) = dao_with_funds(DaoConfig::default());
    fund_with(&mut sb, &funds.compute, 1_000 * UNIT);
    let expires = sb.block() + 1_000;
    let drain = Funds::approve_action(
        &funds.compute,
        &spend_to(&mut sb, "ferdie", 1_000 * UNIT, expires),
    );
    // given a drain proposal whose voting is open
    let id = dao.propose(&mut sb, &account("bob"), vec![drain.clone()], "pay Ferdie");
    dao.open_voting(&mut sb, id);
    // when Ferdie acquires weight now (four attested contributions, 120)
    for n in [50u8, 51, 52, 53] {
        dao.contribute(&mut sb, &account("ferdie"), DATASET, [n; 32]);
    }
    let ferdie = addr(&mut sb, "ferdie");
    let now: u128 = call(&mut sb, "alice", &dao.membership, mm::weight_of(ferdie)).value();
    assert_eq!(now, 120);
    // then it cannot propose in the same block (threshold read at the previous block)
    let o = call(
        &mut sb,
        "ferdie",
        &dao.governor,
        gm::propose(vec![drain], "drain".to_owned()),
    );
    assert_eq!(o.result(), Err(governor::Error::BelowProposalThreshold));
    // nor vote on the open proposal (weight read at its snapshot)
    let v = dao.vote(&mut sb, &account("ferdie"), id, Support::For, None);
    assert_eq!(v.result(), Err(governor::Error::NoVotingWeight));
    // and the drain is defeated without the flash weight; the fund keeps its balance
    dao.close_voting(&mut sb, id);
    assert_eq!(dao.state(&mut sb, id), ProposalState::Defeated);
    assert_eq!(sb.balance(funds.compute.address), 1_000 * UNIT);
}

#[test]
fn tornado_cash_a_fund_whose_code_was_swapped_after_approval_is_not_called() {
    let (mut sb, dao, funds) = dao_with_funds(DaoConfig::default());
    let expires = sb.block() + 1_000;
    let request = spend_to(&mut sb, "one", 10 * UNIT, expires);
    let id = voted_for(
        &mut sb,
        &dao,
        "bob",
        vec![Funds::approve_action(&funds.compute, &request)],
        &["bob", "eve", "charlie"],
    );
    assert_eq!(dao.state(&mut sb, id), ProposalState::Succeeded);
    // the attacker swaps the fund's code for other code after the vote
    let other = atelier_abi::erc20_baseline::CODE.to_vec();
    let hash = sb.upload(&account("ferdie"), other).unwrap();
    let original = sb.code_hash(funds.compute.address).unwrap();
    sb.set_code(funds.compute.address, hash).unwrap();
    let o = dao.queue_and_execute(&mut sb, id);
    assert!(matches!(
        o.result(),
        Err(governor::Error::CodeHashChanged(_))
    ));
    // restoring the approved code makes the same proposal executable again
    sb.set_code(funds.compute.address, original).unwrap();
    let anyone = account("eve");
    assert!(dao.g(&mut sb, &anyone, gm::execute(id)).is_ok());
}

#[test]
fn build_finance_a_low_participation_takeover_of_a_fund_is_defeated() {
    // Dave (10 of 110) may propose; quorum is 20% (22)
    let config = DaoConfig {
        governor: GovernorSettings {
            proposal_threshold: 5,
            ..DaoConfig::default().governor
        },
        ..DaoConfig::default()
    };
    let (mut sb, dao, funds) = dao_with_funds(config);
    let dave = addr(&mut sb, "dave");
    let takeover = vec![
        Dao::action(&funds.compute, tm::set_steward(dave, true)),
        Dao::action(&funds.compute, tm::set_guardian(Option::<H160>::None)),
    ];
    let id = voted_for(&mut sb, &dao, "dave", takeover, &["dave"]);
    // nobody else voted: 10 < 22, the proposal is defeated and cannot be queued
    assert_eq!(dao.state(&mut sb, id), ProposalState::Defeated);
    let anyone = account("eve");
    assert_eq!(
        dao.g(&mut sb, &anyone, gm::queue(id)).result(),
        Err(governor::Error::NotSucceeded)
    );
    assert!(!call(&mut sb, "alice", &funds.compute, tm::is_steward(dave)).value());
}

#[test]
fn compound_62_a_buggy_payout_proposal_is_capped_by_the_outflow_limit() {
    let (mut sb, dao, funds) = dao_with_funds(DaoConfig::default());
    fund_with(&mut sb, &funds.compute, 10_000 * UNIT);
    // a proposal meant to pay 100 units in 20 tranches approves 100x that by mistake
    let expires = sb.block() + 1_000;
    let mut buggy = spend_to(&mut sb, "one", 10_000 * UNIT, expires);
    buggy.tranches = 20;
    buggy.tranche_interval = 1;
    pass(
        &mut sb,
        &dao,
        vec![Funds::approve_action(&funds.compute, &buggy)],
    );
    let now = sb.block();
    sb.advance(100 - now % 100 + 30);
    // the steward pays tranche after tranche; the cap stops it at 1,000 units per epoch
    let mut paid = 0u128;
    let mut stopped = None;
    for _ in 0..20 {
        match call(&mut sb, "charlie", &funds.compute, tm::payout(0u32)).result() {
            Ok(amount) => paid += amount,
            Err(e) => {
                stopped = Some(e);
                break;
            }
        }
    }
    assert_eq!(stopped, Some(treasury::Error::OutflowCapReached));
    assert_eq!(paid, 1_000 * UNIT);
    // which gives the guardian time to void the rest
    assert!(call(&mut sb, "ferdie", &funds.compute, tm::void_spend(0u32)).is_ok());
    sb.advance(100);
    assert_eq!(
        call(&mut sb, "charlie", &funds.compute, tm::payout(0u32)).result(),
        Err(treasury::Error::Voided)
    );
    assert_eq!(sb.balance(funds.compute.address), 9_000 * UNIT);
}

#[test]
fn every_funds_message_executes_on_the_runtime() {
    let (mut sb, dao, funds) = dao_with_funds(DaoConfig::default());
    fund_with(&mut sb, &funds.compute, 1_000 * UNIT);
    let work = funds.register_work(&mut sb, &account("bob"), 9, 6_000);
    let bob = addr(&mut sb, "bob");
    let one = addr(&mut sb, "one");
    assert!(Funds::call(
        &mut sb,
        &account("ferdie"),
        &funds.router,
        rm::route(work),
        10 * UNIT
    )
    .is_ok());
    assert!(Funds::call(
        &mut sb,
        &account("ferdie"),
        &funds.router,
        rm::route_batch(vec![(work, 2 * UNIT), (work, 3 * UNIT)]),
        5 * UNIT
    )
    .is_ok());
    assert!(Funds::call(
        &mut sb,
        &account("ferdie"),
        &funds.router,
        rm::donate(),
        UNIT
    )
    .is_ok());
    for (label, input) in [
        raw(rm::work(work)),
        raw(rm::work_by_content([9u8; 32])),
        raw(rm::work_count()),
        raw(rm::balance_of(bob)),
        raw(rm::accrued()),
        raw(rm::split()),
        raw(rm::policy()),
        raw(rm::frozen()),
        raw(rm::funds()),
        raw(rm::governance()),
        raw(rm::quote(work, 100)),
    ] {
        let o = sb.call_input(&account("alice"), &funds.router, label, input, 0);
        assert!(o.is_ok(), "{label}");
    }
    assert!(call(&mut sb, "bob", &funds.router, rm::withdraw()).is_ok());
    assert!(call(&mut sb, "dave", &funds.router, rm::forward()).is_ok());
    let expires = sb.block() + 1_000;
    let request = spend_to(&mut sb, "one", 10 * UNIT, expires);
    let limits = call(&mut sb, "alice", &funds.compute, tm::limits()).value();
    pass(
        &mut sb,
        &dao,
        vec![
            Funds::approve_action(&funds.compute, &request),
            Funds::approve_action(&funds.compute, &request),
            Dao::action(&funds.compute, tm::set_steward(one, true)),
            Dao::action(&funds.compute, tm::set_limits(limits)),
            Dao::action(&funds.compute, tm::set_guardian(Some(one))),
            Dao::action(
                &funds.compute,
                tm::set_provenance(Some(funds.provenance.address)),
            ),
            Dao::action(&funds.router, rm::set_split(FundsConfig::default().split)),
            Dao::action(&funds.router, rm::freeze_split()),
        ],
    );
    for label in [
        "approve_spend",
        "set_steward",
        "set_limits",
        "set_guardian",
        "set_provenance",
    ] {
        sb.mark_executed("treasury", label);
    }
    for label in ["set_split", "freeze_split"] {
        sb.mark_executed("royalty_router", label);
    }
    assert!(call(&mut sb, "charlie", &funds.compute, tm::payout(0u32)).is_ok());
    assert!(call(&mut sb, "one", &funds.compute, tm::void_spend(1u32)).is_ok());
    for (label, input) in [
        raw(tm::spend(0)),
        raw(tm::spend_state(0)),
        raw(tm::spend_count()),
        raw(tm::is_steward(one)),
        raw(tm::limits()),
        raw(tm::epoch_outflow()),
        raw(tm::name()),
        raw(tm::governance()),
        raw(tm::guardian()),
        raw(tm::provenance()),
    ] {
        let o = sb.call_input(&account("alice"), &funds.compute, label, input, 0);
        assert!(o.is_ok(), "{label}");
    }
    let holders = vec![bob];
    let asset: u32 = call(
        &mut sb,
        "bob",
        &funds.provenance,
        pm::register(AssetKind::Model, [8u8; 32], 1u32, holders),
    )
    .result()
    .unwrap();
    assert!(call(&mut sb, "bob", &funds.provenance, pm::grant_consent(asset)).is_ok());
    assert!(call(&mut sb, "bob", &funds.provenance, pm::revoke_consent(asset)).is_ok());
    // a dispute, resolved by governance, and a work given to another creator
    assert!(call(
        &mut sb,
        "eve",
        &funds.provenance,
        pm::dispute(asset, [3u8; 32])
    )
    .is_ok());
    let dave = addr(&mut sb, "dave");
    pass(
        &mut sb,
        &dao,
        vec![
            Dao::action(&funds.provenance, pm::resolve_dispute(asset, None)),
            Dao::action(&funds.router, rm::reassign_work(work, dave)),
        ],
    );
    sb.mark_executed("provenance", "resolve_dispute");
    sb.mark_executed("royalty_router", "reassign_work");
    for (label, input) in [
        raw(pm::dispute_of(asset)),
        raw(pm::governance()),
        raw(pm::asset(asset)),
        raw(pm::asset_by_content([8u8; 32])),
        raw(pm::consents(asset, bob)),
        raw(pm::asset_count()),
        raw(pm::has_full_consent(asset)),
    ] {
        let o = sb.call_input(&account("alice"), &funds.provenance, label, input, 0);
        assert!(o.is_ok(), "{label}");
    }
    // the governor's grant track (init_allowlist ran in Funds::deploy)
    let track = OptimisticSettings {
        compute_fund: Some(funds.compute.address),
        max_amount: 50 * UNIT,
        challenge_period: 10,
        objection_bps: 1_000,
    };
    pass(
        &mut sb,
        &dao,
        vec![Dao::action(&dao.governor, gm::set_optimistic(track))],
    );
    sb.mark_executed("governor", "set_optimistic");
    let grant: u32 = call(
        &mut sb,
        "eve",
        &dao.governor,
        gm::propose_grant(request, "grant".to_owned()),
    )
    .result()
    .unwrap();
    assert!(call(&mut sb, "alice", &dao.governor, gm::optimistic_settings()).is_ok());
    assert!(call(&mut sb, "alice", &dao.governor, gm::optimistic_state(grant)).is_ok());
    for label in super::GRANT_TRACK {
        assert!(
            sb.executed()
                .contains(&("governor".to_owned(), label.to_owned())),
            "governor {label} never executed on the runtime"
        );
    }
    // init_governance / init_allowlist / constructors ran in Funds::deploy
    super::assert_all_executed(
        &sb,
        &[&funds.router, &funds.compute, &funds.provenance],
        &[],
    );
}

#[test]
fn a_payout_to_a_contract_that_refuses_value_fails_and_changes_nothing() {
    let (mut sb, dao, funds) = dao_with_funds(DaoConfig::default());
    fund_with(&mut sb, &funds.compute, 100 * UNIT);
    // the router has no fallback: a plain transfer to it reverts
    let expires = sb.block() + 1_000;
    let request = SpendRequest::single(funds.router.address, 10 * UNIT, expires);
    pass(
        &mut sb,
        &dao,
        vec![Funds::approve_action(&funds.compute, &request)],
    );
    let o = call(&mut sb, "charlie", &funds.compute, tm::payout(0u32));
    assert_eq!(o.result(), Err(treasury::Error::TransferFailed));
    let spend: Option<Spend> = call(&mut sb, "alice", &funds.compute, tm::spend(0u32)).value();
    assert_eq!(spend.map(|s| (s.tranches_paid, s.paid)), Some((0, 0)));
    assert_eq!(sb.balance(funds.compute.address), 100 * UNIT);
    assert_eq!(
        call(&mut sb, "alice", &funds.compute, tm::epoch_outflow()).value(),
        0
    );
}
