//! Several blocks in one transaction: what a backfill writes, so that the commit (an fsync
//! on SQLite) is paid once per batch instead of once per block.

#[allow(clippy::wildcard_imports)] // the store macros name the parent module's private items
use super::*;

impl Store {
    /// Stores `blocks` (in order) and the cursor at the last one in one transaction, each
    /// block's newly stored domain events applied once, as [`Store::apply_block`] does for
    /// one block. Returns how many events were new.
    ///
    /// # Errors
    /// Any failing row rolls the whole batch back (events and cursor).
    pub async fn apply_blocks(&self, blocks: &[BlockEvents]) -> Result<u64> {
        let Some(last) = blocks.last() else {
            return Ok(0);
        };
        let insert = "INSERT INTO raw_events (block_hash, event_index, block, contract, name, topics, data, decoded) \
                      VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (block_hash, event_index) DO NOTHING";
        let cursor = "INSERT INTO cursor (id, block, hash) VALUES (1, $1, $2) \
                      ON CONFLICT (id) DO UPDATE SET block = excluded.block, hash = excluded.hash";
        let mut added = 0;
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            for b in blocks {
                for e in &b.events {
                    let topics = serde_json::to_string(&e.topics)?;
                    let decoded = e.event.as_ref().map(serde_json::to_string).transpose()?;
                    let new = sqlx::query(insert)
                        .bind(&b.hash).bind(e.event_index).bind(b.block).bind(&e.contract).bind(&e.name)
                        .bind(&topics).bind(&e.data).bind(&decoded)
                        .execute(&mut *tx).await?.rows_affected();
                    if let (1, Some(event)) = (new, &e.event) {
                        apply_event!(tx, b.block, e.event_index, &e.contract, event);
                    }
                    added += new;
                }
            }
            sqlx::query(cursor).bind(last.block).bind(&last.hash).execute(&mut *tx).await?;
            tx.commit().await?;
        });
        Ok(added)
    }
}
