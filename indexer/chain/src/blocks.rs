//! Reading blocks' events in as few round trips as a node allows: block hashes by range
//! (`chain_getBlockHash` with a list of numbers: one request for many blocks), then per block
//! one `state_queryStorageAt` for `System.Events`, `Timestamp.Now` and
//! `System.LastRuntimeUpgrade` together. No runtime call per block: the runtime version that
//! executed a block is its `LastRuntimeUpgrade` (written by the first block the new code
//! executes), and the metadata of each version is fetched once and kept.
//!
//! Decoding (`decode_block`) needs no connection, so callers run it wherever they like (the
//! indexer runs it on the runtime's worker threads, beside the fetches).

use std::{collections::HashMap, sync::Arc};

use futures::lock::Mutex;

use codec::{Compact, Decode};
use subxt::{ext::scale_decode, rpcs::RpcClient, ArcMetadata, Metadata};

use crate::client::{BlockEvents, Chain, ClientError, ContractEmitted, Result};

/// `System.Events`, `Timestamp.Now`, `System.LastRuntimeUpgrade`: what a block is read for.
fn block_keys() -> [String; 3] {
    let key = |pallet: &[u8], item: &[u8]| {
        let mut k = sp_crypto_hashing::twox_128(pallet).to_vec();
        k.extend_from_slice(&sp_crypto_hashing::twox_128(item));
        format!("0x{}", hex::encode(k))
    };
    [
        key(b"System", b"Events"),
        key(b"Timestamp", b"Now"),
        key(b"System", b"LastRuntimeUpgrade"),
    ]
}

/// A block as read from the chain, not decoded yet.
#[derive(Debug, Clone)]
pub struct RawBlock {
    /// Block number.
    pub number: u64,
    /// Block hash.
    pub hash: [u8; 32],
    /// SCALE `Vec<EventRecord>` (empty when the block stored none).
    pub events: Vec<u8>,
    /// `Timestamp::Now`, ms since the Unix epoch.
    pub timestamp: Option<u64>,
    /// The spec version of the runtime that executed the block (`LastRuntimeUpgrade`), when
    /// the chain records it.
    pub spec_version: Option<u32>,
}

/// Metadata by spec version, shared by the clones of a `Chain`.
#[derive(Debug, Default, Clone)]
pub(crate) struct MetadataCache(Arc<Mutex<HashMap<u32, ArcMetadata>>>);

impl MetadataCache {
    /// Keeps `metadata` as spec version `version`'s.
    pub(crate) async fn insert(&self, version: u32, metadata: ArcMetadata) {
        self.0.lock().await.insert(version, metadata);
    }
}

/// The latest finalized block (number, hash): `chain_getFinalizedHead` and `chain_getHeader`,
/// no runtime call.
pub(crate) async fn head_of(rpc: &RpcClient) -> Result<(u64, [u8; 32])> {
    let hash: String = rpc
        .request("chain_getFinalizedHead", subxt::rpcs::rpc_params![])
        .await
        .map_err(|e| ClientError::Rpc(format!("chain_getFinalizedHead failed: {e}")))?;
    let header: serde_json::Value = rpc
        .request("chain_getHeader", subxt::rpcs::rpc_params![&hash])
        .await
        .map_err(|e| ClientError::Rpc(format!("chain_getHeader failed: {e}")))?;
    Ok((
        crate::client::header_number(&header)?,
        hash32("a block hash", &hash)?,
    ))
}

/// The metadata of the runtime at block `hash`, in one runtime call
/// (`Metadata_metadata_at_version`, newest of the versions subxt reads, 16 then 15), or
/// `state_getMetadata` (V14) where the runtime offers neither.
pub(crate) async fn fetch_metadata(rpc: &RpcClient, hash: [u8; 32]) -> Result<ArcMetadata> {
    let at = format!("0x{}", hex::encode(hash));
    for version in [16u32, 15] {
        let arg = format!("0x{}", hex::encode(codec::Encode::encode(&version)));
        let answer: String = match rpc
            .request(
                "state_call",
                subxt::rpcs::rpc_params!["Metadata_metadata_at_version", arg, &at],
            )
            .await
        {
            Ok(a) => a,
            // a runtime without the versioned API: the plain one below
            Err(_) => break,
        };
        // `Option<OpaqueMetadata>`, the opaque bytes a length-prefixed
        // `RuntimeMetadataPrefixed`; `None` when the runtime lacks this version
        let bytes = hex_bytes("metadata", &answer)?;
        if let Some((_, metadata)) = <Option<(Compact<u32>, Metadata)>>::decode(&mut &bytes[..])
            .map_err(|e| ClientError::Rpc(format!("the chain's metadata does not decode: {e}")))?
        {
            return Ok(Arc::new(metadata));
        }
    }
    let answer: String = rpc
        .request("state_getMetadata", subxt::rpcs::rpc_params![&at])
        .await
        .map_err(|e| ClientError::Rpc(format!("state_getMetadata failed: {e}")))?;
    Metadata::decode(&mut &hex_bytes("metadata", &answer)?[..])
        .map(Arc::new)
        .map_err(|e| ClientError::Rpc(format!("the chain's metadata does not decode: {e}")))
}

fn hex_bytes(what: &str, s: &str) -> Result<Vec<u8>> {
    hex::decode(s.trim_start_matches("0x"))
        .map_err(|e| ClientError::Rpc(format!("{what} is not hex: {e}")))
}

pub(crate) fn hash32(what: &str, s: &str) -> Result<[u8; 32]> {
    hex_bytes(what, s)?
        .try_into()
        .map_err(|_| ClientError::Rpc(format!("{what} is not a 32-byte hash")))
}

/// Reads block `number` (whose hash is `hash`): its events, time and runtime version, in
/// one `state_queryStorageAt`.
///
/// # Errors
/// When the chain cannot be read or a value does not decode.
pub(crate) async fn raw_block_of(rpc: &RpcClient, number: u64, hash: [u8; 32]) -> Result<RawBlock> {
    #[derive(serde::Deserialize)]
    struct Changes {
        changes: Vec<(String, Option<String>)>,
    }
    let keys = block_keys();
    let at = format!("0x{}", hex::encode(hash));
    let answer: Vec<Changes> = rpc
        .request("state_queryStorageAt", subxt::rpcs::rpc_params![&keys, at])
        .await
        .map_err(|e| ClientError::Rpc(format!("state_queryStorageAt failed: {e}")))?;
    let mut values: [Option<Vec<u8>>; 3] = Default::default();
    for (key, value) in answer.into_iter().flat_map(|c| c.changes) {
        if let (Some(i), Some(v)) = (keys.iter().position(|k| *k == key), value) {
            values[i] = Some(hex_bytes("a storage value", &v)?);
        }
    }
    let [events, now, upgrade] = values;
    let bad = |what: &str, e: codec::Error| {
        ClientError::Rpc(format!("{what} of block {number} does not decode: {e}"))
    };
    let timestamp = now
        .map(|v| u64::decode(&mut &v[..]).map_err(|e| bad("Timestamp::Now", e)))
        .transpose()?;
    // `LastRuntimeUpgradeInfo { spec_version: Compact<u32>, spec_name }`
    let spec_version = upgrade
        .map(|v| {
            <Compact<u32>>::decode(&mut &v[..])
                .map(|c| c.0)
                .map_err(|e| bad("System::LastRuntimeUpgrade", e))
        })
        .transpose()?;
    Ok(RawBlock {
        number,
        hash,
        events: events.unwrap_or_default(),
        timestamp,
        spec_version,
    })
}

impl Chain {
    /// The hashes of blocks `from..=to` in one request; `None` above the chain's head.
    ///
    /// # Errors
    /// When the chain cannot be read or answers something else than hashes.
    pub async fn block_hashes(&self, from: u64, to: u64) -> Result<Vec<Option<[u8; 32]>>> {
        if from > to {
            return Ok(Vec::new());
        }
        let numbers: Vec<u64> = (from..=to).collect();
        let hashes: Vec<Option<String>> = self
            .rpc
            .request("chain_getBlockHash", subxt::rpcs::rpc_params![numbers])
            .await
            .map_err(|e| ClientError::Rpc(format!("chain_getBlockHash failed: {e}")))?;
        if hashes.len() as u64 != to - from + 1 {
            return Err(ClientError::Rpc(format!(
                "chain_getBlockHash answered {} hashes for {} blocks",
                hashes.len(),
                to - from + 1
            )));
        }
        hashes
            .into_iter()
            .map(|h| h.map(|h| hash32("a block hash", &h)).transpose())
            .collect()
    }

    /// Reads block `number` (whose hash is `hash`): its events, time and runtime version, in
    /// one `state_queryStorageAt`.
    ///
    /// # Errors
    /// When the chain cannot be read or a value does not decode.
    pub async fn raw_block(&self, number: u64, hash: [u8; 32]) -> Result<RawBlock> {
        raw_block_of(&self.rpc, number, hash).await
    }

    /// The metadata of the runtime that executed `block`: fetched once per spec version
    /// (and per block on a chain that does not record `LastRuntimeUpgrade`).
    ///
    /// # Errors
    /// When the chain cannot be read.
    pub async fn metadata_for(&self, block: &RawBlock) -> Result<ArcMetadata> {
        // Held across the fetch: blocks in flight that need the same new version wait for
        // the first to fetch it instead of each asking the runtime.
        let mut cache = self.metadata.0.lock().await;
        if let Some(m) = block.spec_version.and_then(|v| cache.get(&v)) {
            return Ok(m.clone());
        }
        let metadata = fetch_metadata(&self.rpc, block.hash).await?;
        if let Some(v) = block.spec_version {
            cache.insert(v, metadata.clone());
        }
        Ok(metadata)
    }

    /// The heads the chain announces (`chain_subscribeFinalizedHeads`, or
    /// `chain_subscribeNewHeads` for the best head), as block numbers: a follower reads the
    /// chain when one arrives instead of asking it on a timer. The stream ends when the
    /// connection does.
    ///
    /// # Errors
    /// When the chain refuses the subscription.
    pub async fn subscribe_heads(
        &self,
        best: bool,
    ) -> Result<futures::stream::BoxStream<'static, Result<u64>>> {
        use futures::StreamExt;
        let (sub, unsub) = if best {
            ("chain_subscribeNewHeads", "chain_unsubscribeNewHeads")
        } else {
            (
                "chain_subscribeFinalizedHeads",
                "chain_unsubscribeFinalizedHeads",
            )
        };
        let heads = self
            .rpc
            .subscribe::<serde_json::Value>(sub, subxt::rpcs::rpc_params![], unsub)
            .await
            .map_err(|e| ClientError::Rpc(format!("{sub} failed: {e}")))?;
        Ok(heads
            .map(|header| {
                header
                    .map_err(|e| ClientError::Rpc(format!("head subscription failed: {e}")))
                    .and_then(|h| crate::client::header_number(&h))
            })
            .boxed())
    }

    /// The pallet-revive events of block `number`: its hash, one storage read, and the
    /// metadata of its runtime (cached).
    ///
    /// # Errors
    /// When the block cannot be fetched or an event does not decode.
    pub async fn block_events(&self, number: u64) -> Result<BlockEvents> {
        let hash = self
            .block_hash(number)
            .await?
            .ok_or_else(|| ClientError::Rpc(format!("the chain has no block {number}")))?;
        let raw = self.raw_block(number, hash).await?;
        let metadata = self.metadata_for(&raw).await?;
        decode_block(&metadata, raw)
    }
}

/// Reads a block's pallet-revive events (`ContractEmitted`, `Instantiated`) from its raw
/// `System.Events`, skipping every other pallet's events by their types in `metadata`.
///
/// # Errors
/// When the events do not decode with this metadata.
pub fn decode_block(metadata: &Metadata, raw: RawBlock) -> Result<BlockEvents> {
    let number = raw.number;
    let bad = |what: String| ClientError::Rpc(format!("block {number}: {what}"));
    let revive = metadata.pallet_by_name("Revive").map(|p| p.event_index());
    let input = &mut &raw.events[..];
    let count = if input.is_empty() {
        0
    } else {
        <Compact<u32>>::decode(input)
            .map_err(|e| bad(format!("event count: {e}")))?
            .0
    };
    let mut emitted = Vec::new();
    let mut instantiated = Vec::new();
    for index in 0..count {
        // Phase: ApplyExtrinsic(u32) | Finalization | Initialization
        match u8::decode(input).map_err(|e| bad(format!("event {index}'s phase: {e}")))? {
            0 => {
                u32::decode(input).map_err(|e| bad(format!("event {index}'s phase: {e}")))?;
            }
            1 | 2 => {}
            other => return Err(bad(format!("event {index} has phase {other}"))),
        }
        let [pallet_index, variant_index] =
            <[u8; 2]>::decode(input).map_err(|e| bad(format!("event {index}'s indices: {e}")))?;
        let pallet = metadata
            .pallet_by_event_index(pallet_index)
            .ok_or_else(|| {
                bad(format!(
                    "event {index}: no pallet with index {pallet_index}"
                ))
            })?;
        let variant = pallet
            .event_variant_by_index(variant_index)
            .ok_or_else(|| {
                bad(format!(
                    "event {index}: {} has no event {variant_index}",
                    pallet.name()
                ))
            })?;
        let fields_start = *input;
        for field in &variant.fields {
            scale_decode::visitor::decode_with_visitor(
                input,
                field.ty.id,
                metadata.types(),
                scale_decode::visitor::IgnoreVisitor::new(),
            )
            .map_err(|e| bad(format!("{}::{}: {e}", pallet.name(), variant.name)))?;
        }
        let fields = &mut &fields_start[..fields_start.len() - input.len()];
        <Vec<[u8; 32]>>::decode(input).map_err(|e| bad(format!("event {index}'s topics: {e}")))?;
        if revive != Some(pallet_index) {
            continue;
        }
        let undecodable = |e: codec::Error| bad(format!("undecodable Revive event: {e}"));
        match variant.name.as_str() {
            "ContractEmitted" => {
                let (contract, data, topics) =
                    <([u8; 20], Vec<u8>, Vec<[u8; 32]>)>::decode(fields).map_err(undecodable)?;
                emitted.push((
                    index,
                    ContractEmitted {
                        contract,
                        data,
                        topics,
                    },
                ));
            }
            "Instantiated" => {
                let (deployer, contract) =
                    <([u8; 20], [u8; 20])>::decode(fields).map_err(undecodable)?;
                instantiated.push((index, deployer, contract));
            }
            _ => {}
        }
    }
    Ok(BlockEvents {
        number,
        hash: raw.hash,
        timestamp: if emitted.is_empty() {
            None
        } else {
            raw.timestamp
        },
        emitted,
        instantiated,
    })
}
