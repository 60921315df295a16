//! Unit tests on ink!'s off-chain engine, written given/when/then. Weights and the calls to
//! other contracts come from `offchain_double` (the off-chain engine cannot run another
//! contract at an arbitrary address); `tests/sandbox` runs the same flows on the runtime.
use crate::governor::{offchain_double as double, *};
use atelier_traits::emitted;
use ink::{
    env::{test, DefaultEnvironment},
    scale, Address, H256,
};

type Env = DefaultEnvironment;

const SETTINGS: Settings = Settings {
    voting_delay: 2,
    voting_period: 10,
    timelock_delay: 3,
    grace_period: 10,
    quorum_bps: 2_000,
    proposal_threshold: 10,
    late_quorum_extension: 4,
};
const DOMAIN: [u8; 32] = [7; 32];

struct World {
    a: test::DefaultAccounts,
    gov: Governor,
    membership: Address,
}

fn membership_address() -> Address {
    Address::from_low_u64_be(0xAB)
}

/// Governor over a membership token where Bob holds 50, Eve 30, Alice 20 of a total of 200;
/// Charlie is guardian, Django summariser.
fn world() -> World {
    let a = test::default_accounts();
    let membership = membership_address();
    double::set_weight(a.bob, 0, 50);
    double::set_weight(a.eve, 0, 30);
    double::set_weight(a.alice, 0, 20);
    double::set_total(0, 200);
    // The governor's own address, distinct from every account.
    test::set_callee(Address::from_low_u64_be(0xC0DE));
    double::set_code_hash(membership, H256::repeat_byte(1));
    double::set_code_hash(test::callee(), H256::repeat_byte(2));
    test::set_caller(a.alice);
    let gov = Governor::new(
        membership,
        DOMAIN,
        SETTINGS,
        Some(a.charlie),
        Some(a.django),
    )
    .expect("valid settings");
    World { a, gov, membership }
}

fn advance(blocks: u32) {
    for _ in 0..blocks {
        test::advance_block::<Env>();
    }
}

fn now() -> u32 {
    ink::env::block_number::<Env>()
}

fn action(target: Address) -> Action {
    Action {
        target,
        selector: [1, 2, 3, 4],
        input: vec![9, 9],
        value: 0,
    }
}

impl World {
    fn as_(&mut self, who: Address) -> &mut Governor {
        test::set_caller(who);
        &mut self.gov
    }

    fn as_self(&mut self) -> &mut Governor {
        test::set_caller(test::callee());
        &mut self.gov
    }

    /// Bob proposes one action on the membership token.
    fn propose(&mut self) -> u32 {
        let target = self.membership;
        self.as_(self.a.bob)
            .propose(vec![action(target)], "Raise the cap".into())
            .expect("proposed")
    }

    /// Bob proposes, voting opens, Bob (50) and Alice (20) vote For: 70 of 200 >= 20%.
    fn succeeded(&mut self) -> u32 {
        let id = self.propose();
        advance(SETTINGS.voting_delay + 1);
        self.as_(self.a.bob)
            .cast_vote(id, Support::For, None)
            .unwrap();
        self.as_(self.a.alice)
            .cast_vote(id, Support::For, None)
            .unwrap();
        let end = self.gov.proposal(id).unwrap().vote_end;
        advance(end + 1 - now());
        assert_eq!(self.gov.state(id), Ok(ProposalState::Succeeded));
        id
    }
}

#[ink::test]
fn constructor_allowlists_itself_and_membership_and_emits_its_configuration() {
    let w = world();
    assert_eq!(w.gov.settings(), SETTINGS);
    assert!(w.gov.is_allowlisted(test::callee()));
    assert!(w.gov.is_allowlisted(w.membership));
    assert_eq!(w.gov.guardian(), Some(w.a.charlie));
    assert_eq!(w.gov.summariser(), Some(w.a.django));
    assert_eq!(w.gov.membership(), w.membership);
    assert!(!w.gov.guardian_burned());
    assert_eq!(emitted!(SettingsChanged).len(), 1);
    assert_eq!(emitted!(AllowlistChanged).len(), 2);
    assert_eq!(emitted!(GuardianChanged).len(), 1);
    assert_eq!(emitted!(SummariserChanged).len(), 1);
}

#[ink::test]
fn constructor_rejects_settings_outside_hard_bounds() {
    let m = membership_address();
    for bad in [
        Settings {
            quorum_bps: 399,
            ..SETTINGS
        },
        Settings {
            quorum_bps: 8_001,
            ..SETTINGS
        },
        Settings {
            voting_delay: 0,
            ..SETTINGS
        },
        Settings {
            voting_period: 9,
            ..SETTINGS
        },
        Settings {
            timelock_delay: 0,
            ..SETTINGS
        },
        Settings {
            grace_period: 9,
            ..SETTINGS
        },
        Settings {
            late_quorum_extension: 11,
            ..SETTINGS
        },
        Settings {
            proposal_threshold: 1_000_001,
            ..SETTINGS
        },
    ] {
        assert_eq!(
            Governor::new(m, DOMAIN, bad, None, None).err(),
            Some(Error::SettingOutOfBounds)
        );
    }
}

#[ink::test]
fn propose_stores_the_proposal_pins_code_hashes_and_emits_the_full_description() {
    // given
    let mut w = world();
    // when
    let id = w.propose();
    // then
    assert_eq!(id, 0);
    assert_eq!(w.gov.proposal_count(), 1);
    assert_eq!(w.gov.state(id), Ok(ProposalState::Pending));
    let p = w.gov.proposal(id).unwrap();
    assert_eq!(p.proposer, w.a.bob);
    assert_eq!(p.snapshot, now() + SETTINGS.voting_delay);
    assert_eq!(p.vote_end, p.snapshot + SETTINGS.voting_period);
    assert_eq!(p.quorum_bps, SETTINGS.quorum_bps);
    assert_eq!(p.grace_period, SETTINGS.grace_period);
    assert!(!p.optimistic);
    let actions = w.gov.actions(id);
    assert_eq!(actions.len(), 1);
    assert_eq!(actions[0].code_hash, H256::repeat_byte(1));
    let created = emitted!(ProposalCreated);
    assert_eq!(created[0].description, "Raise the cap");
    assert_eq!(created[0].description_hash, p.description_hash);
    assert_eq!(created[0].actions, actions);
    assert_ne!(p.description_hash, [0; 32]);
}

#[ink::test]
fn propose_error_paths() {
    let mut w = world();
    let m = w.membership;
    let bob = w.a.bob;
    assert_eq!(
        w.as_(bob).propose(vec![], "x".into()),
        Err(Error::EmptyProposal)
    );
    let nine = (0..=MAX_ACTIONS).map(|_| action(m)).collect();
    assert_eq!(
        w.as_(bob).propose(nine, "x".into()),
        Err(Error::TooManyActions)
    );
    let long = Action {
        input: vec![0; MAX_INPUT_LEN as usize + 1],
        ..action(m)
    };
    assert_eq!(
        w.as_(bob).propose(vec![long], "x".into()),
        Err(Error::InputTooLong)
    );
    let essay = "x".repeat(MAX_DESCRIPTION_LEN as usize + 1);
    assert_eq!(
        w.as_(bob).propose(vec![action(m)], essay),
        Err(Error::DescriptionTooLong)
    );
    let stranger = Address::from_low_u64_be(0xCD);
    assert_eq!(
        w.as_(bob).propose(vec![action(stranger)], "x".into()),
        Err(Error::TargetNotAllowed)
    );
    // allowlisted, but there is no contract at that address
    w.as_self().set_allowlisted(stranger, true).unwrap();
    assert_eq!(
        w.as_(bob).propose(vec![action(stranger)], "x".into()),
        Err(Error::TargetNotContract)
    );
    // Frank has no weight
    let frank = w.a.frank;
    assert_eq!(
        w.as_(frank).propose(vec![action(m)], "x".into()),
        Err(Error::BelowProposalThreshold)
    );
    // one live proposal per proposer
    w.propose();
    assert_eq!(
        w.as_(bob).propose(vec![action(m)], "again".into()),
        Err(Error::LiveProposalExists)
    );
}

#[ink::test]
fn weight_gained_in_the_proposing_block_cannot_propose() {
    // given Frank acquires weight in this very block
    let mut w = world();
    advance(1);
    double::set_weight(w.a.frank, now(), 1_000);
    let m = w.membership;
    let frank = w.a.frank;
    // then he cannot propose until the next block
    assert_eq!(
        w.as_(frank).propose(vec![action(m)], "x".into()),
        Err(Error::BelowProposalThreshold)
    );
    advance(1);
    assert!(w.as_(frank).propose(vec![action(m)], "x".into()).is_ok());
}

#[ink::test]
fn propose_fails_clearly_when_membership_cannot_be_read() {
    let mut w = world();
    double::membership_down();
    let m = w.membership;
    let bob = w.a.bob;
    assert_eq!(
        w.as_(bob).propose(vec![action(m)], "x".into()),
        Err(Error::MembershipCallFailed)
    );
}

#[ink::test]
fn members_vote_with_snapshot_weight_once_and_with_a_reason() {
    // given an active proposal
    let mut w = world();
    let id = w.propose();
    let bob = w.a.bob;
    assert_eq!(
        w.as_(bob).cast_vote(id, Support::For, None),
        Err(Error::VotingNotOpen)
    );
    advance(SETTINGS.voting_delay + 1);
    assert_eq!(w.gov.state(id), Ok(ProposalState::Active));
    // when Bob votes For with a reason
    let weight = w
        .as_(bob)
        .cast_vote(id, Support::For, Some("needed".into()))
        .unwrap();
    // then his snapshot weight counts, once
    assert_eq!(weight, 50);
    assert_eq!(
        w.gov.receipt(id, bob),
        Some(Receipt {
            support: Support::For,
            weight: 50
        })
    );
    assert_eq!(
        w.as_(bob).cast_vote(id, Support::Against, None),
        Err(Error::AlreadyVoted)
    );
    let eve = w.a.eve;
    w.as_(eve).cast_vote(id, Support::Against, None).unwrap();
    let alice = w.a.alice;
    w.as_(alice).cast_vote(id, Support::Abstain, None).unwrap();
    let p = w.gov.proposal(id).unwrap();
    assert_eq!(
        (p.for_votes, p.against_votes, p.abstain_votes),
        (50, 30, 20)
    );
    assert_eq!(p.quorum, Some(40)); // 20% of 200
    let votes = emitted!(VoteCast);
    assert_eq!(votes.len(), 3);
    assert_eq!(votes[0].reason.as_deref(), Some("needed"));
    assert_eq!(votes[2].tallies, (50, 30, 20));
    assert_eq!(votes[0].relayer, None);
}

#[ink::test]
fn vote_error_paths() {
    let mut w = world();
    let id = w.propose();
    advance(SETTINGS.voting_delay + 1);
    let frank = w.a.frank;
    assert_eq!(
        w.as_(frank).cast_vote(id, Support::For, None),
        Err(Error::NoVotingWeight)
    );
    assert_eq!(
        w.as_(frank).cast_vote(9, Support::For, None),
        Err(Error::UnknownProposal)
    );
    let reason = Some("x".repeat(MAX_REASON_LEN as usize + 1));
    let bob = w.a.bob;
    assert_eq!(
        w.as_(bob).cast_vote(id, Support::For, reason),
        Err(Error::ReasonTooLong)
    );
    advance(SETTINGS.voting_period);
    assert_eq!(
        w.as_(bob).cast_vote(id, Support::For, None),
        Err(Error::VotingNotOpen)
    );
}

#[ink::test]
fn weight_acquired_after_the_snapshot_cannot_vote() {
    // given an active proposal whose snapshot has passed
    let mut w = world();
    let id = w.propose();
    advance(SETTINGS.voting_delay + 1);
    // when Frank acquires (or is delegated) a large weight now
    double::set_weight(w.a.frank, now(), 10_000);
    let frank = w.a.frank;
    // then it counts for nothing on this proposal
    assert_eq!(
        w.as_(frank).cast_vote(id, Support::For, None),
        Err(Error::NoVotingWeight)
    );
}

#[ink::test]
fn outcome_needs_quorum_and_more_for_than_against() {
    // given three proposals by three proposers
    let mut w = world();
    let m = w.membership;
    let (alice, bob, eve) = (w.a.alice, w.a.bob, w.a.eve);
    let p0 = w.as_(bob).propose(vec![action(m)], "a".into()).unwrap();
    let p1 = w.as_(eve).propose(vec![action(m)], "b".into()).unwrap();
    let p2 = w.as_(alice).propose(vec![action(m)], "c".into()).unwrap();
    advance(SETTINGS.voting_delay + 1);
    // p0: 30 For < 40 quorum; p1: 50 Against > 30 For; p2: 20 For < 40 quorum
    w.as_(eve).cast_vote(p0, Support::For, None).unwrap();
    w.as_(eve).cast_vote(p1, Support::For, None).unwrap();
    w.as_(bob).cast_vote(p1, Support::Against, None).unwrap();
    w.as_(alice).cast_vote(p2, Support::For, None).unwrap();
    advance(SETTINGS.voting_period);
    assert_eq!(w.gov.state(p0), Ok(ProposalState::Defeated));
    assert_eq!(w.gov.state(p1), Ok(ProposalState::Defeated));
    assert_eq!(w.gov.state(p2), Ok(ProposalState::Defeated)); // 20 < 40
}

#[ink::test]
fn abstain_counts_toward_quorum() {
    let mut w = world();
    let id = w.propose();
    advance(SETTINGS.voting_delay + 1);
    let (alice, eve) = (w.a.alice, w.a.eve);
    w.as_(alice).cast_vote(id, Support::For, None).unwrap(); // 20
    w.as_(eve).cast_vote(id, Support::Abstain, None).unwrap(); // 30: turnout 50 >= 40
    advance(SETTINGS.voting_period + SETTINGS.late_quorum_extension);
    assert_eq!(w.gov.state(id), Ok(ProposalState::Succeeded));
}

#[ink::test]
fn late_quorum_extends_voting_once() {
    // given a proposal in its last voting block without quorum
    let mut w = world();
    let id = w.propose();
    let p = w.gov.proposal(id).unwrap();
    advance(p.vote_end - now());
    // when Bob's vote reaches quorum
    let bob = w.a.bob;
    w.as_(bob).cast_vote(id, Support::For, None).unwrap();
    // then voting is extended by the configured blocks, once
    let end = w.gov.proposal(id).unwrap().vote_end;
    assert_eq!(end, now() + SETTINGS.late_quorum_extension);
    assert_eq!(emitted!(VotingExtended)[0].vote_end, end);
    advance(end - now());
    let eve = w.a.eve;
    w.as_(eve).cast_vote(id, Support::Against, None).unwrap();
    assert_eq!(w.gov.proposal(id).unwrap().vote_end, end);
    assert_eq!(emitted!(VotingExtended).len(), 1);
}

#[ink::test]
fn queue_and_execute_after_the_timelock() {
    // given a succeeded proposal
    let mut w = world();
    let id = w.succeeded();
    let bob = w.a.bob;
    // when queued
    let eta = w.as_(bob).queue(id).unwrap();
    assert_eq!(eta, now() + SETTINGS.timelock_delay);
    assert_eq!(w.gov.state(id), Ok(ProposalState::Queued));
    assert_eq!(emitted!(ProposalQueued)[0].eta, eta);
    assert_eq!(w.as_(bob).queue(id), Err(Error::NotSucceeded));
    // then it cannot execute before the eta
    assert_eq!(w.as_(bob).execute(id), Err(Error::TimelockNotElapsed));
    advance(SETTINGS.timelock_delay);
    // and executes after it, dispatching its action
    w.as_(bob).execute(id).unwrap();
    assert_eq!(w.gov.state(id), Ok(ProposalState::Executed));
    assert_eq!(double::calls(), vec![action(w.membership)]);
    assert_eq!(emitted!(ProposalExecuted)[0].id, id);
    assert_eq!(w.as_(bob).execute(id), Err(Error::NotQueued));
}

#[ink::test]
fn queue_and_execute_error_paths() {
    let mut w = world();
    let id = w.propose();
    let bob = w.a.bob;
    assert_eq!(w.as_(bob).queue(id), Err(Error::NotSucceeded));
    assert_eq!(w.as_(bob).execute(id), Err(Error::NotQueued));
    assert_eq!(w.as_(bob).queue(42), Err(Error::UnknownProposal));
    assert_eq!(w.as_(bob).execute(42), Err(Error::UnknownProposal));
}

#[ink::test]
fn a_target_whose_code_changed_after_proposing_cannot_execute() {
    // given a queued proposal
    let mut w = world();
    let id = w.succeeded();
    let bob = w.a.bob;
    w.as_(bob).queue(id).unwrap();
    advance(SETTINGS.timelock_delay);
    // when the target's code is swapped
    double::set_code_hash(w.membership, H256::repeat_byte(0xEE));
    // then execution is refused and nothing was called
    assert_eq!(w.as_(bob).execute(id), Err(Error::CodeHashChanged(0)));
    assert!(double::calls().is_empty());
}

#[ink::test]
fn a_failing_action_fails_the_execution() {
    let mut w = world();
    let id = w.succeeded();
    let bob = w.a.bob;
    w.as_(bob).queue(id).unwrap();
    advance(SETTINGS.timelock_delay);
    double::fail_calls_to(w.membership);
    assert_eq!(w.as_(bob).execute(id), Err(Error::ActionFailed(0)));
}

#[ink::test]
fn a_queued_proposal_expires_after_the_grace_period() {
    let mut w = world();
    let id = w.succeeded();
    let bob = w.a.bob;
    w.as_(bob).queue(id).unwrap();
    advance(SETTINGS.timelock_delay + SETTINGS.grace_period + 1);
    assert_eq!(w.gov.state(id), Ok(ProposalState::Expired));
    assert_eq!(w.as_(bob).execute(id), Err(Error::NotQueued));
}

#[ink::test]
fn proposer_cancels_while_pending_guardian_until_execution() {
    let mut w = world();
    let m = w.membership;
    let (bob, eve, charlie, frank) = (w.a.bob, w.a.eve, w.a.charlie, w.a.frank);
    // the proposer while pending
    let p0 = w.propose();
    assert_eq!(w.as_(frank).cancel(p0), Err(Error::NotGuardianOrProposer));
    w.as_(bob).cancel(p0).unwrap();
    assert_eq!(w.gov.state(p0), Ok(ProposalState::Canceled));
    assert_eq!(emitted!(ProposalCanceled)[0].by, bob);
    // the proposer once active: refused
    let p1 = w.as_(eve).propose(vec![action(m)], "e".into()).unwrap();
    advance(SETTINGS.voting_delay + 1);
    assert_eq!(w.as_(eve).cancel(p1), Err(Error::NotCancelable));
    // the guardian once active: allowed
    w.as_(charlie).cancel(p1).unwrap();
    assert_eq!(w.as_(charlie).cancel(p1), Err(Error::NotCancelable));
    assert_eq!(w.as_(charlie).cancel(77), Err(Error::UnknownProposal));
}

#[ink::test]
fn guardian_can_cancel_a_queued_proposal_but_not_an_executed_one() {
    let mut w = world();
    let (bob, charlie) = (w.a.bob, w.a.charlie);
    let id = w.succeeded();
    w.as_(bob).queue(id).unwrap();
    advance(SETTINGS.timelock_delay);
    w.as_(bob).execute(id).unwrap();
    assert_eq!(w.as_(charlie).cancel(id), Err(Error::NotCancelable));
    // a later proposal, queued, is cancelled by the guardian
    let id = w.succeeded();
    w.as_(bob).queue(id).unwrap();
    w.as_(charlie).cancel(id).unwrap();
    assert_eq!(w.gov.state(id), Ok(ProposalState::Canceled));
}

#[ink::test]
fn summariser_anchors_a_summary_once_during_the_voting_delay() {
    let mut w = world();
    let id = w.propose();
    let (django, eve) = (w.a.django, w.a.eve);
    assert_eq!(
        w.as_(eve).attach_summary(id, [1; 32], [2; 32]),
        Err(Error::NotSummariser)
    );
    assert_eq!(
        w.as_(django).attach_summary(9, [1; 32], [2; 32]),
        Err(Error::UnknownProposal)
    );
    w.as_(django).attach_summary(id, [1; 32], [2; 32]).unwrap();
    assert_eq!(
        w.gov.proposal(id).unwrap().summary,
        Some(Summary {
            summary_hash: [1; 32],
            model_id: [2; 32]
        })
    );
    let ev = emitted!(SummaryAttached);
    assert_eq!((ev[0].summariser, ev[0].summary_hash), (django, [1; 32]));
    assert_eq!(
        w.as_(django).attach_summary(id, [3; 32], [2; 32]),
        Err(Error::SummaryAlreadyAttached)
    );
    advance(SETTINGS.voting_delay + 1);
    assert_eq!(
        w.as_(django).attach_summary(id, [3; 32], [2; 32]),
        Err(Error::SummaryWindowClosed)
    );
}

#[ink::test]
fn settings_and_roles_change_only_through_the_governor_itself() {
    let mut w = world();
    let alice = w.a.alice;
    let new = Settings {
        quorum_bps: 3_000,
        ..SETTINGS
    };
    let t = Address::from_low_u64_be(5);
    assert_eq!(w.as_(alice).set_settings(new), Err(Error::OnlyGovernance));
    assert_eq!(
        w.as_(alice).set_allowlisted(t, true),
        Err(Error::OnlyGovernance)
    );
    assert_eq!(
        w.as_(alice).set_guardian(Some(alice)),
        Err(Error::OnlyGovernance)
    );
    assert_eq!(w.as_(alice).burn_guardian(), Err(Error::OnlyGovernance));
    assert_eq!(
        w.as_(alice).set_summariser(Some(alice)),
        Err(Error::OnlyGovernance)
    );
    // through the governor itself
    w.as_self().set_settings(new).unwrap();
    assert_eq!(w.gov.settings(), new);
    assert_eq!(
        w.as_self().set_settings(Settings {
            quorum_bps: 1,
            ..SETTINGS
        }),
        Err(Error::SettingOutOfBounds)
    );
    w.as_self().set_allowlisted(t, true).unwrap();
    assert!(w.gov.is_allowlisted(t));
    w.as_self().set_allowlisted(t, false).unwrap();
    assert!(!w.gov.is_allowlisted(t));
    w.as_self().set_summariser(Some(alice)).unwrap();
    assert_eq!(w.gov.summariser(), Some(alice));
    w.as_self().set_guardian(Some(alice)).unwrap();
    assert_eq!(w.gov.guardian(), Some(alice));
    // burning the guardian is final
    w.as_self().burn_guardian().unwrap();
    assert_eq!(w.gov.guardian(), None);
    assert!(w.gov.guardian_burned());
    assert_eq!(
        w.as_self().set_guardian(Some(alice)),
        Err(Error::GuardianBurned)
    );
    assert_eq!(w.as_self().burn_guardian(), Err(Error::GuardianBurned));
    let g = emitted!(GuardianChanged);
    assert!(g.last().unwrap().burned);
    assert_eq!(emitted!(SettingsChanged).len(), 2);
    assert_eq!(emitted!(SummariserChanged).len(), 2);
}

mod ballots {
    use super::*;
    use schnorrkel::{signing_context, Keypair, MiniSecretKey};

    fn keypair(seed: u8) -> Keypair {
        MiniSecretKey::from_bytes(&[seed; 32])
            .unwrap()
            .expand_to_keypair(MiniSecretKey::ED25519_MODE)
    }

    fn sign(kp: &Keypair, message: &[u8]) -> [u8; 64] {
        kp.sign(signing_context(b"substrate").bytes(message))
            .to_bytes()
    }

    /// A voter known only by key, with 60 weight, and an active proposal.
    fn setup() -> (World, Keypair, Address, u32) {
        let mut w = world();
        let kp = keypair(3);
        let voter = address_of_public_key(&kp.public.to_bytes());
        double::set_weight(voter, 0, 60);
        let id = w.propose();
        advance(SETTINGS.voting_delay + 1);
        (w, kp, voter, id)
    }

    #[ink::test]
    fn a_signed_ballot_is_counted_when_relayed_by_anyone() {
        // given a ballot signed offline
        let (mut w, kp, voter, id) = setup();
        let ballot = Ballot {
            proposal_id: id,
            support: Support::For,
            voter,
            nonce: 0,
            deadline: 1_000,
        };
        let payload = w.gov.ballot_payload(ballot);
        assert!(payload.starts_with(BALLOT_TAG));
        let signature = sign(&kp, &payload);
        // when Eve relays it
        let eve = w.a.eve;
        let weight = w
            .as_(eve)
            .cast_vote_by_sig(ballot, kp.public.to_bytes(), signature)
            .unwrap();
        // then the voter's weight counted and the nonce moved on
        assert_eq!(weight, 60);
        assert_eq!(w.gov.receipt(id, voter).unwrap().weight, 60);
        assert_eq!(w.gov.nonce(voter, id), 1);
        let v = emitted!(VoteCast);
        assert_eq!((v[0].voter, v[0].relayer), (voter, Some(eve)));
        // and replaying it is refused
        assert_eq!(
            w.as_(eve)
                .cast_vote_by_sig(ballot, kp.public.to_bytes(), signature),
            Err(Error::BadNonce)
        );
    }

    #[ink::test]
    fn a_wallet_style_bytes_wrapped_signature_is_accepted() {
        let (mut w, kp, voter, id) = setup();
        let ballot = Ballot {
            proposal_id: id,
            support: Support::Against,
            voter,
            nonce: 0,
            deadline: 1_000,
        };
        let mut wrapped = b"<Bytes>".to_vec();
        wrapped.extend(w.gov.ballot_payload(ballot));
        wrapped.extend(b"</Bytes>");
        let signature = sign(&kp, &wrapped);
        let eve = w.a.eve;
        assert_eq!(
            w.as_(eve)
                .cast_vote_by_sig(ballot, kp.public.to_bytes(), signature),
            Ok(60)
        );
    }

    #[ink::test]
    fn forged_or_mismatched_ballots_are_refused() {
        let (mut w, kp, voter, id) = setup();
        let eve = w.a.eve;
        let ballot = Ballot {
            proposal_id: id,
            support: Support::For,
            voter,
            nonce: 0,
            deadline: 1_000,
        };
        let payload = w.gov.ballot_payload(ballot);
        // signed by another key
        let other = keypair(4);
        assert_eq!(
            w.as_(eve)
                .cast_vote_by_sig(ballot, kp.public.to_bytes(), sign(&other, &payload)),
            Err(Error::InvalidSignature)
        );
        // another key claiming to be the voter
        assert_eq!(
            w.as_(eve)
                .cast_vote_by_sig(ballot, other.public.to_bytes(), sign(&other, &payload)),
            Err(Error::VoterKeyMismatch)
        );
        // a valid signature over a different ballot (support changed by the relayer)
        let tampered = Ballot {
            support: Support::Against,
            ..ballot
        };
        assert_eq!(
            w.as_(eve)
                .cast_vote_by_sig(tampered, kp.public.to_bytes(), sign(&kp, &payload)),
            Err(Error::InvalidSignature)
        );
        // a future nonce
        let future = Ballot { nonce: 5, ..ballot };
        assert_eq!(
            w.as_(eve)
                .cast_vote_by_sig(future, kp.public.to_bytes(), sign(&kp, &payload)),
            Err(Error::BadNonce)
        );
        assert_eq!(w.gov.receipt(id, voter), None);
    }

    #[ink::test]
    fn l6_a_withheld_ballot_does_not_block_the_voters_other_ballots() {
        // given ballots for two proposals, each with the voter's nonce for that proposal
        let (mut w, kp, voter, first) = setup();
        let (m, eve) = (w.membership, w.a.eve);
        let second = w.as_(eve).propose(vec![action(m)], "e".into()).unwrap();
        advance(SETTINGS.voting_delay + 1);
        let ballot = |proposal_id| Ballot {
            proposal_id,
            support: Support::For,
            voter,
            nonce: 0,
            deadline: 1_000,
        };
        let (b1, b2) = (ballot(first), ballot(second));
        let (s1, s2) = (
            sign(&kp, &w.gov.ballot_payload(b1)),
            sign(&kp, &w.gov.ballot_payload(b2)),
        );
        // when a relayer holds back the first and relays the second
        let eve = w.a.eve;
        let key = kp.public.to_bytes();
        assert_eq!(w.as_(eve).cast_vote_by_sig(b2, key, s2), Ok(60));
        // then the first still counts when relayed later
        assert_eq!(w.as_(eve).cast_vote_by_sig(b1, key, s1), Ok(60));
        assert_eq!(w.gov.nonce(voter, first), 1);
        assert_eq!(w.gov.nonce(voter, second), 1);
    }

    #[ink::test]
    fn l6_a_ballot_past_its_deadline_is_refused_and_changes_nothing() {
        // given a ballot valid up to the current block
        let (mut w, kp, voter, id) = setup();
        let ballot = Ballot {
            proposal_id: id,
            support: Support::For,
            voter,
            nonce: 0,
            deadline: now(),
        };
        let signature = sign(&kp, &w.gov.ballot_payload(ballot));
        // when it is relayed one block late
        advance(1);
        let eve = w.a.eve;
        // then it is refused by name and the voter can still vote
        assert_eq!(
            w.as_(eve)
                .cast_vote_by_sig(ballot, kp.public.to_bytes(), signature),
            Err(Error::BallotExpired)
        );
        assert_eq!(w.gov.nonce(voter, id), 0);
        assert_eq!(w.gov.receipt(id, voter), None);
    }

    #[ink::test]
    fn ethereum_derived_accounts_map_to_their_prefix() {
        let mut key = [0xEE; 32];
        key[..20].copy_from_slice(&[0x11; 20]);
        assert_eq!(address_of_public_key(&key), Address::from([0x11; 20]));
    }
}

fn compute_fund() -> Address {
    Address::from_low_u64_be(0xF1)
}

fn grant(amount: u128) -> atelier_traits::SpendRequest {
    atelier_traits::SpendRequest {
        beneficiary: Address::from_low_u64_be(0xBE),
        amount,
        valid_from: 0,
        expires_at: 1_000,
        purpose_hash: [5; 32],
        tranches: 1,
        tranche_interval: 0,
        datasets: vec![],
    }
}

const OPTIMISTIC: OptimisticSettings = OptimisticSettings {
    compute_fund: None,
    max_amount: 500,
    challenge_period: 20,
    objection_bps: 1_000,
};

/// The world with the optimistic track on: grants up to 500 from the Compute Fund, 20
/// blocks of challenge, 10% of the weight (20 of 200) escalates.
fn optimistic_world() -> World {
    let mut w = world();
    double::set_code_hash(compute_fund(), H256::repeat_byte(3));
    w.as_(w.a.alice)
        .init_allowlist(vec![compute_fund()])
        .unwrap();
    w.as_self()
        .set_optimistic(OptimisticSettings {
            compute_fund: Some(compute_fund()),
            ..OPTIMISTIC
        })
        .unwrap();
    w
}

#[ink::test]
fn deployer_sets_the_first_allowlist_once_before_any_proposal() {
    let mut w = world();
    let target = Address::from_low_u64_be(0x77);
    assert_eq!(
        w.as_(w.a.bob).init_allowlist(vec![target]),
        Err(Error::NotDeployer)
    );
    w.as_(w.a.alice).init_allowlist(vec![target]).unwrap();
    assert!(w.gov.is_allowlisted(target));
    assert_eq!(
        w.as_(w.a.alice).init_allowlist(vec![target]),
        Err(Error::NotDeployer)
    );
    assert_eq!(emitted!(AllowlistChanged).len(), 3);
}

#[ink::test]
fn deployer_cannot_set_the_allowlist_after_the_first_proposal() {
    let mut w = world();
    w.propose();
    assert_eq!(
        w.as_(w.a.alice).init_allowlist(vec![]),
        Err(Error::NotDeployer)
    );
}

#[ink::test]
fn optimistic_settings_change_only_through_governance_within_bounds() {
    let mut w = world();
    assert_eq!(
        w.as_(w.a.bob).set_optimistic(OPTIMISTIC),
        Err(Error::OnlyGovernance)
    );
    for bad in [
        OptimisticSettings {
            challenge_period: 1,
            ..OPTIMISTIC
        },
        OptimisticSettings {
            objection_bps: 9_000,
            ..OPTIMISTIC
        },
    ] {
        assert_eq!(
            w.as_self().set_optimistic(bad),
            Err(Error::SettingOutOfBounds)
        );
    }
    w.as_self().set_optimistic(OPTIMISTIC).unwrap();
    assert_eq!(w.gov.optimistic_settings(), OPTIMISTIC);
    // One at instantiation, one now.
    assert_eq!(emitted!(OptimisticSettingsChanged).len(), 2);
}

#[ink::test]
fn grants_need_the_track_enabled_and_a_small_amount() {
    let mut w = world();
    assert_eq!(
        w.as_(w.a.bob).propose_grant(grant(10), "GPU hours".into()),
        Err(Error::OptimisticTrackDisabled)
    );
    let mut w = optimistic_world();
    assert_eq!(
        w.as_(w.a.bob).propose_grant(grant(501), "GPU hours".into()),
        Err(Error::GrantTooLarge)
    );
}

#[ink::test]
fn an_unchallenged_grant_passes_after_the_challenge_period_and_approves_the_spend() {
    let mut w = optimistic_world();
    let id = w
        .as_(w.a.bob)
        .propose_grant(grant(300), "GPU hours for the style model".into())
        .unwrap();
    let p = w.gov.proposal(id).unwrap();
    assert!(p.optimistic);
    assert_eq!(p.vote_end - p.snapshot, OPTIMISTIC.challenge_period);
    let o = emitted!(OptimisticProposed);
    assert_eq!((o[0].id, o[0].challenge_end), (id, p.vote_end));
    assert_eq!(o[0].request, grant(300));
    advance(p.vote_end + 1 - now());
    assert_eq!(w.gov.state(id), Ok(ProposalState::Succeeded));
    w.gov.queue(id).unwrap();
    advance(SETTINGS.timelock_delay);
    w.gov.execute(id).unwrap();
    let calls = double::calls();
    let call = calls.last().unwrap();
    assert_eq!(call.target, compute_fund());
    assert_eq!(call.selector, atelier_traits::APPROVE_SPEND_SELECTOR);
    assert_eq!(call.input, scale::Encode::encode(&grant(300)));
}

#[ink::test]
fn objections_below_the_threshold_do_not_stop_a_grant() {
    let mut w = optimistic_world();
    let id = w
        .as_(w.a.bob)
        .propose_grant(grant(300), "GPU hours".into())
        .unwrap();
    advance(SETTINGS.voting_delay + 1);
    // Frank objects with 19 of 200: one short of the 10% threshold.
    double::set_weight(w.a.frank, 0, 19);
    w.as_(w.a.frank)
        .cast_vote(id, Support::Against, None)
        .unwrap();
    assert_eq!(w.gov.optimistic_state(id).unwrap().threshold, Some(20));
    assert!(!w.gov.optimistic_state(id).unwrap().escalated);
    let end = w.gov.proposal(id).unwrap().vote_end;
    advance(end + 1 - now());
    assert_eq!(w.gov.state(id), Ok(ProposalState::Succeeded));
}

#[ink::test]
fn objections_at_the_threshold_escalate_to_a_full_vote() {
    let mut w = optimistic_world();
    let id = w
        .as_(w.a.bob)
        .propose_grant(grant(300), "GPU hours".into())
        .unwrap();
    advance(SETTINGS.voting_delay + 1);
    w.as_(w.a.alice)
        .cast_vote(id, Support::Against, Some("too vague".into()))
        .unwrap();
    let o = w.gov.optimistic_state(id).unwrap();
    assert!(o.escalated);
    let p = w.gov.proposal(id).unwrap();
    assert_eq!(p.vote_end, now() + SETTINGS.voting_period);
    let e = emitted!(ProposalEscalated);
    assert_eq!(
        (e[0].id, e[0].objections, e[0].threshold),
        (id, 20, Some(20))
    );
    // A full vote now: with no For votes it is defeated at the end.
    advance(p.vote_end + 1 - now());
    assert_eq!(w.gov.state(id), Ok(ProposalState::Defeated));
}

#[ink::test]
fn an_escalated_grant_can_still_pass_a_full_vote() {
    let mut w = optimistic_world();
    let id = w
        .as_(w.a.bob)
        .propose_grant(grant(300), "GPU hours".into())
        .unwrap();
    advance(SETTINGS.voting_delay + 1);
    w.as_(w.a.alice)
        .cast_vote(id, Support::Against, None)
        .unwrap();
    w.as_(w.a.bob).cast_vote(id, Support::For, None).unwrap();
    w.as_(w.a.eve).cast_vote(id, Support::For, None).unwrap();
    let end = w.gov.proposal(id).unwrap().vote_end;
    advance(end + 1 - now());
    assert_eq!(w.gov.state(id), Ok(ProposalState::Succeeded));
}

// Audit findings (issue #16): each test is named after its finding and failed on the
// governor before the fix.

/// A proposal queued (or succeeded) under the world's settings, and a governed grace change.
fn with_grace(grace_period: u32) -> Settings {
    Settings {
        grace_period,
        ..SETTINGS
    }
}

#[ink::test]
fn m1_raising_the_grace_period_does_not_revive_an_expired_proposal() {
    // given a queued proposal that expired under a 10-block grace period
    let mut w = world();
    let id = w.succeeded();
    w.as_(w.a.bob).queue(id).unwrap();
    advance(SETTINGS.timelock_delay + SETTINGS.grace_period + 1);
    assert_eq!(w.gov.state(id), Ok(ProposalState::Expired));
    // when governance raises the grace period far beyond it
    w.as_self().set_settings(with_grace(1_000)).unwrap();
    // then it stays expired and cannot execute
    assert_eq!(w.gov.state(id), Ok(ProposalState::Expired));
    assert_eq!(w.as_(w.a.bob).execute(id), Err(Error::NotQueued));
    assert!(double::calls().is_empty());
}

#[ink::test]
fn m1_lowering_the_grace_period_does_not_expire_a_queued_proposal() {
    // given a proposal queued with a 400-block grace period, past its timelock by 50 blocks
    let mut w = world();
    w.as_self().set_settings(with_grace(400)).unwrap();
    let id = w.succeeded();
    w.as_(w.a.bob).queue(id).unwrap();
    advance(SETTINGS.timelock_delay + 50);
    // when governance lowers the grace period to its minimum
    w.as_self()
        .set_settings(with_grace(GRACE_BOUNDS.0))
        .unwrap();
    // then the queued proposal keeps the deadline it was queued with and executes
    assert_eq!(w.gov.state(id), Ok(ProposalState::Queued));
    w.as_(w.a.bob).execute(id).unwrap();
    assert_eq!(w.gov.state(id), Ok(ProposalState::Executed));
}

#[ink::test]
fn l3_a_succeeded_proposal_not_queued_within_the_grace_period_lapses() {
    // given a succeeded proposal nobody queued
    let mut w = world();
    let id = w.succeeded();
    let end = w.gov.proposal(id).unwrap().vote_end;
    // it may be queued up to `grace_period` blocks after voting ends
    advance(end + SETTINGS.grace_period - now());
    assert_eq!(w.gov.state(id), Ok(ProposalState::Succeeded));
    // when one more block passes
    advance(1);
    // then it has expired and can no longer be queued
    assert_eq!(w.gov.state(id), Ok(ProposalState::Expired));
    assert_eq!(w.as_(w.a.bob).queue(id), Err(Error::NotSucceeded));
}

#[ink::test]
fn l7_a_target_delisted_after_proposing_is_not_called_at_execution() {
    // given a queued proposal calling the membership token, past its timelock
    let mut w = world();
    let id = w.succeeded();
    w.as_(w.a.bob).queue(id).unwrap();
    advance(SETTINGS.timelock_delay);
    // when governance removes the membership token from the allowlist
    let m = w.membership;
    w.as_self().set_allowlisted(m, false).unwrap();
    // then execution is refused by name and nothing was called
    assert_eq!(w.as_(w.a.bob).execute(id), Err(Error::TargetDelisted(0)));
    assert!(double::calls().is_empty());
    assert_eq!(w.gov.state(id), Ok(ProposalState::Queued));
}

#[ink::test]
fn l2_the_guardian_cannot_cancel_a_proposal_that_replaces_or_burns_it() {
    let mut w = world();
    let own = test::callee();
    let (bob, eve, charlie) = (w.a.bob, w.a.eve, w.a.charlie);
    for (who, selector) in [
        (bob, ink::selector_bytes!("burn_guardian")),
        (eve, ink::selector_bytes!("set_guardian")),
    ] {
        // given a proposal that burns or replaces the guardian
        let id = w
            .as_(who)
            .propose(
                vec![Action {
                    target: own,
                    selector,
                    input: vec![],
                    value: 0,
                }],
                "Retire the guardian".into(),
            )
            .unwrap();
        // then the guardian cannot cancel it, pending or active
        assert_eq!(w.as_(charlie).cancel(id), Err(Error::GuardianRoleAtStake));
        advance(SETTINGS.voting_delay + 1);
        assert_eq!(w.as_(charlie).cancel(id), Err(Error::GuardianRoleAtStake));
        assert_eq!(w.gov.state(id), Ok(ProposalState::Active));
    }
    // and a proposal that leaves the guardian alone is still cancelable by it
    let (m, alice) = (w.membership, w.a.alice);
    let other = w.as_(alice).propose(vec![action(m)], "x".into()).unwrap();
    w.as_(charlie).cancel(other).unwrap();
}

#[ink::test]
fn i_an_objection_that_cannot_be_weighed_escalates_the_grant_instead_of_letting_it_pass() {
    // given an optimistic grant in its challenge period
    let mut w = optimistic_world();
    let id = w
        .as_(w.a.bob)
        .propose_grant(grant(300), "GPU hours".into())
        .unwrap();
    advance(SETTINGS.voting_delay + 1);
    // when the membership token cannot be read as Alice objects
    double::membership_down();
    let alice = w.a.alice;
    let counted = w.as_(alice).cast_vote(id, Support::Against, None);
    // then nothing is counted but the grant goes to a full vote (the track fails closed)
    assert_eq!(counted, Ok(0));
    assert_eq!(w.gov.receipt(id, alice), None);
    assert!(w.gov.optimistic_state(id).unwrap().escalated);
    let e = emitted!(ProposalEscalated);
    assert_eq!((e[0].id, e[0].threshold), (id, None));
    // and with no vote it is defeated, never passed unchallenged
    let end = w.gov.proposal(id).unwrap().vote_end;
    assert_eq!(end, now() + SETTINGS.voting_period);
    advance(end + 1 - now());
    assert_eq!(w.gov.state(id), Ok(ProposalState::Defeated));
    assert_eq!(w.gov.queue(id), Err(Error::NotSucceeded));
}

#[ink::test]
fn i_a_for_vote_that_cannot_be_weighed_still_fails_by_name() {
    // A For vote cannot hurt a grant, so an unreadable membership refuses it as before.
    let mut w = optimistic_world();
    let id = w
        .as_(w.a.bob)
        .propose_grant(grant(300), "GPU hours".into())
        .unwrap();
    advance(SETTINGS.voting_delay + 1);
    double::membership_down();
    assert_eq!(
        w.as_(w.a.alice).cast_vote(id, Support::For, None),
        Err(Error::MembershipCallFailed)
    );
    assert!(!w.gov.optimistic_state(id).unwrap().escalated);
}
