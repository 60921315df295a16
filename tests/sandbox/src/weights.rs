//! The weights report: ref_time and proof_size that pallet-revive charges for each Atelier
//! message, next to an ERC-20 `transfer` measured on the same runtime in the same run.
//!
//! Weights are what the runtime meters (deterministic for a given state), not wall-clock
//! time, so the figures do not depend on the machine's load.

use std::fmt::Write as _;

use crate::{
    account,
    dao::{Dao, DaoConfig, MembershipSettings, Support},
    funds::{metadata, FundsConfig, SpendRequest, UNIT},
    scenario::StepFailed,
    Called, Outcome, Sandbox,
};
use atelier_abi::{
    erc20_baseline::messages as em, governor::messages as gm, membership::messages as mm,
    provenance::messages as pm, royalty_router::messages as rm, treasury::messages as tm,
};

/// One measured call.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Row {
    /// Contract.
    pub contract: String,
    /// Message, with the case measured.
    pub message: String,
    /// ref_time, picoseconds.
    pub ref_time: u64,
    /// proof_size, bytes.
    pub proof_size: u64,
    /// ref_time / baseline ref_time.
    pub ref_time_ratio: f64,
    /// proof_size / baseline proof_size.
    pub proof_size_ratio: f64,
}

/// The report.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Report {
    /// The ERC-20 transfer every row is compared with.
    pub baseline: Row,
    /// Atelier's messages.
    pub rows: Vec<Row>,
}

impl Report {
    /// The row for `message` (exact label with case).
    pub fn row(&self, message: &str) -> Option<&Row> {
        self.rows.iter().find(|r| r.message == message)
    }

    /// A plain-text table.
    pub fn render(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(
            s,
            "{:<10} {:<44} {:>14} {:>11} {:>9} {:>9}",
            "contract", "message", "ref_time (ps)", "proof (B)", "ref x", "proof x"
        );
        for r in std::iter::once(&self.baseline).chain(&self.rows) {
            let _ = writeln!(
                s,
                "{:<10} {:<44} {:>14} {:>11} {:>9.2} {:>9.2}",
                r.contract,
                r.message,
                r.ref_time,
                r.proof_size,
                r.ref_time_ratio,
                r.proof_size_ratio
            );
        }
        s
    }
}

struct Recorder {
    base: (u64, u64),
    rows: Vec<Row>,
}

impl Recorder {
    fn row(&self, contract: &str, message: &str, o: &Outcome) -> Row {
        let ratio = |v: u64, b: u64| if b == 0 { 0.0 } else { v as f64 / b as f64 };
        Row {
            contract: contract.to_owned(),
            message: message.to_owned(),
            ref_time: o.ref_time,
            proof_size: o.proof_size,
            ref_time_ratio: ratio(o.ref_time, self.base.0),
            proof_size_ratio: ratio(o.proof_size, self.base.1),
        }
    }

    /// Records `o` after checking it succeeded.
    fn add<R>(
        &mut self,
        contract: &str,
        message: &str,
        o: Called<R>,
    ) -> Result<Called<R>, StepFailed> {
        if !o.is_ok() {
            return Err(StepFailed(format!(
                "{message} failed while measuring: {:?}",
                o.outcome
            )));
        }
        let row = self.row(contract, message, &o);
        self.rows.push(row);
        Ok(o)
    }
}

/// Measures every state-changing message of membership and governor (and the weight read
/// the governor makes) in one run, with the ERC-20 baseline first.
pub fn measure() -> Result<Report, StepFailed> {
    let mut sb = Sandbox::new();
    let [alice, bob, charlie, dave, eve] = ["alice", "bob", "charlie", "dave", "eve"].map(account);

    // Baseline: a transfer between two accounts that both already hold tokens.
    let erc20 = sb.deploy(
        &alice,
        atelier_abi::erc20_baseline::constructors::new(1_000_000),
        9,
    )?;
    let bob_addr = sb.address_of(&bob);
    sb.call(&alice, &erc20, em::transfer(bob_addr, 10u128), 0);
    let transfer = sb.call(&alice, &erc20, em::transfer(bob_addr, 10u128), 0);
    if !transfer.is_ok() {
        return Err(StepFailed(format!(
            "baseline transfer failed: {transfer:?}"
        )));
    }
    let mut rec = Recorder {
        base: (transfer.ref_time, transfer.proof_size),
        rows: Vec::new(),
    };
    let baseline = rec.row("erc20", "transfer (baseline)", &transfer);

    let dao = Dao::deploy(&mut sb, &alice, DaoConfig::default())?;
    let m = "membership";
    let g = "governor";
    let id: u64 = rec
        .add(
            m,
            "record_contribution",
            dao.m(&mut sb, &bob, mm::record_contribution(0u32, [1u8; 32])),
        )?
        .result()?;
    rec.add(
        m,
        "attest (below threshold)",
        dao.m(&mut sb, &alice, mm::attest(id)),
    )?;
    rec.add(
        m,
        "attest (activates, checkpoints)",
        dao.m(&mut sb, &charlie, mm::attest(id)),
    )?;
    dao.contribute(&mut sb, &eve, 1, [2; 32]);
    dao.contribute(&mut sb, &dave, 2, [3; 32]);
    dao.contribute(&mut sb, &charlie, 0, [4; 32]);
    sb.advance(1);
    rec.add(m, "delegate", dao.m(&mut sb, &eve, mm::delegate(bob_addr)))?;
    sb.advance(1);
    rec.add(m, "undelegate", dao.m(&mut sb, &eve, mm::undelegate()))?;
    sb.advance(1);
    dao.m(&mut sb, &eve, mm::delegate(bob_addr)).result()?;
    let now = sb.block();
    rec.add(
        m,
        "VotingWeight::weight_at (read)",
        dao.m(&mut sb, &alice, mm::weight_at(bob_addr, now - 1)),
    )?;
    sb.advance(1);

    let new = MembershipSettings {
        member_cap: 2_000,
        ..dao.config.membership
    };
    let action = Dao::action(&dao.membership, mm::set_settings(new));
    let o = rec.add(
        g,
        "propose (1 action)",
        dao.g(
            &mut sb,
            &bob,
            gm::propose(vec![action], "Raise the cap".to_owned()),
        ),
    )?;
    let pid: u32 = o.result()?;
    rec.add(
        g,
        "attach_summary",
        dao.g(
            &mut sb,
            &dave,
            gm::attach_summary(pid, [9u8; 32], [7u8; 32]),
        ),
    )?;
    dao.open_voting(&mut sb, pid);
    rec.add(
        g,
        "cast_vote (first vote, fixes quorum)",
        dao.vote(&mut sb, &bob, pid, Support::For, None),
    )?;
    rec.add(
        g,
        "cast_vote",
        dao.vote(&mut sb, &charlie, pid, Support::Against, None),
    )?;
    let signed = dao.signed_ballot(&mut sb, "dave", pid, Support::For, u32::MAX);
    rec.add(
        g,
        "cast_vote_by_sig (relayed)",
        dao.g(
            &mut sb,
            &alice,
            gm::cast_vote_by_sig(signed.0, signed.1, signed.2),
        ),
    )?;
    dao.close_voting(&mut sb, pid);
    let o = rec.add(g, "queue", dao.g(&mut sb, &eve, gm::queue(pid)))?;
    let eta: u32 = o.result()?;
    let now = sb.block();
    sb.advance(eta - now);
    rec.add(
        g,
        "execute (1 action: membership.set_settings)",
        dao.g(&mut sb, &eve, gm::execute(pid)),
    )?;
    let other = dao.propose(
        &mut sb,
        &charlie,
        vec![Dao::action(&dao.membership, mm::set_settings(new))],
        "x",
    );
    rec.add(
        g,
        "cancel (by proposer)",
        dao.g(&mut sb, &charlie, gm::cancel(other)),
    )?;
    rec.add(g, "state (read)", dao.g(&mut sb, &eve, gm::state(pid)))?;
    measure_funds(&mut sb, &mut rec)?;
    Ok(Report {
        baseline,
        rows: rec.rows,
    })
}

/// The funds' messages: a royalty routed, withdrawn and forwarded, a spend approved and
/// paid. The funds here are governed by Alice's account directly, so that `approve_spend`
/// is measured on its own rather than inside a governor execution.
fn measure_funds(sb: &mut Sandbox, rec: &mut Recorder) -> Result<(), StepFailed> {
    let [alice, bob, charlie, ferdie] = ["alice", "bob", "charlie", "ferdie"].map(account);
    let config = FundsConfig::default();
    let provenance = sb.deploy(&alice, atelier_abi::provenance::constructors::new(), 30)?;
    let steward = sb.address_of(&charlie);
    let compute = sb.deploy(
        &alice,
        atelier_abi::treasury::constructors::new(
            "compute".to_owned(),
            config.compute_limits,
            vec![steward],
            None,
            Some(provenance.address),
        ),
        31,
    )?;
    let reserve = sb.deploy(
        &alice,
        atelier_abi::treasury::constructors::new(
            "reserve".to_owned(),
            config.reserve_limits,
            vec![steward],
            None,
            Some(provenance.address),
        ),
        32,
    )?;
    let router = sb.deploy(
        &alice,
        atelier_abi::royalty_router::constructors::new(
            compute.address,
            reserve.address,
            config.split,
            config.policy,
        ),
        33,
    )?;
    let alice_addr = sb.address_of(&alice);
    sb.call(&alice, &compute, tm::init_governance(alice_addr), 0)
        .result()?;
    let (r, t, p) = ("router", "treasury", "provenance");
    let o = rec.add(
        r,
        "register_work",
        sb.call(
            &bob,
            &router,
            rm::register_work([1u8; 32], metadata(1), 7_000u32),
            0,
        ),
    )?;
    let work: u64 = o.result()?;
    rec.add(
        r,
        "route (creator's first royalty)",
        sb.call(&ferdie, &router, rm::route(work), 100 * UNIT),
    )?;
    rec.add(
        r,
        "route",
        sb.call(&ferdie, &router, rm::route(work), 100 * UNIT),
    )?;
    rec.add(r, "donate", sb.call(&ferdie, &router, rm::donate(), UNIT))?;
    rec.add(r, "withdraw", sb.call(&bob, &router, rm::withdraw(), 0))?;
    rec.add(
        r,
        "forward (deposits into 2 funds)",
        sb.call(&ferdie, &router, rm::forward(), 0),
    )?;
    rec.add(
        t,
        "Fund::deposit",
        sb.call(&ferdie, &compute, tm::deposit(), 1_000 * UNIT),
    )?;
    let one = sb.address_of(&account("one"));
    let request = SpendRequest::single(one, 10 * UNIT, sb.block() + 1_000);
    rec.add(
        t,
        "approve_spend (by governance)",
        sb.call(&alice, &compute, tm::approve_spend(request.clone()), 0),
    )?;
    sb.call(&alice, &compute, tm::approve_spend(request.clone()), 0)
        .result()?;
    rec.add(
        t,
        "payout (steward)",
        sb.call(&charlie, &compute, tm::payout(0u32), 0),
    )?;
    rec.add(
        t,
        "void_spend",
        sb.call(&charlie, &compute, tm::void_spend(1u32), 0),
    )?;
    let holders = vec![sb.address_of(&bob), steward];
    rec.add(
        p,
        "register (2 holders)",
        sb.call(
            &bob,
            &provenance,
            pm::register(
                atelier_abi::provenance::AssetKind::Dataset,
                [5u8; 32],
                1u32,
                holders,
            ),
            0,
        ),
    )?;
    rec.add(
        p,
        "grant_consent",
        sb.call(&bob, &provenance, pm::grant_consent(0u32), 0),
    )?;
    Ok(())
}
