//! `/funds`, `/spends`, `/payouts`: the treasury funds (Compute Fund, Community Reserve),
//! their balances now and at a block, their value flows, the spends governance approved
//! (with their state at the indexer head) and the payouts stewards made.

use atelier_store::read::{
    FlowQuery, FlowRow, FundRow, PayoutQuery, PayoutRow, SpendQuery, SpendRow,
};
use axum::{extract::State, routing::get, Json, Router};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{head_block, Position};
use crate::{
    error::{ApiError, ApiResult},
    extract::{address, ApiPath, ApiQuery},
    page, AppState,
};

/// The funds routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/funds", get(list))
        .route("/funds/{address}", get(one))
        .route("/funds/{address}/flows", get(flows))
        .route("/funds/{address}/spends/{id}", get(spend))
        .route("/spends", get(spends))
        .route("/payouts", get(payouts))
}

/// A fund's balance after a block.
#[derive(Debug, Serialize, ToSchema)]
pub struct BalanceAt {
    /// The block asked for.
    pub block: i64,
    /// Balance after it, decimal.
    pub balance: String,
}

/// A treasury fund.
#[derive(Debug, Serialize, ToSchema)]
pub struct FundDto {
    /// Address, H160 hex.
    pub address: String,
    /// CAIP-10 account id, `eip155:<chain id>:<address>`, once the indexer recorded the
    /// chain's id.
    pub caip10: Option<String>,
    /// The contract's own Substrate account (pallet-revive's fallback account of the
    /// address), SS58 with the generic prefix 42.
    pub ss58: String,
    /// Role in the deployment (`compute_fund`, `community_reserve`).
    pub role: Option<String>,
    /// Everything deposited, decimal.
    pub received: String,
    /// Everything paid out, decimal.
    pub paid_out: String,
    /// Current balance (deposits less payouts), decimal.
    pub balance: String,
    /// Most that may be paid out over any `epoch_blocks` consecutive blocks, decimal.
    pub outflow_cap: Option<String>,
    /// Length of the rolling window the cap holds over, blocks.
    pub epoch_blocks: Option<i64>,
    /// What may still be paid out at the indexer head: the cap less what was paid over the
    /// rolling window ending there, decimal.
    pub remaining_outflow: Option<String>,
    /// Guardian who may void spends.
    pub guardian: Option<String>,
    /// Provenance registry consulted for training spends.
    pub provenance: Option<String>,
    /// Stewards who trigger payouts.
    pub stewards: Vec<String>,
    /// Block of the last change.
    pub updated_at: i64,
    /// The balance at `at_block`, when asked (detail only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at: Option<BalanceAt>,
}

fn fund_dto(f: FundRow, head: i64, chain: Option<&atelier_store::ChainHead>) -> ApiResult<FundDto> {
    Ok(FundDto {
        remaining_outflow: f.remaining_outflow_at(head)?.map(|a| a.to_string()),
        caip10: chain
            .and_then(|c| c.evm_chain_id)
            .map(|id| format!("eip155:{id}:{}", f.address)),
        ss58: super::contracts::contract_ss58(&f.address),
        address: f.address,
        role: f.role,
        received: f.received.to_string(),
        paid_out: f.paid_out.to_string(),
        balance: f.balance.to_string(),
        outflow_cap: f.outflow_cap.map(|a| a.to_string()),
        epoch_blocks: f.epoch_blocks,
        guardian: f.guardian,
        provenance: f.provenance,
        stewards: f.stewards,
        updated_at: f.updated_at,
        at: None,
    })
}

/// Every fund.
#[derive(Debug, Serialize, ToSchema)]
pub struct FundList {
    /// Funds by address.
    pub items: Vec<FundDto>,
}

/// Lists the treasury funds.
#[utoipa::path(get, path = "/funds", tag = "funds",
    responses((status = 200, description = "The funds", body = FundList)))]
pub(crate) async fn list(State(state): State<AppState>) -> ApiResult<Json<FundList>> {
    let head = head_block(&state).await?;
    let chain = state.store().chain_head().await?;
    let items = state
        .store()
        .funds()
        .await?
        .into_iter()
        .map(|f| fund_dto(f, head, chain.as_ref()))
        .collect::<ApiResult<_>>()?;
    Ok(Json(FundList { items }))
}

/// Parameters of `/funds/{address}`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FundParams {
    /// Also report the balance after this block (at most the indexer head).
    #[param(minimum = 0)]
    pub at_block: Option<u32>,
}

async fn existing(state: &AppState, raw: &str) -> ApiResult<FundRow> {
    let a = address(raw)?;
    state
        .store()
        .fund(&a)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("fund {a}")))
}

/// One fund, with its balance at `at_block` when asked.
#[utoipa::path(get, path = "/funds/{address}", tag = "funds",
    params(("address" = String, Path, description = "H160 hex, or SS58", pattern = "^(0x[0-9a-fA-F]{40}|[1-9A-HJ-NP-Za-km-z]{47,50})$"), FundParams),
    responses((status = 200, description = "The fund", body = FundDto),
              (status = 404, description = "No such fund", body = crate::error::ErrorBody)))]
pub(crate) async fn one(
    State(state): State<AppState>,
    ApiPath(raw): ApiPath<String>,
    ApiQuery(q): ApiQuery<FundParams>,
) -> ApiResult<Json<FundDto>> {
    let f = existing(&state, &raw).await?;
    let head = head_block(&state).await?;
    let chain = state.store().chain_head().await?;
    let at = match q.at_block.map(i64::from) {
        None => None,
        Some(block) if block > head => {
            return Err(ApiError::NotIndexed {
                requested: block,
                head,
            })
        }
        Some(block) => Some(BalanceAt {
            block,
            balance: state
                .store()
                .fund_balance_at(&f.address, block)
                .await?
                // No flow by then: nothing received yet.
                .unwrap_or_default()
                .to_string(),
        }),
    };
    Ok(Json(FundDto {
        at,
        ..fund_dto(f, head, chain.as_ref())?
    }))
}

/// Kinds of value flow.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FlowKind {
    /// A deposit into a fund.
    Received,
    /// A tranche a steward paid.
    Payout,
    /// A donation to the router (credited to the Reserve).
    Donated,
    /// The router forwarding accrued shares to a fund.
    Forwarded,
    /// A creator withdrawing royalties.
    Withdrawn,
}

impl FlowKind {
    fn as_str(self) -> &'static str {
        match self {
            Self::Received => "received",
            Self::Payout => "payout",
            Self::Donated => "donated",
            Self::Forwarded => "forwarded",
            Self::Withdrawn => "withdrawn",
        }
    }
}

/// A movement of value.
#[derive(Debug, Serialize, ToSchema)]
pub struct FlowDto {
    /// Fund or router, H160 hex.
    pub contract: String,
    /// `received`, `payout`, `donated`, `forwarded` or `withdrawn`.
    pub kind: String,
    /// `in` or `out`.
    pub direction: String,
    /// Sender (in) or recipient (out), H160 hex.
    pub counterparty: String,
    /// Amount, decimal.
    pub amount: String,
    /// The spend a payout paid.
    pub spend_id: Option<i64>,
    /// Where it happened.
    pub position: Position,
}

impl From<FlowRow> for FlowDto {
    fn from(f: FlowRow) -> Self {
        Self {
            contract: f.contract,
            kind: f.kind,
            direction: f.direction,
            counterparty: f.counterparty,
            amount: f.amount.to_string(),
            spend_id: f.spend_id,
            position: Position {
                block: f.block,
                event_index: f.event_index,
            },
        }
    }
}

page::page_type!(FlowPage, FlowDto, "value flows");

/// Filters of a fund's flows.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FlowParams {
    /// Only this kind.
    pub kind: Option<FlowKind>,
    /// Only items at or after this block.
    pub from_block: Option<u32>,
    /// Only items at or before this block.
    pub to_block: Option<u32>,
    /// Only items at or after this time: RFC 3339 (`2026-11-01T12:00:00Z`) or Unix seconds.
    pub from_time: Option<String>,
    /// Only items at or before this time: RFC 3339 or Unix seconds.
    pub to_time: Option<String>,
    /// The `next_cursor` of the previous page (opaque; empty means the first page).
    #[param(pattern = "^[0-9a-f]*$")]
    pub cursor: Option<String>,
    /// Items per page (1..=1000, default 50).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<u32>,
}

/// A fund's (or the router's) history of value in and out, in chain order.
#[utoipa::path(get, path = "/funds/{address}/flows", tag = "funds",
    params(("address" = String, Path, description = "Fund or router, H160 hex or SS58", pattern = "^(0x[0-9a-fA-F]{40}|[1-9A-HJ-NP-Za-km-z]{47,50})$"), FlowParams),
    responses((status = 200, description = "A page of flows", body = FlowPage)))]
pub(crate) async fn flows(
    State(state): State<AppState>,
    ApiPath(raw): ApiPath<String>,
    ApiQuery(q): ApiQuery<FlowParams>,
) -> ApiResult<Json<FlowPage>> {
    const TAG: &str = "flows";
    let limit = page::limit(q.limit)?;
    let (from_block, to_block) = super::block_range(
        &state,
        (q.from_block, q.to_block),
        (q.from_time.as_deref(), q.to_time.as_deref()),
    )
    .await?;
    let query = FlowQuery {
        contract: Some(address(&raw)?),
        kind: q.kind.map(|k| k.as_str().to_owned()),
        from_block,
        to_block,
        after: page::decode_pos(TAG, q.cursor.as_deref())?,
        limit: limit + 1,
    };
    let rows = state.store().fund_flows(&query).await?;
    let (rows, next_cursor) = page::split(rows, limit, |f| {
        page::encode_pos(TAG, f.block, f.event_index)
    });
    Ok(Json(FlowPage {
        items: rows.into_iter().map(FlowDto::from).collect(),
        next_cursor,
    }))
}

/// Where a spend stands at the indexer head.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum SpendState {
    /// Its window has not opened.
    Scheduled,
    /// A steward may pay its next tranche (when due, within the cap, with consent).
    Payable,
    /// Paid in full.
    Paid,
    /// Voided; its unpaid rest is never paid.
    Voided,
    /// Its window closed before it was paid in full.
    Expired,
}

/// A spend governance approved.
#[derive(Debug, Serialize, ToSchema)]
pub struct SpendDto {
    /// Fund it is paid from, H160 hex.
    pub fund: String,
    /// Id within the fund.
    pub id: i64,
    /// State at the indexer head.
    pub state: SpendState,
    /// Who is paid, H160 hex.
    pub beneficiary: String,
    /// Approved total, decimal.
    pub amount: String,
    /// Paid so far, decimal.
    pub paid: String,
    /// First block a payout may happen.
    pub valid_from: i64,
    /// Last block a payout may happen.
    pub expires_at: i64,
    /// Equal tranches (the last carries the remainder).
    pub tranches: i64,
    /// Tranches paid.
    pub tranches_paid: i64,
    /// Blocks between tranches.
    pub tranche_interval: i64,
    /// keccak-256 of the purpose text.
    pub purpose_hash: String,
    /// Provenance ids of datasets whose holders must all consent at payout.
    pub datasets: Vec<u32>,
    /// Who voided it.
    pub voided_by: Option<String>,
    /// Where it was approved.
    pub position: Position,
}

fn spend_dto(s: SpendRow, head: i64) -> SpendDto {
    let state = match s.state_at(head) {
        "paid" => SpendState::Paid,
        "voided" => SpendState::Voided,
        "expired" => SpendState::Expired,
        "scheduled" => SpendState::Scheduled,
        _ => SpendState::Payable,
    };
    SpendDto {
        fund: s.fund,
        id: s.id,
        state,
        beneficiary: s.beneficiary,
        amount: s.amount.to_string(),
        paid: s.paid.to_string(),
        valid_from: s.valid_from,
        expires_at: s.expires_at,
        tranches: s.tranches,
        tranches_paid: s.tranches_paid,
        tranche_interval: s.tranche_interval,
        purpose_hash: s.purpose_hash,
        datasets: s.datasets,
        voided_by: s.voided_by,
        position: Position {
            block: s.block,
            event_index: s.event_index,
        },
    }
}

page::page_type!(SpendPage, SpendDto, "spends");

/// Which spends `state=` selects.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SpendFilter {
    /// Approved, not paid in full, not voided, window not closed (scheduled or payable).
    Open,
    /// Paid in full.
    Paid,
    /// Voided.
    Voided,
    /// Window closed before being paid in full.
    Expired,
}

/// Filters of `/spends`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SpendParams {
    /// Only from this fund (H160 hex or SS58).
    #[param(pattern = "^(0x[0-9a-fA-F]{40}|[1-9A-HJ-NP-Za-km-z]{47,50})$")]
    pub fund: Option<String>,
    /// Only to this beneficiary (H160 hex or SS58).
    #[param(pattern = "^(0x[0-9a-fA-F]{40}|[1-9A-HJ-NP-Za-km-z]{47,50})$")]
    pub beneficiary: Option<String>,
    /// Only spends in this state at the indexer head.
    pub state: Option<SpendFilter>,
    /// The `next_cursor` of the previous page (opaque; empty means the first page).
    #[param(pattern = "^[0-9a-f]*$")]
    pub cursor: Option<String>,
    /// Items per page (1..=1000, default 50).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<u32>,
}

/// Lists approved spends in order of approval.
#[utoipa::path(get, path = "/spends", tag = "funds", params(SpendParams),
    responses((status = 200, description = "A page of spends", body = SpendPage)))]
pub(crate) async fn spends(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<SpendParams>,
) -> ApiResult<Json<SpendPage>> {
    const TAG: &str = "spends";
    let limit = page::limit(q.limit)?;
    let head = head_block(&state).await?;
    let query = SpendQuery {
        fund: q.fund.as_deref().map(address).transpose()?,
        beneficiary: q.beneficiary.as_deref().map(address).transpose()?,
        state: q.state.map(|s| {
            let name = match s {
                SpendFilter::Open => "open",
                SpendFilter::Paid => "paid",
                SpendFilter::Voided => "voided",
                SpendFilter::Expired => "expired",
            };
            (name.to_owned(), head)
        }),
        after: page::decode_pos(TAG, q.cursor.as_deref())?,
        limit: limit + 1,
    };
    let rows = state.store().spends(&query).await?;
    let (rows, next_cursor) = page::split(rows, limit, |s| {
        page::encode_pos(TAG, s.block, s.event_index)
    });
    Ok(Json(SpendPage {
        items: rows.into_iter().map(|s| spend_dto(s, head)).collect(),
        next_cursor,
    }))
}

/// A tranche paid.
#[derive(Debug, Serialize, ToSchema)]
pub struct PayoutDto {
    /// Fund, H160 hex.
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
    /// Paid from the fund in that epoch so far, decimal.
    pub epoch_outflow: String,
    /// Where it happened.
    pub position: Position,
}

impl From<PayoutRow> for PayoutDto {
    fn from(p: PayoutRow) -> Self {
        Self {
            fund: p.fund,
            spend_id: p.spend_id,
            tranche: p.tranche,
            beneficiary: p.beneficiary,
            steward: p.steward,
            amount: p.amount.to_string(),
            paid_total: p.paid_total.to_string(),
            epoch_outflow: p.epoch_outflow.to_string(),
            position: Position {
                block: p.block,
                event_index: p.event_index,
            },
        }
    }
}

page::page_type!(PayoutPage, PayoutDto, "payouts");

/// A spend with its payouts.
#[derive(Debug, Serialize, ToSchema)]
pub struct SpendDetail {
    /// The spend.
    #[serde(flatten)]
    pub spend: SpendDto,
    /// Its payouts in order (at most its tranches).
    pub payouts: Vec<PayoutDto>,
}

/// One spend of a fund, with its payouts.
#[utoipa::path(get, path = "/funds/{address}/spends/{id}", tag = "funds",
    params(("address" = String, Path, description = "Fund, H160 hex or SS58", pattern = "^(0x[0-9a-fA-F]{40}|[1-9A-HJ-NP-Za-km-z]{47,50})$"),
           ("id" = u32, Path, description = "Spend id")),
    responses((status = 200, description = "The spend", body = SpendDetail),
              (status = 404, description = "No such spend", body = crate::error::ErrorBody)))]
pub(crate) async fn spend(
    State(state): State<AppState>,
    ApiPath((raw, id)): ApiPath<(String, u32)>,
) -> ApiResult<Json<SpendDetail>> {
    let fund = address(&raw)?;
    let head = head_block(&state).await?;
    let s = state
        .store()
        .spend(&fund, i64::from(id))
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("spend {id} of fund {fund}")))?;
    let tranches = s.tranches.clamp(1, 1000);
    let payouts = state
        .store()
        .payouts(&PayoutQuery {
            fund: Some(fund),
            spend_id: Some(i64::from(id)),
            limit: tranches,
            ..PayoutQuery::default()
        })
        .await?;
    Ok(Json(SpendDetail {
        spend: spend_dto(s, head),
        payouts: payouts.into_iter().map(PayoutDto::from).collect(),
    }))
}

/// Filters of `/payouts`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PayoutParams {
    /// Only from this fund (H160 hex or SS58).
    #[param(pattern = "^(0x[0-9a-fA-F]{40}|[1-9A-HJ-NP-Za-km-z]{47,50})$")]
    pub fund: Option<String>,
    /// Only to this beneficiary (H160 hex or SS58).
    #[param(pattern = "^(0x[0-9a-fA-F]{40}|[1-9A-HJ-NP-Za-km-z]{47,50})$")]
    pub beneficiary: Option<String>,
    /// Only triggered by this steward (H160 hex or SS58).
    #[param(pattern = "^(0x[0-9a-fA-F]{40}|[1-9A-HJ-NP-Za-km-z]{47,50})$")]
    pub steward: Option<String>,
    /// The `next_cursor` of the previous page (opaque; empty means the first page).
    #[param(pattern = "^[0-9a-f]*$")]
    pub cursor: Option<String>,
    /// Items per page (1..=1000, default 50).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<u32>,
}

/// Lists payouts in chain order.
#[utoipa::path(get, path = "/payouts", tag = "funds", params(PayoutParams),
    responses((status = 200, description = "A page of payouts", body = PayoutPage)))]
pub(crate) async fn payouts(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<PayoutParams>,
) -> ApiResult<Json<PayoutPage>> {
    const TAG: &str = "payouts";
    let limit = page::limit(q.limit)?;
    let query = PayoutQuery {
        fund: q.fund.as_deref().map(address).transpose()?,
        spend_id: None,
        beneficiary: q.beneficiary.as_deref().map(address).transpose()?,
        steward: q.steward.as_deref().map(address).transpose()?,
        after: page::decode_pos(TAG, q.cursor.as_deref())?,
        limit: limit + 1,
    };
    let rows = state.store().payouts(&query).await?;
    let (rows, next_cursor) = page::split(rows, limit, |p| {
        page::encode_pos(TAG, p.block, p.event_index)
    });
    Ok(Json(PayoutPage {
        items: rows.into_iter().map(PayoutDto::from).collect(),
        next_cursor,
    }))
}
