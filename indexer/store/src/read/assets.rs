//! The provenance side of the read API: registered datasets and models with their rights
//! holders, consents and open disputes (audit M-2 of #16).

#[allow(clippy::wildcard_imports)]
// the read helpers (`Where`, `Bind`, `bind_all!`) are private
use super::*;

/// A registered asset as its events left it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssetRow {
    /// Asset id.
    pub id: i64,
    /// `Dataset` or `Model`.
    pub kind: String,
    /// Content hash, 0x-hex.
    pub content_hash: String,
    /// License code.
    pub license: i64,
    /// Who registered it (one of its holders).
    pub registrant: String,
    /// Rights holders, H160 hex.
    pub holders: Vec<String>,
    /// How many holders consent now.
    pub consenting: i64,
    /// Who disputes the registration, while a dispute is open.
    pub disputed_by: Option<String>,
    /// Hash of the disputant's evidence, while a dispute is open.
    pub dispute_evidence: Option<String>,
    /// Block of the registration.
    pub block: i64,
    /// Event index of the registration.
    pub event_index: i64,
}

from_row!(AssetRow, |r| {
    let holders: String = r.try_get("holders")?;
    Ok(AssetRow {
        id: r.try_get("id")?,
        kind: r.try_get("kind")?,
        content_hash: r.try_get("content_hash")?,
        license: r.try_get("license")?,
        registrant: r.try_get("registrant")?,
        holders: json_column("holders", &holders)?,
        consenting: r.try_get("consenting")?,
        disputed_by: r.try_get("disputed_by")?,
        dispute_evidence: r.try_get("dispute_evidence")?,
        block: r.try_get("block")?,
        event_index: r.try_get("event_index")?,
    })
});

/// A holder's consent to an asset's use, as last changed.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ConsentRow {
    /// The holder, H160 hex.
    pub holder: String,
    /// Whether it consents.
    pub granted: bool,
    /// Block of the last change.
    pub block: i64,
}

/// Which assets to list.
#[derive(Debug, Clone, Default)]
pub struct AssetQuery {
    /// Only assets this account holds rights in.
    pub holder: Option<String>,
    /// Only disputed (`true`) or undisputed (`false`) ones.
    pub disputed: Option<bool>,
    /// Ids after this one.
    pub after: Option<i64>,
    /// Page size.
    pub limit: i64,
}

const ASSET_COLUMNS: &str = "id, kind, content_hash, license, registrant, holders, consenting, \
     disputed_by, dispute_evidence, block, event_index";

impl Store {
    /// A page of assets by id.
    pub async fn assets(&self, q: &AssetQuery) -> Result<Vec<AssetRow>> {
        let mut w = Where::default();
        if let Some(holder) = &q.holder {
            // `holders` is a JSON array of quoted 0x-hex addresses.
            let p = w.next(Bind::Text(format!("%\"{holder}\"%")));
            w.conditions.push(format!("holders LIKE {p}"));
        }
        match q.disputed {
            Some(true) => w.conditions.push("disputed_by IS NOT NULL".into()),
            Some(false) => w.conditions.push("disputed_by IS NULL".into()),
            None => {}
        }
        if let Some(a) = q.after {
            let p = w.next(Bind::Int(a));
            w.conditions.push(format!("id > {p}"));
        }
        let limit = w.next(Bind::Int(q.limit));
        let sql = format!(
            "SELECT {ASSET_COLUMNS} FROM assets {} ORDER BY id LIMIT {limit}",
            w.sql()
        );
        Ok(on_pool!(self, pool =>
            bind_all!(sqlx::query_as(&sql), &w.binds).fetch_all(pool).await?))
    }

    /// One asset.
    pub async fn asset(&self, id: i64) -> Result<Option<AssetRow>> {
        let sql = format!("SELECT {ASSET_COLUMNS} FROM assets WHERE id = $1");
        Ok(on_pool!(self, pool =>
            sqlx::query_as(&sql).bind(id).fetch_optional(pool).await?))
    }

    /// Every recorded consent change's outcome for an asset, by holder.
    pub async fn consents(&self, asset_id: i64) -> Result<Vec<ConsentRow>> {
        let sql = "SELECT holder, granted, block FROM consents WHERE asset_id = $1 ORDER BY holder";
        Ok(on_pool!(self, pool =>
            sqlx::query_as(sql).bind(asset_id).fetch_all(pool).await?))
    }
}
