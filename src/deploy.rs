//! Deploys an Atelier DAO to a pallet-revive chain from the committed artifacts: the
//! membership token, the governor, the provenance registry, the Compute Fund and Community
//! Reserve (two treasuries) and the royalty router; hands every contract's governance to
//! the governor and puts the DAO's contracts on its allowlist. Every call is dry-run first
//! (the client does), so a failing step stops before it costs anything.
//!
//! The deployment file (JSON) records the chain's genesis hash, each contract's address,
//! code hash and deployment block, for the indexer, the API and the web app. Running again
//! against the same chain finds the recorded deployment and deploys nothing.

use std::{collections::BTreeMap, path::Path};

use atelier_abi::{
    governor, membership, provenance, royalty_router, treasury, Constructor, Message, H160,
};
use atelier_chain::client::{Chain, ClientError};
use codec::Encode;
use serde::{Deserialize, Serialize};
use subxt_signer::sr25519::Keypair;

/// Errors of a deployment.
#[derive(Debug, thiserror::Error)]
pub enum DeployError {
    /// A chain call failed.
    #[error("{step}: {source}")]
    Chain {
        /// The step ("instantiate governor", ...).
        step: String,
        /// What the chain said.
        source: ClientError,
    },
    /// The deployment file could not be read or written.
    #[error("deployment file {path}: {reason}")]
    File {
        /// The file.
        path: String,
        /// Why.
        reason: String,
    },
}

/// The contracts, in deployment order.
pub const CONTRACTS: [&str; 6] = [
    "membership",
    "governor",
    "provenance",
    "compute_fund",
    "community_reserve",
    "royalty_router",
];

/// One deployed contract.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deployed {
    /// Artifact it was built from (`treasury` for both funds).
    pub artifact: String,
    /// 0x-prefixed H160.
    pub address: String,
    /// 0x-prefixed keccak-256 of the code.
    pub code_hash: String,
    /// Block the instantiation was included in.
    pub block: u64,
}

/// What `atelier deploy` writes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deployment {
    /// 0x-prefixed genesis hash of the chain.
    pub genesis_hash: String,
    /// The chain URL used.
    pub url: String,
    /// 0x-prefixed H160 of the deployer.
    pub deployer: String,
    /// Contracts by role (see [`CONTRACTS`]).
    pub contracts: BTreeMap<String, Deployed>,
}

impl Deployment {
    /// The address of `role` as bytes.
    ///
    /// # Panics
    /// When `role` is not one of [`CONTRACTS`] or the file was edited into an invalid address.
    pub fn address(&self, role: &str) -> [u8; 20] {
        let d = &self.contracts[role];
        let bytes = hex::decode(d.address.trim_start_matches("0x")).expect("hex address");
        bytes.try_into().expect("20-byte address")
    }

    /// Reads a deployment file.
    ///
    /// # Errors
    /// `File` when it cannot be read or parsed.
    pub fn load(path: &Path) -> Result<Self, DeployError> {
        let file_err = |reason: String| DeployError::File {
            path: path.display().to_string(),
            reason,
        };
        let text = std::fs::read_to_string(path).map_err(|e| file_err(e.to_string()))?;
        serde_json::from_str(&text).map_err(|e| file_err(format!("not a deployment: {e}")))
    }

    /// Writes the deployment file (pretty JSON), replacing it atomically.
    ///
    /// # Errors
    /// `File` when it cannot be written.
    pub fn save(&self, path: &Path) -> Result<(), DeployError> {
        let file_err = |reason: String| DeployError::File {
            path: path.display().to_string(),
            reason,
        };
        let text = serde_json::to_string_pretty(self).map_err(|e| file_err(e.to_string()))?;
        let tmp = path.with_extension("json.tmp");
        std::fs::write(&tmp, text).map_err(|e| file_err(e.to_string()))?;
        std::fs::rename(&tmp, path).map_err(|e| file_err(e.to_string()))
    }
}

/// How the DAO is set up.
#[derive(Debug, Clone)]
pub struct DeployConfig {
    /// Attestors.
    pub attestors: Vec<[u8; 20]>,
    /// Membership settings.
    pub membership: membership::Settings,
    /// Governor settings.
    pub governor: governor::Settings,
    /// Guardian.
    pub guardian: Option<[u8; 20]>,
    /// Summariser.
    pub summariser: Option<[u8; 20]>,
    /// Stewards of both funds.
    pub stewards: Vec<[u8; 20]>,
    /// Limits of each fund.
    pub limits: treasury::Limits,
    /// Royalty split.
    pub split: royalty_router::Split,
    /// Split policy.
    pub policy: royalty_router::SplitPolicy,
}

impl DeployConfig {
    /// A development DAO: Alice, Bob and Charlie attest (2 of 3), Ferdie guards, Dave
    /// summarises, Charlie stewards; periods short enough for a local chain (blocks).
    pub fn dev() -> Self {
        let dev = |name: &str| Chain::address_of(&crate::wallet::dev(name));
        Self {
            attestors: vec![dev("Alice"), dev("Bob"), dev("Charlie")],
            membership: membership::Settings {
                threshold: 2,
                member_cap: 1_000,
                expiry_blocks: 100_000,
            },
            governor: governor::Settings {
                voting_delay: 1,
                voting_period: 10,
                timelock_delay: 1,
                grace_period: 50,
                quorum_bps: 2_000,
                proposal_threshold: 20,
                late_quorum_extension: 0,
            },
            guardian: Some(dev("Ferdie")),
            summariser: Some(dev("Dave")),
            stewards: vec![dev("Charlie")],
            limits: treasury::Limits {
                outflow_cap: 1_000 * atelier_abi::UNIT,
                epoch_blocks: 100,
            },
            split: royalty_router::Split {
                compute_bps: 2_000,
                reserve_bps: 1_000,
            },
            policy: royalty_router::SplitPolicy {
                max_change_bps: 500,
                epoch_blocks: 100,
            },
        }
    }
}

/// What a contract's code hash is on pallet-revive: keccak-256 of the code.
pub fn code_hash(code: &[u8]) -> [u8; 32] {
    atelier_chain::client::keccak256(code)
}

fn hex0x(bytes: &[u8]) -> String {
    format!("0x{}", hex::encode(bytes))
}

/// A read every contract of `artifact` answers with data (a plain account, which
/// pallet-revive treats as a value transfer, answers nothing).
fn probe(artifact: &str) -> Option<Vec<u8>> {
    fn input<R>(m: Message<R>) -> Vec<u8> {
        m.input
    }
    Some(match artifact {
        governor::CONTRACT => input(governor::messages::proposal_count()),
        provenance::CONTRACT => input(provenance::messages::asset_count()),
        royalty_router::CONTRACT => input(royalty_router::messages::split()),
        treasury::CONTRACT => input(treasury::messages::limits()),
        membership::CONTRACT => input(membership::messages::governance()),
        _ => return None,
    })
}

/// Finds a recorded deployment on this chain: the file exists, its genesis hash is the
/// chain's, and every recorded contract is there and answers a read. `None` otherwise
/// (a restarted dev chain has the same genesis but none of the contracts).
pub async fn existing(chain: &Chain, reader: &Keypair, path: &Path) -> Option<Deployment> {
    let d = Deployment::load(path).ok()?;
    if d.genesis_hash != hex0x(&chain.genesis_hash()) {
        return None;
    }
    for role in CONTRACTS {
        let recorded = d.contracts.get(role)?;
        let input = probe(&recorded.artifact)?;
        let run = chain
            .dry_run_call(reader, d.address(role), 0, input)
            .await
            .ok()?;
        if run.reverted || run.data.is_empty() {
            return None;
        }
    }
    Some(d)
}

/// Deploys and wires the DAO as `deployer`, reporting each step to `progress`.
///
/// # Errors
/// `Chain` naming the step that failed (nothing later is attempted).
pub async fn deploy(
    chain: &Chain,
    deployer: &Keypair,
    config: &DeployConfig,
    mut progress: impl FnMut(&str),
) -> Result<Deployment, DeployError> {
    let salt_base = chain.head().await.map_err(|source| DeployError::Chain {
        step: "read the chain head".into(),
        source,
    })?;
    let mut contracts = BTreeMap::new();
    let h = |a: &[u8; 20]| H160(*a);
    let attestors: Vec<H160> = config.attestors.iter().map(h).collect();
    let m = &config.membership;

    let step = Step::new(
        "membership",
        membership::CODE,
        membership::constructors::new(attestors, m.threshold, m.member_cap, m.expiry_blocks),
    );
    let membership = run_instantiate(chain, deployer, step, salt_base.1, &mut progress).await?;
    let step = Step::new(
        "governor",
        governor::CODE,
        governor::constructors::new(
            h(&membership.0),
            chain.genesis_hash(),
            config.governor,
            config.guardian.as_ref().map(h),
            config.summariser.as_ref().map(h),
        ),
    );
    let governor = run_instantiate(chain, deployer, step, salt_base.1, &mut progress).await?;
    let step = Step::new(
        "provenance",
        provenance::CODE,
        provenance::constructors::new(),
    );
    let provenance = run_instantiate(chain, deployer, step, salt_base.1, &mut progress).await?;
    let stewards: Vec<H160> = config.stewards.iter().map(h).collect();
    let mut funds = Vec::new();
    for (role, name) in [
        ("compute_fund", "compute"),
        ("community_reserve", "reserve"),
    ] {
        let step = Step::new(
            role,
            treasury::CODE,
            treasury::constructors::new(
                name.to_owned(),
                config.limits,
                stewards.clone(),
                config.guardian.as_ref().map(h),
                Some(h(&provenance.0)),
            ),
        );
        funds.push(run_instantiate(chain, deployer, step, salt_base.1, &mut progress).await?);
    }
    let step = Step::new(
        "royalty_router",
        royalty_router::CODE,
        royalty_router::constructors::new(
            h(&funds[0].0),
            h(&funds[1].0),
            config.split,
            config.policy,
        ),
    );
    let router = run_instantiate(chain, deployer, step, salt_base.1, &mut progress).await?;

    let to_governor = h(&governor.0);
    for (role, input, address) in [
        (
            "membership",
            membership::messages::init_governance(to_governor).input,
            membership.0,
        ),
        (
            "compute_fund",
            treasury::messages::init_governance(to_governor).input,
            funds[0].0,
        ),
        (
            "community_reserve",
            treasury::messages::init_governance(to_governor).input,
            funds[1].0,
        ),
        (
            "royalty_router",
            royalty_router::messages::init_governance(to_governor).input,
            router.0,
        ),
        (
            "provenance",
            provenance::messages::init_governance(to_governor).input,
            provenance.0,
        ),
    ] {
        call(
            chain,
            deployer,
            address,
            input,
            &format!("hand {role} to the governor"),
        )
        .await?;
        progress(&format!("{role}: governance handed to the governor"));
    }
    let allow = vec![
        h(&funds[0].0),
        h(&funds[1].0),
        h(&router.0),
        h(&provenance.0),
    ];
    call(
        chain,
        deployer,
        governor.0,
        governor::messages::init_allowlist(allow).input,
        "allowlist the funds, the router and the provenance registry",
    )
    .await?;
    progress("governor: funds, router and provenance registry allowlisted");

    for (role, (name, code), (address, block)) in [
        (
            "membership",
            (membership::CONTRACT, membership::CODE),
            membership,
        ),
        ("governor", (governor::CONTRACT, governor::CODE), governor),
        (
            "provenance",
            (provenance::CONTRACT, provenance::CODE),
            provenance,
        ),
        (
            "compute_fund",
            (treasury::CONTRACT, treasury::CODE),
            funds[0],
        ),
        (
            "community_reserve",
            (treasury::CONTRACT, treasury::CODE),
            funds[1],
        ),
        (
            "royalty_router",
            (royalty_router::CONTRACT, royalty_router::CODE),
            router,
        ),
    ] {
        contracts.insert(
            role.to_owned(),
            Deployed {
                artifact: name.to_owned(),
                address: hex0x(&address),
                code_hash: hex0x(&code_hash(code)),
                block,
            },
        );
    }
    Ok(Deployment {
        genesis_hash: hex0x(&chain.genesis_hash()),
        url: chain.url().to_owned(),
        deployer: hex0x(&Chain::address_of(deployer)),
        contracts,
    })
}

/// One instantiation to run.
struct Step {
    role: &'static str,
    code: &'static [u8],
    input: Vec<u8>,
}

impl Step {
    fn new(role: &'static str, code: &'static [u8], constructor: Constructor) -> Self {
        Self {
            role,
            code,
            input: constructor.input,
        }
    }
}
async fn run_instantiate(
    chain: &Chain,
    deployer: &Keypair,
    step: Step,
    salt_seed: [u8; 32],
    progress: &mut impl FnMut(&str),
) -> Result<([u8; 20], u64), DeployError> {
    // A salt per role and chain head: a second deployment on the same chain gets new
    // addresses instead of colliding with the first.
    let salt = code_hash(&(step.role, salt_seed).encode());
    let included = chain
        .instantiate(deployer, step.code, step.input, salt)
        .await
        .map_err(|source| DeployError::Chain {
            step: format!("instantiate {}", step.role),
            source,
        })?;
    let address = included.dry_run.address.ok_or_else(|| DeployError::Chain {
        step: format!("instantiate {}", step.role),
        source: ClientError::DryRun("the dry run returned no address".into()),
    })?;
    progress(&format!(
        "{}: deployed at {} in block {}",
        step.role,
        hex0x(&address),
        included.block_number
    ));
    Ok((address, included.block_number))
}

async fn call(
    chain: &Chain,
    signer: &Keypair,
    dest: [u8; 20],
    input: Vec<u8>,
    step: &str,
) -> Result<(), DeployError> {
    chain
        .call(signer, dest, 0, input)
        .await
        .map(|_| ())
        .map_err(|source| DeployError::Chain {
            step: step.to_owned(),
            source,
        })
}
