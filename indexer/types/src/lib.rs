//! Atelier's domain types: the membership token's and the governor's events as the indexer,
//! the store and the API see them. Pure data: no IO, no database, chain client or HTTP.
//!
//! Events come from the chain decoder as JSON (field names as in the contract metadata,
//! accounts and hashes as 0x-hex, amounts as numbers or decimal strings) and are read into
//! [`Event`] with [`Event::from_decoded`].

use serde::{Deserialize, Deserializer, Serialize};

/// An H160 account or contract address, 0x-hex.
pub type Address = String;
/// A 32-byte hash, 0x-hex.
pub type Hash = String;

/// A token or weight amount (u128), read from a JSON number or decimal string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Serialize)]
pub struct Amount(pub u128);

impl<'de> Deserialize<'de> for Amount {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match serde_json::Value::deserialize(d)? {
            serde_json::Value::Number(n) => n
                .as_u64()
                .map(|v| Self(u128::from(v)))
                .ok_or_else(|| serde::de::Error::custom("amount is not a u64")),
            serde_json::Value::String(s) => s.parse().map(Self).map_err(serde::de::Error::custom),
            other => Err(serde::de::Error::custom(format!(
                "amount expected, got {other}"
            ))),
        }
    }
}

/// Which contract an event came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContractKind {
    /// The membership token.
    Membership,
    /// The governor.
    Governor,
}

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

/// A governor action with its pinned code hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredAction {
    /// The call.
    pub action: Action,
    /// Target code hash at propose time.
    pub code_hash: Hash,
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
    },
    ContributionRevoked {
        id: u64,
        contributor: Address,
        weight_removed: Amount,
        member_weight: Amount,
    },
    ContributionExpired {
        id: u64,
        contributor: Address,
        weight_removed: Amount,
        member_weight: Amount,
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
    },
    TotalWeightChanged {
        previous: Amount,
        new: Amount,
        block: u32,
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
}

/// Why a decoded event could not be read as an [`Event`].
#[derive(Debug)]
pub struct UnknownEvent(pub String);

impl std::fmt::Display for UnknownEvent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UnknownEvent {}

impl Event {
    /// Reads event `name` of contract `kind` from its decoded fields.
    ///
    /// # Errors
    /// `UnknownEvent` when the name is not an event of that contract or the fields do not
    /// match (a metadata/contract mismatch).
    pub fn from_decoded(
        kind: ContractKind,
        name: &str,
        fields: &serde_json::Map<String, serde_json::Value>,
    ) -> Result<Self, UnknownEvent> {
        let tag = match (kind, name) {
            (ContractKind::Membership, "SettingsChanged") => "MembershipSettingsChanged",
            (ContractKind::Governor, "SettingsChanged") => "GovernorSettingsChanged",
            (_, other) => other,
        };
        let mut obj = fields.clone();
        obj.insert("kind".into(), serde_json::Value::String(tag.to_owned()));
        serde_json::from_value(serde_json::Value::Object(obj))
            .map_err(|e| UnknownEvent(format!("{kind:?} event {name}: {e}")))
    }
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
    }

    #[test]
    fn settings_changed_is_told_apart_by_contract_and_unknown_names_fail() {
        let f = serde_json::json!({"threshold": 2, "member_cap": 100, "expiry_blocks": 200});
        let e = Event::from_decoded(
            ContractKind::Membership,
            "SettingsChanged",
            f.as_object().unwrap(),
        )
        .unwrap();
        assert_eq!(
            e,
            Event::MembershipSettingsChanged {
                threshold: 2,
                member_cap: Amount(100),
                expiry_blocks: 200
            }
        );
        assert!(Event::from_decoded(
            ContractKind::Governor,
            "SettingsChanged",
            f.as_object().unwrap()
        )
        .is_err());
        assert!(
            Event::from_decoded(ContractKind::Governor, "Mystery", f.as_object().unwrap()).is_err()
        );
    }
}
