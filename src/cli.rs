//! The chain commands of the `atelier` CLI: the local chain, deployment and the wallet
//! (members, proposals, votes, signed ballots, stewards' payouts, creators' works and
//! royalties, and reads). Each command prints a human sentence by default and JSON with
//! `--json`; contract errors come back as sentences; keys are never printed.

use std::{io::Write, path::PathBuf, process::Command as Process};

use anyhow::{bail, Context, Result};
use atelier_abi::{
    governor::{self, Ballot, Support},
    membership, provenance, royalty_router, treasury, ContractError, H160,
};
use atelier_chain::client::{BackendKind, Chain, Included};
use clap::{Args, Subcommand, ValueEnum};
use serde_json::json;
use subxt_signer::sr25519::Keypair;

use crate::{
    dao::{CallError, DaoClient},
    deploy::{self, DeployConfig, Deployment},
    wallet,
};

/// Where the chain and the deployment are.
#[derive(Debug, Clone, Args)]
pub struct ChainArgs {
    /// WebSocket URL of the chain (default: the local chain `atelier chain start` runs).
    #[arg(long, env = "ATELIER_URL")]
    pub url: Option<String>,
    /// The deployment file `atelier deploy` writes and every other command reads.
    #[arg(
        long,
        env = "ATELIER_DEPLOYMENT",
        default_value = "atelier-deployment.json"
    )]
    pub deployment: PathBuf,
    /// Print JSON instead of sentences.
    #[arg(long)]
    pub json: bool,
}

/// Who signs.
#[derive(Debug, Clone, Args)]
pub struct KeyArgs {
    /// Secret URI of the signer: a dev account (`//Alice`) or a mnemonic with an optional
    /// derivation path. Without it, `ATELIER_MNEMONIC`, then `--key-file`.
    #[arg(long, env = "ATELIER_SURI", hide_env_values = true)]
    pub suri: Option<String>,
    /// File whose first line is a secret URI or mnemonic.
    #[arg(long)]
    pub key_file: Option<PathBuf>,
}

impl KeyArgs {
    fn keypair(&self) -> Result<Keypair> {
        Ok(wallet::keypair(
            self.suri.as_deref(),
            self.key_file.as_deref(),
        )?)
    }
}

/// How a member votes.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum VoteArg {
    /// For.
    For,
    /// Against (on an optimistic grant: an objection).
    Against,
    /// Counted for quorum only.
    Abstain,
}

impl From<VoteArg> for Support {
    fn from(v: VoteArg) -> Self {
        match v {
            VoteArg::For => Support::For,
            VoteArg::Against => Support::Against,
            VoteArg::Abstain => Support::Abstain,
        }
    }
}

/// Contribution categories by name.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum CategoryArg {
    /// A dataset.
    Dataset,
    /// A trained or fine-tuned model.
    Model,
    /// Documentation.
    Documentation,
    /// Curation work.
    Curation,
}

/// Which fund.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum FundArg {
    /// The Compute Fund.
    Compute,
    /// The Community Reserve.
    Reserve,
}

impl FundArg {
    fn role(self) -> &'static str {
        match self {
            FundArg::Compute => "compute_fund",
            FundArg::Reserve => "community_reserve",
        }
    }
}

/// The chain commands.
#[derive(Debug, Subcommand)]
// The flattened `chain` / `key` fields are argument groups documented on their own types.
#[allow(missing_docs)]
pub enum ChainCommand {
    /// The local chain (Chopsticks serving the project's runtime): start, stop, url.
    Chain {
        /// start | stop | url | check
        action: String,
        /// Loopback port (default: a free one).
        #[arg(long)]
        port: Option<u16>,
        /// State folder (default: ~/.cache/atelier/chain/run).
        #[arg(long)]
        dir: Option<PathBuf>,
    },
    /// Deploys the DAO (membership, governor, provenance, both funds, router) and writes
    /// the deployment file; finds an existing deployment on the same chain instead.
    Deploy {
        #[command(flatten)]
        chain: ChainArgs,
        #[command(flatten)]
        key: KeyArgs,
        /// Deploy again even when the file records a deployment on this chain.
        #[arg(long)]
        force: bool,
    },
    /// Indexes the deployed contracts' events into the store: backfills from the
    /// deployment block (or the store's cursor), then follows finalized blocks until
    /// Ctrl-C / SIGTERM, reconnecting with backoff when the chain drops.
    Index {
        #[command(flatten)]
        chain: ChainArgs,
        /// The store: sqlite://PATH (default, embedded) or postgres://...
        #[arg(long, env = "ATELIER_DB", default_value = "sqlite://atelier.db")]
        db: String,
        /// Stop once caught up with the finalized head instead of following it.
        #[arg(long)]
        once: bool,
        /// Follow the best block instead of the finalized one: rows appear before finality,
        /// and blocks a reorg orphans are rolled back (with everything derived from them).
        #[arg(long)]
        best: bool,
        /// First block when the store is empty (default: the earliest deployment block).
        #[arg(long)]
        start_block: Option<u64>,
        /// Serve Prometheus metrics (head, cursor, lag, events/s, errors; OpenMetrics text) at
        /// http://ADDR/metrics.
        #[arg(long, env = "ATELIER_INDEX_METRICS")]
        metrics: Option<std::net::SocketAddr>,
        /// Blocks fetched concurrently during backfill.
        #[arg(long, default_value_t = atelier_indexer::Options::default().concurrency)]
        concurrency: usize,
        /// Most blocks written in one transaction.
        #[arg(long, default_value_t = atelier_indexer::Options::default().batch_blocks)]
        batch_blocks: usize,
        /// With --once: stop after this block instead of at the head.
        #[arg(long, requires = "once")]
        to_block: Option<u64>,
        /// With --once and --start-block: fetch and decode the blocks as the indexer does
        /// (same connection, same pipeline), decode no contract event and store nothing;
        /// `bench-sync` runs this as the ceiling the indexer is measured against.
        #[arg(long, requires_all = ["once", "start_block"], hide = true)]
        no_store: bool,
    },
    /// Measures the indexer end to end from the chain: builds a history on a development
    /// chain (a dense stretch of royalty routes, many per block through Utility::batch_all,
    /// then empty blocks), reads it once without a store (the ceiling), then times
    /// `atelier index --once` from block 0 into each --db (fresh, empty stores): events/s,
    /// blocks/s, peak RSS, the chain's CPU time. Needs a deployed and seeded DAO
    /// (`atelier dev --no-services`); scripts/index-bench.sh runs it all.
    BenchSync {
        #[command(flatten)]
        chain: ChainArgs,
        /// Stores to index into (repeat the flag): empty sqlite://... and/or postgres://...
        #[arg(long, required = true)]
        db: Vec<String>,
        /// Royalties routed in the dense stretch (one contract event each).
        #[arg(long, default_value_t = 20_000)]
        royalties: u64,
        /// Royalties per `royalty_router.route_batch` call (at most the contract's
        /// `MAX_BATCH`).
        #[arg(long, default_value_t = 200)]
        per_call: usize,
        /// `route_batch` calls per extrinsic (halved while the chain finds one too heavy).
        #[arg(long, default_value_t = 8)]
        per_batch: usize,
        /// The last block of the empty stretch (blocks 1..=N), built before the DAO was
        /// deployed (`scripts/chain.sh new-blocks`); 0 for none.
        #[arg(long, default_value_t = 0)]
        empty_to: u64,
        /// Process id of the chain server, to report its CPU time.
        #[arg(long)]
        chain_pid: Option<u32>,
        /// Blocks in flight (the ceiling and the indexer alike).
        #[arg(long, default_value_t = atelier_indexer::Options::default().concurrency)]
        concurrency: usize,
    },
    /// Measures the indexer: decode + store throughput by replaying the chain's recorded
    /// blocks into each --db until --events were stored (baseline: decoding alone, same
    /// run), head latency (finalized inclusion -> cursor) over --samples transactions, and
    /// peak memory. Use fresh stores: the replay writes shifted blocks.
    BenchIndex {
        #[command(flatten)]
        chain: ChainArgs,
        /// Stores to measure (repeat the flag): sqlite://... and/or postgres://...
        #[arg(long, required = true)]
        db: Vec<String>,
        /// Contract events to store per backend.
        #[arg(long, default_value_t = 100_000)]
        events: u64,
        /// Transactions timed for head latency.
        #[arg(long, default_value_t = 20)]
        samples: usize,
    },
    /// Members: record a contribution, attest one, delegate.
    #[command(subcommand)]
    Member(MemberCommand),
    /// Rights holders: register a dataset or model, grant or revoke consent; anyone else:
    /// dispute a registration.
    #[command(subcommand)]
    Asset(AssetCommand),
    /// Proposes a grant from the Compute Fund (or a new contribution category), with a
    /// description file (markdown).
    Propose {
        #[command(flatten)]
        chain: ChainArgs,
        #[command(flatten)]
        key: KeyArgs,
        /// The description, a markdown file.
        #[arg(long)]
        description: PathBuf,
        /// Grant: beneficiary (dev URI like //One, or 0x H160).
        #[arg(long, requires = "amount")]
        grant_to: Option<String>,
        /// Grant: amount in tokens (decimal, 18 decimals).
        #[arg(long)]
        amount: Option<String>,
        /// New category: `id:multiplier`.
        #[arg(long, conflicts_with = "grant_to")]
        category: Option<String>,
    },
    /// Votes on a proposal.
    Vote {
        #[command(flatten)]
        chain: ChainArgs,
        #[command(flatten)]
        key: KeyArgs,
        /// Proposal id.
        proposal: u32,
        /// for | against | abstain.
        support: VoteArg,
        /// Why (stored in the event).
        #[arg(long)]
        reason: Option<String>,
    },
    /// Signs a ballot offline (prints it as JSON), or relays a signed ballot file.
    #[command(subcommand)]
    Ballot(BallotCommand),
    /// Queues a succeeded proposal.
    Queue {
        #[command(flatten)]
        chain: ChainArgs,
        #[command(flatten)]
        key: KeyArgs,
        /// Proposal id.
        proposal: u32,
    },
    /// Executes a queued proposal after its timelock.
    Execute {
        #[command(flatten)]
        chain: ChainArgs,
        #[command(flatten)]
        key: KeyArgs,
        /// Proposal id.
        proposal: u32,
    },
    /// Lists a fund's approved spends.
    Spends {
        #[command(flatten)]
        chain: ChainArgs,
        /// Which fund.
        #[arg(long, value_enum, default_value = "compute")]
        fund: FundArg,
    },
    /// Stewards: pays the next due tranche of an approved spend.
    Payout {
        #[command(flatten)]
        chain: ChainArgs,
        #[command(flatten)]
        key: KeyArgs,
        /// Spend id.
        spend: u32,
        /// Which fund.
        #[arg(long, value_enum, default_value = "compute")]
        fund: FundArg,
    },
    /// Creators: registers a work (its content hash is the keccak-256 of the file).
    RegisterWork {
        #[command(flatten)]
        chain: ChainArgs,
        #[command(flatten)]
        key: KeyArgs,
        /// The work's file.
        file: PathBuf,
        /// Title.
        #[arg(long)]
        title: String,
        /// Generation prompt.
        #[arg(long, default_value = "")]
        prompt: String,
        /// Share claimed, basis points.
        #[arg(long, default_value_t = 7_000)]
        share_bps: u32,
    },
    /// Pays a royalty for a work (split between creator and funds).
    Route {
        #[command(flatten)]
        chain: ChainArgs,
        #[command(flatten)]
        key: KeyArgs,
        /// Work id.
        work: u64,
        /// Amount in tokens (decimal, 18 decimals).
        amount: String,
    },
    /// Reads state: `show proposal 3`, `show member //Bob`.
    Show {
        #[command(flatten)]
        chain: ChainArgs,
        /// proposal | member
        what: String,
        /// Proposal id, or account (dev URI or 0x H160).
        id: String,
    },
}

/// Member commands.
#[derive(Debug, Subcommand)]
// The flattened `chain` / `key` fields are argument groups documented on their own types.
#[allow(missing_docs)]
pub enum MemberCommand {
    /// Records a contribution for attestation; evidence is the keccak-256 of a file.
    Record {
        #[command(flatten)]
        chain: ChainArgs,
        #[command(flatten)]
        key: KeyArgs,
        /// Category.
        #[arg(long, value_enum)]
        category: CategoryArg,
        /// Evidence file (dataset card, model card, document).
        evidence: PathBuf,
    },
    /// Attests a contribution (attestors only).
    Attest {
        #[command(flatten)]
        chain: ChainArgs,
        #[command(flatten)]
        key: KeyArgs,
        /// Contribution id.
        id: u64,
    },
    /// Activates a pending contribution whose attestations by current attestors reach the
    /// threshold now (after governance lowered it); anyone may.
    Activate {
        #[command(flatten)]
        chain: ChainArgs,
        #[command(flatten)]
        key: KeyArgs,
        /// Contribution id.
        id: u64,
    },
    /// Delegates voting weight to another member.
    Delegate {
        #[command(flatten)]
        chain: ChainArgs,
        #[command(flatten)]
        key: KeyArgs,
        /// Delegate (dev URI or 0x H160).
        to: String,
    },
}

/// Asset kinds in the provenance registry.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum AssetKindArg {
    /// A dataset.
    Dataset,
    /// A trained or fine-tuned model.
    Model,
}

/// Provenance commands.
#[derive(Debug, Subcommand)]
// The flattened `chain` / `key` fields are argument groups documented on their own types.
#[allow(missing_docs)]
pub enum AssetCommand {
    /// Registers a dataset or model as one of its rights holders (its content hash is the
    /// keccak-256 of the file); no holder consents yet.
    Register {
        #[command(flatten)]
        chain: ChainArgs,
        #[command(flatten)]
        key: KeyArgs,
        /// The asset's file.
        file: PathBuf,
        /// Dataset or model.
        #[arg(long, value_enum)]
        kind: AssetKindArg,
        /// License code.
        #[arg(long, default_value_t = 0)]
        license: u32,
        /// Every rights holder (dev URI or 0x H160), the signer among them; repeat the flag.
        #[arg(long = "holder", required = true)]
        holders: Vec<String>,
    },
    /// Grants (or with --revoke, revokes) the signer's consent to the asset's use.
    Consent {
        #[command(flatten)]
        chain: ChainArgs,
        #[command(flatten)]
        key: KeyArgs,
        /// Asset id.
        id: u32,
        /// Revoke instead of grant.
        #[arg(long)]
        revoke: bool,
    },
    /// Disputes a registration (the asset is not its holders'); the evidence is the
    /// keccak-256 of a file. Its consent is suspended until governance resolves it.
    Dispute {
        #[command(flatten)]
        chain: ChainArgs,
        #[command(flatten)]
        key: KeyArgs,
        /// Asset id.
        id: u32,
        /// The evidence file.
        evidence: PathBuf,
    },
}

/// Ballot commands.
#[derive(Debug, Subcommand)]
// The flattened `chain` / `key` fields are argument groups documented on their own types.
#[allow(missing_docs)]
pub enum BallotCommand {
    /// Signs a ballot with the voter's key (nothing is submitted); prints JSON.
    Sign {
        #[command(flatten)]
        chain: ChainArgs,
        #[command(flatten)]
        key: KeyArgs,
        /// Proposal id.
        proposal: u32,
        /// for | against | abstain.
        support: VoteArg,
        /// Last block at which the ballot may be counted (default: the proposal's current
        /// end of voting).
        #[arg(long)]
        deadline: Option<u32>,
    },
    /// Relays a signed ballot (a file `ballot sign` wrote), paying for it.
    Relay {
        #[command(flatten)]
        chain: ChainArgs,
        #[command(flatten)]
        key: KeyArgs,
        /// The ballot JSON.
        file: PathBuf,
    },
}

/// Parses a token amount ("1.5") into contract units (18 decimals).
///
/// # Errors
/// When it is not a non-negative decimal with at most 18 fractional digits.
pub fn parse_amount(s: &str) -> Result<u128> {
    let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
    if whole.is_empty() && frac.is_empty()
        || !whole.chars().all(|c| c.is_ascii_digit())
        || !frac.chars().all(|c| c.is_ascii_digit())
        || frac.len() > 18
    {
        bail!("`{s}` is not an amount (a decimal number of tokens, e.g. 1.5)");
    }
    let whole: u128 = if whole.is_empty() {
        0
    } else {
        whole.parse().context("amount too large")?
    };
    let frac: u128 = format!("{frac:0<18}").parse().unwrap_or(0);
    whole
        .checked_mul(10u128.pow(18))
        .and_then(|w| w.checked_add(frac))
        .context("amount too large")
}

/// Formats contract units as tokens.
pub fn format_amount(units: u128) -> String {
    let whole = units / 10u128.pow(18);
    let frac = units % 10u128.pow(18);
    if frac == 0 {
        return whole.to_string();
    }
    let frac = format!("{frac:018}");
    format!("{whole}.{}", frac.trim_end_matches('0'))
}

/// An account given as a dev URI (`//Bob`) or a 0x H160.
pub fn parse_account(s: &str) -> Result<H160> {
    if let Some(hex) = s.strip_prefix("0x") {
        let bytes = hex::decode(hex).with_context(|| format!("`{s}` is not a hex address"))?;
        let bytes: [u8; 20] = bytes
            .try_into()
            .map_err(|_| anyhow::anyhow!("`{s}` is not a 20-byte address"))?;
        return Ok(H160(bytes));
    }
    if s.starts_with("//") {
        let k = wallet::keypair(Some(s), None)?;
        return Ok(H160(Chain::address_of(&k)));
    }
    bail!("`{s}` is neither a dev account (//Bob) nor a 0x address")
}

fn keccak_file(path: &PathBuf) -> Result<[u8; 32]> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    Ok(deploy::code_hash(&bytes))
}

/// The URL: `--url`, else the local chain's recorded URL.
fn url_of(args: &ChainArgs) -> Result<String> {
    if let Some(u) = &args.url {
        return Ok(u.clone());
    }
    let out = Process::new(chain_script()?)
        .arg("url")
        .output()
        .context("cannot run scripts/chain.sh")?;
    if !out.status.success() {
        bail!("no --url given and no local chain is running; start one with `atelier chain start`");
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// The local chain's script (`scripts/chain.sh`): in the checkout named by `ATELIER_ROOT`,
/// else in the one this binary was built from. An installed `atelier` needs it only for the
/// local chain; against any other chain `--url` (or `ATELIER_URL`) is enough.
fn chain_script() -> Result<PathBuf> {
    let root = std::env::var_os("ATELIER_ROOT")
        .map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")), PathBuf::from);
    let script = root.join("scripts/chain.sh");
    if !script.is_file() {
        bail!(
            "the local chain runs from an Atelier checkout and there is none at {}: pass --url \
             (or ATELIER_URL) for a running chain, or set ATELIER_ROOT to a checkout",
            root.display()
        );
    }
    Ok(script)
}

pub(crate) async fn connect(args: &ChainArgs) -> Result<Chain> {
    let url = url_of(args)?;
    Ok(Chain::connect(&url, BackendKind::Legacy).await?)
}

async fn open(args: &ChainArgs) -> Result<DaoClient> {
    let chain = connect(args).await?;
    let deployment = Deployment::load(&args.deployment).with_context(|| {
        format!(
            "no deployment at {}; run `atelier deploy` first",
            args.deployment.display()
        )
    })?;
    if deployment.genesis_hash != format!("0x{}", hex::encode(chain.genesis_hash())) {
        bail!(
            "{} records a deployment on another chain (genesis {}); run `atelier deploy` for this one",
            args.deployment.display(),
            deployment.genesis_hash
        );
    }
    let mut dao = DaoClient::new(chain, deployment)?;
    dao.progress = !args.json;
    Ok(dao)
}

/// Writes `report` as pretty JSON when `json`, otherwise its rendered text.
///
/// # Errors
/// When `out` cannot be written.
pub fn emit(
    out: &mut impl Write,
    json: bool,
    report: &impl serde::Serialize,
    text: String,
) -> Result<()> {
    if json {
        serde_json::to_writer_pretty(&mut *out, report)?;
        writeln!(out)?;
    } else {
        write!(out, "{text}")?;
    }
    Ok(())
}

/// Prints a result: `text` normally, `value` as JSON with `--json`.
fn report(out: &mut dyn Write, json: bool, text: String, value: serde_json::Value) -> Result<()> {
    if json {
        writeln!(out, "{}", serde_json::to_string_pretty(&value)?)?;
    } else {
        writeln!(out, "{text}")?;
    }
    Ok(())
}

fn included_json(i: &Included) -> serde_json::Value {
    json!({
        "block": i.block_number,
        "block_hash": format!("0x{}", hex::encode(i.block_hash)),
        "events": i.events.len(),
    })
}

/// A reader key for dry-run reads: Alice's dev key (reads need an origin; nothing is
/// signed or submitted with it).
fn reader() -> Keypair {
    wallet::dev("Alice")
}

/// `atelier dev`: the local chain started (unless `--url`), the DAO deployed or found,
/// the demo seeded on a fresh deployment, and a summary printed. Returns the chain URL.
///
/// # Errors
/// When the chain does not start, or deployment or seeding fails.
pub async fn dev(
    mut args: ChainArgs,
    stop: &mut tokio::sync::watch::Receiver<bool>,
    out: &mut dyn Write,
) -> Result<Option<String>> {
    if args.url.is_none() {
        let running = Process::new(chain_script()?)
            .arg("url")
            .stderr(std::process::Stdio::null())
            .output()
            .context("cannot run scripts/chain.sh")?;
        let url = if running.status.success() {
            eprintln!("==> using the local chain an earlier `atelier dev` started");
            String::from_utf8_lossy(&running.stdout).trim().to_owned()
        } else {
            eprintln!("==> starting the local chain (the first run builds the runtime: minutes)");
            let output = Process::new(chain_script()?)
                .arg("start")
                .stderr(std::process::Stdio::inherit())
                .output()
                .context("cannot run scripts/chain.sh")?;
            if !output.status.success() {
                bail!("the local chain did not start (see above)");
            }
            String::from_utf8_lossy(&output.stdout).trim().to_owned()
        };
        args.url = Some(url);
    }
    let Some(chain) = crate::service::connect_chain(&url_of(&args)?, stop).await? else {
        return Ok(None);
    };
    let alice = wallet::dev("Alice");
    let (deployment, fresh) = match deploy::existing(&chain, &alice, &args.deployment).await {
        Some(d) => (d, false),
        None => {
            eprintln!("==> deploying the DAO");
            let d = deploy::deploy(&chain, &alice, &DeployConfig::dev(), |s| eprintln!("  {s}"))
                .await?;
            d.save(&args.deployment)?;
            (d, true)
        }
    };
    let dao = DaoClient::new(chain, deployment)?;
    let seeded = if fresh {
        eprintln!("==> seeding the demo DAO");
        Some(crate::seed::seed(&dao, |s| eprintln!("  {s}")).await?)
    } else {
        None
    };
    let url = dao.chain.url().to_owned();
    let mut text = format!(
        "chain       {url}\ndeployment  {}\n",
        args.deployment.display()
    );
    for (role, d) in &dao.deployment.contracts {
        text.push_str(&format!("  {role:<18} {}\n", d.address));
    }
    match &seeded {
        Some(s) => text.push_str(&format!(
            "seeded: proposal #{} executed (grant paid: {}), #{} defeated, #{} open for voting\n",
            s.executed,
            format_amount(s.paid),
            s.defeated,
            s.open
        )),
        None => text.push_str("the DAO was deployed earlier on this chain; nothing seeded again\n"),
    }
    text.push_str(&format!(
        "try: ATELIER_URL={url} atelier show proposal 2 | atelier vote 2 for --suri //Eve\nstop the chain: atelier chain stop"
    ));
    report(
        out,
        args.json,
        text,
        json!({"url": url, "deployment": dao.deployment, "seeded": seeded}),
    )?;
    Ok(Some(url))
}

/// Runs a chain command, printing to `out`; progress goes to stderr.
///
/// # Errors
/// Every failure as a sentence (contract errors translated, keys never shown).
pub async fn run(cmd: ChainCommand, out: &mut dyn Write) -> Result<()> {
    match cmd {
        ChainCommand::Chain { action, port, dir } => {
            let mut p = Process::new(chain_script()?);
            p.arg(&action);
            if let Some(port) = port {
                p.args(["--port", &port.to_string()]);
            }
            if let Some(dir) = dir {
                p.arg("--dir").arg(dir);
            }
            let status = p.status().context("cannot run scripts/chain.sh")?;
            if !status.success() {
                bail!("`atelier chain {action}` failed (see above)");
            }
        }
        ChainCommand::Deploy { chain, key, force } => {
            let signer = key.keypair()?;
            let client = connect(&chain).await?;
            if !force {
                if let Some(d) = deploy::existing(&client, &signer, &chain.deployment).await {
                    return report(
                        out,
                        chain.json,
                        format!(
                            "already deployed on this chain (see {}); pass --force to deploy again",
                            chain.deployment.display()
                        ),
                        serde_json::to_value(&d)?,
                    );
                }
            }
            let d = deploy::deploy(&client, &signer, &DeployConfig::dev(), |s| {
                eprintln!("  {s}")
            })
            .await?;
            d.save(&chain.deployment)?;
            report(
                out,
                chain.json,
                format!("deployed; wrote {}", chain.deployment.display()),
                serde_json::to_value(&d)?,
            )?;
        }
        ChainCommand::Index {
            chain,
            db,
            once,
            best,
            start_block,
            metrics,
            concurrency,
            batch_blocks,
            to_block,
            no_store,
        } => {
            if concurrency == 0 || batch_blocks == 0 {
                bail!("--concurrency and --batch-blocks must be at least 1");
            }
            if no_store {
                let from = start_block.unwrap_or(0);
                return fetch_only(&chain, from, to_block, concurrency, out).await;
            }
            let options = atelier_indexer::Options {
                start_block,
                concurrency,
                batch_blocks,
                stop_block: to_block,
                follow: if best {
                    atelier_indexer::Follow::Best
                } else {
                    atelier_indexer::Follow::Finalized
                },
                ..atelier_indexer::Options::default()
            };
            index(&chain, &db, once, options, metrics, out).await?;
        }
        ChainCommand::BenchIndex {
            chain,
            db,
            events,
            samples,
        } => {
            let figures = crate::bench::run(&chain, &db, events, samples).await?;
            let mut text = format!(
                "{:<9} {:>9} {:>8} {:>12} {:>14} {:>7} {:>13} {:>10} {:>9}\n",
                "backend",
                "events",
                "blocks",
                "events/s",
                "decode-only/s",
                "ratio",
                "latency p50",
                "max",
                "peak RSS"
            );
            let ms = |v: Option<f64>| v.map_or_else(|| "-".to_owned(), |v| format!("{v:.1} ms"));
            for f in &figures {
                text.push_str(&format!(
                    "{:<9} {:>9} {:>8} {:>12.0} {:>14.0} {:>7.2} {:>13} {:>10} {:>6.0} MiB\n",
                    f.backend,
                    f.events,
                    f.blocks,
                    f.events_per_s,
                    f.decode_only_events_per_s,
                    f.events_per_s / f.decode_only_events_per_s.max(1e-9),
                    ms(f.head_latency_median_ms),
                    ms(f.head_latency_max_ms),
                    f.peak_rss_mib
                ));
            }
            report(out, chain.json, text, json!(figures))?;
        }
        ChainCommand::BenchSync {
            chain,
            db,
            royalties,
            per_call,
            per_batch,
            empty_to,
            chain_pid,
            concurrency,
        } => {
            if concurrency == 0 {
                bail!("--concurrency must be at least 1");
            }
            let dao = open(&chain).await?;
            let plan = crate::bench_sync::Plan {
                dbs: db,
                royalties,
                per_call,
                per_batch,
                empty_to,
                chain_pid,
                concurrency,
            };
            let r = crate::bench_sync::run(&chain, &dao, &plan).await?;
            let mut text = format!(
                "blocks 0..={} empty, {}..={} dense (dense history built in {:.0} s)\n{:<9} {:<6} {:>7} {:>7} {:>8} {:>10} {:>9} {:>8} {:>9} {:>10}\n",
                r.empty_to,
                r.empty_to + 1,
                r.head,
                r.build_seconds,
                "run",
                "stretch",
                "blocks",
                "events",
                "seconds",
                "events/s",
                "blocks/s",
                "ceiling",
                "peak RSS",
                "chain CPU"
            );
            for x in &r.runs {
                text.push_str(&format!(
                    "{:<9} {:<6} {:>7} {:>7} {:>8.2} {:>10.0} {:>9.0} {:>7.0}% {:>5.0} MiB {:>8.1} s\n",
                    x.what,
                    x.stretch,
                    x.blocks,
                    x.events,
                    x.seconds,
                    x.events_per_s,
                    x.blocks_per_s,
                    x.of_ceiling * 100.0,
                    x.peak_rss_mib,
                    x.chain_cpu_s.unwrap_or(f64::NAN)
                ));
            }
            report(out, chain.json, text, json!(r))?;
        }
        ChainCommand::Member(m) => member(m, out).await?,
        ChainCommand::Asset(a) => asset(a, out).await?,
        ChainCommand::Propose {
            chain,
            key,
            description,
            grant_to,
            amount,
            category,
        } => {
            let text = std::fs::read_to_string(&description).with_context(|| {
                format!("cannot read the description file {}", description.display())
            })?;
            if text.trim().is_empty() {
                bail!("the description file {} is empty", description.display());
            }
            let signer = key.keypair()?;
            let dao = open(&chain).await?;
            let action = if let (Some(to), Some(amount)) = (grant_to, amount) {
                let (now, _) = dao.chain.head().await?;
                let request = atelier_abi::common::SpendRequest::single(
                    parse_account(&to)?,
                    parse_amount(&amount)?,
                    u32::try_from(now)?.saturating_add(100_000),
                );
                action(
                    &dao,
                    "compute_fund",
                    treasury::messages::approve_spend(request),
                )?
            } else if let Some(c) = category {
                let (id, m) = c
                    .split_once(':')
                    .context("--category is `id:multiplier`, e.g. 9:15")?;
                let set = membership::messages::set_category(id.parse()?, m.parse()?);
                action(&dao, "membership", set)?
            } else {
                bail!("say what the proposal does: --grant-to and --amount, or --category");
            };
            let propose = governor::messages::propose(vec![action], text);
            let (id, i) = dao.send(&signer, "governor", propose, 0).await?;
            report(
                out,
                chain.json,
                format!("proposal #{id} created in block {}", i.block_number),
                json!({"proposal": id, "tx": included_json(&i)}),
            )?;
        }
        ChainCommand::Vote {
            chain,
            key,
            proposal,
            support,
            reason,
        } => {
            let signer = key.keypair()?;
            let dao = open(&chain).await?;
            let cast = governor::messages::cast_vote(proposal, support.into(), reason);
            let sent = dao.send(&signer, "governor", cast, 0).await;
            let (weight, i) = match sent {
                Err(CallError::Contract { name, .. })
                    if name == governor::Error::VotingNotOpen.name() =>
                {
                    bail!("{}", voting_window(&dao, proposal).await?)
                }
                other => other?,
            };
            report(
                out,
                chain.json,
                format!(
                    "voted {support:?} on #{proposal} with weight {weight} (block {})",
                    i.block_number
                ),
                json!({"proposal": proposal, "weight": weight.to_string(), "tx": included_json(&i)}),
            )?;
        }
        ChainCommand::Ballot(b) => ballot(b, out).await?,
        ChainCommand::Queue {
            chain,
            key,
            proposal,
        } => {
            let dao = open(&chain).await?;
            let queue = governor::messages::queue(proposal);
            let (eta, i) = dao.send(&key.keypair()?, "governor", queue, 0).await?;
            report(
                out,
                chain.json,
                format!("#{proposal} queued; executable from block {eta}"),
                json!({"proposal": proposal, "eta": eta, "tx": included_json(&i)}),
            )?;
        }
        ChainCommand::Execute {
            chain,
            key,
            proposal,
        } => {
            let dao = open(&chain).await?;
            let execute = governor::messages::execute(proposal);
            let ((), i) = dao.send(&key.keypair()?, "governor", execute, 0).await?;
            report(
                out,
                chain.json,
                format!("#{proposal} executed in block {}", i.block_number),
                json!({"proposal": proposal, "tx": included_json(&i)}),
            )?;
        }
        ChainCommand::Spends { chain, fund } => {
            let dao = open(&chain).await?;
            let r = reader();
            let count = dao
                .read(&r, fund.role(), treasury::messages::spend_count())
                .await?;
            let mut rows = Vec::new();
            for id in 0..count {
                let spend = dao
                    .read(&r, fund.role(), treasury::messages::spend(id))
                    .await?;
                let state = dao
                    .read(&r, fund.role(), treasury::messages::spend_state(id))
                    .await?;
                if let (Some(s), Some(state)) = (spend, state) {
                    rows.push((id, s, state));
                }
            }
            let text = rows
                .iter()
                .map(|(id, s, state)| {
                    format!(
                        "#{id} {state:?}: {} to 0x{} ({} of {} tranches paid, {} paid), payable blocks {}..={}",
                        format_amount(s.request.amount),
                        hex::encode(s.request.beneficiary.0),
                        s.tranches_paid,
                        s.request.tranches,
                        format_amount(s.paid),
                        s.request.valid_from,
                        s.request.expires_at
                    )
                })
                .collect::<Vec<_>>()
                .join("\n");
            let value = rows
                .iter()
                .map(|(id, s, state)| {
                    json!({"id": id, "state": format!("{state:?}"), "beneficiary": format!("0x{}", hex::encode(s.request.beneficiary.0)),
                           "amount": s.request.amount.to_string(), "paid": s.paid.to_string(),
                           "tranches": s.request.tranches, "tranches_paid": s.tranches_paid,
                           "valid_from": s.request.valid_from, "expires_at": s.request.expires_at})
                })
                .collect::<Vec<_>>();
            let text = if text.is_empty() {
                "no approved spends".to_owned()
            } else {
                text
            };
            report(out, chain.json, text, json!(value))?;
        }
        ChainCommand::Payout {
            chain,
            key,
            spend,
            fund,
        } => {
            let dao = open(&chain).await?;
            let payout = treasury::messages::payout(spend);
            let (amount, i) = dao.send(&key.keypair()?, fund.role(), payout, 0).await?;
            report(
                out,
                chain.json,
                format!(
                    "paid {} for spend #{spend} in block {}",
                    format_amount(amount),
                    i.block_number
                ),
                json!({"spend": spend, "amount": amount.to_string(), "tx": included_json(&i)}),
            )?;
        }
        ChainCommand::RegisterWork {
            chain,
            key,
            file,
            title,
            prompt,
            share_bps,
        } => {
            let content = keccak_file(&file)?;
            let dao = open(&chain).await?;
            let m = royalty_router::WorkMetadata {
                title,
                prompt,
                description: String::new(),
                tags: Vec::new(),
                image_hash: None,
            };
            let register = royalty_router::messages::register_work(content, m, share_bps);
            let (id, i) = dao
                .send(&key.keypair()?, "royalty_router", register, 0)
                .await?;
            report(
                out,
                chain.json,
                format!("work #{id} registered in block {}", i.block_number),
                json!({"work": id, "tx": included_json(&i)}),
            )?;
        }
        ChainCommand::Route {
            chain,
            key,
            work,
            amount,
        } => {
            let units = parse_amount(&amount)?;
            let dao = open(&chain).await?;
            let ratio = dao.chain.native_to_eth_ratio()?;
            if units % ratio != 0 {
                bail!(
                    "`{amount}` has more precision than the chain's native token ({} decimals)",
                    18 - ratio.ilog10()
                );
            }
            let route = royalty_router::messages::route(work);
            let ((c, f, r), i) = dao
                .send(&key.keypair()?, "royalty_router", route, units / ratio)
                .await?;
            report(
                out,
                chain.json,
                format!(
                    "royalty routed: creator {}, Compute Fund {}, Community Reserve {}",
                    format_amount(c),
                    format_amount(f),
                    format_amount(r)
                ),
                json!({"work": work, "creator": c.to_string(), "compute": f.to_string(), "reserve": r.to_string(), "tx": included_json(&i)}),
            )?;
        }
        ChainCommand::Show { chain, what, id } => show(&chain, &what, &id, out).await?,
    }
    Ok(())
}

/// Why a proposal does not take votes now, with its blocks ("voting closed at block 1,204").
async fn voting_window(dao: &DaoClient, proposal: u32) -> Result<String> {
    let p = dao
        .read(
            &reader(),
            "governor",
            governor::messages::proposal(proposal),
        )
        .await?;
    let p = p.with_context(|| format!("there is no proposal #{proposal}"))?;
    let (now, _) = dao.chain.head().await?;
    Ok(if u64::from(p.vote_end) < now {
        format!(
            "voting on #{proposal} closed at block {}",
            group(p.vote_end)
        )
    } else {
        format!(
            "voting on #{proposal} opens at block {} (now {})",
            group(p.snapshot + 1),
            group(u32::try_from(now).unwrap_or(u32::MAX))
        )
    })
}

/// 1204 -> "1,204".
fn group(n: u32) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Opens an indexer of the deployment in `args` into the store at `db`.
///
/// # Errors
/// When the chain, the deployment file or the store cannot be opened, or they disagree.
pub async fn indexer(
    args: &ChainArgs,
    db: &str,
    start_block: Option<u64>,
) -> Result<atelier_indexer::Indexer> {
    let options = atelier_indexer::Options {
        start_block,
        ..atelier_indexer::Options::default()
    };
    indexer_with(args, db, options).await
}

/// Opens an indexer of the deployment in `args` into the store at `db` with `options`.
///
/// # Errors
/// As [`indexer`].
pub async fn indexer_with(
    args: &ChainArgs,
    db: &str,
    options: atelier_indexer::Options,
) -> Result<atelier_indexer::Indexer> {
    let chain = connect(args).await?;
    let deployment = atelier_indexer::Deployment::load(&args.deployment)?;
    let store = atelier_store::Store::open(db)
        .await
        .with_context(|| format!("cannot open the store {db}"))?;
    Ok(atelier_indexer::Indexer::new(
        chain,
        store,
        &deployment,
        options,
    )?)
}

/// `atelier index`: waits for the chain and the store (either may start later than the
/// indexer, or restart while it starts), then indexes to the head (`once`) or follows it
/// until Ctrl-C or SIGTERM, ending on a committed block.
async fn index(
    args: &ChainArgs,
    db: &str,
    once: bool,
    options: atelier_indexer::Options,
    metrics: Option<std::net::SocketAddr>,
    out: &mut dyn Write,
) -> Result<()> {
    let mut stop = crate::service::stop_signal();
    let url = url_of(args)?;
    let deployment = atelier_indexer::Deployment::load(&args.deployment)?;
    let Some(chain) = crate::service::connect_chain(&url, &mut stop).await? else {
        return Ok(());
    };
    let Some(store) = crate::service::open_store(db, &mut stop).await? else {
        return Ok(());
    };
    let mut ix = atelier_indexer::Indexer::new(chain, store, &deployment, options)?;
    let shared = std::sync::Arc::new(std::sync::Mutex::new(atelier_indexer::Progress::default()));
    if let Some(addr) = metrics {
        serve_metrics(addr, shared.clone()).await?;
    }
    tracing::info!(target: "indexer", "following {url} into {}", atelier_store::describe(db));
    let started = std::time::Instant::now();
    let show_progress = |p: atelier_indexer::Progress| {
        if let Ok(mut m) = shared.lock() {
            *m = p;
        }
        let secs = started.elapsed().as_secs_f64().max(1e-3);
        let rate = p.blocks as f64 / secs;
        let left = p.head.saturating_sub(p.cursor);
        let eta = if left == 0 {
            "at the head".to_owned()
        } else if rate > 0.0 {
            format!("ETA {:.0} s", left as f64 / rate)
        } else {
            "ETA unknown".to_owned()
        };
        tracing::info!(
            target: "indexer",
            "block {} of {} | {} blocks, {} events | {:.0} blocks/s, {:.0} events/s | {eta}{}",
            p.cursor,
            p.head,
            p.blocks,
            p.events,
            rate,
            p.events as f64 / secs,
            if p.errors > 0 {
                format!(" | {} failures recovered", p.errors)
            } else {
                String::new()
            }
        );
    };
    let p = if once {
        let p = ix.sync_to_head(&stop).await?;
        show_progress(p);
        p
    } else {
        ix.run(stop, show_progress).await?
    };
    report(
        out,
        args.json,
        format!(
            "indexed up to block {} ({} blocks, {} contract events this run) into {db}",
            p.cursor, p.blocks, p.events
        ),
        json!({"cursor": p.cursor, "head": p.head, "blocks": p.blocks, "events": p.events,
               "peak_rss_mib": crate::service::peak_rss_mib()}),
    )
}

/// `atelier index --once --no-store`: blocks `from..=to` (default: to the finalized head)
/// fetched and decoded through the indexer's pipeline with nothing stored; prints what
/// `index --once --json` prints.
async fn fetch_only(
    args: &ChainArgs,
    from: u64,
    to: Option<u64>,
    concurrency: usize,
    out: &mut dyn Write,
) -> Result<()> {
    let chain = connect(args).await?;
    let to = match to {
        Some(to) => to,
        None => chain.head().await?.0,
    };
    let (mut blocks, _fetching) =
        atelier_indexer::fetch_blocks(chain, from..=to, concurrency.max(1));
    let (mut n, mut events) = (0u64, 0u64);
    while let Some(block) = blocks.recv().await {
        events += block?.emitted.len() as u64;
        n += 1;
    }
    report(
        out,
        args.json,
        format!("fetched and decoded blocks {from}..={to} ({n} blocks, {events} contract events), stored nothing"),
        json!({"cursor": to, "head": to, "blocks": n, "events": events,
               "peak_rss_mib": crate::service::peak_rss_mib()}),
    )
}

/// Serves the indexer's metrics (`atelier_indexer::metrics`, set from `progress` at each
/// scrape) at `http://addr/metrics`, through `atelier_api::metrics::serve`.
async fn serve_metrics(
    addr: std::net::SocketAddr,
    progress: std::sync::Arc<std::sync::Mutex<atelier_indexer::Progress>>,
) -> Result<()> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot serve metrics on {addr}"))?;
    let addr = listener.local_addr().unwrap_or(addr);
    tracing::info!(target: "indexer", "metrics at http://{addr}/metrics");
    let metrics = std::sync::Arc::new(atelier_indexer::metrics::Metrics::default());
    let started = std::time::Instant::now();
    let render = move || {
        let p = progress.lock().map(|p| *p).unwrap_or_default();
        metrics.observe(&p, started.elapsed());
        atelier_api::metrics::encode(metrics.registry())
    };
    tokio::spawn(async move {
        if let Err(err) = atelier_api::metrics::serve(listener, render).await {
            tracing::error!(target: "indexer", %err, "the metrics endpoint stopped");
        }
    });
    Ok(())
}

fn action<R>(
    dao: &DaoClient,
    role: &str,
    message: atelier_abi::Message<R>,
) -> Result<governor::Action> {
    Ok(crate::seed::action(dao, role, message)?)
}

async fn member(cmd: MemberCommand, out: &mut dyn Write) -> Result<()> {
    match cmd {
        MemberCommand::Record {
            chain,
            key,
            category,
            evidence,
        } => {
            let hash = keccak_file(&evidence)?;
            let dao = open(&chain).await?;
            let record = membership::messages::record_contribution(category as u32, hash);
            let (id, i) = dao.send(&key.keypair()?, "membership", record, 0).await?;
            report(
                out,
                chain.json,
                format!(
                    "contribution #{id} recorded in block {}; it needs attestations",
                    i.block_number
                ),
                json!({"contribution": id, "tx": included_json(&i)}),
            )
        }
        MemberCommand::Attest { chain, key, id } => {
            let dao = open(&chain).await?;
            let attest = membership::messages::attest(id);
            let ((), i) = dao.send(&key.keypair()?, "membership", attest, 0).await?;
            report(
                out,
                chain.json,
                format!("attested contribution #{id} in block {}", i.block_number),
                json!({"contribution": id, "tx": included_json(&i)}),
            )
        }
        MemberCommand::Activate { chain, key, id } => {
            let dao = open(&chain).await?;
            let activate = membership::messages::activate_contribution(id);
            let ((), i) = dao.send(&key.keypair()?, "membership", activate, 0).await?;
            report(
                out,
                chain.json,
                format!("activated contribution #{id} in block {}", i.block_number),
                json!({"contribution": id, "tx": included_json(&i)}),
            )
        }
        MemberCommand::Delegate { chain, key, to } => {
            let to = parse_account(&to)?;
            let dao = open(&chain).await?;
            let delegate = membership::messages::delegate(to);
            let ((), i) = dao.send(&key.keypair()?, "membership", delegate, 0).await?;
            report(
                out,
                chain.json,
                format!(
                    "delegated to 0x{} in block {}",
                    hex::encode(to.0),
                    i.block_number
                ),
                json!({"delegate": format!("0x{}", hex::encode(to.0)), "tx": included_json(&i)}),
            )
        }
    }
}

async fn asset(cmd: AssetCommand, out: &mut dyn Write) -> Result<()> {
    let registry = "provenance";
    match cmd {
        AssetCommand::Register {
            chain,
            key,
            file,
            kind,
            license,
            holders,
        } => {
            let content = keccak_file(&file)?;
            let holders = holders
                .iter()
                .map(|h| parse_account(h))
                .collect::<Result<Vec<_>>>()?;
            let kind = match kind {
                AssetKindArg::Dataset => provenance::AssetKind::Dataset,
                AssetKindArg::Model => provenance::AssetKind::Model,
            };
            let dao = open(&chain).await?;
            let register = provenance::messages::register(kind, content, license, holders);
            let (id, i) = dao.send(&key.keypair()?, registry, register, 0).await?;
            report(
                out,
                chain.json,
                format!("asset #{id} registered in block {}", i.block_number),
                json!({"asset": id, "content_hash": format!("0x{}", hex::encode(content)), "tx": included_json(&i)}),
            )
        }
        AssetCommand::Consent {
            chain,
            key,
            id,
            revoke,
        } => {
            let dao = open(&chain).await?;
            let message = if revoke {
                provenance::messages::revoke_consent(id)
            } else {
                provenance::messages::grant_consent(id)
            };
            let ((), i) = dao.send(&key.keypair()?, registry, message, 0).await?;
            let what = if revoke { "revoked" } else { "granted" };
            report(
                out,
                chain.json,
                format!("consent to asset #{id} {what} in block {}", i.block_number),
                json!({"asset": id, "consent": !revoke, "tx": included_json(&i)}),
            )
        }
        AssetCommand::Dispute {
            chain,
            key,
            id,
            evidence,
        } => {
            let evidence = keccak_file(&evidence)?;
            let dao = open(&chain).await?;
            let dispute = provenance::messages::dispute(id, evidence);
            let ((), i) = dao.send(&key.keypair()?, registry, dispute, 0).await?;
            report(
                out,
                chain.json,
                format!(
                    "asset #{id} disputed in block {}: its consent is suspended until \
                     governance resolves the dispute",
                    i.block_number
                ),
                json!({"asset": id, "evidence": format!("0x{}", hex::encode(evidence)), "tx": included_json(&i)}),
            )
        }
    }
}

async fn ballot(cmd: BallotCommand, out: &mut dyn Write) -> Result<()> {
    match cmd {
        BallotCommand::Sign {
            chain,
            key,
            proposal,
            support,
            deadline,
        } => {
            let signer = key.keypair()?;
            let dao = open(&chain).await?;
            let voter = H160(Chain::address_of(&signer));
            let deadline = match deadline {
                Some(d) => d,
                None => {
                    dao.read(
                        &reader(),
                        "governor",
                        governor::messages::proposal(proposal),
                    )
                    .await?
                    .with_context(|| format!("there is no proposal {proposal}"))?
                    .vote_end
                }
            };
            let nonce = dao
                .read(
                    &reader(),
                    "governor",
                    governor::messages::nonce(voter, proposal),
                )
                .await?;
            let ballot = Ballot {
                proposal_id: proposal,
                support: support.into(),
                voter,
                nonce,
                deadline,
            };
            let payload = dao
                .read(
                    &reader(),
                    "governor",
                    governor::messages::ballot_payload(ballot),
                )
                .await?;
            let signature = signer.sign(&payload).0;
            let value = json!({
                "proposal": proposal,
                "support": format!("{support:?}"),
                "voter": format!("0x{}", hex::encode(voter.0)),
                "nonce": nonce,
                "deadline": deadline,
                "public_key": format!("0x{}", hex::encode(signer.public_key().0)),
                "signature": format!("0x{}", hex::encode(signature)),
            });
            // The ballot is the output either way: it is what the relayer needs.
            writeln!(out, "{}", serde_json::to_string_pretty(&value)?)?;
            Ok(())
        }
        BallotCommand::Relay { chain, key, file } => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("cannot read the ballot {}", file.display()))?;
            let v: serde_json::Value = serde_json::from_str(&text)
                .with_context(|| format!("{} is not a ballot (JSON)", file.display()))?;
            let field = |k: &str| -> Result<&serde_json::Value> {
                v.get(k).with_context(|| format!("the ballot has no `{k}`"))
            };
            let bytes = |k: &str| -> Result<Vec<u8>> {
                let s = field(k)?.as_str().context("expected a hex string")?;
                Ok(hex::decode(s.trim_start_matches("0x"))?)
            };
            let support: Support = field("support")?
                .as_str()
                .context("the ballot's support is not a string")?
                .parse()
                .context("the ballot's support is not For, Against or Abstain")?;
            let ballot = Ballot {
                proposal_id: u32::try_from(field("proposal")?.as_u64().context("proposal id")?)?,
                support,
                voter: H160(
                    bytes("voter")?
                        .try_into()
                        .map_err(|_| anyhow::anyhow!("voter is not 20 bytes"))?,
                ),
                nonce: field("nonce")?.as_u64().context("nonce")?,
                deadline: u32::try_from(field("deadline")?.as_u64().context("deadline")?)?,
            };
            let public: [u8; 32] = bytes("public_key")?
                .try_into()
                .map_err(|_| anyhow::anyhow!("public_key is not 32 bytes"))?;
            let signature: [u8; 64] = bytes("signature")?
                .try_into()
                .map_err(|_| anyhow::anyhow!("signature is not 64 bytes"))?;
            let dao = open(&chain).await?;
            let cast = governor::messages::cast_vote_by_sig(ballot, public, signature);
            let (weight, i) = dao.send(&key.keypair()?, "governor", cast, 0).await?;
            report(
                out,
                chain.json,
                format!(
                    "relayed the ballot: {support:?} with weight {weight} (block {})",
                    i.block_number
                ),
                json!({"weight": weight.to_string(), "tx": included_json(&i)}),
            )
        }
    }
}

async fn show(chain: &ChainArgs, what: &str, id: &str, out: &mut dyn Write) -> Result<()> {
    let dao = open(chain).await?;
    let r = reader();
    match what {
        "proposal" => {
            let id: u32 = id
                .parse()
                .with_context(|| format!("`{id}` is not a proposal id"))?;
            let p = dao
                .read(&r, "governor", governor::messages::proposal(id))
                .await?;
            let p = p.with_context(|| format!("there is no proposal #{id}"))?;
            let state = dao
                .read(&r, "governor", governor::messages::state(id))
                .await?;
            let state = state.map_or_else(|_| "unknown".to_owned(), |s| s.to_string());
            let (block, _) = dao.chain.head().await?;
            let window = if u64::from(p.vote_end) < block {
                format!("voting closed at block {}", p.vote_end)
            } else {
                format!("voting from block {} to {}", p.snapshot + 1, p.vote_end)
            };
            report(
                out,
                chain.json,
                format!(
                    "proposal #{id}: {state}; {window}; For {} / Against {} / Abstain {}; quorum {}",
                    p.for_votes,
                    p.against_votes,
                    p.abstain_votes,
                    p.quorum.map_or("not fixed yet".to_owned(), |q| q.to_string())
                ),
                json!({"id": id, "state": state, "proposer": format!("0x{}", hex::encode(p.proposer.0)),
                       "snapshot": p.snapshot, "vote_end": p.vote_end, "for": p.for_votes.to_string(),
                       "against": p.against_votes.to_string(), "abstain": p.abstain_votes.to_string(),
                       "quorum": p.quorum.map(|q| q.to_string()), "eta": p.eta, "executed": p.executed, "canceled": p.canceled}),
            )
        }
        "member" => {
            let who = parse_account(id)?;
            let own = dao
                .read(&r, "membership", membership::messages::weight_of(who))
                .await?;
            let votes = dao
                .read(&r, "membership", membership::messages::votes(who))
                .await?;
            let delegate = dao
                .read(&r, "membership", membership::messages::delegate_of(who))
                .await?;
            // `delegate_of` answers the account itself when it has not delegated.
            let delegate = (delegate != who).then_some(delegate);
            report(
                out,
                chain.json,
                format!(
                    "0x{}: own weight {own}, votes with {votes}{}",
                    hex::encode(who.0),
                    delegate.map_or(String::new(), |d| format!(
                        ", delegates to 0x{}",
                        hex::encode(d.0)
                    ))
                ),
                json!({"account": format!("0x{}", hex::encode(who.0)), "weight": own.to_string(),
                       "votes": votes.to_string(), "delegate": delegate.map(|d| format!("0x{}", hex::encode(d.0)))}),
            )
        }
        other => {
            bail!("cannot show `{other}`: use `show proposal <id>` or `show member <account>`")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_parse_and_format_as_tokens() {
        assert_eq!(parse_amount("1.5").unwrap(), 1_500_000_000_000_000_000);
        assert_eq!(parse_amount("0.000000000000000001").unwrap(), 1);
        assert_eq!(format_amount(1_500_000_000_000_000_000), "1.5");
        assert_eq!(format_amount(2 * 10u128.pow(18)), "2");
        for bad in ["", ".", "-1", "1e3", "0.0000000000000000001", "abc"] {
            assert!(parse_amount(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn block_numbers_are_grouped_by_thousands() {
        assert_eq!(group(1204), "1,204");
        assert_eq!(group(999), "999");
        assert_eq!(group(1_000_000), "1,000,000");
    }

    #[test]
    fn accounts_parse_from_dev_uris_and_hex() {
        let bob = parse_account("//Bob").unwrap();
        assert_eq!(
            parse_account(&format!("0x{}", hex::encode(bob.0))).unwrap(),
            bob
        );
        assert!(parse_account("bob").is_err());
        assert!(parse_account("0x1234").is_err());
    }
}
