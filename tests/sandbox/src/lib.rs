//! Executes Atelier's compiled contracts (`contracts/artifacts/*.polkavm`) on the project's
//! pallet-revive runtime, in-process: uploads, instantiates and calls them with
//! `bare_upload_code` / `bare_instantiate` / `bare_call` inside externalities, and returns
//! what the runtime returned (output, revert flag, weight, storage deposit, decoded events).
//!
//! It reads only the committed artifacts, never the contract crates; selectors, event
//! signature topics and error names come from the contract metadata. It is the engine of
//! the runtime tests, the weights report and the in-process governance scenario; it must not
//! be used as a chain client (that is the job of the local chain and subxt).

pub mod artifact;
pub mod dao;
pub mod funds;
pub mod scenario;
pub mod weights;

use std::{collections::BTreeSet, sync::Arc};

pub use artifact::Artifact;
use atelier_runtime::{
    frame_system,
    pallet_revive::{self, AddressMapper, Code, ExecConfig, TransactionLimits},
    sp_core::{H160, H256, U256},
    sp_io::TestExternalities,
    sp_keyring::Sr25519Keyring,
    sp_runtime::{BuildStorage, DispatchError},
    AccountId, Balance, Revive, Runtime, RuntimeEvent, RuntimeGenesisConfig, RuntimeOrigin, System,
};
pub use atelier_runtime::{sp_core, NATIVE_TO_ETH_RATIO};
use codec::{Decode, Encode};

/// Errors of the sandbox itself (not of the contracts it runs).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An artifact file could not be read.
    #[error("cannot read contract artifact {path}: {source}")]
    ArtifactIo {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// An artifact's metadata is not what cargo-contract writes.
    #[error("contract metadata {name} is malformed: {reason}")]
    Metadata {
        /// Contract name.
        name: String,
        /// What is wrong.
        reason: String,
    },
    /// No message or constructor with that label.
    #[error("contract {contract} has no message or constructor `{label}`")]
    UnknownLabel {
        /// Contract name.
        contract: String,
        /// The label asked for.
        label: String,
    },
    /// Uploading or instantiating failed.
    #[error("deploying {contract} failed: {reason}")]
    Deploy {
        /// Contract name.
        contract: String,
        /// Why.
        reason: String,
    },
}

/// Result type of the sandbox.
pub type Result<T> = std::result::Result<T, Error>;

/// Storage deposit and weight limits large enough for any single call.
fn limits() -> TransactionLimits<Runtime> {
    let max = <Runtime as frame_system::Config>::BlockWeights::get().max_block;
    TransactionLimits::WeightAndDeposit {
        weight_limit: max,
        deposit_limit: Balance::MAX / 4,
    }
}

/// A deployed contract: its address and the artifact it was built from.
#[derive(Clone)]
pub struct Contract {
    /// Address on the runtime.
    pub address: H160,
    /// Its artifact (code + metadata).
    pub artifact: Arc<Artifact>,
}

/// An event a contract emitted, resolved by signature topic against its metadata.
#[derive(Debug, Clone)]
pub struct Emitted {
    /// The emitting contract.
    pub contract: H160,
    /// Event label from the metadata (`"?"` when the topic is unknown).
    pub name: String,
    /// SCALE-encoded event fields.
    pub data: Vec<u8>,
    /// Topics, the signature topic first.
    pub topics: Vec<H256>,
}

/// What a contract call returned.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// Message label.
    pub label: String,
    /// Raw output (`MessageResult` encoding for ink! messages).
    pub data: Vec<u8>,
    /// Whether the contract reverted (ink! messages revert when they return `Err`).
    pub reverted: bool,
    /// A runtime-level failure (trap, missing contract, out of gas), if any.
    pub dispatch_error: Option<String>,
    /// ref_time consumed, picoseconds.
    pub ref_time: u64,
    /// proof_size consumed, bytes.
    pub proof_size: u64,
    /// Storage deposit charged (positive) or refunded (negative).
    pub storage_deposit: i128,
    /// Events emitted by contracts during the call.
    pub events: Vec<Emitted>,
    error_names: Vec<String>,
}

impl Outcome {
    /// Decodes the message's return value. Panics (with the call's label and error) when
    /// the call failed at the runtime level or returned an ink! `LangError`; meant for tests
    /// and reports where such a failure is a bug.
    pub fn value<T: Decode>(&self) -> T {
        if let Some(e) = &self.dispatch_error {
            panic!("`{}` failed on the runtime: {e}", self.label);
        }
        match <std::result::Result<T, u8>>::decode(&mut &self.data[..]) {
            Ok(Ok(v)) => v,
            Ok(Err(lang)) => panic!("`{}` returned LangError {lang}", self.label),
            Err(e) => panic!("`{}` output does not decode: {e}", self.label),
        }
    }

    /// Decodes a message returning `Result<T, Error>`: `Ok(value)`, or `Err(variant name)`
    /// of the contract's `Error` as named in its metadata.
    pub fn result<T: Decode>(&self) -> std::result::Result<T, String> {
        let inner: std::result::Result<T, Vec<u8>> = self.value::<ResultOrRaw<T>>().0;
        inner.map_err(|raw| {
            let index = raw.first().copied().unwrap_or(u8::MAX);
            self.error_names
                .get(usize::from(index))
                .cloned()
                .unwrap_or_else(|| format!("error #{index}"))
        })
    }

    /// Whether the message ran and returned `Ok`.
    pub fn is_ok(&self) -> bool {
        self.dispatch_error.is_none() && !self.reverted
    }
}

/// `Result<T, E>` where the error is kept raw (its variant index and fields).
struct ResultOrRaw<T>(std::result::Result<T, Vec<u8>>);

impl<T: Decode> Decode for ResultOrRaw<T> {
    fn decode<I: codec::Input>(input: &mut I) -> std::result::Result<Self, codec::Error> {
        match input.read_byte()? {
            0 => Ok(Self(Ok(T::decode(input)?))),
            1 => {
                let mut rest = Vec::new();
                while let Ok(b) = input.read_byte() {
                    rest.push(b);
                }
                Ok(Self(Err(rest)))
            }
            _ => Err("invalid Result discriminant".into()),
        }
    }
}

/// The pallet-revive runtime, in-process, with the dev accounts funded.
pub struct Sandbox {
    ext: TestExternalities,
    called: BTreeSet<(String, String)>,
}

/// A saved chain state (see [`Sandbox::snapshot`]).
pub struct Snapshot(TestExternalities);

impl Default for Sandbox {
    fn default() -> Self {
        Self::new()
    }
}

impl Sandbox {
    /// A fresh runtime at block 1 with Alice, Bob, ... Ferdie (and the other dev keyring
    /// accounts) funded and mapped.
    pub fn new() -> Self {
        let endowed: Vec<AccountId> = Sr25519Keyring::iter().map(|k| k.to_account_id()).collect();
        let genesis = RuntimeGenesisConfig {
            balances: atelier_runtime::BalancesConfig {
                balances: endowed
                    .iter()
                    .map(|a| (a.clone(), 1_000_000_000_000_000_000))
                    .collect(),
                ..Default::default()
            },
            revive: atelier_runtime::ReviveConfig {
                mapped_accounts: endowed,
                ..Default::default()
            },
            ..Default::default()
        };
        let storage = genesis.build_storage().expect("genesis builds");
        let mut ext = TestExternalities::new(storage);
        ext.execute_with(|| System::set_block_number(1));
        Self {
            ext,
            called: BTreeSet::new(),
        }
    }

    /// Saves the chain state (storage, block number) so that `restore` can return to it:
    /// property tests deploy once and replay each case from the same state.
    pub fn snapshot(&mut self) -> Snapshot {
        let mut saved = TestExternalities::new_empty();
        saved.backend = self.ext.as_backend();
        Snapshot(saved)
    }

    /// Returns to a state saved by `snapshot`, dropping everything since.
    pub fn restore(&mut self, snapshot: &Snapshot) {
        let mut ext = TestExternalities::new_empty();
        ext.backend = snapshot.0.backend.clone();
        self.ext = ext;
    }

    /// The current block number.
    pub fn block(&mut self) -> u32 {
        self.ext.execute_with(System::block_number)
    }

    /// Moves the chain forward by `blocks`.
    pub fn advance(&mut self, blocks: u32) {
        self.ext.execute_with(|| {
            let now = System::block_number();
            System::set_block_number(now.saturating_add(blocks));
        });
    }

    /// The balance of `address` in contract units (native units times
    /// `NATIVE_TO_ETH_RATIO`).
    pub fn balance(&mut self, address: H160) -> u128 {
        self.ext
            .execute_with(|| Revive::evm_balance(&address))
            .try_into()
            .expect("balances fit in u128")
    }

    /// The H160 a Substrate account acts as inside contracts.
    pub fn address_of(&mut self, who: &AccountId) -> H160 {
        self.ext
            .execute_with(|| <Runtime as pallet_revive::Config>::AddressMapper::to_address(who))
    }

    /// The code hash of the contract at `address`, if any.
    pub fn code_hash(&mut self, address: H160) -> Option<H256> {
        self.ext.execute_with(|| {
            pallet_revive::AccountInfo::<Runtime>::load_contract(&address).map(|c| c.code_hash)
        })
    }

    /// Uploads `artifact`'s code and instantiates it with constructor `label` and `args`.
    pub fn deploy(
        &mut self,
        origin: &AccountId,
        artifact: &Arc<Artifact>,
        label: &str,
        args: impl Encode,
        salt: u8,
    ) -> Result<Contract> {
        let input = artifact.input(label, &args)?;
        let code = artifact.code.clone();
        let origin = origin.clone();
        let fail = |reason: String| Error::Deploy {
            contract: artifact.name.clone(),
            reason,
        };
        let result = self.ext.execute_with(|| {
            System::reset_events();
            Revive::bare_instantiate(
                RuntimeOrigin::signed(origin),
                U256::zero(),
                limits(),
                Code::Upload(code),
                input,
                Some([salt; 32]),
                &ExecConfig::new_substrate_tx(),
            )
        });
        let value = result.result.map_err(|e| fail(describe(e)))?;
        if value.result.did_revert() {
            return Err(fail(format!(
                "constructor reverted with {}",
                hex::encode(&value.result.data)
            )));
        }
        self.called
            .insert((artifact.name.clone(), label.to_owned()));
        Ok(Contract {
            address: value.addr,
            artifact: artifact.clone(),
        })
    }

    /// Uploads code without instantiating it; returns its code hash.
    pub fn upload(&mut self, origin: &AccountId, code: Vec<u8>) -> Result<H256> {
        let origin = origin.clone();
        self.ext
            .execute_with(|| {
                Revive::bare_upload_code(RuntimeOrigin::signed(origin), code, Balance::MAX / 4)
            })
            .map(|r| r.code_hash)
            .map_err(|e| Error::Deploy {
                contract: "code".into(),
                reason: describe(e),
            })
    }

    /// Swaps the code of the contract at `address` (a privileged runtime upgrade, as a
    /// proxy or `set_code_hash` would do).
    pub fn set_code(&mut self, address: H160, code_hash: H256) -> std::result::Result<(), String> {
        self.ext
            .execute_with(|| Revive::set_code(RuntimeOrigin::root(), address, code_hash))
            .map_err(describe)
    }

    /// Calls message `label` of `contract` with `args`, sending `value` (contract units).
    pub fn call(
        &mut self,
        origin: &AccountId,
        contract: &Contract,
        label: &str,
        args: impl Encode,
        value: u128,
    ) -> Result<Outcome> {
        let input = contract.artifact.input(label, &args)?;
        Ok(self.call_input(origin, contract, label, input, value))
    }

    /// Calls `contract` with raw `input` (any selector, or none), sending `value`;
    /// `label` names the call in the outcome.
    pub fn call_input(
        &mut self,
        origin: &AccountId,
        contract: &Contract,
        label: &str,
        input: Vec<u8>,
        value: u128,
    ) -> Outcome {
        let artifact = &contract.artifact;
        let origin = origin.clone();
        let dest = contract.address;
        let (result, events) = self.ext.execute_with(|| {
            System::reset_events();
            let r = Revive::bare_call(
                RuntimeOrigin::signed(origin),
                dest,
                U256::from(value),
                limits(),
                input,
                &ExecConfig::new_substrate_tx(),
            );
            (r, System::events())
        });
        let events = events
            .into_iter()
            .filter_map(|record| match record.event {
                RuntimeEvent::Revive(pallet_revive::Event::ContractEmitted {
                    contract,
                    data,
                    topics,
                }) => Some((contract, data, topics)),
                _ => None,
            })
            .map(|(contract, data, topics)| Emitted {
                name: topics
                    .first()
                    .and_then(|t| artifact.event_name(t))
                    .unwrap_or("?")
                    .to_owned(),
                contract,
                data,
                topics,
            })
            .collect();
        let storage_deposit = match result.storage_deposit {
            pallet_revive::StorageDeposit::Charge(c) => i128::try_from(c).unwrap_or(i128::MAX),
            pallet_revive::StorageDeposit::Refund(r) => -i128::try_from(r).unwrap_or(i128::MAX),
        };
        let (data, reverted, dispatch_error) = match result.result {
            Ok(v) => (v.data.clone(), v.did_revert(), None),
            Err(e) => (Vec::new(), true, Some(describe(e))),
        };
        if dispatch_error.is_none() {
            self.called
                .insert((artifact.name.clone(), label.to_owned()));
        }
        Outcome {
            label: label.to_owned(),
            data,
            reverted,
            dispatch_error,
            ref_time: result.weight_consumed.ref_time(),
            proof_size: result.weight_consumed.proof_size(),
            storage_deposit,
            events,
            error_names: artifact.error_names(label),
        }
    }

    /// Records that `label` of `contract` ran inside another call (a governor action) that
    /// succeeded.
    pub fn mark_executed(&mut self, contract: &str, label: &str) {
        self.called.insert((contract.to_owned(), label.to_owned()));
    }

    /// Messages and constructors that ran on the runtime without a runtime-level failure,
    /// as (contract, label).
    pub fn executed(&self) -> &BTreeSet<(String, String)> {
        &self.called
    }
}

fn describe(e: DispatchError) -> String {
    match e {
        DispatchError::Module(m) => m.message.map_or_else(|| format!("{m:?}"), str::to_owned),
        other => format!("{other:?}"),
    }
}

/// The well-known dev account `name` ("alice", "bob", ...).
pub fn account(name: &str) -> AccountId {
    let keyring = match name.to_ascii_lowercase().as_str() {
        "alice" => Sr25519Keyring::Alice,
        "bob" => Sr25519Keyring::Bob,
        "charlie" => Sr25519Keyring::Charlie,
        "dave" => Sr25519Keyring::Dave,
        "eve" => Sr25519Keyring::Eve,
        "ferdie" => Sr25519Keyring::Ferdie,
        "one" => Sr25519Keyring::One,
        "two" => Sr25519Keyring::Two,
        other => panic!("no dev account named {other}"),
    };
    keyring.to_account_id()
}

/// The dev keyring entry of `name`, for signing.
pub fn keyring(name: &str) -> Sr25519Keyring {
    Sr25519Keyring::iter()
        .find(|k| format!("{k:?}").eq_ignore_ascii_case(name))
        .unwrap_or_else(|| panic!("no dev account named {name}"))
}
