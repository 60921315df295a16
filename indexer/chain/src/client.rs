//! A subxt client of a pallet-revive chain: connect (checking the chain has pallet-revive),
//! dry-run contract calls and instantiations through `ReviveApi`, submit them as signed
//! `Revive` extrinsics with the limits the dry run reported, and read back what the block
//! recorded (contract events, the new contract's address).
//!
//! Everything here is chain-generic: pallet and runtime-API names come from the chain's
//! metadata at run time, never from the project's runtime crate.

use std::sync::Arc;

use codec::{Decode, Encode};
use subxt::{
    backend::LegacyBackend,
    config::substrate::H256,
    dynamic::{self, Value},
    rpcs::RpcClient,
    OnlineClient, SubstrateConfig,
};
use subxt_signer::sr25519::Keypair;

/// Errors of the chain client, as sentences a user can act on.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The URL is not a WebSocket URL.
    #[error("`{0}` is not a chain URL: use ws://HOST:PORT or wss://HOST:PORT")]
    Url(String),
    /// The URL could not be reached or does not speak JSON-RPC.
    #[error(
        "cannot connect to {url}: {reason} (is the chain running? start one with `atelier chain`)"
    )]
    Connect {
        /// The URL.
        url: String,
        /// Why.
        reason: String,
    },
    /// The chain lacks a pallet the client needs (pallet-revive).
    #[error("the chain at {url} has no pallet `{pallet}`: it cannot run Atelier's contracts")]
    MissingPallet {
        /// The URL.
        url: String,
        /// The pallet.
        pallet: String,
    },
    /// The dry run reported an error before anything was submitted.
    #[error("{0}")]
    DryRun(String),
    /// The contract reverted (its output holds the contract's error).
    #[error("the contract reverted")]
    Reverted {
        /// The contract's output.
        data: Vec<u8>,
    },
    /// The transaction was submitted but failed in the block.
    #[error("the transaction failed on chain: {0}")]
    Dispatch(String),
    /// A read of the chain failed, or its answer did not decode.
    #[error("reading the chain: {0}")]
    Rpc(String),
    /// Anything else subxt reports (boxed: subxt's error is large).
    #[error(transparent)]
    Subxt(Box<subxt::Error>),
}

impl ClientError {
    /// Whether waiting and connecting again may succeed: nothing answered yet, or the
    /// connection broke. A malformed URL, a chain without pallet-revive or a contract's
    /// answer are not transient.
    pub fn is_transient(&self) -> bool {
        matches!(self, Self::Connect { .. } | Self::Rpc(_) | Self::Subxt(_))
    }
}

impl From<subxt::Error> for ClientError {
    fn from(e: subxt::Error) -> Self {
        Self::Subxt(Box::new(e))
    }
}

/// Result type of the client.
pub type Result<T> = std::result::Result<T, ClientError>;

/// Which subxt backend drives the connection.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum BackendKind {
    /// The legacy JSON-RPC methods (`chain_*`, `state_*`, `author_*`): what Chopsticks serves.
    #[default]
    Legacy,
    /// The new `chainHead_v1` methods, for nodes that serve them.
    ChainHead,
}

/// ref_time / proof_size, as `sp_weights::Weight` encodes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Encode, Decode)]
pub struct Weight {
    /// Computation, picoseconds.
    #[codec(compact)]
    pub ref_time: u64,
    /// Proof size, bytes.
    #[codec(compact)]
    pub proof_size: u64,
}

/// What a dry run reported.
#[derive(Debug, Clone)]
pub struct DryRun {
    /// Weight the call needs as its limit.
    pub weight_required: Weight,
    /// Storage deposit it would charge (0 when it would refund).
    pub storage_deposit: u128,
    /// The contract's output.
    pub data: Vec<u8>,
    /// Whether the contract reverted.
    pub reverted: bool,
    /// For instantiations, the new contract's address.
    pub address: Option<[u8; 20]>,
}

/// A contract event recorded in a block (`Revive::ContractEmitted`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContractEmitted {
    /// Emitting contract.
    pub contract: [u8; 20],
    /// Event data (SCALE-encoded fields).
    pub data: Vec<u8>,
    /// Topics, the signature topic first.
    pub topics: Vec<[u8; 32]>,
}

/// A transaction included in a block.
#[derive(Debug, Clone)]
pub struct Included {
    /// Block hash.
    pub block_hash: [u8; 32],
    /// Block number.
    pub block_number: u64,
    /// Contract events the transaction emitted.
    pub events: Vec<ContractEmitted>,
    /// What the dry run reported before submission.
    pub dry_run: DryRun,
}

/// A block's pallet-revive events, as the indexer needs them.
#[derive(Debug, Clone)]
pub struct BlockEvents {
    /// Block number.
    pub number: u64,
    /// Block hash.
    pub hash: [u8; 32],
    /// `Revive::ContractEmitted`, with each event's index in the block.
    pub emitted: Vec<(u32, ContractEmitted)>,
    /// `Revive::Instantiated`: (event index, deployer, contract).
    pub instantiated: Vec<(u32, [u8; 20], [u8; 20])>,
    /// The block's time (`Timestamp::Now`, milliseconds since the Unix epoch), read for
    /// blocks with contract events only.
    pub timestamp: Option<u64>,
}

/// A connection to a pallet-revive chain.
#[derive(Clone)]
pub struct Chain {
    pub(crate) api: OnlineClient<SubstrateConfig>,
    pub(crate) rpc: RpcClient,
    url: String,
    pub(crate) metadata: crate::blocks::MetadataCache,
    /// `Revive::ChainId` of the runtime connected to, or why it could not be read.
    evm_chain_id: std::result::Result<u64, String>,
    /// `Revive::NativeToEthRatio` of the runtime connected to, or why it could not be read.
    native_to_eth_ratio: std::result::Result<u32, String>,
}

impl Chain {
    /// Connects to `url` (ws:// or wss://) and checks the chain has pallet-revive.
    ///
    /// # Errors
    /// `Connect` when nothing answers, `MissingPallet` when the chain lacks pallet-revive.
    pub async fn connect(url: &str, backend: BackendKind) -> Result<Self> {
        Self::connect_requiring(url, backend, "Revive").await
    }

    /// Connects to `url` and checks the chain's metadata has `pallet`.
    ///
    /// # Errors
    /// `Connect` when nothing answers, `MissingPallet` when the chain lacks `pallet`.
    pub async fn connect_requiring(url: &str, backend: BackendKind, pallet: &str) -> Result<Self> {
        if !(url.starts_with("ws://") || url.starts_with("wss://")) {
            return Err(ClientError::Url(url.to_owned()));
        }
        let connect = |reason: String| ClientError::Connect {
            url: url.to_owned(),
            reason,
        };
        let rpc = RpcClient::from_insecure_url(url)
            .await
            .map_err(|e| connect(e.to_string()))?;
        // What the client needs of the head's runtime, by plain requests: the genesis hash,
        // the head, its runtime version (`System.LastRuntimeUpgrade`, a storage read) and
        // that version's metadata (one runtime call). subxt's own client is then built
        // knowing them, so it does not ask again.
        let genesis: String = rpc
            .request("chain_getBlockHash", subxt::rpcs::rpc_params![0u64])
            .await
            .map_err(|e| connect(e.to_string()))?;
        let genesis = crate::blocks::hash32("the genesis hash", &genesis)?;
        let (number, hash) = crate::blocks::head_of(&rpc).await?;
        let head = crate::blocks::raw_block_of(&rpc, number, hash).await?;
        let metadata = crate::blocks::fetch_metadata(&rpc, hash).await?;
        if metadata.pallet_by_name(pallet).is_none() {
            return Err(ClientError::MissingPallet {
                url: url.to_owned(),
                pallet: pallet.to_owned(),
            });
        }
        let cache = crate::blocks::MetadataCache::default();
        let mut config = SubstrateConfig::builder().set_genesis_hash(H256(genesis));
        if let Some(version) = head.spec_version {
            cache.insert(version, metadata.clone()).await;
            config = config.set_metadata_for_spec_versions([(version, metadata.clone())]);
        }
        let config = config.build();
        let api = match backend {
            BackendKind::Legacy => {
                let backend = LegacyBackend::<SubstrateConfig>::builder().build(rpc.clone());
                OnlineClient::from_backend_with_config(config, Arc::new(backend)).await
            }
            BackendKind::ChainHead => {
                OnlineClient::from_rpc_client_with_config(config, rpc.clone()).await
            }
        }
        .map_err(|e| connect(e.to_string()))?;
        Ok(Self {
            api,
            rpc,
            url: url.to_owned(),
            metadata: cache,
            evm_chain_id: revive_constant(&metadata, "ChainId"),
            native_to_eth_ratio: revive_constant(&metadata, "NativeToEthRatio"),
        })
    }

    /// The URL connected to.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Asks a development chain (Chopsticks) to build `count` empty blocks now
    /// (`dev_newBlock`); other chains refuse it.
    ///
    /// # Errors
    /// When the chain does not offer `dev_newBlock`.
    pub async fn dev_new_blocks(&self, count: u32) -> Result<()> {
        let params = subxt::rpcs::rpc_params![serde_json::json!({ "count": count })];
        self.rpc
            .request::<serde_json::Value>("dev_newBlock", params)
            .await
            .map_err(|e| ClientError::DryRun(format!("dev_newBlock failed: {e}")))?;
        Ok(())
    }

    /// Makes block `number` the head of a Chopsticks dev chain (`dev_setHead`): blocks
    /// built after it form a new fork, orphaning the ones above it. For reorg tests.
    ///
    /// # Errors
    /// When the chain is not a dev chain or refuses.
    pub async fn dev_set_head(&self, number: u64) -> Result<()> {
        let params = subxt::rpcs::rpc_params![number];
        self.rpc
            .request::<serde_json::Value>("dev_setHead", params)
            .await
            .map_err(|e| ClientError::DryRun(format!("dev_setHead failed: {e}")))?;
        Ok(())
    }

    /// The best (not necessarily finalized) block number, from `chain_getHeader`.
    ///
    /// # Errors
    /// When the chain cannot be read.
    pub async fn best_number(&self) -> Result<u64> {
        let header: serde_json::Value = self
            .rpc
            .request("chain_getHeader", subxt::rpcs::rpc_params![])
            .await
            .map_err(|e| ClientError::Rpc(format!("chain_getHeader failed: {e}")))?;
        header_number(&header)
    }

    /// pallet-revive's Ethereum chain id (`Revive::ChainId`, the `eip155` reference of the
    /// chain's H160 accounts), read from the head's runtime metadata when connecting.
    ///
    /// # Errors
    /// When the chain cannot be read or the constant is missing.
    pub async fn evm_chain_id(&self) -> Result<u64> {
        self.evm_chain_id.clone().map_err(ClientError::Dispatch)
    }

    /// pallet-revive's `NativeToEthRatio`: how many contract units (what a contract sees as
    /// `transferred_value`, 18 decimals) one native unit is. Read from the head's runtime
    /// metadata when connecting, so no copy of the runtime's constant lives off-chain.
    ///
    /// # Errors
    /// When the constant is missing from the metadata.
    pub fn native_to_eth_ratio(&self) -> Result<u128> {
        self.native_to_eth_ratio
            .clone()
            .map(u128::from)
            .map_err(ClientError::Dispatch)
    }

    /// The chain's genesis hash.
    pub fn genesis_hash(&self) -> [u8; 32] {
        self.api.genesis_hash().0
    }

    /// The latest finalized block: (number, hash). Two light requests
    /// (`chain_getFinalizedHead`, `chain_getHeader`), no runtime call: the indexer asks it on
    /// every poll.
    ///
    /// # Errors
    /// When the chain cannot be read.
    pub async fn head(&self) -> Result<(u64, [u8; 32])> {
        crate::blocks::head_of(&self.rpc).await
    }

    /// The latest finalized block number.
    ///
    /// # Errors
    /// When the chain cannot be read.
    pub async fn finalized_number(&self) -> Result<u64> {
        Ok(self.head().await?.0)
    }

    /// The hash of block `number`, `None` above the chain's head.
    ///
    /// # Errors
    /// When the chain cannot be read.
    pub async fn block_hash(&self, number: u64) -> Result<Option<[u8; 32]>> {
        let params = subxt::rpcs::rpc_params![number];
        let hash: Option<String> = self
            .rpc
            .request("chain_getBlockHash", params)
            .await
            .map_err(|e| ClientError::Rpc(format!("chain_getBlockHash failed: {e}")))?;
        Ok(hash.and_then(|h| {
            let bytes = hex::decode(h.trim_start_matches("0x")).ok()?;
            bytes.try_into().ok()
        }))
    }

    /// The H160 pallet-revive maps `account` to (the keccak-256 of the public key's last 20
    /// bytes, for sr25519 accounts).
    pub fn address_of(account: &Keypair) -> [u8; 20] {
        atelier_types::account::h160_of(&account.public_key().0)
    }

    /// The Substrate accounts pallet-revive records for `addresses` (its `OriginalAccount`
    /// map, read at the best block: a mapping is a fact about keys, whichever block shows
    /// it): `None` for an address without one (a contract, an Ethereum-derived account).
    /// Each answer is checked to map back to its address.
    ///
    /// # Errors
    /// When the chain cannot be read, or answers with an account that does not map to the
    /// address asked for.
    pub async fn original_accounts(&self, addresses: &[[u8; 20]]) -> Result<Vec<Option<[u8; 32]>>> {
        // `StorageMap<_, Identity, H160, AccountId32>`: the key is the two prefixes and the
        // address itself.
        let mut prefix = sp_crypto_hashing::twox_128(b"Revive").to_vec();
        prefix.extend_from_slice(&sp_crypto_hashing::twox_128(b"OriginalAccount"));
        let lookups = addresses.iter().map(|a| {
            let key = format!("0x{}{}", hex::encode(&prefix), hex::encode(a));
            async move {
                let value: Option<String> = self
                    .rpc
                    .request("state_getStorage", subxt::rpcs::rpc_params![key])
                    .await
                    .map_err(|e| ClientError::Dispatch(format!("state_getStorage failed: {e}")))?;
                let Some(value) = value else {
                    return Ok(None);
                };
                let id: [u8; 32] = hex::decode(value.trim_start_matches("0x"))
                    .ok()
                    .and_then(|b| b.try_into().ok())
                    .ok_or_else(|| {
                        ClientError::Dispatch(format!(
                            "Revive.OriginalAccount of 0x{} is not an account id",
                            hex::encode(a)
                        ))
                    })?;
                if atelier_types::account::h160_of(&id) != *a {
                    return Err(ClientError::Dispatch(format!(
                        "Revive.OriginalAccount of 0x{} does not map back to it",
                        hex::encode(a)
                    )));
                }
                Ok(Some(id))
            }
        });
        futures::future::try_join_all(lookups).await
    }

    /// The native balance of `address` in contract units (`ReviveApi::balance`).
    ///
    /// # Errors
    /// When the runtime API call fails.
    pub async fn balance(&self, address: [u8; 20]) -> Result<u128> {
        let bytes = self
            .runtime_call("ReviveApi_balance", address.encode())
            .await?;
        let value = <[u64; 4]>::decode(&mut &bytes[..])
            .map_err(|e| ClientError::DryRun(format!("cannot decode a balance: {e}")))?;
        Ok(u128::from(value[0]) | (u128::from(value[1]) << 64))
    }

    /// Dry-runs a call of `dest` with `data` and `value` (native units) as `origin`.
    ///
    /// # Errors
    /// `DryRun` when the runtime refuses the call before the contract runs (no such
    /// contract, out of funds).
    pub async fn dry_run_call(
        &self,
        origin: &Keypair,
        dest: [u8; 20],
        value: u128,
        data: Vec<u8>,
    ) -> Result<DryRun> {
        let args = (
            origin.public_key().0,
            dest,
            value,
            Option::<Weight>::None,
            Option::<u128>::None,
            data,
        )
            .encode();
        let bytes = self.runtime_call("ReviveApi_call", args).await?;
        decode_contract_result(&bytes, false)
    }

    /// Dry-runs instantiating `code` with constructor input `data` and `salt` as `origin`.
    ///
    /// # Errors
    /// `DryRun` when the runtime refuses it (invalid code, out of funds).
    pub async fn dry_run_instantiate(
        &self,
        origin: &Keypair,
        code: &[u8],
        data: Vec<u8>,
        salt: [u8; 32],
    ) -> Result<DryRun> {
        // `Code::Upload(code)` is variant 0.
        let mut code_arg = vec![0u8];
        code.to_vec().encode_to(&mut code_arg);
        let mut args = (
            origin.public_key().0,
            0u128,
            Option::<Weight>::None,
            Option::<u128>::None,
        )
            .encode();
        args.extend_from_slice(&code_arg);
        (data, Some(salt)).encode_to(&mut args);
        let bytes = self.runtime_call("ReviveApi_instantiate", args).await?;
        decode_contract_result(&bytes, true)
    }

    /// Calls a contract: dry run first (a revert returns `Reverted` and submits nothing),
    /// then a signed `Revive::call` with the dry run's weight and deposit as limits;
    /// waits until the block is finalized and returns its contract events.
    ///
    /// # Errors
    /// `Reverted`, `DryRun`, `Dispatch`, or a transport error.
    pub async fn call(
        &self,
        signer: &Keypair,
        dest: [u8; 20],
        value: u128,
        data: Vec<u8>,
    ) -> Result<Included> {
        let dry_run = self.dry_run_call(signer, dest, value, data.clone()).await?;
        if dry_run.reverted {
            return Err(ClientError::Reverted { data: dry_run.data });
        }
        let tx = dynamic::tx(
            "Revive",
            "call",
            vec![
                Value::from_bytes(dest),
                Value::u128(value),
                weight_value(dry_run.weight_required),
                Value::u128(deposit_limit(dry_run.storage_deposit)),
                Value::from_bytes(data),
            ],
        );
        self.submit(tx, signer, dry_run).await
    }

    /// Submits `calls` (contract, value in native units, input) as one `Utility::batch_all`
    /// of `Revive::call`s, each limited by `dry_run`'s weight and deposit (a dry run of one
    /// of them), signed by `signer`; waits until the block is finalized. All or nothing: one
    /// failing call fails the batch. For building long histories quickly (the indexer
    /// benchmark): one extrinsic carries many calls.
    ///
    /// # Errors
    /// `Dispatch` when the batch failed (too heavy for a block, a call failed), or a
    /// transport error.
    pub async fn call_batch(
        &self,
        signer: &Keypair,
        calls: &[([u8; 20], u128, Vec<u8>)],
        dry_run: DryRun,
    ) -> Result<Included> {
        let inner: Vec<Value> = calls
            .iter()
            .map(|(dest, value, data)| {
                Value::unnamed_variant(
                    "Revive",
                    [Value::unnamed_variant(
                        "call",
                        [
                            Value::from_bytes(dest),
                            Value::u128(*value),
                            weight_value(dry_run.weight_required),
                            Value::u128(deposit_limit(dry_run.storage_deposit)),
                            Value::from_bytes(data),
                        ],
                    )],
                )
            })
            .collect();
        let tx = dynamic::tx(
            "Utility",
            "batch_all",
            vec![Value::unnamed_composite(inner)],
        );
        self.submit(tx, signer, dry_run).await
    }

    /// Uploads and instantiates `code`: dry run first, then a signed
    /// `Revive::instantiate_with_code`; returns the inclusion with `dry_run.address` set.
    ///
    /// # Errors
    /// `Reverted` (the constructor failed), `DryRun`, `Dispatch`, or a transport error.
    pub async fn instantiate(
        &self,
        signer: &Keypair,
        code: &[u8],
        data: Vec<u8>,
        salt: [u8; 32],
    ) -> Result<Included> {
        let dry_run = self
            .dry_run_instantiate(signer, code, data.clone(), salt)
            .await?;
        if dry_run.reverted {
            return Err(ClientError::Reverted { data: dry_run.data });
        }
        let tx = dynamic::tx(
            "Revive",
            "instantiate_with_code",
            vec![
                Value::u128(0),
                weight_value(dry_run.weight_required),
                Value::u128(deposit_limit(dry_run.storage_deposit)),
                Value::from_bytes(code),
                Value::from_bytes(data),
                Value::unnamed_variant("Some", [Value::from_bytes(salt)]),
            ],
        );
        self.submit(tx, signer, dry_run).await
    }

    async fn submit(
        &self,
        tx: subxt::transactions::DynamicPayload<Vec<Value>>,
        signer: &Keypair,
        dry_run: DryRun,
    ) -> Result<Included> {
        let at = self
            .api
            .at_current_block()
            .await
            .map_err(subxt::Error::from)?;
        let progress = at
            .transactions()
            .sign_and_submit_then_watch_default(&tx, signer)
            .await
            .map_err(subxt::Error::from)?;
        let in_block = progress
            .wait_for_finalized()
            .await
            .map_err(subxt::Error::from)?;
        let block_hash = in_block.block_hash();
        let events = match in_block.wait_for_success().await {
            Ok(events) => events,
            Err(e) => return Err(ClientError::Dispatch(e.to_string())),
        };
        let mut emitted = Vec::new();
        for ev in events.iter() {
            let ev = ev.map_err(subxt::Error::from)?;
            if ev.pallet_name() == "Revive" && ev.event_name() == "ContractEmitted" {
                let (contract, data, topics) = <([u8; 20], Vec<u8>, Vec<[u8; 32]>)>::decode(
                    &mut ev.field_bytes(),
                )
                .map_err(|e| ClientError::Dispatch(format!("undecodable ContractEmitted: {e}")))?;
                emitted.push(ContractEmitted {
                    contract,
                    data,
                    topics,
                });
            }
        }
        let block_number = self
            .api
            .at_block(block_hash)
            .await
            .map_err(subxt::Error::from)?
            .block_number();
        Ok(Included {
            block_hash: block_hash.0,
            block_number,
            events: emitted,
            dry_run,
        })
    }

    async fn runtime_call(&self, function: &str, args: Vec<u8>) -> Result<Vec<u8>> {
        let at = self
            .api
            .at_current_block()
            .await
            .map_err(subxt::Error::from)?;
        Ok(at
            .runtime_apis()
            .call_raw(function, Some(&args))
            .await
            .map_err(subxt::Error::from)?)
    }
}

/// The number of a JSON header (`"number": "0x.."`).
/// `Revive::ChainId` in `metadata`.
/// pallet-revive's constant `name` in `metadata`, decoded as `T`.
fn revive_constant<T: Decode>(
    metadata: &subxt::Metadata,
    name: &str,
) -> std::result::Result<T, String> {
    let bytes = metadata
        .pallet_by_name("Revive")
        .and_then(|p| p.constant_by_name(name))
        .map(|c| c.value().to_vec())
        .ok_or_else(|| format!("no constant Revive::{name}"))?;
    T::decode(&mut &bytes[..]).map_err(|e| format!("Revive::{name} does not decode: {e}"))
}

pub(crate) fn header_number(header: &serde_json::Value) -> Result<u64> {
    header["number"]
        .as_str()
        .and_then(|n| u64::from_str_radix(n.trim_start_matches("0x"), 16).ok())
        .ok_or_else(|| ClientError::Rpc(format!("chain_getHeader: no block number in {header}")))
}

/// The storage deposit limit submitted: what the dry run charged, plus headroom for state
/// that changed between the dry run and inclusion.
fn deposit_limit(charged: u128) -> u128 {
    charged
        .saturating_add(charged / 5)
        .saturating_add(1_000_000_000)
}

fn weight_value(w: Weight) -> Value {
    // 20% headroom over the dry run, as state may change before inclusion.
    let pad = |v: u64| u128::from(v.saturating_add(v / 5));
    Value::named_composite([
        ("ref_time", Value::u128(pad(w.ref_time))),
        ("proof_size", Value::u128(pad(w.proof_size))),
    ])
}

/// keccak-256 of `input` (pallet-revive's code hashes and account mapping use it).
pub fn keccak256(input: &[u8]) -> [u8; 32] {
    use tiny_keccak::{Hasher, Keccak};
    let mut k = Keccak::v256();
    k.update(input);
    let mut out = [0u8; 32];
    k.finalize(&mut out);
    out
}

/// Decodes `ContractResult<ExecReturnValue | InstantiateReturnValue, Balance>` as
/// pallet-revive 0.20 encodes it.
fn decode_contract_result(bytes: &[u8], instantiate: bool) -> Result<DryRun> {
    let bad = |e: codec::Error| ClientError::DryRun(format!("cannot decode the dry run: {e}"));
    let input = &mut &bytes[..];
    let _consumed = Weight::decode(input).map_err(bad)?;
    let weight_required = Weight::decode(input).map_err(bad)?;
    let deposit = |input: &mut &[u8]| -> Result<u128> {
        let variant = u8::decode(input).map_err(bad)?;
        let amount = u128::decode(input).map_err(bad)?;
        Ok(if variant == 1 { amount } else { 0 })
    };
    let storage_deposit = deposit(input)?;
    let _max_deposit = deposit(input)?;
    let _gas: u128 = u128::decode(input).map_err(bad)?;
    match u8::decode(input).map_err(bad)? {
        0 => {
            let flags = u32::decode(input).map_err(bad)?;
            let data = Vec::<u8>::decode(input).map_err(bad)?;
            let address = if instantiate {
                Some(<[u8; 20]>::decode(input).map_err(bad)?)
            } else {
                None
            };
            Ok(DryRun {
                weight_required,
                storage_deposit,
                data,
                reverted: flags & 1 == 1,
                address,
            })
        }
        _ => Err(ClientError::DryRun(describe_dispatch_error(input))),
    }
}

/// A readable name for an encoded `DispatchError`: module errors of pallet-revive are the
/// common case (`ContractNotFound`, `StorageDepositLimitExhausted`, ...), shown by index.
fn describe_dispatch_error(input: &mut &[u8]) -> String {
    match u8::decode(input) {
        Ok(3) => {
            let pallet = u8::decode(input).unwrap_or(0);
            let error = <[u8; 4]>::decode(input).unwrap_or_default();
            format!(
                "the runtime refused the call (pallet {pallet}, error {})",
                error[0]
            )
        }
        Ok(5) => "the account cannot pay for it".into(),
        Ok(other) => format!("the runtime refused the call (dispatch error {other})"),
        Err(_) => "the runtime refused the call".into(),
    }
}
