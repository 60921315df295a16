//! `/contracts`: the deployment's contracts the indexer watches, with their roles, so that
//! clients (the web app among them) find the governor and the funds without a deployment
//! file.

use atelier_types::account;
use axum::{extract::State, routing::get, Json, Router};
use serde::Serialize;
use utoipa::ToSchema;

use crate::{error::ApiResult, AppState};

/// The contract routes.
pub fn router() -> Router<AppState> {
    Router::new().route("/contracts", get(list))
}

/// A contract of the deployment.
#[derive(Debug, Serialize, ToSchema)]
pub struct ContractDto {
    /// Role in the deployment (`governor`, `membership`, `compute_fund`, ...).
    pub role: String,
    /// Address, H160 hex.
    pub address: String,
    /// The contract's own Substrate account (pallet-revive's fallback account of the
    /// address), SS58 with the generic prefix 42.
    pub ss58: String,
    /// The artifact it runs (`contracts/artifacts/<artifact>.json` is its metadata).
    pub artifact: String,
    /// Block of its instantiation.
    pub block: i64,
}

/// The contracts, by role.
#[derive(Debug, Serialize, ToSchema)]
pub struct ContractList {
    /// Every watched contract.
    pub items: Vec<ContractDto>,
}

/// The SS58 text of a contract's own account (the store holds well-formed addresses).
pub(crate) fn contract_ss58(address: &str) -> String {
    let mut h160 = [0u8; 20];
    let _ = hex::decode_to_slice(address.trim_start_matches("0x"), &mut h160);
    account::ss58_encode(&account::fallback_account(&h160), account::SS58_PREFIX)
}

/// The deployment's contracts, ordered by role.
#[utoipa::path(get, path = "/contracts", tag = "status",
    responses((status = 200, description = "The watched contracts", body = ContractList)))]
pub(crate) async fn list(State(state): State<AppState>) -> ApiResult<Json<ContractList>> {
    let items = state
        .store()
        .contracts()
        .await?
        .into_iter()
        .map(|c| ContractDto {
            ss58: contract_ss58(&c.address),
            role: c.role,
            address: c.address,
            artifact: c.artifact,
            block: c.block,
        })
        .collect();
    Ok(Json(ContractList { items }))
}
