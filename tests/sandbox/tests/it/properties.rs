//! Property tests on the runtime: random sequences of royalties, donations, withdrawals,
//! forwards, payouts, votes and block advances, checked after every step against the
//! contracts' own books and the runtime's balances.
//!
//! Every case replays on one DAO deployed once: the sandbox's state is snapshotted after the
//! deployment and restored for each case, so a case costs only its own calls.

use std::collections::BTreeMap;

use atelier_abi::{
    governor, governor::messages as gm, membership::messages as mm, royalty_router,
    royalty_router::messages as rm, treasury, treasury::messages as tm,
};
use atelier_sandbox::{
    account,
    dao::{Dao, DaoConfig, GovernorSettings, Receipt, Support},
    funds::{Funds, FundsConfig, SpendRequest, UNIT},
    Sandbox,
};
use proptest::{prelude::*, test_runner::TestCaseError};

use super::{addr, dao_with_members, pass};

const CREATORS: [&str; 2] = ["bob", "dave"];
const VOTERS: [&str; 5] = ["bob", "eve", "dave", "charlie", "ferdie"];

#[derive(Debug, Clone)]
enum Op {
    Route { work: usize, amount: u64 },
    Donate { amount: u64 },
    Withdraw { creator: usize },
    Forward,
    Payout { spend: u32 },
    Vote { voter: usize, support: u8 },
    Advance { blocks: u8 },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0..2usize, 1..5_000_000u64).prop_map(|(work, amount)| Op::Route { work, amount }),
        1 => (1..1_000_000u64).prop_map(|amount| Op::Donate { amount }),
        2 => (0..2usize).prop_map(|creator| Op::Withdraw { creator }),
        2 => Just(Op::Forward),
        3 => (0..3u32).prop_map(|spend| Op::Payout { spend }),
        3 => (0..VOTERS.len(), 0..3u8).prop_map(|(voter, support)| Op::Vote { voter, support }),
        2 => (1..40u8).prop_map(|blocks| Op::Advance { blocks }),
    ]
}

/// The deployed world every case starts from.
struct World {
    sb: Sandbox,
    dao: Dao,
    funds: Funds,
    works: [u64; 2],
    proposal: u32,
    approved: Vec<SpendRequest>,
}

fn world() -> World {
    // voting stays open for as long as any sequence can advance (29 x 39 blocks)
    let long = GovernorSettings {
        voting_period: 2_000,
        late_quorum_extension: 0,
        ..DaoConfig::default().governor
    };
    let (mut sb, dao) = dao_with_members(DaoConfig {
        governor: long,
        ..DaoConfig::default()
    });
    let funds = Funds::deploy(&mut sb, &account("alice"), &dao, &FundsConfig::default())
        .expect("funds deploy");
    let works = [
        funds.register_work(&mut sb, &account("bob"), 1, 7_000),
        funds.register_work(&mut sb, &account("dave"), 2, 9_000),
    ];
    let expires = sb.block() + 3_000;
    let (one, two) = (addr(&mut sb, "one"), addr(&mut sb, "two"));
    let payroll = SpendRequest {
        tranches: 3,
        tranche_interval: 5,
        ..SpendRequest::single(one, 1_500 * UNIT, expires)
    };
    let single = SpendRequest::single(two, 800 * UNIT, expires);
    let small = SpendRequest::single(two, 5 * UNIT, expires);
    let approved = vec![payroll, single, small];
    let actions = approved
        .iter()
        .map(|r| Funds::approve_action(&funds.compute, r))
        .collect();
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
    // a proposal open for voting while the case runs
    let target = Dao::action(&dao.membership, mm::set_category(9u32, 5u128));
    let proposal = dao.propose(&mut sb, &account("bob"), vec![target], "open");
    dao.open_voting(&mut sb, proposal);
    World {
        sb,
        dao,
        funds,
        works,
        proposal,
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
}

/// What the test expects, kept beside the chain.
#[derive(Default)]
struct Books {
    forwarded_to_compute: u128,
    paid: BTreeMap<u32, u128>,
    voted: BTreeMap<usize, (Support, u128)>,
}

fn check(w: &mut World, books: &Books, compute_start: u128) -> Result<(), TestCaseError> {
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
    // no spend paid beyond its approval, no epoch beyond the cap
    for (id, r) in w.approved.iter().enumerate() {
        prop_assert!(books.paid.get(&(id as u32)).copied().unwrap_or(0) <= r.amount);
    }
    let outflow: u128 = Funds::call(sb, &anyone, &w.funds.compute, tm::epoch_outflow(), 0).value();
    prop_assert!(outflow <= FundsConfig::default().compute_limits.outflow_cap);
    // tallies are the sum of distinct voters' weights
    let p = w.dao.proposal(sb, w.proposal);
    let sum = |s: Support| -> u128 {
        books
            .voted
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
    Ok(())
}

fn run(w: &mut World, ops: &[Op], seen: &mut Seen) -> Result<(), TestCaseError> {
    let mut books = Books::default();
    let compute_start = w.sb.balance(w.funds.compute.address);
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
            Op::Vote { voter, support } => {
                let support = [Support::Against, Support::For, Support::Abstain][support as usize];
                let who = account(VOTERS[voter]);
                let o = w.dao.vote(&mut w.sb, &who, w.proposal, support, None);
                match (o.result(), books.voted.get(&voter)) {
                    (Ok(weight), None) => {
                        books.voted.insert(voter, (support, weight));
                        seen.votes += 1;
                    }
                    (Ok(_), Some(_)) => {
                        return Err(TestCaseError::fail(format!(
                            "{} voted twice",
                            VOTERS[voter]
                        )))
                    }
                    (Err(e), Some(_)) => {
                        prop_assert_eq!(e, governor::Error::AlreadyVoted);
                        seen.second_votes_refused += 1;
                    }
                    (Err(e), None) => {
                        prop_assert!(
                            matches!(
                                e,
                                governor::Error::NoVotingWeight | governor::Error::VotingNotOpen
                            ),
                            "{}",
                            e
                        )
                    }
                }
                let a = addr(&mut w.sb, VOTERS[voter]);
                let receipt: Option<Receipt> = w
                    .dao
                    .g(&mut w.sb, &account("alice"), gm::receipt(w.proposal, a))
                    .value();
                prop_assert_eq!(
                    receipt.map(|r| r.weight),
                    books.voted.get(&voter).map(|v| v.1)
                );
            }
            Op::Advance { blocks } => w.sb.advance(u32::from(blocks)),
        }
        check(w, &books, compute_start)?;
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
}
