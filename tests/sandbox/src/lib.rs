//! Executes Atelier's compiled contracts (`contracts/artifacts/*.polkavm`) on the project's
//! pallet-revive runtime, in-process: uploads, instantiates and calls them with
//! `bare_upload_code` / `bare_instantiate` / `bare_call` inside externalities, and returns
//! what the runtime returned (output, revert flag, weight, storage deposit, decoded events).
//!
//! It reads only the committed artifacts, never the contract crates, through the generated
//! ABI (`atelier-abi`): code embedded, calls built by typed builders, outputs decoded as the
//! message's return type with the contract's own `Error` enum, events named by signature
//! topic. It is the engine of
//! the runtime tests, the weights report and the in-process governance scenario; it must not
//! be used as a chain client (that is the job of the local chain and subxt).

pub mod dao;
pub mod funds;
pub mod scenario;
pub mod weights;

use std::collections::BTreeSet;

pub use atelier_abi::{Constructor, Message};
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
use codec::Decode;

/// Errors of the sandbox itself (not of the contracts it runs).
#[derive(Debug, thiserror::Error)]
pub enum Error {
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
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Contract {
    /// Address on the runtime.
    pub address: H160,
    /// Its artifact's name (`treasury` for both funds).
    pub name: &'static str,
}

/// An event a contract emitted, named by its signature topic (`atelier_abi::event_label`).
#[derive(Debug, Clone)]
pub struct Emitted {
    /// The emitting contract.
    pub contract: H160,
    /// Event label from the metadata (`"?"` when the topic is none of the contracts').
    pub name: &'static str,
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

    /// Whether the message ran and returned `Ok`.
    pub fn is_ok(&self) -> bool {
        self.dispatch_error.is_none() && !self.reverted
    }
}

/// What a typed call returned: the [`Outcome`] (through `Deref`) and the message, which
/// decodes the output as its return type.
#[derive(Debug, Clone)]
pub struct Called<R> {
    /// The call's outcome.
    pub outcome: Outcome,
    message: Message<R>,
}

impl<R> std::ops::Deref for Called<R> {
    type Target = Outcome;
    fn deref(&self) -> &Outcome {
        &self.outcome
    }
}

impl<R: Decode> Called<R> {
    /// The message's return value. Panics (with the call's label and error) when the call
    /// failed at the runtime level or ink! could not dispatch it; meant for tests and
    /// reports where such a failure is a bug.
    pub fn value(&self) -> R {
        if let Some(e) = &self.outcome.dispatch_error {
            panic!("`{}` failed on the runtime: {e}", self.message.label);
        }
        self.message
            .decode_output(&self.outcome.data)
            .unwrap_or_else(|e| panic!("{e}"))
    }
}

impl<T: Decode, E: Decode> Called<std::result::Result<T, E>> {
    /// A fallible message's `Result`, the contract's own error on refusal (as
    /// [`Called::value`], panicking on a runtime-level failure).
    pub fn result(&self) -> std::result::Result<T, E> {
        self.value()
    }
}

/// The pallet-revive runtime, in-process, with the dev accounts funded.
pub struct Sandbox {
    ext: TestExternalities,
    called: BTreeSet<(String, String)>,
    journal: Vec<(u32, Emitted)>,
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
            journal: Vec::new(),
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
        self.journal.clear();
    }

    /// Takes the events the contracts emitted since the last call of this (or the last
    /// `restore`), with the block each was emitted in, oldest first: those of calls and
    /// instantiations that took effect (a reverted call's events never reach a chain).
    /// They are what an indexer would read from the chain's blocks.
    pub fn take_journal(&mut self) -> Vec<(u32, Emitted)> {
        std::mem::take(&mut self.journal)
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

    /// Uploads the code of `constructor`'s contract (embedded by `atelier-abi`) and
    /// instantiates it with the constructor.
    pub fn deploy(
        &mut self,
        origin: &AccountId,
        constructor: Constructor,
        salt: u8,
    ) -> Result<Contract> {
        let name = constructor.contract;
        let fail = |reason: String| Error::Deploy {
            contract: name.to_owned(),
            reason,
        };
        let code = atelier_abi::artifact(name)
            .ok_or_else(|| fail("no such contract in atelier-abi".into()))?
            .code
            .to_vec();
        let (label, input) = (constructor.label, constructor.input);
        let origin = origin.clone();
        let (result, events) = self.ext.execute_with(|| {
            System::reset_events();
            let r = Revive::bare_instantiate(
                RuntimeOrigin::signed(origin),
                U256::zero(),
                limits(),
                Code::Upload(code),
                input,
                Some([salt; 32]),
                &ExecConfig::new_substrate_tx(),
            );
            (r, System::events())
        });
        let value = result.result.map_err(|e| fail(describe(e)))?;
        if value.result.did_revert() {
            return Err(fail(format!(
                "constructor reverted with {}",
                hex::encode(&value.result.data)
            )));
        }
        self.called.insert((name.to_owned(), label.to_owned()));
        let block = self.block();
        self.journal
            .extend(emitted(events).into_iter().map(|e| (block, e)));
        Ok(Contract {
            address: value.addr,
            name,
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

    /// Calls `message` on `contract`, sending `value` (contract units).
    ///
    /// # Panics
    /// When `message` is another contract's than `contract` (a test's mistake).
    pub fn call<R>(
        &mut self,
        origin: &AccountId,
        contract: &Contract,
        message: Message<R>,
        value: u128,
    ) -> Called<R> {
        assert_eq!(
            message.contract, contract.name,
            "{}.{} called on a {}",
            message.contract, message.label, contract.name
        );
        let outcome = self.call_input(
            origin,
            contract,
            message.label,
            message.input.clone(),
            value,
        );
        Called { outcome, message }
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
        let events = emitted(events);
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
                .insert((contract.name.to_owned(), label.to_owned()));
        }
        if dispatch_error.is_none() && !reverted {
            let block = self.block();
            self.journal
                .extend(events.iter().cloned().map(|e: Emitted| (block, e)));
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

/// The contract events among a call's runtime events.
fn emitted(
    records: Vec<frame_system::EventRecord<RuntimeEvent, <Runtime as frame_system::Config>::Hash>>,
) -> Vec<Emitted> {
    records
        .into_iter()
        .filter_map(|record| match record.event {
            RuntimeEvent::Revive(pallet_revive::Event::ContractEmitted {
                contract,
                data,
                topics,
            }) => Some(Emitted {
                name: topics
                    .first()
                    .and_then(|t| atelier_abi::event_label(&t.0))
                    .unwrap_or("?"),
                contract,
                data,
                topics,
            }),
            _ => None,
        })
        .collect()
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
