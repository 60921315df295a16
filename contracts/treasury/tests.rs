//! Unit tests on ink!'s off-chain engine, written given/when/then. The consent answers of
//! the provenance registry come from `offchain_double`; `tests/sandbox` runs the real
//! cross-contract path on the runtime.
use crate::treasury::{offchain_double as double, *};
use atelier_traits::emitted;
use atelier_traits::{Fund, SpendRequest};
use ink::{
    env::{test, DefaultEnvironment},
    Address, U256,
};

type Env = DefaultEnvironment;

const LIMITS: Limits = Limits {
    outflow_cap: 1_000,
    epoch_blocks: 100,
};

struct World {
    a: test::DefaultAccounts,
    t: Treasury,
    /// The governor (governance after `init_governance`).
    gov: Address,
}

fn registry() -> Address {
    Address::from_low_u64_be(0xBEEF)
}

/// A fund holding 10,000 with Charlie as steward, Django as guardian, governed by `gov`.
fn world() -> World {
    let a = test::default_accounts();
    test::set_callee(Address::from_low_u64_be(0xF00D));
    test::set_caller(a.alice);
    let mut t = Treasury::new(
        "compute".into(),
        LIMITS,
        vec![a.charlie],
        Some(a.django),
        Some(registry()),
    )
    .expect("valid limits");
    let gov = Address::from_low_u64_be(0x60);
    t.init_governance(gov).expect("deployer hands over");
    test::set_contract_balance(test::callee(), U256::from(10_000u32));
    World { a, t, gov }
}

fn request(beneficiary: Address, amount: u128) -> SpendRequest {
    SpendRequest {
        beneficiary,
        amount,
        valid_from: now(),
        expires_at: now() + 50,
        purpose_hash: [3; 32],
        tranches: 1,
        tranche_interval: 0,
        datasets: vec![],
    }
}

fn advance(blocks: u32) {
    for _ in 0..blocks {
        test::advance_block::<Env>();
    }
}

fn now() -> u32 {
    ink::env::block_number::<Env>()
}

fn balance(who: Address) -> U256 {
    test::get_contract_balance::<Env>(who).unwrap_or_default()
}

impl World {
    fn as_(&mut self, who: Address) -> &mut Treasury {
        test::set_caller(who);
        &mut self.t
    }

    fn as_gov(&mut self) -> &mut Treasury {
        let gov = self.gov;
        self.as_(gov)
    }

    fn approve(&mut self, r: SpendRequest) -> u32 {
        self.as_gov().approve_spend(r).expect("approved")
    }
}

#[ink::test]
fn constructor_records_limits_stewards_and_roles_with_events() {
    let w = world();
    assert_eq!(w.t.limits(), LIMITS);
    assert!(w.t.is_steward(w.a.charlie));
    assert!(!w.t.is_steward(w.a.bob));
    assert_eq!(w.t.guardian(), Some(w.a.django));
    assert_eq!(w.t.provenance(), Some(registry()));
    assert_eq!(w.t.governance(), Some(w.gov));
    assert_eq!(w.t.name(), "compute");
    assert_eq!(emitted!(LimitsChanged).len(), 1);
    assert_eq!(emitted!(StewardChanged).len(), 1);
    assert_eq!(emitted!(GovernanceSet).len(), 1);
    assert_eq!(emitted!(GuardianChanged).len(), 1);
    assert_eq!(emitted!(ProvenanceChanged).len(), 1);
}

#[ink::test]
fn constructor_rejects_bad_epoch_and_duplicate_steward() {
    let a = test::default_accounts();
    let bad = Limits {
        outflow_cap: 1,
        epoch_blocks: 1,
    };
    assert_eq!(
        Treasury::new("x".into(), bad, vec![], None, None).err(),
        Some(Error::LimitOutOfBounds)
    );
    assert_eq!(
        Treasury::new("x".into(), LIMITS, vec![a.bob, a.bob], None, None).err(),
        Some(Error::StewardUnchanged)
    );
}

#[ink::test]
fn governance_is_handed_over_once_by_the_deployer_only() {
    let mut w = world();
    let eve = w.a.eve;
    assert_eq!(w.as_(eve).init_governance(eve), Err(Error::NotAdmin));
    let alice = w.a.alice;
    assert_eq!(w.as_(alice).init_governance(eve), Err(Error::NotAdmin));
}

#[ink::test]
fn deposit_emits_received() {
    let mut w = world();
    let bob = w.a.bob;
    test::set_value_transferred(U256::from(77u32));
    w.as_(bob).deposit();
    let r = emitted!(Received);
    assert_eq!((r[0].from, r[0].amount), (bob, 77));
}

#[ink::test]
fn only_governance_approves_and_requests_are_validated() {
    let mut w = world();
    let (bob, charlie) = (w.a.bob, w.a.charlie);
    // Stewards cannot create spends.
    assert_eq!(
        w.as_(charlie).approve_spend(request(bob, 10)),
        Err(Error::NotGovernance)
    );
    assert_eq!(
        w.as_gov().approve_spend(request(bob, 0)),
        Err(Error::ZeroAmount)
    );
    let mut r = request(bob, 10);
    r.expires_at = r.valid_from;
    assert_eq!(w.as_gov().approve_spend(r), Err(Error::BadWindow));
    advance(5);
    let mut r = request(bob, 10);
    r.valid_from = 0;
    r.expires_at = now() - 1;
    assert_eq!(w.as_gov().approve_spend(r), Err(Error::BadWindow));
    for (tranches, interval) in [(0, 0), (MAX_TRANCHES + 1, 1), (2, 0), (3, 30)] {
        let mut r = request(bob, 10);
        r.tranches = tranches;
        r.tranche_interval = interval;
        assert_eq!(
            w.as_gov().approve_spend(r),
            Err(Error::BadTranches),
            "{tranches} tranches every {interval}"
        );
    }
    let mut r = request(bob, 10);
    r.datasets = (0..=MAX_DATASETS).collect();
    assert_eq!(w.as_gov().approve_spend(r), Err(Error::TooManyDatasets));
    assert_eq!(w.t.spend_count(), 0);
    assert!(emitted!(SpendApproved).is_empty());
}

#[ink::test]
fn steward_pays_an_approved_spend_once() {
    let mut w = world();
    let (bob, charlie) = (w.a.bob, w.a.charlie);
    let id = w.approve(request(bob, 400));
    assert_eq!(w.t.spend_state(id), Some(SpendState::Payable));
    let before = balance(bob);
    assert_eq!(w.as_(charlie).payout(id), Ok(400));
    assert_eq!(balance(bob), before + U256::from(400u32));
    assert_eq!(balance(test::callee()), U256::from(9_600u32));
    assert_eq!(w.t.spend_state(id), Some(SpendState::Paid));
    assert_eq!(w.t.epoch_outflow(), 400);
    let p = emitted!(PayoutMade);
    assert_eq!(
        (
            p[0].id,
            p[0].beneficiary,
            p[0].steward,
            p[0].amount,
            p[0].paid
        ),
        (id, bob, charlie, 400, 400)
    );
    assert_eq!(w.as_(charlie).payout(id), Err(Error::AlreadyPaid));
    assert_eq!(emitted!(SpendApproved)[0].request, request(bob, 400));
}

#[ink::test]
fn payout_needs_a_steward_and_a_known_spend() {
    let mut w = world();
    let (bob, charlie) = (w.a.bob, w.a.charlie);
    let id = w.approve(request(bob, 10));
    let gov = w.gov;
    assert_eq!(w.as_(bob).payout(id), Err(Error::NotSteward));
    assert_eq!(w.as_(gov).payout(id), Err(Error::NotSteward));
    assert_eq!(w.as_(charlie).payout(id + 1), Err(Error::UnknownSpend));
}

#[ink::test]
fn payout_only_within_the_window() {
    let mut w = world();
    let (bob, charlie) = (w.a.bob, w.a.charlie);
    let mut r = request(bob, 10);
    r.valid_from = now() + 5;
    r.expires_at = now() + 8;
    let id = w.approve(r);
    assert_eq!(w.t.spend_state(id), Some(SpendState::Scheduled));
    assert_eq!(w.as_(charlie).payout(id), Err(Error::NotYetValid));
    advance(9);
    assert_eq!(w.t.spend_state(id), Some(SpendState::Expired));
    assert_eq!(w.as_(charlie).payout(id), Err(Error::Expired));
}

#[ink::test]
fn tranches_open_over_time_and_sum_to_the_amount() {
    let mut w = world();
    let (bob, charlie) = (w.a.bob, w.a.charlie);
    let mut r = request(bob, 100);
    r.tranches = 3;
    r.tranche_interval = 10;
    let id = w.approve(r);
    assert_eq!(w.as_(charlie).payout(id), Ok(33));
    assert_eq!(w.as_(charlie).payout(id), Err(Error::TrancheNotDue));
    advance(10);
    assert_eq!(w.as_(charlie).payout(id), Ok(33));
    advance(10);
    assert_eq!(w.as_(charlie).payout(id), Ok(34));
    let s = w.t.spend(id).unwrap();
    assert_eq!((s.tranches_paid, s.paid), (3, 100));
    assert_eq!(
        emitted!(PayoutMade)
            .iter()
            .map(|p| p.tranche)
            .collect::<Vec<_>>(),
        vec![0, 1, 2]
    );
}

#[ink::test]
fn outflow_cap_bounds_each_epoch_and_a_payout_leaves_it_after_an_epoch() {
    let mut w = world();
    let (bob, charlie) = (w.a.bob, w.a.charlie);
    advance(100 - now() % 100);
    let first = w.approve(request(bob, 700));
    let mut r = request(bob, 400);
    r.expires_at = now() + 500;
    let second = w.approve(r);
    assert_eq!(w.as_(charlie).payout(first), Ok(700));
    assert_eq!(w.as_(charlie).payout(second), Err(Error::OutflowCapReached));
    // An amount counts for at least an epoch and at most 9 slots of ceil(100 / 8) blocks.
    advance(9 * 13);
    assert_eq!(w.t.epoch_outflow(), 0);
    assert_eq!(w.as_(charlie).payout(second), Ok(400));
    assert_eq!(w.t.epoch_outflow(), 400);
}

// Audit finding L-5 (issue #16): these failed on the fixed-epoch cap before the fix.

#[ink::test]
fn l5_the_outflow_cap_holds_across_an_epoch_boundary() {
    // given the whole cap paid in the last block of an epoch
    let mut w = world();
    let (bob, charlie) = (w.a.bob, w.a.charlie);
    advance(100 - now() % 100 - 1);
    let first = w.approve(request(bob, 1_000));
    let second = w.approve(request(bob, 1_000));
    assert_eq!(w.as_(charlie).payout(first), Ok(1_000));
    // when a steward pays again in the first block of the next epoch
    advance(1);
    assert_eq!(now() % 100, 0);
    // then the cap refuses it: no span of 100 blocks pays more than the cap
    assert_eq!(w.as_(charlie).payout(second), Err(Error::OutflowCapReached));
    assert_eq!(w.t.epoch_outflow(), 1_000);
    assert_eq!(w.t.spend(second).unwrap().paid, 0);
}

#[ink::test]
fn l5_changing_the_limits_does_not_reset_what_was_paid() {
    // given the whole cap paid at block 150 (epoch 1 of 100 blocks, epoch 0 of 200)
    let mut w = world();
    let (bob, charlie) = (w.a.bob, w.a.charlie);
    advance(150 - now());
    let first = w.approve(request(bob, 1_000));
    let second = w.approve(request(bob, 1_000));
    assert_eq!(w.as_(charlie).payout(first), Ok(1_000));
    // when governance changes the epoch length
    w.as_gov()
        .set_limits(Limits {
            outflow_cap: 1_000,
            epoch_blocks: 200,
        })
        .unwrap();
    // then what was paid still counts against the cap
    assert_eq!(w.t.epoch_outflow(), 1_000);
    assert_eq!(w.as_(charlie).payout(second), Err(Error::OutflowCapReached));
}

#[ink::test]
fn payout_fails_when_the_fund_is_short() {
    let mut w = world();
    let (bob, charlie) = (w.a.bob, w.a.charlie);
    test::set_contract_balance(test::callee(), U256::from(0u32));
    let id = w.approve(request(bob, 10));
    assert_eq!(w.as_(charlie).payout(id), Err(Error::InsufficientFunds));
}

#[ink::test]
fn training_spend_needs_full_consent_of_every_dataset() {
    let mut w = world();
    let (bob, charlie) = (w.a.bob, w.a.charlie);
    let mut r = request(bob, 10);
    r.datasets = vec![4, 5];
    let id = w.approve(r);
    double::set_consent(4, true);
    assert_eq!(w.as_(charlie).payout(id), Err(Error::ConsentMissing(5)));
    double::set_consent(5, true);
    assert_eq!(w.as_(charlie).payout(id), Ok(10));
}

#[ink::test]
fn training_spend_without_a_registry_cannot_pay() {
    let mut w = world();
    let (bob, charlie) = (w.a.bob, w.a.charlie);
    w.as_gov().set_provenance(None).unwrap();
    let mut r = request(bob, 10);
    r.datasets = vec![1];
    let id = w.approve(r);
    assert_eq!(w.as_(charlie).payout(id), Err(Error::NoProvenanceRegistry));
}

#[ink::test]
fn governance_guardian_and_stewards_void_but_nobody_else() {
    let mut w = world();
    let (bob, charlie, django) = (w.a.bob, w.a.charlie, w.a.django);
    let ids: Vec<u32> = (0..3).map(|_| w.approve(request(bob, 10))).collect();
    assert_eq!(w.as_(bob).void_spend(ids[0]), Err(Error::NotAllowedToVoid));
    w.as_gov().void_spend(ids[0]).unwrap();
    w.as_(django).void_spend(ids[1]).unwrap();
    w.as_(charlie).void_spend(ids[2]).unwrap();
    assert_eq!(w.t.spend_state(ids[0]), Some(SpendState::Voided));
    assert_eq!(w.as_(charlie).payout(ids[0]), Err(Error::Voided));
    assert_eq!(w.as_(charlie).void_spend(ids[0]), Err(Error::Voided));
    assert_eq!(w.as_(charlie).void_spend(99), Err(Error::UnknownSpend));
    let v = emitted!(SpendVoided);
    assert_eq!(
        v.iter().map(|v| v.by).collect::<Vec<_>>(),
        vec![w.gov, django, charlie]
    );
}

#[ink::test]
fn a_paid_spend_cannot_be_voided_and_a_partly_paid_one_keeps_its_payments() {
    let mut w = world();
    let (bob, charlie) = (w.a.bob, w.a.charlie);
    let paid = w.approve(request(bob, 10));
    w.as_(charlie).payout(paid).unwrap();
    assert_eq!(w.as_(charlie).void_spend(paid), Err(Error::AlreadyPaid));
    let mut r = request(bob, 20);
    r.tranches = 2;
    r.tranche_interval = 5;
    let partly = w.approve(r);
    w.as_(charlie).payout(partly).unwrap();
    w.as_(charlie).void_spend(partly).unwrap();
    assert_eq!(emitted!(SpendVoided)[0].paid, 10);
    advance(5);
    assert_eq!(w.as_(charlie).payout(partly), Err(Error::Voided));
}

#[ink::test]
fn governed_settings_change_only_through_governance() {
    let mut w = world();
    let (bob, charlie) = (w.a.bob, w.a.charlie);
    assert_eq!(
        w.as_(charlie).set_steward(bob, true),
        Err(Error::NotGovernance)
    );
    assert_eq!(w.as_(charlie).set_limits(LIMITS), Err(Error::NotGovernance));
    assert_eq!(w.as_(charlie).set_guardian(None), Err(Error::NotGovernance));
    assert_eq!(
        w.as_(charlie).set_provenance(None),
        Err(Error::NotGovernance)
    );
    w.as_gov().set_steward(bob, true).unwrap();
    assert!(w.t.is_steward(bob));
    assert_eq!(
        w.as_gov().set_steward(bob, true),
        Err(Error::StewardUnchanged)
    );
    w.as_gov().set_steward(charlie, false).unwrap();
    assert!(!w.t.is_steward(charlie));
    let limits = Limits {
        outflow_cap: 5,
        epoch_blocks: 1_000,
    };
    w.as_gov().set_limits(limits).unwrap();
    assert_eq!(w.t.limits(), limits);
    let bad = Limits {
        outflow_cap: 5,
        epoch_blocks: EPOCH_BOUNDS.1 + 1,
    };
    assert_eq!(w.as_gov().set_limits(bad), Err(Error::LimitOutOfBounds));
    w.as_gov().set_guardian(None).unwrap();
    assert_eq!(w.t.guardian(), None);
    assert_eq!(emitted!(StewardChanged).len(), 3);
    assert_eq!(emitted!(LimitsChanged).len(), 2);
    assert_eq!(emitted!(GuardianChanged).len(), 2);
}

#[ink::test]
fn spend_state_of_unknown_spend_is_none() {
    let w = world();
    assert_eq!(w.t.spend_state(0), None);
    assert_eq!(w.t.spend(0), None);
}
