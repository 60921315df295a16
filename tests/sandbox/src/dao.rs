//! An Atelier DAO (membership token + governor) deployed on the sandbox, with the SCALE
//! mirrors of the contracts' argument and return types and helpers for common flows.

use std::sync::Arc;

use atelier_runtime::AccountId;
use codec::{Decode, Encode};

use crate::{
    sp_core::{H160, H256},
    Artifact, Contract, Outcome, Result, Sandbox,
};

/// Mirror of `membership::Settings`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Encode, Decode)]
pub struct MembershipSettings {
    /// Attestations needed (k).
    pub threshold: u32,
    /// Per-member cap.
    pub member_cap: u128,
    /// Contribution lifetime, blocks.
    pub expiry_blocks: u32,
}

/// Mirror of `governor::Settings`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Encode, Decode)]
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
    /// Proposal threshold, weight.
    pub proposal_threshold: u128,
    /// Late-quorum extension, blocks.
    pub late_quorum_extension: u32,
}

/// Mirror of `governor::Action`.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode)]
pub struct Action {
    /// Target contract.
    pub target: H160,
    /// Selector.
    pub selector: [u8; 4],
    /// Encoded arguments.
    pub input: Vec<u8>,
    /// Value sent.
    pub value: u128,
}

/// Mirror of `governor::StoredAction`.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode)]
pub struct StoredAction {
    /// The action.
    pub action: Action,
    /// Pinned code hash.
    pub code_hash: H256,
}

/// Mirror of `governor::Support`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Encode, Decode)]
pub enum Support {
    /// Against.
    Against,
    /// For.
    For,
    /// Abstain.
    Abstain,
}

/// Mirror of `governor::ProposalState`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Encode, Decode)]
pub enum ProposalState {
    /// Before voting.
    Pending,
    /// Voting.
    Active,
    /// Canceled.
    Canceled,
    /// Lost or no quorum.
    Defeated,
    /// Won.
    Succeeded,
    /// Behind the timelock.
    Queued,
    /// Missed the grace period.
    Expired,
    /// Done.
    Executed,
}

/// Mirror of `governor::Summary`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Encode, Decode)]
pub struct Summary {
    /// Summary hash.
    pub summary_hash: [u8; 32],
    /// Model id.
    pub model_id: [u8; 32],
}

/// Mirror of `governor::Proposal`.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode)]
pub struct Proposal {
    /// Proposer.
    pub proposer: H160,
    /// Snapshot block.
    pub snapshot: u32,
    /// Last voting block.
    pub vote_end: u32,
    /// Extended by late quorum.
    pub extended: bool,
    /// Description hash.
    pub description_hash: [u8; 32],
    /// Number of actions.
    pub action_count: u32,
    /// Quorum bps.
    pub quorum_bps: u32,
    /// Quorum weight once known.
    pub quorum: Option<u128>,
    /// For.
    pub for_votes: u128,
    /// Against.
    pub against_votes: u128,
    /// Abstain.
    pub abstain_votes: u128,
    /// Earliest execution.
    pub eta: Option<u32>,
    /// Executed.
    pub executed: bool,
    /// Canceled.
    pub canceled: bool,
    /// Anchored summary.
    pub summary: Option<Summary>,
}

/// Mirror of `governor::Receipt`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Encode, Decode)]
pub struct Receipt {
    /// How.
    pub support: Support,
    /// Weight.
    pub weight: u128,
}

/// Mirror of `governor::Ballot`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Encode, Decode)]
pub struct Ballot {
    /// Proposal.
    pub proposal_id: u32,
    /// How.
    pub support: Support,
    /// Voter.
    pub voter: H160,
    /// Nonce.
    pub nonce: u64,
}

/// Mirror of `membership::ContributionStatus`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Encode, Decode)]
pub enum ContributionStatus {
    /// Waiting for attestations.
    Pending,
    /// Counting.
    Active,
    /// Revoked.
    Revoked,
    /// Expired.
    Expired,
}

/// Mirror of `membership::Contribution`.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode)]
pub struct Contribution {
    /// Contributor.
    pub contributor: H160,
    /// Category.
    pub category: u32,
    /// Evidence hash.
    pub evidence: [u8; 32],
    /// Recorded in block.
    pub recorded_at: u32,
    /// Attestations.
    pub attestations: u32,
    /// Status.
    pub status: ContributionStatus,
    /// Weight while active.
    pub weight: u128,
    /// Activation block.
    pub activated_at: u32,
    /// Expiry block.
    pub expires_at: u32,
}

/// How a DAO is set up.
#[derive(Debug, Clone)]
pub struct DaoConfig {
    /// Attestor accounts.
    pub attestors: Vec<AccountId>,
    /// Membership settings.
    pub membership: MembershipSettings,
    /// Governor settings.
    pub governor: GovernorSettings,
    /// Guardian.
    pub guardian: Option<AccountId>,
    /// Summariser.
    pub summariser: Option<AccountId>,
    /// Ballot domain (the chain's genesis hash on a real chain).
    pub domain: [u8; 32],
}

impl Default for DaoConfig {
    /// Alice, Bob and Charlie attest (2 of 3); Ferdie is guardian, Dave summariser; short
    /// periods so that scenarios run in few blocks.
    fn default() -> Self {
        Self {
            attestors: ["alice", "bob", "charlie"].map(crate::account).to_vec(),
            membership: MembershipSettings {
                threshold: 2,
                member_cap: 1_000,
                expiry_blocks: 10_000,
            },
            governor: GovernorSettings {
                voting_delay: 2,
                voting_period: 20,
                timelock_delay: 5,
                grace_period: 20,
                quorum_bps: 2_000,
                proposal_threshold: 20,
                late_quorum_extension: 5,
            },
            guardian: Some(crate::account("ferdie")),
            summariser: Some(crate::account("dave")),
            domain: *b"atelier-sandbox-domain-000000000",
        }
    }
}

/// A deployed DAO.
pub struct Dao {
    /// The membership token.
    pub membership: Contract,
    /// The governor.
    pub governor: Contract,
    /// How it was set up.
    pub config: DaoConfig,
}

impl Dao {
    /// Deploys membership and governor from the committed artifacts as `deployer`, and
    /// hands membership governance to the governor.
    pub fn deploy(sb: &mut Sandbox, deployer: &AccountId, config: DaoConfig) -> Result<Self> {
        let membership_art = Artifact::load("membership")?;
        let governor_art = Artifact::load("governor")?;
        let attestors: Vec<H160> = config.attestors.iter().map(|a| sb.address_of(a)).collect();
        let m = config.membership;
        let membership = sb.deploy(
            deployer,
            &membership_art,
            "new",
            (attestors, m.threshold, m.member_cap, m.expiry_blocks),
            1,
        )?;
        let guardian = config.guardian.as_ref().map(|g| sb.address_of(g));
        let summariser = config.summariser.as_ref().map(|s| sb.address_of(s));
        let governor = sb.deploy(
            deployer,
            &governor_art,
            "new",
            (
                membership.address,
                config.domain,
                config.governor,
                guardian,
                summariser,
            ),
            2,
        )?;
        let handover = sb.call(
            deployer,
            &membership,
            "init_governance",
            governor.address,
            0,
        )?;
        assert!(handover.is_ok(), "handover failed: {handover:?}");
        Ok(Self {
            membership,
            governor,
            config,
        })
    }

    /// Calls a membership message.
    pub fn m(&self, sb: &mut Sandbox, who: &AccountId, label: &str, args: impl Encode) -> Outcome {
        sb.call(who, &self.membership, label, args, 0)
            .expect("known membership message")
    }

    /// Calls a governor message.
    pub fn g(&self, sb: &mut Sandbox, who: &AccountId, label: &str, args: impl Encode) -> Outcome {
        sb.call(who, &self.governor, label, args, 0)
            .expect("known governor message")
    }

    /// `member` records a contribution and the first `threshold` attestors (other than
    /// the member) attest it; returns its id.
    pub fn contribute(
        &self,
        sb: &mut Sandbox,
        member: &AccountId,
        category: u32,
        evidence: [u8; 32],
    ) -> u64 {
        let id: u64 = self
            .m(sb, member, "record_contribution", (category, evidence))
            .result()
            .expect("contribution recorded");
        let attestors: Vec<AccountId> = self
            .config
            .attestors
            .iter()
            .filter(|a| *a != member)
            .cloned()
            .collect();
        for a in attestors
            .iter()
            .take(self.config.membership.threshold as usize)
        {
            self.m(sb, a, "attest", id)
                .result::<()>()
                .expect("attested");
        }
        id
    }

    /// An action calling `label` on `contract` with `args`.
    pub fn action(contract: &Contract, label: &str, args: impl Encode) -> Action {
        let entry = contract.artifact.entry(label).expect("known message");
        Action {
            target: contract.address,
            selector: entry.selector,
            input: args.encode(),
            value: 0,
        }
    }

    /// `who` proposes `actions`; returns the proposal id.
    pub fn propose(
        &self,
        sb: &mut Sandbox,
        who: &AccountId,
        actions: Vec<Action>,
        description: &str,
    ) -> u32 {
        self.g(sb, who, "propose", (actions, description.to_owned()))
            .result()
            .expect("proposed")
    }

    /// The state of a proposal.
    pub fn state(&self, sb: &mut Sandbox, id: u32) -> ProposalState {
        let anyone = crate::account("alice");
        self.g(sb, &anyone, "state", id)
            .result()
            .expect("known proposal")
    }

    /// A proposal.
    pub fn proposal(&self, sb: &mut Sandbox, id: u32) -> Proposal {
        let anyone = crate::account("alice");
        self.g(sb, &anyone, "proposal", id)
            .value::<Option<Proposal>>()
            .expect("known proposal")
    }

    /// Advances to the first voting block of proposal `id`.
    pub fn open_voting(&self, sb: &mut Sandbox, id: u32) {
        let snapshot = self.proposal(sb, id).snapshot;
        let now = sb.block();
        sb.advance((snapshot + 1).saturating_sub(now));
    }

    /// Advances past the end of voting of proposal `id`.
    pub fn close_voting(&self, sb: &mut Sandbox, id: u32) {
        let end = self.proposal(sb, id).vote_end;
        let now = sb.block();
        sb.advance((end + 1).saturating_sub(now));
    }

    /// Voting weight of `who` at `block`, read from the membership token.
    pub fn weight_at(&self, sb: &mut Sandbox, who: &AccountId, block: u32) -> Option<u128> {
        let addr = sb.address_of(who);
        let anyone = crate::account("alice");
        self.m(sb, &anyone, "VotingWeight::weight_at", (addr, block))
            .value()
    }

    /// Votes `support` as `who`; returns the outcome (check it).
    pub fn vote(
        &self,
        sb: &mut Sandbox,
        who: &AccountId,
        id: u32,
        support: Support,
        reason: Option<&str>,
    ) -> Outcome {
        self.g(
            sb,
            who,
            "cast_vote",
            (id, support, reason.map(str::to_owned)),
        )
    }

    /// A ballot for `proposal_id` signed offline by the dev account `signer` with its next
    /// nonce: the ballot, the signer's public key and the sr25519 signature over the
    /// governor's `ballot_payload`.
    pub fn signed_ballot(
        &self,
        sb: &mut Sandbox,
        signer: &str,
        proposal_id: u32,
        support: Support,
    ) -> (Ballot, [u8; 32], [u8; 64]) {
        use crate::sp_core::crypto::Pair as _;
        let voter = sb.address_of(&crate::account(signer));
        let anyone = crate::account("alice");
        let nonce: u64 = self.g(sb, &anyone, "nonce", voter).value();
        let ballot = Ballot {
            proposal_id,
            support,
            voter,
            nonce,
        };
        let payload: Vec<u8> = self.g(sb, &anyone, "ballot_payload", ballot).value();
        let pair = crate::keyring(signer).pair();
        (ballot, pair.public().0, pair.sign(&payload).0)
    }

    /// Queues, waits for the timelock and executes proposal `id` (which must have succeeded).
    pub fn queue_and_execute(&self, sb: &mut Sandbox, id: u32) -> Outcome {
        let anyone = crate::account("eve");
        let eta: u32 = self.g(sb, &anyone, "queue", id).result().expect("queued");
        let now = sb.block();
        sb.advance(eta.saturating_sub(now));
        let outcome = self.g(sb, &anyone, "execute", id);
        if outcome.is_ok() {
            let actions: Vec<StoredAction> = self.g(sb, &anyone, "actions", id).value();
            for a in actions {
                for c in [&self.membership, &self.governor] {
                    if c.address == a.action.target {
                        if let Some(label) = c.artifact.label_of(a.action.selector) {
                            sb.mark_executed(&c.artifact.name, label);
                        }
                    }
                }
            }
        }
        outcome
    }

    /// Shared handle on the artifacts, for deploying more contracts of the same code.
    pub fn artifacts(&self) -> (Arc<Artifact>, Arc<Artifact>) {
        (
            self.membership.artifact.clone(),
            self.governor.artifact.clone(),
        )
    }
}
