//! Atelier's provenance and consent registry for datasets and models.
//!
//! Anyone registers an asset (a dataset or a model) with its content hash, a license id
//! and its rights holders; each rights holder grants or revokes consent to its use for
//! training. An asset has full consent while every rights holder's consent stands. The
//! treasury reads `Consent::has_full_consent` before paying a training spend that names the
//! asset, so a revocation blocks payouts from the next block on.
//!
//! This contract must not move funds or judge licenses: it records who holds rights and who
//! consented, nothing more.
#![cfg_attr(not(feature = "std"), no_std, no_main)]

pub use self::provenance::{Asset, AssetKind, Error, Provenance, Result};

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

    /// The registry's storage.
    #[ink(storage)]
    pub struct Provenance {
        asset_count: u32,
        assets: Mapping<u32, Asset>,
        by_content: Mapping<[u8; 32], u32>,
        consents: Mapping<(u32, Address), ()>,
    }

    impl Default for Provenance {
        fn default() -> Self {
            Self::new()
        }
    }

    impl Provenance {
        /// An empty registry.
        #[ink(constructor)]
        pub fn new() -> Self {
            Self {
                asset_count: 0,
                assets: Mapping::new(),
                by_content: Mapping::new(),
                consents: Mapping::new(),
            }
        }

        /// Registers an asset and returns its id. No holder consents yet.
        ///
        /// # Errors
        /// `NoHolders`, `TooManyHolders`, `DuplicateHolder`, `ContentExists`, `Overflow`.
        #[ink(message)]
        pub fn register(
            &mut self,
            kind: AssetKind,
            content_hash: [u8; 32],
            license: u32,
            holders: Vec<Address>,
        ) -> Result<u32> {
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
        /// Whether every rights holder consents now; `false` for an unknown asset.
        #[ink(message)]
        fn has_full_consent(&self, asset: u32) -> bool {
            self.assets
                .get(asset)
                .is_some_and(|a| a.consenting as usize == a.holders.len())
        }
    }
}

#[cfg(test)]
// Test arithmetic is on small known values and overflow checks are on in tests.
#[allow(clippy::arithmetic_side_effects, clippy::cast_possible_truncation)]
mod tests;
