//! Deploys an Atelier DAO to a pallet-revive chain from the committed artifacts: the
//! membership token, the governor, the provenance registry, the Compute Fund and Community
//! Reserve (two treasuries) and the royalty router; hands every contract's governance to
//! the governor and puts the DAO's contracts on its allowlist. Every call is dry-run first
//! (the client does), so a failing step stops before it costs anything.
//!
//! The deployment file (JSON) records the chain's genesis hash, each contract's address,
//! code hash and deployment block, for the indexer, the API and the web app. Running again
//! against the same chain finds the recorded deployment and deploys nothing.

use std::{collections::BTreeMap, path::Path, sync::Arc};

use atelier_chain::client::{Chain, ClientError};
use atelier_sandbox::{
    dao::{GovernorSettings, MembershipSettings},
    funds::{Limits, Split, SplitPolicy},
    sp_core::H160,
    Artifact,
};
use codec::Encode;
use serde::{Deserialize, Serialize};
use subxt_signer::sr25519::Keypair;

/// Errors of a deployment.
#[derive(Debug, thiserror::Error)]
pub enum DeployError {
    /// A contract artifact could not be loaded.
    #[error(transparent)]
    Artifact(#[from] atelier_sandbox::Error),
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
    pub membership: MembershipSettings,
    /// Governor settings.
    pub governor: GovernorSettings,
    /// Guardian.
    pub guardian: Option<[u8; 20]>,
    /// Summariser.
    pub summariser: Option<[u8; 20]>,
    /// Stewards of both funds.
    pub stewards: Vec<[u8; 20]>,
    /// Limits of each fund.
    pub limits: Limits,
    /// Royalty split.
    pub split: Split,
    /// Split policy.
    pub policy: SplitPolicy,
}

impl DeployConfig {
    /// A development DAO: Alice, Bob and Charlie attest (2 of 3), Ferdie guards, Dave
    /// summarises, Charlie stewards; periods short enough for a local chain (blocks).
    pub fn dev() -> Self {
        let dev = |name: &str| Chain::address_of(&crate::wallet::dev(name));
        Self {
            attestors: vec![dev("Alice"), dev("Bob"), dev("Charlie")],
            membership: MembershipSettings {
                threshold: 2,
                member_cap: 1_000,
                expiry_blocks: 100_000,
            },
            governor: GovernorSettings {
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
            limits: Limits {
                outflow_cap: 1_000 * atelier_sandbox::funds::UNIT,
                epoch_blocks: 100,
            },
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

fn h160(a: [u8; 20]) -> H160 {
    H160(a)
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
fn probe_label(artifact: &str) -> &'static str {
    match artifact {
        "governor" => "proposal_count",
        "provenance" => "asset_count",
        "royalty_router" => "split",
        "treasury" => "limits",
        _ => "governance",
    }
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
        let artifact = Artifact::load(&recorded.artifact).ok()?;
        let input = artifact.input(probe_label(&recorded.artifact), &()).ok()?;
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
/// `Artifact`, or `Chain` naming the step that failed (nothing later is attempted).
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
    let instantiate = |role: &'static str, artifact: Arc<Artifact>, input: Vec<u8>| Step {
        role,
        artifact,
        input,
    };
    let membership_art = Artifact::load("membership")?;
    let governor_art = Artifact::load("governor")?;
    let treasury_art = Artifact::load("treasury")?;
    let router_art = Artifact::load("royalty_router")?;
    let provenance_art = Artifact::load("provenance")?;
    let attestors: Vec<H160> = config.attestors.iter().copied().map(h160).collect();
    let m = config.membership;

    let step = instantiate(
        "membership",
        membership_art.clone(),
        membership_art.input(
            "new",
            &(attestors, m.threshold, m.member_cap, m.expiry_blocks),
        )?,
    );
    let membership = run_instantiate(chain, deployer, step, salt_base.1, &mut progress).await?;
    let step = instantiate(
        "governor",
        governor_art.clone(),
        governor_art.input(
            "new",
            &(
                h160(membership.0),
                chain.genesis_hash(),
                config.governor,
                config.guardian.map(h160),
                config.summariser.map(h160),
            ),
        )?,
    );
    let governor = run_instantiate(chain, deployer, step, salt_base.1, &mut progress).await?;
    let step = instantiate(
        "provenance",
        provenance_art.clone(),
        provenance_art.input("new", &())?,
    );
    let provenance = run_instantiate(chain, deployer, step, salt_base.1, &mut progress).await?;
    let stewards: Vec<H160> = config.stewards.iter().copied().map(h160).collect();
    let mut funds = Vec::new();
    for (role, name) in [
        ("compute_fund", "compute"),
        ("community_reserve", "reserve"),
    ] {
        let step = instantiate(
            role,
            treasury_art.clone(),
            treasury_art.input(
                "new",
                &(
                    name.to_owned(),
                    config.limits,
                    stewards.clone(),
                    config.guardian.map(h160),
                    Some(h160(provenance.0)),
                ),
            )?,
        );
        funds.push(run_instantiate(chain, deployer, step, salt_base.1, &mut progress).await?);
    }
    let step = instantiate(
        "royalty_router",
        router_art.clone(),
        router_art.input(
            "new",
            &(
                h160(funds[0].0),
                h160(funds[1].0),
                config.split,
                config.policy,
            ),
        )?,
    );
    let router = run_instantiate(chain, deployer, step, salt_base.1, &mut progress).await?;

    for (role, art, address) in [
        ("membership", &membership_art, membership.0),
        ("compute_fund", &treasury_art, funds[0].0),
        ("community_reserve", &treasury_art, funds[1].0),
        ("royalty_router", &router_art, router.0),
    ] {
        let input = art.input("init_governance", &h160(governor.0))?;
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
    let allow = vec![h160(funds[0].0), h160(funds[1].0), h160(router.0)];
    let input = governor_art.input("init_allowlist", &allow)?;
    call(
        chain,
        deployer,
        governor.0,
        input,
        "allowlist the funds and the router",
    )
    .await?;
    progress("governor: funds and router allowlisted");

    for (role, artifact, (address, block)) in [
        ("membership", &membership_art, membership),
        ("governor", &governor_art, governor),
        ("provenance", &provenance_art, provenance),
        ("compute_fund", &treasury_art, funds[0]),
        ("community_reserve", &treasury_art, funds[1]),
        ("royalty_router", &router_art, router),
    ] {
        contracts.insert(
            role.to_owned(),
            Deployed {
                artifact: artifact.name.clone(),
                address: hex0x(&address),
                code_hash: hex0x(&code_hash(&artifact.code)),
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
    artifact: Arc<Artifact>,
    input: Vec<u8>,
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
        .instantiate(deployer, &step.artifact.code, step.input, salt)
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
