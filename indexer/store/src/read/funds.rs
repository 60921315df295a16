//! The funds side of the read API: treasury funds with their stewards and limits, their
//! value flows, spends and payouts, royalty flows and running royalty totals.

#[allow(clippy::wildcard_imports)]
// the read helpers (`Where`, `Bind`, `bind_all!`) are private
use super::*;

/// A treasury fund as its events left it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct FundRow {
    /// Address, H160 hex.
    pub address: String,
    /// Role in the deployment (`compute_fund`, `community_reserve`), when known.
    pub role: Option<String>,
    /// Everything deposited.
    pub received: Amount,
    /// Everything paid out.
    pub paid_out: Amount,
    /// `received - paid_out`.
    pub balance: Amount,
    /// Most paid over any `epoch_blocks` consecutive blocks.
    pub outflow_cap: Option<Amount>,
    /// Length of the rolling window, blocks.
    pub epoch_blocks: Option<i64>,
    /// The rolling outflow window (JSON of `atelier_types::OutflowWindow`), from the first
    /// payout on.
    pub outflow_window: Option<String>,
    /// Paid over the window as of the last payout, that payout included.
    pub epoch_outflow: Amount,
    /// Guardian who may void spends.
    pub guardian: Option<String>,
    /// Provenance registry consulted for training spends.
    pub provenance: Option<String>,
    /// Stewards, by address.
    #[sqlx(skip)]
    pub stewards: Vec<String>,
    /// Block of the last change.
    pub updated_at: i64,
}

impl FundRow {
    /// What may still be paid out at `block`: the cap less what was paid over the rolling
    /// window ending there, by the treasury's own rule (`atelier_types::window`); `None`
    /// before the limits are known.
    ///
    /// # Errors
    /// A stored window that does not parse.
    pub fn remaining_outflow_at(&self, block: i64) -> Result<Option<Amount>> {
        let (Some(cap), Some(epoch)) = (
            self.outflow_cap,
            self.epoch_blocks.and_then(|e| u32::try_from(e).ok()),
        ) else {
            return Ok(None);
        };
        let window: atelier_types::OutflowWindow = self
            .outflow_window
            .as_deref()
            .map(serde_json::from_str)
            .transpose()?
            .unwrap_or_default();
        let at = u32::try_from(block.max(0)).unwrap_or(u32::MAX);
        Ok(Some(Amount(cap.0.saturating_sub(window.total(epoch, at)))))
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
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct FlowRow {
    /// Fund or router, H160 hex.
    pub contract: String,
    /// `received`, `payout`, `donated`, `forwarded` or `withdrawn`.
    pub kind: String,
    /// `in` or `out`.
    pub direction: String,
    /// Sender (in) or recipient (out).
    pub counterparty: String,
    /// Amount.
    pub amount: Amount,
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
    /// Approved total.
    pub amount: Amount,
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
    /// Paid so far.
    pub paid: Amount,
    /// Tranches paid.
    pub tranches_paid: i64,
    /// Stored status.
    pub status: SpendStatus,
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
        match self.status {
            SpendStatus::Paid => "paid",
            SpendStatus::Voided => "voided",
            SpendStatus::Approved if block > self.expires_at => "expired",
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
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
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
    /// Amount.
    pub amount: Amount,
    /// Paid of the spend so far.
    pub paid_total: Amount,
    /// Paid in that epoch so far.
    pub epoch_outflow: Amount,
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
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct RoyaltyRow {
    /// Router.
    pub router: String,
    /// Work.
    pub work_id: i64,
    /// Its creator.
    pub creator: String,
    /// Who paid.
    pub payer: String,
    /// Total.
    pub amount: Amount,
    /// Creator's part.
    pub to_creator: Amount,
    /// Compute Fund's part.
    pub to_compute: Amount,
    /// Community Reserve's part.
    pub to_reserve: Amount,
    /// Block.
    pub block: i64,
    /// Event index.
    pub event_index: i64,
}

/// Royalty totals of one work, creator or router.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct RoyaltyTotals {
    /// `work`, `creator` or `router`.
    pub scope: String,
    /// Work id, creator or router address.
    pub key: String,
    /// Royalties routed.
    pub payments: i64,
    /// Their sum.
    pub amount: Amount,
    /// To creators.
    pub to_creator: Amount,
    /// To the Compute Fund.
    pub to_compute: Amount,
    /// To the Community Reserve.
    pub to_reserve: Amount,
    /// Withdrawn by the creator (creator scope).
    pub withdrawn: Amount,
}

const FUND_SELECT: &str =
    "SELECT f.address, c.role, f.received, f.paid_out, f.balance, f.outflow_cap, f.epoch_blocks, \
     f.outflow_window, f.epoch_outflow, f.guardian, f.provenance, f.updated_at \
     FROM funds f LEFT JOIN contracts c ON c.address = f.address";

const SPEND_SELECT: &str = "SELECT fund, id, beneficiary, amount, valid_from, expires_at, purpose_hash, tranches, \
     tranche_interval, datasets, paid, tranches_paid, status, voided_by, block, event_index FROM spends";

from_row!(SpendRow, |r| {
    let datasets: String = r.try_get("datasets")?;
    Ok(SpendRow {
        fund: r.try_get("fund")?,
        id: r.try_get("id")?,
        beneficiary: r.try_get("beneficiary")?,
        amount: r.try_get("amount")?,
        valid_from: r.try_get("valid_from")?,
        expires_at: r.try_get("expires_at")?,
        purpose_hash: r.try_get("purpose_hash")?,
        tranches: r.try_get("tranches")?,
        tranche_interval: r.try_get("tranche_interval")?,
        datasets: json_column("datasets", &datasets)?,
        paid: r.try_get("paid")?,
        tranches_paid: r.try_get("tranches_paid")?,
        status: r.try_get("status")?,
        voided_by: r.try_get("voided_by")?,
        block: r.try_get("block")?,
        event_index: r.try_get("event_index")?,
    })
});

impl Store {
    async fn fund_rows(&self, sql: &str, address: Option<&str>) -> Result<Vec<FundRow>> {
        let mut rows: Vec<FundRow> = on_pool!(self, pool => {
            let q = sqlx::query_as(sql);
            let q = match address { Some(a) => q.bind(a), None => q };
            q.fetch_all(pool).await?
        });
        let stewards: Vec<(String, String)> = on_pool!(self, pool =>
            sqlx::query_as("SELECT fund, account FROM fund_stewards ORDER BY fund, account").fetch_all(pool).await?);
        for fund in &mut rows {
            fund.stewards = stewards
                .iter()
                .filter(|(f, _)| *f == fund.address)
                .map(|(_, a)| a.clone())
                .collect();
        }
        Ok(rows)
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

    /// A fund's balance after block `block` (what its flows up to that block add up to);
    /// `None` when it had no flow by then.
    pub async fn fund_balance_at(&self, address: &str, block: i64) -> Result<Option<Amount>> {
        let sql = "SELECT direction, amount FROM fund_flows WHERE contract = $1 AND block <= $2 ORDER BY block, event_index";
        let rows: Vec<(String, Amount)> = on_pool!(self, pool =>
            sqlx::query_as(sql).bind(address).bind(block).fetch_all(pool).await?);
        if rows.is_empty() {
            return Ok(None);
        }
        let mut balance = 0u128;
        for (direction, Amount(amount)) in rows {
            balance = match direction.as_str() {
                "in" => balance.checked_add(amount),
                "out" => balance.checked_sub(amount),
                other => {
                    return Err(crate::Error::Amount(format!(
                        "flow of {address} has direction `{other}`, not in or out"
                    )))
                }
            }
            .ok_or_else(|| {
                crate::Error::Amount(format!(
                    "flows of {address} up to block {block} leave the u128 range"
                ))
            })?;
        }
        Ok(Some(Amount(balance)))
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
        Ok(on_pool!(self, pool => bind_all!(sqlx::query_as(&sql), &w.binds).fetch_all(pool).await?))
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
                    w.eq_text("status", Some(SpendStatus::Approved.as_str()));
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
        Ok(on_pool!(self, pool => bind_all!(sqlx::query_as(&sql), &w.binds).fetch_all(pool).await?))
    }

    /// One spend.
    pub async fn spend(&self, fund: &str, id: i64) -> Result<Option<SpendRow>> {
        let sql = format!("{SPEND_SELECT} WHERE fund = $1 AND id = $2");
        Ok(on_pool!(self, pool =>
            sqlx::query_as(&sql).bind(fund).bind(id).fetch_optional(pool).await?))
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
        Ok(on_pool!(self, pool => bind_all!(sqlx::query_as(&sql), &w.binds).fetch_all(pool).await?))
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
        Ok(on_pool!(self, pool => bind_all!(sqlx::query_as(&sql), &w.binds).fetch_all(pool).await?))
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
        Ok(on_pool!(self, pool => bind_all!(sqlx::query_as(&sql), &w.binds).fetch_all(pool).await?))
    }

    /// The router's current split and whether it is frozen.
    pub async fn router_split(&self) -> Result<Option<(String, i64, i64, bool)>> {
        let sql = "SELECT router, compute_bps, reserve_bps, frozen FROM router_split ORDER BY router LIMIT 1";
        Ok(on_pool!(self, pool => sqlx::query_as(sql).fetch_optional(pool).await?))
    }
}
