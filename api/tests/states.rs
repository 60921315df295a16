//! One copy of each chain rule off chain (issue #16): the API's `proposal_state`,
//! fed by the indexer's own write path (the generated decoder, then the store), is held
//! against the governor's `state()` executing on the pallet-revive runtime.
//!
//! Each case replays a random history on the runtime: normal proposals and optimistic
//! grants, votes For/Against/Abstain (objections that escalate grants, late quorum that
//! extends voting), queueing, execution, cancellation by proposer and guardian, governance
//! changing the grace period, and random gaps of blocks. After every step, the events the
//! contracts emitted go through `atelier_chain::decode::ContractEvents` into a SQLite
//! store, and every proposal's state is compared at that head, as is the Compute Fund's
//! remaining outflow (the store's rolling window against the treasury's `epoch_outflow()`,
//! with stewards paying approved grants and governance changing the fund's limits), and the
//! membership token's weights (audit L-1: contributions expire after 100 blocks, with no
//! keeper; members contribute and delegate as the history goes): every account's weight at
//! the head and at a random earlier block, the total, and each member's own weight and
//! votes at the head, the store's against the token's.
//! `ATELIER_STATE_CASES` sets the number of histories of 150 steps (default 12); the test
//! prints how many states it compared and fails on the first disagreement, naming the
//! case, the step and both states.

use std::collections::HashMap;

use atelier_abi::{
    governor, governor::messages as gm, membership::messages as mm, treasury::messages as tm,
};
use atelier_api::routes::proposals::{proposal_state, ProposalState};
use atelier_chain::decode::{ContractEvents, Event as Decoded};
use atelier_sandbox::{
    account,
    dao::{Dao, DaoConfig, GovernorSettings, MembershipSettings, Support},
    funds::{Funds, FundsConfig, Limits, OptimisticSettings, SpendRequest, UNIT},
    sp_core::H160,
    Contract, Emitted, Sandbox,
};
use atelier_store::{BlockEvents, RawEvent, Store};

/// Members with weight (Bob 30, Eve 40, Dave 10, Charlie 30 of 110); the first three can
/// propose (threshold 20). Ferdie is the guardian.
const MEMBERS: [&str; 4] = ["bob", "eve", "dave", "charlie"];
const PROPOSERS: [&str; 3] = ["bob", "eve", "charlie"];
/// Accounts whose weights are compared: the members and Ferdie, a delegate only.
const HOLDERS: [&str; 5] = ["bob", "eve", "dave", "charlie", "ferdie"];

/// A small deterministic generator (xorshift64*): the cases are the same on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

/// The indexer's side: decoders by contract address and the store they write to.
struct Mirror {
    store: Store,
    decoders: HashMap<H160, ContractEvents>,
    /// Events stored per block so far: the next event's index in that block.
    per_block: HashMap<u32, i64>,
}

impl Mirror {
    async fn new(path: &std::path::Path, contracts: &[Contract]) -> Self {
        let store = Store::open(&format!("sqlite://{}", path.display()))
            .await
            .expect("sqlite opens");
        let decoders = contracts
            .iter()
            .map(|c| {
                (
                    c.address,
                    ContractEvents::new(c.name).expect("known contract"),
                )
            })
            .collect();
        Self {
            store,
            decoders,
            per_block: HashMap::new(),
        }
    }

    /// Stores `events` (block, event) block by block, then moves the cursor to `head`, as
    /// the indexer does when it reaches that block.
    async fn store(&mut self, events: Vec<(u32, Emitted)>, head: u32) {
        let mut blocks: Vec<BlockEvents> = Vec::new();
        for (block, e) in events {
            let Some(decoder) = self.decoders.get(&e.contract) else {
                continue;
            };
            let topics: Vec<[u8; 32]> = e.topics.iter().map(|t| t.0).collect();
            let event = match decoder.decode(&topics, &e.data).expect("decodes") {
                Decoded::Decoded(d) => d.domain,
                Decoded::Unknown { .. } => None,
            };
            let index = self.per_block.entry(block).or_insert(0);
            let raw = RawEvent {
                event_index: *index,
                contract: format!("{:#x}", e.contract),
                name: Some(e.name.to_owned()),
                topics: e.topics.iter().map(|t| format!("{t:#x}")).collect(),
                data: format!("0x{}", hex::encode(&e.data)),
                event,
            };
            *index += 1;
            match blocks.last_mut() {
                Some(b) if b.block == i64::from(block) => b.events.push(raw),
                _ => blocks.push(block_events(block, vec![raw])),
            }
        }
        if blocks.last().is_none_or(|b| b.block != i64::from(head)) {
            blocks.push(block_events(head, Vec::new()));
        }
        self.store.apply_blocks(&blocks).await.expect("stored");
    }
}

fn block_events(block: u32, events: Vec<RawEvent>) -> BlockEvents {
    BlockEvents {
        block: i64::from(block),
        hash: format!("0x{block:064x}"),
        events,
        time: None,
    }
}

/// The runtime's side: the DAO with its funds and the optimistic track on (grants up to
/// 500 units, 15 blocks of challenge, 20% objection threshold).
struct World {
    sb: Sandbox,
    dao: Dao,
    compute: Contract,
    contracts: Vec<Contract>,
}

fn world() -> World {
    let mut sb = Sandbox::new();
    let config = DaoConfig {
        governor: GovernorSettings {
            voting_delay: 2,
            voting_period: 12,
            timelock_delay: 3,
            grace_period: 10,
            quorum_bps: 2_000,
            proposal_threshold: 20,
            late_quorum_extension: 4,
        },
        membership: MembershipSettings {
            expiry_blocks: 100,
            ..DaoConfig::default().membership
        },
        ..DaoConfig::default()
    };
    let dao = Dao::deploy(&mut sb, &account("alice"), config).expect("deploys");
    for (who, category, n) in [
        ("bob", 0, 1u8),
        ("eve", 1, 2),
        ("dave", 2, 3),
        ("charlie", 0, 4),
    ] {
        dao.contribute(&mut sb, &account(who), category, [n; 32]);
    }
    sb.advance(1);
    let funds = Funds::deploy(&mut sb, &account("alice"), &dao, &FundsConfig::default())
        .expect("funds deploy");
    let deposit = Funds::call(
        &mut sb,
        &account("ferdie"),
        &funds.compute,
        atelier_abi::treasury::messages::deposit(),
        10_000 * UNIT,
    );
    assert!(deposit.is_ok(), "{deposit:?}");
    let track = OptimisticSettings {
        compute_fund: Some(funds.compute.address),
        max_amount: 500 * UNIT,
        challenge_period: 15,
        objection_bps: 2_000,
    };
    let enable = Dao::action(&dao.governor, gm::set_optimistic(track));
    let id = dao.propose(&mut sb, &account("bob"), vec![enable], "enable grants");
    dao.open_voting(&mut sb, id);
    for who in ["bob", "eve", "charlie"] {
        dao.vote(&mut sb, &account(who), id, Support::For, None)
            .result()
            .expect("counted");
    }
    dao.close_voting(&mut sb, id);
    dao.queue_and_execute(&mut sb, id)
        .result()
        .expect("track enabled");
    let contracts = vec![
        dao.membership,
        dao.governor,
        funds.compute,
        funds.reserve,
        funds.router,
        funds.provenance,
    ];
    World {
        sb,
        dao,
        compute: funds.compute,
        contracts,
    }
}

/// One random step on the runtime; failures (a vote on a closed proposal, queueing a
/// defeated one, ...) are part of the history: they change nothing, as on a chain.
fn step(w: &mut World, rng: &mut Rng, proposals: &mut Vec<u32>) {
    let World {
        sb, dao, compute, ..
    } = w;
    let any = |rng: &mut Rng, proposals: &[u32]| -> Option<u32> {
        (!proposals.is_empty()).then(|| *rng.pick(proposals))
    };
    match rng.below(100) {
        0..=11 => {
            let name = *rng.pick(&PROPOSERS);
            let who = account(name);
            let action = if rng.below(4) == 0 {
                // Governance changes the grace period of later proposals.
                let settings = GovernorSettings {
                    grace_period: 10 + rng.below(40) as u32,
                    ..dao.config.governor
                };
                Dao::action(&dao.governor, gm::set_settings(settings))
            } else if rng.below(4) == 0 {
                // Governance changes the Compute Fund's rolling window.
                let limits = Limits {
                    outflow_cap: (200 + rng.below(800)) as u128 * UNIT,
                    epoch_blocks: 10 + rng.below(60) as u32,
                };
                Dao::action(compute, tm::set_limits(limits))
            } else {
                let category = 10 + rng.below(1_000) as u32;
                Dao::action(&dao.membership, mm::set_category(category, 5u128))
            };
            let made = dao.g(sb, &who, gm::propose(vec![action], "p".to_owned()));
            if let Ok(id) = made.result() {
                proposals.push(id);
            }
        }
        12..=19 => {
            let name = *rng.pick(&PROPOSERS);
            let who = account(name);
            let to = sb.address_of(&account("one"));
            let amount = (1 + rng.below(400)) as u128 * UNIT;
            let request = SpendRequest::single(to, amount, sb.block() + 10_000);
            let made = dao.g(sb, &who, gm::propose_grant(request, "grant".to_owned()));
            if let Ok(id) = made.result() {
                proposals.push(id);
            }
        }
        47..=50 => {
            // A member's new contribution, attested: weight that expires 100 blocks on.
            let who = account(rng.pick::<&str>(&MEMBERS));
            let evidence: [u8; 32] = std::array::from_fn(|_| rng.below(256) as u8);
            dao.contribute(sb, &who, rng.below(4) as u32, evidence);
        }
        51..=54 => {
            let from = account(rng.pick::<&str>(&MEMBERS));
            let to = sb.address_of(&account(rng.pick::<&str>(&HOLDERS)));
            let _ = dao.m(sb, &from, mm::delegate(to));
        }
        20..=46 => {
            if let Some(id) = any(rng, proposals) {
                let support = *rng.pick(&[Support::For, Support::Against, Support::Abstain]);
                let name = *rng.pick(&MEMBERS);
                let who = account(name);
                let _ = dao.vote(sb, &who, id, support, None);
            }
        }
        // Anyone queues, or executes, whatever can be (most calls are refused).
        55..=64 => {
            for &id in proposals.iter() {
                let _ = dao.g(sb, &account("eve"), gm::queue(id));
            }
        }
        65..=72 => {
            for &id in proposals.iter() {
                let _ = dao.g(sb, &account("dave"), gm::execute(id));
            }
        }
        77..=84 => {
            // A steward pays the next tranche of some approved spend.
            let count: u32 =
                Funds::call(sb, &account("alice"), compute, tm::spend_count(), 0).value();
            for id in 0..count {
                let _ = Funds::call(sb, &account("charlie"), compute, tm::payout(id), 0);
            }
        }
        73..=76 => {
            if let Some(id) = any(rng, proposals) {
                let who = if rng.below(2) == 0 { "ferdie" } else { "bob" };
                let _ = dao.g(sb, &account(who), gm::cancel(id));
            }
        }
        _ => sb.advance(1 + rng.below(12) as u32),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_apis_proposal_state_agrees_with_the_governor_on_the_runtime() {
    let cases: u64 = std::env::var("ATELIER_STATE_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(12);
    let mut w = world();
    let base_events = w.sb.take_journal();
    let base = w.sb.snapshot();
    let dir = std::env::temp_dir().join(format!("atelier-states-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let (mut compared, mut by_state) = (0u64, HashMap::<String, u64>::new());
    let (mut outflows, mut payouts_seen) = (0u64, 0u128);
    let (mut weights, mut expired_seen) = (0u64, false);
    for case in 0..cases {
        w.sb.restore(&base);
        let path = dir.join(format!("case-{case}.db"));
        let mut mirror = Mirror::new(&path, &w.contracts).await;
        // The history before the case: deployments, members, the track enabled.
        let start = base_events.last().map_or(1, |(b, _)| *b);
        mirror.store(base_events.clone(), start).await;
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ (case + 1).wrapping_mul(0x1000_0000_01B3));
        let mut proposals = Vec::new();
        for n in 0..150 {
            step(&mut w, &mut rng, &mut proposals);
            let head = w.sb.block();
            mirror.store(w.sb.take_journal(), head).await;
            let head = i64::from(head);
            for &id in &proposals {
                let chain: governor::ProposalState = w
                    .dao
                    .g(&mut w.sb, &account("alice"), gm::state(id))
                    .result()
                    .expect("known proposal");
                let row = mirror
                    .store
                    .proposal(i64::from(id))
                    .await
                    .expect("reads")
                    .expect("indexed");
                let api = proposal_state(&row, head);
                assert_eq!(
                    api,
                    ProposalState::from(chain),
                    "case {case}, step {n}, proposal {id} at block {head}: the API says \
                     {api:?}, the governor {chain:?}; row: {row:?}"
                );
                compared += 1;
                *by_state.entry(format!("{api:?}")).or_default() += 1;
            }
            // The Compute Fund's remaining outflow: the store's window against the fund's.
            let anyone = account("alice");
            let limits: Limits =
                Funds::call(&mut w.sb, &anyone, &w.compute, tm::limits(), 0).value();
            let paid: u128 =
                Funds::call(&mut w.sb, &anyone, &w.compute, tm::epoch_outflow(), 0).value();
            let fund = mirror
                .store
                .fund(&format!("{:#x}", w.compute.address))
                .await
                .expect("reads")
                .expect("indexed");
            let remaining = fund.remaining_outflow_at(head).expect("window parses");
            assert_eq!(
                remaining.map(|a| a.0),
                Some(limits.outflow_cap.saturating_sub(paid)),
                "case {case}, step {n}, block {head}: remaining outflow; fund: {fund:?}"
            );
            outflows += 1;
            payouts_seen = payouts_seen.max(fund.paid_out.0);
            // The token's weights: the store's (checkpoint less its expiry schedule, the
            // token's own rule) against `weight_at` / `total_weight_at` on the runtime, at
            // the head and at an earlier block, and each member's row at the head.
            let earlier = 1 + rng.below(head as u64) as u32;
            for block in [head as u32, earlier] {
                for name in HOLDERS {
                    let who = account(name);
                    let chain = w.dao.weight_at(&mut w.sb, &who, block);
                    let addr = format!("{:#x}", w.sb.address_of(&who));
                    let stored = mirror.store.weight_at(&addr, i64::from(block)).await;
                    let stored = stored.expect("reads").unwrap_or_default();
                    assert_eq!(
                        Some(stored.0),
                        chain,
                        "case {case}, step {n}: weight of {name} at block {block}"
                    );
                    weights += 1;
                }
                let chain: Option<u128> = w
                    .dao
                    .m(&mut w.sb, &anyone, mm::total_weight_at(block))
                    .value();
                let stored = mirror.store.total_weight_at(i64::from(block)).await;
                assert_eq!(
                    stored.expect("reads").map(|a| a.0),
                    chain,
                    "case {case}, step {n}: total weight at block {block}"
                );
            }
            // Compared past an expiry block (Bob's first contribution's) that no keeper ran.
            let first = w.dao.m(&mut w.sb, &anyone, mm::contribution(0u64)).value();
            expired_seen |= first.is_some_and(|c| head >= i64::from(c.expires_at));
            for name in HOLDERS {
                let a = w.sb.address_of(&account(name));
                let own: u128 = w.dao.m(&mut w.sb, &anyone, mm::weight_of(a)).value();
                let votes: u128 = w.dao.m(&mut w.sb, &anyone, mm::votes(a)).value();
                let row = mirror
                    .store
                    .member(&format!("{a:#x}"))
                    .await
                    .expect("reads");
                let at = row.map(|m| m.at(head).expect("schedules parse"));
                assert_eq!(
                    at.map_or((0, 0), |(o, v)| (o.0, v.0)),
                    (own, votes),
                    "case {case}, step {n}: {name}'s own weight and votes at block {head}"
                );
            }
        }
        mirror.store.close().await;
    }
    let _ = std::fs::remove_dir_all(&dir);
    let mut states: Vec<_> = by_state.into_iter().collect();
    states.sort();
    println!(
        "{compared} proposal states, {outflows} remaining outflows and {weights} weights \
         compared over {cases} histories, 0 disagreements: {states:?}"
    );
    assert!(payouts_seen > 0 || cases < 12, "no payout was ever made");
    assert!(
        expired_seen || cases < 12,
        "no history reached a contribution's expiry block"
    );
    assert!(
        compared >= 500 || cases < 12,
        "only {compared} states compared"
    );
    for s in [
        "Pending",
        "Active",
        "Defeated",
        "Succeeded",
        "Queued",
        "Expired",
        "Executed",
        "Canceled",
    ] {
        assert!(
            states.iter().any(|(k, _)| k == s) || cases < 12,
            "no proposal was ever {s}: {states:?}"
        );
    }
}
