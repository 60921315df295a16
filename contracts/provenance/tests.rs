//! Unit tests on ink!'s off-chain engine, written given/when/then.
use crate::provenance::*;
use atelier_traits::emitted;
use atelier_traits::Consent;
use ink::{env::test, Address};

/// A registry where Alice registered dataset 0 held by Bob and Charlie.
fn world() -> (test::DefaultAccounts, Provenance, u32) {
    let a = test::default_accounts();
    test::set_callee(Address::from_low_u64_be(0x9E));
    test::set_caller(a.alice);
    let mut p = Provenance::new();
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
    assert_eq!(asset.registrant, a.alice);
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
