//! Interfaces and types shared by Atelier's contracts.
//!
//! Cross-contract calls go through the trait definitions here so that caller and callee
//! agree on selectors and argument types. This crate depends only on ink! and holds no
//! storage and no logic.
#![cfg_attr(not(feature = "std"), no_std, no_main)]

use ink::primitives::Address;

/// Block numbers, as the default ink! environment defines them.
pub type BlockNumber = u32;

/// Voting weight in contribution points.
pub type Weight = u128;

/// The voting-weight view the governor reads from the membership token.
#[ink::trait_definition]
pub trait VotingWeight {
    /// Voting weight of `account` (own weight if not delegated, plus weight delegated to it)
    /// at the end of `block`, or `None` when `block` is in the future.
    #[ink(message)]
    fn weight_at(&self, account: Address, block: BlockNumber) -> Option<Weight>;

    /// Sum of all members' weight at the end of `block`, or `None` when `block` is in the
    /// future.
    #[ink(message)]
    fn total_weight_at(&self, block: BlockNumber) -> Option<Weight>;
}

/// Contribution categories every membership token starts with; governance adds more by id.
pub mod category {
    /// A dataset (images, captions, prompts) contributed for training or evaluation.
    pub const DATASET: u32 = 0;
    /// A fine-tuned or trained model.
    pub const MODEL: u32 = 1;
    /// Documentation, tutorials, guides.
    pub const DOCUMENTATION: u32 = 2;
    /// Curation work: reviewing and ranking submitted works.
    pub const CURATION: u32 = 3;
}

/// Basis points in one whole (100%).
pub const BPS: u32 = 10_000;

/// A spend governance approves from a treasury: who is paid, how much, when, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct SpendRequest {
    /// Account paid.
    pub beneficiary: Address,
    /// Total amount over all tranches (18-decimal contract units).
    pub amount: u128,
    /// First block a steward may pay the first tranche.
    pub valid_from: BlockNumber,
    /// Last block any tranche may be paid; unpaid tranches expire after it.
    pub expires_at: BlockNumber,
    /// keccak-256 of the spend's purpose text (published with the proposal).
    pub purpose_hash: [u8; 32],
    /// Number of equal tranches (at least 1); the last one carries the rounding remainder.
    pub tranches: u32,
    /// Blocks between tranche `k` and tranche `k + 1` becoming payable.
    pub tranche_interval: BlockNumber,
    /// Provenance-registry ids of the datasets a training spend uses; each needs full,
    /// unrevoked consent at payout. Empty for other spends.
    pub datasets: ink::prelude::vec::Vec<u32>,
}

/// A fund (treasury) as other contracts call it.
#[ink::trait_definition]
pub trait Fund {
    /// Receives native value from anyone (the royalty router, donors).
    #[ink(message, payable)]
    fn deposit(&mut self);
}

/// The consent view a treasury reads from the provenance registry.
#[ink::trait_definition]
pub trait Consent {
    /// Whether every rights holder of `asset` has consented and none has revoked since.
    /// `false` for an unknown asset.
    #[ink(message)]
    fn has_full_consent(&self, asset: u32) -> bool;
}

/// Selector of the treasury's `approve_spend(SpendRequest)`, which the governor's optimistic
/// grant track calls.
pub const APPROVE_SPEND_SELECTOR: [u8; 4] = ink::selector_bytes!("approve_spend");

/// Helpers for the contracts' unit tests on ink!'s off-chain engine (feature `test-utils`,
/// enabled only as a dev-dependency; never part of a contract build).
#[cfg(feature = "test-utils")]
pub mod testing {
    use ink::prelude::vec::Vec;

    /// The events recorded so far whose signature topic is `signature`, decoded as `E`.
    ///
    /// # Panics
    /// On an anonymous event (`None`) or data that does not decode as `E`.
    pub fn events<E: ink::scale::Decode>(signature: Option<[u8; 32]>) -> Vec<E> {
        let signature = signature.expect("not anonymous");
        ink::env::test::recorded_events()
            .into_iter()
            .filter(|e| e.topics.first().map(|t| t.as_slice()) == Some(&signature[..]))
            .map(|e| E::decode(&mut &e.data[..]).expect("event decodes"))
            .collect()
    }
}

/// The events of type `$e` recorded so far in a unit test (see [`testing::events`]).
#[cfg(feature = "test-utils")]
#[macro_export]
macro_rules! emitted {
    ($e:ty) => {
        $crate::testing::events::<$e>(<$e as ink::env::Event>::SIGNATURE_TOPIC)
    };
}
