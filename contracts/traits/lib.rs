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
