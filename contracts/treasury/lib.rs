//! An Atelier fund: the Compute Fund and the Community Reserve are two instances.
//!
//! Governance (the governor, through executed proposals) approves spends; stewards, a
//! governed set of accounts, trigger the payout of an approved spend between its
//! `valid_from` and `expires_at` blocks, optionally in tranches released over time. A
//! rolling outflow cap (over any `epoch_blocks` consecutive blocks) bounds what leaves the
//! fund however many spends were approved, so a buggy or hostile proposal cannot drain it
//! faster than the cap. A spend that names
//! training datasets pays out only while each has full, unrevoked consent in the provenance
//! registry.
//!
//! This contract must not decide what to spend on (governance does), and stewards must not
//! be able to create or enlarge a spend: they can only pay or void approved ones.
#![cfg_attr(not(feature = "std"), no_std, no_main)]

pub use self::treasury::{Error, Limits, Result, Spend, SpendState, Treasury};

#[ink::contract]
mod treasury {
    use atelier_traits::{RollingWindow, SpendRequest};
    use ink::{prelude::vec::Vec, storage::Mapping};

    /// Most datasets one training spend may name.
    pub const MAX_DATASETS: u32 = 16;
    /// Most tranches one spend may have.
    pub const MAX_TRANCHES: u32 = 120;
    /// Bounds of the outflow epoch, in blocks.
    pub const EPOCH_BOUNDS: (u32, u32) = (10, 5_256_000);

    /// Governed limits of the fund.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    #[ink::scale_derive(Encode, Decode, TypeInfo)]
    #[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
    pub struct Limits {
        /// Most that may be paid out over any `epoch_blocks` consecutive blocks, over all
        /// spends.
        pub outflow_cap: u128,
        /// Length of the rolling window the cap holds over, in blocks
        /// (`atelier_traits::RollingWindow`: a payment counts for at least this many blocks
        /// and at most `9 x ceil(epoch_blocks / 8)`).
        pub epoch_blocks: u32,
    }

    /// An approved spend and how much of it was paid.
    #[derive(Debug, Clone, PartialEq, Eq)]
    #[ink::scale_derive(Encode, Decode, TypeInfo)]
    #[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
    pub struct Spend {
        /// What governance approved.
        pub request: SpendRequest,
        /// Tranches paid so far.
        pub tranches_paid: u32,
        /// Amount paid so far.
        pub paid: u128,
        /// Voided by governance, the guardian or a steward.
        pub voided: bool,
    }

    /// Where a spend stands now.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    #[ink::scale_derive(Encode, Decode, TypeInfo)]
    pub enum SpendState {
        /// Approved, `valid_from` not reached.
        Scheduled,
        /// A tranche may be paid now or later.
        Payable,
        /// Every tranche was paid.
        Paid,
        /// Voided before it was paid in full.
        Voided,
        /// `expires_at` passed before it was paid in full.
        Expired,
    }

    /// Errors of the treasury.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    #[ink::error]
    // The `ink::error` expansion casts variant indices for the variant that carries a
    // dataset id; there are fewer than 256 variants.
    #[allow(clippy::cast_possible_truncation)]
    pub enum Error {
        /// Only governance (the governor contract) may do this.
        NotGovernance,
        /// Only the deployer may hand governance over, and only once.
        NotAdmin,
        /// Only a steward may do this.
        NotSteward,
        /// Only governance, the guardian or a steward may void a spend.
        NotAllowedToVoid,
        /// No spend with this id.
        UnknownSpend,
        /// The amount is zero.
        ZeroAmount,
        /// `expires_at` is not after `valid_from`, or already passed.
        BadWindow,
        /// Tranches must be between 1 and `MAX_TRANCHES`, with a non-zero interval when
        /// more than one, and the last tranche must open before expiry.
        BadTranches,
        /// More than `MAX_DATASETS` datasets.
        TooManyDatasets,
        /// `valid_from` not reached yet.
        NotYetValid,
        /// The next tranche opens at a later block.
        TrancheNotDue,
        /// The spend expired.
        Expired,
        /// The spend was voided.
        Voided,
        /// Every tranche was paid.
        AlreadyPaid,
        /// Paying would exceed the outflow cap over the last `epoch_blocks` blocks.
        OutflowCapReached,
        /// The fund's balance is below the tranche.
        InsufficientFunds,
        /// The transfer to the beneficiary failed.
        TransferFailed,
        /// A named dataset lacks full, unrevoked consent (dataset id).
        ConsentMissing(u32),
        /// A training spend needs a provenance registry, and none is set.
        NoProvenanceRegistry,
        /// A limit is outside its hard bounds.
        LimitOutOfBounds,
        /// The account already has this steward status.
        StewardUnchanged,
        /// An arithmetic operation would overflow.
        Overflow,
    }

    /// Result type of the treasury.
    pub type Result<T> = core::result::Result<T, Error>;

    /// Value arrived.
    #[ink(event)]
    pub struct Received {
        /// Sender (the royalty router, a donor).
        #[ink(topic)]
        pub from: Address,
        /// Amount.
        pub amount: u128,
    }

    /// Governance approved a spend.
    #[ink(event)]
    pub struct SpendApproved {
        /// Spend id.
        #[ink(topic)]
        pub id: u32,
        /// Beneficiary.
        #[ink(topic)]
        pub beneficiary: Address,
        /// The request in full.
        pub request: SpendRequest,
    }

    /// A steward paid a tranche of a spend.
    #[ink(event)]
    pub struct PayoutMade {
        /// Spend id.
        #[ink(topic)]
        pub id: u32,
        /// Beneficiary.
        #[ink(topic)]
        pub beneficiary: Address,
        /// Steward who triggered it.
        pub steward: Address,
        /// Tranche index (0-based).
        pub tranche: u32,
        /// Amount of this tranche.
        pub amount: u128,
        /// Paid of the spend so far, this tranche included.
        pub paid: u128,
        /// Paid over the rolling window (the last `epoch_blocks` blocks, see `Limits`), this
        /// tranche included.
        pub epoch_outflow: u128,
    }

    /// A spend was voided; its unpaid rest will never be paid.
    #[ink(event)]
    pub struct SpendVoided {
        /// Spend id.
        #[ink(topic)]
        pub id: u32,
        /// Who voided it.
        pub by: Address,
        /// Amount that had been paid before.
        pub paid: u128,
    }

    /// A steward was added or removed.
    #[ink(event)]
    pub struct StewardChanged {
        /// The account.
        #[ink(topic)]
        pub account: Address,
        /// Whether it is a steward now.
        pub steward: bool,
    }

    /// The limits changed.
    #[ink(event)]
    pub struct LimitsChanged {
        /// New limits.
        pub limits: Limits,
    }

    /// Governance was handed from the deployer to the governor.
    #[ink(event)]
    pub struct GovernanceSet {
        /// The governor.
        pub governance: Address,
    }

    /// The guardian changed.
    #[ink(event)]
    pub struct GuardianChanged {
        /// New guardian, if any.
        pub guardian: Option<Address>,
    }

    /// The provenance registry changed.
    #[ink(event)]
    pub struct ProvenanceChanged {
        /// New registry, if any.
        pub provenance: Option<Address>,
    }

    /// The treasury's storage. No message calls back into this contract, so the root cell
    /// may hold mutable fields.
    #[ink(storage)]
    pub struct Treasury {
        /// A short name ("compute", "reserve") so tools can tell the instances apart.
        name: ink::prelude::string::String,
        admin: Option<Address>,
        governance: Option<Address>,
        guardian: Option<Address>,
        provenance: Option<Address>,
        limits: Limits,
        /// Paid over the rolling window of `limits.epoch_blocks` blocks.
        outflow: RollingWindow,
        stewards: Mapping<Address, ()>,
        spend_count: u32,
        spends: Mapping<u32, Spend>,
    }

    impl Treasury {
        /// Instantiates a fund with its name, limits, first stewards, guardian and
        /// provenance registry. The deployer hands governance to the governor once with
        /// `init_governance`.
        ///
        /// # Errors
        /// `LimitOutOfBounds` for an epoch outside `EPOCH_BOUNDS`, `StewardUnchanged` for a
        /// duplicate steward.
        #[ink(constructor)]
        pub fn new(
            name: ink::prelude::string::String,
            limits: Limits,
            stewards: Vec<Address>,
            guardian: Option<Address>,
            provenance: Option<Address>,
        ) -> Result<Self> {
            check_limits(&limits)?;
            let mut this = Self {
                name,
                admin: Some(Self::env().caller()),
                governance: None,
                guardian,
                provenance,
                limits,
                outflow: RollingWindow::default(),
                stewards: Mapping::new(),
                spend_count: 0,
                spends: Mapping::new(),
            };
            this.env().emit_event(LimitsChanged { limits });
            this.env().emit_event(GuardianChanged { guardian });
            this.env().emit_event(ProvenanceChanged { provenance });
            for s in stewards {
                this.set_steward_inner(s, true)?;
            }
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

        /// Approves a spend and returns its id. Governance only.
        ///
        /// # Errors
        /// `NotGovernance`, `ZeroAmount`, `BadWindow`, `BadTranches`, `TooManyDatasets`,
        /// `Overflow`.
        #[ink(message)]
        pub fn approve_spend(&mut self, request: SpendRequest) -> Result<u32> {
            self.ensure_governance()?;
            if request.amount == 0 {
                return Err(Error::ZeroAmount);
            }
            if request.expires_at <= request.valid_from
                || request.expires_at <= self.env().block_number()
            {
                return Err(Error::BadWindow);
            }
            if request.tranches == 0
                || request.tranches > MAX_TRANCHES
                || (request.tranches > 1 && request.tranche_interval == 0)
                || tranche_opens(&request, request.tranches.saturating_sub(1))? > request.expires_at
            {
                return Err(Error::BadTranches);
            }
            if request.datasets.len() > MAX_DATASETS as usize {
                return Err(Error::TooManyDatasets);
            }
            let id = self.spend_count;
            self.spend_count = id.checked_add(1).ok_or(Error::Overflow)?;
            self.spends.insert(
                id,
                &Spend {
                    request: request.clone(),
                    tranches_paid: 0,
                    paid: 0,
                    voided: false,
                },
            );
            self.env().emit_event(SpendApproved {
                id,
                beneficiary: request.beneficiary,
                request,
            });
            Ok(id)
        }

        /// Pays the next due tranche of an approved spend to its beneficiary and returns the
        /// amount. Stewards only.
        ///
        /// # Errors
        /// `NotSteward`, `UnknownSpend`, `Voided`, `AlreadyPaid`, `NotYetValid`, `Expired`,
        /// `TrancheNotDue`, `NoProvenanceRegistry`, `ConsentMissing(dataset)`,
        /// `OutflowCapReached`, `InsufficientFunds`, `TransferFailed`, `Overflow`.
        #[ink(message)]
        pub fn payout(&mut self, spend_id: u32) -> Result<u128> {
            let steward = self.env().caller();
            if !self.stewards.contains(steward) {
                return Err(Error::NotSteward);
            }
            let mut spend = self.spends.get(spend_id).ok_or(Error::UnknownSpend)?;
            let r = &spend.request;
            let now = self.env().block_number();
            if spend.voided {
                return Err(Error::Voided);
            }
            if spend.tranches_paid >= r.tranches {
                return Err(Error::AlreadyPaid);
            }
            if now < r.valid_from {
                return Err(Error::NotYetValid);
            }
            if now > r.expires_at {
                return Err(Error::Expired);
            }
            let tranche = spend.tranches_paid;
            if now < tranche_opens(r, tranche)? {
                return Err(Error::TrancheNotDue);
            }
            if !r.datasets.is_empty() {
                let registry = self.provenance.ok_or(Error::NoProvenanceRegistry)?;
                for d in &r.datasets {
                    if !host::has_full_consent(registry, *d) {
                        return Err(Error::ConsentMissing(*d));
                    }
                }
            }
            let amount = tranche_amount(r, tranche)?;
            let mut outflow = self.outflow;
            let epoch_outflow = outflow
                .add(
                    self.limits.epoch_blocks,
                    now,
                    amount,
                    self.limits.outflow_cap,
                )
                .ok_or(Error::OutflowCapReached)?;
            if self.env().balance() < ink::U256::from(amount) {
                return Err(Error::InsufficientFunds);
            }
            spend.tranches_paid = tranche.checked_add(1).ok_or(Error::Overflow)?;
            spend.paid = spend.paid.checked_add(amount).ok_or(Error::Overflow)?;
            self.outflow = outflow;
            self.spends.insert(spend_id, &spend);
            let beneficiary = spend.request.beneficiary;
            self.env()
                .transfer(beneficiary, ink::U256::from(amount))
                .map_err(|_| Error::TransferFailed)?;
            self.env().emit_event(PayoutMade {
                id: spend_id,
                beneficiary,
                steward,
                tranche,
                amount,
                paid: spend.paid,
                epoch_outflow,
            });
            Ok(amount)
        }

        /// Voids a spend that is not fully paid: its unpaid rest is never paid. Governance,
        /// the guardian or a steward.
        ///
        /// # Errors
        /// `NotAllowedToVoid`, `UnknownSpend`, `Voided`, `AlreadyPaid`.
        #[ink(message)]
        pub fn void_spend(&mut self, spend_id: u32) -> Result<()> {
            let by = self.env().caller();
            let allowed = self.governance == Some(by)
                || self.guardian == Some(by)
                || self.stewards.contains(by);
            if !allowed {
                return Err(Error::NotAllowedToVoid);
            }
            let mut spend = self.spends.get(spend_id).ok_or(Error::UnknownSpend)?;
            if spend.voided {
                return Err(Error::Voided);
            }
            if spend.tranches_paid >= spend.request.tranches {
                return Err(Error::AlreadyPaid);
            }
            spend.voided = true;
            self.spends.insert(spend_id, &spend);
            self.env().emit_event(SpendVoided {
                id: spend_id,
                by,
                paid: spend.paid,
            });
            Ok(())
        }

        /// Adds or removes a steward. Governance only.
        ///
        /// # Errors
        /// `NotGovernance`, `StewardUnchanged`.
        #[ink(message)]
        pub fn set_steward(&mut self, account: Address, steward: bool) -> Result<()> {
            self.ensure_governance()?;
            self.set_steward_inner(account, steward)
        }

        /// Replaces the limits. Governance only.
        ///
        /// # Errors
        /// `NotGovernance`, `LimitOutOfBounds`.
        #[ink(message)]
        pub fn set_limits(&mut self, limits: Limits) -> Result<()> {
            self.ensure_governance()?;
            check_limits(&limits)?;
            self.limits = limits;
            self.env().emit_event(LimitsChanged { limits });
            Ok(())
        }

        /// Sets or clears the guardian. Governance only.
        ///
        /// # Errors
        /// `NotGovernance`.
        #[ink(message)]
        pub fn set_guardian(&mut self, guardian: Option<Address>) -> Result<()> {
            self.ensure_governance()?;
            self.guardian = guardian;
            self.env().emit_event(GuardianChanged { guardian });
            Ok(())
        }

        /// Sets or clears the provenance registry. Governance only.
        ///
        /// # Errors
        /// `NotGovernance`.
        #[ink(message)]
        pub fn set_provenance(&mut self, provenance: Option<Address>) -> Result<()> {
            self.ensure_governance()?;
            self.provenance = provenance;
            self.env().emit_event(ProvenanceChanged { provenance });
            Ok(())
        }

        /// A spend by id.
        #[ink(message)]
        pub fn spend(&self, spend_id: u32) -> Option<Spend> {
            self.spends.get(spend_id)
        }

        /// Where a spend stands now, `None` for an unknown id.
        #[ink(message)]
        pub fn spend_state(&self, spend_id: u32) -> Option<SpendState> {
            let s = self.spends.get(spend_id)?;
            let now = self.env().block_number();
            Some(if s.tranches_paid >= s.request.tranches {
                SpendState::Paid
            } else if s.voided {
                SpendState::Voided
            } else if now > s.request.expires_at {
                SpendState::Expired
            } else if now < s.request.valid_from {
                SpendState::Scheduled
            } else {
                SpendState::Payable
            })
        }

        /// Number of spends approved so far (ids are `0..count`).
        #[ink(message)]
        pub fn spend_count(&self) -> u32 {
            self.spend_count
        }

        /// Whether `account` is a steward.
        #[ink(message)]
        pub fn is_steward(&self, account: Address) -> bool {
            self.stewards.contains(account)
        }

        /// The limits.
        #[ink(message)]
        pub fn limits(&self) -> Limits {
            self.limits
        }

        /// What was paid out over the rolling window ending now (see `Limits`): what the
        /// cap is checked against.
        #[ink(message)]
        pub fn epoch_outflow(&self) -> u128 {
            self.outflow
                .total(self.limits.epoch_blocks, self.env().block_number())
        }

        /// The fund's name.
        #[ink(message)]
        pub fn name(&self) -> ink::prelude::string::String {
            self.name.clone()
        }

        /// The governance account, once handed over.
        #[ink(message)]
        pub fn governance(&self) -> Option<Address> {
            self.governance
        }

        /// The guardian, if any.
        #[ink(message)]
        pub fn guardian(&self) -> Option<Address> {
            self.guardian
        }

        /// The provenance registry, if any.
        #[ink(message)]
        pub fn provenance(&self) -> Option<Address> {
            self.provenance
        }

        fn ensure_governance(&self) -> Result<()> {
            if self.governance == Some(self.env().caller()) {
                Ok(())
            } else {
                Err(Error::NotGovernance)
            }
        }

        fn set_steward_inner(&mut self, account: Address, steward: bool) -> Result<()> {
            if self.stewards.contains(account) == steward {
                return Err(Error::StewardUnchanged);
            }
            if steward {
                self.stewards.insert(account, &());
            } else {
                self.stewards.remove(account);
            }
            self.env().emit_event(StewardChanged { account, steward });
            Ok(())
        }
    }

    impl atelier_traits::Fund for Treasury {
        /// Receives native value; emits `Received`.
        #[ink(message, payable)]
        fn deposit(&mut self) {
            let amount = self.env().transferred_value();
            // Values above u128 cannot exist on a chain whose balances are u128.
            let amount = u128::try_from(amount).unwrap_or(u128::MAX);
            self.env().emit_event(Received {
                from: self.env().caller(),
                amount,
            });
        }
    }

    /// First block tranche `k` may be paid.
    fn tranche_opens(r: &SpendRequest, k: u32) -> Result<BlockNumber> {
        r.tranche_interval
            .checked_mul(k)
            .and_then(|d| r.valid_from.checked_add(d))
            .ok_or(Error::Overflow)
    }

    /// Amount of tranche `k`: equal parts, the last one carrying the remainder, so the
    /// tranches always sum to the approved amount.
    fn tranche_amount(r: &SpendRequest, k: u32) -> Result<u128> {
        let n = u128::from(r.tranches);
        let part = r.amount.checked_div(n).ok_or(Error::Overflow)?;
        if k.checked_add(1) == Some(r.tranches) {
            let before = part
                .checked_mul(n.checked_sub(1).ok_or(Error::Overflow)?)
                .ok_or(Error::Overflow)?;
            r.amount.checked_sub(before).ok_or(Error::Overflow)
        } else {
            Ok(part)
        }
    }

    fn check_limits(l: &Limits) -> Result<()> {
        if (EPOCH_BOUNDS.0..=EPOCH_BOUNDS.1).contains(&l.epoch_blocks) {
            Ok(())
        } else {
            Err(Error::LimitOutOfBounds)
        }
    }

    /// The consent check against the provenance registry: a real cross-contract call on
    /// chain; in ink!'s off-chain engine (which cannot run another contract) a per-thread
    /// table the unit tests fill. `tests/sandbox` runs the real path on the runtime.
    #[cfg(target_arch = "riscv64")]
    mod host {
        use super::Address;
        use ink::env::{
            call::{build_call, ExecutionInput, Selector},
            DefaultEnvironment,
        };

        pub fn has_full_consent(registry: Address, asset: u32) -> bool {
            let selector = Selector::new(ink::selector_bytes!("Consent::has_full_consent"));
            matches!(
                build_call::<DefaultEnvironment>()
                    .call(registry)
                    .exec_input(ExecutionInput::new(selector).push_arg(asset))
                    .returns::<bool>()
                    .try_invoke(),
                Ok(Ok(true))
            )
        }
    }

    /// Off-chain stand-in for `host` (see there).
    #[cfg(not(target_arch = "riscv64"))]
    #[cfg_attr(not(test), allow(dead_code))]
    pub mod offchain_double {
        use super::Address;
        use std::{cell::RefCell, collections::HashSet};

        thread_local! {
            static CONSENTED: RefCell<HashSet<u32>> = RefCell::new(HashSet::new());
        }

        /// Sets whether `asset` has full consent.
        pub fn set_consent(asset: u32, full: bool) {
            CONSENTED.with(|c| {
                if full {
                    c.borrow_mut().insert(asset);
                } else {
                    c.borrow_mut().remove(&asset);
                }
            });
        }

        pub(super) fn has_full_consent(_registry: Address, asset: u32) -> bool {
            CONSENTED.with(|c| c.borrow().contains(&asset))
        }
    }
    #[cfg(not(target_arch = "riscv64"))]
    use offchain_double as host;
}

#[cfg(test)]
// Test arithmetic is on small known values and overflow checks are on in tests.
#[allow(clippy::arithmetic_side_effects, clippy::cast_possible_truncation)]
mod tests;
