//! Atelier's development runtime: a small FRAME solochain runtime around pallet-revive.
//!
//! It exists for two users. The native build executes the contracts' `.polkavm` blobs
//! in-process for the runtime tests and the weights report (`atelier-sandbox`); the wasm
//! build (compiled with build-std, see `scripts/`) is served by Chopsticks as the local
//! chain. It must not enable the SDK's `with-tracing` feature: the tracing host functions it
//! imports do not exist in Chopsticks' executor.
//!
//! Modelled on the `revive-dev-runtime` crate of polkadot-sdk (same pallets, accounts
//! auto-mapped to H160, a "development" genesis preset that funds the dev accounts), without
//! the parachain and relay-chain crates it only used for type aliases.
#![cfg_attr(not(feature = "std"), no_std)]
// The runtime is mostly macro output (construct_runtime, runtime APIs) that carries no docs
// and exports C symbols for the wasm host; the workspace lints do not fit it.
#![allow(missing_docs, unsafe_code)]

extern crate alloc;

use alloc::{vec, vec::Vec};
use frame_support::weights::{
    constants::{BlockExecutionWeight, ExtrinsicBaseWeight, WEIGHT_REF_TIME_PER_SECOND},
    Weight,
};
use frame_system::limits::BlockWeights;
use pallet_revive::{
    evm::{
        fees::{BlockRatioFee, Info as FeeInfo},
        runtime::EthExtra,
    },
    AccountId32Mapper,
};
use pallet_transaction_payment::{ConstFeeMultiplier, FeeDetails, Multiplier, RuntimeDispatchInfo};
use polkadot_sdk::{
    polkadot_sdk_frame::{
        deps::sp_genesis_builder,
        runtime::{apis, prelude::*},
        traits::Block as BlockT,
    },
    sp_runtime::traits::{IdentifyAccount, Verify},
    *,
};
use sp_weights::ConstantMultiplier;

pub use polkadot_sdk::{
    frame_support, frame_system, pallet_balances, pallet_revive, sp_core, sp_io, sp_keyring,
    sp_runtime,
};

/// The signature scheme of extrinsics: sr25519, ed25519 or ecdsa.
pub type Signature = sp_runtime::MultiSignature;
/// A 32-byte account id derived from the signer's public key.
pub type AccountId = <<Signature as Verify>::Signer as IdentifyAccount>::AccountId;
/// Native balance, 12 decimals.
pub type Balance = u128;
/// Block height.
pub type BlockNumber = u32;
/// Account nonce.
pub type Nonce = u32;
/// Block and state hash.
pub type Hash = sp_core::H256;
/// Block header.
pub type Header = sp_runtime::generic::Header<BlockNumber, sp_runtime::traits::BlakeTwo256>;

/// Native currency units.
pub mod currency {
    use super::Balance;
    /// One whole token (12 decimals).
    pub const DOLLARS: Balance = 1_000_000_000_000;
    /// A hundredth of a token.
    pub const CENTS: Balance = DOLLARS / 100;
    /// A thousandth of a cent.
    pub const MILLICENTS: Balance = CENTS / 1_000;
}
use currency::*;

/// How many native units make one EVM wei-denominated unit inside contracts: contracts see
/// values with 18 decimals, the native token has 12.
pub const NATIVE_TO_ETH_RATIO: u32 = 1_000_000;

/// Genesis presets: the "development" preset funds the well-known sr25519 dev accounts.
pub mod genesis_config_presets {
    use super::*;
    use crate::{BalancesConfig, ReviveConfig, RuntimeGenesisConfig, SudoConfig};
    use polkadot_sdk::sp_keyring::Sr25519Keyring;
    use serde_json::Value;

    /// Balance each dev account starts with.
    pub const ENDOWMENT: Balance = 1_000_000_000 * DOLLARS;

    /// The development genesis: Alice, Bob, ... funded, Alice as sudo.
    pub fn development_config_genesis() -> Value {
        let endowed: Vec<AccountId> = Sr25519Keyring::iter().map(|k| k.to_account_id()).collect();
        frame_support::build_struct_json_patch!(RuntimeGenesisConfig {
            balances: BalancesConfig {
                balances: endowed
                    .iter()
                    .cloned()
                    .map(|id| (id, ENDOWMENT))
                    .collect::<Vec<_>>(),
            },
            sudo: SudoConfig {
                key: Some(Sr25519Keyring::Alice.to_account_id())
            },
            // Genesis accounts never pass through `OnNewAccount`, so they are mapped here.
            revive: ReviveConfig {
                mapped_accounts: endowed
            },
        })
    }

    /// Returns the JSON patch of a named preset.
    pub fn get_preset(id: &PresetId) -> Option<Vec<u8>> {
        let patch = match id.as_ref() {
            sp_genesis_builder::DEV_RUNTIME_PRESET => development_config_genesis(),
            _ => return None,
        };
        serde_json::to_string(&patch)
            .ok()
            .map(alloc::string::String::into_bytes)
    }

    /// The names of the presets this runtime provides.
    pub fn preset_names() -> Vec<PresetId> {
        vec![PresetId::from(sp_genesis_builder::DEV_RUNTIME_PRESET)]
    }
}

/// The runtime version.
#[runtime_version]
pub const VERSION: RuntimeVersion = RuntimeVersion {
    spec_name: alloc::borrow::Cow::Borrowed("atelier-dev"),
    impl_name: alloc::borrow::Cow::Borrowed("atelier-dev"),
    authoring_version: 1,
    spec_version: 1,
    impl_version: 1,
    apis: RUNTIME_API_VERSIONS,
    transaction_version: 1,
    system_version: 1,
};

/// The address format of extrinsics.
pub type Address = sp_runtime::MultiAddress<AccountId, ()>;
/// Block type.
pub type Block = sp_runtime::generic::Block<Header, UncheckedExtrinsic>;

/// Transaction extensions, in the order they run.
pub type TxExtension = (
    frame_system::CheckNonZeroSender<Runtime>,
    frame_system::CheckSpecVersion<Runtime>,
    frame_system::CheckTxVersion<Runtime>,
    frame_system::CheckGenesis<Runtime>,
    frame_system::CheckEra<Runtime>,
    frame_system::CheckNonce<Runtime>,
    frame_system::CheckWeight<Runtime>,
    pallet_transaction_payment::ChargeTransactionPayment<Runtime>,
    pallet_revive::evm::tx_extension::SetOrigin<Runtime>,
    // Last, so that it sees every refund of the extensions before it.
    frame_system::WeightReclaim<Runtime>,
);

/// The extensions pallet-revive attaches to Ethereum-style transactions.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct EthExtraImpl;

impl EthExtra for EthExtraImpl {
    type Config = Runtime;
    type ExtensionV0 = TxExtension;
    type ExtensionOtherVersions = sp_runtime::traits::InvalidVersion;

    fn get_eth_extension(nonce: u32, tip: Balance) -> Self::ExtensionV0 {
        (
            frame_system::CheckNonZeroSender::<Runtime>::new(),
            frame_system::CheckSpecVersion::<Runtime>::new(),
            frame_system::CheckTxVersion::<Runtime>::new(),
            frame_system::CheckGenesis::<Runtime>::new(),
            frame_system::CheckMortality::from(sp_runtime::generic::Era::Immortal),
            frame_system::CheckNonce::<Runtime>::from(nonce),
            frame_system::CheckWeight::<Runtime>::new(),
            pallet_transaction_payment::ChargeTransactionPayment::<Runtime>::from(tip),
            pallet_revive::evm::tx_extension::SetOrigin::<Runtime>::new_from_eth_transaction(),
            frame_system::WeightReclaim::<Runtime>::new(),
        )
    }
}

/// Extrinsic type, accepting both Substrate and Ethereum-signed transactions.
pub type UncheckedExtrinsic =
    pallet_revive::evm::runtime::UncheckedExtrinsic<Address, Signature, EthExtraImpl>;

type Executive = frame_executive::Executive<
    Runtime,
    Block,
    frame_system::ChainContext<Runtime>,
    Runtime,
    AllPalletsWithSystem,
>;

#[frame_construct_runtime]
mod runtime {
    #[runtime::runtime]
    #[runtime::derive(
        RuntimeCall,
        RuntimeEvent,
        RuntimeError,
        RuntimeOrigin,
        RuntimeFreezeReason,
        RuntimeHoldReason,
        RuntimeSlashReason,
        RuntimeLockId,
        RuntimeTask,
        RuntimeViewFunction
    )]
    pub struct Runtime;

    #[runtime::pallet_index(0)]
    pub type System = frame_system::Pallet<Runtime>;

    #[runtime::pallet_index(1)]
    pub type Timestamp = pallet_timestamp::Pallet<Runtime>;

    #[runtime::pallet_index(2)]
    pub type Balances = pallet_balances::Pallet<Runtime>;

    #[runtime::pallet_index(3)]
    pub type Sudo = pallet_sudo::Pallet<Runtime>;

    #[runtime::pallet_index(4)]
    pub type TransactionPayment = pallet_transaction_payment::Pallet<Runtime>;

    #[runtime::pallet_index(5)]
    pub type Revive = pallet_revive::Pallet<Runtime>;

    /// `batch` / `batch_all` / `force_batch`: one extrinsic carrying many calls (the indexer
    /// benchmark builds a dense history with it).
    #[runtime::pallet_index(6)]
    pub type Utility = pallet_utility::Pallet<Runtime>;
}

/// Maximum proof size of a block (the relay chain's PoV limit, kept for realistic limits).
const MAX_POV_SIZE: u64 = 5 * 1024 * 1024;
const AVERAGE_ON_INITIALIZE_RATIO: Perbill = Perbill::from_percent(10);
const NORMAL_DISPATCH_RATIO: Perbill = Perbill::from_percent(75);
const MAXIMUM_BLOCK_WEIGHT: Weight =
    Weight::from_parts(WEIGHT_REF_TIME_PER_SECOND.saturating_mul(2), MAX_POV_SIZE);

parameter_types! {
    pub const Version: RuntimeVersion = VERSION;
    pub RuntimeBlockWeights: BlockWeights = BlockWeights::builder()
        .base_block(BlockExecutionWeight::get())
        .for_class(DispatchClass::all(), |weights| {
            weights.base_extrinsic = ExtrinsicBaseWeight::get();
        })
        .for_class(DispatchClass::Normal, |weights| {
            weights.max_total = Some(NORMAL_DISPATCH_RATIO * MAXIMUM_BLOCK_WEIGHT);
        })
        .for_class(DispatchClass::Operational, |weights| {
            weights.max_total = Some(MAXIMUM_BLOCK_WEIGHT);
            weights.reserved = Some(
                MAXIMUM_BLOCK_WEIGHT - NORMAL_DISPATCH_RATIO * MAXIMUM_BLOCK_WEIGHT
            );
        })
        .avg_block_initialization(AVERAGE_ON_INITIALIZE_RATIO)
        .build_or_panic();
}

#[derive_impl(frame_system::config_preludes::SolochainDefaultConfig)]
impl frame_system::Config for Runtime {
    type Block = Block;
    type BlockWeights = RuntimeBlockWeights;
    type Version = Version;
    type AccountId = AccountId;
    type Hash = Hash;
    type Nonce = Nonce;
    type AccountData = pallet_balances::AccountData<<Runtime as pallet_balances::Config>::Balance>;
    // Every new account gets its H160 mapping, so dev accounts call contracts without
    // a separate `map_account` transaction.
    type OnNewAccount = pallet_revive::AutoMapper<Runtime>;
    type OnKilledAccount = pallet_revive::AutoMapper<Runtime>;
}

parameter_types! {
    pub const ExistentialDeposit: Balance = CENTS;
}

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Runtime {
    type AccountStore = System;
    type Balance = Balance;
    type ExistentialDeposit = ExistentialDeposit;
    type RuntimeFreezeReason = RuntimeFreezeReason;
    type FreezeIdentifier = RuntimeFreezeReason;
    type MaxFreezes = frame_support::traits::VariantCountOf<RuntimeFreezeReason>;
}

#[derive_impl(pallet_sudo::config_preludes::TestDefaultConfig)]
impl pallet_sudo::Config for Runtime {}

#[derive_impl(pallet_timestamp::config_preludes::TestDefaultConfig)]
impl pallet_timestamp::Config for Runtime {}

impl pallet_utility::Config for Runtime {
    type RuntimeEvent = RuntimeEvent;
    type RuntimeCall = RuntimeCall;
    type PalletsOrigin = OriginCaller;
    type WeightInfo = ();
}

parameter_types! {
    pub const TransactionByteFee: Balance = 10 * MILLICENTS;
    pub FeeMultiplier: Multiplier = Multiplier::one();
}

#[derive_impl(pallet_transaction_payment::config_preludes::TestDefaultConfig)]
impl pallet_transaction_payment::Config for Runtime {
    type OnChargeTransaction = pallet_transaction_payment::FungibleAdapter<Balances, ()>;
    type WeightToFee = BlockRatioFee<1, 1, Self, Balance>;
    type LengthToFee = ConstantMultiplier<Balance, TransactionByteFee>;
    type FeeMultiplierUpdate = ConstFeeMultiplier<FeeMultiplier>;
}

parameter_types! {
    pub CodeHashLockupDepositPercent: Perbill = Perbill::from_percent(30);
}

#[derive_impl(pallet_revive::config_preludes::TestDefaultConfig)]
impl pallet_revive::Config for Runtime {
    type AddressMapper = AccountId32Mapper<Self>;
    type ChainId = ConstU64<420_420_420>;
    type CodeHashLockupDepositPercent = CodeHashLockupDepositPercent;
    type Balance = Balance;
    type Currency = Balances;
    type NativeToEthRatio = ConstU32<NATIVE_TO_ETH_RATIO>;
    type UploadOrigin = EnsureSigned<Self::AccountId>;
    type InstantiateOrigin = EnsureSigned<Self::AccountId>;
    type Time = Timestamp;
    type FeeInfo = FeeInfo<Address, Signature, EthExtraImpl>;
    type DebugEnabled = ConstBool<true>;
    type AutoMap = ConstBool<true>;
    type GasScale = ConstU32<50000>;
}

pallet_revive::impl_runtime_apis_plus_revive_traits!(
    Runtime,
    Revive,
    Executive,
    EthExtraImpl,

    impl apis::Core<Block> for Runtime {
        fn version() -> RuntimeVersion {
            VERSION
        }

        fn execute_block(block: <Block as BlockT>::LazyBlock) {
            Executive::execute_block(block)
        }

        fn initialize_block(header: &Header) -> ExtrinsicInclusionMode {
            Executive::initialize_block(header)
        }
    }

    impl apis::Metadata<Block> for Runtime {
        fn metadata() -> OpaqueMetadata {
            OpaqueMetadata::new(Runtime::metadata().into())
        }

        fn metadata_at_version(version: u32) -> Option<OpaqueMetadata> {
            Runtime::metadata_at_version(version)
        }

        fn metadata_versions() -> Vec<u32> {
            Runtime::metadata_versions()
        }
    }

    impl apis::BlockBuilder<Block> for Runtime {
        fn apply_extrinsic(extrinsic: ExtrinsicFor<Runtime>) -> ApplyExtrinsicResult {
            Executive::apply_extrinsic(extrinsic)
        }

        fn finalize_block() -> HeaderFor<Runtime> {
            Executive::finalize_block()
        }

        fn inherent_extrinsics(data: InherentData) -> Vec<ExtrinsicFor<Runtime>> {
            data.create_extrinsics()
        }

        fn check_inherents(
            block: <Block as BlockT>::LazyBlock,
            data: InherentData,
        ) -> CheckInherentsResult {
            data.check_extrinsics(&block)
        }
    }

    impl apis::TaggedTransactionQueue<Block> for Runtime {
        fn validate_transaction(
            source: TransactionSource,
            tx: ExtrinsicFor<Runtime>,
            block_hash: <Runtime as frame_system::Config>::Hash,
        ) -> TransactionValidity {
            Executive::validate_transaction(source, tx, block_hash)
        }
    }

    impl apis::OffchainWorkerApi<Block> for Runtime {
        fn offchain_worker(header: &HeaderFor<Runtime>) {
            Executive::offchain_worker(header)
        }
    }

    impl apis::SessionKeys<Block> for Runtime {
        fn generate_session_keys(
            _owner: Vec<u8>,
            _seed: Option<Vec<u8>>,
        ) -> apis::OpaqueGeneratedSessionKeys {
            Default::default()
        }

        fn decode_session_keys(_encoded: Vec<u8>) -> Option<Vec<(Vec<u8>, apis::KeyTypeId)>> {
            Default::default()
        }
    }

    impl apis::AccountNonceApi<Block, AccountId, Nonce> for Runtime {
        fn account_nonce(account: AccountId) -> Nonce {
            System::account_nonce(account)
        }
    }

    impl pallet_transaction_payment_rpc_runtime_api::TransactionPaymentApi<Block, Balance>
        for Runtime
    {
        fn query_info(uxt: ExtrinsicFor<Runtime>, len: u32) -> RuntimeDispatchInfo<Balance> {
            TransactionPayment::query_info(uxt, len)
        }
        fn query_fee_details(uxt: ExtrinsicFor<Runtime>, len: u32) -> FeeDetails<Balance> {
            TransactionPayment::query_fee_details(uxt, len)
        }
        fn query_weight_to_fee(weight: Weight) -> Balance {
            TransactionPayment::weight_to_fee(weight)
        }
        fn query_length_to_fee(length: u32) -> Balance {
            TransactionPayment::length_to_fee(length)
        }
    }

    impl apis::GenesisBuilder<Block> for Runtime {
        fn build_state(config: Vec<u8>) -> sp_genesis_builder::Result {
            build_state::<RuntimeGenesisConfig>(config)
        }

        fn get_preset(id: &Option<PresetId>) -> Option<Vec<u8>> {
            get_preset::<RuntimeGenesisConfig>(id, self::genesis_config_presets::get_preset)
        }

        fn preset_names() -> Vec<PresetId> {
            self::genesis_config_presets::preset_names()
        }
    }
);
