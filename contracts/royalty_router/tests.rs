//! Unit tests on ink!'s off-chain engine, written given/when/then. Deposits into the funds
//! are plain transfers here (`offchain_double`); `tests/sandbox` runs the real calls into
//! the treasury contracts on the runtime.
use crate::royalty_router::{offchain_double as double, *};
use atelier_traits::emitted;
use ink::{
    env::{test, DefaultEnvironment},
    Address, U256,
};
use proptest::prelude::*;

type Env = DefaultEnvironment;

const SPLIT: Split = Split {
    compute_bps: 2_000,
    reserve_bps: 1_000,
};
const POLICY: SplitPolicy = SplitPolicy {
    max_change_bps: 500,
    epoch_blocks: 100,
};

struct World {
    a: test::DefaultAccounts,
    r: RoyaltyRouter,
    gov: Address,
}

fn compute() -> Address {
    Address::from_low_u64_be(0xC1)
}

fn reserve() -> Address {
    Address::from_low_u64_be(0xC2)
}

fn world() -> World {
    let a = test::default_accounts();
    test::set_callee(Address::from_low_u64_be(0x707));
    test::set_caller(a.alice);
    let mut r = RoyaltyRouter::new(compute(), reserve(), SPLIT, POLICY).expect("valid split");
    let gov = Address::from_low_u64_be(0x60);
    r.init_governance(gov).expect("deployer hands over");
    World { a, r, gov }
}

fn metadata(title: &str) -> WorkMetadata {
    WorkMetadata {
        title: title.into(),
        prompt: "a lighthouse in fog, ink wash".into(),
        description: "first of a series".into(),
        tags: vec!["ink".into(), "sea".into()],
        image_hash: Some([9; 32]),
    }
}

fn balance(who: Address) -> U256 {
    test::get_contract_balance::<Env>(who).unwrap_or_default()
}

fn advance(blocks: u32) {
    for _ in 0..blocks {
        test::advance_block::<Env>();
    }
}

fn now() -> u32 {
    ink::env::block_number::<Env>()
}

impl World {
    fn as_(&mut self, who: Address) -> &mut RoyaltyRouter {
        test::set_caller(who);
        &mut self.r
    }

    fn as_gov(&mut self) -> &mut RoyaltyRouter {
        let gov = self.gov;
        self.as_(gov)
    }

    /// Bob registers a work claiming 70%.
    fn work(&mut self) -> u64 {
        let bob = self.a.bob;
        self.as_(bob)
            .register_work([1; 32], metadata("Fog"), 7_000)
            .expect("registered")
    }

    /// Eve pays a royalty of `amount` for `work`, the value arriving in the router's
    /// account as it would on chain.
    fn route(&mut self, work: u64, amount: u128) -> Result<(u128, u128, u128)> {
        self.paying(amount, |r| r.route(work))
    }

    /// Eve settles `royalties` in one call, sending `value` with it.
    fn route_batch(&mut self, royalties: Vec<(u64, u128)>, value: u128) -> Result<u32> {
        self.paying(value, |r| r.route_batch(royalties))
    }

    /// Eve calls `call` sending `value`.
    fn paying<T>(&mut self, value: u128, call: impl FnOnce(&mut RoyaltyRouter) -> T) -> T {
        let eve = self.a.eve;
        test::set_caller(eve);
        test::set_contract_balance(eve, U256::from(value) + U256::from(1_000u32));
        test::transfer_in(U256::from(value));
        let result = call(&mut self.r);
        test::set_value_transferred(U256::zero());
        result
    }
}

#[ink::test]
fn constructor_checks_the_split_and_policy() {
    let w = world();
    assert_eq!(w.r.split(), SPLIT);
    assert_eq!(w.r.policy(), POLICY);
    assert_eq!(w.r.funds(), (compute(), reserve()));
    assert_eq!(w.r.governance(), Some(w.gov));
    assert_eq!(emitted!(SplitChanged).len(), 1);
    assert_eq!(emitted!(GovernanceSet).len(), 1);
    let low = Split {
        compute_bps: COMPUTE_BOUNDS.0 - 1,
        reserve_bps: 1_000,
    };
    assert_eq!(
        RoyaltyRouter::new(compute(), reserve(), low, POLICY).err(),
        Some(Error::SplitOutOfBounds)
    );
    let fast = SplitPolicy {
        max_change_bps: MAX_CHANGE_BOUNDS.1 + 1,
        epoch_blocks: 100,
    };
    assert_eq!(
        RoyaltyRouter::new(compute(), reserve(), SPLIT, fast).err(),
        Some(Error::PolicyOutOfBounds)
    );
}

#[ink::test]
fn governance_is_handed_over_once_by_the_deployer_only() {
    let mut w = world();
    let (alice, eve) = (w.a.alice, w.a.eve);
    assert_eq!(w.as_(alice).init_governance(eve), Err(Error::NotAdmin));
}

#[ink::test]
fn register_work_stores_hashes_and_emits_the_metadata_in_full() {
    let mut w = world();
    let id = w.work();
    let work = w.r.work(id).unwrap();
    assert_eq!((work.creator, work.creator_bps), (w.a.bob, 7_000));
    assert_eq!(w.r.work_by_content([1; 32]), Some(id));
    assert_eq!(w.r.work_count(), 1);
    let e = emitted!(WorkRegistered);
    assert_eq!(e[0].metadata, metadata("Fog"));
    assert_eq!(e[0].metadata_hash, work.metadata_hash);
    let mut expected = [0u8; 32];
    ink::env::hash_encoded::<ink::env::hash::Keccak256, _>(&metadata("Fog"), &mut expected);
    assert_eq!(work.metadata_hash, expected);
}

#[ink::test]
fn register_work_rejects_bad_input() {
    let mut w = world();
    w.work();
    let bob = w.a.bob;
    assert_eq!(
        w.as_(bob).register_work([1; 32], metadata("again"), 7_000),
        Err(Error::ContentExists)
    );
    for bps in [CREATOR_BOUNDS.0 - 1, CREATOR_BOUNDS.1 + 1] {
        assert_eq!(
            w.as_(bob).register_work([2; 32], metadata("x"), bps),
            Err(Error::CreatorShareOutOfBounds)
        );
    }
    let long = "x".repeat(MAX_TITLE_LEN + 1);
    assert_eq!(
        w.as_(bob).register_work([2; 32], metadata(&long), 7_000),
        Err(Error::MetadataTooLong)
    );
    let mut m = metadata("x");
    m.tags = vec!["t".into(); MAX_TAGS + 1];
    assert_eq!(
        w.as_(bob).register_work([2; 32], m, 7_000),
        Err(Error::MetadataTooLong)
    );
    assert_eq!(w.r.work_count(), 1);
}

#[ink::test]
fn route_splits_credits_and_accrues() {
    let mut w = world();
    let id = w.work();
    // 10,001: creator 70% = 7,000 (rounded down), compute 20% = 2,000, reserve the rest.
    assert_eq!(w.route(id, 10_001), Ok((7_000, 2_000, 1_001)));
    assert_eq!(w.r.balance_of(w.a.bob), 7_000);
    assert_eq!(w.r.accrued(), (2_000, 1_001));
    let e = emitted!(RoyaltyRouted);
    assert_eq!(
        (e[0].work, e[0].creator, e[0].payer, e[0].amount),
        (id, w.a.bob, w.a.eve, 10_001)
    );
    assert_eq!(w.r.quote(id, 10_001), Some((7_000, 2_000, 1_001)));
}

#[ink::test]
fn creator_share_is_capped_by_what_the_funds_leave() {
    let mut w = world();
    let bob = w.a.bob;
    let id = w
        .as_(bob)
        .register_work([5; 32], metadata("greedy"), 9_000)
        .unwrap();
    // Funds take 30%, so the creator gets 70%, not 90%.
    assert_eq!(w.route(id, 1_000), Ok((700, 200, 100)));
}

#[ink::test]
fn route_rejects_unknown_works_and_zero_value() {
    let mut w = world();
    let id = w.work();
    assert_eq!(w.route(id + 1, 10), Err(Error::UnknownWork));
    assert_eq!(w.route(id, 0), Err(Error::ZeroValue));
}

#[ink::test]
fn a_batch_splits_each_royalty_as_route_does() {
    // given two works, claiming 70% and 50%
    let mut w = world();
    let fog = w.work();
    let bob = w.a.bob;
    let sea = w
        .as_(bob)
        .register_work([2; 32], metadata("Sea"), 5_000)
        .unwrap();
    // when a marketplace settles three sales in one call
    assert_eq!(
        w.route_batch(vec![(fog, 1_000), (sea, 10_001), (fog, 10)], 11_011),
        Ok(3)
    );
    // then each royalty is split and emitted on its own, in order
    let routed = emitted!(RoyaltyRouted);
    let parts: Vec<_> = routed
        .iter()
        .map(|e| (e.work, e.amount, e.to_creator, e.to_compute, e.to_reserve))
        .collect();
    assert_eq!(
        parts,
        vec![
            (fog, 1_000, 700, 200, 100),
            (sea, 10_001, 5_000, 2_000, 3_001),
            (fog, 10, 7, 2, 1),
        ]
    );
    assert!(routed
        .iter()
        .all(|e| e.payer == w.a.eve && e.creator == bob));
    assert_eq!(w.r.balance_of(bob), 5_707);
    assert_eq!(w.r.accrued(), (2_202, 3_102));
}

#[ink::test]
fn a_batch_is_refused_whole_on_bad_input() {
    let mut w = world();
    let id = w.work();
    assert_eq!(w.route_batch(vec![(id, 10)], 0), Err(Error::ZeroValue));
    assert_eq!(w.route_batch(vec![], 10), Err(Error::BatchSize));
    let too_many = vec![(id, 1); MAX_BATCH + 1];
    assert_eq!(
        w.route_batch(too_many, (MAX_BATCH + 1) as u128),
        Err(Error::BatchSize)
    );
    assert_eq!(
        w.route_batch(vec![(id, 10), (id, 5)], 14),
        Err(Error::BatchValueMismatch)
    );
    assert_eq!(
        w.route_batch(vec![(id, u128::MAX), (id, 1)], 1),
        Err(Error::Overflow)
    );
    // checked before anything is credited
    assert_eq!(w.r.accrued(), (0, 0));
    assert_eq!(
        w.route_batch(vec![(id, 15), (id, 0)], 15),
        Err(Error::ZeroValue)
    );
    assert_eq!(
        w.route_batch(vec![(id, 10), (id + 1, 5)], 15),
        Err(Error::UnknownWork)
    );
    let full = vec![(id, 1); MAX_BATCH];
    assert_eq!(w.route_batch(full, MAX_BATCH as u128), Ok(MAX_BATCH as u32));
}

#[ink::test]
fn donations_go_to_the_reserve() {
    let mut w = world();
    let eve = w.a.eve;
    test::set_caller(eve);
    test::set_contract_balance(eve, U256::from(1_000u32));
    test::transfer_in(U256::from(50u32));
    w.r.donate().unwrap();
    assert_eq!(w.r.accrued(), (0, 50));
    assert_eq!(emitted!(Donated)[0].amount, 50);
    test::set_value_transferred(U256::zero());
    assert_eq!(w.r.donate(), Err(Error::ZeroValue));
}

#[ink::test]
fn creators_withdraw_their_balance_once() {
    let mut w = world();
    let id = w.work();
    w.route(id, 1_000).unwrap();
    let bob = w.a.bob;
    let before = balance(bob);
    assert_eq!(w.as_(bob).withdraw(), Ok(700));
    assert_eq!(balance(bob), before + U256::from(700u32));
    assert_eq!(w.r.balance_of(bob), 0);
    assert_eq!(w.as_(bob).withdraw(), Err(Error::NothingToPay));
    assert_eq!(emitted!(Withdrawn)[0].amount, 700);
}

#[ink::test]
fn forward_sends_accruals_to_both_funds() {
    let mut w = world();
    let id = w.work();
    w.route(id, 1_000).unwrap();
    let charlie = w.a.charlie;
    assert_eq!(w.as_(charlie).forward(), Ok((200, 100)));
    assert_eq!(balance(compute()), U256::from(200u32));
    assert_eq!(balance(reserve()), U256::from(100u32));
    assert_eq!(w.r.accrued(), (0, 0));
    assert_eq!(emitted!(Forwarded).len(), 2);
    assert_eq!(w.as_(charlie).forward(), Err(Error::NothingToPay));
}

#[ink::test]
fn forward_fails_when_a_fund_rejects_the_deposit() {
    let mut w = world();
    let id = w.work();
    w.route(id, 1_000).unwrap();
    double::fail_deposits_to(reserve());
    let charlie = w.a.charlie;
    assert_eq!(w.as_(charlie).forward(), Err(Error::TransferFailed));
}

#[ink::test]
fn split_changes_only_through_governance_within_bounds_and_rate() {
    let mut w = world();
    let bob = w.a.bob;
    let next = Split {
        compute_bps: 2_300,
        reserve_bps: 1_200,
    };
    assert_eq!(w.as_(bob).set_split(next), Err(Error::NotGovernance));
    let high = Split {
        compute_bps: COMPUTE_BOUNDS.1 + 1,
        reserve_bps: 1_000,
    };
    assert_eq!(w.as_gov().set_split(high), Err(Error::SplitOutOfBounds));
    // 300 + 200 = 500 moved: exactly the epoch's budget.
    w.as_gov().set_split(next).unwrap();
    assert_eq!(w.r.split(), next);
    assert_eq!(emitted!(SplitChanged)[1].moved_this_epoch, 500);
    let back = Split {
        compute_bps: 2_299,
        reserve_bps: 1_200,
    };
    assert_eq!(w.as_gov().set_split(back), Err(Error::SplitRateLimited));
    // A move counts for at least an epoch and at most 9 slots of ceil(100 / 8) blocks.
    advance(9 * 13);
    w.as_gov().set_split(back).unwrap();
}

#[ink::test]
fn l5_the_split_rate_limit_holds_across_an_epoch_boundary() {
    // Audit finding L-5 (issue #16): failed on the fixed-epoch limit before the fix.
    // given the whole budget moved in the last block of an epoch
    let mut w = world();
    advance(POLICY.epoch_blocks - now() % POLICY.epoch_blocks - 1);
    let next = Split {
        compute_bps: 2_500,
        reserve_bps: 1_000,
    };
    w.as_gov().set_split(next).unwrap();
    // when governance moves it again in the first block of the next epoch
    advance(1);
    let more = Split {
        compute_bps: 3_000,
        reserve_bps: 1_000,
    };
    // then the limit refuses it: no span of an epoch moves more than the budget
    assert_eq!(w.as_gov().set_split(more), Err(Error::SplitRateLimited));
    assert_eq!(w.r.split(), next);
}

#[ink::test]
fn a_frozen_split_never_changes() {
    let mut w = world();
    let bob = w.a.bob;
    assert_eq!(w.as_(bob).freeze_split(), Err(Error::NotGovernance));
    w.as_gov().freeze_split().unwrap();
    assert!(w.r.frozen());
    assert_eq!(w.as_gov().set_split(SPLIT), Err(Error::SplitFrozen));
    assert_eq!(w.as_gov().freeze_split(), Err(Error::SplitFrozen));
    assert_eq!(emitted!(SplitFrozen)[0].split, SPLIT);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(10_000))]

    /// Rounding never creates or loses value, and no part exceeds its share.
    #[test]
    fn split_parts_always_sum_to_the_royalty(
        amount in any::<u128>(),
        compute_bps in COMPUTE_BOUNDS.0..=COMPUTE_BOUNDS.1,
        reserve_bps in RESERVE_BOUNDS.0..=RESERVE_BOUNDS.1,
        creator_bps in CREATOR_BOUNDS.0..=CREATOR_BOUNDS.1,
    ) {
        let split = Split { compute_bps, reserve_bps };
        let (c, f, r) = split_amount(amount, &split, creator_bps).unwrap();
        prop_assert_eq!(c.checked_add(f).and_then(|x| x.checked_add(r)), Some(amount));
        let share = |bps: u32| amount / 10_000 * u128::from(bps)
            + amount % 10_000 * u128::from(bps) / 10_000;
        prop_assert_eq!(f, share(compute_bps));
        prop_assert!(c <= share(creator_bps));
        prop_assert!(r >= share(reserve_bps));
    }
}

#[ink::test]
fn m2_governance_gives_a_front_run_work_to_its_creator_and_later_royalties_follow() {
    // Audit finding M-2 (issue #16): there was no recourse before the fix.
    // given Bob's registration of a work Charlie made, with a royalty credited to Bob
    let mut w = world();
    let (bob, charlie) = (w.a.bob, w.a.charlie);
    let id = w.work();
    assert_eq!(w.route(id, 10_000), Ok((7_000, 2_000, 1_000)));
    // when governance gives the work to Charlie
    assert_eq!(
        w.as_(bob).reassign_work(id, charlie),
        Err(Error::NotGovernance)
    );
    w.as_gov().reassign_work(id, charlie).unwrap();
    let e = emitted!(WorkReassigned);
    assert_eq!((e[0].id, e[0].from, e[0].to), (id, bob, charlie));
    // then the next royalty is Charlie's; what Bob was credited stays his
    assert_eq!(w.route(id, 10_000), Ok((7_000, 2_000, 1_000)));
    assert_eq!(w.r.balance_of(charlie), 7_000);
    assert_eq!(w.r.balance_of(bob), 7_000);
    assert_eq!(w.r.work(id).unwrap().creator, charlie);
    // and bad input changes nothing
    assert_eq!(
        w.as_gov().reassign_work(id, charlie),
        Err(Error::CreatorUnchanged)
    );
    assert_eq!(
        w.as_gov().reassign_work(id + 1, bob),
        Err(Error::UnknownWork)
    );
    assert_eq!(emitted!(WorkReassigned).len(), 1);
}
