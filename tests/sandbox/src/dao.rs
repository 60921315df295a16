//! An Atelier DAO (membership token + governor) deployed on the sandbox, with helpers for
//! common flows. The contracts' types are the generated ones (`atelier-abi`), re-exported
//! here under the names the tests use.

use atelier_abi::{governor::messages as gm, membership::messages as mm, Message};
use atelier_runtime::AccountId;

pub use atelier_abi::{
    governor::{
        Action, Ballot, Proposal, ProposalState, Receipt, Settings as GovernorSettings,
        StoredAction, Summary, Support,
    },
    membership::{Contribution, ContributionStatus, Settings as MembershipSettings},
};

use crate::{sp_core::H160, Called, Contract, Result, Sandbox};

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
        let attestors: Vec<H160> = config.attestors.iter().map(|a| sb.address_of(a)).collect();
        let m = &config.membership;
        let membership = sb.deploy(
            deployer,
            atelier_abi::membership::constructors::new(
                attestors,
                m.threshold,
                m.member_cap,
                m.expiry_blocks,
            ),
            1,
        )?;
        let guardian = config.guardian.as_ref().map(|g| sb.address_of(g));
        let summariser = config.summariser.as_ref().map(|s| sb.address_of(s));
        let governor = sb.deploy(
            deployer,
            atelier_abi::governor::constructors::new(
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
            mm::init_governance(governor.address),
            0,
        );
        assert!(handover.is_ok(), "handover failed: {handover:?}");
        Ok(Self {
            membership,
            governor,
            config,
        })
    }

    /// Calls a membership message.
    pub fn m<R>(&self, sb: &mut Sandbox, who: &AccountId, message: Message<R>) -> Called<R> {
        sb.call(who, &self.membership, message, 0)
    }

    /// Calls a governor message.
    pub fn g<R>(&self, sb: &mut Sandbox, who: &AccountId, message: Message<R>) -> Called<R> {
        sb.call(who, &self.governor, message, 0)
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
        let id = self
            .m(sb, member, mm::record_contribution(category, evidence))
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
            self.m(sb, a, mm::attest(id)).result().expect("attested");
        }
        id
    }

    /// An action calling `message` on `contract`.
    ///
    /// # Panics
    /// When `message` is another contract's than `contract` (a test's mistake).
    pub fn action<R>(contract: &Contract, message: Message<R>) -> Action {
        assert_eq!(message.contract, contract.name, "{}", message.label);
        Action::calling(contract.address, &message)
    }

    /// `who` proposes `actions`; returns the proposal id.
    pub fn propose(
        &self,
        sb: &mut Sandbox,
        who: &AccountId,
        actions: Vec<Action>,
        description: &str,
    ) -> u32 {
        self.g(sb, who, gm::propose(actions, description.to_owned()))
            .result()
            .expect("proposed")
    }

    /// The state of a proposal.
    pub fn state(&self, sb: &mut Sandbox, id: u32) -> ProposalState {
        let anyone = crate::account("alice");
        self.g(sb, &anyone, gm::state(id))
            .result()
            .expect("known proposal")
    }

    /// A proposal.
    pub fn proposal(&self, sb: &mut Sandbox, id: u32) -> Proposal {
        let anyone = crate::account("alice");
        self.g(sb, &anyone, gm::proposal(id))
            .value()
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
        self.m(sb, &anyone, mm::weight_at(addr, block)).value()
    }

    /// Votes `support` as `who`; returns the outcome (check it).
    pub fn vote(
        &self,
        sb: &mut Sandbox,
        who: &AccountId,
        id: u32,
        support: Support,
        reason: Option<&str>,
    ) -> Called<std::result::Result<u128, atelier_abi::governor::Error>> {
        self.g(
            sb,
            who,
            gm::cast_vote(id, support, reason.map(str::to_owned)),
        )
    }

    /// A ballot for `proposal_id` signed offline by the dev account `signer` with its next
    /// nonce on that proposal, valid until block `deadline`: the ballot, the signer's public
    /// key and the sr25519 signature over the governor's `ballot_payload`.
    pub fn signed_ballot(
        &self,
        sb: &mut Sandbox,
        signer: &str,
        proposal_id: u32,
        support: Support,
        deadline: u32,
    ) -> (Ballot, [u8; 32], [u8; 64]) {
        use crate::sp_core::crypto::Pair as _;
        let voter = sb.address_of(&crate::account(signer));
        let anyone = crate::account("alice");
        let nonce = self.g(sb, &anyone, gm::nonce(voter, proposal_id)).value();
        let ballot = Ballot {
            proposal_id,
            support,
            voter,
            nonce,
            deadline,
        };
        let payload = self.g(sb, &anyone, gm::ballot_payload(ballot)).value();
        let pair = crate::keyring(signer).pair();
        (ballot, pair.public().0, pair.sign(&payload).0)
    }

    /// Queues, waits for the timelock and executes proposal `id` (which must have succeeded).
    pub fn queue_and_execute(
        &self,
        sb: &mut Sandbox,
        id: u32,
    ) -> Called<std::result::Result<(), atelier_abi::governor::Error>> {
        let anyone = crate::account("eve");
        let eta = self.g(sb, &anyone, gm::queue(id)).result().expect("queued");
        let now = sb.block();
        sb.advance(eta.saturating_sub(now));
        let outcome = self.g(sb, &anyone, gm::execute(id));
        if outcome.is_ok() {
            let actions: Vec<StoredAction> = self.g(sb, &anyone, gm::actions(id)).value();
            for a in actions {
                for (c, label_of) in [
                    (
                        &self.membership,
                        atelier_abi::membership::messages::label_of as fn(_) -> _,
                    ),
                    (&self.governor, atelier_abi::governor::messages::label_of),
                ] {
                    if c.address == a.action.target {
                        if let Some(label) = label_of(a.action.selector) {
                            sb.mark_executed(c.name, label);
                        }
                    }
                }
            }
        }
        outcome
    }
}
