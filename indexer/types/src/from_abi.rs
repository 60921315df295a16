//! The contracts' events as domain events: from the generated ABI's typed events
//! (`atelier-abi`), field by field. The conversions are checked by the compiler both ways:
//! every pattern below names all the fields of the generated event (no `..`) and every
//! variant built names all the fields of the domain one, and each `match` covers every event
//! the contract declares; a contract change that adds, renames or retypes a field breaks
//! the build here instead of storing a raw event in production.

use atelier_abi::{common, governor, provenance, royalty_router, treasury, H160, H256};

use crate::{
    Action, Amount, Asset, AssetKind, Event, GovernorSettings, Limits, OptimisticSettings,
    SpendRequest, Split, StoredAction, Support, WorkMetadata,
};

/// A contract value as the domain keeps it: accounts and hashes as 0x-hex, amounts as
/// [`Amount`], the contracts' structs as the domain's.
pub trait IntoDomain {
    /// The domain's form.
    type Out;
    /// Converts.
    fn into_domain(self) -> Self::Out;
}

fn hex0x(bytes: &[u8]) -> String {
    format!("0x{}", hex::encode(bytes))
}

macro_rules! same {
    ($($t:ty),*) => {$(
        impl IntoDomain for $t {
            type Out = $t;
            fn into_domain(self) -> $t {
                self
            }
        }
    )*};
}
same!(bool, u32, u64, String);

impl IntoDomain for u128 {
    type Out = Amount;
    fn into_domain(self) -> Amount {
        Amount(self)
    }
}

impl IntoDomain for H160 {
    type Out = String;
    fn into_domain(self) -> String {
        hex0x(self.as_bytes())
    }
}

impl IntoDomain for H256 {
    type Out = String;
    fn into_domain(self) -> String {
        hex0x(self.as_bytes())
    }
}

impl IntoDomain for [u8; 32] {
    type Out = String;
    fn into_domain(self) -> String {
        hex0x(&self)
    }
}

impl<T: IntoDomain> IntoDomain for Option<T> {
    type Out = Option<T::Out>;
    fn into_domain(self) -> Self::Out {
        self.map(IntoDomain::into_domain)
    }
}

impl<T: IntoDomain> IntoDomain for Vec<T> {
    type Out = Vec<T::Out>;
    fn into_domain(self) -> Self::Out {
        self.into_iter().map(IntoDomain::into_domain).collect()
    }
}

impl<A: IntoDomain, B: IntoDomain> IntoDomain for (A, B) {
    type Out = (A::Out, B::Out);
    fn into_domain(self) -> Self::Out {
        (self.0.into_domain(), self.1.into_domain())
    }
}

impl<A: IntoDomain, B: IntoDomain, C: IntoDomain> IntoDomain for (A, B, C) {
    type Out = (A::Out, B::Out, C::Out);
    fn into_domain(self) -> Self::Out {
        (
            self.0.into_domain(),
            self.1.into_domain(),
            self.2.into_domain(),
        )
    }
}

/// `IntoDomain` for a generated struct whose domain struct has the same field names.
macro_rules! fields {
    ($($abi:path => $domain:ident { $($f:ident),* }),* $(,)?) => {$(
        impl IntoDomain for $abi {
            type Out = $domain;
            fn into_domain(self) -> $domain {
                let $abi { $($f),* } = self;
                $domain { $($f: $f.into_domain()),* }
            }
        }
    )*};
}

fields!(
    governor::Settings => GovernorSettings {
        voting_delay, voting_period, timelock_delay, grace_period, quorum_bps,
        proposal_threshold, late_quorum_extension
    },
    governor::OptimisticSettings => OptimisticSettings {
        compute_fund, max_amount, challenge_period, objection_bps
    },
    royalty_router::Split => Split { compute_bps, reserve_bps },
    royalty_router::WorkMetadata => WorkMetadata { title, prompt, description, tags, image_hash },
    treasury::Limits => Limits { outflow_cap, epoch_blocks },
    common::SpendRequest => SpendRequest {
        beneficiary, amount, valid_from, expires_at, purpose_hash, tranches, tranche_interval,
        datasets
    },
    provenance::Asset => Asset { kind, content_hash, license, registrant, holders, consenting },
);

impl IntoDomain for governor::Support {
    type Out = Support;
    fn into_domain(self) -> Support {
        match self {
            Self::Against => Support::Against,
            Self::For => Support::For,
            Self::Abstain => Support::Abstain,
        }
    }
}

impl IntoDomain for provenance::AssetKind {
    type Out = AssetKind;
    fn into_domain(self) -> AssetKind {
        match self {
            Self::Dataset => AssetKind::Dataset,
            Self::Model => AssetKind::Model,
        }
    }
}

impl IntoDomain for governor::StoredAction {
    type Out = StoredAction;
    fn into_domain(self) -> StoredAction {
        let governor::Action {
            target,
            selector,
            input,
            value,
        } = self.action;
        StoredAction {
            action: Action {
                target: target.into_domain(),
                selector: hex0x(&selector),
                input: hex0x(&input),
                value: Amount(value),
            },
            code_hash: self.code_hash.into_domain(),
            call: None,
        }
    }
}

/// `From` a contract's generated event enum: each event to the domain variant of the same
/// name (or the one after `=>`), field by field.
macro_rules! events {
    ($contract:ident { $($abi:ident $(=> $domain:ident)? { $($f:ident),* }),* $(,)? }) => {
        impl From<$contract::events::Event> for Event {
            fn from(e: $contract::events::Event) -> Self {
                use $contract::events as ev;
                match e {
                    $(ev::Event::$abi(ev::$abi { $($f),* }) => {
                        events!(@variant $abi $($domain)? { $($f),* })
                    })*
                }
            }
        }
    };
    (@variant $abi:ident { $($f:ident),* }) => {
        Event::$abi { $($f: $f.into_domain()),* }
    };
    (@variant $abi:ident $domain:ident { $($f:ident),* }) => {
        Event::$domain { $($f: $f.into_domain()),* }
    };
}

use atelier_abi::membership;

events!(membership {
    GovernanceSet { governance },
    SettingsChanged => MembershipSettingsChanged { threshold, member_cap, expiry_blocks },
    AttestorAdded { attestor, attestor_count },
    AttestorRemoved { attestor, attestor_count },
    CategorySet { category, multiplier },
    ContributionRecorded { id, contributor, category, evidence },
    ContributionAttested { id, attestor, attestations, threshold },
    ContributionActivated { id, contributor, weight, expires_at, member_weight, member_expiring },
    ContributionRevoked { id, contributor, weight_removed, member_weight, member_expiring },
    ContributionExpired { id, contributor, weight_removed, member_weight, member_expiring },
    DelegateChanged { delegator, from_delegate, to_delegate, weight },
    VotesChanged { account, previous, new, block, expiring },
    TotalWeightChanged { previous, new, block, expiring },
});

events!(governor {
    SettingsChanged => GovernorSettingsChanged { settings },
    GuardianChanged { guardian, burned },
    ProposalCreated {
        id, proposer, actions, description, description_hash, snapshot, vote_end, quorum_bps,
        grace_period
    },
    VoteCast { id, voter, support, weight, reason, relayer, tallies },
    VotingExtended { id, vote_end },
    ProposalQueued { id, eta },
    ProposalExecuted { id },
    ProposalCanceled { id, by },
    SummaryAttached { id, summariser, summary_hash, model_id },
    AllowlistChanged { target, allowed },
    SummariserChanged { summariser },
    OptimisticProposed { id, request, challenge_end, objection_bps },
    ProposalEscalated { id, objections, threshold, vote_end },
    OptimisticSettingsChanged { settings },
});

events!(royalty_router {
    GovernanceSet { governance },
    SplitChanged { split, moved_this_epoch },
    SplitFrozen { split },
    WorkRegistered { id, creator, content_hash, creator_bps, metadata, metadata_hash },
    WorkReassigned { id, from, to },
    RoyaltyRouted { work, creator, payer, amount, to_creator, to_compute, to_reserve },
    Donated { from, amount },
    Forwarded { fund, amount },
    Withdrawn { creator, amount },
});

events!(treasury {
    GovernanceSet { governance },
    GuardianChanged => FundGuardianChanged { guardian },
    Received { from, amount },
    SpendApproved { id, beneficiary, request },
    PayoutMade { id, beneficiary, steward, tranche, amount, paid, epoch_outflow },
    SpendVoided { id, by, paid },
    LimitsChanged { limits },
    StewardChanged { account, steward },
    ProvenanceChanged { provenance },
});

events!(provenance {
    GovernanceSet { governance },
    AssetRegistered { id, content_hash, asset },
    ConsentChanged { id, holder, granted, consenting, holders },
    AssetDisputed { id, claimant, evidence },
    DisputeResolved { id, claimant, holders },
});
