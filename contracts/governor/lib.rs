//! Atelier's governor: proposals, voting, quorum, timelock and execution.
//!
//! Members propose actions (calls to allowlisted contracts), vote For / Against / Abstain
//! with the weight the membership token checkpointed at the proposal's snapshot, and
//! successful proposals are queued behind a timelock and executed within a grace period.
//!
//! Defences built in: weight is read at the snapshot (flash-acquired weight cannot vote);
//! each target's code hash is pinned at propose time and re-checked at execution (no code
//! swap after approval); quorum is a bounded fraction of total weight fixed per proposal
//! (no low-quorum takeover by changing settings mid-vote); late quorum extends voting once;
//! a guardian can cancel before execution and governance can burn that role; every setting
//! has hard bounds and changes only through the governor's own executed proposals.
//!
//! This contract must not hold member weight or decide who may vote: that is the
//! membership token's job, read through `atelier_traits::VotingWeight`.
#![cfg_attr(not(feature = "std"), no_std, no_main)]

pub use self::governor::address_of_public_key;
pub use self::governor::{
    Action, Ballot, Error, Governor, OptimisticSettings, OptimisticState, Proposal, ProposalState,
    Receipt, Result, Settings, StoredAction, Summary, Support,
};

#[ink::contract]
mod governor {
    use atelier_traits::{SpendRequest, APPROVE_SPEND_SELECTOR, BPS};
    use ink::{
        env::hash::Keccak256,
        prelude::{string::String, vec::Vec},
        storage::{Lazy, Mapping},
        H256,
    };

    /// Most actions one proposal may carry.
    pub const MAX_ACTIONS: u32 = 8;
    /// Longest encoded argument list of one action, in bytes.
    pub const MAX_INPUT_LEN: u32 = 256;
    /// Longest proposal description, in bytes (it is emitted in full).
    pub const MAX_DESCRIPTION_LEN: u32 = 16_384;
    /// Longest vote reason, in bytes.
    pub const MAX_REASON_LEN: u32 = 1_024;
    /// Hard bounds of the settings, in blocks unless noted.
    pub const VOTING_DELAY_BOUNDS: (u32, u32) = (1, 100_800);
    /// Voting period bounds.
    pub const VOTING_PERIOD_BOUNDS: (u32, u32) = (10, 201_600);
    /// Timelock bounds.
    pub const TIMELOCK_BOUNDS: (u32, u32) = (1, 201_600);
    /// Grace period bounds.
    pub const GRACE_BOUNDS: (u32, u32) = (10, 403_200);
    /// Quorum bounds in basis points of total weight: never below 4%.
    pub const QUORUM_BPS_BOUNDS: (u32, u32) = (400, 8_000);
    /// Late-quorum extension bounds (0 disables it).
    pub const EXTENSION_BOUNDS: (u32, u32) = (0, 100_800);
    /// Highest proposal threshold, in weight.
    pub const MAX_PROPOSAL_THRESHOLD: u128 = 1_000_000;
    /// Challenge period bounds of the optimistic grant track, in blocks.
    pub const CHALLENGE_PERIOD_BOUNDS: (u32, u32) = (10, 201_600);
    /// Bounds of the objection threshold, in basis points of total weight.
    pub const OBJECTION_BPS_BOUNDS: (u32, u32) = (100, 5_000);
    /// Prefix of every signed ballot: keeps ballot signatures apart from other messages.
    pub const BALLOT_TAG: &[u8] = b"atelier/ballot/v1";

    /// Governed settings.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    #[ink::scale_derive(Encode, Decode, TypeInfo)]
    #[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
    pub struct Settings {
        /// Blocks from proposal to snapshot; voting opens after the snapshot block.
        pub voting_delay: u32,
        /// Blocks voting stays open after the snapshot.
        pub voting_period: u32,
        /// Blocks between queueing and the earliest execution.
        pub timelock_delay: u32,
        /// Blocks after the earliest execution in which execution is still possible.
        pub grace_period: u32,
        /// Quorum: For + Abstain weight needed, in basis points of total weight at snapshot.
        pub quorum_bps: u32,
        /// Weight a proposer needs (at the previous block).
        pub proposal_threshold: u128,
        /// When quorum is first reached within this many blocks of the end, voting is
        /// extended to this many blocks from then, once.
        pub late_quorum_extension: u32,
    }

    /// Governed settings of the optimistic grant track: small Compute Fund spends that pass
    /// after a challenge period unless enough weight objects.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    #[ink::scale_derive(Encode, Decode, TypeInfo)]
    #[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
    pub struct OptimisticSettings {
        /// The Compute Fund grants are approved from; `None` disables the track.
        pub compute_fund: Option<Address>,
        /// Largest grant the track accepts.
        pub max_amount: u128,
        /// Blocks objections are open after the snapshot.
        pub challenge_period: u32,
        /// Objecting weight, in basis points of total weight at the snapshot, that
        /// escalates a grant to a full vote.
        pub objection_bps: u32,
    }

    /// Where an optimistic grant stands.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    #[ink::scale_derive(Encode, Decode, TypeInfo)]
    #[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
    pub struct OptimisticState {
        /// Objection threshold in basis points, fixed when proposed.
        pub objection_bps: u32,
        /// Objection threshold in weight, fixed by the first objection.
        pub threshold: Option<u128>,
        /// Whether objections escalated it to a full vote.
        pub escalated: bool,
    }

    /// One call a proposal makes when executed.
    #[derive(Debug, Clone, PartialEq, Eq)]
    #[ink::scale_derive(Encode, Decode, TypeInfo)]
    #[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
    pub struct Action {
        /// Contract called; must be on the allowlist.
        pub target: Address,
        /// Message selector.
        pub selector: [u8; 4],
        /// SCALE-encoded arguments.
        pub input: Vec<u8>,
        /// Native value sent with the call (18-decimal contract units).
        pub value: u128,
    }

    /// An action with the target's code hash pinned at propose time.
    #[derive(Debug, Clone, PartialEq, Eq)]
    #[ink::scale_derive(Encode, Decode, TypeInfo)]
    #[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
    pub struct StoredAction {
        /// The action.
        pub action: Action,
        /// The target's code hash when proposed; execution requires it unchanged.
        pub code_hash: H256,
    }

    /// How a member votes.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    #[ink::scale_derive(Encode, Decode, TypeInfo)]
    #[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
    pub enum Support {
        /// Against the proposal.
        Against,
        /// For the proposal.
        For,
        /// Counted for quorum only.
        Abstain,
    }

    /// Lifecycle of a proposal.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    #[ink::scale_derive(Encode, Decode, TypeInfo)]
    pub enum ProposalState {
        /// Created; voting opens after the snapshot block.
        Pending,
        /// Voting is open.
        Active,
        /// Canceled by its proposer or the guardian.
        Canceled,
        /// Voting ended without quorum or with no more For than Against.
        Defeated,
        /// Voting ended in favour; may be queued.
        Succeeded,
        /// Queued behind the timelock.
        Queued,
        /// Not queued within the grace period after voting ended, or queued but not executed
        /// within the grace period after its eta.
        Expired,
        /// Executed.
        Executed,
    }

    /// An AI summary anchored to a proposal.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    #[ink::scale_derive(Encode, Decode, TypeInfo)]
    #[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
    pub struct Summary {
        /// blake2b-256 of the summary text.
        pub summary_hash: [u8; 32],
        /// Model id: hash of model name and weights.
        pub model_id: [u8; 32],
    }

    /// A proposal as stored (the description and actions are kept apart).
    #[derive(Debug, Clone, PartialEq, Eq)]
    #[ink::scale_derive(Encode, Decode, TypeInfo)]
    #[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
    pub struct Proposal {
        /// Who proposed it.
        pub proposer: Address,
        /// Weights are read at the end of this block.
        pub snapshot: BlockNumber,
        /// Last block of voting.
        pub vote_end: BlockNumber,
        /// Whether late quorum already extended voting.
        pub extended: bool,
        /// keccak-256 of the description.
        pub description_hash: [u8; 32],
        /// Number of actions.
        pub action_count: u32,
        /// Quorum in basis points, fixed when proposed.
        pub quorum_bps: u32,
        /// Quorum in weight, fixed by the first vote (total weight at snapshot is final).
        pub quorum: Option<u128>,
        /// For weight.
        pub for_votes: u128,
        /// Against weight.
        pub against_votes: u128,
        /// Abstain weight.
        pub abstain_votes: u128,
        /// Earliest execution block once queued.
        pub eta: Option<BlockNumber>,
        /// Grace period fixed when proposed (audit M-1, L-3): a succeeded proposal may be
        /// queued until `vote_end + grace_period`, a queued one executed until
        /// `eta + grace_period`; later changes of the setting apply to later proposals only.
        pub grace_period: u32,
        /// Late-quorum extension fixed when proposed.
        pub late_quorum_extension: u32,
        /// Whether it is an optimistic grant (`propose_grant`).
        pub optimistic: bool,
        /// Whether it was executed.
        pub executed: bool,
        /// Whether it was canceled.
        pub canceled: bool,
        /// Anchored AI summary.
        pub summary: Option<Summary>,
    }

    /// The part of a proposal every vote reads and writes, kept in its own storage cell so
    /// that a vote loads and stores only these fields, not the description hash, summary
    /// and the rest (`Details`); `Proposal` is the two together.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    #[ink::scale_derive(Encode, Decode, TypeInfo)]
    #[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
    pub struct Tally {
        /// See `Proposal`.
        pub snapshot: BlockNumber,
        /// See `Proposal`.
        pub vote_end: BlockNumber,
        /// See `Proposal`.
        pub extended: bool,
        /// See `Proposal`.
        pub quorum_bps: u32,
        /// See `Proposal`.
        pub quorum: Option<u128>,
        /// See `Proposal`.
        pub for_votes: u128,
        /// See `Proposal`.
        pub against_votes: u128,
        /// See `Proposal`.
        pub abstain_votes: u128,
        /// See `Proposal`.
        pub late_quorum_extension: u32,
        /// See `Proposal`: a vote on a normal proposal never reads the optimistic state.
        pub optimistic: bool,
        /// See `Proposal`.
        pub executed: bool,
        /// See `Proposal`.
        pub canceled: bool,
    }

    /// The rest of a proposal (see `Tally`).
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    #[ink::scale_derive(Encode, Decode, TypeInfo)]
    #[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
    pub struct Details {
        /// See `Proposal`.
        pub proposer: Address,
        /// See `Proposal`.
        pub description_hash: [u8; 32],
        /// See `Proposal`.
        pub action_count: u32,
        /// See `Proposal`.
        pub eta: Option<BlockNumber>,
        /// See `Proposal`.
        pub grace_period: u32,
        /// See `Proposal`.
        pub summary: Option<Summary>,
    }

    impl Proposal {
        fn join(t: Tally, d: Details) -> Self {
            Self {
                proposer: d.proposer,
                snapshot: t.snapshot,
                vote_end: t.vote_end,
                extended: t.extended,
                description_hash: d.description_hash,
                action_count: d.action_count,
                quorum_bps: t.quorum_bps,
                quorum: t.quorum,
                for_votes: t.for_votes,
                against_votes: t.against_votes,
                abstain_votes: t.abstain_votes,
                eta: d.eta,
                grace_period: d.grace_period,
                late_quorum_extension: t.late_quorum_extension,
                optimistic: t.optimistic,
                executed: t.executed,
                canceled: t.canceled,
                summary: d.summary,
            }
        }

        fn split(&self) -> (Tally, Details) {
            (
                Tally {
                    snapshot: self.snapshot,
                    vote_end: self.vote_end,
                    extended: self.extended,
                    quorum_bps: self.quorum_bps,
                    quorum: self.quorum,
                    for_votes: self.for_votes,
                    against_votes: self.against_votes,
                    abstain_votes: self.abstain_votes,
                    late_quorum_extension: self.late_quorum_extension,
                    optimistic: self.optimistic,
                    executed: self.executed,
                    canceled: self.canceled,
                },
                Details {
                    proposer: self.proposer,
                    description_hash: self.description_hash,
                    action_count: self.action_count,
                    eta: self.eta,
                    grace_period: self.grace_period,
                    summary: self.summary,
                },
            )
        }
    }

    /// A cast vote.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    #[ink::scale_derive(Encode, Decode, TypeInfo)]
    #[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
    pub struct Receipt {
        /// How the member voted.
        pub support: Support,
        /// Weight counted.
        pub weight: u128,
    }

    /// A vote signed offline by `voter`, relayed by anyone.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    #[ink::scale_derive(Encode, Decode, TypeInfo)]
    pub struct Ballot {
        /// Proposal voted on.
        pub proposal_id: u32,
        /// How.
        pub support: Support,
        /// The voter's H160 (derived from its sr25519 public key).
        pub voter: Address,
        /// The voter's next ballot nonce on this proposal (`nonce(voter, proposal_id)`):
        /// ballots for different proposals never wait on each other (audit L-6).
        pub nonce: u64,
        /// Last block at which the ballot may be counted (audit L-6).
        pub deadline: BlockNumber,
    }

    /// Errors of the governor.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    #[ink::error]
    // The `ink::error` expansion casts variant indices for the variants that carry an
    // action index; there are fewer than 256 variants.
    #[allow(clippy::cast_possible_truncation)]
    pub enum Error {
        /// No proposal with this id.
        UnknownProposal,
        /// A proposal needs at least one action.
        EmptyProposal,
        /// More than `MAX_ACTIONS` actions.
        TooManyActions,
        /// An action's input is longer than `MAX_INPUT_LEN`.
        InputTooLong,
        /// The description is longer than `MAX_DESCRIPTION_LEN`.
        DescriptionTooLong,
        /// The reason is longer than `MAX_REASON_LEN`.
        ReasonTooLong,
        /// The action's target is not on the allowlist.
        TargetNotAllowed,
        /// The action's target is not a contract.
        TargetNotContract,
        /// The proposer's weight is below the proposal threshold.
        BelowProposalThreshold,
        /// The proposer already has a pending or active proposal.
        LiveProposalExists,
        /// The proposal is not open for voting (pending, or voting has closed).
        VotingNotOpen,
        /// The voter already voted on this proposal.
        AlreadyVoted,
        /// The voter had no weight at the snapshot.
        NoVotingWeight,
        /// The ballot's signature does not verify.
        InvalidSignature,
        /// The ballot's nonce is not the voter's next nonce on that proposal.
        BadNonce,
        /// The ballot's deadline has passed.
        BallotExpired,
        /// The public key does not belong to the ballot's voter.
        VoterKeyMismatch,
        /// Only a succeeded proposal can be queued.
        NotSucceeded,
        /// Only a queued proposal can be executed.
        NotQueued,
        /// The timelock has not elapsed.
        TimelockNotElapsed,
        /// The target's code changed since the proposal was made (action index).
        CodeHashChanged(u32),
        /// An action's call failed or reverted (action index).
        ActionFailed(u32),
        /// The proposal can no longer be canceled by this caller.
        NotCancelable,
        /// Only the guardian or (while pending) the proposer may cancel.
        NotGuardianOrProposer,
        /// The guardian may not cancel a proposal that replaces or burns the guardian.
        GuardianRoleAtStake,
        /// An action's target was removed from the allowlist after proposing (action index).
        TargetDelisted(u32),
        /// Only the summariser may attach a summary.
        NotSummariser,
        /// Summaries can be attached only while the proposal is pending.
        SummaryWindowClosed,
        /// A summary was already attached.
        SummaryAlreadyAttached,
        /// Only the governor itself (an executed proposal) may do this.
        OnlyGovernance,
        /// A setting is outside its hard bounds.
        SettingOutOfBounds,
        /// The guardian role was burned for good.
        GuardianBurned,
        /// Reading weights from the membership token failed.
        MembershipCallFailed,
        /// The optimistic grant track is disabled (no Compute Fund set).
        OptimisticTrackDisabled,
        /// The grant exceeds the optimistic track's `max_amount`.
        GrantTooLarge,
        /// Only the deployer may set the first allowlist, once, before any proposal.
        NotDeployer,
        /// An arithmetic operation would overflow.
        Overflow,
    }

    /// Result type of the governor.
    pub type Result<T> = core::result::Result<T, Error>;

    /// A proposal was created. Carries everything an indexer needs.
    #[ink(event)]
    pub struct ProposalCreated {
        /// Proposal id.
        #[ink(topic)]
        pub id: u32,
        /// Proposer.
        #[ink(topic)]
        pub proposer: Address,
        /// Actions with pinned code hashes.
        pub actions: Vec<StoredAction>,
        /// Full description (only its hash is stored).
        pub description: String,
        /// keccak-256 of the description.
        pub description_hash: [u8; 32],
        /// Snapshot block.
        pub snapshot: BlockNumber,
        /// Last voting block.
        pub vote_end: BlockNumber,
        /// Quorum in basis points.
        pub quorum_bps: u32,
        /// Grace period of this proposal, fixed now (see `Proposal::grace_period`).
        pub grace_period: u32,
    }

    /// A vote was cast (directly or relayed).
    #[ink(event)]
    pub struct VoteCast {
        /// Proposal id.
        #[ink(topic)]
        pub id: u32,
        /// Voter.
        #[ink(topic)]
        pub voter: Address,
        /// How.
        pub support: Support,
        /// Weight counted.
        pub weight: u128,
        /// Optional reason.
        pub reason: Option<String>,
        /// The relaying account for signed ballots.
        pub relayer: Option<Address>,
        /// Tallies after this vote: For, Against, Abstain.
        pub tallies: (u128, u128, u128),
    }

    /// Late quorum extended voting.
    #[ink(event)]
    pub struct VotingExtended {
        /// Proposal id.
        #[ink(topic)]
        pub id: u32,
        /// New last voting block.
        pub vote_end: BlockNumber,
    }

    /// A proposal was queued.
    #[ink(event)]
    pub struct ProposalQueued {
        /// Proposal id.
        #[ink(topic)]
        pub id: u32,
        /// Earliest execution block.
        pub eta: BlockNumber,
    }

    /// A proposal was executed.
    #[ink(event)]
    pub struct ProposalExecuted {
        /// Proposal id.
        #[ink(topic)]
        pub id: u32,
    }

    /// A proposal was canceled.
    #[ink(event)]
    pub struct ProposalCanceled {
        /// Proposal id.
        #[ink(topic)]
        pub id: u32,
        /// Who canceled it.
        #[ink(topic)]
        pub by: Address,
    }

    /// An AI summary was anchored to a proposal.
    #[ink(event)]
    pub struct SummaryAttached {
        /// Proposal id.
        #[ink(topic)]
        pub id: u32,
        /// The summariser.
        #[ink(topic)]
        pub summariser: Address,
        /// blake2b-256 of the summary text.
        pub summary_hash: [u8; 32],
        /// Model id.
        pub model_id: [u8; 32],
    }

    /// The governed settings changed (also emitted at instantiation).
    #[ink(event)]
    pub struct SettingsChanged {
        /// The new settings.
        pub settings: Settings,
    }

    /// A target was added to or removed from the allowlist.
    #[ink(event)]
    pub struct AllowlistChanged {
        /// Target contract.
        #[ink(topic)]
        pub target: Address,
        /// Whether it is allowed now.
        pub allowed: bool,
    }

    /// The guardian changed or was burned.
    #[ink(event)]
    pub struct GuardianChanged {
        /// The guardian now.
        pub guardian: Option<Address>,
        /// Whether the role is burned for good.
        pub burned: bool,
    }

    /// The summariser role changed.
    #[ink(event)]
    pub struct SummariserChanged {
        /// The summariser now.
        pub summariser: Option<Address>,
    }

    /// A proposal was created on the optimistic grant track (after its `ProposalCreated`).
    #[ink(event)]
    pub struct OptimisticProposed {
        /// Proposal id.
        #[ink(topic)]
        pub id: u32,
        /// The grant.
        pub request: SpendRequest,
        /// Last block objections are counted before the grant passes.
        pub challenge_end: BlockNumber,
        /// Objection threshold in basis points.
        pub objection_bps: u32,
    }

    /// Objections reached the threshold, or an objection could not be weighed because the
    /// membership token could not be read (the track fails closed): the grant goes to a
    /// full vote.
    #[ink(event)]
    pub struct ProposalEscalated {
        /// Proposal id.
        #[ink(topic)]
        pub id: u32,
        /// Objecting weight.
        pub objections: u128,
        /// Threshold it reached; `None` when the objection could not be weighed.
        pub threshold: Option<u128>,
        /// Last block of the full vote.
        pub vote_end: BlockNumber,
    }

    /// The optimistic track's settings changed (also emitted at instantiation).
    #[ink(event)]
    pub struct OptimisticSettingsChanged {
        /// The new settings.
        pub settings: OptimisticSettings,
    }

    /// Governed configuration, kept in its own storage cell (see `Governor`).
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    #[ink::scale_derive(Encode, Decode, TypeInfo)]
    #[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
    pub struct Config {
        /// The settings.
        pub settings: Settings,
        /// The guardian, if any.
        pub guardian: Option<Address>,
        /// Whether the guardian role is burned for good.
        pub guardian_burned: bool,
        /// The summariser, if any.
        pub summariser: Option<Address>,
    }

    /// The governor's storage.
    ///
    /// Everything that can change lives in `Lazy` or `Mapping` cells, never in the root
    /// cell: `execute` calls back into this contract (governance actions on itself), and
    /// ink! writes the root cell of the outer call back when it returns, which would undo
    /// any change the inner call made to it.
    #[ink(storage)]
    pub struct Governor {
        membership: Address,
        domain: [u8; 32],
        config: Lazy<Config>,
        allowlist: Mapping<Address, ()>,
        proposal_count: Lazy<u32>,
        tallies: Mapping<u32, Tally>,
        details: Mapping<u32, Details>,
        actions: Mapping<(u32, u32), StoredAction>,
        receipts: Mapping<(u32, Address), Receipt>,
        latest_proposal: Mapping<Address, u32>,
        nonces: Mapping<(Address, u32), u64>,
        deployer: Lazy<Address>,
        optimistic: Lazy<OptimisticSettings>,
        optimistic_states: Mapping<u32, OptimisticState>,
    }

    impl Governor {
        /// Instantiates the governor over `membership`. `domain` separates signed ballots
        /// of different chains (use the genesis hash). The governor itself and the
        /// membership token start on the allowlist.
        ///
        /// # Errors
        /// `SettingOutOfBounds` when a setting is outside its hard bounds.
        #[ink(constructor)]
        pub fn new(
            membership: Address,
            domain: [u8; 32],
            settings: Settings,
            guardian: Option<Address>,
            summariser: Option<Address>,
        ) -> Result<Self> {
            check_settings(&settings)?;
            let mut this = Self {
                membership,
                domain,
                config: Lazy::new(),
                allowlist: Mapping::new(),
                proposal_count: Lazy::new(),
                tallies: Mapping::new(),
                details: Mapping::new(),
                actions: Mapping::new(),
                receipts: Mapping::new(),
                latest_proposal: Mapping::new(),
                nonces: Mapping::new(),
                deployer: Lazy::new(),
                optimistic: Lazy::new(),
                optimistic_states: Mapping::new(),
            };
            this.deployer.set(&Self::env().caller());
            let optimistic = OptimisticSettings {
                compute_fund: None,
                max_amount: 0,
                challenge_period: CHALLENGE_PERIOD_BOUNDS.0,
                objection_bps: OBJECTION_BPS_BOUNDS.1,
            };
            this.optimistic.set(&optimistic);
            this.config.set(&Config {
                settings,
                guardian,
                guardian_burned: false,
                summariser,
            });
            this.proposal_count.set(&0);
            this.env().emit_event(SettingsChanged { settings });
            this.env().emit_event(GuardianChanged {
                guardian,
                burned: false,
            });
            this.env().emit_event(SummariserChanged { summariser });
            this.env().emit_event(OptimisticSettingsChanged {
                settings: optimistic,
            });
            let own = this.env().address();
            this.allow(own, true);
            this.allow(membership, true);
            Ok(this)
        }

        /// Creates a proposal and returns its id. Voting opens after `voting_delay` blocks.
        ///
        /// # Errors
        /// `EmptyProposal`, `TooManyActions`, `InputTooLong`, `DescriptionTooLong`,
        /// `TargetNotAllowed`, `TargetNotContract`, `BelowProposalThreshold` (weight at the
        /// previous block), `LiveProposalExists`, `MembershipCallFailed`, `Overflow`.
        #[ink(message)]
        pub fn propose(&mut self, actions: Vec<Action>, description: String) -> Result<u32> {
            self.create(actions, description, None)
        }

        /// Proposes a grant from the Compute Fund on the optimistic track and returns the
        /// proposal id. It passes when the challenge period ends unless members holding the
        /// objection threshold of weight vote Against (object) first, which escalates it to a
        /// full vote (voting period from the escalating objection, quorum as usual). Queue
        /// and execute as any proposal; execution calls the fund's `approve_spend`.
        ///
        /// # Errors
        /// `OptimisticTrackDisabled`, `GrantTooLarge`, then the errors of `propose`.
        #[ink(message)]
        pub fn propose_grant(&mut self, request: SpendRequest, description: String) -> Result<u32> {
            let o = self.optimistic_settings();
            let fund = o.compute_fund.ok_or(Error::OptimisticTrackDisabled)?;
            if request.amount > o.max_amount {
                return Err(Error::GrantTooLarge);
            }
            let action = Action {
                target: fund,
                selector: APPROVE_SPEND_SELECTOR,
                input: ink::scale::Encode::encode(&request),
                value: 0,
            };
            let id = self.create(
                ink::prelude::vec![action],
                description,
                Some(o.challenge_period),
            )?;
            self.optimistic_states.insert(
                id,
                &OptimisticState {
                    objection_bps: o.objection_bps,
                    threshold: None,
                    escalated: false,
                },
            );
            let challenge_end = self.load(id)?.vote_end;
            self.env().emit_event(OptimisticProposed {
                id,
                request,
                challenge_end,
                objection_bps: o.objection_bps,
            });
            Ok(id)
        }

        fn create(
            &mut self,
            actions: Vec<Action>,
            description: String,
            period: Option<u32>,
        ) -> Result<u32> {
            let count = u32::try_from(actions.len()).map_err(|_| Error::TooManyActions)?;
            if count == 0 {
                return Err(Error::EmptyProposal);
            }
            if count > MAX_ACTIONS {
                return Err(Error::TooManyActions);
            }
            if description.len() > MAX_DESCRIPTION_LEN as usize {
                return Err(Error::DescriptionTooLong);
            }
            let proposer = self.env().caller();
            let now = self.env().block_number();
            // Weight at the previous block: weight gained in this very block cannot propose.
            let weight = host::weight_at(self.membership, proposer, now.saturating_sub(1))?;
            let s = self.config().settings;
            if weight < s.proposal_threshold || weight == 0 {
                return Err(Error::BelowProposalThreshold);
            }
            if let Some(last) = self.latest_proposal.get(proposer) {
                if matches!(
                    self.state(last)?,
                    ProposalState::Pending | ProposalState::Active
                ) {
                    return Err(Error::LiveProposalExists);
                }
            }
            let mut stored = Vec::with_capacity(actions.len());
            for action in actions {
                if action.input.len() > MAX_INPUT_LEN as usize {
                    return Err(Error::InputTooLong);
                }
                if !self.allowlist.contains(action.target) {
                    return Err(Error::TargetNotAllowed);
                }
                let code_hash = host::code_hash(action.target).ok_or(Error::TargetNotContract)?;
                stored.push(StoredAction { action, code_hash });
            }
            let id = self.proposal_count();
            self.proposal_count
                .set(&id.checked_add(1).ok_or(Error::Overflow)?);
            let snapshot = now.checked_add(s.voting_delay).ok_or(Error::Overflow)?;
            let vote_end = snapshot
                .checked_add(period.unwrap_or(s.voting_period))
                .ok_or(Error::Overflow)?;
            let description_hash = keccak(description.as_bytes());
            for (i, a) in (0u32..).zip(stored.iter()) {
                self.actions.insert((id, i), a);
            }
            self.save(
                id,
                &Proposal {
                    proposer,
                    snapshot,
                    vote_end,
                    extended: false,
                    description_hash,
                    action_count: count,
                    quorum_bps: s.quorum_bps,
                    quorum: None,
                    for_votes: 0,
                    against_votes: 0,
                    abstain_votes: 0,
                    eta: None,
                    grace_period: s.grace_period,
                    late_quorum_extension: s.late_quorum_extension,
                    optimistic: period.is_some(),
                    executed: false,
                    canceled: false,
                    summary: None,
                },
            );
            self.latest_proposal.insert(proposer, &id);
            self.env().emit_event(ProposalCreated {
                id,
                proposer,
                actions: stored,
                description,
                description_hash,
                snapshot,
                vote_end,
                quorum_bps: s.quorum_bps,
                grace_period: s.grace_period,
            });
            Ok(id)
        }

        /// Casts the caller's vote with its weight at the proposal's snapshot; returns the
        /// weight counted. An objection (Against) to an optimistic grant that cannot be
        /// weighed because the membership token cannot be read escalates the grant to a
        /// full vote and counts nothing (returns 0; the voter may vote again).
        ///
        /// # Errors
        /// `UnknownProposal`, `VotingNotOpen`, `AlreadyVoted`, `NoVotingWeight`,
        /// `ReasonTooLong`, `MembershipCallFailed`, `Overflow`.
        #[ink(message)]
        pub fn cast_vote(
            &mut self,
            proposal_id: u32,
            support: Support,
            reason: Option<String>,
        ) -> Result<u128> {
            let voter = self.env().caller();
            self.count_vote(proposal_id, voter, support, reason, None)
        }

        /// Counts a ballot `voter` signed offline (sr25519 over `ballot_payload(ballot)`,
        /// raw or wrapped in `<Bytes>..</Bytes>` as browser wallets sign); anyone may relay
        /// it. Returns the weight counted.
        ///
        /// # Errors
        /// `VoterKeyMismatch` when `public_key` does not map to the ballot's voter,
        /// `BallotExpired` after the ballot's deadline, `BadNonce` unless it carries the
        /// voter's next nonce on its proposal, `InvalidSignature`, then the errors of
        /// `cast_vote`.
        #[ink(message)]
        pub fn cast_vote_by_sig(
            &mut self,
            ballot: Ballot,
            public_key: [u8; 32],
            signature: [u8; 64],
        ) -> Result<u128> {
            if address_of_public_key(&public_key) != ballot.voter {
                return Err(Error::VoterKeyMismatch);
            }
            if self.env().block_number() > ballot.deadline {
                return Err(Error::BallotExpired);
            }
            let key = (ballot.voter, ballot.proposal_id);
            let nonce = self.nonces.get(key).unwrap_or(0);
            if ballot.nonce != nonce {
                return Err(Error::BadNonce);
            }
            let payload = self.ballot_payload(ballot);
            if ink::env::sr25519_verify(&signature, &payload, &public_key).is_err() {
                let mut wrapped = Vec::with_capacity(payload.len().saturating_add(15));
                wrapped.extend_from_slice(b"<Bytes>");
                wrapped.extend_from_slice(&payload);
                wrapped.extend_from_slice(b"</Bytes>");
                ink::env::sr25519_verify(&signature, &wrapped, &public_key)
                    .map_err(|_| Error::InvalidSignature)?;
            }
            self.nonces
                .insert(key, &nonce.checked_add(1).ok_or(Error::Overflow)?);
            let relayer = Some(self.env().caller());
            self.count_vote(
                ballot.proposal_id,
                ballot.voter,
                ballot.support,
                None,
                relayer,
            )
        }

        /// Queues a succeeded proposal behind the timelock.
        ///
        /// # Errors
        /// `UnknownProposal`, `NotSucceeded`, `Overflow`.
        #[ink(message)]
        pub fn queue(&mut self, proposal_id: u32) -> Result<BlockNumber> {
            let mut p = self.load(proposal_id)?;
            if self.state_of(proposal_id, &p)? != ProposalState::Succeeded {
                return Err(Error::NotSucceeded);
            }
            let eta = self
                .env()
                .block_number()
                .checked_add(self.config().settings.timelock_delay)
                .ok_or(Error::Overflow)?;
            p.eta = Some(eta);
            self.save(proposal_id, &p);
            self.env().emit_event(ProposalQueued {
                id: proposal_id,
                eta,
            });
            Ok(eta)
        }

        /// Executes a queued proposal whose timelock has elapsed: every action's target
        /// must still be on the allowlist (audit L-7) and still have the code hash pinned
        /// when proposed. Anyone may call it. Any failing action reverts the whole
        /// execution.
        ///
        /// # Errors
        /// `UnknownProposal`, `NotQueued` (also when expired), `TimelockNotElapsed`,
        /// `TargetDelisted(i)`, `CodeHashChanged(i)`, `ActionFailed(i)`.
        #[ink(message)]
        pub fn execute(&mut self, proposal_id: u32) -> Result<()> {
            let mut p = self.load(proposal_id)?;
            if self.state_of(proposal_id, &p)? != ProposalState::Queued {
                return Err(Error::NotQueued);
            }
            if p.eta.is_some_and(|eta| self.env().block_number() < eta) {
                return Err(Error::TimelockNotElapsed);
            }
            // Every target is checked before anything is called or written.
            let mut actions = Vec::with_capacity(p.action_count as usize);
            for i in 0..p.action_count {
                let a = self
                    .actions
                    .get((proposal_id, i))
                    .ok_or(Error::UnknownProposal)?;
                if !self.allowlist.contains(a.action.target) {
                    return Err(Error::TargetDelisted(i));
                }
                if host::code_hash(a.action.target) != Some(a.code_hash) {
                    return Err(Error::CodeHashChanged(i));
                }
                actions.push(a.action);
            }
            // Marked executed before any call goes out, so no action can re-enter it.
            p.executed = true;
            self.save(proposal_id, &p);
            let own = self.env().address();
            for (i, action) in (0u32..).zip(actions.iter()) {
                host::dispatch(action, action.target == own).map_err(|_| Error::ActionFailed(i))?;
            }
            self.env().emit_event(ProposalExecuted { id: proposal_id });
            Ok(())
        }

        /// Cancels a proposal: the proposer while it is pending; the guardian at any time
        /// before execution, except a proposal that replaces or burns the guardian (audit
        /// L-2: whether governance may retire the guardian is not the guardian's call).
        ///
        /// # Errors
        /// `UnknownProposal`, `NotGuardianOrProposer`, `NotCancelable`,
        /// `GuardianRoleAtStake`.
        #[ink(message)]
        pub fn cancel(&mut self, proposal_id: u32) -> Result<()> {
            let mut p = self.load(proposal_id)?;
            let state = self.state_of(proposal_id, &p)?;
            let caller = self.env().caller();
            let is_guardian = self.config().guardian == Some(caller);
            if !is_guardian && caller != p.proposer {
                return Err(Error::NotGuardianOrProposer);
            }
            let by_proposer = caller == p.proposer && state == ProposalState::Pending;
            if !by_proposer {
                let cancelable = is_guardian
                    && matches!(
                        state,
                        ProposalState::Pending
                            | ProposalState::Active
                            | ProposalState::Succeeded
                            | ProposalState::Queued
                    );
                if !cancelable {
                    return Err(Error::NotCancelable);
                }
                if self.guardian_at_stake(proposal_id, &p) {
                    return Err(Error::GuardianRoleAtStake);
                }
            }
            p.canceled = true;
            self.save(proposal_id, &p);
            self.env().emit_event(ProposalCanceled {
                id: proposal_id,
                by: caller,
            });
            Ok(())
        }

        /// Anchors an AI summary (hash of the text and model id) to a pending proposal,
        /// once; only the summariser may.
        ///
        /// # Errors
        /// `NotSummariser`, `UnknownProposal`, `SummaryWindowClosed` unless pending,
        /// `SummaryAlreadyAttached`.
        #[ink(message)]
        pub fn attach_summary(
            &mut self,
            proposal_id: u32,
            summary_hash: [u8; 32],
            model_id: [u8; 32],
        ) -> Result<()> {
            let caller = self.env().caller();
            if self.config().summariser != Some(caller) {
                return Err(Error::NotSummariser);
            }
            let mut p = self.load(proposal_id)?;
            if self.state_of(proposal_id, &p)? != ProposalState::Pending {
                return Err(Error::SummaryWindowClosed);
            }
            if p.summary.is_some() {
                return Err(Error::SummaryAlreadyAttached);
            }
            p.summary = Some(Summary {
                summary_hash,
                model_id,
            });
            self.save(proposal_id, &p);
            self.env().emit_event(SummaryAttached {
                id: proposal_id,
                summariser: caller,
                summary_hash,
                model_id,
            });
            Ok(())
        }

        /// Replaces the settings. Governance only (an executed proposal of this governor).
        ///
        /// # Errors
        /// `OnlyGovernance`, `SettingOutOfBounds`.
        #[ink(message)]
        pub fn set_settings(&mut self, settings: Settings) -> Result<()> {
            self.ensure_self()?;
            check_settings(&settings)?;
            let config = self.config();
            self.config.set(&Config { settings, ..config });
            self.env().emit_event(SettingsChanged { settings });
            Ok(())
        }

        /// Replaces the optimistic grant track's settings. Governance only.
        ///
        /// # Errors
        /// `OnlyGovernance`, `SettingOutOfBounds`.
        #[ink(message)]
        pub fn set_optimistic(&mut self, settings: OptimisticSettings) -> Result<()> {
            self.ensure_self()?;
            let within = |v: u32, (lo, hi): (u32, u32)| (lo..=hi).contains(&v);
            if !within(settings.challenge_period, CHALLENGE_PERIOD_BOUNDS)
                || !within(settings.objection_bps, OBJECTION_BPS_BOUNDS)
            {
                return Err(Error::SettingOutOfBounds);
            }
            self.optimistic.set(&settings);
            self.env()
                .emit_event(OptimisticSettingsChanged { settings });
            Ok(())
        }

        /// Puts the DAO's other contracts (funds, router) on the allowlist at deployment:
        /// the deployer only, once, before the first proposal. Later changes go through
        /// `set_allowlisted` by proposal.
        ///
        /// # Errors
        /// `NotDeployer` for anyone else, a second call, or after the first proposal.
        #[ink(message)]
        pub fn init_allowlist(&mut self, targets: Vec<Address>) -> Result<()> {
            if self.deployer.get() != Some(self.env().caller()) || self.proposal_count() > 0 {
                return Err(Error::NotDeployer);
            }
            self.deployer.set(&self.env().address());
            for t in targets {
                self.allow(t, true);
            }
            Ok(())
        }

        /// The optimistic grant track's settings.
        #[ink(message)]
        pub fn optimistic_settings(&self) -> OptimisticSettings {
            self.optimistic.get().unwrap_or(OptimisticSettings {
                compute_fund: None,
                max_amount: 0,
                challenge_period: CHALLENGE_PERIOD_BOUNDS.0,
                objection_bps: OBJECTION_BPS_BOUNDS.1,
            })
        }

        /// An optimistic grant's objection state; `None` for other proposals.
        #[ink(message)]
        pub fn optimistic_state(&self, proposal_id: u32) -> Option<OptimisticState> {
            self.optimistic_states.get(proposal_id)
        }

        /// Adds a target to or removes it from the allowlist. Governance only.
        ///
        /// # Errors
        /// `OnlyGovernance`.
        #[ink(message)]
        pub fn set_allowlisted(&mut self, target: Address, allowed: bool) -> Result<()> {
            self.ensure_self()?;
            self.allow(target, allowed);
            Ok(())
        }

        /// Sets or clears the guardian. Governance only, and not after the role was burned.
        ///
        /// # Errors
        /// `OnlyGovernance`, `GuardianBurned`.
        #[ink(message)]
        pub fn set_guardian(&mut self, guardian: Option<Address>) -> Result<()> {
            self.ensure_self()?;
            let config = self.config();
            if config.guardian_burned {
                return Err(Error::GuardianBurned);
            }
            self.config.set(&Config { guardian, ..config });
            self.env().emit_event(GuardianChanged {
                guardian,
                burned: false,
            });
            Ok(())
        }

        /// Removes the guardian role for good. Governance only.
        ///
        /// # Errors
        /// `OnlyGovernance`, `GuardianBurned` when already burned.
        #[ink(message)]
        pub fn burn_guardian(&mut self) -> Result<()> {
            self.ensure_self()?;
            let config = self.config();
            if config.guardian_burned {
                return Err(Error::GuardianBurned);
            }
            self.config.set(&Config {
                guardian: None,
                guardian_burned: true,
                ..config
            });
            self.env().emit_event(GuardianChanged {
                guardian: None,
                burned: true,
            });
            Ok(())
        }

        /// Sets or clears the summariser role. Governance only.
        ///
        /// # Errors
        /// `OnlyGovernance`.
        #[ink(message)]
        pub fn set_summariser(&mut self, summariser: Option<Address>) -> Result<()> {
            self.ensure_self()?;
            let config = self.config();
            self.config.set(&Config {
                summariser,
                ..config
            });
            self.env().emit_event(SummariserChanged { summariser });
            Ok(())
        }

        /// The state of a proposal now.
        ///
        /// # Errors
        /// `UnknownProposal`.
        #[ink(message)]
        pub fn state(&self, proposal_id: u32) -> Result<ProposalState> {
            self.state_of(proposal_id, &self.load(proposal_id)?)
        }

        fn state_of(&self, proposal_id: u32, p: &Proposal) -> Result<ProposalState> {
            let now = self.env().block_number();
            Ok(if p.executed {
                ProposalState::Executed
            } else if p.canceled {
                ProposalState::Canceled
            } else if now <= p.snapshot {
                ProposalState::Pending
            } else if now <= p.vote_end {
                ProposalState::Active
            } else if !(Self::passed(&p.split().0)?
                || p.optimistic && self.unchallenged(proposal_id))
            {
                ProposalState::Defeated
            } else {
                // The grace period is the proposal's own (audit M-1), and it also bounds
                // how long a succeeded proposal may wait to be queued (audit L-3).
                let from = p.eta.unwrap_or(p.vote_end);
                let last = from.checked_add(p.grace_period).ok_or(Error::Overflow)?;
                if now > last {
                    ProposalState::Expired
                } else if p.eta.is_some() {
                    ProposalState::Queued
                } else {
                    ProposalState::Succeeded
                }
            })
        }

        /// A proposal by id.
        #[ink(message)]
        pub fn proposal(&self, proposal_id: u32) -> Option<Proposal> {
            self.load(proposal_id).ok()
        }

        /// A proposal's actions with their pinned code hashes.
        #[ink(message)]
        pub fn actions(&self, proposal_id: u32) -> Vec<StoredAction> {
            let count = self.details.get(proposal_id).map_or(0, |d| d.action_count);
            (0..count)
                .filter_map(|i| self.actions.get((proposal_id, i)))
                .collect()
        }

        /// A voter's receipt on a proposal.
        #[ink(message)]
        pub fn receipt(&self, proposal_id: u32, voter: Address) -> Option<Receipt> {
            self.receipts.get((proposal_id, voter))
        }

        /// The bytes a voter signs for `ballot`: the ballot tag, the chain domain, this
        /// governor's address, then the SCALE-encoded ballot.
        #[ink(message)]
        pub fn ballot_payload(&self, ballot: Ballot) -> Vec<u8> {
            let mut out = Vec::with_capacity(96);
            out.extend_from_slice(BALLOT_TAG);
            out.extend_from_slice(&self.domain);
            out.extend_from_slice(self.env().address().as_bytes());
            ink::scale::Encode::encode_to(&ballot, &mut out);
            out
        }

        /// A voter's next ballot nonce on a proposal.
        #[ink(message)]
        pub fn nonce(&self, voter: Address, proposal_id: u32) -> u64 {
            self.nonces.get((voter, proposal_id)).unwrap_or(0)
        }

        /// The governed settings.
        #[ink(message)]
        pub fn settings(&self) -> Settings {
            self.config().settings
        }

        /// Whether `target` is on the allowlist.
        #[ink(message)]
        pub fn is_allowlisted(&self, target: Address) -> bool {
            self.allowlist.contains(target)
        }

        /// The guardian, if any.
        #[ink(message)]
        pub fn guardian(&self) -> Option<Address> {
            self.config().guardian
        }

        /// Whether the guardian role was burned.
        #[ink(message)]
        pub fn guardian_burned(&self) -> bool {
            self.config().guardian_burned
        }

        /// The summariser, if any.
        #[ink(message)]
        pub fn summariser(&self) -> Option<Address> {
            self.config().summariser
        }

        /// The membership token weights are read from.
        #[ink(message)]
        pub fn membership(&self) -> Address {
            self.membership
        }

        /// Number of proposals so far (ids are `0..count`).
        #[ink(message)]
        pub fn proposal_count(&self) -> u32 {
            self.proposal_count.get().unwrap_or(0)
        }

        fn config(&self) -> Config {
            // Set by the constructor; the default is never observed on a live contract.
            self.config.get().unwrap_or(Config {
                settings: Settings {
                    voting_delay: 0,
                    voting_period: 0,
                    timelock_delay: 0,
                    grace_period: 0,
                    quorum_bps: 0,
                    proposal_threshold: 0,
                    late_quorum_extension: 0,
                },
                guardian: None,
                guardian_burned: false,
                summariser: None,
            })
        }

        fn load(&self, proposal_id: u32) -> Result<Proposal> {
            let tally = self.tallies.get(proposal_id);
            let details = self.details.get(proposal_id);
            tally
                .zip(details)
                .map(|(t, d)| Proposal::join(t, d))
                .ok_or(Error::UnknownProposal)
        }

        fn save(&mut self, proposal_id: u32, p: &Proposal) {
            let (tally, details) = p.split();
            self.tallies.insert(proposal_id, &tally);
            self.details.insert(proposal_id, &details);
        }

        fn ensure_self(&self) -> Result<()> {
            if self.env().caller() == self.env().address() {
                Ok(())
            } else {
                Err(Error::OnlyGovernance)
            }
        }

        fn allow(&mut self, target: Address, allowed: bool) {
            if allowed {
                self.allowlist.insert(target, &());
            } else {
                self.allowlist.remove(target);
            }
            self.env().emit_event(AllowlistChanged { target, allowed });
        }

        /// An optimistic grant whose objections never reached the threshold: it passes
        /// without a vote when its challenge period ends.
        fn unchallenged(&self, proposal_id: u32) -> bool {
            self.optimistic_states
                .get(proposal_id)
                .is_some_and(|o| !o.escalated)
        }

        /// Whether an action of the proposal replaces or burns the guardian.
        fn guardian_at_stake(&self, proposal_id: u32, p: &Proposal) -> bool {
            let own = self.env().address();
            let at_stake = [
                ink::selector_bytes!("set_guardian"),
                ink::selector_bytes!("burn_guardian"),
            ];
            (0..p.action_count).any(|i| {
                self.actions.get((proposal_id, i)).is_some_and(|a| {
                    a.action.target == own && at_stake.contains(&a.action.selector)
                })
            })
        }

        /// Quorum reached (For + Abstain) and more For than Against.
        fn passed(p: &Tally) -> Result<bool> {
            let turnout = p
                .for_votes
                .checked_add(p.abstain_votes)
                .ok_or(Error::Overflow)?;
            let quorum_met = p.quorum.is_some_and(|q| turnout >= q);
            Ok(quorum_met && p.for_votes > p.against_votes)
        }

        #[allow(clippy::too_many_lines)]
        fn count_vote(
            &mut self,
            proposal_id: u32,
            voter: Address,
            support: Support,
            reason: Option<String>,
            relayer: Option<Address>,
        ) -> Result<u128> {
            if reason
                .as_ref()
                .is_some_and(|r| r.len() > MAX_REASON_LEN as usize)
            {
                return Err(Error::ReasonTooLong);
            }
            // A vote reads and writes the proposal's tally only (see `Tally`).
            let mut p = self
                .tallies
                .get(proposal_id)
                .ok_or(Error::UnknownProposal)?;
            // Open for voting: what `state_of` calls Active, decided from the tally alone.
            let now = self.env().block_number();
            if p.executed || p.canceled || now <= p.snapshot || now > p.vote_end {
                return Err(Error::VotingNotOpen);
            }
            if self.receipts.get((proposal_id, voter)).is_some() {
                return Err(Error::AlreadyVoted);
            }
            // An Against vote on an optimistic grant not yet escalated is an objection.
            let objection = if support == Support::Against && p.optimistic {
                self.optimistic_states
                    .get(proposal_id)
                    .filter(|o| !o.escalated)
            } else {
                None
            };
            let (weight, total) = match self.weigh(voter, &p, objection.as_ref()) {
                Ok(read) => read,
                // The optimistic track fails closed (audit I): an objection the membership
                // token cannot weigh sends the grant to a full vote instead of letting it
                // pass unchallenged. Nothing is counted; the voter may vote again.
                Err(Error::MembershipCallFailed) if objection.is_some() => {
                    let o = objection.ok_or(Error::MembershipCallFailed)?;
                    self.escalate(proposal_id, &mut p, o, None)?;
                    self.tallies.insert(proposal_id, &p);
                    return Ok(0);
                }
                Err(e) => return Err(e),
            };
            let quorum = match p.quorum {
                Some(q) => q,
                None => {
                    let total = total.ok_or(Error::MembershipCallFailed)?;
                    // Rounded up, so that a quorum of x% really needs x% of the weight.
                    let scaled = total
                        .checked_mul(u128::from(p.quorum_bps))
                        .ok_or(Error::Overflow)?;
                    let q = scaled.div_ceil(u128::from(BPS));
                    p.quorum = Some(q);
                    q
                }
            };
            let quorum_before = Self::turnout(&p)? >= quorum;
            let tally = match support {
                Support::For => &mut p.for_votes,
                Support::Against => &mut p.against_votes,
                Support::Abstain => &mut p.abstain_votes,
            };
            *tally = tally.checked_add(weight).ok_or(Error::Overflow)?;
            let extension = p.late_quorum_extension;
            let mut extended_to = None;
            if !quorum_before && Self::turnout(&p)? >= quorum && !p.extended && extension > 0 {
                let new_end = now.checked_add(extension).ok_or(Error::Overflow)?;
                if new_end > p.vote_end {
                    p.vote_end = new_end;
                    p.extended = true;
                    extended_to = Some(new_end);
                }
            }
            self.receipts
                .insert((proposal_id, voter), &Receipt { support, weight });
            let tallies = (p.for_votes, p.against_votes, p.abstain_votes);
            self.env().emit_event(VoteCast {
                id: proposal_id,
                voter,
                support,
                weight,
                reason,
                relayer,
                tallies,
            });
            if let Some(vote_end) = extended_to {
                self.env().emit_event(VotingExtended {
                    id: proposal_id,
                    vote_end,
                });
            }
            if let Some(o) = objection {
                self.count_objection(proposal_id, &mut p, o, total)?;
            }
            self.tallies.insert(proposal_id, &p);
            Ok(weight)
        }

        /// The voter's weight at the snapshot, and the total weight there when the quorum
        /// or an objection threshold still has to be fixed.
        fn weigh(
            &self,
            voter: Address,
            p: &Tally,
            objection: Option<&OptimisticState>,
        ) -> Result<(u128, Option<u128>)> {
            let weight = host::weight_at(self.membership, voter, p.snapshot)?;
            if weight == 0 {
                return Err(Error::NoVotingWeight);
            }
            let needs_total =
                p.quorum.is_none() || objection.is_some_and(|o| o.threshold.is_none());
            let total = if needs_total {
                Some(host::total_weight_at(self.membership, p.snapshot)?)
            } else {
                None
            };
            Ok((weight, total))
        }

        /// Counts an objection (already in `p.against_votes`) on an optimistic grant not
        /// yet escalated: the threshold is fixed by the first objection; when objections
        /// reach it, the grant goes to a full vote.
        fn count_objection(
            &mut self,
            proposal_id: u32,
            p: &mut Tally,
            mut o: OptimisticState,
            total: Option<u128>,
        ) -> Result<()> {
            let threshold = match o.threshold {
                Some(t) => t,
                None => total
                    .ok_or(Error::MembershipCallFailed)?
                    .checked_mul(u128::from(o.objection_bps))
                    .ok_or(Error::Overflow)?
                    .div_ceil(u128::from(BPS)),
            };
            o.threshold = Some(threshold);
            if p.against_votes >= threshold {
                self.escalate(proposal_id, p, o, Some(threshold))
            } else {
                self.optimistic_states.insert(proposal_id, &o);
                Ok(())
            }
        }

        /// Sends an optimistic grant to a full vote of one voting period from now.
        fn escalate(
            &mut self,
            proposal_id: u32,
            p: &mut Tally,
            mut o: OptimisticState,
            threshold: Option<u128>,
        ) -> Result<()> {
            let vote_end = self
                .env()
                .block_number()
                .checked_add(self.config().settings.voting_period)
                .ok_or(Error::Overflow)?;
            o.escalated = true;
            p.vote_end = vote_end;
            self.optimistic_states.insert(proposal_id, &o);
            self.env().emit_event(ProposalEscalated {
                id: proposal_id,
                objections: p.against_votes,
                threshold,
                vote_end,
            });
            Ok(())
        }

        fn turnout(p: &Tally) -> Result<u128> {
            p.for_votes
                .checked_add(p.abstain_votes)
                .ok_or(Error::Overflow)
        }
    }

    fn check_settings(s: &Settings) -> Result<()> {
        let within = |v: u32, (lo, hi): (u32, u32)| (lo..=hi).contains(&v);
        let ok = within(s.voting_delay, VOTING_DELAY_BOUNDS)
            && within(s.voting_period, VOTING_PERIOD_BOUNDS)
            && within(s.timelock_delay, TIMELOCK_BOUNDS)
            && within(s.grace_period, GRACE_BOUNDS)
            && within(s.quorum_bps, QUORUM_BPS_BOUNDS)
            && within(s.late_quorum_extension, EXTENSION_BOUNDS)
            && s.late_quorum_extension <= s.voting_period
            && s.proposal_threshold <= MAX_PROPOSAL_THRESHOLD;
        if ok {
            Ok(())
        } else {
            Err(Error::SettingOutOfBounds)
        }
    }

    fn keccak(input: &[u8]) -> [u8; 32] {
        let mut out = [0u8; 32];
        ink::env::hash_bytes::<Keccak256>(input, &mut out);
        out
    }

    /// The H160 pallet-revive maps an sr25519 account to: the first 20 bytes for accounts
    /// that are themselves Ethereum-derived (suffix of twelve 0xEE), otherwise the last 20
    /// bytes of the keccak-256 of the public key.
    pub fn address_of_public_key(public_key: &[u8; 32]) -> Address {
        if public_key[20..].iter().all(|b| *b == 0xEE) {
            Address::from_slice(&public_key[..20])
        } else {
            Address::from_slice(&keccak(public_key)[12..])
        }
    }

    /// Calls into other contracts. On chain (PolkaVM) these are real cross-contract calls;
    /// in ink!'s off-chain engine, which cannot execute another contract's code at an
    /// arbitrary address, `offchain_double` stands in and the unit tests set its answers.
    /// The real path is exercised on the pallet-revive runtime by `tests/sandbox`.
    #[cfg(target_arch = "riscv64")]
    mod host {
        use super::{Action, Address, Error, Result, H256};
        use ink::env::{
            call::{build_call, ExecutionInput, Selector},
            DefaultEnvironment,
        };
        use pallet_revive_uapi::{CallFlags, HostFn, HostFnImpl as api};

        fn decode(result: ink::env::Result<ink::MessageResult<Option<u128>>>) -> Result<u128> {
            match result {
                Ok(Ok(Some(weight))) => Ok(weight),
                _ => Err(Error::MembershipCallFailed),
            }
        }

        pub fn weight_at(membership: Address, who: Address, block: u32) -> Result<u128> {
            let selector = Selector::new(ink::selector_bytes!("VotingWeight::weight_at"));
            decode(
                build_call::<DefaultEnvironment>()
                    .call(membership)
                    .exec_input(ExecutionInput::new(selector).push_arg(who).push_arg(block))
                    .returns::<Option<u128>>()
                    .try_invoke(),
            )
        }

        pub fn total_weight_at(membership: Address, block: u32) -> Result<u128> {
            let selector = Selector::new(ink::selector_bytes!("VotingWeight::total_weight_at"));
            decode(
                build_call::<DefaultEnvironment>()
                    .call(membership)
                    .exec_input(ExecutionInput::new(selector).push_arg(block))
                    .returns::<Option<u128>>()
                    .try_invoke(),
            )
        }

        pub fn code_hash(target: Address) -> Option<H256> {
            if !ink::env::is_contract(&target) {
                return None;
            }
            ink::env::code_hash(&target).ok()
        }

        /// Calls `action` with its value; the governor itself is called with re-entry
        /// allowed (it is executing), other targets without. A revert is a failure.
        pub fn dispatch(action: &Action, to_self: bool) -> core::result::Result<(), ()> {
            let mut input =
                ink::prelude::vec::Vec::with_capacity(action.input.len().saturating_add(4));
            input.extend_from_slice(&action.selector);
            input.extend_from_slice(&action.input);
            let value = ink::U256::from(action.value).to_little_endian();
            let flags = if to_self {
                CallFlags::ALLOW_REENTRY
            } else {
                CallFlags::empty()
            };
            api::call(
                flags,
                &action.target.0,
                u64::MAX,
                u64::MAX,
                &[0xff; 32],
                &value,
                &input,
                None,
            )
            .map_err(|_| ())
        }
    }

    /// Off-chain stand-in for `host` (see there): a per-thread table the unit tests fill.
    #[cfg(not(target_arch = "riscv64"))]
    // The setters are used by the unit tests only; the std build for metadata compiles them too.
    #[cfg_attr(not(test), allow(dead_code))]
    pub mod offchain_double {
        use super::{Action, Address, Error, Result, H256};
        use std::{cell::RefCell, collections::HashMap};

        #[derive(Default)]
        struct State {
            weights: HashMap<Address, Vec<(u32, u128)>>,
            totals: Vec<(u32, u128)>,
            code_hashes: HashMap<Address, H256>,
            calls: Vec<Action>,
            failing: Option<Address>,
            membership_down: bool,
        }

        thread_local! {
            static STATE: RefCell<State> = RefCell::new(State::default());
        }

        fn at(history: &[(u32, u128)], block: u32) -> u128 {
            history
                .iter()
                .rev()
                .find(|(b, _)| *b <= block)
                .map_or(0, |(_, w)| *w)
        }

        /// Records `who`'s weight from `block` on.
        pub fn set_weight(who: Address, block: u32, weight: u128) {
            STATE.with(|s| {
                s.borrow_mut()
                    .weights
                    .entry(who)
                    .or_default()
                    .push((block, weight))
            });
        }

        /// Records the total weight from `block` on.
        pub fn set_total(block: u32, weight: u128) {
            STATE.with(|s| s.borrow_mut().totals.push((block, weight)));
        }

        /// Makes `target` a contract with `hash` as its code hash.
        pub fn set_code_hash(target: Address, hash: H256) {
            STATE.with(|s| s.borrow_mut().code_hashes.insert(target, hash));
        }

        /// Makes calls to `target` revert.
        pub fn fail_calls_to(target: Address) {
            STATE.with(|s| s.borrow_mut().failing = Some(target));
        }

        /// Makes every weight read fail, as an unreachable membership contract would.
        pub fn membership_down() {
            STATE.with(|s| s.borrow_mut().membership_down = true);
        }

        /// Actions dispatched so far.
        pub fn calls() -> Vec<Action> {
            STATE.with(|s| s.borrow().calls.clone())
        }

        pub(super) fn weight_at(_m: Address, who: Address, block: u32) -> Result<u128> {
            STATE.with(|s| {
                let s = s.borrow();
                if s.membership_down {
                    return Err(Error::MembershipCallFailed);
                }
                Ok(s.weights.get(&who).map_or(0, |h| at(h, block)))
            })
        }

        pub(super) fn total_weight_at(_m: Address, block: u32) -> Result<u128> {
            STATE.with(|s| {
                let s = s.borrow();
                if s.membership_down {
                    return Err(Error::MembershipCallFailed);
                }
                Ok(at(&s.totals, block))
            })
        }

        pub(super) fn code_hash(target: Address) -> Option<H256> {
            STATE.with(|s| s.borrow().code_hashes.get(&target).copied())
        }

        pub(super) fn dispatch(action: &Action, _to_self: bool) -> core::result::Result<(), ()> {
            STATE.with(|s| {
                let mut s = s.borrow_mut();
                if s.failing == Some(action.target) {
                    return Err(());
                }
                s.calls.push(action.clone());
                Ok(())
            })
        }
    }
    #[cfg(not(target_arch = "riscv64"))]
    use offchain_double as host;
}

#[cfg(test)]
// Test arithmetic is on small known values and overflow checks are on in tests.
#[allow(clippy::arithmetic_side_effects, clippy::cast_possible_truncation)]
mod tests;
