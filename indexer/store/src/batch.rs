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
        // The cursor only moves forward here: an older range delivered again (a replay, a
        // second fetch of the same blocks) stores nothing new and leaves it at the head.
        // Only `rollback_to` moves it back, after a reorg.
        let cursor = "INSERT INTO cursor (id, block, hash) VALUES (1, $1, $2) \
                      ON CONFLICT (id) DO UPDATE SET block = excluded.block, hash = excluded.hash \
                      WHERE excluded.block >= cursor.block";
        // Raw events go in as multi-row statements (one round trip per ROWS_PER_INSERT
        // events instead of one per event); RETURNING names the rows that were new, and only
        // those are applied to the derived tables, in chain order.
        let rows: Vec<(&BlockEvents, &RawEvent)> = blocks
            .iter()
            .flat_map(|b| b.events.iter().map(move |e| (b, e)))
            .collect();
        let mut encoded = Vec::with_capacity(rows.len());
        for (_, e) in &rows {
            let topics = serde_json::to_string(&e.topics)?;
            let decoded = e.event.as_ref().map(serde_json::to_string).transpose()?;
            encoded.push((topics, decoded));
        }
        let mut new: std::collections::HashSet<(String, i64)> = std::collections::HashSet::new();
        let pg = matches!(self.pool, Pool::Postgres(_));
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            for (chunk, enc) in rows.chunks(ROWS_PER_INSERT).zip(encoded.chunks(ROWS_PER_INSERT)) {
                let mut q = sqlx::QueryBuilder::new(
                    "INSERT INTO raw_events (block_hash, event_index, block, contract, name, topics, data, decoded, time) ",
                );
                q.push_values(chunk.iter().zip(enc), |mut v, ((b, e), (topics, decoded))| {
                    v.push_bind(&b.hash).push_bind(e.event_index).push_bind(b.block).push_bind(&e.contract)
                        .push_bind(&e.name).push_bind(topics).push_bind(&e.data).push_bind(decoded)
                        .push_bind(b.time);
                });
                q.push(" ON CONFLICT (block_hash, event_index) DO NOTHING RETURNING block_hash, event_index");
                let inserted: Vec<(String, i64)> = q.build_query_as().fetch_all(&mut *tx).await?;
                new.extend(inserted);
            }
            for (b, e) in &rows {
                if let Some(event) = &e.event {
                    if new.contains(&(b.hash.clone(), e.event_index)) {
                        apply_event!(tx, pg, b.block, e.event_index, &e.contract, event);
                    }
                }
            }
            sqlx::query(cursor).bind(last.block).bind(&last.hash).execute(&mut *tx).await?;
            tx.commit().await?;
        });
        Ok(new.len() as u64)
    }
}

/// Raw events per multi-row INSERT: 9 parameters each stays well inside SQLite's 32,766
/// and PostgreSQL's 65,535 bound parameters per statement.
const ROWS_PER_INSERT: usize = 1_000;
