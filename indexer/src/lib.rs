//! Atelier's indexer pipeline: follows a pallet-revive chain with `atelier-chain`'s subxt
//! client, decodes the deployed contracts' events from their committed metadata, and writes
//! each block's events and the cursor to the store in one transaction (`atelier-store`), so
//! a stop at any point leaves a consistent checkpoint to resume from.
//!
//! It must not decide what the events mean beyond decoding them (the store derives its
//! tables) and must not serve reads (that is `atelier-api`).

pub mod metrics;

use std::{collections::HashMap, path::Path, sync::Arc, time::Duration};

use atelier_chain::{
    client::{BackendKind, Chain, ClientError},
    decode::{ContractEvents, Event},
};
use atelier_store::{BlockEvents, RawEvent, Store};
use futures::StreamExt;
use serde::Deserialize;
use tokio::sync::mpsc::{self, error::TryRecvError};

/// How long a backfill waits for the next fetched block before it writes what it holds.
const IDLE_FLUSH: Duration = Duration::from_millis(100);

/// How often the head is checked anyway while the chain announces its heads.
const HEAD_POLL_WITH_SUBSCRIPTION: Duration = Duration::from_secs(1);

/// Block hashes asked for in one request.
const HASH_CHUNK: u64 = 512;

/// The backfill's fetch alone: blocks of `range` read and their events decoded (no contract
/// decoding, no store), `concurrency` in flight, in order. What the benchmark measures as the
/// ceiling of the indexer. Drop the guard to stop it.
pub fn fetch_blocks(
    chain: Chain,
    range: std::ops::RangeInclusive<u64>,
    concurrency: usize,
) -> (
    mpsc::Receiver<Result<atelier_chain::client::BlockEvents>>,
    AbortOnDrop,
) {
    fetch(chain, range, concurrency.max(1), Arc::new(|b| b))
}

/// A block number and its hash (`None` above the head), or why it could not be read.
type HashOf = std::result::Result<(u64, Option<[u8; 32]>), ClientError>;

/// A fetch task, stopped when this is dropped.
pub struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Fetches and decodes `range` on tasks of their own, `concurrency` blocks in flight, and
/// hands the blocks over in order, each passed through `then` on its task: hashes by ranges of `HASH_CHUNK` (one request each, the
/// next range asked while the current one is read), then one storage read per block,
/// decoded where it was fetched. The first failure is handed over last. Dropping the
/// returned guard stops it.
fn fetch<T: Send + 'static>(
    chain: Chain,
    range: std::ops::RangeInclusive<u64>,
    concurrency: usize,
    then: Arc<dyn Fn(atelier_chain::client::BlockEvents) -> T + Send + Sync>,
) -> (mpsc::Receiver<Result<T>>, AbortOnDrop) {
    let (tx, rx) = mpsc::channel(concurrency * 4);
    let (from, to) = (*range.start(), *range.end());
    let task = tokio::spawn(async move {
        let ranges = (from..=to)
            .step_by(usize::try_from(HASH_CHUNK).unwrap_or(usize::MAX))
            .map(move |a| (a, a.saturating_add(HASH_CHUNK - 1).min(to)));
        let hashes = {
            let chain = chain.clone();
            futures::stream::iter(ranges)
                .map(move |(a, b)| {
                    let chain = chain.clone();
                    async move { chain.block_hashes(a, b).await.map(|h| (a, h)) }
                })
                .buffered(2)
        };
        let mut blocks = hashes
            .flat_map(|answer| {
                let items: Vec<HashOf> = match answer {
                    Ok((a, hashes)) => (a..).zip(hashes).map(Ok).collect(),
                    Err(e) => vec![Err(e)],
                };
                futures::stream::iter(items)
            })
            .map(|item| {
                let chain = chain.clone();
                let then = then.clone();
                tokio::spawn(async move {
                    let (n, hash) = item?;
                    let hash = hash.ok_or_else(|| {
                        ClientError::Rpc(format!("the chain has no block {n} (any more)"))
                    })?;
                    let raw = chain.raw_block(n, hash).await?;
                    let metadata = chain.metadata_for(&raw).await?;
                    let block = atelier_chain::blocks::decode_block(&metadata, raw)?;
                    Ok::<_, ClientError>(then(block))
                })
            })
            .buffered(concurrency);
        while let Some(joined) = blocks.next().await {
            let item = match joined {
                Ok(Ok(block)) => Ok(block),
                Ok(Err(e)) => Err(IndexError::Chain(e)),
                Err(e) => Err(IndexError::Setup(format!("a block fetch task failed: {e}"))),
            };
            let failed = item.is_err();
            if tx.send(item).await.is_err() || failed {
                break;
            }
        }
    });
    (rx, AbortOnDrop(task))
}

/// Errors of the indexer.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    /// The chain failed (after retries, or in a way retrying cannot fix).
    #[error(transparent)]
    Chain(#[from] ClientError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] atelier_store::Error),
    /// The deployment file or an artifact is missing or malformed.
    #[error("{0}")]
    Setup(String),
    /// The store's cursor is on another chain, or the contracts' metadata does not match.
    #[error("{0}")]
    Mismatch(String),
}

/// Result type of the indexer.
pub type Result<T> = std::result::Result<T, IndexError>;

/// The parts of the deployment file (`atelier deploy`) the indexer reads.
#[derive(Debug, Clone, Deserialize)]
pub struct Deployment {
    /// 0x genesis hash of the chain.
    pub genesis_hash: String,
    /// Contracts by role.
    pub contracts: HashMap<String, Deployed>,
}

/// One deployed contract.
#[derive(Debug, Clone, Deserialize)]
pub struct Deployed {
    /// Artifact name (`membership`, `treasury`, ...).
    pub artifact: String,
    /// 0x H160.
    pub address: String,
    /// Block of its instantiation.
    pub block: u64,
}

impl Deployment {
    /// Reads a deployment file.
    ///
    /// # Errors
    /// `Setup` when it cannot be read or parsed.
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            IndexError::Setup(format!(
                "cannot read the deployment file {}: {e} (run `atelier deploy` first)",
                path.display()
            ))
        })?;
        serde_json::from_str(&text).map_err(|e| {
            IndexError::Setup(format!("{} is not a deployment file: {e}", path.display()))
        })
    }
}

struct Watched {
    /// The contract's role in the deployment (`royalty_router`, `compute_fund`, ...).
    role: String,
    decoder: ContractEvents,
}

/// The watched contracts' decoders, shared with the fetch tasks (blocks are decoded where
/// they are fetched, on the runtime's worker threads, not on the task that writes).
struct Decoders {
    watched: HashMap<[u8; 20], Watched>,
}

impl Decoders {
    /// Reads a new proposal's actions as calls of their targets' messages, for the targets
    /// whose metadata the indexer has (the deployment's contracts); an action that does
    /// not decode keeps only its raw form, and is reported.
    fn decode_actions(&self, event: &mut atelier_types::Event) {
        let atelier_types::Event::ProposalCreated { id, actions, .. } = event else {
            return;
        };
        for a in actions {
            let (Ok(target), Some(selector)) = (
                address(&a.action.target),
                hex::decode(a.action.selector.trim_start_matches("0x"))
                    .ok()
                    .and_then(|b| <[u8; 4]>::try_from(b).ok()),
            ) else {
                continue;
            };
            let Some(w) = self.watched.get(&target) else {
                continue;
            };
            let input = hex::decode(a.action.input.trim_start_matches("0x")).unwrap_or_default();
            match w.decoder.decode_call(selector, &input) {
                Ok(Some(call)) => a.call = Some(call),
                Ok(None) => {
                    tracing::warn!(target: "indexer::decode", proposal = *id, selector = %a.action.selector, "action calls no message of its target");
                }
                Err(err) => {
                    tracing::warn!(target: "indexer::decode", proposal = *id, %err, "action's arguments do not decode");
                }
            }
        }
    }

    /// Decodes a fetched block's events of the watched contracts into what the store keeps.
    fn to_store(&self, b: atelier_chain::client::BlockEvents) -> BlockEvents {
        let mut events = Vec::new();
        for (index, e) in b.emitted {
            let Some(w) = self.watched.get(&e.contract) else {
                continue;
            };
            let (name, event) = match w.decoder.decode(&e.topics, &e.data) {
                Ok(Event::Decoded(d)) => {
                    let domain = d.domain.map(|mut ev| {
                        self.decode_actions(&mut ev);
                        ev
                    });
                    (Some(d.event), domain)
                }
                Ok(Event::Unknown { contract, topic }) => {
                    let topic = topic.map(|t| hex32(&t)).unwrap_or_default();
                    tracing::warn!(target: "indexer::decode", block = b.number, role = %w.role, metadata = %contract, %topic, "unknown event topic; stored raw");
                    (None, None)
                }
                Err(err) => {
                    tracing::warn!(target: "indexer::decode", block = b.number, role = %w.role, %err, "undecodable event; stored raw");
                    (None, None)
                }
            };
            events.push(RawEvent {
                event_index: i64::from(index),
                contract: format!("0x{}", hex::encode(e.contract)),
                name,
                topics: e.topics.iter().map(hex32).collect(),
                data: format!("0x{}", hex::encode(&e.data)),
                event,
            });
        }
        BlockEvents {
            block: i64::try_from(b.number).unwrap_or(i64::MAX),
            hash: hex32(&b.hash),
            events,
            time: b.timestamp.and_then(|t| i64::try_from(t).ok()),
        }
    }
}

/// Which head the indexer follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Follow {
    /// Finalized blocks only: what is stored is never undone.
    #[default]
    Finalized,
    /// The best block: rows appear sooner, and a reorg rolls back the orphaned blocks (the
    /// stored head is checked against the chain every round, and a batch is re-checked
    /// before it is written).
    Best,
}

/// How the indexer follows the chain.
#[derive(Debug, Clone)]
pub struct Options {
    /// Finalized blocks (default) or the best block with reorg rollback.
    pub follow: Follow,
    /// First block to index when the store is empty (default: the earliest deployment block).
    pub start_block: Option<u64>,
    /// Blocks fetched concurrently during backfill.
    pub concurrency: usize,
    /// Pause between polls of the head when caught up and the chain does not announce its
    /// heads (with a head subscription the indexer reads the chain when a head arrives, and
    /// checks it every second besides).
    pub poll: Duration,
    /// Longest pause between reconnection attempts.
    pub max_backoff: Duration,
    /// Most blocks written in one transaction.
    pub batch_blocks: usize,
    /// Most events written in one transaction (a batch closes at the block that reaches it).
    pub batch_events: usize,
    /// Last block to index (default: none, up to the head).
    pub stop_block: Option<u64>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            follow: Follow::Finalized,
            start_block: None,
            concurrency: 16,
            poll: Duration::from_millis(20),
            max_backoff: Duration::from_secs(5),
            batch_blocks: 500,
            batch_events: 5_000,
            stop_block: None,
        }
    }
}

/// Counters the indexer reports.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Progress {
    /// Last block stored.
    pub cursor: u64,
    /// Finalized head last seen.
    pub head: u64,
    /// Blocks stored in this run.
    pub blocks: u64,
    /// Contract events stored in this run.
    pub events: u64,
    /// Chain and store failures recovered from in this run (each followed by a retry).
    pub errors: u64,
}

/// The indexer: a chain, a store and the contracts to watch.
pub struct Indexer {
    chain: Chain,
    store: Store,
    decoders: Arc<Decoders>,
    /// The deployment's contracts by role, written to the store's `contracts` table.
    contracts: Vec<atelier_store::ContractRow>,
    first_block: u64,
    options: Options,
    progress: Progress,
    /// The next block to fetch, once the cursor was checked against the chain; `None`
    /// until then and again after a chain failure (the chain may have changed meanwhile).
    next: Option<u64>,
    /// Whether the contracts were written to the store in this run.
    contracts_stored: bool,
    /// pallet-revive's Ethereum chain id, once read.
    evm_chain_id: Option<u64>,
    /// Members found to have no original Substrate account (Ethereum-derived), not asked
    /// again in this run.
    unmapped: std::collections::HashSet<[u8; 20]>,
    /// Whether the last account lookup failed (retried after the next batch).
    accounts_pending: bool,
}

fn address(hex_addr: &str) -> Result<[u8; 20]> {
    hex::decode(hex_addr.trim_start_matches("0x"))
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| IndexError::Setup(format!("`{hex_addr}` is not a contract address")))
}

fn hex32(bytes: &[u8; 32]) -> String {
    format!("0x{}", hex::encode(bytes))
}

impl Indexer {
    /// An indexer of `deployment`'s contracts on `chain` into `store`, with decoders from
    /// the contracts' committed metadata, embedded in the binary (`atelier-abi`).
    ///
    /// # Errors
    /// `Mismatch` when the deployment is for another chain, `Setup` for a missing artifact.
    pub fn new(
        chain: Chain,
        store: Store,
        deployment: &Deployment,
        options: Options,
    ) -> Result<Self> {
        if deployment.genesis_hash != hex32(&chain.genesis_hash()) {
            return Err(IndexError::Mismatch(format!(
                "the deployment is for chain {} but {} is chain {}",
                deployment.genesis_hash,
                chain.url(),
                hex32(&chain.genesis_hash())
            )));
        }
        let mut watched = HashMap::new();
        let mut contracts = Vec::new();
        let mut first_block = u64::MAX;
        for (role, d) in &deployment.contracts {
            contracts.push(atelier_store::ContractRow {
                address: d.address.to_lowercase(),
                role: role.clone(),
                artifact: d.artifact.clone(),
                block: i64::try_from(d.block).unwrap_or(i64::MAX),
            });
            let decoder = ContractEvents::new(&d.artifact).map_err(|e| {
                IndexError::Setup(format!(
                    "the deployment's {role} is a `{}`: {e} ({})",
                    d.artifact,
                    atelier_abi::CONTRACTS.join(", ")
                ))
            })?;
            watched.insert(
                address(&d.address)?,
                Watched {
                    role: role.clone(),
                    decoder,
                },
            );
            first_block = first_block.min(d.block);
        }
        Ok(Self {
            chain,
            store,
            decoders: Arc::new(Decoders { watched }),
            contracts,
            first_block: if first_block == u64::MAX {
                0
            } else {
                first_block
            },
            options,
            progress: Progress::default(),
            next: None,
            contracts_stored: false,
            evm_chain_id: None,
            unmapped: std::collections::HashSet::new(),
            accounts_pending: false,
        })
    }

    /// What the indexer has done so far.
    pub fn progress(&self) -> Progress {
        self.progress
    }

    /// The store it writes.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Checks the stored cursor against the chain: a block the chain no longer has at that
    /// height (a reorg while the indexer was down) is rolled back to the last common block.
    /// Returns the next block to index.
    ///
    /// # Errors
    /// Chain or store failures.
    pub async fn resume_point(&mut self) -> Result<u64> {
        if !self.contracts_stored {
            self.store.put_contracts(&self.contracts).await?;
            self.contracts_stored = true;
        }
        let Some((mut block, mut hash)) = self.store.cursor().await? else {
            let start = self.options.start_block.unwrap_or(self.first_block);
            return Ok(start);
        };
        loop {
            let n = u64::try_from(block).unwrap_or(0);
            let on_chain = self.chain.block_hash(n).await?;
            if on_chain.map(|h| hex32(&h)) == Some(hash.clone()) {
                self.progress.cursor = n;
                return Ok(n + 1);
            }
            // Walk back to a block both agree on, then drop everything after it.
            if n == 0 {
                return Err(IndexError::Mismatch(
                    "the store's history shares no block with this chain; use a fresh store".into(),
                ));
            }
            let prev = n - 1;
            let prev_hash =
                self.chain.block_hash(prev).await?.ok_or_else(|| {
                    IndexError::Mismatch(format!("the chain has no block {prev}"))
                })?;
            tracing::warn!(target: "indexer::sync", block = n, "stored block is not on the chain; rolling back");
            self.store
                .rollback_to(i64::try_from(prev).unwrap_or(i64::MAX), &hex32(&prev_hash))
                .await?;
            block = i64::try_from(prev).unwrap_or(i64::MAX);
            hash = hex32(&prev_hash);
        }
    }

    /// The chain client it follows.
    pub fn chain(&self) -> &Chain {
        &self.chain
    }

    /// Decodes a fetched block's events of the watched contracts into what the store keeps.
    pub fn to_store(&self, b: atelier_chain::client::BlockEvents) -> BlockEvents {
        self.decoders.to_store(b)
    }

    /// Indexes every finalized block from the resume point (checked against the chain on the
    /// first call and after chain failures, not on every poll) to the current finalized head,
    /// fetching `concurrency` blocks at a time and storing them in order; stops early when
    /// `stop` turns true (between blocks: the checkpoint stays consistent). Returns the
    /// progress.
    ///
    /// # Errors
    /// Chain or store failures.
    pub async fn sync_to_head(
        &mut self,
        stop: &tokio::sync::watch::Receiver<bool>,
    ) -> Result<Progress> {
        let best = self.options.follow == Follow::Best;
        let next = match self.next {
            // Following the best block, the stored head may have been orphaned since the last
            // round: check it every round.
            Some(next) if !best => next,
            _ => {
                let next = self.resume_point().await?;
                self.next = Some(next);
                next
            }
        };
        let (head, head_hash) = if best {
            let n = self.chain.best_number().await?;
            (n, self.chain.block_hash(n).await?.unwrap_or_default())
        } else {
            self.chain.head().await?
        };
        if head != self.progress.head || self.progress.blocks == 0 {
            // what the API reports as the chain head, the lag behind it and the chain's ids
            if self.evm_chain_id.is_none() {
                self.evm_chain_id = self.chain.evm_chain_id().await.ok();
            }
            self.store
                .put_chain_head(&atelier_store::ChainHead {
                    block: i64::try_from(head).unwrap_or(i64::MAX),
                    hash: hex32(&head_hash),
                    finality: if best { "best" } else { "finalized" }.into(),
                    genesis: hex32(&self.chain.genesis_hash()),
                    evm_chain_id: self.evm_chain_id.and_then(|c| i64::try_from(c).ok()),
                })
                .await?;
        }
        self.progress.head = head;
        let target = self.options.stop_block.map_or(head, |s| s.min(head));
        if next > target {
            return Ok(self.progress);
        }
        let last = i64::try_from(target).unwrap_or(i64::MAX);
        let decoders = self.decoders.clone();
        let (mut blocks, _fetching) = fetch(
            self.chain.clone(),
            next..=target,
            self.options.concurrency.max(1),
            Arc::new(move |b| decoders.to_store(b)),
        );
        // Blocks are written in batches (one transaction each) of up to `batch_blocks`
        // blocks or `batch_events` events, and whenever no fetched block is waiting: at the
        // head a block is stored as soon as it arrives. Fetching goes on while a batch is
        // written.
        let mut batch: Vec<BlockEvents> = Vec::new();
        let mut batch_events = 0usize;
        loop {
            let waited = match blocks.try_recv() {
                Ok(item) => Ok(Some(item)),
                Err(TryRecvError::Disconnected) => Ok(None),
                Err(TryRecvError::Empty) if batch.is_empty() => Ok(blocks.recv().await),
                // The round's last block: store it now (head latency).
                Err(TryRecvError::Empty) if batch.last().is_some_and(|b| b.block >= last) => {
                    Err(())
                }
                // Mid-backfill, a short wait for the next block keeps transactions large;
                // a slow chain still sees its blocks stored as they come.
                Err(TryRecvError::Empty) => tokio::time::timeout(IDLE_FLUSH, blocks.recv())
                    .await
                    .map_err(|_| ()),
            };
            let next = match waited {
                Ok(next) => next,
                Err(()) => {
                    self.flush(&mut batch, &mut batch_events).await?;
                    if self.next.is_none() {
                        break; // a reorg dropped the batch: the next round starts over
                    }
                    continue;
                }
            };
            let Some(block) = next else { break };
            if *stop.borrow() {
                break;
            }
            let stored = block?;
            batch_events += stored.events.len();
            batch.push(stored);
            if batch.len() >= self.options.batch_blocks || batch_events >= self.options.batch_events
            {
                self.flush(&mut batch, &mut batch_events).await?;
                if self.next.is_none() {
                    break;
                }
            }
        }
        self.flush(&mut batch, &mut batch_events).await?;
        Ok(self.progress)
    }

    /// Stores already decoded `blocks` in order, in the same batches a backfill writes
    /// (`Options::batch_blocks` / `batch_events`); the benchmark replays recorded blocks
    /// through it.
    ///
    /// # Errors
    /// Store failures (the failing batch is rolled back).
    pub async fn store_blocks(
        &mut self,
        blocks: impl IntoIterator<Item = BlockEvents>,
    ) -> Result<()> {
        let mut batch = Vec::new();
        let mut batch_events = 0usize;
        for block in blocks {
            batch_events += block.events.len();
            batch.push(block);
            if batch.len() >= self.options.batch_blocks || batch_events >= self.options.batch_events
            {
                self.flush(&mut batch, &mut batch_events).await?;
            }
        }
        self.flush(&mut batch, &mut batch_events).await
    }

    async fn flush(
        &mut self,
        batch: &mut Vec<BlockEvents>,
        batch_events: &mut usize,
    ) -> Result<()> {
        let Some(last) = batch.last() else {
            return Ok(());
        };
        let cursor = u64::try_from(last.block).unwrap_or(0);
        if self.options.follow == Follow::Best && !self.still_canonical(batch).await? {
            // A reorg while the batch was fetched: drop it; the next round walks back from
            // the stored head and fetches the new fork.
            tracing::warn!(target: "indexer::sync", block = cursor, "reorg while fetching; refetching");
            self.next = None;
            batch.clear();
            *batch_events = 0;
            return Ok(());
        }
        let stored = self.store.apply_blocks(batch).await?;
        // Members appear only through new events: a batch without any (most blocks at the
        // head) needs no lookup, unless the last one failed.
        if stored > 0 || self.accounts_pending {
            self.record_accounts(last.block).await;
        }
        self.progress.cursor = cursor;
        self.next = Some(cursor + 1);
        self.progress.blocks += batch.len() as u64;
        self.progress.events += *batch_events as u64;
        batch.clear();
        *batch_events = 0;
        Ok(())
    }

    /// Looks up the Substrate accounts of members the store has no account for
    /// (`Chain::original_accounts`, checked to map back) and records them. Best effort: the
    /// batch is already committed, and a failure here is retried after the next batch.
    async fn record_accounts(&mut self, block: i64) {
        self.accounts_pending = true;
        let missing = match self.store.members_without_account().await {
            Ok(m) => m,
            Err(err) => {
                tracing::warn!(target: "indexer::accounts", %err, "cannot read members without an account");
                return;
            }
        };
        let ask: Vec<[u8; 20]> = missing
            .iter()
            .filter_map(|m| address(m).ok())
            .filter(|a| !self.unmapped.contains(a))
            .collect();
        if ask.is_empty() {
            self.accounts_pending = false;
            return;
        }
        match self.chain.original_accounts(&ask).await {
            Ok(found) => {
                let mut rows = Vec::new();
                for (a, id) in ask.iter().zip(found) {
                    match id {
                        Some(id) => rows.push((format!("0x{}", hex::encode(a)), hex32(&id), block)),
                        None => {
                            self.unmapped.insert(*a);
                        }
                    }
                }
                match self.store.put_accounts(&rows).await {
                    Ok(()) => self.accounts_pending = false,
                    Err(err) => {
                        tracing::warn!(target: "indexer::accounts", %err, "cannot record accounts");
                    }
                }
            }
            Err(err) => {
                tracing::warn!(target: "indexer::accounts", %err, "cannot look up members' accounts");
            }
        }
    }

    /// Whether every block of `batch` is still the chain's block at its height.
    async fn still_canonical(&self, batch: &[BlockEvents]) -> Result<bool> {
        for b in batch {
            let on_chain = self
                .chain
                .block_hash(u64::try_from(b.block).unwrap_or(0))
                .await?;
            if on_chain.map(|h| hex32(&h)) != Some(b.hash.clone()) {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// Follows the chain until `stop` turns true: backfills, then polls the finalized head
    /// every `poll`; on a chain failure waits (doubling up to `max_backoff`), reconnects to
    /// the same URL and resumes from the store's cursor. `report` gets the progress after
    /// every sync round that stored something.
    ///
    /// Store failures are retried the same way (each block is one transaction).
    ///
    /// # Errors
    /// Mismatches and setup errors (retrying cannot fix them).
    pub async fn run(
        &mut self,
        mut stop: tokio::sync::watch::Receiver<bool>,
        mut report: impl FnMut(Progress),
    ) -> Result<Progress> {
        let mut backoff = Duration::from_millis(100);
        let best = self.options.follow == Follow::Best;
        // New heads as the chain announces them; without a subscription (refused, or ended
        // with the connection), the head is polled every `poll`.
        let mut heads: Option<futures::stream::BoxStream<'static, _>> = None;
        loop {
            if *stop.borrow() {
                return Ok(self.progress);
            }
            let before = self.progress.blocks;
            if heads.is_none() {
                heads = self.chain.subscribe_heads(best).await.ok();
            }
            match self.sync_to_head(&stop).await {
                Ok(p) => {
                    backoff = Duration::from_millis(100);
                    if p.blocks != before {
                        report(p);
                    }
                    match heads.as_mut() {
                        Some(announced) => tokio::select! {
                            head = announced.next() => {
                                if !matches!(head, Some(Ok(_))) {
                                    heads = None;
                                }
                            }
                            // a safety net: a head missed by the subscription is still found
                            _ = tokio::time::sleep(HEAD_POLL_WITH_SUBSCRIPTION.max(self.options.poll)) => {}
                            _ = stop.changed() => {}
                        },
                        None => tokio::select! {
                            _ = tokio::time::sleep(self.options.poll) => {}
                            _ = stop.changed() => {}
                        },
                    }
                }
                Err(IndexError::Chain(err)) => {
                    self.next = None;
                    self.progress.errors += 1;
                    report(self.progress);
                    tracing::warn!(target: "indexer::sync", %err, backoff_ms = backoff.as_millis() as u64, "chain failed; reconnecting");
                    tokio::select! {
                        _ = tokio::time::sleep(backoff) => {}
                        _ = stop.changed() => {}
                    }
                    backoff = (backoff * 2).min(self.options.max_backoff);
                    if let Ok(chain) = Chain::connect(self.chain.url(), BackendKind::Legacy).await {
                        self.chain = chain;
                        heads = None;
                    }
                }
                // A block and its cursor are one transaction, so a failed write left nothing
                // behind: wait for the database (a restart, a full disk being freed) and
                // resume from the cursor it has.
                Err(IndexError::Store(err)) => {
                    self.next = None;
                    self.progress.errors += 1;
                    report(self.progress);
                    tracing::warn!(target: "indexer::sync", %err, backoff_ms = backoff.as_millis() as u64, "store failed; retrying");
                    tokio::select! {
                        _ = tokio::time::sleep(backoff) => {}
                        _ = stop.changed() => {}
                    }
                    backoff = (backoff * 2).min(self.options.max_backoff);
                }
                Err(other) => return Err(other),
            }
        }
    }
}
