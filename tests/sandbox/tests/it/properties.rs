//! Property tests on the runtime: random sequences of royalties, donations, withdrawals,
//! forwards, payouts, proposals, votes, delegations, contributions and their attestation,
//! governance changing the grace period, the attestation threshold, the attestor set, the
//! contribution expiry and the Compute Fund's limits, and block advances across epoch
//! boundaries and expiry blocks (no keeper ever runs), checked after every step against the
//! contracts' own books, the runtime's balances and what the test saw.
//!
//! Every case replays on one DAO deployed once: the sandbox's state is snapshotted after the
//! deployment and restored for each case, so a case costs only its own calls.

use std::collections::BTreeMap;

use atelier_abi::{
    governor, governor::messages as gm, membership, membership::messages as mm, royalty_router,
    royalty_router::messages as rm, treasury, treasury::messages as tm,
};
use atelier_sandbox::{
    account,
    dao::{Dao, DaoConfig, GovernorSettings, MembershipSettings, ProposalState, Support},
    funds::{Funds, FundsConfig, Limits, SpendRequest, UNIT},
    sp_core::H160,
    Sandbox,
};
use proptest::{prelude::*, test_runner::TestCaseError};

use super::{addr, dao_with_members, pass};

const CREATORS: [&str; 2] = ["bob", "dave"];
/// Members (Bob 30, Eve 40, Dave 10, Charlie 30) and Ferdie, who holds nothing.
const VOTERS: [&str; 5] = ["bob", "eve", "dave", "charlie", "ferdie"];
/// Members with enough weight to propose (threshold 20), when they have not delegated it.
const PROPOSERS: [&str; 3] = ["bob", "eve", "charlie"];
/// Attestors at deployment (k = 2); Dave may join and leave through governance.
const ATTESTORS: [&str; 4] = ["alice", "bob", "charlie", "dave"];
/// The expiry of contributions activated during the sequences, unless one changes it.
const SHORT_EXPIRY: u32 = 100;

#[derive(Debug, Clone)]
enum Op {
    Route {
        work: usize,
        amount: u64,
    },
    Donate {
        amount: u64,
    },
    Withdraw {
        creator: usize,
    },
    Forward,
    Payout {
        spend: u32,
    },
    Propose {
        proposer: usize,
    },
    Vote {
        voter: usize,
        support: u8,
        which: usize,
    },
    Delegate {
        from: usize,
        to: usize,
    },
    Contribute {
        who: usize,
        attestors: u8,
    },
    Govern {
        change: Change,
    },
    Advance {
        blocks: u8,
    },
}

/// A governed change, proposed, voted and executed within the operation.
#[derive(Debug, Clone, Copy)]
enum Change {
    Grace(u32),
    Threshold(u32),
    /// Contributions activated from then on expire after this many blocks.
    Expiry(u32),
    ToggleAttestor,
    Limits {
        cap: u64,
        epoch: u32,
    },
}

fn op() -> impl Strategy<Value = Op> {
    let change = prop_oneof![
        (10..60u32).prop_map(Change::Grace),
        (1..4u32).prop_map(Change::Threshold),
        (100..300u32).prop_map(Change::Expiry),
        Just(Change::ToggleAttestor),
        (100..1_500u64, 10..150u32).prop_map(|(cap, epoch)| Change::Limits { cap, epoch }),
    ];
    prop_oneof![
        4 => (0..2usize, 1..5_000_000u64).prop_map(|(work, amount)| Op::Route { work, amount }),
        1 => (1..1_000_000u64).prop_map(|amount| Op::Donate { amount }),
        2 => (0..2usize).prop_map(|creator| Op::Withdraw { creator }),
        2 => Just(Op::Forward),
        4 => (0..3u32).prop_map(|spend| Op::Payout { spend }),
        2 => (0..PROPOSERS.len()).prop_map(|proposer| Op::Propose { proposer }),
        4 => (0..VOTERS.len(), 0..3u8, 0..4usize)
            .prop_map(|(voter, support, which)| Op::Vote { voter, support, which }),
        2 => (0..VOTERS.len(), 0..VOTERS.len()).prop_map(|(from, to)| Op::Delegate { from, to }),
        1 => (0..VOTERS.len(), 0..16u8).prop_map(|(who, attestors)| Op::Contribute { who, attestors }),
        1 => change.prop_map(|change| Op::Govern { change }),
        3 => (1..60u8).prop_map(|blocks| Op::Advance { blocks }),
    ]
}

/// The deployed world every case starts from.
struct World {
    sb: Sandbox,
    dao: Dao,
    funds: Funds,
    works: [u64; 2],
    approved: Vec<SpendRequest>,
}

fn world() -> World {
    let (mut sb, dao) = dao_with_members(DaoConfig::default());
    let funds = Funds::deploy(&mut sb, &account("alice"), &dao, &FundsConfig::default())
        .expect("funds deploy");
    let works = [
        funds.register_work(&mut sb, &account("bob"), 1, 7_000),
        funds.register_work(&mut sb, &account("dave"), 2, 9_000),
    ];
    let expires = sb.block() + 5_000;
    let (one, two) = (addr(&mut sb, "one"), addr(&mut sb, "two"));
    let payroll = SpendRequest {
        tranches: 3,
        tranche_interval: 5,
        ..SpendRequest::single(one, 1_500 * UNIT, expires)
    };
    let single = SpendRequest::single(two, 800 * UNIT, expires);
    let small = SpendRequest::single(two, 5 * UNIT, expires);
    let approved = vec![payroll, single, small];
    let mut actions: Vec<_> = approved
        .iter()
        .map(|r| Funds::approve_action(&funds.compute, r))
        .collect();
    // Contributions activated from now on expire after SHORT_EXPIRY blocks, within the
    // span of many sequences (the members' first ones last 10,000 blocks).
    actions.push(Dao::action(
        &dao.membership,
        mm::set_settings(MembershipSettings {
            expiry_blocks: SHORT_EXPIRY,
            ..dao.config.membership
        }),
    ));
    pass(&mut sb, &dao, actions);
    // enough for some payouts, not for all of them
    let deposit = Funds::call(
        &mut sb,
        &account("ferdie"),
        &funds.compute,
        tm::deposit(),
        2_000 * UNIT,
    );
    assert!(deposit.is_ok(), "{deposit:?}");
    World {
        sb,
        dao,
        funds,
        works,
        approved,
    }
}

/// How often each outcome occurred over all cases, to show the sequences reach them.
#[derive(Debug, Default)]
struct Seen {
    payouts: usize,
    payouts_refused: usize,
    forwards: usize,
    withdrawals: usize,
    votes: usize,
    second_votes_refused: usize,
    delegated_votes_refused: usize,
    delegations: usize,
    activations: usize,
    removed_attestor_refused: usize,
    changes_executed: usize,
    limits_changed: usize,
    /// Checks made while some contribution had passed its expiry block.
    expired_seen: usize,
}

/// What the test expects, kept beside the chain.
#[derive(Default)]
struct Books {
    forwarded_to_compute: u128,
    paid: BTreeMap<u32, u128>,
    /// (block, amount, cap and epoch in force) of every payout.
    payouts: Vec<(u32, u128, u128, u32)>,
    /// (block, epoch before, epoch after) of every change of the fund's limits.
    limit_changes: Vec<(u32, u32, u32)>,
    limits: Option<Limits>,
    /// Proposals made in the case, with the voters counted: voter -> (support, weight).
    proposals: BTreeMap<u32, BTreeMap<usize, (Support, u128)>>,
    /// States that never change again, as first seen.
    settled: BTreeMap<u32, ProposalState>,
}

fn settled(s: ProposalState) -> bool {
    matches!(
        s,
        ProposalState::Canceled
            | ProposalState::Defeated
            | ProposalState::Expired
            | ProposalState::Executed
    )
}

fn check(
    w: &mut World,
    books: &mut Books,
    compute_start: u128,
    seen: &mut Seen,
) -> Result<(), TestCaseError> {
    let sb = &mut w.sb;
    let anyone = account("alice");
    // the router holds exactly what it owes creators plus the funds' accruals
    let mut owed = 0u128;
    for c in CREATORS {
        let a = addr(sb, c);
        owed += Funds::call(sb, &anyone, &w.funds.router, rm::balance_of(a), 0).value();
    }
    let (compute, reserve): (u128, u128) =
        Funds::call(sb, &anyone, &w.funds.router, rm::accrued(), 0).value();
    prop_assert_eq!(sb.balance(w.funds.router.address), owed + compute + reserve);
    // the Compute Fund holds what it received less what it paid
    let paid: u128 = books.paid.values().sum();
    prop_assert_eq!(
        sb.balance(w.funds.compute.address),
        compute_start + books.forwarded_to_compute - paid
    );
    // no spend paid beyond its approval
    for (id, r) in w.approved.iter().enumerate() {
        prop_assert!(books.paid.get(&(id as u32)).copied().unwrap_or(0) <= r.amount);
    }
    // no span of `epoch_blocks` blocks ending at a payout pays more than the cap then in
    // force (spans reaching back over a change that lengthened the epoch excepted: what had
    // left the shorter window is not counted again)
    if let Some(&(end, _, cap, epoch)) = books.payouts.last() {
        let start = end.saturating_sub(epoch - 1);
        let lengthened = books
            .limit_changes
            .iter()
            .any(|(b, before, after)| (start..=end).contains(b) && after > before);
        if !lengthened {
            let span: u128 = books
                .payouts
                .iter()
                .filter(|(b, ..)| (start..=end).contains(b))
                .map(|(_, a, ..)| a)
                .sum();
            prop_assert!(
                span <= cap,
                "{} paid in blocks {}..={} (cap {})",
                span,
                start,
                end,
                cap
            );
        }
    }
    // weight is conserved across delegation: the members' votes sum to the total
    let mut votes = 0u128;
    for v in VOTERS.iter().chain(["alice"].iter()) {
        let a = addr(sb, v);
        votes += w.dao.m(sb, &anyone, mm::votes(a)).value();
    }
    let total: u128 = w.dao.m(sb, &anyone, mm::total_weight()).value();
    prop_assert_eq!(votes, total);
    // audit L-1: weight is what the contributions give between activation and expiry, at
    // every block, with no keeper ever called: the total now and at every snapshot, and each
    // account's votes now (its own and its delegators' unexpired contributions)
    let now = sb.block();
    let count: u64 = w.dao.m(sb, &anyone, mm::contribution_count()).value();
    let mut given = Vec::new();
    for id in 0..count {
        let c = w
            .dao
            .m(sb, &anyone, mm::contribution(id))
            .value()
            .expect("recorded");
        if c.status != membership::ContributionStatus::Pending {
            let delegate: H160 = w.dao.m(sb, &anyone, mm::delegate_of(c.contributor)).value();
            given.push((c, delegate));
        }
    }
    let counted_at = |b: u32| -> u128 {
        given
            .iter()
            .filter(|(c, _)| c.activated_at <= b && b < c.expires_at)
            .map(|(c, _)| c.weight)
            .sum()
    };
    seen.expired_seen += usize::from(given.iter().any(|(c, _)| c.expires_at <= now));
    prop_assert_eq!(total, counted_at(now));
    for v in VOTERS {
        let a = addr(sb, v);
        let expected: u128 = given
            .iter()
            .filter(|(c, d)| *d == a && now < c.expires_at)
            .map(|(c, _)| c.weight)
            .sum();
        prop_assert_eq!(
            w.dao.m(sb, &anyone, mm::votes(a)).value(),
            expected,
            "{}",
            v
        );
    }
    for (&id, voted) in &books.proposals {
        let p = w.dao.proposal(sb, id);
        // tallies are the sum of distinct voters' weights, each its weight at the snapshot,
        // and together never more than the total then: no weight counted twice, whoever
        // delegated to whom
        let sum = |s: Support| -> u128 {
            voted
                .values()
                .filter(|(v, _)| *v == s)
                .map(|(_, w)| w)
                .sum()
        };
        prop_assert_eq!(
            (p.for_votes, p.against_votes, p.abstain_votes),
            (
                sum(Support::For),
                sum(Support::Against),
                sum(Support::Abstain)
            )
        );
        let at_snapshot: Option<u128> = w
            .dao
            .m(sb, &anyone, mm::total_weight_at(p.snapshot))
            .value();
        if let Some(at_snapshot) = at_snapshot {
            prop_assert!(p.for_votes + p.against_votes + p.abstain_votes <= at_snapshot);
            prop_assert_eq!(
                at_snapshot,
                counted_at(p.snapshot),
                "at snapshot {}",
                p.snapshot
            );
        }
        // a state that cannot change again does not (audit M-1: a grace change revives
        // nothing)
        let state = w.dao.state(sb, id);
        match books.settled.get(&id) {
            Some(before) => prop_assert_eq!(*before, state, "proposal {} moved on", id),
            None if settled(state) => {
                books.settled.insert(id, state);
            }
            None => {}
        }
    }
    Ok(())
}

fn addr_of(sb: &mut Sandbox, voter: usize) -> H160 {
    addr(sb, VOTERS[voter])
}

/// Proposes `action` as the first proposer that may, has every voter vote For, and
/// executes it when it passes; whether it was executed.
fn govern(w: &mut World, action: governor::Action) -> bool {
    let World { sb, dao, .. } = w;
    let id = PROPOSERS.iter().find_map(|p| {
        dao.g(
            sb,
            &account(p),
            gm::propose(vec![action.clone()], "change".to_owned()),
        )
        .result()
        .ok()
    });
    let Some(id) = id else { return false };
    dao.open_voting(sb, id);
    for v in VOTERS {
        let _ = dao.vote(sb, &account(v), id, Support::For, None);
    }
    dao.close_voting(sb, id);
    if dao.state(sb, id) != ProposalState::Succeeded {
        return false;
    }
    let anyone = account("eve");
    let Ok(eta) = dao.g(sb, &anyone, gm::queue(id)).result() else {
        return false;
    };
    let now = sb.block();
    sb.advance(eta.saturating_sub(now));
    dao.g(sb, &anyone, gm::execute(id)).result().is_ok()
}

#[allow(clippy::too_many_lines)]
fn run(w: &mut World, ops: &[Op], seen: &mut Seen) -> Result<(), TestCaseError> {
    let mut books = Books {
        limits: Some(FundsConfig::default().compute_limits),
        ..Books::default()
    };
    let compute_start = w.sb.balance(w.funds.compute.address);
    let mut evidence = 100u8;
    for op in ops {
        match *op {
            Op::Route { work, amount } => {
                let value = u128::from(amount) * 1_000_000;
                let o = Funds::call(
                    &mut w.sb,
                    &account("ferdie"),
                    &w.funds.router,
                    rm::route(w.works[work]),
                    value,
                );
                let (c, f, r): (u128, u128, u128) =
                    o.result().map_err(|e| TestCaseError::fail(e.to_string()))?;
                prop_assert_eq!(c + f + r, value);
            }
            Op::Donate { amount } => {
                let value = u128::from(amount) * 1_000_000;
                let o = Funds::call(
                    &mut w.sb,
                    &account("ferdie"),
                    &w.funds.router,
                    rm::donate(),
                    value,
                );
                prop_assert!(o.is_ok());
            }
            Op::Withdraw { creator } => {
                let who = account(CREATORS[creator]);
                let o = Funds::call(&mut w.sb, &who, &w.funds.router, rm::withdraw(), 0);
                match o.result() {
                    Ok(_) => seen.withdrawals += 1,
                    Err(e) => prop_assert_eq!(e, royalty_router::Error::NothingToPay),
                }
            }
            Op::Forward => {
                let o = Funds::call(
                    &mut w.sb,
                    &account("eve"),
                    &w.funds.router,
                    rm::forward(),
                    0,
                );
                match o.result() {
                    Ok((compute, _)) => {
                        books.forwarded_to_compute += compute;
                        seen.forwards += 1;
                    }
                    Err(e) => prop_assert_eq!(e, royalty_router::Error::NothingToPay),
                }
            }
            Op::Payout { spend } => {
                let beneficiary = w.approved[spend as usize].beneficiary;
                let before = w.sb.balance(beneficiary);
                let o = Funds::call(
                    &mut w.sb,
                    &account("charlie"),
                    &w.funds.compute,
                    tm::payout(spend),
                    0,
                );
                match o.result() {
                    Ok(amount) => {
                        prop_assert_eq!(w.sb.balance(beneficiary) - before, amount);
                        *books.paid.entry(spend).or_default() += amount;
                        let l = books.limits.expect("limits known");
                        books
                            .payouts
                            .push((w.sb.block(), amount, l.outflow_cap, l.epoch_blocks));
                        seen.payouts += 1;
                    }
                    Err(e) => {
                        seen.payouts_refused += 1;
                        prop_assert_eq!(w.sb.balance(beneficiary), before);
                        let expected = [
                            treasury::Error::TrancheNotDue,
                            treasury::Error::OutflowCapReached,
                            treasury::Error::InsufficientFunds,
                            treasury::Error::AlreadyPaid,
                            treasury::Error::Expired,
                        ];
                        prop_assert!(expected.contains(&e), "{}", e);
                    }
                }
            }
            Op::Propose { proposer } => {
                let target = Dao::action(&w.dao.membership, mm::set_category(9u32, 5u128));
                let made = w.dao.g(
                    &mut w.sb,
                    &account(PROPOSERS[proposer]),
                    gm::propose(vec![target], "open".to_owned()),
                );
                match made.result() {
                    Ok(id) => {
                        books.proposals.insert(id, BTreeMap::new());
                    }
                    Err(e) => prop_assert!(
                        matches!(
                            e,
                            governor::Error::LiveProposalExists
                                | governor::Error::BelowProposalThreshold
                        ),
                        "{}",
                        e
                    ),
                }
            }
            Op::Vote {
                voter,
                support,
                which,
            } => {
                let ids: Vec<u32> = books.proposals.keys().copied().collect();
                let Some(&id) = ids.get(which % ids.len().max(1)) else {
                    continue;
                };
                let support = [Support::Against, Support::For, Support::Abstain][support as usize];
                let who = account(VOTERS[voter]);
                let snapshot = w.dao.proposal(&mut w.sb, id).snapshot;
                let o = w.dao.vote(&mut w.sb, &who, id, support, None);
                let voted = books.proposals.get_mut(&id).expect("known");
                match (o.result(), voted.get(&voter)) {
                    (Ok(weight), None) => {
                        // counted with its weight at the snapshot, whatever moved since
                        let at = w.dao.weight_at(&mut w.sb, &who, snapshot);
                        prop_assert_eq!(Some(weight), at);
                        voted.insert(voter, (support, weight));
                        seen.votes += 1;
                    }
                    (Ok(_), Some(_)) => {
                        return Err(TestCaseError::fail(format!(
                            "{} voted twice",
                            VOTERS[voter]
                        )))
                    }
                    (Err(e), Some(_)) => {
                        prop_assert!(
                            matches!(
                                e,
                                governor::Error::AlreadyVoted | governor::Error::VotingNotOpen
                            ),
                            "{}",
                            e
                        );
                        seen.second_votes_refused += 1;
                    }
                    (Err(e), None) => {
                        // a member that had delegated its weight away at the snapshot
                        let voter_addr = addr_of(&mut w.sb, voter);
                        let own: u128 = w.dao.m(&mut w.sb, &who, mm::weight_of(voter_addr)).value();
                        if e == governor::Error::NoVotingWeight && own > 0 {
                            seen.delegated_votes_refused += 1;
                        }
                        prop_assert!(
                            matches!(
                                e,
                                governor::Error::NoVotingWeight | governor::Error::VotingNotOpen
                            ),
                            "{}",
                            e
                        );
                    }
                }
            }
            Op::Delegate { from, to } => {
                let to_addr = addr(&mut w.sb, VOTERS[to]);
                let o = w
                    .dao
                    .m(&mut w.sb, &account(VOTERS[from]), mm::delegate(to_addr));
                match o.result() {
                    Ok(()) => seen.delegations += 1,
                    Err(e) => prop_assert_eq!(e, membership::Error::SameDelegate),
                }
            }
            Op::Contribute { who, attestors } => {
                evidence = evidence.wrapping_add(1);
                let member = account(VOTERS[who]);
                let Ok(id) = w
                    .dao
                    .m(
                        &mut w.sb,
                        &member,
                        mm::record_contribution(2, [evidence; 32]),
                    )
                    .result()
                else {
                    continue;
                };
                let member_addr = addr(&mut w.sb, VOTERS[who]);
                for (i, a) in ATTESTORS.iter().enumerate() {
                    if attestors & (1 << i) == 0 {
                        continue;
                    }
                    let a_addr = addr(&mut w.sb, a);
                    let is_attestor: bool = w
                        .dao
                        .m(&mut w.sb, &account("alice"), mm::is_attestor(a_addr))
                        .value();
                    let o = w.dao.m(&mut w.sb, &account(a), mm::attest(id));
                    match o.result() {
                        Ok(()) => prop_assert!(is_attestor),
                        Err(membership::Error::NotAttestor) => {
                            prop_assert!(!is_attestor);
                            seen.removed_attestor_refused += usize::from(*a == "dave");
                        }
                        Err(e) => prop_assert!(
                            matches!(
                                e,
                                membership::Error::SelfAttestation | membership::Error::NotPending
                            ) && (a_addr == member_addr || e == membership::Error::NotPending),
                            "{}",
                            e
                        ),
                    }
                }
                let c = w
                    .dao
                    .m(&mut w.sb, &account("alice"), mm::contribution(id))
                    .value()
                    .expect("recorded");
                if c.status == membership::ContributionStatus::Active {
                    seen.activations += 1;
                }
            }
            Op::Govern { change } => {
                let action = match change {
                    Change::Grace(grace_period) => Dao::action(
                        &w.dao.governor,
                        gm::set_settings(GovernorSettings {
                            grace_period,
                            ..w.dao.config.governor
                        }),
                    ),
                    Change::Threshold(threshold) => Dao::action(
                        &w.dao.membership,
                        mm::set_settings(MembershipSettings {
                            threshold,
                            expiry_blocks: SHORT_EXPIRY,
                            ..w.dao.config.membership
                        }),
                    ),
                    Change::Expiry(expiry_blocks) => Dao::action(
                        &w.dao.membership,
                        mm::set_settings(MembershipSettings {
                            expiry_blocks,
                            ..w.dao.config.membership
                        }),
                    ),
                    Change::ToggleAttestor => {
                        let dave: H160 = addr(&mut w.sb, "dave");
                        let is: bool = w
                            .dao
                            .m(&mut w.sb, &account("alice"), mm::is_attestor(dave))
                            .value();
                        let m = if is {
                            mm::remove_attestor(dave)
                        } else {
                            mm::add_attestor(dave)
                        };
                        Dao::action(&w.dao.membership, m)
                    }
                    Change::Limits { cap, epoch } => Dao::action(
                        &w.funds.compute,
                        tm::set_limits(Limits {
                            outflow_cap: u128::from(cap) * UNIT,
                            epoch_blocks: epoch,
                        }),
                    ),
                };
                if govern(w, action) {
                    seen.changes_executed += 1;
                    if let Change::Limits { cap, epoch } = change {
                        let before = books.limits.expect("known").epoch_blocks;
                        books.limit_changes.push((w.sb.block(), before, epoch));
                        books.limits = Some(Limits {
                            outflow_cap: u128::from(cap) * UNIT,
                            epoch_blocks: epoch,
                        });
                        seen.limits_changed += 1;
                    }
                }
            }
            Op::Advance { blocks } => w.sb.advance(u32::from(blocks)),
        }
        check(w, &mut books, compute_start, seen)?;
    }
    Ok(())
}

fn cases() -> u32 {
    std::env::var("ATELIER_PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2_000)
}

#[test]
fn value_is_conserved_payouts_stay_within_approvals_and_caps_and_nobody_votes_twice() {
    let mut w = world();
    let snapshot = w.sb.snapshot();
    let w = std::cell::RefCell::new(w);
    let seen = std::cell::RefCell::new(Seen::default());
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases: cases(),
        failure_persistence: None,
        ..ProptestConfig::default()
    });
    let result = runner.run(&prop::collection::vec(op(), 1..30), |ops| {
        let mut w = w.borrow_mut();
        w.sb.restore(&snapshot);
        run(&mut w, &ops, &mut seen.borrow_mut())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    let seen = seen.into_inner();
    println!("{} random sequences checked: {seen:?}", cases());
    assert!(
        seen.payouts > 0 && seen.payouts_refused > 0 && seen.forwards > 0,
        "the sequences never reached a payout, a refusal or a forward: {seen:?}"
    );
    assert!(seen.withdrawals > 0 && seen.votes > 0 && seen.second_votes_refused > 0);
    assert!(
        seen.delegations > 0
            && seen.activations > 0
            && seen.changes_executed > 0
            && seen.expired_seen > 0,
        "{seen:?}"
    );
}
