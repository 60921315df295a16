//! The library behind the `atelier` command line: keys for the CLI wallet ([`wallet`]) and
//! deployment of an Atelier DAO to a pallet-revive chain ([`deploy`]). The binary parses
//! arguments and prints; the end-to-end tests under `tests/` drive these modules directly.
//! It must not decode contract events for the store (that is `atelier-chain`'s job).

pub mod bench;
pub mod bench_sync;
pub mod cli;
pub mod dao;
pub mod deploy;
pub mod seed;
pub mod service;
pub mod wallet;
