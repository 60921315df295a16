//! Atelier's membership token: non-transferable voting weight earned by attested
//! contributions.
//!
//! A member records a contribution (a category and the content hash of its evidence); once
//! `threshold` of the registered attestors have attested it, it counts for the contributor
//! with its category's multiplier, up to the per-member cap, until it expires or governance
//! revokes it. Weight can move between accounts only by delegation. Every change of an
//! account's voting weight, and of the total, is checkpointed per block so that the governor
//! reads weight at a proposal's snapshot in O(log n). Each checkpoint carries its expiry
//! schedule (`atelier_traits::Expiring`): a contribution stops counting at its expiry block
//! in every read, with no keeper call needed (audit L-1 of #16).
//!
//! There is deliberately no transfer, approval or any other way to move weight: holding
//! weight means having contributed. Settings change only through governance (the governor
//! contract, handed over once by the deployer) and stay within hard bounds.
#![cfg_attr(not(feature = "std"), no_std, no_main)]

pub use self::membership::{
    Checkpoint, Contribution, ContributionStatus, Error, Membership, Result, Settings,
};

#[ink::contract]
mod membership {
    use atelier_traits::{category, expiry, Expiring, VotingWeight};
    use ink::{prelude::vec::Vec, storage::Mapping};

    /// Most attestors the set may hold.
    pub const MAX_ATTESTORS: u32 = 64;
    /// Highest category id governance may configure.
    pub const MAX_CATEGORY: u32 = 255;
    /// Largest weight one contribution may carry.
    pub const MAX_MULTIPLIER: u128 = 10_000;
    /// Bounds of the per-member cap.
    pub const MIN_MEMBER_CAP: u128 = 1;
    /// Upper bound of the per-member cap.
    pub const MAX_MEMBER_CAP: u128 = 1_000_000;
    /// Shortest contribution lifetime, in blocks.
    pub const MIN_EXPIRY_BLOCKS: u32 = 100;
    /// Longest contribution lifetime, in blocks (about two years of 6 s blocks).
    pub const MAX_EXPIRY_BLOCKS: u32 = 10_512_000;

    /// Governed settings of the token.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    #[ink::scale_derive(Encode, Decode, TypeInfo)]
    #[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
    pub struct Settings {
        /// Attestations a contribution needs before it counts (k of n).
        pub threshold: u32,
        /// Most weight one member's own contributions can give.
        pub member_cap: u128,
        /// Blocks a contribution counts for after it is activated.
        pub expiry_blocks: u32,
    }

    /// Where a contribution is in its life.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    #[ink::scale_derive(Encode, Decode, TypeInfo)]
    #[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
    pub enum ContributionStatus {
        /// Recorded, waiting for attestations.
        Pending,
        /// Attested by enough attestors; counts for its contributor.
        Active,
        /// Revoked by governance as fraudulent; never counts again.
        Revoked,
        /// Its lifetime ended; no longer counts.
        Expired,
    }

    /// A recorded contribution.
    #[derive(Debug, Clone, PartialEq, Eq)]
    #[ink::scale_derive(Encode, Decode, TypeInfo)]
    #[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
    pub struct Contribution {
        /// The member credited with it.
        pub contributor: Address,
        /// Category id (dataset, model, documentation, curation, or one governance added).
        pub category: u32,
        /// Content hash of the evidence (dataset manifest, model card, ...).
        pub evidence: [u8; 32],
        /// Block it was recorded in.
        pub recorded_at: BlockNumber,
        /// Attestations that count: by attestors still in the set, as of the last
        /// attestation or activation attempt.
        pub attestations: u32,
        /// Where it is in its life.
        pub status: ContributionStatus,
        /// Weight it gives while active (its multiplier, limited by the member cap).
        pub weight: u128,
        /// Block it became active in (0 while pending).
        pub activated_at: BlockNumber,
        /// First block in which it no longer counts (0 while pending).
        pub expires_at: BlockNumber,
    }

    /// A weight from the end of `block` on: its value then, and what within it expires
    /// later (so the value at a later block needs no further checkpoint).
    #[derive(Debug, Clone, PartialEq, Eq)]
    #[ink::scale_derive(Encode, Decode, TypeInfo)]
    #[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
    pub struct Checkpoint {
        /// Block in which the value was set.
        pub block: BlockNumber,
        /// The value at the end of that block and its expiry schedule.
        pub weight: Expiring,
    }

    impl Checkpoint {
        /// The value at the end of `block` (at or after the checkpoint's block).
        fn value_at(&self, block: BlockNumber) -> u128 {
            self.weight.at(block).unwrap_or(0)
        }
    }

    /// Errors of the membership token.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    #[ink::error]
    pub enum Error {
        /// Only the deployer may hand governance over, and only once.
        NotAdmin,
        /// Only governance (the governor contract) may do this.
        NotGovernance,
        /// The caller is not a registered attestor.
        NotAttestor,
        /// The category is unknown or disabled (multiplier 0).
        UnknownCategory,
        /// This evidence hash was already recorded as a contribution.
        EvidenceAlreadyRecorded,
        /// No contribution with this id.
        UnknownContribution,
        /// The contribution is not pending attestation.
        NotPending,
        /// Fewer current attestors attested the contribution than the threshold.
        NotEnoughAttestations,
        /// The attestor already attested this contribution.
        AlreadyAttested,
        /// Attestors may not attest their own contributions.
        SelfAttestation,
        /// The contribution is not active.
        NotActive,
        /// The contribution has not reached its expiry block yet.
        NotExpired,
        /// The account already delegates to that delegate.
        SameDelegate,
        /// The account is already an attestor.
        AttestorExists,
        /// The attestor set is full.
        TooManyAttestors,
        /// The threshold must be between 1 and the number of attestors.
        ThresholdOutOfBounds,
        /// The member cap is outside its hard bounds.
        CapOutOfBounds,
        /// The expiry is outside its hard bounds.
        ExpiryOutOfBounds,
        /// The multiplier is above its hard bound.
        MultiplierOutOfBounds,
        /// The category id is above the highest allowed id.
        CategoryOutOfBounds,
        /// An arithmetic operation would overflow.
        Overflow,
        /// An expiry schedule would hold more than `expiry::MAX_COHORTS` expiry blocks (the
        /// expiry setting changed too often within one expiry period).
        ExpiryScheduleFull,
    }

    /// Result type of the membership token.
    pub type Result<T> = core::result::Result<T, Error>;

    /// Governance was handed from the deployer to the governor.
    #[ink(event)]
    pub struct GovernanceSet {
        /// The new governance account (the governor contract).
        #[ink(topic)]
        pub governance: Address,
    }

    /// An attestor joined the set.
    #[ink(event)]
    pub struct AttestorAdded {
        /// The new attestor.
        #[ink(topic)]
        pub attestor: Address,
        /// Attestors after the change.
        pub attestor_count: u32,
    }

    /// An attestor left the set.
    #[ink(event)]
    pub struct AttestorRemoved {
        /// The removed attestor.
        #[ink(topic)]
        pub attestor: Address,
        /// Attestors after the change.
        pub attestor_count: u32,
    }

    /// The governed settings changed (also emitted at instantiation).
    #[ink(event)]
    pub struct SettingsChanged {
        /// Attestations needed.
        pub threshold: u32,
        /// Per-member cap.
        pub member_cap: u128,
        /// Contribution lifetime in blocks.
        pub expiry_blocks: u32,
    }

    /// A category's multiplier was set (0 disables the category).
    #[ink(event)]
    pub struct CategorySet {
        /// Category id.
        #[ink(topic)]
        pub category: u32,
        /// Weight a contribution of this category gives.
        pub multiplier: u128,
    }

    /// A member recorded a contribution for attestation.
    #[ink(event)]
    pub struct ContributionRecorded {
        /// Contribution id.
        #[ink(topic)]
        pub id: u64,
        /// The member credited with it.
        #[ink(topic)]
        pub contributor: Address,
        /// Category id.
        pub category: u32,
        /// Content hash of the evidence.
        pub evidence: [u8; 32],
    }

    /// An attestor attested a contribution.
    #[ink(event)]
    pub struct ContributionAttested {
        /// Contribution id.
        #[ink(topic)]
        pub id: u64,
        /// The attestor.
        #[ink(topic)]
        pub attestor: Address,
        /// Attestations so far.
        pub attestations: u32,
        /// Attestations needed.
        pub threshold: u32,
    }

    /// A contribution reached its threshold and counts from this block.
    #[ink(event)]
    pub struct ContributionActivated {
        /// Contribution id.
        #[ink(topic)]
        pub id: u64,
        /// The member credited with it.
        #[ink(topic)]
        pub contributor: Address,
        /// Weight it gives.
        pub weight: u128,
        /// First block in which it no longer counts.
        pub expires_at: BlockNumber,
        /// The contributor's own weight after activation.
        pub member_weight: u128,
        /// The parts of `member_weight` that expire later, by expiry block, ascending.
        pub member_expiring: Vec<(BlockNumber, u128)>,
    }

    /// Governance revoked a contribution; its weight is gone from this block.
    #[ink(event)]
    pub struct ContributionRevoked {
        /// Contribution id.
        #[ink(topic)]
        pub id: u64,
        /// The member it was credited to.
        #[ink(topic)]
        pub contributor: Address,
        /// Weight removed (0 if it was still pending or past its expiry block).
        pub weight_removed: u128,
        /// The contributor's own weight after the change.
        pub member_weight: u128,
        /// The parts of `member_weight` that expire later, by expiry block, ascending.
        pub member_expiring: Vec<(BlockNumber, u128)>,
    }

    /// An expired contribution was marked expired (its weight stopped counting at its
    /// expiry block, whether or not this was called).
    #[ink(event)]
    pub struct ContributionExpired {
        /// Contribution id.
        #[ink(topic)]
        pub id: u64,
        /// The member it was credited to.
        #[ink(topic)]
        pub contributor: Address,
        /// Weight that stopped counting at the expiry block.
        pub weight_removed: u128,
        /// The contributor's own weight now.
        pub member_weight: u128,
        /// The parts of `member_weight` that expire later, by expiry block, ascending.
        pub member_expiring: Vec<(BlockNumber, u128)>,
    }

    /// A member changed (or revoked, by delegating to itself) its delegation.
    #[ink(event)]
    pub struct DelegateChanged {
        /// The member delegating.
        #[ink(topic)]
        pub delegator: Address,
        /// Its previous delegate (itself if it had none).
        #[ink(topic)]
        pub from_delegate: Address,
        /// Its new delegate (itself when revoking).
        #[ink(topic)]
        pub to_delegate: Address,
        /// The delegator's own weight that moved.
        pub weight: u128,
    }

    /// An account's voting weight changed; a checkpoint was written for this block.
    #[ink(event)]
    pub struct VotesChanged {
        /// The account whose voting weight changed.
        #[ink(topic)]
        pub account: Address,
        /// Voting weight before.
        pub previous: u128,
        /// Voting weight at the end of this block.
        pub new: u128,
        /// Block of the checkpoint.
        pub block: BlockNumber,
        /// The parts of `new` that expire later, by expiry block, ascending: the weight at
        /// a later block `b` is `new` less the amounts due by `b`.
        pub expiring: Vec<(BlockNumber, u128)>,
    }

    /// The total weight changed; a checkpoint was written for this block.
    #[ink(event)]
    pub struct TotalWeightChanged {
        /// Total before.
        pub previous: u128,
        /// Total at the end of this block.
        pub new: u128,
        /// Block of the checkpoint.
        pub block: BlockNumber,
        /// The parts of `new` that expire later, by expiry block, ascending.
        pub expiring: Vec<(BlockNumber, u128)>,
    }

    /// The membership token's storage.
    #[ink(storage)]
    pub struct Membership {
        admin: Option<Address>,
        governance: Option<Address>,
        settings: Settings,
        attestor_count: u32,
        attestors: Mapping<Address, ()>,
        categories: Mapping<u32, u128>,
        next_contribution: u64,
        contributions: Mapping<u64, Contribution>,
        evidence_ids: Mapping<[u8; 32], u64>,
        attested: Mapping<(u64, Address), ()>,
        /// Who attested each pending contribution, in order (at most `MAX_ATTESTORS`).
        attested_by: Mapping<u64, Vec<Address>>,
        /// Each member's own weight, with its expiry schedule.
        own: Mapping<Address, Expiring>,
        delegates: Mapping<Address, Address>,
        checkpoints: Mapping<(Address, u32), Checkpoint>,
        /// Each account's number of checkpoints and its newest one (also in
        /// `checkpoints`), so that a read at a block after the last change, what every vote
        /// makes, costs one storage read.
        heads: Mapping<Address, (u32, Checkpoint)>,
        total_checkpoints: Mapping<u32, Checkpoint>,
        total_checkpoint_count: u32,
    }

    impl Membership {
        /// Instantiates the token with its first attestors and settings, and the four
        /// standard categories (dataset 30, model 40, documentation 10, curation 20). The
        /// deployer may hand governance to the governor once with `init_governance`.
        ///
        /// # Errors
        /// Fails with the matching `*OutOfBounds` error when a setting is outside its hard
        /// bounds, `AttestorExists` on a duplicate attestor, `TooManyAttestors` above
        /// `MAX_ATTESTORS`.
        #[ink(constructor)]
        pub fn new(
            attestors: Vec<Address>,
            threshold: u32,
            member_cap: u128,
            expiry_blocks: u32,
        ) -> Result<Self> {
            let mut this = Self {
                admin: Some(Self::env().caller()),
                governance: None,
                settings: Settings {
                    threshold,
                    member_cap,
                    expiry_blocks,
                },
                attestor_count: 0,
                attestors: Mapping::new(),
                categories: Mapping::new(),
                next_contribution: 0,
                contributions: Mapping::new(),
                evidence_ids: Mapping::new(),
                attested: Mapping::new(),
                attested_by: Mapping::new(),
                own: Mapping::new(),
                delegates: Mapping::new(),
                checkpoints: Mapping::new(),
                heads: Mapping::new(),
                total_checkpoints: Mapping::new(),
                total_checkpoint_count: 0,
            };
            let settings = Settings {
                threshold,
                member_cap,
                expiry_blocks,
            };
            let n = u32::try_from(attestors.len()).map_err(|_| Error::TooManyAttestors)?;
            Self::check_settings(&settings, n)?;
            for attestor in attestors {
                this.insert_attestor(attestor)?;
            }
            this.settings = settings;
            this.emit_settings();
            for (id, multiplier) in [
                (category::DATASET, 30),
                (category::MODEL, 40),
                (category::DOCUMENTATION, 10),
                (category::CURATION, 20),
            ] {
                this.store_category(id, multiplier)?;
            }
            Ok(this)
        }

        /// Hands governance from the deployer to `governance` (the governor contract). Can
        /// be called once; afterwards only governance changes settings.
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

        /// Records a contribution of the caller for attestation and returns its id.
        ///
        /// # Errors
        /// `UnknownCategory` for an unknown or disabled category, `EvidenceAlreadyRecorded`
        /// when the evidence hash was recorded before (by anyone), `Overflow` when ids run out.
        #[ink(message)]
        pub fn record_contribution(&mut self, category: u32, evidence: [u8; 32]) -> Result<u64> {
            if self.categories.get(category).unwrap_or(0) == 0 {
                return Err(Error::UnknownCategory);
            }
            if self.evidence_ids.contains(evidence) {
                return Err(Error::EvidenceAlreadyRecorded);
            }
            let id = self.next_contribution;
            self.next_contribution = id.checked_add(1).ok_or(Error::Overflow)?;
            let contributor = self.env().caller();
            self.contributions.insert(
                id,
                &Contribution {
                    contributor,
                    category,
                    evidence,
                    recorded_at: self.env().block_number(),
                    attestations: 0,
                    status: ContributionStatus::Pending,
                    weight: 0,
                    activated_at: 0,
                    expires_at: 0,
                },
            );
            self.evidence_ids.insert(evidence, &id);
            self.env().emit_event(ContributionRecorded {
                id,
                contributor,
                category,
                evidence,
            });
            Ok(id)
        }

        /// Attests a pending contribution. The attestation that brings the attestations of
        /// attestors still in the set to the threshold activates it: from this block it
        /// counts for its contributor (and the contributor's delegate) with its category's
        /// multiplier, limited by the cap. An attestor removed from the set no longer counts
        /// toward a pending contribution (audit L-4 of #16).
        ///
        /// # Errors
        /// `NotAttestor`, `UnknownContribution`, `NotPending`, `SelfAttestation`,
        /// `AlreadyAttested`, `Overflow`.
        #[ink(message)]
        pub fn attest(&mut self, id: u64) -> Result<()> {
            let attestor = self.env().caller();
            if !self.attestors.contains(attestor) {
                return Err(Error::NotAttestor);
            }
            let mut c = self
                .contributions
                .get(id)
                .ok_or(Error::UnknownContribution)?;
            if c.status != ContributionStatus::Pending {
                return Err(Error::NotPending);
            }
            if c.contributor == attestor {
                return Err(Error::SelfAttestation);
            }
            if self.attested.contains((id, attestor)) {
                return Err(Error::AlreadyAttested);
            }
            self.attested.insert((id, attestor), &());
            let mut by = self.attested_by.get(id).unwrap_or_default();
            by.push(attestor);
            self.attested_by.insert(id, &by);
            c.attestations = self.counted(&by)?;
            let threshold = self.settings.threshold;
            self.env().emit_event(ContributionAttested {
                id,
                attestor,
                attestations: c.attestations,
                threshold,
            });
            if c.attestations >= threshold {
                self.activate(id, &mut c)?;
            }
            self.contributions.insert(id, &c);
            Ok(())
        }

        /// Activates a pending contribution whose attestations by current attestors reach
        /// the threshold now, e.g. after governance lowered it (audit L-4 of #16: such a
        /// contribution would otherwise wait for an attestation that may never come). Anyone
        /// may call it.
        ///
        /// # Errors
        /// `UnknownContribution`, `NotPending`, `NotEnoughAttestations`, `Overflow`.
        #[ink(message)]
        pub fn activate_contribution(&mut self, id: u64) -> Result<()> {
            let mut c = self
                .contributions
                .get(id)
                .ok_or(Error::UnknownContribution)?;
            if c.status != ContributionStatus::Pending {
                return Err(Error::NotPending);
            }
            let by = self.attested_by.get(id).unwrap_or_default();
            c.attestations = self.counted(&by)?;
            if c.attestations < self.settings.threshold {
                return Err(Error::NotEnoughAttestations);
            }
            self.activate(id, &mut c)?;
            self.contributions.insert(id, &c);
            Ok(())
        }

        /// Revokes a fraudulent contribution; its weight stops counting in this block and its
        /// evidence may be recorded again.
        ///
        /// # Errors
        /// `NotGovernance`, `UnknownContribution`, `NotActive` when it was already revoked
        /// or expired.
        #[ink(message)]
        pub fn revoke_contribution(&mut self, id: u64) -> Result<()> {
            self.ensure_governance()?;
            let mut c = self
                .contributions
                .get(id)
                .ok_or(Error::UnknownContribution)?;
            let now = self.env().block_number();
            let removed = match c.status {
                ContributionStatus::Pending => 0,
                // Past its expiry block its weight no longer counts: nothing to take out.
                ContributionStatus::Active if now >= c.expires_at => 0,
                ContributionStatus::Active => c.weight,
                _ => return Err(Error::NotActive),
            };
            let own = self.change_own(c.contributor, removed, c.expires_at, false)?;
            self.attested_by.remove(id);
            // The evidence is free again: its rightful contributor may record it (audit M-2
            // of #16: a revoked front-run must not keep the evidence for ever).
            self.evidence_ids.remove(c.evidence);
            c.status = ContributionStatus::Revoked;
            self.contributions.insert(id, &c);
            self.env().emit_event(ContributionRevoked {
                id,
                contributor: c.contributor,
                weight_removed: removed,
                member_weight: own.value,
                member_expiring: own.schedule,
            });
            Ok(())
        }

        /// Marks an expired contribution expired. Its weight stopped counting at its expiry
        /// block without this call (`weight_at` honours the expiry schedule); the call is
        /// bookkeeping that anyone may do once that block is reached: it records the status
        /// and trims the member's schedule, which frees storage.
        ///
        /// # Errors
        /// `UnknownContribution`, `NotActive`, `NotExpired` before its expiry block.
        #[ink(message)]
        pub fn expire_contribution(&mut self, id: u64) -> Result<()> {
            let mut c = self
                .contributions
                .get(id)
                .ok_or(Error::UnknownContribution)?;
            if c.status != ContributionStatus::Active {
                return Err(Error::NotActive);
            }
            let now = self.env().block_number();
            if now < c.expires_at {
                return Err(Error::NotExpired);
            }
            let own = self.own_at(c.contributor, now)?;
            self.own.insert(c.contributor, &own);
            c.status = ContributionStatus::Expired;
            self.contributions.insert(id, &c);
            self.env().emit_event(ContributionExpired {
                id,
                contributor: c.contributor,
                weight_removed: c.weight,
                member_weight: own.value,
                member_expiring: own.schedule,
            });
            Ok(())
        }

        /// Delegates the caller's own weight to `to` from this block on; delegating to
        /// oneself revokes a delegation. Weight already checkpointed for earlier blocks is
        /// unaffected, so moving weight after a proposal's snapshot gains no votes.
        ///
        /// # Errors
        /// `SameDelegate` when `to` already is the caller's delegate, `Overflow`.
        #[ink(message)]
        pub fn delegate(&mut self, to: Address) -> Result<()> {
            let delegator = self.env().caller();
            let from = self.delegate_of(delegator);
            if from == to {
                return Err(Error::SameDelegate);
            }
            if to == delegator {
                self.delegates.remove(delegator);
            } else {
                self.delegates.insert(delegator, &to);
            }
            // The delegator's own weight moves with its expiry schedule: what expires later
            // leaves the new delegate's votes at the same block it would have left the old.
            let own = self.own_at(delegator, self.env().block_number())?;
            let weight = own.value;
            self.move_votes(from, &own, false)?;
            self.move_votes(to, &own, true)?;
            self.env().emit_event(DelegateChanged {
                delegator,
                from_delegate: from,
                to_delegate: to,
                weight,
            });
            Ok(())
        }

        /// Revokes the caller's delegation (same as delegating to oneself).
        ///
        /// # Errors
        /// `SameDelegate` when the caller does not delegate.
        #[ink(message)]
        pub fn undelegate(&mut self) -> Result<()> {
            self.delegate(self.env().caller())
        }

        /// Adds an attestor.
        ///
        /// # Errors
        /// `NotGovernance`, `AttestorExists`, `TooManyAttestors`.
        #[ink(message)]
        pub fn add_attestor(&mut self, attestor: Address) -> Result<()> {
            self.ensure_governance()?;
            self.insert_attestor(attestor)
        }

        /// Removes an attestor; the threshold must still be reachable afterwards.
        ///
        /// # Errors
        /// `NotGovernance`, `NotAttestor` when it is not in the set, `ThresholdOutOfBounds`
        /// when fewer attestors than the threshold would remain.
        #[ink(message)]
        pub fn remove_attestor(&mut self, attestor: Address) -> Result<()> {
            self.ensure_governance()?;
            if !self.attestors.contains(attestor) {
                return Err(Error::NotAttestor);
            }
            let remaining = self.attestor_count.checked_sub(1).ok_or(Error::Overflow)?;
            if remaining < self.settings.threshold {
                return Err(Error::ThresholdOutOfBounds);
            }
            self.attestors.remove(attestor);
            self.attestor_count = remaining;
            self.env().emit_event(AttestorRemoved {
                attestor,
                attestor_count: remaining,
            });
            Ok(())
        }

        /// Replaces the governed settings (threshold k, member cap, expiry).
        ///
        /// # Errors
        /// `NotGovernance`, `ThresholdOutOfBounds`, `CapOutOfBounds`, `ExpiryOutOfBounds`.
        #[ink(message)]
        pub fn set_settings(&mut self, settings: Settings) -> Result<()> {
            self.ensure_governance()?;
            Self::check_settings(&settings, self.attestor_count)?;
            self.settings = settings;
            self.emit_settings();
            Ok(())
        }

        /// Sets a category's multiplier; a new id adds a category, 0 disables one.
        ///
        /// # Errors
        /// `NotGovernance`, `CategoryOutOfBounds`, `MultiplierOutOfBounds`.
        #[ink(message)]
        pub fn set_category(&mut self, category: u32, multiplier: u128) -> Result<()> {
            self.ensure_governance()?;
            self.store_category(category, multiplier)
        }

        /// Own weight of `account` now (before delegation).
        #[ink(message)]
        pub fn weight_of(&self, account: Address) -> u128 {
            self.own_at(account, self.env().block_number())
                .map_or(0, |own| own.value)
        }

        /// Voting weight of `account` now (own weight if not delegated, plus delegations).
        #[ink(message)]
        pub fn votes(&self, account: Address) -> u128 {
            let now = self.env().block_number();
            self.heads
                .get(account)
                .map_or(0, |(_, last)| last.value_at(now))
        }

        /// Total weight now.
        #[ink(message)]
        pub fn total_weight(&self) -> u128 {
            self.latest(self.total_checkpoint_count, |i| {
                self.total_checkpoints.get(i)
            })
        }

        /// The account `account`'s weight is delegated to (itself when not delegated).
        #[ink(message)]
        pub fn delegate_of(&self, account: Address) -> Address {
            self.delegates.get(account).unwrap_or(account)
        }

        /// A contribution by id.
        #[ink(message)]
        pub fn contribution(&self, id: u64) -> Option<Contribution> {
            self.contributions.get(id)
        }

        /// Number of contributions recorded so far (ids are `0..count`).
        #[ink(message)]
        pub fn contribution_count(&self) -> u64 {
            self.next_contribution
        }

        /// Whether `attestor` attested contribution `id`.
        #[ink(message)]
        pub fn has_attested(&self, id: u64, attestor: Address) -> bool {
            self.attested.contains((id, attestor))
        }

        /// The governed settings.
        #[ink(message)]
        pub fn settings(&self) -> Settings {
            self.settings
        }

        /// Whether `account` is an attestor.
        #[ink(message)]
        pub fn is_attestor(&self, account: Address) -> bool {
            self.attestors.contains(account)
        }

        /// Number of attestors (n).
        #[ink(message)]
        pub fn attestor_count(&self) -> u32 {
            self.attestor_count
        }

        /// A category's multiplier (0 when unknown or disabled).
        #[ink(message)]
        pub fn category_multiplier(&self, category: u32) -> u128 {
            self.categories.get(category).unwrap_or(0)
        }

        /// The governance account, once handed over.
        #[ink(message)]
        pub fn governance(&self) -> Option<Address> {
            self.governance
        }

        /// Number of voting-weight checkpoints of `account`.
        #[ink(message)]
        pub fn checkpoint_count(&self, account: Address) -> u32 {
            self.heads.get(account).map_or(0, |(count, _)| count)
        }

        fn ensure_governance(&self) -> Result<()> {
            if self.governance == Some(self.env().caller()) {
                Ok(())
            } else {
                Err(Error::NotGovernance)
            }
        }

        fn check_settings(s: &Settings, attestor_count: u32) -> Result<()> {
            if s.threshold == 0 || s.threshold > attestor_count {
                return Err(Error::ThresholdOutOfBounds);
            }
            if !(MIN_MEMBER_CAP..=MAX_MEMBER_CAP).contains(&s.member_cap) {
                return Err(Error::CapOutOfBounds);
            }
            if !(MIN_EXPIRY_BLOCKS..=MAX_EXPIRY_BLOCKS).contains(&s.expiry_blocks) {
                return Err(Error::ExpiryOutOfBounds);
            }
            Ok(())
        }

        fn emit_settings(&self) {
            let s = self.settings;
            self.env().emit_event(SettingsChanged {
                threshold: s.threshold,
                member_cap: s.member_cap,
                expiry_blocks: s.expiry_blocks,
            });
        }

        fn insert_attestor(&mut self, attestor: Address) -> Result<()> {
            if self.attestors.contains(attestor) {
                return Err(Error::AttestorExists);
            }
            if self.attestor_count >= MAX_ATTESTORS {
                return Err(Error::TooManyAttestors);
            }
            self.attestor_count = self.attestor_count.checked_add(1).ok_or(Error::Overflow)?;
            self.attestors.insert(attestor, &());
            self.env().emit_event(AttestorAdded {
                attestor,
                attestor_count: self.attestor_count,
            });
            Ok(())
        }

        fn store_category(&mut self, category: u32, multiplier: u128) -> Result<()> {
            if category > MAX_CATEGORY {
                return Err(Error::CategoryOutOfBounds);
            }
            if multiplier > MAX_MULTIPLIER {
                return Err(Error::MultiplierOutOfBounds);
            }
            self.categories.insert(category, &multiplier);
            self.env().emit_event(CategorySet {
                category,
                multiplier,
            });
            Ok(())
        }

        /// Attestations among `by` by attestors still in the set.
        fn counted(&self, by: &[Address]) -> Result<u32> {
            let n = by.iter().filter(|a| self.attestors.contains(**a)).count();
            u32::try_from(n).map_err(|_| Error::Overflow)
        }

        fn activate(&mut self, id: u64, c: &mut Contribution) -> Result<()> {
            // The attestor list is needed only while pending.
            self.attested_by.remove(id);
            let now = self.env().block_number();
            let multiplier = self.categories.get(c.category).unwrap_or(0);
            let own = self.own_at(c.contributor, now)?.value;
            let room = self.settings.member_cap.saturating_sub(own);
            c.weight = multiplier.min(room);
            c.status = ContributionStatus::Active;
            c.activated_at = now;
            c.expires_at =
                expiry::expiry_block(now, self.settings.expiry_blocks).ok_or(Error::Overflow)?;
            let own = self.change_own(c.contributor, c.weight, c.expires_at, true)?;
            self.env().emit_event(ContributionActivated {
                id,
                contributor: c.contributor,
                weight: c.weight,
                expires_at: c.expires_at,
                member_weight: own.value,
                member_expiring: own.schedule,
            });
            Ok(())
        }

        /// `member`'s own weight brought to block `now`.
        fn own_at(&self, member: Address, now: BlockNumber) -> Result<Expiring> {
            self.own
                .get(member)
                .unwrap_or_default()
                .settled(now)
                .ok_or(Error::Overflow)
        }

        /// Adds or removes `amount` of `member`'s own weight, expiring at `expires_at`,
        /// moving it on its delegate's votes and the total. Returns the member's new own
        /// weight.
        fn change_own(
            &mut self,
            member: Address,
            amount: u128,
            expires_at: BlockNumber,
            add: bool,
        ) -> Result<Expiring> {
            let now = self.env().block_number();
            let mut own = self.own_at(member, now)?;
            if amount == 0 {
                return Ok(own);
            }
            own.change(amount, expires_at, add)
                .map_err(schedule_error)?;
            self.own.insert(member, &own);
            let change = Expiring {
                value: amount,
                schedule: ink::prelude::vec![(expires_at, amount)],
            };
            self.move_votes(self.delegate_of(member), &change, add)?;
            let count = self.total_checkpoint_count;
            let last = count
                .checked_sub(1)
                .and_then(|i| self.total_checkpoints.get(i));
            let (index, new_count, previous, cp) =
                Self::next_checkpoint(count, last, &change, add, now)?;
            self.env().emit_event(TotalWeightChanged {
                previous,
                new: cp.weight.value,
                block: now,
                expiring: cp.weight.schedule.clone(),
            });
            self.total_checkpoints.insert(index, &cp);
            self.total_checkpoint_count = new_count;
            Ok(own)
        }

        /// Adds `change` to `account`'s votes (or takes it out), checkpointed at this block.
        fn move_votes(&mut self, account: Address, change: &Expiring, add: bool) -> Result<()> {
            if change.value == 0 && change.schedule.is_empty() {
                return Ok(());
            }
            let (count, last) = self
                .heads
                .get(account)
                .map_or((0, None), |(count, last)| (count, Some(last)));
            let now = self.env().block_number();
            let (index, new_count, previous, cp) =
                Self::next_checkpoint(count, last, change, add, now)?;
            self.env().emit_event(VotesChanged {
                account,
                previous,
                new: cp.weight.value,
                block: now,
                expiring: cp.weight.schedule.clone(),
            });
            self.checkpoints.insert((account, index), &cp);
            self.heads.insert(account, &(new_count, cp));
            Ok(())
        }

        /// The checkpoint for block `now` of a list of `count` entries whose newest is
        /// `last`, after `change`: the index to write, the new count, the value before and
        /// the checkpoint.
        fn next_checkpoint(
            count: u32,
            last: Option<Checkpoint>,
            change: &Expiring,
            add: bool,
            now: BlockNumber,
        ) -> Result<(u32, u32, u128, Checkpoint)> {
            let (index, new_count) = Self::slot(count, last.as_ref(), now)?;
            let mut weight = last
                .map(|cp| cp.weight)
                .unwrap_or_default()
                .settled(now)
                .ok_or(Error::Overflow)?;
            let previous = weight.value;
            weight.apply(change, add).map_err(schedule_error)?;
            Ok((
                index,
                new_count,
                previous,
                Checkpoint { block: now, weight },
            ))
        }

        /// Where a value set in block `now` goes in a checkpoint list of `count` entries
        /// whose newest entry is `last`: over that entry when it is from the same block,
        /// otherwise appended. Returns the index to write and the new count.
        fn slot(count: u32, last: Option<&Checkpoint>, now: BlockNumber) -> Result<(u32, u32)> {
            match (count.checked_sub(1), last) {
                (Some(index), Some(cp)) if cp.block == now => Ok((index, count)),
                _ => Ok((count, count.checked_add(1).ok_or(Error::Overflow)?)),
            }
        }

        fn latest(&self, count: u32, get: impl Fn(u32) -> Option<Checkpoint>) -> u128 {
            let now = self.env().block_number();
            count
                .checked_sub(1)
                .and_then(get)
                .map_or(0, |c| c.value_at(now))
        }

        /// Value at the end of `block` in a checkpoint list of `count` entries whose newest
        /// is `last`: that one when it is at or before `block` (no further read), else a
        /// binary search for the last checkpoint at or before `block`, O(log n) storage
        /// reads; less what its expiry schedule says expired by `block`.
        fn lookup(
            &self,
            count: u32,
            last: Option<Checkpoint>,
            block: BlockNumber,
            get: impl Fn(u32) -> Option<Checkpoint>,
        ) -> Option<u128> {
            if block > self.env().block_number() {
                return None;
            }
            // Most reads are of recent blocks: try the newest checkpoint first.
            match last {
                None => return Some(0),
                Some(last) if last.block <= block => return Some(last.value_at(block)),
                Some(_) => {}
            }
            let (mut lo, mut hi) = (0u32, count);
            while lo < hi {
                let mid = lo.saturating_add(hi.saturating_sub(lo) / 2);
                match get(mid) {
                    Some(cp) if cp.block > block => hi = mid,
                    _ => lo = mid.saturating_add(1),
                }
            }
            Some(
                lo.checked_sub(1)
                    .and_then(get)
                    .map_or(0, |c| c.value_at(block)),
            )
        }
    }

    fn schedule_error(e: expiry::ScheduleError) -> Error {
        match e {
            expiry::ScheduleError::Overflow => Error::Overflow,
            expiry::ScheduleError::Full => Error::ExpiryScheduleFull,
        }
    }

    impl VotingWeight for Membership {
        /// Voting weight of `account` at the end of `block` (`None` for a future block).
        #[ink(message)]
        fn weight_at(&self, account: Address, block: BlockNumber) -> Option<u128> {
            let (count, last) = self
                .heads
                .get(account)
                .map_or((0, None), |(count, last)| (count, Some(last)));
            self.lookup(count, last, block, |i| self.checkpoints.get((account, i)))
        }

        /// Total weight at the end of `block` (`None` for a future block).
        #[ink(message)]
        fn total_weight_at(&self, block: BlockNumber) -> Option<u128> {
            let count = self.total_checkpoint_count;
            let last = count
                .checked_sub(1)
                .and_then(|i| self.total_checkpoints.get(i));
            self.lookup(count, last, block, |i| self.total_checkpoints.get(i))
        }
    }
}

#[cfg(test)]
// Test arithmetic is on small known values and overflow checks are on in tests.
#[allow(clippy::arithmetic_side_effects, clippy::cast_possible_truncation)]
mod tests;
