//! Atelier's domain types: the contracts' events (membership token, governor, royalty
//! router, treasury funds, provenance registry) as the indexer, the store and the API see
//! them. Pure data: no IO, no database, chain client or HTTP.
//!
//! Events come from the generated ABI's typed events (`atelier-abi`) through `From`
//! ([`from_abi`]): accounts and hashes as 0x-hex, amounts as [`Amount`].

pub mod account;
pub mod from_abi;
// The contracts' own source of the rolling-window rule (treasury outflow cap, router split
// rate limit), compiled here as well: one copy of the rule on and off chain.
#[path = "../../../contracts/traits/window.rs"]
pub mod window;
// The same for the membership token's expiry rule (a weight less what its schedule says
// expired by a block), which the shared file writes against `alloc`.
extern crate alloc;
#[path = "../../../contracts/traits/expiry.rs"]
pub mod expiry;

use serde::{Deserialize, Deserializer, Serialize};

/// An H160 account or contract address, 0x-hex.
pub type Address = String;
/// A 32-byte hash, 0x-hex.
pub type Hash = String;

/// A token or weight amount (u128), read from a JSON number or decimal string and written
/// as a decimal string (JSON numbers above 2^53 are not exact in most readers).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Amount(pub u128);

impl Serialize for Amount {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Amount {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match serde_json::Value::deserialize(d)? {
            serde_json::Value::Number(n) => n
                .as_u64()
                .map(|v| Self(u128::from(v)))
                .or_else(|| n.to_string().parse().ok().map(Self))
                .ok_or_else(|| serde::de::Error::custom(format!("amount {n} is not a u128"))),
            serde_json::Value::String(s) => s.parse().map(Self).map_err(serde::de::Error::custom),
            other => Err(serde::de::Error::custom(format!(
                "amount expected, got {other}"
            ))),
        }
    }
}

/// A fund's rolling outflow window as the indexer keeps it: the state the treasury keeps,
/// advanced by the same code ([`window`]) at each payout the indexer reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct OutflowWindow {
    /// Slot of the last payout.
    pub slot: u32,
    /// Slot length at the last payout, in blocks.
    pub slot_len: u32,
    /// Paid per slot.
    pub amounts: [Amount; window::KEPT],
}

impl OutflowWindow {
    fn state(&self) -> window::State {
        (self.slot, self.slot_len, self.amounts.map(|a| a.0))
    }

    /// Records a payout of `amount` at block `now` under an epoch of `epoch_blocks` (the
    /// chain accepted it, so no limit applies here); `None` on overflow.
    #[must_use]
    pub fn record(&self, epoch_blocks: u32, now: u32, amount: u128) -> Option<Self> {
        let ((slot, slot_len, amounts), _) =
            window::add(self.state(), epoch_blocks, now, amount, u128::MAX)?;
        Some(Self {
            slot,
            slot_len,
            amounts: amounts.map(Amount),
        })
    }

    /// What was paid over the window ending at block `now`: what the treasury checks its
    /// cap against (its `epoch_outflow()`).
    #[must_use]
    pub fn total(&self, epoch_blocks: u32, now: u32) -> u128 {
        window::total(self.state(), epoch_blocks, now)
    }
}

/// Parts of a weight that expire later, by expiry block, ascending: what the membership
/// token's events carry with each weight (`VotesChanged.expiring`, `member_expiring`).
pub type Schedule = Vec<(u32, Amount)>;

/// The value at the end of `block` of a weight that was `value` with `schedule` ahead, by
/// the token's own rule ([`expiry`]); `None` when the schedule exceeds the value.
#[must_use]
pub fn weight_at(value: Amount, schedule: &[(u32, Amount)], block: u32) -> Option<Amount> {
    let raw: Vec<(u32, u128)> = schedule.iter().map(|(b, a)| (*b, a.0)).collect();
    expiry::value_at(value.0, &raw, block).map(Amount)
}

/// A stored value that is not what its column holds (a decimal amount, a known name):
/// the value and what was expected, for an error that names the row.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{value}` is not {expected}")]
pub struct BadValue {
    /// The value as stored.
    pub value: String,
    /// What the column holds.
    pub expected: &'static str,
}

impl std::str::FromStr for Amount {
    type Err = BadValue;

    fn from_str(s: &str) -> Result<Self, BadValue> {
        // `u128::from_str` accepts a leading `+`; a stored amount never has one.
        if s.starts_with('+') {
            return Err(BadValue {
                value: s.to_owned(),
                expected: "a decimal amount (u128)",
            });
        }
        s.parse().map(Self).map_err(|_| BadValue {
            value: s.to_owned(),
            expected: "a decimal amount (u128)",
        })
    }
}

impl std::fmt::Display for Amount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// Makes a type that parses from its TEXT column (`FromStr`, failing with an error that shows
/// the stored value) and prints to it (`Display`) a column type of both stores (SQLite and
/// PostgreSQL), so rows decode straight into it and a corrupt value is a decode error naming
/// its column, never a silent default.
#[cfg(feature = "sqlx")]
#[macro_export]
macro_rules! text_column {
    ($($t:ty),+ $(,)?) => {$(
        impl<DB: ::sqlx::Database> ::sqlx::Type<DB> for $t
        where
            String: ::sqlx::Type<DB>,
        {
            fn type_info() -> DB::TypeInfo {
                <String as ::sqlx::Type<DB>>::type_info()
            }
            fn compatible(ty: &DB::TypeInfo) -> bool {
                <String as ::sqlx::Type<DB>>::compatible(ty)
            }
        }
        impl<'r, DB: ::sqlx::Database> ::sqlx::Decode<'r, DB> for $t
        where
            &'r str: ::sqlx::Decode<'r, DB>,
        {
            fn decode(
                value: <DB as ::sqlx::Database>::ValueRef<'r>,
            ) -> ::std::result::Result<Self, ::sqlx::error::BoxDynError> {
                Ok(<&'r str as ::sqlx::Decode<'r, DB>>::decode(value)?.parse::<$t>()?)
            }
        }
        impl<'q, DB: ::sqlx::Database> ::sqlx::Encode<'q, DB> for $t
        where
            String: ::sqlx::Encode<'q, DB>,
        {
            fn encode_by_ref(
                &self,
                buf: &mut <DB as ::sqlx::Database>::ArgumentBuffer<'q>,
            ) -> ::std::result::Result<::sqlx::encode::IsNull, ::sqlx::error::BoxDynError> {
                <String as ::sqlx::Encode<'q, DB>>::encode(self.to_string(), buf)
            }
        }
    )+};
}

#[cfg(feature = "sqlx")]
text_column!(Amount, Support);

/// How a member voted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Support {
    /// Against.
    Against,
    /// For.
    For,
    /// Abstain.
    Abstain,
}

impl Support {
    /// The name as stored and served: `For`, `Against` or `Abstain`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Against => "Against",
            Self::For => "For",
            Self::Abstain => "Abstain",
        }
    }
}

impl std::str::FromStr for Support {
    type Err = BadValue;

    fn from_str(s: &str) -> Result<Self, BadValue> {
        [Self::Against, Self::For, Self::Abstain]
            .into_iter()
            .find(|v| v.as_str() == s)
            .ok_or_else(|| BadValue {
                value: s.to_owned(),
                expected: "a vote support (For, Against, Abstain)",
            })
    }
}

impl std::fmt::Display for Support {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A governor action with its pinned code hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredAction {
    /// The call.
    pub action: Action,
    /// Target code hash at propose time.
    pub code_hash: Hash,
    /// The call read as the target's message, when the indexer knows the target's
    /// metadata (a contract of the deployment); not part of the contract's event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub call: Option<DecodedCall>,
}

/// An action's call as the target contract's message: its label and arguments by name
/// (JSON as the event decoder writes it: byte arrays 0x-hex, big numbers strings).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecodedCall {
    /// The target's contract (artifact) name, `treasury`, `membership`, ...
    pub contract: String,
    /// Message label, `approve_spend`, `set_settings`, ...
    pub message: String,
    /// Arguments by name.
    pub args: serde_json::Map<String, serde_json::Value>,
}

/// A call a proposal makes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Action {
    /// Target contract.
    pub target: Address,
    /// Selector, 0x-hex.
    pub selector: String,
    /// Encoded arguments, 0x-hex (empty string when none).
    #[serde(default, deserialize_with = "bytes_or_empty")]
    pub input: String,
    /// Value sent.
    pub value: Amount,
}

fn bytes_or_empty<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(match serde_json::Value::deserialize(d)? {
        serde_json::Value::String(s) => s,
        _ => String::new(),
    })
}

/// Governor settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct GovernorSettings {
    /// Blocks to snapshot.
    pub voting_delay: u32,
    /// Voting blocks.
    pub voting_period: u32,
    /// Timelock blocks.
    pub timelock_delay: u32,
    /// Grace blocks.
    pub grace_period: u32,
    /// Quorum, basis points.
    pub quorum_bps: u32,
    /// Proposal threshold.
    pub proposal_threshold: Amount,
    /// Late-quorum extension.
    pub late_quorum_extension: u32,
}

/// The royalty split between the two funds, basis points (the creator's share is set per
/// work; the Reserve gets what rounding leaves).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Split {
    /// Compute Fund share.
    pub compute_bps: u32,
    /// Community Reserve share.
    pub reserve_bps: u32,
}

/// What a work was registered with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkMetadata {
    /// Title.
    pub title: String,
    /// Generation prompt.
    pub prompt: String,
    /// Description.
    pub description: String,
    /// Tags.
    pub tags: Vec<String>,
    /// Image content hash.
    pub image_hash: Option<Hash>,
}

/// A fund's outflow bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Limits {
    /// Most paid out per epoch, over all spends.
    pub outflow_cap: Amount,
    /// Epoch length in blocks; epoch `e` covers blocks `[e * len, (e + 1) * len)`.
    pub epoch_blocks: u32,
}

/// A spend governance approved from a fund.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpendRequest {
    /// Who is paid.
    pub beneficiary: Address,
    /// Total approved.
    pub amount: Amount,
    /// First block a payout may happen.
    pub valid_from: u32,
    /// Last block a payout may happen.
    pub expires_at: u32,
    /// keccak-256 of the purpose text.
    pub purpose_hash: Hash,
    /// Equal tranches (the last carries the remainder).
    pub tranches: u32,
    /// Blocks between tranches.
    pub tranche_interval: u32,
    /// Provenance ids of the datasets whose holders must all consent.
    pub datasets: Vec<u32>,
}

/// Whether a registered asset is a dataset or a model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AssetKind {
    /// A dataset.
    Dataset,
    /// A fine-tuned model.
    Model,
}

/// A dataset or model in the provenance registry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Asset {
    /// Dataset or model.
    pub kind: AssetKind,
    /// Content hash.
    pub content_hash: Hash,
    /// License id.
    pub license: u32,
    /// Who registered it.
    pub registrant: Address,
    /// Rights holders whose consent a training spend needs.
    pub holders: Vec<Address>,
    /// How many of them consent.
    pub consenting: u32,
}

/// The governor's optimistic grant track settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OptimisticSettings {
    /// The Compute Fund grants are approved from (`None`: the track is off).
    pub compute_fund: Option<Address>,
    /// Largest grant.
    pub max_amount: Amount,
    /// Blocks objections are open.
    pub challenge_period: u32,
    /// Objecting weight, basis points of the snapshot total, that escalates a grant.
    pub objection_bps: u32,
}

/// An event of an Atelier contract.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind")]
#[allow(missing_docs)] // field names and meanings are those of the contracts' events
pub enum Event {
    GovernanceSet {
        governance: Address,
    },
    AttestorAdded {
        attestor: Address,
        attestor_count: u32,
    },
    AttestorRemoved {
        attestor: Address,
        attestor_count: u32,
    },
    MembershipSettingsChanged {
        threshold: u32,
        member_cap: Amount,
        expiry_blocks: u32,
    },
    CategorySet {
        category: u32,
        multiplier: Amount,
    },
    ContributionRecorded {
        id: u64,
        contributor: Address,
        category: u32,
        evidence: Hash,
    },
    ContributionAttested {
        id: u64,
        attestor: Address,
        attestations: u32,
        threshold: u32,
    },
    ContributionActivated {
        id: u64,
        contributor: Address,
        weight: Amount,
        expires_at: u32,
        member_weight: Amount,
        #[serde(default)]
        member_expiring: Schedule,
    },
    ContributionRevoked {
        id: u64,
        contributor: Address,
        weight_removed: Amount,
        member_weight: Amount,
        #[serde(default)]
        member_expiring: Schedule,
    },
    ContributionExpired {
        id: u64,
        contributor: Address,
        weight_removed: Amount,
        member_weight: Amount,
        #[serde(default)]
        member_expiring: Schedule,
    },
    DelegateChanged {
        delegator: Address,
        from_delegate: Address,
        to_delegate: Address,
        weight: Amount,
    },
    VotesChanged {
        account: Address,
        previous: Amount,
        new: Amount,
        block: u32,
        #[serde(default)]
        expiring: Schedule,
    },
    TotalWeightChanged {
        previous: Amount,
        new: Amount,
        block: u32,
        #[serde(default)]
        expiring: Schedule,
    },
    ProposalCreated {
        id: u32,
        proposer: Address,
        actions: Vec<StoredAction>,
        description: String,
        description_hash: Hash,
        snapshot: u32,
        vote_end: u32,
        quorum_bps: u32,
        grace_period: u32,
    },
    VoteCast {
        id: u32,
        voter: Address,
        support: Support,
        weight: Amount,
        reason: Option<String>,
        relayer: Option<Address>,
        tallies: (Amount, Amount, Amount),
    },
    VotingExtended {
        id: u32,
        vote_end: u32,
    },
    ProposalQueued {
        id: u32,
        eta: u32,
    },
    ProposalExecuted {
        id: u32,
    },
    ProposalCanceled {
        id: u32,
        by: Address,
    },
    SummaryAttached {
        id: u32,
        summariser: Address,
        summary_hash: Hash,
        model_id: Hash,
    },
    GovernorSettingsChanged {
        settings: GovernorSettings,
    },
    AllowlistChanged {
        target: Address,
        allowed: bool,
    },
    GuardianChanged {
        guardian: Option<Address>,
        burned: bool,
    },
    SummariserChanged {
        summariser: Option<Address>,
    },
    OptimisticProposed {
        id: u32,
        request: SpendRequest,
        challenge_end: u32,
        objection_bps: u32,
    },
    ProposalEscalated {
        id: u32,
        objections: Amount,
        threshold: Option<Amount>,
        vote_end: u32,
    },
    OptimisticSettingsChanged {
        settings: OptimisticSettings,
    },
    // royalty router
    SplitChanged {
        split: Split,
        moved_this_epoch: u32,
    },
    SplitFrozen {
        split: Split,
    },
    WorkReassigned {
        id: u64,
        from: Address,
        to: Address,
    },
    WorkRegistered {
        id: u64,
        creator: Address,
        content_hash: Hash,
        creator_bps: u32,
        metadata: WorkMetadata,
        metadata_hash: Hash,
    },
    RoyaltyRouted {
        work: u64,
        creator: Address,
        payer: Address,
        amount: Amount,
        to_creator: Amount,
        to_compute: Amount,
        to_reserve: Amount,
    },
    Donated {
        from: Address,
        amount: Amount,
    },
    Forwarded {
        fund: Address,
        amount: Amount,
    },
    Withdrawn {
        creator: Address,
        amount: Amount,
    },
    // treasury funds
    Received {
        from: Address,
        amount: Amount,
    },
    SpendApproved {
        id: u32,
        beneficiary: Address,
        request: SpendRequest,
    },
    PayoutMade {
        id: u32,
        beneficiary: Address,
        steward: Address,
        tranche: u32,
        amount: Amount,
        paid: Amount,
        epoch_outflow: Amount,
    },
    SpendVoided {
        id: u32,
        by: Address,
        paid: Amount,
    },
    LimitsChanged {
        limits: Limits,
    },
    StewardChanged {
        account: Address,
        steward: bool,
    },
    /// A fund's `GuardianChanged` (the governor's has a `burned` flag).
    FundGuardianChanged {
        guardian: Option<Address>,
    },
    ProvenanceChanged {
        provenance: Option<Address>,
    },
    // provenance registry
    AssetRegistered {
        id: u32,
        content_hash: Hash,
        asset: Asset,
    },
    ConsentChanged {
        id: u32,
        holder: Address,
        granted: bool,
        consenting: u32,
        holders: u32,
    },
    AssetDisputed {
        id: u32,
        claimant: Address,
        evidence: Hash,
    },
    DisputeResolved {
        id: u32,
        claimant: Address,
        holders: Option<Vec<Address>>,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_read_from_numbers_and_decimal_strings() {
        let a: Amount = serde_json::from_str("12").unwrap();
        let b: Amount =
            serde_json::from_str("\"340282366920938463463374607431768211455\"").unwrap();
        assert_eq!((a.0, b.0), (12, u128::MAX));
        assert!(serde_json::from_str::<Amount>("true").is_err());
        assert!(serde_json::from_str::<Amount>("-1").is_err());
        // written as a string, so what is stored reads back exactly
        let json = serde_json::to_string(&b).unwrap();
        assert_eq!(json, "\"340282366920938463463374607431768211455\"");
        assert_eq!(serde_json::from_str::<Amount>(&json).unwrap(), b);
    }

    #[test]
    fn a_settings_change_becomes_its_contracts_own_variant() {
        use atelier_abi::{governor, membership, treasury};
        let m: Event =
            membership::events::Event::SettingsChanged(membership::events::SettingsChanged {
                threshold: 2,
                member_cap: 100,
                expiry_blocks: 200,
            })
            .into();
        assert_eq!(
            m,
            Event::MembershipSettingsChanged {
                threshold: 2,
                member_cap: Amount(100),
                expiry_blocks: 200
            }
        );
        let settings = governor::Settings {
            voting_delay: 1,
            voting_period: 2,
            timelock_delay: 3,
            grace_period: 4,
            quorum_bps: 5,
            proposal_threshold: 6,
            late_quorum_extension: 7,
        };
        let g: Event =
            governor::events::Event::SettingsChanged(governor::events::SettingsChanged {
                settings,
            })
            .into();
        assert!(matches!(
            g,
            Event::GovernorSettingsChanged { settings } if settings.proposal_threshold == Amount(6)
        ));
        let f: Event =
            treasury::events::Event::GuardianChanged(treasury::events::GuardianChanged {
                guardian: None,
            })
            .into();
        assert_eq!(f, Event::FundGuardianChanged { guardian: None });
    }

    #[test]
    fn accounts_hashes_and_amounts_read_as_the_domain_keeps_them() {
        use atelier_abi::{governor, royalty_router, H160, H256};
        let routed: Event =
            royalty_router::events::Event::RoyaltyRouted(royalty_router::events::RoyaltyRouted {
                work: 3,
                creator: H160([1; 20]),
                payer: H160([0xab; 20]),
                amount: 1_000_000_000_000_000_000_000,
                to_creator: 600,
                to_compute: 300,
                to_reserve: 100,
            })
            .into();
        let json = serde_json::to_value(&routed).unwrap();
        assert_eq!(json["kind"], "RoyaltyRouted");
        assert_eq!(json["creator"], format!("0x{}", "01".repeat(20)));
        assert_eq!(json["payer"], format!("0x{}", "ab".repeat(20)));
        assert_eq!(json["amount"], "1000000000000000000000");
        let created: Event =
            governor::events::Event::ProposalCreated(governor::events::ProposalCreated {
                id: 1,
                proposer: H160([2; 20]),
                actions: vec![governor::StoredAction {
                    action: governor::Action {
                        target: H160([3; 20]),
                        selector: [0xde, 0xad, 0xbe, 0xef],
                        input: Vec::new(),
                        value: 5,
                    },
                    code_hash: H256([4; 32]),
                }],
                description: "x".into(),
                description_hash: [5; 32],
                snapshot: 6,
                vote_end: 7,
                quorum_bps: 8,
                grace_period: 9,
            })
            .into();
        let Event::ProposalCreated { actions, .. } = created else {
            panic!("{created:?}")
        };
        assert_eq!(actions[0].action.selector, "0xdeadbeef");
        assert_eq!(actions[0].action.input, "0x");
        assert_eq!(actions[0].action.value, Amount(5));
        assert_eq!(actions[0].code_hash, format!("0x{}", "04".repeat(32)));
        assert_eq!(actions[0].call, None);
    }
}
