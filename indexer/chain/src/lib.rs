//! The chain side of Atelier's indexer. For now: decoding the contracts' events from their
//! committed metadata (`contracts/artifacts/<name>.json`) by signature topic, never by
//! variant index. The subxt follower that feeds it `Revive::ContractEmitted` events joins
//! this crate with the local chain. It must not write to the store.

pub mod blocks;
pub mod client;
pub mod decode;
