//! Unit tests on ink!'s off-chain engine, written given/when/then. Cross-contract use (the
//! governor reading weights) runs on the real runtime in `tests/sandbox`.
use crate::membership::*;
use atelier_traits::{category, VotingWeight};
use ink::env::{test, DefaultEnvironment};
use ink::{scale, Address};

type Env = DefaultEnvironment;

struct World {
    accounts: test::DefaultAccounts,
    token: Membership,
}

/// Alice deploys with attestors Bob, Charlie, Django (k = 2), cap 100, expiry 100 blocks, and
/// hands governance to Frank (standing in for the governor contract).
fn world() -> World {
    let accounts = test::default_accounts();
    test::set_caller(accounts.alice);
    let mut token = Membership::new(
        vec![accounts.bob, accounts.charlie, accounts.django],
        2,
        100,
        MIN_EXPIRY_BLOCKS,
    )
    .expect("valid constructor arguments");
    token
        .init_governance(accounts.frank)
        .expect("deployer hands over");
    World { accounts, token }
}

fn advance(blocks: u32) {
    for _ in 0..blocks {
        test::advance_block::<Env>();
    }
}

fn now() -> u32 {
    ink::env::block_number::<Env>()
}

fn evidence(n: u8) -> [u8; 32] {
    [n; 32]
}

impl World {
    fn as_(&self, who: Address) -> &Self {
        test::set_caller(who);
        self
    }

    /// Eve records a contribution of `category` and Bob and Charlie attest it.
    fn active_contribution(&mut self, category: u32, n: u8) -> u64 {
        test::set_caller(self.accounts.eve);
        let id = self
            .token
            .record_contribution(category, evidence(n))
            .expect("recorded");
        test::set_caller(self.accounts.bob);
        self.token.attest(id).expect("bob attests");
        test::set_caller(self.accounts.charlie);
        self.token.attest(id).expect("charlie attests");
        id
    }

    fn governance(&mut self) -> &mut Membership {
        test::set_caller(self.accounts.frank);
        &mut self.token
    }
}

fn events<E: scale::Decode>(signature: [u8; 32]) -> Vec<E> {
    test::recorded_events()
        .into_iter()
        .filter(|e| e.topics.first().map(|t| t.as_slice()) == Some(&signature[..]))
        .map(|e| E::decode(&mut &e.data[..]).expect("event decodes"))
        .collect()
}

fn sig<E: ink::env::Event>() -> [u8; 32] {
    E::SIGNATURE_TOPIC.expect("not anonymous")
}

#[ink::test]
fn constructor_sets_attestors_settings_and_standard_categories() {
    // given / when
    let w = world();
    // then
    assert_eq!(w.token.attestor_count(), 3);
    assert!(w.token.is_attestor(w.accounts.bob));
    assert!(!w.token.is_attestor(w.accounts.eve));
    assert_eq!(
        w.token.settings(),
        Settings {
            threshold: 2,
            member_cap: 100,
            expiry_blocks: MIN_EXPIRY_BLOCKS
        }
    );
    assert_eq!(w.token.category_multiplier(category::DATASET), 30);
    assert_eq!(w.token.category_multiplier(category::MODEL), 40);
    assert_eq!(w.token.category_multiplier(category::DOCUMENTATION), 10);
    assert_eq!(w.token.category_multiplier(category::CURATION), 20);
    assert_eq!(w.token.governance(), Some(w.accounts.frank));
    assert_eq!(events::<AttestorAdded>(sig::<AttestorAdded>()).len(), 3);
    assert_eq!(events::<CategorySet>(sig::<CategorySet>()).len(), 4);
    assert_eq!(events::<SettingsChanged>(sig::<SettingsChanged>()).len(), 1);
}

#[ink::test]
fn constructor_rejects_out_of_bounds_settings() {
    let a = test::default_accounts();
    let one = vec![a.bob];
    // threshold above n, zero threshold
    assert_eq!(
        Membership::new(one.clone(), 2, 100, 100).err(),
        Some(Error::ThresholdOutOfBounds)
    );
    assert_eq!(
        Membership::new(one.clone(), 0, 100, 100).err(),
        Some(Error::ThresholdOutOfBounds)
    );
    // cap and expiry bounds
    assert_eq!(
        Membership::new(one.clone(), 1, 0, 100).err(),
        Some(Error::CapOutOfBounds)
    );
    assert_eq!(
        Membership::new(one.clone(), 1, MAX_MEMBER_CAP + 1, 100).err(),
        Some(Error::CapOutOfBounds)
    );
    assert_eq!(
        Membership::new(one.clone(), 1, 100, 99).err(),
        Some(Error::ExpiryOutOfBounds)
    );
    assert_eq!(
        Membership::new(one, 1, 100, MAX_EXPIRY_BLOCKS + 1).err(),
        Some(Error::ExpiryOutOfBounds)
    );
    // duplicate attestor
    assert_eq!(
        Membership::new(vec![a.bob, a.bob], 1, 100, 100).err(),
        Some(Error::AttestorExists)
    );
    // too many attestors
    let many: Vec<Address> = (0..=MAX_ATTESTORS)
        .map(|i| Address::from_low_u64_be(u64::from(i) + 1))
        .collect();
    assert_eq!(
        Membership::new(many, 1, 100, 100).err(),
        Some(Error::TooManyAttestors)
    );
}

#[ink::test]
fn governance_handover_is_once_and_only_by_the_deployer() {
    // given a fresh token deployed by Alice
    let a = test::default_accounts();
    test::set_caller(a.alice);
    let mut token = Membership::new(vec![a.bob], 1, 100, 100).unwrap();
    // when Eve tries to take governance, then she is refused
    test::set_caller(a.eve);
    assert_eq!(token.init_governance(a.eve), Err(Error::NotAdmin));
    // when Alice hands over, then it works once
    test::set_caller(a.alice);
    assert_eq!(token.init_governance(a.frank), Ok(()));
    assert_eq!(token.init_governance(a.alice), Err(Error::NotAdmin));
    assert_eq!(token.governance(), Some(a.frank));
    let set = events::<GovernanceSet>(sig::<GovernanceSet>());
    assert_eq!(set.len(), 1);
    assert_eq!(set[0].governance, a.frank);
}

#[ink::test]
fn recording_a_contribution_stores_it_pending_and_emits_it() {
    // given
    let mut w = world();
    // when
    w.as_(w.accounts.eve);
    let id = w
        .token
        .record_contribution(category::MODEL, evidence(7))
        .unwrap();
    // then
    let c = w.token.contribution(id).unwrap();
    assert_eq!(c.contributor, w.accounts.eve);
    assert_eq!(c.status, ContributionStatus::Pending);
    assert_eq!(c.evidence, evidence(7));
    assert_eq!(w.token.contribution_count(), 1);
    assert_eq!(w.token.weight_of(w.accounts.eve), 0);
    let ev = events::<ContributionRecorded>(sig::<ContributionRecorded>());
    assert_eq!(
        (ev[0].id, ev[0].contributor, ev[0].category),
        (id, w.accounts.eve, category::MODEL)
    );
}

#[ink::test]
fn recording_rejects_unknown_category_and_reused_evidence() {
    let mut w = world();
    w.as_(w.accounts.eve);
    assert_eq!(
        w.token.record_contribution(42, evidence(1)),
        Err(Error::UnknownCategory)
    );
    w.token
        .record_contribution(category::DATASET, evidence(1))
        .unwrap();
    // the same evidence again, even by someone else, is refused
    w.as_(w.accounts.bob);
    assert_eq!(
        w.token.record_contribution(category::DATASET, evidence(1)),
        Err(Error::EvidenceAlreadyRecorded)
    );
}

#[ink::test]
fn contribution_counts_once_k_of_n_attestors_attested() {
    // given a recorded contribution
    let mut w = world();
    w.as_(w.accounts.eve);
    let id = w
        .token
        .record_contribution(category::DATASET, evidence(1))
        .unwrap();
    // when one attestor attests, then it is still pending
    w.as_(w.accounts.bob);
    w.token.attest(id).unwrap();
    assert_eq!(
        w.token.contribution(id).unwrap().status,
        ContributionStatus::Pending
    );
    assert_eq!(w.token.weight_of(w.accounts.eve), 0);
    // when the second attests, then it is active with the dataset multiplier
    w.as_(w.accounts.charlie);
    w.token.attest(id).unwrap();
    let c = w.token.contribution(id).unwrap();
    assert_eq!(c.status, ContributionStatus::Active);
    assert_eq!(c.weight, 30);
    // expiry rounds up to the grid of ceil(100 / 8) = 13 blocks: at least 100 blocks, less
    // than 113
    let step = MIN_EXPIRY_BLOCKS.div_ceil(8);
    assert!(c.expires_at >= now() + MIN_EXPIRY_BLOCKS, "{c:?}");
    assert!(c.expires_at < now() + MIN_EXPIRY_BLOCKS + step, "{c:?}");
    assert_eq!(c.expires_at % step, 0, "{c:?}");
    assert_eq!(w.token.weight_of(w.accounts.eve), 30);
    assert_eq!(w.token.votes(w.accounts.eve), 30);
    assert_eq!(w.token.total_weight(), 30);
    assert!(w.token.has_attested(id, w.accounts.bob));
    assert_eq!(
        events::<ContributionAttested>(sig::<ContributionAttested>()).len(),
        2
    );
    let act = events::<ContributionActivated>(sig::<ContributionActivated>());
    assert_eq!((act[0].weight, act[0].member_weight), (30, 30));
    let votes = events::<VotesChanged>(sig::<VotesChanged>());
    assert_eq!(
        (votes[0].account, votes[0].previous, votes[0].new),
        (w.accounts.eve, 0, 30)
    );
    assert_eq!(
        events::<TotalWeightChanged>(sig::<TotalWeightChanged>())[0].new,
        30
    );
}

#[ink::test]
fn attest_error_paths() {
    let mut w = world();
    w.as_(w.accounts.eve);
    let id = w
        .token
        .record_contribution(category::DATASET, evidence(1))
        .unwrap();
    // not an attestor
    w.as_(w.accounts.eve);
    assert_eq!(w.token.attest(id), Err(Error::NotAttestor));
    // unknown id
    w.as_(w.accounts.bob);
    assert_eq!(w.token.attest(99), Err(Error::UnknownContribution));
    // twice by the same attestor
    w.token.attest(id).unwrap();
    assert_eq!(w.token.attest(id), Err(Error::AlreadyAttested));
    // an attestor attesting its own contribution
    let own = w
        .token
        .record_contribution(category::DATASET, evidence(2))
        .unwrap();
    assert_eq!(w.token.attest(own), Err(Error::SelfAttestation));
    // attesting an already active contribution
    w.as_(w.accounts.charlie);
    w.token.attest(id).unwrap();
    w.as_(w.accounts.django);
    assert_eq!(w.token.attest(id), Err(Error::NotPending));
}

#[ink::test]
fn member_cap_limits_weight_from_many_contributions() {
    // given cap 100: model 40 + model 40 + dataset 30 would be 110
    let mut w = world();
    w.active_contribution(category::MODEL, 1);
    w.active_contribution(category::MODEL, 2);
    let third = w.active_contribution(category::DATASET, 3);
    // then the third only counts for the 20 left under the cap
    assert_eq!(w.token.contribution(third).unwrap().weight, 20);
    assert_eq!(w.token.weight_of(w.accounts.eve), 100);
    // and a fourth counts for nothing
    let fourth = w.active_contribution(category::CURATION, 4);
    assert_eq!(w.token.contribution(fourth).unwrap().weight, 0);
    assert_eq!(w.token.total_weight(), 100);
}

#[ink::test]
fn governance_revokes_a_fraudulent_contribution_and_weight_drops_at_once() {
    // given an active contribution worth 40
    let mut w = world();
    let id = w.active_contribution(category::MODEL, 1);
    advance(1);
    let before = now() - 1;
    // when governance revokes it
    w.governance().revoke_contribution(id).unwrap();
    // then the weight is gone in this block, and history is kept
    assert_eq!(w.token.weight_of(w.accounts.eve), 0);
    assert_eq!(w.token.weight_at(w.accounts.eve, now()), Some(0));
    assert_eq!(w.token.weight_at(w.accounts.eve, before), Some(40));
    assert_eq!(w.token.total_weight_at(now()), Some(0));
    assert_eq!(
        w.token.contribution(id).unwrap().status,
        ContributionStatus::Revoked
    );
    let ev = events::<ContributionRevoked>(sig::<ContributionRevoked>());
    assert_eq!((ev[0].weight_removed, ev[0].member_weight), (40, 0));
    // and it cannot be revoked or expired again
    assert_eq!(
        w.governance().revoke_contribution(id),
        Err(Error::NotActive)
    );
    assert_eq!(w.token.expire_contribution(id), Err(Error::NotActive));
}

#[ink::test]
fn revoking_a_pending_contribution_stops_it_from_ever_counting() {
    let mut w = world();
    w.as_(w.accounts.eve);
    let id = w
        .token
        .record_contribution(category::MODEL, evidence(1))
        .unwrap();
    w.governance().revoke_contribution(id).unwrap();
    w.as_(w.accounts.bob);
    assert_eq!(w.token.attest(id), Err(Error::NotPending));
    assert_eq!(
        events::<ContributionRevoked>(sig::<ContributionRevoked>())[0].weight_removed,
        0
    );
}

#[ink::test]
fn revoke_requires_governance_and_a_known_contribution() {
    let mut w = world();
    let id = w.active_contribution(category::MODEL, 1);
    w.as_(w.accounts.alice);
    assert_eq!(w.token.revoke_contribution(id), Err(Error::NotGovernance));
    assert_eq!(
        w.governance().revoke_contribution(77),
        Err(Error::UnknownContribution)
    );
}

#[ink::test]
fn contribution_expires_after_the_governed_number_of_blocks() {
    // given an active contribution
    let mut w = world();
    let id = w.active_contribution(category::DOCUMENTATION, 1);
    let expires_at = w.token.contribution(id).unwrap().expires_at;
    // when expiry is attempted early, then it is refused
    assert_eq!(w.token.expire_contribution(id), Err(Error::NotExpired));
    assert_eq!(
        w.token.expire_contribution(9),
        Err(Error::UnknownContribution)
    );
    // when the expiry block is reached, anyone can take it out
    advance(expires_at - now());
    w.as_(w.accounts.django);
    w.token.expire_contribution(id).unwrap();
    assert_eq!(w.token.weight_of(w.accounts.eve), 0);
    assert_eq!(
        w.token.contribution(id).unwrap().status,
        ContributionStatus::Expired
    );
    let ev = events::<ContributionExpired>(sig::<ContributionExpired>());
    assert_eq!((ev[0].id, ev[0].weight_removed), (id, 10));
}

#[ink::test]
fn delegation_moves_voting_weight_and_revoking_moves_it_back() {
    // given Eve with 40
    let mut w = world();
    w.active_contribution(category::MODEL, 1);
    advance(1);
    let (eve, bob) = (w.accounts.eve, w.accounts.bob);
    // when Eve delegates to Bob
    w.as_(eve);
    w.token.delegate(bob).unwrap();
    // then Bob votes with 40, Eve keeps her own weight but no votes
    assert_eq!(w.token.votes(bob), 40);
    assert_eq!(w.token.votes(eve), 0);
    assert_eq!(w.token.weight_of(eve), 40);
    assert_eq!(w.token.delegate_of(eve), bob);
    assert_eq!(w.token.total_weight(), 40);
    // and new weight Eve earns follows the delegation
    w.active_contribution(category::CURATION, 2);
    assert_eq!(w.token.votes(bob), 60);
    let d = events::<DelegateChanged>(sig::<DelegateChanged>());
    assert_eq!(
        (
            d[0].delegator,
            d[0].from_delegate,
            d[0].to_delegate,
            d[0].weight
        ),
        (eve, eve, bob, 40)
    );
    // when Eve revokes
    advance(1);
    w.as_(eve);
    w.token.undelegate().unwrap();
    assert_eq!(w.token.votes(eve), 60);
    assert_eq!(w.token.votes(bob), 0);
    assert_eq!(w.token.delegate_of(eve), eve);
    // and delegating to the current delegate is refused
    assert_eq!(w.token.undelegate(), Err(Error::SameDelegate));
    assert_eq!(w.token.delegate(eve), Err(Error::SameDelegate));
}

#[ink::test]
fn weight_history_answers_for_any_past_block_and_never_the_future() {
    // given weight changes at several blocks
    let mut w = world();
    let eve = w.accounts.eve;
    let b0 = now();
    w.active_contribution(category::DOCUMENTATION, 1); // 10 at b0
    advance(3);
    let b1 = now();
    w.active_contribution(category::CURATION, 2); // 30 at b1
    w.active_contribution(category::DOCUMENTATION, 3); // 40 at b1 (same block: one checkpoint)
    advance(5);
    let b2 = now();
    w.as_(eve);
    w.token.delegate(w.accounts.bob).unwrap(); // 0 at b2
    advance(2);
    // then every past block answers with the value then
    assert_eq!(w.token.checkpoint_count(eve), 3);
    for (block, expected) in [
        (b0, 10),
        (b0 + 1, 10),
        (b1 - 1, 10),
        (b1, 40),
        (b2 - 1, 40),
        (b2, 0),
        (now(), 0),
    ] {
        assert_eq!(
            w.token.weight_at(eve, block),
            Some(expected),
            "block {block}"
        );
    }
    assert_eq!(w.token.weight_at(w.accounts.bob, b2), Some(40));
    assert_eq!(w.token.weight_at(w.accounts.bob, b2 - 1), Some(0));
    assert_eq!(w.token.total_weight_at(b1), Some(40));
    assert_eq!(
        w.token.total_weight_at(b0.saturating_sub(1)),
        Some(if b0 == 0 { 10 } else { 0 })
    );
    // and a future block has no answer, so current weight cannot stand in for it
    assert_eq!(w.token.weight_at(eve, now() + 1), None);
    assert_eq!(w.token.total_weight_at(now() + 1), None);
}

#[ink::test]
fn governance_manages_attestors_within_bounds() {
    let mut w = world();
    let (eve, bob) = (w.accounts.eve, w.accounts.bob);
    // not governance
    w.as_(eve);
    assert_eq!(w.token.add_attestor(eve), Err(Error::NotGovernance));
    assert_eq!(w.token.remove_attestor(bob), Err(Error::NotGovernance));
    // add, duplicate
    w.governance().add_attestor(eve).unwrap();
    assert!(w.token.is_attestor(eve));
    assert_eq!(w.governance().add_attestor(eve), Err(Error::AttestorExists));
    // remove, unknown
    w.governance().remove_attestor(eve).unwrap();
    assert!(!w.token.is_attestor(eve));
    assert_eq!(w.governance().remove_attestor(eve), Err(Error::NotAttestor));
    // removing below the threshold (k = 2 of 3) is refused after one removal
    w.governance().remove_attestor(bob).unwrap();
    let charlie = w.accounts.charlie;
    assert_eq!(
        w.governance().remove_attestor(charlie),
        Err(Error::ThresholdOutOfBounds)
    );
    assert_eq!(w.token.attestor_count(), 2);
    let removed = events::<AttestorRemoved>(sig::<AttestorRemoved>());
    assert_eq!(removed.len(), 2);
}

#[ink::test]
fn the_attestor_set_cannot_grow_past_its_bound() {
    // given a full attestor set
    let mut w = world();
    for i in 3..MAX_ATTESTORS {
        w.governance()
            .add_attestor(Address::from_low_u64_be(u64::from(i) + 100))
            .unwrap();
    }
    assert_eq!(w.token.attestor_count(), MAX_ATTESTORS);
    // when governance adds one more, then it is refused
    assert_eq!(
        w.governance().add_attestor(Address::from_low_u64_be(1)),
        Err(Error::TooManyAttestors)
    );
}

#[ink::test]
fn governance_changes_settings_within_hard_bounds() {
    let mut w = world();
    let good = Settings {
        threshold: 3,
        member_cap: 500,
        expiry_blocks: 1_000,
    };
    w.as_(w.accounts.eve);
    assert_eq!(w.token.set_settings(good), Err(Error::NotGovernance));
    w.governance().set_settings(good).unwrap();
    assert_eq!(w.token.settings(), good);
    for (bad, err) in [
        (
            Settings {
                threshold: 4,
                ..good
            },
            Error::ThresholdOutOfBounds,
        ),
        (
            Settings {
                threshold: 0,
                ..good
            },
            Error::ThresholdOutOfBounds,
        ),
        (
            Settings {
                member_cap: 0,
                ..good
            },
            Error::CapOutOfBounds,
        ),
        (
            Settings {
                member_cap: MAX_MEMBER_CAP + 1,
                ..good
            },
            Error::CapOutOfBounds,
        ),
        (
            Settings {
                expiry_blocks: 1,
                ..good
            },
            Error::ExpiryOutOfBounds,
        ),
        (
            Settings {
                expiry_blocks: MAX_EXPIRY_BLOCKS + 1,
                ..good
            },
            Error::ExpiryOutOfBounds,
        ),
    ] {
        assert_eq!(w.governance().set_settings(bad), Err(err));
    }
    assert_eq!(w.token.settings(), good);
    assert_eq!(events::<SettingsChanged>(sig::<SettingsChanged>()).len(), 2);
}

#[ink::test]
fn governance_adds_and_disables_categories() {
    let mut w = world();
    w.as_(w.accounts.eve);
    assert_eq!(w.token.set_category(7, 15), Err(Error::NotGovernance));
    // a new category: prompts, worth 15
    w.governance().set_category(7, 15).unwrap();
    let id = w.active_contribution(7, 1);
    assert_eq!(w.token.contribution(id).unwrap().weight, 15);
    // disabling documentation
    w.governance()
        .set_category(category::DOCUMENTATION, 0)
        .unwrap();
    w.as_(w.accounts.eve);
    assert_eq!(
        w.token
            .record_contribution(category::DOCUMENTATION, evidence(9)),
        Err(Error::UnknownCategory)
    );
    assert_eq!(
        w.governance().set_category(MAX_CATEGORY + 1, 1),
        Err(Error::CategoryOutOfBounds)
    );
    assert_eq!(
        w.governance().set_category(1, MAX_MULTIPLIER + 1),
        Err(Error::MultiplierOutOfBounds)
    );
}

// Audit finding L-4 (issue #16): the first test failed on the token before the fix; the
// second needs the message the fix added.

#[ink::test]
fn l4_a_removed_attestors_attestation_no_longer_counts() {
    // given Eve's contribution attested by Bob, and a third attestor so that k = 2 stays
    // reachable after a removal
    let mut w = world();
    let (bob, charlie, eve) = (w.accounts.bob, w.accounts.charlie, w.accounts.eve);
    let ferdie = Address::from_low_u64_be(0xF3);
    w.governance().add_attestor(ferdie).unwrap();
    test::set_caller(eve);
    let id = w
        .token
        .record_contribution(category::MODEL, evidence(7))
        .unwrap();
    test::set_caller(bob);
    w.token.attest(id).unwrap();
    // when governance removes Bob (say his key was compromised) and Charlie attests
    w.governance().remove_attestor(bob).unwrap();
    test::set_caller(charlie);
    w.token.attest(id).unwrap();
    // then only Charlie's attestation counts: the contribution still needs one more
    let c = w.token.contribution(id).unwrap();
    assert_eq!(c.status, ContributionStatus::Pending);
    assert_eq!(c.attestations, 1);
    assert_eq!(w.token.weight_of(eve), 0);
    // and a current attestor's completes it
    test::set_caller(ferdie);
    w.token.attest(id).unwrap();
    assert_eq!(
        w.token.contribution(id).unwrap().status,
        ContributionStatus::Active
    );
}

#[ink::test]
fn l4_a_contribution_attested_enough_under_a_lowered_threshold_can_be_activated() {
    // given k = 3 of Bob, Charlie, Django, and Django's own contribution attested by the
    // two others (Django may not attest his own, so it can never reach 3)
    let mut w = world();
    let (bob, charlie, django, eve) = (
        w.accounts.bob,
        w.accounts.charlie,
        w.accounts.django,
        w.accounts.eve,
    );
    w.governance()
        .set_settings(Settings {
            threshold: 3,
            member_cap: 100,
            expiry_blocks: MIN_EXPIRY_BLOCKS,
        })
        .unwrap();
    test::set_caller(django);
    let id = w
        .token
        .record_contribution(category::DATASET, evidence(8))
        .unwrap();
    for who in [bob, charlie] {
        test::set_caller(who);
        w.token.attest(id).unwrap();
    }
    test::set_caller(eve);
    assert_eq!(
        w.token.activate_contribution(id),
        Err(Error::NotEnoughAttestations)
    );
    // when governance lowers the threshold to 2
    w.governance()
        .set_settings(Settings {
            threshold: 2,
            member_cap: 100,
            expiry_blocks: MIN_EXPIRY_BLOCKS,
        })
        .unwrap();
    // then anyone can activate it, once
    test::set_caller(eve);
    w.token.activate_contribution(id).unwrap();
    assert_eq!(w.token.weight_of(django), 30);
    let activated = events::<ContributionActivated>(sig::<ContributionActivated>());
    assert_eq!(activated.last().unwrap().id, id);
    assert_eq!(w.token.activate_contribution(id), Err(Error::NotPending));
    assert_eq!(
        w.token.activate_contribution(99),
        Err(Error::UnknownContribution)
    );
}

#[ink::test]
fn m2_revoked_evidence_can_be_recorded_again_by_its_rightful_contributor() {
    // Audit finding M-2 (issue #16): failed before the fix (evidence ids were never freed).
    // given Eve's contribution with evidence 1, revoked by governance as a front-run
    let mut w = world();
    let id = w.active_contribution(category::MODEL, 1);
    w.governance().revoke_contribution(id).unwrap();
    // when Alice records the same evidence
    let alice = w.accounts.alice;
    test::set_caller(alice);
    let again = w.token.record_contribution(category::MODEL, evidence(1));
    // then it is recorded as hers
    let again = again.expect("evidence is free again");
    assert_eq!(w.token.contribution(again).unwrap().contributor, alice);
    assert_eq!(
        w.token.record_contribution(category::MODEL, evidence(1)),
        Err(Error::EvidenceAlreadyRecorded)
    );
}

#[ink::test]
fn l1_an_expired_contribution_stops_counting_at_its_expiry_block_without_a_keeper() {
    // given Eve's documentation (10) and, 20 blocks later, curation (20), delegated to Bob
    let mut w = world();
    let (eve, bob) = (w.accounts.eve, w.accounts.bob);
    let first = w.active_contribution(category::DOCUMENTATION, 1);
    advance(20);
    let second = w.active_contribution(category::CURATION, 2);
    advance(1);
    w.as_(eve);
    w.token.delegate(bob).unwrap();
    let e1 = w.token.contribution(first).unwrap().expires_at;
    let e2 = w.token.contribution(second).unwrap().expires_at;
    assert!(e2 > e1, "the later contribution expires later");
    // when the first one's expiry block passes and nobody calls expire_contribution
    advance(e1 + 2 - now());
    // then every read drops it at its expiry block, and not a block before
    assert_eq!(w.token.weight_at(bob, e1 - 1), Some(30));
    assert_eq!(w.token.weight_at(bob, e1), Some(20));
    assert_eq!(w.token.total_weight_at(e1 - 1), Some(30));
    assert_eq!(w.token.total_weight_at(e1), Some(20));
    assert_eq!(w.token.votes(bob), 20);
    assert_eq!(w.token.total_weight(), 20);
    assert_eq!(w.token.weight_of(eve), 20);
    // and the contribution is still formally active until someone marks it
    assert_eq!(
        w.token.contribution(first).unwrap().status,
        ContributionStatus::Active
    );
    // when the keeper marks it, no weight moves a second time
    let checkpoints = w.token.checkpoint_count(bob);
    w.as_(w.accounts.django);
    w.token.expire_contribution(first).unwrap();
    assert_eq!(w.token.weight_at(bob, now()), Some(20));
    assert_eq!(w.token.total_weight(), 20);
    assert_eq!(w.token.checkpoint_count(bob), checkpoints);
    let ev = events::<ContributionExpired>(sig::<ContributionExpired>());
    assert_eq!(
        (ev[0].id, ev[0].weight_removed, ev[0].member_weight),
        (first, 10, 20)
    );
    // when the second expires too, Bob's votes reach 0 on their own
    advance(e2 - now());
    assert_eq!(w.token.votes(bob), 0);
    assert_eq!(w.token.weight_at(bob, e2 - 1), Some(20));
    assert_eq!(w.token.total_weight_at(e2), Some(0));
}

#[ink::test]
fn l1_delegating_moves_only_the_weight_that_has_not_expired_and_its_schedule() {
    // given Eve's documentation (10) and a model (40) activated 30 blocks later
    let mut w = world();
    let (eve, bob, charlie) = (w.accounts.eve, w.accounts.bob, w.accounts.charlie);
    let first = w.active_contribution(category::DOCUMENTATION, 1);
    advance(30);
    let second = w.active_contribution(category::MODEL, 2);
    let e1 = w.token.contribution(first).unwrap().expires_at;
    let e2 = w.token.contribution(second).unwrap().expires_at;
    // when she delegates to Bob before the first expires, and to Charlie after
    advance(1);
    w.as_(eve);
    w.token.delegate(bob).unwrap();
    advance(e1 + 1 - now());
    w.token.delegate(charlie).unwrap();
    // then Bob lost the first at its expiry block and the rest when she moved
    assert_eq!(w.token.weight_at(bob, e1 - 1), Some(50));
    assert_eq!(w.token.weight_at(bob, e1), Some(40));
    assert_eq!(w.token.votes(bob), 0);
    let moved = events::<DelegateChanged>(sig::<DelegateChanged>());
    assert_eq!(moved.last().unwrap().weight, 40);
    // and Charlie's votes carry the second's expiry with them
    assert_eq!(w.token.votes(charlie), 40);
    advance(e2 - now());
    assert_eq!(w.token.weight_at(charlie, e2 - 1), Some(40));
    assert_eq!(w.token.votes(charlie), 0);
    assert_eq!(w.token.total_weight(), 0);
}

#[ink::test]
fn l1_revoking_a_contribution_past_its_expiry_removes_nothing_twice() {
    // given an active contribution (40) past its expiry block, never marked expired
    let mut w = world();
    let id = w.active_contribution(category::MODEL, 1);
    let expires_at = w.token.contribution(id).unwrap().expires_at;
    advance(expires_at - now());
    // when governance revokes it
    w.governance().revoke_contribution(id).unwrap();
    // then no weight was taken out (it had none left) and the totals stay at 0
    let ev = events::<ContributionRevoked>(sig::<ContributionRevoked>());
    assert_eq!((ev[0].weight_removed, ev[0].member_weight), (0, 0));
    assert_eq!(w.token.total_weight(), 0);
    assert_eq!(w.token.weight_at(w.accounts.eve, expires_at - 1), Some(40));
}

#[ink::test]
fn l1_a_schedule_holds_a_bounded_number_of_expiry_blocks() {
    // given a cap room for many small contributions (category 9 worth 1)
    let mut w = world();
    w.governance().set_category(9, 1).unwrap();
    // when governance changes the expiry setting before every activation, so each one
    // lands on its own expiry block
    let mut outcome = Ok(());
    let mut activated = 0usize;
    for i in 0..=(atelier_traits::expiry::MAX_COHORTS as u32) {
        let settings = Settings {
            expiry_blocks: 1_000 + 8 * i,
            ..w.token.settings()
        };
        w.governance().set_settings(settings).unwrap();
        w.as_(w.accounts.eve);
        let id = w.token.record_contribution(9, [i as u8 + 100; 32]).unwrap();
        w.as_(w.accounts.bob);
        w.token.attest(id).unwrap();
        w.as_(w.accounts.charlie);
        outcome = w.token.attest(id);
        if outcome.is_err() {
            break;
        }
        activated += 1;
    }
    // then the activation past the bound is refused by name
    assert_eq!(outcome, Err(Error::ExpiryScheduleFull));
    assert_eq!(activated, atelier_traits::expiry::MAX_COHORTS);
}
