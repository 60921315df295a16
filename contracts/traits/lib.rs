//! Interfaces and types shared by Atelier's contracts.
//!
//! Cross-contract calls go through the trait definitions here so that caller and callee
//! agree on selectors and argument types. This crate depends only on ink! and holds no
//! storage and no logic.
#![cfg_attr(not(feature = "std"), no_std, no_main)]

extern crate alloc;

use ink::prelude::vec::Vec;
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

pub mod expiry;
pub mod window;

/// A weight that expires in parts: its value at the block it was last brought to, and the
/// amounts within it that expire later, by expiry block. The rule is [`expiry`]'s, shared
/// with the indexer. The membership token keeps each member's own weight, each account's
/// votes checkpoints and the total this way, so `weight_at` honours expiry at the expiry
/// block without a keeper (audit L-1 of #16).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct Expiring {
    /// The value at the block it was last brought to.
    pub value: u128,
    /// Amounts within `value` that expire after that block, ascending by expiry block.
    pub schedule: Vec<(BlockNumber, u128)>,
}

impl Expiring {
    /// The value at the end of `block` (at or after the block it was last brought to);
    /// `None` only when the schedule is inconsistent with the value.
    #[must_use]
    pub fn at(&self, block: BlockNumber) -> Option<u128> {
        expiry::value_at(self.value, &self.schedule, block)
    }

    /// Brings the weight to block `now`, dropping what expired by then.
    #[must_use]
    pub fn settled(mut self, now: BlockNumber) -> Option<Self> {
        self.value = expiry::settle(self.value, &mut self.schedule, now)?;
        Some(self)
    }

    /// Adds `amount`, expiring at `expires_at`, or takes it out when `add` is false (it was
    /// revoked).
    ///
    /// # Errors
    /// [`expiry::ScheduleError`] on overflow, a full schedule, or a part that is not there;
    /// nothing is changed then.
    pub fn change(
        &mut self,
        amount: u128,
        expires_at: BlockNumber,
        add: bool,
    ) -> Result<(), expiry::ScheduleError> {
        let value = if add {
            self.value.checked_add(amount)
        } else {
            self.value.checked_sub(amount)
        }
        .ok_or(expiry::ScheduleError::Overflow)?;
        if add {
            expiry::add(&mut self.schedule, expires_at, amount)?;
        } else {
            expiry::remove(&mut self.schedule, expires_at, amount)?;
        }
        self.value = value;
        Ok(())
    }

    /// Adds all of `other` (a delegator's own weight moving in), or takes it out when
    /// `add` is false (moving away). Both must be settled at the same block.
    ///
    /// # Errors
    /// [`expiry::ScheduleError`]; `self` may be partly changed then, so callers discard it.
    pub fn apply(&mut self, other: &Self, add: bool) -> Result<(), expiry::ScheduleError> {
        for (at, amount) in &other.schedule {
            if add {
                expiry::add(&mut self.schedule, *at, *amount)?;
            } else {
                expiry::remove(&mut self.schedule, *at, *amount)?;
            }
        }
        self.value = if add {
            self.value.checked_add(other.value)
        } else {
            self.value.checked_sub(other.value)
        }
        .ok_or(expiry::ScheduleError::Overflow)?;
        Ok(())
    }
}

/// What was paid (or moved) over the last `epoch_blocks` blocks, for limits that must hold
/// over every span of `epoch_blocks` consecutive blocks, not per calendar epoch (audit L-5
/// of #16: a fixed epoch let twice the limit through across its boundary, and changing the
/// epoch length started a fresh one). The rule is [`window`]'s, shared with the indexer;
/// one storage cell of fixed size, so the check costs the same however many payments were
/// made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct RollingWindow {
    /// Slot of the last addition.
    slot: u32,
    /// Slot length, in blocks, at the last addition.
    slot_len: u32,
    /// Amounts per slot.
    amounts: [u128; window::KEPT],
}

impl RollingWindow {
    fn state(&self) -> window::State {
        (self.slot, self.slot_len, self.amounts)
    }

    /// The total within the window at block `now`.
    #[must_use]
    pub fn total(&self, epoch_blocks: u32, now: BlockNumber) -> u128 {
        window::total(self.state(), epoch_blocks, now)
    }

    /// Adds `amount` at block `now` when the window's total stays within `limit`, and
    /// returns the new total; `None` (and nothing added) when it would not.
    #[must_use]
    pub fn add(
        &mut self,
        epoch_blocks: u32,
        now: BlockNumber,
        amount: u128,
        limit: u128,
    ) -> Option<u128> {
        let ((slot, slot_len, amounts), total) =
            window::add(self.state(), epoch_blocks, now, amount, limit)?;
        *self = Self {
            slot,
            slot_len,
            amounts,
        };
        Some(total)
    }
}

#[cfg(test)]
// Test arithmetic is on small known values.
#[allow(clippy::arithmetic_side_effects, clippy::cast_possible_truncation)]
mod window_tests {
    use super::RollingWindow;

    /// Exhaustive against the definition: over every span of `epoch` blocks, what was
    /// added never exceeds the limit, and an addition refused was one that would have.
    #[test]
    fn no_span_of_an_epoch_ever_holds_more_than_the_limit() {
        for epoch in [10u32, 16, 17, 100] {
            let limit = 100u128;
            let mut w = RollingWindow::default();
            let mut added = vec![0u128; 1_200];
            let mut seed = 0x2545_F491u64 ^ u64::from(epoch);
            for now in 0..1_200u32 {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                let amount = u128::from(seed % 60);
                if seed.is_multiple_of(3) {
                    if let Some(total) = w.add(epoch, now, amount, limit) {
                        added[now as usize] += amount;
                        assert!(total <= limit);
                    }
                }
                let start = now.saturating_sub(epoch - 1) as usize;
                let span: u128 = added[start..=now as usize].iter().sum();
                assert!(span <= limit, "epoch {epoch}, block {now}: {span}");
                assert!(w.total(epoch, now) >= span, "the window forgot a payment");
            }
        }
    }

    #[test]
    fn an_amount_leaves_the_window_within_nine_slots() {
        let mut w = RollingWindow::default();
        assert_eq!(w.add(100, 99, 100, 100), Some(100));
        // the next block, in the next calendar epoch, is still within the window
        assert_eq!(w.add(100, 100, 1, 100), None);
        assert_eq!(w.total(100, 99 + 100), 100);
        // 99 is in slot 7 of 13 blocks; slot 16 (block 208) no longer sees it
        assert_eq!(w.total(100, 207), 100);
        assert_eq!(w.total(100, 208), 0);
    }

    #[test]
    fn a_new_epoch_length_keeps_what_was_counted_and_forgets_what_had_left() {
        let mut w = RollingWindow::default();
        assert_eq!(w.add(100, 50, 80, 100), Some(80));
        assert_eq!(w.total(20, 51), 80);
        assert_eq!(w.add(20, 51, 30, 100), None);
        // paid long before the change: gone under the old slots, so gone under the new
        assert_eq!(w.total(20, 50 + 9 * 13), 0);
        assert_eq!(w.add(20, 50 + 9 * 13, 100, 100), Some(100));
    }
}

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

#[cfg(test)]
// Test arithmetic is on small known values.
#[allow(clippy::arithmetic_side_effects, clippy::cast_possible_truncation)]
mod expiry_tests {
    use super::{expiry, Expiring};

    #[test]
    fn an_expiry_block_is_on_the_grid_at_least_the_period_on_and_less_than_a_step_more() {
        for period in [100u32, 101, 107, 1_000, 14_400, 10_512_000] {
            let step = period.div_ceil(expiry::COHORT_STEPS);
            for now in (0..3 * step).chain([1_000_003, 4_000_000]) {
                let e = expiry::expiry_block(now, period).expect("no overflow");
                assert!(e >= now + period, "period {period}, now {now}: {e}");
                assert!(e < now + period + step, "period {period}, now {now}: {e}");
                assert_eq!(e % step, 0, "period {period}, now {now}: {e}");
            }
        }
        assert_eq!(expiry::expiry_block(u32::MAX - 10, 100), None);
    }

    #[test]
    fn one_period_leaves_at_most_nine_expiry_blocks_ahead() {
        // contributions activated in every block for two periods, each counted until it
        // expires: the schedule never holds more than 9 expiry blocks
        let period = 100;
        let mut w = Expiring::default();
        for now in 0..2 * period {
            w = w.settled(now).expect("consistent");
            let e = expiry::expiry_block(now, period).expect("no overflow");
            w.change(1, e, true).expect("room");
            assert!(w.schedule.len() <= 9, "block {now}: {:?}", w.schedule);
        }
    }

    #[test]
    fn a_weight_loses_each_part_at_its_expiry_block_and_moves_whole() {
        let mut w = Expiring::default();
        w.change(10, 50, true).unwrap();
        w.change(30, 80, true).unwrap();
        w.change(5, 50, true).unwrap();
        assert_eq!(w.schedule, vec![(50, 15), (80, 30)]);
        assert_eq!(
            (w.at(49), w.at(50), w.at(79), w.at(80)),
            (Some(45), Some(30), Some(30), Some(0))
        );
        // taking out a part that is not there changes nothing
        assert_eq!(w.change(1, 60, false), Err(expiry::ScheduleError::Overflow));
        assert_eq!(
            w.change(16, 50, false),
            Err(expiry::ScheduleError::Overflow)
        );
        assert_eq!(w.at(49), Some(45));
        // a delegate gains a delegator's weight with its schedule and loses it whole
        let mut delegate = Expiring::default();
        delegate.change(7, 80, true).unwrap();
        delegate.apply(&w, true).unwrap();
        assert_eq!(delegate.schedule, vec![(50, 15), (80, 37)]);
        let settled = delegate.clone().settled(60).unwrap();
        assert_eq!(
            (settled.value, settled.schedule.clone()),
            (37, vec![(80, 37)])
        );
        delegate.apply(&w, false).unwrap();
        assert_eq!((delegate.value, delegate.schedule), (7, vec![(80, 7)]));
        // a schedule holds at most MAX_COHORTS expiry blocks
        let mut full = Expiring::default();
        for i in 0..expiry::MAX_COHORTS as u32 {
            full.change(1, 100 + i, true).unwrap();
        }
        assert_eq!(
            full.change(1, 1_000, true),
            Err(expiry::ScheduleError::Full)
        );
        assert_eq!(full.change(1, 100, true), Ok(()));
        assert_eq!(full.value, expiry::MAX_COHORTS as u128 + 1);
    }
}
