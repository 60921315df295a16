//! The money side of an Atelier DAO on the sandbox: the royalty router, the Compute Fund
//! and Community Reserve (two treasury instances) and the provenance registry, deployed next
//! to a [`Dao`] and wired to its governor, with the SCALE mirrors of their types.

use atelier_runtime::AccountId;
use codec::{Decode, Encode};

use crate::{
    dao::{Action, Dao},
    sp_core::H160,
    Artifact, Contract, Outcome, Result, Sandbox,
};

pub use atelier_abi::{common::SpendRequest, royalty_router::WorkMetadata};

/// Mirror of `treasury::Limits`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Encode, Decode)]
pub struct Limits {
    /// Outflow cap per epoch.
    pub outflow_cap: u128,
    /// Epoch length, blocks.
    pub epoch_blocks: u32,
}

/// Mirror of `treasury::Spend`.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode)]
pub struct Spend {
    /// The request.
    pub request: SpendRequest,
    /// Tranches paid.
    pub tranches_paid: u32,
    /// Amount paid.
    pub paid: u128,
    /// Voided.
    pub voided: bool,
}

/// Mirror of `treasury::SpendState`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Encode, Decode)]
pub enum SpendState {
    /// Before valid_from.
    Scheduled,
    /// Payable.
    Payable,
    /// Fully paid.
    Paid,
    /// Voided.
    Voided,
    /// Expired.
    Expired,
}

/// Mirror of `royalty_router::Split`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Encode, Decode)]
pub struct Split {
    /// Compute Fund share, bps.
    pub compute_bps: u32,
    /// Community Reserve share, bps.
    pub reserve_bps: u32,
}

/// Mirror of `royalty_router::SplitPolicy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Encode, Decode)]
pub struct SplitPolicy {
    /// Most bps moved per epoch.
    pub max_change_bps: u32,
    /// Epoch, blocks.
    pub epoch_blocks: u32,
}

/// Mirror of `royalty_router::Work`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Encode, Decode)]
pub struct Work {
    /// Creator.
    pub creator: H160,
    /// Claimed share, bps.
    pub creator_bps: u32,
    /// Content hash.
    pub content_hash: [u8; 32],
    /// Metadata hash.
    pub metadata_hash: [u8; 32],
}

/// Mirror of `provenance::AssetKind`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Encode, Decode)]
pub enum AssetKind {
    /// Dataset.
    Dataset,
    /// Model.
    Model,
}

/// Mirror of `governor::OptimisticSettings`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Encode, Decode)]
pub struct OptimisticSettings {
    /// Compute Fund, or disabled.
    pub compute_fund: Option<H160>,
    /// Largest grant.
    pub max_amount: u128,
    /// Challenge blocks.
    pub challenge_period: u32,
    /// Objection threshold, bps.
    pub objection_bps: u32,
}

/// Mirror of `governor::OptimisticState`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Encode, Decode)]
pub struct OptimisticState {
    /// Threshold, bps.
    pub objection_bps: u32,
    /// Threshold, weight.
    pub threshold: Option<u128>,
    /// Escalated.
    pub escalated: bool,
}

pub use atelier_abi::UNIT;

/// How the funds are set up.
#[derive(Debug, Clone)]
pub struct FundsConfig {
    /// Stewards of both funds.
    pub stewards: Vec<AccountId>,
    /// Limits of the Compute Fund.
    pub compute_limits: Limits,
    /// Limits of the Community Reserve.
    pub reserve_limits: Limits,
    /// The router's split.
    pub split: Split,
    /// The router's split policy.
    pub policy: SplitPolicy,
}

impl Default for FundsConfig {
    /// Charlie stewards both funds; each may pay out 1,000 units per 100 blocks; royalties
    /// split 20% Compute Fund, 10% Community Reserve, the rest to the creator (up to its
    /// claim); the split moves at most 5% per 100 blocks.
    fn default() -> Self {
        let limits = Limits {
            outflow_cap: 1_000 * UNIT,
            epoch_blocks: 100,
        };
        Self {
            stewards: vec![crate::account("charlie")],
            compute_limits: limits,
            reserve_limits: limits,
            split: Split {
                compute_bps: 2_000,
                reserve_bps: 1_000,
            },
            policy: SplitPolicy {
                max_change_bps: 500,
                epoch_blocks: 100,
            },
        }
    }
}

/// The deployed funds.
pub struct Funds {
    /// The royalty router.
    pub router: Contract,
    /// The Compute Fund.
    pub compute: Contract,
    /// The Community Reserve.
    pub reserve: Contract,
    /// The provenance registry.
    pub provenance: Contract,
}

impl Funds {
    /// Deploys the provenance registry, both funds and the router as `deployer` (the DAO's
    /// deployer), hands their governance to the DAO's governor and puts them on its
    /// allowlist.
    pub fn deploy(
        sb: &mut Sandbox,
        deployer: &AccountId,
        dao: &Dao,
        config: &FundsConfig,
    ) -> Result<Self> {
        let treasury = Artifact::load("treasury")?;
        let provenance = sb.deploy(deployer, &Artifact::load("provenance")?, "new", (), 20)?;
        let stewards: Vec<H160> = config.stewards.iter().map(|s| sb.address_of(s)).collect();
        let guardian = dao.config.guardian.as_ref().map(|g| sb.address_of(g));
        let mut fund = |name: &str, limits: Limits, salt: u8| {
            sb.deploy(
                deployer,
                &treasury,
                "new",
                (
                    name.to_owned(),
                    limits,
                    stewards.clone(),
                    guardian,
                    Some(provenance.address),
                ),
                salt,
            )
        };
        let compute = fund("compute", config.compute_limits, 21)?;
        let reserve = fund("reserve", config.reserve_limits, 22)?;
        let router = sb.deploy(
            deployer,
            &Artifact::load("royalty_router")?,
            "new",
            (
                compute.address,
                reserve.address,
                config.split,
                config.policy,
            ),
            23,
        )?;
        for c in [&compute, &reserve, &router] {
            let o = sb.call(deployer, c, "init_governance", dao.governor.address, 0)?;
            assert!(o.is_ok(), "handover failed: {o:?}");
        }
        let allow = vec![compute.address, reserve.address, router.address];
        let o = sb.call(deployer, &dao.governor, "init_allowlist", allow, 0)?;
        assert!(o.is_ok(), "allowlist failed: {o:?}");
        Ok(Self {
            router,
            compute,
            reserve,
            provenance,
        })
    }

    /// Calls `label` on `contract` as `who`, sending `value`.
    pub fn call(
        sb: &mut Sandbox,
        who: &AccountId,
        contract: &Contract,
        label: &str,
        args: impl Encode,
        value: u128,
    ) -> Outcome {
        sb.call(who, contract, label, args, value)
            .expect("known message")
    }

    /// `creator` registers a work with a title derived from `n` and claims `creator_bps`;
    /// returns its id.
    pub fn register_work(
        &self,
        sb: &mut Sandbox,
        creator: &AccountId,
        n: u8,
        creator_bps: u32,
    ) -> u64 {
        Self::call(
            sb,
            creator,
            &self.router,
            "register_work",
            ([n; 32], metadata(n), creator_bps),
            0,
        )
        .result()
        .expect("work registered")
    }

    /// An action approving `request` from `fund`.
    pub fn approve_action(fund: &Contract, request: &SpendRequest) -> Action {
        Dao::action(fund, "approve_spend", request)
    }

    /// A spend's state.
    pub fn spend_state(&self, sb: &mut Sandbox, fund: &Contract, id: u32) -> SpendState {
        let anyone = crate::account("alice");
        Self::call(sb, &anyone, fund, "spend_state", id, 0)
            .value::<Option<SpendState>>()
            .expect("known spend")
    }
}

/// Believable metadata for work `n`.
pub fn metadata(n: u8) -> WorkMetadata {
    WorkMetadata::sample(n)
}
