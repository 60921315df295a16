//! The money side of an Atelier DAO on the sandbox: the royalty router, the Compute Fund
//! and Community Reserve (two treasury instances) and the provenance registry, deployed next
//! to a [`Dao`] and wired to its governor. Their types are the generated ones
//! (`atelier-abi`), re-exported here.

use atelier_abi::{
    governor::messages as gm, provenance, royalty_router, treasury, treasury::messages as tm,
    Message,
};
use atelier_runtime::AccountId;

pub use atelier_abi::{
    common::SpendRequest,
    governor::{OptimisticSettings, OptimisticState},
    provenance::AssetKind,
    royalty_router::{Split, SplitPolicy, Work, WorkMetadata},
    treasury::{Limits, Spend, SpendState},
};

use crate::{
    dao::{Action, Dao},
    sp_core::H160,
    Called, Contract, Result, Sandbox,
};

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
        let provenance = sb.deploy(deployer, provenance::constructors::new(), 20)?;
        let stewards: Vec<H160> = config.stewards.iter().map(|s| sb.address_of(s)).collect();
        let guardian = dao.config.guardian.as_ref().map(|g| sb.address_of(g));
        let mut fund = |name: &str, limits: Limits, salt: u8| {
            sb.deploy(
                deployer,
                treasury::constructors::new(
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
            royalty_router::constructors::new(
                compute.address,
                reserve.address,
                config.split,
                config.policy,
            ),
            23,
        )?;
        let to = dao.governor.address;
        let handovers = [
            sb.call(deployer, &compute, tm::init_governance(to), 0),
            sb.call(deployer, &reserve, tm::init_governance(to), 0),
        ];
        let router_handover = sb.call(
            deployer,
            &router,
            royalty_router::messages::init_governance(to),
            0,
        );
        let registry_handover = sb.call(
            deployer,
            &provenance,
            provenance::messages::init_governance(to),
            0,
        );
        for o in handovers
            .iter()
            .map(|c| &c.outcome)
            .chain([&router_handover.outcome, &registry_handover.outcome])
        {
            assert!(o.is_ok(), "handover failed: {o:?}");
        }
        let allow = vec![
            compute.address,
            reserve.address,
            router.address,
            provenance.address,
        ];
        let o = sb.call(deployer, &dao.governor, gm::init_allowlist(allow), 0);
        assert!(o.is_ok(), "allowlist failed: {:?}", *o);
        Ok(Self {
            router,
            compute,
            reserve,
            provenance,
        })
    }

    /// Calls `message` on `contract` as `who`, sending `value`.
    pub fn call<R>(
        sb: &mut Sandbox,
        who: &AccountId,
        contract: &Contract,
        message: Message<R>,
        value: u128,
    ) -> Called<R> {
        sb.call(who, contract, message, value)
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
        let register = royalty_router::messages::register_work([n; 32], metadata(n), creator_bps);
        Self::call(sb, creator, &self.router, register, 0)
            .result()
            .expect("work registered")
    }

    /// An action approving `request` from `fund`.
    pub fn approve_action(fund: &Contract, request: &SpendRequest) -> Action {
        Dao::action(fund, tm::approve_spend(request.clone()))
    }

    /// A spend's state.
    pub fn spend_state(&self, sb: &mut Sandbox, fund: &Contract, id: u32) -> SpendState {
        let anyone = crate::account("alice");
        Self::call(sb, &anyone, fund, tm::spend_state(id), 0)
            .value()
            .expect("known spend")
    }
}

/// Believable metadata for work `n`.
pub fn metadata(n: u8) -> WorkMetadata {
    WorkMetadata::sample(n)
}
