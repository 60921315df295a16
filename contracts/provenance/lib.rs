//! Atelier's provenance and consent registry for datasets and models.
//!
//! A rights holder registers an asset (a dataset or a model) with its content hash, a
//! license id and its rights holders, itself among them; each rights holder grants or
//! revokes consent to its use for training (a co-holder's consent is also its acceptance of
//! the listing). An asset has full consent while every rights holder's consent stands and
//! nobody disputes the registration. The treasury reads `Consent::has_full_consent` before
//! paying a training spend that names the asset, so a revocation or a dispute blocks payouts
//! from the next block on.
//!
//! Registration is first come, so a registration can be wrong (audit M-2 of #16: Eve
//! registers Alice's dataset as hers and consents to herself): anyone who is not a holder
//! may dispute it, one open dispute per account, which suspends its consent; governance
//! (the governor, handed over once by the deployer) resolves the dispute, dismissing it or
//! giving the asset to the holders it names, whose consent starts anew.
//!
//! This contract must not move funds or judge licenses: it records who holds rights and who
//! consented, nothing more.
#![cfg_attr(not(feature = "std"), no_std, no_main)]

pub use self::provenance::{Asset, AssetKind, Dispute, Error, Provenance, Result};

#[ink::contract]
mod provenance {
    use ink::{prelude::vec::Vec, storage::Mapping};

    /// Most rights holders one asset may have.
    pub const MAX_HOLDERS: u32 = 16;

    /// What kind of asset.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    #[ink::scale_derive(Encode, Decode, TypeInfo)]
    #[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
    pub enum AssetKind {
        /// Training or evaluation data.
        Dataset,
        /// A trained or fine-tuned model.
        Model,
    }

    /// A registered asset.
    #[derive(Debug, Clone, PartialEq, Eq)]
    #[ink::scale_derive(Encode, Decode, TypeInfo)]
    #[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
    pub struct Asset {
        /// Dataset or model.
        pub kind: AssetKind,
        /// Hash of the content (unique across the registry).
        pub content_hash: [u8; 32],
        /// License id (an SPDX-list index or a community-defined id).
        pub license: u32,
        /// Who registered it.
        pub registrant: Address,
        /// Rights holders, without duplicates.
        pub holders: Vec<Address>,
        /// How many holders consent now.
        pub consenting: u32,
    }

    /// An open dispute of a registration.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    #[ink::scale_derive(Encode, Decode, TypeInfo)]
    #[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
    pub struct Dispute {
        /// Who disputes it.
        pub claimant: Address,
        /// Hash of the claimant's evidence (a signed statement, the original files' hashes).
        pub evidence: [u8; 32],
        /// Block the dispute was opened in.
        pub opened_at: BlockNumber,
    }

    /// Errors of the registry.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    #[ink::error]
    pub enum Error {
        /// No asset with this id.
        UnknownAsset,
        /// An asset needs at least one rights holder.
        NoHolders,
        /// More than `MAX_HOLDERS` rights holders.
        TooManyHolders,
        /// A rights holder is listed twice.
        DuplicateHolder,
        /// This content hash is registered already.
        ContentExists,
        /// The caller is not a rights holder of the asset.
        NotHolder,
        /// The caller's consent is already in the requested state.
        ConsentUnchanged,
        /// Only a rights holder may register an asset: the caller must be among its holders.
        RegistrantNotHolder,
        /// A rights holder cannot dispute its own asset.
        HolderCannotDispute,
        /// The asset is disputed already.
        AlreadyDisputed,
        /// The caller has an open dispute already (one at a time).
        DisputeOpen,
        /// The asset is not disputed.
        NotDisputed,
        /// Only the deployer may hand governance over, and only once.
        NotAdmin,
        /// Only governance (the governor contract) may do this.
        NotGovernance,
        /// An arithmetic operation would overflow.
        Overflow,
    }

    /// Result type of the registry.
    pub type Result<T> = core::result::Result<T, Error>;

    /// An asset was registered.
    #[ink(event)]
    pub struct AssetRegistered {
        /// Asset id.
        #[ink(topic)]
        pub id: u32,
        /// Content hash.
        #[ink(topic)]
        pub content_hash: [u8; 32],
        /// The asset in full.
        pub asset: Asset,
    }

    /// A rights holder granted or revoked consent.
    #[ink(event)]
    pub struct ConsentChanged {
        /// Asset id.
        #[ink(topic)]
        pub id: u32,
        /// The rights holder.
        #[ink(topic)]
        pub holder: Address,
        /// Whether the holder consents now.
        pub granted: bool,
        /// Holders consenting now.
        pub consenting: u32,
        /// Holders in all.
        pub holders: u32,
    }

    /// A registration was disputed: its consent is suspended until governance resolves it.
    #[ink(event)]
    pub struct AssetDisputed {
        /// Asset id.
        #[ink(topic)]
        pub id: u32,
        /// Who disputes it.
        #[ink(topic)]
        pub claimant: Address,
        /// Hash of the claimant's evidence.
        pub evidence: [u8; 32],
    }

    /// Governance resolved a dispute: dismissed (`holders` is `None`), or the asset now
    /// belongs to `holders`, with no consent yet.
    #[ink(event)]
    pub struct DisputeResolved {
        /// Asset id.
        #[ink(topic)]
        pub id: u32,
        /// Who had disputed it.
        pub claimant: Address,
        /// The asset's rights holders from now on, when reassigned.
        pub holders: Option<Vec<Address>>,
    }

    /// Governance was handed from the deployer to the governor.
    #[ink(event)]
    pub struct GovernanceSet {
        /// The new governance account (the governor contract).
        #[ink(topic)]
        pub governance: Address,
    }

    /// The registry's storage.
    #[ink(storage)]
    pub struct Provenance {
        admin: Option<Address>,
        governance: Option<Address>,
        asset_count: u32,
        assets: Mapping<u32, Asset>,
        by_content: Mapping<[u8; 32], u32>,
        consents: Mapping<(u32, Address), ()>,
        disputes: Mapping<u32, Dispute>,
        /// The asset each account disputes, while its dispute is open.
        disputing: Mapping<Address, u32>,
    }

    impl Default for Provenance {
        fn default() -> Self {
            Self::new()
        }
    }

    impl Provenance {
        /// An empty registry; the deployer may hand governance to the governor once with
        /// `init_governance`.
        #[ink(constructor)]
        pub fn new() -> Self {
            Self {
                admin: Some(Self::env().caller()),
                governance: None,
                asset_count: 0,
                assets: Mapping::new(),
                by_content: Mapping::new(),
                consents: Mapping::new(),
                disputes: Mapping::new(),
                disputing: Mapping::new(),
            }
        }

        /// Hands governance from the deployer to `governance` (the governor contract). Can
        /// be called once; afterwards only governance resolves disputes.
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

        /// Registers an asset as one of its rights holders and returns its id. No holder
        /// consents yet.
        ///
        /// # Errors
        /// `NoHolders`, `TooManyHolders`, `DuplicateHolder`, `RegistrantNotHolder`,
        /// `ContentExists`, `Overflow`.
        #[ink(message)]
        pub fn register(
            &mut self,
            kind: AssetKind,
            content_hash: [u8; 32],
            license: u32,
            holders: Vec<Address>,
        ) -> Result<u32> {
            check_holders(&holders)?;
            if !holders.contains(&self.env().caller()) {
                return Err(Error::RegistrantNotHolder);
            }
            if self.by_content.contains(content_hash) {
                return Err(Error::ContentExists);
            }
            let id = self.asset_count;
            self.asset_count = id.checked_add(1).ok_or(Error::Overflow)?;
            let asset = Asset {
                kind,
                content_hash,
                license,
                registrant: self.env().caller(),
                holders,
                consenting: 0,
            };
            self.assets.insert(id, &asset);
            self.by_content.insert(content_hash, &id);
            self.env().emit_event(AssetRegistered {
                id,
                content_hash,
                asset,
            });
            Ok(id)
        }

        /// The caller, a rights holder, grants consent to the asset's use.
        ///
        /// # Errors
        /// `UnknownAsset`, `NotHolder`, `ConsentUnchanged`, `Overflow`.
        #[ink(message)]
        pub fn grant_consent(&mut self, id: u32) -> Result<()> {
            self.set_consent(id, true)
        }

        /// The caller, a rights holder, revokes its consent.
        ///
        /// # Errors
        /// `UnknownAsset`, `NotHolder`, `ConsentUnchanged`, `Overflow`.
        #[ink(message)]
        pub fn revoke_consent(&mut self, id: u32) -> Result<()> {
            self.set_consent(id, false)
        }

        /// Disputes a registration (the caller says the asset is not its holders'): its
        /// consent is suspended until governance resolves the dispute. Anyone who is not
        /// one of its holders may, one open dispute at a time.
        ///
        /// # Errors
        /// `UnknownAsset`, `HolderCannotDispute`, `AlreadyDisputed`, `DisputeOpen`.
        #[ink(message)]
        pub fn dispute(&mut self, id: u32, evidence: [u8; 32]) -> Result<()> {
            let claimant = self.env().caller();
            let asset = self.assets.get(id).ok_or(Error::UnknownAsset)?;
            if asset.holders.contains(&claimant) {
                return Err(Error::HolderCannotDispute);
            }
            if self.disputes.contains(id) {
                return Err(Error::AlreadyDisputed);
            }
            if self.disputing.contains(claimant) {
                return Err(Error::DisputeOpen);
            }
            self.disputes.insert(
                id,
                &Dispute {
                    claimant,
                    evidence,
                    opened_at: self.env().block_number(),
                },
            );
            self.disputing.insert(claimant, &id);
            self.env().emit_event(AssetDisputed {
                id,
                claimant,
                evidence,
            });
            Ok(())
        }

        /// Resolves a dispute. Governance only. `None` dismisses it (the registration and
        /// its consents stand); `Some(holders)` gives the asset to `holders`, whose consent
        /// starts anew (every earlier consent is cleared).
        ///
        /// # Errors
        /// `NotGovernance`, `UnknownAsset`, `NotDisputed`, and for new holders `NoHolders`,
        /// `TooManyHolders`, `DuplicateHolder`.
        #[ink(message)]
        pub fn resolve_dispute(&mut self, id: u32, holders: Option<Vec<Address>>) -> Result<()> {
            if self.governance != Some(self.env().caller()) {
                return Err(Error::NotGovernance);
            }
            let mut asset = self.assets.get(id).ok_or(Error::UnknownAsset)?;
            let dispute = self.disputes.get(id).ok_or(Error::NotDisputed)?;
            if let Some(new) = &holders {
                check_holders(new)?;
                for old in &asset.holders {
                    self.consents.remove((id, *old));
                }
                asset.holders = new.clone();
                asset.consenting = 0;
                self.assets.insert(id, &asset);
            }
            self.disputes.remove(id);
            self.disputing.remove(dispute.claimant);
            self.env().emit_event(DisputeResolved {
                id,
                claimant: dispute.claimant,
                holders,
            });
            Ok(())
        }

        /// The open dispute of an asset, if any.
        #[ink(message)]
        pub fn dispute_of(&self, id: u32) -> Option<Dispute> {
            self.disputes.get(id)
        }

        /// The governance account, once handed over.
        #[ink(message)]
        pub fn governance(&self) -> Option<Address> {
            self.governance
        }

        /// An asset by id.
        #[ink(message)]
        pub fn asset(&self, id: u32) -> Option<Asset> {
            self.assets.get(id)
        }

        /// The id registered for a content hash.
        #[ink(message)]
        pub fn asset_by_content(&self, content_hash: [u8; 32]) -> Option<u32> {
            self.by_content.get(content_hash)
        }

        /// Whether `holder` consents to the use of `id` now.
        #[ink(message)]
        pub fn consents(&self, id: u32, holder: Address) -> bool {
            self.consents.contains((id, holder))
        }

        /// Number of assets registered (ids are `0..count`).
        #[ink(message)]
        pub fn asset_count(&self) -> u32 {
            self.asset_count
        }

        fn set_consent(&mut self, id: u32, granted: bool) -> Result<()> {
            let holder = self.env().caller();
            let mut asset = self.assets.get(id).ok_or(Error::UnknownAsset)?;
            if !asset.holders.contains(&holder) {
                return Err(Error::NotHolder);
            }
            if self.consents.contains((id, holder)) == granted {
                return Err(Error::ConsentUnchanged);
            }
            if granted {
                self.consents.insert((id, holder), &());
                asset.consenting = asset.consenting.checked_add(1).ok_or(Error::Overflow)?;
            } else {
                self.consents.remove((id, holder));
                asset.consenting = asset.consenting.checked_sub(1).ok_or(Error::Overflow)?;
            }
            let holders = u32::try_from(asset.holders.len()).map_err(|_| Error::Overflow)?;
            let consenting = asset.consenting;
            self.assets.insert(id, &asset);
            self.env().emit_event(ConsentChanged {
                id,
                holder,
                granted,
                consenting,
                holders,
            });
            Ok(())
        }
    }

    impl atelier_traits::Consent for Provenance {
        /// Whether every rights holder consents now and nobody disputes the registration;
        /// `false` for an unknown asset.
        #[ink(message)]
        fn has_full_consent(&self, asset: u32) -> bool {
            !self.disputes.contains(asset)
                && self
                    .assets
                    .get(asset)
                    .is_some_and(|a| a.consenting as usize == a.holders.len())
        }
    }

    /// At least one holder, at most `MAX_HOLDERS`, none twice.
    fn check_holders(holders: &[Address]) -> Result<()> {
        if holders.is_empty() {
            return Err(Error::NoHolders);
        }
        if holders.len() > MAX_HOLDERS as usize {
            return Err(Error::TooManyHolders);
        }
        for (i, h) in holders.iter().enumerate() {
            if holders.iter().skip(i.saturating_add(1)).any(|o| o == h) {
                return Err(Error::DuplicateHolder);
            }
        }
        Ok(())
    }
}

#[cfg(test)]
// Test arithmetic is on small known values and overflow checks are on in tests.
#[allow(clippy::arithmetic_side_effects, clippy::cast_possible_truncation)]
mod tests;
