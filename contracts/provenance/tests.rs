//! Unit tests on ink!'s off-chain engine, written given/when/then.
use crate::provenance::*;
use atelier_traits::emitted;
use atelier_traits::Consent;
use ink::{env::test, Address};

/// A registry deployed by Alice, governed by Frank (standing in for the governor), where
/// Bob registered dataset 0 held by Bob and Charlie.
fn world() -> (test::DefaultAccounts, Provenance, u32) {
    let a = test::default_accounts();
    test::set_callee(Address::from_low_u64_be(0x9E));
    test::set_caller(a.alice);
    let mut p = Provenance::new();
    p.init_governance(a.frank).expect("deployer hands over");
    test::set_caller(a.bob);
    let id = p
        .register(AssetKind::Dataset, [1; 32], 7, vec![a.bob, a.charlie])
        .expect("registered");
    (a, p, id)
}

#[ink::test]
fn register_stores_the_asset_and_emits_it_in_full() {
    let (a, p, id) = world();
    let asset = p.asset(id).unwrap();
    assert_eq!(asset.kind, AssetKind::Dataset);
    assert_eq!(asset.license, 7);
    assert_eq!(asset.registrant, a.bob);
    assert_eq!(asset.holders, vec![a.bob, a.charlie]);
    assert_eq!(asset.consenting, 0);
    assert_eq!(p.asset_by_content([1; 32]), Some(id));
    assert_eq!(p.asset_count(), 1);
    assert_eq!(emitted!(AssetRegistered)[0].asset, asset);
    assert!(!p.has_full_consent(id), "nobody consented yet");
}

#[ink::test]
fn register_rejects_bad_holder_lists_and_duplicate_content() {
    let (a, mut p, _) = world();
    assert_eq!(
        p.register(AssetKind::Model, [2; 32], 1, vec![]),
        Err(Error::NoHolders)
    );
    let many = (0..=MAX_HOLDERS as u64)
        .map(Address::from_low_u64_be)
        .collect();
    assert_eq!(
        p.register(AssetKind::Model, [2; 32], 1, many),
        Err(Error::TooManyHolders)
    );
    assert_eq!(
        p.register(AssetKind::Model, [2; 32], 1, vec![a.bob, a.eve, a.bob]),
        Err(Error::DuplicateHolder)
    );
    assert_eq!(
        p.register(AssetKind::Model, [1; 32], 1, vec![a.bob]),
        Err(Error::ContentExists)
    );
    assert_eq!(p.asset_count(), 1);
}

#[ink::test]
fn full_consent_needs_every_holder_and_ends_with_any_revocation() {
    let (a, mut p, id) = world();
    test::set_caller(a.bob);
    p.grant_consent(id).unwrap();
    assert!(p.consents(id, a.bob));
    assert!(!p.has_full_consent(id));
    test::set_caller(a.charlie);
    p.grant_consent(id).unwrap();
    assert!(p.has_full_consent(id));
    p.revoke_consent(id).unwrap();
    assert!(!p.has_full_consent(id));
    let changes = emitted!(ConsentChanged);
    assert_eq!(
        changes
            .iter()
            .map(|c| (c.holder, c.granted, c.consenting, c.holders))
            .collect::<Vec<_>>(),
        vec![
            (a.bob, true, 1, 2),
            (a.charlie, true, 2, 2),
            (a.charlie, false, 1, 2)
        ]
    );
}

#[ink::test]
fn only_holders_change_consent_and_only_to_a_new_state() {
    let (a, mut p, id) = world();
    test::set_caller(a.eve);
    assert_eq!(p.grant_consent(id), Err(Error::NotHolder));
    assert_eq!(p.revoke_consent(id), Err(Error::NotHolder));
    test::set_caller(a.bob);
    assert_eq!(p.revoke_consent(id), Err(Error::ConsentUnchanged));
    p.grant_consent(id).unwrap();
    assert_eq!(p.grant_consent(id), Err(Error::ConsentUnchanged));
    assert_eq!(p.grant_consent(id + 1), Err(Error::UnknownAsset));
    assert!(!p.has_full_consent(id + 1));
}

#[ink::test]
fn governance_is_handed_over_once_by_the_deployer_only() {
    let (a, mut p, _) = world();
    assert_eq!(p.governance(), Some(a.frank));
    test::set_caller(a.alice);
    assert_eq!(p.init_governance(a.eve), Err(Error::NotAdmin));
    assert_eq!(emitted!(GovernanceSet).len(), 1);
}

// Audit finding M-2 (issue #16): the first test failed on the registry before the fix; the
// others need the dispute path the fix added.

#[ink::test]
fn m2_only_a_rights_holder_can_register_an_asset() {
    let (a, mut p, _) = world();
    // Eve registers a dataset naming Bob as its only holder
    test::set_caller(a.eve);
    assert_eq!(
        p.register(AssetKind::Dataset, [2; 32], 1, vec![a.bob]),
        Err(Error::RegistrantNotHolder)
    );
    assert_eq!(p.asset_count(), 1);
    assert_eq!(p.asset_by_content([2; 32]), None);
}

#[ink::test]
fn m2_a_front_run_registration_is_disputed_and_governance_gives_it_to_its_holder() {
    // given Eve registered Alice's dataset as hers and consented to its use
    let (a, mut p, _) = world();
    test::set_caller(a.eve);
    let id = p
        .register(AssetKind::Dataset, [2; 32], 1, vec![a.eve])
        .unwrap();
    p.grant_consent(id).unwrap();
    assert!(p.has_full_consent(id));
    // when Alice disputes it
    test::set_caller(a.alice);
    p.dispute(id, [9; 32]).unwrap();
    // then its consent is suspended: nothing can be paid under it
    assert!(!p.has_full_consent(id));
    let d = p.dispute_of(id).unwrap();
    assert_eq!((d.claimant, d.evidence), (a.alice, [9; 32]));
    assert_eq!(emitted!(AssetDisputed)[0].claimant, a.alice);
    // and when governance gives the asset to Alice
    test::set_caller(a.frank);
    p.resolve_dispute(id, Some(vec![a.alice])).unwrap();
    // then Eve's consent is gone and only Alice's counts
    let asset = p.asset(id).unwrap();
    assert_eq!((asset.holders, asset.consenting), (vec![a.alice], 0));
    assert!(!p.consents(id, a.eve));
    assert!(!p.has_full_consent(id));
    assert_eq!(p.dispute_of(id), None);
    let r = emitted!(DisputeResolved);
    assert_eq!(
        (r[0].claimant, r[0].holders.clone()),
        (a.alice, Some(vec![a.alice]))
    );
    test::set_caller(a.eve);
    assert_eq!(p.grant_consent(id), Err(Error::NotHolder));
    test::set_caller(a.alice);
    p.grant_consent(id).unwrap();
    assert!(p.has_full_consent(id));
}

#[ink::test]
fn m2_a_dismissed_dispute_restores_the_registration_and_its_consents() {
    let (a, mut p, id) = world();
    for who in [a.bob, a.charlie] {
        test::set_caller(who);
        p.grant_consent(id).unwrap();
    }
    test::set_caller(a.eve);
    p.dispute(id, [3; 32]).unwrap();
    assert!(!p.has_full_consent(id));
    test::set_caller(a.frank);
    p.resolve_dispute(id, None).unwrap();
    assert!(p.has_full_consent(id));
    assert_eq!(p.asset(id).unwrap().holders, vec![a.bob, a.charlie]);
    // the claimant may dispute again (one open dispute at a time)
    test::set_caller(a.eve);
    p.dispute(id, [4; 32]).unwrap();
}

#[ink::test]
fn m2_dispute_error_paths_change_nothing() {
    let (a, mut p, id) = world();
    test::set_caller(a.bob);
    assert_eq!(p.dispute(id, [0; 32]), Err(Error::HolderCannotDispute));
    test::set_caller(a.eve);
    assert_eq!(p.dispute(id + 1, [0; 32]), Err(Error::UnknownAsset));
    p.dispute(id, [0; 32]).unwrap();
    test::set_caller(a.django);
    assert_eq!(p.dispute(id, [0; 32]), Err(Error::AlreadyDisputed));
    // one open dispute per account
    test::set_caller(a.charlie);
    let other = p
        .register(AssetKind::Model, [5; 32], 1, vec![a.charlie])
        .unwrap();
    test::set_caller(a.eve);
    assert_eq!(p.dispute(other, [0; 32]), Err(Error::DisputeOpen));
    // resolution: governance only, of a disputed asset, with a valid holder list
    assert_eq!(p.resolve_dispute(id, None), Err(Error::NotGovernance));
    test::set_caller(a.frank);
    assert_eq!(p.resolve_dispute(other, None), Err(Error::NotDisputed));
    assert_eq!(p.resolve_dispute(99, None), Err(Error::UnknownAsset));
    assert_eq!(p.resolve_dispute(id, Some(vec![])), Err(Error::NoHolders));
    assert_eq!(
        p.resolve_dispute(id, Some(vec![a.eve, a.eve])),
        Err(Error::DuplicateHolder)
    );
    assert_eq!(p.asset(id).unwrap().holders, vec![a.bob, a.charlie]);
    assert!(p.dispute_of(id).is_some());
    assert_eq!(emitted!(DisputeResolved).len(), 0);
}
