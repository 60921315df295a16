//! The funds side of the read API: treasury funds with their stewards and limits, their
//! value flows, spends and payouts, royalty flows and running royalty totals.

#[allow(clippy::wildcard_imports)]
// the read helpers (`Where`, `Bind`, `bind_all!`) are private
use super::*;

/// A treasury fund as its events left it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FundRow {
    /// Address, H160 hex.
    pub address: String,
    /// Role in the deployment (`compute_fund`, `community_reserve`), when known.
    pub role: Option<String>,
    /// Everything deposited, decimal.
    pub received: String,
    /// Everything paid out, decimal.
    pub paid_out: String,
    /// `received - paid_out`, decimal.
    pub balance: String,
    /// Most paid per epoch, decimal.
    pub outflow_cap: Option<String>,
    /// Epoch length, blocks.
    pub epoch_blocks: Option<i64>,
    /// Epoch of the last payout.
    pub outflow_epoch: Option<i64>,
    /// Paid in that epoch, decimal.
    pub epoch_outflow: String,
    /// Guardian who may void spends.
    pub guardian: Option<String>,
    /// Provenance registry consulted for training spends.
    pub provenance: Option<String>,
    /// Stewards, by address.
    pub stewards: Vec<String>,
    /// Block of the last change.
    pub updated_at: i64,
}

impl FundRow {
    /// What may still be paid out in the epoch of `block` (the cap when nothing was paid in
    /// it), decimal; `None` before the limits are known.
    pub fn remaining_outflow_at(&self, block: i64) -> Option<String> {
        let cap: u128 = self.outflow_cap.as_deref()?.parse().ok()?;
        let epoch_blocks = self.epoch_blocks.filter(|e| *e > 0)?;
        let spent: u128 = if self.outflow_epoch == Some(block / epoch_blocks) {
            self.epoch_outflow.parse().ok()?
        } else {
            0
        };
        Some(cap.saturating_sub(spent).to_string())
    }
}

/// Which value flows to list.
#[derive(Debug, Clone, Default)]
pub struct FlowQuery {
    /// Only of this fund or router.
    pub contract: Option<String>,
    /// Only this kind (`received`, `payout`, `donated`, `forwarded`, `withdrawn`).
    pub kind: Option<String>,
    /// Only at or after this block.
    pub from_block: Option<i64>,
    /// Only at or before this block.
    pub to_block: Option<i64>,
    /// After this (block, event index).
    pub after: Option<(i64, i64)>,
    /// Most rows.
    pub limit: i64,
}

/// A movement of value into or out of a fund or the router.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlowRow {
    /// Fund or router, H160 hex.
    pub contract: String,
    /// `received`, `payout`, `donated`, `forwarded` or `withdrawn`.
    pub kind: String,
    /// `in` or `out`.
    pub direction: String,
    /// Sender (in) or recipient (out).
    pub counterparty: String,
    /// Amount, decimal.
    pub amount: String,
    /// The spend a payout paid.
    pub spend_id: Option<i64>,
    /// Block.
    pub block: i64,
    /// Event index.
    pub event_index: i64,
}

/// Which spends to list.
#[derive(Debug, Clone, Default)]
pub struct SpendQuery {
    /// Only of this fund.
    pub fund: Option<String>,
    /// Only to this beneficiary.
    pub beneficiary: Option<String>,
    /// Only in this state at block `.1`: `open` (approved, not paid in full, not past its
    /// window), `paid`, `voided` or `expired`.
    pub state: Option<(String, i64)>,
    /// After this (block, event index) of approval.
    pub after: Option<(i64, i64)>,
    /// Most rows.
    pub limit: i64,
}

/// A spend governance approved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpendRow {
    /// Fund it is paid from.
    pub fund: String,
    /// Id within the fund.
    pub id: i64,
    /// Who is paid.
    pub beneficiary: String,
    /// Approved total, decimal.
    pub amount: String,
    /// First block a payout may happen.
    pub valid_from: i64,
    /// Last block a payout may happen.
    pub expires_at: i64,
    /// keccak-256 of the purpose.
    pub purpose_hash: String,
    /// Tranches.
    pub tranches: i64,
    /// Blocks between tranches.
    pub tranche_interval: i64,
    /// Datasets whose holders must consent.
    pub datasets: Vec<u32>,
    /// Paid so far, decimal.
    pub paid: String,
    /// Tranches paid.
    pub tranches_paid: i64,
    /// Stored status: `approved`, `paid` or `voided`.
    pub status: String,
    /// Who voided it.
    pub voided_by: Option<String>,
    /// Block of approval.
    pub block: i64,
    /// Event index of approval.
    pub event_index: i64,
}

impl SpendRow {
    /// The spend's state at `block`: `paid`, `voided`, `expired` (its window closed unpaid),
    /// `scheduled` (its window has not opened) or `payable`.
    pub fn state_at(&self, block: i64) -> &'static str {
        match self.status.as_str() {
            "paid" => "paid",
            "voided" => "voided",
            _ if block > self.expires_at => "expired",
            _ if block < self.valid_from => "scheduled",
            _ => "payable",
        }
    }
}

/// Which payouts to list.
#[derive(Debug, Clone, Default)]
pub struct PayoutQuery {
    /// Only from this fund.
    pub fund: Option<String>,
    /// Only of this spend (with `fund`).
    pub spend_id: Option<i64>,
    /// Only to this beneficiary.
    pub beneficiary: Option<String>,
    /// Only triggered by this steward.
    pub steward: Option<String>,
    /// After this (block, event index).
    pub after: Option<(i64, i64)>,
    /// Most rows.
    pub limit: i64,
}

/// A tranche paid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayoutRow {
    /// Fund.
    pub fund: String,
    /// Spend id.
    pub spend_id: i64,
    /// Tranche index, 0-based.
    pub tranche: i64,
    /// Who was paid.
    pub beneficiary: String,
    /// Steward who triggered it.
    pub steward: String,
    /// Amount, decimal.
    pub amount: String,
    /// Paid of the spend so far, decimal.
    pub paid_total: String,
    /// Paid in that epoch so far, decimal.
    pub epoch_outflow: String,
    /// Block.
    pub block: i64,
    /// Event index.
    pub event_index: i64,
}

/// Which royalty payments to list.
#[derive(Debug, Clone, Default)]
pub struct RoyaltyQuery {
    /// Only for this work.
    pub work_id: Option<i64>,
    /// Only to this creator.
    pub creator: Option<String>,
    /// Only at or after this block.
    pub from_block: Option<i64>,
    /// Only at or before this block.
    pub to_block: Option<i64>,
    /// After this (block, event index).
    pub after: Option<(i64, i64)>,
    /// Most rows.
    pub limit: i64,
}

/// A royalty routed through the router.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoyaltyRow {
    /// Router.
    pub router: String,
    /// Work.
    pub work_id: i64,
    /// Its creator.
    pub creator: String,
    /// Who paid.
    pub payer: String,
    /// Total, decimal.
    pub amount: String,
    /// Creator's part, decimal.
    pub to_creator: String,
    /// Compute Fund's part, decimal.
    pub to_compute: String,
    /// Community Reserve's part, decimal.
    pub to_reserve: String,
    /// Block.
    pub block: i64,
    /// Event index.
    pub event_index: i64,
}

/// Royalty totals of one work, creator or router.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoyaltyTotals {
    /// `work`, `creator` or `router`.
    pub scope: String,
    /// Work id, creator or router address.
    pub key: String,
    /// Royalties routed.
    pub payments: i64,
    /// Their sum, decimal.
    pub amount: String,
    /// To creators, decimal.
    pub to_creator: String,
    /// To the Compute Fund, decimal.
    pub to_compute: String,
    /// To the Community Reserve, decimal.
    pub to_reserve: String,
    /// Withdrawn by the creator (creator scope), decimal.
    pub withdrawn: String,
}

type FundTuple = (
    String,
    Option<String>,
    String,
    String,
    String,
    Option<String>,
    Option<i64>,
    Option<i64>,
    String,
    Option<String>,
    Option<String>,
    i64,
);

const FUND_SELECT: &str =
    "SELECT f.address, c.role, f.received, f.paid_out, f.balance, f.outflow_cap, f.epoch_blocks, \
     f.outflow_epoch, f.epoch_outflow, f.guardian, f.provenance, f.updated_at \
     FROM funds f LEFT JOIN contracts c ON c.address = f.address";

type SpendTuple = (
    String,
    i64,
    String,
    String,
    i64,
    i64,
    String,
    i64,
    i64,
    String,
    String,
    i64,
    String,
    Option<String>,
    i64,
    i64,
);

const SPEND_SELECT: &str = "SELECT fund, id, beneficiary, amount, valid_from, expires_at, purpose_hash, tranches, \
     tranche_interval, datasets, paid, tranches_paid, status, voided_by, block, event_index FROM spends";

fn spend_from(t: SpendTuple) -> Result<SpendRow> {
    Ok(SpendRow {
        fund: t.0,
        id: t.1,
        beneficiary: t.2,
        amount: t.3,
        valid_from: t.4,
        expires_at: t.5,
        purpose_hash: t.6,
        tranches: t.7,
        tranche_interval: t.8,
        datasets: serde_json::from_str(&t.9)?,
        paid: t.10,
        tranches_paid: t.11,
        status: t.12,
        voided_by: t.13,
        block: t.14,
        event_index: t.15,
    })
}

impl Store {
    async fn fund_rows(&self, sql: &str, address: Option<&str>) -> Result<Vec<FundRow>> {
        let rows: Vec<FundTuple> = on_pool!(self, pool => {
            let q = sqlx::query_as(sql);
            let q = match address { Some(a) => q.bind(a), None => q };
            q.fetch_all(pool).await?
        });
        let stewards: Vec<(String, String)> = on_pool!(self, pool =>
            sqlx::query_as("SELECT fund, account FROM fund_stewards ORDER BY fund, account").fetch_all(pool).await?);
        Ok(rows
            .into_iter()
            .map(|r| FundRow {
                stewards: stewards
                    .iter()
                    .filter(|(f, _)| *f == r.0)
                    .map(|(_, a)| a.clone())
                    .collect(),
                address: r.0,
                role: r.1,
                received: r.2,
                paid_out: r.3,
                balance: r.4,
                outflow_cap: r.5,
                epoch_blocks: r.6,
                outflow_epoch: r.7,
                epoch_outflow: r.8,
                guardian: r.9,
                provenance: r.10,
                updated_at: r.11,
            })
            .collect())
    }

    /// Every treasury fund, by address.
    pub async fn funds(&self) -> Result<Vec<FundRow>> {
        self.fund_rows(&format!("{FUND_SELECT} ORDER BY f.address"), None)
            .await
    }

    /// One fund.
    pub async fn fund(&self, address: &str) -> Result<Option<FundRow>> {
        Ok(self
            .fund_rows(
                &format!("{FUND_SELECT} WHERE f.address = $1"),
                Some(address),
            )
            .await?
            .pop())
    }

    /// A fund's balance after block `block` (what its flows up to that block add up to),
    /// decimal; `None` when it had no flow by then.
    pub async fn fund_balance_at(&self, address: &str, block: i64) -> Result<Option<String>> {
        let sql = "SELECT direction, amount FROM fund_flows WHERE contract = $1 AND block <= $2 ORDER BY block, event_index";
        let rows: Vec<(String, String)> = on_pool!(self, pool =>
            sqlx::query_as(sql).bind(address).bind(block).fetch_all(pool).await?);
        if rows.is_empty() {
            return Ok(None);
        }
        let mut balance = "0".to_owned();
        for (direction, amount) in rows {
            let amount: u128 = amount
                .parse()
                .map_err(|_| crate::Error::Amount(format!("`{amount}` is not a u128")))?;
            balance = if direction == "in" {
                crate::add(&balance, amount)?
            } else {
                crate::sub(&balance, amount)?
            };
        }
        Ok(Some(balance))
    }

    /// A page of value flows in chain order.
    pub async fn fund_flows(&self, q: &FlowQuery) -> Result<Vec<FlowRow>> {
        let mut w = Where::default();
        w.eq_text("contract", q.contract.as_deref());
        w.eq_text("kind", q.kind.as_deref());
        w.range("block", q.from_block, q.to_block);
        w.after_pair("block", "event_index", q.after);
        let limit = w.next(Bind::Int(q.limit));
        let sql = format!(
            "SELECT contract, kind, direction, counterparty, amount, spend_id, block, event_index FROM fund_flows {} \
             ORDER BY block, event_index LIMIT {limit}",
            w.sql()
        );
        type Row = (
            String,
            String,
            String,
            String,
            String,
            Option<i64>,
            i64,
            i64,
        );
        let rows: Vec<Row> = on_pool!(self, pool => bind_all!(sqlx::query_as(&sql), &w.binds).fetch_all(pool).await?);
        Ok(rows
            .into_iter()
            .map(|r| FlowRow {
                contract: r.0,
                kind: r.1,
                direction: r.2,
                counterparty: r.3,
                amount: r.4,
                spend_id: r.5,
                block: r.6,
                event_index: r.7,
            })
            .collect())
    }

    /// A page of spends in order of approval.
    pub async fn spends(&self, q: &SpendQuery) -> Result<Vec<SpendRow>> {
        let mut w = Where::default();
        w.eq_text("fund", q.fund.as_deref());
        w.eq_text("beneficiary", q.beneficiary.as_deref());
        if let Some((state, at)) = &q.state {
            match state.as_str() {
                "paid" | "voided" => w.eq_text("status", Some(state)),
                "expired" | "open" => {
                    w.eq_text("status", Some("approved"));
                    let p = w.next(Bind::Int(*at));
                    let op = if state == "expired" { "<" } else { ">=" };
                    w.conditions.push(format!("expires_at {op} {p}"));
                }
                other => w.eq_text("status", Some(other)),
            }
        }
        w.after_pair("block", "event_index", q.after);
        let limit = w.next(Bind::Int(q.limit));
        let sql = format!(
            "{SPEND_SELECT} {} ORDER BY block, event_index LIMIT {limit}",
            w.sql()
        );
        let rows: Vec<SpendTuple> = on_pool!(self, pool => bind_all!(sqlx::query_as(&sql), &w.binds).fetch_all(pool).await?);
        rows.into_iter().map(spend_from).collect()
    }

    /// One spend.
    pub async fn spend(&self, fund: &str, id: i64) -> Result<Option<SpendRow>> {
        let sql = format!("{SPEND_SELECT} WHERE fund = $1 AND id = $2");
        let row: Option<SpendTuple> = on_pool!(self, pool =>
            sqlx::query_as(&sql).bind(fund).bind(id).fetch_optional(pool).await?);
        row.map(spend_from).transpose()
    }

    /// A page of payouts in chain order.
    pub async fn payouts(&self, q: &PayoutQuery) -> Result<Vec<PayoutRow>> {
        let mut w = Where::default();
        w.eq_text("fund", q.fund.as_deref());
        w.eq_int("spend_id", q.spend_id);
        w.eq_text("beneficiary", q.beneficiary.as_deref());
        w.eq_text("steward", q.steward.as_deref());
        w.after_pair("block", "event_index", q.after);
        let limit = w.next(Bind::Int(q.limit));
        let sql = format!(
            "SELECT fund, spend_id, tranche, beneficiary, steward, amount, paid_total, epoch_outflow, block, event_index \
             FROM payouts {} ORDER BY block, event_index LIMIT {limit}",
            w.sql()
        );
        type Row = (
            String,
            i64,
            i64,
            String,
            String,
            String,
            String,
            String,
            i64,
            i64,
        );
        let rows: Vec<Row> = on_pool!(self, pool => bind_all!(sqlx::query_as(&sql), &w.binds).fetch_all(pool).await?);
        Ok(rows
            .into_iter()
            .map(|r| PayoutRow {
                fund: r.0,
                spend_id: r.1,
                tranche: r.2,
                beneficiary: r.3,
                steward: r.4,
                amount: r.5,
                paid_total: r.6,
                epoch_outflow: r.7,
                block: r.8,
                event_index: r.9,
            })
            .collect())
    }

    /// A page of royalty payments in chain order.
    pub async fn royalties(&self, q: &RoyaltyQuery) -> Result<Vec<RoyaltyRow>> {
        let mut w = Where::default();
        w.eq_int("work_id", q.work_id);
        w.eq_text("creator", q.creator.as_deref());
        w.range("block", q.from_block, q.to_block);
        w.after_pair("block", "event_index", q.after);
        let limit = w.next(Bind::Int(q.limit));
        let sql = format!(
            "SELECT router, work_id, creator, payer, amount, to_creator, to_compute, to_reserve, block, event_index \
             FROM royalties {} ORDER BY block, event_index LIMIT {limit}",
            w.sql()
        );
        type Row = (
            String,
            i64,
            String,
            String,
            String,
            String,
            String,
            String,
            i64,
            i64,
        );
        let rows: Vec<Row> = on_pool!(self, pool => bind_all!(sqlx::query_as(&sql), &w.binds).fetch_all(pool).await?);
        Ok(rows
            .into_iter()
            .map(|r| RoyaltyRow {
                router: r.0,
                work_id: r.1,
                creator: r.2,
                payer: r.3,
                amount: r.4,
                to_creator: r.5,
                to_compute: r.6,
                to_reserve: r.7,
                block: r.8,
                event_index: r.9,
            })
            .collect())
    }

    /// A page of royalty totals of one scope (`work`, `creator`, `router`), by key (works
    /// by id, numerically).
    pub async fn royalty_totals(
        &self,
        scope: &str,
        key: Option<&str>,
        after: Option<&str>,
        limit: i64,
    ) -> Result<Vec<RoyaltyTotals>> {
        let mut w = Where::default();
        w.eq_text("scope", Some(scope));
        w.eq_text("key", key);
        // Work keys are ids: ordered by length, then text, they sort numerically.
        if let Some(a) = after {
            let p = w.next(Bind::Text(a.to_owned()));
            w.conditions.push(format!(
                "(LENGTH(key) > LENGTH({p}) OR (LENGTH(key) = LENGTH({p}) AND key > {p}))"
            ));
        }
        let limit = w.next(Bind::Int(limit));
        let sql = format!(
            "SELECT scope, key, payments, amount, to_creator, to_compute, to_reserve, withdrawn FROM royalty_totals {} \
             ORDER BY LENGTH(key), key LIMIT {limit}",
            w.sql()
        );
        type Row = (String, String, i64, String, String, String, String, String);
        let rows: Vec<Row> = on_pool!(self, pool => bind_all!(sqlx::query_as(&sql), &w.binds).fetch_all(pool).await?);
        Ok(rows
            .into_iter()
            .map(|r| RoyaltyTotals {
                scope: r.0,
                key: r.1,
                payments: r.2,
                amount: r.3,
                to_creator: r.4,
                to_compute: r.5,
                to_reserve: r.6,
                withdrawn: r.7,
            })
            .collect())
    }

    /// The router's current split and whether it is frozen.
    pub async fn router_split(&self) -> Result<Option<(String, i64, i64, bool)>> {
        let sql = "SELECT router, compute_bps, reserve_bps, frozen FROM router_split ORDER BY router LIMIT 1";
        Ok(on_pool!(self, pool => sqlx::query_as(sql).fetch_optional(pool).await?))
    }
}
