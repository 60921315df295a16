//! Atelier's royalty router: registered works, and the split of every royalty between the
//! work's creator, the Compute Fund and the Community Reserve.
//!
//! Creators register works (content hash and metadata, emitted in full for the curation
//! worker; only hashes are stored) with the share they claim. `route(work)` takes a
//! royalty as native value and splits it in basis points: the creator's part is credited
//! for `withdraw` (pull payments), the Compute Fund's part is accrued and the rest goes to
//! the Community Reserve's accrual (the reserve share, any share the creator left unclaimed
//! and the rounding remainder, so the parts always sum to the royalty); `route_batch` settles
//! many royalties in one call, all or nothing. Accruals are
//! forwarded to the fund contracts by `forward`, which anyone may call: routing a royalty
//! stays as cheap as a token transfer, and the funds receive in batches.
//!
//! The split changes only through governance, within hard floors and ceilings, by at most
//! `max_change_bps` over any `epoch_blocks` consecutive blocks, and governance may freeze it
//! for good.
//!
//! ink! allows a wildcard ("fallback") message only in contracts with a single other
//! message, so the router has none: a call with an unknown selector or no input reverts and
//! the value stays with the sender; value meant for the DAO without a work goes through the
//! payable `donate`, credited to the Community Reserve.
//!
//! This contract must not hold funds for anyone but creators with credited balances and the
//! two funds' accruals: its balance always equals their sum.
#![cfg_attr(not(feature = "std"), no_std, no_main)]

pub use self::royalty_router::{
    Error, Result, RoyaltyRouter, Split, SplitPolicy, Work, WorkMetadata,
};

#[ink::contract]
mod royalty_router {
    use atelier_traits::{RollingWindow, BPS};
    use ink::{
        env::hash::Keccak256,
        prelude::{string::String, vec::Vec},
        storage::{Lazy, Mapping},
    };

    /// Floor and ceiling of the Compute Fund's share, in basis points.
    pub const COMPUTE_BOUNDS: (u32, u32) = (500, 3_000);
    /// Floor and ceiling of the Community Reserve's share, in basis points.
    pub const RESERVE_BOUNDS: (u32, u32) = (500, 3_000);
    /// Floor and ceiling of the share a creator may claim when registering a work.
    pub const CREATOR_BOUNDS: (u32, u32) = (1_000, 9_000);
    /// Bounds of the split policy: the most basis points one epoch may move, and the epoch.
    pub const MAX_CHANGE_BOUNDS: (u32, u32) = (0, 1_000);
    /// Epoch length bounds, in blocks.
    pub const EPOCH_BOUNDS: (u32, u32) = (10, 5_256_000);
    /// Longest title, in bytes.
    pub const MAX_TITLE_LEN: usize = 200;
    /// Longest prompt, in bytes.
    pub const MAX_PROMPT_LEN: usize = 4_096;
    /// Longest description, in bytes.
    pub const MAX_DESCRIPTION_LEN: usize = 8_192;
    /// Most tags.
    pub const MAX_TAGS: usize = 16;
    /// Longest tag, in bytes.
    pub const MAX_TAG_LEN: usize = 64;
    /// Most royalties `route_batch` settles in one call.
    pub const MAX_BATCH: usize = 256;

    /// How royalties are split between the funds; the creator receives the rest up to the
    /// share its work claims.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    #[ink::scale_derive(Encode, Decode, TypeInfo)]
    #[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
    pub struct Split {
        /// Compute Fund share.
        pub compute_bps: u32,
        /// Community Reserve share (at least; it also receives what creators leave).
        pub reserve_bps: u32,
    }

    /// How fast the split may change.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
    #[ink::scale_derive(Encode, Decode, TypeInfo)]
    #[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
    pub struct SplitPolicy {
        /// Most basis points (summed over both shares) the split may move over any
        /// `epoch_blocks` consecutive blocks.
        pub max_change_bps: u32,
        /// Length of the rolling window the limit holds over, in blocks
        /// (`atelier_traits::RollingWindow`).
        pub epoch_blocks: u32,
    }

    /// What a creator says about a work; emitted in full, stored as a hash.
    #[derive(Debug, Clone, PartialEq, Eq)]
    #[ink::scale_derive(Encode, Decode, TypeInfo)]
    pub struct WorkMetadata {
        /// Title.
        pub title: String,
        /// Generation prompt.
        pub prompt: String,
        /// Description.
        pub description: String,
        /// Tags.
        pub tags: Vec<String>,
        /// Perceptual hash of the image, if any.
        pub image_hash: Option<[u8; 32]>,
    }

    /// A registered work.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    #[ink::scale_derive(Encode, Decode, TypeInfo)]
    #[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
    pub struct Work {
        /// Creator, paid its share.
        pub creator: Address,
        /// Share the creator claims, in basis points (capped by what the funds leave).
        pub creator_bps: u32,
        /// Hash of the content (unique across the router).
        pub content_hash: [u8; 32],
        /// keccak-256 of the SCALE-encoded metadata.
        pub metadata_hash: [u8; 32],
    }

    /// Errors of the router.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    #[ink::error]
    pub enum Error {
        /// No work with this id; the royalty is refunded by the revert.
        UnknownWork,
        /// A royalty of zero.
        ZeroValue,
        /// This content hash is registered already.
        ContentExists,
        /// The creator share is outside `CREATOR_BOUNDS`.
        CreatorShareOutOfBounds,
        /// A metadata field is too long or has too many tags.
        MetadataTooLong,
        /// A share is outside its floor and ceiling.
        SplitOutOfBounds,
        /// The change exceeds what this epoch still allows.
        SplitRateLimited,
        /// The split was frozen for good.
        SplitFrozen,
        /// The split policy is outside its bounds.
        PolicyOutOfBounds,
        /// Nothing to withdraw or forward.
        NothingToPay,
        /// The transfer or the fund's deposit call failed.
        TransferFailed,
        /// Only governance (the governor contract) may do this.
        NotGovernance,
        /// Only the deployer may hand governance over, and only once.
        NotAdmin,
        /// An arithmetic operation would overflow.
        Overflow,
        /// A batch of royalties that is empty or longer than `MAX_BATCH`.
        BatchSize,
        /// The value sent with a batch is not the sum of its royalties.
        BatchValueMismatch,
        /// The work already belongs to that creator.
        CreatorUnchanged,
    }

    /// Result type of the router.
    pub type Result<T> = core::result::Result<T, Error>;

    /// Governance gave a work to another creator (audit M-2 of #16: a work registered by
    /// someone who did not make it); its royalties go to the new creator from now on.
    #[ink(event)]
    pub struct WorkReassigned {
        /// Work id.
        #[ink(topic)]
        pub id: u64,
        /// The creator until now.
        pub from: Address,
        /// The creator from now on.
        pub to: Address,
    }

    /// A work was registered.
    #[ink(event)]
    pub struct WorkRegistered {
        /// Work id.
        #[ink(topic)]
        pub id: u64,
        /// Creator.
        #[ink(topic)]
        pub creator: Address,
        /// Content hash.
        pub content_hash: [u8; 32],
        /// Claimed creator share.
        pub creator_bps: u32,
        /// Metadata in full.
        pub metadata: WorkMetadata,
        /// Its hash, as stored.
        pub metadata_hash: [u8; 32],
    }

    /// A royalty was routed.
    #[ink(event)]
    pub struct RoyaltyRouted {
        /// Work id.
        #[ink(topic)]
        pub work: u64,
        /// Creator credited.
        #[ink(topic)]
        pub creator: Address,
        /// Who paid it.
        pub payer: Address,
        /// The royalty.
        pub amount: u128,
        /// Creator's part.
        pub to_creator: u128,
        /// Compute Fund's part.
        pub to_compute: u128,
        /// Community Reserve's part.
        pub to_reserve: u128,
    }

    /// Value arrived through `donate`, credited to the Community Reserve.
    #[ink(event)]
    pub struct Donated {
        /// Donor.
        #[ink(topic)]
        pub from: Address,
        /// Amount.
        pub amount: u128,
    }

    /// A creator withdrew its credited balance.
    #[ink(event)]
    pub struct Withdrawn {
        /// Creator.
        #[ink(topic)]
        pub creator: Address,
        /// Amount.
        pub amount: u128,
    }

    /// Accrued shares were sent to a fund.
    #[ink(event)]
    pub struct Forwarded {
        /// Fund contract.
        #[ink(topic)]
        pub fund: Address,
        /// Amount.
        pub amount: u128,
    }

    /// The split changed.
    #[ink(event)]
    pub struct SplitChanged {
        /// New split.
        pub split: Split,
        /// Basis points moved over the rolling window (the last `epoch_blocks` blocks),
        /// this change included.
        pub moved_this_epoch: u32,
    }

    /// The split was frozen for good.
    #[ink(event)]
    pub struct SplitFrozen {
        /// The final split.
        pub split: Split,
    }

    /// Governance was handed from the deployer to the governor.
    #[ink(event)]
    pub struct GovernanceSet {
        /// The governor.
        pub governance: Address,
    }

    /// The router's storage. `forward` calls the funds, which never call back, so the root
    /// cell may hold mutable fields.
    #[ink(storage)]
    pub struct RoyaltyRouter {
        admin: Option<Address>,
        governance: Option<Address>,
        compute_fund: Address,
        reserve: Address,
        split: Split,
        frozen: bool,
        /// The split policy and the basis points moved over its rolling window of
        /// `epoch_blocks` blocks: only `set_split` reads them, so they live in their own cell
        /// and `route` does not decode and re-encode them with the root.
        limits: Lazy<(SplitPolicy, RollingWindow)>,
        accrued_compute: u128,
        accrued_reserve: u128,
        work_count: u64,
        works: Mapping<u64, Work>,
        by_content: Mapping<[u8; 32], u64>,
        balances: Mapping<Address, u128>,
    }

    impl RoyaltyRouter {
        /// Instantiates the router over the two funds. The deployer hands governance to the
        /// governor once with `init_governance`.
        ///
        /// # Errors
        /// `SplitOutOfBounds`, `PolicyOutOfBounds`.
        #[ink(constructor)]
        pub fn new(
            compute_fund: Address,
            reserve: Address,
            split: Split,
            policy: SplitPolicy,
        ) -> Result<Self> {
            check_split(&split)?;
            check_policy(&policy)?;
            let mut this = Self {
                admin: Some(Self::env().caller()),
                governance: None,
                compute_fund,
                reserve,
                split,
                frozen: false,
                limits: Lazy::new(),
                accrued_compute: 0,
                accrued_reserve: 0,
                work_count: 0,
                works: Mapping::new(),
                by_content: Mapping::new(),
                balances: Mapping::new(),
            };
            this.limits.set(&(policy, RollingWindow::default()));
            this.env().emit_event(SplitChanged {
                split,
                moved_this_epoch: 0,
            });
            Ok(this)
        }

        /// Hands governance from the deployer to `governance` (the governor). Once.
        ///
        /// # Errors
        /// `NotAdmin` unless called by the deployer before any handover.
        #[ink(message)]
        pub fn init_governance(&mut self, governance: Address) -> Result<()> {
            if self.admin != Some(self.env().caller()) {
                return Err(Error::NotAdmin);
            }
            self.admin = None;
            self.governance = Some(governance);
            self.env().emit_event(GovernanceSet { governance });
            Ok(())
        }

        /// Gives a work to another creator, who is paid its creator share of royalties
        /// routed from now on (what was credited before stays with the former creator).
        /// Governance only: the recourse of a creator whose work someone else registered
        /// first (audit M-2 of #16).
        ///
        /// # Errors
        /// `NotGovernance`, `UnknownWork`, `CreatorUnchanged`.
        #[ink(message)]
        pub fn reassign_work(&mut self, id: u64, creator: Address) -> Result<()> {
            self.ensure_governance()?;
            let mut work = self.works.get(id).ok_or(Error::UnknownWork)?;
            if work.creator == creator {
                return Err(Error::CreatorUnchanged);
            }
            let from = work.creator;
            work.creator = creator;
            self.works.insert(id, &work);
            self.env().emit_event(WorkReassigned {
                id,
                from,
                to: creator,
            });
            Ok(())
        }

        /// Registers a work of the caller, who claims `creator_bps` of its royalties, and
        /// returns its id.
        ///
        /// # Errors
        /// `CreatorShareOutOfBounds`, `MetadataTooLong`, `ContentExists`, `Overflow`.
        #[ink(message)]
        pub fn register_work(
            &mut self,
            content_hash: [u8; 32],
            metadata: WorkMetadata,
            creator_bps: u32,
        ) -> Result<u64> {
            if !(CREATOR_BOUNDS.0..=CREATOR_BOUNDS.1).contains(&creator_bps) {
                return Err(Error::CreatorShareOutOfBounds);
            }
            let m = &metadata;
            if m.title.len() > MAX_TITLE_LEN
                || m.prompt.len() > MAX_PROMPT_LEN
                || m.description.len() > MAX_DESCRIPTION_LEN
                || m.tags.len() > MAX_TAGS
                || m.tags.iter().any(|t| t.len() > MAX_TAG_LEN)
            {
                return Err(Error::MetadataTooLong);
            }
            if self.by_content.contains(content_hash) {
                return Err(Error::ContentExists);
            }
            let creator = self.env().caller();
            let mut metadata_hash = [0u8; 32];
            ink::env::hash_encoded::<Keccak256, _>(&metadata, &mut metadata_hash);
            let id = self.work_count;
            self.work_count = id.checked_add(1).ok_or(Error::Overflow)?;
            self.works.insert(
                id,
                &Work {
                    creator,
                    creator_bps,
                    content_hash,
                    metadata_hash,
                },
            );
            self.by_content.insert(content_hash, &id);
            self.env().emit_event(WorkRegistered {
                id,
                creator,
                content_hash,
                creator_bps,
                metadata,
                metadata_hash,
            });
            Ok(id)
        }

        /// Splits the royalty sent with the call between the work's creator (credited for
        /// `withdraw`), the Compute Fund and the Community Reserve (accrued for `forward`).
        /// Returns the parts (creator, compute, reserve), which sum to the royalty.
        ///
        /// # Errors
        /// `ZeroValue`, `UnknownWork` (the call reverts and the royalty stays with the
        /// payer), `Overflow`.
        #[ink(message, payable)]
        pub fn route(&mut self, work_id: u64) -> Result<(u128, u128, u128)> {
            let amount = self.received()?;
            self.route_one(work_id, amount)
        }

        /// Settles many royalties in one call (a marketplace paying the royalties of a day's
        /// sales): `royalties` are (work, amount) pairs, the value sent with the call must be
        /// their sum, and each is split as `route` splits it, with one `RoyaltyRouted` each.
        /// All or nothing: any failing royalty reverts the whole batch and refunds the value.
        /// Returns the number of royalties routed.
        ///
        /// # Errors
        /// `ZeroValue` (no value, or a royalty of zero), `BatchSize` (empty or over
        /// `MAX_BATCH`), `BatchValueMismatch`, `UnknownWork`, `Overflow`.
        #[ink(message, payable)]
        pub fn route_batch(&mut self, royalties: Vec<(u64, u128)>) -> Result<u32> {
            let value = self.received()?;
            if royalties.is_empty() || royalties.len() > MAX_BATCH {
                return Err(Error::BatchSize);
            }
            let mut sum: u128 = 0;
            for (_, amount) in &royalties {
                sum = sum.checked_add(*amount).ok_or(Error::Overflow)?;
            }
            if sum != value {
                return Err(Error::BatchValueMismatch);
            }
            for (work_id, amount) in &royalties {
                if *amount == 0 {
                    return Err(Error::ZeroValue);
                }
                self.route_one(*work_id, *amount)?;
            }
            u32::try_from(royalties.len()).map_err(|_| Error::Overflow)
        }

        /// Takes value sent without a work and credits it to the Community Reserve.
        ///
        /// # Errors
        /// `ZeroValue`, `Overflow`.
        #[ink(message, payable)]
        pub fn donate(&mut self) -> Result<()> {
            let amount = self.received()?;
            self.accrued_reserve = self
                .accrued_reserve
                .checked_add(amount)
                .ok_or(Error::Overflow)?;
            self.env().emit_event(Donated {
                from: self.env().caller(),
                amount,
            });
            Ok(())
        }

        /// Pays the caller its credited balance and returns the amount.
        ///
        /// # Errors
        /// `NothingToPay`, `TransferFailed`.
        #[ink(message)]
        pub fn withdraw(&mut self) -> Result<u128> {
            let creator = self.env().caller();
            let amount = self.balances.get(creator).unwrap_or(0);
            if amount == 0 {
                return Err(Error::NothingToPay);
            }
            self.balances.remove(creator);
            self.env()
                .transfer(creator, ink::U256::from(amount))
                .map_err(|_| Error::TransferFailed)?;
            self.env().emit_event(Withdrawn { creator, amount });
            Ok(amount)
        }

        /// Sends the accrued shares to the Compute Fund and the Community Reserve (each
        /// fund's `deposit`). Anyone may call it. Returns (compute, reserve) sent.
        ///
        /// # Errors
        /// `NothingToPay` when both accruals are zero, `TransferFailed` when a fund's
        /// deposit fails (nothing is sent then).
        #[ink(message)]
        pub fn forward(&mut self) -> Result<(u128, u128)> {
            let compute = self.accrued_compute;
            let reserve = self.accrued_reserve;
            if compute == 0 && reserve == 0 {
                return Err(Error::NothingToPay);
            }
            self.accrued_compute = 0;
            self.accrued_reserve = 0;
            for (fund, amount) in [(self.compute_fund, compute), (self.reserve, reserve)] {
                if amount > 0 {
                    host::deposit(fund, amount).map_err(|_| Error::TransferFailed)?;
                    self.env().emit_event(Forwarded { fund, amount });
                }
            }
            Ok((compute, reserve))
        }

        /// Changes the split. Governance only, within the shares' bounds, by at most the
        /// policy's `max_change_bps` over any `epoch_blocks` consecutive blocks (summed over
        /// both shares), unless frozen.
        ///
        /// # Errors
        /// `NotGovernance`, `SplitFrozen`, `SplitOutOfBounds`, `SplitRateLimited`,
        /// `Overflow`.
        #[ink(message)]
        pub fn set_split(&mut self, split: Split) -> Result<()> {
            self.ensure_governance()?;
            if self.frozen {
                return Err(Error::SplitFrozen);
            }
            check_split(&split)?;
            let delta = self
                .split
                .compute_bps
                .abs_diff(split.compute_bps)
                .checked_add(self.split.reserve_bps.abs_diff(split.reserve_bps))
                .ok_or(Error::Overflow)?;
            let (policy, mut window) = self.limits();
            let moved = window
                .add(
                    policy.epoch_blocks,
                    self.env().block_number(),
                    u128::from(delta),
                    u128::from(policy.max_change_bps),
                )
                .ok_or(Error::SplitRateLimited)?;
            // At most `max_change_bps`, a u32.
            let moved = u32::try_from(moved).map_err(|_| Error::Overflow)?;
            self.split = split;
            self.limits.set(&(policy, window));
            self.env().emit_event(SplitChanged {
                split,
                moved_this_epoch: moved,
            });
            Ok(())
        }

        /// Freezes the split for good. Governance only.
        ///
        /// # Errors
        /// `NotGovernance`, `SplitFrozen` when already frozen.
        #[ink(message)]
        pub fn freeze_split(&mut self) -> Result<()> {
            self.ensure_governance()?;
            if self.frozen {
                return Err(Error::SplitFrozen);
            }
            self.frozen = true;
            self.env().emit_event(SplitFrozen { split: self.split });
            Ok(())
        }

        /// A work by id.
        #[ink(message)]
        pub fn work(&self, work_id: u64) -> Option<Work> {
            self.works.get(work_id)
        }

        /// The id registered for a content hash.
        #[ink(message)]
        pub fn work_by_content(&self, content_hash: [u8; 32]) -> Option<u64> {
            self.by_content.get(content_hash)
        }

        /// Number of works registered (ids are `0..count`).
        #[ink(message)]
        pub fn work_count(&self) -> u64 {
            self.work_count
        }

        /// A creator's credited balance.
        #[ink(message)]
        pub fn balance_of(&self, creator: Address) -> u128 {
            self.balances.get(creator).unwrap_or(0)
        }

        /// Accrued, not yet forwarded: (Compute Fund, Community Reserve).
        #[ink(message)]
        pub fn accrued(&self) -> (u128, u128) {
            (self.accrued_compute, self.accrued_reserve)
        }

        /// The split.
        #[ink(message)]
        pub fn split(&self) -> Split {
            self.split
        }

        /// The split policy.
        #[ink(message)]
        pub fn policy(&self) -> SplitPolicy {
            self.limits().0
        }

        /// Whether the split is frozen.
        #[ink(message)]
        pub fn frozen(&self) -> bool {
            self.frozen
        }

        /// The funds: (Compute Fund, Community Reserve).
        #[ink(message)]
        pub fn funds(&self) -> (Address, Address) {
            (self.compute_fund, self.reserve)
        }

        /// The governance account, once handed over.
        #[ink(message)]
        pub fn governance(&self) -> Option<Address> {
            self.governance
        }

        /// What a royalty of `amount` for `work_id` would be split into now.
        #[ink(message)]
        pub fn quote(&self, work_id: u64, amount: u128) -> Option<(u128, u128, u128)> {
            let work = self.works.get(work_id)?;
            split_amount(amount, &self.split, work.creator_bps).ok()
        }

        /// Splits `amount` (already received) for `work_id`, credits the parts and emits
        /// `RoyaltyRouted`.
        fn route_one(&mut self, work_id: u64, amount: u128) -> Result<(u128, u128, u128)> {
            let work = self.works.get(work_id).ok_or(Error::UnknownWork)?;
            let (to_creator, to_compute, to_reserve) =
                split_amount(amount, &self.split, work.creator_bps)?;
            let balance = self.balances.get(work.creator).unwrap_or(0);
            self.balances.insert(
                work.creator,
                &balance.checked_add(to_creator).ok_or(Error::Overflow)?,
            );
            self.accrued_compute = self
                .accrued_compute
                .checked_add(to_compute)
                .ok_or(Error::Overflow)?;
            self.accrued_reserve = self
                .accrued_reserve
                .checked_add(to_reserve)
                .ok_or(Error::Overflow)?;
            self.env().emit_event(RoyaltyRouted {
                work: work_id,
                creator: work.creator,
                payer: self.env().caller(),
                amount,
                to_creator,
                to_compute,
                to_reserve,
            });
            Ok((to_creator, to_compute, to_reserve))
        }

        fn received(&self) -> Result<u128> {
            let value = self.env().transferred_value();
            let amount = u128::try_from(value).map_err(|_| Error::Overflow)?;
            if amount == 0 {
                return Err(Error::ZeroValue);
            }
            Ok(amount)
        }

        fn limits(&self) -> (SplitPolicy, RollingWindow) {
            // Set by the constructor; the default is never observed on a live contract.
            self.limits.get().unwrap_or_default()
        }

        fn ensure_governance(&self) -> Result<()> {
            if self.governance == Some(self.env().caller()) {
                Ok(())
            } else {
                Err(Error::NotGovernance)
            }
        }
    }

    /// Splits `amount`: the creator gets `min(creator_bps, BPS - compute - reserve)`, the
    /// Compute Fund `compute_bps` (both rounded down), the reserve the rest. The parts sum to
    /// `amount` by construction.
    pub fn split_amount(
        amount: u128,
        split: &Split,
        creator_bps: u32,
    ) -> Result<(u128, u128, u128)> {
        let funds = split
            .compute_bps
            .checked_add(split.reserve_bps)
            .ok_or(Error::Overflow)?;
        let creator_max = BPS.checked_sub(funds).ok_or(Error::Overflow)?;
        let creator_bps = creator_bps.min(creator_max);
        let part = |bps: u32| -> Result<u128> {
            // amount * bps / BPS without overflowing for amounts near u128::MAX.
            let bps = u128::from(bps);
            let whole = u128::from(BPS);
            let q = amount.checked_div(whole).ok_or(Error::Overflow)?;
            let r = amount.checked_rem(whole).ok_or(Error::Overflow)?;
            q.checked_mul(bps)
                .and_then(|a| {
                    r.checked_mul(bps)
                        .and_then(|b| b.checked_div(whole))
                        .and_then(|b| a.checked_add(b))
                })
                .ok_or(Error::Overflow)
        };
        let to_creator = part(creator_bps)?;
        let to_compute = part(split.compute_bps)?;
        let to_reserve = amount
            .checked_sub(to_creator)
            .and_then(|a| a.checked_sub(to_compute))
            .ok_or(Error::Overflow)?;
        Ok((to_creator, to_compute, to_reserve))
    }

    fn check_split(s: &Split) -> Result<()> {
        let within = |v: u32, (lo, hi): (u32, u32)| (lo..=hi).contains(&v);
        if within(s.compute_bps, COMPUTE_BOUNDS) && within(s.reserve_bps, RESERVE_BOUNDS) {
            Ok(())
        } else {
            Err(Error::SplitOutOfBounds)
        }
    }

    fn check_policy(p: &SplitPolicy) -> Result<()> {
        let within = |v: u32, (lo, hi): (u32, u32)| (lo..=hi).contains(&v);
        if within(p.max_change_bps, MAX_CHANGE_BOUNDS) && within(p.epoch_blocks, EPOCH_BOUNDS) {
            Ok(())
        } else {
            Err(Error::PolicyOutOfBounds)
        }
    }

    /// The deposit into a fund: a real cross-contract call with value on chain; in ink!'s
    /// off-chain engine (which cannot run another contract) a plain transfer, recorded for
    /// the unit tests. `tests/sandbox` runs the real path on the runtime.
    #[cfg(target_arch = "riscv64")]
    mod host {
        use super::Address;
        use ink::env::{
            call::{build_call, ExecutionInput, Selector},
            DefaultEnvironment,
        };

        pub fn deposit(fund: Address, amount: u128) -> core::result::Result<(), ()> {
            let selector = Selector::new(ink::selector_bytes!("Fund::deposit"));
            match build_call::<DefaultEnvironment>()
                .call(fund)
                .transferred_value(ink::U256::from(amount))
                .exec_input(ExecutionInput::new(selector))
                .returns::<()>()
                .try_invoke()
            {
                Ok(Ok(())) => Ok(()),
                _ => Err(()),
            }
        }
    }

    /// Off-chain stand-in for `host` (see there).
    #[cfg(not(target_arch = "riscv64"))]
    #[cfg_attr(not(test), allow(dead_code))]
    pub mod offchain_double {
        use super::Address;
        use std::cell::RefCell;

        thread_local! {
            static FAILING: RefCell<Option<Address>> = const { RefCell::new(None) };
        }

        /// Makes deposits into `fund` fail.
        pub fn fail_deposits_to(fund: Address) {
            FAILING.with(|f| *f.borrow_mut() = Some(fund));
        }

        pub(super) fn deposit(fund: Address, amount: u128) -> core::result::Result<(), ()> {
            if FAILING.with(|f| *f.borrow() == Some(fund)) {
                return Err(());
            }
            ink::env::transfer::<ink::env::DefaultEnvironment>(fund, ink::U256::from(amount))
                .map_err(|_| ())
        }
    }
    #[cfg(not(target_arch = "riscv64"))]
    use offchain_double as host;
}

#[cfg(test)]
// Test arithmetic is on small known values and overflow checks are on in tests.
#[allow(clippy::arithmetic_side_effects, clippy::cast_possible_truncation)]
mod tests;
